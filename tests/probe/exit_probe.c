// SPDX-License-Identifier: GPL-2.0
/*
 * exit_probe - a guest workload with a known exit mix, counted by the guest
 * itself, by this VMM and, on a patched KVM, by the exit-statistics CPUID
 * leaves; everything needed to compare those and a tracer exactly.
 *
 * USAGE: exit_probe [-n N] [-c VCPUS] [-k KINDS] [--vcpu-step S] [--vcpu-ids IDS]
 *                   [--require-abi] [--wait] [--hold] [-j] [-t SECONDS]
 *
 * Each vCPU executes N (vCPU i: N + i * S) of each selected kind (cpuid, pio_out, pio_in, hlt,
 * mmio_read, mmio_write, msr_read, msr_write, hypercall) and counts in
 * guest memory every instruction it executes that exits, its own ucall
 * OUTs and the CPUIDs that read the counters included.  If the discovery
 * leaf carries the exittrace signature, vCPU 0 reads total exits and
 * cycles and the exits and cycles of every reason userspace/exit_reasons.c
 * defines for the vendor ("a readout"): once while every vCPU is up and
 * spinning before its workloads, once after all have finished (see
 * exit_probe_guest.c for the rendezvous).
 *
 * --vcpu-ids gives KVM's vCPU ids (KVM_CREATE_VCPU) in index order, so
 * that a tracer's vCPU filter is seen to go by KVM's id, not the index.
 *
 * Checks (exit 1 on failure, 0 pass, 4 skip without /dev/kvm):
 *  - each vCPU executed what was asked, and this VMM saw exactly the
 *    port I/O, MMIO and HLT exits the guest counted, and nothing else;
 *  - with the ABI: for CPUID, I/O, HLT, MSR and VMCALL/VMMCALL the
 *    end-minus-start delta equals what the guest executed between the
 *    readouts (see check_abi() for the arithmetic); MMIO (EPT/NPF) and the
 *    total can only be bounded below: KVM and the host add exits of their
 *    own (interrupts, page faults), which the report shows.
 * Without -j the last line is "exit_probe: PASS ..." or "exit_probe: FAIL
 * <why>"; with -j the JSON object below follows it, as the last line.  A
 * failure the VMM library catches while the guest runs (a bad exit, a
 * guest assertion, the watchdog) ends the run at once, without JSON.
 *
 * JSON, on one line (counts are integers, codes decimal):
 *
 *  "tool":"exit_probe", "result":"pass"|"fail", "why":"..." (fail only),
 *  "pid", "vendor":"VMX"|"SVM"|"other", "vcpus", "n", "vcpu_step",
 *  "vcpu_ids":[id,...]            KVM's vCPU ids, in index order
 *  "kinds":["cpuid",...]          the selected workloads, in run order
 *  "msr":"0xc0000103"             the MSR msr_read/msr_write use
 *  "executed":{K:n,...}           every vCPU's counters summed, at DONE;
 *                                 K = the nine kinds and "ucall_out"
 *  "executed_at_start":{K:n,...}  the same, just before the start
 *  "executed_at_end":{K:n,...}      readout's first CPUID, and the end's
 *  "executed_vcpu<I>":{K:n,...}   vCPU index I's own counters, at DONE
 *  "userspace_exits":{"io","mmio","hlt","other","ucall"}  KVM_RUN returns
 *                                 by exit reason; io includes the ucalls
 *  "keys":[{"kind","key","dir","count","only"},...]  the ports, MMIO
 *                                 addresses, MSR, hypercall number and
 *                                 (SVM) NPF page the guest used, as
 *                                 exittrace --by names them (json_keys())
 *  "patch":{"abi":false,"discovery":[eax,ebx,ecx,edx]}, or
 *  "patch":{"abi":true,"version","scope":"vm"|"host"|null,
 *    "readout_cpuids":R,          CPUIDs in one readout (both the same)
 *    "start":{"total_exits","total_cycles","reasons":[{"code","exits",
 *             "cycles"},...]},   every reason non-zero in either readout;
 *    "end":{...},                  any other defined reason read 0, 0
 *    "total_reads_after":R-1,
 *    "reads_after":{"<code>":a,...}  for each listed reason, how many
 *                                 CPUIDs the readout made after the one
 *                                 that read its exits
 *    "undefined":[code,...],      defined here, EDX=0xffffffff from KVM
 *    "checks":[{"reason","codes":[..],"expected","got","exact","ok"},..]}
 *
 * Exits of reason r the VM took before a readout began (point P, where
 * executed_at_* was taken) = exits[r] - (r is CPUID ? R - reads_after[r]
 * : 0): a value counts every exit up to and including the CPUID that read
 * it, and the R - reads_after[r] CPUIDs of the readout up to that one
 * are after P.  So, for a tracer attached before the VM was created:
 *  - up to P_start and P_end as above; between them, the difference;
 *  - for the whole run, count(P_end) plus what the guest executed from
 *    P_end on (executed - executed_at_end, which includes the end
 *    readout's R CPUIDs), mapped to reasons, plus whatever exits KVM and
 *    the host caused meanwhile (only the tracer sees those).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm.h"
#include "exit_reasons.h"
#include "exit_stats_abi.h"
#include "exit_probe.h"

VMM_GUEST_DECLARE(exit_probe_guest);

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define MSR_IA32_MISC_ENABLE	0x000001a0U
#define MSR_TSC_AUX		0xc0000103U

static const char *const counter_names[PROBE_NR_COUNTERS] = {
	[PROBE_CPUID]		= "cpuid",
	[PROBE_PIO_OUT]		= "pio_out",
	[PROBE_PIO_IN]		= "pio_in",
	[PROBE_HLT]		= "hlt",
	[PROBE_MMIO_READ]	= "mmio_read",
	[PROBE_MMIO_WRITE]	= "mmio_write",
	[PROBE_MSR_READ]	= "msr_read",
	[PROBE_MSR_WRITE]	= "msr_write",
	[PROBE_HYPERCALL]	= "hypercall",
	[PROBE_UCALL_OUT]	= "ucall_out",
};

#define ALL_KINDS		((1U << PROBE_NR_KINDS) - 1)

/* Options */
static uint32_t iterations = 1000, vcpu_step;
static unsigned int nr_vcpus = 1;
static uint32_t vcpu_ids[PROBE_MAX_VCPUS];
static bool vcpu_ids_given;
static uint32_t kinds;
static bool kinds_given, wait_release, hold, json, require_abi;
static unsigned int timeout;

