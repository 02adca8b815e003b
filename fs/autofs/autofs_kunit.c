// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit tests for the pipe between autofs and its automount daemon.
 *
 * The daemon hands autofs the write end of a pipe: as "fd=N" in mount(2)
 * data, with fsconfig(FSCONFIG_SET_FD, "fd"), or, after a restart, with the
 * AUTOFS_DEV_IOCTL_SETPIPEFD ioctl. autofs writes one request packet per
 * wait into it. The contract tested here: a file that is not the write end
 * of a FIFO is refused and nothing changes (no reference leaked or dropped
 * twice); an accepted pipe is a packet pipe (O_DIRECT set) that blocks
 * (O_NONBLOCK clear); the requests the kernel writes carry every field and
 * read back whole, one per read; a daemon that goes away (catatonic mode)
 * releases every waiter with -ENOENT.
 *
 * Why packet mode: struct autofs_v5_packet is 304 bytes on x86_64 but 300
 * on i386, whose __u64 is only 4-byte aligned; the fields themselves sit at
 * the same offsets. A 64-bit kernel writes 304 bytes, a 32-bit daemon reads
 * 300. In a packet pipe every write is one buffer and a read never crosses
 * into the next one, so the padding is dropped and the next read starts at
 * the next packet. Where a v5 request has no tail padding (i386, m68k), a
 * read at the unpadded size cannot tell the modes apart: there the flag
 * cases and the reads with a larger buffer catch a lost O_DIRECT. Commit
 * 64f371bc3107 ("autofs: make the autofsv5 packet file descriptor use a
 * packetized pipe") made packet mode the rule in 2012.
 *
 * What regressed: commit 546694b8f658 ("autofs: add autofs_parse_fd()")
 * checked the pipe but no longer set the flags. A compat-mode boot test of
 * linux-next (64-bit kernel, 32-bit user space) stopped reaching a login
 * prompt, with no log; it was bisected and fixed before a release by
 * commit d3c50061765d ("autofs: fix add autofs_parse_fd()"), which calls
 * autofs_set_packet_pipe_flags() from autofs_parse_fd(). Commit
 * 6a64c5220c5d ("autofs: fix missing fput for FSCONFIG_SET_FD") fixed a
 * reference leak on the reject path of the same function.
 *
 * The pipes are real FIFOs, which use the same pipe code as pipe(2), on a
 * private ramfs mount shared by the suite (create_pipe_files() is not
 * exported). Mounts are made through autofs's own fs_context, so the
 * pipe reaches autofs_parse_fd() through ->parse_param() exactly as from
 * mount(2) and fsconfig(). The daemon side answers through the mount's
 * ioctls. No case waits unboundedly on autofs: every wait for a request or
 * a waiter has a time limit, and every waiter can be killed.
 *
 * Run with:
 *	./tools/testing/kunit/kunit.py run --kunitconfig fs/autofs
 */

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pipe_fs_i.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>

#include "autofs_i.h"

/* Enough packets to show that alignment holds after the first one. */
#define AUTOFS_TEST_NR_PACKETS	3

/*
 * The size of a v5 request without tail padding: what an i386 daemon reads
 * on x86_64. Derived from the uapi struct, so it is right on every ABI.
 */
#define AUTOFS_TEST_V5_UNPADDED	offsetofend(struct autofs_v5_packet, name)

/* How long the daemon side waits for a request or a waiter, in ms. */
#define AUTOFS_TEST_WAIT_MS	5000

/* How long a reference count may take to lose transient references, in ms. */
#define AUTOFS_TEST_SETTLE_MS	1000

/*
 * What the requester is, as the requests must report it. Distinct from
 * each other and from any pid, device or inode number the suite sees, so
 * that a field left unset or filled from the wrong source cannot pass.
 */
#define AUTOFS_TEST_UID		100001
#define AUTOFS_TEST_GID		200002

/*
 * The descriptor number fsconfig(FSCONFIG_SET_FD) saw. The VFS resolved it
 * already; autofs only records it, so nothing is installed under it.
 */
#define AUTOFS_TEST_FSCONFIG_FD	7

/* A descriptor number no file table can hold (sysctl fs.nr_open is lower). */
#define AUTOFS_TEST_NO_FD	INT_MAX

/* The private ramfs that holds the suite's FIFOs; see .suite_init. */
static struct vfsmount *autofs_test_ramfs;

KUNIT_DEFINE_ACTION_WRAPPER(autofs_test_fput, fput, struct file *);
KUNIT_DEFINE_ACTION_WRAPPER(autofs_test_dput, dput, struct dentry *);
KUNIT_DEFINE_ACTION_WRAPPER(autofs_test_put_fs_context, put_fs_context, struct fs_context *);
KUNIT_DEFINE_ACTION_WRAPPER(autofs_test_mntput, mntput, struct vfsmount *);

static void autofs_test_close_fd(void *data)
{
	close_fd((uintptr_t)data);
}

/* Keep a reference of our own to @file until the case ends. */
static struct file *autofs_test_own(struct kunit *test, struct file *file)
{
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_fput, file), 0);
	return file;
}

/*
 * The references a case holds to each file it hands to autofs: its open
 * and a guard. The guard keeps the file alive when the code under test
 * puts it once too often (the bug a count check looks for), so that the
 * case reads a count that is too low, fails and makes it up
 * (autofs_test_rebalance()) instead of touching a freed file.
 */
#define AUTOFS_TEST_CASE_REFS	2

/* The guard reference of a file the case owns: see AUTOFS_TEST_CASE_REFS. */
static void autofs_test_guard(struct kunit *test, struct file *file)
{
	autofs_test_own(test, get_file(file));
}

/* An unnamed FIFO inode on the suite's ramfs, released when the case ends. */
static struct path autofs_test_fifo(struct kunit *test)
{
	struct super_block *sb = autofs_test_ramfs->mnt_sb;
	struct dentry *dentry;
	struct inode *inode;

	inode = new_inode(sb);
	KUNIT_ASSERT_NOT_NULL(test, inode);
	inode->i_ino = get_next_ino();
	init_special_inode(inode, S_IFIFO | 0600, 0);
	/* Never hashed: it cannot be looked up, and dput() frees it. */
	dentry = d_alloc_name(sb->s_root, "autofs_test_fifo");
	if (!dentry) {
		iput(inode);
		KUNIT_FAIL_AND_ABORT(test, "cannot allocate a dentry");
	}
	d_instantiate(dentry, inode);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_dput, dentry), 0);
	return (struct path){ .mnt = autofs_test_ramfs, .dentry = dentry };
}

struct autofs_test_pipe {
	struct path path;
	struct file *rd;
	struct file *wr;
};

/*
 * A real pipe. The read end is non-blocking, so every read in this suite
 * returns at once. @wr_flags are the write end's flags besides O_WRONLY.
 */
static void autofs_test_make_pipe(struct kunit *test, struct autofs_test_pipe *p, int wr_flags)
{
	p->path = autofs_test_fifo(test);
	/* Reader first: opening a FIFO for writing needs a reader. */
	p->rd = autofs_test_own(test, dentry_open(&p->path, O_RDONLY | O_NONBLOCK,
						  current_cred()));
	p->wr = autofs_test_own(test, dentry_open(&p->path, O_WRONLY | wr_flags,
						  current_cred()));
	autofs_test_guard(test, p->wr);
}

/*
 * The daemon's usual write end, from pipe2(O_NONBLOCK), plus O_NOATIME: a
 * marker bit that parse_fd_changes_no_other_flag checks autofs leaves alone.
 */
#define AUTOFS_TEST_WR_FLAGS	(O_NONBLOCK | O_NOATIME)

/*
 * Install @file in the file table, for the two interfaces that take a
 * descriptor number: mount(2) "fd=N" and SETPIPEFD. KUnit cases run in
 * kthreads, which share one table; the descriptor is close-on-exec and
 * closed when the case ends.
 */
static int autofs_test_install_fd(struct kunit *test, struct file *file)
{
	int fd = get_unused_fd_flags(O_CLOEXEC);

	KUNIT_ASSERT_GE(test, fd, 0);
	fd_install(fd, get_file(file));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_close_fd,
							(void *)(uintptr_t)fd), 0);
	return fd;
}

static ssize_t autofs_test_sink_write(struct file *file, const char __user *buf,
				      size_t count, loff_t *ppos)
{
	return count;
}

static const struct file_operations autofs_test_writable_fops = {
	.owner = THIS_MODULE,
	.write = autofs_test_sink_write,
};

/* The two ways a daemon passes the pipe at mount time. */
enum autofs_test_fd_form {
	/* fsconfig(FSCONFIG_SET_FD): the VFS resolved the descriptor. */
	AUTOFS_TEST_FD_FILE,
	/* mount(2) data "fd=N": autofs looks N up in the caller's table. */
	AUTOFS_TEST_FD_STRING,
};

struct autofs_test_form_param {
	const char *desc;
	enum autofs_test_fd_form form;
};

static const struct autofs_test_form_param autofs_test_forms[] = {
	{ .desc = "fsconfig_set_fd", .form = AUTOFS_TEST_FD_FILE },
	{ .desc = "mount_data_fd_string", .form = AUTOFS_TEST_FD_STRING },
};

