/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim of <linux/align.h>. */
#ifndef XE_PFVF_SHIM_LINUX_ALIGN_H
#define XE_PFVF_SHIM_LINUX_ALIGN_H
/* Like the kernel's: @a a power of 2. */
#define ALIGN(x, a) (((x) + ((typeof(x))(a) - 1)) & ~((typeof(x))(a) - 1))
#endif
