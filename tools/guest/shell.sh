#!/bin/bash
# The shell of `make shell`: loads the module, then hands over to bash.
insmod "$NULLFS_RS_MODULES/module/nullfs_rs.ko" && echo "nullfs_rs loaded"
exec bash -i
