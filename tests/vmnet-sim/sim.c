/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim.c - a simulated vmnet.framework for Linux tests (never in the library)
 *
 * Theory of operation: every interface started is a port on a simulated
 * segment: one for shared mode, one for host mode, one per bridged
 * interface name. Shared and host segments have a gateway at 192.168.64.1
 * (macOS's default vmnet network); a bridged segment stands for the LAN the
 * host interface is on, with a router at 192.168.1.1. Both answer ARP, DHCP
 * (DISCOVER/REQUEST to OFFER/ACK, addresses from 192.168.64.2 and
 * 192.168.1.100) and ICMP echo. Frames a guest writes go to the gateway
 * and, when neither port has isolation on, to the other ports of the
 * segment. Frames for a guest wait in its port's queue
 * (SIM_RXQ_LEN packets) until vmnet_read() takes them; queuing fires the
 * event callback asynchronously on the callback's queue, with the estimated
 * packet count, coalesced while one is pending.
 *
 * Apple's documented contract is kept, and checked: start and stop complete
 * asynchronously on the caller's queue; at most 200 packets and 256 KiB per
 * read or write (VMNET_TOO_MANY_PACKETS, VMNET_INVALID_ARGUMENT); exactly one
 * iovec per packet (VMNET_INVALID_ARGUMENT); read buffers of at least the
 * max packet size (VMNET_INVALID_ARGUMENT: this is stricter than vmnet,
 * which fails only when a packet does not fit, so a backend that forgets to
 * reset vm_pkt_size before a call is caught); written packets above the max
 * packet size fail with VMNET_PACKET_TOO_BIG. Refused calls are counted in
 * sim_stats.violations, and so is a call with a handle already stopped and
 * gone (every entry point looks the handle up before it touches it).
 *
 * Lifetime: an interface record is reference counted: one reference for
 * the handle until vmnet_stop_interface(), one for every block of ours that
 * refers to it (a queued event, a delayed start completion), so a block
 * still queued never sees freed memory; the last reference frees it. A
 * handler held forever (an injected hang) keeps its record, and with it
 * the block and whatever the block refers to, reachable: "never completes"
 * does not turn into a leak report.
 */
#include <Block.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmnet/vmnet.h>

#include "sim_ctl.h"

const char *vmnet_operation_mode_key = "vmnet_operation_mode";
const char *vmnet_interface_id_key = "vmnet_interface_id";
const char *vmnet_shared_interface_name_key = "vmnet_shared_interface_name";
const char *vmnet_enable_isolation_key = "vmnet_enable_isolation";
const char *vmnet_mtu_key = "vmnet_mtu";
const char *vmnet_mac_address_key = "vmnet_mac_address";
const char *vmnet_max_packet_size_key = "vmnet_max_packet_size";
const char *vmnet_start_address_key = "vmnet_start_address";
const char *vmnet_end_address_key = "vmnet_end_address";
const char *vmnet_subnet_mask_key = "vmnet_subnet_mask";
const char *vmnet_estimated_packets_available_key =
	"vmnet_estimated_packets_available";

#define SIM_MTU_MIN 68
#define SIM_MTU_MAX 16384
#define SIM_ETH_HLEN 14
#define SIM_LEASES 253

enum sim_state {
	SIM_STARTING = 1,
	SIM_RUNNING,
	SIM_FAILED,
	SIM_STOPPED,
};

/**
 * struct vmnet_interface - one simulated port
 * @next:	all interfaces ever started
 * @state:	enum sim_state
 * @mode:	operating mode
 * @isolation:	isolation on
 * @bridged:	bridged mode: the host interface
 * @uuid:	interface id
 * @mac:	the MAC vmnet assigns (derived from @uuid)
 * @mtu:	negotiated MTU
 * @mps:	max packet size announced
 * @queue:	the start queue, retained while running
 * @event_cb:	event callback, copied; NULL when unset
 * @event_q:	its queue, retained
 * @event_pending: an event block is queued
 * @rx:		packets for the guest, SIM_RXQ_LEN slots of @mps bytes
 * @rxlen:	their lengths
 * @rxhead:	first waiting slot
 * @rxcount:	waiting packets
 * @guest_mac:	source MAC of the guest's last frame
 * @guest_known: @guest_mac is set
 * @held_start:	start handler never called (injected hang)
 * @held_stop:	stop handler never called (injected hang)
 * @refs:	the handle's reference and one per block referring to this
 */
struct vmnet_interface {
	struct vmnet_interface *next;
	int state;
	uint64_t mode;
	bool isolation;
	char bridged[64];
	uint8_t uuid[16];
	uint8_t mac[6];
	uint32_t mtu;
	uint32_t mps;
	dispatch_queue_t queue;
	void (^event_cb)(interface_event_t, xpc_object_t);
	dispatch_queue_t event_q;
	bool event_pending;
	uint8_t *rx;
	uint32_t rxlen[SIM_RXQ_LEN];
	unsigned rxhead, rxcount;
	uint8_t guest_mac[6];
	bool guest_known;
	void (^held_start)(vmnet_return_t, xpc_object_t);
	void (^held_stop)(vmnet_return_t);
	int refs;
};

/**
 * struct sim_net - a segment's gateway: the NAT gateway or the LAN's router
 * @gw_mac:	its MAC
 * @gw_ip:	its address; the network is @gw_ip/24
 * @first:	last byte of the first address leased
 * @nleases:	addresses it leases, from @first
 * @leases:	client MAC per leased address, zero when free
 */
struct sim_net {
	uint8_t gw_mac[6];
	uint8_t gw_ip[4];
	uint8_t first;
	unsigned nleases;
	uint8_t leases[SIM_LEASES][6];
};

static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vmnet_interface *sim_ifaces;
static struct sim_stats sim_st;
static struct sim_desc sim_last;
static bool sim_start_hang_on, sim_stop_hang_on;
static uint32_t sim_start_fail_status, sim_enforce_mps, sim_event_cb_status;
static uint32_t sim_start_delay_ms, sim_stop_delay_ms, sim_read_status;
static unsigned sim_omit;
static interface_ref sim_last_ifr;

static struct sim_net sim_nat = {
	{0x5e, 0xad, 0xb0, 0xa7, 0x00, 0x01},
	{192, 168, 64, 1},
	SIM_NAT_FIRST,
	SIM_LEASES,
	{{0}},
};
static struct sim_net sim_lan = {
	{0x5e, 0xad, 0xb0, 0xa7, 0x00, 0x02},
	{192, 168, 1, 1},
	SIM_LAN_FIRST,
	255 - SIM_LAN_FIRST,
	{{0}},
};
static const uint8_t sim_mask[4] = {255, 255, 255, 0};

/* ---- helpers ---- */

static uint16_t sim_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void sim_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * sim_csum() - the Internet checksum of @len bytes
 * @p:		bytes
 * @len:	their number
 *
 * Return: the checksum, ready to store big-endian
 */
static uint16_t sim_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += sim_get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * sim_uuid_text() - canonical text of a UUID
 * @u:		16 bytes
 * @out:	37 bytes
 */
static void sim_uuid_text(const uint8_t *u, char *out)
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x"
		 "%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

/**
 * sim_net_of() - the gateway of a port's segment
 * @ifr:	the port
 *
 * Return: the LAN's router in bridged mode, else the NAT gateway
 */
static struct sim_net *sim_net_of(const struct vmnet_interface *ifr)
{
	return ifr->mode == VMNET_BRIDGED_MODE ? &sim_lan : &sim_nat;
}

/**
 * sim_ifr_put() - drop a reference to a port; the last frees it
 * @ifr:	the port; sim_lock held
 */
static void sim_ifr_put(struct vmnet_interface *ifr)
{
	struct vmnet_interface **pp;

	if (--ifr->refs > 0)
		return;
	for (pp = &sim_ifaces; *pp; pp = &(*pp)->next) {
		if (*pp == ifr) {
			*pp = ifr->next;
			break;
		}
	}
	if (sim_last_ifr == ifr)
		sim_last_ifr = NULL;
	if (ifr->queue)
		dispatch_release(ifr->queue);
	free(ifr->rx);
	free(ifr);
	sim_st.records--;
}

/**
 * sim_known() - whether a handle is a record the simulator still holds
 * @ifr:	the handle; sim_lock held
 *
 * A handle used after its record went (a call after the stop) is counted
 * as a violation without being dereferenced.
 *
 * Return: true if @ifr is one of ours
 */
static bool sim_known(const struct vmnet_interface *ifr)
{
	const struct vmnet_interface *o;

	for (o = sim_ifaces; o; o = o->next)
		if (o == ifr)
			return true;
	sim_st.violations++;
	return false;
}

/**
 * sim_same_segment() - whether two ports are on the same simulated network
 * @a:	a port
 * @b:	another
 *
 * Return: true if frames may pass between them (isolation aside)
 */
static bool sim_same_segment(const struct vmnet_interface *a,
			     const struct vmnet_interface *b)
{
	if (a->mode != b->mode)
		return false;
	return a->mode != VMNET_BRIDGED_MODE || !strcmp(a->bridged, b->bridged);
}

/**
 * sim_schedule_event() - queue an event callback unless one is pending
 * @ifr:	the port; sim_lock held
 */
static void sim_schedule_event(struct vmnet_interface *ifr)
{
	if (!ifr->event_cb || ifr->event_pending || !ifr->rxcount)
		return;
	ifr->event_pending = true;
	ifr->refs++; /* the block's */
	dispatch_async(ifr->event_q, ^{
	  void (^cb)(interface_event_t, xpc_object_t) = NULL;
	  uint64_t est;

	  pthread_mutex_lock(&sim_lock);
	  ifr->event_pending = false;
	  est = ifr->rxcount;
	  if (ifr->event_cb && est && ifr->state == SIM_RUNNING) {
		  cb = Block_copy(ifr->event_cb);
		  sim_st.events++;
		  sim_st.last_estimate = est;
	  }
	  sim_ifr_put(ifr);
	  pthread_mutex_unlock(&sim_lock);
	  if (cb) {
		  xpc_object_t ev = xpc_dictionary_create(NULL, NULL, 0);

		  xpc_dictionary_set_uint64(
			  ev, vmnet_estimated_packets_available_key, est);
		  cb(VMNET_INTERFACE_PACKETS_AVAILABLE, ev);
		  xpc_release(ev);
		  Block_release(cb);
	  }
	});
}

/**
 * sim_enqueue() - queue a frame for a port's guest
 * @ifr:	the port; sim_lock held
 * @f:		the frame
 * @len:	its length
 *
 * Return: true if queued, false if dropped (queue full, too big, stopped)
 */
static bool sim_enqueue(struct vmnet_interface *ifr, const uint8_t *f,
			size_t len)
{
	unsigned slot;

	if (ifr->state != SIM_RUNNING || len > ifr->mps ||
	    ifr->rxcount == SIM_RXQ_LEN) {
		sim_st.rx_dropped++;
		return false;
	}
	slot = (ifr->rxhead + ifr->rxcount) % SIM_RXQ_LEN;
	memcpy(ifr->rx + (size_t)slot * ifr->mps, f, len);
	ifr->rxlen[slot] = (uint32_t)len;
	ifr->rxcount++;
	return true;
}

/* ---- the gateway: ARP, DHCP, ICMP echo ---- */

/**
 * sim_gw_arp() - answer an ARP request for the gateway's address
 * @net:	the gateway
 * @src:	the asking port; sim_lock held
 * @f:		the frame
 * @len:	its length
 */
static void sim_gw_arp(const struct sim_net *net, struct vmnet_interface *src,
		       const uint8_t *f, size_t len)
{
	const uint8_t *a = f + SIM_ETH_HLEN;
	uint8_t r[60] = {0};
	uint8_t *ra = r + SIM_ETH_HLEN;

	if (len < SIM_ETH_HLEN + 28 || sim_get16(a) != 1 ||
	    sim_get16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4 ||
	    sim_get16(a + 6) != 1 || memcmp(a + 24, net->gw_ip, 4))
		return;
	memcpy(r, a + 8, 6);
	memcpy(r + 6, net->gw_mac, 6);
	sim_put16(r + 12, 0x0806);
	memcpy(ra, a, 6); /* htype, ptype, hlen, plen */
	sim_put16(ra + 6, 2);
	memcpy(ra + 8, net->gw_mac, 6);
	memcpy(ra + 14, net->gw_ip, 4);
	memcpy(ra + 18, a + 8, 10); /* sender MAC and IP become target */
	sim_enqueue(src, r, sizeof(r));
}

/**
 * sim_lease() - the address index a gateway leased to a client MAC
 * @net:	the gateway; sim_lock held
 * @mac:	the client's MAC
 *
 * Return: 0..@net->nleases - 1 (the address's last byte is @net->first +
 * index), or -1
 */
static int sim_lease(struct sim_net *net, const uint8_t *mac)
{
	static const uint8_t zero[6];
	unsigned i;

	for (i = 0; i < net->nleases; i++)
		if (!memcmp(net->leases[i], mac, 6))
			return (int)i;
	for (i = 0; i < net->nleases; i++) {
		if (!memcmp(net->leases[i], zero, 6)) {
			memcpy(net->leases[i], mac, 6);
			return (int)i;
		}
	}
	return -1;
}

/**
 * sim_gw_dhcp() - answer DHCPDISCOVER with OFFER and DHCPREQUEST with ACK
 * @net:	the gateway
 * @src:	the asking port; sim_lock held
 * @ip:		the IPv4 header of the request
 * @len:	bytes from @ip to the frame's end
 */
static void sim_gw_dhcp(struct sim_net *net, struct vmnet_interface *src,
			const uint8_t *ip, size_t len)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4, off, blen;
	const uint8_t *b = ip + ihl + 8;
	uint8_t r[SIM_ETH_HLEN + 20 + 8 + 300] = {0};
	uint8_t *rip = r + SIM_ETH_HLEN, *rb = rip + 28, *o;
	uint8_t type = 0, reply;
	int lease;

	if (len < ihl + 8 + 240)
		return;
	blen = len - ihl - 8;
	if (b[0] != 1 || b[1] != 1 || b[2] != 6 ||
	    memcmp(b + 236, "\x63\x82\x53\x63", 4))
		return;
	for (off = 240; off < blen && b[off] != 255;) {
		if (b[off] == 0) {
			off++;
			continue;
		}
		if (off + 2 > blen || off + 2 + b[off + 1] > blen)
			return;
		if (b[off] == 53 && b[off + 1] == 1)
			type = b[off + 2];
		off += 2 + (size_t)b[off + 1];
	}
	if (type == 1)
		reply = 2; /* DISCOVER -> OFFER */
	else if (type == 3)
		reply = 5; /* REQUEST -> ACK */
	else
		return;
	lease = sim_lease(net, b + 28);
	if (lease < 0)
		return;

	rb[0] = 2;
	rb[1] = 1;
	rb[2] = 6;
	memcpy(rb + 4, b + 4, 4);   /* xid */
	memcpy(rb + 10, b + 10, 2); /* flags */
	memcpy(rb + 16, net->gw_ip, 3);
	rb[19] = (uint8_t)(net->first + lease); /* yiaddr */
	memcpy(rb + 20, net->gw_ip, 4);		/* siaddr */
	memcpy(rb + 28, b + 28, 16);		/* chaddr */
	memcpy(rb + 236, "\x63\x82\x53\x63", 4);
	o = rb + 240;
	*o++ = 53, *o++ = 1, *o++ = reply;
	*o++ = 54, *o++ = 4, memcpy(o, net->gw_ip, 4), o += 4;
	*o++ = 51, *o++ = 4, *o++ = 0, *o++ = 1, *o++ = 0x51, *o++ = 0x80;
	*o++ = 1, *o++ = 4, memcpy(o, sim_mask, 4), o += 4;
	*o++ = 3, *o++ = 4, memcpy(o, net->gw_ip, 4), o += 4;
	*o++ = 6, *o++ = 4, memcpy(o, net->gw_ip, 4), o += 4;
	*o++ = 26, *o++ = 2, *o++ = (uint8_t)(src->mtu >> 8),
	*o++ = (uint8_t)src->mtu;
	*o = 255;

	rip[0] = 0x45;
	sim_put16(rip + 2, 20 + 8 + 300);
	rip[8] = 64;
	rip[9] = 17;
	memcpy(rip + 12, net->gw_ip, 4);
	memset(rip + 16, 0xff, 4);
	sim_put16(rip + 10, sim_csum(rip, 20));
	sim_put16(rip + 20, 67);
	sim_put16(rip + 22, 68);
	sim_put16(rip + 24, 8 + 300);

	if (b[10] & 0x80)
		memset(r, 0xff, 6);
	else
		memcpy(r, b + 28, 6);
	memcpy(r + 6, net->gw_mac, 6);
	sim_put16(r + 12, 0x0800);
	sim_enqueue(src, r, sizeof(r));
}

