/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_tap.c - the tap backend with real TAP devices in private namespaces
 *
 * Needs root (SKIP otherwise; a failure under CI=true). Every case runs in
 * a network namespace of its own, made with unshare(CLONE_NEWNET) by this
 * process, so every device it makes vanishes with the case (or with the
 * process, whatever happens). Two "hosts" are two namespaces: a socket or a
 * TAP fd stays in the namespace it was made in, and setns() moves this
 * thread between the namespaces it holds fds to.
 *
 * Cases: create and attach; ARP and ICMP byte-exact against the kernel; a
 * relay (this file's own loop over the public API) between two TAP
 * interfaces carrying 10 MiB of TCP, offloads off and on; multi-queue
 * spreading; offload_features mapped to TUNSETOFFLOAD (no checksum-partial
 * frame without GUEST_CSUM, no frame over the MTU without GUEST_TSO4);
 * every attach error's message; the -EMSGSIZE path.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>

#include "check.h"
#include "squibnet.h"

#define MIB (1024 * 1024)
#define BUF_CAP 65536

static const char *no_root_why;
static int ns_a = -1; /* this case's main namespace */

/* What a case leaves running; reset() undoes it, even after an ASSERT. */
static struct sqn_iface *reg_iface[8];
static int reg_fd[160];
static pthread_t reg_thread[4];
static unsigned n_iface, n_fd, n_thread;
static int relay_stop = -1;    /* the relay thread's stop eventfd */
static uint64_t case_features; /* offload_features of start_tap() */

static struct sqn_iface *keep_iface(struct sqn_iface *i)
{
	if (i && n_iface < 8)
		reg_iface[n_iface++] = i;
	return i;
}

static int keep_fd(int fd)
{
	if (fd >= 0 && n_fd < 160)
		reg_fd[n_fd++] = fd;
	return fd;
}

/* ---- namespaces ---- */

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, s, strlen(s)) < 0)
		(void)0;
	close(fd);
}

/* A fresh network namespace for this thread, IPv6 off (less noise). */
static int ns_new(void)
{
	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	return open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
}

static void ns_enter(int fd)
{
	if (setns(fd, CLONE_NEWNET) < 0) {
		printf("# setns: %s\n", strerror(errno));
		abort();
	}
}

/* A second namespace ("host B"); this thread stays in A. */
static int ns_other(void)
{
	int fd = ns_new();

	ns_enter(ns_a);
	return keep_fd(fd);
}

static void reset(void)
{
	uint64_t one = 1;
	unsigned i;

	if (relay_stop >= 0 && write(relay_stop, &one, sizeof(one)) < 0)
		printf("# relay stop: %s\n", strerror(errno));
	relay_stop = -1;
	for (i = 0; i < n_fd; i++)
		shutdown(reg_fd[i], SHUT_RDWR);
	for (i = 0; i < n_thread; i++)
		pthread_join(reg_thread[i], NULL);
	for (i = 0; i < n_fd; i++)
		close(reg_fd[i]);
	for (i = 0; i < n_iface; i++)
		sqn_iface_free(reg_iface[i]);
	n_fd = n_thread = n_iface = 0;
	case_features = 0;
}

/* Every case starts here: root, a clean slate, a namespace of its own. */
static void case_begin(void)
{
	int fd;

	if (no_root_why)
		SKIP(no_root_why);
	reset();
	fd = ns_new();
	ASSERT(fd >= 0);
	if (ns_a >= 0)
		close(ns_a);
	ns_a = fd;
}

/* ---- devices ---- */

static int if_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (s < 0)
		return -1;
	rc = ioctl(s, req, ifr);
	close(s);
	return rc;
}

static int if_mtu(const char *name)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	return if_ioctl(SIOCGIFMTU, &ifr) < 0 ? -1 : ifr.ifr_mtu;
}

