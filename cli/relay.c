/* SPDX-License-Identifier: Apache-2.0 */
/*
 * relay.c - squib-net run's relay: the guest's NIC <-> the interface,
 *	     through the public API only, as a VMM's virtio-net device would
 *
 * Theory of operation: two threads, as a VMM has. The TX thread reads
 * batches of up to SQN_BATCH frames from the guest's side (what the "guest"
 * sent) and hands each batch to sqn_iface_write(). The main thread polls the
 * interface's one readiness fd with the interface's timeout, drains
 * sqn_iface_read() in batches into the guest's side, and watches a signal
 * queue (relay_os.h) for the command's exit and for SIGINT/SIGTERM/SIGHUP,
 * which it forwards to the command. Buffers are allocated once; the loops
 * allocate nothing.
 *
 * The guest's side is one fd that carries one frame per read and per write:
 * the namespace's TAP (with a virtio-net header when offloads are on), or,
 * with --guest-fd, a SOCK_DGRAM socket whose peer is the command's (one
 * frame per datagram, no header; cmd_run_fd.c gives both ends MiB buffers).
 * Either way a guest side that is full drops the frame and counts it, as a
 * NIC's full ring would; a datagram peer that has closed (the command
 * exited) is no drop.
 *
 * A tx rate limit (--tx-rate, or set through the control socket) makes
 * sqn_iface_write() take fewer frames than offered: the rest stay in the
 * TX batch (as in a VMM's virtqueue) and the guest's side is not read
 * until the interface took them; the TX path sleeps on sqn_iface_tx_fd()
 * (and sqn_iface_tx_wait_ms() as its timeout) and retries when told, so
 * the namespace's kernel queues back up instead of the relay dropping or
 * spinning.
 *
 * In a mode that serialises both directions on one lock (slirp's:
 * SQN_MODE_ONE_LOCK) one thread does both: a TX thread buys no
 * parallelism, only a wake-up and a lock hand-off per guest ACK. The main loop also polls the TAP, moves what the
 * guest sent first (its ACKs free libslirp's socket buffers) and then reads,
 * so one poll covers a whole round trip, as in slirp4netns.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "relay_os.h"
#include "run.h"
#include "vnet.h"
#include "waker.h"

#define RELAY_BUF (SQN_FRAME_MAX + 64)
#define KILL_GRACE_MS 5000
#define LINGER_QUIET_MS 300
#define LINGER_MAX_MS 3000
/* how long after a frame went to the interface the RX loop polls instead
 * of sleeping (see relay_wait_rx()) */
#define RELAY_ANSWER_NS 150000LL
/* a sched_yield() that took longer let another task run: the CPU is
 * wanted, and the loop stops polling for RELAY_BUSY_NS */
#define RELAY_YIELDED_NS 20000LL
#define RELAY_BUSY_NS 10000000LL

/**
 * struct relay - state shared by the two relay threads
 * @iface:	the interface
 * @tap:	the guest's side: the namespace's TAP or a datagram socket
 *		(non-blocking)
 * @vnet:	TAP frames carry a virtio-net header
 * @dgram:	@tap is a datagram socket
 * @stop:	the TX thread exits when it is readable
 * @buf:	frame buffers, SQN_BATCH per direction
 * @one_thread:	no TX thread: the main loop also moves the TAP's frames
 *		(slirp), with @tf and @thdr
 * @tf:		TX frames of the one-thread mode
 * @thdr:	their virtio-net headers
 * @tap_drops:	frames for the namespace the TAP refused
 * @tap_errors:	TAP read errors
 * @say_mac:	say the guest's MAC from its first frame (TX path only)
 * @tx_next:	first frame of the TX batch the interface has not taken
 *		yet (its tx rate limiter refused it); TX path only
 * @tx_end:	end of that batch: frames [@tx_next, @tx_end) wait
 * @tx_at:	when the TX path last handed frames to the interface (ns)
 * @busy_until:	the RX loop sleeps at once until then: its CPU is wanted
 */
