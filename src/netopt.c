/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netopt.c - slirp network options: parsing and validation (pure)
 *
 * Defaults are QEMU's user networking: 10.0.2.0/24, gateway .2, DNS .3,
 * first DHCP address .15, IPv6 on with fec0::/64 (gateway fec0::2, DNS
 * fec0::3). With another network, the gateway, DNS and DHCP addresses
 * default to the same offsets (.2, .3, .15) inside it.
 *
 * Host port forwards use QEMU's hostfwd syntax,
 * "tcp|udp:[hostaddr]:hostport-[guestaddr]:guestport", with one deliberate
 * difference: an empty hostaddr listens on 127.0.0.1, not on every address
 * (QEMU's INADDR_ANY), so a forward never exposes a guest port to the
 * network by accident; write 0.0.0.0 to listen everywhere. An empty
 * guestaddr is the first DHCP address; an empty protocol is TCP, as in QEMU.
 *
 * Every refused input gets its own message naming the field and the value.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "netopt.h"

/**
 * parse_ipv4() - a dotted-quad address from @len bytes of @s
 * @s:		the text, not necessarily terminated
 * @len:	its length
 * @out:	gets the address, network order
 *
 * Return: true on success
 */
static bool parse_ipv4(const char *s, size_t len, struct in_addr *out)
{
	char buf[INET_ADDRSTRLEN];

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET, buf, out) == 1;
}

/**
 * fmt_ipv4() - format an address
 * @a:		the address
 * @buf:	at least INET_ADDRSTRLEN bytes
 *
 * Return: @buf
 */
static const char *fmt_ipv4(struct in_addr a, char *buf)
{
	if (!inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN))
		snprintf(buf, INET_ADDRSTRLEN, "?");
	return buf;
}

/**
 * sqn_netopt_cidr() - parse "a.b.c.d/prefix"
 * @s:		the text
 * @net:	gets the network address, network order
 * @prefix:	gets the prefix length, 8..30
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL with the message set and @net and @prefix untouched
 */
int sqn_netopt_cidr(const char *s, struct in_addr *net, unsigned *prefix,
		    char *err, size_t errlen)
{
	const char *slash, *d;
	struct in_addr a;
	unsigned len = 0;
	uint32_t mask;
	size_t n;

	n = strnlen(s, 32);
	if (n == 0)
		return sqn_msg_refuse(
			err, errlen,
			"slirp_net is empty: give a network such as "
			"10.0.2.0/24");
	if (n >= 32)
		return sqn_msg_refuse(
			err, errlen,
			"slirp_net \"%.31s...\" is too long for a network "
			"such as 10.0.2.0/24",
			s);
	slash = strchr(s, '/');
	if (!slash)
		return sqn_msg_refuse(
			err, errlen,
			"slirp_net \"%s\" has no \"/prefix\": write it as "
			"CIDR, e.g. 10.0.2.0/24",
			s);
	if (!parse_ipv4(s, (size_t)(slash - s), &a))
		return sqn_msg_refuse(
			err, errlen,
			"slirp_net \"%s\": \"%.*s\" is not an IPv4 address", s,
			(int)(slash - s), s);
	d = slash + 1;
	if (*d == '\0')
		return sqn_msg_refuse(
			err, errlen,
			"slirp_net \"%s\": the prefix length after '/' is "
			"missing",
			s);
	for (; *d; d++) {
		if (*d < '0' || *d > '9')
			return sqn_msg_refuse(
				err, errlen,
				"slirp_net \"%s\": the prefix length "
				"\"%s\" is not a number from 8 to 30",
				s, slash + 1);
		if (len < 1000)
			len = len * 10 + (unsigned)(*d - '0');
	}
	if (len < 8 || len > 30)
		return sqn_msg_refuse(
			err, errlen,
			"slirp_net \"%s\": prefix /%s is out of range: use "
			"/8 to /30 (the network needs room for the "
			"gateway, DNS and guest)",
			s, slash + 1);
	mask = htonl(~0u << (32 - len));
	if (a.s_addr & ~mask) {
		struct in_addr fixed = {.s_addr = a.s_addr & mask};
		char b[INET_ADDRSTRLEN];

		return sqn_msg_refuse(
			err, errlen,
			"slirp_net \"%s\" has host bits set: did you mean "
			"%s/%u?",
			s, fmt_ipv4(fixed, b), len);
	}
	*net = a;
	*prefix = len;
	return 0;
}

