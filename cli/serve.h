/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve.h - squib-net serve: one network, many ports (options, listeners,
 *	     ports, statistics)
 */
#ifndef SQN_SERVE_H
#define SQN_SERVE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "capture.h"
#include "gso.h"
#include "opts.h"
#include "policy.h"
#include "ratelimit.h"
#include "relay_os.h"
#include "ring.h"
#include "squibnet.h"
#include "switch.h"
#include "url.h"
#include "wire.h"

#define SERVE_MAX_LISTEN 16
#define SERVE_PORTS_DEFAULT 64
#define SERVE_PORTS_MAX 1024
/* the uplink is switch port 0; VM ports are 1..max_ports */
#define SERVE_UPLINK 0
/* MACs the uplink may own (a LAN behind a TAP); VM ports share the rest */
#define SERVE_UPLINK_MACS 1024u
/* a VM port's cap when the table leaves it more */
#define SERVE_PORT_MACS_MAX 64u
/* frames a port's queue holds (and at most 4 MiB of them: ring.c) */
#define SERVE_QUEUE_FRAMES 256
/* one read of a stream port: many frames per system call */
#define SERVE_READ_SIZE (256u << 10)
/* socket buffers asked for on every port */
#define SERVE_SOCKBUF (4 << 20)
/* egress policy rules one --listen may carry, and their text */
#define SERVE_LISTEN_RULES 32
#define SERVE_LISTEN_RULES_POOL 4096

/**
 * struct serve_listen_opt - one --listen
 * @url:	the URL as given, without its options
 * @kind:	stream, datagram or seqpacket
 * @path:	the socket file
 * @isolate:	its ports are isolated
 * @pin:	its ports' MAC pin
 * @mac:	SQN_SW_PIN_MAC: the MAC
 * @rx_rate:	each of its ports' limiter toward the VM (--rx-rate; all
 *		zero: none)
 * @tx_rate:	each of its ports' limiter from the VM (--tx-rate)
 * @rules:	egress policy rules of its ports ("allow-host=pypi.org"),
 *		in place of serve's --allow-host... options; none: those
 * @n_rules:	their number
 * @pool:	their text
 * @pool_used:	bytes of @pool in use
 */
struct serve_listen_opt {
	char url[SQN_URL_PATH_MAX + 16];
	enum sqn_url_kind kind;
	char path[SQN_URL_PATH_MAX + 1];
	bool isolate;
	enum sqn_sw_pin pin;
	uint8_t mac[6];
	struct sqn_rate_limiter rx_rate;
	struct sqn_rate_limiter tx_rate;
	const char *rules[SERVE_LISTEN_RULES];
	unsigned n_rules;
	char pool[SERVE_LISTEN_RULES_POOL];
	unsigned pool_used;
};

/**
 * struct serve_rate_opt - one --rx-rate or --tx-rate: SPEC[@URL]
 * @l:		the limiter
 * @url:	the listener whose ports it limits (its URL as --listen gave
 *		it), or "" for every port
 */
struct serve_rate_opt {
	struct sqn_rate_limiter l;
	char url[SQN_URL_PATH_MAX + 16];
};

/**
 * struct serve_opts - what `squib-net serve` was asked to do
 * @m:		the uplink's options (the mode rows, shared with run):
 *		m.none for --mode none, a plain switch of VMs
 * @listen:	--listen, repeated
 * @n_listen:	their number
 * @max_ports:	--max-ports
 * @port_macs:	--port-macs: MACs one VM port may own (0: its share)
 * @age_s:	--age: seconds a quiet MAC is remembered
 * @isolate:	--isolate: every port isolated
 * @pin:	--pin: every port pinned to its first MAC
 * @group:	--group: socket files 0660, owned by this group (NULL: 0600)
 * @gid:	that group's id
 * @rate:	--rx-rate (index 0) and --tx-rate (1), each repeatable
 * @n_rate:	their numbers
 */
