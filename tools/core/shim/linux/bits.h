/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim of <linux/bits.h>. */
#ifndef XE_PFVF_SHIM_LINUX_BITS_H
#define XE_PFVF_SHIM_LINUX_BITS_H
#define BIT(nr) (1UL << (nr))
#endif