/* Per-vCPU host state; each entry is touched only by its vCPU's thread. */
struct host_vcpu {
	uint64_t out_seen, in_served;
	uint64_t mmio_written, mmio_served;
};

static struct host_vcpu hv[PROBE_MAX_VCPUS];

/* --- handlers ------------------------------------------------------------- */

static void probe_io(struct vmm_vcpu *vcpu, uint16_t port, bool in,
		     unsigned int size, void *data)
{
	unsigned int idx = vcpu_index(vcpu);
	struct host_vcpu *s = &hv[idx];
	uint32_t v;

	TEST_ASSERT(port == PROBE_PORT && size == 4,
		    "unexpected %s of %u bytes on port 0x%x", in ? "IN" : "OUT", size, port);
	if (in) {
		v = probe_value(PROBE_TAG_IN, idx, s->in_served++);
		memcpy(data, &v, sizeof(v));
		return;
	}
	memcpy(&v, data, sizeof(v));
	TEST_ASSERT_EQ(v, probe_value(PROBE_TAG_OUT, idx, s->out_seen),
		       "OUT #%" PRIu64 " on port 0x%x", s->out_seen, PROBE_PORT);
	s->out_seen++;
}

static void probe_mmio(struct vmm_vcpu *vcpu, uint64_t gpa, bool write,
		       unsigned int len, void *data)
{
	unsigned int idx = vcpu_index(vcpu);
	struct host_vcpu *s = &hv[idx];
	uint32_t v;

	TEST_ASSERT(gpa == PROBE_MMIO_ADDR(idx) && len == 4,
		    "unexpected MMIO %s of %u bytes at 0x%" PRIx64, write ? "write" : "read",
		    len, gpa);
	if (!write) {
		v = probe_value(PROBE_TAG_MMIO_R, idx, s->mmio_served++);
		memcpy(data, &v, sizeof(v));
		return;
	}
	memcpy(&v, data, sizeof(v));
	TEST_ASSERT_EQ(v, probe_value(PROBE_TAG_MMIO_W, idx, s->mmio_written),
		       "MMIO write #%" PRIu64 " at 0x%" PRIx64, s->mmio_written, gpa);
	s->mmio_written++;
}

/* --- checks ----------------------------------------------------------------- */

/*
 * Check failures after the run are collected, not fatal: the report and
 * the JSON still come out whole, with the first failure as the reason.
 */
static char fail_why[256];
static unsigned int nr_failed;

static void __attribute__((format(printf, 1, 2))) check_failed(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("check failed: %s\n", msg);
	if (!nr_failed++)
		snprintf(fail_why, sizeof(fail_why), "%s", msg);
}

static void check_eq(const char *what, unsigned int vcpu, uint64_t got, uint64_t expected)
{
	if (got != expected)
		check_failed("vcpu %u: %s: expected %" PRIu64 ", got %" PRIu64,
			     vcpu, what, expected, got);
}

/* --- the run's results ------------------------------------------------------- */

struct probe_result {
	enum probe_vendor vendor;
	enum exit_isa isa;		/* 0 for another vendor */
	uint32_t msr;
	const char *msr_name;
	uint64_t executed[PROBE_NR_COUNTERS];
	uint64_t executed_vcpu[PROBE_MAX_VCPUS][PROBE_NR_COUNTERS];
	uint64_t us_io, us_mmio, us_hlt, us_other, us_ucalls;
	char scope[16];			/* kvm.exit_stats, "" if unknown */
};

/* What vCPU @i must have counted of @k, given the options and the guest. */
static uint64_t expected_count(const struct probe_shared *sh, unsigned int i,
			       enum probe_counter k)
{
	uint64_t n = (kinds & PROBE_KIND(k)) ? probe_iterations(&sh->p, i) : 0;

	switch (k) {
	case PROBE_CPUID:
		/* vCPU 0 adds the discovery leaf and both readouts */
		return n + (i ? 0 : 1 + sh->start.cpuids + sh->end.cpuids);
	case PROBE_MMIO_READ:
	case PROBE_MMIO_WRITE:
		return n ? n + 1 : 0;		/* the warm-up access */
	case PROBE_MSR_READ:
		return n + (sh->p.msr_write_back && (kinds & PROBE_KIND(PROBE_MSR_WRITE)));
	case PROBE_UCALL_OUT:
		return 1;			/* DONE */
	default:
		return n;
	}
}

static void check_vcpu(struct vmm_vcpu *vcpu, const struct probe_shared *sh,
		       struct probe_result *res)
{
	unsigned int i = vcpu_index(vcpu);
	const uint64_t *cnt = sh->vcpu[i].count;
	const struct vmm_counts *c = vcpu_counts(vcpu);
	uint64_t io = vcpu_exits(vcpu, KVM_EXIT_IO), mmio = vcpu_exits(vcpu, KVM_EXIT_MMIO);
	uint64_t hlt = vcpu_exits(vcpu, KVM_EXIT_HLT), result;
	unsigned int k;

	TEST_ASSERT(vcpu_done(vcpu, &result), "vcpu %u did not finish", i);
	check_eq("DONE value", i, result, probe_iterations(&sh->p, i));
	for (k = 0; k < PROBE_NR_COUNTERS; k++) {
		char what[48];

		snprintf(what, sizeof(what), "%s executed", counter_names[k]);
		check_eq(what, i, cnt[k], expected_count(sh, i, k));
		res->executed[k] += cnt[k];
		res->executed_vcpu[i][k] = cnt[k];
	}

