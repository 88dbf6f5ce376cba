/* SPDX-License-Identifier: Apache-2.0 */
/*
 * squibnet.h - libsquibnet, the host side of a microVM's virtio-net device
 *
 * A VMM hands squib-net the Ethernet frames its guest sent (sqn_iface_write)
 * and asks it for frames to deliver to the guest (sqn_iface_read). Between
 * those frames and the real network sits one backend, picked by mode:
 * vmnet.framework (macOS), a userspace helper (gvproxy, passt), a helper
 * socket, a Linux TAP device, an embedded libslirp stack, or loopback.
 *
 * Contract, in short:
 * - Every function that can fail returns 0 (or a count) on success and a
 *   negative errno on failure; sqn_iface_start() also fills a message buffer,
 *   and sqn_iface_last_error() gives the message of a later failure.
 * - Nothing blocks after start: read returns 0 when nothing is waiting, write
 *   returns how many frames it accepted. Poll sqn_iface_fd() for readability,
 *   with sqn_iface_timeout_ms() as the timeout, then call sqn_iface_read()
 *   until it returns 0: read is also what drives the backend's timers and
 *   sockets.
 * - sqn_iface_read() and sqn_iface_write() on one interface may run
 *   concurrently, one reader thread and one writer thread; all other calls on
 *   an interface come from one thread at a time. Helper processes are
 *   (re)started from the starting thread and the reader thread: see
 *   struct sqn_params.helper_restart for what that means on Linux.
 * - The library never prints, exits or aborts on input: it logs through the
 *   caller's callback, and allocates no memory per frame.
 */
#ifndef SQUIBNET_H
#define SQUIBNET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SQN_BUILDING_LIBRARY) && defined(__GNUC__)
#define SQN_API __attribute__((visibility("default")))
#else
#define SQN_API
#endif

#define SQN_VERSION_MAJOR 0
#define SQN_VERSION_MINOR 3
#define SQN_VERSION_PATCH 0

/** SQN_BATCH - most frames one read or write call moves */
#define SQN_BATCH 32
/**
 * SQN_FRAME_MIN - smallest Ethernet frame accepted: the header alone, 14
 * bytes, which is also what a frame adds to its packet (MTU + 14)
 */
#define SQN_FRAME_MIN 14
/**
 * SQN_FRAME_MAX - largest frame any backend or framing carries, either way
 *
 * sqn_iface_max_frame() never exceeds it (a larger max_frame is capped), so
 * read buffers of SQN_FRAME_MAX bytes always fit: a read never fails with
 * -EMSGSIZE on them. A helper that announces a longer frame (a u32 length of
 * 65536 or more) breaks the protocol: its connection is reset.
 */
#define SQN_FRAME_MAX 65535
/** SQN_MTU_MIN - smallest MTU accepted (IPv4's minimum, RFC 791) */
#define SQN_MTU_MIN 68
/** SQN_MTU_MAX - largest MTU accepted */
#define SQN_MTU_MAX 65535
/** SQN_MAX_QUEUES - most queue pairs a multi-queue TAP may have */
#define SQN_MAX_QUEUES 16

/**
 * enum sqn_mode - which backend carries the frames
 * @SQN_MODE_DEFAULT:	vmnet shared on macOS, slirp elsewhere
 * @SQN_MODE_SHARED:	vmnet VMNET_SHARED_MODE (NAT), macOS only
 * @SQN_MODE_HOST:	vmnet VMNET_HOST_MODE (host-only), macOS only
 * @SQN_MODE_BRIDGED:	vmnet VMNET_BRIDGED_MODE, macOS only, needs
 *			bridged_iface
 * @SQN_MODE_USERSPACE:	a helper child (gvproxy or passt) over a socketpair
 * @SQN_MODE_SOCKET:	an already running helper reached by connect_url
 * @SQN_MODE_TAP:	a Linux TAP device named host_dev_name
 * @SQN_MODE_SLIRP:	libslirp inside this process
 * @SQN_MODE_LOOPBACK:	every frame written comes back on read
 */
enum sqn_mode {
	SQN_MODE_DEFAULT = 0,
	SQN_MODE_SHARED,
	SQN_MODE_HOST,
	SQN_MODE_BRIDGED,
	SQN_MODE_USERSPACE,
	SQN_MODE_SOCKET,
	SQN_MODE_TAP,
	SQN_MODE_SLIRP,
	SQN_MODE_LOOPBACK,
	SQN_MODE_COUNT_
};

/**
 * enum sqn_helper_kind - which userspace helper SQN_MODE_USERSPACE runs
 * @SQN_HELPER_DEFAULT:	gvproxy if one is found, else passt
 * @SQN_HELPER_GVPROXY:	gvproxy -listen-stdio (u16 little-endian framing)
 * @SQN_HELPER_PASST:	passt --fd (u32 big-endian framing)
 */
enum sqn_helper_kind {
	SQN_HELPER_DEFAULT = 0,
	SQN_HELPER_GVPROXY,
	SQN_HELPER_PASST,
};

/** enum sqn_log_level - severity of a log message, most severe first */
enum sqn_log_level {
	SQN_LOG_ERROR = 0,
	SQN_LOG_WARN,
	SQN_LOG_INFO,
	SQN_LOG_DEBUG,
};

/**
 * typedef sqn_log_fn - log callback
 * @opaque:	the params' log_opaque
 * @level:	severity
 * @msg:	one line, no trailing newline, valid only during the call
 *
 * Called from whichever thread hit the event (a reader, a writer, or for
 * vmnet a dispatch queue thread); it must not call back into the library.
 */
typedef void (*sqn_log_fn)(void *opaque, enum sqn_log_level level,
			   const char *msg);

/* Tri-state switches: 0 leaves the default. */
#define SQN_ON 1
#define SQN_OFF (-1)

/**
 * struct sqn_bucket - a token bucket, as Firecracker's TokenBucketConfig
 * @size:		tokens it holds: bytes (bandwidth) or frames (ops);
 *			0 disables the bucket
 * @one_time_burst:	extra tokens, spent first and never refilled
 * @refill_time_ms:	milliseconds to refill an empty bucket; 0 disables
 *			the bucket
 *
 * The rate is @size tokens per @refill_time_ms. A bucket starts full.
 */
struct sqn_bucket {
	uint64_t size;
	uint64_t one_time_burst;
	uint64_t refill_time_ms;
};

