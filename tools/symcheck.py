#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Proves, before anything loads, that modules will link into a kernel.

    symcheck.py MODULE_SYMVERS RELEASE MODULE.ko...

Every symbol a module leaves undefined must be exported by the kernel
(MODULE_SYMVERS, the kernel's Module.symvers) or by another of the modules
named, in a namespace the module imports, and a GPL-only export only to a
module under a GPL-compatible license.  Prints one line per module; on a
mismatch, one line per symbol that says what it means, and exits 1.

A Rust symbol carries its crate's hash, which rustc derives from the crate's
name and its own version text: a kernel crate compiled by another rustc, or
by the right one under another version text, has other hashes and every
Rust symbol of the module misses.  A symbol with the kernel's hashes that
still misses is an item the kernel does not have: other bindings (another
bindgen, whose output order also names some items) or another source.
"""

import re
import subprocess
import sys

# A crate root in a v0-mangled Rust symbol: "Cs<hash>_<len><name>".
CRATE = re.compile(r"Cs([0-9A-Za-z]+)_(\d+)")
# What modpost counts as GPL-compatible (include/linux/license.h).
GPL_COMPATIBLE = {"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
                  "Dual MIT/GPL", "Dual MPL/GPL"}


def crates(symbol):
    """The {crate name: hash} of the crate roots named in @symbol."""
    found = {}
    for match in CRATE.finditer(symbol):
        length = int(match.group(2))
        name = symbol[match.end():match.end() + length]
        found[name] = match.group(1)
    return found


def modinfo(ko, field):
    out = subprocess.run(["modinfo", "-F", field, ko], capture_output=True,
                         text=True, check=True).stdout
    return [line for line in out.splitlines() if line]


def undefined(ko):
    out = subprocess.run(["nm", "-u", ko], capture_output=True, text=True,
                         check=True).stdout
    # A module's own init and exit are resolved by the module loader.
    return [line.split()[-1] for line in out.splitlines()
            if line.split()[-1] not in ("__this_module",)]


def main():
    symvers_file, release, modules = sys.argv[1], sys.argv[2], sys.argv[3:]
    exports, hashes = {}, {}
    for line in open(symvers_file):
        fields = line.rstrip("\n").split("\t")
        _, symbol, owner, kind = fields[:4]
        namespace = fields[4] if len(fields) > 4 else ""
        exports[symbol] = (owner, kind, namespace)
        for name, crate_hash in crates(symbol).items():
            hashes.setdefault(name, set()).add(crate_hash)
    for ko in modules:
        exported = subprocess.run(["nm", "--defined-only", ko], capture_output=True,
                                  text=True, check=True).stdout
        for line in exported.splitlines():
            exports.setdefault(line.split()[-1], (ko, "module", ""))

    failed = False
    for ko in modules:
        license_ok = set(modinfo(ko, "license")) <= GPL_COMPATIBLE
        imports = set(modinfo(ko, "import_ns"))
        problems = []
        symbols = undefined(ko)
        for symbol in symbols:
            owner, kind, namespace = exports.get(symbol, (None, None, None))
            if owner is None:
                problems.append(missing(symbol, release, hashes))
            elif kind == "EXPORT_SYMBOL_GPL" and not license_ok:
                problems.append(f"{symbol}: GPL-only in {release}, and the module is not GPL")
            elif namespace and namespace not in imports:
                problems.append(f"{symbol}: exported in namespace {namespace}, "
                                "which the module does not import")
        if problems:
            failed = True
            print(f"{ko}: {len(problems)} of {len(symbols)} symbols do not resolve in {release}:")
            for problem in problems:
                print(f"  {problem}")
        else:
            print(f"{ko}: all {len(symbols)} undefined symbols are exported by {release}")
    sys.exit(1 if failed else 0)


def missing(symbol, release, hashes):
    """Why @symbol, which @release does not export, is missing."""
    for name, crate_hash in crates(symbol).items():
        known = hashes.get(name)
        if known and crate_hash not in known:
            return (f"{symbol}: not exported by {release}: the module's crate '{name}' "
                    f"has hash Cs{crate_hash}, the kernel's "
                    f"{', '.join('Cs' + h for h in sorted(known))}: "
                    "built by another rustc, or one with another version text, "
                    "than the kernel's CONFIG_RUSTC_VERSION_TEXT")
    if crates(symbol):
        return (f"{symbol}: not exported by {release}, though its crates have the kernel's "
                "hashes: other bindings (another bindgen) or another source version")
    return f"{symbol}: not exported by {release}: another source version or config"


if __name__ == "__main__":
    main()
