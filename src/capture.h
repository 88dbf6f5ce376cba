/* SPDX-License-Identifier: Apache-2.0 */
/*
 * capture.h - packet capture to a pcap file, off the frame path
 *
 * The frame path adds frames (sqn_cap_add()) to a bounded byte buffer,
 * already laid out as pcap records; a writer thread drains the buffer to
 * the file. Adding never waits on the disk: a frame that does not fit the
 * buffer is counted as dropped and the caller carries on; a frame the file
 * refuses (a full disk: ENOSPC, or EIO) is counted as lost, and the file is
 * cut back to its last whole record so it stays readable. Any number of
 * threads may add at once (a VMM's reader and writer threads); they share
 * one short lock, held for the copy of one frame, never across a write.
 *
 * The file is classic pcap (tcpdump -r, Wireshark): LINKTYPE_ETHERNET,
 * microsecond or nanosecond timestamps, the frame from its Ethernet header
 * (a virtio-net header travels beside it in struct sqn_frame.vnet and is
 * not written). Classic pcap has no direction field: both directions go
 * into one file, or one of them (config.dirs).
 *
 * Start and stop may come from a control thread while frames flow. The
 * struct lives as long as its owner (an interface, a serve port); only the
 * buffer, the file and the thread come and go, so a frame path that sees
 * a capture stopping finds the struct still there.
 *
 * Where the core is to hook it (issue 14's proposal): struct sqn_iface
 * embeds one (init at allocation, destroy at free, stop at
 * sqn_iface_stop()); sqn_iface_read() offers each frame it returns as RX
 * where it counts rx_frames (after the rate limiter), sqn_iface_write()
 * each frame the backend took as TX where it counts tx_frames; so a
 * capture holds exactly the frames the counters count, less its own
 * dropped and lost. When no capture runs that costs one relaxed load per
 * call (sqn_cap_on()).
 */
#ifndef SQN_CAPTURE_H
#define SQN_CAPTURE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** SQN_CAP_RX - frames toward the guest (what sqn_iface_read() returns) */
#define SQN_CAP_RX 1u
/** SQN_CAP_TX - frames from the guest (what sqn_iface_write() took) */
#define SQN_CAP_TX 2u
/** SQN_CAP_BOTH - both directions */
#define SQN_CAP_BOTH (SQN_CAP_RX | SQN_CAP_TX)

/** SQN_CAP_SNAPLEN_DEFAULT - bytes kept of a frame unless told: all */
#define SQN_CAP_SNAPLEN_DEFAULT 65535u
/** SQN_CAP_SNAPLEN_MIN - the Ethernet header at least */
#define SQN_CAP_SNAPLEN_MIN 14u
/** SQN_CAP_SNAPLEN_MAX - libpcap's MAXIMUM_SNAPLEN */
#define SQN_CAP_SNAPLEN_MAX 262144u
/** SQN_CAP_BUF_DEFAULT - buffer between frame path and writer thread */
#define SQN_CAP_BUF_DEFAULT (4u << 20)
/** SQN_CAP_BUF_MAX - largest buffer */
#define SQN_CAP_BUF_MAX (1u << 30)
/** SQN_CAP_REC_HDR - bytes of a pcap record header */
#define SQN_CAP_REC_HDR 16u
/** SQN_CAP_FILE_HDR - bytes of the pcap file header */
#define SQN_CAP_FILE_HDR 24u
/** SQN_CAP_MAGIC_USEC - pcap magic, microsecond timestamps */
#define SQN_CAP_MAGIC_USEC 0xa1b2c3d4u
/** SQN_CAP_MAGIC_NSEC - pcap magic, nanosecond timestamps */
#define SQN_CAP_MAGIC_NSEC 0xa1b23c4du
/** SQN_CAP_LINKTYPE_ETHERNET - LINKTYPE_ETHERNET (DLT_EN10MB) */
#define SQN_CAP_LINKTYPE_ETHERNET 1u