/**
 * struct sqn_rate_limiter - one direction's limiter, as Firecracker's
 *			     RateLimiterConfig
 * @bandwidth:	bytes: a frame costs its Ethernet length (a virtio-net header
 *		is not charged)
 * @ops:	frames: a frame costs 1
 *
 * A frame passes when both buckets allow it. The semantics are
 * Firecracker's: a frame a bucket refuses blocks the direction for 100 ms,
 * the retry granularity; a frame larger than the bucket's size passes and
 * blocks the direction for the time its excess takes to refill, so size a
 * bandwidth bucket for the largest frame (sqn_iface_max_frame()). An all-zero
 * limiter limits nothing.
 */
struct sqn_rate_limiter {
	struct sqn_bucket bandwidth;
	struct sqn_bucket ops;
};

/**
 * struct sqn_params - what sqn_iface_start() needs; zero means default
 * @size:		sizeof(struct sqn_params) as the caller compiled it;
 *			set by sqn_params_init(). Fields past it read as 0.
 * @iface_id:		interface id, [A-Za-z0-9_]{1,64}, e.g. "eth0"
 * @mode:		backend, see enum sqn_mode
 * @bridged_iface:	bridged mode: the host interface, e.g. "en0"
 * @mtu:		MTU override, SQN_MTU_MIN..SQN_MTU_MAX (68..65535);
 *			0: the backend's default
 * @start_timeout_ms:	how long start may wait for the backend; 0: 5000
 * @isolation:		SQN_ON/SQN_OFF; 0: on (guests don't see each other)
 * @guest_mac:		the guest's MAC; all zero: 06:00 plus 4 random bytes
 * @log:		log callback; NULL: no logging
 * @log_opaque:		passed to @log
 * @log_level:		most verbose level passed to @log
 * @rx_queue_len:	frames held for the guest before the oldest drop;
 *			0: 256 (userspace and socket keep no such queue: what
 *			the caller has not read waits in the helper's socket,
 *			so the helper is held back rather than its frames
 *			dropped, as a VMM's stream netdev does)
 * @tx_queue_len:	frames held for the backend before drops; 0: 256
 * @max_frame:		largest frame in either direction, 14..65536; 0: the
 *			mode's default (SQN_FRAME_MAX for helpers, MTU + 14
 *			elsewhere); capped at SQN_FRAME_MAX, and at what the
 *			backend carries
 * @helper_kind:	userspace: which helper
 * @helper_path:	userspace: the helper binary; NULL: $SQUIBNET_GVPROXY
 *			or $SQUIBNET_PASST, then PATH and libexec directories
 * @helper_args:	userspace: extra arguments, at most 32 of 512 bytes
 * @n_helper_args:	number of @helper_args
 * @helper_restart:	userspace: SQN_ON restarts a helper that exits, with
 *			backoff. The restart runs inside sqn_iface_read(), so
 *			on the reader's thread. On Linux a helper gets
 *			PR_SET_PDEATHSIG (SIGKILL), which the kernel ties to
 *			the thread that forked it, not to the process: a
 *			helper dies when the thread that started the
 *			interface (or, after a restart, the reader thread)
 *			exits, so start and read from threads that live as
 *			long as the interface. The kernel also clears the
 *			signal when the helper changes its credentials (passt
 *			started as root switches to user nobody): such a
 *			helper outlives a SIGKILLed caller until it sees EOF
 *			on its socket (gvproxy and passt exit on it)
 * @helper_env:		userspace: SQN_ON passes this process's environment
 *			to the helper; default is a minimal one (PATH, HOME)
 * @connect_url:	socket: unix:///path (u32-BE stream),
 *			unixgram:///path (vfkit datagrams),
 *			unixpacket:///path (bess seqpacket). For unixgram our
 *			end is bound, on Linux, to an abstract address (no
 *			file, nothing left if we are killed; the peer must be
 *			in our network namespace to answer it), elsewhere to
 *			a 0600 socket file in a private directory under
 *			$XDG_RUNTIME_DIR (or /tmp), removed at stop
 * @host_dev_name:	tap: the TAP device's name, kept verbatim
 * @tap_create:		tap: SQN_ON creates the device if it is missing
 * @tap_queues:		tap: queue pairs (IFF_MULTI_QUEUE when > 1); 0: 1
 * @offload:		tap, slirp, socket: SQN_ON: frames carry a virtio-net
 *			header (struct sqn_frame.vnet): tap sets IFF_VNET_HDR;
 *			slirp takes GSO and partially checksummed frames from
 *			the guest and hands it TCP runs merged into GSO
 *			frames; socket (unix:// only) agrees on it with the
 *			peer first (squib-net serve; doc/offload.md) and
 *			fails to start if the peer does not answer
 * @offload_features:	tap: virtio-net feature bits the guest negotiated
 *			(SQN_VNET_F_*); 0 with offload on: all of them
 * @slirp_net:		slirp: IPv4 network, CIDR; NULL: 10.0.2.0/24
 * @slirp_host:		slirp: gateway address; NULL: 10.0.2.2
 * @slirp_dns:		slirp: DNS address; NULL: 10.0.2.3
 * @slirp_dhcp_start:	slirp: first DHCP address; NULL: 10.0.2.15
 * @slirp_ipv6:		slirp: SQN_OFF disables IPv6 (fec0::/64)
 * @slirp_restrict:	slirp: SQN_ON isolates the guest from the outside
 *			(no outbound connections; forwards still work)
 * @slirp_dns_search:	slirp: DNS search domains
 * @n_slirp_dns_search:	number of @slirp_dns_search
 * @forwards:		slirp: host port forwards,
 *			"tcp|udp:[hostaddr]:hostport-[guestaddr]:guestport"
 * @n_forwards:		number of @forwards
 * @reconnect_max:	socket, and userspace with helper_restart: give up
 *			after this many reconnection attempts in a row that
 *			bring no frame (the link stays down and its reason
 *			says so); 0: never give up. Failed attempts are
 *			logged (warnings) the 1st, 2nd, 4th, 8th... time
 * @rx_rate_limiter:	frames toward the guest: what sqn_iface_read()
 *			returns (see sqn_iface_set_rate_limit())
 * @tx_rate_limiter:	frames from the guest: what sqn_iface_write() takes
 * @live_controls:	SQN_ON: rate limits may be set at run time
 *			(sqn_iface_set_rate_limit()) even when none is set
 *			here. The readiness fds are then the library's own
 *			pollers around the backend's (one more epoll or
 *			kqueue hop per wake-up), which is also the case
 *			whenever a rate limiter is set here. An egress
 *			policy alone (policy_rules) needs only a wake-up for
 *			its own replies: on slirp the library adds it to
 *			slirp's fd set, on the other backends the fds are
 *			the library's pollers. Otherwise sqn_iface_fd() is
 *			the backend's fd itself
 * @policy_rules:	the egress policy, every mode: one rule per string,
 *			spelt as the command line's options without their
 *			"--": "allow-host=pypi.org", "allow-host=*.example.com"
 *			(names the guest may resolve, and reach at the
 *			addresses their DNS answers give, for the answers'
 *			TTL), "allow-net=10.1.0.0/16:5432",
 *			"allow-net=[2001:db8::/32]:443/tcp" (networks, with
 *			ports and protocol if given), "allow-dns=10.0.2.3"
 *			(resolvers the guest may query; default: the
 *			backend's own, see doc/policy.md for each mode),
 *			"deny-all", "check-sni" (TLS server names on port
 *			443 checked too). With any rule, what no rule allows
 *			is denied: a TCP connection gets a RST, UDP and ICMP
 *			an ICMP "administratively prohibited", a DNS query
 *			for a name not allowed NXDOMAIN, all at once; ARP,
 *			DHCP, NDP and ICMP to the gateway always pass. None:
 *			no policy, every frame passes. Replaced at run time
 *			with sqn_iface_set_policy()
 * @n_policy_rules:	number of @policy_rules (at most 256 allow-host,
 *			256 allow-net and 8 allow-dns among them)
 */
