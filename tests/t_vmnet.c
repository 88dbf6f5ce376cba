/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_vmnet.c - the vmnet backend against the simulated vmnet.framework
 *
 * Built only with -Dvmnet_sim=true (clang, Linux). The simulator records
 * what the backend asked for (tests/vmnet-sim/sim_ctl.h) and lets a test
 * inject failures and frames; everything else goes through the public API.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "internal.h"
#include "sim_ctl.h"
#include "squibnet.h"

/* ASan keeps freed memory in quarantine: RSS grows without a leak there, and
 * LeakSanitizer (at exit) is the leak check instead */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define T_ASAN 1
#endif
#endif
#ifndef T_ASAN
#define T_ASAN 0
#endif

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_text[8192];

static void log_cb(void *opaque, enum sqn_log_level level, const char *msg)
{
	size_t n;

	(void)opaque;
	(void)level;
	pthread_mutex_lock(&log_lock);
	n = strlen(log_text);
	snprintf(log_text + n, sizeof(log_text) - n, "%s\n", msg);
	pthread_mutex_unlock(&log_lock);
}

static void log_reset(void)
{
	pthread_mutex_lock(&log_lock);
	log_text[0] = '\0';
	pthread_mutex_unlock(&log_lock);
}

static void params(struct sqn_params *p, const char *id, enum sqn_mode mode)
{
	sqn_params_init(p);
	p->iface_id = id;
	p->mode = mode;
	p->log = log_cb;
	p->log_level = SQN_LOG_DEBUG;
	p->guest_mac[0] = 0x06;
	p->guest_mac[5] = 0x01;
}

static struct sqn_iface *start(const struct sqn_params *p)
{
	struct sqn_iface *iface = NULL;
	char err[256];