static int if_up_addr(const char *name, const char *addr)
{
	struct ifreq ifr = {0};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	if (if_ioctl(SIOCSIFADDR, &ifr) < 0)
		return -1;
	inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
	if (if_ioctl(SIOCSIFNETMASK, &ifr) < 0)
		return -1;
	if (if_ioctl(SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	return if_ioctl(SIOCSIFFLAGS, &ifr);
}

static int static_arp(const char *dev, const char *addr, const uint8_t mac[6])
{
	struct arpreq r;
	struct sockaddr_in *sin = (struct sockaddr_in *)&r.arp_pa;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	memset(&r, 0, sizeof(r));
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	r.arp_ha.sa_family = ARPHRD_ETHER;
	memcpy(r.arp_ha.sa_data, mac, 6);
	r.arp_flags = ATF_PERM | ATF_COM;
	snprintf(r.arp_dev, sizeof(r.arp_dev), "%s", dev);
	rc = ioctl(s, SIOCSARP, &r);
	close(s);
	return rc;
}

/* A persistent TUN/TAP made the way `ip tuntap add` makes it. */
static int mk_persistent(const char *name, short flags, long owner)
{
	struct ifreq ifr = {0};
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC), rc = -1;

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	ifr.ifr_flags = flags | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		goto out;
	if (owner >= 0 && ioctl(fd, TUNSETOWNER, owner) < 0)
		goto out;
	if (ioctl(fd, TUNSETPERSIST, 1) < 0)
		goto out;
	rc = 0;
out:
	close(fd);
	return rc;
}

static void params_tap(struct sqn_params *p, const char *name, int create)
{
	sqn_params_init(p);
	p->iface_id = "eth0";
	p->mode = SQN_MODE_TAP;
	p->host_dev_name = name;
	p->tap_create = create;
}

static struct sqn_iface *start(const struct sqn_params *p)
{
	struct sqn_iface *iface = NULL;
	char err[256];

	if (sqn_iface_start(p, &iface, err, sizeof(err)))
		printf("# start %s: %s\n", p->host_dev_name, err);
	return keep_iface(iface);
}

static struct sqn_iface *start_tap(const char *name, unsigned queues,
				   int offload, uint32_t mtu)
{
	struct sqn_params p;

	params_tap(&p, name, SQN_ON);
	p.tap_queues = queues;
	p.offload = offload;
	p.offload_features = case_features;
	p.mtu = mtu;
	return start(&p);
}

static int wait_readable(int fd, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	return poll(&pfd, 1, ms) == 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- (a) create and attach ---- */

static void create_mode(void)
{
	struct sqn_iface *iface;
	struct ifreq ifr = {0};
	uint8_t mac[6];

	case_begin();
	CHECK_EQ(if_nametoindex("sqt-c0"), 0);
	iface = start_tap("sqt-c0", 0, 0, 1400);
	ASSERT(iface);
	CHECK(if_nametoindex("sqt-c0") != 0);
	CHECK_EQ(sqn_iface_mtu(iface), 1400);
	CHECK_EQ(if_mtu("sqt-c0"), 1400);
	CHECK_EQ(sqn_iface_max_frame(iface), 1414);
	CHECK_EQ(sqn_iface_queues(iface), 1);
	CHECK_EQ(sqn_iface_offload(iface), 0);
	CHECK(sqn_iface_fd(iface) >= 0);
	CHECK_EQ(sqn_iface_queue_fd(iface, 0), sqn_iface_fd(iface));
	CHECK_EQ(sqn_iface_queue_fd(iface, 1), -EINVAL);
	snprintf(ifr.ifr_name, IFNAMSIZ, "sqt-c0");
	ASSERT(if_ioctl(SIOCGIFHWADDR, &ifr) == 0);
	sqn_iface_host_mac(iface, mac);
	CHECK(!memcmp(mac, ifr.ifr_hwaddr.sa_data, 6));
	ASSERT(if_ioctl(SIOCGIFFLAGS, &ifr) == 0);
	CHECK(ifr.ifr_flags & IFF_UP);
	CHECK(sqn_iface_link(iface, NULL, 0));
	/* nothing waiting yet: read returns 0, never blocks */
	{
		uint8_t b[1514];
		struct sqn_frame f = {.data = b, .cap = sizeof(b)};

		CHECK_EQ(sqn_iface_read(iface, &f, 1), 0);
	}
	reset();
	CHECK_EQ(if_nametoindex("sqt-c0"), 0); /* non-persistent: gone */

	/* no host_dev_name: the deterministic squib-tap-<iface_id> */
	{
		struct sqn_params p;

		params_tap(&p, NULL, SQN_ON);
		p.iface_id = "net1";
		ASSERT(start(&p));
		CHECK(if_nametoindex("squib-tap-net1") != 0);
	}
}

static void attach_mode(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct ifreq ifr = {0};
	uint8_t mac[6];

	case_begin();
	ASSERT(mk_persistent("sqt-p0", IFF_TAP, -1) == 0);
	params_tap(&p, "sqt-p0", 0);
	iface = start(&p);
	ASSERT(iface);
	CHECK_EQ(sqn_iface_mtu(iface), 1500);
	CHECK_EQ(sqn_iface_max_frame(iface), 1514);
	snprintf(ifr.ifr_name, IFNAMSIZ, "sqt-p0");
	ASSERT(if_ioctl(SIOCGIFHWADDR, &ifr) == 0);
	sqn_iface_host_mac(iface, mac);
	CHECK(!memcmp(mac, ifr.ifr_hwaddr.sa_data, 6));
	reset();
	/* not ours: it stays */
	CHECK(if_nametoindex("sqt-p0") != 0);

	/* no MTU asked for: the guest gets the device's, and the largest
	 * frame follows it (the core re-derives it from the negotiated MTU) */
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "sqt-p0");
	ifr.ifr_mtu = 9000;
	ASSERT(if_ioctl(SIOCSIFMTU, &ifr) == 0);
	params_tap(&p, "sqt-p0", 0);
	iface = start(&p);
	ASSERT(iface);
	CHECK_EQ(sqn_iface_mtu(iface), 9000);
	CHECK_EQ(sqn_iface_max_frame(iface), 9014);
	reset();
	/* a max_frame of 65536 is accepted and capped at SQN_FRAME_MAX */
	params_tap(&p, "sqt-p0", 0);
	p.max_frame = 65536;
	iface = start(&p);
	ASSERT(iface);
	CHECK_EQ(sqn_iface_max_frame(iface), SQN_FRAME_MAX);
	reset();

	/* tap_create on an existing TAP attaches too, and leaves it */
	params_tap(&p, "sqt-p0", SQN_ON);
	ASSERT(start(&p));
	reset();
	CHECK(if_nametoindex("sqt-p0") != 0);
}

/* ---- (b) ARP and ICMP against the kernel, byte-exact ---- */

static const uint8_t guest_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

static uint16_t csum16(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static size_t arp_frame(uint8_t *f, const uint8_t *dst, const uint8_t *src,
			uint16_t op, const uint8_t *sha, const char *spa,
			const uint8_t *tha, const char *tpa)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, 0x0806);
	put16(f + 14, 1);
	put16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, op);
	memcpy(f + 22, sha, 6);
	inet_pton(AF_INET, spa, f + 28);
	memcpy(f + 32, tha, 6);
	inet_pton(AF_INET, tpa, f + 38);
	return 42;
}

