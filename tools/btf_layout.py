#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks the layouts a module was built with against a kernel's own BTF.

    btf_layout.py [--tap] INPUT... BTF

BTF is the kernel's type information: a vmlinux with a .BTF section (a
distribution's headers ship one), or /sys/kernel/btf/vmlinux of the
running kernel.  An INPUT is one of:

- the vfs/layout.rs of a module build, or the vfs/layout.s it is made
  from: every struct size and every member offset and size that the
  module's Rust code and its C helpers rely on, as the C compiler of that
  build laid them out (vfs/layout.c).  The entries of several are checked
  as one, one result per struct.
- an object of the module (.o), built with debug info: every struct and
  union that appears complete in its DWARF, as pahole reads it: for a C
  object as its compiler laid them out, bitfields included; for the Rust
  crate as bindgen did.  One result per object.
- a module's .mod file, kbuild's list of the objects it links: each of
  them.

Every entry must match the kernel's BTF.  Every struct and union of an
object must be laid out as one of that name in it (or as the one a typedef
of that name stands for): its size, and each member's offset and size or
bit width, those of anonymous and bindgen's __bindgen_ty types within it
included; a bitfield unit of bindgen's must cover bitfields of the
kernel's.  Not compared: the members bindgen adds that C does not have;
types the kernel's BTF lacks (the kernel crate's own, those of headers
vmlinux does not use); and those declared in the object's own source
files, whose names a kernel struct may share (for Rust objects pahole
reports no file, and the module's Rust types have Rust names).  A mismatch
names the member, both offsets, and what usually causes it.

Exits 0 if everything matches; 1 on a mismatch, or for an object with no
type of the kernel's to compare (no debug info, reduced debug info);
2 if the check cannot run: the kernel's BTF or an INPUT cannot be read,
or pahole (dwarves) is not installed.  With --tap, prints one TAP result
per struct and per object.
"""

import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile

CAUSE = ("the module was built from a config or source other than the "
         "running kernel's (a config regenerated with other compilers drops "
         "options such as SCHED_CLASS_EXT; another source version moves "
         "members)")

KIND_INT, KIND_PTR, KIND_ARRAY, KIND_STRUCT, KIND_UNION, KIND_ENUM = 1, 2, 3, 4, 5, 6
KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT = 8, 9, 10, 11
KIND_FUNC_PROTO, KIND_VAR, KIND_DATASEC, KIND_FLOAT = 13, 14, 15, 16
KIND_DECL_TAG, KIND_TYPE_TAG, KIND_ENUM64 = 17, 18, 19
SIZED = {KIND_INT, KIND_STRUCT, KIND_UNION, KIND_ENUM, KIND_FLOAT, KIND_DATASEC, KIND_ENUM64}
MODIFIERS = {KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT, KIND_TYPE_TAG}
RECORDS = (KIND_STRUCT, KIND_UNION)

# Differences shown of one struct of an object; the rest are counted.
MAX_SHOWN = 5
# Members bindgen adds that C does not have: padding, the storage of a
# union it could not express as a Rust union, an opaque type's bytes, and
# a bitfield unit's alignment.
BINDGEN_OWN = ("__bindgen_padding_", "bindgen_union_field", "_bindgen_opaque_blob", "_bitfield_align_")
# A unit of bindgen's that holds a run of C bitfields.
BITFIELD_UNIT = "_bitfield_"
# What bindgen emits for a struct it has only a declaration of (`_unused`)
# and for one that is empty to it (`_address`): nothing of C's to compare.
BINDGEN_PLACEHOLDERS = ({"_unused"}, {"_address"})


class CannotCheck(Exception):
    """The check cannot run at all (exit 2)."""


def elf_section(data, wanted):
    """The contents of section @wanted of the ELF file @data, or None."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)

    def section(i):
        name, _, _, _, offset, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        return name, offset, size

    _, names_off, _ = section(shstrndx)
    key = wanted.encode() + b"\0"
    for i in range(shnum):
        name, offset, size = section(i)
        if data[names_off + name:names_off + name + len(key)] == key:
            return data[offset:offset + size]
    return None


def btf_bytes(path):
    """The raw BTF of @path: the file itself, or an ELF file's .BTF."""
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF":
        return data
    btf = elf_section(data, ".BTF")
    if btf is None:
        raise ValueError(f"{path} has no .BTF section")
    return btf


def pahole(*args):
    """pahole's output for @args: CannotCheck if there is no pahole,
    ValueError if it fails."""
    try:
        run = subprocess.run(["pahole", *args], capture_output=True, text=True, check=False)
    except OSError as err:
        raise CannotCheck(f"cannot run pahole (dwarves): {err}") from err
    if run.returncode:
        raise ValueError(f"pahole {' '.join(args)}: {run.stderr.strip()[-300:]}")
    return run.stdout


class Btf:
    """The types of a BTF blob, enough to lay out structs."""

    def __init__(self, data):
        magic, _, _, hdr_len, type_off, type_len, str_off, _ = struct.unpack_from("<HBBIIIII", data)
        if magic != 0xEB9F:
            raise ValueError("not BTF (bad magic)")
        self.strings = data[hdr_len + str_off:]
        self.types = [None]
        self.records = {}
        self.typedefs = {}
        pos, end = hdr_len + type_off, hdr_len + type_off + type_len
        while pos < end:
            name_off, info, size_or_type = struct.unpack_from("<III", data, pos)
            pos += 12
            kind, vlen, kflag = (info >> 24) & 0x1F, info & 0xFFFF, info >> 31
            members = []
            if not 1 <= kind <= KIND_ENUM64:
                raise ValueError(f"BTF kind {kind} is unknown to this script")
            if kind in (KIND_INT, KIND_VAR, KIND_DECL_TAG):
                pos += 4
            elif kind == KIND_ARRAY:
                elem, _, nelems = struct.unpack_from("<III", data, pos)
                members = (elem, nelems)
                pos += 12
            elif kind in RECORDS:
                for _ in range(vlen):
                    m_name, m_type, m_off = struct.unpack_from("<III", data, pos)
                    # With kflag, a bitfield's width is in the top byte.
                    members.append((self.string(m_name), m_type, m_off & 0xFFFFFF if kflag else m_off,
                                    m_off >> 24 if kflag else 0))
                    pos += 12
            elif kind in (KIND_ENUM, KIND_FUNC_PROTO):
                pos += 8 * vlen
            elif kind in (KIND_DATASEC, KIND_ENUM64):
                pos += 12 * vlen
            name = self.string(name_off)
            self.types.append((kind, name, size_or_type, members))
            if kind in RECORDS and name and vlen:
                self.records.setdefault(name, []).append(len(self.types) - 1)
            elif kind == KIND_TYPEDEF:
                self.typedefs.setdefault(name, len(self.types) - 1)

    def string(self, off):
        return self.strings[off:self.strings.index(b"\0", off)].decode()

    def size(self, type_id):
        kind, _, size_or_type, members = self.types[type_id]
        if kind in SIZED:
            return size_or_type
        if kind == KIND_PTR:
            return 8
        if kind == KIND_ARRAY:
            return members[1] * self.size(members[0])
        if kind in MODIFIERS:
            return self.size(size_or_type)
        raise ValueError(f"type {type_id} (kind {kind}) has no size")

    def resolve(self, type_id):
        while self.types[type_id][0] in MODIFIERS:
            type_id = self.types[type_id][2]
        return type_id

    def struct_id(self, name):
        """The type id of the struct @name, or None."""
        return next((t for t in self.records.get(name, []) if self.types[t][0] == KIND_STRUCT), None)

    def member(self, type_id, name):
        """(byte offset, size) of @name in struct or union @type_id, looking
        into anonymous members as C does; None if there is none."""
        for m_name, m_type, bit_off, _ in self.types[type_id][3]:
            if m_name == name:
                return bit_off // 8, self.size(m_type)
            if not m_name:
                inner = self.member(self.resolve(m_type), name)
                if inner is not None:
                    return bit_off // 8 + inner[0], inner[1]
        return None

    def candidates(self, kind, name):
        """The kernel's structs or unions (@kind) called @name, directly or
        through a typedef of that name."""
        found = [t for t in self.records.get(name, []) if self.types[t][0] == kind]
        if name in self.typedefs:
            target = self.resolve(self.typedefs[name])
            if self.types[target][0] == kind:
                found.append(target)
        return found

    def leaves(self, type_id, prefix="", base=0):
        """{member: (bit offset, bitfield width, size)} of struct or union
        @type_id: its named members, those of its anonymous members (C's,
        and bindgen's __bindgen_anon_N) as its own, and those of a member
        whose type has no name of its own (C's anonymous types, bindgen's
        __bindgen_ty_N) as "member.inner".  Left out: bindgen's own
        members other than its bitfield units, and the zero-sized members
        that stand for a union member it could not express
        (__BindgenUnionField<T>), whose T is out of reach."""
        leaves = {}
        for name, m_type, bit_off, bits in self.types[type_id][3]:
            inner = self.resolve(m_type)
            kind, type_name = self.types[inner][:2]
            offset = base + bit_off
            if name.startswith(BINDGEN_OWN) or type_name.startswith("__BindgenUnionField<"):
                continue
            nested = kind in RECORDS and (not type_name or "__bindgen_ty_" in type_name)
            if not name or name.startswith("__bindgen_anon_"):
                if kind in RECORDS:
                    leaves.update(self.leaves(inner, prefix, offset))
                continue
            try:
                size = self.size(m_type)
            except ValueError:
                size = None
            leaves[prefix + name] = (offset, bits, size)
            if nested:
                leaves.update(self.leaves(inner, f"{prefix}{name}.", offset))
        return leaves


def kernel_name(member, kernel_leaves):
    """@member as C names it: bindgen appends '_' to a Rust keyword."""
    if member not in kernel_leaves and member.endswith("_") and member[:-1] in kernel_leaves:
        return member[:-1]
    return member


def differences(build, build_id, kernel, kernel_id):
    """How struct or union @build_id of @build differs from @kernel_id of
    @kernel: one line per member, empty if they agree."""
    problems = []
    name = build.types[build_id][1]
    build_size, kernel_size = build.size(build_id), kernel.size(kernel_id)
    if build_size != kernel_size:
        problems.append(f"{name}: {build_size} bytes in the build, {kernel_size} in the kernel")
    kernel_leaves = kernel.leaves(kernel_id)
    for member, (bit_off, bits, size) in build.leaves(build_id).items():
        parent, _, last = member.rpartition(".")
        siblings = {m: v for m, v in kernel_leaves.items() if m.rpartition(".")[0] == parent}
        if last.startswith(BITFIELD_UNIT):
            # The unit may stand for C's unnamed padding bitfields, which
            # BTF leaves out; but no plain member of C's may be inside it.
            inside = [m for m, (off, width, msize) in siblings.items()
                      if not width and msize and bit_off <= off < bit_off + 8 * size]
            if inside:
                problems.append(f"{name}.{member}: bindgen's bitfield unit at offset {bit_off // 8} "
                                f"({size} bytes) covers the kernel's {', '.join(inside)}")
            continue
        real = kernel_leaves.get(kernel_name(member, kernel_leaves))
        if real is None and parent and not siblings:
            # The kernel's member is of a named type, compared on its own.
            continue
        if real is None:
            problems.append(f"{name}.{member}: not in the kernel's {name}")
        elif real[:2] != (bit_off, bits) or (size and real[2] != size):
            where = [f"bit {o} ({w} bits)" if w else f"offset {o // 8} (size {z})"
                     for o, w, z in ((bit_off, bits, size), real)]
            problems.append(f"{name}.{member}: {where[0]} in the build, {where[1]} in the kernel")
    return problems


def object_types(path):
    """The types of object @path as BTF, which pahole makes from its DWARF,
    and the names of those declared in the object's own source files."""
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF":
        raise ValueError("not an ELF object")
    if elf_section(data, ".debug_info") is None:
        raise ValueError("no debug info (a kernel without CONFIG_DEBUG_INFO)")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "types.btf")
        pahole(f"--btf_encode_detached={out}", path)
        btf = Btf(open(out, "rb").read())
    decls = pahole("--show_decl_info", path)
    sources = set(re.findall(r"/\* Used at: (\S+) \*/", decls))
    # "/* <die> FILE:LINE */" on the line before each type's definition.
    decl = re.compile(r"/\* <[0-9a-f]+> (\S+):\d+ \*/\n(?:struct|union) (\S+) \{")
    own = {name for file, name in decl.findall(decls) if file in sources}
    return btf, own


