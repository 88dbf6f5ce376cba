/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fd_guest.c - a test "guest" that speaks Ethernet frames on an inherited
 *		datagram socket, as a VMM given `squib-net run --guest-fd N`
 *		would
 *
 * Usage: fd_guest N net [EXPECT_ADDR]   DHCP, ARP for the router, ping it
 *	  fd_guest N static ADDR ROUTER  the same with a static address
 *	  fd_guest N echo                frames come back byte-exact
 *					  (loopback mode)
 *	  fd_guest N burst COUNT         COUNT frames of 1514 bytes, sent as
 *					  fast as the socket takes them, all
 *					  come back in order (loopback mode)
 *	  fd_guest N oversize COUNT      COUNT frames of 2000 bytes, larger
 *					  than an MTU of 1500 allows, then a
 *					  1514-byte one that comes back
 *					  (loopback mode)
 *
 * First it checks what it inherited: fd N is a SOCK_DGRAM socket, and no
 * fd but 0, 1, 2 and N is open. Then "net" asks for an address by DHCP
 * (DISCOVER, OFFER, REQUEST, ACK; EXPECT_ADDR, if given, must be the one
 * offered), resolves the router by ARP and sends it three ICMP echo
 * requests, answering ARP for its own address meanwhile; "echo" sends frames
 * of 60, 1000 and 1514 bytes and waits for each to come back unchanged.
 * Every step prints one line (the first: "mac: " and its own MAC); the exit
 * status is 0 only if all succeeded.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dhcp.h"
#include "netframes.h"

#define GUEST_TIMEOUT_MS 10000
#define BUF_MAX 65536
#define BURST_WINDOW 64

static int guest_fd;
static uint8_t guest_mac[6] = {0x06, 0x00, 0xfd, 0x00, 0x00, 0x00};
static uint32_t guest_ip;
static unsigned long long frames_in, frames_out;

/**
 * now_ms() - monotonic milliseconds
 *
 * Return: the time
 */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * send_frame() - one frame, one datagram
 * @f:		the frame
 * @len:	its length
 *
 * Return: 0 or -1
 */
static int send_frame(const uint8_t *f, size_t len)
{
	ssize_t n = send(guest_fd, f, len, 0);

	if (n != (ssize_t)len) {
		printf("send of %zu bytes: %s\n", len,
		       n < 0 ? strerror(errno) : "short");
		return -1;
	}
	frames_out++;
	return 0;
}

/**
 * answer_arp() - reply to an ARP request for our address
 * @p:	a parsed frame
 *
 * Return: true if @p was one (and was answered)
 */
static bool answer_arp(const struct nf_pkt *p)
{
	uint8_t out[NF_FRAME_MAX];

	if (p->ethertype != NF_ETH_ARP || p->arp_op != 1 || !guest_ip ||
	    p->arp_tip != guest_ip)
		return false;
	send_frame(out,
		   nf_arp(out, 2, guest_mac, guest_ip, p->arp_sha, p->arp_sip));
	return true;
}

/**
 * recv_frame() - the next frame, within @deadline
 * @buf:	BUF_MAX bytes
 * @deadline:	now_ms() to give up at
 *
 * Return: its length, 0 at the deadline, -1 on an error
 */
static ssize_t recv_frame(uint8_t *buf, long long deadline)
{
	for (;;) {
		struct pollfd pfd = {.fd = guest_fd, .events = POLLIN};
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			return 0;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return -1;
		if (!(pfd.revents & POLLIN))
			continue;
		n = recv(guest_fd, buf, BUF_MAX, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n >= 0)
			frames_in++;
		return n;
	}
}

/**
 * check_inherited() - fd N is a datagram socket, and the only extra fd
 *
 * Return: 0 or -1
 */