	if (sqn_iface_start(p, &iface, err, sizeof(err)))
		printf("# start: %s\n", err);
	return iface;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int readable(struct sqn_iface *iface, int ms)
{
	struct pollfd pfd = {.fd = sqn_iface_fd(iface), .events = POLLIN};

	return poll(&pfd, 1, ms) == 1;
}

/* ---- process resources, for the leak checks ---- */

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int fds_open(void)
{
	return count_dir("/proc/self/fd") - 1; /* opendir's own */
}

/* threads, once the simulated queues' threads have gone (they end
 * asynchronously, after their last block): waits up to 2 s for @want */
static int threads_settled(int want)
{
	int n, i;

	for (i = 0; i < 200; i++) {
		n = count_dir("/proc/self/task");
		if (n <= want)
			return n;
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	return n;
}

static long rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static int uuid_valid(const char *s)
{
	static const int dash[] = {8, 13, 18, 23};
	int i, d = 0;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (d < 4 && i == dash[d]) {
			if (s[i] != '-')
				return 0;
			d++;
			continue;
		}
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	/* version 8 (custom, RFC 9562), variant 10xx */
	return s[14] == '8' && strchr("89ab", s[19]) != NULL;
}

/* Drain what start left readable (its one wake-up) so tests start clean. */
static void settle(struct sqn_iface *iface)
{
	uint8_t buf[2048];
	struct sqn_frame f = {.data = buf, .cap = sizeof(buf)};

	while (readable(iface, 0) && sqn_iface_read(iface, &f, 1) > 0)
		;
}

static void desc_shared(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sim_desc d;
	uint8_t mac[6], zero[6] = {0};

	sim_ctl_reset();
	params(&p, "eth0", SQN_MODE_SHARED);
	iface = start(&p);
	ASSERT(iface);
	sim_ctl_last_desc(&d);
	CHECK(d.has_mode);
	CHECK_EQ(d.mode, 1001);
	CHECK(d.has_id);
	CHECK(uuid_valid(d.id));
	CHECK(!d.has_mtu);
	CHECK(!d.has_name);
	CHECK(d.has_isolation);
	CHECK(d.isolation);
	CHECK_EQ(d.nkeys, 3);
	CHECK_EQ(sqn_iface_mtu(iface), 1500);
	CHECK_EQ(sqn_iface_max_frame(iface), 1514);
	CHECK_EQ(sqn_iface_mode(iface), SQN_MODE_SHARED);
	sqn_iface_host_mac(iface, mac);
	CHECK(memcmp(mac, zero, 6));
	CHECK(sqn_iface_link(iface, NULL, 0));
	sqn_iface_free(iface);
}

static void desc_host_mtu(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sim_desc d;

	sim_ctl_reset();
	params(&p, "eth0", SQN_MODE_HOST);
	p.mtu = 9000;
	iface = start(&p);
	ASSERT(iface);
	sim_ctl_last_desc(&d);
	CHECK_EQ(d.mode, 1000);
	CHECK(d.has_mtu);
	CHECK_EQ(d.mtu, 9000);
	CHECK(d.isolation);
	CHECK_EQ(sqn_iface_mtu(iface), 9000);
	CHECK_EQ(sqn_iface_max_frame(iface), 9014);
	sqn_iface_free(iface);
}

static void desc_bridged(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sim_desc d;

	sim_ctl_reset();
	params(&p, "eth0", SQN_MODE_BRIDGED);
	p.bridged_iface = "en0";
	p.isolation = SQN_OFF;
	iface = start(&p);
	ASSERT(iface);
	sim_ctl_last_desc(&d);
	CHECK_EQ(d.mode, 1002);
	CHECK(!d.has_mtu);
	CHECK(d.has_name);
	CHECK_STR_HAS(d.name, "en0");
	CHECK(d.has_isolation);
	CHECK(!d.isolation);
	CHECK(uuid_valid(d.id));
	sqn_iface_free(iface);
}

static void desc_other_mode_ignores_bridged_iface(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sim_desc d;

	sim_ctl_reset();
	log_reset();
	params(&p, "eth0", SQN_MODE_SHARED);
	p.bridged_iface = "en0";
	iface = start(&p);
	ASSERT(iface);
	sim_ctl_last_desc(&d);
	CHECK(!d.has_name);
	CHECK_STR_HAS(log_text, "bridged_iface \"en0\" ignored");
	sqn_iface_free(iface);
}

static void bridged_needs_name(void)
{
	struct sqn_params p;
	struct sqn_iface *iface = NULL;
	struct sim_stats before, after;
	char err[256];

	sim_ctl_reset();
	sim_ctl_stats(&before);
	params(&p, "eth0", SQN_MODE_BRIDGED);
	CHECK_EQ(sqn_iface_start(&p, &iface, err, sizeof(err)), -EINVAL);
	CHECK(!iface);
	CHECK_STR_HAS(err, "bridged mode needs bridged_iface");

	p.bridged_iface = "";
	CHECK_EQ(sqn_iface_start(&p, &iface, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "bridged_iface is empty");

	p.bridged_iface = "en0/../x";
	CHECK_EQ(sqn_iface_start(&p, &iface, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "not allowed in an interface name");

	p.bridged_iface = "en0";
	p.mtu = 1500;
	CHECK_EQ(sqn_iface_start(&p, &iface, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "cannot be set in bridged mode");

	sim_ctl_stats(&after);
	CHECK_EQ(after.starts, before.starts);
	CHECK_EQ(after.live, before.live);
}

static void uuid_of(const char *id, uint8_t last, char out[37])
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sim_desc d;

	params(&p, id, SQN_MODE_SHARED);
	p.guest_mac[5] = last;
	iface = start(&p);
	sim_ctl_last_desc(&d);
	snprintf(out, 37, "%s", iface ? d.id : "");
	sqn_iface_free(iface);
}

static void uuid_deterministic(void)
{
	char a[37], b[37], c[37], e[37];

	sim_ctl_reset();
	uuid_of("eth0", 1, a);
	uuid_of("eth0", 1, b);
	uuid_of("eth0", 2, c);
	uuid_of("eth1", 1, e);
	CHECK(uuid_valid(a));
	CHECK(!strcmp(a, b)); /* same VM, same NIC: same id across restarts */
	CHECK(strcmp(a, c));  /* another VM's eth0 */
	CHECK(strcmp(a, e));  /* the same VM's other NIC */
	printf("# eth0/..:01 -> %s\n", a);
}

static void start_timeout(void)
{
	struct sqn_params p;
	struct sqn_iface *iface = NULL;
	struct sim_stats st;
	char err[256];
	uint64_t t0, dt;
	int rc;

	sim_ctl_reset();
	sim_ctl_start_hang(true);
	params(&p, "eth0", SQN_MODE_SHARED);
	p.start_timeout_ms = 300;
	t0 = now_ms();
	rc = sqn_iface_start(&p, &iface, err, sizeof(err));
	dt = now_ms() - t0;
	CHECK_EQ(rc, -ETIMEDOUT);
	CHECK(!iface);
	CHECK_STR_HAS(err, "did not complete in 300 ms");
	printf("# start timed out after %llu ms (deadline 300)\n",
	       (unsigned long long)dt);
	CHECK(dt >= 290);
	CHECK(dt <= 400);
	sim_ctl_stats(&st);
	CHECK_EQ(st.starts, 1);
	CHECK_EQ(st.stops, 1);
	CHECK_EQ(st.live, 0);
	sim_ctl_reset();
}

static void start_fail_statuses(void)
{
	static const struct {
		uint32_t status;
		int err;
		const char *name;
	} t[] = {
		{1001, -EIO, "VMNET_FAILURE (1001)"},
		{1002, -ENOMEM, "VMNET_MEM_FAILURE (1002)"},
		{1003, -EINVAL, "VMNET_INVALID_ARGUMENT (1003)"},
		{1004, -EAGAIN, "VMNET_SETUP_INCOMPLETE (1004)"},
		{1005, -EACCES, "VMNET_INVALID_ACCESS (1005)"},
		{1006, -EMSGSIZE, "VMNET_PACKET_TOO_BIG (1006)"},
		{1007, -ENOBUFS, "VMNET_BUFFER_EXHAUSTED (1007)"},
		{1008, -E2BIG, "VMNET_TOO_MANY_PACKETS (1008)"},
		{1009, -EBUSY, "VMNET_SHARING_SERVICE_BUSY (1009)"},
		{4242, -EPROTO, "unknown vmnet status (4242)"},
		{999, -EPROTO, "unknown vmnet status (999)"},
	};
	struct sqn_params p;
	struct sqn_iface *iface = NULL;
	struct sim_stats st;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		sim_ctl_reset();
		sim_ctl_start_fail(t[i].status);
		params(&p, "eth0", SQN_MODE_SHARED);
		CHECK_EQ(sqn_iface_start(&p, &iface, err, sizeof(err)),
			 t[i].err);
		CHECK(!iface);
		CHECK_STR_HAS(err, t[i].name);
		CHECK_STR_HAS(err, "vmnet_start_interface");
		sim_ctl_stats(&st);
		CHECK_EQ(st.stops, 1); /* the failed handle was stopped */
		CHECK_EQ(st.live, 0);
	}
	sim_ctl_reset();
	sim_ctl_start_fail(1005);
	CHECK_EQ(sqn_iface_start(&p, &iface, err, sizeof(err)), -EACCES);
	CHECK_STR_HAS(err, "com.apple.vm.networking");
	sim_ctl_reset();
}

static void missing_keys_defaults(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	uint8_t mac[6], zero[6] = {0};

	sim_ctl_reset();
	sim_ctl_omit_keys(SIM_OMIT_MTU | SIM_OMIT_MAX_PACKET | SIM_OMIT_MAC);
	params(&p, "eth0", SQN_MODE_SHARED);
	iface = start(&p);
	ASSERT(iface);
	CHECK_EQ(sqn_iface_mtu(iface), 1500);
	CHECK_EQ(sqn_iface_max_frame(iface), 1514);
	sqn_iface_host_mac(iface, mac);
	CHECK(memcmp(mac, zero, 6));
	CHECK(!(mac[0] & 1));
	sqn_iface_free(iface);

	/* MTU missing but asked for: the asked one, max packet from it */
	sim_ctl_omit_keys(SIM_OMIT_MTU | SIM_OMIT_MAX_PACKET);
	p.mtu = 4000;
	iface = start(&p);
	ASSERT(iface);
	CHECK_EQ(sqn_iface_mtu(iface), 4000);
	CHECK_EQ(sqn_iface_max_frame(iface), 4014);
	sqn_iface_free(iface);

	/* only the MAC missing: the rest comes from vmnet */
	sim_ctl_omit_keys(SIM_OMIT_MAC);
	p.mtu = 0;
	iface = start(&p);
	ASSERT(iface);
	CHECK_EQ(sqn_iface_mtu(iface), 1500);
	sqn_iface_host_mac(iface, mac);
	CHECK(memcmp(mac, zero, 6));
	sqn_iface_free(iface);
	sim_ctl_reset();
}

static void host_mac_from_vmnet(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	uint8_t mac[6], mac2[6];

	/* the simulator prints the MAC without leading zeros, like vmnet */
	sim_ctl_reset();
	params(&p, "eth0", SQN_MODE_SHARED);
	iface = start(&p);
	ASSERT(iface);
	sqn_iface_host_mac(iface, mac);
	sqn_iface_free(iface);
	iface = start(&p);
	ASSERT(iface);
	sqn_iface_host_mac(iface, mac2);
	sqn_iface_free(iface);
	CHECK(!memcmp(mac, mac2, 6)); /* same UUID, same vmnet MAC */
	CHECK_EQ(mac[0] & 3, 2);
}

static void frame_fill(uint8_t *b, uint32_t len, uint32_t seq)
{
	uint32_t i;

	memset(b, 0xff, 6);
	memcpy(b + 6, "\x02\x00\x00\x00\x00\x09", 6);
	b[12] = 0x88;
	b[13] = 0xb5; /* local experimental ethertype */
	for (i = 14; i < len; i++)
		b[i] = (uint8_t)(seq * 7 + i);
	if (len >= 18)
		memcpy(b + 14, &seq, 4);
}

static void event_wakes_fd(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sim_stats st;
	uint8_t tx[100], rx[2048] = {0};
	struct sqn_frame f = {.data = rx, .cap = sizeof(rx)};

	sim_ctl_reset();
	params(&p, "eth0", SQN_MODE_SHARED);
	iface = start(&p);
	ASSERT(iface);
	settle(iface);
	CHECK(!readable(iface, 50));
	frame_fill(tx, sizeof(tx), 1);
	CHECK_EQ(sim_ctl_inject(sim_ctl_last_interface(), tx, sizeof(tx), 1),
		 1);
	CHECK(readable(iface, 2000));
	CHECK_EQ(sqn_iface_read(iface, &f, 1), 1);
	CHECK_EQ(f.len, sizeof(tx));
	CHECK(!memcmp(rx, tx, sizeof(tx)));
	CHECK_EQ(sqn_iface_read(iface, &f, 1), 0);
	CHECK(!readable(iface, 50));
	sim_ctl_stats(&st);
	CHECK(st.events >= 1);
	CHECK(st.last_estimate >= 1);
	CHECK_EQ(st.violations, 0);
	sqn_iface_free(iface);
}

static void drain_500(void)
{
	static uint8_t rx[SQN_BATCH][1514];
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sqn_frame f[SQN_BATCH];
	struct sim_stats st;
	uint8_t tx[1514];
	unsigned got = 0, i, bad = 0, polls = 0;
	uint32_t seq;
	int n;

	sim_ctl_reset();
	params(&p, "eth0", SQN_MODE_SHARED);
	iface = start(&p);
	ASSERT(iface);
	settle(iface);
	for (i = 0; i < 500; i++) {
		frame_fill(tx, 60 + (i % 1454), i);
		ASSERT(sim_ctl_inject(sim_ctl_last_interface(), tx,
				      60 + (i % 1454), 1) == 1);
	}
	while (got < 500 && polls < 1000) {
		polls++;
		if (!readable(iface, 2000))
			break;
		for (i = 0; i < SQN_BATCH; i++)
			f[i] = (struct sqn_frame){.data = rx[i], .cap = 1514};
		while ((n = sqn_iface_read(iface, f, SQN_BATCH)) > 0) {
			for (i = 0; i < (unsigned)n; i++) {
				memcpy(&seq, rx[i] + 14, 4);
				if (seq != got || f[i].len != 60 + (got % 1454))
					bad++;
				got++;
			}
		}
		CHECK(n == 0);
	}
	CHECK_EQ(got, 500);
	CHECK_EQ(bad, 0);
	CHECK(!readable(iface, 50));
	sim_ctl_stats(&st);
	printf("# 500 packets in %lu vmnet_read calls, at most %u packets / "
	       "%zu bytes per call, %u polls\n",
	       st.read_calls, st.max_read_pkts, st.max_read_bytes, polls);
	CHECK(st.max_read_pkts <= SIM_MAX_PACKETS);
	CHECK(st.max_read_bytes <= SIM_MAX_BYTES);
	CHECK(st.read_calls >= 500 / SQN_BATCH);
	CHECK_EQ(st.violations, 0);
	CHECK_EQ(sim_ctl_pending(sim_ctl_last_interface()), 0);
	sqn_iface_free(iface);
}

static void jumbo_read_limits(void)
{
	static uint8_t rx[SQN_BATCH][16398];
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sqn_frame f[SQN_BATCH];
	struct sim_stats st;
	static uint8_t tx[16398];
	unsigned i, got = 0;
	int n;

	/* max packet 16398: 256 KiB holds 15 buffers, fewer than a batch */
	sim_ctl_reset();
	params(&p, "eth0", SQN_MODE_SHARED);
	p.mtu = 16384;
	iface = start(&p);
	ASSERT(iface);
	CHECK_EQ(sqn_iface_max_frame(iface), 16398);
	settle(iface);
	frame_fill(tx, sizeof(tx), 0);
	CHECK_EQ(sim_ctl_inject(sim_ctl_last_interface(), tx, sizeof(tx), 40),
		 40);
	for (i = 0; i < SQN_BATCH; i++)
		f[i] = (struct sqn_frame){.data = rx[i], .cap = sizeof(rx[i])};
	while (readable(iface, 1000) &&
	       (n = sqn_iface_read(iface, f, SQN_BATCH)) > 0)
		got += (unsigned)n;
	CHECK_EQ(got, 40);
	sim_ctl_stats(&st);
	CHECK(st.max_read_bytes <= SIM_MAX_BYTES);
	CHECK_EQ(st.max_read_pkts, SIM_MAX_BYTES / 16398);
	CHECK_EQ(st.violations, 0);
	sqn_iface_free(iface);
}

static void small_buffers_never_truncate(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	uint8_t tx[1000], small[2][100], big[1514];
	struct sqn_frame f[2];
	struct sim_stats st;
	interface_ref ifr;

	sim_ctl_reset();
	params(&p, "eth0", SQN_MODE_SHARED);
	iface = start(&p);
	ASSERT(iface);
	settle(iface);
	ifr = sim_ctl_last_interface();
	frame_fill(tx, 60, 1);
	sim_ctl_inject(ifr, tx, 60, 1);
	frame_fill(tx, 1000, 2);
	sim_ctl_inject(ifr, tx, 1000, 1);
	ASSERT(readable(iface, 2000));

	f[0] = (struct sqn_frame){.data = small[0], .cap = 100};
	f[1] = (struct sqn_frame){.data = small[1], .cap = 100};
	CHECK_EQ(sqn_iface_read(iface, f, 2), 1); /* the 60, not the 1000 */
	CHECK_EQ(f[0].len, 60);
	CHECK(readable(iface, 0)); /* the 1000 waits, staged */
	CHECK_EQ(sqn_iface_read(iface, f, 1), -EMSGSIZE);
	CHECK_EQ(f[0].len, 1000);
	CHECK(readable(iface, 0));
	f[0] = (struct sqn_frame){.data = big, .cap = sizeof(big)};
	CHECK_EQ(sqn_iface_read(iface, f, 1), 1);
	CHECK_EQ(f[0].len, 1000);
	CHECK(!memcmp(big, tx, 1000));
	CHECK_EQ(sqn_iface_read(iface, f, 1), 0);
	sim_ctl_stats(&st);
	CHECK_EQ(st.violations, 0);
	sqn_iface_free(iface);
}

static void write_batches(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sqn_frame f[SQN_BATCH];
	struct sqn_stats s;
	struct sim_stats st;
	static uint8_t tx[SQN_BATCH][1514];
	unsigned i;

	sim_ctl_reset();
	params(&p, "eth0", SQN_MODE_SHARED);
	iface = start(&p);
	ASSERT(iface);
	for (i = 0; i < SQN_BATCH; i++) {
		frame_fill(tx[i], 1514, i);
		f[i] = (struct sqn_frame){.data = tx[i], .len = 1514};
	}
	CHECK_EQ(sqn_iface_write(iface, f, SQN_BATCH), SQN_BATCH);
	sqn_iface_stats(iface, &s);
	CHECK_EQ(s.tx_frames, SQN_BATCH);
	CHECK_EQ(s.tx_bytes, SQN_BATCH * 1514);
	CHECK_EQ(s.tx_dropped, 0);
	sim_ctl_stats(&st);
	CHECK_EQ(st.write_calls, 1);
	CHECK_EQ(st.max_write_pkts, SQN_BATCH);
	CHECK(st.max_write_bytes <= SIM_MAX_BYTES);
	CHECK_EQ(st.violations, 0);
	sqn_iface_free(iface);
}

static void oversize_writes(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sqn_frame f;
	struct sqn_stats s;
	struct sim_stats st;
	static uint8_t tx[2000];
	char err[256];

	sim_ctl_reset();
	log_reset();
	params(&p, "eth0", SQN_MODE_SHARED);
	iface = start(&p);
	ASSERT(iface);

	/* above the max packet size: the core refuses it, vmnet never sees it */
	frame_fill(tx, 1515, 1);
	f = (struct sqn_frame){.data = tx, .len = 1515};
	CHECK_EQ(sqn_iface_write(iface, &f, 1), 1);
	sqn_iface_stats(iface, &s);
	CHECK_EQ(s.tx_errors, 1);
	CHECK_EQ(s.tx_frames, 0);
	CHECK_STR_HAS(log_text, "refused a 1515-byte frame");
	CHECK_STR_HAS(log_text, "14 to 1514 bytes");
	sim_ctl_stats(&st);
	CHECK_EQ(st.write_calls, 0);

	/* vmnet refuses one it announced it would take */
	sim_ctl_enforce_max_packet(1000);
	f.len = 1200;
	CHECK_EQ(sqn_iface_write(iface, &f, 1), 1);
	sqn_iface_stats(iface, &s);
	CHECK_EQ(s.tx_dropped, 1);
	CHECK_EQ(s.tx_frames, 0);
	sqn_iface_last_error(iface, err, sizeof(err));
	CHECK_STR_HAS(err, "VMNET_PACKET_TOO_BIG (1006)");
	CHECK_STR_HAS(err, "vmnet_write");
	sim_ctl_stats(&st);
	CHECK_EQ(st.too_big, 1);
	CHECK_EQ(st.violations, 0);
	sqn_iface_free(iface);
	sim_ctl_reset();
}

static struct sqn_iface *start_pair_member(const char *id, uint8_t last,
					   int isolation, interface_ref *ifr)
{
	struct sqn_params p;
	struct sqn_iface *iface;

	params(&p, id, SQN_MODE_SHARED);
	p.guest_mac[5] = last;
	p.isolation = isolation;
	iface = start(&p);
	*ifr = sim_ctl_last_interface();
	if (iface)
		settle(iface);
	return iface;
}

static void isolation(void)
{
	struct sqn_iface *a, *b;
	interface_ref ra, rb;
	uint8_t tx[60], rx[1514] = {0};
	struct sqn_frame f = {.data = tx, .len = sizeof(tx)};
	struct sqn_frame r = {.data = rx, .cap = sizeof(rx)};
	int round;

	sim_ctl_reset();
	for (round = 0; round < 2; round++) {
		int iso = round == 0 ? 0 : SQN_OFF; /* default: on */

		a = start_pair_member("vmA", 1, iso, &ra);
		b = start_pair_member("vmB", 2, iso, &rb);
		ASSERT(a && b);
		frame_fill(tx, sizeof(tx), 7); /* broadcast */
		tx[11] = 0x01;
		CHECK_EQ(sqn_iface_write(a, &f, 1), 1);
		if (round == 0) {
			CHECK_EQ(sim_ctl_pending(rb), 0);
			CHECK(!readable(b, 100));
			CHECK_EQ(sqn_iface_read(b, &r, 1), 0);
		} else {
			CHECK_EQ(sim_ctl_pending(rb), 1);
			CHECK(readable(b, 2000));
			CHECK_EQ(sqn_iface_read(b, &r, 1), 1);
			CHECK_EQ(r.len, sizeof(tx));
			CHECK(!memcmp(rx, tx, sizeof(tx)));
		}
		CHECK_EQ(sim_ctl_pending(ra), 0); /* never back to the sender */
		sqn_iface_free(a);
		sqn_iface_free(b);
	}
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t dhcp_frame(uint8_t *b, const uint8_t mac[6], uint8_t type,
			 uint32_t xid)
{
	uint8_t *ip = b + 14, *udp = ip + 20, *bp = udp + 8, *o;
	size_t blen = 300;

	memset(b, 0, 14 + 20 + 8 + blen);
	memset(b, 0xff, 6);
	memcpy(b + 6, mac, 6);
	put16(b + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + 8 + blen));
	ip[8] = 64;
	ip[9] = 17;
	memset(ip + 16, 0xff, 4);
	put16(udp, 68);
	put16(udp + 2, 67);
	put16(udp + 4, (uint16_t)(8 + blen));
	bp[0] = 1;
	bp[1] = 1;
	bp[2] = 6;
	memcpy(bp + 4, &xid, 4);
	memcpy(bp + 28, mac, 6);
	memcpy(bp + 236, "\x63\x82\x53\x63", 4);
	o = bp + 240;
	*o++ = 53;
	*o++ = 1;
	*o++ = type;
	*o = 255;
	return 14 + 20 + 8 + blen;
}

static int dhcp_reply(struct sqn_iface *iface, uint32_t xid, uint8_t *yiaddr)
{
	static uint8_t rx[1514];
	struct sqn_frame r = {.data = rx, .cap = sizeof(rx)};
	const uint8_t *bp = rx + 14 + 20 + 8, *o;
	uint32_t rxid;

	if (!readable(iface, 2000) || sqn_iface_read(iface, &r, 1) != 1)
		return -1;
	if (r.len < 14 + 20 + 8 + 244 || rx[12] != 0x08 || rx[13] != 0 ||
	    rx[14 + 9] != 17 || rx[14 + 20 + 1] != 67 || rx[14 + 20 + 3] != 68)
		return -2;
	memcpy(&rxid, bp + 4, 4);
	if (bp[0] != 2 || rxid != xid)
		return -3;
	memcpy(yiaddr, bp + 16, 4);
	for (o = bp + 240; o < rx + r.len && *o != 255; o += 2 + o[1])
		if (o[0] == 53)
			return o[2];
	return -4;
}

static void dhcp_arp_icmp(void)
{
	static const uint8_t mac[6] = {0x06, 0, 0xaa, 0xbb, 0xcc, 0x01};
	struct sqn_params p;
	struct sqn_iface *iface;
	uint8_t tx[400], yi[4], rx[1514] = {0}, gwmac[6];
	struct sqn_frame f = {.data = tx};
	struct sqn_frame r = {.data = rx, .cap = sizeof(rx)};
	uint8_t *a = tx + 14, *ip = tx + 14, *ic = ip + 20;

	sim_ctl_reset();
	params(&p, "eth0", SQN_MODE_SHARED);
	memcpy(p.guest_mac, mac, 6);
	iface = start(&p);
	ASSERT(iface);
	settle(iface);

	f.len = (uint32_t)dhcp_frame(tx, mac, 1, 0x12345678);
	CHECK_EQ(sqn_iface_write(iface, &f, 1), 1);
	CHECK_EQ(dhcp_reply(iface, 0x12345678, yi), 2); /* OFFER */
	CHECK(yi[0] == 192 && yi[1] == 168 && yi[2] == 64);
	CHECK(yi[3] >= 2 && yi[3] <= 254);
	printf("# DHCP offered 192.168.64.%u\n", yi[3]);

	f.len = (uint32_t)dhcp_frame(tx, mac, 3, 0x12345679);
	CHECK_EQ(sqn_iface_write(iface, &f, 1), 1);
	CHECK_EQ(dhcp_reply(iface, 0x12345679, yi), 5); /* ACK */

	/* ARP for the gateway */
	memset(tx, 0, 60);
	memset(tx, 0xff, 6);
	memcpy(tx + 6, mac, 6);
	put16(tx + 12, 0x0806);
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);
	memcpy(a + 8, mac, 6);
	memcpy(a + 14, yi, 4);
	memcpy(a + 24, "\xc0\xa8\x40\x01", 4);
	f.len = 60;
	CHECK_EQ(sqn_iface_write(iface, &f, 1), 1);
	ASSERT(readable(iface, 2000));
	ASSERT(sqn_iface_read(iface, &r, 1) == 1);
	CHECK(rx[12] == 0x08 && rx[13] == 0x06);
	CHECK(rx[14 + 7] == 2); /* reply */
	CHECK(!memcmp(rx, mac, 6));
	memcpy(gwmac, rx + 14 + 8, 6);

	/* ICMP echo to the gateway */
	memset(tx, 0, 14 + 20 + 8 + 8);
	memcpy(tx, gwmac, 6);
	memcpy(tx + 6, mac, 6);
	put16(tx + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, 20 + 8 + 8);
	ip[8] = 64;
	ip[9] = 1;
	memcpy(ip + 12, yi, 4);
	memcpy(ip + 16, "\xc0\xa8\x40\x01", 4);
	ic[0] = 8;
	put16(ic + 4, 0x4242);
	put16(ic + 6, 1);
	f.len = 14 + 20 + 16;
	CHECK_EQ(sqn_iface_write(iface, &f, 1), 1);
	ASSERT(readable(iface, 2000));
	ASSERT(sqn_iface_read(iface, &r, 1) == 1);
	CHECK(rx[14 + 9] == 1 && rx[14 + 20] == 0); /* echo reply */
	CHECK(!memcmp(rx + 14 + 16, yi, 4));
	CHECK(rx[14 + 24] == 0x42 && rx[14 + 25] == 0x42);
	sqn_iface_free(iface);
}

static void stop_idempotent(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sim_stats st;

	sim_ctl_reset();
	params(&p, "eth0", SQN_MODE_SHARED);
	iface = start(&p);
	ASSERT(iface);
	iface->ops->stop(iface);
	iface->ops->stop(iface);
	sim_ctl_stats(&st);
	CHECK_EQ(st.stops, 1);
	CHECK_EQ(st.violations, 0); /* no second vmnet_stop_interface */
	sqn_iface_free(iface);	    /* stop a third time, then free */
	sqn_iface_free(NULL);
	sim_ctl_stats(&st);
	CHECK_EQ(st.stops, 1);
	CHECK_EQ(st.live, 0);
}

static void start_stop_cycles(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sim_stats st, before;
	int i, ok = 0, fds, fds_after, threads, threads_after;
	long rss, rss_after;
	uint64_t t0;

	/* 1000 cycles: nothing may pile up, ours or vmnet's */
	sim_ctl_reset();
	params(&p, "eth0", SQN_MODE_HOST);
	for (i = 0; i < 50; i++) /* warm-up: allocator and thread caches */
		sqn_iface_free(start(&p));
	sim_ctl_stats(&before);
	fds = fds_open();
	threads = threads_settled(0x7fffffff);
	rss = rss_kib();
	t0 = now_ms();
	for (i = 0; i < 1000; i++) {
		iface = start(&p);
		if (iface)
			ok++;
		sqn_iface_free(iface);
	}
	CHECK_EQ(ok, 1000);
	fds_after = fds_open();
	threads_after = threads_settled(threads);
	rss_after = rss_kib();
	printf("# 1000 start/stop cycles in %llu ms: fds %d -> %d, threads %d "
	       "-> %d, RSS %ld -> %ld KiB\n",
	       (unsigned long long)(now_ms() - t0), fds, fds_after, threads,
	       threads_after, rss, rss_after);
	CHECK_EQ(fds_after, fds);
	CHECK(threads_after <= threads);
	CHECK(rss > 0);
	if (T_ASAN)
		printf("# ASan build: RSS includes ASan's quarantine; "
		       "LeakSanitizer checks for leaks at exit\n");
	else
		CHECK(rss_after - rss < 1024);
	sim_ctl_stats(&st);
	CHECK_EQ(st.starts, 1050);
	CHECK_EQ(st.stops, 1050);
	CHECK_EQ(st.live, 0);
	CHECK_EQ(st.records, before.records);
	CHECK_EQ(st.violations, 0);
}

struct rw_ctx {
	struct sqn_iface *iface;
	unsigned got;
};

static void *reader_main(void *arg)
{
	static uint8_t rx[SQN_BATCH][1514];
	struct rw_ctx *c = arg;
	struct sqn_frame f[SQN_BATCH];
	unsigned i, idle = 0;
	int n;

	while (c->got < 2000 && idle < 20) {
		if (!readable(c->iface, 100)) {
			idle++;
			continue;
		}
		idle = 0;
		for (i = 0; i < SQN_BATCH; i++)
			f[i] = (struct sqn_frame){.data = rx[i], .cap = 1514};
		while ((n = sqn_iface_read(c->iface, f, SQN_BATCH)) > 0)
			c->got += (unsigned)n;
	}
	return NULL;
}

static void concurrent_reader_writer(void)
{
	struct sqn_iface *a, *b;
	interface_ref ra, rb;
	uint8_t tx[SQN_BATCH][200];
	struct sqn_frame f[SQN_BATCH];
	struct rw_ctx c;
	struct sim_stats st;
	pthread_t t;
	unsigned i, sent = 0;

	/* a writer thread on A, a reader thread on B: no lost wake-up */
	sim_ctl_reset();
	a = start_pair_member("vmA", 1, SQN_OFF, &ra);
	b = start_pair_member("vmB", 2, SQN_OFF, &rb);
	ASSERT(a && b);
	c.iface = b;
	c.got = 0;
	ASSERT(pthread_create(&t, NULL, reader_main, &c) == 0);
	for (i = 0; i < SQN_BATCH; i++) {
		frame_fill(tx[i], 200, i);
		f[i] = (struct sqn_frame){.data = tx[i], .len = 200};
	}
	while (sent < 2000) {
		CHECK_EQ(sqn_iface_write(a, f, 20), 20);
		sent += 20;
		while (sim_ctl_pending(rb) > 512)
			nanosleep(&(struct timespec){0, 100000}, NULL);
	}
	pthread_join(t, NULL);
	CHECK_EQ(c.got, 2000);
	sim_ctl_stats(&st);
	CHECK_EQ(st.rx_dropped, 0);
	CHECK_EQ(st.violations, 0);
	sqn_iface_free(a);
	sqn_iface_free(b);
}

/* ---- the simulator's own contract, called directly ---- */

/**
 * struct raw - an interface started on the simulator without the backend
 * @ifr:	the handle
 * @mps:	the max packet size the start announced
 */
struct raw {
	interface_ref ifr;
	uint64_t mps;
};

static bool raw_start(struct raw *r, uint64_t mode, uint64_t mtu)
{
	r->ifr = sim_ctl_open(mode, mtu, &r->mps);
	return r->ifr != NULL;
}

static void raw_stop(struct raw *r)
{
	CHECK_EQ(sim_ctl_close(r->ifr), VMNET_SUCCESS);
}

/* n packet descriptors of @len bytes each over one buffer per packet */
static void raw_pkts(struct vmpktdesc *p, struct iovec *iov, uint8_t *buf,
		     unsigned n, size_t len)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		iov[i].iov_base = buf + (size_t)i * len;
		iov[i].iov_len = len;
		p[i].vm_pkt_size = len;
		p[i].vm_pkt_iov = &iov[i];
		p[i].vm_pkt_iovcnt = 1;
		p[i].vm_flags = 0;
		if (len >= 14)
			frame_fill(buf + (size_t)i * len, (uint32_t)len, i);
	}
}

