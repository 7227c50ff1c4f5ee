#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The container rows of make bench, in the test guest.

    containers.py WORKDIR ROUNDS

Times busybox containers under rootful crun from start to exit, and weighs
the slab memory of containers kept alive, with 20 and with 96 masked
directories (Kubernetes masks one path per CPU), masked four ways:

  masked_paths     the runtime's own masks (maskedPaths: crun mounts a
                   read-only tmpfs on each directory)
  nullfs_rs        a nullfs_rs mount per path (mounts of type nullfs_rs)
  nullfs_rs_bind   a read-only bind of one nullfs_rs instance that the host
                   mounted once
  empty_bind       a read-only bind of one empty host directory

Each round runs every (way, count) pair once, in an order that rotates
from round to round. A turn times CONTAINERS_TIMED runs of a shell that
checks its masks and exits (crun run, from its start to its exit and
cleanup), then starts CONTAINERS_ALIVE containers that check their masks,
say so and wait on stdin, and reads how much the slab grew while all of
them run. Prints "ROW SUBJECT ROUND VALUE" lines as tools/bench/bench.c
does, SUBJECT being WAY:COUNT:

  containers_start_exit_ns   mean wall time of one crun run
  containers_slab_bytes      slab growth per live container, summed over
                             /proc/slabinfo (active objects x object size)
  containers_meminfo_slab_bytes  the same from /proc/meminfo's Slab (whole
                             pages, coarse)

The rootfs is assembled as tools/guest/oci.py does, from the host's
busybox-static; every masked directory holds a file, so a container whose
mask is missing sees it and fails the run. The containers have no network
namespace and no cgroup (--cgroup-manager=disabled): neither is what is
compared, and both free their memory asynchronously, which would blur the
slab readings.
"""

import json
import os
import shutil
import subprocess
import sys
import time

COUNTS = [20, 96]
WAYS = ["masked_paths", "nullfs_rs", "nullfs_rs_bind", "empty_bind"]
# Per turn: runs timed, and containers alive while the slab is read. A crun
# run takes from half a second to a few seconds under TCG.
CONTAINERS_TIMED = 2
CONTAINERS_ALIVE = 3
APPLETS = ["sh", "true", "ls"]


def die(message):
    sys.exit(f"containers.py: error: {message}")


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def make_rootfs(work):
    rootfs = f"{work}/rootfs"
    for d in ["bin", "proc", "sys", "dev", "tmp"]:
        os.makedirs(f"{rootfs}/{d}")
    shutil.copy("/bin/busybox", f"{rootfs}/bin/busybox")
    for applet in APPLETS:
        os.symlink("busybox", f"{rootfs}/bin/{applet}")
    for i in range(max(COUNTS)):
        os.makedirs(f"{rootfs}/masked/{i}")
        write(f"{rootfs}/masked/{i}/file", "shows only if the mask is missing\n")
    return rootfs


def make_bundle(work, rootfs, way, count, sources):
    """A bundle whose config.json masks /masked/0 .. /masked/COUNT-1 WAY."""
    bundle = f"{work}/bundle-{way}-{count}"
    os.makedirs(bundle)
    done = subprocess.run(["crun", "spec"], cwd=bundle, capture_output=True, text=True,
                          check=False)
    if done.returncode:
        die(f"crun spec: {done.stderr.strip()}")
    with open(f"{bundle}/config.json", encoding="utf-8") as f:
        config = json.load(f)
    config["root"] = {"path": rootfs, "readonly": True}
    config["process"]["terminal"] = False
    # Every mask in place: the first and the last directory show nothing.
    last = count - 1
    config["process"]["args"] = [
        "/bin/sh", "-c",
        f'[ -z "$(ls -A /masked/0)" ] && [ -z "$(ls -A /masked/{last})" ] || exit 1; '
        'echo up; read line; exit 0']
    linux = config["linux"]
    linux["namespaces"] = [ns for ns in linux["namespaces"] if ns["type"] != "network"]
    linux.pop("resources", None)
    linux["readonlyPaths"] = []
    paths = [f"/masked/{i}" for i in range(count)]
    linux["maskedPaths"] = paths if way == "masked_paths" else []
    for path in paths:
        if way == "nullfs_rs":
            config["mounts"].append({"destination": path, "type": "nullfs_rs",
                                     "source": "none", "options": ["ro"]})
        elif way in sources:
            config["mounts"].append({"destination": path, "type": "bind",
                                     "source": sources[way], "options": ["rbind", "ro"]})
    with open(f"{bundle}/config.json", "w", encoding="utf-8") as f:
        json.dump(config, f)
    return bundle


class Runtime:
    def __init__(self, work):
        self.state = f"{work}/state"
        os.makedirs(self.state)
        self.serial = 0

    def command(self, bundle):
        self.serial += 1
        return ["crun", "--root", self.state, "--cgroup-manager=disabled",
                "run", "-b", bundle, f"bench{self.serial}"]


def start_to_exit_ns(runtime, bundle):
    """Mean ns of a crun run of /bin/true, from its start to its exit."""
    total = 0
    for _ in range(CONTAINERS_TIMED):
        command = runtime.command(bundle)
        start = time.perf_counter_ns()
        # The bundle's process reads stdin: /dev/null ends it at once.
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                              check=False)
        total += time.perf_counter_ns() - start
        if done.returncode or done.stdout != b"up\n":
            die(f"{' '.join(command)}: exit {done.returncode}, stdout {done.stdout!r}, "
                f"stderr {done.stderr.decode(errors='replace').strip()[-300:]}")
    return total / CONTAINERS_TIMED


def settle_slab():
    """Lets freed objects reach the slab counters, as bench.c's settle_slab()."""
    time.sleep(0.2)
    write("/proc/sys/vm/drop_caches", "2\n")
    for cache in os.listdir("/sys/kernel/slab"):
        write(f"/sys/kernel/slab/{cache}/shrink", "1\n")


