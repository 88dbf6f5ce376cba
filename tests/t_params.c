/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_params.c - every refused parameter has its own message, and a refused
 *		start leaves nothing behind
 */
#include <dirent.h>
#include <errno.h>

#include "check.h"
#include "res.h"
#include "config.h"
#include "squibnet.h"

static char err[512];

static int try_start(struct sqn_params *p)
{
	struct sqn_iface *iface = (struct sqn_iface *)1;
	int rc;

	err[0] = '\0';
	rc = sqn_iface_start(p, &iface, err, sizeof(err));
	if (rc == 0)
		sqn_iface_free(iface);
	else
		CHECK(iface == NULL);
	printf("# rc %d: %s\n", rc, err);
	return rc;
}

static void base(struct sqn_params *p)
{
	sqn_params_init(p);
	p->iface_id = "eth0";
	p->mode = SQN_MODE_LOOPBACK;
}

static void good_start(void)
{
	struct sqn_params p;

	base(&p);
	CHECK_EQ(try_start(&p), 0);
}

static void iface_id_space(void)
{
	struct sqn_params p;

	base(&p);
	p.iface_id = "eth 0";
	CHECK_EQ(try_start(&p), -EINVAL);
	CHECK_STR_HAS(err, "iface_id \"eth 0\" has a space at offset 3");
}

static void iface_id_65(void)
{
	struct sqn_params p;
	char id[66];

	memset(id, 'x', 65);
	id[65] = '\0';
	base(&p);
	p.iface_id = id;
	CHECK_EQ(try_start(&p), -EINVAL);
	CHECK_STR_HAS(err, "iface_id");
	CHECK_STR_HAS(err, "longer than 64 characters");
}

static void iface_id_missing(void)
{
	struct sqn_params p;

	base(&p);
	p.iface_id = NULL;
	CHECK_EQ(try_start(&p), -EINVAL);
	CHECK_STR_HAS(err, "iface_id is missing");
	p.iface_id = "";
	CHECK_EQ(try_start(&p), -EINVAL);
	CHECK_STR_HAS(err, "iface_id is empty");
}

static void host_dev_name_empty(void)
{
	struct sqn_params p;

	base(&p);
	p.host_dev_name = "";
	CHECK_EQ(try_start(&p), -EINVAL);
	CHECK_STR_HAS(err, "host_dev_name is empty");
}

static void host_dev_name_long(void)
{
	struct sqn_params p;
	char n[70];

	memset(n, 't', 65);
	n[65] = '\0';
	base(&p);
	p.host_dev_name = n;
	CHECK_EQ(try_start(&p), -EINVAL);
	CHECK_STR_HAS(err, "longer than 64 bytes");
}

static void mac_five_octets(void)
{
	uint8_t m[6] = {1, 2, 3, 4, 5, 6};
	char msg[256];

	/* the MAC arrives as text from a CLI or an API body: parse refuses,
	 * says why, and leaves the output alone */
	CHECK_EQ(sqn_mac_parse("06:00:11:22:33", m), -EINVAL);
	CHECK_EQ(sqn_mac_parse_msg("06:00:11:22:33", m, msg, sizeof(msg)),
		 -EINVAL);
	CHECK_STR_HAS(msg, "'06:00:11:22:33' has 5 octets");
	CHECK_STR_HAS(msg, "six two-digit hex octets");
	CHECK_EQ(sqn_mac_parse_msg("06:00:11:22:33:44:55", m, msg, sizeof(msg)),
		 -EINVAL);
	CHECK_STR_HAS(msg, "has 7 octets");
	CHECK_EQ(sqn_mac_parse_msg("06:00:1g:22:33:44", m, msg, sizeof(msg)),
		 -EINVAL);
	CHECK_STR_HAS(msg, "octet 3 '1g' is not two hex digits");
	CHECK_EQ(sqn_mac_parse_msg("06:00:123:22:33:44", m, msg, sizeof(msg)),
		 -EINVAL);
	CHECK_STR_HAS(msg, "octet 3 '123'");
	CHECK_EQ(sqn_mac_parse_msg("", m, msg, sizeof(msg)), -EINVAL);
	CHECK_STR_HAS(msg, "MAC address is empty");
	CHECK_EQ(m[0], 1);
	CHECK_EQ(m[5], 6);
	CHECK_EQ(sqn_mac_parse_msg("06:00:AB:cd:00:ff", m, msg, sizeof(msg)),
		 0);
	CHECK_EQ(m[2], 0xab);
}