static struct vmpktdesc raw_p[SIM_MAX_PACKETS + 2];
static struct iovec raw_iov[SIM_MAX_PACKETS + 2];
static uint8_t raw_buf[(SIM_MAX_PACKETS + 2) * 1514];

static void sim_refuses_iovecs(void)
{
	struct raw r;
	struct sim_stats st;
	struct iovec two[2];
	int n;

	sim_ctl_reset();
	ASSERT(raw_start(&r, VMNET_SHARED_MODE, 0));
	raw_pkts(raw_p, raw_iov, raw_buf, 2, 60);
	/* a 60-byte packet in two iovecs: refused, write and read alike */
	two[0] = (struct iovec){raw_buf, 30};
	two[1] = (struct iovec){raw_buf + 30, 30};
	raw_p[1].vm_pkt_iov = two;
	raw_p[1].vm_pkt_iovcnt = 2;
	n = 2;
	CHECK_EQ(vmnet_write(r.ifr, raw_p, &n), VMNET_INVALID_ARGUMENT);
	CHECK_EQ(n, 0);
	raw_p[1].vm_pkt_iovcnt = 0;
	n = 2;
	CHECK_EQ(vmnet_write(r.ifr, raw_p, &n), VMNET_INVALID_ARGUMENT);
	raw_pkts(raw_p, raw_iov, raw_buf, 2, (size_t)r.mps);
	raw_p[0].vm_pkt_iovcnt = 2;
	n = 2;
	CHECK_EQ(vmnet_read(r.ifr, raw_p, &n), VMNET_INVALID_ARGUMENT);
	CHECK_EQ(n, 0);
	sim_ctl_stats(&st);
	CHECK_EQ(st.violations, 3);
	CHECK_EQ(st.tx_packets, 0);
	/* the same packets, one iovec each: taken */
	raw_pkts(raw_p, raw_iov, raw_buf, 2, 60);
	n = 2;
	CHECK_EQ(vmnet_write(r.ifr, raw_p, &n), VMNET_SUCCESS);
	CHECK_EQ(n, 2);
	sim_ctl_stats(&st);
	CHECK_EQ(st.violations, 3);
	CHECK_EQ(st.tx_packets, 2);
	raw_stop(&r);
}

