// SPDX-License-Identifier: GPL-2.0
/*
 * slow_exits.c - print --slower-than's events (see slow_exits.h).
 */
#include <stdio.h>
#include <time.h>

#include "drilldown.h"
#include "exit_reasons.h"
#include "report.h"
#include "slow_exits.h"

/* When the exit began: seconds since start, or the time of day (-T). */
static const char *when(const struct slow_exit *e, const struct slow_exits_opts *o,
			char *buf, size_t len)
{
	double since = ((double)e->exit_ns - (double)o->start_mono_ns) / 1e9;
	double unix_s = o->start_unix_s + since;
	time_t secs = (time_t)unix_s;
	struct tm tm;

	if (!o->wall_clock) {
		snprintf(buf, len, "%11.6fs", since);
		return buf;
	}
	localtime_r(&secs, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (long)((unix_s - (double)secs) * 1e6));
	return buf;
}

/* --by: the exit's key as the drill-down's table shows it, or NULL */
static const struct drill_key *key_of(const struct slow_exit *e, struct drill_key *k)
{
	if (e->key_kind == DRILL_NONE || e->key_kind >= DRILL_NR)
		return NULL;
	*k = (struct drill_key){ .tgid = e->tgid, .kind = e->key_kind, .dir = e->key_dir, .key = e->key };
	return k;
}

static void print_line(const struct slow_exit *e, const struct slow_exits_opts *o,
		       const char *reason)
{
	char t[32], lat[16], kvm[16], text[24];
	const struct drill_key *key;
	struct drill_key k;

	fprintf(o->out, "SLOW %s pid %u tid %u vcpu %d %s %s %s", when(e, o, t, sizeof(t)),
		e->tgid, e->tid, e->vcpu_id, exit_isa_name(e->isa), reason,
		fmt_ns(lat, sizeof(lat), (double)e->latency_ns));
	if (e->kvm_ns)
		fprintf(o->out, " (in KVM %s)", fmt_ns(kvm, sizeof(kvm), (double)e->kvm_ns));
	key = key_of(e, &k);
	/* "port 0x5c00 out", "mmio 0xfee00380 write", "hypercall 12" */
	if (key)
		fprintf(o->out, " key %s %s%s%s", drill_kind_name(key->kind),
			drill_key_text(text, sizeof(text), key), key->dir ? " " : "",
			key->dir ? drill_dir_name(key) : "");
	fputc('\n', o->out);
}

static void print_json_line(const struct slow_exit *e, const struct slow_exits_opts *o,
			    const char *reason)
{
	double since = ((double)e->exit_ns - (double)o->start_mono_ns) / 1e9;
	const struct drill_key *key;
	struct drill_key k;
	char text[24];

	fprintf(o->out, "{\"tool\":\"exittrace\",\"slow_exit\":true,\"time\":%.6f,\"since_start_s\":%.6f,"
		"\"pid\":%u,\"tid\":%u,\"vcpu\":%d,\"isa\":\"%s\",\"code\":%u,\"name\":\"%s\","
		"\"latency_ns\":%llu,\"kvm_ns\":",
		o->start_unix_s + since, since, e->tgid, e->tid, e->vcpu_id, exit_isa_name(e->isa),
		e->reason, reason, (unsigned long long)e->latency_ns);
	/* null: time in KVM is not measured (--kvm-time off, or no hook) */
	if (e->kvm_ns)
		fprintf(o->out, "%llu", (unsigned long long)e->kvm_ns);
	else
		fputs("null", o->out);
	/* the keys JSON line's names (drill_print_json()), prefixed; null: no key */
	key = key_of(e, &k);
	if (key)
		fprintf(o->out, ",\"key_kind\":\"%s\",\"key\":\"%s\",\"key_value\":%llu,\"key_dir\":\"%s\"}\n",
			drill_kind_name(key->kind), drill_key_text(text, sizeof(text), key),
			(unsigned long long)key->key, drill_dir_name(key));
	else
		fputs(",\"key_kind\":null,\"key\":null,\"key_value\":null,\"key_dir\":null}\n", o->out);
}

void slow_exit_print(const struct slow_exit *e, const struct slow_exits_opts *o)
{
	struct exit_key key = { .isa = e->isa, .reason = e->reason };
	char name[32];
	const char *reason = row_reason_name(&key, name, sizeof(name));

	if (o->json)
		print_json_line(e, o, reason);
	else
		print_line(e, o, reason);
}
