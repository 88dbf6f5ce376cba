/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.h - the egress policy engine: a verdict on every frame a guest
 *	      sends, names learnt from the DNS answers it receives (pure)
 *
 * How a caller uses it (the library core for every backend, and each port
 * of `squib-net serve`):
 *
 *   1. Parse the rules (policy_rules.h), then sqn_policy_new() with the
 *	limits and what the backend knows (its DNS and gateway addresses).
 *	With no rule at all, create no engine: everything passes.
 *   2. Every frame from the guest, before it goes to the network:
 *	sqn_policy_tx(). SQN_POLICY_PASS: send it on. SQN_POLICY_DENY: do
 *	not send it; if out.reply_len, put out.reply (a complete Ethernet
 *	frame) in the guest's receive queue, so the guest's program fails
 *	at once (TCP RST, ICMP prohibited, DNS NXDOMAIN); if out.net_len,
 *	the caller may send out.net to the network instead (a RST that ends
 *	the peer's side of a connection refused mid-way).
 *   3. Every frame from the network, before it goes to the guest:
 *	sqn_policy_rx(). SQN_POLICY_DENY only for a malformed DNS answer
 *	over UDP from an allowed resolver: drop it.
 *   4. Rules change at run time with sqn_policy_update(), the backend's
 *	addresses with sqn_policy_set_env() (sqn_policy_dhcp_env() finds
 *	those a DHCP server announces in the frames to the guest); counters come
 *	from sqn_policy_stats(); a rate-limited line per denial goes to the
 *	log callback.
 *
 * Frames are Ethernet frames from the destination MAC on: a caller with
 * virtio-net headers passes the frame after its header, and puts a zeroed
 * header in front of a reply. Times are milliseconds of the caller's
 * monotonic clock. sqn_policy_tx() and sqn_policy_rx() may run at the
 * same time on two threads (a VMM's writer and reader); update, stats and
 * free from any thread (free last). Nothing is allocated after
 * sqn_policy_new(); the engine does no I/O.
 */
#ifndef SQN_POLICY_H
#define SQN_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"
#include "policy_rules.h"

/** SQN_POLICY_REPLY_MAX - size of the reply buffers a caller provides */
#define SQN_POLICY_REPLY_MAX SQN_PKT_REPLY_MAX
/** SQN_POLICY_ENV_MAX - most DNS and gateway addresses in the environment */
#define SQN_POLICY_ENV_MAX 8
/** SQN_POLICY_LOG_MAX - longest log line, NUL included */
#define SQN_POLICY_LOG_MAX 384

/**
 * enum sqn_policy_verdict - what to do with a frame
 * @SQN_POLICY_PASS:	pass it on
 * @SQN_POLICY_DENY:	drop it (and send the reply, if any)
 */
enum sqn_policy_verdict {
	SQN_POLICY_PASS,
	SQN_POLICY_DENY,
};

/**
 * enum sqn_policy_cause - why a frame was denied (one counter each)
 * @SQN_POLICY_C_ADDR:		destination (address, protocol, port) not
 *				allowed by any rule nor learnt from DNS
 * @SQN_POLICY_C_EXPIRED:	destination learnt from DNS, its lifetime
 *				over (a new flow; see struct
 *				sqn_policy_limits)
 * @SQN_POLICY_C_DNS_NAME:	DNS query for a name no allow-host rule
 *				allows (answered NXDOMAIN over UDP, reset
 *				over TCP)
 * @SQN_POLICY_C_DNS_SERVER:	DNS (port 53) to a server that is not an
 *				allowed resolver
 * @SQN_POLICY_C_DNS_BAD:	DNS query that is malformed, not a plain
 *				one-question query, fragmented, or over TCP
 *				split across segments
 * @SQN_POLICY_C_SNI:		TLS ClientHello on port 443 naming a host
 *				no allow-host rule allows (check-sni)
 * @SQN_POLICY_C_SNI_UNCHECKED:	TLS ClientHello that could not be checked:
 *				malformed, over SQN_POLICY_HELLO_MAX,
 *				segments out of order, no room to follow it
 * @SQN_POLICY_C_QUIC:		UDP port 443 to an address allowed by name
 *				only, with check-sni (QUIC's server name is
 *				not checked: clients fall back to TCP)
 * @SQN_POLICY_C_PROTO:		not IPv4, IPv6 or ARP (VLAN tags, other
 *				EtherTypes), or a source-routed packet
 * @SQN_POLICY_C_FRAME:		malformed Ethernet or IP headers
 * @SQN_POLICY_NCAUSES:		how many
 */
enum sqn_policy_cause {
	SQN_POLICY_C_ADDR,
	SQN_POLICY_C_EXPIRED,
	SQN_POLICY_C_DNS_NAME,
	SQN_POLICY_C_DNS_SERVER,
	SQN_POLICY_C_DNS_BAD,
	SQN_POLICY_C_SNI,
	SQN_POLICY_C_SNI_UNCHECKED,
	SQN_POLICY_C_QUIC,
	SQN_POLICY_C_PROTO,
	SQN_POLICY_C_FRAME,
	SQN_POLICY_NCAUSES,
};

/** SQN_POLICY_HELLO_MAX - longest ClientHello followed across segments */
#define SQN_POLICY_HELLO_MAX 8192

/**
 * struct sqn_policy_limits - sizes and times; zero means the default
 * @max_learnt:	addresses learnt from DNS held at once (default 1024); when
 *		full the oldest goes (counted in @evicted or @expired)
 * @ttl_min_s:	shortest lifetime given to an answer (default 5 s): a TTL
 *		of 0 still lets the guest connect to what it just resolved
 * @ttl_max_s:	longest lifetime (default 86400 s)
 * @grace_s:	added to every lifetime (default 2 s): a guest that caches
 *		an answer for exactly its TTL may start a connection a
 *		moment after the TTL ran out here
 * @linger_s:	after the lifetime, flows already using an address go on
 *		(TCP segments without SYN, UDP) as long as they are never
 *		idle this long (default 300 s); new TCP connections and ICMP
 *		are denied until the name is resolved again
 * @sni_flows:	ClientHellos split across TCP segments followed at once
 *		(default 16)
 * @log_per_s:	denial log lines per second; the rest are counted and
 *		the next line says how many (default 10)
 */
struct sqn_policy_limits {
	unsigned max_learnt;
	uint32_t ttl_min_s;
	uint32_t ttl_max_s;
	uint32_t grace_s;
	uint32_t linger_s;
	unsigned sni_flows;
	unsigned log_per_s;
};

/**
 * struct sqn_policy_env - what the backend knows about the network
 *
 * What the backend is configured with (slirp: 10.0.2.3, fec0::3 and
 * 10.0.2.2, fec0::2), merged with what its DHCP server announces
 * (sqn_policy_dhcp_env(): passt, gvproxy, vmnet say it nowhere else).
 *
 * @dns:	its own DNS addresses, the resolvers when the rules have no
 *		allow-dns
 * @n_dns:	how many
 * @gw:		the gateway's addresses: ICMP to them always passes, and
 *		so do DHCP and NDP (elsewhere only to group and link-local
 *		addresses; on a TAP, give the DHCP server's address here for
 *		unicast renewals); TCP and UDP to them follow the rules
 *		(behind slirp's 10.0.2.2 is the host's loopback)
 * @n_gw:	how many
 */
struct sqn_policy_env {
	struct sqn_policy_addr dns[SQN_POLICY_ENV_MAX];
	unsigned n_dns;
	struct sqn_policy_addr gw[SQN_POLICY_ENV_MAX];
	unsigned n_gw;
};

/**
 * struct sqn_policy_out - a tx verdict's extras
 * @reply:	in: a buffer of SQN_POLICY_REPLY_MAX bytes for a frame to the
 *		guest, or NULL to build none
 * @reply_len:	out: that frame's length, 0 for none
 * @net:	in: a buffer of SQN_POLICY_REPLY_MAX bytes for a frame to the
 *		network (a RST to the peer), or NULL to build none
 * @net_len:	out: that frame's length, 0 for none
 * @cause:	out: why, when the verdict is SQN_POLICY_DENY
 */
struct sqn_policy_out {
	uint8_t *reply;
	uint32_t reply_len;
	uint8_t *net;
	uint32_t net_len;
	enum sqn_policy_cause cause;
};

/**
 * struct sqn_policy_stats - counters since sqn_policy_new()
 * @denied:	frames denied, by cause
 * @replies:	reply frames built for the guest (RST, ICMP, NXDOMAIN)
 * @dns_allowed: DNS queries passed to a resolver
 * @dns_answers: DNS answers from resolvers parsed
 * @dns_malformed: DNS answers from resolvers that did not parse (UDP:
 *		dropped; TCP: passed, nothing learnt)
 * @dns_split:	DNS answers over TCP that span segments (nothing learnt)
 * @learnt:	addresses added to the table
 * @refreshed:	addresses answered again while in the table
 * @evicted:	addresses still alive removed to make room
 * @expired:	addresses removed after their lifetime and linger
 * @revoked:	addresses removed by an update (their name no longer
 *		allowed)
 * @learnt_now:	addresses in the table now
 * @sni_checked: ClientHellos whose server name was checked and allowed
 *		(or that had none)
 * @log_lines:	log lines emitted
 * @log_suppressed: denials not logged (rate limit)
 */
struct sqn_policy_stats {
	uint64_t denied[SQN_POLICY_NCAUSES];
	uint64_t replies;
	uint64_t dns_allowed;
	uint64_t dns_answers;
	uint64_t dns_malformed;
	uint64_t dns_split;
	uint64_t learnt;
	uint64_t refreshed;
	uint64_t evicted;
	uint64_t expired;
	uint64_t revoked;
	uint64_t learnt_now;
	uint64_t sni_checked;
	uint64_t log_lines;
	uint64_t log_suppressed;
};

/**
 * typedef sqn_policy_log_fn - where denial lines go
 * @opaque:	the caller's pointer given to sqn_policy_new()
 * @line:	one line, no newline, valid during the call
 *
 * Called from the thread of sqn_policy_tx() or sqn_policy_rx(), with no
 * lock of the engine held (the callback may ask for stats).
 */
typedef void (*sqn_policy_log_fn)(void *opaque, const char *line);

struct sqn_policy;

int sqn_policy_new(const struct sqn_policy_rules *rules,
		   const struct sqn_policy_limits *lim,
		   const struct sqn_policy_env *env, sqn_policy_log_fn log,
		   void *opaque, struct sqn_policy **out, char *err,
		   size_t errlen);
void sqn_policy_free(struct sqn_policy *p);
int sqn_policy_update(struct sqn_policy *p,
		      const struct sqn_policy_rules *rules, char *err,
		      size_t errlen);
enum sqn_policy_verdict sqn_policy_tx(struct sqn_policy *p,
				      const uint8_t *frame, uint32_t len,
				      uint64_t now_ms,
				      struct sqn_policy_out *out);
enum sqn_policy_verdict sqn_policy_rx(struct sqn_policy *p,
				      const uint8_t *frame, uint32_t len,
				      uint64_t now_ms);
void sqn_policy_stats(struct sqn_policy *p, struct sqn_policy_stats *st);
unsigned sqn_policy_rules_in_force(struct sqn_policy *p);
void sqn_policy_set_env(struct sqn_policy *p, const struct sqn_policy_env *env);
bool sqn_policy_dhcp_env(const uint8_t *frame, uint32_t len,
			 struct sqn_policy_env *env);
void sqn_policy_env_merge(struct sqn_policy_env *dst,
			  const struct sqn_policy_env *add);
uint64_t sqn_policy_denied_total(const struct sqn_policy_stats *st);
const char *sqn_policy_cause_name(enum sqn_policy_cause c);
const char *sqn_policy_cause_text(enum sqn_policy_cause c);

#endif /* SQN_POLICY_H */
