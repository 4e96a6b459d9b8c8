// SPDX-License-Identifier: GPL-2.0
/*
 * prog_stats.c - the run counts and run times the kernel keeps for each
 * BPF program while kernel.bpf_stats_enabled is on.
 */
#include <stdbool.h>
#include <string.h>
#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "prog_stats.h"

void prog_stats_json(FILE *f, const struct bpf_object *obj)
{
	struct bpf_program *prog;
	bool first = true;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		memset(&info, 0, sizeof(info));
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) || !info.run_cnt)
			continue;
		fprintf(f, "%s\"%s\":{\"runs\":%llu,\"ns\":%llu}",
			first ? ",\"prog_stats\":{" : ",", bpf_program__name(prog),
			(unsigned long long)info.run_cnt, (unsigned long long)info.run_time_ns);
		first = false;
	}
	if (!first)
		fprintf(f, "}");
}
