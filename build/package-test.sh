#!/usr/bin/env bash
# Tests the packages the way a user consumes them: packs them with a unique version (so no stale copy from the NuGet
# cache is used), checks their contents (build/check-packages.py), then, through a local feed and never through project
# references, installs the descope-mcp template, creates a server from it and runs its tests, and builds and tests the
# consumer server in test/PackageConsumer. Test results (TRX) go to artifacts/package-test-results.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

export VERSION_SUFFIX="${VERSION_SUFFIX:-local.$(date +%Y%m%d%H%M%S)}"
./build/pack.sh >/dev/null
packages="$PWD/artifacts/packages"
version=$(ls "$packages" | sed -n 's/^Descope\.Mcp\.AspNetCore\.\([0-9].*\)\.nupkg$/\1/p')
echo "Packed $version"
python3 build/check-packages.py "$packages"

results="$PWD/artifacts/package-test-results"
rm -rf "$results"
mkdir -p "$results"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A user's machine: the local feed with the new packages, added to the package sources this machine already uses.
cat >"$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="descope-local" value="$packages" />
  </packageSources>
</configuration>
XML

status=0

# The template, installed from its package into a private template hive.
hive="$work/template-hive"
dotnet new install "$packages/Descope.Mcp.Templates.$version.nupkg" --debug:custom-hive "$hive" >/dev/null
(cd "$work" && dotnet new descope-mcp -o MyServer --debug:custom-hive "$hive" >/dev/null)
echo "Testing a server made by 'dotnet new descope-mcp'"
dotnet test "$work/MyServer/MyServer.slnx" --logger "trx;LogFilePrefix=template" --results-directory "$results" || status=1

# A consumer server of the repository's own, built from the packages.
# It builds with the repository's settings and package versions (.editorconfig, Directory.*), but outside the repository.
mkdir -p "$work/consumer"
cp -r test/PackageConsumer "$work/consumer/PackageConsumer"
cp .editorconfig Directory.Build.props Directory.Build.targets Directory.Packages.props "$work/consumer/"
echo "Testing test/PackageConsumer against the packages"
dotnet test "$work/consumer/PackageConsumer/PackageConsumer.slnx" -p:DescopePackageVersion="$version" --logger "trx;LogFilePrefix=consumer" --results-directory "$results" || status=1

exit $status
