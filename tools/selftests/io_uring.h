/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The least of io_uring the selftests need: one ring, and one SQE at a time
 * submitted and waited for.  Raw syscalls on the 7.3 uapi, no liburing,
 * which the host may not have or may have too old.
 */
#ifndef NULLFS_RS_IO_URING_H
#define NULLFS_RS_IO_URING_H

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>

struct uring {
	int fd;
	void *sq_ring, *cq_ring;
	size_t sq_ring_size, cq_ring_size, sqes_size;
	struct io_uring_sqe *sqes;
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_cqe *cqes;
};

static inline void uring_exit(struct uring *u)
{
	if (u->sqes && u->sqes != MAP_FAILED)
		munmap(u->sqes, u->sqes_size);
	if (u->cq_ring && u->cq_ring != MAP_FAILED)
		munmap(u->cq_ring, u->cq_ring_size);
	if (u->sq_ring && u->sq_ring != MAP_FAILED)
		munmap(u->sq_ring, u->sq_ring_size);
	if (u->fd >= 0)
		close(u->fd);
	memset(u, 0, sizeof(*u));
	u->fd = -1;
}

/* A ring of a few entries, its three regions mapped; 0 or -1 with errno. */
static inline int uring_init(struct uring *u)
{
	struct io_uring_params p;
	int err;

	memset(u, 0, sizeof(*u));
	memset(&p, 0, sizeof(p));
	/*
	 * A request done by an io-wq worker is freed after its CQE is posted.
	 * Without DEFER_TASKRUN the free is task work queued with TWA_SIGNAL,
	 * which makes signal_pending() true in whatever syscall the task is in
	 * by then: a getdents64 there stops after its first entry.  Deferred,
	 * it waits for the next io_uring_enter(), and the task's other calls
	 * answer the same however fast the worker was.
	 */
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	u->fd = syscall(__NR_io_uring_setup, 4, &p);
	if (u->fd < 0)
		return -1;
	/* Mapped one by one, which works with or without IORING_FEAT_SINGLE_MMAP. */
	u->sq_ring_size = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	u->cq_ring_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	u->sqes_size = p.sq_entries * sizeof(struct io_uring_sqe);
	u->sq_ring = mmap(NULL, u->sq_ring_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			  u->fd, IORING_OFF_SQ_RING);
	u->cq_ring = mmap(NULL, u->cq_ring_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			  u->fd, IORING_OFF_CQ_RING);
	u->sqes = mmap(NULL, u->sqes_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       u->fd, IORING_OFF_SQES);
	if (u->sq_ring == MAP_FAILED || u->cq_ring == MAP_FAILED || u->sqes == MAP_FAILED) {
		err = errno;
		uring_exit(u);
		errno = err;
		return -1;
	}
	u->sq_tail = (unsigned int *)((char *)u->sq_ring + p.sq_off.tail);
	u->sq_mask = (unsigned int *)((char *)u->sq_ring + p.sq_off.ring_mask);
	u->sq_array = (unsigned int *)((char *)u->sq_ring + p.sq_off.array);
	u->cq_head = (unsigned int *)((char *)u->cq_ring + p.cq_off.head);
	u->cq_tail = (unsigned int *)((char *)u->cq_ring + p.cq_off.tail);
	u->cq_mask = (unsigned int *)((char *)u->cq_ring + p.cq_off.ring_mask);
	u->cqes = (struct io_uring_cqe *)((char *)u->cq_ring + p.cq_off.cqes);
	return 0;
}

/*
 * Submits @sqe and waits for its completion; 0 with its result in @res
 * (a negative errno if the operation failed), or -1 with errno if the ring
 * itself failed.
 */
static inline int uring_run(struct uring *u, const struct io_uring_sqe *sqe, int *res)
{
	unsigned int tail = *u->sq_tail, head, slot = tail & *u->sq_mask;
	long ret;

	u->sqes[slot] = *sqe;
	u->sq_array[slot] = slot;
	/* The kernel reads the SQE once it sees the new tail. */
	__atomic_store_n(u->sq_tail, tail + 1, __ATOMIC_RELEASE);
	do
		ret = syscall(__NR_io_uring_enter, u->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -1;
	head = *u->cq_head;
	if (head == __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE)) {
		errno = EAGAIN;
		return -1;
	}
	*res = u->cqes[head & *u->cq_mask].res;
	__atomic_store_n(u->cq_head, head + 1, __ATOMIC_RELEASE);
	return 0;
}

/* An IORING_OP_OPENAT2 SQE (IORING_OP_OPENAT if @how has no resolve flags). */
static inline void uring_prep_openat(struct io_uring_sqe *sqe, int dfd, const char *path,
				     const struct open_how *how)
{
	memset(sqe, 0, sizeof(*sqe));
	sqe->fd = dfd;
	sqe->addr = (unsigned long)path;
	if (how->resolve) {
		sqe->opcode = IORING_OP_OPENAT2;
		sqe->addr2 = (unsigned long)how;
		sqe->len = sizeof(*how);
	} else {
		sqe->opcode = IORING_OP_OPENAT;
		sqe->open_flags = how->flags;
		sqe->len = how->mode;
	}
}

static inline void uring_prep_statx(struct io_uring_sqe *sqe, int dfd, const char *path,
				    unsigned int flags, unsigned int mask, struct statx *stx)
{
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_STATX;
	sqe->fd = dfd;
	sqe->addr = (unsigned long)path;
	sqe->statx_flags = flags;
	sqe->len = mask;
	sqe->off = (unsigned long)stx;
}

#endif /* NULLFS_RS_IO_URING_H */
