// A column of n =CELLRULES.TIER(A{i}, A$2:A${n+1}) calls through the served functions.js, with the range
// handed over as the stand-in says (copies: "deep" = Excel's own copy per call, "share" = one array), in one
// recalculation. Prints {ms, oursMs, marshalMs, heapMB, tiers} as JSON. Run it under a small heap
// (node --max-old-space-size=1024): a client that kept every call's copy of the range would run out.
// usage: node column.js SERVER_BASE_URL FUNCTIONS_JS_PATH N COPIES
"use strict";
const [base, script, n, copies] = process.argv.slice(2);
const excel = require("./excel_standin.js");
const { tierColumn } = require("./scenarios.js");

(async () => {
  excel.load(await (await fetch(base + "functions.json")).json());
  require(script);
  const amounts = Array.from({ length: Number(n) }, (_, i) => (i * 7919) % 10007);
  const out = await tierColumn(excel, amounts, copies);
  const counts = {};
  out.tiers.forEach((t) => { const k = JSON.stringify(t); counts[k] = (counts[k] || 0) + 1; });
  console.log(JSON.stringify({ ms: out.ms, oursMs: out.oursMs, marshalMs: out.marshalMs,
                               heapMB: Math.round(process.memoryUsage().heapUsed / 1048576), tiers: counts }));
})().catch((e) => { console.error(e); process.exit(1); });
