// SPDX-License-Identifier: GPL-2.0
/*
 * report.c - what each case costs per event and per exit round trip.
 *
 * The median of a case's timed runs less the median of the bare runs,
 * and the minimum less the minimum (stats.c says why both).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "report.h"
#include "stats.h"

/*
 * The denominators: a CPUID exit round trip on bare-metal Intel, from
 * kvm-unit-tests' vmexit_cpuid as quoted on the KVM mailing list
 * (December 2024): about 1,020-1,100 TSC cycles with mitigations off,
 * 1,600 and more with them on.
 */
#define CPUID_RT_OFF_LO		1020.0
#define CPUID_RT_OFF_HI		1100.0
#define CPUID_RT_ON		1600.0

/* Issue 19, part 2: native targets per exit round trip */
#define TARGET_DEFAULT		380.0
#define TARGET_NO_LATENCY	110.0

/* cycles per event of @c itself, bare loop subtracted */
static void per_event(const struct bench_case *c, const struct run_info *run,
		      double *med, double *min)
{
	*med = (stats_median(c->cycles, run->rounds) - stats_median(run->bare, run->nr_bare)) / run->events;
	*min = (stats_minimum(c->cycles, run->rounds) - stats_minimum(run->bare, run->nr_bare)) / run->events;
}

struct figure case_figure(const struct bench_case *c, const struct run_info *run)
{
	struct figure f = { 0 };

	if (c->skip[0])
		return f;
	per_event(c, run, &f.ev_med, &f.ev_min);
	f.rt_med = f.ev_med * c->rt_events;
	f.rt_min = f.ev_min * c->rt_events;
	f.valid = true;
	return f;
}

static const struct bench_case *find(const struct case_table *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->c[i].id, id))
			return &t->c[i];
	return NULL;
}

/* per round trip, median; < 0 when the case is missing or was skipped */
static double rt_of(const struct case_table *t, const struct run_info *run, const char *id)
{
	const struct bench_case *c = find(t, id);
	struct figure f;

	if (!c)
		return -1;
	f = case_figure(c, run);
	return f.valid ? f.rt_med : -1;
}

static void print_target(FILE *out, const char *what, double got, double target)
{
	if (got < 0)
		fprintf(out, "  %-34s not measured\n", what);
	else
		fprintf(out, "  %-34s %6.0f cycles, target <= %.0f: %s\n", what, got, target,
		       got <= target ? "holds" : "DOES NOT HOLD");
}

/* per round trip, median and minimum; false when missing or skipped */
static bool rt_both(const struct case_table *t, const struct run_info *run, const char *id,
		    double v[2])
{
	const struct bench_case *c = find(t, id);
	struct figure f;

	if (!c)
		return false;
	f = case_figure(c, run);
	v[0] = f.rt_med;
	v[1] = f.rt_min;
	return f.valid;
}