static void sim_refuses_too_many_packets(void)
{
	struct raw r;
	struct sim_stats st;
	int n;

	/* MTU 1000: 200 read buffers of 1014 bytes stay under 256 KiB */
	sim_ctl_reset();
	ASSERT(raw_start(&r, VMNET_HOST_MODE, 1000));
	CHECK_EQ(r.mps, 1014);
	raw_pkts(raw_p, raw_iov, raw_buf, SIM_MAX_PACKETS + 1, 60);
	n = SIM_MAX_PACKETS + 1;
	CHECK_EQ(vmnet_write(r.ifr, raw_p, &n), VMNET_TOO_MANY_PACKETS);
	CHECK_EQ(n, 0);
	n = SIM_MAX_PACKETS;
	CHECK_EQ(vmnet_write(r.ifr, raw_p, &n), VMNET_SUCCESS);
	CHECK_EQ(n, SIM_MAX_PACKETS);
	raw_pkts(raw_p, raw_iov, raw_buf, SIM_MAX_PACKETS + 1, 1014);
	n = SIM_MAX_PACKETS + 1;
	CHECK_EQ(vmnet_read(r.ifr, raw_p, &n), VMNET_TOO_MANY_PACKETS);
	CHECK_EQ(n, 0);
	n = SIM_MAX_PACKETS;
	CHECK_EQ(vmnet_read(r.ifr, raw_p, &n), VMNET_SUCCESS);
	sim_ctl_stats(&st);
	CHECK_EQ(st.violations, 2);
	CHECK_EQ(st.tx_packets, SIM_MAX_PACKETS);
	raw_stop(&r);
}

