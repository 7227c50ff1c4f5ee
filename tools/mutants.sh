#!/usr/bin/env bash
# `make mutants`: the standing mutation run.  Each tools/mutants/*.patch is
# a small edit to the module that a user would see; its "Killed-by:" line
# names the tests that must fail because of it:
#   kunit              nullfs_rs.ko's KUnit suites, as it loads
#   kselftest:BINARY   one of the project's kselftest binaries
#   boot:SCENARIO      a PID 1 boot of tools/unshare_init_boot.sh
# For each mutant: copy the tracked tree, apply the patch, build the module
# and samples, boot the test kernel with that build and run the killers.  A
# mutant is killed if any killer fails, or its boot fails (a splat, a
# timeout); it survives if they all pass.  The last line is "N killed,
# N survived"; the exit status is non-zero if any survived or one could
# not be tried (a patch that does not apply or build).
#
#   mutants.sh [NAME...]     (default: every patch)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$NULLFS_RS_TOP"

work=$NULLFS_RS_OUT/mutants
mkdir -p "$work"
killed=0 survived=0 broken=0
patches=()
if [ $# -gt 0 ]; then
	for name; do patches+=("tools/mutants/$name.patch"); done
else
	patches=(tools/mutants/*.patch)
fi

for patch in "${patches[@]}"; do
	name=$(basename "$patch" .patch)
	dir=$work/$name
	killers=$(sed -n 's/^Killed-by: //p' "$patch")
	rm -rf "$dir"
	mkdir -p "$dir/src" "$dir/results"
	git ls-files -z | xargs -0 cp --parents -t "$dir/src"
	if ! patch -d "$dir/src" -p1 --quiet <"$patch" >"$dir/patch.log" 2>&1; then
		echo "BROKEN: $name: the patch does not apply (log: $dir/patch.log)"
		broken=$((broken + 1))
		continue
	fi
	if ! make -C "$dir/src" -s modules samples >"$dir/build.log" 2>&1; then
		echo "BROKEN: $name: the mutant does not build (log: $dir/build.log)"
		broken=$((broken + 1))
		continue
	fi
	by=()
	guest_killers=()
	for killer in $killers; do
		case $killer in
		boot:*)
			if NULLFS_RS_OUT=$dir/src/build tools/unshare_init_boot.sh \
				"$dir/boot-${killer#boot:}" "${killer#boot:}" >"$dir/${killer#boot:}.log" 2>&1; then
				:
			else
				by+=("$killer")
			fi
			;;
		*) guest_killers+=("$killer") ;;
		esac
	done
	if [ ${#guest_killers[@]} -gt 0 ]; then
		rc=0
		tools/boot.sh --results "$dir/results" --modules "$dir/src/build" --timeout 1800 \
			-- tools/guest/mutant.sh "${guest_killers[@]}" >"$dir/boot.log" 2>&1 || rc=$?
		if [ "$rc" -ne 0 ]; then
			by+=("its boot ($(sed -n 's/^FAIL: //p' "$dir/boot.log" | head -n1 | cut -c1-100))")
		fi
		by+=($(sed -n 's/^killed //p' "$dir/results/killers.txt" 2>/dev/null))
	fi
	if [ ${#by[@]} -gt 0 ]; then
		echo "killed: $name, by ${by[*]}"
		killed=$((killed + 1))
	else
		echo "SURVIVED: $name: $killers all passed (logs: $dir)"
		survived=$((survived + 1))
	fi
done
echo "$killed killed, $survived survived, $broken broken"
[ "$survived" -eq 0 ] && [ "$broken" -eq 0 ]