/**
 * sqn_netopt_domain() - check one DNS search domain
 * @s:		the domain, e.g. "example.com"
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL with the message set
 */
int sqn_netopt_domain(const char *s, char *err, size_t errlen)
{
	size_t n, i, label = 0;

	if (!s)
		return sqn_msg_refuse(err, errlen,
				      "slirp_dns_search has a NULL entry");
	n = strnlen(s, SQN_NETOPT_DOMAIN_MAX + 2);
	if (n == 0)
		return sqn_msg_refuse(err, errlen,
				      "slirp_dns_search has an empty domain");
	if (n > SQN_NETOPT_DOMAIN_MAX)
		return sqn_msg_refuse(
			err, errlen,
			"slirp_dns_search domain \"%.40s...\" is too long: "
			"at most %d bytes",
			s, SQN_NETOPT_DOMAIN_MAX);
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0)
				return sqn_msg_refuse(
					err, errlen,
					"slirp_dns_search domain \"%s\" "
					"has an empty label at offset %zu",
					s, i);
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return sqn_msg_refuse(
				err, errlen,
				"slirp_dns_search domain \"%s\" has "
				"character 0x%02x at offset %zu: use "
				"letters, digits, '-', '_' and '.'",
				s, (unsigned char)c, i);
		if (++label > 63)
			return sqn_msg_refuse(
				err, errlen,
				"slirp_dns_search domain \"%.40s...\" has a "
				"label longer than 63 bytes",
				s);
	}
	return 0;
}

/**
 * parse_port() - a port number from @len bytes of @s
 * @spec:	the whole forward, for the message
 * @what:	"host port" or "guest port"
 * @s:		the digits
 * @len:	their number
 * @out:	gets the port
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL with the message set
 */
static int parse_port(const char *spec, const char *what, const char *s,
		      size_t len, uint16_t *out, char *err, size_t errlen)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0)
		return sqn_msg_refuse(err, errlen,
				      "forward \"%s\": the %s is missing", spec,
				      what);
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return sqn_msg_refuse(
				err, errlen,
				"forward \"%s\": the %s \"%.*s\" is not a "
				"number",
				spec, what, (int)len, s);
		if (v <= 65535)
			v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return sqn_msg_refuse(
			err, errlen,
			"forward \"%s\": the %s %.*s is out of range: use "
			"1 to 65535",
			spec, what, (int)len, s);
	*out = (uint16_t)v;
	return 0;
}

/**
 * check_member() - whether @a is a usable host address of the network
 * @o:		the network
 * @field:	what @a is, for the message
 * @a:		the address
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL: outside the network, or its network or broadcast
 * address
 */
static int check_member(const struct sqn_netopt *o, const char *field,
			struct in_addr a, char *err, size_t errlen)
{
	char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];

	if ((a.s_addr & o->mask.s_addr) != o->net.s_addr)
		return sqn_msg_refuse(err, errlen,
				      "%s %s is outside the network %s/%u",
				      field, fmt_ipv4(a, b1),
				      fmt_ipv4(o->net, b2), o->prefix);
	if (a.s_addr == o->net.s_addr)
		return sqn_msg_refuse(
			err, errlen,
			"%s %s is the network address of %s/%u: pick a "
			"host address",
			field, fmt_ipv4(a, b1), fmt_ipv4(o->net, b2),
			o->prefix);
	if (a.s_addr == (o->net.s_addr | ~o->mask.s_addr))
		return sqn_msg_refuse(
			err, errlen,
			"%s %s is the broadcast address of %s/%u: pick a "
			"host address",
			field, fmt_ipv4(a, b1), fmt_ipv4(o->net, b2),
			o->prefix);
	return 0;
}

/**
 * sqn_netopt_fwd() - parse "tcp|udp:[hostaddr]:hostport-[guestaddr]:port"
 * @o:		the network (for the guest address's default and checks)
 * @s:		the forward
 * @out:	gets it
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL with the message set and @out untouched
 */
