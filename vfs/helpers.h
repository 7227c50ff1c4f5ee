/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C half of nullfs_rs's VFS layer (helpers.c), as vfs/ffi.rs declares
 * it to Rust.
 */
#ifndef NULLFS_RS_HELPERS_H
#define NULLFS_RS_HELPERS_H

#include <linux/types.h>

struct dir_context;
struct file;
struct fs_context;
struct fs_context_operations;
struct fs_struct;
struct module;
struct path;

void nullfs_rs_get_fs_root(struct fs_struct *fs, struct path *root);
void nullfs_rs_get_fs_pwd(struct fs_struct *fs, struct path *pwd);
bool nullfs_rs_in_task(void);
bool nullfs_rs_module_is_coming(struct module *mod);
bool nullfs_rs_dir_emit_dots(struct file *file, struct dir_context *ctx);
struct module *nullfs_rs_fs_context_owner(struct fs_context *fc);
void nullfs_rs_fs_context_init(struct fs_context *fc,
			       const struct fs_context_operations *ops,
			       unsigned int s_iflags, bool global);

#endif /* NULLFS_RS_HELPERS_H */
