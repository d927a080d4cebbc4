/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels toa.ko supports lives here, so the
 * rest of the module is written against one API. Supported and tested:
 * Debian 12's 6.1 and 6.12 kernels.
 */
#ifndef _TOA_KMOD_COMPAT_H
#define _TOA_KMOD_COMPAT_H

#include <linux/version.h>
#include <linux/ftrace.h>
#include <linux/ptrace.h>

/*
 * Function arguments seen from an ftrace callback. Reading them from the
 * saved argument registers instead of declaring the traced function's
 * prototype is what keeps the module building when a stable kernel adds
 * an argument (Debian's 6.1.0-56 gave syn_recv_sock a seventh one): we
 * only ever read the first few. 6.1 has no accessor yet; its
 * struct ftrace_regs is a struct pt_regs.
 */
#ifdef ftrace_regs_get_argument
#define toa_ftrace_arg(fregs, n)	ftrace_regs_get_argument((fregs), (n))
#else
#define toa_ftrace_arg(fregs, n)	regs_get_kernel_argument(&(fregs)->regs, (n))
#endif

#endif /* _TOA_KMOD_COMPAT_H */
