/* SPDX-License-Identifier: Apache-2.0 */
/*
 * be_loopback.c - loopback backend: every frame written comes back on read
 *
 * For tests, benchmarks of the core, and VMs that only need a link (MMDS).
 * One bounded ring between the writer and the reader, under a mutex taken
 * once per batch; the waker is set while the ring holds frames. A full ring
 * drops the new frame and counts it in rx_dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ring.h"
#include "waker.h"

/**
 * struct loopback - backend state
 * @lock:	guards @ring
 * @ring:	frames waiting to be read
 * @waker:	readable while @ring is not empty
 */
struct loopback {
	pthread_mutex_t lock;
	struct sqn_ring ring;
	struct sqn_waker waker;
};

/**
 * loopback_start() - allocate the ring and the waker
 * @iface:	the interface
 * @p:		parameters: rx_queue_len (iface->max_frame, resolved by the
 *		core, sizes the ring)
 *
 * Return: 0 or a negative errno
 */
static int loopback_start(struct sqn_iface *iface, const struct sqn_params *p)
{
	struct loopback *lb;
	uint32_t qlen =
		p->rx_queue_len ? p->rx_queue_len : SQN_DEFAULT_QUEUE_LEN;
	int rc;

	lb = calloc(1, sizeof(*lb));
	if (!lb)
		return sqn_seterr(iface, -ENOMEM, "loopback: out of memory");
	rc = sqn_ring_init(&lb->ring, qlen, iface->max_frame);
	if (rc) {
		sqn_seterr(iface, rc,
			   "loopback: no memory for %u frames of %u "
			   "bytes",
			   qlen, iface->max_frame);
		goto out_free;
	}
	rc = sqn_waker_open(&lb->waker);
	if (rc) {
		sqn_seterr(iface, rc,
			   "loopback: cannot create a wake-up fd: %s",
			   strerror(-rc));
		goto out_ring;
	}
	pthread_mutex_init(&lb->lock, NULL);
	iface->be = lb;
	iface->fd = lb->waker.rfd;
	return 0;

out_ring:
	sqn_ring_free(&lb->ring);
out_free:
	free(lb);
	return rc;
}

/**
 * loopback_stop() - free everything
 * @iface:	the interface
 */
static void loopback_stop(struct sqn_iface *iface)
{
	struct loopback *lb = iface->be;

	sqn_waker_close(&lb->waker);
	sqn_ring_free(&lb->ring);
	pthread_mutex_destroy(&lb->lock);
	free(lb);
	iface->be = NULL;
}

/**
 * loopback_write() - queue frames to come back
 * @iface:	the interface
 * @q:		queue (always 0)
 * @f:		frames, all valid
 * @n:		how many
 *
 * Return: @n: frames that do not fit are dropped and counted in rx_dropped
 */
static int loopback_write(struct sqn_iface *iface, unsigned q,
			  const struct sqn_frame *f, unsigned n)
{
	struct loopback *lb = iface->be;
	unsigned i, dropped = 0;
	bool was_empty;
	uint8_t *dst;

	(void)q;
	pthread_mutex_lock(&lb->lock);
	was_empty = sqn_ring_empty(&lb->ring);
	for (i = 0; i < n; i++) {
		dst = sqn_ring_reserve(&lb->ring, f[i].len);
		if (!dst) {
			dropped++;
			continue;
		}
		memcpy(dst, f[i].data, f[i].len);
		sqn_ring_commit(&lb->ring, f[i].len, NULL);
	}
	if (was_empty && !sqn_ring_empty(&lb->ring))
		sqn_waker_wake(&lb->waker);
	pthread_mutex_unlock(&lb->lock);

	if (dropped) {
		uint64_t total =
			SQN_STAT_ADD(iface, rx_dropped, dropped) + dropped;

		if (sqn_log_every(total))
			sqn_log(iface, SQN_LOG_WARN,
				"%s: loopback queue full: %llu frames dropped",
				iface->id, (unsigned long long)total);
	}
	return (int)n;
}

/**
 * loopback_read() - hand queued frames back
 * @iface:	the interface
 * @q:		queue (always 0)
 * @f:		caller buffers
 * @n:		how many
 *
 * Return: frames filled, or -EMSGSIZE when the first does not fit
 */
static int loopback_read(struct sqn_iface *iface, unsigned q,
			 struct sqn_frame *f, unsigned n)
{
	struct loopback *lb = iface->be;
	const uint8_t *src;
	uint32_t len;
	unsigned i;
	int rc;

	(void)q;
	if (n == 0)
		return 0;
	pthread_mutex_lock(&lb->lock);
	for (i = 0; i < n; i++) {
		src = sqn_ring_peek(&lb->ring, &len, NULL);
		if (!src)
			break;
		if (len > f[i].cap || !f[i].data) {
			if (i == 0)
				f[0].len = len;
			break;
		}
		memcpy(f[i].data, src, len);
		f[i].len = len;
		memset(&f[i].vnet, 0, sizeof(f[i].vnet));
		sqn_ring_pop(&lb->ring);
	}
	if (sqn_ring_empty(&lb->ring))
		sqn_waker_clear(&lb->waker);
	rc = (i == 0 && !sqn_ring_empty(&lb->ring)) ? -EMSGSIZE : (int)i;
	pthread_mutex_unlock(&lb->lock);
	if (rc == -EMSGSIZE)
		sqn_seterr(iface, rc,
			   "%s: read: the next frame is %u bytes, the buffer "
			   "holds %u",
			   iface->id, f[0].len, f[0].cap);
	return rc;
}

const struct sqn_backend_ops sqn_be_loopback = {
	.name = "loopback",
	.start = loopback_start,
	.stop = loopback_stop,
	.read = loopback_read,
	.write = loopback_write,
};