KUNIT_ARRAY_PARAM_DESC(autofs_test_form, autofs_test_forms, desc);

/* An autofs fs_context and its sbi, as mount(2) or fsopen() creates them. */
static struct fs_context *autofs_test_fc(struct kunit *test)
{
	struct fs_context *fc;

	fc = fs_context_for_mount(&autofs_fs_type, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fc);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_put_fs_context, fc), 0);
	KUNIT_ASSERT_NOT_NULL(test, fc->s_fs_info);
	return fc;
}

/* One "key" or "key=value" mount option, as mount(2) data carries it. */
static int autofs_test_set_param(struct fs_context *fc, const char *key, const char *value)
{
	struct fs_parameter param = { .key = key, .type = fs_value_is_flag };
	int ret;

	if (value) {
		param.string = kstrdup(value, GFP_KERNEL);
		if (!param.string)
			return -ENOMEM;
		param.type = fs_value_is_string;
		param.size = strlen(value);
	}
	ret = vfs_parse_fs_param(fc, &param);
	kfree(param.string);
	return ret;
}

/*
 * Hand the pipe to autofs's ->parse_param() as mount(2) ("fd=N", @fd
 * installed by the caller) or fsconfig(FSCONFIG_SET_FD) (@file) does. For
 * the file form, the reference handed over in the parameter is put here
 * if autofs did not take it over, as fsconfig() does.
 */
static int autofs_test_parse_fd(struct fs_context *fc, enum autofs_test_fd_form form,
				struct file *file, int fd)
{
	struct fs_parameter param = {
		.key = "fd",
		.type = fs_value_is_file,
		.dirfd = AUTOFS_TEST_FSCONFIG_FD,
	};
	char str[16];
	int ret;

	if (form == AUTOFS_TEST_FD_STRING) {
		snprintf(str, sizeof(str), "%d", fd);
		return autofs_test_set_param(fc, "fd", str);
	}

	param.file = get_file(file);
	ret = vfs_parse_fs_param(fc, &param);
	if (param.file)
		fput(param.file);
	return ret;
}

/* The descriptor number autofs must record for @form. */
static int autofs_test_recorded_fd(enum autofs_test_fd_form form, int fd)
{
	return form == AUTOFS_TEST_FD_FILE ? AUTOFS_TEST_FSCONFIG_FD : fd;
}

/*
 * Check that @file has @expected references: the ones the case holds
 * (AUTOFS_TEST_CASE_REFS, an installed descriptor) plus what autofs must
 * hold. A usermode helper forked meanwhile copies the kthreads' shared
 * file table, and with it the installed descriptors, until it execs, and a
 * waiter holds the pipe while it writes: while the count is too high, wait
 * a bounded time for such transient references to go. A leak never
 * settles; a missing reference never comes back, so a count that is too
 * low fails at once.
 */
static bool autofs_test_expect_count(struct kunit *test, struct file *file, long expected,
				     const char *what)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(AUTOFS_TEST_SETTLE_MS);
	long count;

	while ((count = file_count(file)) > expected && time_before(jiffies, deadline))
		usleep_range(1000, 2000);
	KUNIT_EXPECT_EQ_MSG(test, count, expected, "%s: wrong reference count", what);
	return count == expected;
}

/*
 * After a reference count check that failed: make up the references the
 * code under test dropped (the guard kept the file alive), so that the
 * case's own cleanup cannot put the file after it is freed (a kernel must
 * not crash because a test failed).
 * A count that is too high is left alone: the extra reference may be a
 * usermode helper's copy of the shared file table that outlived the wait,
 * and putting it for its owner would be the use-after-free; a leak on a
 * failed case is harmless. Never called when the count was right.
 */
static void autofs_test_rebalance(struct file *file, long expected)
{
	long delta = (long)file_count(file) - expected;

	for (; delta < 0; delta++)
		get_file(file);
}

/*
 * Check that @file has the case's @held references plus @autofs_refs of
 * autofs's; after a failed check, make up what the code under test dropped,
 * counting autofs's reference only while @sbi still points at @file.
 */
static void autofs_test_expect_refs(struct kunit *test, struct autofs_sb_info *sbi,
				    struct file *file, long held, long autofs_refs,
				    const char *what)
{
	if (!autofs_test_expect_count(test, file, held + autofs_refs, what))
		autofs_test_rebalance(file, held + (sbi->pipe == file));
}

/*
 * autofs accepted @file: it holds exactly one reference besides the @held
 * ones of the case. Every case that has autofs take a pipe checks this, so
 * that on a kernel that lost count the case fails and its cleanup stays
 * balanced, whatever else it tests.
 */
static void autofs_test_expect_taken(struct kunit *test, struct autofs_sb_info *sbi,
				     struct file *file, long held)
{
	autofs_test_expect_refs(test, sbi, file, held, 1,
				"autofs must hold exactly one reference to the pipe it took");
}

/*
 * Hand the write end of a fresh pipe to autofs through ->parse_param(),
 * and check that autofs took exactly one reference.
 */
static void autofs_test_parse_new_pipe(struct kunit *test, struct fs_context *fc,
				       enum autofs_test_fd_form form,
				       struct autofs_test_pipe *p)
{
	long held = AUTOFS_TEST_CASE_REFS;
	int fd = AUTOFS_TEST_NO_FD;

	autofs_test_make_pipe(test, p, AUTOFS_TEST_WR_FLAGS);
	if (form == AUTOFS_TEST_FD_STRING) {
		fd = autofs_test_install_fd(test, p->wr);
		held++;
	}
	KUNIT_ASSERT_EQ_MSG(test, autofs_test_parse_fd(fc, form, p->wr, fd), 0,
			    "autofs refused the write end of a pipe");
	autofs_test_expect_taken(test, fc->s_fs_info, p->wr, held);
}

/*
 * 64f371bc3107 ("autofs: make the autofsv5 packet file descriptor use a
 * packetized pipe"); lost in 546694b8f658 ("autofs: add autofs_parse_fd()").
 */
static void parse_fd_sets_packet_mode(struct kunit *test)
{
	const struct autofs_test_form_param *fp = test->param_value;
	struct fs_context *fc = autofs_test_fc(test);
	struct autofs_test_pipe p;

	autofs_test_parse_new_pipe(test, fc, fp->form, &p);
	KUNIT_EXPECT_EQ_MSG(test, p.wr->f_flags & O_DIRECT, O_DIRECT,
			    "daemon pipe must be a packet pipe (O_DIRECT, f_flags=%#x): 32-bit daemons rely on it since 64f371bc3107, lost in 546694b8f658",
			    p.wr->f_flags);
}

/* The kernel must wait for room in a full pipe, not lose the request. */
static void parse_fd_clears_nonblock(struct kunit *test)
{
	const struct autofs_test_form_param *fp = test->param_value;
	struct fs_context *fc = autofs_test_fc(test);
	struct autofs_test_pipe p;

	autofs_test_parse_new_pipe(test, fc, fp->form, &p);
	KUNIT_EXPECT_EQ_MSG(test, p.wr->f_flags & O_NONBLOCK, 0,
			    "daemon pipe must block (O_NONBLOCK clear, f_flags=%#x): autofs_write() does not expect -EAGAIN; lost in 546694b8f658",
			    p.wr->f_flags);
}

static void parse_fd_changes_no_other_flag(struct kunit *test)
{
	const struct autofs_test_form_param *fp = test->param_value;
	const unsigned int changed = O_DIRECT | O_NONBLOCK;
	struct fs_context *fc = autofs_test_fc(test);
	struct autofs_test_pipe p;
	unsigned int before;
	int fd = AUTOFS_TEST_NO_FD;

	autofs_test_make_pipe(test, &p, AUTOFS_TEST_WR_FLAGS);
	if (fp->form == AUTOFS_TEST_FD_STRING)
		fd = autofs_test_install_fd(test, p.wr);
	before = p.wr->f_flags;
	KUNIT_ASSERT_EQ(test, autofs_test_parse_fd(fc, fp->form, p.wr, fd), 0);
	autofs_test_expect_taken(test, fc->s_fs_info, p.wr,
				 AUTOFS_TEST_CASE_REFS + (fd != AUTOFS_TEST_NO_FD));

	KUNIT_EXPECT_EQ_MSG(test, p.wr->f_flags & ~changed, before & ~changed,
			    "only O_DIRECT and O_NONBLOCK may change (f_flags %#x -> %#x)",
			    before, p.wr->f_flags);
}

