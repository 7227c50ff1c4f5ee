# SPDX-License-Identifier: GPL-2.0
# TAP for the guest's shell tests: sourced, never run.
# shellcheck shell=bash

n=0
# result STATUS WHAT: the next numbered TAP result, ok if STATUS is 0.
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}
# loaded MODULE: whether MODULE is loaded.
loaded() { grep -q "^$1 " /proc/modules; }