struct sqn_params {
	uint32_t size;

	const char *iface_id;
	enum sqn_mode mode;
	const char *bridged_iface;
	uint32_t mtu;
	uint32_t start_timeout_ms;
	int isolation;
	uint8_t guest_mac[6];

	sqn_log_fn log;
	void *log_opaque;
	enum sqn_log_level log_level;

	uint32_t rx_queue_len;
	uint32_t tx_queue_len;
	uint32_t max_frame;

	enum sqn_helper_kind helper_kind;
	const char *helper_path;
	const char *const *helper_args;
	unsigned n_helper_args;
	int helper_restart;
	int helper_env;

	const char *connect_url;

	const char *host_dev_name;
	int tap_create;
	unsigned tap_queues;
	int offload;
	uint64_t offload_features;

	const char *slirp_net;
	const char *slirp_host;
	const char *slirp_dns;
	const char *slirp_dhcp_start;
	int slirp_ipv6;
	int slirp_restrict;
	const char *const *slirp_dns_search;
	unsigned n_slirp_dns_search;
	const char *const *forwards;
	unsigned n_forwards;

	uint32_t reconnect_max;

	struct sqn_rate_limiter rx_rate_limiter;
	struct sqn_rate_limiter tx_rate_limiter;
	int live_controls;

	const char *const *policy_rules;
	unsigned n_policy_rules;
};

/* virtio-net feature bits, as in the virtio 1.x specification */
#define SQN_VNET_F_CSUM (1ULL << 0)
#define SQN_VNET_F_GUEST_CSUM (1ULL << 1)
#define SQN_VNET_F_GUEST_TSO4 (1ULL << 7)
#define SQN_VNET_F_GUEST_TSO6 (1ULL << 8)
#define SQN_VNET_F_GUEST_ECN (1ULL << 9)
#define SQN_VNET_F_GUEST_UFO (1ULL << 10)
#define SQN_VNET_F_HOST_TSO4 (1ULL << 11)
#define SQN_VNET_F_HOST_TSO6 (1ULL << 12)
#define SQN_VNET_F_HOST_ECN (1ULL << 13)

/* struct sqn_vnet_hdr values, as in the virtio 1.x specification */
#define SQN_VNET_HDR_F_NEEDS_CSUM 1
#define SQN_VNET_HDR_F_DATA_VALID 2
#define SQN_VNET_HDR_GSO_NONE 0
#define SQN_VNET_HDR_GSO_TCPV4 1
#define SQN_VNET_HDR_GSO_TCPV6 4
#define SQN_VNET_HDR_GSO_ECN 0x80

/**
 * struct sqn_vnet_hdr - virtio-net header (virtio 1.x, 12 bytes), host order
 * @flags:		VIRTIO_NET_HDR_F_* (1: needs checksum, 2: data valid)
 * @gso_type:		VIRTIO_NET_HDR_GSO_* (0 none, 1 TCPv4, 4 TCPv6, 0x80 ECN)
 * @hdr_len:		length of the headers to copy into each segment
 * @gso_size:		segment payload size
 * @csum_start:		where checksumming starts
 * @csum_offset:	where the checksum goes, from @csum_start
 * @num_buffers:	merged RX buffers (the VMM's business; passed through)
 */
struct sqn_vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

/**
 * struct sqn_frame - one Ethernet frame in a caller's buffer
 * @data:	the caller's buffer
 * @cap:	read: bytes @data can hold; ignored by write
 * @len:	read: set to the frame's length; write: the frame's length.
 *		When a read fails with -EMSGSIZE, frames[0].len is the size the
 *		waiting frame needs; it stays queued.
 * @vnet:	virtio-net header, used only when the interface runs with
 *		offloads on; zeroed by read otherwise
 */
struct sqn_frame {
	void *data;
	uint32_t cap;
	uint32_t len;
	struct sqn_vnet_hdr vnet;
};

/**
 * struct sqn_stats - counters since start
 * @rx_frames:		frames read by the caller (toward the guest)
 * @rx_bytes:		bytes of those frames
 * @tx_frames:		frames written by the caller and accepted: passed on,
 *			or queued to be (a queued frame lost when a helper
 *			connection ends stays counted here, as one lost in a
 *			socket buffer does; the log says how many)
 * @tx_bytes:		bytes of those frames
 * @rx_dropped:		frames for the guest dropped (queue full, oldest;
 *			never in userspace and socket modes)
 * @tx_dropped:		frames written by the caller and dropped by that
 *			write (queue full, backend refused, connection
 *			failing while the link is still up).
 *			Every frame a write consumed is counted once:
 *			consumed = tx_frames + tx_dropped + tx_errors
 * @rx_errors:		malformed frames from the backend (bad length, short,
 *			oversized), each one counted
 * @tx_errors:		frames the caller wrote that were refused (too small,
 *			too large)
 * @conn_resets:	connections to a helper reset for a protocol violation
 * @link_changes:	link up/down transitions
 * @helper_restarts:	userspace helpers restarted after they exited
 */
