// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit tests for the autofs daemon pipe.
 *
 * The automount daemon hands autofs the write end of a pipe: as "fd=N" in
 * mount(2) data, as fsconfig(FSCONFIG_SET_FD, "fd"), or later through the
 * AUTOFS_DEV_IOCTL_SETPIPEFD ioctl. autofs writes one request packet per
 * wait into it. The contract tested here: a file that is not the write end
 * of a FIFO is refused and nothing changes (no reference leaked or dropped
 * twice); an accepted pipe is a packet pipe (O_DIRECT set) that blocks
 * (O_NONBLOCK cleared).
 *
 * Why packet mode: struct autofs_v5_packet is 304 bytes on x86_64 but 300 on
 * i386, whose __u64 is only 4-byte aligned; the fields themselves sit at the
 * same offsets. A 64-bit kernel writes 304 bytes, a 32-bit daemon reads 300.
 * In a packet pipe every write is one buffer and a read never crosses into
 * the next one, so the 4 padding bytes are dropped and the next read starts
 * at the next packet. Commit 64f371bc3107 ("autofs: make the autofsv5
 * packet file descriptor use a packetized pipe") made this the rule in 2012.
 *
 * What regressed: commit 546694b8f658 ("autofs: add autofs_parse_fd()")
 * checked the pipe but no longer set the flags, so 32-bit automount and
 * systemd on 64-bit kernels read misaligned requests and boot hung with no
 * log. The fix split autofs_set_packet_pipe_flags() out of
 * autofs_prepare_pipe() and called it from autofs_parse_fd(). The related
 * commit 6a64c5220c5d ("autofs: fix missing fput for FSCONFIG_SET_FD")
 * fixed a reference leak on the reject path of the same function.
 *
 * The pipes are real: FIFOs on a private ramfs mount, which use the same
 * pipe code as pipe(2) (create_pipe_files() is not exported, and these
 * tests are linked into autofs4.ko when autofs is modular). Reads are always
 * non-blocking, so no case can hang even on a regressed kernel.
 *
 * Run with:
 *	./tools/testing/kunit/kunit.py run --kunitconfig fs/autofs
 */

#include <kunit/test.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>

#include "autofs_i.h"

/* Enough packets to show that alignment holds after the first one. */
#define AUTOFS_TEST_NR_PACKETS	3

/*
 * struct autofs_v5_packet as an i386 daemon compiles it: every field of the
 * native struct at the same offset, but __u64 only 4-byte aligned, so there
 * is no tail padding. Packing gives exactly that layout because every field
 * starts at a multiple of 4; autofs_test_check_i386_layout() verifies it.
 */
struct autofs_v5_packet_i386 {
	struct autofs_packet_hdr hdr;
	__u32 wait_queue_token;
	__u32 dev;
	__u64 ino;
	__u32 uid;
	__u32 gid;
	__u32 pid;
	__u32 tgid;
	__u32 len;
	char name[NAME_MAX + 1];
} __packed __aligned(4);

/*
 * Same offsets as the native struct. ino is the only 8-byte field and name
 * the last one; the 4-byte fields between them cannot move on their own.
 */
static void autofs_test_check_i386_layout(void)
{
	BUILD_BUG_ON(offsetof(struct autofs_v5_packet, wait_queue_token) !=
		     offsetof(struct autofs_v5_packet_i386, wait_queue_token));
	BUILD_BUG_ON(offsetof(struct autofs_v5_packet, ino) !=
		     offsetof(struct autofs_v5_packet_i386, ino));
	BUILD_BUG_ON(offsetof(struct autofs_v5_packet, len) !=
		     offsetof(struct autofs_v5_packet_i386, len));
	BUILD_BUG_ON(offsetof(struct autofs_v5_packet, name) !=
		     offsetof(struct autofs_v5_packet_i386, name));
}

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

/* Files autofs must refuse. */
enum autofs_test_bad_kind {
	AUTOFS_TEST_BAD_REGULAR_FILE,	/* writable, but not a FIFO */
	AUTOFS_TEST_BAD_READ_END,	/* a FIFO, but not writable */
	AUTOFS_TEST_BAD_CLOSED_FD,	/* no file behind the number */
};

struct autofs_test_bad_param {
	const char *desc;
	enum autofs_test_fd_form form;
	enum autofs_test_bad_kind kind;
	int err;
};

/* autofs_parse_fd() answers -EBADF for every unusable pipe. */
static const struct autofs_test_bad_param autofs_test_parse_bad[] = {
	{ "regular_file_fsconfig", AUTOFS_TEST_FD_FILE, AUTOFS_TEST_BAD_REGULAR_FILE, -EBADF },
	{ "regular_file_fd_string", AUTOFS_TEST_FD_STRING, AUTOFS_TEST_BAD_REGULAR_FILE, -EBADF },
	{ "read_end_fsconfig", AUTOFS_TEST_FD_FILE, AUTOFS_TEST_BAD_READ_END, -EBADF },
	{ "read_end_fd_string", AUTOFS_TEST_FD_STRING, AUTOFS_TEST_BAD_READ_END, -EBADF },
	{ "closed_fd_string", AUTOFS_TEST_FD_STRING, AUTOFS_TEST_BAD_CLOSED_FD, -EBADF },
};

KUNIT_ARRAY_PARAM_DESC(autofs_test_parse_bad, autofs_test_parse_bad, desc);

/* AUTOFS_DEV_IOCTL_SETPIPEFD: -EPIPE for a bad pipe, -EBADF for no file. */
static const struct autofs_test_bad_param autofs_test_setpipefd_bad[] = {
	{ "regular_file", AUTOFS_TEST_FD_STRING, AUTOFS_TEST_BAD_REGULAR_FILE, -EPIPE },
	{ "read_end", AUTOFS_TEST_FD_STRING, AUTOFS_TEST_BAD_READ_END, -EPIPE },
	{ "closed_fd", AUTOFS_TEST_FD_STRING, AUTOFS_TEST_BAD_CLOSED_FD, -EBADF },
};

KUNIT_ARRAY_PARAM_DESC(autofs_test_setpipefd_bad, autofs_test_setpipefd_bad, desc);

KUNIT_DEFINE_ACTION_WRAPPER(autofs_test_fput, fput, struct file *);
KUNIT_DEFINE_ACTION_WRAPPER(autofs_test_kern_unmount, kern_unmount, struct vfsmount *);
KUNIT_DEFINE_ACTION_WRAPPER(autofs_test_put_fs_context, put_fs_context, struct fs_context *);
KUNIT_DEFINE_ACTION_WRAPPER(autofs_test_mntput, mntput, struct vfsmount *);
KUNIT_DEFINE_ACTION_WRAPPER(autofs_test_path_put, path_put, const struct path *);

static void autofs_test_close_fd(void *data)
{
	close_fd((uintptr_t)data);
}

/* Look a filesystem type up; the caller holds no module reference after. */
static struct file_system_type *autofs_test_fs_type(struct kunit *test, const char *name)
{
	struct file_system_type *type = get_fs_type(name);

	KUNIT_ASSERT_NOT_NULL_MSG(test, type, "filesystem type %s not registered", name);
	/*
	 * put_filesystem() is not exported. Dropping the module reference is
	 * safe: ramfs is built in, and autofs is the module running this test.
	 */
	module_put(type->owner);
	return type;
}

/*
 * Create an inode of type @mode ("node") on a private ramfs mount. Both
 * the mount and the path are released when the case ends.
 */
static struct path *autofs_test_make_node(struct kunit *test, umode_t mode)
{
	struct vfsmount *mnt;
	struct dentry *root, *dentry;
	struct path *path;
	int err;

	path = kunit_kzalloc(test, sizeof(*path), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, path);

	mnt = kern_mount(autofs_test_fs_type(test, "ramfs"));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mnt);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_kern_unmount, mnt), 0);

	/* No assertion while the directory is locked. */
	root = mnt->mnt_root;
	inode_lock_nested(d_inode(root), I_MUTEX_PARENT);
	dentry = lookup_one_len("node", root, strlen("node"));
	if (IS_ERR(dentry)) {
		err = PTR_ERR(dentry);
	} else {
		if (S_ISFIFO(mode))
			err = vfs_mknod(&nop_mnt_idmap, d_inode(root), dentry, mode, 0);
		else
			err = vfs_create(&nop_mnt_idmap, d_inode(root), dentry, mode, true);
		if (err)
			dput(dentry);
	}
	inode_unlock(d_inode(root));
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "cannot create test inode, mode %#o", mode);

	path->mnt = mntget(mnt);
	path->dentry = dentry;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_path_put, path), 0);
	return path;
}

