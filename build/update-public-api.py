#!/usr/bin/env python3
"""Records new public API in each library's PublicAPI.Unshipped.txt from the analyzer's RS0016 diagnostics and drops
entries it reports as removed (RS0017). Review the diff before committing."""
import pathlib, re, subprocess

root = pathlib.Path(__file__).resolve().parent.parent
for project in sorted((root / "src").glob("*/*.csproj")):
    log = subprocess.run(["dotnet", "build", str(project), "-nologo"], capture_output=True, text=True).stdout
    added = set(re.findall(r"RS0016: Symbol '(.*?)' is not part of the declared public API", log))
    removed = set(re.findall(r"RS0017: Symbol '(.*?)' is part of the declared API", log))
    unshipped = project.parent / "PublicAPI.Unshipped.txt"
    lines = {l for l in unshipped.read_text().splitlines() if l and not l.startswith("#nullable")}
    lines = (lines | added) - removed
    unshipped.write_text("#nullable enable\n" + "".join(l + "\n" for l in sorted(lines)))
    print(f"{project.stem}: {len(added)} added, {len(removed)} removed")
