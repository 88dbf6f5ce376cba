/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_run_fd.c - squib-net run --guest-fd N: the guest's NIC is a datagram
 *		  socket that CMD gets as fd N, no namespace
 *
 * A VMM takes its NIC as a file descriptor: Virtualization.framework's
 * VZFileHandleNetworkDeviceAttachment (vfkit --device virtio-net,fd=N),
 * QEMU's -netdev dgram with local.type=fd. Each wants a SOCK_DGRAM socket
 * carrying one Ethernet frame per datagram. So: a socketpair, one end for
 * CMD as fd N (its only inherited fd besides 0, 1 and 2), the other relayed
 * to the interface by relay.c, as a namespace's TAP is. Nothing here needs
 * root or Linux: the guest does its own DHCP through the frames.
 *
 * Order of events: make the socketpair; start the interface (a failure
 * spawns nothing; in tap mode, address the backend TAP); catch the signals (relay_os.h), then fork CMD, so none
 * of them is missed; relay until CMD exits, forwarding SIGINT and SIGTERM;
 * stop the interface and exit with CMD's status (128 + N for a signal).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "relay_os.h"
#include "run.h"
#include "child.h"

/* Apple asks for SO_RCVBUF at least twice SO_SNDBUF, and SO_SNDBUF at least
 * one frame; macOS's unix datagram default (2 KiB) holds one small frame */
#define FD_SNDBUF (1 << 20)
#define FD_RCVBUF (4 << 20)

/**
 * fd_socket_setup() - close-on-exec and large buffers on one end
 * @fd:		the socket
 * @nonblock:	also make it non-blocking (the relay's end)
 *
 * Return: 0 or a negative errno
 */
static int fd_socket_setup(int fd, bool nonblock)
{
	int snd = FD_SNDBUF, rcv = FD_RCVBUF, fl;

	/* best effort: the kernel caps them (net.core.wmem_max on Linux) */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	if (!nonblock)
		return 0;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/**
 * fd_exec() - in the forked child: fd N, default signals, then CMD
 * @o:		options (the command, N)
 * @sock:	the command's end of the socketpair
 * @parent:	our pid, read before fork()
 */
static void fd_exec(const struct run_opts *o, int sock, pid_t parent)
	__attribute__((noreturn));
static void fd_exec(const struct run_opts *o, int sock, pid_t parent)
{
	static const int sigs[] = {SIGCHLD, SIGINT,  SIGTERM,
				   SIGHUP,  SIGQUIT, SIGPIPE};
	char msg[600];
	sigset_t none;
	size_t i;
	int n;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	sqn_child_die_with_parent(parent, 125);
	if (sock == o->guest_fd) {
		if (fcntl(sock, F_SETFD, 0) < 0)
			_exit(125);
	} else if (dup2(sock, o->guest_fd) < 0) {
		_exit(125);
	}
	sqn_child_close_from(3, o->guest_fd);
	execvp(o->argv[0], o->argv);
	n = snprintf(msg, sizeof(msg), "squib-net: run: cannot run '%s': %s\n",
		     o->argv[0], strerror(errno));
	if (n > 0)
		(void)!write(2, msg,
			     (size_t)n < sizeof(msg) ? (size_t)n
						     : sizeof(msg) - 1);
	_exit(errno == ENOENT ? 127 : 126);
}

/**
 * cmd_run_fd() - run CMD with the guest's NIC as its fd N, and relay it
 * @o:		parsed and checked options, @o->guest_fd set
 * @mac:	the guest's MAC, as the backend is told
 *
 * Return: CMD's exit status, or 125 when it could not be run
 */
int cmd_run_fd(const struct run_opts *o, const uint8_t mac[6])
{
	struct relay_sigq sq = {-1, -1};
	struct relay_guest g = {.dgram = true};
	struct sqn_iface *iface = NULL;
	long open_max = sysconf(_SC_OPEN_MAX);
	char err[512];
	sigset_t sigs;
	int sv[2], rc, status = 125;
	pid_t parent = getpid(), pid;

	if (open_max > 0 && o->guest_fd >= open_max) {
		fprintf(stderr,
			"squib-net: run: --guest-fd %d is not below this "
			"process's limit of %ld open files (ulimit -n)\n",
			o->guest_fd, open_max);
		return 125;
	}
	/* the interface and the relay must not die of a peer gone away */
	(void)signal(SIGPIPE, SIG_IGN);
	/* before any thread exists (the interface may start some, vmnet's
	 * dispatch queues do): a thread that has them unblocked would take
	 * SIGCHLD and drop it, or die of SIGTERM, instead of the relay's
	 * queue getting them; relay_sigq_open() takes them from here */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGCHLD);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0) {
		fprintf(stderr,
			"squib-net: run: socketpair(AF_UNIX, "
			"SOCK_DGRAM): %s\n",
			strerror(errno));
		return 125;
	}
	rc = fd_socket_setup(sv[0], true);
	if (!rc)
		rc = fd_socket_setup(sv[1], false);
	if (rc) {
		fprintf(stderr, "squib-net: run: the guest's socketpair: %s\n",
			strerror(-rc));
		goto out_close;
	}

	rc = run_iface_start(o, mac, &iface);
	if (rc)
		goto out_close;
	if (o->m.have_host_addr) {
		rc = relay_os_host_addr(o->m.tap, &o->m.host_addr, err,
					sizeof(err));
		if (rc) {
			fprintf(stderr, "squib-net: %s\n", err);
			goto out_iface;
		}
	}
	/* the guest's MAC is the VMM's own: the relay says it once the
	 * guest's first frame shows it (the backend's guest_mac is ours) */
	if (o->m.verbose)
		fprintf(stderr,
			"squib-net: run: %s gets the guest's NIC as fd %d "
			"(SOCK_DGRAM, one frame per datagram), %s mode, MTU "
			"%u\n",
			o->argv[0], o->guest_fd, sqn_mode_name(o->m.mode),
			sqn_iface_mtu(iface));

	rc = relay_sigq_open(&sq);
	if (rc) {
		fprintf(stderr, "squib-net: run: cannot catch signals: %s\n",
			strerror(-rc));
		goto out_iface;
	}
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		fprintf(stderr, "squib-net: run: fork: %s\n", strerror(-rc));
		goto out_sigq;
	}
	if (pid == 0)
		fd_exec(o, sv[1], parent);
	close(sv[1]);
	sv[1] = -1;

	g.fd = sv[0];
	g.pid = pid;
	g.sigq = &sq;
	g.say_mac = o->m.verbose > 0;
	rc = relay_run(iface, &g, &status);
	if (rc) {
		fprintf(stderr, "squib-net: run: cannot start the relay: %s\n",
			strerror(-rc));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		status = 125;
	} else if (o->m.stats) {
		run_print_stats(iface);
	}
out_sigq:
	relay_sigq_close(&sq);
out_iface:
	sqn_iface_free(iface);
out_close:
	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return status;
}