static void mac_multicast(void)
{
	struct sqn_params p;

	base(&p);
	memcpy(p.guest_mac, "\x01\x00\x5e\x00\x00\x01", 6);
	CHECK_EQ(try_start(&p), -EINVAL);
	CHECK_STR_HAS(err, "guest_mac 01:00:5e:00:00:01 is a multicast");
}

static void mtu_range(void)
{
	struct sqn_params p;

	base(&p);
	p.mtu = 67;
	CHECK_EQ(try_start(&p), -EINVAL);
	CHECK_STR_HAS(err, "mtu 67 is out of range: use 68 to 65535");
	p.mtu = 65536;
	CHECK_EQ(try_start(&p), -EINVAL);
	CHECK_STR_HAS(err, "mtu 65536 is out of range");
	p.mtu = 68;
	CHECK_EQ(try_start(&p), 0);
	p.mtu = 65535;
	CHECK_EQ(try_start(&p), 0);
}

static void unknown_mode(void)
{
	struct sqn_params p;
	enum sqn_mode m;

	base(&p);
	p.mode = (enum sqn_mode)42;
	CHECK_EQ(try_start(&p), -EINVAL);
	CHECK_STR_HAS(err, "mode 42 is unknown");
	CHECK_EQ(sqn_mode_parse("warp", &m), -EINVAL);
	CHECK_EQ(sqn_mode_parse("tap", &m), 0);
	CHECK_EQ(m, SQN_MODE_TAP);
}

static void vmnet_mode_on_linux(void)
{
#if defined(__linux__) && !defined(SQN_HAVE_VMNET)
	static const enum sqn_mode vm[] = {SQN_MODE_SHARED, SQN_MODE_HOST,
					   SQN_MODE_BRIDGED};
	struct sqn_params p;
	size_t i;

	for (i = 0; i < 3; i++) {
		base(&p);
		p.mode = vm[i];
		p.bridged_iface = "en0";
		CHECK_EQ(try_start(&p), -ENOTSUP);
		CHECK_STR_HAS(err, sqn_mode_name(vm[i]));
		CHECK_STR_HAS(err, "needs macOS vmnet.framework");
		CHECK_STR_HAS(err, "modes that work here:");
		CHECK_STR_HAS(err, "loopback");
	}
#else
	/* vmnet is built in (macOS, or the simulator): the modes exist */
	CHECK(sqn_mode_supported(SQN_MODE_SHARED, NULL, 0));
	CHECK(sqn_mode_supported(SQN_MODE_BRIDGED, NULL, 0));
#endif
}

/*
 * sqn_mode_info(): the facts the command line used to spell by mode name
 * (which modes answer DHCP, which serialise on one lock, which need a URL,
 * a device or a bridged interface, which take offloads), for every mode,
 * built here or not; the size field is honoured and bad input refused.
 */
