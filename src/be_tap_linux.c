/* SPDX-License-Identifier: Apache-2.0 */
/*
 * be_tap_linux.c - tap backend: a Linux TAP device named by host_dev_name
 *
 * Theory of operation: this is Firecracker's model. The VMM names a TAP
 * device (host_dev_name); we attach to it through /dev/net/tun, or create it
 * (non-persistent, so it vanishes with the interface) when the caller sets
 * tap_create. Each queue pair is one TAP fd, opened with IFF_TAP | IFF_NO_PI
 * (and IFF_MULTI_QUEUE when more than one is asked for), non-blocking; that
 * fd is also the queue's readiness fd, so a caller polls the kernel directly.
 *
 * Frames move between the kernel and the caller's buffers with no copy of
 * our own: one readv() per frame into [caller buffer, spill] until EAGAIN
 * (a TAP fd has no recvmmsg), one write()/writev() per frame. The spill, a
 * private per-queue buffer of the largest possible frame, is there so that
 * a frame longer than the caller's buffer is detected instead of cut: a TAP
 * read consumes the frame, so such a frame is assembled in the spill and
 * kept pending on its queue, the read fails with -EMSGSIZE (frames[0].len
 * says how much room it needs), and the next read with a big enough buffer
 * gets it whole. Only that rare path copies.
 *
 * With offloads on, the fd also carries a 12-byte virtio-net header
 * (IFF_VNET_HDR, TUNSETVNETHDRSZ 12, little-endian as in virtio 1.x) in
 * front of each frame; it is split off into struct sqn_frame.vnet on read
 * (host order) and put back in front on write, again without copying the
 * frame. TUNSETOFFLOAD is set from the features the guest can receive, so
 * the kernel hands us checksum-partial and TSO frames of up to 64 KiB only
 * if the guest can take them; the guest's own GSO frames pass the other way.
 *
 * Failures to attach are diagnosed with one RTNL query (the device's kind,
 * TUN type, owner, queues), made in the caller's network namespace, which
 * sysfs would not reliably reflect (tap_inspect_linux.c).
 */
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"
#include "policy.h"
#include "vnet.h"
#include "tap_inspect.h"

#define TAP_DEV "/dev/net/tun"
#define TAP_VNET_HDR_LEN SQN_VNET_HDR_LEN
/* largest frame a TAP fd may hand us (64 KiB GSO frame, VLAN tag), padded */
#define TAP_SPILL_LEN (SQN_FRAME_MAX + 1 + 64)

_Static_assert(sizeof(struct virtio_net_hdr_mrg_rxbuf) == TAP_VNET_HDR_LEN,
	       "virtio-net header with num_buffers is 12 bytes");
_Static_assert(sizeof(struct sqn_vnet_hdr) == TAP_VNET_HDR_LEN,
	       "struct sqn_vnet_hdr mirrors the virtio-net header");

/**
 * struct tap_queue - one queue pair: a TAP fd and its read-side spill
 * @fd:		the TAP fd, non-blocking; also the readiness fd
 * @pending:	length of the frame waiting in @spill, 0 if none
 * @pend_vnet:	its virtio-net header
 * @spill:	TAP_SPILL_LEN bytes: the tail of a frame too long for the
 *		caller's buffer, then that whole frame while it is pending
 *
 * @pending, @pend_vnet and @spill belong to the reader of this queue.
 */
struct tap_queue {
	int fd;
	uint32_t pending;
	struct sqn_vnet_hdr pend_vnet;
	uint8_t *spill;
};

/**
 * struct tap - backend state
 * @name:	the device's name
 * @created:	we created the device (it goes away with our last fd)
 * @nq:		queue pairs
 * @q:		one per queue pair
 */
struct tap {
	char name[IFNAMSIZ];
	bool created;
	unsigned nq;
	struct tap_queue q[SQN_MAX_QUEUES];
};

/**
 * tap_name() - the device name to use: host_dev_name, or the default one
 * @p:		parameters
 * @buf:	gets the name
 *
 * Return: 0, or -EINVAL when neither a name nor a usable iface_id is given
 */
static int tap_name(const struct sqn_params *p, char buf[IFNAMSIZ])
{
	if (p->host_dev_name) {
		snprintf(buf, IFNAMSIZ, "%s", p->host_dev_name);
		return 0;
	}
	return sqn_tap_name(p->iface_id, buf, IFNAMSIZ);
}