	/* every exit to userspace is one the guest counted, and vice versa */
	check_eq("KVM_EXIT_IO out on the workload port", i,
		 vcpu_io_exits(vcpu, PROBE_PORT, VMM_IO_OUT), cnt[PROBE_PIO_OUT]);
	check_eq("KVM_EXIT_IO in on the workload port", i,
		 vcpu_io_exits(vcpu, PROBE_PORT, VMM_IO_IN), cnt[PROBE_PIO_IN]);
	check_eq("KVM_EXIT_IO out on the ucall port", i,
		 vcpu_io_exits(vcpu, VMM_UCALL_PORT, VMM_IO_OUT), cnt[PROBE_UCALL_OUT]);
	check_eq("ucalls", i, c->ucalls, cnt[PROBE_UCALL_OUT]);
	check_eq("KVM_EXIT_IO on all ports", i, io,
		 cnt[PROBE_PIO_OUT] + cnt[PROBE_PIO_IN] + cnt[PROBE_UCALL_OUT]);
	check_eq("KVM_EXIT_MMIO reads", i, c->mmio_read, cnt[PROBE_MMIO_READ]);
	check_eq("KVM_EXIT_MMIO writes", i, c->mmio_write, cnt[PROBE_MMIO_WRITE]);
	check_eq("KVM_EXIT_HLT", i, hlt, cnt[PROBE_HLT]);
	check_eq("exits to userspace other than IO, MMIO and HLT", i,
		 c->runs - io - mmio - hlt, 0);
	/* what the handlers saw: each value was checked as it came */
	check_eq("OUT values seen", i, hv[i].out_seen, cnt[PROBE_PIO_OUT]);
	check_eq("IN values served", i, hv[i].in_served, cnt[PROBE_PIO_IN]);
	check_eq("MMIO writes seen", i, hv[i].mmio_written, cnt[PROBE_MMIO_WRITE]);
	check_eq("MMIO reads served", i, hv[i].mmio_served, cnt[PROBE_MMIO_READ]);

	res->us_io += io;
	res->us_mmio += mmio;
	res->us_hlt += hlt;
	res->us_other += c->runs - io - mmio - hlt;
	res->us_ucalls += c->ucalls;
}

/* --- ABI checks --------------------------------------------------------------- */

#define MAX_CODES	2

/*
 * Reasons the workload's instructions exit with, and which guest counters
 * feed each.  "exact": nothing but those instructions takes that exit.
 * MMIO to an unbacked GPA exits as EPT violation/misconfig or NPF, which
 * ordinary guest page faults take too; the total includes everything.
 */
struct reason_check {
	const char *name;
	unsigned int nr_codes;
	uint32_t codes[MAX_CODES];
	uint32_t counters;		/* PROBE_KIND() bits of enum probe_counter */
	bool exact;
	/* filled in */
	uint64_t expected, got;
	bool ok;
};

#define C(k)		PROBE_KIND(k)
#define C_IO		(C(PROBE_PIO_OUT) | C(PROBE_PIO_IN) | C(PROBE_UCALL_OUT))
#define C_MMIO		(C(PROBE_MMIO_READ) | C(PROBE_MMIO_WRITE))
#define C_ALL		((1U << PROBE_NR_COUNTERS) - 1)

/* One exit reason that only the workload's @ctrs instructions take */
#define EXACT(n, code, ctrs)						\
	{ .name = n, .nr_codes = 1, .codes = { code }, .counters = ctrs, .exact = true }
/* Reasons that others take too: the counters are a lower bound */
#define AT_LEAST(n, nr, c0, c1, ctrs)					\
	{ .name = n, .nr_codes = nr, .codes = { c0, c1 }, .counters = ctrs }

static struct reason_check vmx_checks[] = {
	EXACT("CPUID", 10, C(PROBE_CPUID)),
	EXACT("IO_INSTRUCTION", 30, C_IO),
	EXACT("HLT", 12, C(PROBE_HLT)),
	EXACT("MSR_READ", 31, C(PROBE_MSR_READ)),
	EXACT("MSR_WRITE", 32, C(PROBE_MSR_WRITE)),
	EXACT("VMCALL", 18, C(PROBE_HYPERCALL)),
	AT_LEAST("EPT_VIOLATION+EPT_MISCONFIG", 2, 48, 49, C_MMIO),
};

static struct reason_check svm_checks[] = {
	EXACT("CPUID", 0x72, C(PROBE_CPUID)),
	EXACT("IOIO", 0x7b, C_IO),
	EXACT("HLT", 0x78, C(PROBE_HLT)),
	EXACT("MSR", 0x7c, C(PROBE_MSR_READ) | C(PROBE_MSR_WRITE)),
	EXACT("VMMCALL", 0x81, C(PROBE_HYPERCALL)),
	AT_LEAST("NPF", 1, 0x400, 0, C_MMIO),
};

/* Every exit: no codes, the totals */
static struct reason_check total_check = AT_LEAST("total", 0, 0, 0, C_ALL);

static struct reason_check *checks_of(enum exit_isa isa, unsigned int *nr)
{
	if (isa == EXIT_ISA_VMX) {
		*nr = ARRAY_SIZE(vmx_checks);
		return vmx_checks;
	}
	*nr = ARRAY_SIZE(svm_checks);
	return svm_checks;
}

static uint32_t cpuid_code(enum exit_isa isa)
{
	return isa == EXIT_ISA_VMX ? 10 : 0x72;
}

static const struct probe_reason *find_reason(const struct probe_readout *ro, uint32_t code)
{
	uint32_t i;

	for (i = 0; i < ro->nr_reasons; i++)
		if (ro->r[i].code == code)
			return &ro->r[i];
	return NULL;
}

/* Instructions of @counters the guest executed between the two snapshots. */
static uint64_t window(const struct probe_shared *sh, uint32_t counters)
{
	uint64_t sum = 0;
	unsigned int k;

	for (k = 0; k < PROBE_NR_COUNTERS; k++)
		if (counters & PROBE_KIND(k))
			sum += sh->end.before[k] - sh->start.before[k];
	return sum;
}

/*
 * The arithmetic.  Let P_s and P_e be the points just before each
 * readout's first CPUID, where the guest also summed its counters
 * (start.before, end.before), and C_r(P) the exits of reason r the VM
 * took before P.  A readout reads r with its CPUID number seq (from 0);
 * by the self-count rule the value includes that CPUID and the seq ones
 * before it, which are CPUID exits after P:
 *
 *	S_r = C_r(P_s) + [r = CPUID] * (seq_s + 1)
 *	E_r = C_r(P_e) + [r = CPUID] * (seq_e + 1)
 *
 * Between P_s and P_e the guest executed end.before - start.before of
 * each instruction: the start readout's own CPUIDs, the workloads, no
 * ucall; the other vCPUs only spin or run their workloads.  So
 *
 *	E_r - S_r = W_r + X_r + [r = CPUID] * (seq_e - seq_s)
 *
 * with W_r the window's instructions that exit with r, X_r exits KVM or
 * the host caused (none for the exact reasons).  Both readouts make the
 * same CPUIDs in the same order, so seq_e = seq_s: the end readout's
 * CPUIDs up to r's and the start readout's after it add up to exactly one
 * readout, which W_CPUID already contains.
 */
