// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal autofs v5 daemon: mount autofs with a pipe, let another process
 * group look names up under the mount, read each request from the pipe with
 * the daemon's own sizeof(struct autofs_v5_packet), check every field, and
 * answer with AUTOFS_IOC_READY or AUTOFS_IOC_FAIL.
 *
 * Built with -m32 it is the compat daemon that commit 64f371bc3107 ("autofs:
 * make the autofsv5 packet file descriptor use a packetized pipe") exists
 * for: on x86_64 the kernel writes 304-byte packets, an i386 daemon reads
 * 300, and only a packet pipe drops the 4 bytes of padding. Commit
 * 546694b8f658 ("autofs: add autofs_parse_fd()") lost the packet mode in
 * linux-next; a 32-bit build of this test then reads a misaligned second
 * request and fails, where a 32-bit user space simply stopped booting.
 *
 * The lookups run as their own user and group, in a second thread of their
 * process, so that every field of a request has a value of its own.
 *
 * A restarted daemon takes a catatonic mount over with the misc device's
 * AUTOFS_DEV_IOCTL_SETPIPEFD: the tests see what that promises as a daemon
 * sees it. A refusal is -1 with the mount and the descriptor left as they
 * were; which errno it carries is not part of the promise.
 *
 * Every wait is bounded: poll() before each read, alarm() in each child
 * that can wait, and teardown makes the mount catatonic, which releases
 * any waiter.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/auto_dev-ioctl.h>
#include <linux/auto_fs.h>

#include "kselftest_harness.h"
#include "../wrappers.h"

#ifdef __i386__
/* The layout a 32-bit daemon reads: no tail padding after the __u64 ino. */
static_assert(sizeof(struct autofs_v5_packet) == 300, "i386 autofs_v5_packet is 300 bytes");
#endif

/* Bounds for every wait, in milliseconds and seconds. */
#define REQUEST_TIMEOUT_MS	5000
#define POLL_MS			20
#define LOOKUP_TIMEOUT_S	10
#define NR_NAMES		4

/* Who looks names up: neither root nor each other's value. */
#define LOOKUP_UID		4711
#define LOOKUP_GID		4242

static const char * const names[NR_NAMES] = { "alpha", "beta", "gamma", "delta" };

/*
 * What each looker-up reports before its lookup: the thread id of the
 * thread that looks up. Shared with the daemon.
 */
struct lookup_ids {
	pid_t tid[NR_NAMES];
};

/* A daemon, its mount and its looker-ups. */
struct daemon {
	int rd;			/* read end of the request pipe */
	int wr;			/* our descriptor of the write end autofs holds */
	int ioctlfd;		/* the mount's root, for READY/FAIL */
	struct stat root;	/* the mount's root, which requests name */
	char mnt[64];
	bool mounted;
	pid_t lookups[NR_NAMES];
	struct lookup_ids *ids;	/* shared with the looker-ups */
};

FIXTURE(autofs_daemon) {
	struct daemon d;
};

FIXTURE_VARIANT(autofs_daemon) {
	bool fsconfig;		/* fsopen()/fsconfig(FSCONFIG_SET_FD) or mount(2) data */
};

FIXTURE_VARIANT_ADD(autofs_daemon, mount_data) {
	.fsconfig = false,
};

FIXTURE_VARIANT_ADD(autofs_daemon, fsconfig_set_fd) {
	.fsconfig = true,
};

/* Even-numbered names are mounted (READY), odd ones do not exist (FAIL). */
static bool answer_ready(int i)
{
	return i % 2 == 0;
}

/* Where a looker-up runs: autofs sends requests for all but the daemon. */
enum looker {
	USER,			/* a process group of its own */
	FOREIGN_USER,		/* the same, in a mount namespace of its own */
	OLD_DAEMON,		/* the process group of the daemon that mounted */
};

/* What finish_lookup() reports besides the errno of a lookup (0: found). */
#define LOOKUP_SETUP_FAILED	200	/* the looker-up's own set-up failed */
#define LOOKUP_MORE_TO_READ	-1	/* the pipe had more to read before it ended */
#define LOOKUP_STUCK		-2	/* still waiting after LOOKUP_TIMEOUT_S */
#define LOOKUP_KILLED		-3	/* ended by a signal */

struct lookup {
	const char *path;
	pid_t *tid;
	int err;
};

static void *lookup_thread(void *arg)
{
	struct lookup *l = arg;
	struct stat st;

	__atomic_store_n(l->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	l->err = stat(l->path, &st) ? errno : 0;
	return NULL;
}

/* The lookers' ids: their own uid and gid, no supplementary groups. */
static int become_looker(void)
{
	if (setgroups(0, NULL) || setresgid(LOOKUP_GID, LOOKUP_GID, LOOKUP_GID) ||
	    setresuid(LOOKUP_UID, LOOKUP_UID, LOOKUP_UID))
		return -1;
	return 0;
}

/*
 * Looker-up @i, run as @who, looks @name up under the mount (@name "" is
 * the mount point itself, with a trailing slash) as LOOKUP_UID/LOOKUP_GID
 * from a second thread, which records its thread id first. Exit status: 0
 * when the lookup found the name, else the errno it failed with.
 */
static void start_lookup(struct __test_metadata *_metadata, struct daemon *d,
			 int i, const char *name, enum looker who)
{
	char path[PATH_MAX];
	struct lookup l = { .path = path, .tid = &d->ids->tid[i] };
	pthread_t thread;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", d->mnt, name);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid) {
		d->lookups[i] = pid;
		return;
	}
	alarm(LOOKUP_TIMEOUT_S);
	if (who != OLD_DAEMON && setpgid(0, 0))
		_exit(LOOKUP_SETUP_FAILED);
	if (who == FOREIGN_USER && unshare(CLONE_NEWNS))
		_exit(LOOKUP_SETUP_FAILED);
	if (become_looker())
		_exit(LOOKUP_SETUP_FAILED);
	if (pthread_create(&thread, NULL, lookup_thread, &l) || pthread_join(thread, NULL))
		_exit(LOOKUP_SETUP_FAILED);
	_exit(l.err);
}

/* Wait up to @ms for a request; 1 if there is one, 0 if not, -1 on error. */
static int request_ready(int rd, int ms)
{
	struct pollfd pfd = { .fd = rd, .events = POLLIN };

	return poll(&pfd, 1, ms);
}

/*
 * Reap looker-up @i, boundedly, watching the pipe @rd meanwhile: its exit
 * status, or LOOKUP_MORE_TO_READ, LOOKUP_STUCK or LOOKUP_KILLED. Its slot
 * is cleared once it is reaped; teardown releases and kills it otherwise.
 */
static int finish_lookup(struct daemon *d, int i, int rd)
{
	int status, waited;

	for (waited = 0; waited < LOOKUP_TIMEOUT_S * 1000; waited += POLL_MS) {
		if (waitpid(d->lookups[i], &status, WNOHANG) == d->lookups[i]) {
			d->lookups[i] = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : LOOKUP_KILLED;
		}
		if (request_ready(rd, POLL_MS) > 0)
			return LOOKUP_MORE_TO_READ;
	}
	return LOOKUP_STUCK;
}

static const char *lookup_outcome(int ret)
{
	return ret == LOOKUP_MORE_TO_READ ? "the pipe had more to read before it ended" :
	       ret == LOOKUP_STUCK ? "it is still waiting" :
	       ret == LOOKUP_KILLED ? "it was killed" :
	       ret == LOOKUP_SETUP_FAILED ? "its own set-up failed" :
	       ret ? strerror(ret) : "it found the name";
}

/* Looker-up @i must end with @err (0: found) and ask nothing more on @rd. */
static void expect_lookup_result(struct __test_metadata *_metadata,
				 struct daemon *d, int i, int rd, int err)
{
	int ret = finish_lookup(d, i, rd);

	EXPECT_EQ(err, ret) {
		TH_LOG("lookup %d: %s", i, lookup_outcome(ret));
	}
}

static int mount_autofs(const char *mnt, int pipefd, bool fsconfig, const char *type)
{
	char opts[128], num[16];
	int fsfd, mfd, ret;

	if (!fsconfig) {
		snprintf(opts, sizeof(opts), "fd=%d,pgrp=%d,minproto=5,maxproto=5,%s",
			 pipefd, getpgrp(), type);
		return mount("autofs_test", mnt, "autofs", 0, opts);
	}

	fsfd = sys_fsopen("autofs", 0);
	if (fsfd < 0)
		return -1;
	snprintf(num, sizeof(num), "%d", getpgrp());
	ret = sys_fsconfig(fsfd, FSCONFIG_SET_FD, "fd", NULL, pipefd);
	if (!ret)
		ret = sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "pgrp", num, 0);
	if (!ret)
		ret = sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "minproto", "5", 0);
	if (!ret)
		ret = sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "maxproto", "5", 0);
	if (!ret)
		ret = sys_fsconfig(fsfd, FSCONFIG_SET_FLAG, type, NULL, 0);
	if (!ret)
		ret = sys_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
	if (ret) {
		close(fsfd);
		return -1;
	}
	mfd = sys_fsmount(fsfd, 0, 0);
	close(fsfd);
	if (mfd < 0)
		return -1;
	ret = sys_move_mount(mfd, "", AT_FDCWD, mnt, MOVE_MOUNT_F_EMPTY_PATH);
	close(mfd);
	return ret;
}

