/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_env.c - the egress policy's environment: the DNS and gateway
 *		  addresses the backend knows, and those its DHCP server
 *		  announces (pure)
 *
 * Theory of operation: a backend knows its own resolver and gateway in one
 * of two ways. A stack that is configured (libslirp's 10.0.2.3 and
 * 10.0.2.2, a TAP's host address) says so when the policy is made. A
 * helper or a hypervisor's NAT (passt, gvproxy, vmnet) announces them in
 * its DHCP answers to the guest, and nowhere else: the caller hands every
 * frame toward the guest to sqn_policy_dhcp_env(), which reads the router
 * (option 3), the resolvers (option 6) and the server's identifier (option
 * 54, where unicast renewals go) out of a DHCP OFFER or ACK. A cheap test
 * of four bytes turns every other frame away before any parsing, so the
 * caller may do this on every frame, policy or not. The union of the two
 * (sqn_policy_env_merge()) is what sqn_policy_set_env() gives the engine.
 *
 * Only frames toward the guest are read: the network's side is trusted,
 * the guest's is not (a guest would announce itself a resolver). In
 * `serve` that means frames from the uplink, never from another port.
 */
#include <string.h>

#include "be.h"
#include "policy_int.h"

#define BOOTP_HLEN 236 /* op .. file, before the magic cookie */
#define DHCP_OPT 240   /* options start after the cookie */
#define DHCP_OFFER 2
#define DHCP_ACK 5

/**
 * env_add() - add an address to a list unless it is there
 * @set:	the list
 * @n:		its length, updated
 * @family:	4 or 6
 * @a:		4 or 16 bytes
 */
static void env_add(struct sqn_policy_addr *set, unsigned *n, uint8_t family,
		    const uint8_t *a)
{
	static const uint8_t zero[16];

	if (*n >= SQN_POLICY_ENV_MAX ||
	    !memcmp(a, zero, family == 4 ? 4 : 16) ||
	    sqn_pol_addr_in(set, *n, family, a))
		return;
	sqn_pol_addr_of(&set[*n], family, a);
	(*n)++;
}

/**
 * sqn_policy_env_merge() - add one environment's addresses to another's
 * @dst:	the environment added to; an address already in it is not
 *		added twice, and each list stops at SQN_POLICY_ENV_MAX
 * @add:	the addresses to add, in order
 */
void sqn_policy_env_merge(struct sqn_policy_env *dst,
			  const struct sqn_policy_env *add)
{
	unsigned i;

	for (i = 0; i < add->n_dns && i < SQN_POLICY_ENV_MAX; i++)
		env_add(dst->dns, &dst->n_dns, add->dns[i].family,
			add->dns[i].a);
	for (i = 0; i < add->n_gw && i < SQN_POLICY_ENV_MAX; i++)
		env_add(dst->gw, &dst->n_gw, add->gw[i].family, add->gw[i].a);
}

/**
 * dhcp_options() - the router, resolvers and server of a DHCP answer
 * @o:		the options, after the magic cookie
 * @n:		their length
 * @env:	gets the addresses
 *
 * Option overload (52) is not followed: servers put these options in the
 * options field, and a missing one only means the guest learns less.
 *
 * Return: the DHCP message type (option 53), 0 when absent
 */
static int dhcp_options(const uint8_t *o, uint32_t n,
			struct sqn_policy_env *env)
{
	struct sqn_policy_env srv;
	uint32_t i = 0, k;
	int type = 0;

	memset(&srv, 0, sizeof(srv));
	while (i < n && o[i] != 255) {
		uint8_t code = o[i], olen;

		if (code == 0) { /* pad */
			i++;
			continue;
		}
		if (i + 2 > n || o[i + 1] > n - i - 2)
			break; /* cut short: keep what was read */
		olen = o[i + 1];
		if (code == 53 && olen == 1)
			type = o[i + 2];
		else if (code == 3 && olen >= 4) /* the first router */
			env_add(env->gw, &env->n_gw, 4, o + i + 2);
		else if (code == 54 && olen == 4)
			env_add(srv.gw, &srv.n_gw, 4, o + i + 2);
		else if (code == 6)
			for (k = 0; k + 4 <= olen; k += 4)
				env_add(env->dns, &env->n_dns, 4,
					o + i + 2 + k);
		i += 2u + olen;
	}
	sqn_policy_env_merge(env, &srv); /* the router first */
	return type;
}

/**
 * sqn_policy_dhcp_env() - the addresses a DHCP answer to the guest announces
 * @frame:	a frame on its way to the guest, from its Ethernet header
 * @len:	its length
 * @env:	gets the router and the server's identifier (as gateways) and
 *		the resolvers, when the frame is a DHCP OFFER or ACK;
 *		untouched otherwise
 *
 * Return: true for a DHCP OFFER or ACK (IPv4, UDP from port 67 to 68)
 */
bool sqn_policy_dhcp_env(const uint8_t *frame, uint32_t len,
			 struct sqn_policy_env *env)
{
	struct sqn_policy_env got;
	const uint8_t *b;
	struct sqn_pkt k;
	int type;

	/* IPv4 and UDP at the usual offsets, before any real parsing */
	if (len < SQN_PKT_ETH_HLEN + 20 + 8 + DHCP_OPT || frame[12] != 0x08 ||
	    frame[13] != 0x00 || frame[SQN_PKT_ETH_HLEN + 9] != SQN_PKT_UDP)
		return false;
	if (sqn_pkt_parse(&k, frame, len) || !sqn_pkt_has_ports(&k) ||
	    k.sport != 67 || k.dport != 68 || k.frag || k.plen < DHCP_OPT)
		return false;
	b = frame + k.pay;
	if (b[0] != 2 || sqn_get32(b + BOOTP_HLEN) != 0x63825363u)
		return false; /* not a BOOTREPLY with the DHCP cookie */
	memset(&got, 0, sizeof(got));
	type = dhcp_options(b + DHCP_OPT, k.plen - DHCP_OPT, &got);
	if (type != DHCP_OFFER && type != DHCP_ACK)
		return false;
	*env = got;
	return true;
}

/**
 * sqn_policy_set_env() - replace a running engine's environment
 * @p:		the engine
 * @env:	the backend's DNS and gateway addresses (copied)
 *
 * The resolvers follow when the rules have no allow-dns; learnt addresses
 * and flows are kept.
 */
void sqn_policy_set_env(struct sqn_policy *p, const struct sqn_policy_env *env)
{
	pthread_mutex_lock(&p->lock);
	memset(&p->env, 0, sizeof(p->env));
	sqn_policy_env_merge(&p->env, env);
	sqn_pol_set_resolvers(p);
	pthread_mutex_unlock(&p->lock);
}
