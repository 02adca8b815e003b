// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit tests for the pipe between autofs and its automount daemon.
 *
 * The daemon hands autofs the write end of a pipe, as "fd=N" in mount(2)
 * data or with fsconfig(FSCONFIG_SET_FD, "fd"), and autofs writes one
 * request into it per wait (Documentation/filesystems/autofs.rst). The
 * pipe must be a packet pipe (O_DIRECT): struct autofs_v5_packet is 304
 * bytes on x86_64 but 300 bytes for an i386 daemon, whose __u64 is only
 * 4-byte aligned. A 64-bit kernel writes 304 bytes, a 32-bit daemon reads
 * 300, and only packet mode discards the rest of the packet, so that the
 * next read starts at the next request. Commit 64f371bc3107 ("autofs: make
 * the autofsv5 packet file descriptor use a packetized pipe") made that the
 * rule in 2012. autofs also clears O_NONBLOCK on the pipe: on a full
 * non-blocking pipe autofs_write() fails with -EAGAIN and the mount goes
 * catatonic.
 *
 * Commit 546694b8f658 ("autofs: add autofs_parse_fd()") checked the pipe
 * but no longer set its flags. Nothing failed but LKFT's compat-mode boot
 * tests of linux-next (64-bit kernel, 32-bit user space): systemd hung on
 * its autofs direct mount of /proc/sys/fs/binfmt_misc, and the kernel
 * logged nothing. It was bisected and fixed before a release by commit
 * d3c50061765d ("autofs: fix add autofs_parse_fd()").
 *
 * The cases hand autofs_parse_fd() the write end of an anonymous pipe, as
 * pipe2() makes it, through the fs_context file form that fsconfig() uses;
 * check the flags it leaves and the references it holds; read packets
 * through that pipe as a 32-bit daemon does; and call autofs_wait() as
 * autofs_mount_wait() does, from threads that are not the daemon, on
 * kernel-internal mounts, playing the daemon with the functions its
 * ioctls call. What needs a process (a descriptor number, /dev/autofs,
 * the requester's ids, namespaces) is tested by the kselftest in
 * tools/testing/selftests/filesystems/autofs/.
 *
 * Run with:
 *	./tools/testing/kunit/kunit.py run --kunitconfig fs/autofs
 */

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs_context.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/pipe_fs_i.h>
#include <linux/sched/signal.h>

#include "autofs_i.h"

/* What a 32-bit x86 daemon reads: a v5 request without tail padding. */
#define AUTOFS_TEST_V5_COMPAT	offsetofend(struct autofs_v5_packet, name)

/* How long the daemon side waits for a request or a waiter, in ms. */
#define AUTOFS_TEST_WAIT_MS	5000

/*
 * The descriptor number fsconfig(FSCONFIG_SET_FD) was given. The VFS has
 * resolved it already; fs_param_is_fd() copies it into sbi->pipefd, which
 * autofs_get_tree() wants non-negative.
 */
#define AUTOFS_TEST_FSCONFIG_FD	3

/* Keys of the requests a case has outstanding at once: three lengths. */
static const char *const autofs_test_keys[] = { "alpha", "bravo_", "charlie" };
#define AUTOFS_TEST_NR_KEYS	ARRAY_SIZE(autofs_test_keys)

KUNIT_DEFINE_ACTION_WRAPPER(autofs_test_fput, fput, struct file *);
KUNIT_DEFINE_ACTION_WRAPPER(autofs_test_put_fc, put_fs_context, struct fs_context *);
KUNIT_DEFINE_ACTION_WRAPPER(autofs_test_kern_unmount, kern_unmount, struct vfsmount *);

/*
 * The case holds two references to every file it hands to autofs: its own
 * and a guard. A kernel that puts the file once too often (the bug a count
 * check looks for) then leaves it alive for the check to fail on.
 */
#define AUTOFS_TEST_HELD	2

/* Keep @file until the case ends; @refs references are the case's. */
static struct file *autofs_test_own(struct kunit *test, struct file *file, int refs)
{
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_fput, file), 0);
	while (--refs)
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_fput,
								get_file(file)), 0);
	return file;
}