/*
 * What automount does: a plain pipe, its write end handed to an autofs
 * mount of @type ("indirect", "direct") on the test's mount point.
 */
static void start_daemon(struct __test_metadata *_metadata, struct daemon *d,
			 bool fsconfig, const char *type)
{
	int pipefd[2];

	ASSERT_EQ(0, pipe2(pipefd, O_NONBLOCK));
	d->rd = pipefd[0];
	d->wr = pipefd[1];
	if (mount_autofs(d->mnt, d->wr, fsconfig, type)) {
		int err = errno;

		if (err == ENODEV)
			SKIP(return, "autofs is not available (CONFIG_AUTOFS_FS)");
		/* autofs is not FS_USERNS_MOUNT: root of a user namespace. */
		if (err == EPERM)
			SKIP(return, "no CAP_SYS_ADMIN in the initial user namespace");
		TH_LOG("mounting autofs on %s: %s", d->mnt, strerror(err));
		ASSERT_EQ(0, err);
	}
	d->mounted = true;
	/* Reads are bounded by poll(); the kernel's end is its own business. */
	ASSERT_EQ(0, fcntl(d->rd, F_SETFL, 0));

	d->ioctlfd = open(d->mnt, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, d->ioctlfd);
	ASSERT_EQ(0, fstat(d->ioctlfd, &d->root));
}