/* sbi->pipe is the daemon's file, with one reference; pipefd is its number. */
static void parse_fd_installs_pipe_in_sbi(struct kunit *test)
{
	const struct autofs_test_form_param *fp = test->param_value;
	struct fs_context *fc = autofs_test_fc(test);
	struct autofs_sb_info *sbi = fc->s_fs_info;
	struct autofs_test_pipe p;
	int fd = AUTOFS_TEST_NO_FD;
	long held = AUTOFS_TEST_CASE_REFS;
	int i;

	autofs_test_make_pipe(test, &p, AUTOFS_TEST_WR_FLAGS);
	if (fp->form == AUTOFS_TEST_FD_STRING) {
		/* Like a daemon's stdio: the pipe's number is not the lowest. */
		for (i = 0; i < 3; i++)
			autofs_test_install_fd(test, p.rd);
		fd = autofs_test_install_fd(test, p.wr);
		held++;
	}

	KUNIT_EXPECT_EQ(test, autofs_test_parse_fd(fc, fp->form, p.wr, fd), 0);
	KUNIT_EXPECT_PTR_EQ_MSG(test, sbi->pipe, p.wr, "sbi->pipe is not the daemon's pipe");
	KUNIT_EXPECT_EQ_MSG(test, sbi->pipefd, autofs_test_recorded_fd(fp->form, fd),
			    "sbi->pipefd must record the descriptor the daemon passed");
	autofs_test_expect_taken(test, sbi, p.wr, held);
}

/* Files autofs must refuse. */
enum autofs_test_bad_kind {
	AUTOFS_TEST_BAD_NOT_FIFO,	/* writable, but not a FIFO */
	AUTOFS_TEST_BAD_READ_END,	/* a FIFO, but not writable */
	AUTOFS_TEST_BAD_O_PATH,		/* a FIFO opened O_PATH: no I/O at all */
	AUTOFS_TEST_BAD_NO_FILE,	/* no file behind the number */
	AUTOFS_TEST_BAD_MINUS_ONE,	/* SETPIPEFD's "no pipe" */
};

struct autofs_test_bad_param {
	const char *desc;
	enum autofs_test_fd_form form;
	enum autofs_test_bad_kind kind;
	int err;
};

/*
 * autofs_parse_fd() answers -EBADF for every unusable pipe. Since
 * fsconfig(FSCONFIG_SET_FD) resolves descriptors with fget_raw(), an O_PATH
 * file reaches it too; "fd=N" resolves with fget(), which never returns one.
 * An O_PATH open never gets FMODE_CAN_WRITE, so the write check refuses it
 * as well as the FMODE_PATH check: these rows pin the refusal, not which
 * check makes it.
 */
static const struct autofs_test_bad_param autofs_test_parse_bad[] = {
	{ "not_fifo_fsconfig", AUTOFS_TEST_FD_FILE, AUTOFS_TEST_BAD_NOT_FIFO, -EBADF },
	{ "not_fifo_fd_string", AUTOFS_TEST_FD_STRING, AUTOFS_TEST_BAD_NOT_FIFO, -EBADF },
	{ "read_end_fsconfig", AUTOFS_TEST_FD_FILE, AUTOFS_TEST_BAD_READ_END, -EBADF },
	{ "read_end_fd_string", AUTOFS_TEST_FD_STRING, AUTOFS_TEST_BAD_READ_END, -EBADF },
	{ "o_path_fifo_fsconfig", AUTOFS_TEST_FD_FILE, AUTOFS_TEST_BAD_O_PATH, -EBADF },
	{ "o_path_fifo_fd_string", AUTOFS_TEST_FD_STRING, AUTOFS_TEST_BAD_O_PATH, -EBADF },
	{ "no_file_fd_string", AUTOFS_TEST_FD_STRING, AUTOFS_TEST_BAD_NO_FILE, -EBADF },
};

KUNIT_ARRAY_PARAM_DESC(autofs_test_parse_bad, autofs_test_parse_bad, desc);

/* An unusable file, its flags before the call and the references we hold. */
struct autofs_test_bad_file {
	struct file *file;	/* NULL when there is no file */
	int fd;
	unsigned int flags;
	long held;
};

/*
 * Make the unusable file of @kind; install it under a descriptor number if
 * @form needs one.
 */
static void autofs_test_make_bad(struct kunit *test, enum autofs_test_bad_kind kind,
				 enum autofs_test_fd_form form, struct autofs_test_bad_file *bad)
{
	struct autofs_test_pipe p;
	struct path fifo;

	memset(bad, 0, sizeof(*bad));
	bad->fd = AUTOFS_TEST_NO_FD;
	switch (kind) {
	case AUTOFS_TEST_BAD_NOT_FIFO:
		bad->file = autofs_test_own(test, anon_inode_getfile("[autofs_test]",
								     &autofs_test_writable_fops,
								     NULL, O_WRONLY));
		KUNIT_ASSERT_TRUE(test, bad->file->f_mode & FMODE_CAN_WRITE);
		break;
	case AUTOFS_TEST_BAD_READ_END:
		autofs_test_make_pipe(test, &p, AUTOFS_TEST_WR_FLAGS);
		bad->file = p.rd;
		break;
	case AUTOFS_TEST_BAD_O_PATH:
		fifo = autofs_test_fifo(test);
		bad->file = autofs_test_own(test, dentry_open(&fifo, O_PATH,
							      current_cred()));
		break;
	case AUTOFS_TEST_BAD_NO_FILE:
		return;
	case AUTOFS_TEST_BAD_MINUS_ONE:
		bad->fd = -1;
		return;
	}
	autofs_test_guard(test, bad->file);
	bad->held = AUTOFS_TEST_CASE_REFS;
	if (form == AUTOFS_TEST_FD_STRING) {
		bad->fd = autofs_test_install_fd(test, bad->file);
		bad->held++;
	}
	bad->flags = bad->file->f_flags;
}

/*
 * The refused file kept its flags and its reference count; then undo any
 * imbalance so that cleanup stays balanced on a broken kernel.
 */
static void autofs_test_expect_untouched(struct kunit *test, struct autofs_sb_info *sbi,
					 const struct autofs_test_bad_file *bad,
					 const char *desc)
{
	if (!bad->file)
		return;
	KUNIT_EXPECT_EQ_MSG(test, bad->file->f_flags, bad->flags,
			    "refused file's flags must not change (%#x -> %#x, %s)",
			    bad->flags, bad->file->f_flags, desc);
	autofs_test_expect_refs(test, sbi, bad->file, bad->held, 0,
				"a refused file must keep its references, no more, no less");
}

/*
 * A refused file keeps its flags and its reference count, and sbi is left
 * as it was. On kernels from e6ec453bd0f0 up to 6a64c5220c5d a file refused
 * on the fsconfig() path leaked a reference; this is the check that catches
 * that. From the caller's side the contract is the same on every version:
 * the reference it handed over is consumed exactly once.
 */
static void parse_fd_rejects_unusable_file(struct kunit *test)
{
	const struct autofs_test_bad_param *bp = test->param_value;
	struct fs_context *fc = autofs_test_fc(test);
	struct autofs_sb_info *sbi = fc->s_fs_info;
	struct autofs_test_bad_file bad;
	int ret;

	autofs_test_make_bad(test, bp->kind, bp->form, &bad);
	ret = autofs_test_parse_fd(fc, bp->form, bad.file, bad.fd);

	KUNIT_EXPECT_EQ_MSG(test, ret, bp->err, "unusable pipe (%s) must be refused", bp->desc);
	KUNIT_EXPECT_NULL_MSG(test, sbi->pipe, "refused file must not be installed");
	KUNIT_EXPECT_EQ_MSG(test, sbi->pipefd, -1, "refused descriptor must not be recorded");
	autofs_test_expect_untouched(test, sbi, &bad, bp->desc);
}

/* Mount data "fd=3,fd=4": the last one wins and the first is let go once. */
static void parse_fd_twice_releases_first_pipe(struct kunit *test)
{
	const struct autofs_test_form_param *fp = test->param_value;
	struct fs_context *fc = autofs_test_fc(test);
	struct autofs_sb_info *sbi = fc->s_fs_info;
	struct autofs_test_pipe first, second;
	int fd1 = AUTOFS_TEST_NO_FD, fd2 = AUTOFS_TEST_NO_FD;
	long held = AUTOFS_TEST_CASE_REFS;	/* of each */

	autofs_test_make_pipe(test, &first, AUTOFS_TEST_WR_FLAGS);
	autofs_test_make_pipe(test, &second, AUTOFS_TEST_WR_FLAGS);
	if (fp->form == AUTOFS_TEST_FD_STRING) {
		fd1 = autofs_test_install_fd(test, first.wr);
		fd2 = autofs_test_install_fd(test, second.wr);
		held++;
	}

	KUNIT_ASSERT_EQ(test, autofs_test_parse_fd(fc, fp->form, first.wr, fd1), 0);
	KUNIT_ASSERT_EQ(test, autofs_test_parse_fd(fc, fp->form, second.wr, fd2), 0);

	KUNIT_EXPECT_PTR_EQ_MSG(test, sbi->pipe, second.wr, "the last fd= must be installed");
	KUNIT_EXPECT_EQ(test, sbi->pipefd, autofs_test_recorded_fd(fp->form, fd2));
	KUNIT_EXPECT_EQ_MSG(test, second.wr->f_flags & (O_DIRECT | O_NONBLOCK), O_DIRECT,
			    "the replacing pipe must be packet mode and blocking (f_flags=%#x, see 546694b8f658)",
			    second.wr->f_flags);
	autofs_test_expect_refs(test, sbi, first.wr, held, 0,
				"the replaced pipe must be released exactly once");
	autofs_test_expect_taken(test, sbi, second.wr, held);
}

