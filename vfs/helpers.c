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
#include <linux/ns_common.h>
#include <linux/nsproxy.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/splice.h>
#include <linux/uio.h>
/* The kernel tree's own, where it is at hand: not in a headers package. */
#if __has_include("../fs/mount.h")
#include "../fs/mount.h"
#define NULLFS_RS_HAVE_FS_MOUNT_H
#endif

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

/*
 * The key of @param, and in *@string its value if it has one: NULL for a
 * flag.  False for a value that is neither (a blob, a file, a path), which
 * no option of the layer takes.
 */
bool nullfs_rs_param(const struct fs_parameter *param, const char **key,
		     const char **string)
{
	*key = param->key;
	*string = NULL;
	if (param->type == fs_value_is_string)
		*string = param->string;
	return param->type == fs_value_is_flag ||
	       param->type == fs_value_is_string;
}

/* An option the type knows but refuses, said in the context's log. */
int nullfs_rs_invalid_param(struct fs_context *fc, const char *key,
			    const char *why)
{
	return invalfc(fc, "%s: %s", key, why);
}

bool nullfs_rs_fs_context_reconfigures(struct fs_context *fc)
{
	return fc->purpose == FS_CONTEXT_FOR_RECONFIGURE;
}

/* The options a mount parsed, kept in the context as bits, not a pointer. */
unsigned long nullfs_rs_fs_context_options(struct fs_context *fc)
{
	return (unsigned long)fc->fs_private;
}

void nullfs_rs_set_fs_context_options(struct fs_context *fc,
				      unsigned long options)
{
	fc->fs_private = (void *)options;
}

/* The superblock get_tree found or made; it is locked (s_umount). */
struct super_block *nullfs_rs_fs_context_sb(struct fs_context *fc)
{
	return fc->root->d_sb;
}

/* Roots the mount at @root instead, taking over the caller's reference. */
void nullfs_rs_fs_context_set_root(struct fs_context *fc, struct dentry *root)
{
	dput(fc->root);
	fc->root = root;
}

/*
 * Undoes a get_tree that succeeded, for a get_tree callback that then
 * fails: what fc_drop_locked() does, which is not exported.  The VFS
 * would otherwise drop a superblock it does not know is still locked.
 */
void nullfs_rs_fs_context_drop_tree(struct fs_context *fc)
{
	struct super_block *sb = fc->root->d_sb;

	dput(fc->root);
	fc->root = NULL;
	deactivate_locked_super(sb);
}

/* Whether a remount's context is of a mount rooted at a regular file. */
bool nullfs_rs_fs_context_root_is_file(struct fs_context *fc)
{
	return d_is_reg(fc->root);
}

/* Whether a remount's context is of a superblock shared by key. */
bool nullfs_rs_fs_context_root_is_keyed(struct fs_context *fc)
{
	return fc->root->d_sb->s_fs_info;
}

static int nullfs_rs_test_keyed_super(struct super_block *sb,
				      struct fs_context *fc)
{
	return sb->s_fs_info == fc->s_fs_info && sb->s_user_ns == fc->user_ns &&
	       !((sb->s_flags ^ fc->sb_flags) & SB_RDONLY);
}

/*
 * get_tree_keyed(), but a superblock is shared only with mounts from the
 * same user namespace that agree on read-only.  sget_fc() refuses one of
 * another user namespace (EBUSY), which would let anyone who makes the
 * first mount of a key, in a user namespace of their own, lock everyone
 * else out of it; and a shared superblock keeps the first mount's flags,
 * so a read-write mount would get a read-only superblock, or the reverse.
 */
int nullfs_rs_get_tree_keyed(struct fs_context *fc,
			     int (*fill_super)(struct super_block *sb,
					       struct fs_context *fc),
			     void *key)
{
	struct super_block *sb;
	int err;

	fc->s_fs_info = key;
	sb = sget_fc(fc, nullfs_rs_test_keyed_super, set_anon_super_fc);
	if (IS_ERR(sb))
		return PTR_ERR(sb);
	if (!sb->s_root) {
		err = fill_super(sb, fc);
		if (err) {
			deactivate_locked_super(sb);
			return err;
		}
		sb->s_flags |= SB_ACTIVE;
	}
	fc->root = dget(sb->s_root);
	return 0;
}

/*
 * The unique id of the caller's mount namespace, which is never reused,
 * unlike its address.  struct mnt_namespace is private to fs/ and begins
 * with its ns_common: checked here where the kernel tree is at hand, and
 * against the kernel's BTF (vfs/layout.c) where only its headers are.
 */
u64 nullfs_rs_current_mnt_ns_id(void)
{
	const struct ns_common *ns;

#ifdef NULLFS_RS_HAVE_FS_MOUNT_H
	static_assert(offsetof(struct mnt_namespace, ns) == 0);
#endif
	ns = (const struct ns_common *)current->nsproxy->mnt_ns;
	return ns->ns_id;
}

/* Takes everything @from holds, as a write to /dev/null does. */
size_t nullfs_rs_discard_iter(struct iov_iter *from)
{
	size_t count = iov_iter_count(from);

	iov_iter_advance(from, count);
	return count;
}

static int nullfs_rs_pipe_to_nowhere(struct pipe_inode_info *pipe,
				     struct pipe_buffer *buf,
				     struct splice_desc *sd)
{
	return sd->len;
}

/*
 * Consumes up to @len bytes of @pipe and keeps none of them: what
 * splice_from_pipe() does, which is not exported, with the exported
 * __splice_from_pipe().
 */
ssize_t nullfs_rs_splice_discard(struct pipe_inode_info *pipe,
				 struct file *out, loff_t *ppos, size_t len,
				 unsigned int flags)
{
	struct splice_desc sd = {
		.total_len = len,
		.flags = flags,
		.pos = *ppos,
		.u.file = out,
	};
	ssize_t ret;

	pipe_lock(pipe);
	ret = __splice_from_pipe(pipe, &sd, nullfs_rs_pipe_to_nowhere);
	pipe_unlock(pipe);
	return ret;
}