static void check_one(const struct probe_shared *sh, enum exit_isa isa, struct reason_check *rc)
{
	uint64_t s = 0, e = 0;
	int64_t seq_shift = 0;
	unsigned int j;

	if (!rc->nr_codes) {
		s = sh->start.total_exits;
		e = sh->end.total_exits;
		seq_shift = (int64_t)sh->end.total_exits_seq - sh->start.total_exits_seq;
	}
	for (j = 0; j < rc->nr_codes; j++) {
		const struct probe_reason *rs = find_reason(&sh->start, rc->codes[j]);
		const struct probe_reason *re = find_reason(&sh->end, rc->codes[j]);

		if (!rs || !re) {
			check_failed("reason 0x%x was not read", rc->codes[j]);
			continue;
		}
		s += rs->exits;
		e += re->exits;
		if (rc->codes[j] == cpuid_code(isa))
			seq_shift += (int64_t)re->exits_seq - rs->exits_seq;
	}
	rc->expected = window(sh, rc->counters) + seq_shift;
	rc->got = e - s;
	rc->ok = rc->exact ? rc->got == rc->expected : rc->got >= rc->expected;
	if (!rc->ok)
		check_failed("%s exits between the readouts: expected %s%" PRIu64 ", got %" PRIu64,
			     rc->name, rc->exact ? "" : "at least ", rc->expected, rc->got);
}

static void check_abi(const struct probe_shared *sh, struct probe_result *res)
{
	struct reason_check *rcs;
	unsigned int nr, i;

	TEST_ASSERT(res->isa, "ABI checks without a vendor");
	if (sh->start.cpuids != sh->end.cpuids || sh->start.nr_reasons != sh->end.nr_reasons ||
	    sh->start.nr_reasons != sh->p.nr_reasons)
		check_failed("readouts differ: %u and %u CPUIDs, %u and %u of %u reasons",
			     sh->start.cpuids, sh->end.cpuids, sh->start.nr_reasons,
			     sh->end.nr_reasons, sh->p.nr_reasons);
	for (i = 0; i < sh->start.nr_reasons && i < sh->end.nr_reasons; i++) {
		const struct probe_reason *rs = &sh->start.r[i], *re = &sh->end.r[i];

		if (rs->code != sh->p.reasons[i] || re->code != rs->code ||
		    re->exits_seq != rs->exits_seq)
			check_failed("readout entry %u: codes 0x%x/0x%x, positions %u/%u",
				     i, rs->code, re->code, rs->exits_seq, re->exits_seq);
		if (rs->edx == EXIT_STATS_UNDEFINED || re->edx == EXIT_STATS_UNDEFINED)
			check_failed("reason 0x%x (%s) is defined here, KVM answers undefined",
				     rs->code, exit_reason_name(res->isa, rs->code));
		if (re->exits < rs->exits || re->cycles < rs->cycles)
			check_failed("reason 0x%x went down: exits %" PRIu64 " -> %" PRIu64
				     ", cycles %" PRIu64 " -> %" PRIu64, rs->code,
				     rs->exits, re->exits, rs->cycles, re->cycles);
	}

	rcs = checks_of(res->isa, &nr);
	for (i = 0; i < nr; i++)
		check_one(sh, res->isa, &rcs[i]);
	check_one(sh, res->isa, &total_check);
}

/* --- report ----------------------------------------------------------------- */

static void print_counters(const char *label, const uint64_t *c)
{
	unsigned int k;

	printf("%s:", label);
	for (k = 0; k < PROBE_NR_COUNTERS; k++)
		printf(" %s=%" PRIu64, counter_names[k], c[k]);
	printf("\n");
}

static bool in_checks(enum exit_isa isa, uint32_t code)
{
	struct reason_check *rcs;
	unsigned int nr, i, j;

	rcs = checks_of(isa, &nr);
	for (i = 0; i < nr; i++)
		for (j = 0; j < rcs[i].nr_codes; j++)
			if (rcs[i].codes[j] == code)
				return true;
	return false;
}

static void report_abi(const struct probe_shared *sh, const struct probe_result *res)
{
	struct reason_check *rcs;
	unsigned int nr, i, n = 0;
	uint64_t w[PROBE_NR_COUNTERS];

	for (i = 0; i < PROBE_NR_COUNTERS; i++)
		w[i] = sh->end.before[i] - sh->start.before[i];
	print_counters("executed between the readouts", w);
	printf("patch ABI v%u, scope %s: %u CPUIDs per readout, %u reasons\n",
	       sh->disc[0], res->scope[0] ? res->scope : "?", sh->end.cpuids,
	       sh->end.nr_reasons);
	printf("  %-28s %12s %12s\n", "exits between the readouts", "expected", "got");
	rcs = checks_of(res->isa, &nr);
	for (i = 0; i <= nr; i++) {
		const struct reason_check *rc = i < nr ? &rcs[i] : &total_check;

		printf("  %-28s %12" PRIu64 " %12" PRIu64 "  %s%s\n", rc->name, rc->expected,
		       rc->got, rc->ok ? "ok" : "FAIL", rc->exact ? "" :
		       rc->got == rc->expected ? " (at least; exact)" : " (at least)");
	}
	/* Exits nobody asked for: interrupts, page faults, ... */
	for (i = 0; i < sh->end.nr_reasons && i < sh->start.nr_reasons; i++) {
		const struct probe_reason *rs = &sh->start.r[i], *re = &sh->end.r[i];

		if (re->exits == rs->exits || in_checks(res->isa, re->code))
			continue;
		printf("%s%s (0x%x)=%" PRIu64, n++ ? ", " : "  other reasons between the readouts: ",
		       exit_reason_name(res->isa, re->code), re->code, re->exits - rs->exits);
	}
	if (n)
		printf("\n");
	printf("  total cycles between the readouts: %" PRIu64 "\n",
	       sh->end.total_cycles - sh->start.total_cycles);
}

/* --- JSON ------------------------------------------------------------------- */

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void json_counters(const char *name, const uint64_t *c)
{
	unsigned int k;

	printf(",\"%s\":{", name);
	for (k = 0; k < PROBE_NR_COUNTERS; k++)
		printf("%s\"%s\":%" PRIu64, k ? "," : "", counter_names[k], c[k]);
	printf("}");
}