struct sqn_stats {
	uint64_t rx_frames;
	uint64_t rx_bytes;
	uint64_t tx_frames;
	uint64_t tx_bytes;
	uint64_t rx_dropped;
	uint64_t tx_dropped;
	uint64_t rx_errors;
	uint64_t tx_errors;
	uint64_t conn_resets;
	uint64_t link_changes;
	uint64_t helper_restarts;
};

/**
 * struct sqn_stats_ext - every counter: struct sqn_stats's, then the
 *			  frame path's (sqn_iface_stats_ext())
 * @size:		sizeof(struct sqn_stats_ext) as the caller compiled
 *			it, set by the caller; members past it are not
 *			written (later versions append counters)
 * @capturing:		1 while a capture runs, else 0
 * @rx_frames:		as in struct sqn_stats, and the ten after it
 * @rx_bytes:		"
 * @tx_frames:		"
 * @tx_bytes:		"
 * @rx_dropped:		"
 * @tx_dropped:		"
 * @rx_errors:		"
 * @tx_errors:		"
 * @conn_resets:	"
 * @link_changes:	"
 * @helper_restarts:	"
 * @rx_throttled:	reads in which the rx rate limiter held a frame back
 *			(each such refusal blocks the direction for a while;
 *			a read while it is blocked is not counted again)
 * @tx_throttled:	writes the tx rate limiter cut short: frames left
 *			with the caller (0 accepted included)
 * @capture_frames:	frames the capture took into its buffer (the running
 *			capture's, or the last one's)
 * @capture_dropped:	frames it did not take: its buffer was full
 * @capture_lost:	frames it took but the file refused (a full disk)
 * @policy_denied:	frames from the guest the egress policy denied (each
 *			also counted in @tx_dropped; by cause:
 *			sqn_iface_policy_stats())
 */
struct sqn_stats_ext {
	uint32_t size;
	uint32_t capturing;
	uint64_t rx_frames;
	uint64_t rx_bytes;
	uint64_t tx_frames;
	uint64_t tx_bytes;
	uint64_t rx_dropped;
	uint64_t tx_dropped;
	uint64_t rx_errors;
	uint64_t tx_errors;
	uint64_t conn_resets;
	uint64_t link_changes;
	uint64_t helper_restarts;
	uint64_t rx_throttled;
	uint64_t tx_throttled;
	uint64_t capture_frames;
	uint64_t capture_dropped;
	uint64_t capture_lost;
	uint64_t policy_denied;
};

/* Directions of a capture: struct sqn_capture.dirs */
#define SQN_CAPTURE_RX 1u
#define SQN_CAPTURE_TX 2u

/**
 * struct sqn_capture - a pcap capture (sqn_iface_capture_start())
 * @size:	sizeof(struct sqn_capture) as the caller compiled it, set by
 *		the caller
 * @path:	the file: created 0600, or truncated
 * @snaplen:	bytes kept of each frame, 14..262144; 0: 65535 (all)
 * @dirs:	SQN_CAPTURE_RX (toward the guest), SQN_CAPTURE_TX, or both;
 *		0: both
 * @nsec:	SQN_ON: nanosecond timestamps; else microseconds
 * @buf_bytes:	the buffer between the frame path and the file's writer
 *		thread; 0: 4 MiB
 */
struct sqn_capture {
	uint32_t size;
	const char *path;
	uint32_t snaplen;
	unsigned dirs;
	int nsec;
	uint32_t buf_bytes;
};

/* Which buckets sqn_iface_set_rate_limit() replaces */
#define SQN_LIMIT_RX_BANDWIDTH (1u << 0)
#define SQN_LIMIT_RX_OPS (1u << 1)
#define SQN_LIMIT_TX_BANDWIDTH (1u << 2)
#define SQN_LIMIT_TX_OPS (1u << 3)
#define SQN_LIMIT_RX (SQN_LIMIT_RX_BANDWIDTH | SQN_LIMIT_RX_OPS)
#define SQN_LIMIT_TX (SQN_LIMIT_TX_BANDWIDTH | SQN_LIMIT_TX_OPS)

/** struct sqn_iface - a started interface (opaque) */
struct sqn_iface;

/**
 * sqn_version() - the library's version
 *
 * Return: "MAJOR.MINOR.PATCH"
 */
SQN_API const char *sqn_version(void);

/**
 * sqn_params_init() - zero a params struct and set its size
 * @p:	the struct to fill
 */
SQN_API void sqn_params_init(struct sqn_params *p);

/**
 * sqn_mode_name() - a mode's name, as the command line spells it
 * @mode:	the mode
 *
 * Return: "shared", "host", ..., or NULL for a value out of range
 */
SQN_API const char *sqn_mode_name(enum sqn_mode mode);

/**
 * sqn_mode_parse() - a mode from its name
 * @name:	"shared", "host", "bridged", "userspace", "socket", "tap",
 *		"slirp", "loopback" or "default"
 * @mode:	set on success
 *
 * Return: 0, or -EINVAL for an unknown name
 */
SQN_API int sqn_mode_parse(const char *name, enum sqn_mode *mode);

/**
 * sqn_mode_supported() - whether a mode can start on this platform and build
 * @mode:	the mode
 * @why:	if not NULL, gets the reason when it cannot
 * @len:	size of @why
 *
 * Says what the build knows: a supported mode may still fail to start (no
 * helper binary, no privilege); `squib-net probe` tries each for real.
 *
 * Return: 1 if supported, 0 if not
 */
SQN_API int sqn_mode_supported(enum sqn_mode mode, char *why, size_t len);

/**
 * sqn_mode_default() - the mode SQN_MODE_DEFAULT stands for here
 *
 * Return: SQN_MODE_SHARED on macOS, SQN_MODE_SLIRP elsewhere
 */
SQN_API enum sqn_mode sqn_mode_default(void);

/*
 * What a mode does, for struct sqn_mode_info.flags.
 * SQN_MODE_HAS_DHCP:	the backend answers the guest's DHCP (a userspace
 *			stack, a helper, vmnet's NAT): a guest can ask it for
 *			an address instead of being given one
 * SQN_MODE_ONE_LOCK:	read and write serialise on one lock inside the
 *			backend: a second thread for the TX path buys no
 *			parallelism, only wake-ups and lock hand-offs
 * SQN_MODE_LARGE_FRAMES: carries any frame up to SQN_FRAME_MAX whatever the
 *			MTU, so max_frame defaults to SQN_FRAME_MAX rather
 *			than MTU + SQN_FRAME_MIN
 * SQN_MODE_LIVE_FORWARDS: host port forwards can be added and removed on a
 *			running interface (sqn_iface_forward_add())
 */
