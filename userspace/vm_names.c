// SPDX-License-Identifier: GPL-2.0
/*
 * vm_names.c - VM names from QEMU's command line, vCPU indexes from its
 * thread names (see vm_names.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_names.h"

/* libvirt's command lines run to a few KiB; more than this is not QEMU's */
#define CMDLINE_MAX	(1 << 20)

static const char *proc(const char *proc_root)
{
	return proc_root ? proc_root : "/proc";
}

/* One word, and a JSON string and a label value without escapes. */
static char name_char(char c)
{
	unsigned char u = (unsigned char)c;

	return u <= ' ' || u == 0x7f || c == '"' || c == '\\' ? '_' : c;
}

static void name_clean(char *dst, const char *src, size_t len)
{
	size_t i;

	if (len > VM_NAME_MAX - 1)
		len = VM_NAME_MAX - 1;
	for (i = 0; i < len; i++)
		dst[i] = name_char(src[i]);
	dst[len] = 0;
}

/*
 * The guest name in the value of -name: "NAME[,key=value...]" or
 * "guest=NAME[,...]" (QEMU's implied first key is "guest").  In QEMU's
 * option syntax ",," is a comma inside a value and a single ',' ends it.
 */
static bool name_from_option(const char *opt, char name[VM_NAME_MAX])
{
	char value[VM_NAME_MAX * 2];
	const char *p = opt;
	bool first = true;

	while (*p) {
		const char *key = p, *eq = NULL;
		size_t n = 0;

		/* one key[=value], its ",," unescaped into value */
		for (; *p; p++) {
			if (*p == ',' && p[1] == ',') {
				p++;
			} else if (*p == ',') {
				p++;
				break;
			} else if (*p == '=' && !eq) {
				eq = p;
				n = 0;
				continue;
			}
			if (n < sizeof(value) - 1)
				value[n++] = *p;
		}
		value[n] = 0;
		if ((first && !eq) || (eq && eq - key == 5 && !strncmp(key, "guest", 5))) {
			if (!n)
				return false;
			name_clean(name, value, n);
			return true;
		}
		first = false;
	}
	return false;
}

bool vm_name_from_cmdline(const char *cmdline, size_t len, char name[VM_NAME_MAX])
{
	const char *arg = cmdline, *end = cmdline + len, *value = NULL;

	/* QEMU merges repeated -name options: the last guest name counts */
	while (arg < end) {
		size_t n = strnlen(arg, end - arg);
		const char *next = arg + n + 1;

		if ((!strcmp(arg, "-name") || !strcmp(arg, "--name")) && next < end)
			value = next;
		arg = next;
	}
	/* the value must end inside the buffer */
	return value && strnlen(value, end - value) < (size_t)(end - value) &&
	       name_from_option(value, name);
}

/* /proc/PID/cmdline into a buffer of its own; NULL if unreadable. */
static char *read_cmdline(const char *proc_root, uint32_t pid, size_t *len)
{
	char path[PATH_MAX], *buf = NULL, *more;
	size_t cap = 0, n;
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/%u/cmdline", proc(proc_root), pid) >= sizeof(path))
		return NULL;
	f = fopen(path, "re");
	if (!f)
		return NULL;
	*len = 0;
	do {
		cap = cap ? cap * 2 : 4096;
		more = cap <= CMDLINE_MAX ? realloc(buf, cap + 1) : NULL;
		if (!more) {
			free(buf);
			fclose(f);
			return NULL;
		}
		buf = more;
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (*len == cap);
	fclose(f);
	buf[*len] = 0;	/* a last argument without its NUL ends all the same */
	return buf;
}

bool vm_name_of_pid(const char *proc_root, uint32_t pid, char name[VM_NAME_MAX])
{
	size_t len;
	char *cmdline = read_cmdline(proc_root, pid, &len);
	bool found;

	if (!cmdline)
		return false;
	found = vm_name_from_cmdline(cmdline, len + 1, name);
	free(cmdline);
	return found;
}

int vm_vcpu_index_from_comm(const char *comm)
{
	const char *p = comm;
	long index = 0;

	if (strncmp(p, "CPU ", 4))
		return -1;
	p += 4;
	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p) && index < INT_MAX / 10)
		index = index * 10 + (*p++ - '0');
	if (strcmp(p, "/KVM") && strcmp(p, "/KVM\n"))
		return -1;
	return (int)index;
}