/**
 * struct sqn_cap_config - what sqn_cap_start() needs; zero means default
 * @path:	the file: created 0600, or truncated; a FIFO needs a reader
 * @snaplen:	bytes kept of each frame, SQN_CAP_SNAPLEN_MIN..MAX;
 *		0: SQN_CAP_SNAPLEN_DEFAULT
 * @buf_bytes:	buffer size, at least one whole record of @snaplen bytes,
 *		at most SQN_CAP_BUF_MAX; 0: SQN_CAP_BUF_DEFAULT
 * @dirs:	SQN_CAP_RX, SQN_CAP_TX or both; 0: both
 * @nsec:	nanosecond timestamps (else microseconds)
 */
struct sqn_cap_config {
	const char *path;
	uint32_t snaplen;
	uint32_t buf_bytes;
	unsigned dirs;
	bool nsec;
};

/**
 * struct sqn_cap_stats - counters of the running (or last) capture
 * @frames:	frames taken into the buffer
 * @bytes:	bytes of them kept (after the snap length)
 * @dropped:	frames that did not fit the buffer: not captured
 * @lost:	frames taken but not in the file: the file refused them
 * @written:	frames in the file
 * @error:	the last error writing the file, a negative errno; 0 if none
 *
 * Once stopped: frames = written + lost.
 */
struct sqn_cap_stats {
	uint64_t frames;
	uint64_t bytes;
	uint64_t dropped;
	uint64_t lost;
	uint64_t written;
	int error;
};

/**
 * struct sqn_cap - one capture point (an interface, a port, a network)
 * @on:		hint for the frame path, read without the lock: false means
 *		nothing to do
 * @lock:	guards everything below
 * @cond:	wakes the writer thread
 * @accepting:	frames are taken (under @lock: the authority over @on)
 * @running:	a writer thread exists
 * @stopping:	the writer drains what is left and exits
 * @waiting:	the writer sleeps on @cond
 * @buf:	the buffer, @size bytes, pcap records back to back, circular
 * @size:	its size
 * @head:	bytes ever added (the next record goes at @head % @size)
 * @tail:	bytes ever drained by the writer
 * @fd:		the file
 * @path:	its name (for messages), allocated
 * @snaplen:	bytes kept of a frame
 * @dirs:	directions captured
 * @nsec:	nanosecond timestamps
 * @thread:	the writer thread
 * @st:		counters
 */
struct sqn_cap {
	atomic_bool on;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool accepting;
	bool running;
	bool stopping;
	bool waiting;
	uint8_t *buf;
	uint64_t size;
	uint64_t head;
	uint64_t tail;
	int fd;
	char *path;
	uint32_t snaplen;
	unsigned dirs;
	bool nsec;
	pthread_t thread;
	struct sqn_cap_stats st;
};

int sqn_cap_init(struct sqn_cap *c);
void sqn_cap_destroy(struct sqn_cap *c);
int sqn_cap_start(struct sqn_cap *c, const struct sqn_cap_config *cfg,
		  char *err, size_t errlen);
int sqn_cap_stop(struct sqn_cap *c, struct sqn_cap_stats *final);
int sqn_cap_add(struct sqn_cap *c, unsigned dir, const void *data, uint32_t len,
		uint64_t ts_ns);
void sqn_cap_stats(struct sqn_cap *c, struct sqn_cap_stats *out);
bool sqn_cap_running(struct sqn_cap *c);
void sqn_cap_file_header(uint8_t out[SQN_CAP_FILE_HDR], uint32_t snaplen,
			 bool nsec);

/**
 * sqn_cap_on() - whether frames should be offered (cheap, no lock)
 * @c:	the capture point
 *
 * Return: true while a capture may take frames; sqn_cap_add() decides
 */
static inline bool sqn_cap_on(struct sqn_cap *c)
{
	return atomic_load_explicit(&c->on, memory_order_relaxed);
}

#endif /* SQN_CAPTURE_H */