static void sim_refuses_over_256k(void)
{
	static uint8_t big[30 * 9014];
	static struct vmpktdesc p[30];
	static struct iovec iov[30];
	struct raw r;
	struct sim_stats st;
	int n;

	/* 29 x 9014 = 261406 bytes fit in 256 KiB, 30 x 9014 do not */
	sim_ctl_reset();
	ASSERT(raw_start(&r, VMNET_SHARED_MODE, 9000));
	CHECK_EQ(r.mps, 9014);
	raw_pkts(p, iov, big, 30, 9014);
	n = 30;
	CHECK_EQ(vmnet_write(r.ifr, p, &n), VMNET_INVALID_ARGUMENT);
	CHECK_EQ(n, 0);
	n = 30;
	CHECK_EQ(vmnet_read(r.ifr, p, &n), VMNET_INVALID_ARGUMENT);
	sim_ctl_stats(&st);
	CHECK_EQ(st.violations, 2);
	CHECK_EQ(st.tx_packets, 0);
	n = 29;
	CHECK_EQ(vmnet_write(r.ifr, p, &n), VMNET_SUCCESS);
	CHECK_EQ(n, 29);
	raw_pkts(p, iov, big, 29, 9014);
	n = 29;
	CHECK_EQ(vmnet_read(r.ifr, p, &n), VMNET_SUCCESS);
	sim_ctl_stats(&st);
	CHECK_EQ(st.violations, 2);
	CHECK_EQ(st.tx_packets, 29);
	raw_stop(&r);
}

