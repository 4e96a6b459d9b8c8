// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for json_scan.c: a key is found among an object's own
 * members only, strings may hold what would end a value, arrays walk.
 */
#include <string.h>

#include "json_scan.h"
#include "unit.h"

TEST(json_get_finds_own_members_not_nested_ones)
{
	struct json_span o = json_span_of("{\"end\":{\"total_exits\":5},\"total_exits\":9}");
	struct json_span end;
	uint64_t v = 0;

	CHECK(json_get_u64(&o, "total_exits", &v));
	CHECK_EQ_U64(v, 9);
	CHECK(json_get(&o, "end", &end));
	CHECK(json_get_u64(&end, "total_exits", &v));
	CHECK_EQ_U64(v, 5);
	CHECK(!json_get_u64(&o, "total", &v));		/* a prefix is not the key */
}

TEST(json_strings_may_hold_separators)
{
	struct json_span o = json_span_of("{\"why\":\"a, \\\"b\\\": {c}\", \"n\" : 3}");
	char buf[8];
	uint64_t n = 0;

	CHECK(json_get_u64(&o, "n", &n));
	CHECK_EQ_U64(n, 3);
	CHECK(json_get_str(&o, "why", buf, sizeof(buf)));	/* cut to fit */
	CHECK_EQ_U64(strlen(buf), 7);
}

TEST(json_next_walks_an_array_of_objects)
{
	struct json_span o = json_span_of("{\"r\":[{\"c\":1,\"h\":[1,2]},{\"c\":2},{\"c\":3}]}");
	struct json_span arr, cur = {}, e;
	uint64_t sum = 0, c;
	unsigned int n = 0;

	CHECK(json_get(&o, "r", &arr));
	while (json_next(&arr, &cur, &e)) {
		CHECK(json_get_u64(&e, "c", &c));
		sum += c;
		n++;
	}
	CHECK_EQ_U64(n, 3);
	CHECK_EQ_U64(sum, 6);
}

TEST(json_u64_refuses_what_is_not_a_whole_number)
{
	struct json_span o = json_span_of("{\"a\":-1,\"b\":\"7\",\"c\":1.5}");
	uint64_t v;

	CHECK(!json_get_u64(&o, "a", &v));
	CHECK(!json_get_u64(&o, "b", &v));
	CHECK(!json_get_u64(&o, "c", &v));
}