static int check_inherited(void)
{
	int type = 0, fd, rc = 0;
	socklen_t len = sizeof(type);
	char extra[256] = "";

	if (getsockopt(guest_fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
		printf("fd %d: not a socket: %s\n", guest_fd, strerror(errno));
		return -1;
	}
	printf("fd %d: %s socket\n", guest_fd,
	       type == SOCK_DGRAM ? "SOCK_DGRAM" : "not a SOCK_DGRAM");
	if (type != SOCK_DGRAM)
		rc = -1;
	for (fd = 3; fd < 1024; fd++)
		if (fd != guest_fd && fcntl(fd, F_GETFD) >= 0) {
			size_t l = strlen(extra);

			snprintf(extra + l, sizeof(extra) - l, " %d", fd);
			rc = -1;
		}
	printf("inherited fds besides 0 1 2 %d:%s\n", guest_fd,
	       *extra ? extra : " none");
	return rc;
}

/**
 * dhcp() - get an address
 * @buf:	BUF_MAX bytes
 * @router:	gets option 3
 *
 * Return: 0 or -1
 */
static int dhcp(uint8_t *buf, uint32_t *router)
{
	uint8_t out[NF_FRAME_MAX];
	long long deadline = now_ms() + GUEST_TIMEOUT_MS, resend = 0;
	uint32_t xid = (uint32_t)getpid() * 2654435761u, offered = 0,
		 server = 0, mask = 0;
	int type = DHCP_DISCOVER, got;
	char a[16], r[16];

	while (now_ms() < deadline) {
		struct dhcp_lease d;
		ssize_t n;

		if (now_ms() >= resend) {
			if (send_frame(out, dhcp_build(out, sizeof(out), type,
						       guest_mac, xid, offered,
						       server)))
				return -1;
			resend = now_ms() + 1000;
		}
		n = recv_frame(buf, resend < deadline ? resend : deadline);
		if (n < 0)
			return -1;
		got = n ? dhcp_parse(buf, (size_t)n, xid, &d) : -ENOMSG;
		if (got == DHCP_OFFER && type == DHCP_DISCOVER) {
			offered = d.yiaddr;
			server = d.server_id;
			type = DHCP_REQUEST;
			resend = 0;
		} else if (got == DHCP_ACK && type == DHCP_REQUEST) {
			guest_ip = d.yiaddr;
			*router = d.router;
			mask = d.netmask;
			break;
		} else if (got == DHCP_NAK) {
			printf("dhcp: NAK\n");
			return -1;
		}
	}
	if (!guest_ip) {
		printf("dhcp: no %s within %d ms\n",
		       type == DHCP_DISCOVER ? "offer" : "ack",
		       GUEST_TIMEOUT_MS);
		return -1;
	}
	inet_ntop(AF_INET, &guest_ip, a, sizeof(a));
	inet_ntop(AF_INET, router, r, sizeof(r));
	printf("dhcp: %s/%d router %s\n", a, __builtin_popcount(mask), r);
	return *router ? 0 : -1;
}

/**
 * arp() - resolve an address
 * @buf:	BUF_MAX bytes
 * @ip:		the address
 * @mac:	gets its MAC
 *
 * Return: 0 or -1
 */
static int arp(uint8_t *buf, uint32_t ip, uint8_t mac[6])
{
	static const uint8_t zero[6];
	uint8_t out[NF_FRAME_MAX];
	long long deadline = now_ms() + GUEST_TIMEOUT_MS, resend = 0;
	char a[16];

	inet_ntop(AF_INET, &ip, a, sizeof(a));
	while (now_ms() < deadline) {
		struct nf_pkt p;
		ssize_t n;

		if (now_ms() >= resend) {
			send_frame(out, nf_arp(out, 1, guest_mac, guest_ip,
					       zero, ip));
			resend = now_ms() + 1000;
		}
		n = recv_frame(buf, resend < deadline ? resend : deadline);
		if (n < 0)
			return -1;
		if (n == 0 || nf_parse(buf, (size_t)n, &p) || answer_arp(&p))
			continue;
		if (p.ethertype == NF_ETH_ARP && p.arp_op == 2 &&
		    p.arp_sip == ip && !memcmp(p.dst, guest_mac, 6)) {
			char m[18];

			memcpy(mac, p.arp_sha, 6);
			snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x",
				 mac[0], mac[1], mac[2], mac[3], mac[4],
				 mac[5]);
			printf("arp: %s is at %s\n", a, m);
			return 0;
		}
	}
	printf("arp: no reply from %s within %d ms\n", a, GUEST_TIMEOUT_MS);
	return -1;
}

/**
 * ping() - ICMP echo requests, each answered
 * @buf:	BUF_MAX bytes
 * @ip:		the address
 * @mac:	its MAC
 * @count:	how many
 *
 * Return: 0 if every one was answered, else -1
 */