/* Read frames until one matches, within ms; returns its length or -1. */
static int read_until(struct sqn_iface *iface, uint8_t *buf, uint32_t cap,
		      int (*match)(const uint8_t *, uint32_t), int ms)
{
	struct sqn_frame f;
	double end = now_s() + ms / 1000.0;
	int n;

	while (now_s() < end) {
		f = (struct sqn_frame){.data = buf, .cap = cap};
		n = sqn_iface_read(iface, &f, 1);
		if (n == 1 && match(buf, f.len))
			return (int)f.len;
		if (n == 0)
			wait_readable(sqn_iface_fd(iface), 50);
	}
	return -1;
}

static int is_arp_reply(const uint8_t *b, uint32_t len)
{
	return len >= 42 && get16(b + 12) == 0x0806 && get16(b + 20) == 2;
}

static int is_icmp_echo_req(const uint8_t *b, uint32_t len)
{
	return len >= 42 && get16(b + 12) == 0x0800 && b[23] == 1 && b[34] == 8;
}

static void frames_arp_icmp(void)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t zero[6];
	uint8_t req[64], want[64], buf[2048], reply[2048], host[6];
	struct sqn_frame f;
	struct sockaddr_in dst = {.sin_family = AF_INET};
	uint8_t icmp[64];
	struct sqn_iface *iface;
	int len, s, i;
	ssize_t r;

	case_begin();
	iface = start_tap("sqt-k0", 0, 0, 0);
	ASSERT(iface);
	ASSERT(if_up_addr("sqt-k0", "10.0.0.1") == 0);
	sqn_iface_host_mac(iface, host);

	/* the guest asks who has 10.0.0.1; the kernel must answer it */
	f = (struct sqn_frame){
		.data = req,
		.len = (uint32_t)arp_frame(req, bcast, guest_mac, 1, guest_mac,
					   "10.0.0.2", zero, "10.0.0.1")};
	CHECK_EQ(sqn_iface_write(iface, &f, 1), 1);
	len = read_until(iface, buf, sizeof(buf), is_arp_reply, 3000);
	ASSERT(len > 0);
	arp_frame(want, guest_mac, host, 2, host, "10.0.0.1", guest_mac,
		  "10.0.0.2");
	CHECK_EQ(len, 42);
	CHECK(!memcmp(buf, want, 42));

	/* the kernel pings the guest: the request crosses byte-exact */
	s = keep_fd(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
	ASSERT(s >= 0);
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 8;
	put16(icmp + 4, 0x5151);
	put16(icmp + 6, 7);
	for (i = 8; i < 64; i++)
		icmp[i] = (uint8_t)(i * 3);
	put16(icmp + 2, csum16(icmp, sizeof(icmp)));
	inet_pton(AF_INET, "10.0.0.2", &dst.sin_addr);
	ASSERT(sendto(s, icmp, sizeof(icmp), 0, (struct sockaddr *)&dst,
		      sizeof(dst)) == sizeof(icmp));
	len = read_until(iface, buf, sizeof(buf), is_icmp_echo_req, 3000);
	ASSERT(len == 14 + 20 + 64);
	CHECK(!memcmp(buf, guest_mac, 6));
	CHECK(!memcmp(buf + 6, host, 6));
	CHECK(!memcmp(buf + 34, icmp, sizeof(icmp)));

	/* the guest answers: the kernel's socket gets the reply */
	memcpy(reply, buf, (size_t)len);
	memcpy(reply, host, 6);
	memcpy(reply + 6, guest_mac, 6);
	memcpy(reply + 26, buf + 30, 4);
	memcpy(reply + 30, buf + 26, 4);
	put16(reply + 24, 0);
	put16(reply + 24, csum16(reply + 14, 20));
	reply[34] = 0;
	put16(reply + 36, 0);
	put16(reply + 36, csum16(reply + 34, 64));
	f = (struct sqn_frame){.data = reply, .len = (uint32_t)len};
	CHECK_EQ(sqn_iface_write(iface, &f, 1), 1);
	for (i = 0; i < 10; i++) {
		ASSERT(wait_readable(s, 2000));
		r = recv(s, buf, sizeof(buf), 0);
		ASSERT(r == 20 + 64);
		if (buf[20] == 0)
			break;
	}
	CHECK_EQ(buf[20], 0);
	CHECK_EQ(get16(buf + 24), 0x5151);
	CHECK(!memcmp(buf + 28, icmp + 8, 56));
}

/* ---- the relay: this test's own loop over the public API ---- */

struct relay {
	struct sqn_iface *side[2];
	unsigned nq;
	int stopfd;
	uint32_t mtu;
	_Atomic uint64_t rx[2][SQN_MAX_QUEUES];
	_Atomic uint64_t big;
	_Atomic uint64_t partial;
	_Atomic uint64_t errors;
	uint8_t (*buf)[BUF_CAP];
};

