/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim of the kernel headers the xe_pfvf core uses, so that the
 * very same core sources build into host tests, fuzzers and benchmarks
 * (the approach of the kernel's own tools/include).  Only what the core
 * needs, with the kernel's semantics.
 */
#ifndef XE_PFVF_SHIM_LINUX_TYPES_H
#define XE_PFVF_SHIM_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef int32_t s32;

typedef int (*cmp_func_t)(const void *a, const void *b);
typedef void (*swap_func_t)(void *a, void *b, int size);

#endif
