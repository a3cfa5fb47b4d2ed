#!/usr/bin/env bash
# Packs the libraries and the project template into artifacts/packages (.nupkg with README, license and SourceLink,
# and a .snupkg with the portable PDBs). The version is VersionPrefix from Directory.Build.props followed by a suffix:
# - VERSION_SUFFIX unset (a pack for this machine): local.<UTC timestamp>, for example 0.1.0-local.20250101120000, new
#   at every pack, so the NuGet cache never serves an earlier pack's copy of the same version;
# - VERSION_SUFFIX=ci.42: 0.1.0-ci.42;
# - VERSION_SUFFIX= (set and empty): 0.1.0, a release.
# A pack for this machine (suffix local.*, or LOCAL_FEED=true) gives the template a nuget.config naming
# artifacts/packages, so `dotnet new descope-mcp` makes a server that restores these packages as is; a release or CI
# pack (LOCAL_FEED=false) carries none. Extra arguments go to dotnet pack.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

suffix="${VERSION_SUFFIX-local.$(date -u +%Y%m%d%H%M%S)}"
case "$suffix" in
  local.*) local_feed="${LOCAL_FEED:-true}" ;;
  *) local_feed="${LOCAL_FEED:-false}" ;;
esac

output=artifacts/packages
rm -rf "$output"
mkdir -p "$output"
feed=""
if [ "$local_feed" = true ]; then
  feed="$PWD/$output"
fi
for project in src/Descope.Mcp.AspNetCore src/Descope.Mcp.AspNetCore.Testing templates/Descope.Mcp.Templates; do
  dotnet pack "$project" --configuration Release --output "$output" -p:VERSION_SUFFIX="$suffix" -p:DescopeLocalFeed="$feed" "$@"
done
ls -1 "$output"
version=$(ls "$output" | sed -n 's/^Descope\.Mcp\.AspNetCore\.\([0-9].*\)\.nupkg$/\1/p')
echo "Version $version"
if [ "$local_feed" = true ]; then
  # An earlier pack's template stays installed beside a new one (dotnet new warns and uses the newest): uninstall it first.
  echo "Install this template (the first command only matters after an earlier pack), then make a server:"
  echo "  dotnet new uninstall Descope.Mcp.Templates; dotnet new install $output/Descope.Mcp.Templates.$version.nupkg"
  echo "  dotnet new descope-mcp -o MyServer && cd MyServer && dotnet test"
  echo "The server restores these packages from $feed through its nuget.config; nothing to configure."
fi