/* exittrace's default round trip, piece by piece, from the other cases */
static void print_breakdown(FILE *out, const struct case_table *t, const struct run_info *run)
{
	double empty[2], ktime[2], ts[2], floor[2], def[2], cnt[2], nolat[2], pvm[2], kt[2], nosc[2];
	double standin[2], tsd[2] = { -1, -1 }, put[2];

	if (!rt_both(t, run, "empty_tp_btf", empty) || !rt_both(t, run, "ktime", ktime) ||
	    !rt_both(t, run, "task_storage", ts) || !rt_both(t, run, "latency_floor", floor) ||
	    !rt_both(t, run, "et_default", def))
		return;
	fprintf(out, "\nWhere exittrace's default round trip goes (cycles per round trip, median / min):\n");
	fprintf(out, "  dispatch, 2 tp_btf runs (empty programs)     %6.0f / %6.0f\n", empty[0], empty[1]);
	fprintf(out, "  2 x bpf_ktime_get_ns                         %6.0f / %6.0f\n",
	       ktime[0] - empty[0], ktime[1] - empty[1]);
	fprintf(out, "  2 x task-storage get (create on the exit)    %6.0f / %6.0f\n",
	       ts[0] - empty[0], ts[1] - empty[1]);
	fprintf(out, "  sum: the least a per-thread latency costs    %6.0f / %6.0f (measured as one program: %.0f / %.0f)\n",
	       ktime[0] + ts[0] - empty[0], ktime[1] + ts[1] - empty[1], floor[0], floor[1]);
	/* the floor gets its pending exit from task storage, as exittrace did before the slot */
	if (rt_both(t, run, "et_task_storage", tsd)) {
		fprintf(out, "  exittrace with exits in task storage         %6.0f / %6.0f\n", tsd[0], tsd[1]);
		fprintf(out, "    its bookkeeping beyond the floor           %6.0f / %6.0f (counters, min/max, histogram, checks)\n",
			tsd[0] - floor[0], tsd[1] - floor[1]);
	} else {
		fprintf(out, "  exittrace's bookkeeping beyond that          %6.0f / %6.0f (counters, min/max, histogram, checks)\n",
			def[0] - floor[0], def[1] - floor[1]);
	}
	if (rt_both(t, run, "et_no_self_check", nosc))
		fprintf(out, "    of which the self-check's steady state     %6.0f / %6.0f\n",
		       def[0] - nosc[0], def[1] - nosc[1]);
	if (tsd[0] > 0)
		fprintf(out, "  the per-CPU slot instead of task storage     %6.0f / %6.0f\n",
			def[0] - tsd[0], def[1] - tsd[1]);
	fprintf(out, "  exittrace default                            %6.0f / %6.0f\n", def[0], def[1]);
	if (rt_both(t, run, "count_floor", cnt) && rt_both(t, run, "et_no_latency", nolat))
		fprintf(out, "  --no-latency: one per-CPU counter on kvm_exit %.0f / %.0f, exittrace %.0f / %.0f\n",
		       cnt[0], cnt[1], nolat[0], nolat[1]);
	if (rt_both(t, run, "vcpu_standin", standin))
		fprintf(out, "  (the bench's vCPU stand-in, in every exittrace figure: %.0f / %.0f)\n",
			standin[0] - empty[0], standin[1] - empty[1]);
	if (rt_both(t, run, "et_per_vm", pvm))
		fprintf(out, "  -P adds %.0f / %.0f cycles to the default round trip\n",
		       pvm[0] - def[0], pvm[1] - def[1]);
	if (rt_both(t, run, "et_put", put))
		fprintf(out, "  an exit whose vCPU thread leaves the CPU first (moved at the put, a third\n"
			"  program): %.0f / %.0f cycles, %.0f / %.0f more than one that stays\n",
			put[0], put[1], put[0] - def[0], put[1] - def[1]);
	if (rt_both(t, run, "et_kvm_time", kt))
		fprintf(out, "  time in KVM (a third program, on_handled()) adds %.0f / %.0f cycles\n",
		       kt[0] - def[0], kt[1] - def[1]);
}

/* the table's sections, in the order a reader wants them */
static const struct {
	const char *group, *title;
} sections[] = {
	{ "exittrace", "exittrace's own hot path (bpf/exittrace.bpf.c), by mode" },
	{ "peer", "what a user could run instead" },
	{ "floor", "the dispatch floor: programs that do nothing" },
	{ "piece", "pieces of exittrace's default" },
};

#define NR_SECTIONS (sizeof(sections) / sizeof(sections[0]))

