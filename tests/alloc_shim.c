/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alloc_shim.c - LD_PRELOAD: count a process's heap allocations and write
 *		  the count, at exit, to the file $SQN_ALLOC_COUNT names
 *
 * malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign are
 * counted and passed to glibc's own entry points (as t_alloc.c does for
 * itself); t_serve_alloc.sh compares the counts of two runs of squib-net
 * serve that differ only in how many frames they carried.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
void *memalign(size_t align, size_t n);

static volatile unsigned long shim_allocs;

void *malloc(size_t n)
{
	shim_allocs++;
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	shim_allocs++;
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	shim_allocs++;
	return __libc_realloc(p, n);
}

int posix_memalign(void **p, size_t align, size_t n)
{
	shim_allocs++;
	*p = __libc_memalign(align, n);
	return *p ? 0 : 12;
}

void *aligned_alloc(size_t align, size_t n)
{
	shim_allocs++;
	return __libc_memalign(align, n);
}

void *memalign(size_t align, size_t n)
{
	shim_allocs++;
	return __libc_memalign(align, n);
}

/**
 * shim_report() - write the count to $SQN_ALLOC_COUNT (no allocation)
 */
__attribute__((destructor)) static void shim_report(void)
{
	const char *path = getenv("SQN_ALLOC_COUNT");
	char buf[32];
	int fd, n;

	if (!path)
		return;
	n = snprintf(buf, sizeof(buf), "%lu\n", shim_allocs);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	if (n > 0)
		(void)!write(fd, buf, (size_t)n);
	close(fd);
}