static struct file *autofs_test_open(struct kunit *test, const struct path *path, int flags)
{
	struct file *file = dentry_open(path, flags, current_cred());

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_fput, file), 0);
	return file;
}

struct autofs_test_pipe {
	struct file *rd;
	struct file *wr;
};

/*
 * A real pipe. The read end is non-blocking, so every read in this suite
 * returns at once. @wr_flags are the write end's flags besides O_WRONLY.
 */
static void autofs_test_make_pipe(struct kunit *test, struct autofs_test_pipe *p, int wr_flags)
{
	struct path *path = autofs_test_make_node(test, S_IFIFO | 0600);

	/* Reader first: opening a FIFO for writing needs a reader. */
	p->rd = autofs_test_open(test, path, O_RDONLY | O_NONBLOCK);
	p->wr = autofs_test_open(test, path, O_WRONLY | wr_flags);
}

/* The daemon's usual write end: what pipe2(O_NONBLOCK) gives it. */
#define AUTOFS_TEST_WR_FLAGS	(O_NONBLOCK | O_NOATIME)

/*
 * Install @file in the fd table, as the daemon's descriptor. KUnit cases
 * run in kthreads, which share one table; the descriptor is closed when the
 * case ends.
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

/* A descriptor number that has no file behind it. */
static int autofs_test_closed_fd(struct kunit *test)
{
	int fd = get_unused_fd_flags(0);

	KUNIT_ASSERT_GE(test, fd, 0);
	put_unused_fd(fd);
	return fd;
}

/* An autofs fs_context and its sbi, as mount(2) or fsopen() creates them. */
static struct fs_context *autofs_test_fc(struct kunit *test)
{
	struct fs_context *fc;

	fc = fs_context_for_mount(autofs_test_fs_type(test, "autofs"), 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fc);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_put_fs_context, fc), 0);
	KUNIT_ASSERT_NOT_NULL(test, fc->s_fs_info);
	return fc;
}

/*
 * Keep a reference of our own while the code under test holds or drops
 * others, so that even a double put cannot free the file under the case.
 */
static void autofs_test_hold(struct kunit *test, struct file *file)
{
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_fput,
							get_file(file)), 0);
}

/*
 * After a reference count check: undo whatever imbalance the code under test
 * left, so that the case's own cleanup stays balanced on a broken kernel.
 */
