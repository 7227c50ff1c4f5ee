// SPDX-License-Identifier: GPL-2.0
/* The C half of nullfs_rs's VFS layer, which the guard stands on. */
#include "../vfs/helpers.c"
