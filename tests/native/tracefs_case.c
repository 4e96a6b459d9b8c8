// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs_case.c - the tracefs ring buffer recording the event: what
 * trace-cmd (and the kernel's own kvm event tracing) pays per event.
 *
 * A tracefs instance of its own, so that nothing else's tracing is
 * touched; the buffer overwrites when full, as with no reader, which
 * costs the writer the same per event.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "cases.h"

#define TRACEFS		"/sys/kernel/tracing"
#define INSTANCE	TRACEFS "/instances/exittrace-native"
#define ENABLE		INSTANCE "/events/bpf_test_run/bpf_trigger_tp/enable"

static bool made;

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int tracefs_attach(struct bench_case *c)
{
	int err = write_str(ENABLE, "1");

	if (err)
		snprintf(c->skip, sizeof(c->skip), "cannot enable %s: %s", ENABLE, strerror(-err));
	return err;
}

static void tracefs_detach(struct bench_case *c)
{
	(void)c;
	write_str(ENABLE, "0");
}

/* entries + overrun over the CPUs: every event written, kept or overwritten */
static void tracefs_verify(struct bench_case *c)
{
	unsigned long long written = 0, n;
	char path[128], line[128];
	FILE *f;
	long cpu, ncpu = sysconf(_SC_NPROCESSORS_CONF);

	for (cpu = 0; cpu < ncpu; cpu++) {
		snprintf(path, sizeof(path), INSTANCE "/per_cpu/cpu%ld/stats", cpu);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "entries: %llu", &n) == 1 || sscanf(line, "overrun: %llu", &n) == 1)
				written += n;
		}
		fclose(f);
	}
	snprintf(c->check, sizeof(c->check), "%s: %llu events written (want %llu)",
		 written == c->events ? "ok" : "FAILED", written, (unsigned long long)c->events);
}

static const struct case_ops tracefs_ops = { tracefs_attach, tracefs_detach, tracefs_verify };

int tracefs_case_add(struct case_table *t)
{
	struct bench_case *c = case_new(t);
	struct stat st;

	c->id = "tracefs";
	c->label = "tracefs ring buffer (trace-cmd)";
	c->group = "peer";
	c->rt_events = 2;
	c->ops = &tracefs_ops;
	if (stat(TRACEFS "/instances", &st) && mount("nodev", TRACEFS, "tracefs", 0, NULL)) {
		snprintf(c->skip, sizeof(c->skip), "tracefs is not mounted on %s and cannot be (%s)",
			 TRACEFS, strerror(errno));
		return 0;
	}
	if (mkdir(INSTANCE, 0755) && errno != EEXIST) {
		snprintf(c->skip, sizeof(c->skip), "cannot make the tracefs instance %s: %s",
			 INSTANCE, strerror(errno));
		return 0;
	}
	made = true;
	/* 4 MB a CPU: large enough that wrapping is rare, small enough to stay in memory */
	write_str(INSTANCE "/buffer_size_kb", "4096");
	return 0;
}

void tracefs_case_free(void)
{
	if (made) {
		write_str(ENABLE, "0");
		rmdir(INSTANCE);
		made = false;
	}
}