struct relay {
	struct sqn_iface *iface;
	int tap;
	bool vnet;
	bool dgram;
	struct sqn_waker stop;
	uint8_t (*buf)[RELAY_BUF];
	bool one_thread;
	struct sqn_frame tf[SQN_BATCH];
	uint8_t thdr[SQN_BATCH][SQN_VNET_HDR_LEN];
	unsigned long long tap_drops;
	unsigned long long tap_errors;
	bool say_mac;
	unsigned tx_next;
	unsigned tx_end;
	_Atomic long long tx_at;
	long long busy_until;
};

/**
 * now_ns() - monotonic nanoseconds
 *
 * Return: the time
 */
static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/**
 * now_ms() - monotonic milliseconds
 *
 * Return: the time
 */
static long long now_ms(void)
{
	return now_ns() / 1000000;
}

/**
 * tap_read_one() - one frame from the TAP (or the guest's datagram socket)
 * @r:		relay
 * @f:		the frame, pointing into r->buf
 * @hdr:	scratch for its virtio-net header
 *
 * Return: bytes read (header included), or -1 with errno (never EINTR)
 */
static ssize_t tap_read_one(struct relay *r, struct sqn_frame *f, uint8_t *hdr)
{
	struct iovec iov[2] = {
		{.iov_base = hdr, .iov_len = SQN_VNET_HDR_LEN},
		{.iov_base = f->data, .iov_len = RELAY_BUF},
	};
	ssize_t got;

	do
		got = r->vnet ? readv(r->tap, iov, 2)
			      : readv(r->tap, iov + 1, 1);
	while (got < 0 && errno == EINTR);
	return got;
}

/**
 * tap_read_batch() - read up to SQN_BATCH frames from the TAP
 * @r:		relay
 * @f:		frames, pointing into r->buf
 * @hdr:	scratch for the virtio-net headers
 *
 * An empty read is no frame: a datagram of 0 bytes is skipped, but more
 * than SQN_BATCH of them in a row are taken as an end of file.
 *
 * Return: frames read; -1 when the TAP is gone
 */
static int tap_read_batch(struct relay *r, struct sqn_frame *f,
			  uint8_t (*hdr)[SQN_VNET_HDR_LEN])
{
	int n = 0, empty = 0;

	while (n < SQN_BATCH) {
		ssize_t got = tap_read_one(r, &f[n], hdr[n]);

		if (got < 0 && errno == EAGAIN)
			break;
		if (got < 0) {
			r->tap_errors++;
			return n ? n : -1;
		}
		if (got == 0) {
			if (++empty > SQN_BATCH)
				return n ? n : -1;
			continue;
		}
		if (r->vnet) {
			if (got < SQN_VNET_HDR_LEN)
				continue;
			got -= SQN_VNET_HDR_LEN;
			sqn_vnet_from_wire(hdr[n], &f[n].vnet);
		}
		f[n].len = (uint32_t)got;
		n++;
	}
	return n;
}

/**
 * tx_init() - point the TX frames at their buffers
 * @r:	the relay
 * @f:	SQN_BATCH frames
 */
static void tx_init(struct relay *r, struct sqn_frame *f)
{
	int i;

	memset(f, 0, SQN_BATCH * sizeof(*f));
	for (i = 0; i < SQN_BATCH; i++)
		f[i].data = r->buf[SQN_BATCH + i];
}

/**
 * say_guest_mac() - say the guest's MAC, as its first frame shows it
 * @r:	the relay; @r->say_mac is cleared
 * @f:	the guest's first frame
 *
 * A VMM picks its guest's MAC (QEMU's 52:54:00:...): the backend's guest
 * MAC is squib-net's own, so the one worth saying comes from the frames.
 */
static void say_guest_mac(struct relay *r, const struct sqn_frame *f)
{
	char m[18];

	if (f->len < 12)
		return;
	r->say_mac = false;
	fprintf(stderr,
		"squib-net: run: the guest's MAC is %s (its first frame's "
		"source)\n",
		sqn_mac_format((const uint8_t *)f->data + 6, m));
}

