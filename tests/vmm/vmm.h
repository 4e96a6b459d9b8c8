/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmm.h - a small test VMM on /dev/kvm, in the spirit of the KVM selftests.
 *
 *	struct vmm_vcpu *vcpu;
 *	struct vmm_vm *vm = vm_create_with_one_vcpu(VMM_GUEST(my_guest), &vcpu);
 *	struct vmm_ucall uc;
 *
 *	while (vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC)
 *		TEST_ASSERT_EQ(uc.args[0], 1, "stage");
 *	vm_free(vm);
 *
 * The VM has one RAM slot at GPA 0 and no in-kernel irqchip unless asked
 * for, so HLT, port I/O and MMIO all exit to userspace and are counted per
 * vCPU.  Guest memory layout and the ucall ABI are in vmm_abi.h; the guest
 * side is guest.h.
 *
 * Failures print "<file>:<line>: vcpu N, step S: message", then a last line
 * "<test>: FAIL <message>", and exit 1.  Missing /dev/kvm or capability:
 * "<test>: SKIP <why>", exit 4 (KSFT_SKIP).
 */
#ifndef VMM_H
#define VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "vmm_abi.h"

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

/* --- test reporting ---------------------------------------------------- */

/* Name used in the final PASS/FAIL/SKIP line; call first thing in main(). */
void vmm_test_init(const char *name);

