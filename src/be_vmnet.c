/* SPDX-License-Identifier: Apache-2.0 */
/*
 * be_vmnet.c - vmnet backend: macOS vmnet.framework, shared/host/bridged
 *
 * Theory of operation: this is the only file of the library that touches
 * vmnet.framework, libdispatch, XPC or Blocks, so that the rest of the
 * library builds with any C11 compiler on any platform. It
 * builds unchanged with clang on macOS against the real frameworks and on
 * Linux against the simulator in tests/vmnet-sim, so it includes nothing
 * but ISO C, POSIX, the three Apple headers and the library's own headers.
 *
 * Start. The interface descriptor is an XPC dictionary: the operation mode
 * (host 1000, shared 1001, bridged 1002); an interface id; the MTU only
 * when the caller asked for one and never in bridged mode (which takes the
 * host interface's); the host interface name in bridged mode; isolation,
 * on unless the caller turns it off. vmnet_start_interface() completes
 * asynchronously on our serial dispatch queue; we wait on a dispatch
 * semaphore with a dispatch_time() deadline (start_timeout_ms, 5 s by
 * default). The completion block copies the MTU, max packet size and MAC out
 * of the borrowed parameters before it returns; a key that is missing reads
 * as 0 and gets a default (MTU 1500, max packet size MTU + 14), so no query
 * ever reports 0. If the deadline passes, or the start fails after vmnet
 * gave us a handle, the handle is stopped and released before start
 * returns: nothing is left behind. That stop waits for its completion only
 * until the start deadline plus VMNET_START_GRACE_MS (50 ms; never longer
 * than VMNET_STOP_TIMEOUT_MS), so a failed start returns by then even when
 * vmnet answers neither the start nor the stop. The deadline is counted
 * from the start of vmb_start(), not from the wait.
 *
 * The interface id. vmnet derives the interface's MAC address, and through
 * it the shared-mode DHCP lease, from this UUID, so it must differ between
 * two VMs that both call their NIC "eth0", and should stay the same when the
 * same VM restarts or is restored from a snapshot (its guest keeps the
 * address it had). We derive it from the iface_id and the guest MAC: the
 * guest MAC is per VM by construction (two guests on one segment with one
 * MAC would not work anyway), and it is part of the virtio-net device's
 * state, so it survives save/restore when the VMM passes it back in. Same
 * inputs, same UUID; when the caller leaves the guest MAC to us it is random,
 * and so is the UUID. The UUID is two sqn_hash64() values over
 * "squib-net/vmnet", the id and the MAC, with the RFC 9562 version 8
 * (custom) and variant bits set.
 *
 * Receive. vmnet's event callback runs on our queue and does two things
 * only: it bumps an atomic event counter and sets the waker, whose fd the
 * caller polls. sqn_iface_read() drains with vmnet_read(), at most
 * SQN_BATCH packets per read and never more than 200 packets or 256 KiB of
 * buffers per vmnet call; every packet gets one iovec and a buffer of at
 * least the max packet size, and vm_pkt_size and iov_len are set again
 * before every call (vmnet overwrites vm_pkt_size with the packet's size).
 * When every caller buffer of the batch holds the max packet size (the
 * normal case: sqn_iface_max_frame() is that size), vmnet reads straight
 * into them; otherwise it reads into buffers we allocated at start, and we
 * copy, keeping a packet that does not fit its caller buffer for the next
 * call (never truncated: -EMSGSIZE when it is the first). The waker is
 * cleared only when vmnet_read() returned fewer packets than asked, and
 * set again if an event arrived since the read began, so that no wake-up is
 * lost between the read and the clear.
 *
 * A vmnet_read() that fails is reported with the status's errno; its
 * message is rate-limited (sqn_log_every(): the 1st, 2nd, 4th ... failure),
 * as a caller polling a readable fd may call read in a loop.
 *
 * Send. sqn_iface_write() passes the caller's frames to vmnet_write()
 * without copying, in calls of at most 200 packets and 256 KiB (a batch of
 * jumbo frames takes several calls). The core already refused frames above
 * the max packet size (iface->max_frame); if vmnet still refuses one with
 * VMNET_PACKET_TOO_BIG, vmnet_write() has written the packets before it
 * (*pktcnt says how many), so that frame alone is dropped and counted
 * (SQN_WRITE_SKIP) and the rest of the batch goes on in the next call. Any
 * other failure (VMNET_BUFFER_EXHAUSTED: vmnet is full) drops the rest of
 * the batch, as retrying it at once would fail the same way. Messages name
 * the status and are rate-limited.
 *
 * Stop. The event callback is removed, vmnet_stop_interface() is called and
 * its completion awaited for at most VMNET_STOP_TIMEOUT_MS (1 s: a fixed
 * deadline, whatever start_timeout_ms is; a stop that does not complete by
 * then is logged and abandoned); then a barrier block on our queue
 * guarantees no callback of ours is still running before the queue, the
 * waker and the buffers go. A completion that comes after its deadline
 * (start's or stop's) finds its context alive: the context is reference
 * counted between the waiter and the block, and the last one frees it; the
 * blocks refer to nothing else of ours.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include <dispatch/dispatch.h>
#include <vmnet/vmnet.h>
#include <xpc/xpc.h>

#include "internal.h"
#include "waker.h"

/** VMNET_CALL_MAX_PKTS - Apple's limit of packets per vmnet_read/write */
#define VMNET_CALL_MAX_PKTS 200
/** VMNET_CALL_MAX_BYTES - Apple's limit of bytes per vmnet_read/write */
#define VMNET_CALL_MAX_BYTES ((size_t)256 * 1024)
/** VMNET_IFNAME_MAX - longest macOS interface name (IFNAMSIZ - 1) */
#define VMNET_IFNAME_MAX 15
/** VMNET_STOP_TIMEOUT_MS - how long stop waits for vmnet's completion */
#define VMNET_STOP_TIMEOUT_MS 1000
/** VMNET_START_GRACE_MS - a failed start's stop: past the start deadline */
#define VMNET_START_GRACE_MS 50

