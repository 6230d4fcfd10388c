// SPDX-License-Identifier: GPL-2.0
/*
 * bp_hold N [FILE]: open N write breakpoints on itself, create FILE (default
 * /tmp/bp_hold.ready) once they are open, and keep them until killed.
 * Exit 1 if an open failed.  For plans that need slots held meanwhile.
 */
#include <fcntl.h>
#include <stdlib.h>

#include "bp_util.h"

volatile long bp_vars[16];
struct ktap ktap;

int main(int argc, char **argv)
{
	const char *ready = argc > 2 ? argv[2] : "/tmp/bp_hold.ready";
	int n = argc > 1 ? atoi(argv[1]) : 1;

	if (n < 1 || n > 16)
		return 2;
	for (int i = 0; i < n; i++) {
		int fd = bp_open((const void *)&bp_vars[i], HW_BREAKPOINT_W,
				 0, -1);
		if (fd < 0) {
			fprintf(stderr, "bp_hold: open %d: %s\n", i + 1,
				strerror(-fd));
			return 1;
		}
	}
	close(open(ready, O_CREAT | O_WRONLY, 0644));
	for (;;)
		pause();
}
