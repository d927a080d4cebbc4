/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF programs take every kernel type from vmlinux.h; the uapi headers
 * of include/toa/ (shared with userspace) include <linux/types.h>, which
 * would define them a second time. This empty stand-in is first on the
 * include path of the BPF build only.
 */
#ifndef _TOA_BPF_LINUX_TYPES_H
#define _TOA_BPF_LINUX_TYPES_H
#endif