void report_table(FILE *out, const struct case_table *t, const struct run_info *run)
{
	size_t g;
	double ns = 1e9 / run->tsc_hz, bare_med, bare_min;
	const struct bench_case *c;
	struct figure f;
	size_t i;

	bare_med = stats_median(run->bare, run->nr_bare) / run->events;
	bare_min = stats_minimum(run->bare, run->nr_bare) / run->events;
	fprintf(out, "\nNative cost of watching an exit: %s, %s%s\n", run->mach.kernel, run->mach.cpu_model,
	       run->mach.guest ? " (a guest)" : "");
	fprintf(out, "%u rounds of %llu events on CPU %d; TSC %.3f GHz (measured);\nload %s\n",
	       run->rounds, (unsigned long long)run->events, run->cpu, run->tsc_hz / 1e9, run->load);
	fprintf(out, "bare loop (driver, nothing attached, %u runs): %.1f cycles per event median, %.1f min;\n"
	       "subtracted below (median from median, minimum from minimum)\n",
	       run->nr_bare, bare_med, bare_min);
	fprintf(out, "an exit round trip = kvm_exit + kvm_entry: 2 events (1 where only kvm_exit is\n"
	       "watched; 3 with time in KVM: exit, handled, entry)\n\n");
	fprintf(out, "%-40s %14s %14s %9s %13s\n", "", "cycles/event", "cycles/round", "ns/round", "% of CPUID");
	fprintf(out, "%-40s %6s %7s %6s %7s %9s %6s %6s\n", "case", "median", "min", "median", "min",
	       "median", "off", "on");
	for (g = 0; g < NR_SECTIONS; g++) {
		fprintf(out, "-- %s\n", sections[g].title);
		for (i = 0; i < t->nr; i++) {
			c = &t->c[i];
			if (strcmp(c->group, sections[g].group))
				continue;
			f = case_figure(c, run);
			if (!f.valid) {
				fprintf(out, "%-40s not measured: %s\n", c->label, c->skip);
				continue;
			}
			fprintf(out, "%-40s %6.1f %7.1f %6.0f %7.0f %9.1f %5.0f%% %5.0f%%\n", c->label,
			       f.ev_med, f.ev_min, f.rt_med, f.rt_min, f.rt_med * ns,
			       100 * f.rt_med / CPUID_RT_OFF_HI, 100 * f.rt_med / CPUID_RT_ON);
		}
	}
	fprintf(out, "\n%% of CPUID: the median round trip over a native CPUID exit round trip\n"
	       "(kvm-unit-tests vmexit_cpuid, recent Intel, KVM list, December 2024):\n"
	       "'off' %.0f cycles (mitigations off; %.0f-%.0f quoted), 'on' %.0f (mitigations on).\n",
	       CPUID_RT_OFF_HI, CPUID_RT_OFF_LO, CPUID_RT_OFF_HI, CPUID_RT_ON);
	c = find(t, "et_default");
	if (c && (f = case_figure(c, run)).valid)
		fprintf(out, "Watching with exittrace's default adds %.0f-%.0f %% to a CPUID exit "
		       "(mitigations off), %.0f %% (on).\n",
		       100 * f.rt_med / CPUID_RT_OFF_HI, 100 * f.rt_med / CPUID_RT_OFF_LO,
		       100 * f.rt_med / CPUID_RT_ON);

	print_breakdown(out, t, run);

	fprintf(out, "\nIssue 19's targets (native, per exit round trip, median):\n");
	print_target(out, "exittrace default", rt_of(t, run, "et_default"), TARGET_DEFAULT);
	print_target(out, "exittrace --no-latency", rt_of(t, run, "et_no_latency"), TARGET_NO_LATENCY);

	fprintf(out, "\nEvery observer saw every event:\n");
	for (i = 0; i < t->nr; i++)
		if (!t->c[i].skip[0])
			fprintf(out, "  %-40s %s\n", t->c[i].label, t->c[i].check);

	fprintf(out, "\nCaveats: ");
	machine_print(out, &run->mach);
	fprintf(out, "Calls and returns (retpolines, return thunks) cost more here than on bare\n"
	       "metal, and a guest's TSC cycles include the host's interruptions (the\n"
	       "minimum is the least disturbed).  The published denominators are Intel\n"
	       "figures, the numerators this CPU's.  The exit reason is not read from the\n"
	       "vendor's vCPU struct here (no kvm_intel/kvm_amd on this host): the beds\n"
	       "time that read.  Time in KVM's middle program is a tp_btf program here, not\n"
	       "the fexit of handle_exit() (this host refuses fentry/fexit programs).\n");
}

static int write_csv(const struct case_table *t, const struct run_info *run, const char *dir)
{
	double ns = 1e9 / run->tsc_hz;
	struct figure f;
	unsigned int r;
	size_t i;
	FILE *out;

	out = csv_create(dir, "native.csv",
			 "id,label,group,events_per_round_trip,event_cycles_median,event_cycles_min,"
			 "round_trip_cycles_median,round_trip_cycles_min,round_trip_ns_median,"
			 "round_trip_ns_min,pct_cpuid_1100,pct_cpuid_1600,check");
	if (!out)
		return -errno;
	for (i = 0; i < t->nr; i++) {
		f = case_figure(&t->c[i], run);
		if (!f.valid)
			continue;
		fprintf(out, "%s,\"%s\",%s,%u,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,\"%s\"\n",
			t->c[i].id, t->c[i].label, t->c[i].group, t->c[i].rt_events,
			f.ev_med, f.ev_min, f.rt_med, f.rt_min, f.rt_med * ns, f.rt_min * ns,
			100 * f.rt_med / CPUID_RT_OFF_HI, 100 * f.rt_med / CPUID_RT_ON, t->c[i].check);
	}
	fclose(out);

	/* every timed run, for anyone who wants other statistics */
	out = csv_create(dir, "rounds.csv", "round,id,events,cycles");
	if (!out)
		return -errno;
	csv_bare_runs(out, run->bare, run->nr_bare, t->nr + 1, run->events);
	for (r = 0; r < run->rounds; r++) {
		for (i = 0; i < t->nr; i++)
			if (!t->c[i].skip[0])
				fprintf(out, "%u,%s,%llu,%llu\n", r, t->c[i].id,
					(unsigned long long)run->events,
					(unsigned long long)t->c[i].cycles[r]);
	}
	fclose(out);
	return 0;
}