/*
 * Check that @file has @expected references. After a failed check, make up
 * the references the code under test dropped, so that the case's cleanup
 * cannot put a freed file; a leak is left alone.
 */
static void autofs_test_expect_refs(struct kunit *test, struct file *file, long expected,
				    const char *what)
{
	long count = file_count(file);

	KUNIT_EXPECT_EQ_MSG(test, count, expected, "%s: wrong reference count", what);
	for (; count < expected; count++)
		get_file(file);
}

struct autofs_test_pipe {
	struct file *rd;
	struct file *wr;
};

/*
 * An anonymous pipe, as pipe2(O_NONBLOCK) makes it. Non-blocking on
 * purpose: autofs must clear O_NONBLOCK on the write end, which only shows
 * if it was set, and the case's reads from the read end return at once.
 */
static void autofs_test_make_pipe(struct kunit *test, struct autofs_test_pipe *p)
{
	struct file *f[2];

	KUNIT_ASSERT_EQ(test, create_pipe_files(f, O_NONBLOCK), 0);
	if (kunit_add_action_or_reset(test, autofs_test_fput, f[1])) {
		fput(f[0]);
		KUNIT_FAIL_AND_ABORT(test, "cannot register the write end's release");
	}
	p->rd = autofs_test_own(test, f[0], 1);
	p->wr = autofs_test_own(test, get_file(f[1]), AUTOFS_TEST_HELD - 1);
}

/* An autofs fs_context, as fsopen("autofs") makes it, for a kernel mount. */
static struct fs_context *autofs_test_fc(struct kunit *test)
{
	struct fs_context *fc = fs_context_for_mount(&autofs_fs_type, SB_KERNMOUNT);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fc);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_put_fc, fc), 0);
	KUNIT_ASSERT_NOT_NULL(test, fc->s_fs_info);
	return fc;
}

/*
 * fsconfig(FSCONFIG_SET_FD, "fd", NULL, fd) with @file behind fd: the
 * parameter carries a reference of its own, which the VFS puts unless
 * autofs took it over.
 */
static int autofs_test_set_fd(struct fs_context *fc, struct file *file)
{
	struct fs_parameter param = {
		.key = "fd",
		.type = fs_value_is_file,
		.file = get_file(file),
		.dirfd = AUTOFS_TEST_FSCONFIG_FD,
	};
	int ret = vfs_parse_fs_param(fc, &param);

	if (param.file)
		fput(param.file);
	return ret;
}

/* Hand a fresh pipe to autofs; it must hold exactly one reference. */
static void autofs_test_hand_over(struct kunit *test, struct fs_context *fc,
				  struct autofs_test_pipe *p)
{
	autofs_test_make_pipe(test, p);
	/* What autofs must change: else the flag checks could not fail. */
	KUNIT_ASSERT_EQ(test, p->wr->f_flags & (O_DIRECT | O_NONBLOCK), O_NONBLOCK);
	KUNIT_ASSERT_EQ_MSG(test, autofs_test_set_fd(fc, p->wr), 0,
			    "autofs refused the write end of a pipe");
	autofs_test_expect_refs(test, p->wr, AUTOFS_TEST_HELD + 1,
				"autofs must hold one reference to the pipe it took");
}

/* 64f371bc3107; lost in 546694b8f658, restored by d3c50061765d. */
static void parse_fd_sets_packet_mode(struct kunit *test)
{
	struct autofs_test_pipe p;

	autofs_test_hand_over(test, autofs_test_fc(test), &p);
	KUNIT_EXPECT_EQ_MSG(test, p.wr->f_flags & O_DIRECT, O_DIRECT,
			    "daemon pipe must be a packet pipe (O_DIRECT, f_flags=%#x): 32-bit daemons rely on it since 64f371bc3107, lost in 546694b8f658",
			    p.wr->f_flags);
}

