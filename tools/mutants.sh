#!/usr/bin/env bash
# `make mutants`: the standing mutation run.  Each tools/mutants/*.patch is
# a small edit to the module that a user would see; its "Killed-by:" line
# names the tests that must fail because of it:
#   kunit:CASE         a case of nullfs_rs.ko's KUnit suites, as it loads
#   kselftest:BINARY   one of the project's kselftest binaries
#   boot:SCENARIO      a PID 1 boot of tools/unshare_init_boot.sh
# First the unmodified tree runs every killer: each must pass, or the run
# stops, since a killer that fails anyway kills nothing.  Then, for each
# mutant: copy the tracked tree, apply the patch, build the module and
# samples, boot the test kernel with that build and run its killers.  A
# mutant is killed if a killer fails, or if its boot ends on a splat or a
# timeout; it survives if they all pass.  Any other outcome (a patch that
# does not apply or build, a boot that does not run, a killer that did not
# report) is "broken".  The last line is "N killed, N survived, N broken";
# the exit status is non-zero unless every mutant was killed.
#
#   mutants.sh [NAME...]     (default: every patch)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$NULLFS_RS_TOP"

work=$NULLFS_RS_OUT/mutants
rm -rf "$work"
mkdir -p "$work"
killed=0 survived=0 broken=0
patches=()
if [ $# -gt 0 ]; then
	for name; do patches+=("tools/mutants/$name.patch"); done
else
	patches=(tools/mutants/*.patch)
fi

# run_killers NAME DIR KILLER...: runs them against the build in DIR/src;
# prints the killers that killed, one per line, and "broken: WHY" lines.
run_killers() {
	local name=$1 dir=$2 killer rc guest=()
	shift 2
	for killer; do
		case $killer in
		boot:*)
			rc=0
			NULLFS_RS_OUT=$dir/src/build tools/unshare_init_boot.sh \
				"$dir/boot-${killer#boot:}" "${killer#boot:}" \
				>"$dir/${killer#boot:}.log" 2>&1 || rc=$?
			if [ "$rc" -eq 124 ] || [ "$rc" -eq 125 ] ||
				grep -q '^unshare_init: not ok' "$dir/boot-${killer#boot:}/results.txt"; then
				echo "$killer"
			elif [ "$rc" -ne 0 ]; then
				echo "broken: $killer did not run (exit $rc, log: $dir/${killer#boot:}.log)"
			fi
			;;
		*) guest+=("$killer") ;;
		esac
	done
	[ ${#guest[@]} -gt 0 ] || return 0
	rc=0
	tools/boot.sh --results "$dir/results" --modules "$dir/src/build" --timeout 1800 \
		-- tools/guest/mutant.sh "${guest[@]}" >"$dir/boot.log" 2>&1 || rc=$?
	case $rc in
	0) ;;
	124 | 125) echo "its boot ($(sed -n 's/^FAIL: //p' "$dir/boot.log" | head -n1 | cut -c1-100))" ;;
	*) echo "broken: its boot did not run (exit $rc, log: $dir/boot.log)" ;;
	esac
	sed -n 's/^killed //p' "$dir/results/killers.txt" 2>/dev/null
	sed -n 's/^unknown killer /broken: /p' "$dir/results/killers.txt" 2>/dev/null
	# On a boot that died, what did not report is the splat's doing.
	if [ "$rc" -eq 0 ]; then
		for killer in "${guest[@]}"; do
			grep -qE "^(killed|survived|unknown killer) $killer( |$)" "$dir/results/killers.txt" 2>/dev/null ||
				echo "broken: $killer did not report"
		done
	fi
}

# prepare NAME [PATCH]: the tracked tree, patched, built, in $work/NAME.
prepare() {
	local dir=$work/$1
	mkdir -p "$dir/src" "$dir/results"
	git ls-files -z | xargs -0 cp --parents -t "$dir/src"
	if [ -n "${2:-}" ] && ! patch -d "$dir/src" -p1 --fuzz=0 --quiet <"$2" >"$dir/patch.log" 2>&1; then
		echo "the patch does not apply (log: $dir/patch.log)"
		return 1
	fi
	if ! make -C "$dir/src" -s modules samples >"$dir/build.log" 2>&1; then
		echo "it does not build (log: $dir/build.log)"
		return 1
	fi
}

all_killers=$(sed -n 's/^Killed-by: //p' "${patches[@]}" | tr ' ' '\n' | sort -u)
say "the unmodified tree, against every killer"
why=$(prepare baseline) || die "the baseline: $why"
# shellcheck disable=SC2086 # one word per killer
outcome=$(run_killers baseline "$work/baseline" $all_killers)
[ -z "$outcome" ] || die "the unmodified tree fails what must kill the mutants: $(echo "$outcome" | tr '\n' ';')"
echo "ok: the unmodified tree passes $(echo $all_killers)"

for patch in "${patches[@]}"; do
	name=$(basename "$patch" .patch)
	killers=$(sed -n 's/^Killed-by: //p' "$patch")
	say "mutant $name"
	if ! why=$(prepare "$name" "$patch"); then
		echo "BROKEN: $name: $why"
		broken=$((broken + 1))
		continue
	fi
	# shellcheck disable=SC2086 # one word per killer
	outcome=$(run_killers "$name" "$work/$name" $killers)
	if grep -q '^broken: ' <<<"$outcome"; then
		echo "BROKEN: $name: $(grep '^broken: ' <<<"$outcome" | sed 's/^broken: //' | tr '\n' ';')"
		broken=$((broken + 1))
	elif [ -n "$outcome" ]; then
		echo "killed: $name, by $(echo "$outcome" | tr '\n' ' ')"
		killed=$((killed + 1))
	else
		echo "SURVIVED: $name: $killers all passed (logs: $work/$name)"
		survived=$((survived + 1))
	fi
done
echo "$killed killed, $survived survived, $broken broken"
[ "$survived" -eq 0 ] && [ "$broken" -eq 0 ]