/**
 * sim_gw_icmp() - answer an ICMP echo request to the gateway
 * @net:	the gateway
 * @src:	the asking port; sim_lock held
 * @f:		the frame
 * @len:	its length
 */
static void sim_gw_icmp(const struct sim_net *net, struct vmnet_interface *src,
			const uint8_t *f, size_t len)
{
	uint8_t r[SIM_ETH_HLEN + SIM_MTU_MAX];
	uint8_t *ip = r + SIM_ETH_HLEN;
	size_t ihl = (size_t)(f[SIM_ETH_HLEN] & 15) * 4, tot;

	tot = sim_get16(f + SIM_ETH_HLEN + 2);
	if (len > sizeof(r) || tot < ihl + 8 || SIM_ETH_HLEN + tot > len ||
	    f[SIM_ETH_HLEN + ihl] != 8)
		return;
	memcpy(r, f, SIM_ETH_HLEN + tot);
	memcpy(r, f + 6, 6);
	memcpy(r + 6, net->gw_mac, 6);
	memcpy(ip + 12, net->gw_ip, 4);
	memcpy(ip + 16, f + SIM_ETH_HLEN + 12, 4);
	ip[8] = 64;
	sim_put16(ip + 10, 0);
	sim_put16(ip + 10, sim_csum(ip, ihl));
	ip[ihl] = 0; /* echo reply */
	sim_put16(ip + ihl + 2, 0);
	sim_put16(ip + ihl + 2, sim_csum(ip + ihl, tot - ihl));
	sim_enqueue(src, r, SIM_ETH_HLEN + tot);
}