static void *relay_main(void *arg)
{
	struct relay *rl = arg;
	struct pollfd pfd[2 * SQN_MAX_QUEUES + 1];
	struct sqn_frame fr[SQN_BATCH];
	unsigned s, q, i, np = 2 * rl->nq + 1, round;
	int n;

	for (s = 0; s < 2; s++)
		for (q = 0; q < rl->nq; q++)
			pfd[s * rl->nq + q] = (struct pollfd){
				.fd = sqn_iface_queue_fd(rl->side[s], q),
				.events = POLLIN};
	pfd[np - 1] = (struct pollfd){.fd = rl->stopfd, .events = POLLIN};
	for (;;) {
		if (poll(pfd, np, 1000) < 0 && errno != EINTR)
			break;
		if (pfd[np - 1].revents)
			break;
		for (s = 0; s < 2; s++) {
			for (q = 0; q < rl->nq; q++) {
				for (round = 0; round < 8; round++) {
					for (i = 0; i < SQN_BATCH; i++)
						fr[i] = (struct sqn_frame){
							.data = rl->buf[i],
							.cap = BUF_CAP};
					n = sqn_iface_queue_read(rl->side[s], q,
								 fr, SQN_BATCH);
					if (n < 0)
						atomic_fetch_add(&rl->errors,
								 1);
					if (n <= 0)
						break;
					atomic_fetch_add(&rl->rx[s][q],
							 (uint64_t)n);
					for (i = 0; i < (unsigned)n; i++) {
						if (fr[i].len > rl->mtu + 14 ||
						    fr[i].vnet.gso_type)
							atomic_fetch_add(
								&rl->big, 1);
						if (fr[i].vnet.flags &
						    SQN_VNET_HDR_F_NEEDS_CSUM)
							atomic_fetch_add(
								&rl->partial,
								1);
					}
					if (sqn_iface_queue_write(
						    rl->side[!s], q, fr,
						    (unsigned)n) != n)
						atomic_fetch_add(&rl->errors,
								 1);
				}
			}
		}
	}
	return NULL;
}

static struct relay *relay_start(struct sqn_iface *a, struct sqn_iface *b)
{
	static struct relay rl;
	static uint8_t buf[SQN_BATCH][BUF_CAP];

	memset(&rl, 0, sizeof(rl));
	rl.side[0] = a;
	rl.side[1] = b;
	rl.nq = sqn_iface_queues(a);
	rl.mtu = sqn_iface_mtu(a);
	rl.buf = buf;
	rl.stopfd = keep_fd(eventfd(0, EFD_CLOEXEC));
	relay_stop = rl.stopfd;
	if (rl.stopfd < 0 ||
	    pthread_create(&reg_thread[n_thread], NULL, relay_main, &rl))
		return NULL;
	n_thread++;
	return &rl;
}

/* Two hosts, A (10.0.0.1, this thread) and B (10.0.0.2), TAP to TAP. */
static int two_hosts(int nsb, unsigned queues, int offload,
		     struct sqn_iface **a, struct sqn_iface **b)
{
	*a = start_tap("sqt-a", queues, offload, 0);
	ns_enter(nsb);
	*b = start_tap("sqt-b", queues, offload, 0);
	if (*b && if_up_addr("sqt-b", "10.0.0.2"))
		*b = NULL;
	ns_enter(ns_a);
	if (!*a || !*b || if_up_addr("sqt-a", "10.0.0.1"))
		return -1;
	return 0;
}

static void set_timeouts(int fd, int sec)
{
	struct timeval tv = {.tv_sec = sec};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static uint64_t fnv(uint64_t h, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

struct sink {
	int lfd;
	uint64_t bytes;
	uint64_t hash;
};

static void *sink_main(void *arg)
{
	struct sink *sk = arg;
	static uint8_t b[256 * 1024];
	ssize_t r;
	int c;

	c = accept4(sk->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return NULL;
	set_timeouts(c, 20);
	while ((r = recv(c, b, sizeof(b), 0)) > 0) {
		sk->hash = fnv(sk->hash, b, (size_t)r);
		sk->bytes += (uint64_t)r;
	}
	close(c);
	return NULL;
}

static int listen_on(const char *addr, uint16_t port, int type)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons(port)};
	int fd = keep_fd(socket(AF_INET, type | SOCK_CLOEXEC, 0)), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	inet_pton(AF_INET, addr, &sin.sin_addr);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return -1;
	if (type == SOCK_STREAM && listen(fd, 64) < 0)
		return -1;
	set_timeouts(fd, 20);
	return fd;
}

/*
 * @offload: SQN_ON or SQN_OFF; @features: offload_features (0: all);
 * @bytes: how much TCP crosses. With offloads on, the TAP may hand over
 * checksum-partial frames only with GUEST_CSUM, and frames larger than the
 * MTU (GSO) only with GUEST_CSUM and GUEST_TSO4 (this is IPv4 traffic).
 */
static void relay_tcp(int offload, uint64_t features, uint64_t bytes)
{
	static uint8_t chunk[64 * 1024];
	struct sockaddr_in dst = {.sin_family = AF_INET,
				  .sin_port = htons(5001)};
	struct sqn_iface *a, *b;
	struct sqn_stats sa, sb;
	struct relay *rl;
	struct sink sk = {.hash = 0xcbf29ce484222325ULL};
	uint64_t hash = 0xcbf29ce484222325ULL, sent = 0,
		 x = 88172645463325252ULL;
	double t0, t1;
	unsigned i;
	ssize_t r;
	int nsb, c;

	bool on = offload == SQN_ON, all = !features,
	     csum = on && (all || (features & SQN_VNET_F_GUEST_CSUM)),
	     tso4 = csum && (all || (features & SQN_VNET_F_GUEST_TSO4));

	case_begin();
	nsb = ns_other();
	ASSERT(nsb >= 0);
	case_features = features;
	ASSERT(two_hosts(nsb, 1, offload, &a, &b) == 0);
	CHECK_EQ(sqn_iface_offload(a), offload == SQN_ON);
	CHECK_EQ(sqn_iface_max_frame(a), offload == SQN_ON ? 65535 : 1514);
	rl = relay_start(a, b);
	ASSERT(rl);

	ns_enter(nsb);
	sk.lfd = listen_on("10.0.0.2", 5001, SOCK_STREAM);
	ns_enter(ns_a);
	ASSERT(sk.lfd >= 0);
	ASSERT(!pthread_create(&reg_thread[n_thread], NULL, sink_main, &sk));
	n_thread++;

	c = keep_fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	ASSERT(c >= 0);
	set_timeouts(c, 20);
	inet_pton(AF_INET, "10.0.0.2", &dst.sin_addr);
	t0 = now_s();
	ASSERT(connect(c, (struct sockaddr *)&dst, sizeof(dst)) == 0);
	while (sent < bytes) {
		for (i = 0; i < sizeof(chunk); i += 8) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(chunk + i, &x, 8);
		}
		hash = fnv(hash, chunk, sizeof(chunk));
		for (i = 0; i < sizeof(chunk); i += (unsigned)r) {
			r = send(c, chunk + i, sizeof(chunk) - i, MSG_NOSIGNAL);
			ASSERT(r > 0);
		}
		sent += sizeof(chunk);
	}
	shutdown(c, SHUT_WR);
	pthread_join(reg_thread[--n_thread], NULL);
	t1 = now_s();
	CHECK_EQ(sk.bytes, bytes);
	CHECK(sk.hash == hash);
	printf("# %llu MiB TCP through the relay, offloads %s, features "
	       "0x%llx: %.0f MB/s, %llu+%llu frames, %llu larger than MTU or "
	       "GSO, %llu checksum-partial\n",
	       (unsigned long long)(bytes / MIB), on ? "on" : "off",
	       (unsigned long long)features, (double)bytes / 1e6 / (t1 - t0),
	       (unsigned long long)rl->rx[0][0],
	       (unsigned long long)rl->rx[1][0], (unsigned long long)rl->big,
	       (unsigned long long)rl->partial);
	if (tso4)
		CHECK(rl->big > 0);
	else
		CHECK_EQ(rl->big, 0);
	if (csum)
		CHECK(rl->partial > 0);
	else
		CHECK_EQ(rl->partial, 0);
	CHECK_EQ(rl->errors, 0);
	/* the relay still runs: a batch read from a may not be written to b
	 * yet; the last ACKs settle within milliseconds */
	for (i = 0; i < 300; i++) {
		sqn_iface_stats(a, &sa);
		sqn_iface_stats(b, &sb);
		if (sb.tx_frames == sa.rx_frames)
			break;
		usleep(10000);
	}
	CHECK_EQ(sa.rx_errors + sb.rx_errors, 0);
	CHECK_EQ(sa.tx_errors + sb.tx_errors, 0);
	CHECK(sa.rx_frames > 0 && sb.tx_frames == sa.rx_frames);
}