/**
 * tx_held() - whether frames of the TX batch wait for the interface
 * @r:	the relay
 *
 * Return: true while the tx rate limiter holds some back
 */
static bool tx_held(const struct relay *r)
{
	return r->tx_next < r->tx_end;
}

/**
 * tx_flush() - hand the TX batch's waiting frames to the interface
 * @r:	the relay
 * @f:	the TX batch
 *
 * A write that fails (the link is down) drops them, as before there was a
 * limiter: the guest's side is not to stall on a dead link.
 *
 * Return: true when none waits any more
 */
static bool tx_flush(struct relay *r, const struct sqn_frame *f)
{
	int k = sqn_iface_write(r->iface, f + r->tx_next,
				r->tx_end - r->tx_next);

	if (k < 0)
		r->tx_next = r->tx_end;
	else
		r->tx_next += (unsigned)k;
	if (k > 0)
		atomic_store_explicit(&r->tx_at, now_ns(),
				      memory_order_relaxed);
	return !tx_held(r);
}

/**
 * tx_poll_timeout() - how long the TX path may sleep
 * @r:	the relay
 *
 * Return: -1 (until the guest's side or the tx fd is ready), or, while
 * frames wait, the tx limiter's wait (0 once it is over)
 */
static int tx_poll_timeout(struct relay *r)
{
	int t;

	if (!tx_held(r))
		return -1;
	t = sqn_iface_tx_wait_ms(r->iface);
	return t < 0 ? 0 : t;
}

/**
 * tx_pass() - what the namespace sent, into the interface
 * @r:		the relay
 * @f:		SQN_BATCH frames from tx_init()
 * @hdr:	scratch for the virtio-net headers
 * @batches:	most batches to move (bounds one pass, so RX is not starved)
 *
 * Return: 0, or -1 when the TAP is gone
 */
static int tx_pass(struct relay *r, struct sqn_frame *f,
		   uint8_t (*hdr)[SQN_VNET_HDR_LEN], unsigned batches)
{
	int n;

	/* what the interface refused last time goes first */
	if (tx_held(r) && !tx_flush(r, f))
		return 0;
	while (batches--) {
		n = tap_read_batch(r, f, hdr);
		if (n < 0)
			return -1;
		if (n > 0 && r->say_mac)
			say_guest_mac(r, &f[0]);
		r->tx_next = 0;
		r->tx_end = (unsigned)n;
		if (n > 0 && !tx_flush(r, f))
			break;
		if (n < SQN_BATCH)
			break;
	}
	return 0;
}

/**
 * tx_thread() - the namespace's frames into the interface
 * @arg:	the relay
 *
 * Return: NULL
 */
