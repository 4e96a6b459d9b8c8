// SPDX-License-Identifier: GPL-2.0
/*
 * vmm.c - the host side of the test VMM: /dev/kvm, VM and vCPU setup, the
 * run loop with exit counters and ucalls, and test reporting.
 *
 * Built into a static library and linked statically, so that the tests
 * run from a busybox initramfs with nothing else installed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmm.h"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define KVM_DEV			"/dev/kvm"
#define KVM_API_EXPECTED	12

/* Out of the way of guest RAM and VMM_MMIO_GPA, where QEMU puts it too. */
#define VMM_TSS_GPA		0xfffbd000UL

struct vmm_vcpu {
	struct vmm_vm *vm;
	unsigned int idx;
	uint32_t id;			/* KVM's vcpu_id */
	int fd;
	struct kvm_run *run;
	struct kvm_cpuid2 *cpuid;	/* applied on the first run */
	unsigned int cpuid_cap;		/* entries allocated */
	bool started;
	bool done;
	uint64_t result;
	uint32_t last_exit;		/* kvm_run says UNKNOWN while in KVM_RUN */
	struct vmm_counts counts;
	pthread_t thread;
};

struct vmm_vm {
	int fd;
	unsigned int flags;
	uint8_t *ram;
	size_t ram_size;
	unsigned int nr_vcpus;
	struct vmm_handlers h;
	struct vmm_vcpu vcpus[VMM_MAX_VCPUS];
	pthread_t watchdog;
	unsigned int watchdog_sec;	/* 0: no watchdog thread */
};

/* --- test reporting ---------------------------------------------------- */

static const char *test_name = "vmm";
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int ctx_vcpu = -1;
static __thread char ctx_step[96];

void vmm_test_init(const char *name)
{
	test_name = name;
	/* Line buffered even on a pipe or serial console: vCPU threads print. */
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void vmm_step(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx_step, sizeof(ctx_step), fmt, ap);
	va_end(ap);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* "vcpu 1, step io_out: " or "" */
static void format_ctx(char *buf, size_t size)
{
	int n = 0;

	buf[0] = '\0';
	if (ctx_vcpu >= 0)
		n = snprintf(buf, size, "vcpu %d", ctx_vcpu);
	if (ctx_step[0])
		n += snprintf(buf + n, size - n, "%sstep %s", n ? ", " : "", ctx_step);
	if (n)
		snprintf(buf + n, size - n, ": ");
}

/*
 * The lock is never released: a second failing thread waits here while
 * the first one prints and exits, so the last line stays the FAIL line.
 */
static void __attribute__((noreturn))
report_fail(const char *file, int line, const char *msg)
{
	char ctx[160];

	pthread_mutex_lock(&report_lock);
	format_ctx(ctx, sizeof(ctx));
	printf("%s:%d: %s%s\n", base_name(file), line, ctx, msg);
	printf("%s: FAIL %s%s\n", test_name, ctx, msg);
	fflush(stdout);
	exit(KSFT_FAIL);
}

void vmm_test_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report_fail(file, line, msg);
}

void vmm_test_fail_eq(const char *file, int line, uint64_t got, uint64_t expected,
		      const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = (int)strlen(msg);
	snprintf(msg + n, sizeof(msg) - n,
		 ": expected %" PRIu64 " (0x%" PRIx64 "), got %" PRIu64 " (0x%" PRIx64 ")",
		 expected, expected, got, got);
	report_fail(file, line, msg);
}

void vmm_test_skip(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&report_lock);
	printf("%s: SKIP ", test_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(KSFT_SKIP);
}

void vmm_test_pass(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&report_lock);
	printf("%s: PASS ", test_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(KSFT_PASS);
}

/* --- /dev/kvm ---------------------------------------------------------- */

static int kvm_fd = -1;
static pthread_once_t kvm_once = PTHREAD_ONCE_INIT;

static void kvm_open(void)
{
	int fd, ver;

	fd = open(KVM_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			vmm_test_skip(KVM_DEV ": %s: is KVM loaded (modprobe kvm_intel or kvm_amd) and /dev populated (mount -t devtmpfs devtmpfs /dev)?",
				      strerror(e));
		if (e == EACCES || e == EPERM)
			vmm_test_skip(KVM_DEV ": %s: run as root or as a member of the group owning " KVM_DEV " (usually kvm)",
				      strerror(e));
		if (e == ENXIO || e == ENODEV)
			vmm_test_skip(KVM_DEV ": %s: no KVM driver behind the device node: load kvm_intel or kvm_amd",
				      strerror(e));
		TEST_FAIL("open " KVM_DEV ": %s", strerror(e));
	}
	ver = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (ver != KVM_API_EXPECTED)
		TEST_FAIL(KVM_DEV ": KVM_GET_API_VERSION answered %d (%s), this VMM speaks %d",
			  ver, ver < 0 ? strerror(errno) : "unknown API", KVM_API_EXPECTED);
	kvm_fd = fd;
}

