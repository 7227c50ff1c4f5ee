#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Keep the behaviour tables of the documents true to the tests' output.

usage: doc_tables.py RESULTS_DIR [--write]

Some kselftests print a table of what they found as TAP comment lines
between two markers:

    # doc-table: NAME begin
    # ...the table, an rst simple table...
    # doc-table: NAME end

and the document that shows it carries the same table between two rst
comments:

    .. doc-table: NAME begin

    ...the table...

    .. doc-table: NAME end

This reads RESULTS_DIR/kselftest-TEST.tap of each test below and compares
every table it printed with the document's; a document may show the
tables of several tests.  Without --write it exits 1,
with a unified diff (document -> test output), if a table differs or a
marker is missing on either side.  With --write it rewrites the documents'
tables from the test output instead (the markers must be there already).
make check (tools/check.sh) runs it on the results of its boot.
"""
import difflib
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The tests whose TAP output holds the tables, and the document that shows them.
DOCS = [
    (("masking",), "Documentation/masking.rst"),
    (("empty_root",), "Documentation/empty_root.rst"),
    (("oci", "mntns_instance"), "Documentation/containers.rst"),
]

TAP_MARKER = re.compile(r"^# doc-table: (\S+) (begin|end)\s*$")
RST_MARKER = re.compile(r"^\.\. doc-table: (\S+) (begin|end)\s*$")


class Error(Exception):
    pass


def tap_tables(path):
    """{name: [line, ...]} of the tables the test printed to @path."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise Error(f"{path}: {e.strerror}") from e
    tables, name, rows = {}, None, []
    for n, line in enumerate(lines, 1):
        m = TAP_MARKER.match(line)
        if m and m.group(2) == "begin":
            if name is not None:
                raise Error(f"{path}:{n}: table {m.group(1)} begins inside table {name}")
            if m.group(1) in tables:
                raise Error(f"{path}:{n}: table {m.group(1)} printed twice")
            name, rows = m.group(1), []
        elif m:
            if m.group(1) != name:
                raise Error(f"{path}:{n}: end of table {m.group(1)} outside it")
            tables[name], name = rows, None
        elif name is not None:
            if not line.startswith("#"):
                # Another process's output got in between: not a table line.
                raise Error(f"{path}:{n}: not a TAP comment in table {name}: {line!r}")
            rows.append(line[2:].rstrip() if line.startswith("# ") else line[1:].rstrip())
    if name is not None:
        raise Error(f"{path}: table {name} does not end (did the test die?)")
    return tables


def rst_tables(path, lines):
    """{name: (first, last)}: the tables between markers in @lines, as the
    indices of the lines after the begin marker and of the end marker."""
    tables, name, first = {}, None, 0
    for n, line in enumerate(lines):
        m = RST_MARKER.match(line)
        if not m:
            continue
        if m.group(2) == "begin":
            if name is not None:
                raise Error(f"{path}:{n + 1}: table {m.group(1)} begins inside table {name}")
            if m.group(1) in tables:
                raise Error(f"{path}:{n + 1}: table {m.group(1)} appears twice")
            name, first = m.group(1), n + 1
        else:
            if m.group(1) != name:
                raise Error(f"{path}:{n + 1}: end of table {m.group(1)} outside it")
            tables[name], name = (first, n), None
    if name is not None:
        raise Error(f"{path}: no '.. doc-table: {name} end'")
    return tables


def strip_blank(rows):
    rows = [r.rstrip() for r in rows]
    while rows and not rows[0]:
        rows.pop(0)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def check_doc(results, tests, doc, write):
    """Compares (or with @write, updates) @doc; returns the problems found."""
    doc_path = os.path.join(TOP, doc)
    problems, printed = [], {}
    for test in tests:
        tap = os.path.join(results, f"kselftest-{test}.tap")
        tables = tap_tables(tap)
        if not tables:
            problems.append(f"{tap}: no '# doc-table: NAME begin' ... 'end' (did the test run?)")
        for name in set(tables) & set(printed):
            problems.append(f"{tap}: table {name} is printed by another test too")
        printed.update(tables)
    tap = " or ".join(os.path.join(results, f"kselftest-{test}.tap") for test in tests)
    with open(doc_path, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    shown = rst_tables(doc, lines)
    for name in sorted(set(shown) - set(printed)):
        problems.append(f"{doc}: table {name}: {tap} has no such table")
    for name in sorted(set(printed) - set(shown)):
        problems.append(f"{doc}: no '.. doc-table: {name} begin' ... 'end' for the table "
                        f"{tap} printed")
    # From the last table up, so that the line numbers of the others hold.
    changed, diffs = False, []
    for name, (first, last) in sorted(shown.items(), key=lambda kv: -kv[1][0]):
        if name not in printed:
            continue
        want = printed[name]
        have = strip_blank(lines[first:last])
        if have == want:
            continue
        if write:
            lines[first:last] = [""] + want + [""]
            changed = True
        else:
            diff = difflib.unified_diff(
                have, want, lineterm="",
                fromfile=f"{doc} (table {name})",
                tofile=f"{tap} (table {name})")
            diffs.insert(0, f"{doc}: table {name} differs from what the test printed:\n" +
                         "\n".join(diff))
    problems += diffs
    if changed:
        with open(doc_path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        print(f"doc_tables.py: updated {doc}")
    return problems


def main(argv):
    args = [a for a in argv[1:] if a != "--write"]
    write = len(args) != len(argv) - 1
    if len(args) != 1 or args[0].startswith("-"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    results = args[0]
    problems = []
    for tests, doc in DOCS:
        try:
            problems += check_doc(results, tests, doc, write)
        except Error as e:
            problems.append(str(e))
    for p in problems:
        print(f"doc_tables.py: error: {p}")
    if not problems:
        print(f"doc_tables.py: {'written' if write else 'the same'}: "
              + ", ".join(doc for _, doc in DOCS))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