static void mode_info(void)
{
	static const struct {
		enum sqn_mode mode;
		const char *name, *platform;
		uint32_t flags, uses, needs;
	} want[] = {
		{SQN_MODE_SHARED, "shared", "macOS", SQN_MODE_HAS_DHCP, 0, 0},
		{SQN_MODE_HOST, "host", "macOS", SQN_MODE_HAS_DHCP, 0, 0},
		{SQN_MODE_BRIDGED, "bridged", "macOS", 0, SQN_PARAMS_BRIDGED,
		 SQN_PARAMS_BRIDGED},
		{SQN_MODE_USERSPACE, "userspace", "any",
		 SQN_MODE_HAS_DHCP | SQN_MODE_LARGE_FRAMES, SQN_PARAMS_HELPER,
		 0},
		{SQN_MODE_SOCKET, "socket", "any",
		 SQN_MODE_HAS_DHCP | SQN_MODE_LARGE_FRAMES,
		 SQN_PARAMS_URL | SQN_PARAMS_OFFLOAD, SQN_PARAMS_URL},
		{SQN_MODE_TAP, "tap", "Linux", 0,
		 SQN_PARAMS_DEVICE | SQN_PARAMS_QUEUES | SQN_PARAMS_OFFLOAD,
		 SQN_PARAMS_DEVICE},
		{SQN_MODE_SLIRP, "slirp", "any",
		 SQN_MODE_HAS_DHCP | SQN_MODE_ONE_LOCK | SQN_MODE_LIVE_FORWARDS,
		 SQN_PARAMS_SLIRP | SQN_PARAMS_OFFLOAD, 0},
		{SQN_MODE_LOOPBACK, "loopback", "any", 0, 0, 0},
	};
	struct sqn_mode_info mi;
	char why[SQN_MODE_WHY_LEN];
	size_t i;
	int n = 0;

	CHECK_EQ(sizeof(want) / sizeof(want[0]), SQN_MODE_COUNT_ - 1);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int sup = sqn_mode_supported(want[i].mode, why, sizeof(why));

		memset(&mi, 0x55, sizeof(mi));
		mi.size = sizeof(mi);
		CHECK_EQ(sqn_mode_info(want[i].mode, &mi), 0);
		CHECK_EQ(mi.size, sizeof(mi));
		CHECK_EQ(mi.mode, want[i].mode);
		CHECK(!strcmp(mi.name, want[i].name));
		CHECK(!strcmp(mi.platform, want[i].platform));
		CHECK(mi.summary && mi.summary[0]);
		CHECK_EQ(mi.flags, want[i].flags);
		CHECK_EQ(mi.uses, want[i].uses);
		CHECK_EQ(mi.needs, want[i].needs);
		CHECK_EQ(mi.needs & ~mi.uses, 0);
		/* the same answer as sqn_mode_supported(), reason included */
		CHECK_EQ(mi.supported, sup);
		CHECK(!strcmp(mi.why_not, why));
		CHECK_EQ(mi.supported, !mi.why_not[0]);
		n += mi.supported;
	}
	printf("# %d of %zu modes supported in this build\n", n, i);
	/* the default is described as the mode it stands for */
	mi.size = sizeof(mi);
	CHECK_EQ(sqn_mode_info(SQN_MODE_DEFAULT, &mi), 0);
	CHECK_EQ(mi.mode, sqn_mode_default());
	CHECK(!strcmp(mi.name, sqn_mode_name(sqn_mode_default())));
	CHECK(mi.supported);
	/* an older caller's shorter struct: nothing written past its size */
	memset(&mi, 0x55, sizeof(mi));
	mi.size = (uint32_t)offsetof(struct sqn_mode_info, flags);
	CHECK_EQ(sqn_mode_info(SQN_MODE_SLIRP, &mi), 0);
	CHECK(!strcmp(mi.name, "slirp"));
	CHECK_EQ(mi.flags, 0x55555555u);
	CHECK_EQ(mi.supported, 0x55555555);
	/* refused */
	mi.size = sizeof(mi);
	CHECK_EQ(sqn_mode_info((enum sqn_mode)SQN_MODE_COUNT_, &mi), -EINVAL);
	CHECK_EQ(sqn_mode_info((enum sqn_mode) - 1, &mi), -EINVAL);
	CHECK_EQ(sqn_mode_info(SQN_MODE_TAP, NULL), -EINVAL);
	mi.size = 4;
	CHECK_EQ(sqn_mode_info(SQN_MODE_TAP, &mi), -EINVAL);
}

/*
 * The MTU, the largest frame and offloads are resolved once, by the core,
 * for every backend: loopback and slirp here (tap, userspace and socket in
 * their own tests), each capped at SQN_FRAME_MAX.
 */
