/* SPDX-License-Identifier: Apache-2.0 */
/*
 * capture.c - packet capture to a pcap file, off the frame path
 *
 * Theory of operation: the buffer is one circular run of bytes, exactly
 * what the file gets after its header: record header, frame bytes, next
 * record header... (a record may wrap around the buffer's end). Adders
 * copy a record in at @head under the lock, or count the frame dropped
 * when the free space is short; they never wait for the writer. The writer
 * thread takes the bytes between @tail and @head, which no adder touches,
 * writes them without the lock (up to SQN_CAP_CHUNK of whole records at a
 * time, in one writev), then moves @tail. It sleeps up to
 * SQN_CAP_FLUSH_MS, or until an adder sees the buffer half full; at stop
 * it drains everything left and exits.
 *
 * A failed write (ENOSPC, EIO) may have put part of a record in the file:
 * the file is opened O_APPEND and cut back (ftruncate) to the end of the
 * last whole record, the records of that chunk not in the file are
 * counted lost, and the writer goes on with the next chunk (space may come
 * back). The frame path never sees any of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"

/* Most bytes the writer takes per write (whole records, at least one). */
#define SQN_CAP_CHUNK (1u << 20)
/* Longest time a record waits in the buffer when the buffer is quiet. */
#define SQN_CAP_FLUSH_MS 100

/**
 * put_u32() - store a 32-bit value in host byte order (as pcap writes it)
 * @p:	where
 * @v:	the value
 */
static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/**
 * sqn_cap_file_header() - the 24-byte pcap file header
 * @out:	gets it, in host byte order (readers detect it by the magic)
 * @snaplen:	the snap length to announce
 * @nsec:	nanosecond timestamps
 */
void sqn_cap_file_header(uint8_t out[SQN_CAP_FILE_HDR], uint32_t snaplen,
			 bool nsec)
{
	struct {
		uint32_t magic;
		uint16_t major;
		uint16_t minor;
		int32_t thiszone; /* UTC */
		uint32_t sigfigs;
		uint32_t snaplen;
		uint32_t linktype;
	} h = {
		.magic = nsec ? SQN_CAP_MAGIC_NSEC : SQN_CAP_MAGIC_USEC,
		.major = 2,
		.minor = 4,
		.snaplen = snaplen,
		.linktype = SQN_CAP_LINKTYPE_ETHERNET,
	};

	_Static_assert(sizeof(h) == SQN_CAP_FILE_HDR, "no padding");
	memcpy(out, &h, sizeof(h));
}

/**
 * sqn_cap_init() - an idle capture point
 * @c:	the struct to set up
 *
 * Return: 0, or a negative errno from the mutex or condition variable
 */
int sqn_cap_init(struct sqn_cap *c)
{
	int rc;

	memset(c, 0, sizeof(*c));
	atomic_init(&c->on, false);
	c->fd = -1;
	rc = pthread_mutex_init(&c->lock, NULL);
	if (rc)
		return -rc;
	rc = pthread_cond_init(&c->cond, NULL);
	if (rc) {
		pthread_mutex_destroy(&c->lock);
		return -rc;
	}
	return 0;
}

/**
 * sqn_cap_destroy() - stop any capture and release the struct's resources
 * @c:	a capture point from sqn_cap_init(); no frame path uses it any more
 */
void sqn_cap_destroy(struct sqn_cap *c)
{
	(void)sqn_cap_stop(c, NULL);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
}

/**
 * ring_put() - copy bytes into the buffer at a position, wrapping
 * @c:		the capture (lock held)
 * @pos:	byte counter where they go
 * @src:	the bytes
 * @n:		how many (at most the buffer's size)
 */
static void ring_put(struct sqn_cap *c, uint64_t pos, const void *src,
		     uint64_t n)
{
	uint64_t off = pos % c->size, first = c->size - off;

	if (n <= first) {
		memcpy(c->buf + off, src, n);
		return;
	}
	memcpy(c->buf + off, src, first);
	memcpy(c->buf, (const uint8_t *)src + first, n - first);
}

