#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fails if Rust code touches a C struct member that vfs/layout.c omits.

    layout_lint.py LAYOUT_C FILE.rs...

Every member that Rust reads or writes in place, through a raw pointer
(`(*ptr).member`, also through bindgen's `__bindgen_anon_N` fields) or in a
C table it builds (`bindings::TYPE { member: ... }`), must have a
RUST_MEMBER line in LAYOUT_C, so that its offset is checked against the C
compiler at build time and against the kernel's BTF.  Members of the
project's own Rust structs are told apart by name: a field that one of the
FILEs declares is not a C member.  A method called on a dereference fails
too: on a C struct it is one of bindgen's bitfield accessors, which set
bits the layout check cannot place (the C helpers set bitfields instead).
Prints one line per omission.
"""

import re
import sys

# A dereference and the member path after it, up to a method call.
RAW = re.compile(r"\(\*[^()]*(?:\([^()]*\)[^()]*)*\)((?:\s*\.\s*\w+\b(?!\s*\())+)")
# A method called on a dereference or a member of one: on a C struct, that
# is one of bindgen's bitfield accessors, whose bit positions no layout
# check sees.
METHOD = re.compile(r"\(\*[^()]*(?:\([^()]*\)[^()]*)*\)((?:\s*\.\s*\w+\b(?!\s*\())*)\s*\.\s*(\w+)\s*\(")
TABLE = re.compile(r"bindings::(\w+)\s*\{")
# One-member C wrappers of an integer (typedef struct { uid_t val; } kuid_t):
# no struct tag for offsetof(), and nothing to misplace.
WRAPPERS = {("kuid_t", "val"), ("kgid_t", "val")}
FIELD_DECL = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?(\w+)\s*:\s*[^,;{]+,?\s*$")


def strip_comments(text):
    return re.sub(r"//[^\n]*", "", text)


def main():
    layout_c, files = sys.argv[1], sys.argv[2:]
    listed = set(re.findall(r"RUST_MEMBER\((\w+),\s*(\w+)\)", open(layout_c).read()))
    members = {m for _, m in listed}
    sources = {f: strip_comments(open(f).read()) for f in files}
    own = set()
    for text in sources.values():
        for line in text.splitlines():
            m = FIELD_DECL.match(line)
            if m:
                own.add(m.group(1))

    missing = []
    for path, text in sources.items():
        for m in METHOD.finditer(text):
            # On a member of one of the project's own structs, it is a
            # method of a Rust type.
            chain = re.findall(r"\w+", m.group(1))
            if chain and chain[0] in own:
                continue
            line = text.count("\n", 0, m.start()) + 1
            missing.append(f"{path}:{line}: (*...).{m.group(2)}() calls a method in place: a bitfield "
                           "accessor's bits are not checked; set bitfields in C")
        for m in RAW.finditer(text):
            chain = [f for f in re.findall(r"\w+", m.group(1)) if not f.startswith("__bindgen_anon_")]
            for field in chain:
                if field not in members and field not in own:
                    line = text.count("\n", 0, m.start()) + 1
                    missing.append(f"{path}:{line}: (*...).{field} has no RUST_MEMBER(..., {field}) in {layout_c}")
        for m in TABLE.finditer(text):
            struct, depth, i = m.group(1), 1, m.end()
            while depth and i < len(text):
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
            body = text[m.end():i - 1]
            # The members this literal names, at its own level.
            level, names = 0, []
            for token in re.finditer(r"[{}]|(\w+)\s*:(?!:)", body):
                if token.group(0) in "{}":
                    level += 1 if token.group(0) == "{" else -1
                elif level == 0:
                    names.append(token.group(1))
            for name in names:
                if (struct, name) not in listed and (struct, name) not in WRAPPERS:
                    line = text.count("\n", 0, m.start()) + 1
                    missing.append(f"{path}:{line}: bindings::{struct} {{ {name}: ... }} has no "
                                   f"RUST_MEMBER({struct}, {name}) in {layout_c}")
    for problem in sorted(set(missing)):
        print(problem)
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