static void stop_daemon(struct daemon *d)
{
	int i;

	/* Catatonic mode wakes every waiter: no looker-up can hang. */
	if (d->ioctlfd >= 0) {
		ioctl(d->ioctlfd, AUTOFS_IOC_CATATONIC, 0);
		close(d->ioctlfd);
	}
	for (i = 0; i < NR_NAMES; i++) {
		if (d->lookups[i] > 0) {
			kill(d->lookups[i], SIGKILL);
			waitpid(d->lookups[i], NULL, 0);
		}
		d->lookups[i] = 0;
	}
	if (d->rd >= 0)
		close(d->rd);
	if (d->wr >= 0)
		close(d->wr);
	if (d->mounted)
		umount2(d->mnt, MNT_DETACH);
	d->rd = -1;
	d->wr = -1;
	d->ioctlfd = -1;
	d->mounted = false;
}

FIXTURE_SETUP(autofs_daemon)
{
	int ret, status;
	pid_t pid;

	self->d.rd = -1;
	self->d.wr = -1;
	self->d.ioctlfd = -1;
	self->d.mounted = false;
	self->d.ids = mmap(NULL, sizeof(*self->d.ids), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	/* Not ASSERT_NE(): it casts a pointer to intmax_t, a warning on i386. */
	ASSERT_TRUE(self->d.ids != MAP_FAILED);

	ret = unshare(CLONE_NEWNS);
	if (ret && errno == EPERM)
		SKIP(return, "no CAP_SYS_ADMIN to mount autofs in a mount namespace of its own");
	ASSERT_EQ(0, ret) {
		TH_LOG("unshare(CLONE_NEWNS): %s", strerror(errno));
	}
	/* The lookups run as another user: without CAP_SETUID, skip. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(become_looker() ? 1 : 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		SKIP(return, "no CAP_SETUID and CAP_SETGID to run the lookups as another user");
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	/*
	 * The mount point lives on a tmpfs of this mount namespace, so that
	 * it goes with the namespace even where the harness skips the
	 * teardown (a failed or skipped setup).
	 */
	ASSERT_EQ(0, mount("autofs_test", "/tmp", "tmpfs", 0, "mode=0755"));
	snprintf(self->d.mnt, sizeof(self->d.mnt), "/tmp/autofs_test.XXXXXX");
	ASSERT_EQ(0, mkdtemp(self->d.mnt) ? 0 : errno);
	ASSERT_EQ(0, chmod(self->d.mnt, 0755));

	start_daemon(_metadata, &self->d, variant->fsconfig, "indirect");
}

FIXTURE_TEARDOWN(autofs_daemon)
{
	stop_daemon(&self->d);
	rmdir(self->d.mnt);
	if (self->d.ids != MAP_FAILED)
		munmap(self->d.ids, sizeof(*self->d.ids));
}

/* Read one request as a daemon of this ABI does, waiting a bounded time. */
static ssize_t read_request(int rd, struct autofs_v5_packet *pkt)
{
	int ret = request_ready(rd, REQUEST_TIMEOUT_MS);

	if (ret <= 0)
		return ret ? -1 : -ETIMEDOUT;
	memset(pkt, 0, sizeof(*pkt));
	return read(rd, pkt, sizeof(*pkt));
}

/* Index of the name this request is for, or -1. */
static int request_index(const struct autofs_v5_packet *pkt)
{
	int i;

	for (i = 0; i < NR_NAMES; i++)
		if (pkt->len == strlen(names[i]) && !memcmp(pkt->name, names[i], pkt->len + 1))
			return i;
	return -1;
}

/* Mount or refuse, as the request for name @i asks. */
static int answer(const char *mnt, int ioctlfd, const struct autofs_v5_packet *pkt, int i)
{
	char path[PATH_MAX];

	if (!answer_ready(i))
		return ioctl(ioctlfd, AUTOFS_IOC_FAIL, pkt->wait_queue_token);
	snprintf(path, sizeof(path), "%s/%s", mnt, names[i]);
	if (mkdir(path, 0755))
		return -1;
	return ioctl(ioctlfd, AUTOFS_IOC_READY, pkt->wait_queue_token);
}

/*
 * A device number as the kernel encodes it in a request (new_encode_dev()),
 * from what stat() reports of the mount's root.
 */
static __u32 encode_dev(dev_t dev)
{
	unsigned int maj = major(dev), min = minor(dev);

	return (min & 0xff) | (maj << 8) | ((min & ~0xffu) << 12);
}

/*
 * Every field of the request of @type from looker-up @i of the fixture,
 * for names[i] (a direct mount's request names no directory).
 */
static void expect_request(struct __test_metadata *_metadata, struct daemon *d,
			   const struct autofs_v5_packet *pkt, int type, int i)
{
	pid_t pid = d->lookups[i], tid = __atomic_load_n(&d->ids->tid[i], __ATOMIC_SEQ_CST);

	EXPECT_EQ(5, pkt->hdr.proto_version);
	EXPECT_EQ(type, pkt->hdr.type);
	EXPECT_NE(0, pkt->wait_queue_token);
	if (type == autofs_ptype_missing_indirect) {
		EXPECT_EQ(strlen(names[i]), pkt->len);
		EXPECT_EQ(0, strncmp(names[i], pkt->name, sizeof(pkt->name))) {
			TH_LOG("name field reads \"%.16s\"", pkt->name);
		}
	}
	EXPECT_NE(pid, tid);
	EXPECT_EQ((__u32)tid, pkt->pid);
	EXPECT_EQ((__u32)pid, pkt->tgid);
	EXPECT_EQ(LOOKUP_UID, pkt->uid);
	EXPECT_EQ(LOOKUP_GID, pkt->gid);
	EXPECT_EQ(encode_dev(d->root.st_dev), pkt->dev);
	EXPECT_EQ(d->root.st_ino, pkt->ino);
}

/*
 * The number after ",@key=" in the options of the autofs mount on @mnt,
 * as /proc/self/mountinfo shows them to the daemon, or -1.
 */
static long mount_option(const char *mnt, const char *key)
{
	char line[1024], want[32], *p;
	size_t len = strlen(mnt);
	long val = -1;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	snprintf(want, sizeof(want), ",%s=", key);
	while (fgets(line, sizeof(line), f)) {
		/* id parent dev root mount-point options ... - type source super-options */
		p = strchr(line, '/');
		p = p ? strchr(p, ' ') : NULL;
		if (!p || strncmp(p + 1, mnt, len) || p[len + 1] != ' ')
			continue;
		p = strstr(line, " - autofs ");
		p = p ? strstr(p, want) : NULL;
		if (p)
			val = strtol(p + strlen(want), NULL, 10);
	}
	fclose(f);
	return val;
}

/*
 * The daemon's own descriptor shares the struct file autofs writes into:
 * once mounted, it is a packet pipe (O_DIRECT) that blocks (O_NONBLOCK
 * clear), whatever it was before. This is what 546694b8f658 lost, seen by
 * a daemon of any ABI.
 */
TEST_F(autofs_daemon, mount_makes_pipe_packet_mode_and_blocking)
{
	int flags = fcntl(self->d.wr, F_GETFL);

	ASSERT_LE(0, flags);
	EXPECT_EQ(O_DIRECT, flags & O_DIRECT) {
		TH_LOG("the pipe autofs writes into is not a packet pipe (flags %#x)", flags);
	}
	EXPECT_EQ(0, flags & O_NONBLOCK) {
		TH_LOG("the pipe autofs writes into does not block (flags %#x)", flags);
	}
}

/*
 * The mount's options show the descriptor the daemon passed (",fd=N"),
 * for the daemon and for checkpoint/restore tools to find its pipe by.
 */
TEST_F(autofs_daemon, mount_records_daemon_pipe_descriptor)
{
	EXPECT_EQ(self->d.wr, mount_option(self->d.mnt, "fd"));
}

/* One lookup at a time: every request arrives whole and at its start. */
TEST_F(autofs_daemon, sequential_lookups_read_whole_requests)
{
	struct autofs_v5_packet pkt;
	ssize_t n;
	int i;

	TH_LOG("reading requests of %zu bytes", sizeof(pkt));
	for (i = 0; i < NR_NAMES; i++) {
		start_lookup(_metadata, &self->d, i, names[i], USER);
		n = read_request(self->d.rd, &pkt);
		ASSERT_EQ(sizeof(pkt), n) {
			TH_LOG("request %d for %s: read returned %zd", i, names[i], n);
		}
		ASSERT_EQ(i, request_index(&pkt)) {
			TH_LOG("request %d is misaligned: name field reads \"%.16s\"", i, pkt.name);
		}
		expect_request(_metadata, &self->d, &pkt, autofs_ptype_missing_indirect, i);
		ASSERT_EQ(0, answer(self->d.mnt, self->d.ioctlfd, &pkt, i));
		expect_lookup_result(_metadata, &self->d, i, self->d.rd,
				     answer_ready(i) ? 0 : ENOENT);
	}

	/* Nothing may be left over: no padding of any request. */
	EXPECT_EQ(0, request_ready(self->d.rd, 0)) {
		TH_LOG("bytes left in the pipe after the last request");
	}
}

/* All lookups at once: several requests queued in the pipe together. */
TEST_F(autofs_daemon, concurrent_lookups_read_whole_requests)
{
	struct autofs_v5_packet pkt;
	bool seen[NR_NAMES] = { false };
	ssize_t n;
	int i, k;

	for (i = 0; i < NR_NAMES; i++)
		start_lookup(_metadata, &self->d, i, names[i], USER);
	for (k = 0; k < NR_NAMES; k++) {
		n = read_request(self->d.rd, &pkt);
		ASSERT_EQ(sizeof(pkt), n) {
			TH_LOG("request %d: read returned %zd", k, n);
		}
		i = request_index(&pkt);
		ASSERT_LE(0, i) {
			TH_LOG("request %d is misaligned: name field reads \"%.16s\"", k, pkt.name);
		}
		ASSERT_FALSE(seen[i]);
		seen[i] = true;
		expect_request(_metadata, &self->d, &pkt, autofs_ptype_missing_indirect, i);
		ASSERT_EQ(0, answer(self->d.mnt, self->d.ioctlfd, &pkt, i));
	}
	for (i = 0; i < NR_NAMES; i++)
		expect_lookup_result(_metadata, &self->d, i, self->d.rd,
				     answer_ready(i) ? 0 : ENOENT);
}

/*
 * A lookup of a direct mount's mount point sends a direct-mount request,
 * and the daemon's FAIL ends it with ENOENT.
 */
TEST_F(autofs_daemon, direct_mount_lookup_sends_direct_request)
{
	struct autofs_v5_packet pkt;

	stop_daemon(&self->d);
	start_daemon(_metadata, &self->d, variant->fsconfig, "direct");
	start_lookup(_metadata, &self->d, 0, "", USER);
	ASSERT_EQ(sizeof(pkt), read_request(self->d.rd, &pkt));
	expect_request(_metadata, &self->d, &pkt, autofs_ptype_missing_direct, 0);
	ASSERT_EQ(0, ioctl(self->d.ioctlfd, AUTOFS_IOC_FAIL, pkt.wait_queue_token));
	expect_lookup_result(_metadata, &self->d, 0, self->d.rd, ENOENT);
}

/*
 * Since commit 922a6f34c175, merged for 6.19, a lookup on a private mount
 * from a mount namespace other than the daemon's is refused. Nothing autofs
 * shows user space tells whether a kernel has that rule, short of the
 * behaviour under test. The commit added vfsmount_to_propagation_flags() to
 * fs/namespace.c for it, which nothing else calls: that symbol says the
 * rule is there, whether it works or not. A kernel from 6.19 on without the
 * symbol fails instead of skipping, so that a renamed helper cannot turn
 * the tests into silent skips: update the probe then.
 */
static bool has_foreign_ns_rule(struct __test_metadata *_metadata)
{
	char line[512], *sym;
	bool found = false;
	FILE *f;

	f = fopen("/proc/kallsyms", "re");
	if (!f)
		SKIP(return false,
		     "no /proc/kallsyms (CONFIG_KALLSYMS) to tell if autofs refuses foreign namespaces");
	/* "address type name", and "\t[module]" for a module's symbol */
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\t\n")] = '\0';
		sym = strrchr(line, ' ');
		found = sym && !strcmp(sym + 1, "vfsmount_to_propagation_flags");
	}
	fclose(f);
	if (!found && ksft_min_kernel_version(6, 19)) {
		TH_LOG("no vfsmount_to_propagation_flags() on 6.19+: update the probe");
		EXPECT_TRUE(found);
		return false;
	}
	if (!found)
		SKIP(return false, "autofs has no foreign-namespace rule (922a6f34c175, 6.19)");
	return true;
}