/**
 * ring_get() - copy bytes out of the buffer at a position, wrapping
 * @c:		the capture
 * @pos:	byte counter where they are
 * @dst:	where they go
 * @n:		how many
 */
static void ring_get(const struct sqn_cap *c, uint64_t pos, void *dst,
		     uint64_t n)
{
	uint64_t off = pos % c->size, first = c->size - off;

	if (n <= first) {
		memcpy(dst, c->buf + off, n);
		return;
	}
	memcpy(dst, c->buf + off, first);
	memcpy((uint8_t *)dst + first, c->buf, n - first);
}

/**
 * rec_len() - the length of the record at a position, header included
 * @c:		the capture
 * @pos:	byte counter of the record's header
 *
 * Return: bytes
 */
static uint64_t rec_len(const struct sqn_cap *c, uint64_t pos)
{
	uint32_t incl;

	ring_get(c, pos + 8, &incl, 4);
	return SQN_CAP_REC_HDR + (uint64_t)incl;
}

/**
 * now_realtime_ns() - the wall clock, for timestamps
 *
 * Return: nanoseconds since the epoch
 */
static uint64_t now_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/**
 * sqn_cap_add() - offer one frame to the capture
 * @c:		the capture point
 * @dir:	SQN_CAP_RX or SQN_CAP_TX
 * @data:	the frame, from its Ethernet header
 * @len:	its length
 * @ts_ns:	its time, ns since the epoch; 0: now
 *
 * Never waits on the writer or the disk: a frame that does not fit the
 * buffer is counted in dropped. Safe from any number of threads.
 *
 * Return: 1 if captured, 0 if no capture takes this direction now,
 * -ENOBUFS if the buffer was full (counted)
 */
int sqn_cap_add(struct sqn_cap *c, unsigned dir, const void *data, uint32_t len,
		uint64_t ts_ns)
{
	uint8_t hdr[SQN_CAP_REC_HDR];
	uint32_t incl, sub;
	uint64_t rec;

	if (!sqn_cap_on(c))
		return 0;
	if (!ts_ns)
		ts_ns = now_realtime_ns();
	pthread_mutex_lock(&c->lock);
	if (!c->accepting || !(dir & c->dirs)) {
		pthread_mutex_unlock(&c->lock);
		return 0;
	}
	incl = len < c->snaplen ? len : c->snaplen;
	rec = SQN_CAP_REC_HDR + (uint64_t)incl;
	if (c->size - (c->head - c->tail) < rec) {
		c->st.dropped++;
		pthread_mutex_unlock(&c->lock);
		return -ENOBUFS;
	}
	sub = (uint32_t)(ts_ns % 1000000000u);
	put_u32(hdr, (uint32_t)(ts_ns / 1000000000u));
	put_u32(hdr + 4, c->nsec ? sub : sub / 1000);
	put_u32(hdr + 8, incl);
	put_u32(hdr + 12, len);
	ring_put(c, c->head, hdr, sizeof(hdr));
	ring_put(c, c->head + sizeof(hdr), data, incl);
	c->head += rec;
	c->st.frames++;
	c->st.bytes += incl;
	if (c->waiting && c->head - c->tail >= c->size / 2)
		pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return 1;
}

/**
 * write_all() - write a run of the buffer to the file
 * @c:		the capture
 * @pos:	byte counter of its start
 * @len:	its length
 *
 * Return: bytes written: @len, or fewer when a write failed (errno set)
 */
static uint64_t write_all(const struct sqn_cap *c, uint64_t pos, uint64_t len)
{
	uint64_t done = 0;

	while (done < len) {
		uint64_t off = (pos + done) % c->size;
		uint64_t first = c->size - off, left = len - done;
		struct iovec iov[2] = {
			{.iov_base = c->buf + off,
			 .iov_len = left < first ? left : first},
			{.iov_base = c->buf, .iov_len = 0},
		};
		ssize_t n;

		if (left > first)
			iov[1].iov_len = left - first;
		n = writev(c->fd, iov, iov[1].iov_len ? 2 : 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return done;
		}
		done += (uint64_t)n;
	}
	return done;
}

