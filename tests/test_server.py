"""The Office.js add-in server: generated metadata and manifest, the batched endpoint, limits, token,
and functions.js run under Node against a real uvicorn on 127.0.0.1."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from cellrules.addin import officejs
from cellrules.addin.server import Limits, create_app
from cellrules.registry import REGISTRY
from conftest import ROOT, RULES

NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1",
      "ov": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
      "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
      "xsi": "http://www.w3.org/2001/XMLSchema-instance"}


@pytest.fixture
def client(shipped_store):
    return TestClient(create_app(shipped_store, limits=Limits(max_bytes=200_000, max_calls=50)))


def batch(client, calls, ranges=(), **kw):
    return client.post("/api/call", json={"calls": calls, "ranges": list(ranges)}, **kw)


def test_metadata_is_generated_from_the_registry(client):
    data = client.get("/functions.json").json()
    assert [f["id"] for f in data["functions"]] == sorted(REGISTRY)
    for f in data["functions"]:
        spec = REGISTRY[f["id"]]
        assert f["description"] == spec.help
        assert [p["name"] for p in f["parameters"]][: len(spec.args)] == [a.name for a in spec.args]
        assert [p["optional"] for p in f["parameters"]][: len(spec.args)] == [a.optional for a in spec.args]
        assert f["result"]["dimensionality"] == ("matrix" if spec.spills else "scalar")
    tier = next(f for f in data["functions"] if f["id"] == "TIER")
    assert tier["parameters"][1]["dimensionality"] == "matrix"
    explain = next(f for f in data["functions"] if f["id"] == "EXPLAIN")
    assert explain["parameters"][-1]["repeating"] is True


def test_manifest_is_valid_xml_with_the_fields_office_requires(client):
    text = client.get("/manifest.xml").text
    root = ET.fromstring(text.encode("utf-8"))
    assert root.get(f"{{{NS['xsi']}}}type") == "TaskPaneApp"
    for tag in ("Id", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description", "IconUrl",
                "Hosts", "Requirements", "DefaultSettings", "Permissions"):
        assert root.find(f"o:{tag}", NS) is not None, tag
    assert root.find("ov:VersionOverrides", NS).get(f"{{{NS['xsi']}}}type") == "VersionOverridesV1_0"
    assert len(root.find("o:Version", NS).text.split(".")) == 4
    sets = {s.get("Name"): s.get("MinVersion") for s in root.iter(f"{{{NS['o']}}}Set")}
    # CustomFunctions.Error, which functions.js returns, is in CustomFunctionsRuntime 1.2
    assert sets == {"CustomFunctionsRuntime": "1.2", "SharedRuntime": "1.1"}
    host = root.find("ov:VersionOverrides/ov:Hosts/ov:Host", NS)
    runtime = host.find("ov:Runtimes/ov:Runtime", NS)
    assert runtime.get("lifetime") == "long"
    point = host.find("ov:AllFormFactors/ov:ExtensionPoint", NS)
    assert point.get(f"{{{NS['xsi']}}}type") == "CustomFunctions"
    urls = {u.get("id"): u.get("DefaultValue") for u in root.iter(f"{{{NS['bt']}}}Url")}
    for child in ("Script", "Page", "Metadata"):
        resid = point.find(f"ov:{child}/ov:SourceLocation", NS).get("resid")
        assert urls[resid].startswith("http://testserver/")
    assert point.find("ov:Page/ov:SourceLocation", NS).get("resid") == runtime.get("resid")  # shared runtime
    images = {u.get("id"): u.get("DefaultValue") for u in root.iter(f"{{{NS['bt']}}}Image")}
    icons = [root.find("o:IconUrl", NS).get("DefaultValue"), root.find("o:HighResolutionIconUrl", NS).get("DefaultValue")]
    for url in [*urls.values(), *images.values(), *icons]:
        assert client.get(url.replace("http://testserver", "")).status_code == 200, url


@pytest.mark.parametrize("size", [16, 32, 64, 80])
def test_icons_are_real_pngs_of_their_size(client, size):
    import struct
    import zlib
    out = client.get(f"/icon-{size}.png")
    assert out.status_code == 200 and out.headers["content-type"] == "image/png"
    data = out.content
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (size, size)
    idat = data[data.index(b"IDAT") + 4:data.index(b"IEND") - 8]
    pixels = zlib.decompress(idat)
    assert len(pixels) == size * (1 + 4 * size)
    assert len(set(pixels)) > 4  # a picture, not a blank square
    assert client.get("/icon-17.png").status_code == 404


def test_metadata_lets_excel_pass_only_plain_values_and_describes_every_argument(client):
    data = client.get("/functions.json").json()
    assert data["allowCustomDataForDataTypeAny"] is False
    for f in data["functions"]:
        for p in f["parameters"]:
            assert p["description"] and "Positional" not in p["description"], (f["id"], p)

def test_functions_js_and_html_name_every_function(client):
    js = client.get("/functions.js").text
    for name in REGISTRY:
        assert f'"id": "{name}"' in js
    assert '"http://testserver/api/call"' in js and "CustomFunctions.associate" in js
    assert all(name in client.get("/functions.html").text for name in REGISTRY)


def test_batch_answers_each_call_and_one_bad_call_fails_nothing_else(client):
    calls = [{"function": "COMMISSION", "args": [150000, "new", None, "2026-06-30"]},
             {"function": "COMMISSION", "args": [1000, "upsell"]},
             {"function": "nope", "args": []},
             {"function": "TIER", "args": [[[200]], {"$range": 0}]},
             {"function": "TIER", "args": [[[5]], {"$range": 7}]},
             {"function": "PROFITRATE", "args": [0, 1]},
             {"function": "DUNNINGACTIONS", "args": [3]},
             {"function": "TIER", "args": [[[150]], {"$range": 0}]}]
    out = batch(client, calls, [[[200], [190], [150]]])
    assert out.status_code == 200
    r = out.json()["results"]
    assert r[0] == {"value": 25000.0}
    assert r[1]["error"]["code"] == "#N/A" and "upsell" in r[1]["error"]["reason"]
    assert r[2]["error"]["code"] == "#NAME?"
    assert r[3] == {"value": "VIP"} and r[7] == {"value": "Small"}
    assert r[4]["error"]["code"] == "#REF!"
    assert r[5]["error"]["code"] == "#DIV/0!"
    assert r[6] == {"value": []}


def test_a_shared_range_is_ranked_once_per_batch(client):
    from cellrules.kinds.tiers import RANKS
    amounts = [[float(i)] for i in range(40)]
    before = RANKS.builds
    out = batch(client, [{"function": "TIER", "args": [[[a[0]]], {"$range": 0}]} for a in amounts], [amounts])
    assert out.status_code == 200 and RANKS.builds - before == 1


def test_limits(client):
    assert batch(client, [{"function": "RULESTATUS", "args": []}] * 51).status_code == 422
    big = client.post("/api/call", content=b'{"calls": [' + b'1,' * 150_000 + b"1]}",
                      headers={"content-type": "application/json"})
    assert big.status_code == 413
    assert client.post("/api/call", content=b"not json").status_code == 422
    assert client.post("/api/call", json={"calls": "x"}).status_code == 422


def test_health_lists_every_version_that_computed_a_cell(edit_store):
    """The server's audit trail: each policy version its answers came from, with how many cells — two versions
    of commission when the deals' dates fall in two plans."""
    client = TestClient(create_app(edit_store))
    assert client.get("/health").json()["computed"] == []
    calls = [{"function": "COMMISSION", "args": [150000, "new", None, day]}
             for day in ("2025-06-30", "2026-06-30", "2026-07-30")]
    assert batch(client, calls).status_code == 200
    computed = client.get("/health").json()["computed"]
    assert [(c["policy"], c["version"], c["cells"]) for c in computed] == [("commission", "v2025-01", 1),
                                                                           ("commission", "v2026-01", 2)]
    assert all(len(c["sha256"]) == 64 for c in computed)


