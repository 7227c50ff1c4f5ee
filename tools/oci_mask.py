#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Rewrites an OCI spec's linux.maskedPaths into nullfs_rs mounts.

    oci_mask.py [--runtime crun|runc] [--root DIR] CONFIG [OUTPUT]

Each masked path that exists on this kernel becomes a mount entry of type
nullfs_rs: a directory gets an empty directory, anything else an empty
regular file ("file"), all with instance=mntns, so that a container's
masks are one superblock.  A path this kernel does not have stays in
maskedPaths, which the runtime skips while it is missing and masks its own
way should it appear (a mount entry would fail the container).

runc refuses every mount entry inside /proc ("cannot be mounted because it
is inside /proc", lxcfs's files excepted), so with --runtime runc the
paths under /proc stay in maskedPaths too.

--root DIR looks the paths up under DIR instead of / (for tests).  The
result goes to OUTPUT, or back to CONFIG.  Prints one line per path.
"""

import argparse
import json
import os
import sys

OPTIONS = ["instance=mntns", "nosuid", "nodev", "noexec", "ro"]


def mask_entry(path, root):
    """The mount entry that masks @path, or None if this kernel lacks it."""
    where = os.path.join(root, path.lstrip("/"))
    if not os.path.lexists(where):
        return None
    options = OPTIONS if os.path.isdir(where) else ["file"] + OPTIONS
    return {"destination": path, "type": "nullfs_rs", "source": "none",
            "options": options}


def rewrite(config, runtime, root):
    """Moves what it can of @config's maskedPaths to its mounts; returns
    one line per masked path saying what became of it."""
    linux = config.setdefault("linux", {})
    kept, report = [], []
    for path in linux.get("maskedPaths", []):
        entry = mask_entry(path, root)
        if runtime == "runc" and (path == "/proc" or path.startswith("/proc/")):
            kept.append(path)
            report.append(f"{path}: kept in maskedPaths (runc mounts nothing inside /proc)")
        elif entry is None:
            kept.append(path)
            report.append(f"{path}: kept in maskedPaths (not on this kernel)")
        else:
            config.setdefault("mounts", []).append(entry)
            kind = "file" if "file" in entry["options"] else "directory"
            report.append(f"{path}: nullfs_rs {kind}")
    linux["maskedPaths"] = kept
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runtime", choices=["crun", "runc"], default="crun")
    parser.add_argument("--root", default="/")
    parser.add_argument("config")
    parser.add_argument("output", nargs="?")
    args = parser.parse_args()
    with open(args.config) as f:
        config = json.load(f)
    report = rewrite(config, args.runtime, args.root)
    with open(args.output or args.config, "w") as f:
        json.dump(config, f, indent=4)
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
