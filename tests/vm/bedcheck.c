// SPDX-License-Identifier: GPL-2.0
/*
 * bedcheck - the test beds' checks of exittrace, on the project's own
 * tables: every comparison goes through witness_compare() (as exitdiff's
 * does), the reason names through exit_reasons.c, and what exit_probe's
 * guest executed through the plan the probe prints with its JSON (which
 * counters exit with which reasons, and whether only they do).  No shell
 * script of the beds reads JSON or spells a reason code.
 *
 *   bedcheck trace PROBE.json EXITTRACE.json [--pid PID] [--vcpu N] [--et-vcpu ID]
 *	exittrace, attached before the probe made its VM, counted exactly
 *	what the guest executed, for each reason only the guest causes;
 *	every exit but each vCPU's last ucall was paired with its entry.
 *   bedcheck cross PROBE.json EXITTRACE.json --pid PID --tsc-khz KHZ
 *	the patch's end readout (as the guest read it) against exittrace's
 *	count of the VM's whole life, every reason (see cross()).
 *   bedcheck record SUMS EXITTRACE.json
 *	a recording's sums (awk -v sums=1 -f exitrecord.awk) against the
 *	same exittrace's final summary, per (VM, reason), exactly.
 *   bedcheck get FILE KEY[.KEY...]...
 *	the values of the keys, space-separated, from the last line of
 *	FILE with the first key (strings without their quotes).
 *   bedcheck order EARLY.json LATER.json EXITTRACE.json
 *	readings of one VM's counters put in order, reason by reason: an
 *	earlier exitstat reading <= a later one <= exittrace's count of the
 *	whole run (counters never go down; exittrace saw them all).
 *   bedcheck qmp QUERY_STATS_REPLY NAME
 *	"SUM N": QEMU's query-stats statistic NAME added up over every vCPU
 *	(N: the values of an array statistic per vCPU, else 1).
 *   bedcheck keys PROBE.json EXITTRACE.json --pid PID
 *	exittrace --by (its final "keys" line, since start) counted, for
 *	the probe's VM, every port, MMIO address, MSR, hypercall number
 *	and NPF page the probe lists ("keys") exactly as often as its
 *	guest used them, and no other key of a kind the probe lists as
 *	"only"; no key has more latencies than events.
 *   bedcheck slow SLOW_EXIT.out EXITTRACE.json [--keys]
 *   bedcheck slow-all EXITTRACE.json
 *	exittrace --slower-than's events (see bedcheck_slow.c).
 *   bedcheck row EXITTRACE.json NAME[,NAME...] [--pid PID] KEY...
 *	the same from exittrace's row of that reason (the first name the
 *	ISA of the row defines: IO_INSTRUCTION,IOIO names VMX's or SVM's);
 *	0 for each key when it has no such row.
 *   bedcheck vms EXITTRACE.json
 *	"PID VM EXITS" for each VM in the rows of exittrace -P's last line,
 *	in pid order (VM "-" when it has no name): which VMs it counted.
 *
 * Exit status: 0 agree, 1 differ (a table says where), 2 unreadable input,
 * 64 usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedcheck.h"
#include "witness.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: bedcheck trace PROBE.json EXITTRACE.json [--pid PID] [--vcpu N] [--et-vcpu ID]\n"
		"       bedcheck cross PROBE.json EXITTRACE.json --pid PID --tsc-khz KHZ\n"
		"       bedcheck record SUMS EXITTRACE.json\n"
		"       bedcheck get FILE KEY[.KEY...]...\n"
		"       bedcheck order EARLY.json LATER.json EXITTRACE.json\n"
		"       bedcheck qmp QUERY_STATS_REPLY NAME\n"
		"       bedcheck slow SLOW_EXIT.out EXITTRACE.json [--keys]\n"
		"       bedcheck slow-all EXITTRACE.json\n"
		"       bedcheck row EXITTRACE.json NAME[,NAME...] [--pid PID] KEY...\n"
		"       bedcheck keys PROBE.json EXITTRACE.json --pid PID\n"
		"       bedcheck vms EXITTRACE.json\n");
	return 64;
}

/* --- exit_probe's JSON -------------------------------------------------------- */

#define MAX_PLAN	16