static void sim_refuses_sizes(void)
{
	struct raw r;
	struct sim_stats st;
	int n;

	sim_ctl_reset();
	ASSERT(raw_start(&r, VMNET_SHARED_MODE, 0));
	CHECK_EQ(r.mps, 1514);
	/* a read buffer shorter than the max packet size, either way */
	raw_pkts(raw_p, raw_iov, raw_buf, 2, 1514);
	raw_p[1].vm_pkt_size = 1513;
	n = 2;
	CHECK_EQ(vmnet_read(r.ifr, raw_p, &n), VMNET_INVALID_ARGUMENT);
	raw_pkts(raw_p, raw_iov, raw_buf, 2, 1514);
	raw_iov[0].iov_len = 1000;
	n = 2;
	CHECK_EQ(vmnet_read(r.ifr, raw_p, &n), VMNET_INVALID_ARGUMENT);
	sim_ctl_stats(&st);
	CHECK_EQ(st.violations, 2);
	/* a written packet larger than its buffer */
	raw_pkts(raw_p, raw_iov, raw_buf, 1, 100);
	raw_p[0].vm_pkt_size = 101;
	n = 1;
	CHECK_EQ(vmnet_write(r.ifr, raw_p, &n), VMNET_INVALID_ARGUMENT);
	/* a written packet above the max packet size, third of five: the
	 * two before it are written, and *pktcnt says so */
	raw_pkts(raw_p, raw_iov, raw_buf, 5, 1515);
	raw_p[0].vm_pkt_size = raw_p[1].vm_pkt_size = 100;
	raw_p[3].vm_pkt_size = raw_p[4].vm_pkt_size = 100;
	n = 5;
	CHECK_EQ(vmnet_write(r.ifr, raw_p, &n), VMNET_PACKET_TOO_BIG);
	CHECK_EQ(n, 2);
	sim_ctl_stats(&st);
	CHECK_EQ(st.violations, 3);
	CHECK_EQ(st.too_big, 1);
	CHECK_EQ(st.tx_packets, 2);
	raw_stop(&r);
}

static void sim_refuses_stale_handle(void)
{
	struct raw r;
	struct sim_stats st;
	int n = 1;

	sim_ctl_reset();
	ASSERT(raw_start(&r, VMNET_SHARED_MODE, 0));
	raw_stop(&r);
	sim_ctl_stats(&st);
	CHECK_EQ(st.violations, 0);
	raw_pkts(raw_p, raw_iov, raw_buf, 1, 60);
	CHECK_EQ(vmnet_write(r.ifr, raw_p, &n), VMNET_INVALID_ARGUMENT);
	CHECK_EQ(sim_ctl_close(r.ifr), VMNET_INVALID_ARGUMENT);
	sim_ctl_stats(&st);
	CHECK_EQ(st.violations, 2);
}

/* ---- start and stop within their deadlines ---- */

static void start_timeout_stop_hangs(void)
{
	struct sqn_params p;
	struct sqn_iface *iface = NULL;
	struct sim_stats st;
	char err[256];
	uint64_t t0, dt;
	int rc;

	/* neither the start nor the stop ever completes */
	sim_ctl_reset();
	sim_ctl_start_hang(true);
	sim_ctl_stop_hang(true);
	params(&p, "eth0", SQN_MODE_SHARED);
	p.start_timeout_ms = 300;
	t0 = now_ms();
	rc = sqn_iface_start(&p, &iface, err, sizeof(err));
	dt = now_ms() - t0;
	printf("# start timed out after %llu ms, its stop hanging too "
	       "(deadline 300)\n",
	       (unsigned long long)dt);
	CHECK_EQ(rc, -ETIMEDOUT);
	CHECK(!iface);
	CHECK_STR_HAS(err, "did not complete in 300 ms");
	CHECK(dt >= 290);
	CHECK(dt <= 400);
	sim_ctl_stats(&st);
	CHECK_EQ(st.starts, 1);
	CHECK_EQ(st.stops, 1); /* stopped all the same */
	CHECK_EQ(st.live, 0);
	CHECK_EQ(st.violations, 0);
	sim_ctl_reset();
}

static void start_fail_stop_hangs(void)
{
	struct sqn_params p;
	struct sqn_iface *iface = NULL;
	struct sim_stats st;
	char err[256];
	uint64_t t0, dt;
	int rc;

	/* the start fails at once; the stop of the failed handle hangs */
	sim_ctl_reset();
	sim_ctl_start_fail(VMNET_FAILURE);
	sim_ctl_stop_hang(true);
	params(&p, "eth0", SQN_MODE_SHARED);
	p.start_timeout_ms = 300;
	t0 = now_ms();
	rc = sqn_iface_start(&p, &iface, err, sizeof(err));
	dt = now_ms() - t0;
	printf("# failed start returned after %llu ms, its stop hanging "
	       "(deadline 300)\n",
	       (unsigned long long)dt);
	CHECK_EQ(rc, -EIO);
	CHECK(!iface);
	CHECK_STR_HAS(err, "VMNET_FAILURE (1001)");
	CHECK(dt <= 400);
	sim_ctl_stats(&st);
	CHECK_EQ(st.stops, 1);
	CHECK_EQ(st.live, 0);
	sim_ctl_reset();
}

