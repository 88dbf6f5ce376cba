/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tap_inspect_linux.c - why a TAP device cannot be used: one RTNL query
 *			 about it, and the messages made from the answer
 *
 * The tap backend asks before it attaches (does the device exist, is it a
 * TAP?) and again when TUNSETIFF fails: RTM_GETLINK in the caller's
 * network namespace gives the device's link kind, TUN type, owner, group,
 * persistence and multi-queue flag, which sysfs would not reliably reflect.
 * Every attribute is walked with its length checked against what is left.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap_inspect.h"

/**
 * nla_ok_() - bounds-checked walk over netlink attributes
 * @a:		current attribute
 * @rem:	bytes left from @a
 *
 * Return: true if @a is a whole attribute within @rem
 */
static bool nla_ok_(const struct nlattr *a, int rem)
{
	return rem >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	       a->nla_len <= rem;
}

#define NLA_DATA(a) ((const uint8_t *)(a) + NLA_HDRLEN)
#define NLA_PAYLOAD(a) ((int)(a)->nla_len - NLA_HDRLEN)
#define NLA_NEXT(a, rem)                                                       \
	((rem) -= NLA_ALIGN((a)->nla_len),                                     \
	 (const struct nlattr *)((const uint8_t *)(a) +                        \
				 NLA_ALIGN((a)->nla_len)))

/**
 * tap_parse_tun_data() - read IFLA_INFO_DATA of a tun device
 * @a:		first attribute inside IFLA_INFO_DATA
 * @rem:	its payload length
 * @ti:		filled
 */
static void tap_parse_tun_data(const struct nlattr *a, int rem,
			       struct sqn_tap_info *ti)
{
	uint32_t v;

	for (; nla_ok_(a, rem); a = NLA_NEXT(a, rem)) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (NLA_PAYLOAD(a) < 1)
			continue;
		if (type == IFLA_TUN_TYPE)
			ti->tun_type = NLA_DATA(a)[0];
		else if (type == IFLA_TUN_MULTI_QUEUE)
			ti->mq = NLA_DATA(a)[0];
		else if (type == IFLA_TUN_PERSIST)
			ti->persist = NLA_DATA(a)[0];
		else if ((type == IFLA_TUN_OWNER || type == IFLA_TUN_GROUP) &&
			 NLA_PAYLOAD(a) >= 4) {
			memcpy(&v, NLA_DATA(a), 4);
			if (type == IFLA_TUN_OWNER)
				ti->owner = v;
			else
				ti->group = v;
		}
	}
}

/**
 * tap_parse_link() - read an RTM_NEWLINK answer
 * @ifi:	the message body
 * @len:	bytes after the nlmsghdr
 * @ti:		filled
 */
static void tap_parse_link(const struct ifinfomsg *ifi, int len,
			   struct sqn_tap_info *ti)
{
	const struct nlattr *a, *b;
	int rem = len - (int)NLMSG_ALIGN(sizeof(*ifi)), brem;

	ti->exists = true;
	a = (const struct nlattr *)((const uint8_t *)ifi +
				    NLMSG_ALIGN(sizeof(*ifi)));
	for (; nla_ok_(a, rem); a = NLA_NEXT(a, rem)) {
		if ((a->nla_type & NLA_TYPE_MASK) != IFLA_LINKINFO)
			continue;
		brem = NLA_PAYLOAD(a);
		for (b = (const struct nlattr *)NLA_DATA(a); nla_ok_(b, brem);
		     b = NLA_NEXT(b, brem)) {
			int type = b->nla_type & NLA_TYPE_MASK;

			if (type == IFLA_INFO_KIND)
				snprintf(ti->kind, sizeof(ti->kind), "%.*s",
					 NLA_PAYLOAD(b),
					 (const char *)NLA_DATA(b));
			else if (type == IFLA_INFO_DATA)
				tap_parse_tun_data(
					(const struct nlattr *)NLA_DATA(b),
					NLA_PAYLOAD(b), ti);
		}
	}
	/* "tun" is the kind of both TUN and TAP devices */
	if (strcmp(ti->kind, "tun") != 0)
		ti->tun_type = 0;
}

/**
 * sqn_tap_inspect() - ask RTNL about a device in this network namespace
 * @name:	the device name (validated)
 * @ti:		filled; ti->known false when the query itself failed
 *
 * Used before attaching (does it exist?) and to explain a failure.
 */