/**
 * cut_back() - after a failed write, keep whole records only
 * @c:		the capture
 * @pos:	byte counter of the chunk's start
 * @done:	bytes of the chunk the file took
 * @file_end:	the file's length before the chunk
 * @whole:	gets the records of the chunk wholly in the file
 *
 * Return: bytes of those records
 */
static uint64_t cut_back(const struct sqn_cap *c, uint64_t pos, uint64_t done,
			 off_t file_end, uint64_t *whole)
{
	uint64_t good = 0, r;

	*whole = 0;
	while (good < done) {
		r = rec_len(c, pos + good);
		if (good + r > done)
			break;
		good += r;
		(*whole)++;
	}
	/* O_APPEND: the next write goes to the new end. A FIFO cannot be
	 * cut; its reader sees a torn record (nothing better to do). */
	if (good < done)
		(void)ftruncate(c->fd, file_end + (off_t)good);
	return good;
}

/**
 * chunk_end() - how many bytes of whole records the writer takes now
 * @c:		the capture (lock held)
 * @nrec:	gets the number of records
 *
 * Return: bytes, at most SQN_CAP_CHUNK unless one record is larger
 */
static uint64_t chunk_len(const struct sqn_cap *c, uint64_t *nrec)
{
	uint64_t len = 0, avail = c->head - c->tail, r;

	*nrec = 0;
	while (len < avail) {
		r = rec_len(c, c->tail + len);
		if (*nrec && len + r > SQN_CAP_CHUNK)
			break;
		len += r;
		(*nrec)++;
	}
	return len;
}

/**
 * writer_wait() - sleep until there is enough to write, or it is time
 * @c:		the capture (lock held)
 * @flush_due:	in/out: the last sleep ran its full time
 *
 * Return: true when the writer should write now, false when it should
 * exit (stopping, and nothing left)
 */
static bool writer_wait(struct sqn_cap *c, bool *flush_due)
{
	for (;;) {
		uint64_t used = c->head - c->tail;
		struct timespec ts;

		if (used &&
		    (c->stopping || *flush_due || used >= c->size / 2)) {
			*flush_due = false;
			return true;
		}
		if (!used && c->stopping)
			return false;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += SQN_CAP_FLUSH_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		c->waiting = true;
		*flush_due = pthread_cond_timedwait(&c->cond, &c->lock, &ts) ==
			     ETIMEDOUT;
		c->waiting = false;
	}
}

/**
 * writer_main() - the writer thread: drain the buffer into the file
 * @arg:	the capture
 *
 * Return: NULL
 */
