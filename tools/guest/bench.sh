#!/bin/bash
# bench.sh ROUNDS [MISSES [MASKS]], inside the guest for make bench: loads
# nullfs_rs, the vfs_bench helper and both scoped_with_init_fs samples, gives the
# benchmark a scratch tmpfs, and leaves its measurements (bench's, then the
# container rows of containers.py), perf profiles of the in-kernel loops, and
# the kernel's release in $NULLFS_RS_RESULTS.  MISSES,
# if given, is the number of missing names bench looks up to weigh the
# memory of remembered misses, MASKS the number of paths it masks each way
# to weigh what masking costs.  Unloads everything afterwards: a module that
# will not unload means the benchmark leaked a mount or a reference.
set -eu
rounds=$1
misses=${2-}
masks=${3-}
out=$NULLFS_RS_OUT
results=$NULLFS_RS_RESULTS
work=/tmp/nullfs_rs_bench

mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
modules=("$out/module/nullfs_rs.ko" "$out/bench/kmod/vfs_bench.ko"
	"$out/samples/rust_init_fs.ko" "$out/samples/c_init_fs.ko")
for ko in "${modules[@]}"; do
	insmod "$ko"
done

mkdir -p "$work"
mount -t tmpfs -o size=64m,mode=0755 bench "$work"
# What the samples' kthreads look up in init's namespace.
echo "looked up by the scoped_with_init_fs samples" >"$work/lookup_file"

uname -r >"$results/kernel"
"$out/bench/bench" "$work" "$rounds" "$work/lookup_file" ${misses:+"$misses"} \
	${masks:+"$masks"} >"$results/samples.txt"
# As many rounds as the memory and masks rows: each turn starts containers.
python3 "$NULLFS_RS_TOP/tools/bench/containers.py" /tmp/nullfs_rs_containers \
	$(((rounds + 1) / 2)) >>"$results/samples.txt"
# A node's worth of containers alive at once, six ways to mask; one round.
python3 "$NULLFS_RS_TOP/tools/bench/node.py" /tmp/nullfs_rs_node >>"$results/samples.txt"

# Where the time goes: a profile of each in-kernel loop on the C nullfs and
# on nullfs_rs, and of each sample's guard loop, for report.py to show next
# to the rows nullfs_rs loses.  perf only samples here: it records the
# looping task's instruction pointers, which report.py resolves against this
# boot's kallsyms (module symbols included).
cat /proc/kallsyms >"$results/kallsyms"
# A new kthread's samples carry the comm "kthreadd" (perf misses its rename),
# as would those of any other kthread started meanwhile; none is expected in
# the idle guest.
profile() { # NAME COMM COMMAND...
	local name=$1 comm=$2
	shift 2
	# From the same dcache as the rounds (bench.c's drop_unused_dentries()).
	echo 2 >/proc/sys/vm/drop_caches
	echo 1 >/sys/kernel/debug/vfs_bench/rcu_barrier
	perf record -q -a -e cpu-clock -F 10000 -o "$work/perf.data" -- "$@" >/dev/null
	perf script -i "$work/perf.data" -F comm,tid,ip 2>/dev/null |
		awk -v comm="$comm" '($1 == comm || $1 == "kthreadd") && $2 != 2 { print $3 }' \
		>"$results/profile-$name.ips"
	if [ ! -s "$results/profile-$name.ips" ]; then
		echo "bench.sh: no samples of $comm for $name" >&2
		exit 1
	fi
}
# Loops of a second or so under TCG, long enough to drown the process's
# start and exit.
for op in lookup_same:200000 lookup_new:200000 lookup_middle:200000 \
	getattr:2000000 statfs:2000000 iterate:1000000; do
	for subject in c_nullfs nullfs_rs; do
		profile "kernel_${op%:*}-$subject" bench \
			"$out/bench/bench" --loop "$work" "${op%:*}" "$subject" "${op#*:}"
	done
done
for sample in rust_init_fs c_init_fs; do
	profile "guard-$sample" "$sample" \
		sh -c "echo 2000000 1 $work/lookup_file >/sys/kernel/debug/$sample/bench"
done
rm "$work/perf.data"

umount "$work"/{nullfs_rs,nullfs_rs_2,rootfs_rs,tmpfs,ramfs} "$work"
for ((i = ${#modules[@]} - 1; i >= 0; i--)); do
	rmmod "$(basename "${modules[i]}" .ko)"
done
