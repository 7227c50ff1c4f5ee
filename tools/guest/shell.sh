#!/bin/bash
# The shell of `make shell`: loads the module, then hands over to bash.
insmod "$NULLFS_RS_OUT/module/nullfs_rs.ko" && echo "nullfs_rs loaded"
exec bash -i
