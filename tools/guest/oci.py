#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""OCI runtimes masking a directory with nullfs_rs, in the test guest.

Runs a busybox container, assembled here from the host's busybox-static,
with Debian's crun and runc, rootful and rootless (as nobody), and masks the
image's /secret, which holds a file, three ways: a nullfs_rs mount in
config.json, the runtime's own maskedPaths (a read-only tmpfs for a
directory), and a read-only bind of an empty directory. Inside, the
container's root tries what a process that wants to see or change a
masked path would (/probe.sh), with the spec's default capabilities and
with CAP_SYS_ADMIN added. Then the option contract: the options a runtime
sends for a nullfs_rs mount, generic flags and an unknown one. Then each
runtime's own default maskedPaths, masked its own way and as
tools/oci_mask.py rewrites them to nullfs_rs mounts (directories and
files, one superblock per container), and what the container's root can
do to each path this kernel has (/defaults.sh); for runc, the tool masks
the paths in /proc with a createContainer hook.

Prints TAP, and the tables of what the container's root could do between
"doc-table" markers for Documentation/containers.rst.

The module is not loaded first: the runtimes' mounts load it, from the
tree `make install` left (tools/guest/autoload.sh puts it in place).

    oci.py           the tests
    oci.py --demo    make run's container: one rootless crun run
"""

import json
import os
import shutil
import subprocess
import sys

WORK = "/tmp/oci"
NOBODY = 65534
NULL_FS_MAGIC = "4e554c4c"
MASK_TOOL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         "oci_mask.py")
# Commands the probe uses, as busybox applets.
APPLETS = ["sh", "ls", "touch", "chmod", "mount", "umount", "stat", "cat", "echo", "tr", "wc"]

# The probe's shell functions, which podman.py's probe shares: what a
# failed command said, as an errno name; one row of a command's result; the
# names in /secret.
PROBE_FUNCTIONS = r"""errname() {
	case "$1" in
	*"Read-only file system"*) echo EROFS ;;
	*"Operation not permitted"*) echo EPERM ;;
	# busybox mount says this for both.
	*"permission denied (are you root?)"*) echo "EPERM|EACCES" ;;
	*"Permission denied"*) echo EACCES ;;
	*"No such file or directory"*) echo ENOENT ;;
	*"Invalid argument"*) echo EINVAL ;;
	*"Device or resource busy"*) echo EBUSY ;;
	*) echo "other: $1" ;;
	esac
}
try() {
	row=$1
	shift
	if out=$("$@" 2>&1); then
		echo "$row ok"
	else
		echo "$row $(errname "$out")"
	fi
}
listing() {
	names=$(ls -A /secret 2>&1 | tr '\n' ' ')
	echo "${names:-empty}"
}
"""

PROBE = r"""#!/bin/sh
# What the container's root can do to /secret. One line per row:
# ROW RESULT, where RESULT is "ok", "ok: DETAIL" or an errno name.
""" + PROBE_FUNCTIONS + r"""
echo "list $(listing)"
echo "statfs $(stat -f -c %t /secret 2>&1)"
try create touch /secret/new
try chmod chmod 700 /secret
try remount-rw mount -o remount,rw /secret
try create-rw touch /secret/new
# (The image is read-only: errors are kept in variables, not files.)
if out=$(mount -t tmpfs tmpfs /secret 2>&1); then
	echo "mount-over ok"
	umount /secret
else
	echo "mount-over $(errname "$out")"
fi
if out=$(umount /secret 2>&1); then
	echo "reveal ok: $(listing)"
else
	echo "reveal $(errname "$out")"
