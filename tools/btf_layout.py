#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks the layouts a module was built with against a kernel's own BTF.

    btf_layout.py [--tap] LAYOUT BTF

LAYOUT is the vfs/layout.rs of a module build, or the vfs/layout.s it is
made from: every struct size and every member offset and size that the
module's Rust code and its C helpers rely on, as the C compiler of that
build laid them out (vfs/layout.c).
BTF is the kernel's type information: a vmlinux with a .BTF section (a
distribution's headers ship one), or /sys/kernel/btf/vmlinux of the
running kernel.  Every entry must match; a mismatch names the member, both
offsets, and what usually causes it.  Exits 1 on any mismatch, 2 if the
BTF cannot be read.  With --tap, prints one TAP result per struct.

Bitfields have no offsetof() and are not listed; the C helpers set the one
they touch (fs_context::global, ::purpose, fs_parameter::type) in C.
"""

import re
import struct
import sys

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


def btf_bytes(path):
    """The raw BTF of @path: the file itself, or an ELF file's .BTF."""
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF":
        return data
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)

    def section(i):
        name, _, _, _, offset, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        return name, offset, size

    _, names_off, _ = section(shstrndx)
    for i in range(shnum):
        name, offset, size = section(i)
        if data[names_off + name:names_off + name + 5] == b".BTF\0":
            return data[offset:offset + size]
    raise ValueError(f"{path} has no .BTF section")


class Btf:
    """The types of a BTF blob, enough to lay out structs."""

    def __init__(self, data):
        magic, _, _, hdr_len, type_off, type_len, str_off, _ = struct.unpack_from("<HBBIIIII", data)
        if magic != 0xEB9F:
            raise ValueError("not BTF (bad magic)")
        self.strings = data[hdr_len + str_off:]
        self.types = [None]
        self.structs = {}
        pos, end = hdr_len + type_off, hdr_len + type_off + type_len
        while pos < end:
            name_off, info, size_or_type = struct.unpack_from("<III", data, pos)
            pos += 12
            kind, vlen, kflag = (info >> 24) & 0x1F, info & 0xFFFF, info >> 31
            members = []
            if kind in (KIND_INT, KIND_VAR, KIND_DECL_TAG):
                pos += 4
            elif kind == KIND_ARRAY:
                elem, _, nelems = struct.unpack_from("<III", data, pos)
                members = (elem, nelems)
                pos += 12
            elif kind in (KIND_STRUCT, KIND_UNION):
                for _ in range(vlen):
                    m_name, m_type, m_off = struct.unpack_from("<III", data, pos)
                    members.append((self.string(m_name), m_type, m_off & 0xFFFFFF if kflag else m_off))
                    pos += 12
            elif kind == KIND_ENUM or kind == KIND_FUNC_PROTO:
                pos += 8 * vlen
            elif kind in (KIND_DATASEC, KIND_ENUM64):
                pos += 12 * vlen
            name = self.string(name_off)
            self.types.append((kind, name, size_or_type, members))
            if kind == KIND_STRUCT and name and vlen:
                self.structs.setdefault(name, len(self.types) - 1)

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

    def member(self, type_id, name):
        """(byte offset, size) of @name in struct or union @type_id, looking
        into anonymous members as C does; None if there is none."""
        for m_name, m_type, bit_off in self.types[type_id][3]:
            if m_name == name:
                return bit_off // 8, self.size(m_type)
            if not m_name:
                inner = self.member(self.resolve(m_type), name)
                if inner is not None:
                    return bit_off // 8 + inner[0], inner[1]
        return None

    def resolve(self, type_id):
        while self.types[type_id][0] in MODIFIERS:
            type_id = self.types[type_id][2]
        return type_id


def main():
    args = sys.argv[1:]
    tap = args[:1] == ["--tap"]
    layout_rs, btf_path = args[tap:]
    try:
        btf = Btf(btf_bytes(btf_path))
    except (OSError, ValueError) as err:
        print(f"btf_layout: cannot read BTF from {btf_path}: {err}")
        sys.exit(2)

    # Struct sizes are `NAME: usize`, members `STRUCT__MEMBER: (usize, usize)`;
    # in the assembly, immediates have a '$'.
    checks = {}
    for line in open(layout_rs):
        line = line.replace("$", "")
        m = re.search(r"pub\(crate\) const (\w+): usize = (\d+);", line)
        if m and m.group(1).islower():
            checks.setdefault(m.group(1), []).append(("(size)", int(m.group(2)), None))
        m = re.search(r"pub\(crate\) const (\w+?)__(\w+): \(usize, usize\) = \((\d+), (\d+)\);", line)
        if m:
            checks.setdefault(m.group(1), []).append((m.group(2), int(m.group(3)), int(m.group(4))))

    failed = 0
    if tap:
        print("TAP version 13")
        print(f"1..{len(checks)}")
    for n, (name, entries) in enumerate(sorted(checks.items()), 1):
        problems = []
        type_id = btf.structs.get(name)
        if type_id is None:
            problems.append(f"struct {name}: not in the kernel's BTF")
        for member, offset, size in entries if type_id else []:
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
        failed += bool(problems)
        what = f"struct {name}: {len(entries)} entries match the kernel's BTF"
        if tap:
            print(f"{'not ok' if problems else 'ok'} {n} {name}")
            for problem in problems:
                print(f"# {problem}")
        elif problems:
            print("\n".join(f"btf_layout: {p}" for p in problems))
        else:
            print(f"btf_layout: {what}")
    if failed:
        print(f"btf_layout: {failed} structs differ from {btf_path}: {CAUSE}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
