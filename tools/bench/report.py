#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the guest's measurements into make bench's table, JSON and plot.

The guest (tools/bench/bench.c) prints one line per measurement,
"ROW SUBJECT ROUND VALUE".  Every cell of the table is the median over the
rounds, with its minimum and maximum, and its first and last round, in the
JSON; a table shows the first and the last round side by side, so that a
drift from round to round shows.  A ratio compares nullfs_rs with a
reference in the same round (the subjects of a round ran back to back) and
is oriented so that above 1.00 means nullfs_rs does better: faster, or
smaller.  Its median and spread are over the rounds.  The memory of
remembered misses, taken once, is reported as it is; the masks and the
container rows, in fewer rounds, as medians and ratios like the others.
"""

import argparse
import bisect
import json
import os
import re
import statistics
import subprocess
import sys
from collections import defaultdict
from datetime import datetime, timezone

import matplotlib

import guard_insns

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (the backend comes first)

# Rows in the order of the table: (name, label, unit, True if higher is better).
ROWS = [
    ("lookup_same", "missing name, same (fstatat)", "ops/s", True),
    ("lookup_new", "missing name, new (fstatat)", "ops/s", True),
    ("lookup_middle", "missing middle, missing/name (fstatat)", "ops/s", True),
    ("stat_root", "fstatat of the root", "ops/s", True),
    ("statfs", "fstatfs", "ops/s", True),
    ("readdir", "open+getdents64+close", "ops/s", True),
    ("kernel_lookup_same", "in kernel: lookup, same name", "ns/op", False),
    ("kernel_lookup_new", "in kernel: lookup, new name", "ns/op", False),
    ("kernel_lookup_middle", "in kernel: path walk, missing middle", "ns/op", False),
    ("kernel_getattr", "in kernel: vfs_getattr", "ns/op", False),
    ("kernel_statfs", "in kernel: vfs_statfs", "ns/op", False),
    ("kernel_iterate", "in kernel: llseek+iterate_dir", "ns/op", False),
    ("mount_fsmount", "fsopen..fsmount+close", "cycles/s", True),
    ("mount_mount2", "mount(2)+umount2", "cycles/s", True),
    ("memory_slab", "slab per instance", "bytes", False),
]
SUBJECTS = ["c_nullfs", "nullfs_rs", "nullfs_rs_2", "rootfs_rs", "tmpfs", "ramfs"]
# What nullfs_rs is compared with: the C nullfs, tmpfs, ramfs, and a second
# nullfs_rs instance, whose ratio shows the spread that placement alone
# causes (an A/A control).
REFERENCES = [("c_nullfs", "rs vs C"), ("tmpfs", "rs vs tmpfs"), ("ramfs", "rs vs ramfs"),
              ("nullfs_rs_2", "A/A")]
GUARD_ROWS = [
    ("guard", "guard enter+exit", "ns/op"),
    ("guarded_lookup", "guarded kthread lookup", "ns/op"),
]
# Each sample runs twice a round, interleaved: its second run is its A/A
# control, the same code on the same objects.
GUARD_SUBJECTS = ["rust", "rust_2", "c", "c_2"]
# The memory of remembered misses, on one fresh instance: the steps, as
# (step in the rows' names, JSON key, column), and what is counted at each,
# as (measure in the rows' names, JSON key): the active objects of the slab
# cache that holds dentries, and from /proc/sys/fs/dentry-state the dentries
# and the unused negative ones.  The lookups are vfs_bench's lookup_new.
MISSES_STEPS = [
    ("before", "before", "before"),
    ("looked_up", "after_lookups", "after lookups"),
    ("dropped", "after_drop_caches", "after drop_caches"),
    ("ended", "after_umount", "after umount"),
]
MISSES_MEASURES = [
    ("slab", "dentry_slab_active_objects"),
    ("dentries", "dentries"),
    ("negative", "unused_negative_dentries"),
]
MISSES_ROWS = [f"misses_{measure}_{step}" for measure, _ in MISSES_MEASURES
               for step, _, _ in MISSES_STEPS] + [
    "misses_lookups", "misses_lookup_ns", "misses_slab_size", "misses_slab_aliases"]
MISSES_SUBJECTS = ["c_nullfs", "nullfs_rs", "tmpfs"]
# misses_probe_ns_N: a lookup of a new name once the instance holds N misses.
MISSES_PROBE_PREFIX = "misses_probe_ns_"
# The cost of masking N paths of a container, each kind in a mount namespace
# of its own, in rounds: nullfs_rs (one instance cloned onto every path), a
# read-only tmpfs per path (crun; runc before 2026), one read-only tmpfs
# cloned onto every path (runc since 2026), a read-only bind of one empty
# directory per path (systemd).  The guest gives totals over the N masks
# (rows masks_TOTAL KIND ROUND VALUE), and in masks_cache:NAME the caches
# that grew most; the report divides by N.
MASK_KINDS = ["nullfs_rs", "ro_tmpfs", "ro_tmpfs_shared", "bind_empty"]
# (total in the rows' names, per-mask JSON key, total JSON key)
MASKS_PER_MASK = [
    ("setup_ns", "setup_ns_per_mask", "setup_ns"),
    ("teardown_ns", "teardown_ns_per_mask", "teardown_ns"),
    ("slab_object_bytes", "slab_object_bytes_per_mask", "slab_object_bytes"),
    ("meminfo_slab_bytes", "meminfo_slab_bytes_per_mask", "meminfo_slab_bytes"),
    ("percpu_bytes", "percpu_bytes_per_mask", "percpu_bytes"),
]
MASKS_ROWS = ["masks_n", "masks_mounts", "masks_superblocks", "masks_wall_s"] + [
    f"masks_{total}" for total, _, _ in MASKS_PER_MASK]
# The ratios of the report: (kind, label), each kind's figure over nullfs_rs's,
# of (per-mask key, label).
MASKS_RATIOS = [("ro_tmpfs", "ro_tmpfs/nullfs_rs"),
                ("ro_tmpfs_shared", "ro_tmpfs_shared/nullfs_rs"),
                ("bind_empty", "bind/nullfs_rs")]
MASKS_RATIO_OF = [("slab_object_bytes_per_mask", "slab bytes/mask"),
                  ("setup_ns_per_mask", "setup ns/mask")]


# The container rows (tools/bench/containers.py): busybox under rootful crun
# with COUNT masked directories, masked each WAY; subjects are WAY:COUNT.
CONTAINER_WAYS = [
    ("masked_paths", "the runtime's maskedPaths (a ro tmpfs each)"),
    ("nullfs_rs", "a nullfs_rs mount per path"),
    ("nullfs_rs_bind", "a bind of one host nullfs_rs"),
    ("empty_bind", "a bind of one empty host dir"),
]
CONTAINER_COUNTS = [20, 96]
# (row, JSON key, True if higher is better)
CONTAINER_ROWS = [
    ("containers_start_exit_ns", "start_to_exit_ns", False),
    ("containers_slab_bytes", "slab_bytes_per_container", False),
    ("containers_meminfo_slab_bytes", "meminfo_slab_bytes_per_container", False),
]


# The node-scale rows (tools/bench/node.py): 110 live containers of 96
# masked directories and 8 masked files, six ways; subjects are the ways.
NODE_WAYS = [
    ("masked_paths", "crun's maskedPaths"),
    ("tmpfs_shared", "runc 2026: one tmpfs a container"),
    ("empty_bind", "crun: one host empty dir"),
    ("nullfs_rs", "nullfs_rs per path"),
    ("nullfs_rs_mntns", "nullfs_rs instance=mntns"),
    ("nullfs_rs_bind", "one host nullfs_rs bound"),
]
# (row, JSON key, True if higher is better)
NODE_ROWS = [
    ("node_superblocks", "new_superblocks", False),
    ("node_slab_bytes", "slab_bytes_per_container", False),
    ("node_memcg_kernel_bytes", "memcg_kernel_bytes_per_container", False),
    ("node_start_exit_ns_1", "start_to_exit_ns_1", False),
    ("node_start_exit_ns_16", "start_to_exit_ns_16", False),
]


# Rows whose profiles (bench.sh's profile-ROW-SUBJECT.ips) the report shows
# when nullfs_rs or the Rust sample loses them, and the subjects to compare.
PROFILED = {
    **{f"kernel_{op}": ("c_nullfs", "nullfs_rs")
       for op in ("lookup_same", "lookup_new", "lookup_middle", "getattr", "statfs",
                  "iterate")},
    "guard": ("c_init_fs", "rust_init_fs"),
}
# Symbols below this share of a profile's samples are left out.
PROFILE_CUTOFF = 2.0
# The LLVM tools of the toolchain's major, as tools/lib.sh exports it
# (LLVM=-22); unsuffixed when LLVM is not a suffix (unset, or LLVM=1).
LLVM_SUFFIX = os.environ.get("LLVM", "")
LLVM_SUFFIX = LLVM_SUFFIX if LLVM_SUFFIX.startswith("-") else ""


def load_kallsyms(path):
    """The text symbols of the guest's kallsyms: sorted addresses, names."""
    symbols = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if len(fields) < 3 or fields[1] not in "tTwW" or not int(fields[0], 16):
                continue
            name = fields[2] + (f" {fields[3]}" if len(fields) > 3 else "")
            symbols.append((int(fields[0], 16), name))
    symbols.sort()
    return [a for a, _ in symbols], [n for _, n in symbols]