static void *tx_thread(void *arg)
{
	struct relay *r = arg;
	struct sqn_frame f[SQN_BATCH];
	uint8_t hdr[SQN_BATCH][SQN_VNET_HDR_LEN];

	tx_init(r, f);
	for (;;) {
		/* while frames wait for the limiter, sleep on its fd, not on
		 * the guest's side */
		struct pollfd pfd[2] = {
			{.fd = tx_held(r) ? sqn_iface_tx_fd(r->iface) : r->tap,
			 .events = POLLIN},
			{.fd = r->stop.rfd, .events = POLLIN}};

		if (poll(pfd, 2, tx_poll_timeout(r)) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		if (tx_pass(r, f, hdr, 1) < 0)
			break;
	}
	return NULL;
}

/**
 * guest_write() - one frame to the guest's side
 * @r:		the relay
 * @iov:	the virtio-net header and the frame
 * @n:		2
 *
 * Return: what writev() returned (the header left out without @r->vnet)
 */
static ssize_t guest_write(struct relay *r, const struct iovec *iov, int n)
{
	ssize_t w;

	do
		w = r->vnet ? writev(r->tap, iov, n)
			    : writev(r->tap, iov + 1, n - 1);
	while (w < 0 && errno == EINTR);
	return w;
}

/**
 * rx_drain() - one queue's frames into the namespace
 * @r:	the relay
 * @q:	queue (a multi-queue TAP backend has several)
 * @f:	frames, pointing into r->buf
 */
static void rx_drain(struct relay *r, unsigned q, struct sqn_frame *f)
{
	uint8_t hdr[SQN_VNET_HDR_LEN];
	int i, n;

	do {
		for (i = 0; i < SQN_BATCH; i++)
			f[i].cap = RELAY_BUF;
		n = sqn_iface_queue_read(r->iface, q, f, SQN_BATCH);
		for (i = 0; i < n; i++) {
			struct iovec iov[2] = {
				{.iov_base = hdr, .iov_len = SQN_VNET_HDR_LEN},
				{.iov_base = f[i].data, .iov_len = f[i].len},
			};
			ssize_t w;

			if (r->vnet)
				sqn_vnet_to_wire(&f[i].vnet, hdr);
			w = guest_write(r, iov, 2);
			/* a datagram peer that closed (the command exited)
			 * refuses nothing: there is no one to deliver to */
			if (w < 0 && !(r->dgram && (errno == ECONNREFUSED ||
						    errno == ENOTCONN)))
				r->tap_drops++;
		}
	} while (n == SQN_BATCH);
}

/**
 * exit_status() - a wait status as a shell would report it
 * @status:	from waitpid()
 *
 * Return: the exit code, or 128 + the signal
 */
static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 125;
}

/**
 * frames_moved() - frames through the interface so far, both ways
 * @iface:	the interface
 *
 * Return: rx + tx frames
 */
static uint64_t frames_moved(const struct sqn_iface *iface)
{
	struct sqn_stats st;

	sqn_iface_stats(iface, &st);
	return st.rx_frames + st.tx_frames;
}

/**
 * relay_linger() - keep relaying after the command exited, until quiet
 * @r:	the relay (the TX thread still runs)
 * @f:	RX frames
 * @nq:	queues
 *
 * A command that wrote to a socket and exited leaves the data, and its FIN,
 * in the namespace kernel's buffers: the socket keeps the namespace alive
 * and the kernel still sends it. Relaying until nothing moved for
 * LINGER_QUIET_MS (at most LINGER_MAX_MS) delivers it instead of losing it.
 */
static void relay_linger(struct relay *r, struct sqn_frame *f, unsigned nq)
{
	long long end = now_ms() + LINGER_MAX_MS, quiet = now_ms();
	uint64_t last = frames_moved(r->iface), moved;
	unsigned q;

	while (now_ms() < end && now_ms() - quiet < LINGER_QUIET_MS) {
		struct pollfd pfd[SQN_MAX_QUEUES];
		int timeout = sqn_iface_timeout_ms(r->iface);

		for (q = 0; q < nq; q++)
			pfd[q] = (struct pollfd){
				.fd = sqn_iface_queue_fd(r->iface, q),
				.events = POLLIN};
		if (timeout < 0 || timeout > 50)
			timeout = 50;
		if (poll(pfd, nq, timeout) < 0 && errno != EINTR)
			break;
		if (r->one_thread)
			tx_pass(r, r->tf, r->thdr, 4);
		for (q = 0; q < nq; q++)
			rx_drain(r, q, f);
		moved = frames_moved(r->iface);
		if (moved != last) {
			last = moved;
			quiet = now_ms();
		}
	}
}

/**
 * struct relay_wait - the command's side of the relay loop
 * @pid:	the command (the namespace process in namespace mode)
 * @sq:		SIGCHLD and the terminating signals
 * @got_sig:	the terminating signal forwarded, 0 if none
 * @kill_at:	when to SIGKILL after a forwarded signal, -1 if not due
 * @wstatus:	the command's wait status, once it exited
 * @done:	it exited
 */