static void autofs_test_rebalance(struct file *file, long expected)
{
	long delta = (long)file_count(file) - expected;

	for (; delta < 0; delta++)
		get_file(file);
	for (; delta > 0; delta--)
		fput(file);
}

/*
 * Call autofs_parse_fd() the way autofs_parse_param() does after fs_parse()
 * for @form. @file is NULL for a descriptor with no file. The reference
 * handed over in @param for the file form is put here if autofs did not
 * take it over, as fsconfig() does.
 */
static int autofs_test_parse_fd(struct fs_context *fc, enum autofs_test_fd_form form,
				struct file *file, int fd)
{
	struct fs_parse_result result = { .uint_32 = fd };
	struct fs_parameter param = { .key = "fd", .dirfd = fd };
	char str[16];
	int ret;

	if (form == AUTOFS_TEST_FD_FILE) {
		param.type = fs_value_is_file;
		param.file = get_file(file);
	} else {
		snprintf(str, sizeof(str), "%d", fd);
		param.type = fs_value_is_string;
		param.string = str;
		param.size = strlen(str);
	}

	ret = autofs_parse_fd(fc, fc->s_fs_info, &param, &result);

	if (form == AUTOFS_TEST_FD_FILE && param.file)
		fput(param.file);
	return ret;
}

/*
 * The same through the VFS entry point: the fd parameter goes through
 * vfs_parse_fs_param() and fs_parse() to autofs's ->parse_param(), exactly
 * as fsconfig(FSCONFIG_SET_FD) and mount(2) data reach it.
 */
static int autofs_test_vfs_parse_fd(struct fs_context *fc, enum autofs_test_fd_form form,
				    struct file *file, int fd)
{
	struct fs_parameter param = {
		.key = "fd",
		.type = fs_value_is_file,
		.dirfd = fd,
	};
	char str[16];
	int ret;

	if (form == AUTOFS_TEST_FD_STRING) {
		snprintf(str, sizeof(str), "%d", fd);
		return vfs_parse_fs_string(fc, "fd", str, strlen(str));
	}

	param.file = get_file(file);
	ret = vfs_parse_fs_param(fc, &param);
	if (param.file)
		fput(param.file);
	return ret;
}

/* Hand a fresh real pipe to autofs_parse_fd(); return its write end. */
static struct file *autofs_test_parse_new_pipe(struct kunit *test, struct fs_context *fc,
					       enum autofs_test_fd_form form,
					       struct autofs_test_pipe *p, int *fdp)
{
	int fd, ret;

	autofs_test_make_pipe(test, p, AUTOFS_TEST_WR_FLAGS);
	fd = autofs_test_install_fd(test, p->wr);
	ret = autofs_test_parse_fd(fc, form, p->wr, fd);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "autofs_parse_fd() refused the write end of a pipe");
	if (fdp)
		*fdp = fd;
	return p->wr;
}

/*
 * 64f371bc3107 ("autofs: make the autofsv5 packet file descriptor use a
 * packetized pipe"); lost in 546694b8f658 ("autofs: add autofs_parse_fd()").
 */
static void parse_fd_sets_packet_mode(struct kunit *test)
{
	const struct autofs_test_form_param *fp = test->param_value;
	struct autofs_test_pipe p;
	struct fs_context *fc = autofs_test_fc(test);
	struct file *wr = autofs_test_parse_new_pipe(test, fc, fp->form, &p, NULL);

	KUNIT_EXPECT_EQ_MSG(test, wr->f_flags & O_DIRECT, O_DIRECT,
			    "daemon pipe must be a packet pipe (O_DIRECT, f_flags=%#x): 32-bit daemons rely on it since 64f371bc3107, lost in 546694b8f658",
			    wr->f_flags);
}

/* The kernel must wait for room in a full pipe, not lose the request. */
static void parse_fd_clears_nonblock(struct kunit *test)
{
	const struct autofs_test_form_param *fp = test->param_value;
	struct autofs_test_pipe p;
	struct fs_context *fc = autofs_test_fc(test);
	struct file *wr = autofs_test_parse_new_pipe(test, fc, fp->form, &p, NULL);

	KUNIT_EXPECT_EQ_MSG(test, wr->f_flags & O_NONBLOCK, 0,
			    "daemon pipe must block (O_NONBLOCK clear, f_flags=%#x): autofs_write() does not expect -EAGAIN; lost in 546694b8f658",
			    wr->f_flags);
}

static void parse_fd_keeps_access_mode_and_other_flags(struct kunit *test)
{
	const struct autofs_test_form_param *fp = test->param_value;
	const unsigned int changed = O_DIRECT | O_NONBLOCK;
	struct autofs_test_pipe p;
	struct fs_context *fc = autofs_test_fc(test);
	unsigned int before;
	int fd, ret;

	autofs_test_make_pipe(test, &p, AUTOFS_TEST_WR_FLAGS);
	fd = autofs_test_install_fd(test, p.wr);
	before = p.wr->f_flags;
	ret = autofs_test_parse_fd(fc, fp->form, p.wr, fd);
	KUNIT_ASSERT_EQ(test, ret, 0);

	KUNIT_EXPECT_EQ_MSG(test, p.wr->f_flags & ~changed, before & ~changed,
			    "only O_DIRECT and O_NONBLOCK may change (f_flags %#x -> %#x)",
			    before, p.wr->f_flags);
	KUNIT_EXPECT_EQ_MSG(test, p.wr->f_mode & (FMODE_READ | FMODE_WRITE), FMODE_WRITE,
			    "daemon pipe must stay write-only (f_mode=%#x)",
			    (unsigned int)p.wr->f_mode);
}

