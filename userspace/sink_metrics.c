// SPDX-License-Identifier: GPL-2.0
/*
 * sink_metrics.c - the counts since start for Prometheus: --metrics and
 * --openmetrics files rewritten each interval (metrics.h), and --listen's
 * /metrics, which serves the latest of them over HTTP (http.h) (sink.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "metrics.h"
#include "sink.h"

struct metrics_sink {
	struct sink sink;
	struct metrics_file files[2];
	unsigned int nr_files;
	struct http_server *http;
	bool per_vcpu;
	struct snapshot folded;	/* --per-vcpu: the rows by VM and reason */
	int err;		/* the last publish(): a file it could not write */
};

#define to_metrics_sink(s)	sink_container(s, struct metrics_sink)

/*
 * Every file, and what HTTP serves; a failing file is told once, until
 * it works again.  The metrics are keyed by VM and reason: --per-vcpu's
 * rows are added up first.
 */
static int publish(struct metrics_sink *ms, const struct snapshot *since_start,
		   const struct metrics_meta *m)
{
	unsigned int i;
	int err = 0;

	if (ms->per_vcpu) {
		if (snapshot_fold_vcpus(&ms->folded, since_start)) {
			fprintf(stderr, "exittrace: out of memory adding up the vCPUs' rows\n");
			return -ENOMEM;
		}
		since_start = &ms->folded;
	}
	if (ms->http && http_publish(ms->http, since_start, m))
		fprintf(stderr, "exittrace: out of memory: HTTP serves the counts of an earlier interval\n");

	for (i = 0; i < ms->nr_files; i++) {
		struct metrics_file *mf = &ms->files[i];
		int was = mf->err;

		if (metrics_file_update(mf, since_start, m) && mf->err != was)
			fprintf(stderr, "exittrace: cannot write the metrics file %s: %s\n"
				"exittrace: (written as %s, then renamed over it, so its\n"
				"exittrace: directory must exist and be writable)\n",
				mf->path, strerror(-mf->err), mf->tmp);
		if (mf->err)
			err = mf->err;
	}
	return err;
}

static int metrics_sink_interval(struct sink *sink, const struct interval *iv)
{
	const struct snapshot *since_start = collect_since_start(iv->c);

	if (!since_start)
		return -ENOMEM;
	/* a file that cannot be written now is said, and tried again next time */
	to_metrics_sink(sink)->err = publish(to_metrics_sink(sink), since_start, iv->meta);
	return 0;
}

/*
 * The last interval, handed to metrics_sink_interval() just before the
 * end, wrote the counts since start (even in a run shorter than one): a
 * file it could not write fails the run.
 */
static int metrics_sink_end(struct sink *sink, const struct run_end *e)
{
	(void)e;
	return to_metrics_sink(sink)->err ? -EIO : 0;
}

static void metrics_sink_close(struct sink *sink)
{
	struct metrics_sink *ms = to_metrics_sink(sink);

	http_stop(ms->http);
	snapshot_free(&ms->folded);
	free(ms);
}

static const struct sink_ops metrics_ops = {
	.interval = metrics_sink_interval,
	.end = metrics_sink_end,
	.close = metrics_sink_close,
};

/*
 * Name the files, and write each once before tracing starts (with no
 * exits yet), so that a path that cannot be written ends the run now;
 * the same for an address exittrace cannot listen on.  *@out stays NULL
 * when no metrics are asked for.
 */
int sink_metrics_open(struct sink **out, const struct exittrace_args *a,
		      const struct metrics_meta *m)
{
	const char *paths[] = { a->metrics, a->openmetrics };
	const enum metrics_format fmts[] = { METRICS_TEXT, METRICS_OPENMETRICS };
	struct snapshot none = {};
	struct metrics_sink *ms;
	unsigned int i;
	int err = 0;

	*out = NULL;
	if (!a->metrics && !a->openmetrics && !a->listen)
		return 0;
	ms = calloc(1, sizeof(*ms));
	if (!ms) {
		fprintf(stderr, "exittrace: out of memory\n");
		return -ENOMEM;
	}
	ms->sink.ops = &metrics_ops;
	ms->sink.wants_intervals = true;
	ms->per_vcpu = a->per_vcpu;
	for (i = 0; i < 2 && !err; i++) {
		if (!paths[i])
			continue;
		if (metrics_file_init(&ms->files[ms->nr_files], paths[i], fmts[i])) {
			fprintf(stderr, "exittrace: the metrics file name %s is too long\n", paths[i]);
			err = -ENAMETOOLONG;
			break;
		}
		ms->nr_files++;
	}
	if (!err && a->listen)
		err = http_start(&ms->http, (const struct sockaddr *)&a->listen_addr,
				 a->listen_addrlen, a->listen);
	if (!err)
		err = publish(ms, &none, m);
	if (err) {
		metrics_sink_close(&ms->sink);
		return err;
	}
	*out = &ms->sink;
	return 0;
}