def compare_object(build, own, kernel):
    """(structs and unions that match, those not compared, problems) for
    the complete structs and unions of an object's types @build but those
    named in @own."""
    matched, unknown, problems = 0, 0, []
    for name, ids in sorted(build.records.items()):
        candidates = kernel.candidates(build.types[ids[0]][0], name)
        if name in own or not candidates:
            unknown += 1
            continue
        for build_id in ids:
            if {m[0] for m in build.types[build_id][3]} in BINDGEN_PLACEHOLDERS:
                continue
            # The kernel may have several of a name (one per translation
            # unit that defines its own); the build's must be one of them.
            found = [differences(build, build_id, kernel, k) for k in candidates]
            if all(found):
                problems.extend(found[0][:MAX_SHOWN])
                if len(found[0]) > MAX_SHOWN:
                    problems.append(f"{name}: and {len(found[0]) - MAX_SHOWN} more members differ")
            else:
                matched += 1
    return matched, unknown, problems


def layout_entries(text):
    """{struct: {(member or "(size)", offset or size, size): None}} of the
    text of layout files."""
    # Struct sizes are `NAME: usize`, members `STRUCT__MEMBER: (usize, usize)`;
    # in the assembly, immediates have a '$'.
    entries = {}
    for line in text.replace("$", "").splitlines():
        m = re.search(r"pub\(crate\) const (\w+): usize = (\d+);", line)
        if m and m.group(1).islower():
            entries.setdefault(m.group(1), {})[("(size)", int(m.group(2)), None)] = None
        m = re.search(r"pub\(crate\) const (\w+?)__(\w+): \(usize, usize\) = \((\d+), (\d+)\);", line)
        if m:
            entries.setdefault(m.group(1), {})[(m.group(2), int(m.group(3)), int(m.group(4)))] = None
    return entries