/**
 * struct vmb_status_info - what a vmnet_return_t means to a caller
 * @status:	the value
 * @err:	positive errno it maps to
 * @name:	its name in <vmnet/vmnet.h>
 * @hint:	what it means, or what to do
 */
struct vmb_status_info {
	uint32_t status;
	int err;
	const char *name;
	const char *hint;
};

static const struct vmb_status_info vmb_statuses[] = {
	{VMNET_SUCCESS, 0, "VMNET_SUCCESS", "success"},
	{VMNET_FAILURE, EIO, "VMNET_FAILURE", "vmnet failed"},
	{VMNET_MEM_FAILURE, ENOMEM, "VMNET_MEM_FAILURE",
	 "vmnet ran out of memory"},
	{VMNET_INVALID_ARGUMENT, EINVAL, "VMNET_INVALID_ARGUMENT",
	 "vmnet refused an argument"},
	{VMNET_SETUP_INCOMPLETE, EAGAIN, "VMNET_SETUP_INCOMPLETE",
	 "the interface is not set up yet"},
	{VMNET_INVALID_ACCESS, EACCES, "VMNET_INVALID_ACCESS",
	 "permission denied: vmnet needs root or the "
	 "com.apple.vm.networking entitlement"},
	{VMNET_PACKET_TOO_BIG, EMSGSIZE, "VMNET_PACKET_TOO_BIG",
	 "a packet is larger than the interface's max packet size"},
	{VMNET_BUFFER_EXHAUSTED, ENOBUFS, "VMNET_BUFFER_EXHAUSTED",
	 "vmnet has no buffer space left"},
	{VMNET_TOO_MANY_PACKETS, E2BIG, "VMNET_TOO_MANY_PACKETS",
	 "more packets than vmnet takes in one call"},
	{VMNET_SHARING_SERVICE_BUSY, EBUSY, "VMNET_SHARING_SERVICE_BUSY",
	 "the sharing service is busy (Internet Sharing in use?): retry"},
};

_Static_assert(SQN_ARRAY_SIZE(vmb_statuses) == 10,
	       "one entry per vmnet_return_t, 1000..1009");

/**
 * struct vmb_status_text - a status as text, for messages
 * @err:	negative errno (0 for VMNET_SUCCESS)
 * @name:	"VMNET_..." or "unknown vmnet status"
 * @hint:	what it means
 */
struct vmb_status_text {
	int err;
	const char *name;
	const char *hint;
};

/**
 * vmb_status() - map a vmnet_return_t to an errno and its words
 * @status:	what vmnet returned
 *
 * Return: the mapping; an unknown status maps to -EPROTO
 */
static struct vmb_status_text vmb_status(uint32_t status)
{
	struct vmb_status_text t = {
		-EPROTO, "unknown vmnet status",
		"this library does not know it (newer macOS?)"};
	size_t i;

	for (i = 0; i < SQN_ARRAY_SIZE(vmb_statuses); i++) {
		if (vmb_statuses[i].status == status) {
			t.err = -vmb_statuses[i].err;
			t.name = vmb_statuses[i].name;
			t.hint = vmb_statuses[i].hint;
		}
	}
	return t;
}

/**
 * vmb_fail() - record a failed vmnet call as the last error
 * @iface:	the interface
 * @what:	the call, e.g. "vmnet_start_interface"
 * @status:	what it returned
 *
 * Return: the negative errno @status maps to
 */
static int vmb_fail(struct sqn_iface *iface, const char *what, uint32_t status)
{
	struct vmb_status_text t = vmb_status(status);

	return sqn_seterr(iface, t.err, "vmnet: %s: %s %s (%u): %s", iface->id,
			  what, t.name, status, t.hint);
}

/**
 * struct vmb_call - one asynchronous vmnet call and its completion
 * @sem:	signalled by the completion block
 * @refs:	2 while both the waiter and the block hold it
 * @status:	status the completion reported
 * @mtu:	start: vmnet_mtu_key, 0 if missing
 * @mps:	start: vmnet_max_packet_size_key, 0 if missing
 * @mac:	start: vmnet_mac_address_key, "" if missing
 */
struct vmb_call {
	dispatch_semaphore_t sem;
	_Atomic int refs;
	uint32_t status;
	uint64_t mtu;
	uint64_t mps;
	char mac[32];
};

/**
 * vmb_call_new() - a call context held by a waiter and a block
 *
 * Return: the context, or NULL
 */