/* A mounted autofs, its pipe, and the root directory the daemon ioctls on. */
struct autofs_test_mount {
	struct autofs_test_pipe p;
	struct vfsmount *mnt;
	struct autofs_sb_info *sbi;
	struct file *root;
};

/*
 * A real autofs mount through its fs_context, as mount(2) creates it, with
 * the write end of a fresh pipe (handed over as fsconfig() does) and @opts
 * ("direct", "maxproto=4", ...) as further options; @m->root is the root
 * directory, opened for the daemon's ioctls. Unless @opts names another
 * process group ("pgrp=N"), the case is the daemon. Unmounted when the
 * case ends.
 */
static void autofs_test_mount(struct kunit *test, struct autofs_test_mount *m,
			      const char *const *opts)
{
	struct fs_context *fc = autofs_test_fc(test);
	struct path root;
	char key[16];
	const char *eq;

	autofs_test_parse_new_pipe(test, fc, AUTOFS_TEST_FD_FILE, &m->p);
	for (; opts && *opts; opts++) {
		eq = strchr(*opts, '=');
		KUNIT_ASSERT_LT(test, strlen(*opts), sizeof(key));
		strscpy(key, *opts, eq ? eq - *opts + 1 : sizeof(key));
		KUNIT_ASSERT_EQ_MSG(test, autofs_test_set_param(fc, key, eq ? eq + 1 : NULL), 0,
				    "mount option %s", *opts);
	}

	m->mnt = fc_mount(fc);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m->mnt);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_mntput, m->mnt), 0);
	m->sbi = autofs_sbi(m->mnt->mnt_sb);
	root.mnt = m->mnt;
	root.dentry = m->mnt->mnt_root;
	m->root = autofs_test_own(test, dentry_open(&root, O_RDONLY, current_cred()));
}

/* An ioctl on the mount's root, as the daemon sends them. */
static long autofs_test_ioctl(struct file *root, unsigned int cmd, unsigned long arg)
{
	return root->f_op->unlocked_ioctl(root, cmd, arg);
}

/*
 * The kernel's own packet writer: autofs_wait() -> autofs_notify_daemon() ->
 * autofs_write(), driven on a real mount. A helper kthread plays the process
 * that walks into the mount and waits; the case plays the daemon. (Every
 * kthread is in process group 0, so on a mount the case made the helper is
 * in the daemon's group too; autofs_wait() does not look at it, and the
 * kselftest has looker-ups in their own group.)
 */
struct autofs_test_waiter {
	struct kref ref;		/* the case's and the thread's */
	struct kunit *test;
	struct path path;
	struct autofs_sb_info *sbi;
	struct file *root;		/* for the catatonic ioctl at cleanup */
	enum autofs_notify notify;
	struct task_struct *task;
	struct completion done;
	/* What the request must carry, recorded by the waiter itself. */
	pid_t pid;
	pid_t tgid;
	int status;
};

static void autofs_test_waiter_free(struct kref *ref)
{
	struct autofs_test_waiter *w = container_of(ref, struct autofs_test_waiter, ref);

	path_put(&w->path);
	fput(w->root);
	kfree(w);
}

/*
 * The requester runs with credentials of its own: uid and gid distinct
 * from the daemon's (root) and from each other. SIGKILL is allowed, so
 * that cleanup can end a wait that autofs never releases: autofs_wait()
 * sleeps killable.
 */
static int autofs_test_waiter_fn(void *data)
{
	struct autofs_test_waiter *w = data;
	const struct cred *old;
	struct cred *cred;

	allow_signal(SIGKILL);
	w->pid = task_pid_nr(current);
	w->tgid = task_tgid_nr(current);
	cred = prepare_creds();
	if (cred) {
		cred->uid = KUIDT_INIT(AUTOFS_TEST_UID);
		cred->euid = cred->uid;
		cred->suid = cred->uid;
		cred->fsuid = cred->uid;
		cred->gid = KGIDT_INIT(AUTOFS_TEST_GID);
		cred->egid = cred->gid;
		cred->sgid = cred->gid;
		cred->fsgid = cred->gid;
		old = override_creds(cred);
		w->status = autofs_wait(w->sbi, &w->path, w->notify);
		revert_creds(old);
		put_cred(cred);
	} else {
		w->status = -ENOMEM;
	}
	complete_all(&w->done);
	kref_put(&w->ref, autofs_test_waiter_free);
	module_put_and_kthread_exit(0);
}

/* Wait, boundedly, for @w to finish; true if it did. */
static bool autofs_test_waiter_done(struct autofs_test_waiter *w)
{
	return wait_for_completion_timeout(&w->done, msecs_to_jiffies(AUTOFS_TEST_WAIT_MS));
}

/*
 * Runs however the case ended, and never waits unboundedly for autofs: the
 * daemon's "go catatonic" releases a waiter nobody answered; one that
 * catatonic mode does not release is killed; one that even SIGKILL does
 * not end is reported and left behind (it holds its own references, and
 * the module's), rather than hanging the kernel.
 */
static void autofs_test_stop_waiter(void *data)
{
	struct autofs_test_waiter *w = data;

	if (!completion_done(&w->done)) {
		KUNIT_EXPECT_EQ_MSG(w->test, autofs_test_ioctl(w->root, AUTOFS_IOC_CATATONIC, 0), 0,
				    "the daemon's AUTOFS_IOC_CATATONIC failed");
		if (!autofs_test_waiter_done(w)) {
			send_sig(SIGKILL, w->task, 1);
			if (!autofs_test_waiter_done(w))
				KUNIT_FAIL(w->test,
					   "waiter %d survived catatonic mode and SIGKILL; left behind",
					   w->pid);
		}
	}
	put_task_struct(w->task);
	kref_put(&w->ref, autofs_test_waiter_free);
}

/*
 * Start a process-like kthread that waits on @name under the root of the
 * mount (or on the root itself for a direct mount, @name NULL).
 */
static struct autofs_test_waiter *autofs_test_start_waiter(struct kunit *test,
							   struct autofs_test_mount *m,
							   const char *name,
							   enum autofs_notify notify)
{
	struct autofs_test_waiter *w;
	struct dentry *dentry;
	struct task_struct *task;

	/* An indirect key is a negative dentry in the root, as a lookup leaves it. */
	dentry = name ? d_alloc_name(m->mnt->mnt_root, name) : dget(m->mnt->mnt_root);
	KUNIT_ASSERT_NOT_NULL(test, dentry);
	w = kzalloc_obj(*w);
	if (!w) {
		dput(dentry);
		KUNIT_FAIL_AND_ABORT(test, "out of memory");
	}
	kref_init(&w->ref);
	w->test = test;
	w->path.mnt = mntget(m->mnt);
	w->path.dentry = dentry;
	w->root = get_file(m->root);
	w->sbi = m->sbi;
	w->notify = notify;
	init_completion(&w->done);

	task = kthread_create(autofs_test_waiter_fn, w, "autofs_test_waiter");
	if (IS_ERR(task)) {
		kref_put(&w->ref, autofs_test_waiter_free);
		KUNIT_FAIL_AND_ABORT(test, "kthread_create: %ld", PTR_ERR(task));
	}
	w->task = get_task_struct(task);
	kref_get(&w->ref);		/* the thread's */
	__module_get(THIS_MODULE);	/* put by module_put_and_kthread_exit() */
	wake_up_process(task);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_stop_waiter, w), 0);
	return w;
}

/* Read one request, waiting a bounded time for it to arrive. */
static ssize_t autofs_test_read_request(struct file *rd, void *buf, size_t size)
{
	struct pipe_inode_info *pipe = rd->private_data;

	memset(buf, 0, size);
	wait_event_interruptible_timeout(pipe->rd_wait, vfs_poll(rd, NULL) & EPOLLIN,
					 msecs_to_jiffies(AUTOFS_TEST_WAIT_MS));
	return kernel_read(rd, buf, size, NULL);
}

/*
 * Read one v5 request as a daemon that reads the unpadded size (an i386
 * daemon on x86_64) does: it must come whole, and its padding must not stay
 * in the pipe.
 */
static void autofs_test_read_v5(struct kunit *test, struct autofs_test_mount *m,
				struct autofs_v5_packet *pkt, int k)
{
	const size_t compat = AUTOFS_TEST_V5_UNPADDED;
	ssize_t n;

	n = autofs_test_read_request(m->p.rd, pkt, compat);
	KUNIT_ASSERT_EQ_MSG(test, n, (ssize_t)compat,
			    "request %d read at the unpadded size (pipe f_flags=%#x, see 546694b8f658)",
			    k, m->p.wr->f_flags);
}

/* The daemon's answer; true if the waiter woke up within the bound. */
static bool autofs_test_answer(struct kunit *test, struct autofs_test_mount *m,
			       struct autofs_test_waiter *w, autofs_wqt_t token, bool ready)
{
	unsigned int cmd = ready ? AUTOFS_IOC_READY : AUTOFS_IOC_FAIL;