int vmm_kvm_fd(void)
{
	pthread_once(&kvm_once, kvm_open);
	return kvm_fd;
}

int vmm_check_cap(long cap)
{
	int r = ioctl(vmm_kvm_fd(), KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

void vmm_require_cap(long cap, const char *name)
{
	if (!vmm_check_cap(cap))
		vmm_test_skip("KVM lacks %s (%ld)", name, cap);
}

static const char *const exit_names[] = {
	[KVM_EXIT_UNKNOWN]		= "UNKNOWN",
	[KVM_EXIT_EXCEPTION]		= "EXCEPTION",
	[KVM_EXIT_IO]			= "IO",
	[KVM_EXIT_HYPERCALL]		= "HYPERCALL",
	[KVM_EXIT_DEBUG]		= "DEBUG",
	[KVM_EXIT_HLT]			= "HLT",
	[KVM_EXIT_MMIO]			= "MMIO",
	[KVM_EXIT_IRQ_WINDOW_OPEN]	= "IRQ_WINDOW_OPEN",
	[KVM_EXIT_SHUTDOWN]		= "SHUTDOWN",
	[KVM_EXIT_FAIL_ENTRY]		= "FAIL_ENTRY",
	[KVM_EXIT_INTR]			= "INTR",
	[KVM_EXIT_SET_TPR]		= "SET_TPR",
	[KVM_EXIT_TPR_ACCESS]		= "TPR_ACCESS",
	[KVM_EXIT_NMI]			= "NMI",
	[KVM_EXIT_INTERNAL_ERROR]	= "INTERNAL_ERROR",
	[KVM_EXIT_SYSTEM_EVENT]		= "SYSTEM_EVENT",
	[KVM_EXIT_IOAPIC_EOI]		= "IOAPIC_EOI",
	[KVM_EXIT_HYPERV]		= "HYPERV",
	[KVM_EXIT_X86_RDMSR]		= "X86_RDMSR",
	[KVM_EXIT_X86_WRMSR]		= "X86_WRMSR",
	[KVM_EXIT_DIRTY_RING_FULL]	= "DIRTY_RING_FULL",
	[KVM_EXIT_AP_RESET_HOLD]	= "AP_RESET_HOLD",
	[KVM_EXIT_X86_BUS_LOCK]		= "X86_BUS_LOCK",
	[KVM_EXIT_XEN]			= "XEN",
	[KVM_EXIT_NOTIFY]		= "NOTIFY",
	/* newer than the 6.1 uapi headers of Debian 12 */
	[39]				= "MEMORY_FAULT",
};

const char *vmm_exit_name(uint32_t reason)
{
	static __thread char buf[24];

	if (reason < ARRAY_SIZE(exit_names) && exit_names[reason])
		return exit_names[reason];
	snprintf(buf, sizeof(buf), "EXIT_%u", reason);
	return buf;
}

/* --- CPUID ------------------------------------------------------------- */

static struct kvm_cpuid2 *cpuid_alloc(unsigned int nent)
{
	struct kvm_cpuid2 *c;

	c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
	TEST_ASSERT(c, "out of memory for %u CPUID entries", nent);
	c->nent = nent;
	return c;
}

/* KVM_GET_SUPPORTED_CPUID, growing the buffer until KVM stops saying E2BIG. */
static struct kvm_cpuid2 *supported_cpuid(void)
{
	static struct kvm_cpuid2 *cached;
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	unsigned int nent;

	pthread_mutex_lock(&lock);
	for (nent = 64; !cached; nent *= 2) {
		struct kvm_cpuid2 *c = cpuid_alloc(nent);

		if (!ioctl(vmm_kvm_fd(), KVM_GET_SUPPORTED_CPUID, c)) {
			cached = c;
			break;
		}
		free(c);
		if (errno != E2BIG || nent >= 4096)
			TEST_FAIL("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	}
	pthread_mutex_unlock(&lock);
	return cached;
}

static bool cpuid_match(const struct kvm_cpuid_entry2 *a, const struct kvm_cpuid_entry2 *b)
{
	/* KVM ignores the index of leaves that do not declare it significant */
	bool indexed = (a->flags | b->flags) & KVM_CPUID_FLAG_SIGNIFCANT_INDEX;

	return a->function == b->function && (!indexed || a->index == b->index);
}

static struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	struct kvm_cpuid_entry2 key = { .function = fn, .index = idx };
	unsigned int i;

	for (i = 0; i < c->nent; i++)
		if (cpuid_match(&c->entries[i], &key))
			return &c->entries[i];
	return NULL;
}

/* The APIC IDs KVM cannot know: userspace owns the vCPU topology. */
static void cpuid_fixup_apic_id(struct kvm_cpuid2 *c, unsigned int apic_id)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffff) | (apic_id << 24);
		else if (e->function == 0xb || e->function == 0x1f)
			e->edx = apic_id;
	}
}

