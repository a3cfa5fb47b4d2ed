#!/usr/bin/env bash
# Runs every test of the repository and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# What the tests need from outside .NET, installed once when missing (as root, from Debian's packages and npm).
# The Redis second-level cache tests start their own redis-server on a free port; they fail, never skip, without it.
if ! command -v redis-server >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
# The browser test drives Debian's Chromium through playwright-core; the TypeScript client test needs the official
# MCP SDK from npm. Without them those tests fail and say so.
./test/browser/install.sh
./test/clients/typescript/install.sh

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

dotnet test Descope.Mcp.AspNetCore.sln --logger "trx" --results-directory "$results" "$@"
status=$?

python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for path in glob.glob(f"{sys.argv[1]}/**/*.trx", recursive=True):
    counters = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    skipped += int(counters.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
if [ "$status" -ne 0 ]; then
  exit "$status"
fi
