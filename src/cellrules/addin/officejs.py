"""Office.js custom functions, generated from the registry.

Owns what Excel on the web, Mac and Windows loads from ``cellrules serve``:
the custom-functions metadata (``functions.json``), the add-in manifest (XML,
a CustomFunctions extension point on a shared runtime), ``functions.js``
(which associates every function and batches the calls of one recalculation
into one request) and ``functions.html``. Nothing here is hand-listed: every
function, argument and help text comes from :data:`cellrules.registry.REGISTRY`.
"""
from __future__ import annotations

import html
import json
import uuid
from importlib import resources
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from cellrules import __version__
from cellrules.registry import REGISTRY, Spec

NAMESPACE = "CELLRULES"
ADDIN_ID = uuid.UUID("5b0f4a62-3c1e-4d55-9a57-2f1c6a1d7c21")  # stable: Office tells add-ins apart by it
#: the icon sizes the manifest names, served as /icon-N.png
ICON_SIZES = (16, 32, 64, 80)
#: Excel error text -> CustomFunctions.ErrorCode member (functions.js turns #NAME? and #REF!, which a custom
#: function may not return, into #VALUE! with the code in the message)
ERROR_CODES = {"#VALUE!": "invalidValue", "#N/A": "notAvailable", "#DIV/0!": "divisionByZero",
               "#NUM!": "invalidNumber", "#NULL!": "nullReference", "#NAME?": "invalidName",
               "#REF!": "invalidReference"}


def _function(spec: Spec) -> dict:
    params = [{"name": a.name, "description": a.help, "type": "any",
               "dimensionality": "matrix" if a.range else "scalar", "optional": a.optional}
              for a in spec.args]
    if spec.varargs:
        params.append({"name": spec.varargs.name, "description": spec.varargs.help, "type": "any",
                       "dimensionality": "matrix", "optional": True, "repeating": True})
    return {"id": spec.name, "name": spec.name, "description": spec.help,
            "helpUrl": "https://github.com/cellrules/cellrules#the-functions", "parameters": params,
            "result": {"dimensionality": "matrix" if spec.spills else "scalar"}}


def metadata() -> dict:
    """The custom-functions metadata Excel reads (functions.json).

    ``allowCustomDataForDataTypeAny`` stays off: Excel then passes plain values (numbers, text, booleans,
    blocks of them), never entity or linked data-type objects the server would not understand.
    """
    return {"allowCustomDataForDataTypeAny": False,
            "functions": [_function(spec) for spec in sorted(REGISTRY.values(), key=lambda s: s.name)]}


def _asset(name: str) -> str:
    return resources.files("cellrules.addin").joinpath("static", name).read_text(encoding="utf-8")


def functions_js(endpoint: str, token: str = "", max_batch: int = 5000, seconds: float = 30.0) -> str:
    """functions.js with the function list, the call endpoint, the batch limit and the request deadline (the
    server's own limit on a request, ``seconds``, plus 5 s) filled in."""
    specs = [{"id": s.name, "spills": s.spills, "params": len(s.args), "repeating": s.varargs is not None}
             for s in sorted(REGISTRY.values(), key=lambda s: s.name)]
    return (_asset("functions.js")
            .replace("/*FUNCTIONS*/[]", json.dumps(specs))
            .replace("/*ENDPOINT*/\"\"", json.dumps(endpoint))
            .replace("/*TOKEN*/\"\"", json.dumps(token))
            .replace("/*MAX_BATCH*/1000", str(max_batch))
            .replace("/*ERROR_CODES*/{}", json.dumps(ERROR_CODES))
            .replace("/*TIMEOUT_MS*/35000", str(int((seconds + 5) * 1000))))


def token_query(token: str) -> str:
    """``?token=…`` with the token percent-encoded (``+ / = &`` and the like), or "" without a token."""
    return f"?token={quote(token, safe='')}" if token else ""


def functions_html(script_url: str) -> str:
    """The page Excel loads for the custom functions: office.js, then our script."""
    names = ", ".join(sorted(REGISTRY))
    return (_asset("functions.html").replace("{{SCRIPT_URL}}", html.escape(script_url, quote=True))
            .replace("{{VERSION}}", html.escape(__version__)).replace("{{FUNCTIONS}}", html.escape(names)))


def manifest(base_url: str, query: str = "") -> str:
    """The XML add-in manifest for a server at ``base_url`` (ending in /); ``query`` (from :func:`token_query`)
    is appended to each URL."""
    def url(path: str) -> str:
        return quoteattr(f"{base_url}{path}{query}")
    return _asset("manifest.xml").format(
        id=ADDIN_ID, version=__version__ + ".0", namespace=NAMESPACE,
        page=url("functions.html"), script=url("functions.js"), metadata=url("functions.json"),
        icon32=url("icon-32.png"), icon64=url("icon-64.png"), icon16=url("icon-16.png"), icon80=url("icon-80.png"),
        origin_text=escape(base_url.rstrip("/")))