/**
 * tap_validate() - check the TAP parameters, before any side effect
 * @iface:	for the message
 * @p:		parameters
 *
 * host_dev_name is kept verbatim by the common checks (up to 64 bytes on
 * every platform); Linux itself takes at most IFNAMSIZ - 1 bytes and no
 * '/', ':' or white space.
 *
 * Return: 0 or -EINVAL
 */
static int tap_validate(struct sqn_iface *iface, const struct sqn_params *p)
{
	const char *name = p->host_dev_name;
	size_t n, i;

	if (!name)
		return 0; /* sqn_tap_name(iface_id) will be used */
	n = strlen(name);
	if (n > IFNAMSIZ - 1)
		return sqn_seterr(
			iface, -EINVAL,
			"host_dev_name \"%s\" is %zu bytes: Linux "
			"interface names are at most %d (IFNAMSIZ-1); "
			"use a shorter name, e.g. from sqn_tap_name()",
			name, n, IFNAMSIZ - 1);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return sqn_seterr(iface, -EINVAL,
				  "host_dev_name \"%s\" is not a valid Linux "
				  "interface name",
				  name);
	for (i = 0; i < n; i++) {
		if (name[i] == '/' || name[i] == ':' ||
		    isspace((unsigned char)name[i]))
			return sqn_seterr(
				iface, -EINVAL,
				"host_dev_name \"%s\" has a character "
				"not allowed at offset %zu: Linux "
				"interface names have no '/', ':' or "
				"white space",
				name, i);
	}
	return 0;
}

/**
 * tap_open_queue() - open /dev/net/tun and attach it to the device
 * @iface:	for the message
 * @name:	device name
 * @flags:	IFF_* flags for TUNSETIFF
 * @nq:		queues asked for, for the message
 * @fd:		gets the fd
 *
 * Return: 0 or a negative errno, message set
 */
static int tap_open_queue(struct sqn_iface *iface, const char *name,
			  short flags, unsigned nq, int *fd)
{
	struct ifreq ifr;
	int err;

	*fd = open(TAP_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (*fd < 0) {
		err = errno;
		if (err == ENOENT || err == ENXIO || err == ENODEV)
			return sqn_seterr(
				iface, -err,
				"tap: %s is missing (%s): load the "
				"tun module (`modprobe tun`), or in a "
				"container pass the device in "
				"(--device %s)",
				TAP_DEV, strerror(err), TAP_DEV);
		if (err == EACCES || err == EPERM)
			return sqn_seterr(iface, -err,
					  "tap: cannot open %s (%s) as uid %u: "
					  "it needs read-write access (usually "
					  "root, or mode 0666)",
					  TAP_DEV, strerror(err),
					  (unsigned)getuid());
		return sqn_seterr(iface, -err, "tap: cannot open %s: %s",
				  TAP_DEV, strerror(err));
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = flags;
	if (ioctl(*fd, TUNSETIFF, &ifr) < 0) {
		err = errno;
		close(*fd);
		*fd = -1;
		return sqn_tap_explain(iface, name, err, nq, NULL);
	}
	return 0;
}

/**
 * tap_offload_flags() - TUN_F_* the kernel may hand us, from guest features
 * @features:	SQN_VNET_F_* the guest negotiated; 0: all
 *
 * What the TAP may deliver is what the guest can receive: GUEST_CSUM for
 * checksum-partial frames, GUEST_TSO4/6 (which need it) for TSO, GUEST_ECN
 * for TSO with ECN.
 *
 * Return: the TUNSETOFFLOAD argument
 */
static unsigned tap_offload_flags(uint64_t features)
{
	unsigned f = 0;

	if (!features)
		features = SQN_VNET_F_GUEST_CSUM | SQN_VNET_F_GUEST_TSO4 |
			   SQN_VNET_F_GUEST_TSO6 | SQN_VNET_F_GUEST_ECN;
	if (!(features & SQN_VNET_F_GUEST_CSUM))
		return 0;
	f |= TUN_F_CSUM;
	if (features & SQN_VNET_F_GUEST_TSO4)
		f |= TUN_F_TSO4;
	if (features & SQN_VNET_F_GUEST_TSO6)
		f |= TUN_F_TSO6;
	if ((features & SQN_VNET_F_GUEST_ECN) &&
	    (f & (TUN_F_TSO4 | TUN_F_TSO6)))
		f |= TUN_F_TSO_ECN;
	return f;
}

/**
 * tap_setup_offload() - virtio-net header and offloads on the device
 * @iface:	for the message
 * @fd:		any of the device's fds
 * @p:		parameters
 *
 * Return: 0 or a negative errno, message set
 */
static int tap_setup_offload(struct sqn_iface *iface, int fd,
			     const struct sqn_params *p)
{
	int hdrsz = TAP_VNET_HDR_LEN;
	unsigned flags = 0;

	if (p->offload == SQN_ON) {
		if (ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) < 0)
			return sqn_seterr(iface, -errno,
					  "tap: TUNSETVNETHDRSZ %d failed: %s",
					  hdrsz, strerror(errno));
#if __BYTE_ORDER == __BIG_ENDIAN
		{
			int le = 1;

			if (ioctl(fd, TUNSETVNETLE, &le) < 0)
				return sqn_seterr(iface, -errno,
						  "tap: TUNSETVNETLE failed "
						  "(virtio 1.x headers are "
						  "little-endian): %s",
						  strerror(errno));
		}
#endif
		flags = tap_offload_flags(p->offload_features);
	}
	if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)flags) < 0)
		return sqn_seterr(iface, -errno,
				  "tap: TUNSETOFFLOAD 0x%x failed: %s", flags,
				  strerror(errno));
	return 0;
}

