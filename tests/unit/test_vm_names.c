// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the VM names: the parser of QEMU's -name on command
 * lines as QEMU and libvirt write them, the vCPU thread names, and -p
 * NAME's search, against a procfs tree the test writes in a temp dir.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#include "unit.h"
#include "vm_names.h"

/* A command line as /proc/PID/cmdline holds it: NUL after each argument. */
#define CMDLINE(s)	s, sizeof(s)

static const char *name_of(const char *cmdline, size_t len)
{
	static char name[VM_NAME_MAX];

	return vm_name_from_cmdline(cmdline, len, name) ? name : "(none)";
}

TEST(vm_name_forms_qemu_and_libvirt_write)
{
	CHECK_STR(name_of(CMDLINE("qemu-system-x86_64\0-name\0web1\0-m\0512")), "web1");
	CHECK_STR(name_of(CMDLINE("qemu-system-x86_64\0-name\0guest=l2demo")), "l2demo");
	/* libvirt's own form, with the domain name */
	CHECK_STR(name_of(CMDLINE("/usr/bin/qemu-system-x86_64\0-name\0guest=db-7,debug-threads=on\0-S")),
		  "db-7");
	CHECK_STR(name_of(CMDLINE("qemu\0-name\0plain,process=qemu-plain,debug-threads=on")), "plain");
	CHECK_STR(name_of(CMDLINE("qemu\0-name\0process=p,guest=second")), "second");
	CHECK_STR(name_of(CMDLINE("qemu\0--name\0dashes")), "dashes");
	/* ",," is a comma in QEMU's option syntax (libvirt escapes so) */
	CHECK_STR(name_of(CMDLINE("qemu\0-name\0guest=a,,b,debug-threads=on")), "a,b");
	/* the last -name counts */
	CHECK_STR(name_of(CMDLINE("qemu\0-name\0first\0-name\0guest=last")), "last");
}

TEST(vm_name_absent_or_empty)
{
	CHECK_STR(name_of(CMDLINE("qemu-system-x86_64\0-m\0512")), "(none)");
	CHECK_STR(name_of(CMDLINE("qemu\0-name")), "(none)");	/* no value */
	CHECK_STR(name_of(CMDLINE("qemu\0-name\0guest=")), "(none)");
	CHECK_STR(name_of(CMDLINE("qemu\0-name\0process=p,debug-threads=on")), "(none)");
	CHECK_STR(name_of(CMDLINE("qemu\0-namex\0y")), "(none)");
	CHECK_STR(name_of("", 0), "(none)");
}

TEST(vm_name_made_one_safe_word)
{
	char long_name[200] = "qemu\0-name\0";
	size_t n = 11;
	int i;

	CHECK_STR(name_of(CMDLINE("qemu\0-name\0my vm\t\"x\"\\y")), "my_vm__x__y");
	for (i = 0; i < 100; i++)
		long_name[n + i] = 'a' + i % 26;
	long_name[n + 100] = 0;
	CHECK_EQ_U64(strlen(name_of(long_name, n + 101)), VM_NAME_MAX - 1);
	/* a value without its NUL at the end of the buffer is not read past */
	CHECK_STR(name_of("qemu\0-name\0abc", 14), "(none)");
}

TEST(vcpu_index_from_qemu_thread_names)
{
	CHECK_EQ_U64(vm_vcpu_index_from_comm("CPU 0/KVM"), 0);
	CHECK_EQ_U64(vm_vcpu_index_from_comm("CPU 17/KVM\n"), 17);
	CHECK(vm_vcpu_index_from_comm("CPU 1/TCG") == -1);
	CHECK(vm_vcpu_index_from_comm("qemu-system-x86") == -1);
	CHECK(vm_vcpu_index_from_comm("CPU /KVM") == -1);
	CHECK(vm_vcpu_index_from_comm("CPU 3/KVMx") == -1);
	CHECK(vm_vcpu_index_from_comm("worker") == -1);
}

/* A file under @root, its directories made first. */
static void put_file(const char *root, const char *rel, const char *data, size_t len)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = 0;
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	CHECK(f);
	if (!f)
		return;
	CHECK(fwrite(data, 1, len, f) == len);
	fclose(f);
}

#define PUT(root, rel, s)	put_file(root, rel, s, sizeof(s) - 1)

static char *fake_proc(void)
{
	static char root[] = "/tmp/exittrace-proc.XXXXXX";
	char *dir = mkdtemp(root);

	CHECK(dir);
	PUT(dir, "100/cmdline", "/usr/bin/qemu-system-x86_64\0-name\0guest=web,debug-threads=on\0");
	PUT(dir, "100/task/101/comm", "CPU 0/KVM\n");
	PUT(dir, "100/task/102/comm", "CPU 1/KVM\n");
	PUT(dir, "100/task/103/comm", "IO mon_iothread\n");
	PUT(dir, "200/cmdline", "qemu-kvm\0-name\0db\0");
	PUT(dir, "201/cmdline", "qemu-kvm\0-name\0db\0");
	/* not a VMM: find's -name is no VM name */
	PUT(dir, "300/cmdline", "find\0/\0-name\0web\0");
	PUT(dir, "400/cmdline", "qemu-system-x86_64\0-m\0512\0");
	PUT(dir, "500/cmdline", "");	/* a kernel thread */
	PUT(dir, "self/cmdline", "qemu\0-name\0web\0");	/* not a pid */
	return dir;
}

static void rm_tree(const char *root)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(!system(cmd));
}

TEST(vm_names_from_a_proc_tree)
{
	char *root = fake_proc(), name[VM_NAME_MAX];
	uint32_t pid = 0, other = 0;
	struct vm_names names = {}, copy = {};

	CHECK(vm_name_of_pid(root, 100, name));
	CHECK_STR(name, "web");
	CHECK(!vm_name_of_pid(root, 400, name));
	CHECK(!vm_name_of_pid(root, 999, name));	/* gone */
	CHECK_EQ_U64(vm_vcpu_index_of_thread(root, 100, 102), 1);
	CHECK(vm_vcpu_index_of_thread(root, 100, 103) == -1);
	CHECK(vm_vcpu_index_of_thread(root, 100, 104) == -1);

	/* -p NAME: the one QEMU of that name; find -name web is not one */
	CHECK_EQ_U64(vm_pid_by_name(root, "web", &pid, &other), 0);
	CHECK_EQ_U64(pid, 100);
	CHECK(vm_pid_by_name(root, "nosuch", &pid, &other) == -ENOENT);
	CHECK(vm_pid_by_name(root, "db", &pid, &other) == -EEXIST);
	CHECK((pid == 200 && other == 201) || (pid == 201 && other == 200));

	/* the table of names: read once, kept after the process is gone */
	CHECK(!vm_names_note(&names, root, 400));
	CHECK(!vm_names_note(&names, root, 100));
	CHECK(!vm_names_note(&names, root, 200));
	CHECK(!vm_names_note(&names, root, 100));
	CHECK_EQ_U64(names.nr, 3);
	CHECK_STR(vm_names_get(&names, 100), "web");
	CHECK_STR(vm_names_get(&names, 200), "db");
	CHECK(!vm_names_get(&names, 400));
	CHECK(!vm_names_get(&names, 7));
	rm_tree(root);
	CHECK_STR(vm_names_get(&names, 100), "web");
	CHECK(!vm_names_copy(&copy, &names));
	CHECK_STR(vm_names_get(&copy, 200), "db");
	vm_names_free(&names);
	vm_names_free(&copy);
	CHECK(!vm_names_get(NULL, 100));
}