def demangle(names):
    """Rust (v0) symbols demangled, the others as they are."""
    rust = sorted({n.split()[0] for n in names if n.startswith("_R")})
    if not rust:
        return {}
    out = subprocess.run([f"llvm-cxxfilt{LLVM_SUFFIX}"], input="\n".join(rust), check=True,
                         capture_output=True, text=True).stdout.splitlines()
    return dict(zip(rust, out))


def parse_profile(path, kallsyms):
    """[(percent, symbol)] of the instruction pointers sampled in a profile."""
    addresses, names = kallsyms
    counts = defaultdict(int)
    total = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            ip = int(line, 16)
            total += 1
            index = bisect.bisect_right(addresses, ip) - 1
            if ip < 0xffff800000000000:
                counts["(user space)"] += 1
            else:
                counts[names[index] if index >= 0 else "(unknown)"] += 1
    plain = demangle(counts)
    entries = []
    for name, count in sorted(counts.items(), key=lambda item: -item[1]):
        percent = 100.0 * count / total
        if percent < PROFILE_CUTOFF:
            break
        symbol, _, module = name.partition(" ")
        entries.append((percent, plain.get(symbol, symbol) + (f" {module}" if module else "")))
    return entries


def parse_profiles(directory):
    """{row: {subject: entries}} for every profile bench.sh left."""
    profiles = defaultdict(dict)
    kallsyms = load_kallsyms(os.path.join(directory, "kallsyms"))
    for row, subjects in PROFILED.items():
        for subject in subjects:
            path = os.path.join(directory, f"profile-{row}-{subject}.ips")
            if os.path.exists(path):
                profiles[row][subject] = parse_profile(path, kallsyms)
    return profiles


