/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_iface.c - squib-net run's interface: its parameters from the options,
 *		 and its counters on exit (both kinds of run: a namespace's
 *		 TAP, or --guest-fd)
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "run.h"

/**
 * run_fill_params() - the interface's parameters from the options
 * @o:		options
 * @mac:	the guest's MAC
 * @p:		filled
 *
 * The library's warnings are shown by default (a refused frame, a link
 * gone down), -v adds information, -vv debugging.
 */
void run_fill_params(const struct run_opts *o, const uint8_t mac[6],
		     struct sqn_params *p)
{
	sqn_params_init(p);
	cli_mode_fill_params(&o->m, p);
	memcpy(p->guest_mac, mac, 6);
	/*
	 * The relay takes 32 frames per read, and a peer such as squib-net
	 * serve sends in bursts of a socket buffer's worth: hundreds of
	 * MTU-sized frames, more than the default 256-frame RX queue, which
	 * then drops the oldest (15% of a VM-to-VM TCP transfer through serve
	 * at MTU 1500, measured). The queue's bytes are capped at 4 MiB
	 * whatever its length, so a longer one costs only its slot table.
	 */
	p->rx_queue_len = RUN_RX_QUEUE;
	p->rx_rate_limiter = o->rx_rate;
	p->tx_rate_limiter = o->tx_rate;
	/* rate limits set through the control socket need the library's
	 * readiness fds from the start */
	p->live_controls = o->m.control ? SQN_ON : 0;
	p->log = cli_log;
	p->log_level = o->m.verbose >= 2   ? SQN_LOG_DEBUG
		       : o->m.verbose == 1 ? SQN_LOG_INFO
					   : SQN_LOG_WARN;
}

/**
 * run_iface_start() - start the interface; a failure is said once
 * @o:		options
 * @mac:	the guest's MAC
 * @iface:	gets the interface
 *
 * The library logs the failure of a start and returns its message too:
 * only the message is printed, with what failed to start.
 *
 * Return: 0 or a negative errno (the message printed)
 */
int run_iface_start(const struct run_opts *o, const uint8_t mac[6],
		    struct sqn_iface **iface)
{
	struct sqn_params p;
	char err[600];
	int rc;

	run_fill_params(o, mac, &p);
	cli_log_hold();
	rc = sqn_iface_start(&p, iface, err, sizeof(err));
	cli_log_release(rc == 0);
	if (rc)
		fprintf(stderr, "squib-net: run: cannot start %s mode: %s\n",
			sqn_mode_name(o->m.mode), err);
	return rc;
}

/**
 * run_print_policy() - the egress policy's counters, on stderr
 * @iface:	the interface
 */
static void run_print_policy(struct sqn_iface *iface)
{
	struct sqn_policy_counters c = {.size = sizeof(c)};

	if (sqn_iface_policy_stats(iface, &c) || !c.rules)
		return;
	fprintf(stderr,
		"squib-net: %s policy: %u rules, denied %llu (addr %llu, "
		"expired %llu, dns_name %llu, dns_server %llu, dns_bad %llu, "
		"sni %llu, sni_unchecked %llu, quic %llu, proto %llu, frame "
		"%llu), replies %llu, dns queries %llu, answers %llu, learnt "
		"%llu (now %llu)\n",
		sqn_iface_id(iface), c.rules, (unsigned long long)c.denied,
		(unsigned long long)c.denied_addr,
		(unsigned long long)c.denied_expired,
		(unsigned long long)c.denied_dns_name,
		(unsigned long long)c.denied_dns_server,
		(unsigned long long)c.denied_dns_bad,
		(unsigned long long)c.denied_sni,
		(unsigned long long)c.denied_sni_unchecked,
		(unsigned long long)c.denied_quic,
		(unsigned long long)c.denied_proto,
		(unsigned long long)c.denied_frame,
		(unsigned long long)c.replies,
		(unsigned long long)c.dns_allowed,
		(unsigned long long)c.dns_answers, (unsigned long long)c.learnt,
		(unsigned long long)c.learnt_now);
}

/**
 * run_print_stats() - the interface's counters, on stderr
 * @iface:	the interface
 *
 * The frame path's counters follow when they are not zero: reads and
 * writes the rate limiters held back, and the capture's frames.
 */
void run_print_stats(struct sqn_iface *iface)
{
	struct sqn_stats_ext s = {.size = sizeof(s)};

	sqn_iface_stats_ext(iface, &s);
	fprintf(stderr,
		"squib-net: %s (%s): rx %llu frames %llu bytes, tx %llu frames "
		"%llu bytes, dropped rx %llu tx %llu, errors rx %llu tx %llu, "
		"resets %llu, link changes %llu, helper restarts %llu",
		sqn_iface_id(iface), sqn_mode_name(sqn_iface_mode(iface)),
		(unsigned long long)s.rx_frames, (unsigned long long)s.rx_bytes,
		(unsigned long long)s.tx_frames, (unsigned long long)s.tx_bytes,
		(unsigned long long)s.rx_dropped,
		(unsigned long long)s.tx_dropped,
		(unsigned long long)s.rx_errors,
		(unsigned long long)s.tx_errors,
		(unsigned long long)s.conn_resets,
		(unsigned long long)s.link_changes,
		(unsigned long long)s.helper_restarts);
	if (s.rx_throttled || s.tx_throttled)
		fprintf(stderr, ", throttled rx %llu tx %llu",
			(unsigned long long)s.rx_throttled,
			(unsigned long long)s.tx_throttled);
	if (s.capture_frames || s.capture_dropped)
		fprintf(stderr,
			", captured %llu frames (%llu dropped, %llu lost)",
			(unsigned long long)s.capture_frames,
			(unsigned long long)s.capture_dropped,
			(unsigned long long)s.capture_lost);
	fputc('\n', stderr);
	run_print_policy(iface);
}
