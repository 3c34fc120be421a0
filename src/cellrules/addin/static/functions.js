// cellrules custom functions for Excel (Office.js), served by `cellrules serve`.
// The function list, endpoint and limits below are filled in by the server from the registry.
(function () {
  "use strict";
  var FUNCTIONS = /*FUNCTIONS*/[];
  var ENDPOINT = /*ENDPOINT*/"";
  var TOKEN = /*TOKEN*/"";
  var MAX_BATCH = /*MAX_BATCH*/1000;
  var ERROR_CODES = /*ERROR_CODES*/{};

  var queue = [];
  var scheduled = false;

  // One recalculation calls many functions in the same tick: collect them and send one request.
  function enqueue(name, spills, args) {
    return new Promise(function (resolve, reject) {
      queue.push({ name: name, spills: spills, args: args, resolve: resolve, reject: reject });
      if (!scheduled) {
        scheduled = true;
        setTimeout(flush, 0);
      }
    });
  }

  // Identical ranges (the A$2:A$500 of a whole column of =TIER calls) are sent once per request.
  function encodeBatch(items) {
    var ranges = [];
    var seen = new Map();
    var calls = items.map(function (item) {
      var args = item.args.map(function (arg) {
        if (!Array.isArray(arg)) return arg === undefined ? null : arg;
        var key = JSON.stringify(arg);
        if (!seen.has(key)) {
          seen.set(key, ranges.length);
          ranges.push(arg);
        }
        return { $range: seen.get(key) };
      });
      return { function: item.name, args: args };
    });
    return { calls: calls, ranges: ranges };
  }

  function toError(error) {
    var code = ERROR_CODES[error.code] || "invalidValue";
    return new CustomFunctions.Error(CustomFunctions.ErrorCode[code], error.reason || error.code);
  }

  function shape(value, spills) {
    if (!spills) return value;
    if (!Array.isArray(value)) return [[value]];
    if (value.length === 0) return [[""]];
    return value.map(function (v) { return [v]; });
  }

  function send(items) {
    var headers = { "Content-Type": "application/json" };
    if (TOKEN) headers["Authorization"] = "Bearer " + TOKEN;
    return fetch(ENDPOINT, { method: "POST", headers: headers, body: JSON.stringify(encodeBatch(items)) })
      .then(function (response) {
        if (!response.ok) {
          return response.text().then(function (text) {
            throw new Error("cellrules server answered " + response.status + ": " + text.slice(0, 200));
          });
        }
        return response.json();
      })
      .then(function (body) {
        body.results.forEach(function (result, i) {
          var item = items[i];
          if (result.error) item.reject(toError(result.error));
          else item.resolve(shape(result.value, item.spills));
        });
      })
      .catch(function (problem) {
        var error = new CustomFunctions.Error(CustomFunctions.ErrorCode.notAvailable, String(problem.message || problem));
        items.forEach(function (item) { item.reject(error); });
      });
  }

  function flush() {
    var items = queue;
    queue = [];
    scheduled = false;
    var sent = [];
    for (var start = 0; start < items.length; start += MAX_BATCH) {
      sent.push(send(items.slice(start, start + MAX_BATCH)));
    }
    return Promise.all(sent);
  }

  FUNCTIONS.forEach(function (spec) {
    CustomFunctions.associate(spec.id, function () {
      return enqueue(spec.id, spec.spills, Array.prototype.slice.call(arguments));
    });
  });

  if (typeof module !== "undefined") module.exports = { flush: flush, encodeBatch: encodeBatch };
})();