static void vcpu_cpuid_init(struct vmm_vcpu *vcpu)
{
	const struct kvm_cpuid2 *sup = supported_cpuid();

	vcpu->cpuid_cap = sup->nent + 8;
	vcpu->cpuid = cpuid_alloc(vcpu->cpuid_cap);
	vcpu->cpuid->nent = sup->nent;
	memcpy(vcpu->cpuid->entries, sup->entries, sup->nent * sizeof(sup->entries[0]));
	cpuid_fixup_apic_id(vcpu->cpuid, vcpu->idx);
}

void vcpu_cpuid_set(struct vmm_vcpu *vcpu, const struct kvm_cpuid_entry2 *e)
{
	struct kvm_cpuid_entry2 *slot;

	/* KVM rejects a changed CPUID table once the vCPU has run */
	TEST_ASSERT(!vcpu->started, "CPUID 0x%x set on vcpu %u after its first run",
		    e->function, vcpu->idx);
	slot = cpuid_find(vcpu->cpuid, e->function, e->index);
	if (!slot) {
		if (vcpu->cpuid->nent == vcpu->cpuid_cap) {
			struct kvm_cpuid2 *c = cpuid_alloc(vcpu->cpuid_cap * 2);

			memcpy(c->entries, vcpu->cpuid->entries,
			       vcpu->cpuid->nent * sizeof(c->entries[0]));
			c->nent = vcpu->cpuid->nent;
			free(vcpu->cpuid);
			vcpu->cpuid = c;
			vcpu->cpuid_cap *= 2;
		}
		slot = &vcpu->cpuid->entries[vcpu->cpuid->nent++];
	}
	*slot = *e;
}

void vm_cpuid_set(struct vmm_vm *vm, const struct kvm_cpuid_entry2 *e)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_cpuid_set(&vm->vcpus[i], e);
}

const struct kvm_cpuid_entry2 *vcpu_cpuid_get(struct vmm_vcpu *vcpu,
					      uint32_t function, uint32_t index)
{
	return cpuid_find(vcpu->cpuid, function, index);
}

/* --- VM and vCPUs ------------------------------------------------------- */

static void flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type, uint64_t base)
{
	*s = (struct kvm_segment){
		.base = base,
		.limit = 0xffffffff,
		.selector = sel,	/* never loaded: there is no GDT */
		.type = type,
		.present = 1,
		.db = 1,
		.s = 1,
		.g = 1,
	};
}

/*
 * Flat 32-bit protected mode straight from the segment caches; the guest
 * never reloads a segment register, so no GDT is needed.  FS is the one
 * per-vCPU segment: its base is the mailbox, found by the guest at %fs:0.
 */
static void vcpu_setup_sregs(struct vmm_vcpu *vcpu)
{
	struct kvm_sregs s;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &s))
		TEST_FAIL("vcpu %u: KVM_GET_SREGS: %s", vcpu->idx, strerror(errno));
	flat_segment(&s.cs, 0x08, 0xb, 0);	/* code, execute/read, accessed */
	flat_segment(&s.ds, 0x10, 0x3, 0);	/* data, read/write, accessed */
	s.es = s.ds;
	s.ss = s.ds;
	s.gs = s.ds;
	flat_segment(&s.fs, 0x10, 0x3, VMM_MAILBOX(vcpu->idx));
	/* No IDT: an exception escalates to a triple fault, i.e. SHUTDOWN. */
	s.idt.base = 0;
	s.idt.limit = 0;
	s.gdt.base = 0;
	s.gdt.limit = 0;
	s.cr0 = 0x31;				/* PE | ET | NE */
	s.cr4 = 0;
	s.efer = 0;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &s))
		TEST_FAIL("vcpu %u: KVM_SET_SREGS: %s", vcpu->idx, strerror(errno));
}

/* Entry at the image start, cdecl frame (vcpu, mailbox) on its own stack. */
static void vcpu_setup_regs(struct vmm_vcpu *vcpu)
{
	uint32_t esp = VMM_STACK_TOP(vcpu->idx) - 16;
	uint32_t *frame = vm_gpa_to_hva(vcpu->vm, esp, 8);
	struct kvm_regs r = {
		.rip = VMM_GUEST_GPA,
		.rsp = esp,
		.rflags = 0x2,			/* reserved bit 1; IF clear */
	};

	frame[0] = vcpu->idx;
	frame[1] = VMM_MAILBOX(vcpu->idx);
	if (ioctl(vcpu->fd, KVM_SET_REGS, &r))
		TEST_FAIL("vcpu %u: KVM_SET_REGS: %s", vcpu->idx, strerror(errno));
}