/**
 * tap_setup_link() - MTU, MAC and (for a device we made) link up
 * @iface:	gets mtu and host_mac
 * @t:		backend state (name, created)
 * @p:		parameters
 *
 * Return: 0 or a negative errno, message set
 */
static int tap_setup_link(struct sqn_iface *iface, const struct tap *t,
			  const struct sqn_params *p)
{
	struct ifreq ifr;
	int s, rc = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return sqn_seterr(iface, -errno, "tap: socket: %s",
				  strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);

	if (t->created && p->mtu) {
		ifr.ifr_mtu = (int)p->mtu;
		if (ioctl(s, SIOCSIFMTU, &ifr) < 0) {
			rc = sqn_seterr(iface, -errno,
					"tap: cannot set the MTU of \"%s\" to "
					"%u: %s (a TAP takes 68 to 65521)",
					t->name, p->mtu, strerror(errno));
			goto out_close;
		}
	}
	if (ioctl(s, SIOCGIFMTU, &ifr) < 0) {
		rc = sqn_seterr(iface, -errno,
				"tap: cannot read the MTU of \"%s\": %s",
				t->name, strerror(errno));
		goto out_close;
	}
	/* the guest keeps the MTU it was given; else it gets the device's */
	if (p->mtu && p->mtu != (uint32_t)ifr.ifr_mtu)
		sqn_log(iface, SQN_LOG_WARN,
			"%s: tap \"%s\" has MTU %u, the guest was given %u",
			iface->id, t->name, (uint32_t)ifr.ifr_mtu, p->mtu);
	else
		sqn_iface_negotiated(iface, (uint32_t)ifr.ifr_mtu, 0);
	if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0) {
		rc = sqn_seterr(iface, -errno,
				"tap: cannot read the MAC of \"%s\": %s",
				t->name, strerror(errno));
		goto out_close;
	}
	memcpy(iface->host_mac, ifr.ifr_hwaddr.sa_data, 6);

	if (t->created) {
		if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
			ifr.ifr_flags |= IFF_UP;
			if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
				sqn_log(iface, SQN_LOG_WARN,
					"%s: cannot set \"%s\" up: %s",
					iface->id, t->name, strerror(errno));
		}
	}
out_close:
	close(s);
	return rc;
}

/**
 * tap_close_queues() - close every fd and free every spill
 * @t:		backend state
 */
static void tap_close_queues(struct tap *t)
{
	unsigned i;

	for (i = 0; i < SQN_MAX_QUEUES; i++) {
		if (t->q[i].fd >= 0)
			close(t->q[i].fd);
		t->q[i].fd = -1;
		free(t->q[i].spill);
		t->q[i].spill = NULL;
	}
}

/**
 * tap_check_device() - whether the device may be used (or created)
 * @iface:	for the message
 * @p:		parameters
 * @name:	the device
 * @nq:		queues asked for
 * @created:	set when the device does not exist yet (it will be created)
 *
 * Return: 0, or a negative errno with the message set
 */