static void *writer_main(void *arg)
{
	struct sqn_cap *c = arg;
	off_t file_end = SQN_CAP_FILE_HDR;
	bool flush_due = false;
	uint64_t pos, len, nrec, done, whole;

	pthread_mutex_lock(&c->lock);
	while (writer_wait(c, &flush_due)) {
		pos = c->tail;
		len = chunk_len(c, &nrec);
		pthread_mutex_unlock(&c->lock);

		done = write_all(c, pos, len);
		whole = nrec;
		if (done < len) {
			int e = errno;

			done = cut_back(c, pos, done, file_end, &whole);
			pthread_mutex_lock(&c->lock);
			c->st.error = -e;
			c->st.lost += nrec - whole;
		} else {
			pthread_mutex_lock(&c->lock);
		}
		file_end += (off_t)done;
		c->st.written += whole;
		c->tail = pos + len;
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/**
 * check_config() - validate a capture's configuration, fill defaults
 * @cfg:	the caller's
 * @out:	gets the values to use
 * @err:	gets the reason on failure
 * @errlen:	size of @err
 *
 * Return: 0 or -EINVAL
 */
static int check_config(const struct sqn_cap_config *cfg,
			struct sqn_cap_config *out, char *err, size_t errlen)
{
	*out = *cfg;
	if (!out->snaplen)
		out->snaplen = SQN_CAP_SNAPLEN_DEFAULT;
	if (!out->buf_bytes)
		out->buf_bytes = SQN_CAP_BUF_DEFAULT;
	if (!out->dirs)
		out->dirs = SQN_CAP_BOTH;
	if (!out->path || !out->path[0]) {
		snprintf(err, errlen, "capture: no file name");
		return -EINVAL;
	}
	if (out->snaplen < SQN_CAP_SNAPLEN_MIN ||
	    out->snaplen > SQN_CAP_SNAPLEN_MAX) {
		snprintf(err, errlen,
			 "capture: snaplen %u is out of range: %u..%u bytes",
			 out->snaplen, SQN_CAP_SNAPLEN_MIN,
			 SQN_CAP_SNAPLEN_MAX);
		return -EINVAL;
	}
	if (out->buf_bytes < SQN_CAP_REC_HDR + out->snaplen ||
	    out->buf_bytes > SQN_CAP_BUF_MAX) {
		snprintf(err, errlen,
			 "capture: a buffer of %u bytes is out of range: "
			 "%u (one record at snaplen %u) to %u bytes",
			 out->buf_bytes, SQN_CAP_REC_HDR + out->snaplen,
			 out->snaplen, SQN_CAP_BUF_MAX);
		return -EINVAL;
	}
	if (out->dirs & ~SQN_CAP_BOTH) {
		snprintf(err, errlen,
			 "capture: directions 0x%x: only rx (1) and tx (2)",
			 out->dirs);
		return -EINVAL;
	}
	return 0;
}

/**
 * open_file() - create the file and write its header
 * @cfg:	the checked configuration
 * @err:	gets the reason on failure
 * @errlen:	size of @err
 *
 * A FIFO is opened without waiting: with no reader the open fails.
 *
 * Return: the fd, or a negative errno
 */
static int open_file(const struct sqn_cap_config *cfg, char *err, size_t errlen)
{
	uint8_t hdr[SQN_CAP_FILE_HDR];
	int fd, e, fl;
	ssize_t n;

	fd = open(cfg->path,
		  O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC |
			  O_NONBLOCK,
		  0600);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "capture: cannot open %s: %s%s",
			 cfg->path, strerror(e),
			 e == ENXIO ? " (a FIFO needs a reader first)" : "");
		return -e;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		goto out_err;
	sqn_cap_file_header(hdr, cfg->snaplen, cfg->nsec);
	do
		n = write(fd, hdr, sizeof(hdr));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(hdr))
		return fd;
	if (n >= 0)
		errno = ENOSPC;
out_err:
	e = errno;
	snprintf(err, errlen, "capture: cannot write the pcap header to %s: %s",
		 cfg->path, strerror(e));
	close(fd);
	return -e;
}

/**
 * start_writer() - start the writer thread with every signal blocked
 * @c:	the capture, set up
 *
 * The thread inherits the mask, so process signals (a caller's signalfd)
 * are never delivered to it.
 *
 * Return: 0 or a negative errno
 */
static int start_writer(struct sqn_cap *c)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&c->thread, NULL, writer_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -rc;
}

/**
 * sqn_cap_start() - start capturing to a file
 * @c:		the capture point
 * @cfg:	file, snap length, buffer size, directions, timestamps
 * @err:	gets a message on failure
 * @errlen:	size of @err
 *
 * Opens (creates or truncates) the file, writes the pcap header, allocates
 * the buffer and starts the writer thread; on failure leaves nothing. The
 * counters restart from zero.
 *
 * Return: 0, -EBUSY if a capture runs here already, -EINVAL for a bad
 * configuration, or the errno of the open, write, allocation or thread
 */
