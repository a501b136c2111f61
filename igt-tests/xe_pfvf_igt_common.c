// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The xe_pfvf authors
 *
 * Small sysfs/debugfs file helpers shared by the xe_pfvf IGT tests.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "xe_pfvf_igt_common.h"

/* Read a whole file into a malloc'd NUL-terminated buffer, or NULL (errno). */
char *xe_pfvf_read_all(const char *path)
{
	size_t len = 0, size = 64 * 1024;
	char *buf = malloc(size);
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		ssize_t r;

		if (len + 1 == size) {
			char *bigger = realloc(buf, size * 2);

			if (!bigger)
				goto err;
			buf = bigger;
			size *= 2;
		}
		r = read(fd, buf + len, size - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto err;
		if (r == 0)
			break;
		len += r;
	}
	close(fd);
	buf[len] = '\0';
	return buf;

err:
	close(fd);
	free(buf);
	return NULL;
}

int xe_pfvf_read_int(const char *path, int *val)
{
	char *buf = xe_pfvf_read_all(path), *end;
	long v;

	if (!buf)
		return -errno;
	errno = 0;
	v = strtol(buf, &end, 0);
	if (errno || end == buf || v < INT_MIN || v > INT_MAX) {
		free(buf);
		return -EINVAL;
	}
	free(buf);
	*val = (int)v;
	return 0;
}

/* Write "<val>\n" to a sysfs attribute. Returns 0 or -errno. */
int xe_pfvf_write_int(const char *path, int val)
{
	char buf[32];
	int fd, len, err = 0;
	ssize_t w;

	len = snprintf(buf, sizeof(buf), "%d\n", val);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, buf, len);
	if (w < 0)
		err = -errno;
	else if (w != len)
		err = -EIO;
	close(fd);
	return err;
}
