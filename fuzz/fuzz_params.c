/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_params.c - sqn_iface_start() with parameters made of the input
 *
 * Every field of struct sqn_params is taken from the input (strings and
 * string arrays too), the mode is loopback or an out-of-range value, so no
 * helper process or device is ever created (a size field that ends before
 * .mode leaves it 0: the default mode, slirp on Linux, in-process too). Start must either succeed (and
 * then a frame goes through and stop frees everything: LeakSanitizer
 * checks) or fail with a negative errno and a non-empty message.
 */
#include <errno.h>
#include <stddef.h>

#include "fuzz_util.h"
#include "squibnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_ARGS 40 /* above the library's limit of 32, to test it */

/**
 * struct strs - strings taken from the input, freed together
 * @s:	the strings
 * @n:	their number
 */
struct strs {
	char *s[16 + 3 * FZ_MAX_ARGS];
	size_t n;
};

/**
 * take() - a string from the input, or NULL when the input says so
 * @f:		the cursor
 * @keep:	records it for freeing
 *
 * Return: the string or NULL
 */
static const char *take(struct fz *f, struct strs *keep)
{
	char *s;

	if (fz_u8(f) % 4 == 0)
		return NULL;
	s = fz_str(f, 600);
	FZ_REQUIRE(s);
	keep->s[keep->n++] = s;
	return s;
}

/**
 * take_array() - an array of up to FZ_MAX_ARGS strings
 * @f:		the cursor
 * @keep:	records the strings
 * @arr:	storage for the pointers
 * @n:		gets the count
 *
 * Return: @arr, or NULL with *@n == 0
 */
static const char *const *take_array(struct fz *f, struct strs *keep,
				     const char **arr, unsigned *n)
{
	unsigned i, cnt = fz_u8(f) % (FZ_MAX_ARGS + 1);

	*n = cnt;
	if (!cnt)
		return NULL;
	for (i = 0; i < cnt; i++) {
		arr[i] = take(f, keep);
		if (!arr[i]) /* a NULL entry is the caller's bug: use "" */
			arr[i] = "";
	}
	return arr;
}

/**
 * tristate() - SQN_ON, SQN_OFF, 0, or now and then any int
 * @f:	the cursor
 *
 * Return: the value
 */
static int tristate(struct fz *f)
{
	uint8_t b = fz_u8(f);

	if (b < 250)
		return (int)(b % 3) - 1;
	return (int)fz_u32(f);
}

/**
 * one_line() - whether a message is one printable line
 * @msg:	the message
 *
 * Return: 1 if it holds no control character (a quoted input's newline
 * would forge a second log line)
 */
static int one_line(const char *msg)
{
	for (; *msg; msg++)
		if ((unsigned char)*msg < 0x20 || *msg == 0x7f)
			return 0;
	return 1;
}

/**
 * check_log() - log callback: messages are short, terminated lines
 * @opaque:	unused
 * @level:	severity
 * @msg:	the message
 */
static void check_log(void *opaque, enum sqn_log_level level, const char *msg)
{
	(void)opaque;
	FZ_REQUIRE(level <= SQN_LOG_DEBUG);
	FZ_REQUIRE(msg && strnlen(msg, 4096) < 4096);
	FZ_REQUIRE(one_line(msg));
}

/**
 * exercise() - one frame each way through a started interface
 * @iface:	the interface
 * @mode:	the mode it must report
 */