int sqn_cap_start(struct sqn_cap *c, const struct sqn_cap_config *cfg,
		  char *err, size_t errlen)
{
	struct sqn_cap_config k;
	uint8_t *buf = NULL;
	char *path = NULL;
	int fd, rc;

	rc = check_config(cfg, &k, err, errlen);
	if (rc)
		return rc;
	pthread_mutex_lock(&c->lock);
	rc = c->running ? -EBUSY : 0;
	if (rc)
		snprintf(err, errlen,
			 "capture: one runs already (to %s): stop it first",
			 c->path);
	pthread_mutex_unlock(&c->lock);
	if (rc)
		return rc;
	buf = malloc(k.buf_bytes);
	path = strdup(k.path);
	if (!buf || !path) {
		snprintf(err, errlen,
			 "capture: out of memory for a %u-byte "
			 "buffer",
			 k.buf_bytes);
		rc = -ENOMEM;
		goto out_free;
	}
	fd = open_file(&k, err, errlen);
	if (fd < 0) {
		rc = fd;
		goto out_free;
	}

	pthread_mutex_lock(&c->lock);
	if (c->running) { /* another start won meanwhile */
		pthread_mutex_unlock(&c->lock);
		snprintf(err, errlen,
			 "capture: one runs already: stop it first");
		close(fd);
		rc = -EBUSY;
		goto out_free;
	}
	memset(&c->st, 0, sizeof(c->st));
	c->buf = buf;
	c->size = k.buf_bytes;
	c->head = c->tail = 0;
	c->fd = fd;
	c->path = path;
	c->snaplen = k.snaplen;
	c->dirs = k.dirs;
	c->nsec = k.nsec;
	c->stopping = false;
	rc = start_writer(c);
	if (rc) {
		c->buf = NULL;
		c->path = NULL;
		c->fd = -1;
		pthread_mutex_unlock(&c->lock);
		snprintf(err, errlen,
			 "capture: cannot start the writer "
			 "thread: %s",
			 strerror(-rc));
		close(fd);
		goto out_free;
	}
	c->running = true;
	c->accepting = true;
	atomic_store(&c->on, true);
	pthread_mutex_unlock(&c->lock);
	return 0;

out_free:
	free(buf);
	free(path);
	return rc;
}

/**
 * sqn_cap_stop() - stop capturing: write what is buffered, close the file
 * @c:		the capture point
 * @final:	if not NULL, gets the capture's final counters
 *
 * Frames offered from now on are ignored. Waits for the writer thread to
 * drain the buffer (to a FIFO: until its reader takes it).
 *
 * Return: 0, or -ENOENT when no capture runs (or another call is
 * stopping it)
 */
int sqn_cap_stop(struct sqn_cap *c, struct sqn_cap_stats *final)
{
	pthread_t t;
	int fd;

	pthread_mutex_lock(&c->lock);
	if (!c->running || c->stopping) { /* none, or another stop has it */
		if (final)
			*final = c->st;
		pthread_mutex_unlock(&c->lock);
		return -ENOENT;
	}
	c->accepting = false;
	atomic_store(&c->on, false);
	c->stopping = true;
	pthread_cond_signal(&c->cond);
	t = c->thread;
	pthread_mutex_unlock(&c->lock);

	pthread_join(t, NULL);

	pthread_mutex_lock(&c->lock);
	fd = c->fd;
	c->fd = -1;
	if (close(fd) < 0 && !c->st.error)
		c->st.error = -errno;
	free(c->buf);
	c->buf = NULL;
	free(c->path);
	c->path = NULL;
	c->size = c->head = c->tail = 0;
	c->running = false;
	if (final)
		*final = c->st;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

/**
 * sqn_cap_stats() - copy the counters of the running or last capture
 * @c:		the capture point
 * @out:	gets them
 */
void sqn_cap_stats(struct sqn_cap *c, struct sqn_cap_stats *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->st;
	pthread_mutex_unlock(&c->lock);
}

/**
 * sqn_cap_running() - whether a capture runs
 * @c:	the capture point
 *
 * Return: true between a successful sqn_cap_start() and sqn_cap_stop()
 */
bool sqn_cap_running(struct sqn_cap *c)
{
	bool r;

	pthread_mutex_lock(&c->lock);
	r = c->running;
	pthread_mutex_unlock(&c->lock);
	return r;
}
