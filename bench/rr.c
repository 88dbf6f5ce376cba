/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rr.c - TCP request/response latency, a benchmark tool
 *
 * Theory of operation: the client connects, says how large a message is
 * (4 bytes, big-endian), then sends a message and waits for the server to
 * send one of the same size back, again and again; the time of each round
 * trip (CLOCK_MONOTONIC around the write and the full read) is kept, and
 * the median, 99th percentile, minimum, mean and maximum are printed as one
 * JSON object (with -a, every round trip too, in microseconds, for a caller
 * that pools several runs). TCP_NODELAY on both ends, so every message is
 * one segment each way (up to the MSS) and no Nagle or delayed-ACK timer is
 * measured.
 * The server serves one connection at a time, forever. Like netperf's
 * TCP_RR, with nothing to install.
 *
 * Usage: rr -s [-B ADDR] -p PORT
 *	  rr -c ADDR -p PORT [-m BYTES] [-n ROUNDS] [-w WARMUP] [-a]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "sockio.h"

#define MSG_MAX (1u << 20)
#define ROUNDS_MAX 1000000

/**
 * tune() - TCP_NODELAY and a 10 s receive timeout
 * @fd:	the socket
 */
static void tune(int fd)
{
	struct timeval tv = {.tv_sec = 10};

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/**
 * serve() - echo messages of the announced size, one connection at a time
 * @a:	where to listen
 *
 * Return: 1 when the socket cannot listen (else it never returns)
 */
static int serve(const struct sockaddr_in *a)
{
	static uint8_t buf[MSG_MAX];
	int l = socket(AF_INET, SOCK_STREAM, 0), c;
	uint8_t h[4];
	uint32_t size;

	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int));
	if (l < 0 || bind(l, (const struct sockaddr *)a, sizeof(*a)) ||
	    listen(l, 16)) {
		perror("rr: listen");
		return 1;
	}
	for (;;) {
		c = accept(l, NULL, NULL);
		if (c < 0)
			continue;
		tune(c);
		if (!full_io(c, h, 4, 0)) {
			size = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
			       (uint32_t)h[2] << 8 | h[3];
			while (size && size <= MSG_MAX &&
			       !full_io(c, buf, size, 0) &&
			       !full_io(c, buf, size, 1))
				;
		}
		close(c);
	}
}

/**
 * cmp_u64() - qsort order of two u64
 * @a:	one
 * @b:	the other
 *
 * Return: <0, 0, >0
 */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/**
 * now_ns() - CLOCK_MONOTONIC in nanoseconds
 *
 * Return: the time
 */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/**
 * client() - measure @rounds round trips of @size bytes after @warm
 * @a:		the server
 * @size:	bytes per message
 * @rounds:	round trips measured
 * @warm:	round trips first, not measured
 * @all:	print every round trip too ("samples_us", in the order made)
 *
 * Return: 0, or 1 with a message on stderr
 */
static int client(const struct sockaddr_in *a, uint32_t size, unsigned rounds,
		  unsigned warm, int all)
{
	static uint8_t buf[MSG_MAX];
	uint64_t *t = calloc(rounds, sizeof(*t)), t0, sum = 0;
	uint8_t h[4] = {(uint8_t)(size >> 24), (uint8_t)(size >> 16),
			(uint8_t)(size >> 8), (uint8_t)size};
	int s = socket(AF_INET, SOCK_STREAM, 0);
	unsigned i = 0;

	if (!t || s < 0 || connect(s, (const struct sockaddr *)a, sizeof(*a))) {
		perror("rr: connect");
		return 1;
	}
	tune(s);
	memset(buf, 'x', size);
	if (full_io(s, h, 4, 1))
		goto fail;
	for (i = 0; i < warm + rounds; i++) {
		t0 = now_ns();
		if (full_io(s, buf, size, 1) || full_io(s, buf, size, 0))
			goto fail;
		if (i >= warm)
			t[i - warm] = now_ns() - t0;
	}
	close(s);
	printf("{");
	for (i = 0; all && i < rounds; i++)
		printf("%s%.2f", i ? ", " : "\"samples_us\": [", t[i] / 1e3);
	if (all)
		printf("], ");
	for (i = 0; i < rounds; i++)
		sum += t[i];
	qsort(t, rounds, sizeof(*t), cmp_u64);
	printf("\"size\": %u, \"rounds\": %u, \"median_us\": %.2f, "
	       "\"p99_us\": %.2f, \"min_us\": %.2f, \"mean_us\": %.2f, "
	       "\"max_us\": %.2f}\n",
	       size, rounds, t[rounds / 2] / 1e3,
	       t[(rounds * 99 + 99) / 100 - 1] / 1e3, t[0] / 1e3,
	       (double)sum / rounds / 1e3, t[rounds - 1] / 1e3);
	free(t);
	return 0;
fail:
	fprintf(stderr, "rr: round trip %u of %u: %s\n", i + 1, warm + rounds,
		errno ? strerror(errno) : "connection closed");
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	unsigned rounds = 5000, warm = 200;
	uint32_t size = 1;
	const char *host = NULL;
	int opt, server = 0, all = 0;

	while ((opt = getopt(argc, argv, "sB:c:p:m:n:w:a")) != -1) {
		switch (opt) {
		case 's':
			server = 1;
			break;
		case 'a':
			all = 1;
			break;
		case 'B':
		case 'c':
			host = optarg;
			break;
		case 'p':
			a.sin_port = htons((uint16_t)atoi(optarg));
			break;
		case 'm':
			size = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'n':
			rounds = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'w':
			warm = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			goto usage;
		}
	}
	if (!a.sin_port || size < 1 || size > MSG_MAX || rounds < 1 ||
	    rounds > ROUNDS_MAX || (!server && !host))
		goto usage;
	if (host && inet_pton(AF_INET, host, &a.sin_addr) != 1)
		goto usage;
	return server ? serve(&a) : client(&a, size, rounds, warm, all);
usage:
	fprintf(stderr, "usage: rr -s [-B ADDR] -p PORT\n"
			"       rr -c ADDR -p PORT [-m BYTES] [-n ROUNDS] "
			"[-w WARMUP] [-a]\n");
	return 2;
}