/* sbi->pipe is the daemon's file, with one reference; pipefd is its number. */
static void parse_fd_installs_pipe_in_sbi(struct kunit *test)
{
	const struct autofs_test_form_param *fp = test->param_value;
	struct autofs_test_pipe p;
	struct fs_context *fc = autofs_test_fc(test);
	struct autofs_sb_info *sbi = fc->s_fs_info;
	long count;
	int fd, ret, i;

	autofs_test_make_pipe(test, &p, AUTOFS_TEST_WR_FLAGS);
	autofs_test_hold(test, p.wr);
	/* Like a daemon's stdio: the pipe's number must not be the lowest. */
	for (i = 0; i < 3; i++)
		autofs_test_install_fd(test, p.rd);
	fd = autofs_test_install_fd(test, p.wr);
	KUNIT_ASSERT_GT(test, fd, 0);
	count = file_count(p.wr);

	ret = autofs_test_parse_fd(fc, fp->form, p.wr, fd);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_PTR_EQ_MSG(test, sbi->pipe, p.wr, "sbi->pipe is not the daemon's pipe");
	KUNIT_EXPECT_EQ_MSG(test, sbi->pipefd, fd, "sbi->pipefd must record the descriptor");
	KUNIT_EXPECT_EQ_MSG(test, file_count(p.wr), count + 1,
			    "sbi must hold exactly one reference to the pipe (count before %ld)",
			    count);
	autofs_test_rebalance(p.wr, count + (sbi->pipe == p.wr));
}

/*
 * Through the filesystem's ->parse_param(), not the static helper, so that a
 * refactor that renames or bypasses autofs_parse_fd() is still covered.
 */
static void parse_param_fd_sets_packet_mode(struct kunit *test)
{
	const struct autofs_test_form_param *fp = test->param_value;
	struct autofs_test_pipe p;
	struct fs_context *fc = autofs_test_fc(test);
	struct autofs_sb_info *sbi = fc->s_fs_info;
	int fd, ret;

	autofs_test_make_pipe(test, &p, AUTOFS_TEST_WR_FLAGS);
	fd = autofs_test_install_fd(test, p.wr);
	ret = autofs_test_vfs_parse_fd(fc, fp->form, p.wr, fd);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "vfs_parse_fs_param(\"fd\") refused a pipe");

	KUNIT_EXPECT_PTR_EQ(test, sbi->pipe, p.wr);
	KUNIT_EXPECT_EQ_MSG(test, p.wr->f_flags & (O_DIRECT | O_NONBLOCK), O_DIRECT,
			    "pipe installed by ->parse_param() must be packet mode and blocking (f_flags=%#x); see 546694b8f658",
			    p.wr->f_flags);
}

/* An unusable file, and its flags and reference count before the call. */
struct autofs_test_bad_file {
	struct file *file;	/* NULL for a closed descriptor */
	int fd;
	unsigned int flags;
	long count;
};

/* Make the unusable file of @kind, installed as @bad->fd, and record it. */
static void autofs_test_make_bad(struct kunit *test, enum autofs_test_bad_kind kind,
				 struct autofs_test_bad_file *bad)
{
	struct autofs_test_pipe p;

	memset(bad, 0, sizeof(*bad));
	switch (kind) {
	case AUTOFS_TEST_BAD_REGULAR_FILE:
		bad->file = autofs_test_open(test, autofs_test_make_node(test, S_IFREG | 0600),
					     O_WRONLY | O_NONBLOCK);
		break;
	case AUTOFS_TEST_BAD_READ_END:
		autofs_test_make_pipe(test, &p, AUTOFS_TEST_WR_FLAGS);
		bad->file = p.rd;
		break;
	default:
		bad->fd = autofs_test_closed_fd(test);
		return;
	}
	autofs_test_hold(test, bad->file);
	bad->fd = autofs_test_install_fd(test, bad->file);
	bad->flags = bad->file->f_flags;
	bad->count = file_count(bad->file);
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
	KUNIT_EXPECT_EQ_MSG(test, file_count(bad->file), bad->count,
			    "refused file leaked a reference or lost one (%s)", desc);
	KUNIT_EXPECT_EQ_MSG(test, bad->file->f_flags, bad->flags,
			    "refused file's flags must not change (%#x -> %#x)",
			    bad->flags, bad->file->f_flags);
	autofs_test_rebalance(bad->file, bad->count + (sbi->pipe == bad->file));
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

	autofs_test_make_bad(test, bp->kind, &bad);
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
	struct autofs_test_pipe first, second;
	struct fs_context *fc = autofs_test_fc(test);
	struct autofs_sb_info *sbi = fc->s_fs_info;
	long count1, count2;
	int fd1, fd2;

	autofs_test_make_pipe(test, &first, AUTOFS_TEST_WR_FLAGS);
	autofs_test_make_pipe(test, &second, AUTOFS_TEST_WR_FLAGS);
	autofs_test_hold(test, first.wr);
	autofs_test_hold(test, second.wr);
	fd1 = autofs_test_install_fd(test, first.wr);
	fd2 = autofs_test_install_fd(test, second.wr);
	count1 = file_count(first.wr);
	count2 = file_count(second.wr);

	KUNIT_ASSERT_EQ(test, autofs_test_vfs_parse_fd(fc, fp->form, first.wr, fd1), 0);
	KUNIT_ASSERT_EQ(test, autofs_test_vfs_parse_fd(fc, fp->form, second.wr, fd2), 0);