int vm_vcpu_index_of_thread(const char *proc_root, uint32_t pid, uint32_t tid)
{
	char path[PATH_MAX], comm[32];
	FILE *f;
	bool got;

	if ((size_t)snprintf(path, sizeof(path), "%s/%u/task/%u/comm", proc(proc_root), pid, tid) >=
	    sizeof(path))
		return -1;
	f = fopen(path, "re");
	if (!f)
		return -1;
	got = fgets(comm, sizeof(comm), f);
	fclose(f);
	return got ? vm_vcpu_index_from_comm(comm) : -1;
}

/* argv[0]'s last component starts with "qemu": qemu-system-*, qemu-kvm */
static bool is_qemu(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	return !strncmp(base ? base + 1 : argv0, "qemu", 4);
}

int vm_pid_by_name(const char *proc_root, const char *name, uint32_t *pid, uint32_t *other)
{
	char want[VM_NAME_MAX], got[VM_NAME_MAX];
	unsigned int found = 0;
	struct dirent *de;
	DIR *dir;

	name_clean(want, name, strlen(name));
	dir = opendir(proc(proc_root));
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char *end, *cmdline;
		unsigned long p = strtoul(de->d_name, &end, 10);
		size_t len;
		bool match;

		if (*end || end == de->d_name || !p || p > UINT32_MAX)
			continue;
		cmdline = read_cmdline(proc_root, (uint32_t)p, &len);
		if (!cmdline)
			continue;	/* gone meanwhile, or a kernel thread */
		match = len && is_qemu(cmdline) && vm_name_from_cmdline(cmdline, len + 1, got) &&
			!strcmp(got, want);
		free(cmdline);
		if (!match)
			continue;
		if (found++)
			*other = (uint32_t)p;
		else
			*pid = (uint32_t)p;
	}
	closedir(dir);
	return found == 1 ? 0 : found ? -EEXIST : -ENOENT;
}

static unsigned int names_find(const struct vm_names *n, uint32_t pid, bool *found)
{
	unsigned int lo = 0, hi = n->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (n->entries[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < n->nr && n->entries[lo].pid == pid;
	return lo;
}

int vm_names_note(struct vm_names *n, const char *proc_root, uint32_t pid)
{
	struct vm_name_entry *e;
	unsigned int at;
	bool found;

	at = names_find(n, pid, &found);
	if (found)
		return 0;
	if (n->nr == n->cap) {
		unsigned int cap = n->cap ? n->cap * 2 : 16;

		e = realloc(n->entries, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		n->entries = e;
		n->cap = cap;
	}
	e = &n->entries[at];
	memmove(e + 1, e, (n->nr - at) * sizeof(*e));
	n->nr++;
	e->pid = pid;
	if (!vm_name_of_pid(proc_root, pid, e->name))
		e->name[0] = 0;
	return 0;
}

const char *vm_names_get(const struct vm_names *n, uint32_t pid)
{
	bool found;
	unsigned int at;

	if (!n)
		return NULL;
	at = names_find(n, pid, &found);
	return found && n->entries[at].name[0] ? n->entries[at].name : NULL;
}

int vm_names_copy(struct vm_names *dst, const struct vm_names *src)
{
	if (dst->cap < src->nr) {
		struct vm_name_entry *e = realloc(dst->entries, src->nr * sizeof(*e));

		if (!e) {
			dst->nr = 0;
			return -ENOMEM;
		}
		dst->entries = e;
		dst->cap = src->nr;
	}
	if (src->nr)
		memcpy(dst->entries, src->entries, src->nr * sizeof(*dst->entries));
	dst->nr = src->nr;
	return 0;
}

void vm_names_free(struct vm_names *n)
{
	free(n->entries);
	*n = (struct vm_names){};
}
