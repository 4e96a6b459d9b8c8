// SPDX-License-Identifier: GPL-2.0
/*
 * bedcheck_slow.c - bedcheck's checks of exittrace --slower-than.
 *
 *   bedcheck slow SLOW_EXIT.out EXITTRACE.json [--keys]
 *	exittrace reported each slow exit slow_exit's VM made (its JSON
 *	names them: reasons, vCPU id, count, the least latency each must
 *	have), with its vCPU, reason and a latency at least that long, and
 *	nothing else; its final line counts them all and lost none.  With
 *	--keys (exittrace ran with --by port), each event names the key
 *	slow_exit gives the exit: its port and direction, or none.
 *   bedcheck slow-all EXITTRACE.json
 *	with a threshold every exit passes (1ns): each exit whose latency
 *	was measured was either reported or counted lost, none twice.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedcheck.h"

#define MAX_SLOW	4

/* A drill-down key as the JSON names it; kind "none": no key */
struct slow_key {
	char kind[12], dir[8];
	uint64_t value;
};

struct want_slow {
	char reasons[48];
	uint64_t vcpu, count, at_least_ns;
	struct slow_key key;
	uint64_t got, short_ones, min_ns, wrong_key;
};

/* @obj's key_kind, key_value, key_dir; a null or absent kind is "none" */
static void read_key(const struct json_span *obj, struct slow_key *k)
{
	memset(k, 0, sizeof(*k));
	if (!json_get_str(obj, "key_kind", k->kind, sizeof(k->kind)) || !k->kind[0])
		strcpy(k->kind, "none");
	json_get_str(obj, "key_dir", k->dir, sizeof(k->dir));
	json_get_u64(obj, "key_value", &k->value);
}

static bool key_equal(const struct slow_key *a, const struct slow_key *b)
{
	if (strcmp(a->kind, b->kind))
		return false;
	return !strcmp(a->kind, "none") || (a->value == b->value && !strcmp(a->dir, b->dir));
}

static const char *key_str(const struct slow_key *k, char *buf, size_t len)
{
	if (!strcmp(k->kind, "none"))
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%s %#" PRIx64 " %s", k->kind, k->value, k->dir);
	return buf;
}

static int read_wanted(const char *path, struct want_slow *w, unsigned int *nr, uint64_t *pid)
{
	struct json_span obj, arr, cur = {}, e;
	char *line = json_last_line(WHO, path, "\"tool\":\"slow_exit\"", NULL);

	*nr = 0;
	if (!line)
		return -1;
	obj = json_span_of(line);
	if (!json_get_u64(&obj, "pid", pid) || !json_get(&obj, "slow", &arr)) {
		fprintf(stderr, WHO ": %s: no pid or slow list in slow_exit's line\n", path);
		free(line);
		return -1;
	}
	while (*nr < MAX_SLOW && json_next(&arr, &cur, &e)) {
		memset(&w[*nr], 0, sizeof(w[*nr]));
		if (!json_get_str(&e, "reasons", w[*nr].reasons, sizeof(w[*nr].reasons)) ||
		    !json_get_u64(&e, "vcpu", &w[*nr].vcpu) || !json_get_u64(&e, "count", &w[*nr].count) ||
		    !json_get_u64(&e, "at_least_ns", &w[*nr].at_least_ns))
			break;
		read_key(&e, &w[*nr].key);
		(*nr)++;
	}
	free(line);
	return *nr ? 0 : -1;
}

/* exittrace's final line: what it says it reported and lost. */
static int read_final(const char *path, uint64_t *reported, uint64_t *lost)
{
	char *line = json_last_line(WHO, path, "\"final\":true", NULL);
	struct json_span obj;
	bool ok;

	if (!line)
		return -1;
	obj = json_span_of(line);
	ok = json_get_u64(&obj, "slow_exits", reported) && json_get_u64(&obj, "slow_exits_lost", lost);
	if (!ok)
		fprintf(stderr, WHO ": %s: its final line has no slow_exits counts (no --slower-than?)\n", path);
	free(line);
	return ok ? 0 : -1;
}

/*
 * Each event line of @path to @fn; the number of them, or -1 if the file
 * cannot be read.
 */
static long for_each_event(const char *path, void (*fn)(const struct json_span *, void *), void *ctx)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	long n = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		struct json_span obj = json_span_of(line);

		if (!strstr(line, "\"slow_exit\":true"))
			continue;
		n++;
		if (fn)
			fn(&obj, ctx);
	}
	free(line);
	fclose(f);
	return n;
}

struct slow_match {
	struct want_slow *w;
	unsigned int nr;
	uint64_t pid;
	bool keys;		/* --keys: each event's key is checked */
	unsigned int unexpected;
};