/*
 * A full pipe must make autofs wait for the daemon: with -EAGAIN the mount
 * goes catatonic.
 */
static void parse_fd_clears_nonblock(struct kunit *test)
{
	struct autofs_test_pipe p;

	autofs_test_hand_over(test, autofs_test_fc(test), &p);
	KUNIT_EXPECT_EQ_MSG(test, p.wr->f_flags & O_NONBLOCK, 0,
			    "daemon pipe must block (O_NONBLOCK clear, f_flags=%#x): -EAGAIN makes the mount catatonic; lost in 546694b8f658",
			    p.wr->f_flags);
}

/* Files that are not the write end of a pipe. */
enum autofs_test_bad_kind {
	AUTOFS_TEST_NOT_PIPE,		/* writable, but no pipe */
	AUTOFS_TEST_READ_END,		/* a pipe, but not writable */
};

static ssize_t autofs_test_sink_write(struct file *file, const char __user *buf,
				      size_t count, loff_t *ppos)
{
	return count;
}

static const struct file_operations autofs_test_sink_fops = {
	.owner = THIS_MODULE,
	.write = autofs_test_sink_write,
};

struct autofs_test_bad_param {
	const char *desc;
	enum autofs_test_bad_kind kind;
};

static const struct autofs_test_bad_param autofs_test_bad[] = {
	{ "writable_not_pipe", AUTOFS_TEST_NOT_PIPE },
	{ "pipe_read_end", AUTOFS_TEST_READ_END },
};

KUNIT_ARRAY_PARAM_DESC(autofs_test_bad, autofs_test_bad, desc);

/*
 * An unusable file is refused and left as it was: not installed, its flags
 * unchanged, and the reference handed over put exactly once. Kernels from
 * commit e6ec453bd0f0 ("autofs: convert autofs to use the new mount api")
 * to commit 6a64c5220c5d ("autofs: fix missing fput for FSCONFIG_SET_FD")
 * leaked it.
 */
static void parse_fd_rejects_unusable_file(struct kunit *test)
{
	const struct autofs_test_bad_param *bp = test->param_value;
	struct fs_context *fc = autofs_test_fc(test);
	struct autofs_sb_info *sbi = fc->s_fs_info;
	struct autofs_test_pipe p;
	struct file *bad;
	unsigned int flags;

	if (bp->kind == AUTOFS_TEST_NOT_PIPE) {
		bad = autofs_test_own(test, anon_inode_getfile("[autofs_test]",
							       &autofs_test_sink_fops,
							       NULL, O_WRONLY),
				      AUTOFS_TEST_HELD);
		/* Only the pipe check can refuse it. */
		KUNIT_ASSERT_TRUE(test, bad->f_mode & FMODE_CAN_WRITE);
	} else {
		autofs_test_make_pipe(test, &p);
		bad = p.rd;
		autofs_test_own(test, get_file(bad), AUTOFS_TEST_HELD - 1);
	}
	flags = bad->f_flags;

	KUNIT_EXPECT_LT_MSG(test, autofs_test_set_fd(fc, bad), 0,
			    "%s must be refused as the daemon pipe", bp->desc);
	KUNIT_EXPECT_NULL(test, sbi->pipe);
	KUNIT_EXPECT_EQ_MSG(test, bad->f_flags, flags, "a refused file's flags must not change");
	autofs_test_expect_refs(test, bad, AUTOFS_TEST_HELD,
				"a refused file must be put exactly once");
}

/* Native v5 request @i, as autofs_notify_daemon() fills one. */
static void autofs_test_fill_v5(struct autofs_v5_packet *pkt, unsigned int i)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->hdr.proto_version = 5;
	pkt->hdr.type = autofs_ptype_missing_indirect;
	pkt->wait_queue_token = i + 1;
	pkt->len = strscpy(pkt->name, autofs_test_keys[i % AUTOFS_TEST_NR_KEYS]);
}

