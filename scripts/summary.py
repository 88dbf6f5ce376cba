#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""summary.py - count test cases across meson test logs and extra results.

Each TAP test counts its "ok"/"not ok" lines; a test without TAP output counts
once, by its result. Extra results come as lines "name PASS|FAIL|SKIP" in
files given with --extra. Under CI=true a skip is a failure. Prints the plain
closing line "N passed, N failed, N skipped" and exits non-zero on failure.
"""
import json, os, re, sys

def main(argv):
    logs, extras = [], []
    it = iter(argv)
    for a in it:
        if a == "--extra":
            extras.append(next(it))
        else:
            logs.append(a)
    ci = os.environ.get("CI") in ("true", "1")
    passed = failed = skipped = 0
    failures = []
    for log in logs:
        if not os.path.exists(log):
            print(f"summary: no test log {log}: that stage did not run")
            failed += 1
            failures.append(log)
            continue
        with open(log) as f:
            for line in f:
                t = json.loads(line)
                name, result, out = t["name"], t["result"], t.get("stdout") or ""
                tap = [l for l in out.splitlines() if re.match(r"(not )?ok \d+", l)]
                if result in ("TIMEOUT", "ERROR", "FAIL") and not any(l.startswith("not ok") for l in tap):
                    failed += 1
                    failures.append(f"{name} ({result})")
                if tap:
                    for l in tap:
                        if l.startswith("not ok"):
                            failed += 1
                            failures.append(f"{name}: {l}")
                        elif "# SKIP" in l and "not selected" not in l:
                            skipped += 1
                        else:
                            passed += 1
                elif result == "OK":
                    passed += 1
                elif result == "SKIP":
                    skipped += 1
    for extra in extras:
        with open(extra) as f:
            for line in f:
                parts = line.split(None, 1)
                if len(parts) != 2:
                    continue
                res, name = parts[0], parts[1].strip()
                if res == "PASS":
                    passed += 1
                elif res == "SKIP":
                    skipped += 1
                else:
                    failed += 1
                    failures.append(name)
    if ci and skipped:
        print(f"summary: {skipped} skipped under CI=true: a skip in CI is a failure")
        failed += skipped
    for f in failures:
        print(f"FAILED: {f}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
