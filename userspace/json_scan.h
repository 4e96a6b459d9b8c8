/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json_scan.h - read values out of the one-line JSON objects the project's
 * own tools print (exittrace -j, exitstat -j, exit_probe -j).
 *
 * Not a general JSON parser: no escapes beyond skipping \" inside
 * strings, no unicode, no floats beyond strtod.  It finds a key among an
 * object's own members (never inside a nested value), walks arrays, and
 * takes numbers and plain strings.  Every value is a span of the line, so
 * nothing is copied or allocated but the line itself.
 */
#ifndef JSON_SCAN_H
#define JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_span {
	const char *p;		/* first character */
	const char *end;	/* one past the last */
};

/* The whole of the NUL-terminated @text. */
struct json_span json_span_of(const char *text);

/*
 * The value of @key among the members of the object @obj (which starts
 * with '{'): a number, string (with its quotes), object or array.
 */
bool json_get(const struct json_span *obj, const char *key, struct json_span *val);

bool json_get_u64(const struct json_span *obj, const char *key, uint64_t *v);
bool json_get_double(const struct json_span *obj, const char *key, double *v);
/* A string value without its quotes, cut to fit @len (NUL-terminated). */
bool json_get_str(const struct json_span *obj, const char *key, char *buf, size_t len);

/*
 * The elements of the array @arr (which starts with '['), one per call:
 * *@cursor starts zeroed; false after the last.
 */
bool json_next(const struct json_span *arr, struct json_span *cursor, struct json_span *elem);

/* The number @val holds, if it is one. */
bool json_u64(const struct json_span *val, uint64_t *v);

/*
 * The last line of @path that contains @a and @b (@b may be NULL), as a
 * string to free(); NULL (said on stderr, prefixed with @who) if none or
 * if the file cannot be read.
 */
char *json_last_line(const char *who, const char *path, const char *a, const char *b);

#endif /* JSON_SCAN_H */