static ssize_t autofs_test_write_v5(struct file *wr, unsigned int i)
{
	struct autofs_v5_packet pkt;
	loff_t pos = 0;

	autofs_test_fill_v5(&pkt, i);
	return kernel_write(wr, &pkt, sizeof(pkt), &pos);
}

static ssize_t autofs_test_read(struct file *rd, void *buf, size_t size)
{
	loff_t pos = 0;

	memset(buf, 0, size);
	return kernel_read(rd, buf, size, &pos);
}

/*
 * The reason packet mode exists: native v5 packets written into the pipe
 * autofs_parse_fd() prepared reach a daemon that reads the compat size
 * whole, each read starting at its packet, and a read larger than a packet
 * still returns exactly one. The same pipe before autofs_parse_fd() is a
 * stream: that one read returns two packets, so the checks can fail.
 */
static void v5_packets_read_whole_at_compat_size(struct kunit *test)
{
	const size_t big = 2 * sizeof(struct autofs_v5_packet);
	struct autofs_test_pipe p;
	struct autofs_v5_packet *buf = kunit_kzalloc(test, big, GFP_KERNEL);
	unsigned int i;
	ssize_t n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	kunit_info(test, "v5 packet: %zu bytes native, %zu read by a compat daemon\n",
		   sizeof(*buf), AUTOFS_TEST_V5_COMPAT);
	autofs_test_make_pipe(test, &p);
	for (i = 0; i < 2; i++)
		KUNIT_ASSERT_EQ(test, autofs_test_write_v5(p.wr, i), sizeof(*buf));
	KUNIT_ASSERT_EQ_MSG(test, autofs_test_read(p.rd, buf, big), big,
			    "negative control: a stream pipe must return both packets in one read");

	KUNIT_ASSERT_EQ(test, autofs_test_set_fd(autofs_test_fc(test), p.wr), 0);
	for (i = 0; i <= AUTOFS_TEST_NR_KEYS; i++)
		KUNIT_ASSERT_EQ(test, autofs_test_write_v5(p.wr, i), sizeof(*buf));

	for (i = 0; i < AUTOFS_TEST_NR_KEYS; i++) {
		n = autofs_test_read(p.rd, buf, AUTOFS_TEST_V5_COMPAT);
		KUNIT_EXPECT_EQ_MSG(test, n, AUTOFS_TEST_V5_COMPAT,
				    "packet %u: a compat daemon's read must be whole", i);
		KUNIT_EXPECT_EQ_MSG(test, buf->wait_queue_token, i + 1,
				    "packet %u: the read must start at its packet (f_flags=%#x)",
				    i, p.wr->f_flags);
	}
	n = autofs_test_read(p.rd, buf, big);
	KUNIT_EXPECT_EQ_MSG(test, n, sizeof(*buf), "a larger read must return one packet");
	KUNIT_EXPECT_EQ(test, buf->wait_queue_token, AUTOFS_TEST_NR_KEYS + 1);
}

/* A kernel-internal autofs mount, with the daemon's pipe. */
struct autofs_test_mount {
	struct autofs_test_pipe p;
	struct vfsmount *mnt;
	struct autofs_sb_info *sbi;
};

/*
 * Mount autofs as the daemon does, with a fresh pipe handed over as
 * fsconfig() does, @maxproto and @type ("indirect" or "direct"). The
 * daemon's process group is named by the case thread's pid, a group no
 * kthread is in, so that the waiters are not the daemon. The mount is
 * kernel-internal: kern_unmount() ends it, and the superblock, when the
 * case ends.
 */