static void exercise(struct sqn_iface *iface, enum sqn_mode mode)
{
	static uint8_t buf[SQN_FRAME_MAX];
	struct sqn_frame f = {.data = buf, .len = 60};
	struct sqn_stats st;
	uint32_t max = sqn_iface_max_frame(iface);
	uint8_t mac[6];
	char why[64];

	FZ_REQUIRE(sqn_iface_mtu(iface) > 0);
	FZ_REQUIRE(max >= SQN_FRAME_MIN && max <= SQN_FRAME_MAX);
	FZ_REQUIRE(sqn_iface_fd(iface) >= 0);
	FZ_REQUIRE(sqn_iface_mode(iface) == mode);
	sqn_iface_guest_mac(iface, mac);
	FZ_REQUIRE(!(mac[0] & 1));
	FZ_REQUIRE(sqn_iface_link(iface, why, sizeof(why)) == 1);
	if (max < 60)
		f.len = max;
	FZ_REQUIRE(sqn_iface_write(iface, &f, 1) == 1);
	f.cap = sizeof(buf);
	FZ_REQUIRE(sqn_iface_read(iface, &f, 1) >= 0);
	sqn_iface_stats(iface, &st);
	FZ_REQUIRE(st.tx_frames + st.tx_errors == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *args[FZ_MAX_ARGS], *search[FZ_MAX_ARGS], *fwd[FZ_MAX_ARGS];
	struct fz f = {data, size};
	struct strs keep = {.n = 0};
	struct sqn_iface *iface = (struct sqn_iface *)&keep; /* not NULL */
	struct sqn_params p;
	char err[256];
	uint8_t how;
	size_t i;
	int rc;

	sqn_params_init(&p);
	how = fz_u8(&f);
	/* size: ours, an older caller's shorter struct, or garbage */
	if (how % 8 == 1)
		p.size = (uint32_t)(offsetof(struct sqn_params, log) +
				    fz_u8(&f) % 64);
	else if (how % 8 == 2)
		p.size = fz_u32(&f);
	/* mode: loopback, or a value that is no mode at all */
	p.mode = SQN_MODE_LOOPBACK;
	if (how & 0x80)
		p.mode = (enum sqn_mode)(how & 0x40
						 ? -(int)fz_u8(&f) - 1
						 : SQN_MODE_COUNT_ + fz_u8(&f));
	p.iface_id = take(&f, &keep);
	p.bridged_iface = take(&f, &keep);
	p.mtu = fz_u8(&f) & 1 ? fz_u32(&f) : 0;
	p.start_timeout_ms = fz_u8(&f) & 1 ? fz_u32(&f) : 0;
	p.isolation = tristate(&f);
	for (i = 0; i < 6; i++)
		p.guest_mac[i] = fz_u8(&f);
	if (fz_u8(&f) & 1)
		p.log = check_log;
	p.log_level = (enum sqn_log_level)(fz_u8(&f) % 5);
	p.rx_queue_len = fz_u8(&f) & 1 ? fz_u32(&f) % 70000 : 0;
	p.tx_queue_len = fz_u8(&f) & 1 ? fz_u32(&f) : 0;
	p.max_frame = fz_u8(&f) & 1 ? fz_u32(&f) : 0;
	p.helper_kind = (enum sqn_helper_kind)(fz_u8(&f) % 5);
	p.helper_path = take(&f, &keep);
	p.helper_args = take_array(&f, &keep, args, &p.n_helper_args);
	p.helper_restart = tristate(&f);
	p.helper_env = tristate(&f);
	p.connect_url = take(&f, &keep);
	p.host_dev_name = take(&f, &keep);
	p.tap_create = tristate(&f);
	p.tap_queues = fz_u8(&f) % 20;
	p.offload = tristate(&f);
	p.offload_features = (uint64_t)fz_u32(&f) << 32 | fz_u32(&f);
	p.slirp_net = take(&f, &keep);
	p.slirp_host = take(&f, &keep);
	p.slirp_dns = take(&f, &keep);
	p.slirp_dhcp_start = take(&f, &keep);
	p.slirp_ipv6 = tristate(&f);
	p.slirp_restrict = tristate(&f);
	p.slirp_dns_search =
		take_array(&f, &keep, search, &p.n_slirp_dns_search);
	p.forwards = take_array(&f, &keep, fwd, &p.n_forwards);

	err[0] = '\0';
	rc = sqn_iface_start(&p, &iface, err, sizeof(err));
	if (rc == 0) {
		FZ_REQUIRE(iface);
		/* a struct that ends before .mode asks for the default */
		exercise(iface, p.size < offsetof(struct sqn_params, mode) +
							sizeof(p.mode)
					? sqn_mode_default()
					: SQN_MODE_LOOPBACK);
		sqn_iface_free(iface);
	} else {
		FZ_REQUIRE(rc < 0);
		FZ_REQUIRE(iface == NULL);
		FZ_REQUIRE(err[0] != '\0'); /* every failure says why */
		FZ_REQUIRE(one_line(err));
		FZ_REQUIRE(strnlen(err, sizeof(err)) < sizeof(err));
	}
	for (i = 0; i < keep.n; i++)
		free(keep.s[i]);
	return 0;
}