static void match_event(const struct json_span *ev, void *ctx)
{
	struct slow_match *m = ctx;
	uint64_t pid = 0, vcpu = ~0ULL, lat = 0;
	char isa[8] = "?", name[48] = "?";
	unsigned int i;

	json_get_u64(ev, "pid", &pid);
	json_get_u64(ev, "vcpu", &vcpu);
	json_get_u64(ev, "latency_ns", &lat);
	for (i = 0; pid == m->pid && i < m->nr; i++) {
		struct want_slow *w = &m->w[i];

		if (w->vcpu != vcpu || !row_named(ev, w->reasons))
			continue;
		w->got++;
		if (lat < w->at_least_ns)
			w->short_ones++;
		if (m->keys) {
			struct slow_key got;
			char a[40], b[40];

			read_key(ev, &got);
			if (!key_equal(&got, &w->key)) {
				printf("wrong key: vcpu %" PRIu64 " %s: %s, not %s\n", vcpu, w->reasons,
				       key_str(&got, a, sizeof(a)), key_str(&w->key, b, sizeof(b)));
				w->wrong_key++;
			}
		}
		if (!w->min_ns || lat < w->min_ns)
			w->min_ns = lat;
		return;
	}
	json_get_str(ev, "isa", isa, sizeof(isa));
	json_get_str(ev, "name", name, sizeof(name));
	printf("unexpected: pid %" PRIu64 " vcpu %" PRIu64 " %s %s, %" PRIu64 " ns\n",
	       pid, vcpu, isa, name, lat);
	m->unexpected++;
}

int slow(int argc, char **argv)
{
	struct want_slow w[MAX_SLOW];
	struct slow_match m = { .w = w };
	uint64_t reported, lost, wanted = 0;
	unsigned int i, bad = 0;
	long events;

	if (argc == 5 && !strcmp(argv[4], "--keys"))
		m.keys = true;
	else if (argc != 4)
		return 64;
	if (read_wanted(argv[2], w, &m.nr, &m.pid) || read_final(argv[3], &reported, &lost))
		return 2;
	events = for_each_event(argv[3], match_event, &m);
	if (events < 0)
		return 2;
	printf("%-20s %5s %6s %9s %14s %14s%s\n", "REASON", "VCPU", "WANT", "REPORTED", "MIN LATENCY",
	       "AT LEAST", m.keys ? "  KEY (all events)" : "");
	for (i = 0; i < m.nr; i++) {
		bool ok = w[i].got == w[i].count && !w[i].short_ones && !w[i].wrong_key;
		char k[40];

		printf("%-20s %5" PRIu64 " %6" PRIu64 " %9" PRIu64 " %11.3f ms %11.3f ms%s%s%s\n",
		       w[i].reasons, w[i].vcpu, w[i].count, w[i].got, w[i].min_ns / 1e6,
		       w[i].at_least_ns / 1e6, m.keys ? "  " : "", m.keys ? key_str(&w[i].key, k, sizeof(k)) : "",
		       ok ? "" : "  <-- differs");
		wanted += w[i].count;
		bad += !ok;
	}
	if ((uint64_t)events != reported || lost) {
		printf("slow: %ld event lines, the final line says %" PRIu64 " reported and %" PRIu64 " lost\n",
		       events, reported, lost);
		bad++;
	}
	if (bad || m.unexpected) {
		printf("slow: %u kind(s) differ, %u unexpected event(s)\n", bad, m.unexpected);
		return 1;
	}
	printf("slow: all %" PRIu64 " slow exits reported, each at least as slow as made%s, and nothing else\n",
	       wanted, m.keys ? " and with its key" : "");
	return 0;
}

int slow_all(int argc, char **argv)
{
	struct json_span line, reasons, cur = {}, obj;
	uint64_t reported, lost, timed = 0, n;
	char *json;
	long events;

	if (argc != 3)
		return 64;
	if (read_final(argv[2], &reported, &lost))
		return 2;
	events = for_each_event(argv[2], NULL, NULL);
	json = json_last_line(WHO, argv[2], "\"exittrace\"", "\"reasons\":[");
	if (events < 0 || !json)
		return 2;
	line = json_span_of(json);
	json_get(&line, "reasons", &reasons);
	while (json_next(&reasons, &cur, &obj))
		if (json_get_u64(&obj, "lat_count", &n))
			timed += n;
	free(json);
	printf("slow-all: %" PRIu64 " exits timed; %ld event lines, %" PRIu64 " reported, %" PRIu64 " lost\n",
	       timed, events, reported, lost);
	if ((uint64_t)events != reported || reported + lost != timed || !timed) {
		printf("slow-all: every timed exit must be reported or lost, once: they differ\n");
		return 1;
	}
	printf("slow-all: all %" PRIu64 " timed exits accounted for: %" PRIu64 " reported + %" PRIu64 " lost\n",
	       timed, reported, lost);
	return 0;
}
