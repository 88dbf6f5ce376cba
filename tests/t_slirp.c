/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_slirp.c - the slirp backend through the public API: DHCP, ARP, ICMP and
 *	       TCP against the real libslirp, restriction, port forwards,
 *	       custom networks, RX queue limits, and no fd left behind
 *
 * The test plays the guest: it writes hand-built frames and waits for the
 * answers by polling sqn_iface_fd() with sqn_iface_timeout_ms(), answering
 * libslirp's ARP requests for the guest address on the way. Host traffic
 * goes only to 127.0.0.1.
 */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "res.h"
#include "dhcp.h"
#include "netframes.h"
#include "squibnet.h"

static const uint8_t gmac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static uint8_t rxbuf[SQN_BATCH][65536];

#define GUEST NF_IP(10, 0, 2, 15)
#define GATEWAY NF_IP(10, 0, 2, 2)
#define DNS NF_IP(10, 0, 2, 3)

/**
 * struct waiter - one frame a test waits for
 * @iface:	the interface
 * @guest_ip:	the guest's address (ARP requests for it are answered)
 * @pkt:	gets the matching frame, parsed
 * @frame:	gets its bytes
 * @len:	its length
 */
struct waiter {
	struct sqn_iface *iface;
	uint32_t guest_ip;
	struct nf_pkt pkt;
	uint8_t frame[65536];
	size_t len;
};

static struct waiter w;

typedef bool (*match_fn)(const struct nf_pkt *p, const void *arg);

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_frame(struct sqn_iface *iface, const uint8_t *buf, size_t len)
{
	struct sqn_frame f = {.data = (void *)buf, .len = (uint32_t)len};

	return sqn_iface_write(iface, &f, 1);
}

/* Wait up to @ms for a frame @m accepts; answer ARP for the guest. */
static bool wait_for(struct waiter *wt, match_fn m, const void *arg, int ms)
{
	int64_t end = mono_ms() + ms;
	struct sqn_frame f[SQN_BATCH];
	int i, n, t;

	for (;;) {
		for (i = 0; i < SQN_BATCH; i++)
			f[i] = (struct sqn_frame){.data = rxbuf[i],
						  .cap = sizeof(rxbuf[i])};
		n = sqn_iface_read(wt->iface, f, SQN_BATCH);
		if (n < 0) {
			printf("# read: %d\n", n);
			return false;
		}
		for (i = 0; i < n; i++) {
			struct nf_pkt p;
			uint8_t reply[NF_FRAME_MAX];

			if (nf_parse(f[i].data, f[i].len, &p))
				continue;
			if (p.ethertype == NF_ETH_ARP && p.arp_op == 1 &&
			    p.arp_tip == wt->guest_ip) {
				size_t len = nf_arp(reply, 2, gmac, p.arp_tip,
						    p.arp_sha, p.arp_sip);

				send_frame(wt->iface, reply, len);
				continue;
			}
			if (m(&p, arg)) {
				memcpy(wt->frame, f[i].data, f[i].len);
				wt->len = f[i].len;
				nf_parse(wt->frame, wt->len, &wt->pkt);
				return true;
			}
		}
		if (n == SQN_BATCH)
			continue;
		t = (int)(end - mono_ms());
		if (t <= 0)
			return false;
		{
			int to = sqn_iface_timeout_ms(wt->iface);
			struct pollfd pfd = {.fd = sqn_iface_fd(wt->iface),
					     .events = POLLIN};

			if (to >= 0 && to < t)
				t = to;
			poll(&pfd, 1, t);
		}
	}
}

static struct sqn_iface *start(struct sqn_params *p)
{
	struct sqn_iface *iface = NULL;
	char err[256];
	int rc;

	p->iface_id = "sl0";
	p->mode = SQN_MODE_SLIRP;
	memcpy(p->guest_mac, gmac, 6);
	rc = sqn_iface_start(p, &iface, err, sizeof(err));
	if (rc)
		printf("# start: %d: %s\n", rc, err);
	w.iface = iface;
	w.guest_ip = GUEST;
	return iface;
}

static struct sqn_iface *start_default(void)
{
	struct sqn_params p;

	sqn_params_init(&p);
	return start(&p);
}

/* a TCP listener on 127.0.0.1, ephemeral port */
static int listen_lo(uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 8) ||
	    getsockname(s, (struct sockaddr *)&a, &al)) {
		close(s);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return s;
}

/* a port that was free a moment ago */
static uint16_t free_port(void)
{
	uint16_t port = 0;
	int s = listen_lo(&port);

	if (s >= 0)
		close(s);
	return port;
}