static void vcpu_setup_mailbox(struct vmm_vcpu *vcpu)
{
	struct vmm_mailbox *mb = vcpu_mailbox(vcpu);

	memset(mb, 0, sizeof(*mb));
	mb->self = VMM_MAILBOX(vcpu->idx);
	mb->vcpu = vcpu->idx;
}

static void vcpu_create(struct vmm_vm *vm, unsigned int idx, uint32_t id)
{
	struct vmm_vcpu *vcpu = &vm->vcpus[idx];
	int mmap_size;

	vcpu->vm = vm;
	vcpu->idx = idx;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (vcpu->fd < 0)
		TEST_FAIL("KVM_CREATE_VCPU %u (vCPU %u): %s", id, idx, strerror(errno));
	mmap_size = ioctl(vmm_kvm_fd(), KVM_GET_VCPU_MMAP_SIZE, 0);
	TEST_ASSERT(mmap_size >= (int)sizeof(struct kvm_run),
		    "KVM_GET_VCPU_MMAP_SIZE answered %d", mmap_size);
	vcpu->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED)
		TEST_FAIL("vcpu %u: mmap kvm_run: %s", idx, strerror(errno));

	vcpu_setup_mailbox(vcpu);
	vcpu_setup_sregs(vcpu);
	vcpu_setup_regs(vcpu);
	vcpu_cpuid_init(vcpu);

	/* An in-kernel LAPIC parks APs until INIT/SIPI; we start them directly. */
	if ((vm->flags & VMM_F_IRQCHIP) && idx > 0) {
		struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

		if (ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp))
			TEST_FAIL("vcpu %u: KVM_SET_MP_STATE: %s", idx, strerror(errno));
	}
}

static void vm_check_opts(const struct vmm_vm_opts *o, unsigned int nr, size_t ram)
{
	int max;

	TEST_ASSERT(nr >= 1 && nr <= VMM_MAX_VCPUS, "%u vCPUs asked, this VMM has room for %d",
		    nr, VMM_MAX_VCPUS);
	TEST_ASSERT(ram >= VMM_DATA_GPA && ram <= VMM_MMIO_GPA && !(ram & 0xfff),
		    "RAM size 0x%zx: want a page multiple in [0x%x, 0x%x]",
		    ram, VMM_DATA_GPA, VMM_MMIO_GPA);
	TEST_ASSERT(o->guest.data && o->guest.size, "no guest image");
	TEST_ASSERT(o->guest.size <= VMM_GUEST_MAX_SIZE, "guest image of %zu bytes exceeds %u",
		    o->guest.size, VMM_GUEST_MAX_SIZE);

	max = vmm_check_cap(KVM_CAP_MAX_VCPUS);
	if (!max)
		max = vmm_check_cap(KVM_CAP_NR_VCPUS);
	if (max && nr > (unsigned int)max)
		vmm_test_skip("KVM allows %d vCPUs per VM, the test wants %u", max, nr);
	if (o->vcpu_ids) {
		unsigned int i, j;

		max = vmm_check_cap(KVM_CAP_MAX_VCPU_ID);
		for (i = 0; i < nr; i++) {
			TEST_ASSERT(!max || o->vcpu_ids[i] < (unsigned int)max,
				    "vCPU %u: id %u, KVM takes ids below %d", i, o->vcpu_ids[i], max);
			for (j = 0; j < i; j++)
				TEST_ASSERT(o->vcpu_ids[j] != o->vcpu_ids[i],
					    "vCPUs %u and %u: the same id %u", j, i, o->vcpu_ids[i]);
		}
	}
}

static void vm_create_fd(struct vmm_vm *vm)
{
	do
		vm->fd = ioctl(vmm_kvm_fd(), KVM_CREATE_VM, 0);
	while (vm->fd < 0 && errno == EINTR);
	if (vm->fd < 0)
		TEST_FAIL("KVM_CREATE_VM: %s: is hardware virtualization (VMX/SVM) enabled and not taken by another hypervisor?",
			  strerror(errno));

	/* Only VMX without unrestricted guest uses it; harmless elsewhere. */
	if (vmm_check_cap(KVM_CAP_SET_TSS_ADDR) &&
	    ioctl(vm->fd, KVM_SET_TSS_ADDR, VMM_TSS_GPA))
		TEST_FAIL("KVM_SET_TSS_ADDR: %s", strerror(errno));

	if (vm->flags & VMM_F_IRQCHIP) {
		TEST_REQUIRE_CAP(KVM_CAP_IRQCHIP);
		if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0))
			TEST_FAIL("KVM_CREATE_IRQCHIP: %s", strerror(errno));
	}
}

