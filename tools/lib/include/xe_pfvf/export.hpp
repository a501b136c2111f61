#pragma once

// XE_PFVF_API marks what libxe-pfvf exports; everything else in the shared
// library is hidden (built with -fvisibility=hidden).

#if defined(__GNUC__) || defined(__clang__)
#define XE_PFVF_API __attribute__((visibility("default")))
#else
#define XE_PFVF_API
#endif
