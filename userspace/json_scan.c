// SPDX-License-Identifier: GPL-2.0
/*
 * json_scan.c - values out of the project's own one-line JSON objects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"

struct json_span json_span_of(const char *text)
{
	struct json_span s = { text, text + strlen(text) };

	return s;
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past the string that starts at @p (its opening quote). */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++)
		if (*p == '\\' && p + 1 < end)
			p++;
	return p < end ? p + 1 : end;
}

/* Past the value that starts at @p. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	if (p < end && *p == '"')
		return skip_string(p, end);
	if (p < end && *p != '{' && *p != '[') {
		while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ')
			p++;
		return p;
	}
	for (; p < end; p++) {
		if (*p == '"') {
			p = skip_string(p, end) - 1;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (--depth == 0)
				return p + 1;
		}
	}
	return end;
}

bool json_get(const struct json_span *obj, const char *key, struct json_span *val)
{
	size_t n = strlen(key);
	const char *p = skip_space(obj->p, obj->end), *end = obj->end, *k;
	size_t klen;

	if (p >= end || *p != '{')
		return false;
	for (p++;;) {
		p = skip_space(p, end);
		if (p >= end || *p != '"')
			return false;
		k = p + 1;
		p = skip_string(p, end);
		klen = (size_t)(p - 1 - k);
		p = skip_space(p, end);
		if (p >= end || *p != ':')
			return false;
		p = skip_space(p + 1, end);
		if (klen == n && !strncmp(k, key, n)) {
			val->p = p;
			val->end = skip_value(p, end);
			return true;
		}
		p = skip_space(skip_value(p, end), end);
		if (p >= end || *p != ',')
			return false;
		p++;
	}
}

bool json_u64(const struct json_span *val, uint64_t *v)
{
	char *e;

	if (val->p >= val->end || *val->p < '0' || *val->p > '9')
		return false;
	errno = 0;
	*v = strtoull(val->p, &e, 10);
	return !errno && e == val->end;
}

bool json_get_u64(const struct json_span *obj, const char *key, uint64_t *v)
{
	struct json_span val;

	return json_get(obj, key, &val) && json_u64(&val, v);
}

bool json_get_double(const struct json_span *obj, const char *key, double *v)
{
	struct json_span val;
	char *e;

	if (!json_get(obj, key, &val) || val.p >= val.end)
		return false;
	*v = strtod(val.p, &e);
	return e == val.end;
}

bool json_get_str(const struct json_span *obj, const char *key, char *buf, size_t len)
{
	struct json_span val;
	size_t n;

	if (!json_get(obj, key, &val) || val.end - val.p < 2 || *val.p != '"')
		return false;
	n = (size_t)(val.end - val.p - 2);
	if (n >= len)
		n = len - 1;
	memcpy(buf, val.p + 1, n);
	buf[n] = 0;
	return true;
}

bool json_next(const struct json_span *arr, struct json_span *cursor, struct json_span *elem)
{
	const char *p = cursor->p, *end = arr->end;

	if (!p) {
		p = skip_space(arr->p, end);
		if (p >= end || *p != '[')
			return false;
		p++;
	} else {
		p = skip_space(p, end);
		if (p >= end || *p != ',')
			return false;
		p++;
	}
	p = skip_space(p, end);
	if (p >= end || *p == ']')
		return false;
	elem->p = p;
	elem->end = skip_value(p, end);
	cursor->p = elem->end;
	cursor->end = end;
	return true;
}

char *json_last_line(const char *who, const char *path, const char *a, const char *b)
{
	char *line = NULL, *best = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "%s: cannot open %s: %s\n", who, path, strerror(errno));
		return NULL;
	}
	while (getline(&line, &cap, f) > 0) {
		if (!strstr(line, a) || (b && !strstr(line, b)))
			continue;
		free(best);
		best = strdup(line);
	}
	free(line);
	fclose(f);
	if (!best)
		fprintf(stderr, "%s: %s has no JSON line with %s%s%s\n", who, path, a,
			b ? " and " : "", b ? b : "");
	return best;
}