/**
 * sim_gateway() - let the segment's gateway see a frame a guest sent
 * @src:	the sending port; sim_lock held
 * @f:		the frame
 * @len:	its length
 *
 * Return: true if the frame was addressed to the gateway alone
 */
static bool sim_gateway(struct vmnet_interface *src, const uint8_t *f,
			size_t len)
{
	struct sim_net *net = sim_net_of(src);
	uint16_t type = sim_get16(f + 12);
	const uint8_t *ip = f + SIM_ETH_HLEN;
	size_t ihl;

	if (type == 0x0806) {
		sim_gw_arp(net, src, f, len);
	} else if (type == 0x0800 && len >= SIM_ETH_HLEN + 20 &&
		   (ip[0] >> 4) == 4) {
		ihl = (size_t)(ip[0] & 15) * 4;
		if (ihl >= 20 && len >= SIM_ETH_HLEN + ihl + 8) {
			if (ip[9] == 17 && sim_get16(ip + ihl + 2) == 67)
				sim_gw_dhcp(net, src, ip, len - SIM_ETH_HLEN);
			else if (ip[9] == 1 && !memcmp(ip + 16, net->gw_ip, 4))
				sim_gw_icmp(net, src, f, len);
		}
	}
	return !memcmp(f, net->gw_mac, 6);
}