static int ping(uint8_t *buf, uint32_t ip, const uint8_t mac[6], int count)
{
	static const char payload[] = "squib-net fd_guest ping payload";
	uint8_t out[NF_FRAME_MAX];
	uint16_t id = (uint16_t)getpid();
	int seq, got = 0;
	char a[16];

	inet_ntop(AF_INET, &ip, a, sizeof(a));
	for (seq = 1; seq <= count; seq++) {
		long long deadline = now_ms() + 3000;
		bool answered = false;

		send_frame(out, nf_icmp_echo(out, guest_mac, mac, guest_ip, ip,
					     id, (uint16_t)seq, payload,
					     sizeof(payload)));
		while (!answered) {
			struct nf_pkt p;
			ssize_t n = recv_frame(buf, deadline);

			if (n <= 0)
				break;
			if (nf_parse(buf, (size_t)n, &p) || answer_arp(&p))
				continue;
			answered = p.ip_proto == NF_PROTO_ICMP &&
				   p.icmp_type == 0 && p.ip_src == ip &&
				   p.icmp_id == id && p.icmp_seq == seq &&
				   p.l4_csum_ok && p.plen == sizeof(payload) &&
				   !memcmp(p.payload, payload, p.plen);
		}
		printf("ping: %s seq %d: %s\n", a, seq,
		       answered ? "reply" : "no reply within 3 s");
		got += answered;
	}
	printf("ping: %d of %d answered\n", got, count);
	return got == count ? 0 : -1;
}

/**
 * echo() - frames come back as they were sent (loopback mode)
 * @buf:	BUF_MAX bytes
 *
 * Return: 0 or -1
 */
static int echo(uint8_t *buf)
{
	static const size_t sizes[] = {60, 1000, 1514};
	uint8_t out[NF_FRAME_MAX];
	size_t i, k;
	int rc = 0;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		long long deadline = now_ms() + 3000;
		bool back = false;
		ssize_t n;

		memset(out, 0xff, 6);
		memcpy(out + 6, guest_mac, 6);
		out[12] = 0x88; /* local experimental EtherType 0x88b5 */
		out[13] = 0xb5;
		for (k = 14; k < sizes[i]; k++)
			out[k] = (uint8_t)(k * 7 + i + (size_t)getpid());
		if (send_frame(out, sizes[i]))
			return -1;
		while (!back && (n = recv_frame(buf, deadline)) > 0)
			back = (size_t)n == sizes[i] &&
			       !memcmp(buf, out, sizes[i]);
		printf("echo: %zu bytes %s\n", sizes[i],
		       back ? "came back byte-exact" : "did not come back");
		if (!back)
			rc = -1;
	}
	return rc;
}

/**
 * oversize() - frames too large for the MTU, then one that fits (loopback)
 * @buf:	BUF_MAX bytes
 * @count:	how many of 2000 bytes
 *
 * The large ones are refused by run (and counted, and logged); the last
 * one must come back, so the guest knows the refusals came first.
 *
 * Return: 0 or -1
 */
static int oversize(uint8_t *buf, unsigned long count)
{
	static uint8_t out[2000];
	long long deadline = now_ms() + 3000;
	unsigned long i;
	bool back = false;
	ssize_t n;

	memset(out, 0xff, 6);
	memcpy(out + 6, guest_mac, 6);
	out[12] = 0x88;
	out[13] = 0xb5;
	memset(out + 14, 0x3c, sizeof(out) - 14);
	for (i = 0; i < count; i++)
		if (send_frame(out, sizeof(out)))
			return -1;
	out[14] = 0x11;
	if (send_frame(out, 1514))
		return -1;
	while (!back && (n = recv_frame(buf, deadline)) > 0)
		back = n == 1514 && !memcmp(buf, out, 1514);
	printf("oversize: %lu frames of %zu bytes sent; a 1514-byte one %s\n",
	       count, sizeof(out), back ? "came back" : "did not come back");
	return back ? 0 : -1;
}

/**
 * burst() - many frames at once, read back while sending (loopback mode)
 * @buf:	BUF_MAX bytes
 * @count:	how many
 *
 * Each frame carries its number; at most BURST_WINDOW are in flight (fewer
 * than the loopback backend queues, so none may be lost): the relay must
 * deliver all of them, in order, one per datagram.
 *
 * Return: 0 or -1
 */