struct serve_opts {
	struct cli_mode_opts m;
	struct serve_listen_opt listen[SERVE_MAX_LISTEN];
	unsigned n_listen;
	uint32_t max_ports;
	uint32_t port_macs;
	uint32_t age_s;
	bool isolate;
	bool pin;
	const char *group;
	gid_t gid;
	struct serve_rate_opt rate[2][SERVE_MAX_LISTEN + 1];
	unsigned n_rate[2];
};

/* serve_args.c: pure option parsing */
int serve_listen_parse(const char *arg, struct serve_listen_opt *l, char *err,
		       size_t errlen);
int serve_args_parse(int argc, char **argv, struct serve_opts *o, char *err,
		     size_t errlen);
void serve_usage(FILE *f);

/**
 * struct serve_listener - a listening socket and the file it is bound to
 * @opt:	its --listen
 * @fd:		the socket; for datagrams also every port's
 * @dev:	the socket file's device, as bound (to remove only our own)
 * @ino:	its inode
 * @bound:	the file is ours: removed at exit
 * @nports:	its ports now
 * @blocked:	datagrams: the last send found the socket's own buffer full
 *		(wait for POLLOUT)
 * @sndbuf:	datagrams: the socket's send buffer, as the kernel counts
 *		it (every peer's datagrams not yet read are charged to it)
 */
struct serve_listener {
	const struct serve_listen_opt *opt;
	int fd;
	dev_t dev;
	ino_t ino;
	bool bound;
	unsigned nports;
	bool blocked;
	long sndbuf;
};

/* serve_listen.c */
int serve_listen_open(struct serve_listener *l,
		      const struct serve_listen_opt *o,
		      const struct serve_opts *so, char *err, size_t errlen);
void serve_listen_close(struct serve_listener *l);
int serve_listen_accept(struct serve_listener *l);
void serve_sock_setup(int fd);

/**
 * struct serve_port_stats - what the I/O side saw of one port
 * @in_frames:	frames read from it (before the switch's checks)
 * @in_bytes:	their bytes
 * @out_frames:	frames written to it
 * @out_bytes:	their bytes
 * @drop_queue:	frames for it dropped: its queue was full
 * @drop_error:	frames for it dropped: the send failed, or (a frame
 *		from an offload port) it could not be cut into plain
 *		segments, or was too large for an offload port's record
 * @bad_frames:	datagrams or messages from it that were no frame (runt,
 *		oversized), dropped
 * @lost:	frames still queued for it when it went away
 * @rx_throttled: flushes its rx limiter cut short (frames left queued)
 * @tx_throttled: frames from it its tx limiter held back (a stream or
 *		seqpacket port is then not read until they pass)
 * @drop_rate:	datagrams from it over its tx limit that found its one
 *		held frame taken: dropped (a datagram peer shares the
 *		listener's socket and cannot be made to wait)
 *
 * @gso_cut:	GSO frames (or frames with a partial checksum) from
 *		offload ports cut into plain segments for it
 * @gso_extra:	segments that cutting added (a frame cut into k
 *		segments adds k - 1)
 *
 * Every frame the switch sent to a port is accounted for once:
 * fwd_frames (struct sqn_sw_port_stats) + gso_extra = out_frames +
 * drop_queue + drop_error + lost + what is queued now.
 */
struct serve_port_stats {
	uint64_t in_frames;
	uint64_t in_bytes;
	uint64_t out_frames;
	uint64_t out_bytes;
	uint64_t drop_queue;
	uint64_t drop_error;
	uint64_t bad_frames;
	uint64_t lost;
	uint64_t rx_throttled;
	uint64_t tx_throttled;
	uint64_t drop_rate;
	uint64_t gso_cut;
	uint64_t gso_extra;
};