static void relay_tcp_10mib_plain(void)
{
	relay_tcp(SQN_OFF, 0, 10 * MIB);
}

static void relay_tcp_10mib_offload(void)
{
	relay_tcp(SQN_ON, 0, 10 * MIB);
}

/* offload_features -> TUNSETOFFLOAD: what the guest did not negotiate
 * never crosses the API */
static void offload_csum_without_tso(void)
{
	relay_tcp(SQN_ON, SQN_VNET_F_GUEST_CSUM, 4 * MIB);
}

static void offload_csum_tso4(void)
{
	relay_tcp(SQN_ON, SQN_VNET_F_GUEST_CSUM | SQN_VNET_F_GUEST_TSO4,
		  4 * MIB);
}

static void offload_tso6_only_on_ipv4(void)
{
	relay_tcp(SQN_ON, SQN_VNET_F_GUEST_CSUM | SQN_VNET_F_GUEST_TSO6,
		  4 * MIB);
}

static void offload_tso_without_csum(void)
{
	/* TSO needs checksum offload: without GUEST_CSUM, none at all */
	relay_tcp(SQN_ON,
		  SQN_VNET_F_GUEST_TSO4 | SQN_VNET_F_GUEST_TSO6 |
			  SQN_VNET_F_GUEST_ECN,
		  4 * MIB);
}

/* ---- (d) multi-queue ---- */

#define MQ_FLOWS 64