static int tap_check_device(struct sqn_iface *iface, const struct sqn_params *p,
			    const char *name, unsigned nq, bool *created)
{
	struct sqn_tap_info ti;

	sqn_tap_inspect(name, &ti);
	if (!ti.exists && p->tap_create != SQN_ON)
		return sqn_seterr(iface, -ENODEV,
				  "tap: no device \"%s\" in this network "
				  "namespace: create it first (`ip tuntap add "
				  "%s mode tap%s`) or set tap_create",
				  name, name, nq > 1 ? " multi_queue" : "");
	if (ti.known && ti.exists && ti.tun_type != IFF_TAP)
		return sqn_tap_explain(iface, name, EINVAL, nq, &ti);
	*created = !ti.exists;
	return 0;
}

/**
 * tap_open_queues() - open every queue of the device, with its spill buffer
 * @iface:	for the message
 * @t:		the backend state (t->nq set)
 * @p:		parameters
 *
 * Return: 0, or a negative errno with the message set (the caller closes
 * what was opened)
 */
static int tap_open_queues(struct sqn_iface *iface, struct tap *t,
			   const struct sqn_params *p)
{
	short flags = IFF_TAP | IFF_NO_PI;
	unsigned i;
	int rc;

	if (t->nq > 1)
		flags |= IFF_MULTI_QUEUE;
	if (p->offload == SQN_ON)
		flags |= IFF_VNET_HDR;
	for (i = 0; i < t->nq; i++) {
		rc = tap_open_queue(iface, t->name, flags, t->nq, &t->q[i].fd);
		if (rc)
			return rc;
		t->q[i].spill = malloc(TAP_SPILL_LEN);
		if (!t->q[i].spill)
			return sqn_seterr(iface, -ENOMEM, "tap: out of memory");
	}
	return 0;
}

/**
 * tap_start() - attach to (or create) the TAP, one fd per queue pair
 * @iface:	the interface
 * @p:		parameters: host_dev_name, tap_create, tap_queues, offload,
 *		offload_features, mtu, max_frame
 *
 * Return: 0 or a negative errno; on failure nothing is left open, and a
 * device we created is gone with its fds
 */
static int tap_start(struct sqn_iface *iface, const struct sqn_params *p)
{
	unsigned nq = p->tap_queues ? p->tap_queues : 1, i;
	struct tap *t;
	int rc;

	t = calloc(1, sizeof(*t));
	if (!t)
		return sqn_seterr(iface, -ENOMEM, "tap: out of memory");
	for (i = 0; i < SQN_MAX_QUEUES; i++)
		t->q[i].fd = -1;
	t->nq = nq;
	rc = tap_name(p, t->name);
	if (rc) {
		sqn_seterr(iface, rc, "tap: no host_dev_name given");
		goto out_free;
	}

	rc = tap_check_device(iface, p, t->name, nq, &t->created);
	if (rc)
		goto out_free;
	rc = tap_open_queues(iface, t, p);
	if (rc)
		goto out_close;
	rc = tap_setup_offload(iface, t->q[0].fd, p);
	if (rc)
		goto out_close;
	rc = tap_setup_link(iface, t, p);
	if (rc)
		goto out_close;

	iface->nqueues = nq;
	for (i = 0; i < nq; i++)
		iface->qfd[i] = t->q[i].fd;
	iface->fd = t->q[0].fd;
	iface->be = t;
	sqn_log(iface, SQN_LOG_INFO,
		"%s: tap \"%s\" %s, %u queue%s, offloads %s", iface->id,
		t->name, t->created ? "created" : "attached", nq,
		nq > 1 ? "s" : "", iface->offload ? "on" : "off");
	return 0;

out_close:
	tap_close_queues(t);
out_free:
	free(t);
	return rc;
}

/**
 * tap_stop() - close the fds (a device we created goes away with them)
 * @iface:	the interface
 */
static void tap_stop(struct sqn_iface *iface)
{
	struct tap *t = iface->be;

	tap_close_queues(t);
	free(t);
	iface->be = NULL;
}

/**
 * tap_too_big() - report the frame pending on @tq to a too-small buffer
 * @iface:	the interface
 * @tq:		the queue
 * @f:		the caller's first frame: len gets the size needed
 *
 * Return: -EMSGSIZE
 */
static int tap_too_big(struct sqn_iface *iface, const struct tap_queue *tq,
		       struct sqn_frame *f)
{
	uint32_t cap = f->data ? f->cap : 0;

