// SPDX-License-Identifier: GPL-2.0
/*
 * The C half of nullfs_rs's VFS layer: what Rust cannot call or reach
 * through the kernel crate of a stock 7.3 kernel.
 *
 * The kernel crate's bindings do not cover fs_context.h, fs_struct.h or
 * namei.h, and static inlines have no symbol to call.  Rather than patch
 * the kernel, the module carries these few wrappers, compiled by the
 * kernel's own C compiler with its own flags, so that they see exactly the
 * structures the running kernel has.  Each wraps one C operation and is
 * declared once, in vfs/ffi.rs.
 */

#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_struct.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/sched.h>

#include "helpers.h"

void nullfs_rs_get_fs_root(struct fs_struct *fs, struct path *root)
{
	get_fs_root(fs, root);
}

void nullfs_rs_get_fs_pwd(struct fs_struct *fs, struct path *pwd)
{
	get_fs_pwd(fs, pwd);
}

bool nullfs_rs_in_task(void)
{
	return in_task();
}

bool nullfs_rs_module_is_coming(struct module *mod)
{
	return module_is_coming(mod);
}

bool nullfs_rs_dir_emit_dots(struct file *file, struct dir_context *ctx)
{
	return dir_emit_dots(file, ctx);
}

struct module *nullfs_rs_fs_context_owner(struct fs_context *fc)
{
	return fc->fs_type->owner;
}

/*
 * fs_context->global is a bitfield, whose layout bindgen would have to
 * guess; the rest is set here too, so that Rust needs no part of the
 * context's layout.
 */
void nullfs_rs_fs_context_init(struct fs_context *fc,
			       const struct fs_context_operations *ops,
			       unsigned int s_iflags, bool global)
{
	fc->ops = ops;
	fc->s_iflags |= s_iflags;
	if (global)
		fc->global = true;
}