def parse_samples(path):
    """{row: {subject: {round: value}}} from the guest's lines."""
    samples = defaultdict(lambda: defaultdict(dict))
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            fields = line.split()
            if len(fields) != 4:
                sys.exit(f"report.py: error: {path}:{number}: not 'ROW SUBJECT ROUND VALUE'")
            row, subject, round_, value = fields
            samples[row][subject][int(round_)] = float(value)
    return samples


# A trend over the rounds counts as drift below this p: a run tests about a
# hundred cells, and at 0.01 noise alone would flag one of them a run.
DRIFT_P = 0.001


def inversion_counts(n):
    """How many orderings of n distinct values have k inversions, for each
    k: the exact distribution of Kendall's statistic with no trend."""
    counts = [1]
    for size in range(2, n + 1):
        grown = [0] * (len(counts) + size - 1)
        for k, count in enumerate(counts):
            for extra in range(size):
                grown[k + extra] += count
        counts = grown
    return counts


def trend(values):
    """Kendall's tau of @values against their round, and its exact two-sided
    p (ties count as neither concordant nor discordant)."""
    n = len(values)
    pairs = n * (n - 1) // 2
    if pairs == 0:
        return {"tau": 0.0, "p": 1.0}
    score = sum((b > a) - (b < a) for i, a in enumerate(values) for b in values[i + 1:])
    counts = inversion_counts(n)
    extreme = sum(c for k, c in enumerate(counts) if abs(pairs - 2 * k) >= abs(score))
    return {"tau": score / pairs, "p": extreme / sum(counts)}


def summary(values):
    """Median, spread, trend and every value of a row, @values in round
    order."""
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "first": values[0],
        "last": values[-1],
        "trend": trend(values),
        "values": values,
    }


def in_rounds(by_round):
    return [v for _, v in sorted(by_round.items())]


def ratio(ours, theirs, higher_is_better):
    """nullfs_rs's advantage over a reference, per round they share.

    A round where either value is not positive (a slab reading that went
    down) has no ratio; the JSON says how many rounds were left out.
    """
    rounds = sorted(set(ours) & set(theirs))
    if higher_is_better:
        pairs = [(ours[r], theirs[r]) for r in rounds]
    else:
        pairs = [(theirs[r], ours[r]) for r in rounds]
    values = [a / b for a, b in pairs if b > 0 and a > 0]
    if not values:
        return None
    return {**summary(values), "rounds_left_out": len(pairs) - len(values)}


def section_sizes(path):
    """File size, Berkeley text size (code, read-only data and unwind
    tables) and code size (the .text sections) of an object."""
    def size(fmt):
        return subprocess.run([f"llvm-size{LLVM_SUFFIX}", f"--format={fmt}", path],
                              check=True, capture_output=True, text=True).stdout.splitlines()

    code = 0
    for line in size("sysv"):
        fields = line.split()
        if len(fields) == 3 and (fields[0].startswith(".text") or
                                 fields[0] in (".init.text", ".exit.text")):
            code += int(fields[1])
    # The functions of the KUnit suites and what they instantiate: symbols
    # of a `tests` module, or the suites' wrappers.
    symbols = subprocess.run([f"llvm-nm{LLVM_SUFFIX}", "-S", "--demangle", path],
                             check=True, capture_output=True, text=True).stdout.splitlines()
    tests = sum(int(fields[1], 16) for fields in (line.split(None, 3) for line in symbols)
                if len(fields) == 4 and fields[2] in "tT" and
                re.search(r"::tests::|kunit", fields[3], re.IGNORECASE))
    return {"file_bytes": os.path.getsize(path),
            "text_bytes": int(size("berkeley")[1].split()[0]),
            "code_bytes": code,
            "code_bytes_without_tests": code - tests}


def fmt(value, unit):
    if value is None:
        return "-"
    if unit == "ns/op":
        return f"{value:.0f}" if value >= 100 else f"{value:.1f}"
    if value >= 100000:
        return f"{value / 1000:.0f}k"
    if value >= 10000:
        return f"{value / 1000:.1f}k"
    return f"{value:.0f}"


def fmt_ratio(r):
    if r is None:
        return "-"
    return f"{r['median']:.2f} [{r['min']:.2f}-{r['max']:.2f}]"


