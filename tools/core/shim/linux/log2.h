/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim of <linux/log2.h>. */
#ifndef XE_PFVF_SHIM_LINUX_LOG2_H
#define XE_PFVF_SHIM_LINUX_LOG2_H
#include <stdbool.h>

static inline bool is_power_of_2(unsigned long long n)
{
	return n && !(n & (n - 1));
}

/* Like the kernel's: undefined for 0. */
#define ilog2(n) (63 - __builtin_clzll((unsigned long long)(n)))
#endif