#define SQN_MODE_HAS_DHCP (1u << 0)
#define SQN_MODE_ONE_LOCK (1u << 1)
#define SQN_MODE_LARGE_FRAMES (1u << 2)
#define SQN_MODE_LIVE_FORWARDS (1u << 3)

/*
 * Groups of struct sqn_params members a mode reads, for struct
 * sqn_mode_info.uses and .needs (the common members, iface_id to max_frame,
 * every mode reads):
 * SQN_PARAMS_HELPER:	helper_kind, helper_path, helper_args,
 *			helper_restart, helper_env, reconnect_max
 * SQN_PARAMS_URL:	connect_url, reconnect_max
 * SQN_PARAMS_DEVICE:	host_dev_name, tap_create (a device on the host)
 * SQN_PARAMS_QUEUES:	tap_queues
 * SQN_PARAMS_OFFLOAD:	offload, offload_features (virtio-net offloads)
 * SQN_PARAMS_SLIRP:	slirp_*, forwards
 * SQN_PARAMS_BRIDGED:	bridged_iface
 */
#define SQN_PARAMS_HELPER (1u << 0)
#define SQN_PARAMS_URL (1u << 1)
#define SQN_PARAMS_DEVICE (1u << 2)
#define SQN_PARAMS_QUEUES (1u << 3)
#define SQN_PARAMS_OFFLOAD (1u << 4)
#define SQN_PARAMS_SLIRP (1u << 5)
#define SQN_PARAMS_BRIDGED (1u << 6)

/** SQN_MODE_WHY_LEN - size of struct sqn_mode_info.why_not */
#define SQN_MODE_WHY_LEN 160

/**
 * struct sqn_mode_info - what a mode is and what it can do (sqn_mode_info())
 * @size:	sizeof(struct sqn_mode_info) as the caller compiled it, set by
 *		the caller; members past it are not written
 * @mode:	the mode described (SQN_MODE_DEFAULT resolved to this
 *		platform's default)
 * @name:	as the command line spells it ("slirp")
 * @summary:	the backend, in a few words ("libslirp in this process")
 * @platform:	where it can run: "any", "Linux" or "macOS"
 * @flags:	SQN_MODE_HAS_DHCP, SQN_MODE_ONE_LOCK, SQN_MODE_LARGE_FRAMES,
 *		SQN_MODE_LIVE_FORWARDS
 * @uses:	SQN_PARAMS_* groups of struct sqn_params it reads (the others
 *		it ignores); virtio-net offloads are supported when it has
 *		SQN_PARAMS_OFFLOAD
 * @needs:	SQN_PARAMS_* groups it cannot start without (a URL, a device
 *		name, a bridged interface); a subset of @uses
 * @supported:	1 if this build on this platform can start it (it may still
 *		fail for want of a helper or a privilege), else 0
 * @why_not:	when @supported is 0, why ("mode shared needs macOS
 *		vmnet.framework"); else ""
 */
struct sqn_mode_info {
	uint32_t size;
	enum sqn_mode mode;
	const char *name;
	const char *summary;
	const char *platform;
	uint32_t flags;
	uint32_t uses;
	uint32_t needs;
	int supported;
	char why_not[SQN_MODE_WHY_LEN];
};

/**
 * sqn_mode_info() - describe a mode: what it does, reads, needs, and whether
 *		     it can run here
 * @mode:	the mode; SQN_MODE_DEFAULT describes this platform's default
 * @info:	@info->size set by the caller (e.g. `struct sqn_mode_info mi =
 *		{.size = sizeof(mi)};`); filled up to it
 *
 * Answers for every mode, built here or not, from the library's one table
 * of modes, so a caller never has to know a mode by name.
 *
 * Return: 0, or -EINVAL for a NULL @info, a @size under 8 or a mode out of
 * range
 */
SQN_API int sqn_mode_info(enum sqn_mode mode, struct sqn_mode_info *info);

/**
 * sqn_iface_start() - validate params and start an interface
 * @params:	what to start; copied, so it may be freed after the call
 * @out:	set to the new interface on success, NULL on failure
 * @err:	if not NULL, gets a message on failure (which input, what is
 *		wrong, what to do)
 * @errlen:	size of @err
 *
 * Either fully succeeds or leaves nothing behind: no fd, child or thread.
 *
 * Return: 0, or a negative errno: -EINVAL for a bad parameter, -ENOTSUP for
 * a mode this platform lacks, -ETIMEDOUT when the backend did not come up in
 * time, or what the backend's system calls failed with.
 */
SQN_API int sqn_iface_start(const struct sqn_params *params,
			    struct sqn_iface **out, char *err, size_t errlen);

/**
 * sqn_iface_stop() - stop an interface: release everything but the handle
 * @iface:	the interface, or NULL (nothing happens)
 *
 * Reaps the helper child, closes every fd, joins any thread, and takes the
 * link down ("stopped"). Idempotent: a second call does nothing. After it,
 * read and write fail with -ESHUTDOWN and sqn_iface_fd() returns
 * -ESHUTDOWN, while the queries (statistics, MTU, MACs, id, last error)
 * still answer, so a caller can report the final counters. The handle
 * itself stays until sqn_iface_free().
 */
SQN_API void sqn_iface_stop(struct sqn_iface *iface);

/**
 * sqn_iface_free() - stop an interface if it runs, then free the handle
 * @iface:	the interface, or NULL (nothing happens)
 *
 * The handle is invalid afterwards. Every sqn_iface_start() that succeeded
 * is paired with exactly one sqn_iface_free().
 */
SQN_API void sqn_iface_free(struct sqn_iface *iface);

/**
 * sqn_iface_read() - take frames bound for the guest
 * @iface:	the interface
 * @frames:	caller buffers: @data and @cap set by the caller
 * @n:		number of @frames, at most SQN_BATCH is used
 *
 * Never blocks; also services the backend (timers, helper sockets). A frame
 * that does not fit its buffer is never cut: if it is the first, the call
 * fails with -EMSGSIZE and frames[0].len says how much room it needs;
 * otherwise the call returns the frames before it. With an rx rate limit
 * (sqn_iface_set_rate_limit()) it returns the frames the limiter allows,
 * and 0 while it holds them back.
 *
 * Return: number of frames filled (0: none waiting, or none allowed yet),
 * or a negative errno
 */
SQN_API int sqn_iface_read(struct sqn_iface *iface, struct sqn_frame *frames,
			   unsigned n);

