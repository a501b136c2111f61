/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim of <linux/compiler.h>: the attributes the core uses. */
#ifndef XE_PFVF_SHIM_LINUX_COMPILER_H
#define XE_PFVF_SHIM_LINUX_COMPILER_H
#define __always_inline inline __attribute__((__always_inline__))
#define noinline __attribute__((__noinline__))
#endif