def test_health_reports_versions_hashes_and_refused_files(edit_store, rules_dir):
    client = TestClient(create_app(edit_store))
    data = client.get("/health").json()
    assert data["status"] == "ok" and {p["policy"] for p in data["policies"]} >= {"tiers", "commission"}
    assert all(len(p["sha256"]) == 12 for p in data["policies"])
    (rules_dir / "dunning.yaml").write_text("policy: dunning\nstages: []\n", encoding="utf-8")
    data = client.get("/health").json()
    dunning = next(p for p in data["policies"] if p["policy"] == "dunning")
    assert data["status"] == "degraded" and dunning["state"] == "refused" and dunning["problems"]


def test_token_is_required_when_set(shipped_store):
    client = TestClient(create_app(shipped_store, token="s3cret"))
    assert client.get("/functions.json").status_code == 401
    assert client.get("/health").status_code == 401
    assert client.get("/functions.json?token=s3cret").status_code == 200
    ok = client.post("/api/call", json={"calls": [{"function": "DUNNINGSTAGE", "args": [61]}]},
                     headers={"Authorization": "Bearer s3cret"})
    assert ok.json()["results"] == [{"value": "Second notice"}]
    manifest = client.get("/manifest.xml?token=s3cret").text
    assert "functions.js?token=s3cret" in manifest


