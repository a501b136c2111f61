/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef XE_PFVF_IGT_COMMON_H
#define XE_PFVF_IGT_COMMON_H

#include <stdbool.h>

/* The whole file, NUL-terminated, to be freed; NULL with errno set. */
char *xe_pfvf_read_all(const char *path);
/* An integer attribute in C notation. Returns 0 or -errno. */
int xe_pfvf_read_int(const char *path, int *val);
/* Write "<val>\n" to a sysfs attribute. Returns 0 or -errno. */
int xe_pfvf_write_int(const char *path, int val);
/* Write @str as is to a sysfs or debugfs file. Returns 0 or -errno. */
int xe_pfvf_write_str(const char *path, const char *str);

/*
 * Where the xe_pfvf modules are when they are not installed: the
 * environment variable XE_PFVF_MODDIR (the VM rig sets it), else NULL.
 */
const char *xe_pfvf_moddir(void);

/*
 * Load kernel module @name: from $XE_PFVF_MODDIR/<name>.ko when that file
 * exists, else through libkmod (installed modules, dependencies included).
 * Sets *@loaded when this call loaded it (false when it was loaded
 * already).  Returns 0 or -errno.
 */
int xe_pfvf_kmod_load(const char *name, bool *loaded);

/* Whether @path is a directory. */
bool xe_pfvf_is_dir(const char *path);
/* Whether debugfs is mounted at /sys/kernel/debug. */
bool xe_pfvf_debugfs_mounted(void);
/*
 * Requires root and xe_pfvf's debugfs directory, mounting debugfs at
 * /sys/kernel/debug first when it is not mounted.
 */
void xe_pfvf_require_debugfs(void);
/* CLOCK_MONOTONIC in milliseconds. */
long long xe_pfvf_now_ms(void);

#endif
