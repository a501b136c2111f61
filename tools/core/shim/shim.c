// SPDX-License-Identifier: GPL-2.0-only
/* State of the userspace shim. */
#include <linux/slab.h>

long xe_pfvf_shim_fail_alloc_in;