/**
 * sim_switch() - carry a frame a guest wrote
 * @src:	the sending port; sim_lock held
 * @f:		the frame
 * @len:	its length, at least SIM_ETH_HLEN
 */
static void sim_switch(struct vmnet_interface *src, const uint8_t *f,
		       size_t len)
{
	struct vmnet_interface *o;
	bool bcast = f[0] & 1;

	memcpy(src->guest_mac, f + 6, 6);
	src->guest_known = true;
	if (sim_gateway(src, f, len)) {
		sim_schedule_event(src);
		return;
	}
	sim_schedule_event(src);
	for (o = sim_ifaces; o; o = o->next) {
		if (o == src || o->state != SIM_RUNNING ||
		    !sim_same_segment(src, o))
			continue;
		if (src->isolation || o->isolation)
			continue;
		if (!bcast && o->guest_known && memcmp(o->guest_mac, f, 6))
			continue;
		if (sim_enqueue(o, f, len))
			sim_schedule_event(o);
	}
}

/* ---- the vmnet API ---- */

/**
 * sim_record_desc() - remember a descriptor for sim_ctl_last_desc()
 * @desc:	the descriptor
 */
static void sim_record_desc(xpc_object_t desc)
{
	const uint8_t *u =
		xpc_dictionary_get_uuid(desc, vmnet_interface_id_key);
	const char *name;
	const char *const keys[] = {vmnet_operation_mode_key,
				    vmnet_interface_id_key,
				    vmnet_shared_interface_name_key,
				    vmnet_enable_isolation_key, vmnet_mtu_key};
	unsigned i;

	memset(&sim_last, 0, sizeof(sim_last));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (xpc_dictionary_get_value(desc, keys[i]))
			sim_last.nkeys++;
	sim_last.has_mode =
		xpc_dictionary_get_value(desc, vmnet_operation_mode_key);
	sim_last.mode =
		xpc_dictionary_get_uint64(desc, vmnet_operation_mode_key);
	if (u) {
		sim_last.has_id = true;
		sim_uuid_text(u, sim_last.id);
	}
	sim_last.has_mtu = xpc_dictionary_get_value(desc, vmnet_mtu_key);
	sim_last.mtu = xpc_dictionary_get_uint64(desc, vmnet_mtu_key);
	name = xpc_dictionary_get_string(desc, vmnet_shared_interface_name_key);
	if (name) {
		sim_last.has_name = true;
		snprintf(sim_last.name, sizeof(sim_last.name), "%s", name);
	}
	sim_last.has_isolation =
		xpc_dictionary_get_value(desc, vmnet_enable_isolation_key);
	sim_last.isolation =
		xpc_dictionary_get_bool(desc, vmnet_enable_isolation_key);
}