struct relay_wait {
	pid_t pid;
	struct relay_sigq *sq;
	int got_sig;
	long long kill_at;
	int wstatus;
	bool done;
};

/**
 * wait_timeout() - the poll timeout, and the SIGKILL once the grace is over
 * @w:		the wait state
 * @timeout:	the interface's timeout (-1: none)
 *
 * Return: the timeout to poll with
 */
static int wait_timeout(struct relay_wait *w, int timeout)
{
	long long left;

	if (w->kill_at < 0)
		return timeout;
	left = w->kill_at - now_ms();
	if (left <= 0) {
		kill(w->pid, SIGKILL);
		w->kill_at = -1;
		return timeout;
	}
	return (timeout < 0 || timeout > left) ? (int)left : timeout;
}

/**
 * wait_events() - forward terminating signals; notice the command's exit
 * @w:	the wait state, its signal queue readable
 */
static void wait_events(struct relay_wait *w)
{
	int sig;

	while ((sig = relay_sigq_next(w->sq)) > 0) {
		if (sig == SIGCHLD)
			continue;
		w->got_sig = sig;
		kill(w->pid, w->got_sig);
		if (w->kill_at < 0)
			w->kill_at = now_ms() + KILL_GRACE_MS;
	}
	if (waitpid(w->pid, &w->wstatus, WNOHANG) == w->pid)
		w->done = true;
}

/**
 * relay_wait_rx() - the RX loop's poll(), polled for a while after a send
 * @r:		the relay
 * @pfd:	what to wait for
 * @n:		how many
 * @timeout:	poll()'s timeout
 *
 * In one-thread mode (slirp) the loop that hands the guest's frames to the
 * interface also waits for what answers them: libslirp's send to the host
 * peer, then the peer's reply (or, in a bulk transfer, the host socket
 * refilled, the guest's next ACKs). Sleeping in between costs each answer
 * a wake-up of an idle CPU (an inter-processor interrupt; on a virtual CPU
 * an exit to the hypervisor: 20 to 30 us each, perf sched showed). So for
 * RELAY_ANSWER_NS after a send the loop polls without sleeping, yielding
 * the CPU in between. It polls only a CPU nothing else wants: a yield that
 * let another task run (it took over RELAY_YIELDED_NS) means the CPU is
 * wanted, and the loop then sleeps at once for RELAY_BUSY_NS.
 *
 * Two threads (the helper and TAP modes) sleep as before: there the thread
 * that waits is not the one that sent, and polling it cost a bulk
 * transfer's helper the CPU it needed on a two-CPU machine (passt host->ns
 * at MTU 1500 0.91-1.06 against 0.99-1.8 Gbit/s).
 *
 * Return: what poll() returned
 */
static int relay_wait_rx(struct relay *r, struct pollfd *pfd, nfds_t n,
			 int timeout)
{
	long long until =
		atomic_load_explicit(&r->tx_at, memory_order_relaxed) +
		RELAY_ANSWER_NS;
	long long t = now_ns();
	int k;

	if (!r->one_thread || t < r->busy_until)
		until = 0;
	while (timeout != 0 && t < until) {
		k = poll(pfd, n, 0);
		if (k != 0)
			return k;
		t = now_ns();
		sched_yield();
		if (now_ns() - t > RELAY_YIELDED_NS) {
			r->busy_until = t + RELAY_BUSY_NS;
			break;
		}
		t = now_ns();
	}
	return poll(pfd, n, timeout);
}

/**
 * relay_loop() - relay RX until the command exits
 * @r:	the relay (the TX thread runs)
 * @w:	the wait state
 * @f:	RX frames
 * @nq:	queues
 */
static void relay_loop(struct relay *r, struct relay_wait *w,
		       struct sqn_frame *f, unsigned nq)
{
	struct pollfd pfd[2 + SQN_MAX_QUEUES];
	nfds_t npfd = 1 + nq + r->one_thread;
	unsigned q;

