// functions.js at a busy server: the first BUSY answers are 503 with Retry-After (as `cellrules serve` sends
// when every slot is computing; or, with `plain`, the HTTP server's own text 503), then the real server answers. Prints what the cells show and how many
// requests were sent, as JSON. usage: node busy.js SERVER_BASE_URL FUNCTIONS_JS_PATH BUSY WAIT_MS [plain]
"use strict";
const fs = require("fs");
const [base, script, busy, waitMs, plain] = [process.argv[2], process.argv[3], Number(process.argv[4]), process.argv[5],
  process.argv[6] === "plain"];
const excel = require("./excel_standin.js");
let requests = 0;
const realFetch = global.fetch;
global.fetch = (url, options) => {
  requests += 1;
  if (requests <= busy && plain) {  // uvicorn's own answer when its connections are all taken
    return Promise.resolve(new Response("Service Unavailable",
      { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } }));
  }
  if (requests <= busy) {
    return Promise.resolve(new Response('{"detail": "busy: 4 batches are being computed; try again"}',
      { status: 503, headers: { "Retry-After": "0" } }));
  }
  return realFetch(url, options);
};
const patched = script + ".busy.js";
fs.writeFileSync(patched, fs.readFileSync(script, "utf8").replace(/var BUSY_WAIT_MS = \d+;/, `var BUSY_WAIT_MS = ${waitMs};`));

(async () => {
  excel.load(await (await realFetch(base + "functions.json")).json());
  require(patched);
  const started = Date.now();
  const shown = await Promise.all([excel.call("DUNNINGSTAGE", [61]), excel.call("PROFITRATE", [1000, 600, 100])]);
  console.log(JSON.stringify({ requests, shown, ms: Date.now() - started }));
})().catch((e) => { console.error(e); process.exit(1); });
