/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire.c - frame codecs for helper sockets: u32-BE, u16-LE, datagram
 *
 * Theory of operation: the stream decoder works in place over one receive
 * buffer the caller owns (sized for a large read plus one maximal frame, or
 * larger, to read ahead of what is taken). The caller asks for free space
 * (sqn_wire_dec_space()), reads into it, commits what it read, then takes
 * frames (sqn_wire_dec_next()) whenever it likes. Frames are returned as
 * pointers into the buffer: no copy here. A read may end at any byte, in a
 * header or in a frame; each commit walks the headers received, so the
 * decoder always knows where the first incomplete frame starts (@scan).
 *
 * When the space after the last byte runs short, only that incomplete frame
 * moves (one memmove of less than one frame): to the front of the buffer
 * with whatever else is pending when no whole frame waits (a caller that
 * takes every frame before reading again always finds room for a whole
 * frame), or, when whole frames wait to be taken, to the front as the start
 * of a second region that reads fill while the first is taken (a
 * bipartite buffer: the whole frames never move). Once the first region is
 * taken, the second is the only one. The buffer is full (no space) only
 * when whole frames not yet taken leave no room.
 *
 * Lengths come from an untrusted peer: anything outside SQN_FRAME_MIN..max
 * is refused with -EPROTO and the offending length, and the decoder stays
 * in that error until reset: a stream that lost its framing cannot be
 * trusted again, so the caller resets the connection.
 *
 * The encoder fills an iovec array (header, frame, header, frame...) so that
 * many frames leave in one writev()/sendmsg(), and after a short write
 * advances past exactly the bytes sent, saying how many frames completed.
 */
#include <errno.h>
#include <string.h>

#include "squibnet.h"
#include "wire.h"

/**
 * sqn_wire_hdr_len() - bytes of header before each frame
 * @kind:	the framing
 *
 * Return: 4, 2, or 0 for datagrams
 */
uint32_t sqn_wire_hdr_len(enum sqn_wire_kind kind)
{
	switch (kind) {
	case SQN_WIRE_U32BE:
		return 4;
	case SQN_WIRE_U16LE:
		return 2;
	default:
		return 0;
	}
}

/**
 * sqn_wire_max() - the largest frame a framing can carry
 * @kind:	the framing
 *
 * Return: bytes: SQN_FRAME_MAX for every framing (a u32 length could say
 * more, but no frame is larger)
 */
uint32_t sqn_wire_max(enum sqn_wire_kind kind)
{
	/* every framing's cap is the public one: see wire.h */
	_Static_assert(SQN_WIRE_MAX_U32 == SQN_FRAME_MAX &&
			       SQN_WIRE_MAX_U16 == SQN_FRAME_MAX &&
			       SQN_WIRE_MAX_DGRAM == SQN_FRAME_MAX,
		       "no framing carries more than SQN_FRAME_MAX");
	(void)kind;
	return SQN_FRAME_MAX;
}

/**
 * sqn_wire_name() - a framing's name, for messages
 * @kind:	the framing
 *
 * Return: a static string
 */
const char *sqn_wire_name(enum sqn_wire_kind kind)
{
	switch (kind) {
	case SQN_WIRE_U32BE:
		return "u32-BE stream";
	case SQN_WIRE_U16LE:
		return "u16-LE stream";
	default:
		return "datagram";
	}
}

/**
 * sqn_wire_put_hdr() - write the length header of a frame
 * @kind:	the framing
 * @len:	frame length, at most sqn_wire_max(@kind)
 * @hdr:	gets sqn_wire_hdr_len(@kind) bytes
 *
 * Return: header length
 */
uint32_t sqn_wire_put_hdr(enum sqn_wire_kind kind, uint32_t len, uint8_t *hdr)
{
	switch (kind) {
	case SQN_WIRE_U32BE:
		hdr[0] = (uint8_t)(len >> 24);
		hdr[1] = (uint8_t)(len >> 16);
		hdr[2] = (uint8_t)(len >> 8);
		hdr[3] = (uint8_t)len;
		return 4;
	case SQN_WIRE_U16LE:
		hdr[0] = (uint8_t)len;
		hdr[1] = (uint8_t)(len >> 8);
		return 2;
	default:
		return 0;
	}
}

