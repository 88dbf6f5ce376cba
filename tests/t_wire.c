/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_wire.c - the wire codecs: every split point, many frames per buffer,
 *	      bad lengths, the max boundary (SQN_FRAME_MAX for every
 *	      framing), the encoder's partial writes, a reader that reads
 *	      ahead of what it takes, every byte compared
 */
#include <errno.h>

#include "check.h"
#include "squibnet.h"
#include "wire.h"

static uint8_t stream[600 * 9100 + 12 * 65540];
static uint8_t rxbuf[256 * 1024 + 70000];

static uint32_t build(enum sqn_wire_kind k, const uint32_t *lens, unsigned n)
{
	uint32_t off = 0, i, j;

	for (i = 0; i < n; i++) {
		off += sqn_wire_put_hdr(k, lens[i], stream + off);
		for (j = 0; j < lens[i]; j++)
			stream[off + j] = (uint8_t)(i * 31 + j);
		off += lens[i];
	}
	return off;
}

/*
 * frame_ok() - frame number @got of @n came out with @flen bytes at @fr:
 * 0 when its length is lens[got] and its bytes the pattern of build();
 * -2 for an extra frame or a wrong length, -3 for a wrong byte
 */
static int frame_ok(unsigned got, unsigned n, const uint32_t *lens,
		    const uint8_t *fr, uint32_t flen)
{
	uint32_t j;

	if (got >= n || flen != lens[got])
		return -2;
	for (j = 0; j < flen; j++)
		if (fr[j] != (uint8_t)(got * 31 + j))
			return -3;
	return 0;
}

/* Feed @len bytes of stream split at @split; check frames come out exact. */
static int feed(enum sqn_wire_kind k, uint32_t max, uint32_t total,
		uint32_t split, const uint32_t *lens, unsigned n)
{
	struct sqn_wire_dec d;
	const uint8_t *fr;
	uint32_t flen, room, pos = 0, chunk;
	unsigned got = 0;
	uint8_t *sp;
	int rc;

	if (sqn_wire_dec_init(&d, k, max, rxbuf, sizeof(rxbuf)))
		return -1;
	while (pos < total) {
		sp = sqn_wire_dec_space(&d, &room);
		chunk = pos < split ? split - pos : total - pos;
		if (chunk > room)
			chunk = room;
		memcpy(sp, stream + pos, chunk);
		sqn_wire_dec_commit(&d, chunk);
		pos += chunk;
		while ((rc = sqn_wire_dec_next(&d, &fr, &flen)) > 0) {
			int bad = frame_ok(got, n, lens, fr, flen);

			if (bad)
				return bad;
			got++;
		}
		if (rc < 0)
			return -4;
	}
	return sqn_wire_dec_pending(&d) ? -5 : (int)got;
}

static void every_split_point(void)
{
	static const uint32_t lens[] = {14, 60, 1514, 14, 300};
	enum sqn_wire_kind k;
	uint32_t total, s;

	for (k = SQN_WIRE_U32BE; k <= SQN_WIRE_U16LE; k++) {
		total = build(k, lens, 5);
		for (s = 0; s <= total; s++)
			CHECK_EQ(feed(k, 65535, total, s, lens, 5), 5);
	}
}

static void byte_by_byte(void)
{
	static const uint32_t lens[] = {14, 1514, 9000, 65535, 20};
	struct sqn_wire_dec d;
	enum sqn_wire_kind k;
	const uint8_t *fr;
	uint32_t total, i, j, room, flen;
	unsigned got, bad;
	uint8_t *sp;

	for (k = SQN_WIRE_U32BE; k <= SQN_WIRE_U16LE; k++) {
		total = build(k, lens, 5);
		ASSERT(!sqn_wire_dec_init(&d, k, 65535, rxbuf, 65535 + 4));
		got = 0;
		bad = 0;
		for (i = 0; i < total; i++) {
			sp = sqn_wire_dec_space(&d, &room);
			ASSERT(room >= 1);
			*sp = stream[i];
			sqn_wire_dec_commit(&d, 1);
			if (sqn_wire_dec_next(&d, &fr, &flen) == 1) {
				ASSERT(got < 5);
				CHECK_EQ(flen, lens[got]);
				for (j = 0; j < flen; j++)
					bad += fr[j] != (uint8_t)(got * 31 + j);
				got++;
			}
		}
		CHECK_EQ(got, 5);
		CHECK_EQ(bad, 0);
	}
}

