"""``cellrules serve``: the Office.js add-in and its call endpoint, from one origin.

Owns the web application: the manifest, ``functions.json``, ``functions.js``,
``functions.html``, the batched call endpoint ``POST /api/call`` and
``GET /health`` (engine, rules folder, each policy's version and hash, any
refused file). Bound to loopback by default; bound anywhere else it requires
a token. Requests over the size limit get 413, batches over the length limit
422; a bad argument in one call gives that call an error value and never
fails the others.
"""
from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit
from dataclasses import dataclass
from typing import Any, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from cellrules import engine, functions  # noqa: F401  (functions registers the registry)
from cellrules.addin import icons, officejs
from cellrules.errors import ExcelError
from cellrules.registry import REGISTRY
from cellrules.store import Store, Used, recording, using


@dataclass(frozen=True)
class Limits:
    """What one request may ask of the server: its size, its calls, its calls plus range cells, its seconds."""

    max_bytes: int = 32 * 1024 * 1024
    max_calls: int = 20_000
    max_work: int = 5_000_000  # calls plus range cells one request may ask for
    seconds: float = 30.0  # one request's computation, at most
    concurrent: int = 4  # batches read and computed at once (the others wait, up to ``seconds``, for a turn)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (no token needed then)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _error(value: ExcelError) -> dict[str, str]:
    return {"code": value.code, "reason": value.reason}


def _cell(value: Any) -> dict[str, Any]:
    """One call's answer: ``{"error": …}``, or ``{"value": …}`` where an error inside a spilled column
    is ``{"$error": …}`` (functions.js makes it a CustomFunctions.Error in that cell)."""
    if isinstance(value, ExcelError):
        return {"error": _error(value)}
    if isinstance(value, list):
        value = [{"$error": _error(v)} if isinstance(v, ExcelError) else v for v in value]
    return {"value": value}


def _freeze(block: Any) -> Any:
    """A range as nested tuples: immutable, so TIER ranks it once for the whole batch."""
    return tuple(_freeze(v) for v in block) if isinstance(block, list) else block


def _cells_in(value: Any) -> int:
    if isinstance(value, (list, tuple)):
        return sum(_cells_in(v) for v in value) or 1
    return 1


def work_of(body: Any) -> int:
    """What a request asks for: one per call and per inline cell, plus every cell of the shared ranges; a
    range a function ranks (TIER) counts once, however many calls share it."""
    ranges = body.get("ranges", [])
    calls = body["calls"]
    inline = sum(_cells_in(a) for c in calls if isinstance(c, dict) and isinstance(c.get("args"), list)
                 for a in c["args"] if not (isinstance(a, dict) and "$range" in a))
    return len(calls) + inline + sum(_cells_in(r) for r in ranges)


class Cancelled(Exception):
    """A batch stopped because its request ended (timed out) before the batch did."""


def run_batch(body: Any, stop: threading.Event | None = None) -> list[dict[str, Any]]:
    """Evaluate ``{"calls": [{"function", "args"}], "ranges": [...]}``; one result per call. When ``stop`` is
    set the batch ends at its next call (:class:`Cancelled`): no one is waiting for the rest."""
    ranges = [_freeze(r) for r in body.get("ranges", [])]
    results = []
    for call in body["calls"]:
        if stop is not None and stop.is_set():
            raise Cancelled()
        spec = REGISTRY.get(str(call.get("function", "")).upper()) if isinstance(call, dict) else None
        if spec is None:
            results.append(_cell(ExcelError("#NAME?", f"no function {call.get('function') if isinstance(call, dict) else call!r}")))
            continue
        raw = call.get("args")
        if raw is not None and not isinstance(raw, list):
            results.append(_cell(ExcelError("#VALUE!", "args must be a list of the function's arguments")))
            continue
        args = [_arg(a, ranges) for a in raw or []]
        bad = next((a for a in args if isinstance(a, ExcelError)), None)
        results.append(_cell(bad if bad is not None else spec.func(*args)))
    return results


def _arg(arg: Any, ranges: list[Any]) -> Any:
    """One argument as the functions take it: a shared range by its index, a block as nested tuples, and a
    1×1 block as the value of its one cell (as Excel treats a one-cell reference)."""
    if isinstance(arg, dict) and "$range" in arg:
        index = arg["$range"]
        if not isinstance(index, int) or not 0 <= index < len(ranges):
            return ExcelError("#REF!", f"range reference {index!r} is not in this request")
        return ranges[index]
    if isinstance(arg, list):
        if len(arg) == 1 and isinstance(arg[0], list) and len(arg[0]) == 1 and not isinstance(arg[0][0], list):
            return arg[0][0]
        return _freeze(arg)
    return arg