/*
 * A lookup from another mount namespace, where no daemon serves this
 * private mount, is refused with EPERM and sends no request.
 */
TEST_F(autofs_daemon, foreign_namespace_lookup_is_refused)
{
	if (!has_foreign_ns_rule(_metadata))
		return;
	start_lookup(_metadata, &self->d, 1, names[1], FOREIGN_USER);
	expect_lookup_result(_metadata, &self->d, 1, self->d.rd, EPERM);
}

/* Who calls AUTOFS_DEV_IOCTL_SETPIPEFD. */
enum setpipefd_caller {
	NEW_DAEMON,		/* a process in a session of its own */
	NEW_DAEMON_PID_NS,	/* the same, in a new PID namespace */
	NEW_DAEMON_MNT_NS,	/* the same, in a new mount namespace */
	LIVE_DAEMON,		/* a process of the daemon's own group */
};

/* Exit statuses of start_setpipefd() for its own steps, above any errno. */
#define SETPIPEFD_NO_PID_NS	200
#define SETPIPEFD_SETUP_FAILED	201

/*
 * A process, run as @who, gives the mount behind @ioctlfd the pipe @pipefd
 * through /dev/autofs (@devfd). Exit status: 0 when
 * AUTOFS_DEV_IOCTL_SETPIPEFD succeeded, else its errno.
 */