def test_a_token_with_url_and_html_characters_survives_every_route(shipped_store):
    token = 'a+b/c=d&e"<x>'
    client = TestClient(create_app(shipped_store, token=token))
    encoded = urllib.parse.quote(token, safe="")
    manifest = client.get(f"/manifest.xml?token={encoded}")
    assert manifest.status_code == 200
    root = ET.fromstring(manifest.content)
    urls = [u.get("DefaultValue") for u in root.iter(f"{{{NS['bt']}}}Url")]
    for url in urls:  # each URL, as Excel would fetch it, is let in
        parsed = urllib.parse.urlsplit(url)
        assert urllib.parse.parse_qs(parsed.query)["token"] == [token]
        assert client.get(f"{parsed.path}?{parsed.query}").status_code == 200, url
    page = client.get(f"/functions.html?token={encoded}").text
    assert "<x>" not in page and '"<x>' not in page
    assert client.get("/health?token=a+b/c=d").status_code == 401
    assert client.get("/health", headers={"Authorization": "Bearer " + token}).status_code == 200


def test_serve_reads_the_token_from_a_file(tmp_path):
    missing = subprocess.run([sys.executable, "-m", "cellrules", "serve", "--host", "0.0.0.0", "--token-file",
                              str(tmp_path / "none")], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert missing.returncode == 2 and "token file" in missing.stderr


def test_serve_refuses_a_public_address_without_token():
    out = subprocess.run([sys.executable, "-m", "cellrules", "serve", "--host", "0.0.0.0"], capture_output=True,
                         text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 2 and "needs --token" in out.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(*options: str) -> tuple[subprocess.Popen, str]:
    """`cellrules serve` on a free loopback port (the shipped rules), once it answers."""
    port = free_port()
    env = dict(os.environ, CELLRULES_RULES=str(RULES))
    proc = subprocess.Popen([sys.executable, "-m", "cellrules", "serve", "--port", str(port), *options], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "health", timeout=1)
            return proc, base
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start: " + proc.stderr.read().decode())


@pytest.fixture
def live_server():
    proc, base = start_server()
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is needed to run functions.js")
def test_functions_js_under_excels_calling_convention(live_server, tmp_path):
    """Excel passes every declared parameter (nulls for omitted ones), matrices as 2-D arrays, a repeating
    parameter as one array and an Invocation last (tests/js/excel_standin.js, from Microsoft's docs)."""
    script = tmp_path / "functions.js"
    script.write_bytes(urllib.request.urlopen(live_server + "functions.js").read())
    out = subprocess.run(["node", str(ROOT / "tests" / "js" / "run_functions.js"), live_server, str(script)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    r = data["results"]
    assert data["registered"] == sorted(REGISTRY)
    assert data["requests"] == 1  # one recalculation, one request
    assert r["tier_vip"] == {"value": [["VIP"]]} and r["tier_small"] == {"value": [["Small"]]}
    assert r["tier_column"] == {"value": [["VIP"], ["Small"]]}
    assert r["decide_row"] == {"value": [[12, True, "regular visits and greetings; an account manager; "
                                              "retention first"]]}  # a row across, never an array in a cell
    assert r["tier_self"]["value"][0] == ["VIP"] and len(r["tier_self"]["value"]) == 10
    assert r["commission"] == {"value": 25000}
    assert r["commission_short"]["value"] > 0
    assert r["commission_unknown"]["error"] == "#N/A" and "upsell" in r["commission_unknown"]["message"]
    assert r["profit_div0"] == {"error": "#DIV/0!"} and r["profit_num"] == {"error": "#NUM!"}
    assert r["profit"] == {"value": 0.3}
    assert r["dunning"] == {"value": "Second notice"}
    assert r["actions"]["value"][0] == ["lawyer's letter"] and len(r["actions"]["value"]) == 4
    assert r["no_actions"] == {"value": [[""]]}
    assert r["prospect"] == {"value": 10}
    assert r["bad_bool"]["error"] == "#VALUE!" and "maybe" in r["bad_bool"]["message"]
    assert r["explain"]["value"].startswith("commission.yaml:") and "25,000" in r["explain"]["value"]
    assert r["explain_tier"]["value"].startswith("tiers.yaml:") and "VIP" in r["explain_tier"]["value"]
    assert r["status"]["value"].startswith("OK")
    assert r["unknown_policy"]["error"] == "#N/A" and "nope" in r["unknown_policy"]["message"]


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is needed to run functions.js")
@pytest.mark.parametrize("busy,wait_ms,served,plain", [(3, 60000, True, ""), (10**6, 300, False, ""),
                                                       (2, 60000, True, "plain")])
def test_functions_js_waits_its_turn_at_a_busy_server(live_server, tmp_path, busy, wait_ms, served, plain):
    """A server whose every slot is busy answers 503 with Retry-After (200 workbooks recalculating at once), and
    uvicorn itself a plain-text 503 when its connections are all taken (5 of 200 clients met it): functions.js
    asks again, so the cells get their values instead of #N/A; past its wait (five minutes) the cells say the
    server is busy."""
    script = tmp_path / "functions.js"
    script.write_bytes(urllib.request.urlopen(live_server + "functions.js").read())
    out = subprocess.run(["node", str(ROOT / "tests" / "js" / "busy.js"), live_server, str(script), str(busy),
                          str(wait_ms), plain], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    if served:
        assert data["requests"] == busy + 1
        assert data["shown"] == [{"value": "Second notice"}, {"value": 0.3}]
    else:
        assert data["requests"] > 1 and all(s["error"] == "#N/A" and "503" in s["message"] and "busy" in s["message"]
                                            for s in data["shown"]), data


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is needed to run functions.js")
def test_a_column_of_10000_calls_with_excels_copy_per_call_fits_a_1_gb_heap(live_server, tmp_path):
    """Excel deserialises each call's arguments into its own copy (custom functions are called with their
    arguments by value, one invocation at a time): a 10,000-row =TIER(B2, B$2:B$10001) column hands over
    10,000 copies of the range. functions.js keeps the first and lets the others go: under a 1 GB heap the
    column completes (keeping them all took 5.8 GB), with the tiers TIER's contract gives."""
    script = tmp_path / "functions.js"
    script.write_bytes(urllib.request.urlopen(live_server + "functions.js").read())
    out = subprocess.run(["node", "--max-old-space-size=1024", str(ROOT / "tests" / "js" / "column.js"), live_server,
                          str(script), "10000", "deep"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    data = json.loads(out.stdout)
    assert data["tiers"] == {'[["VIP"]]': 100, '[["Major"]]': 500, '[["Normal"]]': 2000, '[["Small"]]': 7400}
    assert data["heapMB"] < 512


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is needed to run functions.js")
def test_a_server_that_stops_answering_gives_na_not_busy_for_ever(tmp_path):
    """A server process stopped (SIGSTOP: it accepts the connection and never answers) leaves no cell
    pending: after the server's limit plus 5 s the cell shows #N/A "cellrules server not answering"."""
    import signal
    proc, base = start_server("--max-seconds", "1")
    try:
        script, meta = tmp_path / "functions.js", tmp_path / "functions.json"
        script.write_bytes(urllib.request.urlopen(base + "functions.js").read())
        meta.write_bytes(urllib.request.urlopen(base + "functions.json").read())
        assert "var TIMEOUT_MS = 6000;" in script.read_text(encoding="utf-8")
        proc.send_signal(signal.SIGSTOP)
        out = subprocess.run(["node", str(ROOT / "tests" / "js" / "one_call.js"), str(meta), str(script),
                              "DUNNINGSTAGE", "[61]"], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        shown = json.loads(out.stdout)["shown"]
        assert shown == {"error": "#N/A", "message": "cellrules server not answering (6 s)"}
    finally:
        proc.send_signal(signal.SIGCONT)
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is needed to run functions.js")
def test_a_refused_connection_is_tried_once_more_then_shown_as_unreachable(tmp_path):
    """Nothing listening (the server gone): one retry, then #N/A saying the server is not reachable."""
    proc, base = start_server()
    script, meta = tmp_path / "functions.js", tmp_path / "functions.json"
    script.write_bytes(urllib.request.urlopen(base + "functions.js").read())
    meta.write_bytes(urllib.request.urlopen(base + "functions.json").read())
    proc.terminate()
    proc.wait(timeout=10)
    out = subprocess.run(["node", str(ROOT / "tests" / "js" / "one_call.js"), str(meta), str(script), "DUNNINGSTAGE",
                          "[61]"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    shown = json.loads(out.stdout)
    assert shown["shown"]["error"] == "#N/A" and "not reachable" in shown["shown"]["message"]
    assert shown["ms"] >= 500  # the retry waited


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the test certificate")
def test_https_with_a_certificate(tmp_path):
    import ssl
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "cellrules", "serve", "--port", str(port), "--certfile", str(cert),
                             "--keyfile", str(key)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    context = ssl.create_default_context(cafile=str(cert))
    context.check_hostname = False
    try:
        for _ in range(200):
            try:
                manifest = urllib.request.urlopen(f"https://127.0.0.1:{port}/manifest.xml", context=context,
                                                  timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise AssertionError(proc.stderr.read().decode() if proc.poll() is not None else "no answer")
        assert f'DefaultValue="https://127.0.0.1:{port}/functions.js"' in manifest
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is needed to run functions.js")
def test_functions_js_takes_declared_parameters_and_never_confuses_ranges(client, tmp_path):
    script = tmp_path / "functions.js"
    script.write_text(client.get("/functions.js").text, encoding="utf-8")
    out = subprocess.run(["node", str(ROOT / "tests" / "js" / "unit_functions.js"), str(script)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["full"] == [1, None, None] and r["short"] == [1, None, None] and r["extra"] == [1, 2, 3]
    assert r["repeating"] == ["COMMISSION", 150000, "new", None, [[1], [2]]]
    assert r["repeating_none"] == ["RULESTATUS"]
    assert r["same"] == [0, 0, 0] and r["different"] == 1 and r["count"] == 2


def test_a_bad_argument_shape_or_a_non_finite_result_fails_only_its_call(client):
    out = batch(client, [{"function": "DUNNINGSTAGE", "args": 5}, {"function": "PROFITRATE", "args": [5e-324, 1e300]},
                         {"function": "DUNNINGSTAGE", "args": [61]}])
    assert out.status_code == 200
    r = out.json()["results"]
    assert r[0]["error"]["code"] == "#VALUE!" and "list" in r[0]["error"]["reason"]
    assert r[1]["error"]["code"] == "#NUM!" and r[2] == {"value": "Second notice"}


def test_a_chunked_upload_over_the_limit_is_refused(client):
    def chunks():
        for _ in range(100):
            yield b" " * 10_000
    out = client.post("/api/call", content=chunks(), headers={"content-type": "application/json"})
    assert out.status_code == 413


def test_work_per_request_is_bounded(shipped_store):
    small = TestClient(create_app(shipped_store, limits=Limits(max_work=10_000)))
    ranges = [[[float(i)] for i in range(5_000)]]
    ok = batch(small, [{"function": "TIER", "args": [[[1.0]], {"$range": 0}]}] * 100, ranges)
    assert ok.status_code == 200
    too_much = batch(small, [{"function": "TIER", "args": [[[1.0]], {"$range": 0}]}] * 100,
                     [[[float(i)] for i in range(20_000)]])
    assert too_much.status_code == 422 and "units of work" in too_much.json()["detail"]


def test_a_loopback_server_refuses_other_host_names(shipped_store):
    app = TestClient(create_app(shipped_store, bind="127.0.0.1"))
    assert app.get("/health", headers={"host": "127.0.0.1:8000"}).status_code == 200
    assert app.get("/health", headers={"host": "localhost"}).status_code == 200
    assert app.get("/health", headers={"host": "evil.example:8000"}).status_code == 421
    public = TestClient(create_app(shipped_store, token="t", bind="0.0.0.0"))
    assert public.get("/health?token=t", headers={"host": "cellrules.example.com"}).status_code == 200


def test_health_answers_while_a_batch_is_computing(shipped_store, monkeypatch):
    import threading
    from cellrules.addin import server
    started, release = threading.Event(), threading.Event()
    real = server.run_batch

    def slow(body, stop=None):
        started.set()
        release.wait(10)
        return real(body, stop)
    monkeypatch.setattr(server, "run_batch", slow)
    import httpx2 as httpx

    async def scenario():
        app = create_app(shipped_store)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
            import asyncio
            call = asyncio.create_task(c.post("/api/call", json={"calls": [{"function": "DUNNINGSTAGE", "args": [61]}]}))
            while not started.is_set():
                await asyncio.sleep(0.01)
            health = await c.get("/health")
            release.set()
            return health.status_code, (await call).json()
    import asyncio
    status, answer = asyncio.run(scenario())
    assert status == 200 and answer["results"] == [{"value": "Second notice"}]


def test_a_block_keeps_its_shape_and_a_one_cell_block_is_its_value(client):
    """TIER over a 3×2 block answers 3×2 (it spilled as 6×1); a 1×1 block is the value of its cell (DECIDE gave
    #VALUE! 'not tuple'); a message shows values as Excel writes them, never a Python tuple."""
    block = [[100, 200], [300, 400], [1, 2]]
    out = batch(client, [{"function": "TIER", "args": [block, block]},
                         {"function": "DECIDE", "args": ["service_plan", [["VIP"]]]},
                         {"function": "DECIDE", "args": ["service_plan", [["VIP"], ["Small"]]]}]).json()["results"]
    assert out[0] == {"value": [["Small", "Small"], ["Normal", "VIP"], ["Small", "Small"]]}
    assert out[1]["value"][0][0] == 12
    assert out[2]["error"]["code"] == "#VALUE!" and '{"VIP";"Small"}' in out[2]["error"]["reason"]
    assert "(" not in out[2]["error"]["reason"]


@pytest.mark.parametrize("body", [
    b"[" * 5000 + b"]" * 5000, b'{"calls": ' + b"[" * 5000 + b"]" * 5000 + b"}", b'{"calls": [1, "x", null]}',
    b'{"calls": [{"function": "TIER", "args": {"a": 1}}]}', b'{"calls": [], "ranges": [5, "x", {"a": 1}]}',
    b'{"calls": [{"function": "TIER", "args": [{"$range": 99}]}], "ranges": [[[1]]]}', b"\xff\xfe",
    b'{"calls": [{"function": "TIER", "args": [[["deep"]]]}]}', b'"just text"', b"{}",
])
def test_every_malformed_request_is_a_4xx_never_a_5xx(client, body):
    """Hostile and broken bodies (JSON nested 5,000 deep, calls that are not calls, ranges that are not rows):
    the client is told what is wrong (4xx); the server never answers 500."""
    got = client.post("/api/call", content=body, headers={"content-type": "application/json"})
    assert 400 <= got.status_code < 500 or got.status_code == 200, (got.status_code, got.text[:200])
    assert client.get("/health").status_code == 200


def _slow_function(monkeypatch, gate):
    """DUNNINGSTAGE made to wait for ``gate`` on every call; the list of calls it has started."""
    import dataclasses
    from cellrules.registry import REGISTRY
    spec, started = REGISTRY["DUNNINGSTAGE"], []

    def slow(*args):
        started.append(args)
        gate.wait(10)
        return spec.func(*args)
    monkeypatch.setitem(REGISTRY, "DUNNINGSTAGE", dataclasses.replace(spec, func=slow))
    return started


def test_a_timed_out_batch_stops_computing(shipped_store, monkeypatch):
    """The request that gave up (503) takes its work with it: the batch stops at its next call instead of
    computing 200 calls for no one (it once went on to the end)."""
    import threading
    import time
    gate = threading.Event()
    started = _slow_function(monkeypatch, gate)
    client = TestClient(create_app(shipped_store, limits=Limits(seconds=0.3)))
    out = batch(client, [{"function": "DUNNINGSTAGE", "args": [61]}] * 200)
    assert out.status_code == 503 and "longer than" in out.json()["detail"]
    gate.set()
    time.sleep(0.5)
    assert len(started) <= 2, len(started)
    assert batch(client, [{"function": "DUNNINGSTAGE", "args": [61]}]).json()["results"] == [{"value": "Second notice"}]


def test_work_is_bounded_and_health_answers_while_every_slot_is_busy(shipped_store, monkeypatch):
    """With every slot computing, another batch waits its turn (then 503 busy, read no further) and /health
    still answers at once."""
    import asyncio
    import threading
    import httpx2 as httpx
    gate = threading.Event()
    started = _slow_function(monkeypatch, gate)

    async def scenario():
        app = create_app(shipped_store, limits=Limits(seconds=1.0, concurrent=1))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
            first = asyncio.create_task(c.post("/api/call", json={"calls": [{"function": "DUNNINGSTAGE", "args": [61]}]}))
            while not started:
                await asyncio.sleep(0.01)
            second = await c.post("/api/call", json={"calls": [{"function": "DUNNINGSTAGE", "args": [61]}]})
            health = await c.get("/health")
            gate.set()
            return (await first).status_code, second, health.status_code
    first, second, health = asyncio.run(scenario())
    assert first == 503 and second.status_code == 503 and "busy" in second.json()["detail"] and health == 200
    assert len(started) == 1  # the waiting batch never computed