def create_app(store: Store, token: str = "", limits: Limits = Limits(), public_url: str = "",
               bind: str = "127.0.0.1") -> FastAPI:
    """The Office.js backend: the add-in's files and the call endpoint, over ``store``'s policies."""
    app = FastAPI(title="cellrules", docs_url=None, redoc_url=None)
    _guard(app, token, limits, _hosts(bind, public_url))
    _files(app, token, limits, public_url)
    _calls(app, store, limits)
    return app


def _guard(app: FastAPI, token: str, limits: Limits, hosts: set[str] | None) -> None:
    """Every request: its host name (DNS rebinding), its token, its declared size."""
    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        if not _host_allowed(request, hosts):
            return JSONResponse({"detail": "this server answers to its own host name only"}, status_code=421)
        if token and not _authorised(request, token):
            return JSONResponse({"detail": "a valid token is required"}, status_code=401)
        size = request.headers.get("content-length")
        if size and size.isdigit() and int(size) > limits.max_bytes:
            return JSONResponse({"detail": f"request larger than {limits.max_bytes} bytes"}, status_code=413)
        return await call_next(request)


def _files(app: FastAPI, token: str, limits: Limits, public_url: str) -> None:
    """The add-in's files: manifest, functions metadata and script, the page that loads it, the icons."""
    def base(request: Request) -> str:
        return public_url.rstrip("/") + "/" if public_url else str(request.base_url)

    @app.get("/manifest.xml")
    def manifest(request: Request) -> Response:
        return Response(officejs.manifest(base(request), officejs.token_query(token)), media_type="application/xml")

    @app.get("/functions.json")
    def metadata() -> JSONResponse:
        return JSONResponse(officejs.metadata())

    @app.get("/functions.js")
    def script(request: Request) -> Response:
        js = officejs.functions_js(base(request) + "api/call", token, limits.max_calls, limits.seconds)
        return Response(js, media_type="application/javascript")

    @app.get("/functions.html")
    def page(request: Request) -> Response:
        src = base(request) + "functions.js" + officejs.token_query(token)
        return Response(officejs.functions_html(src), media_type="text/html")

    @app.get("/icon-{size}.png")
    def icon(size: int) -> Response:
        if size not in officejs.ICON_SIZES:
            return PlainTextResponse("no such icon\n", status_code=404)
        return Response(icons.png(size), media_type="image/png", headers={"Cache-Control": "max-age=86400"})

    @app.get("/")
    def index() -> PlainTextResponse:
        return PlainTextResponse("cellrules: add-in manifest at /manifest.xml, health at /health\n")


class _Work:
    """The computing side of the call endpoint: at most ``limits.concurrent`` batches at once, each stoppable,
    and every policy version that computed a cell since the server started (for /health)."""

    def __init__(self, store: Store, limits: Limits) -> None:
        self.store = store
        self.served: Used = {}
        self.tally = threading.Lock()
        self.slots = asyncio.Semaphore(limits.concurrent)  # batches read and computed at once; the others wait
        self.workers = ThreadPoolExecutor(limits.concurrent, thread_name_prefix="cellrules-batch")

    def compute(self, body: dict[str, Any], stop: threading.Event, done: Callable[[], None]) -> list[dict[str, Any]]:
        """One batch in a worker thread; ``done`` when it has stopped (the slot is free then, not when the
        request gave up on it)."""
        try:
            with using(self.store), recording() as used:
                results = run_batch(body, stop)
            with self.tally:
                for key, (loaded, cells) in used.items():
                    self.served.setdefault(key, [loaded, 0])[1] += cells
            return results
        finally:
            done()

    def computed(self) -> list[dict[str, Any]]:
        """The audit trail of what the server answered: policy, version, sha256, cells."""
        with self.tally:
            return [{"policy": p, "version": v, "sha256": d, "cells": n}
                    for (p, v, d), (_, n) in sorted(self.served.items())]


