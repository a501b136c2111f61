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
#include <string.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "igt_decls.h"
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

int xe_pfvf_write_str(const char *path, const char *str)
{
	size_t len = strlen(str);
	int fd, err = 0;
	ssize_t w;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, str, len);
	if (w < 0)
		err = -errno;
	else if ((size_t)w != len)
		err = -EIO;
	close(fd);
	return err;
}

const char *xe_pfvf_moddir(void)
{
	const char *dir = getenv("XE_PFVF_MODDIR");

	return dir && *dir ? dir : NULL;
}

/* /sys/module/<name> with '-' read as '_', as the kernel names modules. */
static bool kmod_loaded(const char *name)
{
	char path[PATH_MAX], *p;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	for (p = path + strlen("/sys/module/"); *p; p++)
		if (*p == '-')
			*p = '_';
	return access(path, F_OK) == 0;
}

int xe_pfvf_kmod_load(const char *name, bool *loaded)
{
	const char *dir = xe_pfvf_moddir();
	char path[PATH_MAX];
	int fd, err;

	*loaded = false;
	if (kmod_loaded(name))
		return 0;
	if (dir) {
		snprintf(path, sizeof(path), "%s/%s.ko", dir, name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			err = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
			close(fd);
			igt_debug("finit_module(%s): %s\n", path, strerror(-err));
			*loaded = !err;
			return err == -EEXIST ? 0 : err;
		}
	}
	err = igt_kmod_load(name, NULL);
	igt_debug("igt_kmod_load(%s): %s\n", name, strerror(-err));
	*loaded = !err;
	return err == -EEXIST ? 0 : err;
}

bool xe_pfvf_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool xe_pfvf_debugfs_mounted(void)
{
	struct statfs sfs;

	/* DEBUGFS_MAGIC of <linux/magic.h> */
	return statfs("/sys/kernel/debug", &sfs) == 0 &&
	       (unsigned long)sfs.f_type == 0x64626720;
}

long long xe_pfvf_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void xe_pfvf_require_debugfs(void)
{
	const char *dir = "/sys/kernel/debug/xe_pfvf";

	igt_require_f(geteuid() == 0, "needs root\n");
	if (!xe_pfvf_is_dir(dir) && !xe_pfvf_debugfs_mounted() &&
	    mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
		igt_debug("mounting debugfs at /sys/kernel/debug: %s\n", strerror(errno));
	igt_require_f(xe_pfvf_is_dir(dir), "%s not found (xe_pfvf module not loaded?)\n", dir);
}