static void autofs_test_mount(struct kunit *test, struct autofs_test_mount *m,
			      const char *maxproto, const char *type)
{
	struct fs_context *fc = autofs_test_fc(test);
	char pgrp[16];

	autofs_test_hand_over(test, fc, &m->p);
	snprintf(pgrp, sizeof(pgrp), "%d", task_pid_nr(current));
	KUNIT_ASSERT_EQ(test, vfs_parse_fs_string(fc, "pgrp", pgrp), 0);
	KUNIT_ASSERT_EQ(test, vfs_parse_fs_string(fc, "maxproto", maxproto), 0);
	KUNIT_ASSERT_EQ(test, vfs_parse_fs_string(fc, type, NULL), 0);
	m->mnt = fc_mount_longterm(fc);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m->mnt);
	/* The mount holds the superblock now, as after vfs_kern_mount(). */
	kunit_release_action(test, autofs_test_put_fc, fc);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_kern_unmount,
							m->mnt), 0);
	m->sbi = autofs_sbi(m->mnt->mnt_sb);
	KUNIT_ASSERT_FALSE_MSG(test, autofs_oz_mode(m->sbi),
			       "the case's threads must not be the daemon");
}

/*
 * A thread that walks into the mount: autofs_wait() for a key in its root,
 * as autofs_mount_wait() calls it. The case plays the daemon.
 */
struct autofs_test_waiter {
	struct kref ref;		/* the case's and the thread's */
	struct kunit *test;
	struct task_struct *task;
	struct path path;
	struct autofs_sb_info *sbi;
	struct completion done;
	int status;
};

static void autofs_test_waiter_free(struct kref *ref)
{
	struct autofs_test_waiter *w = container_of(ref, struct autofs_test_waiter, ref);

	path_put(&w->path);
	kfree(w);
}

/* autofs_wait() sleeps killable: SIGKILL ends a wait nobody releases. */
static int autofs_test_waiter_fn(void *data)
{
	struct autofs_test_waiter *w = data;

	allow_signal(SIGKILL);
	w->status = autofs_wait(w->sbi, &w->path, NFY_MOUNT);
	complete_all(&w->done);
	kref_put(&w->ref, autofs_test_waiter_free);
	module_put_and_kthread_exit(0);
}

static bool autofs_test_waiter_done(struct autofs_test_waiter *w)
{
	return wait_for_completion_timeout(&w->done, msecs_to_jiffies(AUTOFS_TEST_WAIT_MS));
}

/*
 * However the case ended: a waiter still asleep is released by catatonic
 * mode, as when the daemon exits, and killed if that does not end it; then
 * joined, so that its references to the mount are gone before the mount.
 * One that survives even SIGKILL is left behind with its own references.
 */
static void autofs_test_stop_waiter(void *data)
{
	struct autofs_test_waiter *w = data;
	struct task_struct *task = w->task;

	if (!completion_done(&w->done)) {
		autofs_catatonic_mode(w->sbi);
		if (!autofs_test_waiter_done(w)) {
			send_sig(SIGKILL, task, 1);
			if (!autofs_test_waiter_done(w)) {
				KUNIT_FAIL(w->test, "a waiter survived SIGKILL; left behind");
				put_task_struct(task);
				kref_put(&w->ref, autofs_test_waiter_free);
				return;
			}
		}
	}
	kthread_stop_put(task);
	kref_put(&w->ref, autofs_test_waiter_free);
}

/*
 * A waiter for @key in the root of @m, as a process walking into it, or
 * for the mount point itself (@key NULL), as on a direct mount.
 */
