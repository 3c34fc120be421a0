// Runs the served functions.js under Node with the documented-Excel stand-in (excel_standin.js):
// every scenario (scenarios.js) is typed as a user would type the formula, marshalled as Excel marshals
// it (declared parameters, nulls, 2-D matrices, one array for a repeating parameter, an Invocation last)
// and called in one tick, as one recalculation would. Prints what each cell would show, as JSON.
// usage: node run_functions.js SERVER_BASE_URL FUNCTIONS_JS_PATH
"use strict";
const base = process.argv[2];
const script = process.argv[3];
const excel = require("./excel_standin.js");
const { runScenarios } = require("./scenarios.js");
let requests = 0;
const realFetch = global.fetch;
global.fetch = (...args) => { requests += 1; return realFetch(...args); };

(async () => {
  excel.load(await (await realFetch(base + "functions.json")).json());
  require(script);
  const results = await runScenarios(excel);
  console.log(JSON.stringify({ registered: Object.keys(excel.registered).sort(), requests, results }));
})().catch((e) => { console.error(e); process.exit(1); });
