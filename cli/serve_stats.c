/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_stats.c - serve's counters, per port and for the whole network
 *
 * One line per port and one for the network, as key=value words (easy to
 * read and to pick apart with sed): frames and bytes in and out, the
 * switch's unicast and flood counts, drops by cause, MACs owned and learnt.
 * The network's line adds the counters of the ports that have gone.
 */
#include <stdio.h>

#include "serve.h"

/**
 * serve_stats_add() - add a port's counters to a sum
 * @sw:	the sum of the switch's counters
 * @io:	the sum of the I/O counters
 * @a:	a port's switch counters
 * @b:	its I/O counters (NULL: none, the uplink)
 */
void serve_stats_add(struct sqn_sw_port_stats *sw, struct serve_port_stats *io,
		     const struct sqn_sw_port_stats *a,
		     const struct serve_port_stats *b)
{
	unsigned k;

	sw->rx_frames += a->rx_frames;
	sw->rx_bytes += a->rx_bytes;
	sw->unicast += a->unicast;
	sw->flood += a->flood;
	sw->flood_unknown += a->flood_unknown;
	for (k = 0; k < SQN_SW_DROP_COUNT; k++)
		sw->drops[k] += a->drops[k];
	sw->fwd_frames += a->fwd_frames;
	sw->fwd_bytes += a->fwd_bytes;
	sw->learnt += a->learnt;
	sw->moved += a->moved;
	sw->evicted += a->evicted;
	sw->aged += a->aged;
	sw->macs += a->macs;
	if (!b)
		return;
	io->in_frames += b->in_frames;
	io->in_bytes += b->in_bytes;
	io->out_frames += b->out_frames;
	io->out_bytes += b->out_bytes;
	io->drop_queue += b->drop_queue;
	io->drop_error += b->drop_error;
	io->bad_frames += b->bad_frames;
	io->lost += b->lost;
	io->rx_throttled += b->rx_throttled;
	io->tx_throttled += b->tx_throttled;
	io->drop_rate += b->drop_rate;
	io->gso_cut += b->gso_cut;
	io->gso_extra += b->gso_extra;
}

/**
 * print_sw() - the switch's counters as words
 * @f:	where to
 * @a:	the counters
 */
static void print_sw(FILE *f, const struct sqn_sw_port_stats *a)
{
	unsigned k;

	fprintf(f,
		" macs=%u learnt=%llu moved=%llu evicted=%llu aged=%llu "
		"switched=%llu unicast=%llu flood=%llu flood_unknown=%llu "
		"fwd_frames=%llu fwd_bytes=%llu",
		a->macs, (unsigned long long)a->learnt,
		(unsigned long long)a->moved, (unsigned long long)a->evicted,
		(unsigned long long)a->aged, (unsigned long long)a->rx_frames,
		(unsigned long long)a->unicast, (unsigned long long)a->flood,
		(unsigned long long)a->flood_unknown,
		(unsigned long long)a->fwd_frames,
		(unsigned long long)a->fwd_bytes);
	for (k = 0; k < SQN_SW_DROP_COUNT; k++)
		fprintf(f, " drop_%s=%llu", sqn_sw_drop_name(k),
			(unsigned long long)a->drops[k]);
}

/**
 * print_io() - the I/O counters as words
 * @f:		where to
 * @b:		the counters
 * @queued:	frames queued now
 */
static void print_io(FILE *f, const struct serve_port_stats *b,
		     unsigned long long queued)
{
	fprintf(f,
		" in_frames=%llu in_bytes=%llu out_frames=%llu out_bytes=%llu "
		"queued=%llu drop_queue=%llu drop_error=%llu lost=%llu "
		"bad_frames=%llu rx_throttled=%llu tx_throttled=%llu "
		"drop_rate=%llu gso_cut=%llu gso_extra=%llu",
		(unsigned long long)b->in_frames,
		(unsigned long long)b->in_bytes,
		(unsigned long long)b->out_frames,
		(unsigned long long)b->out_bytes, queued,
		(unsigned long long)b->drop_queue,
		(unsigned long long)b->drop_error, (unsigned long long)b->lost,
		(unsigned long long)b->bad_frames,
		(unsigned long long)b->rx_throttled,
		(unsigned long long)b->tx_throttled,
		(unsigned long long)b->drop_rate,
		(unsigned long long)b->gso_cut,
		(unsigned long long)b->gso_extra);
}