static struct autofs_test_waiter *autofs_test_start_waiter(struct kunit *test,
							   struct autofs_test_mount *m,
							   const char *key)
{
	struct autofs_test_waiter *w;
	struct task_struct *task;
	struct dentry *dentry;

	/* The key's dentry, as autofs_lookup() leaves it for the walk. */
	if (key)
		dentry = lookup_noperm_unlocked(&QSTR(key), m->mnt->mnt_root);
	else
		dentry = dget(m->mnt->mnt_root);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dentry);
	w = kzalloc_obj(*w);
	if (!w) {
		dput(dentry);
		KUNIT_FAIL_AND_ABORT(test, "out of memory");
	}
	kref_init(&w->ref);
	w->test = test;
	w->path.mnt = mntget(m->mnt);
	w->path.dentry = dentry;
	w->sbi = m->sbi;
	init_completion(&w->done);

	task = kthread_create(autofs_test_waiter_fn, w, "autofs_test_waiter");
	if (IS_ERR(task)) {
		kref_put(&w->ref, autofs_test_waiter_free);
		KUNIT_FAIL_AND_ABORT(test, "kthread_create: %pe", task);
	}
	w->task = get_task_struct(task);
	kref_get(&w->ref);
	__module_get(THIS_MODULE);
	wake_up_process(task);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_stop_waiter, w), 0);
	return w;
}

/*
 * Read one request, waiting a bounded time for a waiter to write it. The
 * request comes from another thread; the read end is non-blocking so that
 * a kernel that never writes it fails the case instead of hanging it.
 */
static ssize_t autofs_test_read_request(struct file *rd, void *buf, size_t size)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(AUTOFS_TEST_WAIT_MS);
	ssize_t n;

	while ((n = autofs_test_read(rd, buf, size)) == -EAGAIN && time_before(jiffies, deadline))
		usleep_range(1000, 2000);
	return n;
}

/* Start a waiter for every key; read each request at @size into @pkt. */
static void autofs_test_wait_all(struct kunit *test, struct autofs_test_mount *m,
				 struct autofs_test_waiter **w, struct autofs_v5_packet *pkt,
				 size_t size)
{
	unsigned int i;

	for (i = 0; i < AUTOFS_TEST_NR_KEYS; i++) {
		w[i] = autofs_test_start_waiter(test, m, autofs_test_keys[i]);
		KUNIT_ASSERT_EQ_MSG(test, autofs_test_read_request(m->p.rd, &pkt[i], size), size,
				    "the request for %s must be read whole (f_flags=%#x)",
				    autofs_test_keys[i], m->p.wr->f_flags);
	}
}

/*
 * Requests of waits outstanding at once, as autofs_notify_daemon() writes
 * them (304 bytes on x86_64), read by a daemon at the compat size (300):
 * each read whole, starting at its own header, with its own token.
 */
