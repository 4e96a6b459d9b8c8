// SPDX-License-Identifier: GPL-2.0
/*
 * sink_record.c - --record FILE: every interval's rows, the drill-down's
 * keys, the marks and the end, as CSV or JSON lines (record.h) for
 * exitdiff and the timelines (sink.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "sink.h"

struct record_sink {
	struct sink sink;
	const char *path;
	FILE *f;
	enum record_format fmt;
	bool per_vcpu;
	struct snapshot folded;	/* --per-vcpu: rows_by_vm_reason()'s */
};

#define to_record_sink(s)	sink_container(s, struct record_sink)

/*
 * --per-vcpu: the record stays keyed by VM and reason, so it gets each
 * (VM, reason)'s vCPUs added up; NULL when out of memory (said).
 */
static const struct snapshot *rows_by_vm_reason(struct record_sink *r, const struct snapshot *s)
{
	if (!r->per_vcpu)
		return s;
	if (!snapshot_fold_vcpus(&r->folded, s))
		return &r->folded;
	fprintf(stderr, "exittrace: out of memory adding up the vCPUs' rows\n");
	return NULL;
}

/* Flush what was written; a full disk stops the run. */
static int record_flush(struct record_sink *r)
{
	if (fflush(r->f) || ferror(r->f)) {
		fprintf(stderr, "exittrace: writing the record file %s failed: %s\n", r->path,
			strerror(errno));
		return -EIO;
	}
	return 0;
}

static int write_interval(struct record_sink *r, const struct interval *iv)
{
	const struct snapshot *rows = rows_by_vm_reason(r, iv->rows);

	if (!rows)
		return -ENOMEM;
	record_interval(r->f, r->fmt, iv->t0_s, iv->t1_s, rows);
	if (iv->keys)
		record_keys(r->f, r->fmt, iv->t0_s, iv->t1_s, iv->keys);
	return 0;
}

static int record_sink_interval(struct sink *sink, const struct interval *iv)
{
	struct record_sink *r = to_record_sink(sink);
	int err = write_interval(r, iv);

	return err ? err : record_flush(r);
}

static int record_sink_mark(struct sink *sink, double t_s, const char *label)
{
	struct record_sink *r = to_record_sink(sink);

	record_mark(r->f, r->fmt, t_s, label);
	return record_flush(r);
}

static int record_sink_end(struct sink *sink, const struct run_end *e)
{
	struct record_sink *r = to_record_sink(sink);
	const struct snapshot *rows;
	int err;

	rows = rows_by_vm_reason(r, e->since_start);
	if (!rows)
		return -ENOMEM;
	record_end(r->f, r->fmt, e->elapsed_s, rows, e->why);
	err = record_flush(r);
	if (!err && fclose(r->f)) {
		fprintf(stderr, "exittrace: closing the record file %s failed: %s\n", r->path,
			strerror(errno));
		err = -EIO;
	}
	r->f = NULL;
	return err;
}

static void record_sink_close(struct sink *sink)
{
	struct record_sink *r = to_record_sink(sink);

	/* ended early by an error: record_flush() said what went wrong */
	if (r->f)
		fclose(r->f);
	snapshot_free(&r->folded);
	free(r);
}

static const struct sink_ops record_ops = {
	.interval = record_sink_interval,
	.mark = record_sink_mark,
	.end = record_sink_end,
	.close = record_sink_close,
};

struct sink *sink_record_open(const char *path, enum record_format fmt, bool per_vcpu,
			      const struct record_meta *meta)
{
	struct record_sink *r = calloc(1, sizeof(*r));

	if (!r) {
		fprintf(stderr, "exittrace: out of memory\n");
		return NULL;
	}
	r->sink.ops = &record_ops;
	r->sink.wants_intervals = true;
	r->path = path;
	r->fmt = fmt;
	r->per_vcpu = per_vcpu;
	r->f = fopen(path, "w");
	if (!r->f) {
		fprintf(stderr, "exittrace: cannot create the record file %s: %s\n", path,
			strerror(errno));
		free(r);
		return NULL;
	}
	/* big enough for one interval: each is one write() */
	setvbuf(r->f, NULL, _IOFBF, 1 << 16);
	record_header(r->f, fmt, meta);
	if (record_flush(r)) {
		record_sink_close(&r->sink);
		return NULL;
	}
	return &r->sink;
}
