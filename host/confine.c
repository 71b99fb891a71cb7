// SPDX-License-Identifier: Apache-2.0
/*
 * Confined mode of a front-end process: no new privileges and a seccomp
 * allow-list, entered after the plugins are loaded and before the first
 * vhost-user message (so before any guest memory is mapped). The list
 * covers serving one front-end: I/O on the descriptors it already has or
 * receives, guest memory mapping, threads and synchronisation,
 * eventfd/epoll, and the file operations libvaccel needs for its run
 * directory and for plugins that dlopen libraries (exec). Arguments are
 * filtered where a whole class of misuse hides behind one call: clone
 * creates threads only (no fork, no namespaces), clone3 (whose flags
 * seccomp cannot see) answers ENOSYS so the C library falls back to
 * clone, tgkill reaches this process only, prlimit64 only reads this
 * process's limits. Anything else kills the process - which serves this
 * one front-end only.
 */
#include "confine.h"

#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

static const int allowed[] = {
	/* basic I/O on existing descriptors */
	SCMP_SYS(read),
	SCMP_SYS(write),
	SCMP_SYS(readv),
	SCMP_SYS(writev),
	SCMP_SYS(pread64),
	SCMP_SYS(pwrite64),
	SCMP_SYS(lseek),
	SCMP_SYS(close),
	SCMP_SYS(dup),
	SCMP_SYS(dup3),
	SCMP_SYS(fcntl),
	/* vhost-user socket */
	SCMP_SYS(recvmsg),
	SCMP_SYS(sendmsg),
	SCMP_SYS(sendto),
	SCMP_SYS(recvfrom),
	SCMP_SYS(shutdown),
	SCMP_SYS(poll),
	SCMP_SYS(ppoll),
	/* kick/call notification */
	SCMP_SYS(eventfd2),
	SCMP_SYS(epoll_create1),
	SCMP_SYS(epoll_ctl),
	SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_pwait),
	/* memory: guest RAM, views, heap, dlopen */
	SCMP_SYS(mmap),
	SCMP_SYS(munmap),
	SCMP_SYS(mprotect),
	SCMP_SYS(madvise),
	SCMP_SYS(mremap),
	SCMP_SYS(brk),
	SCMP_SYS(mbind), /* OpenBLAS buffers: NUMA policy of own memory */
	SCMP_SYS(get_mempolicy),
	SCMP_SYS(set_mempolicy),
	/* threads (clone, clone3, tgkill: argument rules below) */
	SCMP_SYS(futex),
	SCMP_SYS(set_robust_list),
	SCMP_SYS(rseq),
	SCMP_SYS(exit),
	SCMP_SYS(exit_group),
	SCMP_SYS(gettid),
	SCMP_SYS(getpid),
	SCMP_SYS(sched_yield),
	SCMP_SYS(restart_syscall), /* a sleep interrupted by SIGSTOP/SIGCONT */
	SCMP_SYS(sched_getaffinity),
	SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigaction),
	SCMP_SYS(signalfd4),
	/* time and randomness */
	SCMP_SYS(clock_gettime),
	SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep),
	SCMP_SYS(getrandom),
	/* files: run directory, resources, plugin libraries */
	SCMP_SYS(openat),
	SCMP_SYS(newfstatat),
	SCMP_SYS(fstat),
	SCMP_SYS(statx),
	SCMP_SYS(fstatfs),
	SCMP_SYS(getdents64),
	SCMP_SYS(mkdirat),
	SCMP_SYS(mkdir),
	SCMP_SYS(unlinkat),
	SCMP_SYS(unlink),
	SCMP_SYS(rmdir),
	SCMP_SYS(ftruncate),
	SCMP_SYS(memfd_create), /* in-flight tracking file (vhost-user) */
	SCMP_SYS(fsync),
	SCMP_SYS(readlink),
	SCMP_SYS(readlinkat),
	SCMP_SYS(access),
	SCMP_SYS(faccessat),
	SCMP_SYS(faccessat2),
	SCMP_SYS(getcwd),
	SCMP_SYS(umask),
	SCMP_SYS(getuid),
	SCMP_SYS(geteuid),
	SCMP_SYS(getgid),
	SCMP_SYS(getegid),
	SCMP_SYS(uname),
	SCMP_SYS(sysinfo),
	SCMP_SYS(fchmod),
	SCMP_SYS(renameat),
	SCMP_SYS(rename),
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
	/* sanitizer runtimes (test builds only): per-thread alternate signal
	 * stacks, thread naming, report symbolisation */
	SCMP_SYS(sigaltstack),
	SCMP_SYS(getppid),
	SCMP_SYS(open),
	SCMP_SYS(stat),
	SCMP_SYS(lstat),
	SCMP_SYS(sched_getparam),
	SCMP_SYS(getdents),
	SCMP_SYS(prctl),
	SCMP_SYS(getrlimit),
	SCMP_SYS(pipe2),
	SCMP_SYS(wait4),
#endif
};

static int add_rules(scmp_filter_ctx ctx)
{
	int rc = 0;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if (allowed[i] < 0)
			continue; /* not on this architecture */
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
		if (rc < 0)
			return rc;
	}
	/* threads only: CLONE_THREAD set (fork and new namespaces need it
	 * clear, or flags CLONE_THREAD cannot go with) */
	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD,
				      CLONE_THREAD));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				      SCMP_SYS(clone3), 0);
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
				      SCMP_A0(SCMP_CMP_EQ,
					      (scmp_datum_t)getpid()));
	/* getrlimit: pid 0 (self), no new limit */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64),
				      2, SCMP_A0(SCMP_CMP_EQ, 0),
				      SCMP_A2(SCMP_CMP_EQ, 0));
	return rc;
}

int confine_frontend(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return -1;
	int rc = add_rules(ctx);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}
