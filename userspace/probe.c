// SPDX-License-Identifier: GPL-2.0
/*
 * probe.c - ask the running kernel what exittrace needs of it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "probe.h"

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1U << (cap % 32));
}

bool probe_privileged(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};

	if (geteuid() == 0)
		return true;
	if (syscall(SYS_capget, &h, d))
		return false;
	/* 39: CAP_BPF, 38: CAP_PERFMON (newer than some headers) */
	return has_cap(d, CAP_SYS_ADMIN) || (has_cap(d, 39) && has_cap(d, 38));
}

bool file_has(const char *path, const char *needle)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

bool probe_path_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static bool dir_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* the cpuinfo flags line has " vmx" or " svm" (Intel and Zhaoxin; AMD and Hygon) */
static enum exit_isa cpu_flag_isa(void)
{
	char line[4096];
	enum exit_isa isa = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return 0;
	while (!isa && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		if (strstr(line, " vmx"))
			isa = EXIT_ISA_VMX;
		else if (strstr(line, " svm"))
			isa = EXIT_ISA_SVM;
	}
	fclose(f);
	return isa;
}

enum exit_isa probe_kvm_isa(const char **module, const char **vcpu_struct)
{
	bool intel = dir_exists("/sys/module/kvm_intel");
	bool amd = dir_exists("/sys/module/kvm_amd");
	enum exit_isa isa;

	/*
	 * A loaded vendor module says which; but a kernel with KVM built in
	 * has both directories (each has parameters), so then, as when
	 * neither is there, the CPU's flag decides.
	 */
	if (intel != amd)
		isa = intel ? EXIT_ISA_VMX : EXIT_ISA_SVM;
	else
		isa = cpu_flag_isa();
	/* no vendor module and no flag (a guest without nested support):
	 * the module it would take, by the CPU's vendor */
	if (!isa && (file_has("/proc/cpuinfo", "GenuineIntel") ||
		     file_has("/proc/cpuinfo", "CentaurHauls") || file_has("/proc/cpuinfo", "  Shanghai  ")))
		isa = EXIT_ISA_VMX;
	if (!isa && (file_has("/proc/cpuinfo", "AuthenticAMD") || file_has("/proc/cpuinfo", "HygonGenuine")))
		isa = EXIT_ISA_SVM;
	if (module)
		*module = isa == EXIT_ISA_VMX ? "kvm_intel" : isa == EXIT_ISA_SVM ? "kvm_amd" : NULL;
	if (vcpu_struct)
		*vcpu_struct = isa == EXIT_ISA_VMX ? "vcpu_vmx" : isa == EXIT_ISA_SVM ? "vcpu_svm" : NULL;
	return isa;
}

/*
 * The kernel's BTF, read once per run: every probe below asks it, and
 * each read of /sys/kernel/btf/vmlinux parses megabytes (slow in an
 * emulator, where it was once seen taking the better part of a minute
 * under load).  Up to four modules' BTF besides vmlinux.
 */
static struct {
	bool tried;
	struct btf *btf;
} vmlinux_btf;

static struct {
	char name[32];
	struct btf *btf;
} module_btf[4];

static struct btf *kernel_btf(void)
{
	if (!vmlinux_btf.tried) {
		vmlinux_btf.tried = true;
		vmlinux_btf.btf = btf__load_vmlinux_btf();
	}
	return vmlinux_btf.btf;
}

static struct btf *kernel_module_btf(const char *module)
{
	struct btf *vmlinux = kernel_btf();
	unsigned int i;

	for (i = 0; i < sizeof(module_btf) / sizeof(module_btf[0]); i++) {
		if (!strcmp(module_btf[i].name, module))
			return module_btf[i].btf;
		if (!module_btf[i].name[0]) {
			snprintf(module_btf[i].name, sizeof(module_btf[i].name), "%s", module);
			module_btf[i].btf = vmlinux ? btf__load_module_btf(module, vmlinux) : NULL;
			return module_btf[i].btf;
		}
	}
	return NULL;	/* never: exittrace asks kvm and one vendor module */
}

void probe_release(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(module_btf) / sizeof(module_btf[0]); i++) {
		btf__free(module_btf[i].btf);
		module_btf[i].btf = NULL;
		module_btf[i].name[0] = 0;
	}
	btf__free(vmlinux_btf.btf);
	vmlinux_btf.btf = NULL;
	vmlinux_btf.tried = false;
}

/* @fn(btf) on vmlinux, then on @module's BTF if it gave no answer (< 0) */
static int with_kernel_btf(const char *module, int (*fn)(const struct btf *, const void *),
			   const void *arg)
{
	struct btf *vmlinux = kernel_btf(), *mod;
	int ret;

	if (!vmlinux)
		return -1;
	ret = fn(vmlinux, arg);
	if (ret < 0 && module) {
		mod = kernel_module_btf(module);
		if (mod)
			ret = fn(mod, arg);
	}
	return ret;
}

static int has_struct(const struct btf *btf, const void *name)
{
	return btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT) > 0 ? 1 : -1;
}

bool probe_btf_struct(const char *name, const char *module)
{
	return with_kernel_btf(module, has_struct, name) > 0;
}

static int has_func(const struct btf *btf, const void *name)
{
	return btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0 ? 1 : -1;
}

bool probe_btf_func(const char *name, const char *module)
{
	return with_kernel_btf(module, has_func, name) > 0;
}

/* btf_trace_kvm_exit: typedef -> pointer -> func proto (void *__data, args...) */
static int tp_args(const struct btf *btf, const void *name)
{
	const struct btf_type *t;
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);

	if (id <= 0)
		return -1;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (!t || !btf_is_ptr(t))
		return -1;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
		return -1;
	return btf_vlen(t) - 1;
}

int probe_kvm_tp_args(const char *tracepoint)
{
	char name[64];
	int n;

	snprintf(name, sizeof(name), "btf_trace_%s", tracepoint);
	n = with_kernel_btf("kvm", tp_args, name);
	return n > 0 ? n : 0;
}

int probe_kvm_exit_args(void)
{
	return probe_kvm_tp_args("kvm_exit");
}

bool probe_task_storage(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_storage_get, NULL) == 1;
}

bool probe_ringbuf(void)
{
	return libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
}
