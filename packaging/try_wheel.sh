#!/usr/bin/env bash
# A user's install, from a release folder (what `make dist` writes), into a clean venv, used from an empty
# folder with the packaged rules: status (engine named), check, recalc of a workbook, the Python functions,
# and serve answering a call over HTTP.    usage: packaging/try_wheel.sh DIST PYTHON [EXTRAS]
# EXTRAS defaults to "engine"; pass "" for the install without the engine (no compiler).
set -euo pipefail
dist=$(cd "$1" && pwd); py=$2; extras=${3-engine}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d); trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT; server=
"$py" -m venv "$work/venv"
spec=cellrules; [ -n "$extras" ] && spec="cellrules[$extras]"
"$work/venv/bin/pip" install -q --find-links "$dist" "$spec" 2>&1 | grep -v -i warning || true
mkdir "$work/empty" && cd "$work/empty"
bin=$work/venv/bin
"$bin/python" --version
"$bin/cellrules" status | sed -n 1,3p
"$bin/cellrules" check | tail -1
cp "$here/samples/customers.xlsx" book.xlsx
"$bin/cellrules" recalc book.xlsx -o out --json | "$bin/python" -c "import json,sys; r=json.load(sys.stdin); print('recalc:', [(f['ok'], f['cells'], f['errors']) for f in r['files']])"
"$bin/python" -c "import cellrules.functions as F; print('python:', F.TIER(5, [1, 2, 3, 4, 5]), F.COMMISSION(50000, 'new'), F.DUNNINGSTAGE(61))"
port=$("$bin/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$bin/cellrules" serve --port "$port" >/dev/null 2>&1 & server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/health" | "$bin/python" -c "import json,sys; h=json.load(sys.stdin); print('serve:', h['status'], h['engine'], len(h['policies']), 'policies')"