/**
 * sqn_iface_write() - hand over frames the guest sent
 * @iface:	the interface
 * @frames:	frames: @data and @len set by the caller
 * @n:		number of @frames, at most SQN_BATCH is used
 *
 * Never blocks. A frame smaller than SQN_FRAME_MIN or larger than the
 * maximum frame size is refused and counted in tx_errors; one the backend
 * cannot take now is queued, or dropped and counted in tx_dropped once the
 * queue is full (or while a failing helper connection is being taken
 * down). Either way the caller's buffers are free again on return.
 *
 * With a tx rate limit (sqn_iface_set_rate_limit()) it may take fewer
 * frames than offered, 0 included: the rest stay with the caller, to be
 * written again when sqn_iface_tx_wait_ms() says (or sqn_iface_tx_fd()
 * turns readable).
 *
 * Return: number of frames consumed (passed on, queued, or dropped and
 * counted), or a negative errno when nothing could be done (-ENETDOWN when
 * the link is down and nothing was consumed)
 */
SQN_API int sqn_iface_write(struct sqn_iface *iface,
			    const struct sqn_frame *frames, unsigned n);

/**
 * sqn_iface_fd() - the descriptor to poll for readability
 * @iface:	the interface
 *
 * Readable when frames are waiting, a backend socket or timer needs
 * service, or the link state changed; while the rx rate limiter holds
 * frames back it is not, until the limiter lets them through (it then
 * turns readable by itself). Owned by the interface; the same fd from
 * start to stop.
 *
 * Return: the fd
 */
SQN_API int sqn_iface_fd(const struct sqn_iface *iface);

/**
 * sqn_iface_timeout_ms() - when sqn_iface_read() must be called at the latest
 * @iface:	the interface
 *
 * Counts the rate limiters' waits too: a direction blocked by its limiter
 * (sqn_iface_tx_wait_ms() for tx), while the backend's timers are left
 * to wait while rx is blocked.
 *
 * Return: milliseconds until the backend's next timer, or -1 for none
 */
SQN_API int sqn_iface_timeout_ms(struct sqn_iface *iface);

/**
 * sqn_iface_queue_fd() - the readiness fd of one queue pair (multi-queue TAP)
 * @iface:	the interface
 * @queue:	queue index, 0..sqn_iface_queues()-1
 *
 * Return: the fd, or -EINVAL for a queue that does not exist
 */
SQN_API int sqn_iface_queue_fd(const struct sqn_iface *iface, unsigned queue);

/**
 * sqn_iface_queues() - number of queue pairs
 * @iface:	the interface
 *
 * Return: 1, or the TAP's queue count
 */
SQN_API unsigned sqn_iface_queues(const struct sqn_iface *iface);

/**
 * sqn_iface_queue_read() - sqn_iface_read() on one queue pair
 * @iface:	the interface
 * @queue:	queue index
 * @frames:	as for sqn_iface_read()
 * @n:		as for sqn_iface_read()
 *
 * Return: as sqn_iface_read(), or -EINVAL for a queue that does not exist
 */
SQN_API int sqn_iface_queue_read(struct sqn_iface *iface, unsigned queue,
				 struct sqn_frame *frames, unsigned n);

/**
 * sqn_iface_queue_write() - sqn_iface_write() on one queue pair
 * @iface:	the interface
 * @queue:	queue index
 * @frames:	as for sqn_iface_write()
 * @n:		as for sqn_iface_write()
 *
 * Return: as sqn_iface_write(), or -EINVAL for a queue that does not exist
 */
SQN_API int sqn_iface_queue_write(struct sqn_iface *iface, unsigned queue,
				  const struct sqn_frame *frames, unsigned n);

/**
 * sqn_iface_mtu() - the negotiated MTU
 * @iface:	the interface
 *
 * Return: the MTU, never 0
 */
SQN_API uint32_t sqn_iface_mtu(const struct sqn_iface *iface);

/**
 * sqn_iface_max_frame() - the largest frame either direction carries
 * @iface:	the interface
 *
 * Return: bytes, never 0 and never above SQN_FRAME_MAX; a read buffer of
 * this size always fits
 */
SQN_API uint32_t sqn_iface_max_frame(const struct sqn_iface *iface);

/**
 * sqn_iface_host_mac() - the host side's MAC (gateway, vmnet interface)
 * @iface:	the interface
 * @mac:	gets 6 bytes
 */
SQN_API void sqn_iface_host_mac(const struct sqn_iface *iface, uint8_t mac[6]);

/**
 * sqn_iface_guest_mac() - the guest's MAC (given, or generated at start)
 * @iface:	the interface
 * @mac:	gets 6 bytes
 */
SQN_API void sqn_iface_guest_mac(const struct sqn_iface *iface, uint8_t mac[6]);

/**
 * sqn_iface_id() - the interface id given at start
 * @iface:	the interface
 *
 * Return: the id, owned by the interface
 */
SQN_API const char *sqn_iface_id(const struct sqn_iface *iface);

/**
 * sqn_iface_mode() - the mode actually running (never SQN_MODE_DEFAULT)
 * @iface:	the interface
 *
 * Return: the mode
 */
SQN_API enum sqn_mode sqn_iface_mode(const struct sqn_iface *iface);

/**
 * sqn_iface_offload() - whether frames carry a virtio-net header
 * @iface:	the interface
 *
 * Return: 1 with offloads on, else 0
 */
SQN_API int sqn_iface_offload(const struct sqn_iface *iface);

/**
 * sqn_iface_link() - link state
 * @iface:	the interface
 * @why:	if not NULL, gets the reason of the last change
 * @len:	size of @why
 *
 * Return: 1 when up, 0 when down
 */
SQN_API int sqn_iface_link(const struct sqn_iface *iface, char *why,
			   size_t len);

/**
 * sqn_iface_stats() - copy the counters
 * @iface:	the interface
 * @stats:	filled
 */
SQN_API void sqn_iface_stats(const struct sqn_iface *iface,
			     struct sqn_stats *stats);

