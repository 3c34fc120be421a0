// Unit checks of functions.js's pure parts under Node; prints one JSON object.
// usage: node unit_functions.js FUNCTIONS_JS_PATH
"use strict";
global.CustomFunctions = { associate: () => {}, Error: function () {}, ErrorCode: {} };
const f = require(process.argv[2]);
const out = {};
const invocation = { address: "Sheet1!A1", functionName: "CELLRULES.X" };
const spec = { id: "X", params: 3, repeating: false };
out.full = f.declared(spec, [1, null, null, invocation]);
out.short = f.declared(spec, [1, invocation]);                 // a host leaving out trailing optionals
out.extra = f.declared(spec, [1, 2, 3, 4, invocation]);
const rep = { id: "EXPLAIN", params: 1, repeating: true };
out.repeating = f.declared(rep, ["COMMISSION", [[[150000]], [["new"]], [[null]], [[1], [2]]], invocation]);
out.repeating_none = f.declared(rep, ["RULESTATUS", [], invocation]);
const table = new f.RangeTable();
const a = []; const b = []; const c = [];
for (let i = 0; i < 1000; i++) { a.push([i]); b.push([i]); c.push([i]); }
c[501] = [-1];  // differs only in a cell the fingerprint does not sample
out.same = [table.index(a), table.index(b), table.index(a)];
out.different = table.index(c);
out.count = table.list.length;
console.log(JSON.stringify(out));
