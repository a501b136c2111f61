/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim: the kernel's errno values, from the uAPI headers (libc's
 * <errno.h> would come back here through <bits/errno.h>). */
#ifndef XE_PFVF_SHIM_LINUX_ERRNO_H
#define XE_PFVF_SHIM_LINUX_ERRNO_H
#include <asm/errno.h>
#endif
