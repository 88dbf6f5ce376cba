/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alloc_shim.c - LD_PRELOAD: count a process's heap allocations and write
 *		  the count, at exit, to the file $SQN_ALLOC_COUNT names
 *
 * malloc and friends are counted (alloc_count.h, as t_alloc.c counts its
 * own); t_serve_alloc.sh compares the counts of two runs of squib-net
 * serve that differ only in how many frames they carried.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc_count.h"

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
	n = snprintf(buf, sizeof(buf), "%lu\n", atomic_load(&alloc_count));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	if (n > 0)
		(void)!write(fd, buf, (size_t)n);
	close(fd);
}
