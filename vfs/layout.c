// SPDX-License-Identifier: GPL-2.0
/*
 * What the kernel's C compiler says of the structures and constants that
 * nullfs_rs's Rust code uses, for vfs/ffi.rs to check bindgen's view
 * against at build time.
 *
 * Built like asm-offsets.c: compiled to assembly with the kernel's own
 * compiler and flags, never linked.  Each line below becomes one Rust item
 * of the generated layout.rs (cmd_rust_layout of vfs/ffi.mk):
 *
 *   RUST_CONST(NAME, TYPE, EXPR)  pub(crate) const NAME: TYPE = <EXPR>;
 *   RUST_SIZE(STRUCT)             pub(crate) const STRUCT: usize = <sizeof>;
 *   RUST_MEMBER(STRUCT, MEMBER)   pub(crate) const STRUCT__MEMBER:
 *                                     (usize, usize) = (<offset>, <size>);
 *
 * (The sed of cmd_rust_layout drops the '$' that marks an immediate in
 * AT&T syntax.)  A value that does not fit TYPE fails the Rust build.
 * tools/btf_layout.py checks the sizes and members against the BTF of the
 * kernel the module is for.
 */

#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_struct.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/ns_common.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/stat.h>
#include <linux/magic.h>

#define RUST_CONST(name, type, value) ({				\
	asm volatile("\n.ascii \"->pub(crate) const " #name ": " #type	\
		     " = %0;\"" : : "i" ((long long)(value)));		\
})

#define RUST_SIZE(type) ({						\
	asm volatile("\n.ascii \"->pub(crate) const " #type		\
		     ": usize = %0;\"" : : "i" (sizeof(struct type)));	\
})

/*
 * A member of a struct private to the kernel's own directories, which a
 * module's headers do not declare: the offset and size the helpers
 * assume, for tools/btf_layout.py to compare with the kernel's BTF.
 */
#define RUST_ASSUMED_MEMBER(type, member, offset, size) ({		\
	asm volatile("\n.ascii \"->pub(crate) const " #type "__" #member \
		     ": (usize, usize) = (%0, %1);\""			\
		     : : "i" (offset), "i" (size));			\
})

#define RUST_MEMBER(type, member) ({					\
	asm volatile("\n.ascii \"->pub(crate) const " #type "__" #member \
		     ": (usize, usize) = (%0, %1);\""			\
		     : : "i" (offsetof(struct type, member)),		\
			 "i" (sizeof_field(struct type, member)));		\
})

void nullfs_rs_layout(void);

