// SPDX-License-Identifier: GPL-2.0
/*
 * percpu_standin.c - per-CPU areas for kernel_standins.h's per-CPU
 * variables: the section standin_percpu, copied once per CPU as the
 * kernel's setup_per_cpu_areas() copies .data..percpu, and this CPU's
 * offset from the section to its copy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel_standins.h"

/* the linker's bounds of the section (its name is a C identifier) */
extern char __start_standin_percpu[], __stop_standin_percpu[];

unsigned long standin_this_cpu_off;
static char *areas;
static size_t stride;

int standin_percpu_setup(int cpu)
{
	size_t size = __stop_standin_percpu - __start_standin_percpu;
	long nr_cpus = sysconf(_SC_NPROCESSORS_CONF);
	long i;

	if (cpu < 0 || cpu >= nr_cpus)
		return -EINVAL;
	stride = (size + 63) & ~(size_t)63;
	areas = aligned_alloc(64, stride * nr_cpus);
	if (!areas)
		return -ENOMEM;
	for (i = 0; i < nr_cpus; i++)
		memcpy(areas + i * stride, __start_standin_percpu, size);
	standin_this_cpu_off = (unsigned long)(areas + cpu * stride) -
			       (unsigned long)__start_standin_percpu;
	return 0;
}

void *standin_per_cpu_ptr(const void *ptr, int cpu)
{
	return areas + cpu * stride + ((const char *)ptr - __start_standin_percpu);
}