static void many_frames_per_buffer(void)
{
	static uint32_t lens[200];
	enum sqn_wire_kind k;
	uint32_t total;
	unsigned i;

	for (i = 0; i < 200; i++)
		lens[i] = 14 + (i * 37) % 1000;
	for (k = SQN_WIRE_U32BE; k <= SQN_WIRE_U16LE; k++) {
		total = build(k, lens, 200);
		CHECK_EQ(feed(k, 65535, total, total, lens, 200), 200);
		CHECK_EQ(feed(k, 65535, total, 7777, lens, 200), 200);
	}
}

static int bad_len_of(enum sqn_wire_kind k, uint32_t len, uint32_t max,
		      uint32_t *got)
{
	struct sqn_wire_dec d;
	const uint8_t *fr;
	uint32_t room;
	uint8_t *sp;

	if (sqn_wire_dec_init(&d, k, max, rxbuf, sizeof(rxbuf)))
		return -EINVAL;
	sp = sqn_wire_dec_space(&d, &room);
	sqn_wire_put_hdr(k, len, sp);
	sqn_wire_dec_commit(&d, sqn_wire_hdr_len(k));
	return sqn_wire_dec_next(&d, &fr, got);
}

static void bad_lengths(void)
{
	uint32_t got = 0;

	CHECK_EQ(bad_len_of(SQN_WIRE_U32BE, 0, 65535, &got), -EPROTO);
	CHECK_EQ(got, 0);
	CHECK_EQ(bad_len_of(SQN_WIRE_U32BE, 13, 65535, &got), -EPROTO);
	CHECK_EQ(got, 13);
	CHECK_EQ(bad_len_of(SQN_WIRE_U32BE, 70000, 65535, &got), -EPROTO);
	CHECK_EQ(got, 70000);
	CHECK_EQ(bad_len_of(SQN_WIRE_U16LE, 0, 65535, &got), -EPROTO);
	CHECK_EQ(bad_len_of(SQN_WIRE_U16LE, 13, 65535, &got), -EPROTO);
	CHECK_EQ(got, 13);
	/* the error sticks until reset */
	{
		struct sqn_wire_dec d;
		const uint8_t *fr;
		uint32_t room, l;
		uint8_t *sp;

		ASSERT(!sqn_wire_dec_init(&d, SQN_WIRE_U32BE, 65535, rxbuf,
					  sizeof(rxbuf)));
		sp = sqn_wire_dec_space(&d, &room);
		sqn_wire_put_hdr(SQN_WIRE_U32BE, 5, sp);
		sqn_wire_dec_commit(&d, 4);
		CHECK_EQ(sqn_wire_dec_next(&d, &fr, &l), -EPROTO);
		CHECK_EQ(sqn_wire_dec_next(&d, &fr, &l), -EPROTO);
		sqn_wire_dec_reset(&d);
		CHECK_EQ(sqn_wire_dec_next(&d, &fr, &l), 0);
	}
}