static struct vmb_call *vmb_call_new(void)
{
	struct vmb_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->sem = dispatch_semaphore_create(0);
	if (!c->sem) {
		free(c);
		return NULL;
	}
	atomic_init(&c->refs, 2);
	return c;
}

/**
 * vmb_call_put() - drop one reference; the last frees the context
 * @c:	the context
 */
static void vmb_call_put(struct vmb_call *c)
{
	if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
		return;
	dispatch_release(c->sem);
	free(c);
}

/**
 * vmb_now_ms() - CLOCK_MONOTONIC in milliseconds
 *
 * Return: the time
 */
static uint64_t vmb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/**
 * vmb_left_ms() - what is left of a deadline
 * @t0:		when it began, vmb_now_ms()
 * @ms:		its length
 *
 * Return: milliseconds until @t0 + @ms, 0 once past
 */
static uint32_t vmb_left_ms(uint64_t t0, uint32_t ms)
{
	uint64_t spent = vmb_now_ms() - t0;

	return spent >= ms ? 0 : (uint32_t)(ms - spent);
}

/**
 * vmb_call_wait() - wait for a completion until a deadline
 * @c:		the context
 * @ms:		milliseconds from now
 *
 * Return: true if the completion ran, false on timeout
 */
static bool vmb_call_wait(struct vmb_call *c, uint32_t ms)
{
	dispatch_time_t deadline = dispatch_time(
		DISPATCH_TIME_NOW, (int64_t)ms * (int64_t)NSEC_PER_MSEC);

	return dispatch_semaphore_wait(c->sem, deadline) == 0;
}

/**
 * struct vmb_state - backend state
 * @ifr:	the vmnet interface, NULL once stopped
 * @queue:	our serial queue: start, stop and event blocks run there
 * @label:	@queue's label
 * @waker:	readable when vmnet has packets for the guest
 * @events:	event callbacks so far (the only other thing they touch)
 * @timeout_ms:	deadline for start (start_timeout_ms)
 * @cb_set:	the event callback is installed
 * @mps:	max packet size: every read buffer holds this much
 * @tx_fail:	vmnet_write() calls that failed, for rate-limited messages
 * @rx_fail:	vmnet_read() calls that failed, for rate-limited messages
 * @rx_per_call: packets per vmnet_read(): min(SQN_BATCH, 200,
 *		256 KiB / @mps)
 * @stage:	reader: SQN_BATCH buffers of @mps bytes, allocated at start
 * @stage_len:	reader: length of each staged packet
 * @stage_head:	reader: first staged packet not yet delivered
 * @stage_count: reader: staged packets not yet delivered
 * @rx_iov:	reader: one iovec per packet
 * @rx_pkt:	reader: packet descriptors
 * @tx_iov:	writer: one iovec per packet
 * @tx_pkt:	writer: packet descriptors
 */
struct vmb_state {
	interface_ref ifr;
	dispatch_queue_t queue;
	char label[96];
	struct sqn_waker waker;
	_Atomic uint64_t events;
	uint32_t timeout_ms;
	bool cb_set;
	uint32_t mps;
	_Atomic uint64_t tx_fail;
	uint64_t rx_fail;
	unsigned rx_per_call;

	uint8_t *stage;
	uint32_t stage_len[SQN_BATCH];
	unsigned stage_head, stage_count;
	struct iovec rx_iov[SQN_BATCH];
	struct vmpktdesc rx_pkt[SQN_BATCH];

	struct iovec tx_iov[SQN_BATCH];
	struct vmpktdesc tx_pkt[SQN_BATCH];
};

/**
 * vmb_mode_value() - the operation mode a squib-net mode stands for
 * @mode:	SQN_MODE_SHARED, _HOST or _BRIDGED
 *
 * Return: VMNET_SHARED_MODE (1001), VMNET_HOST_MODE (1000) or
 * VMNET_BRIDGED_MODE (1002)
 */
static uint64_t vmb_mode_value(enum sqn_mode mode)
{
	switch (mode) {
	case SQN_MODE_HOST:
		return VMNET_HOST_MODE;
	case SQN_MODE_BRIDGED:
		return VMNET_BRIDGED_MODE;
	default:
		return VMNET_SHARED_MODE;
	}
}

/**
 * vmb_derive_uuid() - the interface id for vmnet_interface_id_key
 * @id:		the iface_id
 * @mac:	the guest MAC
 * @uuid:	gets 16 bytes: an RFC 9562 version 8 UUID
 *
 * Deterministic: the same @id and @mac always give the same UUID (see the
 * theory of operation for why these two inputs).
 */
static void vmb_derive_uuid(const char *id, const uint8_t mac[6],
			    uint8_t uuid[16])
{
	static const char domain[] = "squib-net/vmnet";
	uint8_t buf[sizeof(domain) + 65 + 6];
	size_t idlen = strnlen(id, 64), n = 0;
	uint64_t h[2];
	int i;

	memcpy(buf, domain, sizeof(domain)); /* with its NUL */
	n += sizeof(domain);
	memcpy(buf + n, id, idlen);
	n += idlen;
	buf[n++] = 0;
	memcpy(buf + n, mac, 6);
	n += 6;
	h[0] = sqn_hash64(buf, n, 0x766d6e6574303031ULL);
	h[1] = sqn_hash64(buf, n, 0x766d6e6574303032ULL);
	for (i = 0; i < 8; i++) {
		uuid[i] = (uint8_t)(h[0] >> (56 - 8 * i));
		uuid[8 + i] = (uint8_t)(h[1] >> (56 - 8 * i));
	}
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x80); /* version 8 */
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80); /* variant 10 */
}