/**
 * sim_check_desc() - what vmnet would say about a descriptor
 * @ifr:	the new port: filled from @desc
 * @desc:	the descriptor
 *
 * Return: VMNET_SUCCESS or VMNET_INVALID_ARGUMENT
 */
static vmnet_return_t sim_check_desc(struct vmnet_interface *ifr,
				     xpc_object_t desc)
{
	const char *name = xpc_dictionary_get_string(
		desc, vmnet_shared_interface_name_key);
	const uint8_t *u =
		xpc_dictionary_get_uuid(desc, vmnet_interface_id_key);
	bool has_mtu = xpc_dictionary_get_value(desc, vmnet_mtu_key);
	uint64_t mtu = xpc_dictionary_get_uint64(desc, vmnet_mtu_key);

	ifr->mode = xpc_dictionary_get_uint64(desc, vmnet_operation_mode_key);
	ifr->isolation =
		xpc_dictionary_get_bool(desc, vmnet_enable_isolation_key);
	if (u)
		memcpy(ifr->uuid, u, 16);
	else
		ifr->uuid[15] = (uint8_t)sim_st.starts; /* vmnet picks one */
	ifr->mac[0] = (uint8_t)((ifr->uuid[0] & 0xfc) | 0x02);
	memcpy(ifr->mac + 1, ifr->uuid + 1, 5);
	ifr->mtu = has_mtu ? (uint32_t)mtu : 1500;
	if (ifr->mode < VMNET_HOST_MODE || ifr->mode > VMNET_BRIDGED_MODE)
		return VMNET_INVALID_ARGUMENT;
	if (ifr->mode == VMNET_BRIDGED_MODE) {
		if (!name || !*name || has_mtu)
			return VMNET_INVALID_ARGUMENT;
		snprintf(ifr->bridged, sizeof(ifr->bridged), "%s", name);
	}
	if (has_mtu && (mtu < SIM_MTU_MIN || mtu > SIM_MTU_MAX))
		return VMNET_INVALID_ARGUMENT;
	ifr->mps = ifr->mtu + SIM_ETH_HLEN;
	return VMNET_SUCCESS;
}

/**
 * sim_start_params() - the dictionary a successful start hands over
 * @ifr:	the port
 *
 * Return: the dictionary, without the keys sim_ctl_omit_keys() removed
 */
static xpc_object_t sim_start_params(const struct vmnet_interface *ifr)
{
	xpc_object_t p = xpc_dictionary_create(NULL, NULL, 0);
	char mac[18];

	/* vmnet prints the MAC without leading zeros: "5e:0:..." */
	snprintf(mac, sizeof(mac), "%x:%x:%x:%x:%x:%x", ifr->mac[0],
		 ifr->mac[1], ifr->mac[2], ifr->mac[3], ifr->mac[4],
		 ifr->mac[5]);
	if (!(sim_omit & SIM_OMIT_MTU))
		xpc_dictionary_set_uint64(p, vmnet_mtu_key, ifr->mtu);
	if (!(sim_omit & SIM_OMIT_MAX_PACKET))
		xpc_dictionary_set_uint64(p, vmnet_max_packet_size_key,
					  ifr->mps);
	if (!(sim_omit & SIM_OMIT_MAC))
		xpc_dictionary_set_string(p, vmnet_mac_address_key, mac);
	if (ifr->mode != VMNET_BRIDGED_MODE) {
		xpc_dictionary_set_string(p, vmnet_start_address_key,
					  "192.168.64.1");
		xpc_dictionary_set_string(p, vmnet_end_address_key,
					  "192.168.64.254");
		xpc_dictionary_set_string(p, vmnet_subnet_mask_key,
					  "255.255.255.0");
	}
	return p;
}

interface_ref vmnet_start_interface(
	xpc_object_t interface_desc, dispatch_queue_t queue,
	void (^handler)(vmnet_return_t status, xpc_object_t interface_param))
{
	struct vmnet_interface *ifr;
	vmnet_return_t status;
	xpc_object_t params = NULL;

	if (!interface_desc || !queue || !handler)
		return NULL;
	ifr = calloc(1, sizeof(*ifr));
	if (!ifr)
		return NULL;

	pthread_mutex_lock(&sim_lock);
	sim_record_desc(interface_desc);
	status = sim_check_desc(ifr, interface_desc);
	if (status == VMNET_SUCCESS && sim_start_fail_status)
		status = (vmnet_return_t)sim_start_fail_status;
	if (status == VMNET_SUCCESS) {
		ifr->rx = malloc((size_t)SIM_RXQ_LEN * ifr->mps);
		if (!ifr->rx)
			status = VMNET_MEM_FAILURE;
	}
	ifr->state = SIM_STARTING;
	ifr->queue = queue;
	dispatch_retain(queue);
	ifr->refs = 1; /* the handle's, until vmnet_stop_interface() */
	ifr->next = sim_ifaces;
	sim_ifaces = ifr;
	sim_last_ifr = ifr;
	sim_st.starts++;
	sim_st.live++;
	sim_st.records++;
	if (sim_start_hang_on) {
		/* held forever, with a reference: see "Lifetime" */
		ifr->held_start = Block_copy(handler);
		ifr->refs++;
		pthread_mutex_unlock(&sim_lock);
		return ifr;
	}
	if (status == VMNET_SUCCESS)
		params = sim_start_params(ifr);
	if (sim_start_delay_ms) {
		/* completes late: still STARTING meanwhile, perhaps stopped */
		ifr->refs++;
		pthread_mutex_unlock(&sim_lock);
		dispatch_after(dispatch_time(DISPATCH_TIME_NOW,
					     (int64_t)sim_start_delay_ms *
						     (int64_t)NSEC_PER_MSEC),
			       queue, ^{
				 pthread_mutex_lock(&sim_lock);
				 if (ifr->state == SIM_STARTING)
					 ifr->state = status == VMNET_SUCCESS
							      ? SIM_RUNNING
							      : SIM_FAILED;
				 sim_st.start_handlers++;
				 pthread_mutex_unlock(&sim_lock);
				 handler(status, params);
				 if (params)
					 xpc_release(params);
				 pthread_mutex_lock(&sim_lock);
				 sim_ifr_put(ifr);
				 pthread_mutex_unlock(&sim_lock);
			       });
		return ifr;
	}
	ifr->state = status == VMNET_SUCCESS ? SIM_RUNNING : SIM_FAILED;
	pthread_mutex_unlock(&sim_lock);

	dispatch_async(queue, ^{
	  pthread_mutex_lock(&sim_lock);
	  sim_st.start_handlers++;
	  pthread_mutex_unlock(&sim_lock);
	  handler(status, params);
	  if (params)
		  xpc_release(params);
	});
	return ifr;
}

