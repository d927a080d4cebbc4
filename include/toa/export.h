/* SPDX-License-Identifier: MIT */
/*
 * toa/export.h - TOA_API marks what libtoa.so exports. The library is
 * built with -fvisibility=hidden, so everything else (its internals, the
 * C++ helpers behind the C ABI) stays inside it and can change freely;
 * libtoa.map then gives each exported symbol its version (TOA_0).
 * Applications see plain declarations: the attribute only matters while
 * the library itself is compiled.
 */
#ifndef TOA_EXPORT_H
#define TOA_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define TOA_API __attribute__((visibility("default")))
/* a member of an exported class that is no part of the ABI */
#define TOA_LOCAL __attribute__((visibility("hidden")))
#else
#define TOA_API
#define TOA_LOCAL
#endif

#endif /* TOA_EXPORT_H */