/* bars of the median round trip, ticks at the minimum, lines at the CPUID exit */
static int write_chart(const struct case_table *t, const struct run_info *run, const char *dir)
{
	char path[512], cmd[1100];
	struct figure f;
	size_t i, g;
	FILE *dat, *gp;

	snprintf(path, sizeof(path), "%s/chart.dat", dir);
	dat = fopen(path, "w");
	if (!dat)
		return -errno;
	for (g = 0; g < NR_SECTIONS; g++) {
		for (i = 0; i < t->nr; i++) {
			f = case_figure(&t->c[i], run);
			if (f.valid && !strcmp(t->c[i].group, sections[g].group))
				fprintf(dat, "\"%s\" %.1f %.1f %zu\n", t->c[i].label, f.rt_med,
					f.rt_min, g + 1);
		}
	}
	fclose(dat);

	snprintf(path, sizeof(path), "%s/chart.gp", dir);
	gp = fopen(path, "w");
	if (!gp)
		return -errno;
	fprintf(gp,
		"set terminal pngcairo size 1400,800 noenhanced font ',10'\n"
		"set output '%s/native.png'\n"
		"set title 'Cost of watching one KVM exit round trip (exit + entry), native, %s%s'\n"
		"set ylabel 'TSC cycles per exit round trip (bar: median, dot: min)'\n"
		"set style fill solid 0.6 border -1\n"
		"set boxwidth 0.7\n"
		"set xtics rotate by 35 right\n"
		"set grid ytics\n"
		"set yrange [0:2000<*]\n"
		"set bmargin 14\n"
		"set lmargin 14\n"
		"set key top left horizontal\n"
		"plot '%s/chart.dat' using 0:($4 == 1 ? $2 : 1/0):xtic(1) with boxes lc rgb '#9933cc' "
		"title 'exittrace', \\\n"
		"     '' using 0:($4 == 2 ? $2 : 1/0) with boxes lc rgb '#33aa88' title 'peers', \\\n"
		"     '' using 0:($4 == 3 ? $2 : 1/0) with boxes lc rgb '#66bbee' title 'floors', \\\n"
		"     '' using 0:($4 == 4 ? $2 : 1/0) with boxes lc rgb '#eebb44' title 'pieces', \\\n"
		"     '' using 0:3 with points pt 7 lc black title 'min', \\\n"
		"     %.0f with lines dt 2 lw 2 lc rgb '#3366cc' title 'CPUID exit, mitigations off (%.0f-%.0f)', \\\n"
		"     %.0f with lines dt 1 lw 2 lc rgb '#cc3333' title 'CPUID exit, mitigations on (1,600+)'\n",
		dir, run->mach.cpu_model, run->mach.guest ? " (a guest)" : "", dir, CPUID_RT_OFF_HI, CPUID_RT_OFF_LO, CPUID_RT_OFF_HI,
		CPUID_RT_ON);
	fclose(gp);
	snprintf(cmd, sizeof(cmd), "gnuplot '%s' 2>'%s/chart.err'", path, dir);
	if (system(cmd)) {
		/* pngcairo may be missing from a minimal gnuplot: the plain png terminal then */
		snprintf(cmd, sizeof(cmd), "sed -i 's/pngcairo/png/' '%s' && gnuplot '%s' 2>'%s/chart.err'",
			 path, path, dir);
		if (system(cmd))
			return -EIO;
	}
	return 0;
}

int report_files(const struct case_table *t, const struct run_info *run, const char *dir)
{
	char path[512];
	FILE *out;
	int err = write_csv(t, run, dir);

	snprintf(path, sizeof(path), "%s/table.txt", dir);
	out = fopen(path, "w");
	if (out) {
		report_table(out, t, run);
		fclose(out);
	}

	if (err) {
		fprintf(stderr, "native: cannot write the CSV under %s: %s\n", dir, strerror(-err));
		return err;
	}
	err = write_chart(t, run, dir);
	if (err)
		fprintf(stderr, "native: gnuplot did not draw the chart (see %s/chart.err)\n", dir);
	else
		printf("\nwrote %s/: table.txt, native.csv, rounds.csv, native.png\n", dir);
	return err;
}