static bool is_dhcp_reply(const struct nf_pkt *p, const void *arg)
{
	(void)arg;
	return p->ethertype == NF_ETH_IPV4 && p->ip_proto == NF_PROTO_UDP &&
	       p->sport == 67 && p->dport == 68;
}

static bool is_arp_reply(const struct nf_pkt *p, const void *arg)
{
	const uint32_t *ip = arg;

	return p->ethertype == NF_ETH_ARP && p->arp_op == 2 &&
	       p->arp_sip == *ip;
}

static bool is_echo_reply(const struct nf_pkt *p, const void *arg)
{
	const uint16_t *seq = arg;

	return p->ethertype == NF_ETH_IPV4 && p->ip_proto == NF_PROTO_ICMP &&
	       p->icmp_type == 0 && p->icmp_seq == *seq;
}

struct tcp_match {
	uint16_t sport;
	uint16_t dport;
};

static bool is_tcp(const struct nf_pkt *p, const void *arg)
{
	const struct tcp_match *m = arg;

	return p->ethertype == NF_ETH_IPV4 && p->ip_proto == NF_PROTO_TCP &&
	       (!m->sport || p->sport == m->sport) &&
	       (!m->dport || p->dport == m->dport);
}

/* DHCP DISCOVER; returns the parsed OFFER (or other answer) to it */
static bool dhcp_discover(struct sqn_iface *iface, struct dhcp_lease *d)
{
	uint8_t buf[NF_FRAME_MAX];
	size_t len = dhcp_build(buf, sizeof(buf), DHCP_DISCOVER, gmac,
				0x1234abcd, 0, 0);

	if (send_frame(iface, buf, len) != 1)
		return false;
	if (!wait_for(&w, is_dhcp_reply, NULL, 3000))
		return false;
	/* an answer to another transaction id is -ENOMSG */
	return dhcp_parse(w.frame, w.len, 0x1234abcd, d) > 0;
}

/* ARP request from the guest for @ip; returns true on a reply */
static bool arp_for(struct sqn_iface *iface, uint32_t sip, uint32_t ip)
{
	uint8_t buf[NF_FRAME_MAX];
	size_t len = nf_arp(buf, 1, gmac, sip, NULL, ip);

	send_frame(iface, buf, len);
	return wait_for(&w, is_arp_reply, &ip, 2000);
}

/* guest SYN to @dip:@dport from @sport; returns true on a matching frame */
static bool syn_to(struct sqn_iface *iface, uint32_t dip, uint16_t sport,
		   uint16_t dport, int ms)
{
	uint8_t buf[NF_FRAME_MAX], hmac[6];
	struct tcp_match m = {.sport = dport, .dport = sport};
	size_t len;

	sqn_iface_host_mac(iface, hmac);
	len = nf_tcp(buf, gmac, hmac, GUEST, dip, sport, dport, 1000, 0,
		     NF_TCP_SYN, 65535, NULL, 0);
	send_frame(iface, buf, len);
	return wait_for(&w, is_tcp, &m, ms);
}

static void dhcp_offer_default(void)
{
	struct sqn_iface *iface = start_default();
	uint8_t hmac[6];
	struct dhcp_lease d;
	char why[128];

	ASSERT(iface);
	CHECK_EQ(sqn_iface_mode(iface), SQN_MODE_SLIRP);
	CHECK_EQ(sqn_iface_mtu(iface), 1500);
	CHECK_EQ(sqn_iface_max_frame(iface), 1514);
	CHECK_EQ(sqn_iface_link(iface, why, sizeof(why)), 1);
	CHECK_STR_HAS(why, "libslirp");
	sqn_iface_host_mac(iface, hmac);
	CHECK(!memcmp(hmac, "\x52\x55\x0a\x00\x02\x02", 6));
	{
		int t = sqn_iface_timeout_ms(iface);

		CHECK(t >= 0 && t <= 1000);
	}

	ASSERT(dhcp_discover(iface, &d));
	CHECK(w.pkt.ip_csum_ok);
	CHECK(w.pkt.l4_csum_ok);
	CHECK(!memcmp(w.pkt.src, hmac, 6));
	CHECK_EQ(w.pkt.payload[0], 2); /* BOOTREPLY */
	CHECK_EQ(d.type, DHCP_OFFER);
	CHECK_EQ(d.yiaddr, GUEST);
	CHECK_EQ(d.server_id, GATEWAY);
	CHECK_EQ(d.router, GATEWAY);
	CHECK_EQ(d.dns[0], DNS);
	CHECK_EQ(d.netmask, NF_IP(255, 255, 255, 0));
	CHECK(!memcmp(w.pkt.payload + 28, gmac, 6)); /* chaddr */
	CHECK(d.lease_s > 0);

	/* REQUEST -> ACK for the same address */
	{
		uint8_t buf[NF_FRAME_MAX];
		size_t len = dhcp_build(buf, sizeof(buf), DHCP_REQUEST, gmac,
					0x1234abce, GUEST, GATEWAY);

		ASSERT(send_frame(iface, buf, len) == 1);
		ASSERT(wait_for(&w, is_dhcp_reply, NULL, 3000));
		ASSERT(dhcp_parse(w.frame, w.len, 0x1234abce, &d) > 0);
		CHECK_EQ(d.type, DHCP_ACK);
		CHECK_EQ(d.yiaddr, GUEST);
	}
	sqn_iface_free(iface);
}

