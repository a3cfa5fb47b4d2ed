#!/usr/bin/env bash
# Allocation per request of the load-test server, for one mode (none, jwtbearer, descope, descope-authn-only): the bytes
# the server allocated during a 10-second wrk run (GC.GetTotalAllocatedBytes, read from the server's /allocated before
# and after), divided by the run's requests. Exact, so unlike req/s it does not move with other work on the machine.
# The server is pinned to core 0 and wrk to core 1. Needs wrk and curl.
# Usage: build/alloc.sh MODE [port]; PROTOCOL=2025-11-25 measures the older protocol generation (default 2026-07-28);
# LOAD_SERVER_ARGS="--tracing" measures with tracing on.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: build/alloc.sh MODE [port]}
port=${2:-5331}
project=test/Descope.Mcp.AspNetCore.LoadServer
export LOAD_DIR="$PWD/$project"
script="$project/post-${PROTOCOL:-2026-07-28}.lua"
work=$(mktemp -d)
dotnet build -c Release "$project" -nologo -v quiet >/dev/null

# shellcheck disable=SC2086
taskset -c 0 dotnet "$project/bin/Release/net10.0/Descope.Mcp.AspNetCore.LoadServer.dll" "$mode" "$port" "$work/token" ${LOAD_SERVER_ARGS:-} >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do [ -s "$work/token" ] && break; sleep 0.1; done
export TOKEN
TOKEN=$([ "$mode" = none ] && echo "" || cat "$work/token")
taskset -c 1 wrk -t1 -c32 -d5s -s "$script" "http://127.0.0.1:$port/mcp" >/dev/null   # warm-up
before=$(curl -sf "http://127.0.0.1:$port/allocated")
taskset -c 1 wrk -t1 -c32 -d10s -s "$script" "http://127.0.0.1:$port/mcp" | tail -n 1 > "$work/wrk.txt"
after=$(curl -sf "http://127.0.0.1:$port/allocated")

python3 - "$mode" "$before" "$after" "$work/wrk.txt" <<'PY'
import re, sys
mode, before, after, wrk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), open(sys.argv[4]).read()
requests = int(re.search(r"requests=(\d+)", wrk).group(1))
rps = int(re.search(r"rps=(\d+)", wrk).group(1))
print(f"{mode:20s} rps={rps} per_request={(after - before) / requests:,.0f} bytes")
PY