def print_table(headers, lines):
    widths = [max(len(str(row[i])) for row in [headers] + lines) for i in range(len(headers))]
    for row in [headers] + lines:
        cells = [str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        print("  ".join(cells))


def build_report(args, samples, profiles):
    rows = {}
    for name, label, unit, higher in ROWS:
        cells = {s: summary(in_rounds(samples[name][s]))
                 for s in SUBJECTS if samples[name].get(s)}
        ratios = {}
        ours = samples[name].get("nullfs_rs")
        for ref, _ in REFERENCES:
            theirs = samples[name].get(ref)
            ratios[ref] = ratio(ours, theirs, higher) if ours and theirs else None
        rows[name] = {"label": label, "unit": unit, "higher_is_better": higher,
                      "subjects": cells, "nullfs_rs_vs": ratios}
    guard = {}
    for name, label, unit in GUARD_ROWS:
        cells = {s: summary(in_rounds(samples[name][s]))
                 for s in GUARD_SUBJECTS if samples[name].get(s)}
        runs = {s: samples[name].get(s) for s in GUARD_SUBJECTS}

        def guard_ratio(ours, theirs):
            return ratio(runs[ours], runs[theirs], False) if runs[ours] and runs[theirs] else None

        guard[name] = {"label": label, "unit": unit, "higher_is_better": False,
                       "subjects": cells,
                       "rust_vs_c": guard_ratio("rust", "c"),
                       "aa_rust": guard_ratio("rust", "rust_2"),
                       "aa_c": guard_ratio("c", "c_2")}
    sizes = {name: section_sizes(path) for name, path in args.size}
    guard_code = None
    if args.guard_code:
        guard_code = {}
        for label, module in zip(("rust", "c"), args.guard_code):
            _, insns = guard_insns.function(module)
            guard_code[label] = {"run": len(guard_insns.hot_path(insns)),
                                 "in_function": len(insns)}
    misses = {}
    for subject in MISSES_SUBJECTS:
        if subject not in samples["misses_lookups"]:
            continue
        entry = {
            "lookups": int(samples["misses_lookups"][subject][0]),
            "ns_per_lookup": samples["misses_lookup_ns"][subject][0],
            # What a lookup of a new name costs once the instance holds N
            # misses: {N: ns}.
            "ns_per_lookup_holding": {
                int(row[len(MISSES_PROBE_PREFIX):]): by_subject[subject][0]
                for row, by_subject in samples.items()
                if row.startswith(MISSES_PROBE_PREFIX) and subject in by_subject},
            "dentry_slab_object_bytes": int(samples["misses_slab_size"][subject][0]),
            "dentry_slab_merged_caches": int(samples["misses_slab_aliases"][subject][0]),
        }
        for measure, key in MISSES_MEASURES:
            entry[key] = {step_key: int(samples[f"misses_{measure}_{step}"][subject][0])
                          for step, step_key, _ in MISSES_STEPS}
        slab = entry["dentry_slab_active_objects"]
        added = slab["after_lookups"] - slab["before"]
        entry["added_by_lookups"] = {
            "dentry_slab_active_objects": added,
            "bytes": added * entry["dentry_slab_object_bytes"],
        }
        misses[subject] = entry
    return {
        "kernel": args.kernel,
        "flavour": args.flavour,
        "accelerator": args.accelerator,
        "emulated": args.accelerator != "kvm",
        "rounds": args.rounds,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ratio_orientation": "above 1.00 means nullfs_rs (or the Rust sample) does better",
        "rows": rows,
        "scoped_with_init_fs": guard,
        "guard_instructions": guard_code,
        "sizes": sizes,
        "remembered_misses": {
            "measure": "active objects of the slab cache that holds dentries "
                       "(/sys/kernel/slab/dentry/objects; SLUB may merge it with others), "
                       "and /proc/sys/fs/dentry-state's dentries and unused negative "
                       "dentries, each once the frees in flight landed",
            "lookups_by": "vfs_bench lookup_new: lookup_one_unlocked() of a new name each time",
            "c_nullfs_umount": "the end of its empty mount namespace: the superblock is "
                               "the shared one, which stays",
            "subjects": misses,
        },
        "masks": build_masks(samples),
        "containers": build_containers(samples),
        "node": build_node(samples),
        "profiles": {row: {subject: [{"percent": round(p, 1), "symbol": sym}
                                     for p, sym in entries]
                           for subject, entries in by_subject.items()}
                     for row, by_subject in profiles.items()},
    }


def build_masks(samples):
    """The cost of masking paths: per kind, per mask, and the ratios, each
    the median over the rounds."""
    kinds = {}
    per_mask_rounds = {}
    for kind in MASK_KINDS:
        if kind not in samples["masks_n"]:
            continue
        n = int(samples["masks_n"][kind][0])
        entry = {"n": n, "rounds": len(samples["masks_n"][kind])}
        per_mask_rounds[kind] = {}
        for total, per_mask, _ in MASKS_PER_MASK:
            by_round = {r: v / n for r, v in samples[f"masks_{total}"][kind].items()}
            per_mask_rounds[kind][per_mask] = by_round
            entry[per_mask] = summary(in_rounds(by_round))
        entry["mounts_added"] = int(statistics.median(in_rounds(samples["masks_mounts"][kind])))
        entry["superblocks_added"] = int(
            statistics.median(in_rounds(samples["masks_superblocks"][kind])))
        entry["totals_median"] = {
            key: int(statistics.median(in_rounds(samples[f"masks_{total}"][kind])))
            for total, _, key in MASKS_PER_MASK}
        # The caches that grew most in any round, each with its median over the
        # rounds in which it was among them.
        grown = {row.partition(":")[2]: statistics.median(in_rounds(by_kind[kind]))
                 for row, by_kind in samples.items()
                 if row.startswith("masks_cache:") and kind in by_kind}
        entry["slab_caches_grown_most_bytes"] = {
            name: int(b) for name, b in sorted(grown.items(), key=lambda item: -item[1])}
        entry["wall_seconds"] = summary(in_rounds(samples["masks_wall_s"][kind]))
        kinds[kind] = entry
    ratios = {}
    ours = per_mask_rounds.get("nullfs_rs")
    for kind, label in MASKS_RATIOS:
        theirs = per_mask_rounds.get(kind)
        # The kind's figure over nullfs_rs's, per round: above 1, nullfs_rs wins.
        ratios[label] = {key: (ratio(ours[key], theirs[key], False) if ours and theirs
                               else None)
                         for key, _ in MASKS_RATIO_OF}
    return {
        "how": "each kind once a round, the order rotating, in a child process with a "
               "mount namespace of its own (\"/\" made rec-private), N masks on N new "
               "directories of the bench's scratch tmpfs. nullfs_rs: one "
               "fsopen..fsmount, then per mask open_tree(OPEN_TREE_CLONE|AT_EMPTY_PATH) "
               "+ move_mount(); ro_tmpfs: mount(\"tmpfs\", dir, \"tmpfs\", MS_RDONLY) "
               "per mask; ro_tmpfs_shared: as nullfs_rs, of one tmpfs made read-only by "
               "mount_setattr(MOUNT_ATTR_RDONLY); bind_empty: "
               "MS_BIND of one empty 0555 directory + MS_BIND|MS_REMOUNT|MS_RDONLY per mask",
        "setup": "wall time from the first call to the last (nullfs_rs: its fsmount included)",
        "teardown": "wall time of umount2(dir, 0) of every mask, one by one (nullfs_rs: "
                    "the close of its detached mount included); each umount2 waits for "
                    "an RCU grace period, so it varies from run to run and with what "
                    "ran before, under TCG by a factor of up to 3",
        "memory": "growth while the masks are mounted, each side after an RCU grace "
                  "period, drop_caches=2 and a shrink of every slab cache: "
                  "slab_object_bytes sums active objects x object size over "
                  "/proc/slabinfo; meminfo_slab_bytes and percpu_bytes are "
                  "/proc/meminfo's Slab and Percpu (whole pages, and whole chunks: coarse)",
        "superblocks_added": "distinct devices among /proc/self/mountinfo's mounts, "
                             "after minus before",
        "ratio_orientation": "the kind's figure over nullfs_rs's in the same round, "
                             "median [min-max] over the rounds: above 1.00 means "
                             "nullfs_rs is smaller or faster",
        "kinds": kinds,
        "vs_nullfs_rs": ratios,
    }


def build_containers(samples):
    """The container rows: per count and way, medians over the rounds, and
    each way against the runtime's own masks, round by round."""
    counts = {}
    for count in CONTAINER_COUNTS:
        ways = {}
        for way, label in CONTAINER_WAYS:
            subject = f"{way}:{count}"
            if subject not in samples["containers_start_exit_ns"]:
                continue
            entry = {"label": label}
            for row, key, higher in CONTAINER_ROWS:
                ours = samples[row][subject]
                own = samples[row].get(f"masked_paths:{count}")
                entry[key] = summary(in_rounds(ours))
                # The runtime's figure over this way's: above 1, this way wins.
                entry[f"{key}_vs_masked_paths"] = (ratio(ours, own, higher)
                                                   if own and way != "masked_paths" else None)
            ways[way] = entry
        counts[str(count)] = ways
    return {
        "how": "busybox (the host's busybox-static) under rootful crun "
               "(--cgroup-manager=disabled; the spec of `crun spec` without its network "
               "namespace, resources, readonlyPaths and default maskedPaths), COUNT "
               "directories of the read-only rootfs masked, each holding a file the "
               "container checks it cannot see; every (way, count) once a round, the "
               "order rotating",
        "start_to_exit": "mean wall time of 2 `crun run` of a shell that checks two "
                         "masks and exits, from the fork of crun to its exit",
        "slab": "growth while 3 such containers run (each waits on stdin once it has "
                "checked its masks), divided by 3; each side after 0.2 s, "
                "drop_caches=2 and a shrink of every slab cache: slab_bytes sums active "
                "objects x object size over /proc/slabinfo, meminfo_slab_bytes is "
                "/proc/meminfo's Slab (whole pages: coarse)",
        "ratio_orientation": "the runtime's own masks' figure over the way's in the "
                             "same round, median [min-max] over the rounds: above 1.00 "
                             "means the way is faster or smaller",
        "counts": counts,
    }


def build_node(samples):
    """The node-scale rows: per way, the one round's figures, and each
    against crun's own masks and runc's 2026 method."""
    ways = {}
    for way, label in NODE_WAYS:
        if way not in samples["node_superblocks"]:
            continue
        entry = {"label": label}
        for row, key, higher in NODE_ROWS:
            ours = samples[row][way]
            entry[key] = summary(in_rounds(ours))
            for ref in ("masked_paths", "tmpfs_shared"):
                theirs = samples[row].get(ref)
                entry[f"{key}_vs_{ref}"] = (ratio(ours, theirs, higher)
                                            if theirs and way != ref else None)
        ways[way] = entry
    return {
        "how": "110 busybox containers alive at once under rootful crun, each masking 96 "
               "directories and 8 files of its read-only rootfs, six ways, one way after "
               "the other in one boot (tools/bench/node.py); each container checks that "
               "its first and last directory and file masks hide what is under them",
        "superblocks": "superblocks the masks of all 110 are on that were not there before "
                       "(each registers a shrinker); the container's own /dev and the "
                       "host's /dev/null, empty directory and nullfs_rs instances left out",
        "slab": "slab growth while the 110 run, per container (/proc/slabinfo: active "
                "objects x object size, after drop_caches=2 and a shrink of every cache)",
        "memcg": "memory.stat kernel of the cgroup the 110 run in, per container",
        "start_to_exit": "mean wall time of a crun run of a shell that checks its masks, "
                         "16 one at a time (1) and 16 started together (16)",
        "ratio_orientation": "the reference's figure over the way's: above 1.00 means "
                             "the way is faster or smaller; one round, so no spread",
        "ways": ways,
    }


def print_report(report):
    print(f"nullfs_rs benchmark: kernel {report['kernel']} ({report['flavour']} config), "
          f"{report['accelerator'].upper()}{' (emulated CPU: figures are not native speed)' if report['emulated'] else ''}, "
          f"{report['rounds']} rounds, medians; ratios are median [min-max] over rounds,")
    print("above 1.00 means nullfs_rs is faster or smaller than the reference.")
    print()
    headers = ["operation", "unit"] + SUBJECTS + [label for _, label in REFERENCES]
    lines = []
    for name, row in report["rows"].items():
        cells = [fmt(row["subjects"].get(s, {}).get("median"), row["unit"]) for s in SUBJECTS]
        lines.append([row["label"], row["unit"]] + cells +
                     [fmt_ratio(row["nullfs_rs_vs"][ref]) for ref, _ in REFERENCES])
    print_table(headers, lines)
    print()
    print("scoped_with_init_fs: each sample runs twice a round, interleaved; A/A is a "
          "sample's first run against its second,")
    print("the same code on the same objects: the noise the Rust vs C ratio must stand out of.")
    headers = ["scoped_with_init_fs", "unit", "Rust", "C", "Rust vs C", "A/A Rust", "A/A C"]
    lines = []
    for row in report["scoped_with_init_fs"].values():
        lines.append([row["label"], row["unit"],
                      fmt(row["subjects"].get("rust", {}).get("median"), row["unit"]),
                      fmt(row["subjects"].get("c", {}).get("median"), row["unit"]),
                      fmt_ratio(row["rust_vs_c"]), fmt_ratio(row["aa_rust"]),
                      fmt_ratio(row["aa_c"])])
    print_table(headers, lines)
    code = report["guard_instructions"]
    if code:
        print("guard enter+exit, instructions an empty scope runs (of the function's), "
              "from the samples' guard_scope():")
        print(f"  Rust {code['rust']['run']} ({code['rust']['in_function']}), "
              f"C {code['c']['run']} ({code['c']['in_function']}): "
              f"Rust vs C {code['c']['run'] / code['rust']['run']:.2f}")
    print_drift(report)
    print()
    headers = ["object", "file bytes", "text bytes", "code bytes", "code without KUnit"]
    lines = [[name, s["file_bytes"], s["text_bytes"], s["code_bytes"],
              s["code_bytes_without_tests"]]
             for name, s in report["sizes"].items()]
    print_table(headers, lines)
    print_misses(report["remembered_misses"])
    print_masks(report["masks"])
    print_containers(report["containers"])
    print_node(report["node"])
    print_shortfalls(report)


def print_drift(report):
    """The first round against the last, and the trend over all rounds:
    every round starts from the same state, so neither should show more
    than noise."""
    print()
    print("drift: the first round's value -> the last round's, and Kendall's tau of the "
          "values against their round")
    print(f"(every round starts from the same state; DRIFT marks a trend with p < {DRIFT_P}, "
          "which 9 rounds reach at |tau| >= 0.83):")
    drifting = []

    def cell(row, subject):
        c = row["subjects"].get(subject)
        if not c:
            return "-"
        t = c["trend"]
        if t["p"] < DRIFT_P:
            drifting.append(f"{row['label']} ({subject}, tau {t['tau']:+.2f})")
        return (f"{fmt(c['first'], row['unit'])} -> {fmt(c['last'], row['unit'])} "
                f"{t['tau']:+.2f}{' DRIFT' if t['p'] < DRIFT_P else ''}")

    for rows, subjects, title in ((report["rows"], SUBJECTS, "operation"),
                                  (report["scoped_with_init_fs"], GUARD_SUBJECTS,
                                   "scoped_with_init_fs")):
        print_table([title] + subjects,
                    [[row["label"]] + [cell(row, s) for s in subjects] for row in rows.values()])
    print(f"rows that drift: {', '.join(drifting) if drifting else 'none'}")


def print_misses(misses):
    """The dentries that remembered misses hold, step by step."""
    subjects = misses["subjects"]
    if not subjects:
        return

    def joined(key):
        return "/".join(f"{n:,}" for n in sorted({s[key] for s in subjects.values()}))

    print()
    print(f"remembered misses: {joined('lookups')} new missing names looked up in kernel "
          f"on one fresh instance. Active objects of the dentry slab cache")
    merged = joined("dentry_slab_merged_caches")
    print(f"({joined('dentry_slab_object_bytes')} bytes each; SLUB merged {merged} other "
          f"cache{'' if merged == '1' else 's'} into it), and how many unused negative "
          f"dentries the lookups added:")
    headers = (["subject"] + [column for _, _, column in MISSES_STEPS] +
               ["added by lookups", "negatives added", "ns/lookup"])
    lines = []
    for name, s in subjects.items():
        slab = s["dentry_slab_active_objects"]
        added = s["added_by_lookups"]
        negative = s["unused_negative_dentries"]
        lines.append([name] + [f"{slab[key]:,}" for _, key, _ in MISSES_STEPS] +
                     [f"{added['dentry_slab_active_objects']:+,} "
                      f"({added['bytes'] / 2**20:.1f} MiB)",
                      f"{negative['after_lookups'] - negative['before']:+,}",
                      fmt(s["ns_per_lookup"], "ns/op")])
    print_table(headers, lines)
    if "c_nullfs" in subjects:
        print(f"c_nullfs's umount: {misses['c_nullfs_umount']}.")
    print_misses_held(subjects)


def print_misses_held(subjects):
    """What a new name's lookup costs as the misses an instance holds grow."""
    held = sorted({n for s in subjects.values() for n in s.get("ns_per_lookup_holding", {})})
    if not held or "c_nullfs" not in subjects or "nullfs_rs" not in subjects:
        return
    print()
    print("a lookup of a new name (vfs_bench lookup_new, 10,000 timed, once: no A/A) once the "
          "instance holds N remembered misses:")
    names = [name for name in MISSES_SUBJECTS if name in subjects]
    headers = ["misses held"] + names + ["nullfs_rs vs C"]
    lines, slower = [], []
    for n in held:
        cells = [subjects[name]["ns_per_lookup_holding"].get(n) for name in names]
        c_ns = subjects["c_nullfs"]["ns_per_lookup_holding"].get(n)
        rs_ns = subjects["nullfs_rs"]["ns_per_lookup_holding"].get(n)
        ratio = c_ns / rs_ns if c_ns and rs_ns else None
        if ratio is not None and ratio < 1:
            slower.append(f"{n:,} ({ratio:.2f})")
        lines.append([f"{n:,}"] + [fmt(v, "ns/op") if v is not None else "-" for v in cells] +
                     [f"{ratio:.2f}" if ratio is not None else "-"])
    print_table(headers, lines)
    if slower:
        print(f"nullfs_rs is slower than C with {', '.join(slower)} misses held; c_nullfs "
              f"holds none at any point, so its rows show the noise.")
    else:
        print("nullfs_rs is not slower than C at any of these.")


def print_masks(masks):
    """The cost of masking paths, per mask, and the ratios to nullfs_rs."""
    kinds = masks["kinds"]
    if not kinds:
        return
    rounds = "/".join(str(r) for r in sorted({k["rounds"] for k in kinds.values()}))
    print()
    print(f"masks: N paths of a container masked each way, in a mount namespace of its own, "
          f"medians over {rounds} rounds:")
    print("nullfs_rs, one instance cloned onto every path (open_tree+move_mount); ro_tmpfs, "
          "a read-only tmpfs per path")
    print("(crun; runc before 2026); ro_tmpfs_shared, one read-only tmpfs cloned onto every "
          "path (runc since 2026);")
    print("bind_empty, a read-only bind of one empty directory per path (systemd). Teardown "
          "is umount2 one by one,")
    print("a grace period each (noisy); slab is the growth of the slab objects in use "
          "(/proc/slabinfo), percpu that")
    print("of /proc/meminfo's Percpu (coarse):")
    headers = ["kind", "N", "setup ns/mask", "teardown ns/mask", "slab B/mask",
               "percpu B/mask", "superblocks added"]
    lines = [[kind, f"{k['n']:,}", f"{k['setup_ns_per_mask']['median']:,.0f}",
              f"{k['teardown_ns_per_mask']['median']:,.0f}",
              f"{k['slab_object_bytes_per_mask']['median']:,.0f}",
              f"{k['percpu_bytes_per_mask']['median']:,.0f}", f"{k['superblocks_added']:+,}"]
             for kind, k in kinds.items()]
    print_table(headers, lines)
    headers = ["ratio (above 1.00: nullfs_rs better)"] + [label for _, label in MASKS_RATIO_OF]
    lines = [[label] + [fmt_ratio(r[key]) for key, _ in MASKS_RATIO_OF]
             for label, r in masks["vs_nullfs_rs"].items()]
    print_table(headers, lines)
    for kind, k in kinds.items():
        grown = ", ".join(f"{name} {b / k['n']:,.0f}"
                          for name, b in list(k["slab_caches_grown_most_bytes"].items())[:5])
        print(f"{kind}: {k['wall_seconds']['median']:.1f} s a round; slab B/mask by cache: "
              f"{grown}")


def print_containers(containers):
    """Container start to exit and slab per container, each way, against
    the runtime's own masks."""
    if not any(containers["counts"].values()):
        return
    print()
    print("containers: busybox under rootful crun, start to exit (2 runs of a shell that "
          "checks its masks) and slab")
    print("per live container (3 alive), COUNT directories masked each way; ratios are the "
          "runtime's own masks' figure")
    print("over the way's, per round (above 1.00: the way is faster or smaller):")
    headers = ["masked dirs", "way", "start to exit ms", "vs maskedPaths", "slab KiB/container",
               "vs maskedPaths", "meminfo Slab KiB"]
    lines = []
    for count, ways in containers["counts"].items():
        for way, w in ways.items():
            lines.append([count, way, f"{w['start_to_exit_ns']['median'] / 1e6:.1f}",
                          fmt_ratio(w["start_to_exit_ns_vs_masked_paths"]),
                          f"{w['slab_bytes_per_container']['median'] / 1024:.1f}",
                          fmt_ratio(w["slab_bytes_per_container_vs_masked_paths"]),
                          f"{w['meminfo_slab_bytes_per_container']['median'] / 1024:.1f}"])
    print_table(headers, lines)


def print_node(node):
    """The node-scale table: each way, and its ratios against runc's 2026
    method (tmpfs_shared)."""
    if not node["ways"]:
        return
    print()
    print("node: 110 live containers under rootful crun, 96 directories and 8 files masked "
          "each, six ways;")
    print("ratios are runc's 2026 method's figure (one tmpfs a container) over the way's "
          "(above 1.00: the way is")
    print("faster or smaller), one round:")
    headers = ["way", "superblocks", "slab KiB/ctr", "vs runc", "memcg KiB/ctr", "vs runc",
               "start-exit ms, 1", "vs runc", "start-exit ms, 16", "vs runc"]
    lines = []
    for way, w in node["ways"].items():
        def vs(key):
            return fmt_ratio(w[f"{key}_vs_tmpfs_shared"])
        lines.append([way, f"{w['new_superblocks']['median']:.0f}",
                      f"{w['slab_bytes_per_container']['median'] / 1024:.1f}",
                      vs("slab_bytes_per_container"),
                      f"{w['memcg_kernel_bytes_per_container']['median'] / 1024:.1f}",
                      vs("memcg_kernel_bytes_per_container"),
                      f"{w['start_to_exit_ns_1']['median'] / 1e6:.0f}", vs("start_to_exit_ns_1"),
                      f"{w['start_to_exit_ns_16']['median'] / 1e6:.0f}",
                      vs("start_to_exit_ns_16")])
    print_table(headers, lines)


def print_shortfalls(report):
    """The profiles of the rows where the Rust side is slower."""
    lost = [(name, row, row["nullfs_rs_vs"]["c_nullfs"]) for name, row in report["rows"].items()]
    lost += [(name, row, row["rust_vs_c"]) for name, row in report["scoped_with_init_fs"].items()]
    for name, row, r in lost:
        by_subject = report["profiles"].get(name)
        if r is None or r["median"] >= 1.0 or not by_subject:
            continue
        print()
        print(f"{row['label']}: {r['median']:.2f}x. Where the time goes "
              f"(perf, cpu-clock, share of the loop's samples, {PROFILE_CUTOFF:.0f}% and up):")
        for subject, entries in by_subject.items():
            print(f"  {subject}:")
            for e in entries:
                print(f"    {e['percent']:5.1f}%  {e['symbol']}")


def plot(report, path):
    series = [("nullfs_rs vs C nullfs", "tab:blue"), ("nullfs_rs vs tmpfs", "tab:orange"),
              ("nullfs_rs vs ramfs", "tab:olive"),
              ("A/A: a second nullfs_rs, or the Rust sample's second run", "tab:gray"),
              ("Rust vs C sample", "tab:green"),
              ("container: the runtime's maskedPaths vs the way", "tab:purple")]
    labels, groups = [], []
    for row in report["rows"].values():
        labels.append(row["label"])
        groups.append([row["nullfs_rs_vs"][ref] for ref, _ in REFERENCES] + [None, None])
    for row in report["scoped_with_init_fs"].values():
        labels.append(f"scoped_with_init_fs: {row['label']}")
        # The A/A slot holds the Rust sample against its second run.
        groups.append([None] * (len(REFERENCES) - 1) + [row["aa_rust"], row["rust_vs_c"], None])
    for count, ways in report["containers"]["counts"].items():
        for way, w in ways.items():
            for key, what in (("start_to_exit_ns", "start to exit"),
                              ("slab_bytes_per_container", "slab")):
                r = w[f"{key}_vs_masked_paths"]
                if r is not None:
                    labels.append(f"container, {count} masks, {way}: {what}")
                    groups.append([None] * (len(series) - 1) + [r])

    fig, ax = plt.subplots(figsize=(9, 0.5 * len(labels) + 1.6))
    height = 0.18
    bars = [[] for _ in series]  # per series: (y, ratio) of its bars
    for i, group in enumerate(groups):
        present = [k for k, r in enumerate(group) if r is not None]
        for j, k in enumerate(present):
            bars[k].append((i + (j - (len(present) - 1) / 2) * height, group[k]))
    for (name, colour), points in zip(series, bars):
        if not points:
            continue
        ys = [y for y, _ in points]
        xs = [r["median"] for _, r in points]
        spread = [[r["median"] - r["min"] for _, r in points],
                  [r["max"] - r["median"] for _, r in points]]
        ax.barh(ys, xs, height=height, color=colour, label=name,
                xerr=spread, error_kw={"elinewidth": 1, "capsize": 2})
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("ratio: median of the rounds, whiskers min to max; above 1, nullfs_rs is faster or smaller")
    accel = report["accelerator"].upper() + (", emulated" if report["emulated"] else "")
    ax.set_title(f"nullfs_rs, kernel {report['kernel']} ({report['flavour']}, {accel}, "
                 f"{report['rounds']} rounds)", fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def name_and_path(text):
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"not NAME=PATH: {text}")
    return name, path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", required=True)
    parser.add_argument("--profiles", required=True, help="directory of bench.sh's profiles")
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--flavour", required=True)
    parser.add_argument("--accelerator", required=True, choices=["kvm", "tcg"])
    parser.add_argument("--rounds", required=True, type=int)
    parser.add_argument("--size", action="append", default=[], metavar="NAME=PATH",
                        type=name_and_path)
    parser.add_argument("--guard-code", nargs=2, metavar=("RUST_KO", "C_KO"),
                        help="count the instructions of the samples' guard_scope()")
    parser.add_argument("--json", required=True)
    parser.add_argument("--plot", required=True)
    args = parser.parse_args()

    samples = parse_samples(args.samples)
    missing = [name for name, *_ in ROWS + GUARD_ROWS if name not in samples]
    missing += [name for name in MISSES_ROWS + MASKS_ROWS if name not in samples]
    missing += [name for name, *_ in CONTAINER_ROWS if name not in samples]
    if missing:
        sys.exit(f"report.py: error: no measurements for {', '.join(missing)}")
    report = build_report(args, samples, parse_profiles(args.profiles))
    print_report(report)
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    plot(report, args.plot)


if __name__ == "__main__":
    main()
