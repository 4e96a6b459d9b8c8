// SPDX-License-Identifier: GPL-2.0
/* Waiting for KVM to come back after a reload (kvm_reload.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kvm_reload.h"
#include "probe.h"

/* How often the module's state is looked at: a reload takes seconds. */
#define POLL_MS		100

bool kvm_reload_locked(void)
{
	FILE *f = fopen(KVM_RELOAD_LOCK, "r");
	int pid = 0;
	bool alive;

	if (!f)
		return false;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	/* a script killed half-way leaves the file: its pid is gone then */
	alive = pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
	return alive;
}

/* @module is loaded and initialised, and /dev/kvm is there to use. */
static bool module_live(const char *module)
{
	char path[96], state[16] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", module);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(state, sizeof(state), f))
		state[0] = '\0';
	fclose(f);
	return !strncmp(state, "live", 4) && probe_path_exists("/dev/kvm");
}

int kvm_reload_wait(const char *module, volatile sig_atomic_t *stop, const sigset_t *wait_mask)
{
	const struct timespec poll = { 0, POLL_MS * 1000000L };
	bool went_away = false, was_locked = false, locked;
	char dir[80];

	snprintf(dir, sizeof(dir), "/sys/module/%s", module);
	while (!*stop) {
		locked = kvm_reload_locked();
		was_locked |= locked;
		went_away |= !probe_path_exists(dir);
		if (!locked && (was_locked || went_away) && module_live(module))
			return 0;
		ppoll(NULL, 0, &poll, wait_mask);	/* a handled signal ends it early */
	}
	return -EINTR;
}