vmnet_return_t vmnet_interface_set_event_callback(
	interface_ref ifr, interface_event_t event_mask, dispatch_queue_t queue,
	void (^callback)(interface_event_t event_mask, xpc_object_t event))
{
	vmnet_return_t rc = VMNET_SUCCESS;

	if (!ifr)
		return VMNET_INVALID_ARGUMENT;
	pthread_mutex_lock(&sim_lock);
	if (!sim_known(ifr)) {
		rc = VMNET_INVALID_ARGUMENT;
		goto out;
	}
	if (ifr->state == SIM_STARTING) {
		rc = VMNET_SETUP_INCOMPLETE;
		goto out;
	}
	if (ifr->state != SIM_RUNNING) {
		rc = VMNET_INVALID_ARGUMENT;
		goto out;
	}
	if (ifr->event_cb) {
		Block_release(ifr->event_cb);
		dispatch_release(ifr->event_q);
		ifr->event_cb = NULL;
		ifr->event_q = NULL;
	}
	if (!callback)
		goto out;
	if (sim_event_cb_status) {
		rc = (vmnet_return_t)sim_event_cb_status;
		goto out;
	}
	if (event_mask != VMNET_INTERFACE_PACKETS_AVAILABLE || !queue) {
		sim_st.violations++;
		rc = VMNET_INVALID_ARGUMENT;
		goto out;
	}
	ifr->event_cb = Block_copy(callback);
	ifr->event_q = queue;
	dispatch_retain(queue);
	sim_schedule_event(ifr);
out:
	pthread_mutex_unlock(&sim_lock);
	return rc;
}

/**
 * sim_check_batch() - the checks vmnet_read() and vmnet_write() share
 * @ifr:	the port; sim_lock held
 * @p:		packets
 * @n:		how many
 * @read:	true for a read (buffers must hold the max packet size)
 * @bytes:	gets the bytes the call covers
 *
 * Return: VMNET_SUCCESS, or the status refusing the whole call
 */
static vmnet_return_t sim_check_batch(struct vmnet_interface *ifr,
				      const struct vmpktdesc *p, int n,
				      bool read, size_t *bytes)
{
	int i;

	*bytes = 0;
	if (!sim_known(ifr))
		return VMNET_INVALID_ARGUMENT;
	if (ifr->state == SIM_STARTING)
		return VMNET_SETUP_INCOMPLETE;
	if (ifr->state != SIM_RUNNING)
		return VMNET_INVALID_ARGUMENT;
	if (n < 0 || (n && !p)) {
		sim_st.violations++;
		return VMNET_INVALID_ARGUMENT;
	}
	if (n > SIM_MAX_PACKETS) {
		sim_st.violations++;
		return VMNET_TOO_MANY_PACKETS;
	}
	for (i = 0; i < n; i++) {
		if (p[i].vm_pkt_iovcnt != 1 || !p[i].vm_pkt_iov ||
		    !p[i].vm_pkt_iov[0].iov_base) {
			sim_st.violations++;
			return VMNET_INVALID_ARGUMENT;
		}
		if (read && (p[i].vm_pkt_size < ifr->mps ||
			     p[i].vm_pkt_iov[0].iov_len < ifr->mps)) {
			sim_st.violations++;
			return VMNET_INVALID_ARGUMENT;
		}
		if (!read && p[i].vm_pkt_size > p[i].vm_pkt_iov[0].iov_len) {
			sim_st.violations++;
			return VMNET_INVALID_ARGUMENT;
		}
		*bytes += read ? p[i].vm_pkt_iov[0].iov_len : p[i].vm_pkt_size;
	}
	if (*bytes > SIM_MAX_BYTES) {
		sim_st.violations++;
		return VMNET_INVALID_ARGUMENT;
	}
	return VMNET_SUCCESS;
}

