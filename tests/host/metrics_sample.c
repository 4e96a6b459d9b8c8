// SPDX-License-Identifier: GPL-2.0
/*
 * metrics_sample - write exittrace's metrics for a made-up VM, so that the
 * real readers (promtool, node_exporter) can be shown counters and
 * histograms with values on a host where no VM exits (tests/host/metrics.sh).
 *
 *   metrics_sample text|openmetrics FILE
 *
 * The VM, pid 4242 on AMD (SVM), as exittrace -P would see it:
 *   CPUID  1072 exits, 1000 in [1024, 2048) ns and 72 in [2048, 4096) ns,
 *          1.5 ms in all, 1.2 ms of it in KVM
 *   IOIO    204 exits, 2 unpaired; of the 202 timed, 150 in [8192, 16384)
 *          ns, 50 in [16384, 32768) ns, 2 over 2^31 ns (3 s each): 6.0025 s
 *   HLT      10 exits in [2^20, 2^21) ns, 15 ms in all
 * and 3 latencies lost for want of task storage; with --by port,mmio:
 *   port 0x5c20 out  150 events, 2.1 ms of latency ended there
 *   mmio 0xfee00300 write  30 events, none timed
 */
#include <stdio.h>
#include <string.h>

#include "metrics.h"

static void add(struct snapshot *s, __u32 reason, __u64 count, __u64 unpaired, __u64 lat_sum_ns,
		__u64 kvm_sum_ns, const unsigned int *slots, const __u64 *in_slot, unsigned int n)
{
	struct exit_key key = { .tgid = 4242, .isa = 2, .reason = reason };
	struct exit_stats st = { .count = count, .unpaired = unpaired, .lat_sum_ns = lat_sum_ns,
				 .kvm_count = count, .kvm_sum_ns = kvm_sum_ns };
	unsigned int i;

	for (i = 0; i < n; i++) {
		st.hist[slots[i]] = in_slot[i];
		st.lat_count += in_slot[i];
	}
	snapshot_add(s, &key, &st);
}

int main(int argc, char **argv)
{
	struct drill_row key_rows[] = {
		{ { .tgid = 4242, .kind = DRILL_PORT, .dir = DRILL_DIR_WRITE, .key = 0x5c20 },
		  { .count = 150, .lat_count = 150, .lat_sum_ns = 2100000 } },
		{ { .tgid = 4242, .kind = DRILL_MMIO, .dir = DRILL_DIR_WRITE, .key = 0xfee00300 },
		  { .count = 30 } },
	};
	const struct drill_snap keys = { .rows = key_rows, .nr = 2, .cap = 2 };
	const struct metrics_meta meta = {
		.version = "sample", .attach = "tp_btf", .latency = true, .kvm_time = true,
		.drops_vcpus_full = 3, .keys = &keys,
	};
	struct metrics_file mf;
	struct snapshot s = {};
	enum metrics_format fmt;
	int err;

	if (argc != 3 || (strcmp(argv[1], "text") && strcmp(argv[1], "openmetrics"))) {
		fprintf(stderr, "usage: metrics_sample text|openmetrics FILE\n");
		return 64;
	}
	fmt = strcmp(argv[1], "text") ? METRICS_OPENMETRICS : METRICS_TEXT;
	add(&s, 0x72, 1072, 0, 1500000, 1200000,
	    (const unsigned int[]){ 10, 11 }, (const __u64[]){ 1000, 72 }, 2);
	add(&s, 0x7b, 204, 2, 6002500000ULL, 404000,
	    (const unsigned int[]){ 13, 14, 31 }, (const __u64[]){ 150, 50, 2 }, 3);
	add(&s, 0x78, 10, 0, 15000000, 10000,
	    (const unsigned int[]){ 20 }, (const __u64[]){ 10 }, 1);
	err = metrics_file_init(&mf, argv[2], fmt);
	if (!err)
		err = metrics_file_update(&mf, &s, &meta);
	if (err)
		fprintf(stderr, "metrics_sample: cannot write %s: %s\n", argv[2], strerror(-err));
	snapshot_free(&s);
	return err ? 1 : 0;
}