static void arp_gateway_and_dns(void)
{
	struct sqn_iface *iface = start_default();
	uint8_t hmac[6];

	ASSERT(iface);
	sqn_iface_host_mac(iface, hmac);
	ASSERT(arp_for(iface, GUEST, GATEWAY));
	CHECK(!memcmp(w.pkt.arp_sha, hmac, 6));
	CHECK(!memcmp(w.pkt.arp_tha, gmac, 6));
	CHECK(!memcmp(w.pkt.dst, gmac, 6));
	CHECK_EQ(w.pkt.arp_tip, GUEST);

	ASSERT(arp_for(iface, GUEST, DNS));
	CHECK(!memcmp(w.pkt.arp_sha, "\x52\x55\x0a\x00\x02\x03", 6));

	/* nothing answers for an address no one has */
	{
		uint32_t other = NF_IP(10, 0, 2, 77);
		uint8_t buf[NF_FRAME_MAX];

		send_frame(iface, buf,
			   nf_arp(buf, 1, gmac, GUEST, NULL, other));
		CHECK(!wait_for(&w, is_arp_reply, &other, 200));
	}
	sqn_iface_free(iface);
}

static void icmp_echo_gateway(void)
{
	struct sqn_iface *iface = start_default();
	static const char data[] = "squib-net ping payload";
	uint8_t buf[NF_FRAME_MAX], hmac[6];
	uint16_t seq;

	ASSERT(iface);
	sqn_iface_host_mac(iface, hmac);
	for (seq = 1; seq <= 3; seq++) {
		size_t len = nf_icmp_echo(buf, gmac, hmac, GUEST, GATEWAY,
					  0x4242, seq, data, sizeof(data));

		ASSERT(send_frame(iface, buf, len) == 1);
		ASSERT(wait_for(&w, is_echo_reply, &seq, 2000));
		CHECK_EQ(w.pkt.ip_src, GATEWAY);
		CHECK_EQ(w.pkt.ip_dst, GUEST);
		CHECK_EQ(w.pkt.icmp_id, 0x4242);
		CHECK(w.pkt.l4_csum_ok);
		CHECK(w.pkt.ip_csum_ok);
		CHECK_EQ(w.pkt.plen, sizeof(data));
		CHECK(!memcmp(w.pkt.payload, data, sizeof(data)));
	}
	sqn_iface_free(iface);
}

static void tcp_syn_to_host_loopback(void)
{
	struct sqn_iface *iface = start_default();
	uint16_t port = 0;
	int ls = listen_lo(&port);

	ASSERT(ls >= 0);
	ASSERT(iface);
	ASSERT(syn_to(iface, GATEWAY, 40000, port, 3000));
	CHECK_EQ(w.pkt.tcp_flags & (NF_TCP_SYN | NF_TCP_ACK | NF_TCP_RST),
		 NF_TCP_SYN | NF_TCP_ACK);
	CHECK_EQ(w.pkt.tcp_ack, 1001);
	CHECK_EQ(w.pkt.ip_src, GATEWAY);
	CHECK_EQ(w.pkt.ip_dst, GUEST);
	CHECK(w.pkt.l4_csum_ok);

	/* a closed port: RST */
	{
		uint16_t closed = free_port();

		ASSERT(syn_to(iface, GATEWAY, 40001, closed, 3000));
		CHECK(w.pkt.tcp_flags & NF_TCP_RST);
	}
	sqn_iface_free(iface);
	close(ls);
}

