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

#include "opts.h"
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

/**
 * struct serve_listen_opt - one --listen
 * @url:	the URL as given, without its options
 * @kind:	stream, datagram or seqpacket
 * @path:	the socket file
 * @isolate:	its ports are isolated
 * @pin:	its ports' MAC pin
 * @mac:	SQN_SW_PIN_MAC: the MAC
 */
struct serve_listen_opt {
	char url[SQN_URL_PATH_MAX + 16];
	enum sqn_url_kind kind;
	char path[SQN_URL_PATH_MAX + 1];
	bool isolate;
	enum sqn_sw_pin pin;
	uint8_t mac[6];
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
 * @drop_error:	frames for it dropped: the send failed
 * @bad_frames:	datagrams or messages from it that were no frame (runt,
 *		oversized), dropped
 * @lost:	frames still queued for it when it went away
 *
 * Every frame the switch sent to a port is accounted for once:
 * fwd_frames (struct sqn_sw_port_stats) = out_frames + drop_queue +
 * drop_error + lost + what is queued now.
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
 * @st:		counters
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
	struct serve_port_stats st;
};

/* serve_port.c */
int serve_port_open(struct serve_port *p, struct serve_listener *l, int fd,
		    const struct sockaddr_un *peer, socklen_t peerlen);
void serve_port_close(struct serve_port *p);
bool serve_port_queue(struct serve_port *p, const uint8_t *frame, uint32_t len);
int serve_port_flush(struct serve_port *p);
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
};

/* serve_loop.c */
int serve_loop(struct serve *s);
void serve_close_port(struct serve *s, struct serve_port *p, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));

/* serve_stats.c */
void serve_print_stats(struct serve *s, FILE *f);
void serve_stats_add(struct sqn_sw_port_stats *sw, struct serve_port_stats *io,
		     const struct sqn_sw_port_stats *a,
		     const struct serve_port_stats *b);

#endif /* SQN_SERVE_H */
