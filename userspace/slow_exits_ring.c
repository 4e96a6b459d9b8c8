// SPDX-License-Identifier: GPL-2.0
/*
 * slow_exits_ring.c - --slower-than's ring buffer: read it between the
 * intervals' deadlines, in exittrace's one loop (see slow_exits.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "slow_exits.h"

static int on_event(void *ctx, void *data, size_t size)
{
	struct slow_exits *se = ctx;

	/* the BPF side only ever submits whole struct slow_exit */
	if (size < sizeof(struct slow_exit))
		return 0;
	slow_exit_print(data, &se->opts);
	se->reported++;
	return 0;
}

int slow_exits_open(struct slow_exits *se, int map_fd, const struct slow_exits_opts *o)
{
	se->opts = *o;
	se->reported = 0;
	se->rb = ring_buffer__new(map_fd, on_event, se, NULL);
	if (!se->rb) {
		int err = -errno;

		fprintf(stderr, "exittrace: cannot read the slow exits' ring buffer: %s\n",
			strerror(errno));
		return err ? err : -EINVAL;
	}
	return 0;
}

/* Milliseconds from now to @deadline, rounded up so the wait ends past it. */
static int ms_until(const struct timespec *deadline)
{
	struct timespec now;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (long long)(deadline->tv_sec - now.tv_sec) * 1000000000LL +
	     (deadline->tv_nsec - now.tv_nsec);
	if (ns <= 0)
		return 0;
	return (int)((ns + 999999) / 1000000);
}

int slow_exits_wait(struct slow_exits *se, const struct timespec *deadline)
{
	int ms, n;

	while ((ms = ms_until(deadline)) > 0) {
		n = ring_buffer__poll(se->rb, ms);
		if (n > 0)
			fflush(se->opts.out);	/* a reader sees each event as it comes */
		if (n == -EINTR)
			return -EINTR;
		if (n < 0)
			return n;
	}
	return 0;
}

int slow_exits_drain(struct slow_exits *se)
{
	int n = ring_buffer__consume(se->rb);

	fflush(se->opts.out);
	return n < 0 ? n : 0;
}

void slow_exits_close(struct slow_exits *se)
{
	ring_buffer__free(se->rb);
	se->rb = NULL;
}
