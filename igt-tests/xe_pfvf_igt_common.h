/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef XE_PFVF_IGT_COMMON_H
#define XE_PFVF_IGT_COMMON_H

/* The whole file, NUL-terminated, to be freed; NULL with errno set. */
char *xe_pfvf_read_all(const char *path);
/* An integer attribute in C notation. Returns 0 or -errno. */
int xe_pfvf_read_int(const char *path, int *val);
/* Write "<val>\n" to a sysfs attribute. Returns 0 or -errno. */
int xe_pfvf_write_int(const char *path, int val);

#endif