def entry_problems(btf, name, entries):
    """How the layout entries of struct @name differ from @btf's."""
    type_id = btf.struct_id(name)
    if type_id is None:
        return [f"struct {name}: not in the kernel's BTF"]
    problems = []
    for member, offset, size in entries:
        if member == "(size)":
            real = btf.size(type_id)
            if real != offset:
                problems.append(f"struct {name}: {offset} bytes in the build, {real} in the kernel")
            continue
        real = btf.member(type_id, member)
        if real is None:
            problems.append(f"{name}.{member}: not in the kernel's struct {name}")
        elif real != (offset, size):
            problems.append(f"{name}.{member}: offset {offset} (size {size}) in the build, "
                            f"offset {real[0]} (size {real[1]}) in the kernel")
    return problems


def module_objects(mod):
    """(path, name) of each object kbuild's .mod file @mod lists: names
    are relative to the module's directory, where the .mod is."""
    names = [line.strip().removeprefix("./") for line in open(mod).read().splitlines() if line.strip()]
    return [(os.path.join(os.path.dirname(mod), name), name) for name in names]


def read_inputs(inputs):
    """The layout files' text, and (path, name) of each object."""
    layouts, objects = [], []
    for path in inputs:
        if path.endswith(".mod"):
            objects.extend(module_objects(path))
        elif path.endswith(".o"):
            objects.append((path, os.path.basename(path)))
        else:
            layouts.append(open(path).read())
    return "\n".join(layouts), objects


