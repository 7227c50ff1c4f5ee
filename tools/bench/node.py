#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The node-scale rows of make bench, in the test guest.

    node.py WORKDIR [CONTAINERS [DIRS]]

A Kubernetes node at its default pod limit: CONTAINERS live busybox
containers (110) under rootful crun, each masking DIRS directories (96,
the per-CPU thermal_throttle masks of a 96-core node) and FILES files
(8, as many as the runtimes' default maskedPaths hold), six ways:

  masked_paths      crun's own maskedPaths: a read-only tmpfs per
                    directory, the container's /dev/null bound on a file
  tmpfs_shared      runc's 2026 method: one read-only tmpfs per container
                    bound on every directory (made on the host, bound by
                    config.json), /dev/null on the files
  empty_bind        crun's shared host empty directory bound on every
                    directory, /dev/null on the files
  nullfs_rs         a nullfs_rs mount per path, "file" for the files
  nullfs_rs_mntns   the same with instance=mntns: one superblock per
                    container
  nullfs_rs_bind    one host nullfs_rs directory and one host nullfs_rs
                    file bound on every path

Per way, in one boot, one after the other: the containers are started,
each in the way's memory cgroup, and each says "up" once it has checked
that its first and last masks hide what is under them; then, all of them
alive, what they cost is read; then they exit. Then 16 runs from start to
exit, one at a time, and 16 started together. Prints "ROW WAY 0 VALUE"
lines, as containers.py does:

  node_slab_bytes          slab growth per live container (/proc/slabinfo,
                           active objects x object size)
  node_memcg_kernel_bytes  the way's cgroup's memory.stat "kernel" per
                           container: kernel memory charged to it, mounts
                           and superblocks included (GFP_KERNEL_ACCOUNT)
  node_superblocks         superblocks the masks of all containers are on
                           that were not there before (each registers a
                           shrinker of its own)
  node_start_exit_ns_1     mean wall time of a crun run, one at a time
  node_start_exit_ns_16    mean wall time of a crun run, 16 at once
"""

import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import containers  # noqa: E402

WAYS = ["masked_paths", "tmpfs_shared", "empty_bind", "nullfs_rs", "nullfs_rs_mntns",
        "nullfs_rs_bind"]
FILES = 8
PARALLEL = 16
CGROUP = "/sys/fs/cgroup/nullfs_rs_node"


def make_files(rootfs):
    for i in range(FILES):
        containers.write(f"{rootfs}/masked/file{i}", "shows only if the mask is missing\n")


def spec(work, rootfs, way, dirs, sources):
    """The bundle of a container of @way: containers.py's spec, whose masks
    are made here, with the files masked too and a shell that reports its
    masks' devices."""
    bundle = f"{work}/node-{way}"
    os.rename(containers.make_bundle(work, rootfs, "masked_paths", dirs, {}), bundle)
    with open(f"{bundle}/config.json", encoding="utf-8") as f:
        config = json.load(f)
    linux = config["linux"]
    dir_paths = [f"/masked/{i}" for i in range(dirs)]
    file_paths = [f"/masked/file{i}" for i in range(FILES)]
    mounts = [m for m in config["mounts"] if m["destination"] not in dir_paths]
    masked = []
    if way in ("masked_paths", "tmpfs_shared", "empty_bind"):
        masked = file_paths
    if way == "masked_paths":
        masked = dir_paths + file_paths
    for p in dir_paths:
        if way in ("tmpfs_shared", "empty_bind", "nullfs_rs_bind"):
            mounts.append({"destination": p, "type": "bind", "source": sources[way],
                           "options": ["rbind", "ro"]})
        elif way.startswith("nullfs_rs"):
            options = ["ro"] + (["instance=mntns"] if way == "nullfs_rs_mntns" else [])
            mounts.append({"destination": p, "type": "nullfs_rs", "source": "none",
                           "options": options})
    for p in file_paths:
        if way == "nullfs_rs_bind":
            mounts.append({"destination": p, "type": "bind", "source": sources["file"],
                           "options": ["bind", "ro"]})
        elif way.startswith("nullfs_rs"):
            options = ["ro", "file"] + (["instance=mntns"] if way == "nullfs_rs_mntns" else [])
            mounts.append({"destination": p, "type": "nullfs_rs", "source": "none",
                           "options": options})
    config["mounts"] = mounts
    linux["maskedPaths"] = masked
    last = dirs - 1
    check = (f'[ -z "$(ls -A /masked/0)" ] && [ -z "$(ls -A /masked/{last})" ] && '
             f'[ ! -s /masked/file0 ] && [ ! -s /masked/file{FILES - 1} ] || exit 1')
    config["process"]["args"] = [
        "/bin/sh", "-c",
        f'{check}; echo up $(stat -c %d /dev) $(stat -c %d /masked/* | sort -u | tr "\\n" " "); '
        'read line; exit 0']
    with open(f"{bundle}/config.json", "w", encoding="utf-8") as f:
        json.dump(config, f)
    return bundle


def memcg_kernel():
    with open(f"{CGROUP}/memory.stat", encoding="utf-8") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("kernel "))


def into_cgroup():
    containers.write(f"{CGROUP}/cgroup.procs", f"{os.getpid()}\n")


def live(runtime, bundle, count):
    """Starts @count containers of @bundle in the cgroup; returns
    (processes, the devices their masks are on)."""
    alive, devices = [], set()
    for _ in range(count):
        command = runtime.command(bundle)
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, preexec_fn=into_cgroup)
        alive.append((command, process))
        line = process.stdout.readline().decode().split()
        if line[:1] != ["up"]:
            break
        # Less the container's own /dev, where its /dev/null is, which
        # every container has however it masks.
        devices.update(set(line[2:]) - set(line[1:2]))
    return alive, devices