int sqn_netopt_fwd(const struct sqn_netopt *o, const char *s,
		   struct sqn_fwd *out, char *err, size_t errlen)
{
	struct sqn_fwd f;
	const char *colon, *dash, *hp, *gp, *end;
	char b[INET_ADDRSTRLEN];
	size_t n;
	int rc;

	if (!s)
		return sqn_msg_refuse(err, errlen, "forwards has a NULL entry");
	n = strnlen(s, SQN_NETOPT_FWD_MAX + 1);
	if (n == 0)
		return sqn_msg_refuse(
			err, errlen,
			"forward \"\" is empty: write "
			"tcp:[hostaddr]:hostport-[guestaddr]:guestport");
	if (n > SQN_NETOPT_FWD_MAX)
		return sqn_msg_refuse(
			err, errlen,
			"forward \"%.40s...\" is longer than %d bytes", s,
			SQN_NETOPT_FWD_MAX);
	end = s + n;
	memset(&f, 0, sizeof(f));

	colon = memchr(s, ':', n);
	if (!colon)
		return sqn_msg_refuse(
			err, errlen,
			"forward \"%s\" has no ':': write "
			"tcp|udp:[hostaddr]:hostport-[guestaddr]:guestport",
			s);
	if (colon - s == 3 && !strncmp(s, "udp", 3))
		f.udp = true;
	else if (!(colon == s || (colon - s == 3 && !strncmp(s, "tcp", 3))))
		return sqn_msg_refuse(
			err, errlen,
			"forward \"%s\": unknown protocol \"%.*s\": use "
			"tcp or udp",
			s, (int)(colon - s), s);

	dash = memchr(colon + 1, '-', (size_t)(end - colon - 1));
	if (!dash)
		return sqn_msg_refuse(
			err, errlen,
			"forward \"%s\" has no '-' between the host and "
			"the guest side",
			s);

	/* host side: [hostaddr]:hostport in (colon, dash) */
	hp = NULL;
	for (const char *c = dash - 1; c > colon; c--) {
		if (*c == ':') {
			hp = c;
			break;
		}
	}
	if (!hp)
		return sqn_msg_refuse(
			err, errlen,
			"forward \"%s\": the host side \"%.*s\" needs "
			"[hostaddr]:hostport",
			s, (int)(dash - colon - 1), colon + 1);
	if (hp == colon + 1) {
		f.host.s_addr = htonl(INADDR_LOOPBACK);
	} else if (!parse_ipv4(colon + 1, (size_t)(hp - colon - 1), &f.host)) {
		return sqn_msg_refuse(
			err, errlen,
			"forward \"%s\": host address \"%.*s\" is not an "
			"IPv4 address",
			s, (int)(hp - colon - 1), colon + 1);
	}
	rc = parse_port(s, "host port", hp + 1, (size_t)(dash - hp - 1),
			&f.host_port, err, errlen);
	if (rc)
		return rc;

	/* guest side: [guestaddr]:guestport in (dash, end) */
	gp = memchr(dash + 1, ':', (size_t)(end - dash - 1));
	if (!gp)
		return sqn_msg_refuse(
			err, errlen,
			"forward \"%s\": the guest side \"%s\" needs "
			"[guestaddr]:guestport",
			s, dash + 1);
	if (gp == dash + 1) {
		f.guest = o->dhcp_start;
	} else if (!parse_ipv4(dash + 1, (size_t)(gp - dash - 1), &f.guest)) {
		return sqn_msg_refuse(
			err, errlen,
			"forward \"%s\": guest address \"%.*s\" is not an "
			"IPv4 address",
			s, (int)(gp - dash - 1), dash + 1);
	}
	rc = parse_port(s, "guest port", gp + 1, (size_t)(end - gp - 1),
			&f.guest_port, err, errlen);
	if (rc)
		return rc;

	if ((f.guest.s_addr & o->mask.s_addr) != o->net.s_addr ||
	    f.guest.s_addr == o->net.s_addr ||
	    f.guest.s_addr == (o->net.s_addr | ~o->mask.s_addr) ||
	    f.guest.s_addr == o->host.s_addr ||
	    f.guest.s_addr == o->dns.s_addr) {
		char nb[INET_ADDRSTRLEN];

		return sqn_msg_refuse(
			err, errlen,
			"forward \"%s\": guest address %s is not a guest "
			"address of %s/%u (not the network, broadcast, "
			"gateway or DNS address)",
			s, fmt_ipv4(f.guest, b), fmt_ipv4(o->net, nb),
			o->prefix);
	}
	*out = f;
	return 0;
}

