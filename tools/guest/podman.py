#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""podman masking a directory with nullfs_rs, in the test guest.

Runs Debian's podman (crun underneath) on a busybox rootfs assembled here
(podman run --rootfs), with its storage and state under WORK, rootful and
rootless (as nobody, with no subordinate ids: podman's single mapping). The
image's /secret holds a file and is masked in each way podman offers for a
nullfs_rs mount: a read-only bind of an instance mounted on the host, and a
podman volume of type nullfs_rs; and, to compare, with --security-opt mask
(the runtime's maskedPaths, a read-only tmpfs). Inside, the container's root,
with podman's default capabilities, tries what a process that wants to see
or change a masked path would (/probe.sh). One TAP test per container and
assertion; the last ones check that nothing is left mounted and that the
module unloads.

The module is loaded by the first nullfs_rs mount, from the tree
tools/guest/autoload.sh put in place, or else by insmod of
$NULLFS_RS_KO (a comment line says which).
"""

import glob
import os
import shutil
import signal
import subprocess
import sys
import time

import oci
from oci import NOBODY, NULL_FS_MAGIC, tap

WORK = "/tmp/podman"
TMPFS_MAGIC = "1021994"
APPLETS = ["sh", "ls", "touch", "chmod", "umount", "stat", "tr"]

PROBE = r"""#!/bin/sh
# What the container's root can do to /secret, one "ROW RESULT" line each;
# RESULT is "ok", "ok: DETAIL" or an errno name.
""" + oci.PROBE_FUNCTIONS + r"""
echo "list $(listing)"
echo "statfs $(stat -f -c %t /secret 2>&1)"
try create touch /secret/new
try chmod chmod 700 /secret
if out=$(umount /secret 2>&1); then
	echo "reveal ok: $(listing)"
else
	echo "reveal $(errname "$out")"
fi
"""

ROWS = ["list", "statfs", "create", "chmod", "reveal"]

# What each mask must give the container's root, with podman's default
# capabilities (no CAP_SYS_ADMIN, and its seccomp profile refuses umount).
# nullfs_rs answers a create from its lookup, before the VFS checks for a
# read-only mount, and chmod, on a read-write mount, as immutable.
EXPECTED = {
    "nullfs_rs ro bind": {"list": "empty", "statfs": NULL_FS_MAGIC, "create": "ENOENT",
                          "chmod": "EROFS", "reveal": "EPERM"},
    "nullfs_rs volume": {"list": "empty", "statfs": NULL_FS_MAGIC, "create": "ENOENT",
                         "chmod": "EPERM", "reveal": "EPERM"},
    "maskedPaths": {"list": "empty", "statfs": TMPFS_MAGIC, "create": "EROFS",
                    "chmod": "EROFS", "reveal": "EPERM"},
}
MEANING = {
    "list": "/secret lists empty",
    "statfs": "statfs of /secret gives {}",
    "create": "creating a file fails with {}",
    "chmod": "chmod fails with {}",
    "reveal": "umount /secret fails with {}",
}

# unmasked 1, bind 6, volume 10, volume o=uid 1, mask=/secret 6, --mount 1
TESTS_PER_MODE = 25


def run(cmd, user=None, env=None):
    return oci.run(cmd, user, timeout=300, env=env)


def loaded():
    with open("/proc/modules") as f:
        return any(line.startswith("nullfs_rs ") for line in f)


def mounts(pid="self"):
    """(mount point, fs type) of every mount in @pid's mount namespace."""
    found = []
    with open(f"/proc/{pid}/mountinfo") as f:
        for line in f:
            fields = line.split()
            found.append((fields[4], fields[fields.index("-") + 1]))
    return found


class Podman:
    """podman as root or as nobody, with everything it keeps under WORK."""

    def __init__(self, rootless):
        self.user = NOBODY if rootless else None
        self.mode = "rootless" if rootless else "rootful"
        self.dir = f"{WORK}/{self.mode}"
        for sub in ("home", "xdg"):
            os.makedirs(f"{self.dir}/{sub}")
        if rootless:
            for path in (self.dir, f"{self.dir}/home", f"{self.dir}/xdg"):
                os.chown(path, NOBODY, NOBODY)
        self.env = dict(os.environ, HOME=f"{self.dir}/home", XDG_RUNTIME_DIR=f"{self.dir}/xdg")
        self.rootfs = make_rootfs(f"{self.dir}/rootfs", self.user)

    def __call__(self, *args):
        cmd = ["podman", "--root", f"{self.dir}/storage", "--runroot", f"{self.dir}/run",
               "--tmpdir", f"{self.dir}/tmp", "--storage-driver", "vfs",
               "--cgroup-manager", "cgroupfs", "--events-backend", "file",
               "--network-config-dir", f"{self.dir}/networks"] + list(args)
        return run(cmd, self.user, self.env)

    def container(self, *opts):
        """Runs the probe in a container; returns podman's CompletedProcess."""
        cgroups = ["--cgroups", "disabled"] if self.user is not None else []
        return self("run", "--rm", "--network", "none", *cgroups, *opts,
                    "--rootfs", self.rootfs, "/bin/sh", "/probe.sh")

    def pause_pid(self):
        """The pause process that keeps a rootless podman's namespaces, in
        which it mounts its volumes."""
        for pidfile in glob.glob(f"{self.dir}/**/pause.pid", recursive=True):
            with open(pidfile) as f:
                return int(f.read())
        return None

    def volume_mounts(self):
        """Mounts under podman's volume directory, in the namespace where
        podman mounts its volumes."""
        pid = "self"
        if self.user is not None:
            pid = self.pause_pid()
            if pid is None:
                return [("no pause process to look in", "")]
        volumes = f"{self.dir}/storage/volumes/"
        return [m for m in mounts(pid) if m[0].startswith(volumes)]

    def stop(self):
        pid = self.pause_pid()
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def make_rootfs(rootfs, owner):
    oci.make_rootfs(rootfs, PROBE, APPLETS)
    # A rootless podman writes its /etc/hosts and /run mount points into the
    # rootfs, as the user it runs as.
    if owner is not None:
        for path, dirs, files in os.walk(rootfs):
            for name in dirs + files + [""]:
                os.chown(os.path.join(path, name), owner, owner, follow_symlinks=False)
    return rootfs


def kernel_log():
    return subprocess.run(["dmesg"], capture_output=True, text=True, check=False).stdout


def probe_rows(out):
    return oci.probe_rows(out, ROWS)


def check_container(what, done, expected):
    """One test that the container ran, then one per row of the probe."""
    tap(done.returncode == 0, f"{what}: the container runs",
        f"exit status {done.returncode}: {done.stderr.strip()[-400:]}")
    rows = probe_rows(done.stdout)
    for row in ROWS:
        want = expected[row]
        tap(rows.get(row) == want, f"{what}: {MEANING[row].format(want)}",
            f"got {rows.get(row)!r}")


def run_masks(podman):
    mode = podman.mode
    # A nullfs_rs instance mounted by root on the host, before podman's
    # first command: a rootless podman's namespace copies the host's mounts
    # when it is made.
    mask = f"{WORK}/{mode}-mask"
    os.makedirs(mask)
    subprocess.run(["mount", "-t", "nullfs_rs", "none", mask], check=True)

    # The image unmasked: the probe sees its file, which the masks must hide.
    done = podman.container()
    rows = probe_rows(done.stdout)
    tap(done.returncode == 0 and rows.get("list") == "file",
        f"{mode} unmasked: /secret lists the image's file",
        f"exit status {done.returncode}, list {rows.get('list')!r}: {done.stderr.strip()[-300:]}")

    # That instance, bound read-only.
    done = podman.container("--mount", f"type=bind,source={mask},destination=/secret,ro")
    check_container(f"{mode} --mount type=bind of a host nullfs_rs mount,ro", done,
                    EXPECTED["nullfs_rs ro bind"])
    subprocess.run(["umount", mask], check=True)

    # A volume podman mounts itself, with mount(8), at first use.
    # nocopy: podman would otherwise copy the image's /secret into it.
    name = "nullmask"
    done = podman("volume", "create", "--opt", "type=nullfs_rs", "--opt", "device=none",
                  "--opt", "nocopy", name)
    tap(done.returncode == 0, f"{mode} volume create --opt type=nullfs_rs succeeds",
        done.stderr.strip())
    # podman chowns and chmods a new volume's root to the container's user
    # and the image directory's owner and mode, once; nullfs_rs's root is
    # immutable. podman records the chown as done before trying it.
    done = podman.container("-v", f"{name}:/secret")
    tap(done.returncode != 0 and "lchown" in done.stderr and
        "operation not permitted" in done.stderr and not probe_rows(done.stdout),
        f"{mode} volume type=nullfs_rs: the first container fails at podman's lchown, EPERM",
        f"exit status {done.returncode}: {done.stderr.strip()[-300:]}")
    done = podman.container("-v", f"{name}:/secret")
    check_container(f"{mode} volume type=nullfs_rs, second container", done,
                    EXPECTED["nullfs_rs volume"])
    # The volume stays mounted after its containers: podman 4.3 drops a
    # volume's mount count when it unmounts a container's storage, which it
    # skips for a --rootfs container. volume rm unmounts it regardless.
    done = podman("volume", "rm", name)
    tap(done.returncode == 0, f"{mode} volume rm succeeds", done.stderr.strip())
    left = podman.volume_mounts()
    tap(not left, f"{mode} volume rm unmounts the nullfs_rs volume", f"still mounted: {left}")

    # o=uid=N would skip the chown, but podman passes it on to the mount.
    refusal = "nullfs_rs: Unknown parameter 'uid'"
    logged = kernel_log().count(refusal)
    name = "nullmask-uid"
    done = podman("volume", "create", "--opt", "type=nullfs_rs", "--opt", "device=none",
                  "--opt", "o=uid=0", "--opt", "nocopy", name)
    if done.returncode == 0:
        done = podman.container("-v", f"{name}:/secret")
        podman("volume", "rm", name)
    named = kernel_log().count(refusal) > logged
    tap(done.returncode != 0 and named and not probe_rows(done.stdout),
        f"{mode} volume type=nullfs_rs,o=uid=0: the mount fails, the log names uid",
        f"exit status {done.returncode}, log {'names' if named else 'does not name'} it: "
        f"{done.stderr.strip()[-300:]}")

    # The runtime's own mask, for comparison.
    done = podman.container("--security-opt", "mask=/secret")
    check_container(f"{mode} --security-opt mask=/secret", done, EXPECTED["maskedPaths"])

    # podman 4.3's --mount knows bind, volume, tmpfs, devpts and image only.
    done = podman.container("--mount", "type=nullfs_rs,destination=/secret")
    tap(done.returncode != 0 and 'invalid filesystem type "nullfs_rs"' in done.stderr,
        f"{mode} --mount type=nullfs_rs is refused by podman",
        f"exit status {done.returncode}: {done.stderr.strip()[-300:]}")


def main():
    if os.path.exists(WORK):
        shutil.rmtree(WORK)
    os.makedirs(WORK)
    os.chmod(WORK, 0o755)
    if not os.path.ismount("/sys/fs/cgroup"):
        subprocess.run(["mount", "-t", "cgroup2", "none", "/sys/fs/cgroup"], check=False)

    # podman's locks are shared memory segments, outside --root.
    locks_before = set(glob.glob("/dev/shm/libpod*"))
    version = run(["podman", "--version"]).stdout.strip()
    if loaded():
        how = "already loaded"
    elif run(["modprobe", "--dry-run", "nullfs_rs"]).returncode == 0:
        how = "loaded by the first mount, from the installed module tree"
    else:
        ko = os.environ["NULLFS_RS_KO"]
        how = f"insmod {ko}: {run(['insmod', ko]).returncode}"

    print("TAP version 13")
    print(f"1..{2 * TESTS_PER_MODE + 2}")
    print(f"# {version}; module: {how}")
    for podman in (Podman(False), Podman(True)):
        try:
            run_masks(podman)
        except (subprocess.SubprocessError, OSError) as e:
            tap(False, f"{podman.mode}: the tests ran to the end", str(e))
        finally:
            podman("rm", "--all", "--force")
            podman("volume", "rm", "--all", "--force")
            podman.stop()
    for mask in glob.glob(f"{WORK}/*-mask"):
        subprocess.run(["umount", mask], capture_output=True, check=False)

    left = [m for m in mounts() if m[1] == "nullfs_rs" or m[0].startswith(WORK + "/")]
    tap(not left, "nothing is left mounted", f"still mounted: {left}")
    # A container's namespace lets its mounts go a little after its last
    # process (the last mntput of an exiting task is deferred): tries are
    # counted, generously, and stop at the first success.
    for _ in range(600):
        if run(["rmmod", "nullfs_rs"]).returncode == 0:
            break
        time.sleep(0.1)
    tap(not loaded(), "rmmod nullfs_rs works afterwards")
    for path, _, _ in os.walk(WORK):
        if os.path.ismount(path):
            subprocess.run(["umount", "-R", path], check=False)
    shutil.rmtree(WORK)
    for lock in set(glob.glob("/dev/shm/libpod*")) - locks_before:
        os.unlink(lock)
    return 1 if oci.failures else 0


if __name__ == "__main__":
    sys.exit(main())
