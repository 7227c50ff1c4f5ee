# Sourced by the guest scripts of make run: show each command, then run it.
# shellcheck shell=bash

# Runs the command after showing it; under `set -e` a failure ends the
# script.
run() {
	printf '\n$ %s\n' "$*"
	"$@"
}

# Runs a command that must fail, after showing it; ends the script if it
# succeeds.
refused() {
	printf '\n$ %s\n' "$*"
	if "$@"; then
		echo "${0##*/}: '$*' was expected to fail" >&2
		exit 1
	fi
}