static int burst(uint8_t *buf, unsigned long count)
{
	uint8_t out[NF_FRAME_MAX];
	unsigned long sent = 0, back = 0, bad = 0;
	long long deadline = now_ms() + GUEST_TIMEOUT_MS, t0 = now_ms();

	memset(out, 0xff, 6);
	memcpy(out + 6, guest_mac, 6);
	out[12] = 0x88;
	out[13] = 0xb5;
	memset(out + 14, 0x5a, sizeof(out) - 14);
	while (back < count && now_ms() < deadline) {
		struct pollfd pfd = {.fd = guest_fd, .events = POLLIN};
		ssize_t n;

		if (sent < count && sent - back < BURST_WINDOW)
			pfd.events |= POLLOUT;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (pfd.revents & POLLIN) {
			n = recv(guest_fd, buf, BUF_MAX, MSG_DONTWAIT);
			if (n == (ssize_t)sizeof(out) &&
			    !memcmp(buf + 14, &back, sizeof(back)))
				back++;
			else if (n > 0)
				bad++;
			continue;
		}
		if (pfd.revents & POLLOUT) {
			memcpy(out + 14, &sent, sizeof(sent));
			if (send(guest_fd, out, sizeof(out), MSG_DONTWAIT) ==
			    (ssize_t)sizeof(out))
				sent++;
		}
	}
	frames_out += sent;
	frames_in += back + bad;
	printf("burst: %lu sent, %lu of %lu came back in order, %lu out of "
	       "order or lost before, in %lld ms\n",
	       sent, back, count, bad, now_ms() - t0);
	return back == count ? 0 : -1;
}

int main(int argc, char **argv)
{
	static uint8_t buf[BUF_MAX];
	uint32_t router = 0, want = 0;
	uint8_t gw_mac[6];
	char *end;
	long n;
	int rc;

	if (argc < 3 ||
	    (strcmp(argv[2], "net") && strcmp(argv[2], "echo") &&
	     strcmp(argv[2], "static") && strcmp(argv[2], "burst") &&
	     strcmp(argv[2], "oversize")) ||
	    (!strcmp(argv[2], "static") && argc != 5)) {
		fprintf(stderr, "usage: fd_guest N net [EXPECT_ADDR] | "
				"fd_guest N static ADDR ROUTER | fd_guest N "
				"echo | fd_guest N burst COUNT | fd_guest N "
				"oversize COUNT\n");
		return 2;
	}
	n = strtol(argv[1], &end, 10);
	if (*end || n < 3 || n > 65535) {
		fprintf(stderr, "fd_guest: '%s' is not an fd from 3 up\n",
			argv[1]);
		return 2;
	}
	if (strcmp(argv[2], "burst") && strcmp(argv[2], "oversize") &&
	    ((argc > 3 && inet_pton(AF_INET, argv[3], &want) != 1) ||
	     (argc > 4 && inet_pton(AF_INET, argv[4], &router) != 1))) {
		fprintf(stderr, "fd_guest: '%s' is not an address\n",
			argv[argc > 4 ? 4 : 3]);
		return 2;
	}
	guest_fd = (int)n;
	guest_mac[4] = (uint8_t)(getpid() >> 8);
	guest_mac[5] = (uint8_t)getpid();
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("mac: %02x:%02x:%02x:%02x:%02x:%02x\n", guest_mac[0],
	       guest_mac[1], guest_mac[2], guest_mac[3], guest_mac[4],
	       guest_mac[5]);
	if (!strcmp(argv[2], "burst")) {
		unsigned long count = argc > 3 ? strtoul(argv[3], &end, 10) : 0;

		rc = check_inherited();
		if (!count || burst(buf, count))
			rc = -1;
		printf("result: %s\n", rc ? "FAIL" : "ok");
		return rc ? 1 : 0;
	}

	rc = check_inherited();
	if (!strcmp(argv[2], "echo")) {
		rc |= echo(buf);
	} else if (!strcmp(argv[2], "oversize")) {
		rc |= oversize(buf, argc > 3 ? strtoul(argv[3], &end, 10) : 1);
	} else if (!strcmp(argv[2], "static")) {
		guest_ip = want;
		printf("static: %s router %s\n", argv[3], argv[4]);
		if (arp(buf, router, gw_mac) < 0 ||
		    ping(buf, router, gw_mac, 3))
			rc = -1;
	} else if (dhcp(buf, &router) < 0) {
		rc = -1;
	} else {
		if (want && guest_ip != want) {
			printf("dhcp: expected %s\n", argv[3]);
			rc = -1;
		}
		if (arp(buf, router, gw_mac) < 0 ||
		    ping(buf, router, gw_mac, 3))
			rc = -1;
	}
	printf("frames: %llu sent, %llu received\n", frames_out, frames_in);
	printf("result: %s\n", rc ? "FAIL" : "ok");
	return rc ? 1 : 0;
}
