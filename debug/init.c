// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the make run-debug initramfs. KUnit has already run the suite
 * by the time init starts (the kernel is booted without kunit_shutdown).
 * This asks kmemleak for one scan, prints what it found on the console,
 * and turns the machine off: power off (UML) or reboot (qemu -no-reboot),
 * as the kernel command line's autofs_debug_off= says. Never returns, so
 * the kernel never panics for a dead init.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

/* kmemleak does not report objects younger than 5 s. */
#define MIN_AGE_S	6

static void kmemleak_report(void)
{
	static const char path[] = "/sys/kernel/debug/kmemleak";
	char line[512];
	FILE *f;
	int fd, i;

	fd = open(path, O_WRONLY);
	if (fd < 0) {
		printf("autofs-debug: kmemleak not available\n");
		return;
	}
	sleep(MIN_AGE_S);
	/*
	 * The first scan only records each object's checksum and never reports
	 * an object that changed since the last one: a leak shows on the second.
	 */
	for (i = 0; i < 2; i++)
		if (write(fd, "scan", 4) != 4)
			perror("autofs-debug: kmemleak scan");
	close(fd);

	f = fopen(path, "r");
	if (!f) {
		perror("autofs-debug: kmemleak");
		return;
	}
	printf("autofs-debug: kmemleak scanned\n");
	while (fgets(line, sizeof(line), f))
		printf("autofs-debug: kmemleak: %s", line);
	fclose(f);
}

int main(void)
{
	const char *off = getenv("autofs_debug_off");

	setvbuf(stdout, NULL, _IONBF, 0);
	mkdir("/sys", 0755);
	if (mount("sysfs", "/sys", "sysfs", 0, NULL) ||
	    mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
		perror("autofs-debug: mount");
	kmemleak_report();
	printf("autofs-debug: done\n");
	sync();
	reboot(off && !strcmp(off, "poweroff") ? RB_POWER_OFF : RB_AUTOBOOT);
	for (;;)
		pause();
}