/* restrict: no outbound connection, but a forward reaches the guest */
static void restrict_blocks_outbound_forward_works(void)
{
	char fwd[64];
	const char *fwds[1] = {fwd};
	struct sqn_params p;
	struct sqn_iface *iface = NULL;
	uint16_t port = 0, hport = 0;
	int ls = listen_lo(&port), c = -1, tries;

	ASSERT(ls >= 0);
	for (tries = 0; tries < 5 && !iface; tries++) {
		hport = free_port();
		snprintf(fwd, sizeof(fwd), "tcp::%u-:8080", hport);
		sqn_params_init(&p);
		p.slirp_restrict = SQN_ON;
		p.forwards = fwds;
		p.n_forwards = 1;
		iface = start(&p);
	}
	ASSERT(iface);

	/* outbound SYN: no SYN-ACK (a RST, or nothing) */
	if (syn_to(iface, GATEWAY, 40002, port, 700))
		CHECK(!(w.pkt.tcp_flags & NF_TCP_SYN));
	{
		struct pollfd pfd = {.fd = ls, .events = POLLIN};

		CHECK_EQ(poll(&pfd, 1, 0), 0); /* nothing reached the host */
	}

	/* the forward listens on 127.0.0.1 only, and delivers a SYN */
	{
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_port = htons(hport),
					.sin_addr.s_addr =
						htonl(INADDR_LOOPBACK)};
		struct tcp_match m = {.dport = 8080};

		c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			   0);
		ASSERT(c >= 0);
		connect(c, (struct sockaddr *)&a, sizeof(a));
		ASSERT(wait_for(&w, is_tcp, &m, 3000));
		CHECK_EQ(w.pkt.tcp_flags & (NF_TCP_SYN | NF_TCP_ACK),
			 NF_TCP_SYN);
		CHECK_EQ(w.pkt.ip_dst, GUEST);
		CHECK(!memcmp(w.pkt.dst, gmac, 6));
	}
	{
		char line[256], lo[64], any[64];
		FILE *f = fopen("/proc/net/tcp", "r");
		bool on_lo = false, on_any = false;

		ASSERT(f);
		snprintf(lo, sizeof(lo), "0100007F:%04X 00000000:0000 0A",
			 hport);
		snprintf(any, sizeof(any), "00000000:%04X 00000000:0000 0A",
			 hport);
		while (fgets(line, sizeof(line), f)) {
			on_lo |= strstr(line, lo) != NULL;
			on_any |= strstr(line, any) != NULL;
		}
		fclose(f);
		CHECK(on_lo);
		CHECK(!on_any);
	}
	sqn_iface_free(iface);
	close(c);
	close(ls);
}

static void custom_network_in_offer(void)
{
	static const char *const search[] = {"example.test", "corp.example"};
	struct sqn_params p;
	struct sqn_iface *iface;
	struct dhcp_lease d;
	uint8_t hmac[6];

	sqn_params_init(&p);
	p.slirp_net = "192.168.77.0/24";
	p.slirp_dns_search = search;
	p.n_slirp_dns_search = 2;
	p.mtu = 9000;
	iface = start(&p);
	ASSERT(iface);
	w.guest_ip = NF_IP(192, 168, 77, 15);
	CHECK_EQ(sqn_iface_mtu(iface), 9000);
	CHECK_EQ(sqn_iface_max_frame(iface), 9014);
	sqn_iface_host_mac(iface, hmac);
	CHECK(!memcmp(hmac, "\x52\x55\xc0\xa8\x4d\x02", 6));
	ASSERT(dhcp_discover(iface, &d));
	CHECK_EQ(d.type, DHCP_OFFER);
	CHECK_EQ(d.yiaddr, NF_IP(192, 168, 77, 15));
	CHECK_EQ(d.router, NF_IP(192, 168, 77, 2));
	CHECK_EQ(d.server_id, NF_IP(192, 168, 77, 2));
	CHECK_EQ(d.dns[0], NF_IP(192, 168, 77, 3));
	CHECK(d.search_len > 0);
	CHECK(memmem(d.search, d.search_len,
		     "\x07"
		     "example\x04test",
		     13) != NULL);
	CHECK(memmem(d.search, d.search_len,
		     "\x04"
		     "corp",
		     5) != NULL);
	sqn_iface_free(iface);

	/* explicit addresses */
	sqn_params_init(&p);
	p.slirp_net = "172.16.0.0/16";
	p.slirp_host = "172.16.0.1";
	p.slirp_dns = "172.16.0.53";
	p.slirp_dhcp_start = "172.16.5.100";
	iface = start(&p);
	ASSERT(iface);
	w.guest_ip = NF_IP(172, 16, 5, 100);
	ASSERT(dhcp_discover(iface, &d));
	CHECK_EQ(d.yiaddr, NF_IP(172, 16, 5, 100));
	CHECK_EQ(d.router, NF_IP(172, 16, 0, 1));
	CHECK_EQ(d.dns[0], NF_IP(172, 16, 0, 53));
	CHECK_EQ(d.netmask, NF_IP(255, 255, 0, 0));
	sqn_iface_free(iface);
}