struct plan_entry {
	char reason[48];
	bool exact;
	uint32_t code;			/* the first of its codes */
	unsigned int nr_codes;
	char counters[8][16];
	unsigned int nr_counters;
};

struct probe {
	char *line;
	struct json_span obj;
	enum exit_isa isa;
	uint64_t vcpus;
	struct plan_entry plan[MAX_PLAN];
	unsigned int nr_plan;
};

static bool has_counter(const struct plan_entry *e, const char *name)
{
	unsigned int i;

	for (i = 0; i < e->nr_counters; i++)
		if (!strcmp(e->counters[i], name))
			return true;
	return false;
}

static int read_plan(struct probe *pr, const char *path)
{
	struct json_span plan, cur = {}, e, codes, ccur, c;

	if (!json_get(&pr->obj, "plan", &plan)) {
		fprintf(stderr, WHO ": %s has no \"plan\" (an exit_probe older than this checker?)\n", path);
		return -EINVAL;
	}
	while (json_next(&plan, &cur, &e)) {
		struct plan_entry *pe = &pr->plan[pr->nr_plan];
		struct json_span ex;
		uint64_t code;

		if (pr->nr_plan == MAX_PLAN)
			return -E2BIG;
		memset(pe, 0, sizeof(*pe));
		json_get_str(&e, "reason", pe->reason, sizeof(pe->reason));
		pe->exact = json_get(&e, "exact", &ex) && !strncmp(ex.p, "true", 4);
		if (json_get(&e, "codes", &codes))
			for (ccur = (struct json_span){}; json_next(&codes, &ccur, &c); pe->nr_codes++)
				if (!pe->nr_codes && json_u64(&c, &code))
					pe->code = (uint32_t)code;
		if (json_get(&e, "counters", &codes))
			for (ccur = (struct json_span){}; json_next(&codes, &ccur, &c) && pe->nr_counters < 8;)
				if (c.end - c.p >= 2 && c.end - c.p - 2 < 16) {
					memcpy(pe->counters[pe->nr_counters], c.p + 1, c.end - c.p - 2);
					pe->nr_counters++;
				}
		pr->nr_plan++;
	}
	return 0;
}

static int probe_read(const char *path, struct probe *pr)
{
	char vendor[8] = "";

	memset(pr, 0, sizeof(*pr));
	pr->line = json_last_line(WHO, path, "\"exit_probe\"", NULL);
	if (!pr->line)
		return -ENOENT;
	pr->obj = json_span_of(pr->line);
	json_get_str(&pr->obj, "vendor", vendor, sizeof(vendor));
	pr->isa = !strcmp(vendor, "VMX") ? EXIT_ISA_VMX : !strcmp(vendor, "SVM") ? EXIT_ISA_SVM : 0;
	json_get_u64(&pr->obj, "vcpus", &pr->vcpus);
	return read_plan(pr, path);
}

/* The sum of @e's counters in the probe's counter object @obj. */
static uint64_t counted(const struct json_span *obj, const struct plan_entry *e)
{
	uint64_t sum = 0, v;
	unsigned int i;

	for (i = 0; i < e->nr_counters; i++)
		if (json_get_u64(obj, e->counters[i], &v))
			sum += v;
	return sum;
}

static int add_rule(struct witness_opts *o, const struct witness_rule *r)
{
	unsigned int i;

	for (i = 0; i < o->nr_rules; i++)
		if (o->rules[i].code == r->code)
			return 0;
	if (o->nr_rules == WITNESS_MAX_RULES) {
		fprintf(stderr, WHO ": more than %d reasons to judge\n", WITNESS_MAX_RULES);
		return -E2BIG;
	}
	o->rules[o->nr_rules++] = *r;
	return 0;
}

static int verdict(int err, const struct witness_opts *o, const struct witness_verdict *v)
{
	if (err)
		return 2;
	return witness_agree(o, v) ? 0 : 1;
}

/*
 * The options after the two files: --pid PID, --vcpu N, --tsc-khz KHZ,
 * --et-vcpu ID (exittrace --per-vcpu's rows of KVM id ID only).
 */
struct check_args {
	uint64_t pid;
	long vcpu;
	long et_vcpu;
	double tsc_hz;
};