fi
"""

ROWS = ["list", "statfs", "create", "chmod", "remount-rw", "create-rw", "mount-over", "reveal"]

# What the container's root can do to each path its runtime masks by
# default: one line per path given, "PATH KIND DEV STATFS READ WRITE CHMOD
# MOUNT-OVER REVEAL", or "PATH missing".
DEFAULTS_PROBE = r"""#!/bin/sh
""" + PROBE_FUNCTIONS + r"""
res() {
	if out=$("$@" 2>&1); then echo ok; else errname "$out"; fi
}
for p in "$@"; do
	if [ ! -e "$p" ]; then
		echo "$p missing"
		continue
	fi
	if [ -d "$p" ]; then
		kind=dir
		read="$(ls -A "$p" | wc -l)names"
		write=$(res touch "$p/new")
		over=$(res mount -t tmpfs tmpfs "$p")
	else
		kind=file
		read="$(cat "$p" 2>/dev/null | wc -c)bytes"
		write=$(res sh -c "echo x >$p")
		over=$(res mount -o bind /probe.sh "$p")
	fi
	echo "$p $kind $(stat -c %d "$p") $(stat -f -c %t "$p") $read $write" \
		"$(res chmod 600 "$p") $over $(res umount "$p")"
done
"""
DEFAULTS_COLUMNS = ["kind", "dev", "statfs", "read", "write", "chmod", "mount-over", "reveal"]

test_number = 0
failures = 0


def tap(ok, what, why=""):
    global test_number, failures
    test_number += 1
    failures += not ok
    print(f"{'ok' if ok else 'not ok'} {test_number} {what}")
    if why and not ok:
        for line in why.splitlines():
            print(f"# {line}")
    sys.stdout.flush()


def run(cmd, user=None, timeout=120, **kw):
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] + cmd
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def make_rootfs(rootfs=f"{WORK}/rootfs", probe=PROBE, applets=APPLETS):
    """A busybox image whose /secret holds a file, with @probe as /probe.sh."""
    for d in ["bin", "proc", "sys", "dev", "tmp", "secret"]:
        os.makedirs(f"{rootfs}/{d}", exist_ok=True)
    shutil.copy("/bin/busybox", f"{rootfs}/bin/busybox")
    for applet in applets:
        os.symlink("busybox", f"{rootfs}/bin/{applet}")
    with open(f"{rootfs}/secret/file", "w") as f:
        f.write("the masked content\n")
    with open(f"{rootfs}/probe.sh", "w") as f:
        f.write(probe)
    os.chmod(f"{rootfs}/probe.sh", 0o755)
    os.chmod(f"{rootfs}/tmp", 0o1777)
    return rootfs


def runtime_env(user):
    """The environment of a runtime run by @user, with a state directory of
    its own where rootless runtimes look for one."""
    state = f"{WORK}/state-{user if user is not None else 0}"
    os.makedirs(state, exist_ok=True)
    if user is not None:
        os.chown(state, user, user)
    return state, dict(os.environ, XDG_RUNTIME_DIR=state)


def spec(runtime, rootless, bundle, user):
    """The runtime's own default spec, as `RUNTIME spec` writes it."""
    args = [runtime, "spec"] + (["--rootless"] if rootless else [])
    done = run(args, user=user, cwd=bundle, env=runtime_env(user)[1])
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)}: {done.stderr.strip()}")
    with open(f"{bundle}/config.json") as f:
        return json.load(f)