static void bad_options_refused(void)
{
	static const char *const bad_fwd[] = {"tcp::0-:80"};
	static const char *const bad_search[] = {"bad domain"};
	struct sqn_params p;
	struct sqn_iface *iface = (void *)1;
	char err[256];
	int before = res_fds();

	sqn_params_init(&p);
	p.iface_id = "sl0";
	p.mode = SQN_MODE_SLIRP;
	p.slirp_net = "10.0.2.0";
	CHECK_EQ(sqn_iface_start(&p, &iface, err, sizeof(err)), -EINVAL);
	CHECK(iface == NULL);
	CHECK_STR_HAS(err, "slirp_net \"10.0.2.0\"");

	p.slirp_net = NULL;
	p.forwards = bad_fwd;
	p.n_forwards = 1;
	CHECK_EQ(sqn_iface_start(&p, &iface, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "host port 0 is out of range");

	p.n_forwards = 0;
	p.slirp_dns_search = bad_search;
	p.n_slirp_dns_search = 1;
	CHECK_EQ(sqn_iface_start(&p, &iface, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "bad domain");

	p.n_slirp_dns_search = 0;
	p.mtu = 65535;
	CHECK_EQ(sqn_iface_start(&p, &iface, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "65521");

	p.mtu = 0;
	p.slirp_host = "10.0.2.3";
	CHECK_EQ(sqn_iface_start(&p, &iface, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "slirp_host and slirp_dns are both 10.0.2.3");
	CHECK_EQ(res_fds(), before);
}

static void forward_port_in_use(void)
{
	char fwd[64];
	const char *fwds[1] = {fwd};
	struct sqn_params p;
	struct sqn_iface *iface = NULL;
	uint16_t port = 0;
	int ls = listen_lo(&port), before;
	char err[256];

	ASSERT(ls >= 0);
	snprintf(fwd, sizeof(fwd), "tcp:127.0.0.1:%u-:22", port);
	before = res_fds();
	sqn_params_init(&p);
	p.iface_id = "sl0";
	p.mode = SQN_MODE_SLIRP;
	p.forwards = fwds;
	p.n_forwards = 1;
	CHECK(sqn_iface_start(&p, &iface, err, sizeof(err)) < 0);
	CHECK(iface == NULL);
	CHECK_STR_HAS(err, fwd);
	CHECK_STR_HAS(err, "cannot listen");
	CHECK_EQ(res_fds(), before);
	close(ls);
}

/* the ring keeps the newest frames and counts the rest */
static void rx_queue_drops_oldest(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sqn_frame f[SQN_BATCH];
	struct sqn_stats st;
	uint8_t buf[NF_FRAME_MAX];
	int i, n;

	sqn_params_init(&p);
	p.rx_queue_len = 4;
	iface = start(&p);
	ASSERT(iface);
	/* replies to ARP requests are made during write: they queue */
	for (i = 0; i < 10; i++) {
		size_t len = nf_arp(buf, 1, gmac, NF_IP(10, 0, 2, 100 + i),
				    NULL, GATEWAY);

		ASSERT(send_frame(iface, buf, len) == 1);
	}
	{
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};

		CHECK_EQ(poll(&pfd, 1, 0), 1);
	}
	sqn_iface_stats(iface, &st);
	CHECK_EQ(st.rx_dropped, 6);

	/* a buffer too small: -EMSGSIZE, the frame stays */
	f[0] = (struct sqn_frame){.data = rxbuf[0], .cap = 20};
	CHECK_EQ(sqn_iface_read(iface, f, 1), -EMSGSIZE);
	CHECK(f[0].len > 20);

	for (i = 0; i < SQN_BATCH; i++)
		f[i] = (struct sqn_frame){.data = rxbuf[i],
					  .cap = sizeof(rxbuf[i])};
	n = sqn_iface_read(iface, f, SQN_BATCH);
	CHECK_EQ(n, 4);
	for (i = 0; i < n && i < 4; i++) {
		struct nf_pkt pk;

		ASSERT(!nf_parse(f[i].data, f[i].len, &pk));
		CHECK_EQ(pk.arp_op, 2);
		CHECK_EQ(pk.arp_tip, NF_IP(10, 0, 2, 106 + i));
	}
	sqn_iface_stats(iface, &st);
	CHECK_EQ(st.rx_frames, 4);
	sqn_iface_free(iface);
}

/*
 * A pure ACK is held for the next read (its answer then goes straight to
 * the caller's buffers), and nothing overtakes it: after a write of a pure
 * ACK for a connection libslirp does not know, the fd is readable and a
 * read brings libslirp's RST; after one write of [pure ACK, ARP request],
 * the RST comes before the ARP reply.
 */
static void pure_ack_held_in_order(void)
{
	struct sqn_iface *iface = start_default();
	uint8_t buf[2][NF_FRAME_MAX], hmac[6];
	struct sqn_frame tx[2], f[SQN_BATCH];
	struct pollfd pfd = {.events = POLLIN};
	struct nf_pkt pk;
	int i, n, got = 0;

	ASSERT(iface);
	pfd.fd = sqn_iface_fd(iface);
	CHECK(arp_for(iface, GUEST, GATEWAY)); /* libslirp learns our MAC */
	sqn_iface_host_mac(iface, hmac);
	tx[0] = (struct sqn_frame){
		.data = buf[0],
		.len = (uint32_t)nf_tcp(buf[0], gmac, hmac, GUEST, GATEWAY,
					40001, 9, 1000, 2000, NF_TCP_ACK, 65535,
					NULL, 0)};
	CHECK_EQ(sqn_iface_write(iface, tx, 1), 1);
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	for (i = 0; i < SQN_BATCH; i++)
		f[i] = (struct sqn_frame){.data = rxbuf[i],
					  .cap = sizeof(rxbuf[i])};
	n = sqn_iface_read(iface, f, SQN_BATCH);
	for (i = 0; i < n; i++)
		if (!nf_parse(f[i].data, f[i].len, &pk) &&
		    pk.ip_proto == NF_PROTO_TCP && pk.dport == 40001 &&
		    (pk.tcp_flags & NF_TCP_RST))
			got++;
	CHECK_EQ(got, 1);

	tx[1] = (struct sqn_frame){
		.data = buf[1],
		.len = (uint32_t)nf_arp(buf[1], 1, gmac, GUEST, NULL, GATEWAY)};
	CHECK_EQ(sqn_iface_write(iface, tx, 2), 2);
	for (i = 0; i < SQN_BATCH; i++)
		f[i] = (struct sqn_frame){.data = rxbuf[i],
					  .cap = sizeof(rxbuf[i])};
	n = sqn_iface_read(iface, f, SQN_BATCH);
	ASSERT(n == 2);
	CHECK(!nf_parse(f[0].data, f[0].len, &pk) &&
	      pk.ip_proto == NF_PROTO_TCP && (pk.tcp_flags & NF_TCP_RST));
	CHECK(!nf_parse(f[1].data, f[1].len, &pk) &&
	      pk.ethertype == NF_ETH_ARP && pk.arp_op == 2);
	sqn_iface_free(iface);
}

/* stop with a host connection open: every fd is closed */
static void stop_with_connection_frees_fds(void)
{
	int before = res_fds(), ls, as = -1;
	struct sqn_iface *iface;
	uint16_t port = 0;
	uint8_t buf[NF_FRAME_MAX], hmac[6];
	uint32_t srv_seq;

	ls = listen_lo(&port);
	ASSERT(ls >= 0);
	iface = start_default();
	ASSERT(iface);
	sqn_iface_host_mac(iface, hmac);
	ASSERT(syn_to(iface, GATEWAY, 40003, port, 3000));
	ASSERT((w.pkt.tcp_flags & (NF_TCP_SYN | NF_TCP_ACK)) ==
	       (NF_TCP_SYN | NF_TCP_ACK));
	srv_seq = w.pkt.tcp_seq;
	send_frame(iface, buf,
		   nf_tcp(buf, gmac, hmac, GUEST, GATEWAY, 40003, port, 1001,
			  srv_seq + 1, NF_TCP_ACK, 65535, NULL, 0));
	send_frame(iface, buf,
		   nf_tcp(buf, gmac, hmac, GUEST, GATEWAY, 40003, port, 1001,
			  srv_seq + 1, NF_TCP_ACK | NF_TCP_PSH, 65535, "hello",
			  5));
	{
		struct pollfd pfd = {.fd = ls, .events = POLLIN};
		char got[8] = {0};
		int64_t end = mono_ms() + 2000;

		ASSERT(poll(&pfd, 1, 2000) == 1);
		as = accept(ls, NULL, NULL);
		ASSERT(as >= 0);
		/* the data arrives once libslirp has been serviced */
		while (mono_ms() < end) {
			struct pollfd ap = {.fd = as, .events = POLLIN};
			struct tcp_match m = {.sport = port};

			if (poll(&ap, 1, 0) == 1)
				break;
			wait_for(&w, is_tcp, &m, 50);
		}
		CHECK_EQ(recv(as, got, sizeof(got), MSG_DONTWAIT), 5);
		CHECK(!memcmp(got, "hello", 5));
	}
	sqn_iface_free(iface);
	close(as);
	close(ls);
	CHECK_EQ(res_fds(), before);
}

static void start_stop_cycles_no_fd_growth(void)
{
	int before = res_fds(), i;
	char fwd[64];
	const char *fwds[1] = {fwd};
	uint8_t buf[NF_FRAME_MAX];

	for (i = 0; i < 200; i++) {
		struct sqn_params p;
		struct sqn_iface *iface;
		struct sqn_frame f = {.data = rxbuf[0],
				      .cap = sizeof(rxbuf[0])};

		sqn_params_init(&p);
		snprintf(fwd, sizeof(fwd), "udp::%u-:53", free_port());
		p.forwards = fwds;
		p.n_forwards = 1;
		iface = start(&p);
		ASSERT(iface);
		send_frame(iface, buf,
			   nf_arp(buf, 1, gmac, GUEST, NULL, GATEWAY));
		CHECK_EQ(sqn_iface_read(iface, &f, 1), 1);
		sqn_iface_free(iface);
	}
	CHECK_EQ(res_fds(), before);
}

struct pinger {
	struct sqn_iface *iface;
	int sent;
};

static void *ping_writer(void *arg)
{
	struct pinger *pg = arg;
	uint8_t buf[NF_FRAME_MAX], hmac[6];
	int i;

	sqn_iface_host_mac(pg->iface, hmac);
	for (i = 0; i < 200; i++) {
		size_t len = nf_icmp_echo(buf, gmac, hmac, GUEST, GATEWAY, 7,
					  (uint16_t)i, "x", 1);

		if (send_frame(pg->iface, buf, len) == 1)
			pg->sent++;
		if (i % 16 == 0)
			usleep(1000);
	}
	return NULL;
}

/* one reader and one writer thread at once: every echo comes back */
static void reader_writer_threads(void)
{
	struct sqn_iface *iface = start_default();
	struct pinger pg = {.iface = iface};
	struct sqn_frame f[SQN_BATCH];
	int64_t end;
	pthread_t t;
	int got = 0, i, n;

	ASSERT(iface);
	ASSERT(arp_for(iface, GUEST, GATEWAY));
	ASSERT(!pthread_create(&t, NULL, ping_writer, &pg));
	end = mono_ms() + 5000;
	while (got < 200 && mono_ms() < end) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};

		poll(&pfd, 1, 50);
		for (i = 0; i < SQN_BATCH; i++)
			f[i] = (struct sqn_frame){.data = rxbuf[i],
						  .cap = sizeof(rxbuf[i])};
		n = sqn_iface_read(iface, f, SQN_BATCH);
		for (i = 0; i < n; i++) {
			struct nf_pkt pk;

			if (!nf_parse(f[i].data, f[i].len, &pk) &&
			    pk.ip_proto == NF_PROTO_ICMP && pk.icmp_type == 0)
				got++;
		}
	}
	pthread_join(t, NULL);
	CHECK_EQ(pg.sent, 200);
	CHECK_EQ(got, 200);
	sqn_iface_free(iface);
}

/* ---- SIGPIPE: libslirp writing to a host socket whose peer is gone ---- */

static volatile sig_atomic_t pipes;

static void on_pipe(int sig)
{
	(void)sig;
	pipes++;
}

/**
 * struct flag_match - a TCP frame of one flow to the guest with a flag
 * @sport:	its source port (the host listener's)
 * @dport:	its destination port (the guest's)
 * @any:	flags, any of which matches
 */
struct flag_match {
	uint16_t sport, dport;
	uint8_t any;
};

static bool is_tcp_flag(const struct nf_pkt *p, const void *arg)
{
	const struct flag_match *m = arg;

	return p->ethertype == NF_ETH_IPV4 && p->ip_proto == NF_PROTO_TCP &&
	       p->sport == m->sport && p->dport == m->dport &&
	       (p->tcp_flags & m->any);
}

/**
 * peer_gone() - a guest connection to a host listener that accepts and
 *		 closes at once, after which the guest goes on sending: once
 *		 the host's kernel has answered with RST, libslirp's send()
 *		 to that socket fails with EPIPE, which raises SIGPIPE
 * @iface:	a slirp interface
 * @sport:	the guest's port (a new one per call)
 * @sent:	gets the number of data segments the guest sent
 *
 * Return: true when the gateway tore the connection down (an RST to the
 * guest), false if it did not within 50 segments
 */
static bool peer_gone(struct sqn_iface *iface, uint16_t sport, unsigned *sent)
{
	uint8_t buf[NF_FRAME_MAX], hmac[6], data[512];
	struct flag_match fin, rst;
	uint32_t srv_seq, seq = 1001;
	uint16_t port = 0;
	int ls, as;
	bool down = false;
	unsigned i;

	*sent = 0;
	memset(data, 'p', sizeof(data));
	ls = listen_lo(&port);
	if (ls < 0)
		return false;
	sqn_iface_host_mac(iface, hmac);
	if (!syn_to(iface, GATEWAY, sport, port, 3000) ||
	    (w.pkt.tcp_flags & (NF_TCP_SYN | NF_TCP_ACK)) !=
		    (NF_TCP_SYN | NF_TCP_ACK))
		goto out;
	srv_seq = w.pkt.tcp_seq;
	send_frame(iface, buf,
		   nf_tcp(buf, gmac, hmac, GUEST, GATEWAY, sport, port, seq,
			  srv_seq + 1, NF_TCP_ACK, 65535, NULL, 0));
	{
		struct pollfd pfd = {.fd = ls, .events = POLLIN};

		if (poll(&pfd, 1, 2000) != 1)
			goto out;
	}
	as = accept(ls, NULL, NULL);
	if (as < 0)
		goto out;
	close(as);
	/* libslirp sees the host's FIN and passes it on */
	fin = (struct flag_match){
		.sport = port, .dport = sport, .any = NF_TCP_FIN};
	if (!wait_for(&w, is_tcp_flag, &fin, 2000))
		printf("# no FIN from the gateway\n");
	rst = (struct flag_match){
		.sport = port, .dport = sport, .any = NF_TCP_RST};
	for (i = 0; i < 50 && !down; i++) {
		send_frame(iface, buf,
			   nf_tcp(buf, gmac, hmac, GUEST, GATEWAY, sport, port,
				  seq, srv_seq + 2, NF_TCP_ACK | NF_TCP_PSH,
				  65535, data, sizeof(data)));
		seq += sizeof(data);
		(*sent)++;
		down = wait_for(&w, is_tcp_flag, &rst, 20);
	}
out:
	close(ls);
	return down;
}

/*
 * The library's SIGPIPE guard: with SIGPIPE at its default action, a
 * libslirp send() to a host socket whose peer is gone must not kill the
 * process. First the same traffic with a handler installed (the guard is
 * off then) proves it does raise SIGPIPE; then, in a child with SIGPIPE at
 * SIG_DFL, it must survive, see the connection torn down, and be left with
 * SIGPIPE neither pending nor blocked.
 */
static void sigpipe_default_survives(void)
{
	struct sigaction sa = {.sa_handler = on_pipe}, old;
	struct sqn_iface *iface;
	unsigned sent = 0;
	int status = 0;
	pid_t pid;

	sigemptyset(&sa.sa_mask);
	ASSERT(!sigaction(SIGPIPE, &sa, &old));
	pipes = 0;
	iface = start_default();
	ASSERT(iface);
	CHECK(peer_gone(iface, 41000, &sent));
	sqn_iface_free(iface);
	ASSERT(!sigaction(SIGPIPE, &old, NULL));
	printf("# with a handler: %d SIGPIPE raised by libslirp, RST to the "
	       "guest after %u data segments\n",
	       (int)pipes, sent);
	CHECK(pipes >= 1);

	fflush(stdout);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		sigset_t cur, pend;
		int rc = 0;

		signal(SIGPIPE, SIG_DFL);
		iface = start_default();
		if (!iface)
			_exit(10);
		if (!peer_gone(iface, 41001, &sent))
			rc = 11; /* not torn down */
		sqn_iface_free(iface);
		pthread_sigmask(SIG_BLOCK, NULL, &cur);
		sigpending(&pend);
		if (sigismember(&cur, SIGPIPE))
			rc = 12; /* the guard left SIGPIPE blocked */
		else if (sigismember(&pend, SIGPIPE))
			rc = 13;
		printf("# SIG_DFL: alive, RST to the guest after %u data "
		       "segments\n",
		       sent);
		fflush(stdout);
		_exit(rc);
	}
	ASSERT(waitpid(pid, &status, 0) == pid);
	if (WIFSIGNALED(status))
		printf("# the child died of signal %d (%s)\n", WTERMSIG(status),
		       strsignal(WTERMSIG(status)));
	CHECK(WIFEXITED(status));
	if (WIFEXITED(status) && WEXITSTATUS(status))
		printf("# the child exited %d (10 no start, 11 not torn down, "
		       "12 SIGPIPE left blocked, 13 left pending)\n",
		       WEXITSTATUS(status));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static const struct check_case cases[] = {
	CASE(dhcp_offer_default),
	CASE(arp_gateway_and_dns),
	CASE(icmp_echo_gateway),
	CASE(tcp_syn_to_host_loopback),
	CASE(restrict_blocks_outbound_forward_works),
	CASE(custom_network_in_offer),
	CASE(bad_options_refused),
	CASE(forward_port_in_use),
	CASE(rx_queue_drops_oldest),
	CASE(pure_ack_held_in_order),
	CASE(stop_with_connection_frees_fds),
	CASE(start_stop_cycles_no_fd_growth),
	CASE(reader_writer_threads),
	CASE(sigpipe_default_survives),
};

CHECK_MAIN(cases)