/**
 * struct serve_port - one VM's port
 * @id:		switch port number (1..max_ports)
 * @used:	the port exists
 * @l:		the listener it came through
 * @fd:		stream, seqpacket: its own socket; datagrams: @l's
 * @peer:	datagrams: the peer's address
 * @peerlen:	its length
 * @pid:	the peer's pid where the OS tells it, else 0
 * @serial:	how many ports came before it (a name that is never reused)
 * @rxbuf:	stream: the receive buffer
 * @dec:	stream: the decoder over it
 * @txq:	frames waiting to be sent, framed as on the wire
 * @tx_off:	bytes of the first of them already sent (stream)
 * @dirty:	on the list of ports with frames to send
 * @dirty_idx:	its index on that list
 * @blocked:	its socket took no more: stream, seqpacket: wait for
 *		POLLOUT; datagrams (@peer_full): try again at @retry_at
 * @peer_full:	datagrams: the peer's own queue was full (a peer that is
 *		not connected to us: the kernel holds at most
 *		net.unix.max_dgram_qlen datagrams for it)
 * @retry_at:	datagrams: when to try that peer again (ms)
 * @rxl:	its limiter toward the VM (charged as queued frames leave)
 * @txl:	its limiter from the VM (charged as frames are taken)
 * @rx_allowed:	records at the head of @txq the rx limiter allowed, not yet
 *		sent whole
 * @pend:	stream: a frame decoded but held back by @txl, in @rxbuf (the
 *		socket is not read until it passed), else NULL
 * @pend_len:	its length
 * @held:	seqpacket, datagrams: a frame held back by @txl (SQN_FRAME_MAX
 *		bytes, allocated when a tx limit is set), else NULL
 * @held_len:	the held frame's length, 0: none
 * @cap:	a capture of this port, or NULL
 * @st:		counters
 * @pol:	its egress policy's engine, NULL without rules
 * @pol_sni:	@pol was made with room to follow ClientHellos (check-sni)
 * @heard:	its first record came (stream: it decides @vnet; nothing is
 *		sent to the port before it); datagrams, messages: always
 * @vnet:	stream: it sent the offload hello; its records carry a
 *		virtio-net header, both ways
 */
struct serve_port {
	unsigned id;
	bool used;
	struct serve_listener *l;
	int fd;
	struct sockaddr_un peer;
	socklen_t peerlen;
	pid_t pid;
	uint64_t serial;
	uint8_t *rxbuf;
	struct sqn_wire_dec dec;
	struct sqn_ring txq;
	uint32_t tx_off;
	bool dirty;
	unsigned dirty_idx;
	bool blocked;
	bool peer_full;
	uint64_t retry_at;
	struct sqn_rl rxl;
	struct sqn_rl txl;
	unsigned rx_allowed;
	const uint8_t *pend;
	uint32_t pend_len;
	uint8_t *held;
	uint32_t held_len;
	struct sqn_cap *cap;
	struct serve_port_stats st;
	struct sqn_policy *pol;
	bool pol_sni;
	bool heard;
	bool vnet;
};

/* serve_port.c */
int serve_port_open(struct serve_port *p, struct serve_listener *l, int fd,
		    const struct sockaddr_un *peer, socklen_t peerlen);
void serve_port_close(struct serve_port *p);
bool serve_port_queue(struct serve_port *p, const uint8_t *frame, uint32_t len,
		      const struct sqn_vnet_hdr *vh);
int serve_port_vnet_on(struct serve_port *p, uint8_t *scratch);
int serve_port_flush(struct serve_port *p, unsigned max);
void serve_port_id_name(const struct serve_port *p, char *buf, size_t len);
void serve_port_peer(const struct serve_port *p, char *buf, size_t len);
int serve_port_set_limits(struct serve_port *p, unsigned which,
			  const struct sqn_rate_limiter *rx,
			  const struct sqn_rate_limiter *tx, uint64_t now_ns);
bool serve_port_tx_waits(const struct serve_port *p);
void serve_port_name(const struct serve_port *p, char *buf, size_t len);
bool serve_port_is_peer(const struct serve_port *p, const struct sockaddr_un *a,
			socklen_t alen);

