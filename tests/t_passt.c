/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_passt.c - the real passt through the userspace backend (--fd) and the
 *	       socket backend (passt --socket): ARP for the gateway and DHCP
 *	       DISCOVER get their answers
 *
 * passt gets explicit addresses (-a 10.0.2.15 -n 24 -g 10.0.2.2 -D 10.0.2.3)
 * and its TCP/UDP/ICMP handlers off, so nothing depends on or reaches the
 * host's network: ARP and DHCP are answered inside passt.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "squibnet.h"

#define PASST "/usr/bin/passt"

static const char *const passt_args[] = {
	"-q",	    "-a", "10.0.2.15", "-n",	   "24",       "-g",
	"10.0.2.2", "-D", "10.0.2.3",  "--no-tcp", "--no-udp", "--no-icmp",
};
#define N_PASST_ARGS (sizeof(passt_args) / sizeof(passt_args[0]))

static const uint8_t gmac[6] = {0x06, 0x00, 0x12, 0x34, 0x56, 0x78};
static uint8_t rxbuf[SQN_BATCH][65536];
static char err[512];

static void log_cb(void *opaque, enum sqn_log_level level, const char *msg)
{
	(void)opaque;
	(void)level;
	printf("# log: %s\n", msg);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static size_t arp_request(uint8_t *f)
{
	static const uint8_t spa[4] = {10, 0, 2, 15}, tpa[4] = {10, 0, 2, 2};

	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, gmac, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	f[15] = 1;    /* htype ethernet */
	f[16] = 0x08; /* ptype IPv4 */
	f[18] = 6;
	f[19] = 4;
	f[21] = 1; /* request */
	memcpy(f + 22, gmac, 6);
	memcpy(f + 28, spa, 4);
	memcpy(f + 38, tpa, 4);
	return 60;
}

static size_t dhcp_discover(uint8_t *f)
{
	uint8_t *ip = f + 14, *udp = ip + 20, *b = udp + 8;
	size_t blen = 236 + 4 + 3 + 5 + 1, i;
	uint32_t sum = 0;

	memset(f, 0, 14 + 20 + 8 + blen);
	memset(f, 0xff, 6);
	memcpy(f + 6, gmac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + 8 + blen) >> 8);
	ip[3] = (uint8_t)(20 + 8 + blen);
	ip[8] = 64;
	ip[9] = 17;
	memset(ip + 16, 0xff, 4);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
	udp[1] = 68;
	udp[3] = 67;
	udp[4] = (uint8_t)((8 + blen) >> 8);
	udp[5] = (uint8_t)(8 + blen);
	b[0] = 1;
	b[1] = 1;
	b[2] = 6;
	b[4] = 0x12;
	b[5] = 0x34;
	b[6] = 0x56;
	b[7] = 0x78;
	b[10] = 0x80; /* broadcast */
	memcpy(b + 28, gmac, 6);
	memcpy(b + 236, "\x63\x82\x53\x63", 4);
	memcpy(b + 240, "\x35\x01\x01", 3);	    /* DISCOVER */
	memcpy(b + 243, "\x37\x03\x01\x03\x06", 5); /* mask, router, dns */
	b[248] = 0xff;
	return 14 + 20 + 8 + blen;
}

