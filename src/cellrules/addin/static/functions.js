// cellrules custom functions for Excel (Office.js), served by `cellrules serve`.
// The function list, endpoint and limits below are filled in by the server from the registry.
//
// Excel's calling convention (Microsoft's custom-functions docs): a function gets every parameter
// declared in functions.json, an omitted optional one as null, a `repeating` parameter as ONE array
// of its values (each a 2-D array when its dimensionality is matrix), and then an Invocation object
// as the last argument. We take exactly the declared parameters and drop the rest.
(function () {
  "use strict";
  var FUNCTIONS = /*FUNCTIONS*/[];
  var ENDPOINT = /*ENDPOINT*/"";
  var TOKEN = /*TOKEN*/"";
  var MAX_BATCH = /*MAX_BATCH*/1000;
  var ERROR_CODES = /*ERROR_CODES*/{};
  var TIMEOUT_MS = /*TIMEOUT_MS*/35000; // a little above the server's own limit on a request
  var RETRY_MS = 500; // one more try after a network failure (not after a timeout), this much later
  var BUSY_WAIT_MS = 300000; // how long a recalculation waits its turn at a busy server before giving up
  var INLINE_CELLS = 4; // ranges this small travel inside their call; larger ones once per request

  var batches = []; // calls waiting for the next flush, at most MAX_BATCH per batch
  var scheduled = false;

  function isBlock(value) { return Array.isArray(value) && value.length > 0 && Array.isArray(value[0]); }

  // A 1x1 block is the value of its one cell (as Excel treats a single-cell reference).
  function single(value) {
    return isBlock(value) && value.length === 1 && value[0].length === 1 ? value[0][0] : value;
  }

  // The declared parameters of one call, in order, with the repeating ones unpacked.
  function declared(spec, given) {
    var count = spec.params + (spec.repeating ? 1 : 0);
    var args = Array.prototype.slice.call(given, 0, count);
    var last = args[args.length - 1];
    // An older host that leaves out trailing optionals puts the Invocation earlier: never send it.
    if (args.length && last !== null && typeof last === "object" && !Array.isArray(last)) args.pop();
    while (args.length < count) args.push(null);
    if (spec.repeating) {
      var rest = args.pop();
      // always one array of the values typed (each a 2-D block: the parameter's dimensionality is matrix)
      if (Array.isArray(rest)) rest.forEach(function (v) { args.push(single(v)); });
    }
    return args;
  }

  // One recalculation calls many functions in the same tick: collect them and send one request.
  // A range is interned as soon as the call arrives, so Excel's copy of it can be let go at once.
  function enqueue(spec, args) {
    return new Promise(function (resolve, reject) {
      var batch = batches[batches.length - 1];
      if (!batch || batch.calls.length >= MAX_BATCH) {
        batch = { calls: [], items: [], table: new RangeTable() };
        batches.push(batch);
      }
      batch.calls.push({ function: spec.id, args: args.map(function (arg) { return encodeArg(arg, batch.table); }) });
      batch.items.push({ spills: spec.spills, resolve: resolve, reject: reject });
      if (!scheduled) {
        scheduled = true;
        setTimeout(flush, 0);
      }
    });
  }

  // A cheap key for a block: its shape and a few sampled cells. Blocks with the same key are then
  // compared cell by cell, so two different ranges are never confused.
  function fingerprint(block) {
    var rows = block.length, cols = block[0].length, key = rows + "x" + cols;
    var step = Math.max(1, Math.floor(rows / 8));
    for (var r = 0; r < rows; r += step) key += "|" + typeof block[r][0] + ":" + block[r][0];
    var end = block[rows - 1];
    return key + "|" + typeof end[cols - 1] + ":" + end[cols - 1];
  }

  function sameBlock(a, b) {
    if (a === b) return true;
    if (a.length !== b.length) return false;
    for (var r = 0; r < a.length; r++) {
      var x = a[r], y = b[r];
      if (x === y) continue;
      if (x.length !== y.length) return false;
      for (var c = 0; c < x.length; c++) if (x[c] !== y[c]) return false;
    }
    return true;
  }

  // Identical ranges (the A$2:A$10001 of a whole column of =TIER calls) are sent once per request.
  // Excel hands each invocation its own arguments, a range as a 2-D array of values deserialised for that
  // call (learn.microsoft.com/office/dev/add-ins/excel/custom-functions-parameter-options), so a
  // 10,000-row column brings 10,000 copies of the range:
  // only the first is kept (in `list`); every other copy is recognised (fingerprint, then compared) and let
  // go. `seen` is a WeakMap: a host that hands the same array to every call is recognised by identity
  // without that array being kept alive by us.
  function RangeTable() {
    this.list = [];
    this.seen = new WeakMap();
    this.byKey = new Map();
  }
  RangeTable.prototype.index = function (block) {
    var known = this.seen.get(block);
    if (known !== undefined) return known;
    var key = fingerprint(block), bucket = this.byKey.get(key), found = -1;
    if (bucket) {
      for (var i = 0; i < bucket.length && found < 0; i++) if (sameBlock(this.list[bucket[i]], block)) found = bucket[i];
    } else {
      bucket = [];
      this.byKey.set(key, bucket);
    }
    if (found < 0) {
      found = this.list.length;
      this.list.push(block);
      bucket.push(found);
    }
    this.seen.set(block, found);
    return found;
  };

  function encodeArg(arg, table) {
    if (arg === undefined) return null;
    if (!isBlock(arg) || arg.length * arg[0].length <= INLINE_CELLS) return arg;
    return { $range: table.index(arg) };
  }

  // #VALUE! and #N/A carry our reason; Excel shows no message for the other codes, and #NAME? and #REF!
  // are not valid results of a custom function, so they become #VALUE! with the original code in the reason.
  function toError(error) {
    var code = ERROR_CODES[error.code] || "invalidValue";
    var reason = error.reason || error.code;
    if (code === "invalidValue" || code === "notAvailable") {
      return new CustomFunctions.Error(CustomFunctions.ErrorCode[code], error.code === "#VALUE!" || error.code === "#N/A"
        ? reason : error.code + " " + reason);
    }
    return new CustomFunctions.Error(CustomFunctions.ErrorCode[code]);
  }

  function cell(value) {
    return value !== null && typeof value === "object" && value.$error ? toError(value.$error) : value;
  }

  function shape(value, spills) {
    // A spilling answer: a list is a column; a list of rows (DECIDE's outputs) a block, padded to a rectangle.
    if (!spills) return cell(value);
    if (!Array.isArray(value)) return [[cell(value)]];
    if (value.length === 0) return [[""]];
    var rows = value.map(function (v) { return Array.isArray(v) ? v.map(cell) : [cell(v)]; });
    var width = Math.max.apply(null, rows.map(function (r) { return r.length; }));
    return rows.map(function (r) { while (r.length < width) r.push(""); return r; });
  }

  // One POST with a deadline: a server that stops answering (stopped, or the network gone half-way) turns
  // every waiting cell into #N/A after TIMEOUT_MS instead of leaving it #BUSY! for ever.
  function post(body, headers) {
    var controller = typeof AbortController !== "undefined" ? new AbortController() : null;
    var timer = null;
    var deadline = new Promise(function (_, reject) {
      timer = setTimeout(function () {
        if (controller) controller.abort();
        reject(new Error("cellrules server not answering (" + Math.round(TIMEOUT_MS / 1000) + " s)"));
      }, TIMEOUT_MS);
    });
    var request = fetch(ENDPOINT, { method: "POST", headers: headers, body: body,
                                    signal: controller ? controller.signal : undefined });
    return Promise.race([request, deadline]).then(
      function (response) { clearTimeout(timer); return response; },
      function (problem) { clearTimeout(timer); throw problem; });
  }

  // A network failure (the connection refused or dropped) is tried once more after RETRY_MS; a timeout is
  // not (it would double the wait), nor is an answer the server gave.
  function postWithRetry(body, headers) {
    return post(body, headers).catch(function (problem) {
      if (/not answering/.test(String(problem.message))) throw problem;
      return new Promise(function (resolve) { setTimeout(resolve, RETRY_MS); })
        .then(function () { return post(body, headers); });
    });
  }

  // A busy server (503 with Retry-After: its every slot computing other workbooks' batches; or a plain-text
  // 503 from the HTTP server itself, its connections all taken, before the request reached cellrules) is
  // asked again after the seconds it names (1 for the plain one), stretched by up to as much again at random
  // so that a crowd sent away together does not come back together; after BUSY_WAIT_MS the cells show the
  // server's answer (#N/A). A 503 that says the batch took too long is not sent again.
  function busyFor(response) {
    var after = response.headers.get("Retry-After");
    if (after !== null) return Number(after);
    var type = response.headers.get("Content-Type") || "";
    return response.status === 503 && type.indexOf("json") < 0 ? 1 : NaN;
  }

  function postInTurn(body, headers, started) {
    return postWithRetry(body, headers).then(function (response) {
      var after = busyFor(response);
      if (response.status !== 503 || !(after >= 0) || Date.now() - started >= BUSY_WAIT_MS) return response;
      var wait = Math.min(after * 1000 * (1 + Math.random()), Math.max(0, started + BUSY_WAIT_MS - Date.now()));
      return new Promise(function (resolve) { setTimeout(resolve, wait); })
        .then(function () { return postInTurn(body, headers, started); });
    });
  }

  function send(batch) {
    var headers = { "Content-Type": "application/json" };
    if (TOKEN) headers["Authorization"] = "Bearer " + TOKEN;
    var items = batch.items;
    var body = JSON.stringify({ calls: batch.calls, ranges: batch.table.list });
    batch.table = null; // the ranges now live in `body` only
    return postInTurn(body, headers, Date.now())
      .then(function (response) {
        if (!response.ok) {
          return response.text().then(function (text) {
            throw new Error("cellrules server answered " + response.status + ": " + text.slice(0, 200));
          });
        }
        return response.json();
      })
      .then(function (answer) {
        answer.results.forEach(function (result, i) {
          var item = items[i];
          if (result.error) item.reject(toError(result.error));
          else item.resolve(shape(result.value, item.spills));
        });
      })
      .catch(function (problem) {
        var text = String(problem.message || problem);
        var error = new CustomFunctions.Error(CustomFunctions.ErrorCode.notAvailable,
          /not answering/.test(text) ? text : "cellrules server not reachable: " + text);
        items.forEach(function (item) { item.reject(error); });
      });
  }

  // One request per recalculation; only a recalculation of more than MAX_BATCH calls (the server's
  // --max-calls) is split, because the server refuses larger batches.
  function flush() {
    var ready = batches;
    batches = [];
    scheduled = false;
    return Promise.all(ready.map(send));
  }

  FUNCTIONS.forEach(function (spec) {
    CustomFunctions.associate(spec.id, function () {
      return enqueue(spec, declared(spec, arguments));
    });
  });

  if (typeof module !== "undefined") {
    module.exports = { flush: flush, declared: declared, RangeTable: RangeTable, timeoutMs: TIMEOUT_MS };
  }
})();
