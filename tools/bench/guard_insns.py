#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Counts the instructions of one empty scope of the guard, Rust against C.

    guard_insns.py RUST_KO C_KO

Both samples keep one empty scope out of line, as guard_scope():
scoped_with_init_fs() in c_init_fs.c, with_init_fs() in the Rust sample.
This disassembles both and counts the instructions a scope runs when
nothing is wrong (the path that does not reach a warning's ud2), and all
the instructions of the function.  Counts, unlike TCG nanoseconds, do not
depend on the machine or its load.

Prints both listings and one line per sample, and exits 1 if the Rust
scope runs more instructions than C's.  The disassembler is
llvm-objdump$LLVM when LLVM is set (the test kernel), else objdump.
"""

import os
import re
import subprocess
import sys

HEADER = re.compile(r"^([0-9a-f]+) <(.+)>:$")
INSN = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$")
PADDING = {"nop", "nopw", "nopl", "int3", "xchg"}
RETURNS = {"ret", "retq"}


def objdump():
    llvm = os.environ.get("LLVM", "")
    return f"llvm-objdump{llvm}" if llvm else "objdump"


def is_guard_scope(symbol):
    # C's static function keeps its name; Rust's is v0-mangled, ending in
    # the length-prefixed identifier.
    return symbol == "guard_scope" or (symbol.startswith("_R") and symbol.endswith("11guard_scope"))


def function(module):
    """The instructions of MODULE's guard_scope(): (address, mnemonic, operands)."""
    listing = subprocess.run([objdump(), "-d", "--no-show-raw-insn", module],
                             check=True, capture_output=True, text=True).stdout
    found, current = [], None
    for line in listing.splitlines():
        header = HEADER.match(line)
        if header:
            current = [] if is_guard_scope(header.group(2)) else None
            if current is not None:
                found.append((header.group(2), current))
            continue
        insn = INSN.match(line)
        if insn and current is not None:
            current.append((int(insn.group(1), 16), insn.group(2), insn.group(3)))
    if len(found) != 1:
        sys.exit(f"guard_insns.py: {module}: {len(found)} guard_scope functions, not 1")
    name, insns = found[0]
    while insns and insns[-1][1] in PADDING:
        insns.pop()
    return name, insns


def target(operands):
    match = re.match(r"(?:0x)?([0-9a-f]+)\b", operands)
    return int(match.group(1), 16) if match else None


def hot_path(insns):
    """The instructions run from entry to return without reaching ud2."""
    at = {addr: i for i, (addr, _, _) in enumerate(insns)}
    path, i = [], 0
    while i < len(insns) and len(path) <= len(insns):
        addr, mnemonic, operands = insns[i]
        path.append(insns[i])
        if mnemonic in RETURNS or mnemonic == "ud2":
            break
        dest = at.get(target(operands)) if mnemonic.startswith("j") else None
        if mnemonic in ("jmp", "jmpq"):
            if dest is None:
                break  # a tail call or the return thunk: the scope is over
            i = dest
        elif dest is not None and i + 1 < len(insns) and insns[i + 1][1] == "ud2":
            i = dest
        else:
            i += 1
    if path[-1][1] == "ud2":
        sys.exit("guard_insns.py: every path reaches ud2")
    return path


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    counts = {}
    for label, module in (("Rust", sys.argv[1]), ("C", sys.argv[2])):
        name, insns = function(module)
        path = hot_path(insns)
        print(f"{label}: {name} in {os.path.basename(module)}")
        for addr, mnemonic, operands in insns:
            mark = "*" if (addr, mnemonic, operands) in path else " "
            print(f"  {mark} {addr:6x}  {mnemonic} {operands}".rstrip())
        counts[label] = (len(path), len(insns))
    print("(* on the path a scope runs when nothing warns)")
    for label, (run, total) in counts.items():
        print(f"guard scope, {label}: {run} instructions run, {total} in the function")
    if counts["Rust"][0] > counts["C"][0]:
        print(f"FAIL: the Rust scope runs {counts['Rust'][0]} instructions, C's {counts['C'][0]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
