/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Letting KVM be reloaded under a long-running exittrace.
 *
 * Its links hold kvm.ko (the tracepoints are kvm's) and its fexit on
 * handle_exit holds the vendor module, so modprobe -r fails while it is
 * attached.  On SIGUSR2 (scripts/install-kvm.sh sends it) exittrace
 * closes every program and map and waits here until KVM may be used
 * again; then it loads anew, CO-RE relocated against the new modules.
 *
 * The protocol with install-kvm.sh: before it signals, the script writes
 * its pid to KVM_RELOAD_LOCK, and removes the file when it is done (also
 * when it fails).  While the file names a live process, KVM is not ready.
 * With no such file (a SIGUSR2 sent by hand), ready means the vendor
 * module went away and came back.
 */
#ifndef KVM_RELOAD_H
#define KVM_RELOAD_H

#include <signal.h>
#include <stdbool.h>

#define KVM_RELOAD_LOCK	"/run/exittrace-kvm-reload"

/*
 * Wait until KVM may be attached to again: @module (kvm_intel, kvm_amd)
 * is live and /dev/kvm exists, after the lock is gone or, without one,
 * after the module went away.  0 when ready, -EINTR once *@stop is set.
 * The signals that set it are open only while it sleeps (@wait_mask is
 * the mask then, as in event_loop.h).
 */
int kvm_reload_wait(const char *module, volatile sig_atomic_t *stop, const sigset_t *wait_mask);

/* Is a reload under way, per the lock file (for messages)? */
bool kvm_reload_locked(void);

#endif