static int parse_check_args(int argc, char **argv, struct check_args *ca)
{
	char *end;
	int a;

	*ca = (struct check_args){ .vcpu = -1, .et_vcpu = -1 };
	for (a = 4; a < argc; a += 2) {
		if (a + 1 >= argc)
			return -EINVAL;
		if (!strcmp(argv[a], "--pid"))
			ca->pid = strtoull(argv[a + 1], &end, 10);
		else if (!strcmp(argv[a], "--vcpu"))
			ca->vcpu = strtol(argv[a + 1], &end, 10);
		else if (!strcmp(argv[a], "--et-vcpu"))
			ca->et_vcpu = strtol(argv[a + 1], &end, 10);
		else if (!strcmp(argv[a], "--tsc-khz"))
			ca->tsc_hz = strtod(argv[a + 1], &end) * 1e3;
		else
			return -EINVAL;
		if (*end || end == argv[a + 1])
			return -EINVAL;
	}
	return 0;
}

/* --- trace: what the guest executed ------------------------------------------ */

static int trace(int argc, char **argv)
{
	static struct witness guest, bpf;
	struct witness_opts o = { .who = WHO, .patch_label = "GUEST", .only_ruled = true,
				  .latency = true };
	struct witness_verdict v;
	const char *counters = "executed";
	char name[48];
	struct json_span exec;
	struct check_args ca;
	uint64_t pid, any = 0;
	long vcpu;
	struct probe pr;
	unsigned int i;
	int err;

	if (parse_check_args(argc, argv, &ca))
		return usage();
	pid = ca.pid;
	vcpu = ca.vcpu;
	if (probe_read(argv[2], &pr))
		return 2;
	if (!pr.isa) {
		fprintf(stdout, WHO ": no vendor in %s: nothing can be judged\n", argv[2]);
		return 1;
	}
	if (vcpu >= 0) {
		snprintf(name, sizeof(name), "executed_vcpu%ld", vcpu);
		counters = name;
		pr.vcpus = 1;
	}
	if (!json_get(&pr.obj, counters, &exec)) {
		fprintf(stdout, WHO ": no \"%s\" in %s\n", counters, argv[2]);
		return 1;
	}
	guest.isa = pr.isa;
	for (i = 0; i < pr.nr_plan; i++) {
		const struct plan_entry *e = &pr.plan[i];
		/* each vCPU's last exit is its DONE ucall, never re-entered */
		struct witness_rule r = { .code = e->code,
					  .unpaired = has_counter(e, "ucall_out") ? pr.vcpus : 0 };
		struct witness_row *row;

		if (!e->exact || e->nr_codes != 1)
			continue;
		row = witness_row(&guest, 0, e->code);
		if (!row || add_rule(&o, &r))
			return 2;
		row->exits = counted(&exec, e);
		any += row->exits;
	}
	err = witness_read_vcpu(argv[3], true, (uint32_t)pid, ca.et_vcpu, &bpf);
	if (err)
		return 2;
	/* -H: the histograms hold every timed exit too */
	err = witness_hists_agree(argv[3]);
	if (err < 0)
		return 1;
	if (err)
		printf("histograms: each of the %d rows' holds its lat_count\n", err);
	printf("guest of %s (%s%s) vs exittrace", argv[2], counters, vcpu >= 0 ? "" : ", all vCPUs");
	if (ca.et_vcpu >= 0)
		printf(" rows of vCPU id %ld", ca.et_vcpu);
	if (pid)
		printf(" rows of pid %" PRIu64, pid);
	printf(":\n");
	err = witness_compare(stdout, &guest, &bpf, &o, &v);
	if (!err && !any) {
		printf(WHO ": the guest executed nothing that exits with a judged reason\n");
		return 1;
	}
	return verdict(err, &o, &v);
}

/* --- cross: the patch's end readout ------------------------------------------ */

