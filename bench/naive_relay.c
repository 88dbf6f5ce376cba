/* SPDX-License-Identifier: Apache-2.0 */
/*
 * naive_relay.c - the simplest TAP <-> passt --fd relay, a benchmark anchor
 *
 * Theory of operation: what a VMM author would write first, and what
 * squib-net's helper and socket paths must beat. passt runs on one end of a
 * socketpair (fd 3 in the child, u32-BE length before every frame); the
 * other end and a TAP in the namespace given are relayed by one blocking
 * thread per direction, one frame per system call: TAP -> passt is one
 * read() and one write() of header and frame; passt -> TAP is a read of the
 * 4-byte length, a read of the frame and one write(). Default socket
 * buffers, no polling, no batching, no queue. The TAP is left for the
 * caller to configure (address, MTU, route); the relay ends when passt
 * exits or on SIGTERM/SIGINT.
 *
 * Usage: naive-relay NETNS_PATH TAPNAME -- PASST [ARG...]
 *	  (PASST gets "--fd 3" prepended to its arguments)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/if_tun.h>

#include "sockio.h"

#define FRAME_MAX 65536

static int tap = -1, sock = -1;

/**
 * to_passt() - TAP -> passt: read a frame, write length and frame
 * @arg:	unused
 *
 * Return: NULL
 */
static void *to_passt(void *arg)
{
	static uint8_t buf[4 + FRAME_MAX];
	ssize_t n;

	(void)arg;
	for (;;) {
		n = read(tap, buf + 4, FRAME_MAX);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf[0] = (uint8_t)(n >> 24);
		buf[1] = (uint8_t)(n >> 16);
		buf[2] = (uint8_t)(n >> 8);
		buf[3] = (uint8_t)n;
		if (full_io(sock, buf, 4 + (size_t)n, 1))
			break;
	}
	return NULL;
}

/**
 * to_tap() - passt -> TAP: read length and frame, write the frame
 * @arg:	unused
 *
 * Return: NULL
 */
static void *to_tap(void *arg)
{
	static uint8_t buf[FRAME_MAX];
	uint8_t h[4];
	uint32_t len;

	(void)arg;
	for (;;) {
		if (full_io(sock, h, 4, 0))
			break;
		len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
		      (uint32_t)h[2] << 8 | h[3];
		if (len > FRAME_MAX || full_io(sock, buf, len, 0))
			break;
		while (write(tap, buf, len) < 0 && errno == EINTR)
			;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
	char *pargv[64];
	pthread_t a, b;
	sigset_t set;
	int sv[2], ns, i, sig;
	pid_t pid;

	if (argc < 5 || strcmp(argv[3], "--") || argc - 4 > 60) {
		fprintf(stderr, "usage: naive-relay NETNS_PATH TAPNAME -- "
				"PASST [ARG...]\n");
		return 2;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		perror("naive-relay: socketpair");
		return 1;
	}
	pargv[0] = argv[4];
	pargv[1] = "--fd";
	pargv[2] = "3";
	for (i = 5; i < argc; i++)
		pargv[i - 2] = argv[i];
	pargv[argc - 2] = NULL;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pid = fork();
	if (pid == 0) {
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		if (dup2(sv[1], 3) < 0)
			_exit(127);
		execvp(pargv[0], pargv);
		_exit(127);
	}
	close(sv[1]);
	sock = sv[0];
	if (pid < 0) {
		perror("naive-relay: fork");
		return 1;
	}

	ns = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (ns < 0 || setns(ns, CLONE_NEWNET)) {
		perror("naive-relay: setns");
		kill(pid, SIGKILL);
		return 1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[2]);
	tap = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (tap < 0 || ioctl(tap, TUNSETIFF, &ifr)) {
		perror("naive-relay: TAP");
		kill(pid, SIGKILL);
		return 1;
	}

	if (pthread_create(&a, NULL, to_passt, NULL) ||
	    pthread_create(&b, NULL, to_tap, NULL)) {
		kill(pid, SIGKILL);
		return 1;
	}
	fprintf(stderr, "naive-relay: %s up, passt pid %d\n", argv[2],
		(int)pid);
	do
		sigwait(&set, &sig);
	while (sig == SIGCHLD && waitpid(pid, NULL, WNOHANG) == 0);
	if (sig != SIGCHLD) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	return 0;
}