static void notify_daemon_v5_requests_read_whole_at_compat_size(struct kunit *test)
{
	struct autofs_test_waiter *w[AUTOFS_TEST_NR_KEYS];
	struct autofs_v5_packet *pkt;
	struct autofs_test_mount m;
	unsigned int i, j;

	pkt = kunit_kcalloc(test, AUTOFS_TEST_NR_KEYS, sizeof(*pkt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	autofs_test_mount(test, &m, "5", "indirect");
	autofs_test_wait_all(test, &m, w, pkt, AUTOFS_TEST_V5_COMPAT);

	for (i = 0; i < AUTOFS_TEST_NR_KEYS; i++) {
		KUNIT_EXPECT_EQ(test, pkt[i].hdr.proto_version, 5);
		KUNIT_EXPECT_EQ(test, pkt[i].hdr.type, autofs_ptype_missing_indirect);
		KUNIT_EXPECT_EQ(test, pkt[i].len, strlen(autofs_test_keys[i]));
		KUNIT_EXPECT_STREQ_MSG(test, pkt[i].name, autofs_test_keys[i],
				       "request %u must start at its own header", i);
		KUNIT_EXPECT_NE(test, pkt[i].wait_queue_token, 0);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE_MSG(test, pkt[i].wait_queue_token, pkt[j].wait_queue_token,
					    "requests %u and %u share a token", j, i);
	}
}

/*
 * The daemon answers with the request's token (AUTOFS_IOC_READY or
 * AUTOFS_IOC_FAIL call autofs_wait_release()): the answer reaches that
 * waiter, with its status, and no other.
 */
static void notify_daemon_answer_wakes_only_its_waiter(struct kunit *test)
{
	struct autofs_test_waiter *w[AUTOFS_TEST_NR_KEYS];
	struct autofs_v5_packet *pkt;
	struct autofs_test_mount m;

	pkt = kunit_kcalloc(test, AUTOFS_TEST_NR_KEYS, sizeof(*pkt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	autofs_test_mount(test, &m, "5", "indirect");
	autofs_test_wait_all(test, &m, w, pkt, sizeof(*pkt));

	KUNIT_ASSERT_EQ(test, autofs_wait_release(m.sbi, pkt[1].wait_queue_token, -ENOENT), 0);
	KUNIT_ASSERT_TRUE_MSG(test, autofs_test_waiter_done(w[1]), "FAIL did not wake its waiter");
	KUNIT_EXPECT_EQ(test, w[1]->status, -ENOENT);
	/* A wait already released is no longer queued: its answer is refused. */
	KUNIT_ASSERT_EQ_MSG(test, autofs_wait_release(m.sbi, pkt[0].wait_queue_token, 0), 0,
			    "the answer for %s released the wait for %s",
			    autofs_test_keys[1], autofs_test_keys[0]);
	KUNIT_ASSERT_TRUE_MSG(test, autofs_test_waiter_done(w[0]), "READY did not wake its waiter");
	KUNIT_EXPECT_EQ(test, w[0]->status, 0);
	KUNIT_ASSERT_EQ_MSG(test, autofs_wait_release(m.sbi, pkt[2].wait_queue_token, -ENOENT), 0,
			    "answers to other requests released the wait for %s",
			    autofs_test_keys[2]);
	KUNIT_ASSERT_TRUE(test, autofs_test_waiter_done(w[2]));
	KUNIT_EXPECT_EQ(test, w[2]->status, -ENOENT);
}

/* A v4 daemon gets v4 requests: their own size, version and type. */
static void notify_daemon_v4_request_has_v4_size(struct kunit *test)
{
	union autofs_packet_union *pkt;
	struct autofs_test_mount m;

	pkt = kunit_kzalloc(test, sizeof(struct autofs_v5_packet), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	autofs_test_mount(test, &m, "4", "indirect");
	autofs_test_start_waiter(test, &m, autofs_test_keys[0]);

	KUNIT_ASSERT_EQ(test, autofs_test_read_request(m.p.rd, pkt,
						       sizeof(struct autofs_v5_packet)),
			sizeof(pkt->missing));
	KUNIT_EXPECT_EQ(test, pkt->hdr.proto_version, 4);
	KUNIT_EXPECT_EQ(test, pkt->hdr.type, autofs_ptype_missing);
	KUNIT_EXPECT_STREQ(test, pkt->missing.name, autofs_test_keys[0]);
}

/* A direct mount's request says so: the daemon looks it up in another map. */
static void notify_daemon_direct_request_is_direct(struct kunit *test)
{
	struct autofs_v5_packet *pkt;
	struct autofs_test_mount m;

	pkt = kunit_kzalloc(test, sizeof(*pkt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	autofs_test_mount(test, &m, "5", "direct");
	autofs_test_start_waiter(test, &m, NULL);

	KUNIT_ASSERT_EQ(test, autofs_test_read_request(m.p.rd, pkt, AUTOFS_TEST_V5_COMPAT),
			AUTOFS_TEST_V5_COMPAT);
	KUNIT_EXPECT_EQ(test, pkt->hdr.proto_version, 5);
	KUNIT_EXPECT_EQ(test, pkt->hdr.type, autofs_ptype_missing_direct);
}

/*
 * The daemon goes away (AUTOFS_IOC_CATATONIC, or its exit): every
 * outstanding wait is released at once, with -ENOENT.
 */
static void catatonic_mode_releases_every_waiter(struct kunit *test)
{
	struct autofs_test_waiter *w[AUTOFS_TEST_NR_KEYS];
	struct autofs_v5_packet *pkt;
	struct autofs_test_mount m;
	unsigned int i;

	pkt = kunit_kcalloc(test, AUTOFS_TEST_NR_KEYS, sizeof(*pkt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	autofs_test_mount(test, &m, "5", "indirect");
	autofs_test_wait_all(test, &m, w, pkt, sizeof(*pkt));

	autofs_catatonic_mode(m.sbi);
	for (i = 0; i < AUTOFS_TEST_NR_KEYS; i++) {
		KUNIT_ASSERT_TRUE_MSG(test, autofs_test_waiter_done(w[i]),
				      "catatonic mode must wake the waiter for %s",
				      autofs_test_keys[i]);
		KUNIT_EXPECT_EQ(test, w[i]->status, -ENOENT);
	}
}

/* Catatonic mode lets the daemon's pipe go: no pointer, no reference. */
static void catatonic_mode_drops_the_pipe(struct kunit *test)
{
	struct autofs_test_mount m;

	autofs_test_mount(test, &m, "5", "indirect");
	autofs_catatonic_mode(m.sbi);
	KUNIT_EXPECT_NULL(test, m.sbi->pipe);
	autofs_test_expect_refs(test, m.p.wr, AUTOFS_TEST_HELD,
				"catatonic mode must put the pipe");
}

/*
 * The daemon dies: its end of the pipe closes. The next request cannot be
 * written, the mount goes catatonic and the waiter gets -ENOENT instead of
 * sleeping forever.
 */
static void write_failure_makes_mount_catatonic(struct kunit *test)
{
	struct autofs_test_waiter *w;
	struct autofs_test_mount m;

	autofs_test_mount(test, &m, "5", "indirect");
	/*
	 * A kthread's fput() is deferred, and pipe_release() must have run
	 * before the waiter writes, or the write succeeds: the one place the
	 * suite needs __fput_sync(), on a file nothing else holds.
	 */
	kunit_remove_action(test, autofs_test_fput, m.p.rd);
	__fput_sync(m.p.rd);

	w = autofs_test_start_waiter(test, &m, autofs_test_keys[0]);
	KUNIT_ASSERT_TRUE_MSG(test, autofs_test_waiter_done(w),
			      "a request nobody can read must not leave its waiter asleep");
	KUNIT_EXPECT_EQ(test, w->status, -ENOENT);
	KUNIT_EXPECT_EQ(test, m.sbi->flags & AUTOFS_SBI_CATATONIC, AUTOFS_SBI_CATATONIC);
	KUNIT_EXPECT_NULL(test, m.sbi->pipe);
}

static struct kunit_case autofs_pipe_cases[] = {
	KUNIT_CASE(parse_fd_sets_packet_mode),
	KUNIT_CASE(parse_fd_clears_nonblock),
	KUNIT_CASE_PARAM(parse_fd_rejects_unusable_file, autofs_test_bad_gen_params),
	KUNIT_CASE(v5_packets_read_whole_at_compat_size),
	KUNIT_CASE(notify_daemon_v5_requests_read_whole_at_compat_size),
	KUNIT_CASE(notify_daemon_answer_wakes_only_its_waiter),
	KUNIT_CASE(notify_daemon_v4_request_has_v4_size),
	KUNIT_CASE(notify_daemon_direct_request_is_direct),
	KUNIT_CASE(catatonic_mode_releases_every_waiter),
	KUNIT_CASE(catatonic_mode_drops_the_pipe),
	KUNIT_CASE(write_failure_makes_mount_catatonic),
	{}
};

static struct kunit_suite autofs_pipe_suite = {
	.name = "autofs_pipe",
	.test_cases = autofs_pipe_cases,
};

kunit_test_suite(autofs_pipe_suite);

MODULE_DESCRIPTION("KUnit tests for the autofs daemon pipe");
MODULE_LICENSE("GPL");
