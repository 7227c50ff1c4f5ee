// SPDX-License-Identifier: GPL-2.0
/*
 * Borrowing init's filesystem state from a kthread and from a work item, in
 * C: the twin of rust_init_fs_main.rs, with the kernel's own
 * scoped_with_init_fs().  Write a path to /sys/kernel/debug/c_init_fs/probe
 * and read the file back; the report has the same lines as the Rust one.
 *
 * For `make bench`, write "GUARDS LOOKUPS PATH" to .../c_init_fs/bench: a
 * kthread times GUARDS enters and exits of the guard, then LOOKUPS guarded
 * lookups of PATH (each count at most ten million), and the file reads back
 * the two times in nanoseconds.
 *
 * For fault injection, write a path to .../c_init_fs/open_here (write-only):
 * the writer's own task, not a kthread, resolves and opens it once inside
 * scoped_with_init_fs() and drops what it got, and the write returns the
 * byte count or the errno.  There /proc/thread-self/fail-nth of the writer
 * reaches every allocation of the guarded lookup and open, as it does in the
 * Rust sample's file of the same name.  Like probe, it is a root-only test
 * hook: a path from userspace resolved in init's namespace is what a
 * confused deputy is made of.
 */
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/kthread.h>
#include <linux/magic.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/stat.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#define HEAD 16

/* What one attempt to resolve and read the path got. */
struct outcome {
	int err;
	u64 size;
	u8 head[HEAD];
	ssize_t len;
};

struct report {
	struct outcome kthread, kthread_guarded, work, work_guarded;
	unsigned long kthread_root_magic;
	bool kthread_own_fs_after;
	unsigned long init_root_magic;
};

struct probe {
	const char *path;
	struct report *report;
	struct completion done;
	struct work_struct work;
};

/* Enough for seconds of either loop, not for minutes of a writer waiting. */
#define BENCH_MAX_ITERATIONS 10000000

/* What one timing run measured. */
struct timing {
	u32 guards, lookups;
	u64 guard_ns, lookup_ns;
};

/* One timing run, from the writer's stack to the kthread and back. */
struct bench {
	const char *path;
	struct timing timing;
	int err;
	struct completion done;
};

/* Guards the last report and the last timing. */
static DEFINE_MUTEX(results_lock);
static struct report last_report;
static bool have_report;
static struct timing last_timing;
static struct dentry *debugfs_dir;

static void try_path(const char *name, struct outcome *out)
{
	struct kstat stat;
	struct file *file;
	struct path path;
	loff_t pos = 0;

	memset(out, 0, sizeof(*out));
	out->err = kern_path(name, LOOKUP_FOLLOW, &path);
	if (out->err)
		return;
	path_put(&path);

	file = filp_open(name, O_RDONLY, 0);
	if (IS_ERR(file)) {
		out->err = PTR_ERR(file);
		return;
	}
	out->err = vfs_getattr(&file->f_path, &stat, STATX_SIZE,
			       AT_STATX_SYNC_AS_STAT);
	if (!out->err) {
		out->size = stat.size;
		out->len = kernel_read(file, out->head, HEAD, &pos);
		if (out->len < 0)
			out->err = out->len;
	}
	fput(file);
}

static unsigned long magic_of(const struct path *path)
{
	return path->dentry->d_sb->s_magic;
}

static int probe_kthread(void *data)
{
	struct probe *probe = data;
	struct report *report = probe->report;
	struct path root;

	if (!kern_path("/", LOOKUP_FOLLOW, &root)) {
		report->kthread_root_magic = magic_of(&root);
		path_put(&root);
	}
	try_path(probe->path, &report->kthread);
	scoped_with_init_fs()
		try_path(probe->path, &report->kthread_guarded);
	report->kthread_own_fs_after = current->fs == current->real_fs;
	/* @probe lives on the waiter's stack: complete and exit as one. */
	kthread_complete_and_exit(&probe->done, 0);
}

static void probe_work(struct work_struct *work)
{
	struct probe *probe = container_of(work, struct probe, work);

	try_path(probe->path, &probe->report->work);
	scoped_with_init_fs()
		try_path(probe->path, &probe->report->work_guarded);
}

static int run_probe(const char *path, struct report *report)
{
	struct probe probe = { .path = path, .report = report };
	struct task_struct *task;
	struct path root;

	init_completion(&probe.done);
	task = kthread_run(probe_kthread, &probe, "c_init_fs");
	if (IS_ERR(task))
		return PTR_ERR(task);
	wait_for_completion(&probe.done);

	INIT_WORK_ONSTACK(&probe.work, probe_work);
	queue_work(system_wq, &probe.work);
	flush_work(&probe.work);
	destroy_work_on_stack(&probe.work);

	get_fs_root(userspace_init_fs, &root);
	report->init_root_magic = magic_of(&root);
	path_put(&root);
	return 0;
}

static ssize_t probe_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct report report = {};
	char path[256], *name;
	int err;

	if (count >= sizeof(path))
		return -ENAMETOOLONG;
	if (copy_from_user(path, ubuf, count))
		return -EFAULT;
	path[count] = '\0';
	name = strim(path);
	if (!*name)
		return -EINVAL;

	err = run_probe(name, &report);
	if (err)
		return err;
	scoped_guard(mutex, &results_lock) {
		last_report = report;
		have_report = true;
	}
	return count;
}

static void show_outcome(struct seq_file *m, const char *what,
			 const struct outcome *out)
{
	seq_printf(m, "%s: ", what);
	if (out->err)
		seq_printf(m, "error %d\n", out->err);
	else
		seq_printf(m, "size %llu bytes %*phN\n", out->size,
			   (int)out->len, out->head);
}