def _calls(app: FastAPI, store: Store, limits: Limits) -> None:
    """/health and /api/call, the batched endpoint functions.js sends a recalculation's calls to."""
    work = _Work(store, limits)

    @app.get("/health")
    def health() -> JSONResponse:
        rows = store.status()
        state = "ok" if all(r["state"] == "ok" for r in rows) else "degraded"
        return JSONResponse({"status": state, "engine": engine.NAME, "folder": str(store.folder),
                             "origin": store.origin, "policies": rows, "computed": work.computed()})

    @app.post("/api/call")
    async def call(request: Request) -> JSONResponse:
        try:
            await asyncio.wait_for(work.slots.acquire(), timeout=limits.seconds)
        except asyncio.TimeoutError:
            return JSONResponse({"detail": f"busy: {limits.concurrent} batches are being computed; try again"},
                                status_code=503, headers={"Retry-After": "1"})
        loop, stop = asyncio.get_running_loop(), threading.Event()
        handed = False
        try:
            body = await _batch(request, limits)
            if isinstance(body, JSONResponse):
                return body
            def free() -> None:
                loop.call_soon_threadsafe(work.slots.release)
            running = loop.run_in_executor(work.workers, work.compute, body, stop, free)
            handed = True
            try:  # off the event loop, so /health and other requests are answered meanwhile
                results = await asyncio.wait_for(asyncio.shield(running), timeout=limits.seconds)
            except asyncio.TimeoutError:
                stop.set()  # the work stops at its next call instead of computing for no one
                return JSONResponse({"detail": f"the batch took longer than {limits.seconds:g} s"}, status_code=503)
            except Cancelled:
                return JSONResponse({"detail": "the batch was stopped"}, status_code=503)
            except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:  # malformed ranges
                return JSONResponse({"detail": f"a range is not a list of rows: {type(exc).__name__}"}, status_code=422)
            return JSONResponse({"results": results})
        finally:
            if not handed:
                work.slots.release()


async def _batch(request: Request, limits: Limits) -> dict[str, Any] | JSONResponse:
    """The request's batch, read within the limits (its size counted as it arrives: a chunked upload has no
    content-length), or the response refusing it."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limits.max_bytes:
            return JSONResponse({"detail": f"request larger than {limits.max_bytes} bytes"}, status_code=413)
        chunks.append(chunk)
    try:
        body = json.loads(b"".join(chunks))
        calls = body["calls"]
        if not isinstance(calls, list) or not isinstance(body.get("ranges", []), list):
            raise TypeError("calls and ranges must be lists")
    except (ValueError, KeyError, TypeError, RecursionError) as exc:  # RecursionError: JSON nested thousands deep
        return JSONResponse({"detail": f"expected {{\"calls\": [...]}}: {type(exc).__name__}"}, status_code=422)
    if len(calls) > limits.max_calls:
        return JSONResponse({"detail": f"{len(calls)} calls in one batch; at most {limits.max_calls}"}, status_code=422)
    try:
        work = work_of(body)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:  # a malformed call: 4xx
        return JSONResponse({"detail": f"a call is not of the form {{\"function\": …, \"args\": […]}}: "
                                       f"{type(exc).__name__}"}, status_code=422)
    if work > limits.max_work:
        return JSONResponse({"detail": f"the batch asks for {work:,} units of work (calls and range cells); "
                                       f"at most {limits.max_work:,}: send fewer calls per request"}, status_code=422)
    return dict(body)


def _hosts(bind: str, public_url: str) -> set[str] | None:
    """Host names a loopback server answers to (None: any, for a server bound to the network behind a token).
    A web page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) is turned away."""
    if not is_loopback(bind):
        return None
    names = {"localhost", "127.0.0.1", "[::1]", "::1", "testserver"}
    if public_url:
        names.add((urlsplit(public_url).hostname or "").lower())
    return names


def _host_allowed(request: Request, hosts: set[str] | None) -> bool:
    if hosts is None:
        return True
    host = request.headers.get("host", "").lower()
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
    return name in hosts


def _authorised(request: Request, token: str) -> bool:
    """The token from the Authorization header or ``?token=``, compared in constant time."""
    expected = token.encode("utf-8")
    header = request.headers.get("authorization", "")
    given = [header[len("Bearer "):]] if header.startswith("Bearer ") else []
    given.append(request.query_params.get("token", ""))
    return any(hmac.compare_digest(candidate.encode("utf-8"), expected) for candidate in given if candidate)
