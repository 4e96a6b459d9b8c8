// SPDX-License-Identifier: GPL-2.0
/*
 * slow_exits_ring.c - --slower-than's ring buffer, read in exittrace's
 * one loop (event_loop.c) and handed on event by event (slow_exits.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "slow_exits.h"

static int on_event(void *ctx, void *data, size_t size)
{
	struct slow_exits *se = ctx;

	/* the BPF side only ever submits whole struct slow_exit */
	if (size < sizeof(struct slow_exit))
		return 0;
	se->event(se->ctx, data);
	se->reported++;
	return 0;
}

int slow_exits_open(struct slow_exits *se, int map_fd)
{
	se->rb = ring_buffer__new(map_fd, on_event, se, NULL);
	if (!se->rb) {
		int err = -errno;

		fprintf(stderr, "exittrace: cannot read the slow exits' ring buffer: %s\n",
			strerror(errno));
		return err ? err : -EINVAL;
	}
	return 0;
}

int slow_exits_fd(const struct slow_exits *se)
{
	return se->rb ? ring_buffer__epoll_fd(se->rb) : -1;
}

int slow_exits_consume(struct slow_exits *se)
{
	int n = se->rb ? ring_buffer__consume(se->rb) : 0;

	return n < 0 ? n : 0;
}

void slow_exits_close(struct slow_exits *se)
{
	ring_buffer__free(se->rb);
	se->rb = NULL;
}
