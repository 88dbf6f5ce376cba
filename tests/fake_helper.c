/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fake_helper.c - a protocol-faithful stand-in for gvproxy and passt
 *
 * Like gvproxy with `-listen-stdio accept` (u16-LE frames on stdin and
 * stdout), or like passt with `--fd N` (u32-BE frames on fd N), by argv.
 * It echoes every frame back. Extra arguments make it misbehave on command:
 *   --fake=len0|len13|len70000	answer the first frame with that length
 *   --fake=midframe		answer the first frame with half a frame, exit
 *   --fake=exit=K		echo K frames, then exit with status 3 (K = 0:
 *				at once, before reading anything)
 *   --fake=crash		die of SIGABRT on the first frame
 *   --fake=say=N		write N lines on stderr at start ("fake_helper:
 *				line K of N"), before its "ready" line
 *   --fake=flood=N		send N 100-byte frames at start, then echo
 *   --fake=floodbytes=N		send frames of 1514 bytes (sequence number
 *				at byte 14) until N bytes are sent, as fast
 *				as the socket takes them, then only read
 *				(and discard) until EOF
 *   --fake=report=PATH		after a floodbytes flood: write "frames
 *				bytes" to PATH (atomically, by rename); after
 *				passtreads: "frames hdrcuts pieces"
 *   --fake=passtreads		read frames as passt 2023-03 does, until none
 *				came for a second
 *				(tap_handler_passt(): one recv() of all there
 *				is, then a blocking recv() for the rest of a
 *				frame cut short) and count the reads that end
 *				inside a length header (hdrcuts) and the rests
 *				that came in more than one piece (pieces);
 *				both break passt's framing (here the rest is
 *				read on, so counting goes on)
 *   --fake=pidfile=PATH		write its pid to PATH
 *   --fake=startlog=PATH	append "PID MS" to PATH at start (MS: its
 *				CLOCK_MONOTONIC time in milliseconds)
 *   --fake=linger		ignore end of file and a broken socket: keep
 *				running (only a signal ends it), as a helper
 *				that does not notice its caller died would
 *   --fake=fds			write its open fds, environment size,
 *				session, no-new-privileges, process group and
 *				controlling terminal on stderr ("fds: 0 1 2
 *				env: 2 sid: 1 nnp: 1 pgrp: 1 tty: 0"; tty: 1
 *				when /dev/tty opens)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static uint8_t buf[70000 + 8];

static int full_read(int fd, void *p, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, (uint8_t *)p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int full_write(int fd, const void *p, size_t n)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = write(fd, (const uint8_t *)p + done, n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

static int u16;
static int linger;

/**
 * linger_forever() - in --fake=linger, what EOF or a broken socket leads to
 *
 * Return: 0 (the exit status) when not lingering; else never returns
 */
static int linger_forever(void)
{
	if (!linger)
		return 0;
	for (;;)
		pause();
}

static size_t put_hdr(uint8_t *h, uint32_t len)
{
	if (u16) {
		h[0] = (uint8_t)len;
		h[1] = (uint8_t)(len >> 8);
		return 2;
	}
	h[0] = (uint8_t)(len >> 24);
	h[1] = (uint8_t)(len >> 16);
	h[2] = (uint8_t)(len >> 8);
	h[3] = (uint8_t)len;
	return 4;
}

/**
 * no_new_privs() - the NoNewPrivs field of /proc/self/status
 *
 * Return: 0 or 1, or -1 if it cannot be read
 */
static int no_new_privs(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int v = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "NoNewPrivs:", 11))
			v = atoi(line + 11);
	if (f)
		fclose(f);
	return v;
}

static void report_fds(void)
{
	char line[512];
	size_t off = 0;
	DIR *d;
	struct dirent *e;
	int n = 0, dfd, tty;

	/* before the listing, so that its fd is closed again */
	tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty >= 0)
		close(tty);
	d = opendir("/proc/self/fd");
	dfd = d ? dirfd(d) : -1;

	off += (size_t)snprintf(line, sizeof(line), "fds:");
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == dfd)
			continue;
		off += (size_t)snprintf(line + off, sizeof(line) - off, " %s",
					e->d_name);
	}
	if (d)
		closedir(d);
	while (environ[n])
		n++;
	snprintf(line + off, sizeof(line) - off,
		 " env: %d sid: %d nnp: %d pgrp: %d tty: %d\n", n,
		 getsid(0) == getpid(), no_new_privs(), getpgid(0) == getpid(),
		 tty >= 0);
	full_write(2, line, strlen(line));
}

