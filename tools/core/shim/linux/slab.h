/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim of the kernel allocators the core uses. */
#ifndef XE_PFVF_SHIM_LINUX_SLAB_H
#define XE_PFVF_SHIM_LINUX_SLAB_H
#include <stdint.h>
#include <stdlib.h>

#define GFP_KERNEL 0

/* Allocation failure injection for tests: fail the Nth allocation from now. */
extern long xe_pfvf_shim_fail_alloc_in;

static inline void *xe_pfvf_shim_alloc(size_t size, int zero)
{
	if (xe_pfvf_shim_fail_alloc_in > 0 && --xe_pfvf_shim_fail_alloc_in == 0)
		return NULL;
	if (size == SIZE_MAX)
		return NULL;
	return zero ? calloc(1, size ? size : 1) : malloc(size ? size : 1);
}

#define kvzalloc(size, gfp) xe_pfvf_shim_alloc((size), 1)
#define kzalloc(size, gfp) xe_pfvf_shim_alloc((size), 1)
#define kvmalloc_array(n, size, gfp) \
	(((size) && (n) > SIZE_MAX / (size)) ? NULL : xe_pfvf_shim_alloc((n) * (size), 0))
#define kvcalloc(n, size, gfp) \
	(((size) && (n) > SIZE_MAX / (size)) ? NULL : xe_pfvf_shim_alloc((n) * (size), 1))
#define kvfree(p) free((void *)(p))
#define kfree(p) free((void *)(p))
#endif
