/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim of <linux/overflow.h>. */
#ifndef XE_PFVF_SHIM_LINUX_OVERFLOW_H
#define XE_PFVF_SHIM_LINUX_OVERFLOW_H
#include <stddef.h>
#include <stdint.h>

#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)

static inline size_t xe_pfvf_shim_size_add(size_t a, size_t b)
{
	size_t r;

	return __builtin_add_overflow(a, b, &r) ? SIZE_MAX : r;
}

static inline size_t xe_pfvf_shim_size_mul(size_t a, size_t b)
{
	size_t r;

	return __builtin_mul_overflow(a, b, &r) ? SIZE_MAX : r;
}

#define size_add(a, b) xe_pfvf_shim_size_add((a), (b))
#define size_mul(a, b) xe_pfvf_shim_size_mul((a), (b))

/* Saturates at SIZE_MAX, so that the allocation fails, as in the kernel. */
#define struct_size(p, member, count) \
	xe_pfvf_shim_size_add(sizeof(*(p)), \
			      xe_pfvf_shim_size_mul(sizeof(*(p)->member), (count)))
#endif