static void vm_create_ram(struct vmm_vm *vm)
{
	struct kvm_userspace_memory_region r;

	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED)
		TEST_FAIL("mmap %zu bytes of guest RAM: %s", vm->ram_size, strerror(errno));
	r = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = vm->ram_size,
		.userspace_addr = (uintptr_t)vm->ram,
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r))
		TEST_FAIL("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
}

struct vmm_vm *vm_create(const struct vmm_vm_opts *opts)
{
	unsigned int nr = opts->nr_vcpus ? opts->nr_vcpus : 1;
	size_t ram = opts->ram_size ? opts->ram_size : VMM_RAM_SIZE_DEFAULT;
	struct vmm_vm *vm;
	unsigned int i;

	vmm_kvm_fd();
	TEST_REQUIRE_CAP(KVM_CAP_USER_MEMORY);
	TEST_REQUIRE_CAP(KVM_CAP_EXT_CPUID);
	vm_check_opts(opts, nr, ram);

	vm = calloc(1, sizeof(*vm));
	TEST_ASSERT(vm, "out of memory");
	vm->flags = opts->flags;
	vm->ram_size = ram;
	vm->nr_vcpus = nr;
	vm_create_fd(vm);
	vm_create_ram(vm);
	memcpy(vm->ram + VMM_GUEST_GPA, opts->guest.data, opts->guest.size);
	for (i = 0; i < nr; i++)
		vcpu_create(vm, i, opts->vcpu_ids ? opts->vcpu_ids[i] : i);
	return vm;
}

struct vmm_vm *vm_create_with_one_vcpu(struct vmm_guest_image guest, struct vmm_vcpu **vcpu)
{
	struct vmm_vm_opts o = { .guest = guest, .nr_vcpus = 1 };
	struct vmm_vm *vm = vm_create(&o);

	*vcpu = &vm->vcpus[0];
	return vm;
}

void vm_free(struct vmm_vm *vm)
{
	int mmap_size = ioctl(vmm_kvm_fd(), KVM_GET_VCPU_MMAP_SIZE, 0);
	unsigned int i;

	if (vm->watchdog_sec) {
		pthread_cancel(vm->watchdog);
		pthread_join(vm->watchdog, NULL);
	}

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vmm_vcpu *vcpu = &vm->vcpus[i];

		munmap(vcpu->run, mmap_size);
		close(vcpu->fd);
		free(vcpu->cpuid);
	}
	close(vm->fd);
	munmap(vm->ram, vm->ram_size);
	free(vm);
}

unsigned int vm_nr_vcpus(const struct vmm_vm *vm)
{
	return vm->nr_vcpus;
}

struct vmm_vcpu *vm_vcpu(struct vmm_vm *vm, unsigned int idx)
{
	TEST_ASSERT(idx < vm->nr_vcpus, "vcpu %u of %u", idx, vm->nr_vcpus);
	return &vm->vcpus[idx];
}

int vm_fd(const struct vmm_vm *vm)
{
	return vm->fd;
}

void *vm_gpa_to_hva(struct vmm_vm *vm, uint64_t gpa, size_t len)
{
	TEST_ASSERT(gpa <= vm->ram_size && len <= vm->ram_size - gpa,
		    "GPA range 0x%" PRIx64 "+0x%zx outside guest RAM (0x%zx bytes)",
		    gpa, len, vm->ram_size);
	return vm->ram + gpa;
}

void vm_set_handlers(struct vmm_vm *vm, const struct vmm_handlers *h)
{
	vm->h = *h;
}

void *vm_opaque(struct vmm_vm *vm)
{
	return vm->h.opaque;
}

unsigned int vcpu_index(const struct vmm_vcpu *vcpu)
{
	return vcpu->idx;
}

uint32_t vcpu_id(const struct vmm_vcpu *vcpu)
{
	return vcpu->id;
}

int vcpu_fd(const struct vmm_vcpu *vcpu)
{
	return vcpu->fd;
}

struct kvm_run *vcpu_run_area(struct vmm_vcpu *vcpu)
{
	return vcpu->run;
}

struct vmm_vm *vcpu_vm(struct vmm_vcpu *vcpu)
{
	return vcpu->vm;
}

struct vmm_mailbox *vcpu_mailbox(struct vmm_vcpu *vcpu)
{
	return vm_gpa_to_hva(vcpu->vm, VMM_MAILBOX(vcpu->idx), sizeof(struct vmm_mailbox));
}

/* --- exit counters ------------------------------------------------------ */