def container(runtime, rootless, mask, caps, n, mount_options=None, args=None,
              destination="/secret"):
    """Runs one container; returns (exit status, stdout, stderr).

    @mask "defaults" keeps the runtime's default maskedPaths; "defaults by
    nullfs_rs" rewrites them with tools/oci_mask.py."""
    user = NOBODY if rootless else None
    bundle = f"{WORK}/bundle-{n}"
    os.makedirs(bundle)
    if user is not None:
        os.chown(bundle, user, user)
    config = spec(runtime, rootless, bundle, user)
    config["root"] = {"path": f"{WORK}/rootfs", "readonly": True}
    process = config["process"]
    process["terminal"] = False
    process["args"] = args or ["/bin/sh", "/probe.sh"]
    if caps == "CAP_SYS_ADMIN":
        for kind in ("bounding", "effective", "permitted"):
            process["capabilities"].setdefault(kind, []).append("CAP_SYS_ADMIN")
    linux = config["linux"]
    linux.pop("resources", None)
    if not mask.startswith("defaults"):
        linux["maskedPaths"] = []
        linux["readonlyPaths"] = []
    if mask == "defaults by nullfs_rs":
        with open(f"{bundle}/config.json", "w") as f:
            json.dump(config, f)
        done = run([sys.executable, MASK_TOOL, "--runtime", runtime, f"{bundle}/config.json"])
        if done.returncode:
            raise RuntimeError(f"oci_mask.py: {done.stderr.strip()}")
        with open(f"{bundle}/config.json") as f:
            config = json.load(f)
    if mask == "nullfs_rs":
        config["mounts"].append({"destination": destination, "type": "nullfs_rs",
                                 "source": "none",
                                 "options": mount_options or ["nosuid", "nodev", "noexec"]})
    elif mask == "maskedPaths":
        linux["maskedPaths"] = ["/secret"]
    elif mask == "empty bind":
        # A directory of its own per container: a root that can make the
        # bind writable (create-rw) would otherwise leave what it wrote for
        # the next container to see.
        empty = f"{bundle}/empty"
        os.makedirs(empty)
        config["mounts"].append({"destination": "/secret", "type": "bind",
                                 "source": empty, "options": ["rbind", "ro"]})
    with open(f"{bundle}/config.json", "w") as f:
        json.dump(config, f)
    if user is not None:
        os.chown(f"{bundle}/config.json", user, user)

    state, env = runtime_env(user)
    cmd = [runtime, "--root", state]
    if runtime == "crun" and rootless:
        cmd.append("--cgroup-manager=disabled")
    cmd += ["run", "-b", bundle, f"c{n}"]
    done = run(cmd, user=user, env=env)
    return done.returncode, done.stdout, done.stderr


def probe_rows(out, names=ROWS):
    """The probe's "ROW RESULT" lines, for the rows in @names."""
    rows = {}
    for line in out.splitlines():
        row, _, result = line.partition(" ")
        if row in names:
            rows[row] = result.strip()
    return rows


def prepare():
    if os.path.exists(WORK):
        shutil.rmtree(WORK)
    os.makedirs(WORK)
    os.chmod(WORK, 0o755)
    if not os.path.ismount("/sys/fs/cgroup"):
        subprocess.run(["mount", "-t", "cgroup2", "none", "/sys/fs/cgroup"], check=False)
    rootfs = make_rootfs()
    with open(f"{rootfs}/defaults.sh", "w") as f:
        f.write(DEFAULTS_PROBE)
    os.chmod(f"{rootfs}/defaults.sh", 0o755)