/*
 * The arithmetic (exit_probe.c has the readout): the end readout reads
 * reason r with its CPUID number seq_r = R - 1 - reads_after[r] (R
 * CPUIDs per readout).  By the self-count rule that value E_r includes
 * the readout's own CPUIDs 0..seq_r when r is CPUID.  So the VM took
 *     C_r = E_r - [r = CPUID] * (R - reads_after[r])
 * exits of reason r before the end readout began (point P), and after P
 * the guest executed A_r = executed - executed_at_end instructions that
 * exit with r: the end readout's R CPUIDs, the final ucall's OUT.  For
 * the reasons only the guest causes, exittrace must count exactly
 * C_r + A_r; for the others (interrupts, EPT/NPF) KVM and the host add
 * exits after P that only exittrace sees: at least C_r.
 *
 * Cycles are only bounded here: the patch's cycles of r (exit taken to
 * handled in the kernel), at the TSC rate, may not exceed exittrace's
 * exit -> entry sum of r (2% for the TSC calibration), and neither may
 * be 0 where both counted.  The trace suite's time runs (exitdiff
 * --time) compare the cycles with exittrace's time in KVM instead.
 */
static int cross(int argc, char **argv)
{
	static struct witness patch, bpf;
	struct witness_opts o = { .who = WHO, .lat_bound = 1.02 };
	struct json_span p, end, reasons, cur = {}, r, ra, exec, at_end;
	struct witness_verdict v;
	uint64_t pid, readout = 0, cpuid = UINT64_MAX;
	struct check_args ca;
	struct probe pr;
	unsigned int i;
	int err;

	if (parse_check_args(argc, argv, &ca) || !ca.pid)
		return usage();
	pid = ca.pid;
	o.tsc_hz = ca.tsc_hz;
	if (probe_read(argv[2], &pr))
		return 2;
	if (!pr.isa) {
		printf(WHO ": no vendor in %s: nothing can be judged\n", argv[2]);
		return 1;
	}
	if (!json_get(&pr.obj, "patch", &p) || !json_get(&p, "end", &end) ||
	    !json_get(&end, "reasons", &reasons) || !json_get_u64(&p, "readout_cpuids", &readout) ||
	    !json_get(&p, "reads_after", &ra) || !json_get(&pr.obj, "executed", &exec) ||
	    !json_get(&pr.obj, "executed_at_end", &at_end)) {
		printf(WHO ": no end readout of the patch in %s\n", argv[2]);
		return 1;
	}
	for (i = 0; i < pr.nr_plan; i++)
		if (pr.plan[i].exact && has_counter(&pr.plan[i], "cpuid"))
			cpuid = pr.plan[i].code;
	patch.isa = pr.isa;
	while (json_next(&reasons, &cur, &r)) {
		uint64_t code = 0, exits = 0, cycles = 0, after = 0;
		struct witness_row *row;
		char key[16];

		json_get_u64(&r, "code", &code);
		json_get_u64(&r, "exits", &exits);
		json_get_u64(&r, "cycles", &cycles);
		snprintf(key, sizeof(key), "%" PRIu64, code);
		if (code == cpuid && json_get_u64(&ra, key, &after))
			exits -= readout - after;
		row = witness_row(&patch, 0, (uint32_t)code);
		if (!row)
			return 2;
		row->exits = exits;
		row->cycles = cycles;
	}
	/* exact: C_r + A_r; the plan's other reasons, and any other, at least C_r */
	for (i = 0; i < pr.nr_plan; i++) {
		const struct plan_entry *e = &pr.plan[i];
		struct witness_rule rule = { .code = e->code };

		if (!e->exact || e->nr_codes != 1)
			continue;
		rule.delta = (int64_t)(counted(&exec, e) - counted(&at_end, e));
		if (add_rule(&o, &rule))
			return 2;
	}
	err = witness_read(argv[3], true, (uint32_t)pid, &bpf);
	if (err)
		return 2;
	for (i = 0; i < patch.nr; i++)
		if (add_rule(&o, &(struct witness_rule){ .code = patch.rows[i].code, .at_least = true }))
			return 2;
	for (i = 0; i < bpf.nr; i++)
		if (add_rule(&o, &(struct witness_rule){ .code = bpf.rows[i].code, .at_least = true }))
			return 2;
	printf("patch (end readout of %s) vs exittrace rows of pid %" PRIu64 ":\n", argv[2], pid);
	err = witness_compare(stdout, &patch, &bpf, &o, &v);
	if (err)
		return 2;
	if (!bpf.nr) {
		printf(WHO ": exittrace has no rows for pid %" PRIu64 "\n", pid);
		return 1;
	}
	printf(WHO ": exact where only the guest exits (the plan's exact reasons), at least elsewhere;\n"
	       WHO ": cycles only bounded here (0 < patch <= %.2f x latency); trace-time-* matches them\n",
	       o.lat_bound);
	return verdict(0, &o, &v);
}

