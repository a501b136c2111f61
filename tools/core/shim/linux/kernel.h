/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim of <linux/kernel.h>. */
#ifndef XE_PFVF_SHIM_LINUX_KERNEL_H
#define XE_PFVF_SHIM_LINUX_KERNEL_H
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/types.h>
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
