// Runs the served functions.js under Node with the documented-Excel stand-in (excel_standin.js):
// every scenario is typed as a user would type the formula, marshalled as Excel marshals it (declared
// parameters, nulls, 2-D matrices, one array for a repeating parameter, an Invocation last) and called
// in one tick, as one recalculation would. Prints what each cell would show, as JSON.
// usage: node run_functions.js SERVER_BASE_URL FUNCTIONS_JS_PATH
"use strict";
const base = process.argv[2];
const script = process.argv[3];
const excel = require("./excel_standin.js");
let requests = 0;
const realFetch = global.fetch;
global.fetch = (...args) => { requests += 1; return realFetch(...args); };

const range = [[200], [190], [180], [170], [160], [150], [140], [130], [120], [110]];
const scenarios = {
  tier_vip: ["TIER", [200, range]],
  tier_small: ["TIER", [110, range]],
  tier_column: ["TIER", [[[200], [150]], range]],
  tier_self: ["TIER", [range]],
  commission: ["COMMISSION", [150000, "new", null, "2026-06-30"]],
  commission_short: ["COMMISSION", [150000, "renewal"]],
  commission_unknown: ["COMMISSION", [1000, "upsell", null, "2026-06-30"]],
  profit_div0: ["PROFITRATE", [0, 10]],
  profit_num: ["PROFITRATE", [-1, 10]],
  profit: ["PROFITRATE", [1000, 600, 100]],
  dunning: ["DUNNINGSTAGE", [61]],
  actions: ["DUNNINGACTIONS", [95]],
  no_actions: ["DUNNINGACTIONS", [3]],
  prospect: ["PROSPECTSCORE", ["制造业", "CFO", "East", "merger", true, false, true]],
  bad_bool: ["PROSPECTSCORE", ["Retail", "CFO", "East", null, "maybe"]],
  explain: ["EXPLAIN", ["COMMISSION", 150000, "new", null, "2026-06-30"]],
  explain_tier: ["EXPLAIN", ["TIER", 200, range]],
  status: ["RULESTATUS", []],
  unknown_policy: ["DUNNINGSTAGE", [61, null, "nope"]],
};

(async () => {
  const meta = await (await realFetch(base + "functions.json")).json();
  excel.load(meta);
  require(script);
  const names = Object.keys(scenarios);
  const shown = await Promise.all(names.map((k) => excel.call(scenarios[k][0], scenarios[k][1])));
  const out = { registered: Object.keys(excel.registered).sort(), requests, results: {} };
  names.forEach((k, i) => { out.results[k] = shown[i]; });
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