/**
 * vmb_parse_mac() - parse vmnet's MAC text, which may drop leading zeros
 * @s:		"5e:0:a:1b:2c:3d" or "5e:00:0a:1b:2c:3d"
 * @mac:	gets 6 bytes
 *
 * Return: 0, or -EINVAL
 */
static int vmb_parse_mac(const char *s, uint8_t mac[6])
{
	int i, digits, v, c;

	for (i = 0; i < 6; i++) {
		for (digits = 0, v = 0; digits < 3; digits++, s++) {
			c = (unsigned char)*s;
			if (c >= '0' && c <= '9')
				v = v * 16 + c - '0';
			else if (c >= 'a' && c <= 'f')
				v = v * 16 + c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				v = v * 16 + c - 'A' + 10;
			else
				break;
		}
		if (digits == 0 || digits > 2)
			return -EINVAL;
		mac[i] = (uint8_t)v;
		if (i < 5 && *s++ != ':')
			return -EINVAL;
	}
	return *s ? -EINVAL : 0;
}

/**
 * vmb_check_ifname() - validate a bridged host interface name
 * @iface:	for the message
 * @name:	the name, e.g. "en0"
 *
 * Return: 0, or -EINVAL
 */
static int vmb_check_ifname(struct sqn_iface *iface, const char *name)
{
	size_t n = strnlen(name, VMNET_IFNAME_MAX + 1), i;

	if (n == 0)
		return sqn_seterr(iface, -EINVAL,
				  "bridged_iface is empty: name the host "
				  "interface to bridge to, e.g. \"en0\"");
	if (n > VMNET_IFNAME_MAX)
		return sqn_seterr(iface, -EINVAL,
				  "bridged_iface \"%.16s...\" is longer than "
				  "%d bytes, which no macOS interface name is",
				  name, VMNET_IFNAME_MAX);
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return sqn_seterr(iface, -EINVAL,
					  "bridged_iface \"%s\": character %zu "
					  "is not allowed in an interface "
					  "name (A-Z a-z 0-9 . _ -)",
					  name, i);
	}
	return 0;
}

/**
 * vmb_validate() - check the vmnet-specific parameters, before anything
 * @iface:	for the message
 * @p:		the parameters
 *
 * Return: 0, or -EINVAL with the message set
 */
static int vmb_validate(struct sqn_iface *iface, const struct sqn_params *p)
{
	if (p->offload == SQN_ON)
		return sqn_seterr(iface, -EINVAL,
				  "offload is for tap mode: vmnet carries "
				  "plain Ethernet frames, with no virtio-net "
				  "header");
	if (p->mode != SQN_MODE_BRIDGED)
		return 0;
	if (!p->bridged_iface)
		return sqn_seterr(iface, -EINVAL,
				  "bridged mode needs bridged_iface: the host "
				  "interface to bridge to, e.g. \"en0\" (see "
				  "`ifconfig -l`)");
	if (p->mtu)
		return sqn_seterr(iface, -EINVAL,
				  "mtu %u cannot be set in bridged mode: the "
				  "guest gets the MTU of %s; leave mtu 0",
				  p->mtu, p->bridged_iface);
	return vmb_check_ifname(iface, p->bridged_iface);
}

/**
 * vmb_describe() - the interface descriptor for vmnet_start_interface()
 * @iface:	the interface (id, guest MAC, mode)
 * @p:		the parameters
 *
 * Return: the XPC dictionary (the caller releases it), or NULL
 */
static xpc_object_t vmb_describe(struct sqn_iface *iface,
				 const struct sqn_params *p)
{
	xpc_object_t desc = xpc_dictionary_create(NULL, NULL, 0);
	uint8_t uuid[16];

	if (!desc)
		return NULL;
	vmb_derive_uuid(iface->id, iface->guest_mac, uuid);
	xpc_dictionary_set_uint64(desc, vmnet_operation_mode_key,
				  vmb_mode_value(iface->mode));
	xpc_dictionary_set_uuid(desc, vmnet_interface_id_key, uuid);
	if (iface->mode == SQN_MODE_BRIDGED)
		xpc_dictionary_set_string(desc, vmnet_shared_interface_name_key,
					  p->bridged_iface);
	else if (p->mtu)
		xpc_dictionary_set_uint64(desc, vmnet_mtu_key, p->mtu);
	/* macOS 11 and later */
	xpc_dictionary_set_bool(desc, vmnet_enable_isolation_key,
				p->isolation != SQN_OFF);
	return desc;
}

/**
 * vmb_halt() - stop the vmnet interface and wait, with a deadline
 * @iface:	the interface, for messages
 * @be:		backend state; @be->ifr is NULL afterwards
 * @wait_ms:	how long to wait for the completion
 *
 * The event callback is removed first. A stop that does not complete in
 * time is logged; its context stays alive for a late completion.
 */
