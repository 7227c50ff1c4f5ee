/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A battery of calls whose answers are compared between two filesystems:
 * each call's return value and, if it failed, its errno, under a name.
 */
#ifndef NULLFS_RS_BATTERY_H
#define NULLFS_RS_BATTERY_H

#include <errno.h>
#include <stdio.h>

#define MAX_RESULTS 128

struct result {
	char what[40];
	long long value;
	int err;
};

struct battery {
	int count;
	struct result r[MAX_RESULTS];
};

static inline void record(struct battery *b, const char *what, long long value, int err)
{
	struct result *r;

	if (b->count == MAX_RESULTS)
		return;
	r = &b->r[b->count++];
	snprintf(r->what, sizeof(r->what), "%s", what);
	r->value = value;
	r->err = value < 0 ? err : 0;
}

/* A call: its return value and, if it failed, its errno. */
#define CALL(b, what, expr) do {				\
	long long __v;						\
	errno = 0;						\
	__v = (long long)(expr);				\
	record(b, what, __v, errno);				\
} while (0)
/* A value that is not a return code. */
#define VALUE(b, what, expr) record(b, what, (long long)(expr), 0)

#endif /* NULLFS_RS_BATTERY_H */
