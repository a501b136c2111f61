/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _LINUX_XE_PFVF_COMPAT_H_
#define _LINUX_XE_PFVF_COMPAT_H_

#include <linux/export.h>
#include <linux/module.h>

/*
 * Symbol namespaces take a bare identifier up to 6.12 and a string literal
 * from 6.13 on; Kbuild defines XE_PFVF_NS_IS_STRING on the latter.  Use
 * EXPORT_SYMBOL_NS_GPL(sym, XE_PFVF_NS) and MODULE_IMPORT_NS(XE_PFVF_NS);
 * dma-buf users MODULE_IMPORT_NS(XE_PFVF_DMA_BUF_NS).
 */
#ifdef XE_PFVF_NS_IS_STRING
#define XE_PFVF_NS "XE_PFVF"
#define XE_PFVF_DMA_BUF_NS "DMA_BUF"
#else
#define XE_PFVF_NS XE_PFVF
#define XE_PFVF_DMA_BUF_NS DMA_BUF
#endif

#endif /* _LINUX_XE_PFVF_COMPAT_H_ */