	f->len = tq->pending;
	return sqn_seterr(iface, -EMSGSIZE,
			  "%s: read: the next frame is %u bytes, the buffer "
			  "holds %u",
			  iface->id, tq->pending, cap);
}

enum tap_rd { TAP_RD_FRAME, TAP_RD_EMPTY, TAP_RD_RETRY, TAP_RD_PENDING };

/**
 * tap_read_one() - read one frame into @fr (or keep it pending if too big)
 * @iface:	the interface
 * @tq:		the queue
 * @q:		its index, for messages
 * @fr:		the caller's buffer
 *
 * Return: TAP_RD_FRAME (a frame in @fr), TAP_RD_EMPTY (nothing waiting),
 * TAP_RD_RETRY (interrupted, or a runt dropped and counted),
 * TAP_RD_PENDING (the frame did not fit: kept whole in the spill), or the
 * negative errno of readv() with no message set (the caller reports it only
 * when no frame was read)
 */
static int tap_read_one(struct sqn_iface *iface, struct tap_queue *tq,
			unsigned q, struct sqn_frame *fr)
{
	int off = iface->offload ? TAP_VNET_HDR_LEN : 0;
	uint32_t cap = fr->data ? fr->cap : 0, len;
	uint8_t hdr[TAP_VNET_HDR_LEN];
	struct iovec iov[3];
	unsigned k = 0;
	ssize_t r;

	if (off) {
		iov[k].iov_base = hdr;
		iov[k++].iov_len = sizeof(hdr);
	}
	if (cap) {
		iov[k].iov_base = fr->data;
		iov[k++].iov_len = cap;
	}
	iov[k].iov_base = tq->spill;
	iov[k++].iov_len = TAP_SPILL_LEN;
	r = readv(tq->fd, iov, (int)k);
	if (r < 0 && errno == EINTR)
		return TAP_RD_RETRY;
	if (r < 0 && errno == EAGAIN)
		return TAP_RD_EMPTY;
	if (r < 0)
		return -errno;
	if (r < off + SQN_FRAME_MIN ||
	    (size_t)r - (size_t)off > (size_t)cap + TAP_SPILL_LEN) {
		uint64_t e = SQN_STAT_ADD(iface, rx_errors, 1) + 1;

		if (sqn_log_every(e))
			sqn_log(iface, SQN_LOG_WARN,
				"%s: tap queue %u: dropped a %zd-byte frame "
				"(%llu so far)",
				iface->id, q, r - off, (unsigned long long)e);
		return TAP_RD_RETRY;
	}
	len = (uint32_t)(r - off);
	if (off)
		sqn_vnet_from_wire(hdr, &fr->vnet);
	else
		memset(&fr->vnet, 0, sizeof(fr->vnet));
	if (len <= cap) {
		fr->len = len;
		return TAP_RD_FRAME;
	}
	/* assemble the whole frame in the spill, keep it */
	memmove(tq->spill + cap, tq->spill, len - cap);
	if (cap)
		memcpy(tq->spill, fr->data, cap);
	tq->pending = len;
	tq->pend_vnet = fr->vnet;
	return TAP_RD_PENDING;
}

/**
 * tap_read() - read up to @n frames from queue @q into the caller's buffers
 * @iface:	the interface
 * @q:		queue pair
 * @f:		caller buffers
 * @n:		how many (1..SQN_BATCH)
 *
 * Return: frames filled, 0 when none is waiting, -EMSGSIZE when the first
 * frame does not fit (it stays pending), or a negative errno
 */
static int tap_read(struct sqn_iface *iface, unsigned q, struct sqn_frame *f,
		    unsigned n)
{
	struct tap *t = iface->be;
	struct tap_queue *tq = &t->q[q];
	unsigned i = 0;
	int rc;

	if (n == 0)
		return 0;
	if (tq->pending) {
		if (!f[0].data || f[0].cap < tq->pending)
			return tap_too_big(iface, tq, &f[0]);
		memcpy(f[0].data, tq->spill, tq->pending);
		f[0].len = tq->pending;
		f[0].vnet = tq->pend_vnet;
		tq->pending = 0;
		i = 1;
	}
	while (i < n) {
		rc = tap_read_one(iface, tq, q, &f[i]);
		if (rc == TAP_RD_FRAME)
			i++;
		else if (rc == TAP_RD_PENDING)
			return i ? (int)i : tap_too_big(iface, tq, &f[0]);
		else if (rc == TAP_RD_EMPTY || (rc < 0 && i))
			break;
		else if (rc < 0)
			return sqn_seterr(iface, rc,
					  "%s: read from tap queue %u: %s",
					  iface->id, q, strerror(-rc));
	}
	return (int)i;
}