vmnet_return_t vmnet_read(interface_ref ifr, struct vmpktdesc *packets,
			  int *pktcnt)
{
	vmnet_return_t rc;
	size_t bytes;
	int i, n;

	if (!ifr || !pktcnt)
		return VMNET_INVALID_ARGUMENT;
	n = *pktcnt;
	pthread_mutex_lock(&sim_lock);
	sim_st.read_calls++;
	if (n > 0 && (unsigned)n > sim_st.max_read_pkts)
		sim_st.max_read_pkts = (unsigned)n;
	rc = sim_check_batch(ifr, packets, n, true, &bytes);
	if (bytes > sim_st.max_read_bytes)
		sim_st.max_read_bytes = bytes;
	*pktcnt = 0;
	if (rc == VMNET_SUCCESS && sim_read_status)
		rc = (vmnet_return_t)sim_read_status;
	if (rc != VMNET_SUCCESS)
		goto out;
	for (i = 0; i < n && ifr->rxcount; i++) {
		uint32_t len = ifr->rxlen[ifr->rxhead];

		memcpy(packets[i].vm_pkt_iov[0].iov_base,
		       ifr->rx + (size_t)ifr->rxhead * ifr->mps, len);
		packets[i].vm_pkt_size = len;
		packets[i].vm_flags = 0;
		ifr->rxhead = (ifr->rxhead + 1) % SIM_RXQ_LEN;
		ifr->rxcount--;
	}
	*pktcnt = i;
out:
	pthread_mutex_unlock(&sim_lock);
	return rc;
}

vmnet_return_t vmnet_write(interface_ref ifr, struct vmpktdesc *packets,
			   int *pktcnt)
{
	vmnet_return_t rc;
	size_t bytes, limit;
	int i, n;

	if (!ifr || !pktcnt)
		return VMNET_INVALID_ARGUMENT;
	n = *pktcnt;
	pthread_mutex_lock(&sim_lock);
	sim_st.write_calls++;
	if (n > 0 && (unsigned)n > sim_st.max_write_pkts)
		sim_st.max_write_pkts = (unsigned)n;
	rc = sim_check_batch(ifr, packets, n, false, &bytes);
	if (bytes > sim_st.max_write_bytes)
		sim_st.max_write_bytes = bytes;
	*pktcnt = 0;
	if (rc != VMNET_SUCCESS)
		goto out;
	limit = sim_enforce_mps ? sim_enforce_mps : ifr->mps;
	for (i = 0; i < n; i++) {
		size_t len = packets[i].vm_pkt_size;

		if (len > limit) {
			sim_st.too_big++;
			rc = VMNET_PACKET_TOO_BIG;
			break;
		}
		if (len < SIM_ETH_HLEN) {
			sim_st.violations++;
			rc = VMNET_INVALID_ARGUMENT;
			break;
		}
		sim_switch(ifr, packets[i].vm_pkt_iov[0].iov_base, len);
		sim_st.tx_packets++;
	}
	*pktcnt = i;
out:
	pthread_mutex_unlock(&sim_lock);
	return rc;
}

vmnet_return_t vmnet_stop_interface(interface_ref ifr, dispatch_queue_t queue,
				    void (^handler)(vmnet_return_t status))
{
	if (!ifr || !queue || !handler)
		return VMNET_INVALID_ARGUMENT;
	pthread_mutex_lock(&sim_lock);
	if (!sim_known(ifr)) {
		pthread_mutex_unlock(&sim_lock);
		return VMNET_INVALID_ARGUMENT;
	}
	if (ifr->state == SIM_STOPPED) {
		sim_st.violations++;
		pthread_mutex_unlock(&sim_lock);
		return VMNET_INVALID_ARGUMENT;
	}
	ifr->state = SIM_STOPPED;
	sim_st.stops++;
	sim_st.live--;
	if (ifr->event_cb) {
		Block_release(ifr->event_cb);
		dispatch_release(ifr->event_q);
		ifr->event_cb = NULL;
		ifr->event_q = NULL;
	}
	/* a held start handler stays held: it never completes */
	free(ifr->rx);
	ifr->rx = NULL;
	ifr->rxcount = 0;
	dispatch_release(ifr->queue);
	ifr->queue = NULL;
	if (sim_stop_hang_on) {
		/* held forever: the handle's reference becomes the block's */
		ifr->held_stop = Block_copy(handler);
		pthread_mutex_unlock(&sim_lock);
		return VMNET_SUCCESS;
	}
	sim_ifr_put(ifr); /* the handle is gone; queued blocks keep theirs */
	if (sim_stop_delay_ms) {
		pthread_mutex_unlock(&sim_lock);
		dispatch_after(dispatch_time(DISPATCH_TIME_NOW,
					     (int64_t)sim_stop_delay_ms *
						     (int64_t)NSEC_PER_MSEC),
			       queue, ^{
				 pthread_mutex_lock(&sim_lock);
				 sim_st.stop_handlers++;
				 pthread_mutex_unlock(&sim_lock);
				 handler(VMNET_SUCCESS);
			       });
		return VMNET_SUCCESS;
	}
	pthread_mutex_unlock(&sim_lock);
	dispatch_async(queue, ^{
	  pthread_mutex_lock(&sim_lock);
	  sim_st.stop_handlers++;
	  pthread_mutex_unlock(&sim_lock);
	  handler(VMNET_SUCCESS);
	});
	return VMNET_SUCCESS;
}

/* ---- sim_ctl.h ---- */

void sim_ctl_reset(void)
{
	int live, records;

	pthread_mutex_lock(&sim_lock);
	live = sim_st.live;
	records = sim_st.records;
	memset(&sim_st, 0, sizeof(sim_st));
	sim_st.live = live;
	sim_st.records = records;
	sim_start_hang_on = sim_stop_hang_on = false;
	sim_start_fail_status = sim_enforce_mps = sim_event_cb_status = 0;
	sim_start_delay_ms = sim_stop_delay_ms = sim_read_status = 0;
	sim_omit = 0;
	pthread_mutex_unlock(&sim_lock);
}

