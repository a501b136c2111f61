/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _XE_PFVF_VFIO_UAPI_H_
#define _XE_PFVF_VFIO_UAPI_H_

#include <linux/types.h>
#include <linux/vfio.h>

/**
 * DOC: VFIO dma-buf export uAPI
 *
 * xe_pfvf_vfio_pci implements the ``VFIO_DEVICE_FEATURE_DMA_BUF`` device
 * feature of upstream VFIO (Linux 6.19) on kernels whose <linux/vfio.h>
 * predates it.  The definitions below are that ABI, used only when the
 * system header lacks it, so that this header can be included from
 * userspace and from the kernel alike.
 *
 * A VMM asks for a dma-buf with ``VFIO_DEVICE_FEATURE`` on the VFIO device
 * fd, ``flags`` = ``VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF``,
 * the &struct vfio_device_feature header followed by a
 * &struct vfio_device_feature_dma_buf and its ranges.  ``argsz`` must cover
 * the header, the struct and all ``nr_ranges`` ranges.  On success the
 * ioctl returns a new dma-buf file descriptor.
 *
 * As on upstream VFIO, the dma-buf is usable only while the device's
 * memory is: its importers are told to unmap, and cannot map, while the
 * memory is disabled, the device is in D3hot or in low power, or being
 * reset, and are told again once it is back.  Closing the device fd
 * revokes the dma-bufs for good.  An export succeeds whatever the state of
 * the memory.
 */

#ifndef VFIO_DEVICE_FEATURE_DMA_BUF

#define VFIO_DEVICE_FEATURE_DMA_BUF 11

/**
 * struct vfio_region_dma_range - a range of a VFIO region
 * @offset: offset in the region, in bytes
 * @length: length in bytes
 */
struct vfio_region_dma_range {
	__u64 offset;
	__u64 length;
};

/**
 * struct vfio_device_feature_dma_buf - VFIO_DEVICE_FEATURE_DMA_BUF argument
 * @region_index: the region (BAR index) the ranges are in
 * @open_flags: flags of the new dma-buf file: O_CLOEXEC and the O_ACCMODE
 *		bits, nothing else
 * @flags: must be 0
 * @nr_ranges: number of @dma_ranges, at least 1
 * @dma_ranges: the ranges, concatenated in this order into the dma-buf
 */
struct vfio_device_feature_dma_buf {
	__u32 region_index;
	__u32 open_flags;
	__u32 flags;
	__u32 nr_ranges;
	struct vfio_region_dma_range dma_ranges[];
};

#endif /* VFIO_DEVICE_FEATURE_DMA_BUF */

/**
 * XE_PFVF_VFIO_DMA_BUF_MAX_RANGES - most ranges one dma-buf may have
 *
 * A request with more ranges fails with E2BIG.
 */
#define XE_PFVF_VFIO_DMA_BUF_MAX_RANGES 4096

#endif /* _XE_PFVF_VFIO_UAPI_H_ */