/**
 * get_len() - read a length header
 * @kind:	stream framing
 * @p:		header bytes
 *
 * Return: the length
 */
static uint32_t get_len(enum sqn_wire_kind kind, const uint8_t *p)
{
	if (kind == SQN_WIRE_U32BE)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		       (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

/**
 * sqn_wire_dec_init() - set up a decoder over a buffer
 * @d:		the decoder
 * @kind:	the framing
 * @max:	largest frame accepted, SQN_FRAME_MIN..sqn_wire_max(@kind)
 * @buf:	receive buffer
 * @cap:	its size: at least header + @max
 *
 * Return: 0, or -EINVAL for a @max or @cap that cannot work
 */
int sqn_wire_dec_init(struct sqn_wire_dec *d, enum sqn_wire_kind kind,
		      uint32_t max, uint8_t *buf, uint32_t cap)
{
	memset(d, 0, sizeof(*d));
	if (kind > SQN_WIRE_DGRAM || max < SQN_FRAME_MIN ||
	    max > sqn_wire_max(kind) + (kind == SQN_WIRE_U32BE
						? SQN_WIRE_VNET_EXTRA
						: 0) ||
	    !buf ||
	    cap < sqn_wire_hdr_len(kind) + max + (kind == SQN_WIRE_DGRAM))
		return -EINVAL;
	d->kind = kind;
	d->hlen = sqn_wire_hdr_len(kind);
	d->max = max;
	d->buf = buf;
	d->cap = cap;
	return 0;
}

/**
 * sqn_wire_dec_reset() - forget everything received (connection reset)
 * @d:	the decoder
 */
void sqn_wire_dec_reset(struct sqn_wire_dec *d)
{
	d->start = 0;
	d->end = 0;
	d->scan = 0;
	d->wrap = 0;
	d->wrapped = false;
}

/**
 * sqn_wire_dec_space() - where the next read goes
 * @d:		the decoder
 * @room:	gets the free bytes there: at least one whole frame's worth
 *		when no whole frame waits to be taken; 0 when the buffer is
 *		full of frames not yet taken
 *
 * Moves the trailing incomplete frame when the space after it could not
 * take a whole frame (see the theory of operation). For datagrams the
 * buffer must have been drained: every message starts at the front.
 *
 * Return: the free space, NULL when @room is 0
 */
uint8_t *sqn_wire_dec_space(struct sqn_wire_dec *d, uint32_t *room)
{
	uint32_t need = d->hlen + d->max, part;

	if (d->wrapped) { /* reads fill the second region, up to the first */
		*room = d->start - d->end;
		return *room ? d->buf + d->end : NULL;
	}
	if (d->end == d->start) {
		d->start = d->end = d->scan = 0;
	} else if (d->kind == SQN_WIRE_DGRAM && d->start) {
		memmove(d->buf, d->buf + d->start, d->end - d->start);
		d->end -= d->start;
		d->start = 0;
	} else if (d->kind != SQN_WIRE_DGRAM && d->start &&
		   d->cap - d->end < need) {
		part = d->end - d->scan;
		if (d->scan == d->start) {
			/* no whole frame waits: all of it to the front */
			memmove(d->buf, d->buf + d->start, part);
			d->start = d->scan = 0;
			d->end = part;
		} else if (part + need <= d->start) {
			/* whole frames wait and stay: the incomplete one
			 * starts the second region */
			memmove(d->buf, d->buf + d->scan, part);
			d->wrap = d->scan;
			d->wrapped = true;
			d->scan = 0;
			d->end = part;
			*room = d->start - d->end;
			return d->buf + d->end;
		}
	}
	*room = d->cap - d->end;
	return *room ? d->buf + d->end : NULL;
}

/**
 * dec_scan() - move @d->scan past the whole frames received
 * @d:	the decoder, a stream
 *
 * Stops at an incomplete frame, or at a length outside SQN_FRAME_MIN..max
 * (which sqn_wire_dec_peek() reports once the frames before it are taken).
 */
static void dec_scan(struct sqn_wire_dec *d)
{
	uint32_t n;

	while (d->end - d->scan >= d->hlen) {
		n = get_len(d->kind, d->buf + d->scan);
		if (n < SQN_FRAME_MIN || n > d->max ||
		    d->end - d->scan - d->hlen < n)
			break;
		d->scan += d->hlen + n;
	}
}

/**
 * sqn_wire_dec_commit() - account for bytes read into the space
 * @d:	the decoder
 * @n:	bytes read, at most the room sqn_wire_dec_space() gave
 */
void sqn_wire_dec_commit(struct sqn_wire_dec *d, uint32_t n)
{
	uint32_t lim = d->wrapped ? d->start : d->cap;

	if (n > lim - d->end)
		n = lim - d->end;
	d->end += n;
	if (d->kind != SQN_WIRE_DGRAM)
		dec_scan(d);
}

/**
 * sqn_wire_dgram_check() - whether a datagram's length is a frame's
 * @len:	message length
 * @max:	largest frame accepted
 *
 * Return: 0, or -EPROTO
 */
int sqn_wire_dgram_check(uint32_t len, uint32_t max)
{
	return (len < SQN_FRAME_MIN || len > max) ? -EPROTO : 0;
}

/**
 * sqn_wire_dec_peek() - the length of the next whole frame, left in place
 * @d:		the decoder
 * @len:	gets its length; on -EPROTO, the bad length the peer sent
 *
 * Lets a reader check that a frame fits where it would go before taking it
 * with sqn_wire_dec_next(), which returns the same.
 *
 * Return: 1 when a whole frame is there, 0 when more bytes are needed,
 * -EPROTO for a length outside SQN_FRAME_MIN..max
 */
int sqn_wire_dec_peek(const struct sqn_wire_dec *d, uint32_t *len)
{
	uint32_t pend = (d->wrapped ? d->wrap : d->end) - d->start, n;

	if (d->kind == SQN_WIRE_DGRAM) {
		if (!pend)
			return 0;
		*len = pend;
		return sqn_wire_dgram_check(pend, d->max) ? -EPROTO : 1;
	}
	if (pend < d->hlen)
		return 0;
	n = get_len(d->kind, d->buf + d->start);
	if (n < SQN_FRAME_MIN || n > d->max) {
		*len = n;
		return -EPROTO;
	}
	if (pend - d->hlen < n)
		return 0;
	*len = n;
	return 1;
}

/**
 * sqn_wire_dec_next() - take the next whole frame
 * @d:		the decoder
 * @frame:	gets a pointer to the frame, in the buffer, valid until the
 *		next sqn_wire_dec_space()
 * @len:	gets its length; on -EPROTO, the bad length the peer sent
 *
 * For datagrams, everything committed since the last call is one frame.
 *
 * Return: 1 with a frame, 0 when more bytes are needed, -EPROTO for a
 * length outside SQN_FRAME_MIN..max (the decoder keeps refusing until
 * sqn_wire_dec_reset())
 */
int sqn_wire_dec_next(struct sqn_wire_dec *d, const uint8_t **frame,
		      uint32_t *len)
{
	int rc = sqn_wire_dec_peek(d, len);

	if (d->kind == SQN_WIRE_DGRAM) {
		if (rc) { /* a bad message is consumed too */
			*frame = d->buf + d->start;
			d->start = d->end;
		}
		return rc;
	}
	if (rc == 1) {
		*frame = d->buf + d->start + d->hlen;
		d->start += d->hlen + *len;
		if (d->wrapped && d->start == d->wrap) {
			/* the first region is taken: the second is the only
			 * one (the frame stays valid: nothing moved) */
			d->start = 0;
			d->wrapped = false;
		}
	}
	return rc;
}

/**
 * sqn_wire_enc_init() - an empty batch of outgoing frames
 * @e:		the encoder
 * @kind:	framing
 * @iov:	room for 2 * @maxf iovecs
 * @hdr:	room for @maxf headers
 * @frame_end:	room for @maxf indices
 * @maxf:	most frames per batch, at most 32767
 */
void sqn_wire_enc_init(struct sqn_wire_enc *e, enum sqn_wire_kind kind,
		       struct iovec *iov, uint8_t (*hdr)[SQN_WIRE_HDR_MAX],
		       uint16_t *frame_end, unsigned maxf)
{
	memset(e, 0, sizeof(*e));
	e->iov = iov;
	e->hdr = hdr;
	e->frame_end = frame_end;
	e->maxf = maxf;
	e->kind = kind;
}

/**
 * sqn_wire_enc_add() - append a frame (header and bytes)
 * @e:		the encoder
 * @data:	the frame; must stay valid until sent
 * @len:	its length, 1..sqn_wire_max()
 *
 * Return: false when the batch is full
 */
bool sqn_wire_enc_add(struct sqn_wire_enc *e, const void *data, uint32_t len)
{
	uint32_t h;

	if (e->nframes >= e->maxf)
		return false;
	h = sqn_wire_put_hdr(e->kind, len, e->hdr[e->nframes]);
	if (h)
		e->iov[e->niov++] = (struct iovec){
			.iov_base = e->hdr[e->nframes], .iov_len = h};
	e->iov[e->niov++] =
		(struct iovec){.iov_base = (void *)data, .iov_len = len};
	e->frame_end[e->nframes++] = (uint16_t)(e->niov - 1);
	return true;
}

/**
 * sqn_wire_enc_add_raw() - append bytes already framed, as one frame
 * @e:		the encoder
 * @data:	header and frame as they go on the wire (or what is left)
 * @len:	their length, at least 1
 *
 * Return: false when the batch is full
 */
bool sqn_wire_enc_add_raw(struct sqn_wire_enc *e, const void *data,
			  uint32_t len)
{
	if (e->nframes >= e->maxf)
		return false;
	e->iov[e->niov++] =
		(struct iovec){.iov_base = (void *)data, .iov_len = len};
	e->frame_end[e->nframes++] = (uint16_t)(e->niov - 1);
	return true;
}

/**
 * sqn_wire_enc_add_head() - append a frame behind a head the caller built
 * @e:		the encoder
 * @head:	the framing header and what goes between it and the frame
 *		(a virtio-net header); counted in the header's length, which
 *		the caller wrote; must stay valid until sent
 * @hlen:	bytes of @head, at least 1
 * @data:	the frame; must stay valid until sent
 * @len:	its length, at least 1
 *
 * Return: false when the batch is full
 */
bool sqn_wire_enc_add_head(struct sqn_wire_enc *e, const void *head,
			   uint32_t hlen, const void *data, uint32_t len)
{
	if (e->nframes >= e->maxf)
		return false;
	e->iov[e->niov++] =
		(struct iovec){.iov_base = (void *)head, .iov_len = hlen};
	e->iov[e->niov++] =
		(struct iovec){.iov_base = (void *)data, .iov_len = len};
	e->frame_end[e->nframes++] = (uint16_t)(e->niov - 1);
	return true;
}

/**
 * sqn_wire_enc_advance() - account for @n bytes sent
 * @e:	the encoder
 * @n:	bytes the write took, at most what remained
 *
 * Return: frames completed by these bytes
 */
unsigned sqn_wire_enc_advance(struct sqn_wire_enc *e, size_t n)
{
	unsigned before = e->done;
	size_t k;

	while (n && e->first < e->niov) {
		struct iovec *v = &e->iov[e->first];

		k = n < v->iov_len ? n : v->iov_len;
		v->iov_base = (uint8_t *)v->iov_base + k;
		v->iov_len -= k;
		n -= k;
		e->part += k;
		if (v->iov_len)
			break;
		if (e->first == e->frame_end[e->done]) {
			e->done++;
			e->part = 0;
		}
		e->first++;
	}
	/* zero-length iovecs left at the front complete nothing more */
	return e->done - before;
}

/**
 * sqn_wire_enc_partial() - bytes of the first unfinished frame already sent
 * @e:	the encoder
 *
 * Return: bytes (header included); 0 when it has not started
 */
size_t sqn_wire_enc_partial(const struct sqn_wire_enc *e)
{
	return e->part;
}
