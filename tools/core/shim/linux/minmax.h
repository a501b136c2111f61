/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim of <linux/minmax.h> (without the kernel's type checks). */
#ifndef XE_PFVF_SHIM_LINUX_MINMAX_H
#define XE_PFVF_SHIM_LINUX_MINMAX_H
#define min(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
#define max(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })
#endif
