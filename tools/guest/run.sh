#!/bin/bash
# Runs one guest command of boot.sh, and leaves what the host needs to judge
# the kernel's log in $NULLFS_RS_RESULTS, a channel the kernel does not
# write to:
#   tainted.before, tainted.after   /proc/sys/kernel/tainted around it
#   dmesg.txt                       the kernel's log buffer at the end
# and, last in the log, a canary line that the host's splat detector must
# find in both the console and dmesg.txt (lib.sh's kernel_log_verdict), so
# that a detector that reads nothing cannot pass.
#
#   run.sh COMMAND [ARG...]
set -u
results=${NULLFS_RS_RESULTS:?}
cat /proc/sys/kernel/tainted >"$results/tainted.before"
"$@"
rc=$?
cat /proc/sys/kernel/tainted >"$results/tainted.after"
# KERN_CRIT, above any console log level.
echo "<2>$NULLFS_RS_SPLAT_CANARY" >/dev/kmsg
dmesg >"$results/dmesg.txt"
exit "$rc"
