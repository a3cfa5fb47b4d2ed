#!/usr/bin/env bash
# Runs the BenchmarkDotNet micro-benchmarks (short in-process job, allocations reported). Arguments go to
# BenchmarkDotNet; the default runs them all. Results land in BenchmarkDotNet.Artifacts/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [ "$#" -eq 0 ]; then
  set -- --filter '*'
fi

dotnet run -c Release --project test/Descope.Mcp.AspNetCore.Benchmarks -- "$@"
