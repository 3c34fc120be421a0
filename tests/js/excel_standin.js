// A stand-in for Excel's custom-functions runtime, written from Microsoft's documentation rather than
// from what cellrules sends (https://learn.microsoft.com/office/dev/add-ins/excel/custom-functions-*):
// - Excel reads functions.json and calls a function with EVERY declared parameter: an omitted optional
//   one arrives as null;
// - a parameter whose dimensionality is "matrix" always arrives as a 2-D array (a single value as [[v]]);
// - a "repeating" parameter arrives as ONE array holding the values typed for it (each a 2-D array when
//   its dimensionality is matrix);
// - an Invocation object (address, functionName, …) is passed as the last argument of every call;
// - a result is a value or a 2-D array; an error is a CustomFunctions.Error (runtime 1.2), whose message
//   is shown only for #VALUE! and #N/A; #NAME? and #REF! are not allowed as results;
// - Excel's own copy of a range is made for each call (copies: "deep"); "outer" copies only the list of
//   rows (cheaper, still a different array per call) and "share" passes the same array to every call.
// Runs in Node (require) and in a browser (a plain <script>, which also stands in for office.js).
(function (root) {
  "use strict";
  var CODES = { invalidValue: "#VALUE!", notAvailable: "#N/A", divisionByZero: "#DIV/0!", invalidNumber: "#NUM!",
                nullReference: "#NULL!", invalidName: "#NAME?", invalidReference: "#REF!", busy: "#BUSY!" };
  var WITH_MESSAGE = { "#VALUE!": true, "#N/A": true };
  var NOT_A_RESULT = { "#NAME?": true, "#REF!": true };

  function CFError(code, message) {
    if (!(code in CODES_BY_TEXT)) throw new TypeError("not a CustomFunctions.ErrorCode: " + code);
    this.code = code;
    this.message = message;
  }
  var CODES_BY_TEXT = {};
  Object.keys(CODES).forEach(function (k) { CODES_BY_TEXT[CODES[k]] = k; });

  var registered = {};
  var metadata = null;
  var stats = { marshalMs: 0, calls: 0 };

  root.CustomFunctions = {
    associate: function (id, fn) { registered[id] = fn; },
    Error: CFError,
    ErrorCode: CODES,
  };
  root.Office = { onReady: function (cb) { var info = { host: "Excel", platform: "OfficeOnline" };
    if (cb) setTimeout(function () { cb(info); }, 0); return Promise.resolve(info); } };

  function isBlock(v) { return Array.isArray(v) && v.length > 0 && Array.isArray(v[0]); }
  function copy(block) { return block.map(function (row) { return row.slice(); }); }
  function asMatrix(v, copies) {
    if (isBlock(v)) return copies === "share" ? v : copies === "outer" ? v.slice() : copy(v);
    return [[v === undefined ? null : v]];
  }

  // The arguments Excel would pass for a formula with `typed` arguments (blocks for ranges).
  function marshal(spec, typed, copies, address) {
    var args = [];
    spec.parameters.forEach(function (p, i) {
      if (p.repeating) {
        var rest = typed.slice(i).map(function (v) { return p.dimensionality === "matrix" ? asMatrix(v, copies) : v; });
        args.push(rest);
        return;
      }
      var v = i < typed.length ? typed[i] : null;
      if (v === null || v === undefined) args.push(null);
      else if (p.dimensionality === "matrix") args.push(asMatrix(v, copies));
      else if (isBlock(v)) throw new Error(spec.id + ": a range given to the scalar parameter " + p.name);
      else args.push(v);
    });
    args.push({ address: address || "Sheet1!A1", functionName: "CELLRULES." + spec.id, parameterAddresses: [],
                setResult: function () { throw new Error("setResult is for streaming functions"); } });
    return args;
  }

  // What the cell shows: { value } or { error, message } (message only where Excel shows one).
  function cellOf(outcome, ok) {
    if (ok) {
      if (isBlock(outcome)) return { value: outcome.map(function (row) { return row.map(function (v) {
        return v instanceof CFError ? cellOf(v, false) : v; }); }) };
      return { value: outcome };
    }
    if (!(outcome instanceof CFError)) return { error: "#VALUE!", message: "thrown: " + String(outcome) };
    if (NOT_A_RESULT[outcome.code]) return { error: "#VALUE!", message: "invalid result code " + outcome.code };
    var shown = { error: outcome.code };
    if (WITH_MESSAGE[outcome.code] && outcome.message) shown.message = outcome.message;
    return shown;
  }

  root.ExcelStandIn = {
    registered: registered,
    stats: stats,
    load: function (functionsJson) {
      metadata = {};
      if (functionsJson.allowCustomDataForDataTypeAny) throw new Error("entity objects would reach the add-in");
      functionsJson.functions.forEach(function (f) { metadata[f.id] = f; f.id = f.id || f.name; });
    },
    // Calls CELLRULES.<name>(typed...) as Excel would; resolves to what the cell shows.
    call: function (name, typed, options) {
      options = options || {};
      var spec = metadata && metadata[name];
      if (!spec) return Promise.resolve({ error: "#NAME?" });
      if (!registered[name]) return Promise.resolve({ error: "#NAME?", message: "not associated" });
      var t0 = Date.now();
      var args = marshal(spec, typed, options.copies || "deep", options.address);
      stats.marshalMs += Date.now() - t0;
      stats.calls += 1;
      var result;
      try { result = registered[name].apply(null, args); }
      catch (e) { return Promise.resolve(cellOf(e, false)); }
      return Promise.resolve(result).then(function (v) { return cellOf(v, true); },
                                          function (e) { return cellOf(e, false); });
    },
  };
  if (typeof module !== "undefined") module.exports = root.ExcelStandIn;
})(typeof globalThis !== "undefined" ? globalThis : this);
