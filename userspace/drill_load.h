/* SPDX-License-Identifier: GPL-2.0 */
/*
 * drill_load.h - the drill-down's part of loading exittrace's BPF object:
 * which of its programs load (only those --by asks for), its map's size,
 * and reading the map.
 */
#ifndef DRILL_LOAD_H
#define DRILL_LOAD_H

#include <stdbool.h>

#include "drilldown.h"

struct exittrace_bpf;

/*
 * Before load: the programs of @kinds (DRILL_KIND() mask; 0: none at all),
 * tp_btf for @btf where the tracepoint's arguments are the ones the
 * program declares, else classic; @max_keys rows.
 */
void drill_configure(struct exittrace_bpf *skel, __u32 kinds, bool btf, unsigned int max_keys);

/* Every row of the drill-down's map into @s, in key order. */
int drill_read(struct exittrace_bpf *skel, struct drill_snap *s);

#endif /* DRILL_LOAD_H */
