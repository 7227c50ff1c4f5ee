// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel side of `make bench`: the cost of the VFS calls that reach a
 * filesystem's root directory, without the syscall around them.
 *
 * Under TCG a syscall costs microseconds, which hides the few hundred
 * nanoseconds in which two filesystems differ.  So userspace opens the
 * directory to measure (a mount, or the C nullfs at the root of an empty
 * mount namespace), writes
 *
 *	OP FD ITERATIONS
 *
 * to /sys/kernel/debug/vfs_bench/run, and reads back
 *
 *	OP ITERATIONS NANOSECONDS
 *
 * for a timed loop of OP on the directory behind its descriptor FD.  OP is
 * one of lookup_same (a missing name, the same one each time), lookup_new (a
 * new missing name each time), lookup_middle (a path walk of
 * "missing/name", which stops at its missing first component), getattr,
 * statfs and iterate (rewind and read the whole directory).  The same C
 * caller measures every filesystem, so its own cost is the same on each side
 * of a comparison.
 *
 * A write to /sys/kernel/debug/vfs_bench/rcu_barrier returns once every RCU
 * callback queued before it has run, so that the dentries drop_caches freed
 * between two loops are not freed during the second.
 */
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hex.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/statfs.h>
#include <linux/timekeeping.h>

enum bench_op {
	BENCH_LOOKUP_SAME,
	BENCH_LOOKUP_NEW,
	BENCH_LOOKUP_MIDDLE,
	BENCH_GETATTR,
	BENCH_STATFS,
	BENCH_ITERATE,
	NR_BENCH_OPS
};

static const char *const op_names[NR_BENCH_OPS] = {
	[BENCH_LOOKUP_SAME]	= "lookup_same",
	[BENCH_LOOKUP_NEW]	= "lookup_new",
	[BENCH_LOOKUP_MIDDLE]	= "lookup_middle",
	[BENCH_GETATTR]		= "getattr",
	[BENCH_STATFS]		= "statfs",
	[BENCH_ITERATE]		= "iterate",
};

/* What a reader of one open "run" file gets: the last result it asked for. */
struct bench_file {
	struct mutex lock;
	char report[64];
	size_t len;
};

/* Makes every lookup_new name new, across runs and across filesystems. */
static atomic_t next_name = ATOMIC_INIT(0);
static struct dentry *debugfs_dir;

struct entry_count {
	struct dir_context ctx;
	unsigned int entries;
};

static bool count_entry(struct dir_context *ctx, const char *name, int len,
			loff_t offset, u64 ino, unsigned int type)
{
	container_of(ctx, struct entry_count, ctx)->entries++;
	return true;
}

/*
 * A missing name must stay missing: a filesystem may answer with an error
 * (nullfs) or with a negative dentry (tmpfs, ramfs), not with a file.
 */
static int lookup_missing(struct file *dir, const char *name)
{
	struct dentry *dentry;
	bool positive;

	dentry = lookup_one_unlocked(file_mnt_idmap(dir), &QSTR(name),
				     dir->f_path.dentry);
	if (IS_ERR(dentry))
		return PTR_ERR(dentry) == -ENOENT ? 0 : PTR_ERR(dentry);
	positive = d_really_is_positive(dentry);
	dput(dentry);
	return positive ? -EEXIST : 0;
}

/*
 * A path whose first component is missing must fail there, with -ENOENT,
 * as a syscall's walk would: vfs_path_lookup() starts at the directory
 * and tries an RCU walk first.
 */
static int lookup_missing_path(struct file *dir, const char *name)
{
	struct path path;
	int err;

	err = vfs_path_lookup(dir->f_path.dentry, dir->f_path.mnt, name, 0,
			      &path);
	if (!err) {
		path_put(&path);
		return -EEXIST;
	}
	return err == -ENOENT ? 0 : err;
}

static int iterate_all(struct file *dir)
{
	struct entry_count count = { .ctx.actor = count_entry };
	loff_t pos;
	int err;

	pos = vfs_llseek(dir, 0, SEEK_SET);
	if (pos)
		return pos < 0 ? pos : -EIO;
	err = iterate_dir(dir, &count.ctx);
	if (err)
		return err;
	/* The directories measured are empty: "." and "..". */
	return count.entries == 2 ? 0 : -ENOTEMPTY;
}

