// SPDX-License-Identifier: GPL-2.0
/* event_loop.c - timerfd, ring buffer and signals in one wait (event_loop.h). */
#include <errno.h>
#include <stdbool.h>
#include <linux/types.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "event_loop.h"

int event_loop_init(struct event_loop *el, const int *signals, void (*handler)(int))
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = -1 };
	struct sigaction sa = { .sa_handler = handler };
	sigset_t block;
	int i;

	el->watched = -1;
	el->epfd = el->timerfd = -1;
	sigemptyset(&block);
	for (i = 0; signals[i]; i++) {
		/* no SA_RESTART: a handled signal ends the wait it came in */
		if (sigaction(signals[i], &sa, NULL))
			goto fail;
		sigaddset(&block, signals[i]);
	}
	/* blocked from here on, in every thread started later too (HTTP's) */
	if (sigprocmask(SIG_BLOCK, &block, &el->wait_mask))
		goto fail;
	el->signals = block;
	for (i = 0; signals[i]; i++)
		sigdelset(&el->wait_mask, signals[i]);
	el->epfd = epoll_create1(EPOLL_CLOEXEC);
	el->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (el->epfd < 0 || el->timerfd < 0)
		goto fail;
	ev.data.fd = el->timerfd;
	if (epoll_ctl(el->epfd, EPOLL_CTL_ADD, el->timerfd, &ev))
		goto fail;
	return 0;
fail:
	i = -errno;
	fprintf(stderr, "exittrace: cannot set up the event loop: %s\n", strerror(errno));
	event_loop_close(el);
	return i;
}

int event_loop_watch(struct event_loop *el, int fd, int (*ready)(void *ctx), void *ctx)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (el->watched >= 0)
		epoll_ctl(el->epfd, EPOLL_CTL_DEL, el->watched, NULL);
	el->watched = -1;
	if (fd < 0)
		return 0;
	if (epoll_ctl(el->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		fprintf(stderr, "exittrace: cannot add fd %d to the event loop: %s\n", fd,
			strerror(errno));
		return -errno;
	}
	el->watched = fd;
	el->ready = ready;
	el->ctx = ctx;
	return 0;
}

/*
 * One of the run's signals came while the loop was busy: take it now.
 * epoll_pwait() opens the mask only when it would sleep; with the timer
 * already expired (a loop behind its deadlines: a slow machine, a big
 * -P or --by read) it returns that event and leaves the signal pending,
 * wait after wait, and a second SIGUSR1 meanwhile merges into the first.
 */
static bool signal_taken(const struct event_loop *el)
{
	sigset_t pending;
	int i;

	if (sigpending(&pending))
		return false;
	for (i = 1; i < NSIG; i++)
		if (sigismember(&el->signals, i) == 1 && sigismember(&pending, i) == 1) {
			sigsuspend(&el->wait_mask);	/* returns at once, after the handler */
			return true;
		}
	return false;
}

int event_loop_wait(struct event_loop *el, const struct timespec *deadline)
{
	struct itimerspec when = { .it_value = *deadline };
	struct epoll_event ev[2];
	__u64 expirations;
	int n, i, err;

	if (signal_taken(el))
		return -EINTR;
	/* a deadline already past fires at once (zero would disarm it) */
	if (!when.it_value.tv_sec && !when.it_value.tv_nsec)
		when.it_value.tv_nsec = 1;
	if (timerfd_settime(el->timerfd, TFD_TIMER_ABSTIME, &when, NULL))
		goto fail;
	for (;;) {
		n = epoll_pwait(el->epfd, ev, 2, -1, &el->wait_mask);
		if (n < 0 && errno == EINTR)
			return -EINTR;
		if (n < 0)
			goto fail;
		for (i = 0; i < n; i++) {
			if (ev[i].data.fd == el->timerfd) {
				if (read(el->timerfd, &expirations, sizeof(expirations)) > 0)
					return 0;
				continue;	/* EAGAIN: set again meanwhile */
			}
			/* the reader says what failed */
			err = ev[i].data.fd == el->watched ? el->ready(el->ctx) : 0;
			if (err)
				return err;
		}
	}
fail:
	err = -errno;
	fprintf(stderr, "exittrace: waiting in the event loop failed: %s\n", strerror(errno));
	return err;
}

void event_loop_close(struct event_loop *el)
{
	if (el->timerfd >= 0)
		close(el->timerfd);
	if (el->epfd >= 0)
		close(el->epfd);
	el->timerfd = el->epfd = -1;
}