static pid_t start_setpipefd(int devfd, int ioctlfd, int pipefd, enum setpipefd_caller who)
{
	struct autofs_dev_ioctl param;
	int status;
	pid_t pid;

	init_autofs_dev_ioctl(&param);
	param.ioctlfd = ioctlfd;
	param.setpipefd.pipefd = pipefd;
	pid = fork();
	if (pid)
		return pid;
	/* Bounds the wait for its child too, whose ioctl does not sleep. */
	alarm(LOOKUP_TIMEOUT_S);
	if (who == NEW_DAEMON_MNT_NS && unshare(CLONE_NEWNS))
		_exit(SETPIPEFD_SETUP_FAILED);
	if (who == NEW_DAEMON_PID_NS) {
		if (unshare(CLONE_NEWPID))
			_exit(errno == EINVAL ? SETPIPEFD_NO_PID_NS : SETPIPEFD_SETUP_FAILED);
		/* Only a child enters the new namespace. */
		pid = fork();
		if (pid < 0)
			_exit(SETPIPEFD_SETUP_FAILED);
		if (pid) {
			if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
				_exit(SETPIPEFD_SETUP_FAILED);
			_exit(WEXITSTATUS(status));
		}
	}
	/* A new daemon's process group is its own, of the namespace it lives in. */
	if (who != LIVE_DAEMON && setsid() < 0)
		_exit(SETPIPEFD_SETUP_FAILED);
	_exit(ioctl(devfd, AUTOFS_DEV_IOCTL_SETPIPEFD, &param) ? errno : 0);
}