static int run_once(enum bench_op op, struct file *dir)
{
	struct kstatfs statfs;
	struct kstat stat;
	char name[16] = "n";
	u32 n;

	switch (op) {
	case BENCH_LOOKUP_SAME:
		return lookup_missing(dir, "missing");
	case BENCH_LOOKUP_NEW:
		/* In hex, not with snprintf(): the name should cost little. */
		n = atomic_inc_return(&next_name);
		*bin2hex(name + 1, &n, sizeof(n)) = '\0';
		return lookup_missing(dir, name);
	case BENCH_LOOKUP_MIDDLE:
		return lookup_missing_path(dir, "missing/name");
	case BENCH_GETATTR:
		return vfs_getattr(&dir->f_path, &stat, STATX_BASIC_STATS,
				   AT_STATX_SYNC_AS_STAT);
	case BENCH_STATFS:
		return vfs_statfs(&dir->f_path, &statfs);
	case BENCH_ITERATE:
		return iterate_all(dir);
	default:
		return -EINVAL;
	}
}

static int run_bench(enum bench_op op, struct file *dir, u32 iterations,
		     u64 *elapsed_ns)
{
	u64 start = ktime_get_ns();
	u32 i;
	int err;

	for (i = 0; i < iterations; i++) {
		err = run_once(op, dir);
		if (err)
			return err;
		/*
		 * A long loop must neither hog the CPU nor outlive a kill; the
		 * cost is the same for every filesystem.
		 */
		if (!(i % 1024)) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	}
	*elapsed_ns = ktime_get_ns() - start;
	return 0;
}

static ssize_t bench_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct bench_file *bench = file->private_data;
	char buf[64], op_name[16];
	unsigned int fd;
	u32 iterations;
	u64 elapsed_ns;
	int op, err;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%15s %u %u", op_name, &fd, &iterations) != 3 ||
	    !iterations)
		return -EINVAL;
	op = match_string(op_names, NR_BENCH_OPS, op_name);
	if (op < 0)
		return op;

	CLASS(fd, dir)(fd);
	if (fd_empty(dir))
		return -EBADF;
	if (!d_can_lookup(fd_file(dir)->f_path.dentry))
		return -ENOTDIR;

	/*
	 * iterate moves the directory's f_pos: hold its lock, as getdents64()
	 * and lseek() do through fdget_pos(), which modules cannot call.
	 */
	if (op == BENCH_ITERATE) {
		scoped_guard(mutex, &fd_file(dir)->f_pos_lock)
			err = run_bench(op, fd_file(dir), iterations,
					&elapsed_ns);
	} else {
		err = run_bench(op, fd_file(dir), iterations, &elapsed_ns);
	}
	if (err)
		return err;

	guard(mutex)(&bench->lock);
	bench->len = scnprintf(bench->report, sizeof(bench->report),
			       "%s %u %llu\n", op_names[op], iterations,
			       elapsed_ns);
	return count;
}

static ssize_t bench_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	struct bench_file *bench = file->private_data;

	guard(mutex)(&bench->lock);
	return simple_read_from_buffer(ubuf, count, ppos, bench->report,
				       bench->len);
}

static int bench_open(struct inode *inode, struct file *file)
{
	struct bench_file *bench = kzalloc(sizeof(*bench), GFP_KERNEL);

	if (!bench)
		return -ENOMEM;
	mutex_init(&bench->lock);
	file->private_data = bench;
	return 0;
}

static int bench_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static const struct file_operations bench_fops = {
	.owner		= THIS_MODULE,
	.open		= bench_open,
	.read		= bench_read,
	.write		= bench_write,
	.llseek		= default_llseek,
	.release	= bench_release,
};

static ssize_t barrier_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	rcu_barrier();
	return count;
}

static const struct file_operations barrier_fops = {
	.owner	= THIS_MODULE,
	.write	= barrier_write,
};

static int __init vfs_bench_init(void)
{
	debugfs_dir = debugfs_create_dir("vfs_bench", NULL);
	debugfs_create_file("run", 0600, debugfs_dir, NULL, &bench_fops);
	debugfs_create_file("rcu_barrier", 0200, debugfs_dir, NULL,
			    &barrier_fops);
	return 0;
}

static void __exit vfs_bench_exit(void)
{
	debugfs_remove(debugfs_dir);
}

module_init(vfs_bench_init);
module_exit(vfs_bench_exit);
MODULE_DESCRIPTION("Timed loops of VFS calls on a directory, for make bench");
MODULE_LICENSE("GPL");
