#!/usr/bin/env python3
"""Counts the test results of every TRX file under the given folders by each result's outcome, and prints one line:
"N passed, N failed" (with ", N skipped" when tests were skipped). A run that reported no result at all, or whose test
host crashed or was aborted, is said to have crashed before that line, and counts as failed. Exits 1 when any test
failed or any run crashed."""
import glob, sys, xml.etree.ElementTree as ET

ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
crashed = []
files = [path for folder in sys.argv[1:] for path in glob.glob(f"{folder}/**/*.trx", recursive=True)]
for path in files:
    root = ET.parse(path).getroot()
    for result in root.iterfind("t:Results/t:UnitTestResult", ns):
        outcome = result.get("outcome", "")
        if outcome == "Passed":
            passed += 1
        elif outcome in ("NotExecuted", "Inconclusive", "Pending", "Disconnected"):
            skipped += 1
        else:
            failed += 1
    summary = root.find("t:ResultSummary", ns)
    messages = [text.text or "" for text in root.iterfind("t:ResultSummary/t:RunInfos/t:RunInfo/t:Text", ns)]
    if summary is not None and (summary.get("outcome") in ("Aborted", "Error")
                                or any("crashed" in m or "aborted" in m for m in messages)):
        crashed.append(f"{path}: " + " ".join(m.strip() for m in messages if m.strip())[:500])

if not files:
    crashed.append("no test results were written: the test run crashed or did not start")
for line in crashed:
    print("TEST RUN CRASHED: " + line)
print(f"{passed} passed, {failed + len(crashed)} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed or crashed else 0)