static void vmb_halt(struct sqn_iface *iface, struct vmb_state *be,
		     uint32_t wait_ms)
{
	struct vmb_call *c;
	vmnet_return_t st;

	if (!be->ifr)
		return;
	if (be->cb_set) {
		vmnet_interface_set_event_callback(
			be->ifr, VMNET_INTERFACE_PACKETS_AVAILABLE, NULL, NULL);
		be->cb_set = false;
	}
	c = vmb_call_new();
	if (!c) {
		sqn_log(iface, SQN_LOG_WARN,
			"vmnet: %s: out of memory stopping the interface: "
			"vmnet keeps it until this process exits",
			iface->id);
		be->ifr = NULL;
		return;
	}
	st = vmnet_stop_interface(be->ifr, be->queue, ^(vmnet_return_t s) {
	  c->status = (uint32_t)s;
	  dispatch_semaphore_signal(c->sem);
	  vmb_call_put(c);
	});
	be->ifr = NULL;
	if (st != VMNET_SUCCESS) {
		struct vmb_status_text t = vmb_status((uint32_t)st);

		/* the block may never run: leave its reference to it */
		sqn_log(iface, SQN_LOG_WARN,
			"vmnet: %s: vmnet_stop_interface: %s (%u): %s",
			iface->id, t.name, (unsigned)st, t.hint);
		vmb_call_put(c);
		return;
	}
	if (!vmb_call_wait(c, wait_ms)) {
		sqn_log(iface, SQN_LOG_WARN,
			"vmnet: %s: vmnet_stop_interface did not complete in "
			"%u ms; going on without it",
			iface->id, wait_ms);
	} else if (c->status != VMNET_SUCCESS) {
		struct vmb_status_text t = vmb_status(c->status);

		sqn_log(iface, SQN_LOG_WARN,
			"vmnet: %s: stopping the interface: %s (%u): %s",
			iface->id, t.name, c->status, t.hint);
	}
	vmb_call_put(c);
}

/**
 * vmb_free() - stop vmnet if running and free everything
 * @iface:	the interface, for messages
 * @be:		backend state, freed
 * @wait_ms:	how long to wait for the stop's completion
 */
static void vmb_free(struct sqn_iface *iface, struct vmb_state *be,
		     uint32_t wait_ms)
{
	vmb_halt(iface, be, wait_ms);
	if (be->queue) {
		/* a barrier: no block of ours runs on the queue after this */
		dispatch_sync(be->queue, ^{
			      });
		dispatch_release(be->queue);
	}
	sqn_waker_close(&be->waker);
	free(be->stage);
	free(be);
}

/**
 * vmb_take_params() - negotiated values from the start completion
 * @iface:	gets mtu, max_frame (sqn_iface_negotiated()), host_mac
 * @be:		gets mps, rx_per_call
 * @c:		what the completion copied; zero where a key was missing
 * @uuid_mac:	a MAC to fall back on when vmnet gives none
 */
static void vmb_take_params(struct sqn_iface *iface, struct vmb_state *be,
			    const struct vmb_call *c, const uint8_t uuid_mac[6])
{
	uint64_t mtu = c->mtu, mps = c->mps;

	/* iface->mtu: the MTU asked for, or the default (the core's) */
	if (mtu < SQN_MTU_MIN || mtu > SQN_FRAME_MAX - SQN_FRAME_MIN) {
		if (mtu)
			sqn_log(iface, SQN_LOG_WARN,
				"vmnet: %s: vmnet reported MTU %llu; using %u",
				iface->id, (unsigned long long)mtu, iface->mtu);
		mtu = iface->mtu;
	}
	if (mps < SQN_FRAME_MIN + 46 || mps > SQN_FRAME_MAX) {
		if (mps)
			sqn_log(iface, SQN_LOG_WARN,
				"vmnet: %s: vmnet reported max packet size "
				"%llu; using %u",
				iface->id, (unsigned long long)mps,
				sqn_mtu_frame((uint32_t)mtu));
		mps = sqn_mtu_frame((uint32_t)mtu);
	}
	sqn_iface_negotiated(iface, (uint32_t)mtu, (uint32_t)mps);
	be->mps = (uint32_t)mps;
	be->rx_per_call =
		SQN_MIN((unsigned)SQN_BATCH,
			SQN_MIN((unsigned)VMNET_CALL_MAX_PKTS,
				(unsigned)(VMNET_CALL_MAX_BYTES / be->mps)));
	if (!c->mac[0] || vmb_parse_mac(c->mac, iface->host_mac)) {
		if (c->mac[0])
			sqn_log(iface, SQN_LOG_WARN,
				"vmnet: %s: cannot parse vmnet's MAC \"%s\"",
				iface->id, c->mac);
		memcpy(iface->host_mac, uuid_mac, 6);
	}
}

/**
 * vmb_start() - start the vmnet interface and wait for it
 * @iface:	the interface
 * @p:		the parameters (validated)
 *
 * Return: 0, or a negative errno with the message set: -ETIMEDOUT when vmnet
 * did not complete in start_timeout_ms, the status's errno when it failed;
 * either way within start_timeout_ms plus VMNET_START_GRACE_MS
 */
/* Over clang-tidy's cognitive-complexity threshold (28 of 25): the start
 * sequence (XPC dictionary, completion wait, each failure's message) reads
 * in order; first seen when analyze.sh began checking this file. */
