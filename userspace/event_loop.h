/* SPDX-License-Identifier: GPL-2.0 */
/*
 * event_loop.h - exittrace's one loop: the intervals' grid (a timerfd on
 * CLOCK_MONOTONIC), the slow exits' ring buffer and the signals, waited
 * on together in one epoll_pwait().
 *
 * The signals the run handles (SIGINT, SIGTERM, SIGUSR1, SIGUSR2) stay
 * blocked except inside that wait, so one that comes while an interval
 * is being read is not lost between the test of its flag and the sleep:
 * it ends the next wait at once.  Their handlers only set flags.
 */
#ifndef EVENT_LOOP_H
#define EVENT_LOOP_H

#include <signal.h>
#include <time.h>

struct event_loop {
	int epfd;
	int timerfd;
	int watched;			/* an fd whose events are read as they come; -1: none */
	int (*ready)(void *ctx);	/* reads them: 0, or -errno */
	void *ctx;
	sigset_t wait_mask;		/* the mask inside the wait: the run's signals open */
	sigset_t signals;		/* the run's signals */
};

/*
 * Install @handler for each of @signals (0-terminated), block them, and
 * make the loop's fds.  -errno on failure (said).
 */
int event_loop_init(struct event_loop *el, const int *signals, void (*handler)(int));

/*
 * Call @ready(@ctx) whenever @fd is readable (the slow exits' ring
 * buffer); @fd -1: stop watching the one watched so far.
 */
int event_loop_watch(struct event_loop *el, int fd, int (*ready)(void *ctx), void *ctx);

/*
 * Until @deadline (CLOCK_MONOTONIC, absolute), reading the watched fd's
 * events as they come: 0 at the deadline, -EINTR once a signal was handled, else
 * -errno (said).
 */
int event_loop_wait(struct event_loop *el, const struct timespec *deadline);

void event_loop_close(struct event_loop *el);

#endif /* EVENT_LOOP_H */