	pfd[0] = (struct pollfd){.fd = w->sq->rfd, .events = POLLIN};
	for (q = 0; q < nq; q++)
		pfd[1 + q] =
			(struct pollfd){.fd = sqn_iface_queue_fd(r->iface, q),
					.events = POLLIN};
	pfd[1 + nq] = (struct pollfd){.fd = r->tap, .events = POLLIN};
	while (!w->done) {
		/* the interface's timeout counts the tx limiter's wait */
		int timeout = wait_timeout(w, sqn_iface_timeout_ms(r->iface));

		/* frames the tx limiter holds back: the guest's side waits */
		pfd[1 + nq].events = tx_held(r) ? 0 : POLLIN;
		if (relay_wait_rx(r, pfd, npfd, timeout) < 0 && errno != EINTR)
			break;
		/* one thread: the guest's frames first, since its ACKs free
		 * libslirp's buffers before the read below services the host
		 * sockets */
		if (r->one_thread && (pfd[1 + nq].revents || tx_held(r)))
			tx_pass(r, r->tf, r->thdr, 4);
		/* every queue, readable or not: reading also runs timers */
		for (q = 0; q < nq; q++)
			rx_drain(r, q, f);
		if (pfd[0].revents)
			wait_events(w);
	}
}

/**
 * relay_run() - relay until the command exits
 * @iface:	the interface
 * @g:		the guest's side and the command
 * @status:	gets the exit status to exit with
 *
 * Return: 0, or a negative errno when the relay could not start
 */
int relay_run(struct sqn_iface *iface, const struct relay_guest *g, int *status)
{
	struct relay r = {.iface = iface,
			  .tap = g->fd,
			  .vnet = g->vnet_hdr,
			  .dgram = g->dgram,
			  .stop = {-1, -1},
			  .say_mac = g->say_mac};
	struct relay_sigq own = {-1, -1};
	struct relay_wait w = {.pid = g->pid, .kill_at = -1, .sq = g->sigq};
	struct sqn_frame f[SQN_BATCH];
	struct sqn_mode_info mi = {.size = sizeof(mi)};
	unsigned nq = sqn_iface_queues(iface);
	pthread_t tx;
	int i, rc = 0;

	/* a backend that serialises both directions on one lock (slirp): a
	 * second thread only adds wake-ups and lock hand-offs, so one thread
	 * does both */
	sqn_mode_info(sqn_iface_mode(iface), &mi);
	r.one_thread = (mi.flags & SQN_MODE_ONE_LOCK) != 0;

	memset(&tx, 0, sizeof(tx)); /* joined only if it was created */
	r.buf = calloc((size_t)2 * SQN_BATCH, RELAY_BUF);
	if (!w.sq) {
		w.sq = &own;
		rc = relay_sigq_open(&own);
	}
	if (!rc)
		rc = sqn_waker_open(&r.stop);
	if (!r.buf && !rc)
		rc = -ENOMEM;
	if (rc)
		goto out;
	if (r.one_thread)
		tx_init(&r, r.tf);
	else if (pthread_create(&tx, NULL, tx_thread, &r)) {
		rc = -EAGAIN;
		goto out;
	}
	if (g->go && g->go(g->go_arg) < 0) {
		rc = -EIO;
		goto out_join;
	}

	memset(f, 0, sizeof(f));
	for (i = 0; i < SQN_BATCH; i++)
		f[i].data = r.buf[i];
	/* a command that exited before the signal queue existed */
	if (waitpid(w.pid, &w.wstatus, WNOHANG) == w.pid)
		w.done = true;
	relay_loop(&r, &w, f, nq);
	if (w.done && !w.got_sig)
		relay_linger(&r, f, nq);
	*status = w.got_sig ? 128 + w.got_sig : exit_status(w.wstatus);
	if (r.tap_drops || r.tap_errors)
		fprintf(stderr,
			"squib-net: run: %llu frames the %s refused, %llu "
			"read errors on it\n",
			r.tap_drops, r.dgram ? "guest's socket" : "TAP",
			r.tap_errors);
out_join:
	if (!r.one_thread) {
		sqn_waker_wake(&r.stop);
		pthread_join(tx, NULL);
	}
out:
	relay_sigq_close(&own);
	sqn_waker_close(&r.stop);
	free(r.buf);
	return rc;
}