	KUNIT_EXPECT_EQ_MSG(test, autofs_test_ioctl(m->root, cmd, token), 0,
			    "no wait with token %lu", (unsigned long)token);
	return autofs_test_waiter_done(w);
}

struct autofs_test_request_param {
	const char *desc;
	const char *opt;		/* "indirect" or "direct" */
	enum autofs_notify notify;
	int type;
};

static const struct autofs_test_request_param autofs_test_requests[] = {
	{ "indirect_mount", "indirect", NFY_MOUNT, autofs_ptype_missing_indirect },
	{ "direct_mount", "direct", NFY_MOUNT, autofs_ptype_missing_direct },
	{ "indirect_expire", "indirect", NFY_EXPIRE, autofs_ptype_expire_indirect },
};

KUNIT_ARRAY_PARAM_DESC(autofs_test_requests, autofs_test_requests, desc);

/* The key an indirect request is for; a direct one names its mount point. */
static const char *autofs_test_key(const struct autofs_test_request_param *rp)
{
	return strcmp(rp->opt, "direct") ? "indirect_key" : NULL;
}

/*
 * A v5 request written by the kernel and read at the unpadded size: one
 * whole request per read, starting at its header, and nothing left over.
 */
static void notify_daemon_v5_request_reads_whole_at_compat_size(struct kunit *test)
{
	const struct autofs_test_request_param *rp = test->param_value;
	const char *const opts[] = { "minproto=5", "maxproto=5", rp->opt, NULL };
	struct autofs_test_waiter *w;
	struct autofs_v5_packet *pkt;
	struct autofs_test_mount m;

	pkt = kunit_kzalloc(test, sizeof(*pkt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	autofs_test_mount(test, &m, opts);
	w = autofs_test_start_waiter(test, &m, autofs_test_key(rp), rp->notify);

	autofs_test_read_v5(test, &m, pkt, 0);
	KUNIT_EXPECT_EQ(test, pkt->hdr.proto_version, 5);
	KUNIT_EXPECT_EQ(test, pkt->hdr.type, rp->type);
	KUNIT_EXPECT_EQ_MSG(test, kernel_read(m.p.rd, pkt, 1, NULL), (ssize_t)-EAGAIN,
			    "the request's padding must not stay in the pipe (f_flags=%#x, see 546694b8f658)",
			    m.p.wr->f_flags);
	autofs_test_answer(test, &m, w, pkt->wait_queue_token, true);
}

/*
 * Every field of a v5 request names the wait and its requester, as
 * autofs_notify_daemon() must fill it. A kthread is its own thread group
 * leader, so pid and tgid are equal here; the kselftest, whose lookup runs
 * in a second thread, tells them apart.
 */
static void notify_daemon_v5_request_describes_requester(struct kunit *test)
{
	const struct autofs_test_request_param *rp = test->param_value;
	const char *const opts[] = { "minproto=5", "maxproto=5", rp->opt, NULL };
	const char *name = autofs_test_key(rp);
	struct autofs_test_waiter *w;
	struct autofs_v5_packet *pkt;
	struct autofs_test_mount m;
	struct super_block *sb;

	pkt = kunit_kzalloc(test, sizeof(*pkt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	autofs_test_mount(test, &m, opts);
	sb = m.mnt->mnt_sb;
	w = autofs_test_start_waiter(test, &m, name, rp->notify);

	KUNIT_ASSERT_EQ(test, autofs_test_read_request(m.p.rd, pkt, sizeof(*pkt)),
			(ssize_t)sizeof(*pkt));
	KUNIT_EXPECT_NE(test, pkt->wait_queue_token, 0);
	KUNIT_EXPECT_EQ(test, pkt->dev, new_encode_dev(sb->s_dev));
	KUNIT_EXPECT_EQ(test, pkt->ino, (u64)d_inode(sb->s_root)->i_ino);
	KUNIT_EXPECT_EQ_MSG(test, pkt->uid, AUTOFS_TEST_UID, "uid of the requester");
	KUNIT_EXPECT_EQ_MSG(test, pkt->gid, AUTOFS_TEST_GID, "gid of the requester");
	KUNIT_EXPECT_EQ(test, pkt->pid, w->pid);
	KUNIT_EXPECT_EQ(test, pkt->tgid, w->tgid);
	KUNIT_EXPECT_EQ(test, pkt->len, strnlen(pkt->name, sizeof(pkt->name)));
	if (name)
		KUNIT_EXPECT_STREQ(test, pkt->name, name);
	else
		KUNIT_EXPECT_GT_MSG(test, pkt->len, 0, "direct request needs a key");
	autofs_test_answer(test, &m, w, pkt->wait_queue_token, true);
}

struct autofs_test_answer_param {
	const char *desc;
	bool ready;
	int status;
};

static const struct autofs_test_answer_param autofs_test_answers[] = {
	{ "ready", true, 0 },
	{ "fail", false, -ENOENT },
};

KUNIT_ARRAY_PARAM_DESC(autofs_test_answers, autofs_test_answers, desc);

/* AUTOFS_IOC_READY and AUTOFS_IOC_FAIL reach the waiter as 0 and -ENOENT. */
static void notify_daemon_answer_reaches_waiter(struct kunit *test)
{
	const struct autofs_test_answer_param *ap = test->param_value;
	const char *const opts[] = { "minproto=5", "maxproto=5", "indirect", NULL };
	struct autofs_test_waiter *w;
	struct autofs_v5_packet *pkt;
	struct autofs_test_mount m;

	pkt = kunit_kzalloc(test, sizeof(*pkt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	autofs_test_mount(test, &m, opts);
	w = autofs_test_start_waiter(test, &m, "answered_key", NFY_MOUNT);
	KUNIT_ASSERT_EQ(test, autofs_test_read_request(m.p.rd, pkt, sizeof(*pkt)),
			(ssize_t)sizeof(*pkt));

	KUNIT_ASSERT_TRUE_MSG(test, autofs_test_answer(test, &m, w, pkt->wait_queue_token,
						       ap->ready),
			      "waiter not woken by the daemon's answer");
	KUNIT_EXPECT_EQ_MSG(test, w->status, ap->status,
			    "autofs_wait() must return what the daemon answered (%s)", ap->desc);
}

/* Several waits outstanding at once: each request whole and aligned. */
static void notify_daemon_concurrent_requests_stay_aligned(struct kunit *test)
{
	static const char *const names[] = { "alpha_key", "bravo_key_", "charlie_key" };
	const char *const opts[] = { "minproto=5", "maxproto=5", "indirect", NULL };
	struct autofs_test_waiter *w[ARRAY_SIZE(names)];
	bool seen[ARRAY_SIZE(names)] = { };
	struct autofs_v5_packet *pkt;
	struct autofs_test_mount m;
	int i, k;

	pkt = kunit_kzalloc(test, sizeof(*pkt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	autofs_test_mount(test, &m, opts);
	for (i = 0; i < ARRAY_SIZE(names); i++)
		w[i] = autofs_test_start_waiter(test, &m, names[i], NFY_MOUNT);

	for (k = 0; k < ARRAY_SIZE(names); k++) {
		autofs_test_read_v5(test, &m, pkt, k);
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (!strncmp(pkt->name, names[i], sizeof(pkt->name)))
				break;
		KUNIT_ASSERT_LT_MSG(test, i, (int)ARRAY_SIZE(names),
				    "request %d is misaligned: name field reads \"%.16s\" (f_flags=%#x, see 546694b8f658)",
				    k, pkt->name, m.p.wr->f_flags);
		KUNIT_ASSERT_FALSE(test, seen[i]);
		seen[i] = true;
		KUNIT_EXPECT_EQ(test, pkt->len, strlen(names[i]));
		KUNIT_EXPECT_EQ(test, pkt->pid, w[i]->pid);
		autofs_test_answer(test, &m, w[i], pkt->wait_queue_token, true);
	}
}

/* A v4 daemon gets v4 requests of their own size, one per read. */
static void notify_daemon_v4_request_has_v4_size(struct kunit *test)
{
	const char *const opts[] = { "minproto=4", "maxproto=4", NULL };
	union autofs_v5_packet_union *buf;
	struct autofs_packet_missing *mp;
	struct autofs_test_waiter *w;
	struct autofs_test_mount m;
	ssize_t n;

	buf = kunit_kzalloc(test, sizeof(*buf), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	autofs_test_mount(test, &m, opts);
	w = autofs_test_start_waiter(test, &m, "v4_request_key", NFY_MOUNT);

	n = autofs_test_read_request(m.p.rd, buf, sizeof(*buf));
	KUNIT_ASSERT_EQ_MSG(test, n, (ssize_t)sizeof(*mp),
			    "a v4 request is one struct autofs_packet_missing");
	mp = (struct autofs_packet_missing *)buf;
	KUNIT_EXPECT_EQ(test, mp->hdr.proto_version, 4);
	KUNIT_EXPECT_EQ(test, mp->hdr.type, autofs_ptype_missing);
	KUNIT_EXPECT_NE(test, mp->wait_queue_token, 0);
	KUNIT_EXPECT_EQ(test, mp->len, strlen("v4_request_key"));
	KUNIT_EXPECT_STREQ(test, mp->name, "v4_request_key");
	autofs_test_answer(test, &m, w, mp->wait_queue_token, true);
}

static const char *const autofs_test_waiting[] = { "alpha_key", "bravo_key_", "charlie_key" };

/*
 * Start a waiter for each of autofs_test_waiting and read their requests:
 * once its request is in the pipe, each waiter is queued.
 */
static void autofs_test_queue_waiters(struct kunit *test, struct autofs_test_mount *m,
				      struct autofs_test_waiter **w)
{
	struct autofs_v5_packet *pkt;
	int i;

	pkt = kunit_kzalloc(test, sizeof(*pkt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	for (i = 0; i < ARRAY_SIZE(autofs_test_waiting); i++)
		w[i] = autofs_test_start_waiter(test, m, autofs_test_waiting[i], NFY_MOUNT);
	for (i = 0; i < ARRAY_SIZE(autofs_test_waiting); i++)
		KUNIT_ASSERT_EQ(test, autofs_test_read_request(m->p.rd, pkt, sizeof(*pkt)),
				(ssize_t)sizeof(*pkt));
}

/*
 * A v5 mount with a request outstanding for every name in
 * autofs_test_waiting, which the daemon then shuts down ("go catatonic").
 */
static void autofs_test_catatonic_with_waiters(struct kunit *test, struct autofs_test_mount *m,
					       struct autofs_test_waiter **w)
{
	const char *const opts[] = { "minproto=5", "maxproto=5", "indirect", NULL };

	autofs_test_mount(test, m, opts);
	autofs_test_queue_waiters(test, m, w);
	KUNIT_ASSERT_EQ(test, autofs_test_ioctl(m->root, AUTOFS_IOC_CATATONIC, 0), 0);
}

/*
 * The daemon shuts down ("go catatonic"): every outstanding wait is released
 * at once, with -ENOENT.
 */
static void catatonic_mode_releases_every_waiter(struct kunit *test)
{
	struct autofs_test_waiter *w[ARRAY_SIZE(autofs_test_waiting)];
	struct autofs_test_mount m;
	int i;

	autofs_test_catatonic_with_waiters(test, &m, w);
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		KUNIT_EXPECT_TRUE_MSG(test, autofs_test_waiter_done(w[i]),
				      "waiter on %s not released by catatonic mode within %d ms",
				      autofs_test_waiting[i], AUTOFS_TEST_WAIT_MS);
		KUNIT_EXPECT_EQ_MSG(test, w[i]->status, -ENOENT,
				    "a wait the daemon never answered must fail with -ENOENT");
	}
}

/* Catatonic mode lets the daemon's pipe go: no pointer, no reference. */
static void catatonic_mode_lets_the_pipe_go(struct kunit *test)
{
	struct autofs_test_waiter *w[ARRAY_SIZE(autofs_test_waiting)];
	struct autofs_test_mount m;
	int i;

	autofs_test_catatonic_with_waiters(test, &m, w);
	/* A waiter holds the pipe for a moment after its write: wait for them. */
	for (i = 0; i < ARRAY_SIZE(w); i++)
		KUNIT_ASSERT_TRUE(test, autofs_test_waiter_done(w[i]));
	KUNIT_EXPECT_EQ(test, m.sbi->flags & AUTOFS_SBI_CATATONIC, AUTOFS_SBI_CATATONIC);
	KUNIT_EXPECT_NULL_MSG(test, m.sbi->pipe, "catatonic mode must let the pipe go");
	KUNIT_EXPECT_EQ(test, m.sbi->pipefd, -1);
	autofs_test_expect_refs(test, m.sbi, m.p.wr, AUTOFS_TEST_CASE_REFS, 0,
				"catatonic mode must drop autofs's reference to the pipe");
}

/* A wait on a catatonic mount fails at once, and writes no request. */
static void catatonic_mount_fails_new_waits_at_once(struct kunit *test)
{
	const char *const opts[] = { "minproto=5", "maxproto=5", "indirect", NULL };
	struct autofs_test_waiter *w;
	struct autofs_test_mount m;
	char byte;

	autofs_test_mount(test, &m, opts);
	KUNIT_ASSERT_EQ(test, autofs_test_ioctl(m.root, AUTOFS_IOC_CATATONIC, 0), 0);

	w = autofs_test_start_waiter(test, &m, "late_key", NFY_MOUNT);
	KUNIT_EXPECT_TRUE_MSG(test, autofs_test_waiter_done(w),
			      "a wait on a catatonic mount must not block");
	KUNIT_EXPECT_EQ(test, w->status, -ENOENT);
	KUNIT_EXPECT_EQ_MSG(test, kernel_read(m.p.rd, &byte, 1, NULL), (ssize_t)-EAGAIN,
			    "a catatonic mount must not write requests");
}

/*
 * The daemon dies without a word: its end of the pipe closes. The next
 * request finds no reader, the mount goes catatonic and the waiter gets
 * -ENOENT instead of sleeping forever. Returns that waiter.
 */
static struct autofs_test_waiter *autofs_test_daemon_dies(struct kunit *test,
							  struct autofs_test_mount *m)
{
	/* The only reference to the read end is the case's: release it now. */
	kunit_remove_action(test, autofs_test_fput, m->p.rd);
	__fput_sync(m->p.rd);
	m->p.rd = NULL;
	return autofs_test_start_waiter(test, m, "orphan_key", NFY_MOUNT);
}

static void notify_daemon_without_reader_goes_catatonic(struct kunit *test)
{
	const char *const opts[] = { "minproto=5", "maxproto=5", "indirect", NULL };
	struct autofs_test_waiter *w;
	struct autofs_test_mount m;

	autofs_test_mount(test, &m, opts);
	w = autofs_test_daemon_dies(test, &m);
	KUNIT_EXPECT_TRUE_MSG(test, autofs_test_waiter_done(w),
			      "waiter must not sleep when the daemon is gone");
	KUNIT_EXPECT_EQ(test, w->status, -ENOENT);
	KUNIT_EXPECT_EQ_MSG(test, m.sbi->flags & AUTOFS_SBI_CATATONIC, AUTOFS_SBI_CATATONIC,
			    "a pipe without a reader must make the mount catatonic");
	KUNIT_EXPECT_NULL(test, m.sbi->pipe);
}

/* A kthread that never runs: its pid stands for another daemon's group. */
static int autofs_test_idle_fn(void *data)
{
	return 0;
}

KUNIT_DEFINE_ACTION_WRAPPER(autofs_test_kthread_stop, kthread_stop, struct task_struct *);

/*
 * A mount made by another daemon: the mount option "pgrp=" names an idle
 * kthread's pid, so the case is not the daemon.
 */
static void autofs_test_foreign_mount(struct kunit *test, struct autofs_test_mount *m)
{
	struct task_struct *daemon;
	char pgrp[24];
	const char *const opts[] = { pgrp, NULL };

	daemon = kthread_create(autofs_test_idle_fn, NULL, "autofs_test_daemon");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, daemon);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_kthread_stop, daemon), 0);
	snprintf(pgrp, sizeof(pgrp), "pgrp=%d", task_pid_nr(daemon));

	autofs_test_mount(test, m, opts);
	KUNIT_ASSERT_PTR_EQ(test, m->sbi->oz_pgrp, task_pid(daemon));
}

/*
 * A mount as a restarted daemon finds it: made by another daemon, whose
 * end of the pipe closed, so that the mount went catatonic.
 */
static void autofs_test_orphan_mount(struct kunit *test, struct autofs_test_mount *m)
{
	struct autofs_test_waiter *w;

	autofs_test_foreign_mount(test, m);
	w = autofs_test_daemon_dies(test, m);
	KUNIT_ASSERT_TRUE(test, autofs_test_waiter_done(w));
	KUNIT_ASSERT_NULL(test, m->sbi->pipe);
	KUNIT_ASSERT_EQ(test, m->sbi->flags & AUTOFS_SBI_CATATONIC, AUTOFS_SBI_CATATONIC);
}

/*
 * AUTOFS_DEV_IOCTL_SETPIPEFD as the ioctl dispatcher calls it, with a file
 * of the mount as the ioctl's file.
 */
static int autofs_test_setpipefd(struct kunit *test, struct autofs_test_mount *m, int fd)
{
	struct autofs_dev_ioctl *param;

	param = kunit_kzalloc(test, AUTOFS_DEV_IOCTL_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, param);
	init_autofs_dev_ioctl(param);
	param->setpipefd.pipefd = fd;
	return autofs_dev_ioctl_setpipefd(m->root, m->sbi, param);
}

/* The other way a pipe gets installed: a restarted daemon's SETPIPEFD. */
static void dev_ioctl_setpipefd_sets_packet_mode(struct kunit *test)
{
	struct autofs_test_mount m;
	struct autofs_test_pipe p;
	int fd;

	autofs_test_orphan_mount(test, &m);
	autofs_test_make_pipe(test, &p, AUTOFS_TEST_WR_FLAGS);
	fd = autofs_test_install_fd(test, p.wr);
	KUNIT_ASSERT_EQ_MSG(test, autofs_test_setpipefd(test, &m, fd), 0,
			    "SETPIPEFD refused the write end of a pipe");
	autofs_test_expect_taken(test, m.sbi, p.wr, AUTOFS_TEST_CASE_REFS + 1);

	KUNIT_EXPECT_EQ_MSG(test, p.wr->f_flags & (O_DIRECT | O_NONBLOCK), O_DIRECT,
			    "pipe installed by AUTOFS_DEV_IOCTL_SETPIPEFD must be packet mode and blocking (f_flags=%#x)",
			    p.wr->f_flags);
}

/*
 * Documentation/filesystems/autofs-mount-control.rst: the mount takes the
 * new pipe, leaves catatonic mode, and the caller's process group becomes
 * the daemon's.
 */
static void dev_ioctl_setpipefd_hands_mount_to_caller(struct kunit *test)
{
	struct autofs_test_mount m;
	struct autofs_test_pipe p;
	int fd;

	autofs_test_orphan_mount(test, &m);
	autofs_test_make_pipe(test, &p, AUTOFS_TEST_WR_FLAGS);
	fd = autofs_test_install_fd(test, p.wr);

	KUNIT_EXPECT_EQ(test, autofs_test_setpipefd(test, &m, fd), 0);
	KUNIT_EXPECT_PTR_EQ(test, m.sbi->pipe, p.wr);
	KUNIT_EXPECT_EQ(test, m.sbi->pipefd, fd);
	KUNIT_EXPECT_EQ_MSG(test, m.sbi->flags & AUTOFS_SBI_CATATONIC, 0,
			    "mount must leave catatonic mode once it has a pipe");
	KUNIT_EXPECT_PTR_EQ_MSG(test, m.sbi->oz_pgrp, task_pgrp(current),
				"the caller's process group must become the daemon's");
	/* The case's references and its descriptor, and the mount's. */
	autofs_test_expect_taken(test, m.sbi, p.wr, AUTOFS_TEST_CASE_REFS + 1);
}

/*
 * SETPIPEFD on a mount that still has its daemon (another process group):
 * -EBUSY, and neither the mount, its daemon nor either pipe changes.
 */
static void dev_ioctl_setpipefd_refuses_live_mount(struct kunit *test)
{
	struct autofs_test_mount m;
	struct autofs_test_pipe p;
	unsigned int flags;
	struct pid *pgrp;
	int fd;

	autofs_test_foreign_mount(test, &m);
	pgrp = m.sbi->oz_pgrp;
	autofs_test_make_pipe(test, &p, AUTOFS_TEST_WR_FLAGS);
	fd = autofs_test_install_fd(test, p.wr);
	flags = p.wr->f_flags;

	KUNIT_EXPECT_EQ_MSG(test, autofs_test_setpipefd(test, &m, fd), -EBUSY,
			    "only a catatonic mount may get a new pipe");
	KUNIT_EXPECT_PTR_EQ(test, m.sbi->pipe, m.p.wr);
	KUNIT_EXPECT_EQ(test, p.wr->f_flags, flags);
	KUNIT_EXPECT_PTR_EQ_MSG(test, m.sbi->oz_pgrp, pgrp,
				"a refused SETPIPEFD must not change the daemon");
	KUNIT_EXPECT_EQ(test, m.sbi->flags & AUTOFS_SBI_CATATONIC, 0);
	/* The live pipe: the case's references and the mount's. */
	autofs_test_expect_refs(test, m.sbi, m.p.wr, AUTOFS_TEST_CASE_REFS, 1,
				"the live pipe must keep its references");
	/* The refused one: the case's references and its descriptor. */
	autofs_test_expect_refs(test, m.sbi, p.wr, AUTOFS_TEST_CASE_REFS + 1, 0,
				"the refused pipe must keep its references");
}

/* SETPIPEFD: -EPIPE for an unusable pipe, -EBADF for no file, -EINVAL for -1. */
static const struct autofs_test_bad_param autofs_test_setpipefd_bad[] = {
	{ "not_fifo", AUTOFS_TEST_FD_STRING, AUTOFS_TEST_BAD_NOT_FIFO, -EPIPE },
	{ "read_end", AUTOFS_TEST_FD_STRING, AUTOFS_TEST_BAD_READ_END, -EPIPE },
	{ "o_path_fifo", AUTOFS_TEST_FD_STRING, AUTOFS_TEST_BAD_O_PATH, -EBADF },
	{ "no_file", AUTOFS_TEST_FD_STRING, AUTOFS_TEST_BAD_NO_FILE, -EBADF },
	{ "minus_one", AUTOFS_TEST_FD_STRING, AUTOFS_TEST_BAD_MINUS_ONE, -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(autofs_test_setpipefd_bad, autofs_test_setpipefd_bad, desc);

static void dev_ioctl_setpipefd_rejects_unusable_file(struct kunit *test)
{
	const struct autofs_test_bad_param *bp = test->param_value;
	struct autofs_test_bad_file bad;
	struct autofs_test_mount m;
	struct pid *pgrp;

	autofs_test_orphan_mount(test, &m);
	pgrp = m.sbi->oz_pgrp;
	autofs_test_make_bad(test, bp->kind, bp->form, &bad);

	KUNIT_EXPECT_EQ_MSG(test, autofs_test_setpipefd(test, &m, bad.fd), bp->err,
			    "SETPIPEFD must refuse %s", bp->desc);
	KUNIT_EXPECT_NULL_MSG(test, m.sbi->pipe, "refused file must not be installed");
	KUNIT_EXPECT_EQ(test, m.sbi->pipefd, -1);
	KUNIT_EXPECT_EQ_MSG(test, m.sbi->flags & AUTOFS_SBI_CATATONIC, AUTOFS_SBI_CATATONIC,
			    "mount must stay catatonic without a usable pipe");
	KUNIT_EXPECT_PTR_EQ_MSG(test, m.sbi->oz_pgrp, pgrp,
				"a refused SETPIPEFD must not change the daemon");
	autofs_test_expect_untouched(test, m.sbi, &bad, bp->desc);
}

/*
 * The restarted daemon's mount namespace becomes the owner: lookups from
 * other namespaces on a private mount are refused against it.
 */
static void dev_ioctl_setpipefd_records_owner_mnt_ns(struct kunit *test)
{
	u64 mine = to_ns_common(current->nsproxy->mnt_ns)->ns_id;
	struct autofs_test_mount m;
	struct autofs_test_pipe p;
	int fd;

	autofs_test_orphan_mount(test, &m);
	/*
	 * The mount was made in this namespace too. As if it had been made in
	 * one that is gone: no namespace has id 0.
	 */
	mutex_lock(&m.sbi->wq_mutex);
	m.sbi->mnt_ns_id = 0;
	mutex_unlock(&m.sbi->wq_mutex);
	autofs_test_make_pipe(test, &p, AUTOFS_TEST_WR_FLAGS);
	fd = autofs_test_install_fd(test, p.wr);

	KUNIT_ASSERT_EQ(test, autofs_test_setpipefd(test, &m, fd), 0);
	autofs_test_expect_taken(test, m.sbi, p.wr, AUTOFS_TEST_CASE_REFS + 1);
	KUNIT_EXPECT_EQ_MSG(test, m.sbi->mnt_ns_id, mine,
			    "the daemon's mount namespace must own the mount");
}

/* Fill @pkt as autofs_notify_daemon() would for request @i. */
static void autofs_test_fill_v5(struct autofs_v5_packet *pkt, int i)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->hdr.proto_version = 5;
	pkt->hdr.type = autofs_ptype_missing_indirect;
	pkt->wait_queue_token = 100 + i;
	pkt->dev = 0x801 + i;
	pkt->ino = 0x1122334455667700ULL + i;
	pkt->uid = 1000 + i;
	pkt->gid = 2000 + i;
	pkt->pid = 3000 + i;
	pkt->tgid = 4000 + i;
	pkt->len = snprintf(pkt->name, sizeof(pkt->name), "dir%d", i);
}

/*
 * How a daemon reads v5 requests: at the unpadded size, as a 32-bit daemon
 * on a 64-bit x86 kernel does (a short read wherever the native packet has
 * tail padding), and with a buffer larger than any packet, which still
 * tells packet from stream mode where both sizes are equal (i386).
 */
struct autofs_test_read_param {
	const char *desc;
	size_t size;
};

static const struct autofs_test_read_param autofs_test_reads[] = {
	{ "read_unpadded", AUTOFS_TEST_V5_UNPADDED },
	{ "read_oversized", sizeof(struct autofs_v5_packet) + sizeof(__u64) },
};

KUNIT_ARRAY_PARAM_DESC(autofs_test_reads, autofs_test_reads, desc);

/*
 * Write AUTOFS_TEST_NR_PACKETS native v5 packets into @wr and read them back
 * from @rd with @rsize-byte reads. Returns a bitmask of the packets that came
 * back whole (up to @rsize bytes of them) and at their own boundary.
 */
static unsigned long autofs_test_v5_stream(struct kunit *test, struct file *wr,
					   struct file *rd, size_t rsize)
{
	const size_t native = sizeof(struct autofs_v5_packet);
	const size_t want = min(rsize, native);
	struct autofs_v5_packet *pkt;
	unsigned long aligned = 0;
	ssize_t n;
	char *buf;
	int i;

	pkt = kunit_kcalloc(test, AUTOFS_TEST_NR_PACKETS, native, GFP_KERNEL);
	buf = kunit_kzalloc(test, rsize, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	/* A few packets into an empty pipe: the writes cannot block. */
	for (i = 0; i < AUTOFS_TEST_NR_PACKETS; i++) {
		autofs_test_fill_v5(&pkt[i], i);
		n = kernel_write(wr, &pkt[i], native, NULL);
		KUNIT_ASSERT_EQ_MSG(test, n, (ssize_t)native, "write of packet %d", i);
	}

	for (i = 0; i < AUTOFS_TEST_NR_PACKETS; i++) {
		memset(buf, 0, rsize);
		n = kernel_read(rd, buf, rsize, NULL);
		if (n == want && !memcmp(buf, &pkt[i], want))
			aligned |= BIT(i);
	}
	return aligned;
}

/*
 * The reason packet mode exists: each read returns one packet, cut short
 * with the rest discarded if the buffer is smaller, never running into the
 * next packet if it is larger.
 */
static void v5_packets_read_one_per_read(struct kunit *test)
{
	const struct autofs_test_read_param *rp = test->param_value;
	const unsigned long all = GENMASK(AUTOFS_TEST_NR_PACKETS - 1, 0);
	struct fs_context *fc = autofs_test_fc(test);
	struct autofs_test_pipe p;
	unsigned long aligned;
	char byte;

	autofs_test_parse_new_pipe(test, fc, AUTOFS_TEST_FD_FILE, &p);
	aligned = autofs_test_v5_stream(test, p.wr, p.rd, rp->size);
	KUNIT_EXPECT_EQ_MSG(test, aligned, all,
			    "each %zu-byte read must return one whole packet (bitmask of good packets); pipe f_flags=%#x, see 64f371bc3107 and 546694b8f658",
			    rp->size, p.wr->f_flags);
	KUNIT_EXPECT_EQ_MSG(test, kernel_read(p.rd, &byte, 1, NULL), (ssize_t)-EAGAIN,
			    "padding must be discarded with each packet, not left in the pipe");
}

/*
 * Negative control for the case above: the same stream through a pipe that
 * is not in packet mode misaligns. If this case fails, the case above proves
 * nothing. A read of exactly the native size cannot tell the modes apart.
 */
static void v5_stream_without_packet_mode_misaligns(struct kunit *test)
{
	const struct autofs_test_read_param *rp = test->param_value;
	const unsigned long all = GENMASK(AUTOFS_TEST_NR_PACKETS - 1, 0);
	struct autofs_test_pipe p;
	unsigned long aligned;

	if (rp->size == sizeof(struct autofs_v5_packet))
		kunit_skip(test,
			   "v5 packets have no tail padding here: reads of %zu bytes are the native size",
			   rp->size);

	autofs_test_make_pipe(test, &p, 0);
	KUNIT_ASSERT_EQ(test, p.wr->f_flags & O_DIRECT, 0);
	aligned = autofs_test_v5_stream(test, p.wr, p.rd, rp->size);
	KUNIT_EXPECT_NE_MSG(test, aligned, all,
			    "a stream pipe should misalign %zu-byte reads of %zu-byte packets",
			    rp->size, sizeof(struct autofs_v5_packet));
}

/*
 * v4 requests are the same size on both x86 ABIs. Read with the daemon's
 * largest buffer, each read must still return exactly one request.
 */
static void v4_packets_read_one_per_read(struct kunit *test)
{
	struct autofs_packet_missing missing = {
		.hdr = { .proto_version = 4, .type = autofs_ptype_missing },
		.wait_queue_token = 7,
		.len = 3,
		.name = "foo",
	};
	struct autofs_packet_expire_multi expire = {
		.hdr = { .proto_version = 4, .type = autofs_ptype_expire_multi },
		.wait_queue_token = 8,
		.len = 3,
		.name = "bar",
	};
	const void *pkts[] = { &missing, &expire, &missing };
	const size_t sizes[] = { sizeof(missing), sizeof(expire), sizeof(missing) };
	struct fs_context *fc = autofs_test_fc(test);
	union autofs_v5_packet_union *buf;
	struct autofs_test_pipe p;
	ssize_t n;
	int i;

	buf = kunit_kzalloc(test, sizeof(*buf), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	autofs_test_parse_new_pipe(test, fc, AUTOFS_TEST_FD_FILE, &p);

	for (i = 0; i < ARRAY_SIZE(pkts); i++)
		KUNIT_ASSERT_EQ(test, kernel_write(p.wr, pkts[i], sizes[i], NULL),
				(ssize_t)sizes[i]);

	for (i = 0; i < ARRAY_SIZE(pkts); i++) {
		n = kernel_read(p.rd, buf, sizeof(*buf), NULL);
		KUNIT_EXPECT_EQ_MSG(test, n, (ssize_t)sizes[i],
				    "read %d of a %zu-byte buffer must return one v4 request (f_flags=%#x, see 546694b8f658)",
				    i, sizeof(*buf), p.wr->f_flags);
		if (n == sizes[i])
			KUNIT_EXPECT_MEMEQ(test, buf, pkts[i], sizes[i]);
	}
}

/*
 * One ramfs mount for the whole suite: each kern_unmount() costs an RCU
 * grace period. ramfs is always built in, so get_fs_type() takes no module
 * reference that would need dropping.
 */
static int autofs_test_suite_init(struct kunit_suite *suite)
{
	struct file_system_type *ramfs = get_fs_type("ramfs");

	if (!ramfs)
		return -ENODEV;
	autofs_test_ramfs = kern_mount(ramfs);
	if (IS_ERR(autofs_test_ramfs)) {
		int err = PTR_ERR(autofs_test_ramfs);

		autofs_test_ramfs = NULL;
		return err;
	}
	return 0;
}

static void autofs_test_suite_exit(struct kunit_suite *suite)
{
	if (autofs_test_ramfs)
		kern_unmount(autofs_test_ramfs);
	autofs_test_ramfs = NULL;
}

static struct kunit_case autofs_pipe_cases[] = {
	KUNIT_CASE_PARAM(parse_fd_sets_packet_mode, autofs_test_form_gen_params),
	KUNIT_CASE_PARAM(parse_fd_clears_nonblock, autofs_test_form_gen_params),
	KUNIT_CASE_PARAM(parse_fd_changes_no_other_flag, autofs_test_form_gen_params),
	KUNIT_CASE_PARAM(parse_fd_installs_pipe_in_sbi, autofs_test_form_gen_params),
	KUNIT_CASE_PARAM(parse_fd_rejects_unusable_file, autofs_test_parse_bad_gen_params),
	KUNIT_CASE_PARAM(parse_fd_twice_releases_first_pipe, autofs_test_form_gen_params),
	KUNIT_CASE(dev_ioctl_setpipefd_sets_packet_mode),
	KUNIT_CASE(dev_ioctl_setpipefd_hands_mount_to_caller),
	KUNIT_CASE(dev_ioctl_setpipefd_refuses_live_mount),
	KUNIT_CASE_PARAM(dev_ioctl_setpipefd_rejects_unusable_file,
			 autofs_test_setpipefd_bad_gen_params),
	KUNIT_CASE(dev_ioctl_setpipefd_records_owner_mnt_ns),
	KUNIT_CASE_PARAM(v5_packets_read_one_per_read, autofs_test_reads_gen_params),
	KUNIT_CASE_PARAM(v5_stream_without_packet_mode_misaligns, autofs_test_reads_gen_params),
	KUNIT_CASE(v4_packets_read_one_per_read),
	KUNIT_CASE_PARAM(notify_daemon_v5_request_reads_whole_at_compat_size,
			 autofs_test_requests_gen_params),
	KUNIT_CASE_PARAM(notify_daemon_v5_request_describes_requester,
			 autofs_test_requests_gen_params),
	KUNIT_CASE_PARAM(notify_daemon_answer_reaches_waiter, autofs_test_answers_gen_params),
	KUNIT_CASE(notify_daemon_concurrent_requests_stay_aligned),
	KUNIT_CASE(notify_daemon_v4_request_has_v4_size),
	KUNIT_CASE(notify_daemon_without_reader_goes_catatonic),
	KUNIT_CASE(catatonic_mode_releases_every_waiter),
	KUNIT_CASE(catatonic_mode_lets_the_pipe_go),
	KUNIT_CASE(catatonic_mount_fails_new_waits_at_once),
	{}
};

static struct kunit_suite autofs_pipe_suite = {
	.name = "autofs_pipe",
	.suite_init = autofs_test_suite_init,
	.suite_exit = autofs_test_suite_exit,
	.test_cases = autofs_pipe_cases,
};

kunit_test_suite(autofs_pipe_suite);

MODULE_DESCRIPTION("KUnit tests for the autofs daemon pipe");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
