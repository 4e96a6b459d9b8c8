// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for exittrace's one loop (userspace/event_loop.c): the
 * interval's deadline, a signal that comes while the loop is busy (it
 * must end the next wait at once, not be lost), and a watched fd.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "event_loop.h"

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1++;
}

static struct timespec ms_from_now(long ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_nsec += ms * 1000000L;
	t.tv_sec += t.tv_nsec / 1000000000L;
	t.tv_nsec %= 1000000000L;
	return t;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* the loop's signal blocked again as it was, and SIGUSR1 back to default */
static void loop_done(struct event_loop *el)
{
	sigset_t usr1;

	event_loop_close(el);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	signal(SIGUSR1, SIG_DFL);
}

TEST(event_loop_deadline)
{
	static const int signals[] = { SIGUSR1, 0 };
	struct event_loop el;
	struct timespec t0, deadline;

	CHECK(!event_loop_init(&el, signals, on_usr1));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	deadline = ms_from_now(30);
	CHECK_EQ_U64(event_loop_wait(&el, &deadline), 0);
	CHECK(ms_since(&t0) >= 30);
	/* a deadline already past returns at once */
	deadline = t0;
	CHECK_EQ_U64(event_loop_wait(&el, &deadline), 0);
	loop_done(&el);
}

TEST(event_loop_signal_while_busy_not_lost)
{
	static const int signals[] = { SIGUSR1, 0 };
	struct event_loop el;
	struct timespec deadline;

	got_usr1 = 0;
	CHECK(!event_loop_init(&el, signals, on_usr1));
	/* comes between two waits: blocked, so pending, and the handler has not run */
	raise(SIGUSR1);
	CHECK_EQ_U64(got_usr1, 0);
	deadline = ms_from_now(60000);
	CHECK_EQ_U64((uint64_t)(int64_t)event_loop_wait(&el, &deadline), (uint64_t)(int64_t)-EINTR);
	CHECK_EQ_U64(got_usr1, 1);
	loop_done(&el);
}

static int reads;

static int drain_pipe(void *ctx)
{
	char buf[16];

	reads++;
	return read(*(int *)ctx, buf, sizeof(buf)) > 0 ? 0 : -EIO;
}

TEST(event_loop_watched_fd)
{
	static const int signals[] = { SIGUSR1, 0 };
	struct event_loop el;
	struct timespec deadline;
	int p[2];

	reads = 0;
	CHECK(!pipe(p));
	CHECK(!event_loop_init(&el, signals, on_usr1));
	CHECK(!event_loop_watch(&el, p[0], drain_pipe, &p[0]));
	CHECK(write(p[1], "x", 1) == 1);
	deadline = ms_from_now(50);
	/* the fd's data is read while waiting, and the wait goes on to its deadline */
	CHECK_EQ_U64(event_loop_wait(&el, &deadline), 0);
	CHECK_EQ_U64(reads, 1);
	/* its reader's error ends the wait */
	close(p[1]);
	deadline = ms_from_now(60000);
	CHECK_EQ_U64((uint64_t)(int64_t)event_loop_wait(&el, &deadline), (uint64_t)(int64_t)-EIO);
	CHECK(!event_loop_watch(&el, -1, NULL, NULL));
	close(p[0]);
	loop_done(&el);
}

/*
 * A loop behind its deadlines finds the timer ready at every wait, and
 * epoll_pwait() returns a ready event without delivering a pending
 * signal: the signal must come first all the same, or a busy exittrace
 * would never see its marks (SIGUSR1) or its end (SIGINT).
 */
TEST(event_loop_signal_before_a_late_deadline)
{
	static const int signals[] = { SIGUSR1, 0 };
	struct event_loop el;
	struct timespec deadline;

	got_usr1 = 0;
	CHECK(!event_loop_init(&el, signals, on_usr1));
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec -= 1;		/* already past: the timer is ready at once */
	raise(SIGUSR1);
	CHECK_EQ_U64((uint64_t)(int64_t)event_loop_wait(&el, &deadline), (uint64_t)(int64_t)-EINTR);
	CHECK_EQ_U64(got_usr1, 1);
	/* taken: the next wait is the deadline's */
	CHECK_EQ_U64(event_loop_wait(&el, &deadline), 0);
	loop_done(&el);
}
