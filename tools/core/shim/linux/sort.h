/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim of <linux/sort.h>: the kernel's sort() is a heapsort with
 * the same contract as qsort() when no swap function is given. */
#ifndef XE_PFVF_SHIM_LINUX_SORT_H
#define XE_PFVF_SHIM_LINUX_SORT_H
#include <linux/types.h>
#include <stdlib.h>

static inline void sort(void *base, size_t num, size_t size, cmp_func_t cmp,
			swap_func_t swap)
{
	(void)swap;
	qsort(base, num, size, cmp);
}
#endif