/**
 * get_addr() - an address parameter, or its default
 * @field:	the parameter's name
 * @s:		its value, NULL for the default
 * @def:	the default
 * @out:	gets the address
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL with the message set
 */
static int get_addr(const char *field, const char *s, struct in_addr def,
		    struct in_addr *out, char *err, size_t errlen)
{
	if (!s) {
		*out = def;
		return 0;
	}
	if (!parse_ipv4(s, strnlen(s, INET_ADDRSTRLEN), out))
		return sqn_msg_refuse(err, errlen,
				      "%s \"%.40s\" is not an IPv4 address",
				      field, s);
	return 0;
}

/**
 * build_ipv4() - the IPv4 network, gateway, DNS and first DHCP address
 * @p:		parameters
 * @o:		filled
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
static int build_ipv4(const struct sqn_params *p, struct sqn_netopt *o,
		      char *err, size_t errlen)
{
	char b1[INET_ADDRSTRLEN];
	struct in_addr def;
	int rc;

	if (p->slirp_net) {
		rc = sqn_netopt_cidr(p->slirp_net, &o->net, &o->prefix, err,
				     errlen);
		if (rc)
			return rc;
	} else {
		o->net.s_addr = htonl(0x0a000200); /* 10.0.2.0 */
		o->prefix = 24;
	}
	/* prefix is 8..30 here (sqn_netopt_cidr()); the guard is for the
	 * static analyzer, which does not follow that */
	o->mask.s_addr = o->prefix ? htonl(~0u << (32 - o->prefix)) : 0;

	def.s_addr = o->net.s_addr | htonl(2);
	if ((rc = get_addr("slirp_host", p->slirp_host, def, &o->host, err,
			   errlen)) ||
	    (rc = check_member(o, "slirp_host", o->host, err, errlen)))
		return rc;
	def.s_addr = o->net.s_addr | htonl(3);
	if ((rc = get_addr("slirp_dns", p->slirp_dns, def, &o->dns, err,
			   errlen)) ||
	    (rc = check_member(o, "slirp_dns", o->dns, err, errlen)))
		return rc;
	def.s_addr = o->net.s_addr | htonl(15);
	if ((rc = get_addr("slirp_dhcp_start", p->slirp_dhcp_start, def,
			   &o->dhcp_start, err, errlen)) ||
	    (rc = check_member(o, "slirp_dhcp_start", o->dhcp_start, err,
			       errlen)))
		return rc;
	if (o->host.s_addr == o->dns.s_addr)
		return sqn_msg_refuse(
			err, errlen,
			"slirp_host and slirp_dns are both %s: the DNS "
			"address must differ from the gateway",
			fmt_ipv4(o->host, b1));
	if (o->dhcp_start.s_addr == o->host.s_addr ||
	    o->dhcp_start.s_addr == o->dns.s_addr)
		return sqn_msg_refuse(
			err, errlen,
			"slirp_dhcp_start %s is the %s address: the guest "
			"needs an address of its own",
			fmt_ipv4(o->dhcp_start, b1),
			o->dhcp_start.s_addr == o->host.s_addr ? "gateway"
							       : "DNS");
	return 0;
}

/**
 * build_search() - the DNS search domains
 * @p:		parameters
 * @o:		filled
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
static int build_search(const struct sqn_params *p, struct sqn_netopt *o,
			char *err, size_t errlen)
{
	unsigned i;
	int rc;

	if (p->n_slirp_dns_search > SQN_NETOPT_MAX_SEARCH)
		return sqn_msg_refuse(
			err, errlen,
			"slirp_dns_search has %u domains: at most %d",
			p->n_slirp_dns_search, SQN_NETOPT_MAX_SEARCH);
	if (p->n_slirp_dns_search && !p->slirp_dns_search)
		return sqn_msg_refuse(
			err, errlen,
			"n_slirp_dns_search is %u but slirp_dns_search is "
			"NULL",
			p->n_slirp_dns_search);
	for (i = 0; i < p->n_slirp_dns_search; i++) {
		rc = sqn_netopt_domain(p->slirp_dns_search[i], err, errlen);
		if (rc)
			return rc;
		o->search[i] = p->slirp_dns_search[i];
	}
	o->n_search = p->n_slirp_dns_search;
	return 0;
}

/**
 * fwd_clash() - whether two forwards listen on the same host port
 * @a:	one
 * @b:	the other
 *
 * Return: true if they do (an unspecified host address clashes with all)
 */