/**
 * write_report() - write a report file atomically (a temporary, renamed)
 * @report:	its path
 * @fmt:	printf format of its line, then its arguments
 *
 * Return: 0, or -1 when it could not be written
 */
static int write_report(const char *report, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int write_report(const char *report, const char *fmt, ...)
{
	char tmp[4200];
	va_list ap;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", report);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	return fclose(f) || rename(tmp, report) ? -1 : 0;
}

/**
 * flood_then_sink() - send 1514-byte frames until @bytes are sent, report
 *		       the count, then discard what arrives until EOF
 * @in:		fd to read
 * @out:	fd to write
 * @bytes:	how much to send
 * @report:	file to write "frames bytes" to, or NULL
 *
 * Return: the exit status
 */
static int flood_then_sink(int in, int out, unsigned long long bytes,
			   const char *report)
{
	unsigned long long sent = 0, seq = 0;
	size_t hl;

	memset(buf, 0, sizeof(buf));
	while (sent < bytes) {
		hl = put_hdr(buf, 1514);
		memset(buf + hl, 0xff, 6); /* broadcast destination */
		memcpy(buf + hl + 14, &seq, sizeof(seq));
		if (full_write(out, buf, hl + 1514))
			return 1;
		seq++;
		sent += 1514;
	}
	if (report && write_report(report, "%llu %llu\n", seq, sent))
		return 1;
	while (read(in, buf, sizeof(buf)) > 0)
		;
	return 0;
}

/**
 * passt_reads() - read frames the way passt 2023-03 reads its socket,
 *		   counting what would break its framing, until none comes
 *		   for a second
 * @fd:		the socket
 * @report:	file for "frames hdrcuts pieces", or NULL
 *
 * Return: the exit status
 */
static int passt_reads(int fd, const char *report)
{
	static uint8_t rb[8 << 20];
	unsigned long got = 0, hdrcuts = 0, pieces = 0;
	size_t n, off;
	ssize_t r;
	uint32_t len;

	for (;;) {
		struct timespec t0, t1;
		unsigned spins = 0;

		/* spin, as a busy passt would, to read what is there as soon
		 * as it is queued; a second with nothing ends the reading */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while ((r = recv(fd, rb, sizeof(rb), MSG_DONTWAIT)) < 0 &&
		       errno == EAGAIN) {
			if (++spins % 1024)
				continue;
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if (t1.tv_sec - t0.tv_sec >= 2)
				break;
		}
		if (r <= 0)
			break;
		n = (size_t)r;
		off = 0;
		while (n - off > 0) {
			if (n - off <= 4) { /* passt drops these bytes */
				hdrcuts++;
				if (full_read(fd, rb + n, 4 - (n - off)))
					return 1;
				n = off + 4;
			}
			len = (uint32_t)rb[off] << 24 |
			      (uint32_t)rb[off + 1] << 16 |
			      (uint32_t)rb[off + 2] << 8 | rb[off + 3];
			if (len > 70000)
				return 1;
			if (n - off - 4 < len) { /* one blocking recv, then */
				r = recv(fd, rb + n, len - (n - off - 4), 0);
				if (r <= 0)
					return 1;
				if ((size_t)r < len - (n - off - 4)) {
					pieces++;
					if (full_read(fd, rb + n + r,
						      len - (n - off - 4) -
							      (size_t)r))
						return 1;
				}
				n = off + 4 + len;
			}
			off += 4 + len;
			got++;
		}
	}
	if (report &&
	    write_report(report, "%lu %lu %lu\n", got, hdrcuts, pieces))
		return 1;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = "echo";
	int in = -1, out = -1, i, k = -1, flood = 0, say = 0;
	unsigned long long flood_bytes = 0;
	int passtreads = 0;
	const char *report = NULL;
	struct rlimit nocore = {0, 0};
	uint32_t len, frames = 0;
	uint8_t h[4];

	setrlimit(RLIMIT_CORE, &nocore);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-listen-stdio")) {
			in = 0;
			out = 1;
			u16 = 1;
		} else if (!strcmp(argv[i], "--fd") && i + 1 < argc) {
			in = out = atoi(argv[++i]);
		} else if (!strncmp(argv[i], "--fake=exit=", 12)) {
			k = atoi(argv[i] + 12);
		} else if (!strncmp(argv[i], "--fake=say=", 11)) {
			say = atoi(argv[i] + 11);
		} else if (!strncmp(argv[i], "--fake=flood=", 13)) {
			flood = atoi(argv[i] + 13);
		} else if (!strncmp(argv[i], "--fake=floodbytes=", 18)) {
			flood_bytes = strtoull(argv[i] + 18, NULL, 10);
		} else if (!strcmp(argv[i], "--fake=passtreads")) {
			passtreads = 1;
		} else if (!strncmp(argv[i], "--fake=report=", 14)) {
			report = argv[i] + 14;
		} else if (!strncmp(argv[i], "--fake=pidfile=", 15)) {
			FILE *f = fopen(argv[i] + 15, "w");

			if (f) {
				fprintf(f, "%d\n", (int)getpid());
				fclose(f);
			}
		} else if (!strncmp(argv[i], "--fake=startlog=", 16)) {
			struct timespec ts;
			FILE *f = fopen(argv[i] + 16, "a");

			clock_gettime(CLOCK_MONOTONIC, &ts);
			if (f) {
				fprintf(f, "%d %lld\n", (int)getpid(),
					(long long)ts.tv_sec * 1000 +
						ts.tv_nsec / 1000000);
				fclose(f);
			}
		} else if (!strcmp(argv[i], "--fake=linger")) {
			linger = 1;
			signal(SIGPIPE, SIG_IGN);
		} else if (!strcmp(argv[i], "--fake=fds")) {
			report_fds();
		} else if (!strncmp(argv[i], "--fake=", 7)) {
			mode = argv[i] + 7;
		}
	}
	if (in < 0) {
		fprintf(stderr, "fake_helper: need -listen-stdio or --fd N\n");
		return 2;
	}
	for (i = 1; i <= say; i++)
		fprintf(stderr, "fake_helper: line %d of %d\n", i, say);
	fprintf(stderr, "fake_helper: ready, %s framing, mode %s\n",
		u16 ? "u16-LE" : "u32-BE", mode);
	if (k == 0)
		return 3;
	for (i = 0; i < flood; i++) {
		size_t hl = put_hdr(buf, 100);

		memset(buf + hl, 0, 100);
		memcpy(buf + hl + 14, &i, sizeof(i));
		if (full_write(out, buf, hl + 100))
			return 1;
	}
	if (flood_bytes)
		return flood_then_sink(in, out, flood_bytes, report);
	if (passtreads)
		return passt_reads(in, report);
	for (;;) {
		size_t hl = u16 ? 2 : 4;

		if (full_read(in, h, hl))
			return linger_forever(); /* EOF: the client went away */
		len = u16 ? (uint32_t)h[0] | (uint32_t)h[1] << 8
			  : (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
				      (uint32_t)h[2] << 8 | h[3];
		if (len > 70000 || full_read(in, buf + hl, len))
			return 1;
		frames++;
		if (!strcmp(mode, "crash"))
			raise(SIGABRT); /* not SEGV: ASan would catch that */
		if (!strncmp(mode, "len", 3)) {
			uint32_t bad = (uint32_t)atoi(mode + 3);

			hl = put_hdr(buf, bad);
			full_write(out, buf, hl);
			memset(buf, 0, 64);
			full_write(out, buf, 64);
			pause();
			return 0;
		}
		if (!strcmp(mode, "midframe")) {
			hl = put_hdr(buf, len);
			full_write(out, buf, hl + len / 2);
			return 0;
		}
		put_hdr(buf, len);
		if (full_write(out, buf, hl + len))
			return linger ? linger_forever() : 1;
		if (k >= 0 && frames >= (uint32_t)k)
			return 3;
	}
}
