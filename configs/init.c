// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the make configs module guest: load each module named on the
 * kernel command line (autofs_modules=a.ko,b.ko,... in dependency order)
 * with finit_module(), so that the autofs KUnit suite runs as it does on a
 * distribution kernel, when autofs_kunit.ko is loaded. KUnit prints the
 * results on the console. Then power off (qemu -no-reboot exits on the
 * reboot). Never returns, so the kernel never panics for a dead init.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	const char *list = getenv("autofs_modules");
	char *mods, *mod, *save = NULL;
	int failed = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	mods = strdup(list ? list : "");
	for (mod = strtok_r(mods, ",", &save); mod; mod = strtok_r(NULL, ",", &save)) {
		int fd = open(mod, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || syscall(SYS_finit_module, fd, "", 0)) {
			perror(mod);
			failed = 1;
		} else {
			printf("autofs-modules: loaded %s\n", mod);
		}
		if (fd >= 0)
			close(fd);
	}
	printf("autofs-modules: %s\n", failed ? "FAILED" : "done");
	sync();
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}