def stop(alive):
    failed = None
    for _, process in alive:
        process.stdin.close()
    for command, process in alive:
        err = process.stderr.read().decode(errors="replace").strip()
        if process.wait(timeout=600) and failed is None:
            failed = f"{' '.join(command)}: exit {process.returncode}, stderr {err[-300:]}"
        process.stdout.close()
        process.stderr.close()
    return failed


def start_to_exit(runtime, bundle, parallel, runs=PARALLEL):
    """Mean ns of @runs crun runs, @parallel at a time."""
    total = 0
    for _ in range(runs // parallel):
        batch = []
        for _ in range(parallel):
            command = runtime.command(bundle)
            batch.append((command, time.perf_counter_ns(),
                          subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
        for command, start, process in batch:
            out, err = process.communicate(timeout=600)
            total += time.perf_counter_ns() - start
            if process.returncode or not out.startswith(b"up "):
                containers.die(f"{' '.join(command)}: exit {process.returncode}, "
                               f"stderr {err.decode(errors='replace').strip()[-300:]}")
    return total / runs


def host_devices(work):
    """The devices of the host's own mask sources, which are there before:
    the empty directory, the nullfs_rs instances, and /dev/null, which crun
    binds from the host."""
    return {str(os.stat(p).st_dev) for p in (f"{work}/empty", f"{work}/nullfs_rs",
                                             f"{work}/nullfs_rs_file", "/dev/null")}


def main():
    args = sys.argv[1:]
    if not 1 <= len(args) <= 3 or not all(a.isdigit() for a in args[1:]):
        containers.die("usage: node.py WORKDIR [CONTAINERS [DIRS]]")
    work = args[0]
    count = int(args[1]) if len(args) > 1 else 110
    dirs = int(args[2]) if len(args) > 2 else 96
    if os.path.exists(work):
        containers.die(f"{work} exists")
    os.makedirs(work)
    containers.APPLETS = containers.APPLETS + ["stat", "sort", "tr"]
    rootfs = containers.make_rootfs(work)
    make_files(rootfs)
    if not os.path.ismount("/sys/fs/cgroup"):
        subprocess.run(["mount", "-t", "cgroup2", "none", "/sys/fs/cgroup"], check=True)
    containers.write("/sys/fs/cgroup/cgroup.subtree_control", "+memory\n")
    empty, host_nullfs, host_file = f"{work}/empty", f"{work}/nullfs_rs", f"{work}/nullfs_rs_file"
    os.makedirs(empty, 0o555)
    os.makedirs(host_nullfs)
    containers.write(host_file, "")
    subprocess.run(["mount", "-t", "nullfs_rs", "-o", "ro", "none", host_nullfs], check=True)
    subprocess.run(["mount", "-t", "nullfs_rs", "-o", "ro,file", "none", host_file], check=True)
    shared_tmpfs = []
    try:
        runtime = containers.Runtime(work)
        for way in WAYS:
            sources = {"empty_bind": empty, "nullfs_rs_bind": host_nullfs, "file": host_file}
            if way == "tmpfs_shared":
                # One tmpfs per container, as runc makes it, here from the
                # host; a container binds the one made for it.
                sources[way] = f"{work}/tmpfs"
                os.makedirs(sources[way])
            bundle = spec(work, rootfs, way, dirs, sources)
            os.makedirs(CGROUP, exist_ok=True)
            before_devices = host_devices(work)
            # One container first, so that what the first container of a
            # way allocates for good (crun's caches, the bundle's dentries)
            # is not counted.
            if way == "tmpfs_shared":
                subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=4k", "tmpfs",
                                sources[way]], check=True)
            start_to_exit(runtime, bundle, 1, runs=1)
            if way == "tmpfs_shared":
                subprocess.run(["umount", sources[way]], check=True)
            containers.settle_slab()
            slab_before = containers.slab_bytes()[0]
            kernel_before = memcg_kernel()
            if way == "tmpfs_shared":
                alive, devices = [], set()
                for i in range(count):
                    # Each container its own tmpfs: mount one, start the
                    # container, which binds it, and unmount it from the
                    # host again, leaving the container's mounts.
                    subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=4k", "tmpfs",
                                    sources[way]], check=True)
                    more, devs = live(runtime, bundle, 1)
                    subprocess.run(["umount", sources[way]], check=True)
                    alive += more
                    devices |= devs
                    if len(devs) == 0:
                        break
            else:
                alive, devices = live(runtime, bundle, count)
            if len(alive) == count and all(p.poll() is None for _, p in alive):
                containers.settle_slab()
                slab = (containers.slab_bytes()[0] - slab_before) / count
                kernel = (memcg_kernel() - kernel_before) / count
            else:
                slab = kernel = None
            failed = stop(alive)
            if failed or slab is None:
                containers.die(failed or f"{way}: not all {count} containers came up")
            containers.emit("node_slab_bytes", way, 0, slab)
            containers.emit("node_memcg_kernel_bytes", way, 0, kernel)
            containers.emit("node_superblocks", way, 0, len(devices - before_devices))
            if way == "tmpfs_shared":
                subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=4k", "tmpfs",
                                sources[way]], check=True)
                shared_tmpfs.append(sources[way])
            for parallel in (1, PARALLEL):
                containers.emit(f"node_start_exit_ns_{parallel}", way, 0,
                                start_to_exit(runtime, bundle, parallel))
            for path in shared_tmpfs:
                subprocess.run(["umount", path], check=True)
            shared_tmpfs.clear()
            os.rmdir(CGROUP)
    finally:
        for path in shared_tmpfs + [host_file, host_nullfs]:
            subprocess.run(["umount", path], check=False)
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