static void max_boundary(void)
{
	uint32_t l1[] = {1500}, l2[] = {1501}, total, got;

	/* exactly max passes, max + 1 is refused */
	total = build(SQN_WIRE_U32BE, l1, 1);
	CHECK_EQ(feed(SQN_WIRE_U32BE, 1500, total, 3, l1, 1), 1);
	CHECK_EQ(bad_len_of(SQN_WIRE_U32BE, 1501, 1500, &got), -EPROTO);
	CHECK_EQ(got, 1501);
	total = build(SQN_WIRE_U16LE, l2, 1);
	CHECK_EQ(feed(SQN_WIRE_U16LE, 1500, total, 1, l2, 1), -4);
	/* SQN_FRAME_MAX passes on every framing; a u32 65536 is refused */
	CHECK_EQ(bad_len_of(SQN_WIRE_U32BE, 65535, 65535, &got), 0);
	CHECK_EQ(bad_len_of(SQN_WIRE_U16LE, 65535, 65535, &got), 0);
	CHECK_EQ(bad_len_of(SQN_WIRE_U32BE, 65536, 65535, &got), -EPROTO);
	CHECK_EQ(got, 65536);
	CHECK_EQ(bad_len_of(SQN_WIRE_U32BE, 65537, 65535, &got), -EPROTO);
	/* init refuses what the framing cannot carry */
	{
		struct sqn_wire_dec d;
		enum sqn_wire_kind k;

		for (k = SQN_WIRE_U32BE; k <= SQN_WIRE_DGRAM; k++) {
			/* u32-BE: a virtio-net header may come first */
			uint32_t x =
				k == SQN_WIRE_U32BE ? SQN_WIRE_VNET_EXTRA : 0;

			CHECK_EQ(sqn_wire_max(k), SQN_FRAME_MAX);
			CHECK_EQ(sqn_wire_dec_init(&d, k, SQN_FRAME_MAX + x + 1,
						   rxbuf, sizeof(rxbuf)),
				 -EINVAL);
			CHECK_EQ(sqn_wire_dec_init(&d, k, SQN_FRAME_MAX + x,
						   rxbuf, sizeof(rxbuf)),
				 0);
			CHECK_EQ(sqn_wire_dec_init(&d, k, SQN_FRAME_MAX, rxbuf,
						   sizeof(rxbuf)),
				 0);
		}
		CHECK_EQ(sqn_wire_dec_init(&d, SQN_WIRE_U16LE, 65535, rxbuf,
					   100),
			 -EINVAL);
		CHECK_EQ(sqn_wire_dec_init(&d, SQN_WIRE_U32BE, 13, rxbuf,
					   sizeof(rxbuf)),
			 -EINVAL);
	}
	CHECK_EQ(sqn_wire_max(SQN_WIRE_U16LE), 65535);
}

static void datagrams(void)
{
	struct sqn_wire_dec d;
	const uint8_t *fr;
	uint32_t room, l;
	uint8_t *sp;

	ASSERT(!sqn_wire_dec_init(&d, SQN_WIRE_DGRAM, 9000, rxbuf, 9001));
	CHECK_EQ(sqn_wire_dec_next(&d, &fr, &l), 0);
	sp = sqn_wire_dec_space(&d, &room);
	CHECK_EQ(room, 9001);
	memset(sp, 7, 9000);
	sqn_wire_dec_commit(&d, 9000);
	CHECK_EQ(sqn_wire_dec_next(&d, &fr, &l), 1);
	CHECK_EQ(l, 9000);
	sqn_wire_dec_space(&d, &room);
	sqn_wire_dec_commit(&d, 9001);
	CHECK_EQ(sqn_wire_dec_next(&d, &fr, &l), -EPROTO);
	CHECK_EQ(sqn_wire_dgram_check(13, 9000), -EPROTO);
	CHECK_EQ(sqn_wire_dgram_check(14, 9000), 0);
	CHECK_EQ(sqn_wire_dgram_check(0, 9000), -EPROTO);
}