static void start_completes_late(void)
{
	struct sqn_params p;
	struct sqn_iface *iface = NULL;
	struct sim_stats st;
	char err[256];
	uint64_t t0, dt;
	int rc, fds = fds_open(), i;

	/* the completion comes 300 ms after start gave up and freed all:
	 * it must touch nothing freed (ASan build: t_vmnet under ASan) */
	sim_ctl_reset();
	sim_ctl_start_delay(600);
	params(&p, "eth0", SQN_MODE_SHARED);
	p.start_timeout_ms = 300;
	t0 = now_ms();
	rc = sqn_iface_start(&p, &iface, err, sizeof(err));
	dt = now_ms() - t0;
	CHECK_EQ(rc, -ETIMEDOUT);
	CHECK(!iface);
	CHECK(dt <= 400);
	CHECK_EQ(fds_open(), fds);
	for (i = 0; i < 200; i++) {
		sim_ctl_stats(&st);
		if (st.start_handlers)
			break;
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	printf("# start gave up after %llu ms; its completion ran %llu ms "
	       "after the start began\n",
	       (unsigned long long)dt, (unsigned long long)(now_ms() - t0));
	CHECK_EQ(st.start_handlers, 1);
	CHECK_EQ(st.live, 0);
	CHECK_EQ(st.violations, 0);
	sim_ctl_reset();
}

static void stop_timeout_bounded(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sim_stats st;
	uint64_t t0, dt;

	/* stop's deadline is fixed (1000 ms), whatever start_timeout_ms is */
	sim_ctl_reset();
	log_reset();
	params(&p, "eth0", SQN_MODE_SHARED);
	p.start_timeout_ms = 10000;
	iface = start(&p);
	ASSERT(iface);
	sim_ctl_stop_hang(true);
	t0 = now_ms();
	sqn_iface_free(iface);
	dt = now_ms() - t0;
	printf("# stop gave up after %llu ms (stop deadline 1000, "
	       "start_timeout_ms 10000)\n",
	       (unsigned long long)dt);
	CHECK(dt >= 990);
	CHECK(dt <= 1100);
	CHECK_STR_HAS(log_text, "did not complete in 1000 ms");
	sim_ctl_stats(&st);
	CHECK_EQ(st.stops, 1);
	CHECK_EQ(st.live, 0);
	sim_ctl_reset();
}

static void stop_completes_late(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sim_stats st;
	uint64_t t0, dt;
	int i;

	/* the stop completion comes 300 ms after stop gave up and freed */
	sim_ctl_reset();
	params(&p, "eth0", SQN_MODE_SHARED);
	iface = start(&p);
	ASSERT(iface);
	sim_ctl_stop_delay(1300);
	t0 = now_ms();
	sqn_iface_free(iface);
	dt = now_ms() - t0;
	CHECK(dt <= 1100);
	sim_ctl_stats(&st);
	CHECK_EQ(st.stop_handlers, 0);
	for (i = 0; i < 200; i++) {
		sim_ctl_stats(&st);
		if (st.stop_handlers)
			break;
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	printf("# stop gave up after %llu ms; its completion ran at %llu ms\n",
	       (unsigned long long)dt, (unsigned long long)(now_ms() - t0));
	CHECK_EQ(st.stop_handlers, 1);
	CHECK_EQ(st.violations, 0);
	sim_ctl_reset();
}

static void event_callback_fails(void)
{
	struct sqn_params p;
	struct sqn_iface *iface = NULL;
	struct sim_stats before, st;
	char err[256];
	int fds, threads;

	sim_ctl_reset();
	sim_ctl_stats(&before);
	fds = fds_open();
	threads = threads_settled(0x7fffffff);
	sim_ctl_event_cb_fail(VMNET_FAILURE);
	params(&p, "eth0", SQN_MODE_SHARED);
	CHECK_EQ(sqn_iface_start(&p, &iface, err, sizeof(err)), -EIO);
	CHECK(!iface);
	CHECK_STR_HAS(err, "vmnet_interface_set_event_callback");
	CHECK_STR_HAS(err, "VMNET_FAILURE (1001)");
	sim_ctl_stats(&st);
	CHECK_EQ(st.starts, 1);
	CHECK_EQ(st.stops, 1);
	CHECK_EQ(st.live, 0);
	CHECK_EQ(st.records, before.records);
	CHECK_EQ(st.violations, 0);
	CHECK_EQ(fds_open(), fds);
	CHECK(threads_settled(threads) <= threads);
	sim_ctl_reset();
}

/* ---- frames: batches past the per-call limits, refusals ---- */

static void write_jumbo_batch_split(void)
{
	static uint8_t tx[SQN_BATCH][9014], rx[SQN_BATCH][9014];
	struct sqn_params p;
	struct sqn_iface *a, *b;
	struct sqn_frame f[SQN_BATCH], r[SQN_BATCH];
	struct sqn_stats s;
	struct sim_stats st;
	unsigned i, got = 0, bad = 0;
	uint32_t seq;
	int n;

	/* 32 x 9014 bytes = 288448 > 256 KiB: two vmnet_write calls */
	sim_ctl_reset();
	params(&p, "vmA", SQN_MODE_HOST);
	p.mtu = 9000;
	p.isolation = SQN_OFF;
	a = start(&p);
	params(&p, "vmB", SQN_MODE_HOST);
	p.mtu = 9000;
	p.isolation = SQN_OFF;
	p.guest_mac[5] = 2;
	b = start(&p);
	ASSERT(a && b);
	settle(b);
	for (i = 0; i < SQN_BATCH; i++) {
		frame_fill(tx[i], 9014, i);
		f[i] = (struct sqn_frame){.data = tx[i], .len = 9014};
	}
	sim_ctl_reset();
	CHECK_EQ(sqn_iface_write(a, f, SQN_BATCH), SQN_BATCH);
	sqn_iface_stats(a, &s);
	CHECK_EQ(s.tx_frames, SQN_BATCH);
	CHECK_EQ(s.tx_bytes, SQN_BATCH * 9014);
	CHECK_EQ(s.tx_dropped, 0);
	sim_ctl_stats(&st);
	printf("# 32 x 9014 bytes: %lu vmnet_write calls, at most %u packets "
	       "/ %zu bytes per call\n",
	       st.write_calls, st.max_write_pkts, st.max_write_bytes);
	CHECK_EQ(st.write_calls, 2);
	CHECK_EQ(st.max_write_pkts, SIM_MAX_BYTES / 9014);
	CHECK(st.max_write_bytes <= SIM_MAX_BYTES);
	CHECK_EQ(st.tx_packets, SQN_BATCH);
	CHECK_EQ(st.violations, 0);
	/* all of them, in order, on the other side */
	for (i = 0; i < SQN_BATCH; i++)
		r[i] = (struct sqn_frame){.data = rx[i], .cap = 9014};
	while (got < SQN_BATCH && readable(b, 2000) &&
	       (n = sqn_iface_read(b, r, SQN_BATCH)) > 0) {
		for (i = 0; i < (unsigned)n; i++, got++) {
			memcpy(&seq, rx[i] + 14, 4);
			if (seq != got || r[i].len != 9014 ||
			    memcmp(rx[i], tx[got], 9014))
				bad++;
		}
	}
	CHECK_EQ(got, SQN_BATCH);
	CHECK_EQ(bad, 0);
	sqn_iface_free(a);
	sqn_iface_free(b);
}

static void oversize_mid_batch(void)
{
	static const uint32_t len[8] = {200,  200, 1200, 200,
					1200, 200, 200,	 200};
	static uint8_t tx[8][1514], rx[8][1514];
	struct sqn_iface *a, *b;
	struct sqn_frame f[8], r[8];
	struct sqn_stats s;
	struct sim_stats st;
	unsigned i, got = 0, bad = 0;
	uint32_t seq, want[] = {0, 1, 3, 5, 6, 7};
	char err[256];
	int n;

	/* vmnet refuses frames above 1000 bytes, though it announced 1514:
	 * the two it refuses are dropped, the six others go on, in order */
	sim_ctl_reset();
	log_reset();
	a = start_pair_member("vmA", 1, SQN_OFF, &(interface_ref){0});
	b = start_pair_member("vmB", 2, SQN_OFF, &(interface_ref){0});
	ASSERT(a && b);
	for (i = 0; i < 8; i++) {
		frame_fill(tx[i], len[i], i);
		f[i] = (struct sqn_frame){.data = tx[i], .len = len[i]};
	}
	sim_ctl_reset();
	sim_ctl_enforce_max_packet(1000);
	CHECK_EQ(sqn_iface_write(a, f, 8), 8);
	sqn_iface_stats(a, &s);
	CHECK_EQ(s.tx_frames, 6);
	CHECK_EQ(s.tx_bytes, 6 * 200);
	CHECK_EQ(s.tx_dropped, 2);
	CHECK_EQ(s.tx_errors, 0);
	sim_ctl_stats(&st);
	CHECK_EQ(st.too_big, 2);
	CHECK_EQ(st.tx_packets, 6);
	CHECK_EQ(st.violations, 0);
	sqn_iface_last_error(a, err, sizeof(err));
	CHECK_STR_HAS(err, "VMNET_PACKET_TOO_BIG (1006)");
	CHECK_STR_HAS(err, "1200-byte frame dropped, the rest goes on");
	for (i = 0; i < 8; i++)
		r[i] = (struct sqn_frame){.data = rx[i], .cap = 1514};
	while (got < 6 && readable(b, 2000) &&
	       (n = sqn_iface_read(b, r, 8)) > 0) {
		for (i = 0; i < (unsigned)n && got < 6; i++, got++) {
			memcpy(&seq, rx[i] + 14, 4);
			if (seq != want[got] || r[i].len != 200)
				bad++;
		}
	}
	CHECK_EQ(got, 6);
	CHECK_EQ(bad, 0);
	sqn_iface_free(a);
	sqn_iface_free(b);
	sim_ctl_reset();
}

static void read_failures_rate_limited(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	uint8_t rx[1514];
	struct sqn_frame f = {.data = rx, .cap = sizeof(rx)};
	const char *s;
	char err[256];
	int i, lines = 0, fails = 0;

	sim_ctl_reset();
	params(&p, "eth0", SQN_MODE_SHARED);
	iface = start(&p);
	ASSERT(iface);
	settle(iface);
	log_reset();
	sim_ctl_read_fail(VMNET_FAILURE);
	for (i = 0; i < 100; i++)
		if (sqn_iface_read(iface, &f, 1) == -EIO)
			fails++;
	pthread_mutex_lock(&log_lock);
	for (s = log_text; (s = strstr(s, "vmnet_read: VMNET_FAILURE")); s++)
		lines++;
	pthread_mutex_unlock(&log_lock);
	printf("# 100 failed reads, %d messages\n", lines);
	CHECK_EQ(fails, 100);
	CHECK_EQ(lines, 7); /* the 1st, 2nd, 4th ... 64th */
	sqn_iface_last_error(iface, err, sizeof(err));
	CHECK_STR_HAS(err, "64 failed reads so far");
	sim_ctl_read_fail(0);
	CHECK_EQ(sqn_iface_read(iface, &f, 1), 0);
	sqn_iface_free(iface);
	sim_ctl_reset();
}

/* ---- bridged mode: the simulated LAN behind the host interface ---- */

static void bridged_lan(void)
{
	static const uint8_t mac[6] = {0x06, 0, 0xaa, 0xbb, 0xcc, 0x02};
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sim_stats st;
	uint8_t tx[400], yi[4], rx[1514] = {0};
	struct sqn_frame f = {.data = tx};
	struct sqn_frame r = {.data = rx, .cap = sizeof(rx)};
	uint8_t *a = tx + 14;

	sim_ctl_reset();
	params(&p, "eth0", SQN_MODE_BRIDGED);
	p.bridged_iface = "en0";
	memcpy(p.guest_mac, mac, 6);
	iface = start(&p);
	ASSERT(iface);
	CHECK_EQ(sqn_iface_mtu(iface), 1500);
	settle(iface);

	/* the LAN's router leases from 192.168.1.100 */
	f.len = (uint32_t)dhcp_frame(tx, mac, 1, 0x2345);
	CHECK_EQ(sqn_iface_write(iface, &f, 1), 1);
	CHECK_EQ(dhcp_reply(iface, 0x2345, yi), 2);
	printf("# bridged: the LAN's router offered %u.%u.%u.%u\n", yi[0],
	       yi[1], yi[2], yi[3]);
	CHECK(yi[0] == 192 && yi[1] == 168 && yi[2] == 1);
	CHECK(yi[3] >= SIM_LAN_FIRST);
	f.len = (uint32_t)dhcp_frame(tx, mac, 3, 0x2346);
	CHECK_EQ(sqn_iface_write(iface, &f, 1), 1);
	CHECK_EQ(dhcp_reply(iface, 0x2346, yi), 5);

	/* it answers ARP for 192.168.1.1; nobody answers for 192.168.64.1 */
	memset(tx, 0, 60);
	memset(tx, 0xff, 6);
	memcpy(tx + 6, mac, 6);
	put16(tx + 12, 0x0806);
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);
	memcpy(a + 8, mac, 6);
	memcpy(a + 14, yi, 4);
	memcpy(a + 24, "\xc0\xa8\x40\x01", 4);
	f.len = 60;
	settle(iface);
	CHECK_EQ(sqn_iface_write(iface, &f, 1), 1);
	nanosleep(&(struct timespec){0, 100000000}, NULL);
	CHECK_EQ(sqn_iface_read(iface, &r, 1), 0);
	memcpy(a + 24, "\xc0\xa8\x01\x01", 4);
	CHECK_EQ(sqn_iface_write(iface, &f, 1), 1);
	ASSERT(readable(iface, 2000));
	ASSERT(sqn_iface_read(iface, &r, 1) == 1);
	CHECK(rx[12] == 0x08 && rx[13] == 0x06);
	CHECK(rx[14 + 7] == 2);
	CHECK(!memcmp(rx + 14 + 14, "\xc0\xa8\x01\x01", 4));
	sim_ctl_stats(&st);
	CHECK_EQ(st.violations, 0);
	sqn_iface_free(iface);
}

static const struct check_case cases[] = {
	CASE(desc_shared),
	CASE(desc_host_mtu),
	CASE(desc_bridged),
	CASE(desc_other_mode_ignores_bridged_iface),
	CASE(bridged_needs_name),
	CASE(uuid_deterministic),
	CASE(start_timeout),
	CASE(start_fail_statuses),
	CASE(missing_keys_defaults),
	CASE(host_mac_from_vmnet),
	CASE(event_wakes_fd),
	CASE(drain_500),
	CASE(jumbo_read_limits),
	CASE(small_buffers_never_truncate),
	CASE(write_batches),
	CASE(oversize_writes),
	CASE(isolation),
	CASE(dhcp_arp_icmp),
	CASE(stop_idempotent),
	CASE(stop_timeout_bounded),
	CASE(start_stop_cycles),
	CASE(concurrent_reader_writer),
	CASE(sim_refuses_iovecs),
	CASE(sim_refuses_too_many_packets),
	CASE(sim_refuses_over_256k),
	CASE(sim_refuses_sizes),
	CASE(sim_refuses_stale_handle),
	CASE(start_timeout_stop_hangs),
	CASE(start_fail_stop_hangs),
	CASE(start_completes_late),
	CASE(stop_completes_late),
	CASE(event_callback_fails),
	CASE(write_jumbo_batch_split),
	CASE(oversize_mid_batch),
	CASE(read_failures_rate_limited),
	CASE(bridged_lan),
};

CHECK_MAIN(cases)