def defaults(n):
    """Each runtime's default maskedPaths, its own way and through
    tools/oci_mask.py; returns (number of containers run, table rows)."""
    table = []
    for runtime in ("crun", "runc"):
        for rootless in (False, True):
            mode = "rootless" if rootless else "rootful"
            paths = spec(runtime, rootless, *runtime_bundle(runtime, rootless))["linux"][
                "maskedPaths"]
            seen = {}
            for mask in ("defaults", "defaults by nullfs_rs"):
                n += 1
                how = "its own way" if mask == "defaults" else "by nullfs_rs (oci_mask.py)"
                what = f"{runtime} {mode}: its default maskedPaths, {how}"
                try:
                    status, out, err = container(runtime, rootless, mask, "default", n,
                                                 args=["/bin/sh", "/defaults.sh"] + paths)
                except (RuntimeError, subprocess.SubprocessError, OSError) as e:
                    tap(False, what, str(e))
                    continue
                rows = {}
                for line in out.splitlines():
                    fields = line.split()
                    if fields and fields[0] in paths and fields[1:] != ["missing"]:
                        rows[fields[0]] = dict(zip(DEFAULTS_COLUMNS, fields[1:]))
                problems = [f"exit status {status}: {err.strip()[-300:]}"] if status else []
                if not rows:
                    problems.append("no path of the defaults is on this kernel")
                for path, row in rows.items():
                    # Every mask: nothing shows through it, nothing is
                    # written into it, it stays where it is.
                    if row["read"] not in ("0names", "0bytes"):
                        problems.append(f"{path}: read {row['read']}")
                    if row["mount-over"] == "ok" or row["reveal"] == "ok":
                        problems.append(f"{path}: mount-over {row['mount-over']}, "
                                        f"reveal {row['reveal']}")
                    if row["kind"] == "dir" and row["write"] == "ok":
                        problems.append(f"{path}: a name was created in it")
                nullfs = {p: r for p, r in rows.items() if r["statfs"] == NULL_FS_MAGIC}
                if mask != "defaults":
                    # All of them: runc's in /proc through the tool's hook.
                    want = set(rows)
                    if set(nullfs) != want:
                        problems.append(f"masked by nullfs_rs: {sorted(nullfs)}, "
                                        f"expected {sorted(want)}")
                    if len({r["dev"] for r in nullfs.values()}) > 1:
                        problems.append("more than one superblock for the container's masks")
                    for path, row in nullfs.items():
                        if row["write"] == "ok" or row["chmod"] == "ok":
                            problems.append(f"{path}: write {row['write']}, "
                                            f"chmod {row['chmod']}")
                tap(not problems, what, "; ".join(problems))
                seen[mask] = rows
            for mask, rows in seen.items():
                for path, row in sorted(rows.items()):
                    spec_kind = "as is" if mask == "defaults" else "oci_mask.py"
                    table.append([runtime, mode, spec_kind, path] +
                                 [row[c] for c in DEFAULTS_COLUMNS if c != "dev"])
        # runc mounts no mount entry inside /proc, nullfs_rs included: why
        # oci_mask.py masks /proc with a hook for runc.
        if runtime == "runc":
            n += 1
            what = "runc refuses a nullfs_rs file mask inside /proc, saying so"
            try:
                status, out, err = container(runtime, False, "nullfs_rs", "default", n,
                                             ["file"], destination="/proc/keys")
                tap(status != 0 and "cannot be mounted because it is inside /proc" in err,
                    what, f"exit status {status}: {err.strip()[-300:]}")
            except (RuntimeError, subprocess.SubprocessError, OSError) as e:
                tap(False, what, str(e))
    return n, table


def runtime_bundle(runtime, rootless):
    """A scratch bundle and user for `RUNTIME spec`."""
    user = NOBODY if rootless else None
    bundle = f"{WORK}/spec-{runtime}-{'rootless' if rootless else 'rootful'}"
    os.makedirs(bundle, exist_ok=True)
    if user is not None:
        os.chown(bundle, user, user)
    return bundle, user