static bool fwd_clash(const struct sqn_fwd *a, const struct sqn_fwd *b)
{
	return a->udp == b->udp && a->host_port == b->host_port &&
	       (a->host.s_addr == b->host.s_addr || !a->host.s_addr ||
		!b->host.s_addr);
}

/**
 * build_forwards() - the host port forwards
 * @p:		parameters
 * @o:		filled (its network already set)
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
static int build_forwards(const struct sqn_params *p, struct sqn_netopt *o,
			  char *err, size_t errlen)
{
	unsigned i, j;
	int rc;

	if (p->n_forwards > SQN_NETOPT_MAX_FWD)
		return sqn_msg_refuse(err, errlen,
				      "%u forwards: at most %d are allowed",
				      p->n_forwards, SQN_NETOPT_MAX_FWD);
	if (p->n_forwards && !p->forwards)
		return sqn_msg_refuse(err, errlen,
				      "n_forwards is %u but forwards is NULL",
				      p->n_forwards);
	for (i = 0; i < p->n_forwards; i++) {
		rc = sqn_netopt_fwd(o, p->forwards[i], &o->fwd[i], err, errlen);
		if (rc)
			return rc;
		for (j = 0; j < i; j++)
			if (fwd_clash(&o->fwd[j], &o->fwd[i]))
				return sqn_msg_refuse(
					err, errlen,
					"forward \"%s\" listens on the "
					"same %s port %u as \"%s\"",
					p->forwards[i],
					o->fwd[i].udp ? "UDP" : "TCP",
					o->fwd[i].host_port, p->forwards[j]);
	}
	o->n_fwd = p->n_forwards;
	return 0;
}

/**
 * sqn_netopt_build() - resolve and check every slirp option of @p
 * @p:		the parameters
 * @o:		gets the options
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL with the message set and @o untouched
 */
int sqn_netopt_build(const struct sqn_params *p, struct sqn_netopt *o,
		     char *err, size_t errlen)
{
	struct sqn_netopt t;
	int rc;

	memset(&t, 0, sizeof(t));
	rc = build_ipv4(p, &t, err, errlen);
	if (rc)
		return rc;
	t.ipv6 = p->slirp_ipv6 != SQN_OFF;
	inet_pton(AF_INET6, "fec0::", &t.prefix6);
	t.prefix6_len = 64;
	inet_pton(AF_INET6, "fec0::2", &t.host6);
	inet_pton(AF_INET6, "fec0::3", &t.dns6);
	t.restrict_out = p->slirp_restrict == SQN_ON;
	rc = build_search(p, &t, err, errlen);
	if (!rc)
		rc = build_forwards(p, &t, err, errlen);
	if (!rc)
		*o = t;
	return rc;
}

/**
 * sqn_netopt_slirp_version() - whether a libslirp version string is at
 *				least @need_major.@need_minor
 * @v:		what slirp_version_string() returned, may be NULL
 * @need_major:	oldest major version taken
 * @need_minor:	oldest minor version of @need_major taken
 *
 * The string must start "MAJOR.MINOR" (decimal digits each side of the
 * dot); what follows ("4.7.0", "4.8.0-rc1") is not looked at.
 *
 * Return: 1 if new enough, 0 if older, -1 if @v is not MAJOR.MINOR
 */
int sqn_netopt_slirp_version(const char *v, unsigned long need_major,
			     unsigned long need_minor)
{
	unsigned long major, minor;
	char *end;

	if (!v || *v < '0' || *v > '9')
		return -1;
	major = strtoul(v, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -1;
	minor = strtoul(end + 1, &end, 10);
	return major > need_major ||
	       (major == need_major && minor >= need_minor);
}