static void count_io(struct vmm_counts *c, uint16_t port, bool out)
{
	unsigned int i;

	if (out)
		c->io_out++;
	else
		c->io_in++;
	for (i = 0; i < c->nr_ports && c->ports[i].port != port; i++)
		;
	if (i == c->nr_ports) {
		if (i == VMM_IO_PORTS) {
			c->ports_overflow++;
			return;
		}
		c->ports[c->nr_ports++].port = port;
	}
	if (out)
		c->ports[i].out++;
	else
		c->ports[i].in++;
}

static void count_exit(struct vmm_vcpu *vcpu)
{
	struct vmm_counts *c = &vcpu->counts;
	struct kvm_run *run = vcpu->run;

	c->runs++;
	vcpu->last_exit = run->exit_reason;
	if (run->exit_reason < VMM_EXIT_REASONS)
		c->exits[run->exit_reason]++;
	else
		c->exits_other++;
	if (run->exit_reason == KVM_EXIT_IO)
		count_io(c, run->io.port, run->io.direction == KVM_EXIT_IO_OUT);
	else if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write)
		c->mmio_write++;
	else if (run->exit_reason == KVM_EXIT_MMIO)
		c->mmio_read++;
}

const struct vmm_counts *vcpu_counts(const struct vmm_vcpu *vcpu)
{
	return &vcpu->counts;
}

uint64_t vcpu_io_exits(const struct vmm_vcpu *vcpu, uint16_t port, enum vmm_io_dir dir)
{
	const struct vmm_counts *c = &vcpu->counts;
	unsigned int i;

	for (i = 0; i < c->nr_ports; i++)
		if (c->ports[i].port == port)
			return dir == VMM_IO_OUT ? c->ports[i].out : c->ports[i].in;
	return 0;
}

uint64_t vcpu_exits(const struct vmm_vcpu *vcpu, uint32_t kvm_exit_reason)
{
	if (kvm_exit_reason >= VMM_EXIT_REASONS)
		return vcpu->counts.exits_other;
	return vcpu->counts.exits[kvm_exit_reason];
}

void vcpu_counts_reset(struct vmm_vcpu *vcpu)
{
	memset(&vcpu->counts, 0, sizeof(vcpu->counts));
}

void vcpu_counts_print(const struct vmm_vcpu *vcpu)
{
	const struct vmm_counts *c = &vcpu->counts;
	char line[512];
	unsigned int i;
	int n;

	n = snprintf(line, sizeof(line), "vcpu%u: %" PRIu64 " exits to userspace:",
		     vcpu->idx, c->runs);
	for (i = 0; i < VMM_EXIT_REASONS && n < (int)sizeof(line); i++)
		if (c->exits[i])
			n += snprintf(line + n, sizeof(line) - n, " %s=%" PRIu64,
				      vmm_exit_name(i), c->exits[i]);
	if (c->exits_other && n < (int)sizeof(line))
		snprintf(line + n, sizeof(line) - n, " other=%" PRIu64, c->exits_other);
	printf("%s\n", line);
	for (i = 0; i < c->nr_ports; i++)
		printf("vcpu%u:   port 0x%04x: out=%" PRIu64 " in=%" PRIu64 "%s\n",
		       vcpu->idx, c->ports[i].port, c->ports[i].out, c->ports[i].in,
		       c->ports[i].port == VMM_UCALL_PORT ? " (ucall)" : "");
	if (c->mmio_read || c->mmio_write)
		printf("vcpu%u:   mmio: read=%" PRIu64 " write=%" PRIu64 "\n",
		       vcpu->idx, c->mmio_read, c->mmio_write);
}

/* --- running ------------------------------------------------------------ */

static void vcpu_fail(struct vmm_vcpu *vcpu, const char *file, int line, const char *msg)
	__attribute__((noreturn));
static void vcpu_fail(struct vmm_vcpu *vcpu, const char *file, int line, const char *msg)
{
	ctx_vcpu = (int)vcpu->idx;	/* even when run from the main thread */
	report_fail(file, line, msg);
}

