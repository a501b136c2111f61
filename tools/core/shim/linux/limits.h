/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim of <linux/limits.h>. */
#ifndef XE_PFVF_SHIM_LINUX_LIMITS_H
#define XE_PFVF_SHIM_LINUX_LIMITS_H
#include <stdint.h>
#define U64_MAX UINT64_MAX
#define U32_MAX UINT32_MAX
#define U16_MAX UINT16_MAX
#endif