/* Listed: reasons with anything non-zero in either readout. */
static bool reason_listed(const struct probe_shared *sh, uint32_t i)
{
	const struct probe_reason *rs = &sh->start.r[i], *re = &sh->end.r[i];

	return rs->exits || rs->cycles || re->exits || re->cycles;
}

static void json_readout(const char *name, const struct probe_shared *sh,
			 const struct probe_readout *ro)
{
	uint32_t i;
	int n = 0;

	printf(",\"%s\":{\"total_exits\":%" PRIu64 ",\"total_cycles\":%" PRIu64 ",\"reasons\":[",
	       name, ro->total_exits, ro->total_cycles);
	for (i = 0; i < ro->nr_reasons; i++)
		if (reason_listed(sh, i))
			printf("%s{\"code\":%u,\"exits\":%" PRIu64 ",\"cycles\":%" PRIu64 "}",
			       n++ ? "," : "", ro->r[i].code, ro->r[i].exits, ro->r[i].cycles);
	printf("]}");
}

static void json_checks(enum exit_isa isa)
{
	struct reason_check *rcs;
	unsigned int nr, i, j;

	rcs = checks_of(isa, &nr);
	printf(",\"checks\":[");
	for (i = 0; i <= nr; i++) {
		const struct reason_check *rc = i < nr ? &rcs[i] : &total_check;

		printf("%s{\"reason\":\"%s\",\"codes\":[", i ? "," : "", rc->name);
		for (j = 0; j < rc->nr_codes; j++)
			printf("%s%u", j ? "," : "", rc->codes[j]);
		printf("],\"expected\":%" PRIu64 ",\"got\":%" PRIu64
		       ",\"exact\":%s,\"ok\":%s}", rc->expected, rc->got,
		       rc->exact ? "true" : "false", rc->ok ? "true" : "false");
	}
	printf("]");
}

/*
 * Which guest counters exit with which reasons, and whether only they do:
 * the checkers of the test beds (bedcheck) read the mapping from here
 * rather than keeping a copy of this table.
 */
static void json_plan(enum exit_isa isa)
{
	struct reason_check *rcs;
	unsigned int nr = 0, i, j, k, n;

	if (isa)
		rcs = checks_of(isa, &nr);
	printf(",\"plan\":[");
	for (i = 0; i < nr; i++) {
		printf("%s{\"reason\":\"%s\",\"exact\":%s,\"codes\":[", i ? "," : "", rcs[i].name,
		       rcs[i].exact ? "true" : "false");
		for (j = 0; j < rcs[i].nr_codes; j++)
			printf("%s%u", j ? "," : "", rcs[i].codes[j]);
		printf("],\"counters\":[");
		for (k = 0, n = 0; k < PROBE_NR_COUNTERS; k++)
			if (rcs[i].counters & PROBE_KIND(k))
				printf("%s\"%s\"", n++ ? "," : "", counter_names[k]);
		printf("]}");
	}
	printf("]");
}

static void json_patch(const struct probe_shared *sh, const struct probe_result *res)
{
	const struct probe_readout *ro = &sh->end;
	uint32_t i;
	int n = 0;

	if (!sh->abi || !res->isa) {
		printf(",\"patch\":{\"abi\":false,\"discovery\":[%u,%u,%u,%u]}",
		       sh->disc[0], sh->disc[1], sh->disc[2], sh->disc[3]);
		return;
	}
	printf(",\"patch\":{\"abi\":true,\"version\":%u,\"scope\":", sh->disc[0]);
	if (res->scope[0])
		json_string(res->scope);
	else
		printf("null");
	printf(",\"readout_cpuids\":%u", ro->cpuids);
	json_readout("start", sh, &sh->start);
	json_readout("end", sh, &sh->end);
	printf(",\"total_reads_after\":%u,\"reads_after\":{", ro->cpuids - 1 - ro->total_exits_seq);
	for (i = 0; i < ro->nr_reasons; i++)
		if (reason_listed(sh, i))
			printf("%s\"%u\":%u", n++ ? "," : "", ro->r[i].code,
			       ro->cpuids - 1 - ro->r[i].exits_seq);
	printf("},\"undefined\":[");
	for (i = 0, n = 0; i < ro->nr_reasons; i++)
		if (ro->r[i].edx == EXIT_STATS_UNDEFINED)
			printf("%s%u", n++ ? "," : "", ro->r[i].code);
	printf("]");
	json_checks(res->isa);
	printf("}");
}

/* One key the guest touched, as exittrace --by names it. */
static void json_key(int *n, const char *kind, uint64_t key, const char *dir, uint64_t count,
		     bool only)
{
	if (!count)
		return;
	printf("%s{\"kind\":\"%s\",\"key\":%" PRIu64 ",\"dir\":\"%s\",\"count\":%" PRIu64
	       ",\"only\":%s}", (*n)++ ? "," : "", kind, key, dir, count, only ? "true" : "false");
}

/*
 * Every I/O port, MMIO address, MSR and hypercall number the guest used,
 * and how often, from its own counters: exactly what KVM's kvm_pio,
 * kvm_mmio, kvm_msr and kvm_hypercall tracepoints must see of this VM
 * ("only": and nothing else of that kind).  On SVM each MMIO access is
 * also an NPF on the MMIO page, with the access's direction; the guest's
 * RAM faults in too, so that kind lists this page, not all.  (On VMX,
 * after the first EPT violation the page's accesses are EPT
 * misconfigurations, which kvm_page_fault does not see.)
 */
static void json_keys(const struct probe_result *res)
{
	const uint64_t *x = res->executed;
	unsigned int i;
	int n = 0;

	printf(",\"keys\":[");
	json_key(&n, "port", PROBE_PORT, "out", x[PROBE_PIO_OUT], true);
	json_key(&n, "port", PROBE_PORT, "in", x[PROBE_PIO_IN], true);
	json_key(&n, "port", VMM_UCALL_PORT, "out", x[PROBE_UCALL_OUT], true);
	for (i = 0; i < nr_vcpus; i++) {
		json_key(&n, "mmio", PROBE_MMIO_ADDR(i), "read", res->executed_vcpu[i][PROBE_MMIO_READ], true);
		json_key(&n, "mmio", PROBE_MMIO_ADDR(i), "write", res->executed_vcpu[i][PROBE_MMIO_WRITE], true);
	}
	json_key(&n, "msr", res->msr, "read", x[PROBE_MSR_READ], true);
	json_key(&n, "msr", res->msr, "write", x[PROBE_MSR_WRITE], true);
	json_key(&n, "hypercall", PROBE_HC_NR, "-", x[PROBE_HYPERCALL], true);
	if (res->vendor == PROBE_VENDOR_AMD) {
		json_key(&n, "gpa", VMM_MMIO_GPA, "read", x[PROBE_MMIO_READ], false);
		json_key(&n, "gpa", VMM_MMIO_GPA, "write", x[PROBE_MMIO_WRITE], false);
	}
	printf("]");
}

