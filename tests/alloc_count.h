/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alloc_count.h - count malloc and friends: the program that includes this
 *		   (once, in one file) interposes them for itself and every
 *		   library it loads; glibc's own entry points do the work
 *
 * t_alloc.c counts its own allocations; alloc_shim.c, an LD_PRELOAD
 * object, another program's.
 */
#ifndef SQN_ALLOC_COUNT_H
#define SQN_ALLOC_COUNT_H

#include <malloc.h>
#include <stddef.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

/* allocations so far */
static volatile unsigned long alloc_count;

void *malloc(size_t n)
{
	alloc_count++;
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	alloc_count++;
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	alloc_count++;
	return __libc_realloc(p, n);
}

int posix_memalign(void **p, size_t align, size_t n)
{
	alloc_count++;
	*p = __libc_memalign(align, n);
	return *p ? 0 : 12;
}

void *aligned_alloc(size_t align, size_t n)
{
	alloc_count++;
	return __libc_memalign(align, n);
}

void *memalign(size_t align, size_t n)
{
	alloc_count++;
	return __libc_memalign(align, n);
}

void free(void *p)
{
	__libc_free(p);
}

#endif /* SQN_ALLOC_COUNT_H */