void sim_ctl_start_hang(bool on)
{
	pthread_mutex_lock(&sim_lock);
	sim_start_hang_on = on;
	pthread_mutex_unlock(&sim_lock);
}

void sim_ctl_start_fail(uint32_t status)
{
	pthread_mutex_lock(&sim_lock);
	sim_start_fail_status = status;
	pthread_mutex_unlock(&sim_lock);
}

void sim_ctl_omit_keys(unsigned mask)
{
	pthread_mutex_lock(&sim_lock);
	sim_omit = mask;
	pthread_mutex_unlock(&sim_lock);
}

void sim_ctl_stop_hang(bool on)
{
	pthread_mutex_lock(&sim_lock);
	sim_stop_hang_on = on;
	pthread_mutex_unlock(&sim_lock);
}

void sim_ctl_start_delay(uint32_t ms)
{
	pthread_mutex_lock(&sim_lock);
	sim_start_delay_ms = ms;
	pthread_mutex_unlock(&sim_lock);
}

void sim_ctl_stop_delay(uint32_t ms)
{
	pthread_mutex_lock(&sim_lock);
	sim_stop_delay_ms = ms;
	pthread_mutex_unlock(&sim_lock);
}

void sim_ctl_read_fail(uint32_t status)
{
	pthread_mutex_lock(&sim_lock);
	sim_read_status = status;
	pthread_mutex_unlock(&sim_lock);
}

void sim_ctl_event_cb_fail(uint32_t status)
{
	pthread_mutex_lock(&sim_lock);
	sim_event_cb_status = status;
	pthread_mutex_unlock(&sim_lock);
}

void sim_ctl_enforce_max_packet(uint32_t bytes)
{
	pthread_mutex_lock(&sim_lock);
	sim_enforce_mps = bytes;
	pthread_mutex_unlock(&sim_lock);
}

interface_ref sim_ctl_last_interface(void)
{
	interface_ref r;

	pthread_mutex_lock(&sim_lock);
	r = sim_last_ifr;
	pthread_mutex_unlock(&sim_lock);
	return r;
}

int sim_ctl_inject(interface_ref ifr, const void *frame, size_t len,
		   unsigned count)
{
	unsigned i;
	int n = 0;

	if (!ifr || !frame)
		return -1;
	pthread_mutex_lock(&sim_lock);
	if (!sim_known(ifr)) {
		pthread_mutex_unlock(&sim_lock);
		return -1;
	}
	for (i = 0; i < count; i++)
		if (sim_enqueue(ifr, frame, len))
			n++;
	sim_schedule_event(ifr);
	pthread_mutex_unlock(&sim_lock);
	return n;
}

unsigned sim_ctl_pending(interface_ref ifr)
{
	unsigned n;

	pthread_mutex_lock(&sim_lock);
	n = ifr && sim_known(ifr) ? ifr->rxcount : 0;
	pthread_mutex_unlock(&sim_lock);
	return n;
}

interface_ref sim_ctl_open(uint64_t mode, uint64_t mtu, uint64_t *mps)
{
	xpc_object_t d = xpc_dictionary_create(NULL, NULL, 0);
	dispatch_queue_t q = dispatch_queue_create("vmnet-sim.client",
						   DISPATCH_QUEUE_SERIAL);
	dispatch_semaphore_t sem = dispatch_semaphore_create(0);
	__block vmnet_return_t status = VMNET_FAILURE;
	__block uint64_t m = 0;
	interface_ref ifr;
	bool done = false;

	xpc_dictionary_set_uint64(d, vmnet_operation_mode_key, mode);
	if (mtu)
		xpc_dictionary_set_uint64(d, vmnet_mtu_key, mtu);
	ifr = vmnet_start_interface(d, q, ^(vmnet_return_t st, xpc_object_t p) {
	  status = st;
	  if (p)
		  m = xpc_dictionary_get_uint64(p, vmnet_max_packet_size_key);
	  dispatch_semaphore_signal(sem);
	});
	xpc_release(d);
	if (ifr)
		done = dispatch_semaphore_wait(
			       sem, dispatch_time(DISPATCH_TIME_NOW,
						  2 * (int64_t)NSEC_PER_SEC)) ==
		       0;
	if (done) {
		dispatch_sync(q, ^{
			      }); /* the handler has returned */
		dispatch_release(sem);
	}
	dispatch_release(q); /* the interface holds it while it runs */
	*mps = m;
	return done && status == VMNET_SUCCESS ? ifr : NULL;
}

vmnet_return_t sim_ctl_close(interface_ref ifr)
{
	dispatch_queue_t q = dispatch_queue_create("vmnet-sim.client",
						   DISPATCH_QUEUE_SERIAL);
	dispatch_semaphore_t sem = dispatch_semaphore_create(0);
	vmnet_return_t rc;

	rc = vmnet_stop_interface(ifr, q, ^(vmnet_return_t st) {
	  (void)st;
	  dispatch_semaphore_signal(sem);
	});
	if (rc == VMNET_SUCCESS)
		dispatch_semaphore_wait(sem, DISPATCH_TIME_FOREVER);
	dispatch_sync(q, ^{
		      }); /* the handler has returned */
	dispatch_release(sem);
	dispatch_release(q);
	return rc;
}

void sim_ctl_stats(struct sim_stats *s)
{
	pthread_mutex_lock(&sim_lock);
	*s = sim_st;
	pthread_mutex_unlock(&sim_lock);
}

void sim_ctl_last_desc(struct sim_desc *d)
{
	pthread_mutex_lock(&sim_lock);
	*d = sim_last;
	pthread_mutex_unlock(&sim_lock);
}