void sqn_tap_inspect(const char *name, struct sqn_tap_info *ti)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[64];
	} req;
	union {
		struct nlmsghdr nh;
		uint8_t b[8192];
	} resp;
	struct nlattr *a;
	struct nlmsghdr *nh;
	size_t nlen = strlen(name) + 1;
	ssize_t r;
	int fd;

	memset(ti, 0, sizeof(*ti));
	ti->mq = ti->persist = -1;
	ti->owner = ti->group = -1;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	a = (struct nlattr *)req.attrs;
	a->nla_type = IFLA_IFNAME;
	a->nla_len = (uint16_t)(NLA_HDRLEN + nlen);
	memcpy((uint8_t *)a + NLA_HDRLEN, name, nlen);
	req.nh.nlmsg_len = (uint32_t)(NLMSG_LENGTH(sizeof(req.ifi)) +
				      NLA_ALIGN(a->nla_len));

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		goto out_close;
	r = recv(fd, &resp, sizeof(resp), 0);
	if (r < (ssize_t)sizeof(struct nlmsghdr))
		goto out_close;
	nh = &resp.nh;
	if (!NLMSG_OK(nh, (size_t)r))
		goto out_close;
	if (nh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(nh);

		if (nh->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) &&
		    e->error == -ENODEV)
			ti->known = true; /* no such device */
	} else if (nh->nlmsg_type == RTM_NEWLINK &&
		   nh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
		ti->known = true;
		tap_parse_link(NLMSG_DATA(nh),
			       (int)(nh->nlmsg_len - NLMSG_HDRLEN), ti);
	}
out_close:
	close(fd);
	if (!ti->known)
		ti->exists = if_nametoindex(name) != 0;
}

/**
 * tap_explain_perm() - the message for an EPERM from TUNSETIFF
 * @iface:	for the message
 * @name:	the device
 * @ti:		what is known of it
 *
 * Return: -EPERM
 */
static int tap_explain_perm(struct sqn_iface *iface, const char *name,
			    const struct sqn_tap_info *ti)
{
	if (ti->exists && ti->owner >= 0)
		return sqn_seterr(iface, -EPERM,
				  "tap: \"%s\" is owned by uid %ld and this "
				  "process (uid %u) lacks CAP_NET_ADMIN: run "
				  "as that user, or `ip tuntap add %s mode tap "
				  "user %u`",
				  name, ti->owner, (unsigned)getuid(), name,
				  (unsigned)getuid());
	if (ti->exists && ti->group >= 0)
		return sqn_seterr(iface, -EPERM,
				  "tap: \"%s\" belongs to group %ld, which "
				  "this process (uid %u) is not in, and it "
				  "lacks CAP_NET_ADMIN",
				  name, ti->group, (unsigned)getuid());
	return sqn_seterr(iface, -EPERM,
			  "tap: %s \"%s\" needs CAP_NET_ADMIN: run as "
			  "root, or create it for this user with `ip "
			  "tuntap add %s mode tap user %u`",
			  ti->exists ? "attaching to" : "creating", name, name,
			  (unsigned)getuid());
}

/**
 * sqn_tap_explain() - message for a device we cannot attach to
 * @iface:	for the message
 * @name:	device name
 * @err:	errno of TUNSETIFF (positive)
 * @nq:		queues asked for
 * @known:	what RTNL said about the device, or NULL to ask now
 *
 * Return: -@err (or -EINVAL/-EPERM/-EBUSY as diagnosed), message set
 */
int sqn_tap_explain(struct sqn_iface *iface, const char *name, int err,
		    unsigned nq, const struct sqn_tap_info *known)
{
	struct sqn_tap_info ti;

	if (known)
		ti = *known;
	else
		sqn_tap_inspect(name, &ti);
	if (ti.exists && ti.known && ti.tun_type == 0)
		return sqn_seterr(iface, -EINVAL,
				  "tap: \"%s\" exists but is not a TAP device "
				  "(%s%s): name a TAP device, or a free name "
				  "with tap_create",
				  name, ti.kind[0] ? "its kind is " : "",
				  ti.kind[0] ? ti.kind
					     : "a loopback or hardware "
					       "interface");
	if (ti.exists && ti.tun_type == IFF_TUN)
		return sqn_seterr(iface, -EINVAL,
				  "tap: \"%s\" is a TUN (layer 3) device, not "
				  "a TAP: recreate it with `ip tuntap add %s "
				  "mode tap`",
				  name, name);
	if (err == EPERM)
		return tap_explain_perm(iface, name, &ti);
	if (err == EINVAL && ti.exists && ti.mq >= 0 && ti.mq != (nq > 1))
		return sqn_seterr(
			iface, -EINVAL,
			"tap: \"%s\" was created %s multi_queue but "
			"%u queue%s asked for: %s",
			name, ti.mq ? "with" : "without", nq,
			nq > 1 ? "s were" : " was",
			ti.mq ? "ask for more than one queue"
			      : "ask for 1 queue, or recreate it with "
				"`ip tuntap add ... multi_queue`");
	if (err == EBUSY)
		return sqn_seterr(iface, -EBUSY,
				  "tap: \"%s\" is already attached by another "
				  "process (a TAP without multi_queue has one "
				  "user): stop that process or use another "
				  "device",
				  name);
	return sqn_seterr(iface, -err, "tap: TUNSETIFF \"%s\" failed: %s", name,
			  strerror(err));
}
