// SPDX-License-Identifier: GPL-2.0
/*
 * Takes the name "rootfs_rs" for a filesystem type of its own, so that
 * nullfs_rs.ko, which registers nullfs_rs first and rootfs_rs second, fails
 * its second registration: the fault the module tests inject to show that a
 * failed init leaves nothing registered and no superblock behind.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/module.h>

static int squatter_init_fs_context(struct fs_context *fc)
{
	/* It only holds the name: nothing of it can be mounted. */
	return -EOPNOTSUPP;
}

static struct file_system_type squatter_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "rootfs_rs",
	.init_fs_context	= squatter_init_fs_context,
	.kill_sb		= kill_anon_super,
};

static int __init squatter_init(void)
{
	return register_filesystem(&squatter_fs_type);
}

static void __exit squatter_exit(void)
{
	unregister_filesystem(&squatter_fs_type);
}

module_init(squatter_init);
module_exit(squatter_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test helper: holds the filesystem type name rootfs_rs");
