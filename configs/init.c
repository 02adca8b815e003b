// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the make configs module guest: load each module named on the
 * kernel command line (autofs_modules=a.ko,b.ko,... in dependency order)
 * with finit_module(), so that the autofs KUnit suite runs as it does on a
 * distribution kernel, when autofs_kunit.ko is loaded. KUnit prints the
 * results on the console. Then power off (qemu -no-reboot exits on the
 * reboot). Never returns, so the kernel never panics for a dead init.
 *
 * init's own lines go through /dev/kmsg, not stdout: the kernel prints on
 * the console from a printk thread, behind the syscall that logged, so a
 * line init wrote to the console after finit_module() returned could land
 * in the middle of the KTAP output (seen in CI: "... loaded
 * /autofs_kunit.ko    ok 18 ..." and kunit.py lost test 18). Through
 * /dev/kmsg they take their place in the log after KUnit's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

static int kmsg = -1;

static void say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (kmsg < 0 || write(kmsg, line, n) != n)
		fputs(line, stdout);
}

int main(void)
{
	const char *list = getenv("autofs_modules");
	char *mods, *mod, *save = NULL;
	int failed = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	mods = strdup(list ? list : "");
	for (mod = strtok_r(mods, ",", &save); mod; mod = strtok_r(NULL, ",", &save)) {
		int fd = open(mod, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || syscall(SYS_finit_module, fd, "", 0)) {
			say("autofs-modules: %s: %s\n", mod, strerror(errno));
			failed = 1;
		} else {
			say("autofs-modules: loaded %s\n", mod);
		}
		if (fd >= 0)
			close(fd);
	}
	say("autofs-modules: %s\n", failed ? "FAILED" : "done");
	sync();
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}