/* serve_os_linux.c / serve_os_posix.c */
pid_t serve_os_peer_pid(int fd);
long serve_os_outq(int fd);

/**
 * struct serve - the running daemon
 * @o:		its options
 * @sw:		the switch: port 0 the uplink, 1..max_ports the VMs
 * @dport:	the switch's verdicts go here (max_ports + 1 entries)
 * @dest:	the last verdict
 * @up:		the uplink, NULL for none
 * @up_max:	its largest frame
 * @up_buf:	SQN_BATCH read buffers of @up_max bytes
 * @up_rx:	frames read from the uplink
 * @up_tx:	frames for the uplink, pointing into the buffer they were
 *		read into: written before that buffer is read into again
 * @up_ntx:	their number
 * @up_refused:	frames a write to the uplink refused altogether
 * @lis:	the listeners
 * @nlis:	their number
 * @port:	ports by switch number; [0] is not used (the uplink)
 * @port_cap:	MACs one VM port may own
 * @next_id:	the port number given last (the next search starts after)
 * @nports:	VM ports up
 * @peak:	most VM ports up at once
 * @serial:	ports opened since start
 * @dirty:	ports with frames queued
 * @ndirty:	their number
 * @msgbuf:	SQN_BATCH datagram buffers of SQN_FRAME_MAX + 1 bytes
 * @pfd:	the poll set
 * @ptag:	what each entry of @pfd is (SERVE_TAG_* | index)
 * @npfd:	entries in @pfd
 * @sigq:	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1
 * @now:	monotonic ms at the top of this turn of the loop
 * @next_age:	when the switch ages its table next
 * @gone_sw:	the switch's counters of ports that have gone
 * @gone_io:	the I/O counters of ports that have gone
 * @refused:	connections and datagram peers refused (port limit)
 * @resets:	stream ports reset for a length outside 14..65535
 * @closed:	ports that went away (any cause)
 * @unnamed:	datagrams from an unbound peer (no address to answer)
 * @last_refused: the datagram peer told last that it was refused
 * @last_refused_len: its address's length
 * @last_refused_at: when (ms)
 * @retry_due:	the earliest retry_at of a datagram port whose peer was
 *		full, UINT64_MAX for none
 * @stop:	a terminating signal arrived
 * @now_ns:	@now in ns, the rate limiters' clock
 * @rate_due:	the earliest deadline of a port's limiter holding frames
 *		back, UINT64_MAX for none (ms)
 * @nthrottled:	ports whose limiter held frames back last turn
 * @cap:	the whole network's capture point (every frame the switch
 *		takes: from the uplink as rx, from VMs as tx)
 * @ctl:	the control socket (--control), or NULL
 * @ctl_first:	index in @pfd of its first entry
 * @ctl_n:	its entries
 * @next_stats:	when the next stats lines are due (ms), 0: never
 * @limits:	a port has had rate limits (the loop looks for held frames)
 * @pol_rules:	each listener's own policy rules, NULL: serve's
 * @pol_env:	what every port's engine knows of the uplink's DNS and
 *		gateway before DHCP says more (a TAP uplink's --host-addr)
 * @gone_denied: policy denials of the ports that have gone
 * @pol_reply:	a denial's reply to the port
 * @pol_net:	a denial's frame for the network
 * @pol_heard:	what the uplink's last DHCP answer to a port announced
 *		(with a control socket: for engines made at run time)
 * @gso_buf:	SQN_GSO_OUT_MAX bytes: a frame from an offload port cut
 *		into plain segments (valid until the next frame is cut)
 * @gso_seg:	SQN_GSO_SEGS_MAX segments in it
 * @gso_refused: frames from offload ports that could not be cut (bad
 *		headers, unsupported GSO types): dropped for plain ports
 */
