#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Counts the results of make check against what it expects to see.

    results.py KUNIT_PY EXPECTED RESULTS_DIR [--write]

EXPECTED (tools/expected_tests.txt) names every test that must report:
every KUnit case of every suite, every kselftest of every binary, every
boot and every check of each PID 1 boot. The KTAP of the KUnit suites and
the TAP of the kselftest binaries are read with the kernel's own parser
(KUNIT_PY is tools/testing/kunit/kunit.py of the cached tree, run as
`kunit.py parse --json`). A test that is expected but did not report, a
binary that reported fewer tests than its plan, and a test that reported
but is not expected each fail, with their names; so does a test that
skipped unless its line starts with "may-skip ". A line "not-here KIND
GROUP NAME -- WHY" names a test that cannot run on this kernel (NAME "*":
every test of GROUP): it is printed with its reason ("n/a: ...") and not
counted, whether it did not report or reported that it skipped; it fails
if it passes or fails after all.

A case that reports twice fails ("(duplicate NAME)"): a FAIL followed by
a PASS of the same name must not read as a pass. A result with a TODO or
XFAIL directive is not a pass either: it counts as a failure named after
its directive.

Prints one line per test ("ok: ...", "FAIL: ...", "skip: ...") and, last,
"counts PASSED FAILED SKIPPED" for tools/check.sh. With --write it instead
rewrites EXPECTED with every test that reported, for a change that adds or
removes tests on purpose (review the diff).
"""

import json
import pathlib
import re
import subprocess
import sys
import tempfile


# The prefix of a line of EXPECTED whose test may skip; any other test that
# skips fails, so that a missing kernel feature cannot pass for a test.
MAY_SKIP = "may-skip "
# The prefix of a line of EXPECTED whose test cannot run on the kernel the
# list is for, and the separator of the reason that follows.
NOT_HERE, BECAUSE = "not-here ", " -- "
# A (K)TAP result line with a directive that the kernel's parser would read
# as a pass.
NOT_A_PASS = re.compile(r"^\s*(?:not )?ok \d+ (.*?)\s+#\s*(TODO|XFAIL)\b", re.IGNORECASE)


def parse_tap(kunit_py, path):
    """The test cases of a (K)TAP file, as {group: {case: status}}."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        run = subprocess.run(
            [sys.executable, kunit_py, "parse", f"--json={out.name}", str(path)],
            capture_output=True, text=True, check=False)
        try:
            tree = json.load(open(out.name))
        except (OSError, ValueError):
            return None, run.stdout + run.stderr
    cases = {}
    directives = {}
    for line in pathlib.Path(path).read_text(errors="replace").splitlines():
        match = NOT_A_PASS.match(line)
        if match:
            directives[match.group(1).strip()] = match.group(2).upper()

    def walk(group, name):
        for case in group.get("test_cases", []):
            # The parser reports a result missing from a plan as a nameless
            # case: the plan's failure below counts it.
            if case["name"].strip():
                of_group = cases.setdefault(name, {})
                if case["name"] in of_group:
                    of_group[f"(duplicate {case['name']})"] = "FAIL"
                of_group[case["name"]] = directives.get(case["name"], case["status"])
        for sub in group.get("sub_groups", []):
            walk(sub, sub["name"])
        # A group that reported errors (a plan it did not meet, a missing
        # result) counts as one failure of its own.
        if group.get("misc", {}).get("errors", 0) or group.get("misc", {}).get("crashed", 0):
            cases.setdefault(name, {})["(plan)"] = "FAIL"

    walk(tree, "")
    return cases, run.stdout


def failure_log(tap, case, limit=30):
    """The last @limit lines that @tap printed for its failed @case: what
    came after the result before it, up to its "not ok" line; for a case
    with no such line (a binary that crashed), the end of @tap."""
    lines = tap.read_text(errors="replace").splitlines()
    failed = re.compile(r"not ok \d+ (global\.)?" + re.escape(case) + r"(\s|$)")
    for end, line in enumerate(lines):
        if failed.match(line):
            start = end
            while start > 0 and not re.match(r"(not )?ok \d+ ", lines[start - 1]):
                start -= 1
            return lines[start:end][-limit:]
    return lines[-limit:]


def write_expected(path, seen):
    """Rewrites @path with the tests in @seen, keeping its header; a test
    that skipped is written as one that may skip (review the diff)."""
    header = []
    for line in open(path):
        if not line.startswith("#"):
            break
        header.append(line)
    with open(path, "w") as f:
        f.writelines(header)
        for key in sorted(k for k in seen if not k[2].startswith("(")):
            prefix = MAY_SKIP if seen[key] == "SKIP" else ""
            f.write(prefix + " ".join(key) + "\n")


