#!/usr/bin/env bash
# Whole-server throughput, side by side: the same stateless MCP server (a trivial `echo` tool) with no auth, with the
# hand-wired JwtBearer + SDK AddMcp setup, and with Descope.Mcp.AspNetCore, on both protocol generations (2025-11-25:
# method only in the body; 2026-07-28: Mcp-Method/Mcp-Name headers). All servers run at once, pinned to core 0, and
# wrk (core 1) visits them in turn, round after round, so a machine whose speed drifts (a shared VM) slows every server
# alike. The table shows the median round of each, and the median of its per-round ratios to no auth on the same protocol.
# Needs wrk (apt-get install wrk).
# Usage: build/load.sh [round seconds, default 6] [connections, default 32]
# Environment:
#   MODES      servers to compare (default "none jwtbearer descope-authn-only descope-policy-only descope"); a mode may end in "+tracing"
#              (the server records traces and metrics as an OpenTelemetry app does), and may start with "other:" to run
#              the load-test server of another build, named by OTHER_SERVER (the path of its LoadServer .dll).
#   PROTOCOLS  default "2025-11-25 2026-07-28"; ROUNDS default 5; WARMUP seconds per server and protocol, default 20.
set -euo pipefail
cd "$(dirname "$0")/.."
round=${1:-6}
connections=${2:-32}
modes=${MODES:-none jwtbearer descope-authn-only descope-policy-only descope}
protocols=${PROTOCOLS:-2025-11-25 2026-07-28}
rounds=${ROUNDS:-5}
warmup=${WARMUP:-20}
project=test/Descope.Mcp.AspNetCore.LoadServer
export LOAD_DIR="$PWD/$project"
dotnet build -c Release "$project" -nologo -v quiet >/dev/null
server="$project/bin/Release/net10.0/Descope.Mcp.AspNetCore.LoadServer.dll"
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

port=5310
declare -A ports
for label in $modes; do
  dll=$server; mode=${label%+tracing}; args=()
  [ "$mode" != "$label" ] && args+=(--tracing)
  if [ "${mode#other:}" != "$mode" ]; then dll=${OTHER_SERVER:?OTHER_SERVER names the other build\'s LoadServer .dll}; mode=${mode#other:}; fi
  taskset -c 0 dotnet "$dll" "$mode" "$port" "$work/token-$port" "${args[@]}" >/dev/null 2>&1 &
  pids+=($!)
  ports[$label]=$port
  port=$((port + 1))
done
for label in $modes; do
  for _ in $(seq 1 200); do [ -s "$work/token-${ports[$label]}" ] && break; sleep 0.1; done
done

run() { # label protocol seconds
  local mode=${1%+tracing}
  TOKEN=$([ "${mode#other:}" = none ] && echo "" || cat "$work/token-${ports[$1]}") \
    taskset -c 1 wrk -t1 -c"$connections" -d"$3s" -s "$LOAD_DIR/post-$2.lua" "http://127.0.0.1:${ports[$1]}/mcp" | tail -n 1
}

for protocol in $protocols; do
  for label in $modes; do run "$label" "$protocol" "$warmup" >/dev/null; done
done
for r in $(seq 1 "$rounds"); do
  for protocol in $protocols; do
    for label in $modes; do
      printf '%s %s %s ' "$label" "$protocol" "$r" >> "$work/rounds"
      run "$label" "$protocol" "$round" >> "$work/rounds"
    done
  done
done

python3 - "$work/rounds" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    mode, protocol, round_, rest = line.split(" ", 3)
    fields = dict(re.findall(r"(\w+)=(\d+)", rest))
    runs.setdefault((mode, protocol), []).append({"round": int(round_), **{k: int(v) for k, v in fields.items()}})
# "vs none" is the median of each round's ratio to no auth in the same round, so drift between rounds cancels out.
print(f"{'server':24s} {'protocol':11s} {'req/s':>8s} {'vs none':>8s} {'p50 ms':>7s} {'p99 ms':>7s} {'errors':>6s}")
for (mode, protocol), rows in sorted(runs.items(), key=lambda item: item[0][1]):
    rps = statistics.median(r["rps"] for r in rows)
    base = {r["round"]: r["rps"] for r in runs.get(("none", protocol), [])}
    ratios = [r["rps"] / base[r["round"]] for r in rows if base.get(r["round"])]
    ratio = f"{statistics.median(ratios):.2f}x" if ratios else "-"
    p50 = statistics.median(r["p50_us"] for r in rows) / 1000
    p99 = statistics.median(r["p99_us"] for r in rows) / 1000
    errors = sum(r["errors"] for r in rows)
    print(f"{mode:24s} {protocol:11s} {rps:8.0f} {ratio:>8s} {p50:7.1f} {p99:7.1f} {errors:6d}")
PY