static const char *vendor_name(enum probe_vendor v)
{
	return v == PROBE_VENDOR_INTEL ? "VMX" : v == PROBE_VENDOR_AMD ? "SVM" : "other";
}

static void print_json(const struct probe_shared *sh, const struct probe_result *res)
{
	unsigned int k;
	int n = 0;

	printf("{\"tool\":\"exit_probe\",\"result\":\"%s\"", nr_failed ? "fail" : "pass");
	if (nr_failed) {
		printf(",\"why\":");
		json_string(fail_why);
	}
	printf(",\"pid\":%d,\"vendor\":\"%s\",\"vcpus\":%u,\"n\":%u,\"vcpu_step\":%u,\"vcpu_ids\":[",
	       (int)getpid(), vendor_name(res->vendor), nr_vcpus, iterations, vcpu_step);
	for (k = 0; k < nr_vcpus; k++)
		printf("%s%u", k ? "," : "", vcpu_ids[k]);
	printf("],\"kinds\":[");
	for (k = 0; k < PROBE_NR_KINDS; k++)
		if (kinds & PROBE_KIND(k))
			printf("%s\"%s\"", n++ ? "," : "", counter_names[k]);
	printf("],\"msr\":\"0x%x\"", res->msr);
	json_plan(res->isa);
	json_counters("executed", res->executed);
	json_counters("executed_at_start", sh->start.before);
	json_counters("executed_at_end", sh->end.before);
	for (k = 0; k < nr_vcpus; k++) {
		char name[32];

		snprintf(name, sizeof(name), "executed_vcpu%u", k);
		json_counters(name, res->executed_vcpu[k]);
	}
	printf(",\"userspace_exits\":{\"io\":%" PRIu64 ",\"mmio\":%" PRIu64 ",\"hlt\":%" PRIu64
	       ",\"other\":%" PRIu64 ",\"ucall\":%" PRIu64 "}", res->us_io, res->us_mmio,
	       res->us_hlt, res->us_other, res->us_ucalls);
	json_keys(res);
	json_patch(sh, res);
	printf("}\n");
}

/* --- setup ------------------------------------------------------------------- */

static enum probe_vendor cpuid_vendor(struct vmm_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e = vcpu_cpuid_get(vcpu, 0, 0);

	if (!e)
		return PROBE_VENDOR_OTHER;
	if (e->ebx == 0x756e6547 && e->edx == 0x49656e69 && e->ecx == 0x6c65746e)
		return PROBE_VENDOR_INTEL;		/* "GenuineIntel" */
	if ((e->ebx == 0x68747541 && e->edx == 0x69746e65 && e->ecx == 0x444d4163) ||
	    (e->ebx == 0x6f677948 && e->edx == 0x6e65476e && e->ecx == 0x656e6975))
		return PROBE_VENDOR_AMD;		/* "AuthenticAMD", "HygonGenuine" */
	return PROBE_VENDOR_OTHER;
}

static bool cpuid_bit(struct vmm_vcpu *vcpu, uint32_t fn, uint32_t idx, int reg, int bit)
{
	const struct kvm_cpuid_entry2 *e = vcpu_cpuid_get(vcpu, fn, idx);
	uint32_t regs[4];

	if (!e)
		return false;
	regs[0] = e->eax;
	regs[1] = e->ebx;
	regs[2] = e->ecx;
	regs[3] = e->edx;
	return regs[reg] & (1U << bit);
}

/*
 * An MSR KVM emulates in the kernel on both vendors, always intercepted,
 * that a plain 32-bit guest may read and write without #GP (fatal here:
 * no IDT).  TSC_AUX is, once CPUID offers RDTSCP or RDPID (else KVM
 * refuses it); VMX and SVM pass SYSENTER_CS straight through, so that
 * one would not exit at all.  MISC_ENABLE is the fallback: KVM takes
 * any write that changes no read-only bit, so the guest writes back what
 * it read.
 */
static void pick_msr(struct vmm_vcpu *vcpu, struct probe_shared *sh, struct probe_result *res)
{
	if (cpuid_bit(vcpu, 0x80000001, 0, 3, 27) || cpuid_bit(vcpu, 7, 0, 2, 22)) {
		sh->p.msr = MSR_TSC_AUX;
		sh->p.msr_write_back = 0;
		res->msr_name = "TSC_AUX";
	} else {
		sh->p.msr = MSR_IA32_MISC_ENABLE;
		sh->p.msr_write_back = 1;
		res->msr_name = "MISC_ENABLE";
	}
	res->msr = sh->p.msr;
}

static void set_reasons(struct probe_shared *sh, enum exit_isa isa)
{
	const struct exit_reason *t;
	unsigned int n, i;

	sh->p.nr_reasons = 0;
	if (!isa)
		return;
	t = exit_reason_table(isa, &n);
	TEST_ASSERT(n <= PROBE_MAX_REASONS, "%u %s reasons, room for %d", n,
		    exit_isa_name(isa), PROBE_MAX_REASONS);
	for (i = 0; i < n; i++)
		sh->p.reasons[i] = t[i].code;
	sh->p.nr_reasons = n;
}

