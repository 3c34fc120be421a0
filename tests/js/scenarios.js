// The formulas both Excel stand-in runs type (Node: run_functions.js; Chromium: test_browser.py),
// as a user would type them: ranges as 2-D blocks, omitted arguments left out or null.
(function (root) {
  "use strict";
  var range = [[200], [190], [180], [170], [160], [150], [140], [130], [120], [110]];
  var scenarios = {
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
    decide_row: ["DECIDE", ["service_plan", "VIP"]],
    decide_class: ["CUSTOMERCLASS", [1500000, 24, 0.22, 5]],
  };

  // Every scenario in one tick (one recalculation); resolves to {name: what the cell shows}.
  function runScenarios(excel) {
    var names = Object.keys(scenarios);
    return Promise.all(names.map(function (k) { return excel.call(scenarios[k][0], scenarios[k][1]); }))
      .then(function (shown) {
        var out = {};
        names.forEach(function (k, i) { out[k] = shown[i]; });
        return out;
      });
  }

  // A column of =CELLRULES.TIER(A{i}, A$2:A${n+1}) over n amounts, in one tick. copies: "deep" gives every
  // call its own copy of the range (as Excel marshals it), "outer" a new list of the same rows, "share" one
  // array to all. ms: first call to last answer; marshalMs: the stand-in's own copying; oursMs: the rest.
  function tierColumn(excel, amounts, copies) {
    var block = amounts.map(function (a) { return [a]; });
    var t0 = Date.now(), m0 = excel.stats.marshalMs;
    var calls = amounts.map(function (a, i) {
      return excel.call("TIER", [a, block], { copies: copies, address: "Sheet1!B" + (i + 2) });
    });
    return Promise.all(calls).then(function (shown) {
      var total = Date.now() - t0, marshal = excel.stats.marshalMs - m0;
      return { tiers: shown.map(function (s) { return s.value !== undefined ? s.value : s.error; }),
               ms: total, marshalMs: marshal, oursMs: total - marshal };
    });
  }

  var api = { scenarios: scenarios, runScenarios: runScenarios, tierColumn: tierColumn };
  if (typeof module !== "undefined") module.exports = api;
  else root.CellrulesScenarios = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