/**
 * struct sqn_policy_counters - the egress policy's counters
 *			       (sqn_iface_policy_stats())
 * @size:		sizeof(struct sqn_policy_counters) as the caller
 *			compiled it, set by the caller; members past it are
 *			not written
 * @rules:		rules in force (0: no policy, every frame passes)
 * @denied:		frames from the guest denied, every cause (each also
 *			counted in struct sqn_stats.tx_dropped)
 * @denied_addr:	destination not allowed by any rule nor learnt from
 *			DNS
 * @denied_expired:	destination learnt from DNS whose lifetime is over
 *			(a new connection; resolve the name again)
 * @denied_dns_name:	DNS queries for names not allowed (answered NXDOMAIN
 *			over UDP, reset over TCP)
 * @denied_dns_server:	DNS to a server that is not an allowed resolver
 * @denied_dns_bad:	DNS queries malformed, not one plain question, or
 *			split across TCP segments
 * @denied_sni:		TLS ClientHellos naming a host not allowed
 *			(check-sni)
 * @denied_sni_unchecked: ClientHellos that could not be checked
 * @denied_quic:	UDP port 443 to addresses allowed by name only
 *			(check-sni)
 * @denied_proto:	frames neither IPv4, IPv6 nor ARP, or source-routed
 * @denied_frame:	malformed Ethernet or IP headers
 * @replies:		frames sent back to the guest for denials (RST, ICMP,
 *			NXDOMAIN); each is also read like any other frame
 * @dns_allowed:	DNS queries passed to a resolver
 * @dns_answers:	DNS answers read from the resolvers
 * @dns_malformed:	DNS answers that did not parse (over UDP dropped,
 *			also counted in rx_dropped)
 * @dns_split:		DNS answers over TCP spanning segments (nothing
 *			learnt)
 * @learnt:		addresses learnt from answers for allowed names
 * @refreshed:		addresses answered again while known
 * @evicted:		addresses dropped while alive, to make room
 * @expired:		addresses dropped when their lifetime was over
 * @revoked:		addresses dropped because an update no longer allows
 *			their name
 * @learnt_now:		addresses known now
 * @sni_checked:	ClientHellos checked and allowed
 * @log_suppressed:	denials not logged (at most 10 lines a second)
 */
struct sqn_policy_counters {
	uint32_t size;
	uint32_t rules;
	uint64_t denied;
	uint64_t denied_addr;
	uint64_t denied_expired;
	uint64_t denied_dns_name;
	uint64_t denied_dns_server;
	uint64_t denied_dns_bad;
	uint64_t denied_sni;
	uint64_t denied_sni_unchecked;
	uint64_t denied_quic;
	uint64_t denied_proto;
	uint64_t denied_frame;
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
	uint64_t log_suppressed;
};

/**
 * sqn_iface_set_policy() - replace the egress policy of a running interface
 * @iface:	the interface
 * @rules:	the new rules, as struct sqn_params.policy_rules spells them
 * @n:		their number; 0 turns the policy off (every frame passes)
 * @err:	if not NULL, gets a message on failure (which rule, what is
 *		wrong)
 * @errlen:	size of @err
 *
 * The switch is atomic: a frame is judged wholly by the old rules or
 * wholly by the new. Addresses learnt from DNS stay allowed while their
 * name still is (the others are dropped at once), so connections the new
 * rules allow go on. The backend's DNS and gateway addresses are read
 * again (a TAP's host addresses may have changed since start). May run
 * while a reader and a writer thread move frames.
 *
 * Return: 0, or a negative errno with the old policy still in force:
 * -EINVAL for a rule refused, -ENOMEM, -ESHUTDOWN after sqn_iface_stop()
 */
SQN_API int sqn_iface_set_policy(struct sqn_iface *iface,
				 const char *const *rules, unsigned n,
				 char *err, size_t errlen);

/**
 * sqn_iface_policy_stats() - the egress policy's counters
 * @iface:	the interface
 * @c:		@c->size set by the caller (`struct sqn_policy_counters c =
 *		{.size = sizeof(c)};`); filled up to it, all 0 when the
 *		interface never had a policy
 *
 * Return: 0, or -EINVAL for a NULL argument or a @size under 8
 */
SQN_API int sqn_iface_policy_stats(const struct sqn_iface *iface,
				   struct sqn_policy_counters *c);

/**
 * sqn_iface_last_error() - the message of the most recent failure
 * @iface:	the interface
 * @buf:	gets the message, "" if none
 * @len:	size of @buf
 */
SQN_API void sqn_iface_last_error(const struct sqn_iface *iface, char *buf,
				  size_t len);

/**
 * sqn_iface_stats_ext() - copy every counter, the frame path's too
 * @iface:	the interface
 * @stats:	@stats->size set by the caller (e.g. `struct sqn_stats_ext st
 *		= {.size = sizeof(st)};`); filled up to it
 *
 * Return: 0, or -EINVAL for a NULL argument or a @size under 8
 */
SQN_API int sqn_iface_stats_ext(const struct sqn_iface *iface,
				struct sqn_stats_ext *stats);

/**
 * sqn_iface_set_rate_limit() - change rate limits at run time, as
 *				Firecracker's PATCH /network-interfaces/{id}
 * @iface:	the interface
 * @which:	the buckets to replace: SQN_LIMIT_RX_BANDWIDTH,
 *		SQN_LIMIT_RX_OPS, SQN_LIMIT_TX_BANDWIDTH, SQN_LIMIT_TX_OPS
 *		(or SQN_LIMIT_RX, SQN_LIMIT_TX); the others keep their state
 * @rx:		the new rx buckets, read where @which names them (NULL when
 *		it names none)
 * @tx:		the same for tx
 *
 * A bucket named is replaced by a new, full one (its one-time burst
 * fresh), or disabled by a size or refill time of 0; a direction blocked
 * by its limiter stays blocked until its deadline. Throttling never drops
 * and never blocks the caller:
 * - tx: sqn_iface_write() takes fewer frames (0 included) and leaves the
 *   rest with the caller, as a VMM leaves them in its virtqueue; retry
 *   after sqn_iface_tx_wait_ms(), when sqn_iface_tx_fd() turns readable,
 *   or when the readiness fd wakes with sqn_iface_timeout_ms() (which
 *   counts the tx wait too).
 * - rx: sqn_iface_read() returns 0 while frames wait in the backend's
 *   bounded queue (its drops counted as usual, in rx_dropped), and the
 *   readiness fd stays quiet until the limiter lets frames through again.
 *   A frame read from the backend but held back waits in the library
 *   (one per queue, memory taken when the limit is set) and comes first.
 * Backend timers wait too while rx is blocked (at most the block's length,
 * 100 ms unless a frame larger than the bucket was let through).
 *
 * May be called from any thread, while read and write run. Limits at run
 * time need the library's own readiness fds: an interface started with
 * neither limiter set nor params.live_controls refuses.
 *
 * Return: 0; -EINVAL for an unknown bit or a NULL limiter @which names
 * (or a refill time too long), -EOPNOTSUPP when the interface was not
 * started ready for limits, -ENOMEM; the message in
 * sqn_iface_last_error()
 */