static void multiqueue_spreads(void)
{
	struct sqn_iface *a, *b;
	struct relay *rl;
	struct sockaddr_in dst = {.sin_family = AF_INET,
				  .sin_port = htons(6000)};
	struct sockaddr_in from;
	socklen_t fl;
	uint8_t mac_a[6], mac_b[6], buf[64];
	int nsb, srv, cli[MQ_FLOWS], got = 0, echoed = 0, i, q;
	struct sink sk = {.hash = 0};
	ssize_t r;

	case_begin();
	nsb = ns_other();
	ASSERT(nsb >= 0);
	ASSERT(two_hosts(nsb, 4, 0, &a, &b) == 0);
	CHECK_EQ(sqn_iface_queues(a), 4);
	for (q = 0; q < 4; q++) {
		CHECK(sqn_iface_queue_fd(a, (unsigned)q) >= 0);
		CHECK(q == 0 || sqn_iface_queue_fd(a, (unsigned)q) !=
					sqn_iface_queue_fd(a, 0));
	}
	sqn_iface_host_mac(a, mac_a);
	sqn_iface_host_mac(b, mac_b);
	ASSERT(static_arp("sqt-a", "10.0.0.2", mac_b) == 0);
	ns_enter(nsb);
	ASSERT(static_arp("sqt-b", "10.0.0.1", mac_a) == 0);
	srv = listen_on("10.0.0.2", 6000, SOCK_DGRAM);
	sk.lfd = listen_on("10.0.0.2", 5001, SOCK_STREAM);
	ns_enter(ns_a);
	ASSERT(srv >= 0 && sk.lfd >= 0);
	rl = relay_start(a, b);
	ASSERT(rl);

	/* 64 UDP flows, each from its own port; B echoes every datagram */
	inet_pton(AF_INET, "10.0.0.2", &dst.sin_addr);
	for (i = 0; i < MQ_FLOWS; i++) {
		cli[i] = keep_fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
		ASSERT(cli[i] >= 0);
		set_timeouts(cli[i], 5);
		buf[0] = (uint8_t)i;
		ASSERT(sendto(cli[i], buf, 32, 0, (struct sockaddr *)&dst,
			      sizeof(dst)) == 32);
	}
	while (got < MQ_FLOWS && wait_readable(srv, 3000)) {
		fl = sizeof(from);
		r = recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &fl);
		if (r != 32)
			break;
		got++;
		sendto(srv, buf, 32, 0, (struct sockaddr *)&from, fl);
	}
	CHECK_EQ(got, MQ_FLOWS);
	for (i = 0; i < MQ_FLOWS; i++)
		if (recv(cli[i], buf, sizeof(buf), 0) == 32 &&
		    buf[0] == (uint8_t)i)
			echoed++;
	CHECK_EQ(echoed, MQ_FLOWS);

	/* and TCP flows */
	ASSERT(!pthread_create(&reg_thread[n_thread], NULL, sink_main, &sk));
	n_thread++;
	{
		int c = keep_fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));

		ASSERT(c >= 0);
		set_timeouts(c, 10);
		dst.sin_port = htons(5001);
		ASSERT(connect(c, (struct sockaddr *)&dst, sizeof(dst)) == 0);
		ASSERT(send(c, buf, sizeof(buf), MSG_NOSIGNAL) ==
		       (ssize_t)sizeof(buf));
		shutdown(c, SHUT_WR);
		pthread_join(reg_thread[--n_thread], NULL);
		CHECK_EQ(sk.bytes, sizeof(buf));
	}

	printf("# frames per queue, A->B: %llu %llu %llu %llu, B->A: %llu "
	       "%llu %llu %llu\n",
	       (unsigned long long)rl->rx[0][0],
	       (unsigned long long)rl->rx[0][1],
	       (unsigned long long)rl->rx[0][2],
	       (unsigned long long)rl->rx[0][3],
	       (unsigned long long)rl->rx[1][0],
	       (unsigned long long)rl->rx[1][1],
	       (unsigned long long)rl->rx[1][2],
	       (unsigned long long)rl->rx[1][3]);
	for (q = 0; q < 4; q++) {
		CHECK(rl->rx[0][q] > 0);
		CHECK(rl->rx[1][q] > 0);
	}
	CHECK_EQ(rl->errors, 0);
}

/* ---- (e) errors, each with its own message ---- */

static int start_err(const struct sqn_params *p, char *err, size_t len)
{
	struct sqn_iface *iface = NULL;
	int rc;

	err[0] = '\0';
	rc = sqn_iface_start(p, &iface, err, len);
	keep_iface(iface);
	printf("# start %s: %d: %s\n",
	       p->host_dev_name ? p->host_dev_name : "-", rc, err);
	return rc;
}

