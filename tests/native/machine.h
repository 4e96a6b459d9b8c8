/* SPDX-License-Identifier: GPL-2.0 */
/*
 * machine.h - what a benchmark says about the machine it ran on: kernel,
 * CPU, whether it is a guest, its mitigations, and how busy it was.
 */
#ifndef NATIVE_MACHINE_H
#define NATIVE_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct machine {
	char kernel[128];
	char cpu_model[128];
	bool guest;		/* cpuinfo's hypervisor flag */
	char mitigations[256];
};

void machine_describe(struct machine *m);
/* "this machine (<cpu>) is itself a guest;\nits mitigations: ...\n" */
void machine_print(FILE *out, const struct machine *m);

/* run only on *@cpu from now on, the last online CPU if it is < 0; 0 or -errno */
int pin_to_cpu(int *cpu);

/* the first line of @path, or the value of its first "@key: value" line */
void read_line(const char *path, const char *key, char *buf, size_t len);

/*
 * The 1-minute load and the part of @cpu's time the hypervisor stole (this
 * machine is itself a guest), from start to end of a run: a run with much
 * steal is a noisy one.
 */
struct load_window {
	int cpu;
	char load0[32];
	unsigned long long total0, steal0;
};

void load_window_start(struct load_window *w, int cpu);
/* "0.47 -> 0.94 (1-minute average); CPU 1 stolen by the hypervisor 0.0 %" */
void load_window_end(const struct load_window *w, char *buf, size_t len);

#endif /* NATIVE_MACHINE_H */