/* --- record: a recording against its summary --------------------------------- */

/* exitrecord.awk's sums: pid isa code name count lat_count lat_sum_ns; then total */
static int read_sums(const char *path, struct witness *w, uint64_t *total)
{
	char line[512], isa[8], name[64];
	unsigned long long pid, code, count, lat_count, lat_sum;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, WHO ": cannot open %s: %s\n", path, strerror(errno));
		return -errno;
	}
	memset(w, 0, sizeof(*w));
	*total = 0;
	while (fgets(line, sizeof(line), f)) {
		struct witness_row *r;

		if (!strncmp(line, "total\t", 6)) {
			*total = strtoull(line + 6, NULL, 10);
			continue;
		}
		if (sscanf(line, "%llu\t%7s\t%llu\t%63s\t%llu\t%llu\t%llu", &pid, isa, &code, name,
			   &count, &lat_count, &lat_sum) != 7) {
			fprintf(stderr, WHO ": %s: not a line of exitrecord.awk's sums: %s", path, line);
			fclose(f);
			return -EINVAL;
		}
		w->isa = !strcmp(isa, "VMX") ? EXIT_ISA_VMX : EXIT_ISA_SVM;
		r = witness_row(w, (uint32_t)pid, (uint32_t)code);
		if (!r) {
			fclose(f);
			return -E2BIG;
		}
		r->exits = count;
		r->lat_count = lat_count;
		r->lat_ns = lat_sum;
	}
	fclose(f);
	return 0;
}

static int record(int argc, char **argv)
{
	static struct witness rec, bpf;
	struct witness_opts o = { .who = WHO, .patch_label = "RECORD", .lat_equal = true };
	struct witness_verdict v;
	uint64_t total = 0;
	int err;

	if (argc != 4)
		return usage();
	if (read_sums(argv[2], &rec, &total) || witness_read(argv[3], true, WITNESS_EACH_PID, &bpf))
		return 2;
	printf("recording (interval sums) vs exittrace's final summary, per (VM, reason):\n");
	err = witness_compare(stdout, &rec, &bpf, &o, &v);
	if (!err && !total) {
		printf(WHO ": nothing was counted\n");
		return 1;
	}
	return verdict(err, &o, &v);
}

/* --- order: readings that can only grow -------------------------------------- */

/* @later >= @early for every reason either has: a rule for each */
static int at_least_all(const struct witness *early, const struct witness *later,
			struct witness_opts *o)
{
	const struct witness *sides[2] = { early, later };
	unsigned int s, i;

	for (s = 0; s < 2; s++)
		for (i = 0; i < sides[s]->nr; i++)
			if (add_rule(o, &(struct witness_rule){ .code = sides[s]->rows[i].code,
								.at_least = true }))
				return -E2BIG;
	return 0;
}

static int order(int argc, char **argv)
{
	static struct witness early, later, bpf;
	struct witness_opts o1 = { .who = WHO, .patch_label = "EARLY" };
	struct witness_opts o2 = { .who = WHO, .patch_label = "LATER" };
	struct witness_verdict v1, v2;
	int err;

	if (argc != 5)
		return usage();
	if (witness_read(argv[2], false, 0, &early) || witness_read(argv[3], false, 0, &later) ||
	    witness_read(argv[4], true, 0, &bpf))
		return 2;
	if (!early.nr || !later.nr || !bpf.nr) {
		printf(WHO ": a reading without reasons (%u, %u, %u rows): nothing to put in order\n",
		       early.nr, later.nr, bpf.nr);
		return 1;
	}
	if (at_least_all(&early, &later, &o1) || at_least_all(&later, &bpf, &o2))
		return 2;
	/* the later reading in exittrace's place: same rows, same meaning */
	printf("%s (EARLY) <= %s (in the BPF column):\n", argv[2], argv[3]);
	err = witness_compare(stdout, &early, &later, &o1, &v1);
	if (!err) {
		printf("%s (LATER) <= exittrace %s:\n", argv[3], argv[4]);
		err = witness_compare(stdout, &later, &bpf, &o2, &v2);
	}
	if (err)
		return 2;
	return witness_agree(&o1, &v1) && witness_agree(&o2, &v2) ? 0 : 1;
}