void nullfs_rs_layout(void)
{
	/* Lookup intents (namei.h), not in the kernel crate's bindings. */
	RUST_CONST(LOOKUP_FOLLOW, u32, LOOKUP_FOLLOW);
	RUST_CONST(LOOKUP_RCU, u32, LOOKUP_RCU);
	RUST_CONST(LOOKUP_CREATE, u32, LOOKUP_CREATE);
	RUST_CONST(LOOKUP_EXCL, u32, LOOKUP_EXCL);
	RUST_CONST(LOOKUP_RENAME_TARGET, u32, LOOKUP_RENAME_TARGET);
	RUST_CONST(LOOKUP_CACHED, u32, LOOKUP_CACHED);
	/* fs.h items that bindgen cannot evaluate (casts, typed macros). */
	RUST_CONST(FOP_IMMUTABLE, u32, FOP_IMMUTABLE);
	RUST_CONST(MAX_LFS_FILESIZE, i64, MAX_LFS_FILESIZE);
	RUST_CONST(NULL_FS_MAGIC, u32, NULL_FS_MAGIC);

	/* The tables the layer builds in Rust, member by member. */
	RUST_SIZE(file_system_type);
	RUST_MEMBER(file_system_type, name);
	RUST_MEMBER(file_system_type, fs_flags);
	RUST_MEMBER(file_system_type, init_fs_context);
	RUST_MEMBER(file_system_type, kill_sb);
	RUST_MEMBER(file_system_type, owner);

	RUST_SIZE(fs_context_operations);
	RUST_MEMBER(fs_context_operations, free);
	RUST_MEMBER(fs_context_operations, dup);
	RUST_MEMBER(fs_context_operations, parse_param);
	RUST_MEMBER(fs_context_operations, parse_monolithic);
	RUST_MEMBER(fs_context_operations, get_tree);
	RUST_MEMBER(fs_context_operations, reconfigure);

	RUST_SIZE(super_operations);
	RUST_MEMBER(super_operations, statfs);

	RUST_SIZE(inode_operations);
	RUST_MEMBER(inode_operations, lookup);
	RUST_MEMBER(inode_operations, setattr);
	RUST_MEMBER(inode_operations, listxattr);

	RUST_SIZE(file_operations);
	RUST_MEMBER(file_operations, llseek);
	RUST_MEMBER(file_operations, read);
	RUST_MEMBER(file_operations, read_iter);
	RUST_MEMBER(file_operations, write_iter);
	RUST_MEMBER(file_operations, splice_read);
	RUST_MEMBER(file_operations, splice_write);
	RUST_MEMBER(file_operations, iterate_shared);
	RUST_MEMBER(file_operations, fsync);
	RUST_MEMBER(file_operations, lock);
	RUST_MEMBER(file_operations, flock);
	RUST_MEMBER(file_operations, fop_flags);

	RUST_SIZE(dentry_operations);
	RUST_MEMBER(dentry_operations, d_revalidate);

	/* The members Rust reads or writes in place. */
	RUST_SIZE(super_block);
	RUST_MEMBER(super_block, s_blocksize_bits);
	RUST_MEMBER(super_block, s_blocksize);
	RUST_MEMBER(super_block, s_maxbytes);
	RUST_MEMBER(super_block, s_type);
	RUST_MEMBER(super_block, s_op);
	RUST_MEMBER(super_block, s_magic);
	RUST_MEMBER(super_block, s_root);
	RUST_MEMBER(super_block, s_time_gran);

	RUST_SIZE(inode);
	RUST_MEMBER(inode, i_mode);
	RUST_MEMBER(inode, i_uid);
	RUST_MEMBER(inode, i_gid);
	RUST_MEMBER(inode, i_flags);
	RUST_MEMBER(inode, i_op);
	RUST_MEMBER(inode, i_sb);
	RUST_MEMBER(inode, i_ino);
	RUST_MEMBER(inode, i_size);
	RUST_MEMBER(inode, i_blkbits);
	RUST_MEMBER(inode, i_blocks);
	RUST_MEMBER(inode, i_fop);

	RUST_SIZE(dentry);
	RUST_MEMBER(dentry, d_inode);
	RUST_MEMBER(dentry, d_sb);
	RUST_MEMBER(dentry, d_name);

	RUST_SIZE(qstr);
	RUST_MEMBER(qstr, len);

	RUST_SIZE(file);
	RUST_MEMBER(file, f_inode);
	RUST_MEMBER(file, f_path);

	RUST_SIZE(path);
	RUST_MEMBER(path, mnt);
	RUST_MEMBER(path, dentry);

	RUST_SIZE(iattr);
	RUST_MEMBER(iattr, ia_valid);

	RUST_SIZE(kstat);
	RUST_MEMBER(kstat, size);

	RUST_SIZE(task_struct);
	RUST_MEMBER(task_struct, fs);
	RUST_MEMBER(task_struct, real_fs);

	/*
	 * What the C helpers (helpers.c) read and write: Rust does not see
	 * these, but a module built from the wrong config would get them
	 * wrong all the same, which tools/btf_layout.py catches.
	 */
	RUST_SIZE(fs_struct);
	RUST_MEMBER(fs_struct, seq);
	RUST_MEMBER(fs_struct, root);
	RUST_MEMBER(fs_struct, pwd);
	RUST_MEMBER(fs_context, ops);
	RUST_MEMBER(fs_context, fs_type);
	RUST_MEMBER(fs_context, s_iflags);
	RUST_MEMBER(fs_context, fs_private);
	RUST_MEMBER(fs_context, s_fs_info);
	RUST_MEMBER(fs_context, user_ns);
	RUST_MEMBER(fs_context, sb_flags);
	RUST_MEMBER(fs_context, root);
	RUST_MEMBER(super_block, s_flags);
	RUST_MEMBER(super_block, s_fs_info);
	RUST_MEMBER(super_block, s_user_ns);
	RUST_SIZE(fs_parameter);
	RUST_MEMBER(fs_parameter, key);
	RUST_MEMBER(fs_parameter, string);
	RUST_MEMBER(task_struct, nsproxy);
	RUST_MEMBER(nsproxy, mnt_ns);
	RUST_ASSUMED_MEMBER(mnt_namespace, ns, 0, sizeof(struct ns_common));
	RUST_SIZE(ns_common);
	RUST_MEMBER(ns_common, ns_id);
	RUST_SIZE(module);
	RUST_MEMBER(module, state);
}
