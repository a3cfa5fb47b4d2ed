#!/usr/bin/env bash
# Allocation per request of the load-test server, for one mode (none, jwtbearer, descope, descope-authn-only): the
# GC's allocation rate from dotnet-counters, divided by wrk's request rate over the same 10 seconds. The server is pinned
# to core 0 and wrk to core 1. Needs wrk and dotnet-counters (dotnet tool install -g dotnet-counters).
# Usage: build/alloc.sh MODE [port]; PROTOCOL=2025-11-25 measures the older protocol generation (default 2026-07-28).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: build/alloc.sh MODE [port]}
port=${2:-5331}
project=test/Descope.Mcp.AspNetCore.LoadServer
export LOAD_DIR="$PWD/$project"
script="$project/post-${PROTOCOL:-2026-07-28}.lua"
counters=${DOTNET_COUNTERS:-$HOME/.dotnet/tools/dotnet-counters}
work=$(mktemp -d)
dotnet build -c Release "$project" -nologo -v quiet >/dev/null

taskset -c 0 dotnet "$project/bin/Release/net10.0/Descope.Mcp.AspNetCore.LoadServer.dll" "$mode" "$port" "$work/token" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$work/token" ] && break; sleep 0.1; done
export TOKEN
TOKEN=$([ "$mode" = none ] && echo "" || cat "$work/token")
taskset -c 1 wrk -t1 -c32 -d5s -s "$script" "http://127.0.0.1:$port/mcp" >/dev/null   # warm-up
"$counters" collect -p "$server" --counters System.Runtime --refresh-interval 1 --format csv --duration 00:00:00:10 \
  -o "$work/counters.csv" >/dev/null 2>&1 &
collector=$!
taskset -c 1 wrk -t1 -c32 -d10s -s "$script" "http://127.0.0.1:$port/mcp" | tail -n 1 > "$work/wrk.txt"
wait "$collector" || true
kill "$server"; wait "$server" 2>/dev/null || true

python3 - "$mode" "$work" <<'PY'
import csv, re, statistics, sys
mode, work = sys.argv[1], sys.argv[2]
rates = [float(r[4]) for r in csv.reader(open(f"{work}/counters.csv")) if len(r) > 4 and "total_allocated" in r[2]]
rps = float(re.search(r"rps=(\d+)", open(f"{work}/wrk.txt").read()).group(1))
rate = statistics.median(rates[1:-1] if len(rates) > 3 else rates)
print(f"{mode:20s} rps={rps:.0f} allocated={rate / 1e6:.0f} MB/s per_request={rate / rps / 1024:.1f} KB")
PY
rm -rf "$work"