/* --- qmp: QEMU's query-stats ------------------------------------------------- */

static int qmp(int argc, char **argv)
{
	struct json_span line, ret, cur = {}, vcpu, stats, scur, stat, val, vcur, x;
	uint64_t sum = 0, n = 0, one;
	unsigned int vcpus = 0, found = 0;
	char name[64], *json;

	if (argc != 4)
		return usage();
	json = json_last_line(WHO, argv[2], "\"return\"", NULL);
	if (!json)
		return 2;
	line = json_span_of(json);
	if (!json_get(&line, "return", &ret)) {
		fprintf(stderr, WHO ": %s: no \"return\" list\n", argv[2]);
		free(json);
		return 2;
	}
	while (json_next(&ret, &cur, &vcpu)) {
		vcpus++;
		if (!json_get(&vcpu, "stats", &stats))
			continue;
		for (scur = (struct json_span){}; json_next(&stats, &scur, &stat);) {
			if (!json_get_str(&stat, "name", name, sizeof(name)) || strcmp(name, argv[3]) ||
			    !json_get(&stat, "value", &val))
				continue;
			found++;
			if (*val.p == '[') {
				for (n = 0, vcur = (struct json_span){}; json_next(&val, &vcur, &x); n++)
					if (json_u64(&x, &one))
						sum += one;
			} else if (json_u64(&val, &one)) {
				sum += one;
				n = 1;
			}
		}
	}
	free(json);
	if (!found) {
		fprintf(stderr, WHO ": %s: no statistic %s in any of %u vCPUs\n", argv[2], argv[3], vcpus);
		return 1;
	}
	printf("%" PRIu64 " %" PRIu64 "\n", sum, n);
	return 0;
}

/* --- get: values for the shell ----------------------------------------------- */

static bool get_path(const struct json_span *obj, const char *path, struct json_span *val)
{
	char key[64];
	struct json_span o = *obj;
	size_t n;

	for (;;) {
		n = strcspn(path, ".");
		if (n >= sizeof(key))
			return false;
		memcpy(key, path, n);
		key[n] = 0;
		if (!json_get(&o, key, val))
			return false;
		if (!path[n])
			return true;
		o = *val;
		path += n + 1;
	}
}

static void print_value(struct json_span val, bool first)
{
	if (val.end - val.p >= 2 && *val.p == '"')
		val.p++, val.end--;
	printf("%s%.*s", first ? "" : " ", (int)(val.end - val.p), val.p);
}

bool row_named(const struct json_span *obj, const char *names)
{
	char isa[8], one[48];
	uint64_t code;
	uint32_t want;
	enum exit_isa i;
	size_t n;

	if (!json_get_str(obj, "isa", isa, sizeof(isa)) || !json_get_u64(obj, "code", &code))
		return false;
	i = !strcmp(isa, "VMX") ? EXIT_ISA_VMX : EXIT_ISA_SVM;
	for (; *names; names += n + (names[n] == ',')) {
		n = strcspn(names, ",");
		snprintf(one, sizeof(one), "%.*s", (int)n, names);
		if (!exit_reason_parse(i, one, &want) && want == code)
			return true;
	}
	return false;
}

static int row(int argc, char **argv)
{
	struct json_span line, reasons, cur = {}, obj, val;
	uint64_t pid = 0, row_pid;
	bool found = false;
	char *json;
	int a = 4, i;

	if (argc >= 6 && !strcmp(argv[4], "--pid")) {
		pid = strtoull(argv[5], NULL, 10);
		a = 6;
	}
	if (a >= argc)
		return usage();
	json = json_last_line(WHO, argv[2], "\"exittrace\"", "\"reasons\":[");
	if (!json)
		return 2;
	line = json_span_of(json);
	json_get(&line, "reasons", &reasons);
	while (!found && json_next(&reasons, &cur, &obj))
		found = row_named(&obj, argv[3]) &&
			(!pid || (json_get_u64(&obj, "pid", &row_pid) && row_pid == pid));
	for (i = a; i < argc; i++) {
		if (found && json_get(&obj, argv[i], &val))
			print_value(val, i == a);
		else
			printf("%s0", i == a ? "" : " ");
	}
	printf("\n");
	free(json);
	return 0;
}