/*
 * Let a process run as @who (start_setpipefd()), whose PID is *@caller if
 * @caller is given, hand the mount behind @ioctlfd the pipe @pipefd.
 * Returns its exit status, or -1 if the test is skipped.
 */
static int setpipefd_as(struct __test_metadata *_metadata, enum setpipefd_caller who, int ioctlfd,
			int pipefd, pid_t *caller)
{
	int devfd, status = 0;
	pid_t pid;

	devfd = open("/dev/" AUTOFS_DEVICE_NAME, O_RDONLY | O_CLOEXEC);
	if (devfd < 0 && errno == ENOENT)
		SKIP(return -1, "no /dev/" AUTOFS_DEVICE_NAME);
	ASSERT_LE(0, devfd) {
		TH_LOG("opening /dev/" AUTOFS_DEVICE_NAME ": %s", strerror(errno));
	}
	pid = start_setpipefd(devfd, ioctlfd, pipefd, who);
	close(devfd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (who == NEW_DAEMON_PID_NS && WEXITSTATUS(status) == SETPIPEFD_NO_PID_NS)
		SKIP(return -1, "no PID namespaces (CONFIG_PID_NS)");
	ASSERT_NE(SETPIPEFD_SETUP_FAILED, WEXITSTATUS(status)) {
		TH_LOG("the process to call AUTOFS_DEV_IOCTL_SETPIPEFD could not be set up");
	}
	if (caller)
		*caller = pid;
	return WEXITSTATUS(status);
}

/*
 * A daemon restarted in the PID namespace of the one it replaces takes
 * the catatonic mount over: its new pipe becomes a packet pipe that
 * blocks, whatever it was before.
 */
TEST_F(autofs_daemon, setpipefd_makes_new_pipe_packet_mode_and_blocking)
{
	int newpipe[2], flags, ret;

	ASSERT_EQ(0, pipe2(newpipe, O_NONBLOCK));
	ASSERT_EQ(0, ioctl(self->d.ioctlfd, AUTOFS_IOC_CATATONIC, 0));
	ret = setpipefd_as(_metadata, NEW_DAEMON, self->d.ioctlfd, newpipe[1], NULL);
	if (ret < 0)
		return;
	ASSERT_EQ(0, ret) {
		TH_LOG("AUTOFS_DEV_IOCTL_SETPIPEFD: %s", strerror(ret));
	}
	flags = fcntl(newpipe[1], F_GETFL);
	ASSERT_LE(0, flags);
	EXPECT_EQ(O_DIRECT, flags & O_DIRECT) {
		TH_LOG("the new pipe autofs writes into is not a packet pipe (flags %#x)", flags);
	}
	EXPECT_EQ(0, flags & O_NONBLOCK) {
		TH_LOG("the new pipe autofs writes into does not block (flags %#x)", flags);
	}
	close(newpipe[0]);
	close(newpipe[1]);
}

/*
 * The restarted daemon's process group becomes the mount's daemon: the
 * mount's options show it and the new pipe, and the old daemon's group
 * is an ordinary user whose lookups send requests.
 */
TEST_F(autofs_daemon, setpipefd_hands_mount_to_caller)
{
	struct autofs_v5_packet pkt;
	int newpipe[2], ret;
	pid_t caller = 0;

	ASSERT_EQ(0, pipe2(newpipe, O_CLOEXEC));
	ASSERT_EQ(0, ioctl(self->d.ioctlfd, AUTOFS_IOC_CATATONIC, 0));
	ret = setpipefd_as(_metadata, NEW_DAEMON, self->d.ioctlfd, newpipe[1], &caller);
	if (ret < 0)
		return;
	ASSERT_EQ(0, ret) {
		TH_LOG("AUTOFS_DEV_IOCTL_SETPIPEFD: %s", strerror(ret));
	}
	EXPECT_EQ(caller, mount_option(self->d.mnt, "pgrp"));
	EXPECT_EQ(newpipe[1], mount_option(self->d.mnt, "fd"));

	start_lookup(_metadata, &self->d, 1, names[1], OLD_DAEMON);
	ASSERT_EQ(sizeof(pkt), read_request(newpipe[0], &pkt)) {
		TH_LOG("a lookup from the old daemon's process group sent no request");
	}
	ASSERT_EQ(0, answer(self->d.mnt, self->d.ioctlfd, &pkt, 1));
	expect_lookup_result(_metadata, &self->d, 1, newpipe[0], ENOENT);
	close(newpipe[0]);
	close(newpipe[1]);
}

/*
 * A mount whose daemon is alive (not catatonic) is not handed a new pipe,
 * not even by its own daemon (only the daemon's group may call at all):
 * the call is refused and the next request arrives on the daemon's pipe.
 */
TEST_F(autofs_daemon, setpipefd_refuses_live_mount)
{
	struct autofs_v5_packet pkt;
	int newpipe[2], ret;

	ASSERT_EQ(0, pipe2(newpipe, O_CLOEXEC));
	ret = setpipefd_as(_metadata, LIVE_DAEMON, self->d.ioctlfd, newpipe[1], NULL);
	if (ret < 0)
		return;
	EXPECT_NE(0, ret) {
		TH_LOG("a mount with a live daemon was handed a new pipe");
	}

	start_lookup(_metadata, &self->d, 1, names[1], USER);
	ASSERT_EQ(sizeof(pkt), read_request(self->d.rd, &pkt)) {
		TH_LOG("no request on the daemon's pipe%s",
		       request_ready(newpipe[0], 0) > 0 ? ": it went to the new one" : "");
	}
	ASSERT_EQ(0, answer(self->d.mnt, self->d.ioctlfd, &pkt, 1));
	expect_lookup_result(_metadata, &self->d, 1, self->d.rd, ENOENT);
	close(newpipe[0]);
	close(newpipe[1]);
}

/*
 * A descriptor autofs cannot write into, the read end of a pipe, is
 * refused, and autofs keeps no reference to it: once its last descriptor
 * is closed the pipe has no reader, and a write gets EPIPE.
 */
TEST_F(autofs_daemon, setpipefd_refuses_unusable_pipe_without_keeping_it)
{
	int newpipe[2], ret;

	ASSERT_EQ(0, pipe2(newpipe, O_CLOEXEC));
	ASSERT_EQ(0, ioctl(self->d.ioctlfd, AUTOFS_IOC_CATATONIC, 0));
	ret = setpipefd_as(_metadata, NEW_DAEMON, self->d.ioctlfd, newpipe[0], NULL);
	if (ret < 0)
		return;
	EXPECT_NE(0, ret) {
		TH_LOG("the read end of a pipe was accepted");
	}

	ASSERT_EQ(0, close(newpipe[0]));
	ASSERT_TRUE(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	EXPECT_EQ(-1, write(newpipe[1], "x", 1));
	EXPECT_EQ(EPIPE, errno) {
		TH_LOG("the refused read end still has a reader: autofs kept it");
	}
	close(newpipe[1]);
}

/*
 * The same restart from a new PID namespace is refused: the process group
 * autofs tells its daemon by must be of the namespace the mount was made
 * in. The new pipe is left as it was, and the same call from the mount's
 * namespace then succeeds: the refusal was the namespace's, not the call's.
 */
TEST_F(autofs_daemon, setpipefd_from_another_pid_namespace_is_refused)
{
	int newpipe[2], flags, ret;

	ASSERT_EQ(0, pipe2(newpipe, O_NONBLOCK));
	ASSERT_EQ(0, ioctl(self->d.ioctlfd, AUTOFS_IOC_CATATONIC, 0));
	ret = setpipefd_as(_metadata, NEW_DAEMON_PID_NS, self->d.ioctlfd, newpipe[1], NULL);
	if (ret < 0)
		return;
	EXPECT_NE(0, ret) {
		TH_LOG("AUTOFS_DEV_IOCTL_SETPIPEFD from a new PID namespace succeeded");
	}
	flags = fcntl(newpipe[1], F_GETFL);
	ASSERT_LE(0, flags);
	EXPECT_EQ(O_NONBLOCK, flags & (O_DIRECT | O_NONBLOCK));
	EXPECT_EQ(0, setpipefd_as(_metadata, NEW_DAEMON, self->d.ioctlfd, newpipe[1], NULL)) {
		TH_LOG("AUTOFS_DEV_IOCTL_SETPIPEFD from the mount's PID namespace failed");
	}
	close(newpipe[0]);
	close(newpipe[1]);
}

/*
 * A daemon restarted in another mount namespace owns the mount from then
 * on: a lookup from the namespace it was made in, where this private
 * mount has no daemon now, is refused.
 */
TEST_F(autofs_daemon, setpipefd_makes_caller_namespace_the_owner)
{
	int newpipe[2], ret;

	if (!has_foreign_ns_rule(_metadata))
		return;
	ASSERT_EQ(0, pipe2(newpipe, O_CLOEXEC));
	ASSERT_EQ(0, ioctl(self->d.ioctlfd, AUTOFS_IOC_CATATONIC, 0));
	ret = setpipefd_as(_metadata, NEW_DAEMON_MNT_NS, self->d.ioctlfd, newpipe[1], NULL);
	if (ret < 0)
		return;
	ASSERT_EQ(0, ret) {
		TH_LOG("AUTOFS_DEV_IOCTL_SETPIPEFD from a new mount namespace: %s", strerror(ret));
	}

	start_lookup(_metadata, &self->d, 1, names[1], USER);
	expect_lookup_result(_metadata, &self->d, 1, newpipe[0], EPERM);
	close(newpipe[0]);
	close(newpipe[1]);
}

TEST_HARNESS_MAIN
