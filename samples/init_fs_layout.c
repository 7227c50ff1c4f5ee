// SPDX-License-Identifier: GPL-2.0
/* What vfs/ffi.rs checks, for the copy of the layer in this sample. */
#include "../vfs/layout.c"
