// One =CELLRULES.<FUNCTION>(args…) through the served functions.js, metadata read from a file (the server
// may be stopped): prints what the cell shows, and how long it took, as JSON.
// usage: node one_call.js FUNCTIONS_JSON_PATH FUNCTIONS_JS_PATH FUNCTION ARGS_JSON
"use strict";
const fs = require("fs");
const [meta, script, fn, args] = process.argv.slice(2);
const excel = require("./excel_standin.js");
excel.load(JSON.parse(fs.readFileSync(meta, "utf8")));
require(script);
const t0 = Date.now();
excel.call(fn, JSON.parse(args)).then((shown) => {
  console.log(JSON.stringify({ shown, ms: Date.now() - t0 }));
}).catch((e) => { console.error(e); process.exit(1); });