def slab_bytes():
    """(sum of active objects x object size over /proc/slabinfo, meminfo Slab)."""
    total = 0
    with open("/proc/slabinfo", encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if len(fields) > 3 and not line.startswith("#") and fields[1].isdigit():
                total += int(fields[1]) * int(fields[3])
    with open("/proc/meminfo", encoding="utf-8") as f:
        meminfo = next(int(line.split()[1]) * 1024 for line in f
                       if line.startswith("Slab:"))
    return total, meminfo


def slab_per_container(runtime, bundle):
    """Slab growth per container while CONTAINERS_ALIVE of them run: each
    has said "up" once its masks were checked, and waits on its stdin."""
    settle_slab()
    before = slab_bytes()
    alive = []
    after = None
    for _ in range(CONTAINERS_ALIVE):
        command = runtime.command(bundle)
        alive.append((command, subprocess.Popen(command, stdin=subprocess.PIPE,
                                                stdout=subprocess.PIPE,
                                                stderr=subprocess.PIPE)))
        if alive[-1][1].stdout.readline() != b"up\n":
            break
    else:
        settle_slab()
        after = slab_bytes()
    # End of input: each container's read returns and its shell exits.
    for command, process in alive:
        process.stdin.close()
    for command, process in alive:
        err = process.stderr.read().decode(errors="replace").strip()
        if process.wait(timeout=300) or after is None:
            die(f"{' '.join(command)}: exit {process.returncode}, stderr {err[-300:]}")
        process.stdout.close()
        process.stderr.close()
    return [(a - b) / CONTAINERS_ALIVE for a, b in zip(after, before)]


def emit(row, subject, round_, value):
    print(f"{row} {subject} {round_} {value:.6g}", flush=True)


def main():
    if len(sys.argv) != 3 or not sys.argv[2].isdigit() or int(sys.argv[2]) < 1:
        die("usage: containers.py WORKDIR ROUNDS")
    work, rounds = sys.argv[1], int(sys.argv[2])
    if os.path.exists(work):
        die(f"{work} exists")
    os.makedirs(work)
    rootfs = make_rootfs(work)
    empty = f"{work}/empty"
    host_nullfs = f"{work}/nullfs_rs"
    os.makedirs(empty, 0o555)
    os.makedirs(host_nullfs)
    # crun mounts the spec's /sys/fs/cgroup from the host's cgroup2.
    if not os.path.ismount("/sys/fs/cgroup"):
        subprocess.run(["mount", "-t", "cgroup2", "none", "/sys/fs/cgroup"], check=True)
    # The host's one instance, which every nullfs_rs_bind container binds.
    subprocess.run(["mount", "-t", "nullfs_rs", "-o", "ro", "none", host_nullfs], check=True)
    try:
        sources = {"nullfs_rs_bind": host_nullfs, "empty_bind": empty}
        turns = [(way, count, make_bundle(work, rootfs, way, count, sources))
                 for count in COUNTS for way in WAYS]
        runtime = Runtime(work)
        for round_ in range(rounds):
            for i in range(len(turns)):
                way, count, bundle = turns[(i + round_) % len(turns)]
                subject = f"{way}:{count}"
                emit("containers_start_exit_ns", subject, round_,
                     start_to_exit_ns(runtime, bundle))
                slab, meminfo = slab_per_container(runtime, bundle)
                emit("containers_slab_bytes", subject, round_, slab)
                emit("containers_meminfo_slab_bytes", subject, round_, meminfo)
    finally:
        subprocess.run(["umount", host_nullfs], check=True)
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