/**
 * relay_dhcp() - ask the backend's DHCP server for the namespace's address
 * @iface:	the interface
 * @mac:	the namespace NIC's MAC
 * @timeout_ms:	give up after this long
 * @lease:	gets the ACK's contents
 * @err:	gets the message on failure
 * @errlen:	its size
 *
 * DISCOVER, OFFER, REQUEST, ACK; retransmitted every second. Frames that are
 * not the answer are dropped: nothing else is listening yet. A link that
 * goes down ends the wait at once.
 *
 * Return: 0, or -ETIMEDOUT / -ECONNREFUSED (NAK) / -ENETDOWN with the
 * message set
 */
int relay_dhcp(struct sqn_iface *iface, const uint8_t mac[6],
	       uint32_t timeout_ms, struct dhcp_lease *lease, char *err,
	       size_t errlen)
{
	static uint8_t out[512], in[SQN_BATCH][RELAY_BUF];
	struct sqn_frame f[SQN_BATCH], o = {.data = out};
	long long deadline = now_ms() + timeout_ms, resend = 0;
	uint32_t xid, req_ip = 0, server = 0;
	int state = DHCP_DISCOVER, i, n, naks = 0;

	if (relay_os_random(&xid, sizeof(xid)) < 0)
		xid = (uint32_t)getpid() ^ (uint32_t)now_ms();
	while (now_ms() < deadline) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};
		int t = sqn_iface_timeout_ms(iface);

		if (now_ms() >= resend) {
			o.len = (uint32_t)dhcp_build(out, sizeof(out), state,
						     mac, xid, req_ip, server);
			sqn_iface_write(iface, &o, 1);
			resend = now_ms() + 1000;
		}
		if (t < 0 || t > 100)
			t = 100;
		poll(&pfd, 1, t);
		for (i = 0; i < SQN_BATCH; i++)
			f[i] = (struct sqn_frame){.data = in[i],
						  .cap = RELAY_BUF};
		n = sqn_iface_read(iface, f, SQN_BATCH);
		for (i = 0; i < n; i++) {
			int type = dhcp_parse(in[i], f[i].len, xid, lease);

			if (type == DHCP_OFFER && state == DHCP_DISCOVER) {
				req_ip = lease->yiaddr;
				server = lease->server_id;
				state = DHCP_REQUEST;
				resend = 0;
			} else if (type == DHCP_ACK && state == DHCP_REQUEST) {
				return 0;
			} else if (type == DHCP_NAK && ++naks < 3) {
				state = DHCP_DISCOVER;
				resend = 0;
			} else if (type == DHCP_NAK) {
				snprintf(err, errlen,
					 "run: the DHCP server refused the "
					 "address (NAK) three times");
				return -ECONNREFUSED;
			}
		}
		/* a backend gone (a helper that exited at once) answers no
		 * DHCP: stop waiting; the library's warning said why */
		if (!sqn_iface_link(iface, NULL, 0)) {
			snprintf(err, errlen,
				 "run: stopped waiting for DHCP: the %s "
				 "backend's link went down (the warning above "
				 "says why)",
				 sqn_mode_name(sqn_iface_mode(iface)));
			return -ENETDOWN;
		}
	}
	snprintf(err, errlen,
		 "run: no DHCP %s from the %s backend within %u ms (use "
		 "--guest-addr for a static address, or --no-dhcp)",
		 state == DHCP_DISCOVER ? "offer" : "acknowledgement",
		 sqn_mode_name(sqn_iface_mode(iface)), timeout_ms);
	return -ETIMEDOUT;
}
