// SPDX-License-Identifier: GPL-2.0
/* machine.c - the machine a benchmark ran on, and how busy it was meanwhile. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "machine.h"

void read_line(const char *path, const char *key, char *buf, size_t len)
{
	char line[512], *val;
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (key && strncmp(line, key, strlen(key)))
			continue;
		line[strcspn(line, "\n")] = 0;
		val = key && strchr(line, ':') ? strchr(line, ':') + 2 : line;
		snprintf(buf, len, "%.*s", (int)len - 1, val);
		break;
	}
	fclose(f);
}

void machine_describe(struct machine *m)
{
	static const char *const vulns[] = { "spectre_v2", "spec_rstack_overflow", "retbleed" };
	char path[128], v[160];
	struct utsname u;
	size_t i, len;
	FILE *f;

	uname(&u);
	snprintf(m->kernel, sizeof(m->kernel), "Linux %s", u.release);
	read_line("/proc/cpuinfo", "model name", m->cpu_model, sizeof(m->cpu_model));
	m->guest = false;
	f = fopen("/proc/cpuinfo", "r");
	if (f) {
		while (fgets(path, sizeof(path), f) && !m->guest)
			m->guest = strstr(path, " hypervisor") != NULL;
		fclose(f);
	}
	m->mitigations[0] = 0;
	for (i = 0; i < sizeof(vulns) / sizeof(vulns[0]); i++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/vulnerabilities/%s", vulns[i]);
		read_line(path, NULL, v, sizeof(v));
		len = strlen(m->mitigations);
		snprintf(m->mitigations + len, sizeof(m->mitigations) - len, "%s%s: %s",
			 i ? "; " : "", vulns[i], v[0] ? v : "?");
	}
}

void machine_print(FILE *out, const struct machine *m)
{
	fprintf(out, "this machine (%s) is %s;\nits mitigations: %s.\n", m->cpu_model,
		m->guest ? "itself a guest" : "not a guest (no hypervisor flag)", m->mitigations);
}

int pin_to_cpu(int *cpu)
{
	cpu_set_t set;

	if (*cpu < 0)
		*cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	if (*cpu >= CPU_SETSIZE)
		return -EINVAL;
	CPU_ZERO(&set);
	CPU_SET(*cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* The CPU's time in jiffies, and the part of it the hypervisor stole. */
static void cpu_times(int cpu, unsigned long long *total, unsigned long long *steal)
{
	unsigned long long v[8] = { 0 };
	char line[256], name[16];
	FILE *f = fopen("/proc/stat", "r");
	int i;

	*total = *steal = 0;
	if (!f)
		return;
	snprintf(name, sizeof(name), "cpu%d ", cpu);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, strlen(name)))
			continue;
		sscanf(line + strlen(name), "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		       &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
		for (i = 0; i < 8; i++)
			*total += v[i];
		*steal = v[7];
		break;
	}
	fclose(f);
}

void load_window_start(struct load_window *w, int cpu)
{
	w->cpu = cpu;
	read_line("/proc/loadavg", NULL, w->load0, sizeof(w->load0));
	w->load0[strcspn(w->load0, " ")] = 0;
	cpu_times(cpu, &w->total0, &w->steal0);
}

void load_window_end(const struct load_window *w, char *buf, size_t len)
{
	unsigned long long total1, steal1;
	char load1[32];

	read_line("/proc/loadavg", NULL, load1, sizeof(load1));
	load1[strcspn(load1, " ")] = 0;
	cpu_times(w->cpu, &total1, &steal1);
	snprintf(buf, len, "%s -> %s (1-minute average); CPU %d stolen by the hypervisor %.1f %%",
		 w->load0, load1, w->cpu,
		 total1 > w->total0 ? 100.0 * (steal1 - w->steal0) / (total1 - w->total0) : 0.0);
}
