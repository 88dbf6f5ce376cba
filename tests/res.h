/* SPDX-License-Identifier: Apache-2.0 */
/*
 * res.h - what a process holds, from /proc: fds, threads, children, memory
 *
 * For the reliability tests (start/stop cycles, floods, fault tests): take
 * a snapshot before and after and compare. Linux only (/proc); elsewhere
 * the counts read as -1 and the tests skip.
 */
#ifndef SQN_RES_H
#define SQN_RES_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/**
 * res_count_dir() - entries in a /proc directory, "." and ".." excluded
 * @path:	the directory
 *
 * Return: the count (an fd directory counts the fd that reads it: compare
 * counts taken the same way), or -1 if it cannot be read
 */
static inline int res_count_dir(const char *path)
{
	struct dirent *e;
	DIR *d = opendir(path);
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/**
 * res_fds() - open file descriptors of this process
 *
 * Return: the count, or -1
 */
static inline int res_fds(void)
{
	return res_count_dir("/proc/self/fd");
}

/**
 * res_threads() - threads of this process
 *
 * Return: the count, or -1
 */
static inline int res_threads(void)
{
	return res_count_dir("/proc/self/task");
}

/**
 * res_children() - processes whose parent is this one, zombies included
 *
 * Scans /proc/<pid>/stat rather than calling waitpid(), which would reap
 * (and so hide) a zombie the library left behind.
 *
 * Return: the count, or -1
 */
static inline int res_children(void)
{
	char path[300], buf[512], *p;
	struct dirent *e;
	pid_t self = getpid();
	DIR *d = opendir("/proc");
	int n = 0;
	long ppid;
	FILE *f;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue; /* gone meanwhile */
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		/* after "pid (comm)": " state ppid ..." */
		if (p && sscanf(p + 1, " %*c %ld", &ppid) == 1 && ppid == self)
			n++;
	}
	closedir(d);
	return n;
}

/**
 * res_status_kib() - a "Vm...:  N kB" line of /proc/self/status
 * @key:	e.g. "VmRSS:" or "VmHWM:"
 *
 * Return: the value in KiB, or -1
 */
static inline long res_status_kib(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	size_t klen = strlen(key);
	char line[256];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen)) {
			v = strtol(line + klen, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/**
 * res_reset_peak() - make VmHWM (peak RSS) start again from the current RSS
 *
 * Return: true if the kernel took it (Linux 4.0+: "5" > clear_refs)
 */
static inline bool res_reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	bool ok;

	if (!f)
		return false;
	ok = fputs("5", f) >= 0;
	return fclose(f) == 0 && ok;
}

/**
 * res_memory_checker() - whether a memory checker changes this process's
 *			  memory picture
 *
 * AddressSanitizer keeps freed memory in quarantine and valgrind does the
 * same; RSS bounds mean nothing under them (they check leaks themselves).
 *
 * Return: its name, or NULL when running plain
 */
static inline const char *res_memory_checker(void)
{
	const char *pre = getenv("LD_PRELOAD");

	if (pre && strstr(pre, "vgpreload"))
		return "valgrind";
#if defined(__SANITIZE_ADDRESS__)
	return "AddressSanitizer";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	return "AddressSanitizer";
#endif
#endif
	return NULL;
}

/**
 * struct res_snap - what a process holds at one moment
 * @fds:	open fds
 * @threads:	threads
 * @children:	child processes, zombies included
 * @rss_kib:	resident memory
 */
struct res_snap {
	int fds;
	int threads;
	int children;
	long rss_kib;
};

/**
 * res_snap_take() - fill a snapshot
 * @s:	the snapshot
 */
static inline void res_snap_take(struct res_snap *s)
{
	s->fds = res_fds();
	s->threads = res_threads();
	s->children = res_children();
	s->rss_kib = res_status_kib("VmRSS:");
}

#endif /* SQN_RES_H */
