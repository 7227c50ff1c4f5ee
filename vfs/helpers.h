/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C half of nullfs_rs's VFS layer (helpers.c), as vfs/ffi.rs declares
 * it to Rust.
 */
#ifndef NULLFS_RS_HELPERS_H
#define NULLFS_RS_HELPERS_H

#include <linux/types.h>

struct dentry;
struct dir_context;
struct file;
struct fs_context;
struct fs_context_operations;
struct fs_parameter;
struct fs_struct;
struct iov_iter;
struct module;
struct path;
struct pipe_inode_info;
struct super_block;

void nullfs_rs_get_fs_root(struct fs_struct *fs, struct path *root);
void nullfs_rs_get_fs_pwd(struct fs_struct *fs, struct path *pwd);
bool nullfs_rs_in_task(void);
bool nullfs_rs_module_is_coming(struct module *mod);
bool nullfs_rs_dir_emit_dots(struct file *file, struct dir_context *ctx);
struct module *nullfs_rs_fs_context_owner(struct fs_context *fc);
void nullfs_rs_fs_context_init(struct fs_context *fc,
			       const struct fs_context_operations *ops,
			       unsigned int s_iflags, bool global);
bool nullfs_rs_param(const struct fs_parameter *param, const char **key,
		     const char **string);
int nullfs_rs_invalid_param(struct fs_context *fc, const char *key,
			    const char *why);
bool nullfs_rs_fs_context_reconfigures(struct fs_context *fc);
unsigned long nullfs_rs_fs_context_options(struct fs_context *fc);
void nullfs_rs_set_fs_context_options(struct fs_context *fc,
				      unsigned long options);
struct super_block *nullfs_rs_fs_context_sb(struct fs_context *fc);
void nullfs_rs_fs_context_set_root(struct fs_context *fc, struct dentry *root);
void nullfs_rs_fs_context_drop_tree(struct fs_context *fc);
bool nullfs_rs_fs_context_root_is_file(struct fs_context *fc);
bool nullfs_rs_fs_context_root_is_keyed(struct fs_context *fc);
int nullfs_rs_get_tree_keyed(struct fs_context *fc,
			     int (*fill_super)(struct super_block *sb,
					       struct fs_context *fc),
			     void *key);
u64 nullfs_rs_current_mnt_ns_id(void);
size_t nullfs_rs_discard_iter(struct iov_iter *from);
ssize_t nullfs_rs_splice_discard(struct pipe_inode_info *pipe,
				 struct file *out, loff_t *ppos, size_t len,
				 unsigned int flags);

#endif /* NULLFS_RS_HELPERS_H */