	KUNIT_EXPECT_PTR_EQ_MSG(test, sbi->pipe, second.wr, "the last fd= must be installed");
	KUNIT_EXPECT_EQ(test, sbi->pipefd, fd2);
	KUNIT_EXPECT_EQ_MSG(test, file_count(first.wr), count1,
			    "the replaced pipe must be released exactly once");
	KUNIT_EXPECT_EQ(test, file_count(second.wr), count2 + 1);
	KUNIT_EXPECT_EQ_MSG(test, second.wr->f_flags & (O_DIRECT | O_NONBLOCK), O_DIRECT,
			    "the replacing pipe must be packet mode and blocking (f_flags=%#x)",
			    second.wr->f_flags);
	autofs_test_rebalance(first.wr, count1 + (sbi->pipe == first.wr));
	autofs_test_rebalance(second.wr, count2 + (sbi->pipe == second.wr));
}

/* One "key" or "key=value" mount option, as mount(2) data carries it. */
static int autofs_test_parse_opt(struct fs_context *fc, const char *opt)
{
	const char *eq = strchr(opt, '=');
	char key[32];

	if (!eq)
		return vfs_parse_fs_string(fc, opt, NULL, 0);
	if (eq - opt >= sizeof(key))
		return -EINVAL;
	memcpy(key, opt, eq - opt);
	key[eq - opt] = '\0';
	return vfs_parse_fs_string(fc, key, eq + 1, strlen(eq + 1));
}

/*
 * A real autofs mount through its fs_context, as mount(2) creates it, with
 * the write end of @p as its pipe and @opts ("direct", "maxproto=4", ...)
 * as further mount options. Unmounted when the case ends.
 */
static struct vfsmount *autofs_test_mount(struct kunit *test, struct autofs_test_pipe *p,
					  const char *const *opts)
{
	struct fs_context *fc = autofs_test_fc(test);
	struct vfsmount *mnt;
	int fd;

	autofs_test_make_pipe(test, p, AUTOFS_TEST_WR_FLAGS);
	fd = autofs_test_install_fd(test, p->wr);
	KUNIT_ASSERT_EQ(test, autofs_test_vfs_parse_fd(fc, AUTOFS_TEST_FD_FILE, p->wr, fd), 0);
	for (; opts && *opts; opts++)
		KUNIT_ASSERT_EQ_MSG(test, autofs_test_parse_opt(fc, *opts), 0,
				    "mount option %s", *opts);

	mnt = fc_mount(fc);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mnt);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_mntput, mnt), 0);
	return mnt;
}

/*
 * A mount made catatonic as after a daemon crash: the state in which a
 * restarted daemon hands over a new pipe with AUTOFS_DEV_IOCTL_SETPIPEFD.
 */
static struct autofs_sb_info *autofs_test_catatonic_mount(struct kunit *test)
{
	struct autofs_test_pipe p;
	struct autofs_sb_info *sbi;

	sbi = autofs_sbi(autofs_test_mount(test, &p, NULL)->mnt_sb);
	autofs_catatonic_mode(sbi);
	KUNIT_ASSERT_NULL(test, sbi->pipe);
	KUNIT_ASSERT_TRUE(test, sbi->flags & AUTOFS_SBI_CATATONIC);
	return sbi;
}

static int autofs_test_setpipefd(struct kunit *test, struct autofs_sb_info *sbi, int fd)
{
	struct autofs_dev_ioctl *param;

	param = kunit_kzalloc(test, AUTOFS_DEV_IOCTL_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, param);
	init_autofs_dev_ioctl(param);
	param->setpipefd.pipefd = fd;
	return autofs_dev_ioctl_setpipefd(NULL, sbi, param);
}

/* The other way a pipe gets installed: a restarted daemon's SETPIPEFD. */
static void dev_ioctl_setpipefd_sets_packet_mode(struct kunit *test)
{
	struct autofs_sb_info *sbi = autofs_test_catatonic_mount(test);
	struct autofs_test_pipe p;
	int fd, ret;

	autofs_test_make_pipe(test, &p, AUTOFS_TEST_WR_FLAGS);
	fd = autofs_test_install_fd(test, p.wr);
	ret = autofs_test_setpipefd(test, sbi, fd);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "SETPIPEFD refused the write end of a pipe");

	KUNIT_EXPECT_PTR_EQ(test, sbi->pipe, p.wr);
	KUNIT_EXPECT_EQ(test, sbi->pipefd, fd);
	KUNIT_EXPECT_EQ_MSG(test, sbi->flags & AUTOFS_SBI_CATATONIC, 0,
			    "mount must leave catatonic mode once it has a pipe");
	KUNIT_EXPECT_EQ_MSG(test, p.wr->f_flags & (O_DIRECT | O_NONBLOCK), O_DIRECT,
			    "pipe installed by AUTOFS_DEV_IOCTL_SETPIPEFD must be packet mode and blocking (f_flags=%#x)",
			    p.wr->f_flags);
}