/* The encoder resumes after a short write at every byte. */
static void encoder_partial_writes(void)
{
	static uint8_t a[100], b[1514], c[14];
	struct iovec iov[8];
	uint8_t hdr[4][SQN_WIRE_HDR_MAX], head[SQN_WIRE_HDR_MAX];
	uint16_t fend[4];
	struct sqn_wire_enc e;
	uint8_t out[2000] = {0};
	enum sqn_wire_kind k;
	unsigned niov, i, done, step;
	size_t total, pos;

	/* the frames build() makes: byte j of frame i is i * 31 + j */
	for (i = 0; i < sizeof(b); i++) {
		if (i < sizeof(a))
			a[i] = (uint8_t)i;
		b[i] = (uint8_t)(31 + i);
		if (i < sizeof(c))
			c[i] = (uint8_t)(62 + i);
	}
	for (k = SQN_WIRE_U32BE; k <= SQN_WIRE_U16LE; k++) {
		uint32_t lens[3] = {100, 1514, 14};
		uint32_t ref = build(k, lens, 3);
		uint32_t h = sqn_wire_hdr_len(k);

		for (step = 1; step < 700; step += 37) {
			memset(out, 0xee, sizeof(out));
			sqn_wire_enc_init(&e, k, iov, hdr, fend, 4);
			CHECK(sqn_wire_enc_add(&e, a, 100));
			if (step % 2) { /* the same bytes behind a built head */
				uint32_t hn = sqn_wire_put_hdr(k, 1514, head);

				CHECK_EQ(hn, h);
				CHECK(sqn_wire_enc_add_head(&e, head, hn, b,
							    1514));
			} else {
				CHECK(sqn_wire_enc_add(&e, b, 1514));
			}
			CHECK(sqn_wire_enc_add(&e, c, 14));
			total = 3 * h + 100 + 1514 + 14;
			pos = 0;
			done = 0;
			while (pos < total) {
				struct iovec *v = sqn_wire_enc_iov(&e, &niov);
				size_t want = step, got = 0;

				for (i = 0; i < niov && got < want; i++) {
					size_t t = v[i].iov_len;

					if (t > want - got)
						t = want - got;
					memcpy(out + pos + got, v[i].iov_base,
					       t);
					got += t;
				}
				done += sqn_wire_enc_advance(&e, got);
				pos += got;
			}
			CHECK_EQ(done, 3);
			CHECK_EQ(pos, total);
			CHECK_EQ(ref, total);
			/* every byte: headers and frames, as build() lays out */
			CHECK(!memcmp(out, stream, total));
			CHECK_EQ(out[total], 0xee);
		}
		/* a full batch refuses more */
		sqn_wire_enc_init(&e, k, iov, hdr, fend, 1);
		CHECK(sqn_wire_enc_add(&e, a, 100));
		CHECK(!sqn_wire_enc_add(&e, a, 100));
		CHECK(!sqn_wire_enc_add_head(&e, head, h, a, 100));
		/* partial accounting */
		sqn_wire_enc_advance(&e, 10);
		CHECK_EQ(sqn_wire_enc_partial(&e), 10);
	}
}

/* peek: the next frame's length, nothing taken; next takes the same */
static void peek_leaves_the_frame(void)
{
	static const uint32_t lens[] = {60, 1514};
	enum sqn_wire_kind k;

	for (k = SQN_WIRE_U32BE; k <= SQN_WIRE_U16LE; k++) {
		uint32_t total = build(k, lens, 2), hl = sqn_wire_hdr_len(k);
		struct sqn_wire_dec d;
		const uint8_t *fr;
		uint32_t room, l = 0;
		uint8_t *sp;

		ASSERT(!sqn_wire_dec_init(&d, k, 65535, rxbuf, sizeof(rxbuf)));
		sp = sqn_wire_dec_space(&d, &room);
		memcpy(sp, stream, total - 1); /* the second frame one short */
		sqn_wire_dec_commit(&d, total - 1);
		CHECK_EQ(sqn_wire_dec_peek(&d, &l), 1);
		CHECK_EQ(l, 60);
		CHECK_EQ(sqn_wire_dec_peek(&d, &l), 1); /* still there */
		CHECK_EQ(sqn_wire_dec_pending(&d), total - 1);
		CHECK_EQ(sqn_wire_dec_next(&d, &fr, &l), 1);
		CHECK_EQ(l, 60);
		CHECK(fr == rxbuf + hl);
		CHECK_EQ(sqn_wire_dec_peek(&d, &l), 0); /* one byte missing */
		sp = sqn_wire_dec_space(&d, &room);
		*sp = stream[total - 1];
		sqn_wire_dec_commit(&d, 1);
		CHECK_EQ(sqn_wire_dec_peek(&d, &l), 1);
		CHECK_EQ(l, 1514);
		CHECK_EQ(sqn_wire_dec_next(&d, &fr, &l), 1);
		CHECK_EQ(sqn_wire_dec_pending(&d), 0);
		CHECK_EQ(sqn_wire_dec_peek(&d, &l), 0);
		/* a bad length: peek reports it and takes nothing */
		sp = sqn_wire_dec_space(&d, &room);
		sqn_wire_put_hdr(k, 13, sp);
		sqn_wire_dec_commit(&d, hl);
		CHECK_EQ(sqn_wire_dec_peek(&d, &l), -EPROTO);
		CHECK_EQ(l, 13);
		CHECK_EQ(sqn_wire_dec_pending(&d), hl);
	}
	{ /* a datagram stays until taken */
		struct sqn_wire_dec d;
		const uint8_t *fr;
		uint32_t room, l = 0;
		uint8_t *sp;

		ASSERT(!sqn_wire_dec_init(&d, SQN_WIRE_DGRAM, 1514, rxbuf,
					  sizeof(rxbuf)));
		sp = sqn_wire_dec_space(&d, &room);
		memset(sp, 7, 100);
		sqn_wire_dec_commit(&d, 100);
		CHECK_EQ(sqn_wire_dec_peek(&d, &l), 1);
		CHECK_EQ(l, 100);
		CHECK_EQ(sqn_wire_dec_pending(&d), 100);
		CHECK_EQ(sqn_wire_dec_next(&d, &fr, &l), 1);
		CHECK_EQ(sqn_wire_dec_peek(&d, &l), 0);
	}
}