struct serve {
	const struct serve_opts *o;
	struct sqn_sw sw;
	uint16_t *dport;
	struct sqn_sw_dest dest;
	struct sqn_iface *up;
	uint32_t up_max;
	uint8_t *up_buf;
	struct sqn_frame up_rx[SQN_BATCH];
	struct sqn_frame up_tx[SQN_BATCH];
	unsigned up_ntx;
	uint64_t up_refused;
	struct serve_listener lis[SERVE_MAX_LISTEN];
	unsigned nlis;
	struct serve_port *port;
	uint32_t port_cap;
	unsigned next_id;
	unsigned nports;
	unsigned peak;
	uint64_t serial;
	uint16_t *dirty;
	unsigned ndirty;
	uint8_t *msgbuf;
	struct pollfd *pfd;
	uint32_t *ptag;
	unsigned npfd;
	struct relay_sigq sigq;
	uint64_t now;
	uint64_t next_age;
	struct sqn_sw_port_stats gone_sw;
	struct serve_port_stats gone_io;
	uint64_t refused;
	uint64_t resets;
	uint64_t closed;
	uint64_t unnamed;
	struct sockaddr_un last_refused;
	socklen_t last_refused_len;
	uint64_t last_refused_at;
	uint64_t retry_due;
	bool stop;
	uint64_t now_ns;
	uint64_t rate_due;
	unsigned nthrottled;
	struct sqn_cap cap;
	struct ctl_server *ctl;
	unsigned ctl_first;
	unsigned ctl_n;
	uint64_t next_stats;
	bool limits;
	struct sqn_policy_rules *pol_rules[SERVE_MAX_LISTEN];
	struct sqn_policy_env pol_env;
	uint64_t gone_denied;
	uint8_t pol_reply[SQN_POLICY_REPLY_MAX];
	uint8_t pol_net[SQN_POLICY_REPLY_MAX];
	struct sqn_policy_env pol_heard;
	uint8_t *gso_buf;
	struct sqn_gso_seg *gso_seg;
	uint64_t gso_refused;
};

/* serve_loop.c */
int serve_loop(struct serve *s);
void serve_close_port(struct serve *s, struct serve_port *p, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));

/* serve_ctl.c: the control socket, stats lines, captures */
struct ctl_server;
int serve_ctl_open(struct serve *s, char *err, size_t errlen);
void serve_ctl_close(struct serve *s);
void serve_stats_lines(struct serve *s, FILE *f);
void serve_capture_frame(struct sqn_cap *c, unsigned dir, const uint8_t *f,
			 uint32_t len);
void serve_dirty_add(struct serve *s, struct serve_port *p);

/* serve_policy.c */
int serve_policy_start(struct serve *s, char *err, size_t errlen);
void serve_policy_stop(struct serve *s);
int serve_policy_port_open(struct serve *s, struct serve_port *p, char *why,
			   size_t whylen);
void serve_policy_port_close(struct serve *s, struct serve_port *p);
bool serve_policy_tx(struct serve *s, unsigned in, const uint8_t *f,
		     uint32_t len, uint32_t *net_len);
bool serve_policy_rx(struct serve *s, unsigned d, const uint8_t *f,
		     uint32_t len);
void serve_policy_heard(struct serve *s, const uint8_t *f, uint32_t len);
int serve_policy_port_set(struct serve *s, struct serve_port *p,
			  const char *const *rules, unsigned n, char *field,
			  char *err, size_t errlen);
void serve_policy_print(const struct serve_port *p, FILE *f);
uint64_t serve_policy_denied(const struct serve *s);

/* serve_stats.c */
void serve_print_stats(struct serve *s, FILE *f);
uint64_t serve_stats_total(struct serve *s, struct sqn_sw_port_stats *sw,
			   struct serve_port_stats *io);
void serve_stats_add(struct sqn_sw_port_stats *sw, struct serve_port_stats *io,
		     const struct sqn_sw_port_stats *a,
		     const struct serve_port_stats *b);

#endif /* SQN_SERVE_H */
