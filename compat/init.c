// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the compat initramfs: run each autofs daemon test, print a
 * verdict line on the console and reboot, which ends qemu -no-reboot. Never returns, so the kernel
 * never panics for a dead init.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

int main(int argc, char **argv)
{
	static const char * const tests[] = { "/autofs_daemon_test_32", "/autofs_daemon_test_64" };
	int failed = 0;
	unsigned int i;

	mount("proc", "/proc", "proc", 0, NULL);
	setvbuf(stdout, NULL, _IONBF, 0);
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		int status = 0;
		pid_t pid;

		if (access(tests[i], X_OK))
			continue;
		printf("autofs-compat: running %s\n", tests[i]);
		pid = fork();
		if (pid == 0) {
			execl(tests[i], tests[i], (char *)NULL);
			perror(tests[i]);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			status = -1;
		printf("autofs-compat: %s %s (status %#x)\n", tests[i],
		       WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "PASS" : "FAIL", status);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	printf("autofs-compat-verdict: %s\n", failed ? "FAIL" : "PASS");
	sync();
	reboot(RB_AUTOBOOT);	/* qemu -no-reboot exits */
	for (;;)
		pause();
}