def print_table(name, header, rows):
    """An rst simple table between doc-table markers, as TAP comments."""
    print(f"# doc-table: {name} begin")
    cells = [header] + rows
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    rule = "  ".join("=" * w for w in widths)
    print(f"# {rule}")
    for i, row in enumerate(cells):
        print("# " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if i == 0:
            print(f"# {rule}")
    print(f"# {rule}")
    print(f"# doc-table: {name} end")


def demo():
    """make run: one rootless crun container whose /secret is masked by
    nullfs_rs, and what its root gets."""
    prepare()
    status, out, err = container("crun", True, "nullfs_rs", "default", 1)
    with open(f"{WORK}/bundle-1/config.json") as f:
        mount = [m for m in json.load(f)["mounts"] if m["destination"] == "/secret"]
    print("# config.json of a rootless crun container (run by nobody), the mask:")
    print(json.dumps(mount[0], indent=4))
    print("# what the container's root gets at /secret, which holds a file in the image:")
    print(out.rstrip())
    if status:
        print(f"# crun failed: {err.strip()}")
    return status


def main():
    if sys.argv[1:] == ["--demo"]:
        return demo()
    prepare()

    print("TAP version 13")
    runs = [(rt, rootless, mask, caps)
            for rt in ("crun", "runc")
            for rootless in (False, True)
            for caps in ("default", "CAP_SYS_ADMIN")
            for mask in ("nullfs_rs", "maskedPaths", "empty bind")]
    option_runs = [(rt, rootless) for rt in ("crun", "runc") for rootless in (False, True)]
    # Each runtime, rootful and rootless, its own way and by nullfs_rs; and
    # runc's refusal of /proc.
    print(f"1..{len(runs) + 2 * len(option_runs) + 2 * 2 * 2 + 1}")

    table = []
    n = 0
    for runtime, rootless, mask, caps in runs:
        n += 1
        mode = "rootless" if rootless else "rootful"
        what = f"{runtime} {mode} {caps} caps, /secret masked by {mask}"
        try:
            status, out, err = container(runtime, rootless, mask, caps, n)
        except (RuntimeError, subprocess.SubprocessError, OSError) as e:
            tap(False, what, str(e))
            continue
        rows = probe_rows(out)
        problems = []
        if status:
            problems.append(f"exit status {status}: {err.strip()[-300:]}")
        problems += [f"no {row} row" for row in ROWS if row not in rows]
        # What every mask must give: nothing of the image shows through it,
        # and nothing can be written into it.
        if rows.get("list") != "empty":
            problems.append(f"list: {rows.get('list')}")
        if rows.get("create", "ok") == "ok":
            problems.append("create succeeded")
        # nullfs_rs: nothing can be written into it even after a remount
        # read-write, which the root of a container with CAP_SYS_ADMIN
        # (over its own user namespace, if rootless) may do to any mask.
        if mask == "nullfs_rs":
            if rows.get("statfs") != NULL_FS_MAGIC:
                problems.append(f"statfs: {rows.get('statfs')}")
            if rows.get("create-rw", "ok") == "ok":
                problems.append("create after remount-rw succeeded")
        tap(not problems, what, "; ".join(problems))
        table.append((runtime, mode, caps, mask, rows))

    # The option contract, through each runtime as it sends the options.
    for runtime, rootless in option_runs:
        mode = "rootless" if rootless else "rootful"
        what = f"{runtime} {mode}: generic mount options are accepted"
        n += 1
        try:
            status, out, err = container(runtime, rootless, "nullfs_rs", "default", n,
                                         ["ro", "nosuid", "nodev", "noexec", "relatime"])
            tap(status == 0 and probe_rows(out).get("statfs") == NULL_FS_MAGIC, what,
                f"exit status {status}: {err.strip()[-300:]}")
        except (RuntimeError, subprocess.SubprocessError, OSError) as e:
            tap(False, what, str(e))
        what = f"{runtime} {mode}: an unknown option fails the container, named in the log"
        n += 1
        subprocess.run(["dmesg", "-C"], check=False)
        try:
            status, out, err = container(runtime, rootless, "nullfs_rs", "default", n,
                                         ["size=1"])
        except (RuntimeError, subprocess.SubprocessError, OSError) as e:
            tap(False, what, str(e))
            continue
        log = subprocess.run(["dmesg"], capture_output=True, text=True, check=False).stdout
        named = "nullfs_rs: Unknown parameter 'size'" in log
        tap(status != 0 and named and "list" not in probe_rows(out), what,
            f"exit status {status}, log {'names' if named else 'does not name'} it: "
            f"{err.strip()[-200:]}")

    n, defaults_table = defaults(n)

    print_table("containers", ["runtime", "user", "caps", "mask"] + ROWS,
                [[rt, mode, "+SYS_ADMIN" if caps != "default" else "default", mask] +
                 [rows.get(r, "-") for r in ROWS]
                 for rt, mode, caps, mask, rows in table])
    print_table("defaults", ["runtime", "user", "spec", "path"] +
                [c for c in DEFAULTS_COLUMNS if c != "dev"], defaults_table)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