def main():
    parser = argparse.ArgumentParser(description="Checks a module's layouts against a kernel's BTF.")
    parser.add_argument("--tap", action="store_true", help="one TAP result per struct and object")
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="layout.rs or .s, .o, or .mod")
    parser.add_argument("btf", metavar="BTF", help="vmlinux with .BTF, or /sys/kernel/btf/vmlinux")
    args = parser.parse_args()
    try:
        btf = Btf(btf_bytes(args.btf))
        layouts, objects = read_inputs(args.inputs)
    except (OSError, ValueError) as err:
        print(f"btf_layout: cannot check: {err}")
        sys.exit(2)

    # (TAP name, what matched, problems)
    results = []
    for name, entries in sorted(layout_entries(layouts).items()):
        results.append((name, f"struct {name}: {len(entries)} entries match the kernel's BTF",
                        entry_problems(btf, name, entries)))
    for path, name in objects:
        what = f"all types seen by {name}"
        try:
            matched, unknown, problems = compare_object(*object_types(path), btf)
            if not matched and not problems:
                raise ValueError("none of its types is the kernel's (reduced debug info?)")
        except CannotCheck as err:
            print(f"btf_layout: cannot check: {err}")
            sys.exit(2)
        except (OSError, ValueError) as err:
            matched, unknown, problems = 0, 0, [f"not checked: {err}"]
        results.append((what, f"{what}: {matched} structs and unions match the kernel's BTF; "
                        f"{unknown} not compared", [f"{name}: {p}" for p in problems]))

    if args.tap:
        print("TAP version 13")
        print(f"1..{len(results)}")
    for n, (name, summary, problems) in enumerate(results, 1):
        if args.tap:
            print(f"{'not ok' if problems else 'ok'} {n} {name}")
            print("\n".join(f"# {p}" for p in problems or [summary]))
        else:
            print("\n".join(f"btf_layout: {p}" for p in problems or [summary]))
    failed = sum(bool(problems) for _, _, problems in results)
    if failed:
        print(f"btf_layout: {failed} of {len(results)} differ from {args.btf}: {CAUSE}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