static void read_scope(char *buf, size_t size)
{
	FILE *f = fopen("/sys/module/kvm/parameters/exit_stats", "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/*
 * VMCALL under PVM (a KVM without VMX or SVM) never returns, so the
 * default leaves hypercalls out unless the CPU can run real KVM.
 */
static bool hypercall_safe(void)
{
	char line[4096];
	bool hw = false;
	FILE *f;

	if (!access("/sys/module/kvm_pvm", F_OK))
		return false;
	f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return false;
	while (!hw && fgets(line, sizeof(line), f)) {
		char *tok, *save;

		if (strncmp(line, "flags", 5))
			continue;
		for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
			if (!strcmp(tok, "vmx") || !strcmp(tok, "svm"))
				hw = true;
		break;
	}
	fclose(f);
	return hw;
}

/* --- --wait ------------------------------------------------------------------ */

static volatile sig_atomic_t released;

static void on_sigusr1(int sig)
{
	(void)sig;
	released = 1;
}

/*
 * Let a tracer filtered by our pid attach before the VM exists (@what:
 * "ready"), or let the host read the VM's statistics after its last exit
 * and before it is gone ("held").  SIGUSR1
 * stays blocked except inside ppoll(), so one sent right after the ready
 * line cannot slip in between a check and the wait.  At EOF on stdin only
 * the signal (or -t) ends the wait.
 */
static void wait_for_release(const char *what)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct timespec deadline, now, left, *tmo = NULL;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	bool stdin_open = true;
	sigset_t block, orig;
	char buf[256];
	ssize_t n;
	int r;

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &orig);
	released = 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		TEST_FAIL("sigaction SIGUSR1: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout;

	printf("exit_probe: %s pid=%d\n", what, (int)getpid());
	fflush(stdout);
	while (!released) {
		if (timeout) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			left.tv_sec = deadline.tv_sec - now.tv_sec;
			left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
			if (left.tv_nsec < 0) {
				left.tv_sec--;
				left.tv_nsec += 1000000000L;
			}
			if (left.tv_sec < 0)
				TEST_FAIL("--%s: no line on stdin and no SIGUSR1 within %u s",
					  hold && !strcmp(what, "held") ? "hold" : "wait", timeout);
			tmo = &left;
		}
		r = ppoll(&pfd, stdin_open ? 1 : 0, tmo, &orig);
		if (r < 0 && errno != EINTR)
			TEST_FAIL("%s: ppoll: %s", what, strerror(errno));
		if (r <= 0)
			continue;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n > 0 && memchr(buf, '\n', n))
			break;
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			stdin_open = false;
	}
	/* From here on a SIGUSR1 must not interrupt KVM_RUN: drop it. */
	signal(SIGUSR1, SIG_IGN);
	sigprocmask(SIG_SETMASK, &orig, NULL);
}

/* --- options ----------------------------------------------------------------- */

/* A bad command line still ends with the machine-readable FAIL line. */
static void __attribute__((noreturn)) usage(const char *prog, const char *why)
{
	printf("usage: %s [-n N] [-c VCPUS] [-k KINDS] [--vcpu-step S] [--vcpu-ids IDS]\n"
	       "       [--require-abi] [--wait] [--hold] [-j] [-t SECONDS]\n"
	       "  -n  iterations of each kind per vCPU (default 1000, max %u)\n"
	       "  -c  vCPUs, each in its own thread (default 1, max %d)\n"
	       "  --vcpu-step S  vCPU i runs N + i * S of each kind (default 0)\n"
	       "  --vcpu-ids IDS  comma list of KVM's vCPU ids, one per vCPU in order\n"
	       "      (default 0, 1, ...)\n"
	       "  --require-abi  fail if the patch's CPUID leaves are absent\n"
	       "  -k  comma list of cpuid, pio_out, pio_in, hlt, mmio_read, mmio_write,\n"
	       "      msr_read, msr_write, hypercall, or \"all\" (default: all; hypercall\n"
	       "      only on a host whose CPU has VMX or SVM: under PVM it hangs)\n"
	       "  --wait  print \"exit_probe: ready pid=PID\", then create the VM only\n"
	       "      after a line on stdin or SIGUSR1 (for a tracer filtered by pid)\n"
	       "  --hold  after the run, print \"exit_probe: held pid=PID\" and keep the VM\n"
	       "      until the next line or SIGUSR1 (to read its statistics on the host)\n"
	       "  -j  end with one JSON object on a line of its own\n"
	       "  -t  fail if not finished after SECONDS (default: wait forever)\n",
	       prog, PROBE_MAX_ITERATIONS, PROBE_MAX_VCPUS);
	if (!why)
		exit(KSFT_PASS);
	printf("exit_probe: FAIL usage: %s\n", why);
	exit(KSFT_FAIL);
}

static unsigned long parse_num(const char *prog, char opt, const char *arg,
			       unsigned long max)
{
	char why[96];
	unsigned long v = vmm_parse_count(opt, arg, max, why, sizeof(why));

	if (!v)
		usage(prog, why);
	return v;
}

static uint32_t parse_kinds(const char *prog, const char *arg)
{
	char *copy = strdup(arg), *tok, *save;
	uint32_t mask = 0;
	char why[96];
	unsigned int k;

	TEST_ASSERT(copy, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			mask |= ALL_KINDS;
			continue;
		}
		for (k = 0; k < PROBE_NR_KINDS && strcmp(tok, counter_names[k]); k++)
			;
		if (k == PROBE_NR_KINDS) {
			snprintf(why, sizeof(why), "-k: unknown kind '%.32s'", tok);
			usage(prog, why);
		}
		mask |= PROBE_KIND(k);
	}
	free(copy);
	if (!mask)
		usage(prog, "-k: no kind given");
	return mask;
}

static unsigned int parse_ids(const char *prog, const char *arg)
{
	unsigned int n = 0;
	const char *p = arg;
	char why[96], *end;
	unsigned long v;

	for (;;) {
		errno = 0;
		v = strtoul(p, &end, 10);
		if (end == p || errno || v > 0xffffffffUL || (*end && *end != ',')) {
			snprintf(why, sizeof(why), "--vcpu-ids: '%.32s' is not a comma list of ids", arg);
			usage(prog, why);
		}
		if (n == PROBE_MAX_VCPUS) {
			snprintf(why, sizeof(why), "--vcpu-ids: more than %d ids", PROBE_MAX_VCPUS);
			usage(prog, why);
		}
		vcpu_ids[n++] = v;
		if (!*end)
			return n;
		p = end + 1;
	}
}