static void limits_resolved(void)
{
	static const struct {
		enum sqn_mode mode;
		uint32_t mtu, max_frame;
		int offload;
		uint32_t want_mtu, want_max;
		int want_offload;
	} cases[] = {
		{SQN_MODE_LOOPBACK, 0, 0, 0, 1500, 1514, 0},
		{SQN_MODE_LOOPBACK, 9000, 0, 0, 9000, 9014, 0},
		{SQN_MODE_LOOPBACK, 9000, 2000, 0, 9000, 2000, 0},
		{SQN_MODE_LOOPBACK, 0, 65536, 0, 1500, SQN_FRAME_MAX, 0},
		/* loopback takes no offloads: plain frames, the MTU's size */
		{SQN_MODE_LOOPBACK, 0, 0, SQN_ON, 1500, 1514, 0},
		{SQN_MODE_SLIRP, 0, 0, 0, 1500, 1514, 0},
		{SQN_MODE_SLIRP, 4000, 65536, 0, 4000, SQN_FRAME_MAX, 0},
		/* offloads: GSO frames of up to 64 KiB */
		{SQN_MODE_SLIRP, 0, 0, SQN_ON, 1500, SQN_FRAME_MAX, 1},
	};
	struct sqn_iface *iface;
	struct sqn_params p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!sqn_mode_supported(cases[i].mode, NULL, 0))
			continue;
		base(&p);
		p.mode = cases[i].mode;
		p.mtu = cases[i].mtu;
		p.max_frame = cases[i].max_frame;
		p.offload = cases[i].offload;
		iface = NULL;
		CHECK_EQ(sqn_iface_start(&p, &iface, err, sizeof(err)), 0);
		if (!iface)
			continue;
		CHECK_EQ(sqn_iface_mtu(iface), cases[i].want_mtu);
		CHECK_EQ(sqn_iface_max_frame(iface), cases[i].want_max);
		CHECK_EQ(sqn_iface_offload(iface), cases[i].want_offload);
		sqn_iface_free(iface);
	}
	/* slirp: a max_frame asked for that is smaller than the MTU's frame */
	if (sqn_mode_supported(SQN_MODE_SLIRP, NULL, 0)) {
		base(&p);
		p.mode = SQN_MODE_SLIRP;
		p.max_frame = 1000;
		CHECK_EQ(try_start(&p), -EINVAL);
		CHECK_STR_HAS(err, "max_frame 1000 is smaller than mtu 1500 + "
				   "14 bytes");
	}
}

static void size_field(void)
{
	struct sqn_params p;

	base(&p);
	p.size = 0;
	CHECK_EQ(try_start(&p), -EINVAL);
	CHECK_STR_HAS(err, "params.size is 0");
	base(&p);
	p.size = sizeof(p) + 8;
	CHECK_EQ(try_start(&p), -EINVAL);
	/* an older caller's shorter struct: missing fields read as 0 */
	base(&p);
	p.size = (uint32_t)(offsetof(struct sqn_params, mode) + sizeof(p.mode));
	p.mtu = 1; /* past size: must be ignored */
	CHECK_EQ(try_start(&p), 0);
}

static void other_fields(void)
{
	struct sqn_params p;

	base(&p);
	p.isolation = 5;
	CHECK_EQ(try_start(&p), -EINVAL);
	CHECK_STR_HAS(err, "isolation is 5");
	base(&p);
	p.max_frame = 13;
	CHECK_EQ(try_start(&p), -EINVAL);
	CHECK_STR_HAS(err, "max_frame 13 is out of range");
	base(&p);
	p.rx_queue_len = 1u << 20;
	CHECK_EQ(try_start(&p), -EINVAL);
	CHECK_STR_HAS(err, "rx_queue_len");
	base(&p);
	p.tap_queues = 17;
	CHECK_EQ(try_start(&p), -EINVAL);
	CHECK_STR_HAS(err, "tap_queues 17");
	base(&p);
	p.start_timeout_ms = 3600000;
	CHECK_EQ(try_start(&p), -EINVAL);
	CHECK_STR_HAS(err, "start_timeout_ms");
	CHECK_EQ(sqn_iface_start(NULL, NULL, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "params is NULL");
}

static void nothing_left_behind(void)
{
	struct sqn_params p;
	int before = res_fds(), i;

	for (i = 0; i < 100; i++) {
		base(&p);
		p.iface_id = "bad id";
		try_start(&p);
		base(&p);
		p.mode = SQN_MODE_SHARED;
		try_start(&p);
	}
	CHECK_EQ(res_fds(), before);
}

static void stop_null(void)
{
	sqn_iface_free(NULL); /* must not crash */
	CHECK(sqn_version()[0] == '0' + SQN_VERSION_MAJOR);
}

static const struct check_case cases[] = {
	CASE(good_start),	   CASE(iface_id_space),
	CASE(iface_id_65),	   CASE(iface_id_missing),
	CASE(host_dev_name_empty), CASE(host_dev_name_long),
	CASE(mac_five_octets),	   CASE(mac_multicast),
	CASE(mtu_range),	   CASE(unknown_mode),
	CASE(vmnet_mode_on_linux), CASE(size_field),
	CASE(other_fields),	   CASE(nothing_left_behind),
	CASE(stop_null),	   CASE(mode_info),
	CASE(limits_resolved),
};
CHECK_MAIN(cases)