static void exit_detail(struct vmm_vcpu *vcpu, char *buf, size_t size)
{
	struct kvm_run *run = vcpu->run;
	unsigned int i, n;
	int len;

	buf[0] = '\0';
	switch (run->exit_reason) {
	case KVM_EXIT_SHUTDOWN:
		snprintf(buf, size, " (triple fault: with no IDT, any guest exception ends here)");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(buf, size, " (hardware entry failure reason 0x%llx on cpu %u)",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			 run->fail_entry.cpu);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		len = snprintf(buf, size, " (suberror %u%s", run->internal.suberror,
			       run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
			       ", instruction emulation failed" : "");
		n = run->internal.ndata < 4 ? run->internal.ndata : 4;
		for (i = 0; i < n && len < (int)size; i++)
			len += snprintf(buf + len, size - len, "%s0x%llx", i ? " " : ", data ",
					(unsigned long long)run->internal.data[i]);
		if (len < (int)size)
			snprintf(buf + len, size - len, ")");
		break;
	case KVM_EXIT_IO:
		snprintf(buf, size, " (port 0x%x %s, size %u)", run->io.port,
			 run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", run->io.size);
		break;
	case KVM_EXIT_MMIO:
		snprintf(buf, size, " (GPA 0x%llx %s, len %u)",
			 (unsigned long long)run->mmio.phys_addr,
			 run->mmio.is_write ? "write" : "read", run->mmio.len);
		break;
	}
}

void vcpu_fail_exit(struct vmm_vcpu *vcpu, const char *why)
{
	char msg[512], detail[256], where[64] = "EIP unknown";
	struct kvm_regs r;

	if (!ioctl(vcpu->fd, KVM_GET_REGS, &r))
		snprintf(where, sizeof(where), "EIP 0x%08llx ESP 0x%08llx EFLAGS 0x%llx",
			 (unsigned long long)r.rip, (unsigned long long)r.rsp,
			 (unsigned long long)r.rflags);
	exit_detail(vcpu, detail, sizeof(detail));
	snprintf(msg, sizeof(msg), "%s: KVM_EXIT_%s (%u)%s at %s", why,
		 vmm_exit_name(vcpu->run->exit_reason), vcpu->run->exit_reason, detail, where);
	vcpu_fail(vcpu, __FILE__, __LINE__, msg);
}

/* CPUID goes to KVM once, just before the vCPU first runs. */
static void vcpu_start(struct vmm_vcpu *vcpu)
{
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, vcpu->cpuid))
		TEST_FAIL("vcpu %u: KVM_SET_CPUID2 with %u entries: %s",
			  vcpu->idx, vcpu->cpuid->nent, strerror(errno));
	vcpu->started = true;
}

void vcpu_run(struct vmm_vcpu *vcpu)
{
	if (!vcpu->started)
		vcpu_start(vcpu);
	while (ioctl(vcpu->fd, KVM_RUN, NULL)) {
		char msg[128];

		/* A signal cut the run short: KVM says KVM_EXIT_INTR, go on. */
		if (errno == EINTR || errno == EAGAIN) {
			count_exit(vcpu);
			continue;
		}
		snprintf(msg, sizeof(msg), "KVM_RUN: %s", strerror(errno));
		vcpu_fail_exit(vcpu, msg);
	}
	count_exit(vcpu);
}

static void handle_io(struct vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool in = run->io.direction == KVM_EXIT_IO_IN;
	uint32_t i;

	/* One exit may carry a whole "rep ins/outs": count items. */
	for (i = 0; i < run->io.count; i++, data += run->io.size) {
		if (in)
			memset(data, 0xff, run->io.size);
		if (vcpu->vm->h.io)
			vcpu->vm->h.io(vcpu, run->io.port, in, run->io.size, data);
	}
}

static void handle_mmio(struct vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	if (!run->mmio.is_write)
		memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
	if (vcpu->vm->h.mmio)
		vcpu->vm->h.mmio(vcpu, run->mmio.phys_addr, run->mmio.is_write,
				 run->mmio.len, run->mmio.data);
}

/* Copy a NUL-terminated guest string, bounded by RAM and @size. */
static void guest_string(struct vmm_vm *vm, uint32_t gpa, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && gpa + i < vm->ram_size && vm->ram[gpa + i]; i++)
		buf[i] = (char)vm->ram[gpa + i];
	buf[i] = '\0';
}

static void __attribute__((noreturn))
ucall_fail(struct vmm_vcpu *vcpu, const struct vmm_mailbox *mb)
{
	char file[64] = "guest", msg[VMM_UCALL_MSG_LEN + 32];

	if (mb->file)
		guest_string(vcpu->vm, mb->file, file, sizeof(file));
	snprintf(msg, sizeof(msg), "guest assertion: %.*s", VMM_UCALL_MSG_LEN, mb->msg);
	vcpu_fail(vcpu, file, (int)mb->line, msg);
}

/* Returns the command if the run loop should hand it to the caller, else 0. */
static uint32_t handle_ucall(struct vmm_vcpu *vcpu, struct vmm_ucall *uc)
{
	struct kvm_run *run = vcpu->run;
	uint32_t val = *(uint32_t *)((uint8_t *)run + run->io.data_offset);
	struct vmm_mailbox *mb = vcpu_mailbox(vcpu);

	if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4 ||
	    run->io.count != 1 || val != VMM_MAILBOX(vcpu->idx))
		vcpu_fail_exit(vcpu, "malformed ucall (want one outl of the mailbox GPA)");
	vcpu->counts.ucalls++;
	uc->cmd = mb->cmd;
	memcpy(uc->args, mb->args, sizeof(uc->args));
	memcpy(uc->msg, mb->msg, sizeof(uc->msg));
	uc->msg[sizeof(uc->msg) - 1] = '\0';

	switch (uc->cmd) {
	case UCALL_PRINT:
		printf("vcpu%u: %s\n", vcpu->idx, uc->msg);
		return 0;
	case UCALL_FAIL:
		ucall_fail(vcpu, mb);
	case UCALL_SYNC:
		if (vcpu->vm->h.sync)
			vcpu->vm->h.sync(vcpu, uc);
		return UCALL_SYNC;
	case UCALL_DONE:
		vcpu->done = true;
		vcpu->result = uc->args[0];
		return UCALL_DONE;
	}
	vcpu_fail_exit(vcpu, "unknown ucall command in the mailbox");
}

