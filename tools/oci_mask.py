#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Rewrites an OCI spec's linux.maskedPaths into nullfs_rs mounts.

    oci_mask.py [--runtime crun|runc] [--root DIR] CONFIG [OUTPUT]
    oci_mask.py --hook ROOTFS KIND:PATH...

Each masked path that exists on this kernel becomes a mount entry of type
nullfs_rs: a directory gets an empty directory, anything else an empty
regular file ("file"), all with instance=mntns, so that a container's
masks are one superblock.  A path this kernel does not have stays in
maskedPaths, which the runtime skips while it is missing and masks its own
way should it appear (a mount entry would fail the container).

runc refuses every mount entry inside /proc ("cannot be mounted because it
is inside /proc", lxcfs's files excepted), so with --runtime runc the
paths under /proc are mounted by a createContainer hook instead: this
program again, with --hook, which runc runs in the container's namespaces
once its own mounts are made and before it pivots into the root, and
which mounts each KIND ("dir" or "file") at ROOTFS/PATH.  A mount that
fails fails the hook, and runc then does not start the container.

--root DIR looks the paths up under DIR instead of / (for tests).  The
result goes to OUTPUT, or back to CONFIG.  Prints one line per path.
"""

import argparse
import json
import os
import subprocess
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


def rewrite(config, runtime, root, rootfs):
    """Moves what it can of @config's maskedPaths to its mounts, or for
    runc's /proc to a hook that mounts them in @rootfs; returns one line per
    masked path saying what became of it."""
    linux = config.setdefault("linux", {})
    kept, hooked, report = [], [], []
    for path in linux.get("maskedPaths", []):
        entry = mask_entry(path, root)
        kind = entry and ("file" if "file" in entry["options"] else "dir")
        if entry is None:
            kept.append(path)
            report.append(f"{path}: kept in maskedPaths (not on this kernel)")
        elif runtime == "runc" and (path == "/proc" or path.startswith("/proc/")):
            hooked.append(f"{kind}:{path}")
            report.append(f"{path}: nullfs_rs {kind}, by the createContainer hook "
                          "(runc mounts nothing inside /proc)")
        else:
            config.setdefault("mounts", []).append(entry)
            report.append(f"{path}: nullfs_rs {kind}")
    linux["maskedPaths"] = kept
    if hooked:
        hooks = config.setdefault("hooks", {}).setdefault("createContainer", [])
        hooks.append({"path": os.path.abspath(__file__),
                      "args": ["oci_mask.py", "--hook", rootfs] + hooked})
    return report


def hook(rootfs, masks):
    """The createContainer hook: mounts each KIND:PATH of @masks in
    @rootfs; the first that fails fails the hook."""
    for mask in masks:
        kind, _, path = mask.partition(":")
        options = OPTIONS if kind == "dir" else ["file"] + OPTIONS
        done = subprocess.run(["mount", "-t", "nullfs_rs", "-o", ",".join(options), "none",
                               os.path.join(rootfs, path.lstrip("/"))],
                              capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"oci_mask.py: masking {path}: {done.stderr.strip()}", file=sys.stderr)
            return 1
    return 0


def main():
    if sys.argv[1:2] == ["--hook"]:
        # The container's state arrives on stdin; the masks are in the args.
        sys.stdin.read()
        return hook(sys.argv[2], sys.argv[3:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runtime", choices=["crun", "runc"], default="crun")
    parser.add_argument("--root", default="/")
    parser.add_argument("config")
    parser.add_argument("output", nargs="?")
    args = parser.parse_args()
    with open(args.config) as f:
        config = json.load(f)
    # The root the runtime will mount, as a path the hook can use.
    rootfs = config.get("root", {}).get("path", "rootfs")
    rootfs = os.path.join(os.path.dirname(os.path.abspath(args.config)), rootfs)
    report = rewrite(config, args.runtime, args.root, rootfs)
    with open(args.output or args.config, "w") as f:
        json.dump(config, f, indent=4)
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