static void dev_ioctl_setpipefd_rejects_unusable_file(struct kunit *test)
{
	const struct autofs_test_bad_param *bp = test->param_value;
	struct autofs_sb_info *sbi = autofs_test_catatonic_mount(test);
	struct autofs_test_bad_file bad;
	int ret;

	autofs_test_make_bad(test, bp->kind, &bad);
	ret = autofs_test_setpipefd(test, sbi, bad.fd);

	KUNIT_EXPECT_EQ_MSG(test, ret, bp->err, "SETPIPEFD must refuse %s", bp->desc);
	KUNIT_EXPECT_NULL_MSG(test, sbi->pipe, "refused file must not be installed");
	KUNIT_EXPECT_EQ_MSG(test, sbi->flags & AUTOFS_SBI_CATATONIC, AUTOFS_SBI_CATATONIC,
			    "mount must stay catatonic without a usable pipe");
	autofs_test_expect_untouched(test, sbi, &bad, bp->desc);
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
 * How a daemon reads v5 requests: at the i386 size, as a 32-bit daemon on a
 * 64-bit kernel does (a short read wherever the native packet is larger),
 * and with a buffer larger than any packet, which is the case that still
 * tells packet from stream mode where both sizes are equal (i386).
 */
struct autofs_test_read_param {
	const char *desc;
	size_t size;
};

static const struct autofs_test_read_param autofs_test_reads[] = {
	{ "read_at_i386_size", sizeof(struct autofs_v5_packet_i386) },
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

	autofs_test_check_i386_layout();
	pkt = kunit_kcalloc(test, AUTOFS_TEST_NR_PACKETS, native, GFP_KERNEL);
	buf = kunit_kzalloc(test, rsize, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	kunit_info(test, "v5 packet: %zu bytes native, %zu bytes for an i386 daemon; reads of %zu\n",
		   native, sizeof(struct autofs_v5_packet_i386), rsize);

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
	struct autofs_test_pipe p;
	struct fs_context *fc = autofs_test_fc(test);
	struct file *wr = autofs_test_parse_new_pipe(test, fc, AUTOFS_TEST_FD_FILE, &p, NULL);
	unsigned long aligned;
	char byte;

	aligned = autofs_test_v5_stream(test, wr, p.rd, rp->size);
	KUNIT_EXPECT_EQ_MSG(test, aligned, all,
			    "each %zu-byte read must return one whole packet (bitmask of good packets); pipe f_flags=%#x, see 64f371bc3107 and 546694b8f658",
			    rp->size, wr->f_flags);
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
		kunit_skip(test, "reads of %zu bytes are exactly the native v5 packet here",
			   rp->size);

	autofs_test_make_pipe(test, &p, 0);
	KUNIT_ASSERT_EQ(test, p.wr->f_flags & O_DIRECT, 0);
	aligned = autofs_test_v5_stream(test, p.wr, p.rd, rp->size);
	KUNIT_EXPECT_NE_MSG(test, aligned, all,
			    "a stream pipe should misalign %zu-byte reads of %zu-byte packets",
			    rp->size, sizeof(struct autofs_v5_packet));
}

/*
 * v4 requests are the same size on every ABI. Read with the daemon's
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
	struct autofs_test_pipe p;
	struct fs_context *fc = autofs_test_fc(test);
	struct file *wr = autofs_test_parse_new_pipe(test, fc, AUTOFS_TEST_FD_FILE, &p, NULL);
	union autofs_v5_packet_union *buf;
	ssize_t n;
	int i;

	buf = kunit_kzalloc(test, sizeof(*buf), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	for (i = 0; i < ARRAY_SIZE(pkts); i++)
		KUNIT_ASSERT_EQ(test, kernel_write(wr, pkts[i], sizes[i], NULL), (ssize_t)sizes[i]);

	for (i = 0; i < ARRAY_SIZE(pkts); i++) {
		n = kernel_read(p.rd, buf, sizeof(*buf), NULL);
		KUNIT_EXPECT_EQ_MSG(test, n, (ssize_t)sizes[i],
				    "read %d of a %zu-byte buffer must return one v4 request (f_flags=%#x)",
				    i, sizeof(*buf), wr->f_flags);
		if (n == sizes[i])
			KUNIT_EXPECT_MEMEQ(test, buf, pkts[i], sizes[i]);
	}
}

/*
 * The kernel's own packet writer: autofs_wait() -> autofs_notify_daemon() ->
 * autofs_write(), driven on a real mount. A helper kthread plays the process
 * that walks into the mount and waits; the case plays the daemon.
 */

/* How long the daemon side waits for a request or a waiter, in ms. */
#define AUTOFS_TEST_WAIT_MS	10000

struct autofs_test_waiter {
	struct autofs_sb_info *sbi;
	struct path path;
	enum autofs_notify notify;
	struct task_struct *task;
	struct completion done;
	/* What the request must carry, recorded by the waiter itself. */
	pid_t pid;
	pid_t tgid;
	uid_t uid;
	gid_t gid;
	int status;
};

static int autofs_test_waiter_fn(void *data)
{
	struct autofs_test_waiter *w = data;

	w->pid = task_pid_nr(current);
	w->tgid = task_tgid_nr(current);
	w->uid = from_kuid(&init_user_ns, current_uid());
	w->gid = from_kgid(&init_user_ns, current_gid());
	w->status = autofs_wait(w->sbi, &w->path, w->notify);
	complete(&w->done);

	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/*
 * Runs however the case ended: catatonic mode wakes a waiter that no daemon
 * answered, so kthread_stop() cannot hang.
 */
static void autofs_test_stop_waiter(void *data)
{
	struct autofs_test_waiter *w = data;

	autofs_catatonic_mode(w->sbi);
	kthread_stop(w->task);
	path_put(&w->path);
}

/*
 * Start a process-like kthread that waits on @name under the root of @mnt
 * (or on the root itself for a direct mount, @name NULL).
 */
static struct autofs_test_waiter *autofs_test_start_waiter(struct kunit *test,
							   struct vfsmount *mnt,
							   const char *name,
							   enum autofs_notify notify)
{
	struct autofs_test_waiter *w;
	struct dentry *dentry;

	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	w->sbi = autofs_sbi(mnt->mnt_sb);
	w->notify = notify;
	init_completion(&w->done);

	/* An indirect key is a negative dentry in the root, as a lookup leaves it. */
	dentry = name ? d_alloc_name(mnt->mnt_root, name) : dget(mnt->mnt_root);
	KUNIT_ASSERT_NOT_NULL(test, dentry);
	w->path.mnt = mntget(mnt);
	w->path.dentry = dentry;

	w->task = kthread_run(autofs_test_waiter_fn, w, "autofs_test_waiter");
	if (IS_ERR(w->task)) {
		path_put(&w->path);
		KUNIT_FAIL_AND_ABORT(test, "kthread_run: %ld", PTR_ERR(w->task));
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, autofs_test_stop_waiter, w), 0);
	return w;
}

/* Read one request, waiting a bounded time for it to arrive. */
static ssize_t autofs_test_read_request(struct file *rd, void *buf, size_t size)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(AUTOFS_TEST_WAIT_MS);
	ssize_t n;

	memset(buf, 0, size);
	for (;;) {
		n = kernel_read(rd, buf, size, NULL);
		if (n != -EAGAIN || time_after(jiffies, deadline))
			return n;
		msleep(20);
	}
}

/* The daemon's answer, and the status the waiter must get back from it. */
static void autofs_test_release(struct kunit *test, struct autofs_test_waiter *w,
				autofs_wqt_t token, int status)
{
	unsigned long left;

	KUNIT_ASSERT_EQ_MSG(test, autofs_wait_release(w->sbi, token, status), 0,
			    "no wait with token %u", token);
	left = wait_for_completion_timeout(&w->done, msecs_to_jiffies(AUTOFS_TEST_WAIT_MS));
	KUNIT_ASSERT_GT_MSG(test, left, 0, "waiter not woken by autofs_wait_release()");
	KUNIT_EXPECT_EQ_MSG(test, w->status, status,
			    "autofs_wait() must return the status the daemon gave");
}

/* Every field of a v5 request as autofs_notify_daemon() must fill it. */
static void autofs_test_expect_v5(struct kunit *test, const struct autofs_v5_packet *pkt,
				  const struct autofs_test_waiter *w, int type,
				  const char *name)
{
	struct super_block *sb = w->sbi->sb;

	KUNIT_EXPECT_EQ(test, pkt->hdr.proto_version, 5);
	KUNIT_EXPECT_EQ(test, pkt->hdr.type, type);
	KUNIT_EXPECT_NE(test, pkt->wait_queue_token, 0);
	KUNIT_EXPECT_EQ(test, pkt->dev, new_encode_dev(sb->s_dev));
	KUNIT_EXPECT_EQ(test, pkt->ino, d_inode(sb->s_root)->i_ino);
	KUNIT_EXPECT_EQ(test, pkt->uid, w->uid);
	KUNIT_EXPECT_EQ(test, pkt->gid, w->gid);
	KUNIT_EXPECT_EQ(test, pkt->pid, w->pid);
	KUNIT_EXPECT_EQ(test, pkt->tgid, w->tgid);
	KUNIT_EXPECT_EQ(test, pkt->len, strnlen(pkt->name, sizeof(pkt->name)));
	if (name)
		KUNIT_EXPECT_STREQ(test, pkt->name, name);
	else
		KUNIT_EXPECT_GT_MSG(test, pkt->len, 0, "direct request needs a key");
}

struct autofs_test_request_param {
	const char *desc;
	const char *opt;		/* "indirect" or "direct" */
	enum autofs_notify notify;
	int type;
	int status;			/* the daemon's answer */
};

static const struct autofs_test_request_param autofs_test_requests[] = {
	{ "indirect_mount_ready", "indirect", NFY_MOUNT, autofs_ptype_missing_indirect, 0 },
	{ "indirect_mount_fail", "indirect", NFY_MOUNT, autofs_ptype_missing_indirect, -ENOENT },
	{ "direct_mount_ready", "direct", NFY_MOUNT, autofs_ptype_missing_direct, 0 },
	{ "indirect_expire_done", "indirect", NFY_EXPIRE, autofs_ptype_expire_indirect, 0 },
};

KUNIT_ARRAY_PARAM_DESC(autofs_test_requests, autofs_test_requests, desc);

/*
 * A v5 request written by the kernel and read by an i386 daemon: one whole
 * request per read, every field right, and the waiter gets the answer.
 */
static void notify_daemon_v5_request_reads_whole_at_compat_size(struct kunit *test)
{
	const struct autofs_test_request_param *rp = test->param_value;
	const size_t compat = sizeof(struct autofs_v5_packet_i386);
	const char *const opts[] = { "minproto=5", "maxproto=5", rp->opt, NULL };
	const char *name = strcmp(rp->opt, "direct") ? "key" : NULL;
	struct autofs_test_waiter *w;
	struct autofs_v5_packet *pkt;
	struct autofs_test_pipe p;
	struct vfsmount *mnt;
	ssize_t n;

	pkt = kunit_kzalloc(test, sizeof(*pkt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	mnt = autofs_test_mount(test, &p, opts);
	w = autofs_test_start_waiter(test, mnt, name, rp->notify);

	n = autofs_test_read_request(p.rd, pkt, compat);
	KUNIT_ASSERT_EQ_MSG(test, n, (ssize_t)compat,
			    "request read at the i386 size (pipe f_flags=%#x)", p.wr->f_flags);
	autofs_test_expect_v5(test, pkt, w, rp->type, name);
	KUNIT_EXPECT_EQ_MSG(test, kernel_read(p.rd, pkt, 1, NULL), (ssize_t)-EAGAIN,
			    "the request's padding must not stay in the pipe");
	autofs_test_release(test, w, pkt->wait_queue_token, rp->status);
}

/* Several waits outstanding at once: each request whole and aligned. */
static void notify_daemon_concurrent_requests_stay_aligned(struct kunit *test)
{
	static const char *const names[] = { "alpha", "beta", "gamma" };
	const size_t compat = sizeof(struct autofs_v5_packet_i386);
	const char *const opts[] = { "minproto=5", "maxproto=5", "indirect", NULL };
	struct autofs_test_waiter *w[ARRAY_SIZE(names)];
	struct autofs_v5_packet *pkt;
	struct autofs_test_pipe p;
	struct vfsmount *mnt;
	bool seen[ARRAY_SIZE(names)] = { };
	ssize_t n;
	int i, k;

	pkt = kunit_kzalloc(test, sizeof(*pkt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	mnt = autofs_test_mount(test, &p, opts);
	for (i = 0; i < ARRAY_SIZE(names); i++)
		w[i] = autofs_test_start_waiter(test, mnt, names[i], NFY_MOUNT);

	for (k = 0; k < ARRAY_SIZE(names); k++) {
		n = autofs_test_read_request(p.rd, pkt, compat);
		KUNIT_ASSERT_EQ_MSG(test, n, (ssize_t)compat, "request %d", k);
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcmp(pkt->name, names[i]))
				break;
		KUNIT_ASSERT_LT_MSG(test, i, (int)ARRAY_SIZE(names),
				    "request %d is misaligned: name field reads \"%.16s\"",
				    k, pkt->name);
		KUNIT_ASSERT_FALSE(test, seen[i]);
		seen[i] = true;
		autofs_test_expect_v5(test, pkt, w[i], autofs_ptype_missing_indirect, names[i]);
		autofs_test_release(test, w[i], pkt->wait_queue_token, i ? -ENOENT : 0);
	}
}

/* A v4 daemon gets v4 requests of their own size, one per read. */
static void notify_daemon_v4_request_has_v4_size(struct kunit *test)
{
	const char *const opts[] = { "minproto=4", "maxproto=4", NULL };
	union autofs_v5_packet_union *buf;
	struct autofs_packet_missing *mp;
	struct autofs_test_waiter *w;
	struct autofs_test_pipe p;
	struct vfsmount *mnt;
	ssize_t n;

	buf = kunit_kzalloc(test, sizeof(*buf), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	mnt = autofs_test_mount(test, &p, opts);
	w = autofs_test_start_waiter(test, mnt, "key", NFY_MOUNT);

	n = autofs_test_read_request(p.rd, buf, sizeof(*buf));
	KUNIT_ASSERT_EQ_MSG(test, n, (ssize_t)sizeof(*mp),
			    "a v4 request is one struct autofs_packet_missing");
	mp = (struct autofs_packet_missing *)buf;
	KUNIT_EXPECT_EQ(test, mp->hdr.proto_version, 4);
	KUNIT_EXPECT_EQ(test, mp->hdr.type, autofs_ptype_missing);
	KUNIT_EXPECT_EQ(test, mp->len, 3);
	KUNIT_EXPECT_STREQ(test, mp->name, "key");
	autofs_test_release(test, w, mp->wait_queue_token, 0);
}

static struct kunit_case autofs_pipe_cases[] = {
	KUNIT_CASE_PARAM(parse_fd_sets_packet_mode, autofs_test_form_gen_params),
	KUNIT_CASE_PARAM(parse_fd_clears_nonblock, autofs_test_form_gen_params),
	KUNIT_CASE_PARAM(parse_fd_keeps_access_mode_and_other_flags, autofs_test_form_gen_params),
	KUNIT_CASE_PARAM(parse_fd_installs_pipe_in_sbi, autofs_test_form_gen_params),
	KUNIT_CASE_PARAM(parse_param_fd_sets_packet_mode, autofs_test_form_gen_params),
	KUNIT_CASE_PARAM(parse_fd_rejects_unusable_file, autofs_test_parse_bad_gen_params),
	KUNIT_CASE_PARAM(parse_fd_twice_releases_first_pipe, autofs_test_form_gen_params),
	KUNIT_CASE(dev_ioctl_setpipefd_sets_packet_mode),
	KUNIT_CASE_PARAM(dev_ioctl_setpipefd_rejects_unusable_file,
			 autofs_test_setpipefd_bad_gen_params),
	KUNIT_CASE_PARAM(v5_packets_read_one_per_read, autofs_test_reads_gen_params),
	KUNIT_CASE_PARAM(v5_stream_without_packet_mode_misaligns, autofs_test_reads_gen_params),
	KUNIT_CASE(v4_packets_read_one_per_read),
	KUNIT_CASE_PARAM(notify_daemon_v5_request_reads_whole_at_compat_size,
			 autofs_test_requests_gen_params),
	KUNIT_CASE(notify_daemon_concurrent_requests_stay_aligned),
	KUNIT_CASE(notify_daemon_v4_request_has_v4_size),
	{}
};

static struct kunit_suite autofs_pipe_suite = {
	.name = "autofs_pipe",
	.test_cases = autofs_pipe_cases,
};

kunit_test_suite(autofs_pipe_suite);
