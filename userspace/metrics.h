/* SPDX-License-Identifier: GPL-2.0 */
/*
 * metrics.h - exittrace's metrics for Prometheus: one snapshot written in
 * either of the two text formats Prometheus-side readers take.
 *
 *   METRICS_TEXT         the Prometheus text exposition format 0.0.4: what
 *                        node_exporter's textfile collector reads (and any
 *                        scraper without OpenMetrics).  A counter's HELP and
 *                        TYPE name its samples, kvm_exits_total.
 *   METRICS_OPENMETRICS  OpenMetrics 1.0: HELP and TYPE name the family
 *                        (kvm_exits), the samples add _total, and the text
 *                        ends with "# EOF".  node_exporter's textfile
 *                        collector reads such a file as untyped samples.
 *
 * A file is replaced whole (temp file + rename in its directory), so a
 * reader never sees half of one.
 */
#ifndef METRICS_H
#define METRICS_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "drilldown.h"
#include "report.h"

enum metrics_format {
	METRICS_TEXT,
	METRICS_OPENMETRICS,
};

/* What the metrics say besides the snapshot's rows: how exittrace runs. */
struct metrics_meta {
	const char *version;		/* "0.1" */
	const char *attach;		/* "tp_btf" or "classic" */
	bool latency;			/* exit -> entry measured: the histogram */
	bool kvm_time;			/* time in KVM measured: its counter */
	__u64 drops_stats_full;		/* exits not counted: map full */
	__u64 drops_no_vendor;		/* exits not counted: no reason read */
	__u64 drops_vcpus_full;		/* latencies not measured: no task storage */
	__u64 drops_keys_full;		/* --by: events not counted, map full */
	/* --by: the top N keys per VM and kind since start, or NULL */
	const struct drill_snap *keys;
	const struct vm_names *names;	/* -P: a vm label by pid, or NULL */
};

/* The HTTP Content-Type of @fmt. */
const char *metrics_content_type(enum metrics_format fmt);

/*
 * What an HTTP request's Accept header asks for: OpenMetrics if it lists
 * application/openmetrics-text with a weight above 0 (as Prometheus does,
 * first), else (also with no header) the text format.
 */
enum metrics_format metrics_format_for_accept(const char *accept);

/* Write @cumulative (rows since start) and @m to @f in @fmt. */
int metrics_write(FILE *f, enum metrics_format fmt, const struct snapshot *cumulative,
		  const struct metrics_meta *m);

/* One metrics file, rewritten whole at each update. */
struct metrics_file {
	const char *path;
	enum metrics_format fmt;
	char tmp[PATH_MAX];		/* beside path: rename() stays in one file system */
	int err;			/* the last update's: 0 or -errno */
};

/* @path's temp file name, beside it; -ENAMETOOLONG if it does not fit. */
int metrics_file_init(struct metrics_file *mf, const char *path, enum metrics_format fmt);

/*
 * Write the next version to the temp file and rename it over the path.
 * Returns 0 or -errno (kept in mf->err too); on failure the file is left
 * as it was and no temp file stays behind.
 */
int metrics_file_update(struct metrics_file *mf, const struct snapshot *cumulative,
			const struct metrics_meta *m);

#endif /* METRICS_H */
