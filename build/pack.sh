#!/usr/bin/env bash
# Packs the libraries and the project template into artifacts/packages (.nupkg with README, license and SourceLink,
# and a .snupkg with the portable PDBs). The version is VersionPrefix from Directory.Build.props, followed by
# VERSION_SUFFIX when it is set (for example VERSION_SUFFIX=ci.42 ./build/pack.sh makes 0.1.0-ci.42).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

output=artifacts/packages
rm -rf "$output"
mkdir -p "$output"
for project in src/Descope.Mcp.AspNetCore src/Descope.Mcp.AspNetCore.Testing templates/Descope.Mcp.Templates; do
  dotnet pack "$project" --configuration Release --output "$output" -p:VERSION_SUFFIX="${VERSION_SUFFIX:-}" "$@"
done
ls -1 "$output"