/**
 * print_uplink() - the uplink's line
 * @s:	serve
 * @f:	where to
 * @sw:	its switch counters
 */
static void print_uplink(struct serve *s, FILE *f,
			 const struct sqn_sw_port_stats *sw)
{
	struct sqn_stats st;
	uint8_t mac[6];
	char m[18];

	sqn_iface_stats(s->up, &st);
	sqn_iface_host_mac(s->up, mac);
	fprintf(f, "squib-net: serve: stats: port=0 uplink=%s host_mac=%s",
		sqn_mode_name(sqn_iface_mode(s->up)), sqn_mac_format(mac, m));
	print_sw(f, sw);
	fprintf(f,
		" refused=%llu iface_rx_frames=%llu iface_tx_frames=%llu "
		"iface_rx_dropped=%llu iface_tx_dropped=%llu "
		"iface_tx_errors=%llu link=%s\n",
		(unsigned long long)s->up_refused,
		(unsigned long long)st.rx_frames,
		(unsigned long long)st.tx_frames,
		(unsigned long long)st.rx_dropped,
		(unsigned long long)st.tx_dropped,
		(unsigned long long)st.tx_errors,
		sqn_iface_link(s->up, NULL, 0) ? "up" : "down");
}

/**
 * serve_stats_total() - the network's counters: every port's, gone ones
 *			 included, and the uplink's switch counters
 * @s:		serve
 * @sw:		gets the switch's counters summed
 * @io:		gets the ports' I/O counters summed
 *
 * Return: frames queued to the ports now
 */
uint64_t serve_stats_total(struct serve *s, struct sqn_sw_port_stats *sw,
			   struct serve_port_stats *io)
{
	struct sqn_sw_port_stats a;
	uint64_t queued = 0;
	unsigned i;

	*sw = s->gone_sw;
	*io = s->gone_io;
	if (s->up) {
		sqn_sw_port_stats(&s->sw, SERVE_UPLINK, &a);
		serve_stats_add(sw, io, &a, NULL);
	}
	for (i = 1; i <= s->o->max_ports; i++) {
		struct serve_port *p = &s->port[i];

		if (!p->used)
			continue;
		sqn_sw_port_stats(&s->sw, i, &a);
		serve_stats_add(sw, io, &a, &p->st);
		queued += p->txq.count;
	}
	return queued;
}

/**
 * serve_print_stats() - every port's counters and the network's
 * @s:	serve
 * @f:	where to
 */
void serve_print_stats(struct serve *s, FILE *f)
{
	struct sqn_sw_port_stats tsw, a;
	struct serve_port_stats tio;
	uint64_t queued;
	char name[192], m[18];
	unsigned i;
	uint8_t mac[6];

	if (s->up) {
		sqn_sw_port_stats(&s->sw, SERVE_UPLINK, &a);
		print_uplink(s, f, &a);
	}
	for (i = 1; i <= s->o->max_ports; i++) {
		struct serve_port *p = &s->port[i];

		if (!p->used)
			continue;
		sqn_sw_port_stats(&s->sw, i, &a);
		serve_port_name(p, name, sizeof(name));
		fprintf(f,
			"squib-net: serve: stats: port=%u name=\"%s\" mac=%s",
			i, name,
			sqn_sw_port_mac(&s->sw, i, mac) ? sqn_mac_format(mac, m)
							: "none");
		print_sw(f, &a);
		print_io(f, &p->st, p->txq.count);
		fprintf(f, " offload=%s", p->vnet ? "on" : "off");
		serve_policy_print(p, f);
		fprintf(f, "\n");
	}
	queued = serve_stats_total(s, &tsw, &tio);
	fprintf(f,
		"squib-net: serve: stats: network ports=%u max_ports=%u "
		"peak=%u closed=%llu refused=%llu resets=%llu unnamed=%llu "
		"table=%u/%u",
		s->nports, s->o->max_ports, s->peak,
		(unsigned long long)s->closed, (unsigned long long)s->refused,
		(unsigned long long)s->resets, (unsigned long long)s->unnamed,
		sqn_sw_used(&s->sw), sqn_sw_size(&s->sw));
	print_sw(f, &tsw);
	print_io(f, &tio, queued);
	fprintf(f, " policy_denied=%llu gso_refused=%llu\n",
		(unsigned long long)serve_policy_denied(s),
		(unsigned long long)s->gso_refused);
	(void)fflush(f);
}
