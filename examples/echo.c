/* SPDX-License-Identifier: Apache-2.0 */
/*
 * echo.c - the smallest VMM loop: start an interface, write a batch of
 *	    frames as a guest would, poll, read what comes back, print stats
 *
 * Build: cc echo.c $(pkg-config --cflags --libs squibnet)
 * Run:   ./echo [MODE]      (default: loopback)
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <squibnet.h>

#define NFRAMES 8

static void log_line(void *opaque, enum sqn_log_level level, const char *msg)
{
	(void)opaque;
	fprintf(stderr, "[%d] %s\n", (int)level, msg);
}

int main(int argc, char **argv)
{
	static uint8_t out[NFRAMES][1514], in[SQN_BATCH][65536];
	struct sqn_frame tx[NFRAMES], rx[SQN_BATCH];
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sqn_stats st;
	char err[256], mac[18];
	uint8_t hmac[6];
	int i, n, got = 0, rc;

	sqn_params_init(&p);
	p.iface_id = "eth0";
	p.mode = SQN_MODE_LOOPBACK;
	p.log = log_line;
	p.log_level = SQN_LOG_INFO;
	if (argc > 1 && sqn_mode_parse(argv[1], &p.mode) < 0) {
		fprintf(stderr, "echo: unknown mode '%s'\n", argv[1]);
		return 2;
	}
	rc = sqn_iface_start(&p, &iface, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "echo: %s (%s)\n", err, strerror(-rc));
		return 1;
	}
	sqn_iface_guest_mac(iface, hmac);
	printf("started %s in %s mode: mtu %u, guest mac %s\n",
	       sqn_iface_id(iface), sqn_mode_name(sqn_iface_mode(iface)),
	       sqn_iface_mtu(iface), sqn_mac_format(hmac, mac));

	/* A guest's batch: broadcast frames with a private ethertype. */
	for (i = 0; i < NFRAMES; i++) {
		memset(out[i], 0xff, 6);
		memcpy(out[i] + 6, hmac, 6);
		out[i][12] = 0x88;
		out[i][13] = 0xb5;
		memset(out[i] + 14, i, sizeof(out[i]) - 14);
		tx[i] = (struct sqn_frame){.data = out[i], .len = 60 + i};
	}
	n = sqn_iface_write(iface, tx, NFRAMES);
	printf("wrote %d frames\n", n);

	/* The VMM's RX path: poll the one fd, then read batches until empty. */
	while (got < NFRAMES) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};

		if (poll(&pfd, 1, 1000) <= 0)
			break;
		for (i = 0; i < SQN_BATCH; i++)
			rx[i] = (struct sqn_frame){.data = in[i],
						   .cap = sizeof(in[i])};
		n = sqn_iface_read(iface, rx, SQN_BATCH);
		if (n < 0) {
			sqn_iface_last_error(iface, err, sizeof(err));
			fprintf(stderr, "echo: read: %s\n", err);
			break;
		}
		got += n;
	}
	sqn_iface_stats(iface, &st);
	printf("read %d frames; stats: tx %llu frames %llu bytes, rx %llu "
	       "frames %llu bytes, drops %llu/%llu\n",
	       got, (unsigned long long)st.tx_frames,
	       (unsigned long long)st.tx_bytes,
	       (unsigned long long)st.rx_frames,
	       (unsigned long long)st.rx_bytes,
	       (unsigned long long)st.tx_dropped,
	       (unsigned long long)st.rx_dropped);
	sqn_iface_free(iface);
	return got == NFRAMES ? 0 : 1;
}