/*
 * A reader that takes frames only now and then reads ahead: the buffer
 * fills with whole frames, the incomplete one at its end starts a second
 * region at the front, and no whole frame ever moves. Frames come out
 * whole and in order; the space is 0 only while whole frames wait.
 */
static int lazy_feed(enum sqn_wire_kind k, uint32_t cap, uint32_t total,
		     uint32_t step, const uint32_t *lens, unsigned n,
		     unsigned *wraps)
{
	struct sqn_wire_dec d;
	const uint8_t *fr;
	uint32_t flen, room, pos = 0, chunk, l;
	unsigned got = 0, round = 0;
	bool was = false;
	uint8_t *sp;
	int rc;

	if (sqn_wire_dec_init(&d, k, 65535, rxbuf, cap))
		return -1;
	for (;;) {
		bool take = ++round % 3 == 0 || pos == total;

		sp = pos < total ? sqn_wire_dec_space(&d, &room) : NULL;
		if (pos < total && !sp) {
			if (room || sqn_wire_dec_peek(&d, &l) != 1)
				return -6; /* full, yet no whole frame */
			take = true;
		} else if (sp) {
			chunk = step < room ? step : room;
			if (chunk > total - pos)
				chunk = total - pos;
			memcpy(sp, stream + pos, chunk);
			sqn_wire_dec_commit(&d, chunk);
			pos += chunk;
		}
		if (d.wrapped && !was)
			(*wraps)++;
		was = d.wrapped;
		if (!take)
			continue;
		if ((rc = sqn_wire_dec_next(&d, &fr, &flen)) > 0) {
			int bad = frame_ok(got, n, lens, fr, flen);

			if (bad)
				return bad;
			got++;
		} else if (rc < 0) {
			return -4;
		} else if (pos == total) {
			break;
		}
	}
	return sqn_wire_dec_pending(&d) ? -5 : (int)got;
}

static void reading_ahead(void)
{
	static uint32_t lens[600];
	uint32_t caps[] = {65539 + 1, 2 * 65539, 3 * 65539 + 777,
			   sizeof(rxbuf)};
	uint32_t steps[] = {1, 1000, 7777, 65536, 300000}, total, c, st;
	unsigned i, wraps = 0;
	enum sqn_wire_kind k;

	for (i = 0; i < 600; i++)
		lens[i] = i % 50 == 49 ? 65535 : 14 + (i * 997) % 9000;
	for (k = SQN_WIRE_U32BE; k <= SQN_WIRE_U16LE; k++) {
		total = build(k, lens, 600);
		for (c = 0; c < 4; c++)
			for (st = 0; st < 5; st++)
				CHECK_EQ(lazy_feed(k, caps[c], total, steps[st],
						   lens, 600, &wraps),
					 600);
	}
	printf("# %u second regions begun\n", wraps);
	CHECK(wraps > 0);
}

static const struct check_case cases[] = {
	CASE(every_split_point),      CASE(byte_by_byte),
	CASE(many_frames_per_buffer), CASE(bad_lengths),
	CASE(max_boundary),	      CASE(datagrams),
	CASE(encoder_partial_writes), CASE(peek_leaves_the_frame),
	CASE(reading_ahead),
};

CHECK_MAIN(cases)