uint32_t vcpu_run_ucall(struct vmm_vcpu *vcpu, struct vmm_ucall *uc)
{
	struct vmm_ucall scratch;
	uint32_t cmd;

	if (!uc)
		uc = &scratch;
	TEST_ASSERT(!vcpu->done, "vcpu %u run after guest_done()", vcpu->idx);
	for (;;) {
		vcpu_run(vcpu);
		switch (vcpu->run->exit_reason) {
		case KVM_EXIT_IO:
			if (vcpu->run->io.port != VMM_UCALL_PORT) {
				handle_io(vcpu);
				break;
			}
			cmd = handle_ucall(vcpu, uc);
			if (cmd)
				return cmd;
			break;
		case KVM_EXIT_MMIO:
			handle_mmio(vcpu);
			break;
		case KVM_EXIT_HLT:
			/* RIP is already past the HLT; just resume */
			break;
		default:
			vcpu_fail_exit(vcpu, "unexpected exit");
		}
	}
}

uint64_t vcpu_run_to_done(struct vmm_vcpu *vcpu)
{
	while (vcpu_run_ucall(vcpu, NULL) != UCALL_DONE)
		;
	return vcpu->result;
}

bool vcpu_done(const struct vmm_vcpu *vcpu, uint64_t *result)
{
	if (vcpu->done && result)
		*result = vcpu->result;
	return vcpu->done;
}

static void *vcpu_thread(void *arg)
{
	struct vmm_vcpu *vcpu = arg;
	char name[16];

	ctx_vcpu = (int)vcpu->idx;
	snprintf(name, sizeof(name), "vcpu%u", vcpu->idx);
	pthread_setname_np(pthread_self(), name);
	vcpu_run_to_done(vcpu);
	return NULL;
}

void vm_run(struct vmm_vm *vm)
{
	unsigned int i;
	int err;

	for (i = 0; i < vm->nr_vcpus; i++) {
		err = pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread, &vm->vcpus[i]);
		if (err)
			TEST_FAIL("pthread_create for vcpu %u: %s", i, strerror(err));
	}
	for (i = 0; i < vm->nr_vcpus; i++)
		pthread_join(vm->vcpus[i].thread, NULL);
}

/*
 * A stuck vCPU cannot be asked for its registers (KVM_GET_REGS waits for
 * KVM_RUN to return), so the watchdog reports what the counters show.
 */
static void *watchdog_thread(void *arg)
{
	struct vmm_vm *vm = arg;
	struct timespec ts = { .tv_sec = vm->watchdog_sec };
	char msg[1024];
	unsigned int i;
	int n;

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	n = snprintf(msg, sizeof(msg), "timed out after %u s", vm->watchdog_sec);
	for (i = 0; i < vm->nr_vcpus && n < (int)sizeof(msg); i++) {
		struct vmm_vcpu *vcpu = &vm->vcpus[i];

		n += snprintf(msg + n, sizeof(msg) - n, "%s vcpu%u %s, %" PRIu64
			      " exits to userspace%s%s", i ? ";" : ":", i,
			      vcpu->done ? "done" : "running", vcpu->counts.runs,
			      vcpu->counts.runs ? ", last " : "",
			      vcpu->counts.runs ? vmm_exit_name(vcpu->last_exit) : "");
	}
	TEST_FAIL("%s", msg);
}

void vm_watchdog(struct vmm_vm *vm, unsigned int seconds)
{
	int err;

	TEST_ASSERT(!vm->watchdog_sec, "watchdog already armed");
	if (!seconds)
		return;
	vm->watchdog_sec = seconds;
	err = pthread_create(&vm->watchdog, NULL, watchdog_thread, vm);
	if (err)
		TEST_FAIL("pthread_create for the watchdog: %s", strerror(err));
}

unsigned long vmm_parse_count(char opt, const char *arg, unsigned long max,
			      char *why, size_t why_len)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (errno || !*arg || *end || v < 1 || v > max) {
		snprintf(why, why_len, "-%c '%.32s' is not a number in [1, %lu]", opt, arg, max);
		return 0;
	}
	return v;
}