/* NOLINTNEXTLINE(readability-function-cognitive-complexity) */
static int vmb_start(struct sqn_iface *iface, const struct sqn_params *p)
{
	uint64_t t0 = vmb_now_ms();
	struct vmb_state *be;
	struct vmb_call *c;
	xpc_object_t desc;
	vmnet_return_t st;
	uint8_t uuid[16], uuid_mac[6];
	uint32_t stop_ms;
	int rc;

	if (iface->mode != SQN_MODE_BRIDGED && p->bridged_iface)
		sqn_log(iface, SQN_LOG_WARN,
			"vmnet: %s: bridged_iface \"%s\" ignored: it is for "
			"bridged mode, this is %s mode",
			iface->id, p->bridged_iface,
			sqn_mode_name(iface->mode));
	if (p->max_frame)
		sqn_log(iface, SQN_LOG_INFO,
			"vmnet: %s: max_frame ignored: vmnet's max packet "
			"size decides",
			iface->id);

	be = calloc(1, sizeof(*be));
	if (!be)
		return sqn_seterr(iface, -ENOMEM, "vmnet: out of memory");
	be->timeout_ms = p->start_timeout_ms ? p->start_timeout_ms
					     : SQN_DEFAULT_TIMEOUT_MS;
	rc = sqn_waker_open(&be->waker);
	if (rc) {
		sqn_seterr(iface, rc, "vmnet: cannot create a wake-up fd: %s",
			   strerror(-rc));
		free(be);
		return rc;
	}
	snprintf(be->label, sizeof(be->label), "org.squib-net.vmnet.%s",
		 iface->id);
	be->queue = dispatch_queue_create(be->label, DISPATCH_QUEUE_SERIAL);
	if (!be->queue) {
		rc = sqn_seterr(iface, -ENOMEM,
				"vmnet: cannot create a dispatch queue");
		goto out_free;
	}

	desc = vmb_describe(iface, p);
	c = desc ? vmb_call_new() : NULL;
	if (!c) {
		if (desc)
			xpc_release(desc);
		rc = sqn_seterr(iface, -ENOMEM, "vmnet: out of memory");
		goto out_free;
	}
	be->ifr = vmnet_start_interface(
		desc, be->queue, ^(vmnet_return_t s, xpc_object_t params) {
		  const char *mac;

		  /* params is borrowed: copy out before returning */
		  c->status = (uint32_t)s;
		  if (params) {
			  c->mtu = xpc_dictionary_get_uint64(params,
							     vmnet_mtu_key);
			  c->mps = xpc_dictionary_get_uint64(
				  params, vmnet_max_packet_size_key);
			  mac = xpc_dictionary_get_string(
				  params, vmnet_mac_address_key);
			  if (mac)
				  snprintf(c->mac, sizeof(c->mac), "%s", mac);
		  }
		  dispatch_semaphore_signal(c->sem);
		  vmb_call_put(c);
		});
	xpc_release(desc);
	if (!be->ifr) {
		/* no handle: the completion will not run, its reference stays */
		vmb_call_put(c);
		rc = sqn_seterr(iface, -EINVAL,
				"vmnet: %s: vmnet_start_interface refused "
				"the interface descriptor (no handle)",
				iface->id);
		goto out_free;
	}
	if (!vmb_call_wait(c, vmb_left_ms(t0, be->timeout_ms))) {
		vmb_call_put(c);
		rc = sqn_seterr(iface, -ETIMEDOUT,
				"vmnet: %s: vmnet_start_interface did not "
				"complete in %u ms (start_timeout_ms); the "
				"interface was stopped",
				iface->id, be->timeout_ms);
		goto out_free;
	}
	if (c->status != VMNET_SUCCESS) {
		rc = vmb_fail(iface, "vmnet_start_interface", c->status);
		vmb_call_put(c);
		goto out_free;
	}
	vmb_derive_uuid(iface->id, iface->guest_mac, uuid);
	uuid_mac[0] = (uint8_t)((uuid[0] & 0xfc) | 0x02); /* local, unicast */
	memcpy(uuid_mac + 1, uuid + 1, 5);
	vmb_take_params(iface, be, c, uuid_mac);
	vmb_call_put(c);

	be->stage = malloc((size_t)SQN_BATCH * be->mps);
	if (!be->stage) {
		rc = sqn_seterr(iface, -ENOMEM,
				"vmnet: no memory for %d buffers of %u bytes",
				SQN_BATCH, be->mps);
		goto out_free;
	}

	st = vmnet_interface_set_event_callback(
		be->ifr, VMNET_INTERFACE_PACKETS_AVAILABLE, be->queue,
		^(interface_event_t mask, xpc_object_t event) {
		  (void)mask;
		  (void)event;
		  atomic_fetch_add_explicit(&be->events, 1,
					    memory_order_release);
		  sqn_waker_wake(&be->waker);
		});
	if (st != VMNET_SUCCESS) {
		rc = vmb_fail(iface, "vmnet_interface_set_event_callback",
			      (uint32_t)st);
		goto out_free;
	}
	be->cb_set = true;
	/* packets that came before the callback was set get no event */
	sqn_waker_wake(&be->waker);

	iface->be = be;
	iface->fd = be->waker.rfd;
	return 0;

out_free:
	/* the stop gets what is left of the deadline, and a grace */
	stop_ms = vmb_left_ms(t0, be->timeout_ms) + VMNET_START_GRACE_MS;
	vmb_free(iface, be, SQN_MIN(stop_ms, (uint32_t)VMNET_STOP_TIMEOUT_MS));
	return rc;
}