/* --- exittrace --by against the probe's keys ------------------------------- */

struct key_id {
	char kind[12];
	char dir[8];
	uint64_t key;
};

static bool key_read(const struct json_span *obj, const char *value_name, struct key_id *k)
{
	memset(k, 0, sizeof(*k));
	return json_get_str(obj, "kind", k->kind, sizeof(k->kind)) &&
	       json_get_str(obj, "dir", k->dir, sizeof(k->dir)) &&
	       json_get_u64(obj, value_name, &k->key);
}

static bool key_same(const struct key_id *a, const struct key_id *b)
{
	return a->key == b->key && !strcmp(a->kind, b->kind) && !strcmp(a->dir, b->dir);
}

/* exittrace's count of @want for @pid, and whether it has the row */
static bool key_count(const struct json_span *rows, uint64_t pid, const struct key_id *want,
		      uint64_t *count)
{
	struct json_span cur = {}, row;
	struct key_id k;
	uint64_t row_pid;

	while (json_next(rows, &cur, &row))
		if (json_get_u64(&row, "pid", &row_pid) && row_pid == pid &&
		    key_read(&row, "key_value", &k) && key_same(&k, want))
			return json_get_u64(&row, "count", count);
	return false;
}

/* Is @k a key the probe lists, or of a kind it does not list as "only"? */
static bool key_expected(const struct json_span *plist, const struct key_id *k)
{
	struct json_span cur = {}, e, only;
	struct key_id pk;
	bool kind_only = false;

	while (json_next(plist, &cur, &e)) {
		if (!key_read(&e, "key", &pk) || strcmp(pk.kind, k->kind))
			continue;
		if (key_same(&pk, k))
			return true;
		kind_only |= json_get(&e, "only", &only) && !strncmp(only.p, "true", 4);
	}
	return !kind_only;
}

static int keys(int argc, char **argv)
{
	struct json_span pobj, eobj, plist, rows, cur = {}, e, since;
	char *pline = NULL, *eline = NULL;
	struct check_args ca;
	unsigned int checked = 0, bad = 0;
	int err = 2;

	/* --pid 0: exittrace without -P, whose rows carry no VM */
	if (argc != 6 || strcmp(argv[4], "--pid") || parse_check_args(argc, argv, &ca))
		return usage();
	pline = json_last_line(WHO, argv[2], "\"exit_probe\"", NULL);
	eline = json_last_line(WHO, argv[3], "\"exittrace\"", "\"keys\":[");
	if (!pline || !eline)
		goto out;
	pobj = json_span_of(pline);
	eobj = json_span_of(eline);
	if (!json_get(&pobj, "keys", &plist) || !json_get(&eobj, "keys", &rows)) {
		fprintf(stderr, WHO ": no \"keys\" array in %s or %s\n", argv[2], argv[3]);
		goto out;
	}
	if (!json_get(&eobj, "since_start", &since) || strncmp(since.p, "true", 4)) {
		fprintf(stderr, WHO ": %s: the last keys line is an interval's, not since start\n", argv[3]);
		goto out;
	}
	printf("%-9s %-12s %-5s %10s %10s\n", "KIND", "KEY", "DIR", "GUEST", "EXITTRACE");
	while (json_next(&plist, &cur, &e)) {
		uint64_t want = 0, got = 0;
		struct key_id k;
		bool found;

		if (!key_read(&e, "key", &k) || !json_get_u64(&e, "count", &want)) {
			fprintf(stderr, WHO ": %s: a key without kind, key, dir or count\n", argv[2]);
			goto out;
		}
		found = key_count(&rows, ca.pid, &k, &got);
		printf("%-9s %#-12" PRIx64 " %-5s %10" PRIu64 " %10" PRIu64 "%s\n", k.kind, k.key, k.dir,
		       want, got, got == want ? "" : found ? "   <- differs" : "   <- missing");
		bad += got != want;
		checked++;
	}
	for (cur = (struct json_span){}; json_next(&rows, &cur, &e);) {
		uint64_t pid = 0, count = 0, lat_count = 0;
		struct key_id k;

		if (!json_get_u64(&e, "pid", &pid) || pid != ca.pid || !key_read(&e, "key_value", &k))
			continue;
		json_get_u64(&e, "count", &count);
		json_get_u64(&e, "lat_count", &lat_count);
		if (!key_expected(&plist, &k)) {
			printf("%-9s %#-12" PRIx64 " %-5s %10s %10" PRIu64 "   <- the guest never used it\n",
			       k.kind, k.key, k.dir, "-", count);
			bad++;
		}
		if (lat_count > count) {
			printf("%-9s %#-12" PRIx64 " %-5s: %" PRIu64 " latencies for %" PRIu64 " events\n",
			       k.kind, k.key, k.dir, lat_count, count);
			bad++;
		}
	}
	if (!checked) {
		fprintf(stderr, WHO ": %s lists no keys: nothing was checked\n", argv[2]);
		goto out;
	}
	printf("%u keys checked, %u problems\n", checked, bad);
	err = bad ? 1 : 0;
out:
	free(pline);
	free(eline);
	return err;
}

