#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make check's test of tools/oci_mask.py, on a made-up kernel tree.

A spec with runc's default maskedPaths, against a root that has some of
them as directories, some as files, and lacks others; for crun (mount
entries) and for runc (mount entries outside /proc, a createContainer hook
for /proc).  Exits 1 on the first wrong entry, naming it.
"""

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MASKED = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
          "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
          "/proc/scsi"]
DIRS = ["proc/acpi", "sys/firmware"]
FILES = ["proc/keys", "proc/timer_list"]
OPTIONS = ["instance=mntns", "nosuid", "nodev", "noexec", "ro"]


def run(tmp, runtime):
    config = os.path.join(tmp, f"config-{runtime}.json")
    with open(config, "w") as f:
        json.dump({"mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
                   "linux": {"maskedPaths": MASKED, "readonlyPaths": ["/proc/sys"]}}, f)
    done = subprocess.run([sys.executable, os.path.join(HERE, "oci_mask.py"), "--runtime",
                           runtime, "--root", os.path.join(tmp, "root"), config],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise AssertionError(f"{runtime}: exit {done.returncode}: {done.stderr}")
    with open(config) as f:
        return json.load(f)


def expect(what, got, want):
    if got != want:
        raise AssertionError(f"{what}: {got!r}, expected {want!r}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for d in DIRS:
            os.makedirs(os.path.join(tmp, "root", d))
        for name in FILES:
            open(os.path.join(tmp, "root", name), "w").close()
        try:
            crun = run(tmp, "crun")
            expect("crun: mounts", crun["mounts"][1:], [
                {"destination": "/proc/acpi", "type": "nullfs_rs", "source": "none",
                 "options": OPTIONS},
                {"destination": "/proc/keys", "type": "nullfs_rs", "source": "none",
                 "options": ["file"] + OPTIONS},
                {"destination": "/proc/timer_list", "type": "nullfs_rs", "source": "none",
                 "options": ["file"] + OPTIONS},
                {"destination": "/sys/firmware", "type": "nullfs_rs", "source": "none",
                 "options": OPTIONS}])
            expect("crun: the /proc mount stays first", crun["mounts"][0]["type"], "proc")
            expect("crun: maskedPaths left", crun["linux"]["maskedPaths"],
                   [p for p in MASKED if p.lstrip("/") not in DIRS + FILES])
            expect("crun: readonlyPaths", crun["linux"]["readonlyPaths"], ["/proc/sys"])
            runc = run(tmp, "runc")
            expect("runc: mounts", [m["destination"] for m in runc["mounts"]],
                   ["/proc", "/sys/firmware"])
            expect("runc: maskedPaths left", runc["linux"]["maskedPaths"],
                   crun["linux"]["maskedPaths"])
            hooks = runc.get("hooks", {}).get("createContainer", [])
            expect("runc: one createContainer hook", len(hooks), 1)
            expect("runc: the hook is the tool", hooks[0]["path"],
                   os.path.join(HERE, "oci_mask.py"))
            expect("runc: the hook's masks", hooks[0]["args"],
                   ["oci_mask.py", "--hook", os.path.join(tmp, "rootfs"),
                    "dir:/proc/acpi", "file:/proc/keys", "file:/proc/timer_list"])
            expect("crun: no hook", "hooks" in crun, False)
        except AssertionError as e:
            print(f"oci_mask_test: {e}")
            return 1
    print("oci_mask_test: crun gets 4 masks (2 directories, 2 files) and keeps 6 "
          "missing paths; runc gets /sys/firmware and a hook for the 3 in /proc")
    return 0


if __name__ == "__main__":
    sys.exit(main())