SQN_API int sqn_iface_set_rate_limit(struct sqn_iface *iface, unsigned which,
				     const struct sqn_rate_limiter *rx,
				     const struct sqn_rate_limiter *tx);

/**
 * sqn_iface_rate_limit() - the rate limits in force
 * @iface:	the interface
 * @rx:		if not NULL, gets the rx buckets (sizes, configured bursts,
 *		refill times; zero where disabled)
 * @tx:		the same for tx
 *
 * Return: 0, or -EINVAL for a NULL @iface
 */
SQN_API int sqn_iface_rate_limit(struct sqn_iface *iface,
				 struct sqn_rate_limiter *rx,
				 struct sqn_rate_limiter *tx);

/**
 * sqn_iface_tx_wait_ms() - when a write the tx rate limiter cut short may
 *			    be retried
 * @iface:	the interface
 *
 * Return: milliseconds (at least 1) while the tx limiter refuses frames,
 * -1 when it does not (or no tx limit is set)
 */
SQN_API int sqn_iface_tx_wait_ms(struct sqn_iface *iface);

/**
 * sqn_iface_tx_fd() - a descriptor for a VMM's TX thread to poll
 * @iface:	the interface
 *
 * Turns readable when the tx rate limiter, having cut a write short, lets
 * frames through again; the next sqn_iface_write() clears it. A TX thread
 * that holds frames back polls it beside the guest's kick and retries the
 * write when either fires (Firecracker's tx rate limiter event). Owned by
 * the interface.
 *
 * Return: the fd; -EOPNOTSUPP when the interface was started with neither
 * a tx limiter nor params.live_controls (sqn_iface_write() is never cut
 * short then), -ESHUTDOWN after stop
 */
SQN_API int sqn_iface_tx_fd(const struct sqn_iface *iface);

/**
 * sqn_iface_capture_start() - start a pcap capture on a running interface
 * @iface:	the interface
 * @cap:	what and where; @cap->size set by the caller
 *
 * Frames are captured where the counters count them: what sqn_iface_read()
 * returns (rx) and what sqn_iface_write() passed on (tx), without their
 * virtio-net header, so a whole capture holds rx_frames + tx_frames
 * frames, less its own capture_dropped and capture_lost. The frame path
 * never waits on the file: a thread writes a bounded buffer out; frames
 * that do not fit it are dropped and counted, frames the file refuses (a
 * full disk) are lost and counted, and the file is cut back to its last
 * whole record, so it stays readable (tcpdump -r, Wireshark). One capture
 * at a time. May be called from any thread, while read and write run.
 *
 * Return: 0; -EBUSY when one runs, -EINVAL for a bad @cap, or what
 * opening the file failed with; the message in sqn_iface_last_error()
 */
SQN_API int sqn_iface_capture_start(struct sqn_iface *iface,
				    const struct sqn_capture *cap);

/**
 * sqn_iface_capture_stop() - stop the capture, write out what is buffered
 * @iface:	the interface
 *
 * Waits for the writer thread to write the buffer and close the file; its
 * counters stay in struct sqn_stats_ext until the next start.
 * sqn_iface_stop() stops a running capture too.
 *
 * Return: 0, or -ENOENT when no capture runs
 */
SQN_API int sqn_iface_capture_stop(struct sqn_iface *iface);

/**
 * sqn_iface_forward_add() - add a host port forward at run time
 * @iface:	the interface
 * @spec:	"tcp|udp:[hostaddr]:hostport-[guestaddr]:guestport", as
 *		params.forwards spells it
 *
 * Modes with SQN_MODE_LIVE_FORWARDS (slirp: libslirp's host forwards)
 * listen on the host port at once. May be called from any thread.
 *
 * Return: 0; -EINVAL for a bad @spec, -EADDRINUSE (or what listening
 * failed with), -ENOTSUP in a mode without live forwards (the message says
 * what that mode's own means are)
 */
SQN_API int sqn_iface_forward_add(struct sqn_iface *iface, const char *spec);

/**
 * sqn_iface_forward_remove() - remove a host port forward at run time
 * @iface:	the interface
 * @spec:	as for sqn_iface_forward_add(); the protocol, host address
 *		and host port say which forward
 *
 * The host port stops listening; connections already forwarded go on.
 *
 * Return: 0; -ENOENT when there is no such forward, -EINVAL, -ENOTSUP as
 * for sqn_iface_forward_add()
 */
SQN_API int sqn_iface_forward_remove(struct sqn_iface *iface, const char *spec);

/**
 * sqn_mac_parse() - parse "aa:bb:cc:dd:ee:ff" (any case)
 * @s:		the text: exactly six colon-separated two-digit hex octets
 * @mac:	gets 6 bytes
 *
 * Return: 0, or -EINVAL
 */
SQN_API int sqn_mac_parse(const char *s, uint8_t mac[6]);

/**
 * sqn_mac_parse_msg() - sqn_mac_parse(), with a message when it refuses
 * @s:		the text
 * @mac:	gets 6 bytes on success
 * @err:	if not NULL, gets what is wrong: how many octets there are, or
 *		which octet is not two hex digits
 * @errlen:	size of @err
 *
 * Return: 0, or -EINVAL
 */
SQN_API int sqn_mac_parse_msg(const char *s, uint8_t mac[6], char *err,
			      size_t errlen);

/**
 * sqn_mac_format() - format a MAC in lower case
 * @mac:	6 bytes
 * @buf:	at least 18 bytes
 *
 * Return: @buf
 */
SQN_API char *sqn_mac_format(const uint8_t mac[6], char buf[18]);

/**
 * sqn_mac_generate() - a random guest MAC, 06:00:xx:xx:xx:xx
 * @mac:	gets 6 bytes: locally administered, unicast
 *
 * Return: 0, or a negative errno if no randomness could be had
 */
SQN_API int sqn_mac_generate(uint8_t mac[6]);

/**
 * sqn_iface_id_valid() - whether @id is a valid interface id
 * @id:		the id
 *
 * Return: 1 if it matches [A-Za-z0-9_]{1,64}, else 0
 */
SQN_API int sqn_iface_id_valid(const char *id);

/**
 * sqn_tap_name() - the deterministic TAP name for an interface id
 * @iface_id:	a valid interface id
 * @buf:	gets "squib-tap-<iface_id>", shortened by a hash to fit
 * @len:	size of @buf; the name fits @len - 1 bytes (Linux: pass 16)
 *
 * Return: 0, -EINVAL for an invalid id, -ENOSPC if @len is under 12
 */
SQN_API int sqn_tap_name(const char *iface_id, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* SQUIBNET_H */