/**
 * tap_write() - write frames to queue @q, one write per frame
 * @iface:	the interface
 * @q:		queue pair
 * @f:		frames, lengths already checked
 * @n:		how many
 *
 * A frame the kernel refuses (queue full, device down, bad virtio-net
 * header) ends the batch: it and the rest are counted as dropped.
 *
 * Return: frames passed on
 */
static int tap_write(struct sqn_iface *iface, unsigned q,
		     const struct sqn_frame *f, unsigned n)
{
	struct tap *t = iface->be;
	int fd = t->q[q].fd;
	uint8_t hdr[TAP_VNET_HDR_LEN];
	struct iovec iov[2];
	unsigned i;
	ssize_t r;

	for (i = 0; i < n; i++) {
		do {
			if (iface->offload) {
				sqn_vnet_to_wire(&f[i].vnet, hdr);
				iov[0].iov_base = hdr;
				iov[0].iov_len = sizeof(hdr);
				iov[1].iov_base = f[i].data;
				iov[1].iov_len = f[i].len;
				r = writev(fd, iov, 2);
			} else {
				r = write(fd, f[i].data, f[i].len);
			}
		} while (r < 0 && errno == EINTR);
		if (r < 0) {
			int err = errno;
			uint64_t c =
				atomic_load_explicit(&iface->ctr.tx_dropped,
						     memory_order_relaxed) +
				1;

			if (err == EINVAL)
				SQN_STAT_ADD(iface, tx_errors, 1);
			if (sqn_log_every(c))
				sqn_log(iface, SQN_LOG_WARN,
					"%s: tap queue %u refused a %u-byte "
					"frame: %s%s",
					iface->id, q, f[i].len, strerror(err),
					err == EIO ? " (is the device up?)"
					: err == EINVAL
						? " (bad virtio-net header)"
						: "");
			break;
		}
	}
	return (int)i;
}

/**
 * tap_policy_env() - the host's addresses on the TAP device, as the egress
 *		      policy's gateway and DNS
 * @iface:	the interface
 * @env:	filled: every address the device has now, IPv4 and IPv6
 *
 * A TAP has no stack of its own: what the guest reaches of the host is the
 * device's own addresses, where a resolver the VMM runs (dnsmasq) listens.
 * Read when a policy is made or replaced, so an address given to the
 * device after start is taken by sqn_iface_set_policy().
 */
static void tap_policy_env(struct sqn_iface *iface, struct sqn_policy_env *env)
{
	const struct tap *t = iface->be;
	struct ifaddrs *all, *a;
	uint8_t family;
	const void *ip;

	if (getifaddrs(&all))
		return;
	for (a = all; a; a = a->ifa_next) {
		if (!a->ifa_addr || strcmp(a->ifa_name, t->name) != 0)
			continue;
		if (a->ifa_addr->sa_family == AF_INET) {
			family = 4;
			ip = &((const struct sockaddr_in *)(const void *)
				       a->ifa_addr)
				      ->sin_addr;
		} else if (a->ifa_addr->sa_family == AF_INET6) {
			family = 6;
			ip = &((const struct sockaddr_in6 *)(const void *)
				       a->ifa_addr)
				      ->sin6_addr;
		} else {
			continue;
		}
		if (env->n_gw < SQN_POLICY_ENV_MAX) {
			env->gw[env->n_gw].family = family;
			memcpy(env->gw[env->n_gw++].a, ip,
			       family == 4 ? 4 : 16);
		}
		if (env->n_dns < SQN_POLICY_ENV_MAX) {
			env->dns[env->n_dns].family = family;
			memcpy(env->dns[env->n_dns++].a, ip,
			       family == 4 ? 4 : 16);
		}
	}
	freeifaddrs(all);
}

const struct sqn_backend_ops sqn_be_tap = {
	.name = "tap",
	.validate = tap_validate,
	.start = tap_start,
	.stop = tap_stop,
	.read = tap_read,
	.write = tap_write,
	.policy_env = tap_policy_env,
};