static int probe_show(struct seq_file *m, void *unused)
{
	const struct report *r = &last_report;

	guard(mutex)(&results_lock);
	if (!have_report) {
		seq_puts(m, "write a path to this file first\n");
		return 0;
	}
	show_outcome(m, "kthread", &r->kthread);
	show_outcome(m, "kthread with init fs", &r->kthread_guarded);
	show_outcome(m, "work item", &r->work);
	show_outcome(m, "work item with init fs", &r->work_guarded);
	seq_printf(m, "kthread root magic: %lx\n", r->kthread_root_magic);
	seq_printf(m, "kthread fs after the guard: %s\n",
		   r->kthread_own_fs_after ? "own" : "init's");
	seq_printf(m, "init root magic: %lx\n", r->init_root_magic);
	seq_printf(m, "init fs reverted: %s\n",
		   r->init_root_magic == NULL_FS_MAGIC ? "yes" : "no");
	return 0;
}

static int probe_open(struct inode *inode, struct file *file)
{
	return single_open(file, probe_show, NULL);
}

static const struct file_operations probe_fops = {
	.owner		= THIS_MODULE,
	.open		= probe_open,
	.read		= seq_read,
	.write		= probe_write,
	.llseek		= seq_lseek,
	.release	= single_release,
};

/*
 * One empty scope, out of line so that make bench can count its
 * instructions against the Rust sample's guard_scope().
 */
static noinline void guard_scope(void)
{
	scoped_with_init_fs()
		barrier();
}

static int bench_kthread(void *data)
{
	struct bench *bench = data;
	struct path path;
	u64 start;
	u32 i;

	start = ktime_get_ns();
	for (i = 0; i < bench->timing.guards; i++)
		guard_scope();
	bench->timing.guard_ns = ktime_get_ns() - start;

	start = ktime_get_ns();
	for (i = 0; i < bench->timing.lookups; i++) {
		scoped_with_init_fs()
			bench->err = kern_path(bench->path, LOOKUP_FOLLOW, &path);
		if (bench->err)
			break;
		path_put(&path);
	}
	bench->timing.lookup_ns = ktime_get_ns() - start;
	kthread_complete_and_exit(&bench->done, 0);
}

static ssize_t bench_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct bench bench = {};
	struct task_struct *task;
	char buf[256], path[256], extra;
	struct timing *t = &bench.timing;

	if (count >= sizeof(buf))
		return -ENAMETOOLONG;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%u %u %255s %c", &t->guards, &t->lookups, path,
		   &extra) != 3)
		return -EINVAL;
	if (!t->guards || !t->lookups || t->guards > BENCH_MAX_ITERATIONS ||
	    t->lookups > BENCH_MAX_ITERATIONS)
		return -EINVAL;
	bench.path = path;

	init_completion(&bench.done);
	task = kthread_run(bench_kthread, &bench, "c_init_fs");
	if (IS_ERR(task))
		return PTR_ERR(task);
	wait_for_completion(&bench.done);
	if (bench.err)
		return bench.err;

	scoped_guard(mutex, &results_lock)
		last_timing = bench.timing;
	return count;
}

static int bench_show(struct seq_file *m, void *unused)
{
	guard(mutex)(&results_lock);
	if (!last_timing.guards) {
		seq_puts(m, "write \"GUARDS LOOKUPS PATH\" to this file first\n");
		return 0;
	}
	seq_printf(m, "guards %u in %llu ns\n", last_timing.guards,
		   last_timing.guard_ns);
	seq_printf(m, "lookups %u in %llu ns\n", last_timing.lookups,
		   last_timing.lookup_ns);
	return 0;
}

static int bench_open(struct inode *inode, struct file *file)
{
	return single_open(file, bench_show, NULL);
}

static const struct file_operations bench_fops = {
	.owner		= THIS_MODULE,
	.open		= bench_open,
	.read		= seq_read,
	.write		= bench_write,
	.llseek		= seq_lseek,
	.release	= single_release,
};

/*
 * One guarded lookup and open in the writer's own task, with no allocation of
 * the sample's own around it for fault injection to hit.
 */
static ssize_t open_here_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	char buf[256], *name;
	struct file *opened;
	struct path path;
	int err;

	if (count >= sizeof(buf))
		return -ENAMETOOLONG;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	/* An embedded NUL is refused, not taken as the end of the path. */
	if (memchr(buf, '\0', count))
		return -EINVAL;
	buf[count] = '\0';
	name = strim(buf);
	if (!*name)
		return -EINVAL;

	scoped_with_init_fs() {
		err = kern_path(name, LOOKUP_FOLLOW, &path);
		if (err)
			break;
		path_put(&path);
		/* No controlling tty, no wait on a FIFO, with init's fs borrowed. */
		opened = filp_open(name, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0);
		if (IS_ERR(opened)) {
			err = PTR_ERR(opened);
			break;
		}
		fput(opened);
	}
	if (err)
		return err;
	return count;
}

static const struct file_operations open_here_fops = {
	.owner		= THIS_MODULE,
	.open		= simple_open,
	.write		= open_here_write,
	.llseek		= noop_llseek,
};

static int __init c_init_fs_init(void)
{
	debugfs_dir = debugfs_create_dir("c_init_fs", NULL);
	debugfs_create_file("probe", 0600, debugfs_dir, NULL, &probe_fops);
	debugfs_create_file("bench", 0600, debugfs_dir, NULL, &bench_fops);
	debugfs_create_file("open_here", 0200, debugfs_dir, NULL, &open_here_fops);
	return 0;
}

static void __exit c_init_fs_exit(void)
{
	debugfs_remove(debugfs_dir);
}

module_init(c_init_fs_init);
module_exit(c_init_fs_exit);
MODULE_DESCRIPTION("Sample: scoped_with_init_fs() from a kthread and a work item");
MODULE_LICENSE("GPL");