static void err_name_too_long(void)
{
	struct sqn_params p;
	char err[256];

	case_begin();
	params_tap(&p, "sqn-tap-name-too-long", SQN_ON);
	CHECK_EQ(start_err(&p, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "\"sqn-tap-name-too-long\" is 21 bytes");
	CHECK_STR_HAS(err, "at most 15");
	CHECK_STR_HAS(err, "sqn_tap_name()");
	/* validated before any side effect: no device by any prefix */
	CHECK_EQ(if_nametoindex("sqn-tap-name-to"), 0);

	params_tap(&p, "sqt/x", SQN_ON);
	CHECK_EQ(start_err(&p, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "no '/', ':' or white space");
}

static void err_not_a_tap(void)
{
	struct sqn_params p;
	char err[256];

	case_begin();
	params_tap(&p, "lo", 0);
	CHECK_EQ(start_err(&p, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "\"lo\" exists but is not a TAP device");

	/* with tap_create too: an existing non-TAP is never taken over */
	ASSERT(system("ip link add sqt-v0 type veth peer name sqt-v1") == 0);
	params_tap(&p, "sqt-v0", SQN_ON);
	CHECK_EQ(start_err(&p, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "\"sqt-v0\" exists but is not a TAP device");
	CHECK_STR_HAS(err, "veth");

	ASSERT(mk_persistent("sqt-tun0", IFF_TUN, -1) == 0);
	params_tap(&p, "sqt-tun0", 0);
	CHECK_EQ(start_err(&p, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "\"sqt-tun0\" is a TUN (layer 3) device, not a TAP");
}

static void err_busy_and_queues(void)
{
	struct sqn_params p;
	char err[256];

	case_begin();
	ASSERT(start_tap("sqt-b0", 0, 0, 0));
	params_tap(&p, "sqt-b0", 0);
	CHECK_EQ(start_err(&p, err, sizeof(err)), -EBUSY);
	CHECK_STR_HAS(err, "already attached by another process");

	ASSERT(mk_persistent("sqt-s0", IFF_TAP, -1) == 0);
	params_tap(&p, "sqt-s0", 0);
	p.tap_queues = 2;
	CHECK_EQ(start_err(&p, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "created without multi_queue but 2 queues");
}

static void err_missing_device(void)
{
	struct sqn_params p;
	char err[256];

	case_begin();
	params_tap(&p, "sqt-none0", 0);
	CHECK_EQ(start_err(&p, err, sizeof(err)), -ENODEV);
	CHECK_STR_HAS(err, "no device \"sqt-none0\"");
	CHECK_STR_HAS(err, "`ip tuntap add sqt-none0 mode tap`");
	CHECK_STR_HAS(err, "tap_create");
	CHECK_EQ(if_nametoindex("sqt-none0"), 0);
}

/*
 * Run sqn_iface_start() in a child that first did @how; return its rc and
 * message. The child gets a private mount namespace with its own /dev/net.
 */
enum child_how { DEV_NET_EMPTY, DEV_NET_ROOT_ONLY, AS_NOBODY };

static int start_in_child(enum child_how how, const char *name, char *err,
			  size_t len)
{
	int pfd[2], status, rc = -9999;
	pid_t pid;
	ssize_t r;

	if (pipe2(pfd, O_CLOEXEC))
		return rc;
	pid = fork();
	if (pid == 0) {
		struct sqn_params p;
		struct sqn_iface *iface = NULL;
		char msg[256] = "";
		int crc = -9998;

		close(pfd[0]);
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("tmpfs", "/dev/net", "tmpfs", 0, "mode=0755"))
			goto out;
		if (how != DEV_NET_EMPTY) {
			mode_t m = how == AS_NOBODY ? 0666 : 0600;

			if (mknod("/dev/net/tun", S_IFCHR | m,
				  makedev(10, 200)) ||
			    chmod("/dev/net/tun", m))
				goto out;
		}
		if (how != DEV_NET_EMPTY &&
		    (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		     setresuid(65534, 65534, 65534)))
			goto out;
		params_tap(&p, name, SQN_ON);
		crc = sqn_iface_start(&p, &iface, msg, sizeof(msg));
		sqn_iface_free(iface);
	out:
		if (write(pfd[1], &crc, sizeof(crc)) < 0 ||
		    write(pfd[1], msg, sizeof(msg)) < 0)
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	if (pid > 0) {
		r = read(pfd[0], &rc, sizeof(rc));
		if (r == sizeof(rc) && read(pfd[0], err, len) <= 0)
			err[0] = '\0';
		err[len - 1] = '\0';
		waitpid(pid, &status, 0);
	}
	close(pfd[0]);
	printf("# child start %s: %d: %s\n", name, rc, err);
	return rc;
}

static void err_other_owner(void)
{
	char err[256];

	case_begin();
	ASSERT(mk_persistent("sqt-o0", IFF_TAP, 4242) == 0);
	CHECK_EQ(start_in_child(AS_NOBODY, "sqt-o0", err, sizeof(err)), -EPERM);
	CHECK_STR_HAS(err, "\"sqt-o0\" is owned by uid 4242");
	CHECK_STR_HAS(err, "uid 65534");
	CHECK_STR_HAS(err, "CAP_NET_ADMIN");
	/* and a missing device needs the capability to be created */
	CHECK_EQ(start_in_child(AS_NOBODY, "sqt-o1", err, sizeof(err)), -EPERM);
	CHECK_STR_HAS(err, "creating \"sqt-o1\" needs CAP_NET_ADMIN");
}

static void err_no_dev_net_tun(void)
{
	char err[256];

	case_begin();
	CHECK_EQ(start_in_child(DEV_NET_EMPTY, "sqt-n0", err, sizeof(err)),
		 -ENOENT);
	CHECK_STR_HAS(err, "/dev/net/tun is missing");
	CHECK_STR_HAS(err, "`modprobe tun`");
	CHECK_STR_HAS(err, "container");
	CHECK_EQ(if_nametoindex("sqt-n0"), 0);

	CHECK_EQ(start_in_child(DEV_NET_ROOT_ONLY, "sqt-n0", err, sizeof(err)),
		 -EACCES);
	CHECK_STR_HAS(err, "cannot open /dev/net/tun");
	CHECK_STR_HAS(err, "as uid 65534");
}

/* ---- (f) a frame bigger than the buffer: reported, then whole ---- */

static int is_udp7000(const uint8_t *b, uint32_t len)
{
	return len >= 42 && get16(b + 12) == 0x0800 && b[23] == 17 &&
	       get16(b + 36) == 7000;
}

static void emsgsize_then_whole(void)
{
	static uint8_t payload[8000], big[9100];
	uint8_t small[1514], small2[757];
	struct sockaddr_in dst = {.sin_family = AF_INET,
				  .sin_port = htons(7000)};
	struct sqn_frame f[2];
	int saw_small;
	struct sqn_iface *iface;
	struct sqn_stats st;
	double end;
	unsigned i;
	int s, n = 0, tries;

	case_begin();
	iface = start_tap("sqt-j0", 0, 0, 9000);
	ASSERT(iface);
	CHECK_EQ(sqn_iface_max_frame(iface), 9014);
	ASSERT(if_up_addr("sqt-j0", "10.0.0.1") == 0);
	ASSERT(static_arp("sqt-j0", "10.0.0.2", guest_mac) == 0);
	s = keep_fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	ASSERT(s >= 0);
	inet_pton(AF_INET, "10.0.0.2", &dst.sin_addr);
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 1);

	for (tries = 0; tries < 2; tries++) {
		/* tries 1: a small datagram first, in the same batch */
		if (tries == 1)
			ASSERT(sendto(s, payload, 100, 0,
				      (struct sockaddr *)&dst,
				      sizeof(dst)) == 100);
		ASSERT(sendto(s, payload, sizeof(payload), 0,
			      (struct sockaddr *)&dst,
			      sizeof(dst)) == sizeof(payload));
		ASSERT(wait_readable(sqn_iface_fd(iface), 2000));
		end = now_s() + 3;
		saw_small = 0;
		do {
			/* frame 1's buffer is too small for the jumbo one */
			f[0] = (struct sqn_frame){.data = small,
						  .cap = sizeof(small)};
			f[1] = (struct sqn_frame){.data = small2,
						  .cap = sizeof(small2)};
			n = sqn_iface_read(iface, f, 2);
			if (n >= 1 && is_udp7000(small, f[0].len)) {
				CHECK_EQ(f[0].len, 14 + 20 + 8 + 100);
				saw_small = 1;
			}
			if (n == 0)
				wait_readable(sqn_iface_fd(iface), 50);
		} while (n >= 0 && now_s() < end);
		ASSERT(n == -EMSGSIZE);
		CHECK_EQ(saw_small, tries);
		CHECK_EQ(f[0].len, 14 + 20 + 8 + 8000);
		/* still pending: asked again with a small buffer, same */
		f[0] = (struct sqn_frame){.data = small, .cap = sizeof(small)};
		CHECK_EQ(sqn_iface_read(iface, f, 1), -EMSGSIZE);
		CHECK_EQ(f[0].len, 8042);
		/* a buffer that fits: the frame, whole */
		memset(big, 0, sizeof(big));
		f[0] = (struct sqn_frame){.data = big, .cap = sizeof(big)};
		f[1] = (struct sqn_frame){.data = small, .cap = sizeof(small)};
		n = sqn_iface_read(iface, f, 2);
		ASSERT(n >= 1);
		CHECK_EQ(f[0].len, 8042);
		CHECK(is_udp7000(big, f[0].len));
		CHECK(!memcmp(big, guest_mac, 6));
		CHECK(!memcmp(big + 42, payload, sizeof(payload)));
	}
	sqn_iface_stats(iface, &st);
	CHECK_EQ(st.rx_errors, 0);
}

/* The same with offloads on: the header travels with the pending frame. */
static void emsgsize_offload(void)
{
	static uint8_t payload[8000], big[SQN_FRAME_MAX];
	uint8_t small[1514];
	struct sockaddr_in dst = {.sin_family = AF_INET,
				  .sin_port = htons(7000)};
	struct sqn_frame f;
	struct sqn_iface *iface;
	double end;
	int s, n;

	case_begin();
	iface = start_tap("sqt-j1", 0, SQN_ON, 9000);
	ASSERT(iface);
	CHECK_EQ(sqn_iface_max_frame(iface), 65535);
	ASSERT(if_up_addr("sqt-j1", "10.0.0.1") == 0);
	ASSERT(static_arp("sqt-j1", "10.0.0.2", guest_mac) == 0);
	s = keep_fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	ASSERT(s >= 0);
	inet_pton(AF_INET, "10.0.0.2", &dst.sin_addr);
	memset(payload, 0x5a, sizeof(payload));
	ASSERT(sendto(s, payload, sizeof(payload), 0, (struct sockaddr *)&dst,
		      sizeof(dst)) == sizeof(payload));
	end = now_s() + 3;
	do {
		f = (struct sqn_frame){.data = small, .cap = sizeof(small)};
		n = sqn_iface_read(iface, &f, 1);
		if (n == 0)
			wait_readable(sqn_iface_fd(iface), 50);
	} while (n >= 0 && now_s() < end);
	ASSERT(n == -EMSGSIZE);
	CHECK_EQ(f.len, 8042);
	f = (struct sqn_frame){.data = big, .cap = sizeof(big)};
	memset(&f.vnet, 0xee, sizeof(f.vnet));
	ASSERT(sqn_iface_read(iface, &f, 1) == 1);
	CHECK_EQ(f.len, 8042);
	CHECK(is_udp7000(big, f.len));
	/* UDP with checksum offload: partial checksum at the UDP header */
	CHECK_EQ(f.vnet.gso_type, 0);
	CHECK(f.vnet.flags == 0 || f.vnet.flags == 1);
	if (f.vnet.flags == 1) {
		CHECK_EQ(f.vnet.csum_start, 34);
		CHECK_EQ(f.vnet.csum_offset, 6);
	}
	CHECK_EQ(f.vnet.num_buffers, 0);
	CHECK(!memcmp(big + 42, payload, sizeof(payload)));
}

static const struct check_case cases[] = {
	CASE(create_mode),
	CASE(attach_mode),
	CASE(frames_arp_icmp),
	CASE(relay_tcp_10mib_plain),
	CASE(relay_tcp_10mib_offload),
	CASE(offload_csum_without_tso),
	CASE(offload_csum_tso4),
	CASE(offload_tso6_only_on_ipv4),
	CASE(offload_tso_without_csum),
	CASE(multiqueue_spreads),
	CASE(err_name_too_long),
	CASE(err_not_a_tap),
	CASE(err_busy_and_queues),
	CASE(err_missing_device),
	CASE(err_other_owner),
	CASE(err_no_dev_net_tun),
	CASE(emsgsize_then_whole),
	CASE(emsgsize_offload),
};

int main(void)
{
	int rc;

	if (geteuid() != 0)
		no_root_why = "needs root (TAP devices, network namespaces)";
	else if (access("/dev/net/tun", F_OK))
		no_root_why = "no /dev/net/tun on this host";
	else if (unshare(CLONE_NEWNET))
		no_root_why = "cannot create a network namespace";
	rc = check_main(cases, sizeof(cases) / sizeof(cases[0]));
	reset();
	return rc;
}