static void parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vcpu-step", required_argument, NULL, 's' },
		{ "vcpu-ids", required_argument, NULL, 'I' },
		{ "require-abi", no_argument, NULL, 'A' },
		{ "wait", no_argument, NULL, 'w' },
		{ "hold", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	unsigned int nr_ids = 0, i;
	char why[96];
	int opt;

	while ((opt = getopt_long(argc, argv, "n:c:k:jt:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			iterations = parse_num(argv[0], 'n', optarg, PROBE_MAX_ITERATIONS);
			break;
		case 'c':
			nr_vcpus = parse_num(argv[0], 'c', optarg, PROBE_MAX_VCPUS);
			break;
		case 'k':
			kinds = parse_kinds(argv[0], optarg);
			kinds_given = true;
			break;
		case 's':
			vcpu_step = parse_num(argv[0], 's', optarg, PROBE_MAX_ITERATIONS);
			break;
		case 'I':
			nr_ids = parse_ids(argv[0], optarg);
			vcpu_ids_given = true;
			break;
		case 'A':
			require_abi = true;
			break;
		case 'w':
			wait_release = true;
			break;
		case 'H':
			hold = true;
			break;
		case 'j':
			json = true;
			break;
		case 't':
			timeout = parse_num(argv[0], 't', optarg, 86400);
			break;
		case 'h':
			usage(argv[0], NULL);
		default:
			usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		usage(argv[0], "unexpected argument");
	if (vcpu_ids_given && nr_ids != nr_vcpus) {
		snprintf(why, sizeof(why), "--vcpu-ids: %u ids for %u vCPUs", nr_ids, nr_vcpus);
		usage(argv[0], why);
	}
	if (!vcpu_ids_given)
		for (i = 0; i < nr_vcpus; i++)
			vcpu_ids[i] = i;
	if (iterations + (uint64_t)(nr_vcpus - 1) * vcpu_step > PROBE_MAX_ITERATIONS) {
		snprintf(why, sizeof(why), "-n %u --vcpu-step %u: vCPU %u would run more than %u",
			 iterations, vcpu_step, nr_vcpus - 1, PROBE_MAX_ITERATIONS);
		usage(argv[0], why);
	}
}

/* --- main --------------------------------------------------------------------- */

static void print_kinds(void)
{
	unsigned int k;
	int n = 0;

	for (k = 0; k < PROBE_NR_KINDS; k++)
		if (kinds & PROBE_KIND(k))
			printf("%s%s", n++ ? "," : "", counter_names[k]);
}

int main(int argc, char **argv)
{
	struct vmm_vm_opts opts = { .guest = VMM_GUEST(exit_probe_guest) };
	struct vmm_handlers h = { .io = probe_io, .mmio = probe_mmio };
	struct probe_result res = { 0 };
	struct probe_shared *sh;
	struct vmm_vcpu *vcpu0;
	struct vmm_vm *vm;
	unsigned int i;

	vmm_test_init("exit_probe");
	parse_options(argc, argv);
	if (!kinds_given) {
		kinds = ALL_KINDS;
		if (!hypercall_safe()) {
			kinds &= ~PROBE_KIND(PROBE_HYPERCALL);
			printf("exit_probe: hypercall left out: no VMX/SVM on this CPU (PVM?), where it hangs\n");
		}
	}

	/* /dev/kvm first: a host without it skips before anyone waits on us */
	vmm_kvm_fd();
	if (wait_release)
		wait_for_release("ready");

	vmm_step("VM setup");
	opts.nr_vcpus = nr_vcpus;
	opts.vcpu_ids = vcpu_ids;
	vm = vm_create(&opts);
	vcpu0 = vm_vcpu(vm, 0);
	sh = vm_gpa_to_hva(vm, PROBE_GPA, sizeof(*sh));
	memset(sh, 0, sizeof(*sh));
	res.vendor = cpuid_vendor(vcpu0);
	res.isa = res.vendor == PROBE_VENDOR_INTEL ? EXIT_ISA_VMX :
		  res.vendor == PROBE_VENDOR_AMD ? EXIT_ISA_SVM : 0;
	sh->p.iterations = iterations;
	sh->p.vcpu_step = vcpu_step;
	sh->p.kinds = kinds;
	sh->p.nr_vcpus = nr_vcpus;
	sh->p.vendor = res.vendor;
	pick_msr(vcpu0, sh, &res);
	set_reasons(sh, res.isa);
	read_scope(res.scope, sizeof(res.scope));
	vm_set_handlers(vm, &h);

	printf("exit_probe: pid %d, %u vCPU(s), %s, %u each of ", (int)getpid(), nr_vcpus,
	       vendor_name(res.vendor), iterations);
	print_kinds();
	printf("; MSR 0x%x (%s)\n", res.msr, res.msr_name);
	if (vcpu_step || vcpu_ids_given) {
		printf("exit_probe: vCPU (KVM id) and its iterations:");
		for (i = 0; i < nr_vcpus; i++)
			printf(" %u (%u) %u", i, vcpu_ids[i], probe_iterations(&sh->p, i));
		printf("\n");
	}

	vmm_step("run");
	vm_watchdog(vm, timeout);
	vm_run(vm);

	vmm_step("checks");
	for (i = 0; i < nr_vcpus; i++)
		check_vcpu(vm_vcpu(vm, i), sh, &res);
	print_counters("executed", res.executed);
	printf("userspace exits: io=%" PRIu64 " (ucalls %" PRIu64 ") mmio=%" PRIu64
	       " hlt=%" PRIu64 " other=%" PRIu64 "\n", res.us_io, res.us_ucalls,
	       res.us_mmio, res.us_hlt, res.us_other);
	if (sh->abi && res.isa) {
		check_abi(sh, &res);
		report_abi(sh, &res);
	} else {
		printf("patch ABI absent (leaf 0x%x: %08x %08x %08x %08x): per-reason checks skipped\n",
		       EXIT_STATS_LEAF_DISCOVERY, sh->disc[0], sh->disc[1], sh->disc[2], sh->disc[3]);
		if (require_abi)
			check_failed("--require-abi: no exittrace signature in CPUID 0x%x on this %s host",
				     EXIT_STATS_LEAF_DISCOVERY, vendor_name(res.vendor));
	}

	if (nr_failed) {
		printf("exit_probe: FAIL %s%s\n", fail_why,
		       nr_failed > 1 ? " (and more, above)" : "");
	} else {
		printf("exit_probe: PASS vendor=%s vcpus=%u n=%u abi=%s kinds=",
		       vendor_name(res.vendor), nr_vcpus, iterations,
		       sh->abi && res.isa ? "yes" : "no");
		print_kinds();
		printf("\n");
	}
	if (json)
		print_json(sh, &res);
	fflush(stdout);
	/* every vCPU is out of KVM_RUN for good: the statistics are final */
	if (hold)
		wait_for_release("held");
	vm_free(vm);
	return nr_failed ? KSFT_FAIL : KSFT_PASS;
}
