// Runs the served functions.js under Node with a stand-in for Excel's CustomFunctions object,
// calls every scenario in one tick (as one recalculation would) and prints what Excel would get.
"use strict";
const path = process.argv[2];
const registered = {};
let requests = 0;
class CFError {
  constructor(code, message) { this.code = code; this.message = message; }
}
global.CustomFunctions = {
  associate: (id, fn) => { registered[id] = fn; },
  Error: CFError,
  ErrorCode: { invalidValue: "#VALUE!", notAvailable: "#N/A", divisionByZero: "#DIV/0!",
               invalidNumber: "#NUM!", nullReference: "#NULL!", invalidName: "#NAME?", invalidReference: "#REF!" },
};
const realFetch = global.fetch;
global.fetch = (...args) => { requests += 1; return realFetch(...args); };
require(path);

const range = [[200], [190], [180], [170], [160], [150], [140], [130], [120], [110]];
const calls = {
  tier_vip: ["TIER", [[200]], range],
  tier_small: ["TIER", [[110]], range],
  tier_column: ["TIER", [[200], [150]], range],
  commission: ["COMMISSION", 150000, "new", null, "2026-06-30"],
  commission_unknown: ["COMMISSION", 1000, "upsell", null, "2026-06-30"],
  profit_div0: ["PROFITRATE", 0, 10],
  profit_num: ["PROFITRATE", -1, 10],
  dunning: ["DUNNINGSTAGE", 61],
  actions: ["DUNNINGACTIONS", 95],
  no_actions: ["DUNNINGACTIONS", 3],
  prospect: ["PROSPECTSCORE", "制造业", "CFO", "East", "merger", true, false, true],
  bad_bool: ["PROSPECTSCORE", "Retail", "CFO", "East", null, "maybe"],
  explain: ["EXPLAIN", "COMMISSION", 150000, "new", null, "2026-06-30"],
};
const names = Object.keys(calls);
Promise.allSettled(names.map((k) => registered[calls[k][0]](...calls[k].slice(1)))).then((settled) => {
  const out = { registered: Object.keys(registered).sort(), requests, results: {} };
  settled.forEach((s, i) => {
    out.results[names[i]] = s.status === "fulfilled" ? { value: s.value }
      : { error: s.reason.code, message: s.reason.message };
  });
  console.log(JSON.stringify(out));
});