/* Look for the ARP reply and the DHCP OFFER among what passt sends. */
static void expect_answers(struct sqn_iface *iface)
{
	uint8_t arp[60], dhcp[400];
	struct sqn_frame tx[2], rx[SQN_BATCH];
	int got_arp = 0, got_offer = 0, r, i;
	uint64_t end = now_ms() + 5000, next = 0;

	tx[0] = (struct sqn_frame){.data = arp,
				   .len = (uint32_t)arp_request(arp)};
	tx[1] = (struct sqn_frame){.data = dhcp,
				   .len = (uint32_t)dhcp_discover(dhcp)};
	while ((!got_arp || !got_offer) && now_ms() < end) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};

		if (now_ms() >= next) {
			CHECK_EQ(sqn_iface_write(iface, tx, 2), 2);
			next = now_ms() + 500;
		}
		poll(&pfd, 1, 100);
		for (i = 0; i < SQN_BATCH; i++)
			rx[i] = (struct sqn_frame){.data = rxbuf[i],
						   .cap = sizeof(rxbuf[i])};
		r = sqn_iface_read(iface, rx, SQN_BATCH);
		for (i = 0; i < r; i++) {
			const uint8_t *f = rx[i].data;
			uint32_t len = rx[i].len;

			if (len >= 42 && f[12] == 0x08 && f[13] == 0x06 &&
			    f[21] == 2 &&
			    !memcmp(f + 28, "\x0a\x00\x02\x02", 4) &&
			    !memcmp(f + 32, gmac, 6))
				got_arp = 1;
			if (len >= 14 + 20 + 8 + 240 && f[12] == 0x08 &&
			    f[13] == 0 && f[23] == 17 && f[34] == 0 &&
			    f[35] == 67 && f[37] == 68) {
				const uint8_t *b = f + 42;
				uint32_t o = 240;

				CHECK_EQ(b[0], 2);
				CHECK(!memcmp(b + 16, "\x0a\x00\x02\x0f", 4));
				while (42 + o + 2 < len && b[o] != 0xff) {
					if (b[o] == 53 && b[o + 2] == 2)
						got_offer = 1;
					o += b[o] ? 2u + b[o + 1] : 1u;
				}
			}
		}
	}
	CHECK(got_arp);
	CHECK(got_offer);
	printf("# passt answered: ARP reply %s, DHCP OFFER of 10.0.2.15 %s\n",
	       got_arp ? "yes" : "no", got_offer ? "yes" : "no");
}

static void passt_fd_arp_dhcp(void)
{
	struct sqn_params p;
	struct sqn_iface *iface = NULL;

	if (access(PASST, X_OK))
		SKIP("passt is not installed (apt-get install passt)");
	sqn_params_init(&p);
	p.iface_id = "passt0";
	p.mode = SQN_MODE_USERSPACE;
	p.helper_kind = SQN_HELPER_PASST;
	p.helper_path = PASST;
	p.helper_args = passt_args;
	p.n_helper_args = N_PASST_ARGS;
	memcpy(p.guest_mac, gmac, 6);
	p.log = log_cb;
	p.log_level = SQN_LOG_WARN;
	ASSERT(!sqn_iface_start(&p, &iface, err, sizeof(err)));
	CHECK_EQ(sqn_iface_mtu(iface), 65520);
	expect_answers(iface);
	CHECK(sqn_iface_link(iface, NULL, 0));
	sqn_iface_free(iface);
}

static void passt_socket_arp_dhcp(void)
{
	char dir[64], path[96], url[128];
	const char *argv[N_PASST_ARGS + 8];
	struct sqn_params p;
	struct sqn_iface *iface = NULL;
	uint64_t end;
	unsigned i, a = 0;
	pid_t pid;

	if (access(PASST, X_OK))
		SKIP("passt is not installed (apt-get install passt)");
	/* passt drops to nobody as root: the directory must let it in */
	snprintf(dir, sizeof(dir), "/tmp/sqnt-passt-%d", (int)getpid());
	mkdir(dir, 0777);
	chmod(dir, 0777);
	snprintf(path, sizeof(path), "%s/passt.sock", dir);
	argv[a++] = PASST;
	argv[a++] = "-f";
	argv[a++] = "-1";
	argv[a++] = "--socket";
	argv[a++] = path;
	for (i = 0; i < N_PASST_ARGS; i++)
		argv[a++] = passt_args[i];
	argv[a] = NULL;
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		execv(PASST, (char *const *)argv);
		_exit(127);
	}
	end = now_ms() + 5000;
	while (access(path, F_OK) && now_ms() < end)
		usleep(10000);
	CHECK(!access(path, F_OK));

	sqn_params_init(&p);
	p.iface_id = "passt1";
	p.mode = SQN_MODE_SOCKET;
	snprintf(url, sizeof(url), "unix://%s", path);
	p.connect_url = url;
	memcpy(p.guest_mac, gmac, 6);
	p.log = log_cb;
	p.log_level = SQN_LOG_WARN;
	if (!sqn_iface_start(&p, &iface, err, sizeof(err))) {
		expect_answers(iface);
		sqn_iface_free(iface);
	} else {
		printf("# start: %s\n", err);
		CHECK(0);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(path);
	rmdir(dir);
}

static const struct check_case cases[] = {
	CASE(passt_fd_arp_dhcp),
	CASE(passt_socket_arp_dhcp),
};

CHECK_MAIN(cases)