def main():
    kunit_py, expected_file, results = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]).resolve()
    write = sys.argv[4:] == ["--write"]
    expected, may_skip, not_here = [], set(), {}
    for line in open(expected_file):
        line = line.split("#", 1)[0].strip()
        if line.startswith(NOT_HERE):
            test, why = line[len(NOT_HERE):].split(BECAUSE, 1)
            kind, group, case = test.split(None, 2)
            not_here[(kind, group, case)] = why.strip()
        elif line:
            skippable = line.startswith(MAY_SKIP)
            kind, group, case = line[len(MAY_SKIP) if skippable else 0:].split(None, 2)
            expected.append((kind, group, case))
            if skippable:
                may_skip.add((kind, group, case))

    seen = {}

    def record(key, status):
        if key in seen:
            seen[key[:2] + (f"(duplicate {key[2]})",)] = "FAIL"
        seen[key] = status

    for ktap in sorted(results.glob("kunit-*.ktap")):
        cases, log = parse_tap(kunit_py, ktap)
        if cases is None:
            print(f"FAIL: kunit: {ktap.name} did not parse: {log.strip()[-200:]}")
            seen[("kunit", ktap.stem, "(parse)")] = "FAIL"
            continue
        for suite, results_of_suite in cases.items():
            for case, status in results_of_suite.items():
                record(("kunit", suite or ktap.stem[len("kunit-"):], case), status)
    for tap in sorted(results.glob("kselftest-*.tap")):
        binary = tap.stem[len("kselftest-"):]
        cases, log = parse_tap(kunit_py, tap)
        if cases is None:
            print(f"FAIL: kselftest: {binary} did not parse: {log.strip()[-200:]}")
            seen[("kselftest", binary, "(parse)")] = "FAIL"
            continue
        for results_of_group in cases.values():
            for case, status in results_of_group.items():
                # The harness names a test FIXTURE.NAME or global.NAME.
                if case.startswith("(duplicate global."):
                    case = "(duplicate " + case[len("(duplicate global."):]
                case = case.split(".", 1)[1] if case.startswith("global.") else case
                record(("kselftest", binary, case), status)
        exit_file = tap.with_suffix(".exit")
        status = exit_file.read_text().split()[-1] if exit_file.exists() else "unknown"
        # 0 is all passed, 4 (KSFT_SKIP) all skipped; failures are counted
        # from the TAP, and any other status with none is a crash.
        if status not in ("0", "4") and not any(
                s == "FAIL" for k, s in seen.items() if k[:2] == ("kselftest", binary)):
            seen[("kselftest", binary, "(exit status)")] = "FAIL"
    for console in sorted(results.glob("boot-*.log")):
        scenario = console.stem[len("boot-"):]
        for line in console.read_text(errors="replace").splitlines():
            for prefix, status in (("boot: ok ", "PASS"), ("boot: not ok ", "FAIL")):
                if line.startswith(prefix):
                    record(("boot", scenario, line[len(prefix):].split(" ", 1)[1]), status)

    if write:
        write_expected(expected_file, seen)
        print(f"results.py: wrote {expected_file}")
        return

    passed = failed = skipped = 0
    failed_cases = []
    for key in expected:
        status = seen.pop(key, None)
        what = " ".join(key)
        if status is None:
            print(f"FAIL: {what}: expected, but it did not report")
            failed += 1
        elif status == "PASS":
            print(f"ok: {what}")
            passed += 1
        elif status == "SKIP" and key in may_skip:
            print(f"skip: {what}")
            skipped += 1
        elif status == "SKIP":
            print(f"FAIL: {what} (skipped, which it may not)")
            failed += 1
        else:
            print(f"FAIL: {what} ({status.lower()})")
            failed_cases.append(key)
            failed += 1
    for key, why in not_here.items():
        reported = [k for k in seen if k == key or (key[2] == "*" and k[:2] == key[:2])]
        ran = [k for k in reported if seen[k] != "SKIP"]
        print(f"n/a: {' '.join(key)}: {why}"
              + (f" ({len(reported)} reported a skip)" if reported and not ran else ""))
        for k in reported:
            status = seen.pop(k)
            if k in ran:
                print(f"FAIL: {' '.join(k)} ({status.lower()}): it ran, but "
                      f"{expected_file} says it cannot run here ({why})")
                failed += 1
    for key, status in sorted(seen.items()):
        what = " ".join(key)
        if key[2].startswith("("):
            print(f"FAIL: {what}")
            failed_cases.append(key)
        else:
            print(f"FAIL: {what} ({status.lower()}): not in {expected_file}")
        failed += 1
    # What a failed kselftest printed, last, where a log cut short to its
    # start and end still shows it.
    for kind, binary, case in failed_cases:
        tap = results / f"kselftest-{binary}.tap"
        if kind == "kselftest" and tap.exists():
            print(f"log of {kind} {binary} {case}:")
            for line in failure_log(tap, case):
                print(f"  {line}")
    print(f"counts {passed} {failed} {skipped}")


if __name__ == "__main__":
    main()