/**
 * vmb_stop() - stop vmnet and free the backend; safe to call again
 * @iface:	the interface
 */
static void vmb_stop(struct sqn_iface *iface)
{
	struct vmb_state *be = iface->be;

	if (!be)
		return;
	iface->be = NULL;
	iface->fd = -1;
	vmb_free(iface, be, VMNET_STOP_TIMEOUT_MS);
}

/**
 * vmb_deliver_staged() - copy staged packets into caller buffers
 * @iface:	the interface
 * @be:		backend state
 * @f:		caller buffers
 * @n:		how many
 * @done:	frames already filled; advanced
 *
 * Return: 0, or -EMSGSIZE when the first staged packet does not fit the
 * first caller buffer (f[0].len says how much it needs)
 */
static int vmb_deliver_staged(struct sqn_iface *iface, struct vmb_state *be,
			      struct sqn_frame *f, unsigned n, unsigned *done)
{
	uint32_t len;

	while (be->stage_count && *done < n) {
		len = be->stage_len[be->stage_head];
		if (!f[*done].data || len > f[*done].cap) {
			if (*done)
				return 0;
			f[0].len = len;
			return sqn_seterr(iface, -EMSGSIZE,
					  "%s: read: the next frame is %u "
					  "bytes, the buffer holds %u",
					  iface->id, len, f[0].cap);
		}
		memcpy(f[*done].data,
		       be->stage + (size_t)be->stage_head * be->mps, len);
		f[*done].len = len;
		memset(&f[*done].vnet, 0, sizeof(f[*done].vnet));
		(*done)++;
		be->stage_head++;
		be->stage_count--;
	}
	return 0;
}

/**
 * vmb_bad_len() - count a packet vmnet returned with an impossible size
 * @iface:	the interface
 * @len:	the size
 * @mps:	the max packet size
 */
static void vmb_bad_len(struct sqn_iface *iface, size_t len, uint32_t mps)
{
	uint64_t nerr = SQN_STAT_ADD(iface, rx_errors, 1) + 1;

	if (sqn_log_every(nerr))
		sqn_log(iface, SQN_LOG_WARN,
			"vmnet: %s: vmnet_read gave a %zu-byte packet (frames "
			"are %d to %u bytes); dropped (%llu so far)",
			iface->id, len, SQN_FRAME_MIN, mps,
			(unsigned long long)nerr);
}

/**
 * vmb_read_fail() - report a failed vmnet_read(), rate-limited
 * @iface:	the interface
 * @be:		backend state
 * @status:	what it returned
 *
 * Return: the negative errno @status maps to
 */
static int vmb_read_fail(struct sqn_iface *iface, struct vmb_state *be,
			 uint32_t status)
{
	struct vmb_status_text t = vmb_status(status);
	uint64_t nfail = ++be->rx_fail; /* the reader's own */

	if (sqn_log_every(nfail))
		sqn_seterr(iface, t.err,
			   "vmnet: %s: vmnet_read: %s (%u): %s (%llu failed "
			   "reads so far)",
			   iface->id, t.name, status, t.hint,
			   (unsigned long long)nfail);
	return t.err;
}

/**
 * vmb_read() - move packets vmnet holds for the guest into caller buffers
 * @iface:	the interface
 * @q:		queue (always 0)
 * @f:		caller buffers
 * @n:		how many, at most SQN_BATCH
 *
 * Return: frames filled, or a negative errno (-EMSGSIZE: see
 * sqn_iface_read())
 */
/* Over clang-tidy's cognitive-complexity threshold (63 of 25): the staging
 * cases of one vmnet_read batch; to be split by the backend's owner, first
 * seen when analyze.sh began checking this file. */
