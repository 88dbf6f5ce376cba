/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alloc_count.h - count heap allocations of the whole program (this
 *		   program's and the library's): malloc, calloc, realloc and
 *		   posix_memalign are interposed and counted in
 *		   alloc_count, then passed to glibc
 *
 * Include it in one file of a program only (it defines the functions):
 * tests/t_alloc.c, tests/alloc_shim.c (an LD_PRELOAD object that counts
 * squib-net serve's), bench/microbench.c, bench/policybench.c. glibc only
 * (__libc_malloc and friends), never with the sanitizers or valgrind,
 * which own malloc (tests/meson.build, bench/meson.build).
 */
#ifndef SQN_ALLOC_COUNT_H
#define SQN_ALLOC_COUNT_H

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static _Atomic unsigned long alloc_count;

void *malloc(size_t n)
{
	atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed);
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed);
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed);
	return __libc_realloc(p, n);
}

int posix_memalign(void **p, size_t align, size_t n)
{
	atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed);
	*p = __libc_memalign(align, n);
	return *p ? 0 : ENOMEM;
}

void free(void *p)
{
	__libc_free(p);
}

#endif /* SQN_ALLOC_COUNT_H */
