/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire.h - frame codecs for helper sockets (pure: no I/O)
 *
 * Three framings carry Ethernet frames between squib-net and a helper:
 * a u32 big-endian length before each frame (qemu stream: passt, gvproxy
 * -listen-qemu), a u16 little-endian length (gvproxy -listen-stdio), and
 * datagrams, one frame per message (vfkit unixgram, bess seqpacket).
 */
#ifndef SQN_WIRE_H
#define SQN_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/**
 * enum sqn_wire_kind - a framing
 * @SQN_WIRE_U32BE:	u32 big-endian length, then the frame (stream)
 * @SQN_WIRE_U16LE:	u16 little-endian length, then the frame (stream)
 * @SQN_WIRE_DGRAM:	one frame per message, no header
 */
enum sqn_wire_kind {
	SQN_WIRE_U32BE = 0,
	SQN_WIRE_U16LE,
	SQN_WIRE_DGRAM,
};

/*
 * The largest frame each framing carries. A u32 length could say more, but
 * no frame is ever larger than SQN_FRAME_MAX (the public promise a caller
 * sizes its buffers by): a longer length is a protocol violation.
 */
#define SQN_WIRE_MAX_U32 65535u
#define SQN_WIRE_MAX_U16 65535u
#define SQN_WIRE_MAX_DGRAM 65535u
/*
 * A u32-BE record may hold a 12-byte virtio-net header before the frame
 * (socket mode with offloads, squib-net serve: doc/offload.md): its
 * decoder takes lengths up to SQN_FRAME_MAX plus this.
 */
#define SQN_WIRE_VNET_EXTRA 12u
/* Longest header of any framing */
#define SQN_WIRE_HDR_MAX 4u

/**
 * struct sqn_wire_dec - in-place stream decoder over a receive buffer
 * @kind:	SQN_WIRE_U32BE or SQN_WIRE_U16LE (DGRAM: one frame per fill)
 * @hlen:	header length of @kind
 * @max:	largest frame accepted
 * @buf:	the receive buffer (owned by the caller)
 * @cap:	its size, at least @hlen + @max
 * @start:	offset of the first byte not yet taken
 * @end:	offset past the last byte received
 * @scan:	offset of the first incomplete frame (streams): bytes from
 *		@start (or 0, when @wrapped) to here are whole frames
 * @wrap:	while @wrapped, where the first region ends: frames are taken
 *		from @start to here, then from 0; reads go from @end to @start
 * @wrapped:	a second region at the front of the buffer holds what was
 *		received after the first (see wire.c)
 */
struct sqn_wire_dec {
	enum sqn_wire_kind kind;
	uint32_t hlen;
	uint32_t max;
	uint8_t *buf;
	uint32_t cap;
	uint32_t start;
	uint32_t end;
	uint32_t scan;
	uint32_t wrap;
	bool wrapped;
};

/**
 * struct sqn_wire_enc - outgoing frames as an iovec array
 * @iov:	what remains to send, from @iov[@first] to @iov[@niov - 1]
 * @hdr:	header bytes, one per frame
 * @frame_end:	index in @iov of each frame's last iovec
 * @niov:	iovecs built
 * @first:	first iovec not fully sent
 * @nframes:	frames added
 * @done:	frames fully sent
 * @maxf:	capacity in frames
 * @part:	bytes of frame @done already sent
 * @kind:	framing
 */
struct sqn_wire_enc {
	struct iovec *iov;
	uint8_t (*hdr)[SQN_WIRE_HDR_MAX];
	uint16_t *frame_end;
	unsigned niov;
	unsigned first;
	unsigned nframes;
	unsigned done;
	unsigned maxf;
	size_t part;
	enum sqn_wire_kind kind;
};

uint32_t sqn_wire_hdr_len(enum sqn_wire_kind kind);
uint32_t sqn_wire_max(enum sqn_wire_kind kind);
const char *sqn_wire_name(enum sqn_wire_kind kind);
uint32_t sqn_wire_put_hdr(enum sqn_wire_kind kind, uint32_t len, uint8_t *hdr);

int sqn_wire_dec_init(struct sqn_wire_dec *d, enum sqn_wire_kind kind,
		      uint32_t max, uint8_t *buf, uint32_t cap);
void sqn_wire_dec_reset(struct sqn_wire_dec *d);
uint8_t *sqn_wire_dec_space(struct sqn_wire_dec *d, uint32_t *room);
void sqn_wire_dec_commit(struct sqn_wire_dec *d, uint32_t n);
int sqn_wire_dec_peek(const struct sqn_wire_dec *d, uint32_t *len);
int sqn_wire_dec_next(struct sqn_wire_dec *d, const uint8_t **frame,
		      uint32_t *len);
int sqn_wire_dgram_check(uint32_t len, uint32_t max);

/**
 * sqn_wire_dec_pending() - bytes received but not yet decoded
 * @d:	the decoder
 *
 * Return: bytes of a partial frame (or of complete frames not yet taken)
 */
static inline uint32_t sqn_wire_dec_pending(const struct sqn_wire_dec *d)
{
	return d->wrapped ? d->wrap - d->start + d->end : d->end - d->start;
}

void sqn_wire_enc_init(struct sqn_wire_enc *e, enum sqn_wire_kind kind,
		       struct iovec *iov, uint8_t (*hdr)[SQN_WIRE_HDR_MAX],
		       uint16_t *frame_end, unsigned maxf);
bool sqn_wire_enc_add(struct sqn_wire_enc *e, const void *data, uint32_t len);
bool sqn_wire_enc_add_raw(struct sqn_wire_enc *e, const void *data,
			  uint32_t len);
bool sqn_wire_enc_add_head(struct sqn_wire_enc *e, const void *head,
			   uint32_t hlen, const void *data, uint32_t len);
unsigned sqn_wire_enc_advance(struct sqn_wire_enc *e, size_t n);
size_t sqn_wire_enc_partial(const struct sqn_wire_enc *e);

/**
 * sqn_wire_enc_iov() - the iovecs still to send
 * @e:		the encoder
 * @niov:	gets their number
 *
 * Return: the first of them
 */
static inline struct iovec *sqn_wire_enc_iov(struct sqn_wire_enc *e,
					     unsigned *niov)
{
	*niov = e->niov - e->first;
	return e->iov + e->first;
}

/**
 * sqn_wire_enc_ends() - where each frame still to send ends
 * @e:	the encoder
 * @n:	gets how many frames are left (the first may be partly sent; it
 *	starts at iovec e->first)
 *
 * Return: for each, the index in e->iov of its last iovec
 */
static inline const uint16_t *sqn_wire_enc_ends(const struct sqn_wire_enc *e,
						unsigned *n)
{
	*n = e->nframes - e->done;
	return e->frame_end + e->done;
}

#endif /* SQN_WIRE_H */