/* Describe what the current thread is doing; shown in failure messages. */
void vmm_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void vmm_test_pass(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
void vmm_test_skip(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
void vmm_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
void vmm_test_fail_eq(const char *file, int line, uint64_t got, uint64_t expected,
		      const char *fmt, ...)
	__attribute__((noreturn, format(printf, 5, 6)));

#define TEST_FAIL(fmt, ...)	vmm_test_fail(__FILE__, __LINE__, fmt, ##__VA_ARGS__)
#define TEST_SKIP(fmt, ...)	vmm_test_skip(fmt, ##__VA_ARGS__)

#define TEST_ASSERT(cond, fmt, ...)					\
	do {								\
		if (!(cond))						\
			vmm_test_fail(__FILE__, __LINE__,		\
				      "%s: " fmt, #cond, ##__VA_ARGS__); \
	} while (0)

/* "<fmt>: expected E, got G"; both evaluated once, as 64-bit values. */
#define TEST_ASSERT_EQ(got, expected, fmt, ...)				\
	do {								\
		uint64_t __g = (uint64_t)(got);				\
		uint64_t __e = (uint64_t)(expected);			\
		if (__g != __e)						\
			vmm_test_fail_eq(__FILE__, __LINE__, __g, __e,	\
					 fmt, ##__VA_ARGS__);		\
	} while (0)

/* Skip (exit 4) unless KVM has @cap. */
#define TEST_REQUIRE_CAP(cap)	vmm_require_cap(cap, #cap)

/* --- /dev/kvm ---------------------------------------------------------- */

/* The /dev/kvm fd, opened and version-checked on first use. */
int vmm_kvm_fd(void);
/* KVM_CHECK_EXTENSION on /dev/kvm: 0 if absent. */
int vmm_check_cap(long cap);
void vmm_require_cap(long cap, const char *name);

/* KVM_EXIT_* name, "UNKNOWN(n)" style for numbers this table lacks. */
const char *vmm_exit_name(uint32_t reason);

/* --- VM and vCPUs -------------------------------------------------------- */

struct vmm_vm;
struct vmm_vcpu;

/* A flat guest image; VMM_GUEST(name) for one built by vmm.mk. */
struct vmm_guest_image {
	const void *data;
	size_t size;
};

/*
 * vmm.mk turns tests/X/NAME.c into an object exporting NAME_start/NAME_end;
 * declare it once at file scope with VMM_GUEST_DECLARE(NAME).
 */
#define VMM_GUEST_DECLARE(name)						\
	extern const unsigned char name##_start[], name##_end[]
#define VMM_GUEST(name)							\
	((struct vmm_guest_image){ name##_start,			\
				   (size_t)(name##_end - name##_start) })

enum {
	VMM_F_IRQCHIP	= 1 << 0,	/* KVM_CREATE_IRQCHIP: HLT stays in the kernel */
};

struct vmm_vm_opts {
	struct vmm_guest_image guest;
	unsigned int nr_vcpus;		/* 0 means 1 */
	unsigned int flags;		/* VMM_F_* */
	size_t ram_size;		/* 0 means VMM_RAM_SIZE_DEFAULT */
	/*
	 * The id KVM_CREATE_VCPU gets for each vCPU (what KVM calls vcpu_id,
	 * the APIC ID; its tracepoints and exittrace -c name vCPUs by it),
	 * in index order; NULL means the index.  A VMM's ids need not be
	 * its indices (QEMU's follow the CPU topology).
	 */
	const uint32_t *vcpu_ids;
};

struct vmm_vm *vm_create(const struct vmm_vm_opts *opts);
struct vmm_vm *vm_create_with_one_vcpu(struct vmm_guest_image guest,
				       struct vmm_vcpu **vcpu);
void vm_free(struct vmm_vm *vm);

unsigned int vm_nr_vcpus(const struct vmm_vm *vm);
struct vmm_vcpu *vm_vcpu(struct vmm_vm *vm, unsigned int idx);
int vm_fd(const struct vmm_vm *vm);

/* Host pointer to guest RAM [gpa, gpa + len); fails the test if outside. */
void *vm_gpa_to_hva(struct vmm_vm *vm, uint64_t gpa, size_t len);

unsigned int vcpu_index(const struct vmm_vcpu *vcpu);
uint32_t vcpu_id(const struct vmm_vcpu *vcpu);
int vcpu_fd(const struct vmm_vcpu *vcpu);
struct kvm_run *vcpu_run_area(struct vmm_vcpu *vcpu);
struct vmm_vm *vcpu_vm(struct vmm_vcpu *vcpu);
struct vmm_mailbox *vcpu_mailbox(struct vmm_vcpu *vcpu);

/* --- CPUID --------------------------------------------------------------- */

/*
 * Each vCPU starts with KVM_GET_SUPPORTED_CPUID (APIC IDs fixed up) and
 * gets it via KVM_SET_CPUID2 on its first run; overrides must come before.
 * An entry replaces the one with the same function and index, or is added.
 */
void vm_cpuid_set(struct vmm_vm *vm, const struct kvm_cpuid_entry2 *e);
void vcpu_cpuid_set(struct vmm_vcpu *vcpu, const struct kvm_cpuid_entry2 *e);
/* NULL if the vCPU's table has no such entry. */
const struct kvm_cpuid_entry2 *vcpu_cpuid_get(struct vmm_vcpu *vcpu,
					      uint32_t function, uint32_t index);

/* --- handlers ------------------------------------------------------------ */

struct vmm_ucall {
	uint32_t cmd;			/* enum vmm_ucall_cmd */
	uint64_t args[VMM_UCALL_ARGS];
	char msg[VMM_UCALL_MSG_LEN];
};

/*
 * Optional callbacks, called in the vCPU's thread.  The I/O and MMIO ones
 * see every non-ucall exit of their kind: for a read they fill @data (the
 * default is all ones, like an empty bus); a write's @data is what the
 * guest wrote.  The sync one runs for each guest_sync(); assert freely.
 */
struct vmm_handlers {
	void (*io)(struct vmm_vcpu *vcpu, uint16_t port, bool in,
		   unsigned int size, void *data);
	void (*mmio)(struct vmm_vcpu *vcpu, uint64_t gpa, bool write,
		     unsigned int len, void *data);
	void (*sync)(struct vmm_vcpu *vcpu, const struct vmm_ucall *uc);
	void *opaque;			/* for the test: vm_opaque() */
};

void vm_set_handlers(struct vmm_vm *vm, const struct vmm_handlers *h);
void *vm_opaque(struct vmm_vm *vm);

/* --- running ------------------------------------------------------------- */

/* One KVM_RUN (retried on EINTR), counted; the exit is left unhandled. */
void vcpu_run(struct vmm_vcpu *vcpu);

/*
 * Run until the guest's next SYNC or DONE and return that command, with
 * the request in @uc (may be NULL).  In between: port I/O, MMIO and HLT
 * are counted and handled, PRINT is printed; FAIL and any other exit
 * (SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR, ...) fail the test with the vCPU,
 * exit reason and guest EIP.  A SYNC is passed to the sync handler first.
 */
uint32_t vcpu_run_ucall(struct vmm_vcpu *vcpu, struct vmm_ucall *uc);

/* Run until DONE; then the guest's result, or fail on anything else. */
uint64_t vcpu_run_to_done(struct vmm_vcpu *vcpu);

/* Every vCPU in its own thread until DONE; returns when all are done. */
void vm_run(struct vmm_vm *vm);

/*
 * Fail the test (from a thread of its own) if it still runs @seconds from
 * now; 0 does nothing.  For emulated test beds where a stuck guest would
 * otherwise hang the whole run.  vm_free() disarms it.
 */
void vm_watchdog(struct vmm_vm *vm, unsigned int seconds);

/* Whether the vCPU has reached DONE, and with what. */
bool vcpu_done(const struct vmm_vcpu *vcpu, uint64_t *result);

/* Fail the test describing the vCPU's current exit (reason, EIP, ...). */
void vcpu_fail_exit(struct vmm_vcpu *vcpu, const char *why) __attribute__((noreturn));

/* --- exit counters ------------------------------------------------------- */

#define VMM_EXIT_REASONS	64	/* KVM_EXIT_* slots counted by number */
#define VMM_IO_PORTS		32	/* distinct ports counted per vCPU */

struct vmm_io_counter {
	uint16_t port;
	uint64_t in, out;		/* KVM_EXIT_IO exits, per direction */
};

/* What KVM reported to userspace for one vCPU; written by its thread only. */
struct vmm_counts {
	uint64_t runs;			/* KVM_RUN calls that returned an exit */
	uint64_t exits[VMM_EXIT_REASONS];	/* by KVM_EXIT_* */
	uint64_t exits_other;		/* reason >= VMM_EXIT_REASONS */
	uint64_t io_in, io_out;		/* all ports, ucall port included */
	uint64_t mmio_read, mmio_write;
	uint64_t ucalls;
	unsigned int nr_ports;
	struct vmm_io_counter ports[VMM_IO_PORTS];
	uint64_t ports_overflow;	/* I/O exits on ports past the table */
};

enum vmm_io_dir {
	VMM_IO_IN  = KVM_EXIT_IO_IN,
	VMM_IO_OUT = KVM_EXIT_IO_OUT,
};

const struct vmm_counts *vcpu_counts(const struct vmm_vcpu *vcpu);
uint64_t vcpu_io_exits(const struct vmm_vcpu *vcpu, uint16_t port, enum vmm_io_dir dir);
uint64_t vcpu_exits(const struct vmm_vcpu *vcpu, uint32_t kvm_exit_reason);
void vcpu_counts_reset(struct vmm_vcpu *vcpu);
/* One human line per non-zero counter, prefixed "vcpuN: ". */
void vcpu_counts_print(const struct vmm_vcpu *vcpu);

/*
 * Parse a command-line count for -@opt: a whole number in [1, @max].
 * Returns it, or 0 with a reason in @why (for the test's usage line).
 */
unsigned long vmm_parse_count(char opt, const char *arg, unsigned long max,
			      char *why, size_t why_len);

#endif /* VMM_H */
