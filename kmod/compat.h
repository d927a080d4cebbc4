/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels toa.ko supports lives here, so the
 * rest of the module is written against one API. Supported and tested:
 * Debian 12's 6.1 and 6.12 kernels.
 */
#ifndef _TOA_KMOD_COMPAT_H
#define _TOA_KMOD_COMPAT_H

#include <linux/version.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>

/*
 * Function arguments seen from a kprobe. Reading them from pt_regs instead
 * of declaring the probed function's prototype is what keeps the module
 * building when a stable kernel adds an argument (Debian's 6.1.0-56 gave
 * syn_recv_sock a seventh one): we only ever read the first few.
 */
#define toa_kprobe_arg(regs, n)	regs_get_kernel_argument((regs), (n))

#endif /* _TOA_KMOD_COMPAT_H */