#define MAX_VMS	64

static int vms(int argc, char **argv)
{
	struct json_span line, reasons, cur = {}, obj;
	struct { uint64_t pid, exits; char vm[72]; } seen[MAX_VMS];
	unsigned int nr = 0, i, j;
	uint64_t pid, count;
	char vm[72], *json;

	(void)argc;
	json = json_last_line(WHO, argv[2], "\"exittrace\"", "\"reasons\":[");
	if (!json)
		return 2;
	line = json_span_of(json);
	json_get(&line, "reasons", &reasons);
	while (json_next(&reasons, &cur, &obj)) {
		if (!json_get_u64(&obj, "pid", &pid) || !json_get_u64(&obj, "count", &count)) {
			fprintf(stderr, WHO ": %s: a row without pid or count: not exittrace -P\n", argv[2]);
			free(json);
			return 2;
		}
		if (!json_get_str(&obj, "vm", vm, sizeof(vm)) || !vm[0])
			strcpy(vm, "-");
		for (i = 0; i < nr && seen[i].pid != pid; i++)
			;
		if (i == nr && nr == MAX_VMS)
			continue;
		if (i == nr) {
			seen[nr].pid = pid;
			seen[nr].exits = 0;
			snprintf(seen[nr++].vm, sizeof(seen[0].vm), "%s", vm);
		}
		seen[i].exits += count;
	}
	free(json);
	for (i = 0; i < nr; i++) {	/* few VMs: select the next pid */
		unsigned int min = i;

		for (j = i + 1; j < nr; j++)
			if (seen[j].pid < seen[min].pid)
				min = j;
		printf("%" PRIu64 " %s %" PRIu64 "\n", seen[min].pid, seen[min].vm, seen[min].exits);
		seen[min] = seen[i];
	}
	return 0;
}

static int get(int argc, char **argv)
{
	char needle[80], *line;
	struct json_span obj, val;
	int i, missing = 0;

	if (argc < 4)
		return usage();
	snprintf(needle, sizeof(needle), "\"%.*s\":", (int)strcspn(argv[3], "."), argv[3]);
	line = json_last_line(WHO, argv[2], needle, NULL);
	if (!line)
		return 1;
	obj = json_span_of(line);
	for (i = 3; i < argc; i++) {
		if (!get_path(&obj, argv[i], &val)) {
			fprintf(stderr, WHO ": %s: no %s in its last line with %s\n", argv[2], argv[i], needle);
			missing++;
			continue;
		}
		print_value(val, i == 3);
	}
	printf("\n");
	free(line);
	return missing ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int min_argc;
		int (*run)(int argc, char **argv);
	} cmds[] = {
		{ "trace", 4, trace }, { "cross", 4, cross }, { "record", 4, record },
		{ "order", 5, order }, { "qmp", 4, qmp }, { "get", 4, get }, { "row", 5, row },
		{ "keys", 4, keys }, { "vms", 3, vms },
		{ "slow", 4, slow }, { "slow-all", 3, slow_all },
	};
	unsigned int i;

	for (i = 0; argc >= 2 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return argc >= cmds[i].min_argc ? cmds[i].run(argc, argv) : usage();
	return usage();
}
