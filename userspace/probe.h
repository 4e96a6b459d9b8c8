/* SPDX-License-Identifier: GPL-2.0 */
/*
 * probe.h - what the running kernel offers exittrace, asked before
 * anything is loaded, so that a missing feature gets a sentence naming
 * it rather than libbpf's errno.
 */
#ifndef PROBE_H
#define PROBE_H

#include <stdbool.h>

#include "exit_reasons.h"

/* Root, CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON (Linux 5.8+). */
bool probe_privileged(void);

/* Does @path exist (anything: a file, a directory, a device)? */
bool probe_path_exists(const char *path);

/*
 * The ISA KVM runs guests with, from the vendor module that is loaded
 * (kvm_intel: VMX, kvm_amd: SVM; so Hygon and Zhaoxin come out right),
 * or from the CPU's vmx/svm flag when neither shows in /sys/module, or
 * from its vendor (Intel, Zhaoxin: VMX; AMD, Hygon: SVM).  0 if none.  @module and @vcpu_struct may be NULL.
 */
enum exit_isa probe_kvm_isa(const char **module, const char **vcpu_struct);

/* Does the kernel's BTF (vmlinux, or @module's own) describe struct @name? */
bool probe_btf_struct(const char *name, const char *module);

/* ... and function @name (what fexit attaches to)? */
bool probe_btf_func(const char *name, const char *module);

/*
 * The arguments of the kvm_exit raw tracepoint: 2 for (vcpu, isa), since
 * 5.16; 3 for (exit_reason, vcpu, isa), up to 5.15; 0 if its BTF
 * (btf_trace_kvm_exit, in kvm's module BTF or vmlinux) is not there.
 */
int probe_kvm_exit_args(void);

/* The same for any kvm tracepoint: "kvm_page_fault" -> its argument count */
int probe_kvm_tp_args(const char *tracepoint);

/* Task storage from tracing programs (Linux 5.13). */
bool probe_task_storage(void);

/* BPF ring buffers (Linux 5.8), for --slower-than's events. */
bool probe_ringbuf(void);

/* Free the kernel BTF the probes above read (once per run) and kept. */
void probe_release(void);

/* Does @path have a line containing @needle? */
bool file_has(const char *path, const char *needle);

#endif /* PROBE_H */