/* NOLINTNEXTLINE(readability-function-cognitive-complexity) */
static int vmb_read(struct sqn_iface *iface, unsigned q, struct sqn_frame *f,
		    unsigned n)
{
	struct vmb_state *be = iface->be;
	unsigned done = 0, want, i, out;
	bool direct;
	uint64_t seq;
	vmnet_return_t st;
	int got, rc;

	(void)q;
	rc = vmb_deliver_staged(iface, be, f, n, &done);
	if (rc)
		return rc;
	if (be->stage_count) {
		sqn_waker_wake(&be->waker);
		return (int)done;
	}

	while (done < n) {
		want = SQN_MIN(n - done, be->rx_per_call);
		direct = true;
		for (i = 0; i < want; i++)
			if (!f[done + i].data || f[done + i].cap < be->mps)
				direct = false;
		for (i = 0; i < want; i++) {
			be->rx_iov[i].iov_base =
				direct ? f[done + i].data
				       : be->stage + (size_t)i * be->mps;
			be->rx_iov[i].iov_len = be->mps;
			be->rx_pkt[i].vm_pkt_size = be->mps;
			be->rx_pkt[i].vm_pkt_iov = &be->rx_iov[i];
			be->rx_pkt[i].vm_pkt_iovcnt = 1;
			be->rx_pkt[i].vm_flags = 0;
		}
		seq = atomic_load_explicit(&be->events, memory_order_acquire);
		got = (int)want;
		st = vmnet_read(be->ifr, be->rx_pkt, &got);
		if (st != VMNET_SUCCESS) {
			rc = vmb_read_fail(iface, be, (uint32_t)st);
			return done ? (int)done : rc;
		}
		if (got < 0 || (unsigned)got > want) {
			rc = sqn_seterr(iface, -EIO,
					"vmnet: %s: vmnet_read returned %d "
					"packets for %u asked",
					iface->id, got, want);
			return done ? (int)done : rc;
		}

		/* keep the good packets, in order, at the front */
		for (i = 0, out = 0; i < (unsigned)got; i++) {
			size_t len = be->rx_pkt[i].vm_pkt_size;

			if (len < SQN_FRAME_MIN || len > be->mps) {
				vmb_bad_len(iface, len, be->mps);
				continue;
			}
			if (direct) {
				if (out != i)
					memmove(f[done + out].data,
						f[done + i].data, len);
				f[done + out].len = (uint32_t)len;
				memset(&f[done + out].vnet, 0,
				       sizeof(f[done + out].vnet));
			} else {
				if (out != i)
					memmove(be->stage +
							(size_t)out * be->mps,
						be->stage + (size_t)i * be->mps,
						len);
				be->stage_len[out] = (uint32_t)len;
			}
			out++;
		}
		if (direct) {
			done += out;
		} else {
			be->stage_head = 0;
			be->stage_count = out;
			rc = vmb_deliver_staged(iface, be, f, n, &done);
			if (rc) {
				sqn_waker_wake(&be->waker);
				return rc;
			}
		}

		if ((unsigned)got < want) {
			/* vmnet is empty: clear, unless an event came since */
			if (!be->stage_count) {
				sqn_waker_clear(&be->waker);
				if (atomic_load_explicit(
					    &be->events,
					    memory_order_acquire) != seq)
					sqn_waker_wake(&be->waker);
			}
			break;
		}
		if (be->stage_count)
			break;
	}
	/* packets still staged: the fd must stay readable */
	if (be->stage_count)
		sqn_waker_wake(&be->waker);
	return (int)done;
}

/**
 * vmb_write() - pass frames the guest sent to vmnet
 * @iface:	the interface
 * @q:		queue (always 0)
 * @f:		frames, all 14..max packet size bytes (the core checked)
 * @n:		how many, at most SQN_BATCH
 *
 * Return: k: frames [0, k) went to vmnet, [k, n) were dropped (the core
 * counts them); k | SQN_WRITE_SKIP: vmnet refused frame k alone as too big
 */
static int vmb_write(struct sqn_iface *iface, unsigned q,
		     const struct sqn_frame *f, unsigned n)
{
	struct vmb_state *be = iface->be;
	unsigned done = 0, cnt;
	size_t bytes;
	vmnet_return_t st;
	int put;

	(void)q;
	while (done < n) {
		for (cnt = 0, bytes = 0;
		     done + cnt < n && cnt < VMNET_CALL_MAX_PKTS &&
		     bytes + f[done + cnt].len <= VMNET_CALL_MAX_BYTES;
		     cnt++) {
			bytes += f[done + cnt].len;
			be->tx_iov[cnt].iov_base = f[done + cnt].data;
			be->tx_iov[cnt].iov_len = f[done + cnt].len;
			be->tx_pkt[cnt].vm_pkt_size = f[done + cnt].len;
			be->tx_pkt[cnt].vm_pkt_iov = &be->tx_iov[cnt];
			be->tx_pkt[cnt].vm_pkt_iovcnt = 1;
			be->tx_pkt[cnt].vm_flags = 0;
		}
		put = (int)cnt;
		st = vmnet_write(be->ifr, be->tx_pkt, &put);
		if (put < 0 || (unsigned)put > cnt)
			put = 0;
		done += (unsigned)put;
		if (st != VMNET_SUCCESS) {
			struct vmb_status_text t = vmb_status((uint32_t)st);
			bool one = st == VMNET_PACKET_TOO_BIG && done < n;
			uint64_t nfail =
				atomic_fetch_add_explicit(
					&be->tx_fail, 1, memory_order_relaxed) +
				1;

			/* per-frame event: every time a power of two */
			if (sqn_log_every(nfail) && one)
				sqn_seterr(iface, t.err,
					   "vmnet: %s: vmnet_write: %s (%u): "
					   "%s; that %u-byte frame dropped, "
					   "the rest goes on (%llu failed "
					   "writes so far)",
					   iface->id, t.name, (unsigned)st,
					   t.hint, f[done].len,
					   (unsigned long long)nfail);
			else if (sqn_log_every(nfail))
				sqn_seterr(iface, t.err,
					   "vmnet: %s: vmnet_write: %s (%u): "
					   "%s; %u frames dropped (%llu "
					   "failed writes so far)",
					   iface->id, t.name, (unsigned)st,
					   t.hint, n - done,
					   (unsigned long long)nfail);
			/* too big: f[done] alone; the core goes on after it */
			return one ? (int)done | SQN_WRITE_SKIP : (int)done;
		}
		if ((unsigned)put < cnt)
			return (int)done; /* vmnet took fewer: drop the rest */
	}
	return (int)done;
}

const struct sqn_backend_ops sqn_be_vmnet = {
	.name = "vmnet",
	.validate = vmb_validate,
	.start = vmb_start,
	.stop = vmb_stop,
	.read = vmb_read,
	.write = vmb_write,
};
