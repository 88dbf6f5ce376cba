/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_capture.c - packet capture: the pcap file read back byte by byte and
 *		 by tcpdump, a full buffer, a full disk, start and stop while
 *		 frames flow
 *
 * Nothing here measures time: "adding never waits" is shown by adders
 * that finish while the writer thread is stuck (a FIFO nobody reads) or
 * the disk is full (a 64 KiB tmpfs in a private mount namespace, root).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "check.h"
#include "netframes.h"

static const uint8_t mac_a[6] = {0x06, 0, 0, 0, 0, 0xaa};
static const uint8_t mac_b[6] = {0x06, 0, 0, 0, 0, 0xbb};
static char tmpdir[] = "/tmp/sqn-t_capture.XXXXXX";

/**
 * struct pcap_read - what read_pcap() found in a file
 * @magic:	the file's magic
 * @snaplen:	its snap length
 * @linktype:	its link type
 * @nrec:	whole records
 * @torn:	bytes after the last whole record (a cut record)
 * @bad:	records whose incl_len > orig_len or > snaplen
 * @mismatch:	records whose bytes differ from frame(i) (when checked)
 */
struct pcap_read {
	uint32_t magic;
	uint32_t snaplen;
	uint32_t linktype;
	uint64_t nrec;
	uint64_t torn;
	uint64_t bad;
	uint64_t mismatch;
};

/* frame i: a UDP packet whose length, payload and IPv4 id depend on i */
static size_t frame(unsigned i, uint8_t *buf)
{
	uint8_t payload[1400], *ip = buf + 14;
	size_t plen = 20 + (i * 37) % 1300, n;
	uint16_t sum;

	memset(payload, (int)(i & 0xff), plen);
	n = nf_udp(buf, i & 1 ? mac_a : mac_b, i & 1 ? mac_b : mac_a,
		   NF_IP(10, 0, 2, 15), NF_IP(10, 0, 2, 2),
		   (uint16_t)(1000 + (i & 0x3fff)), 53, payload, plen);
	/* nf_udp() numbers its packets: make the id a function of i */
	ip[4] = (uint8_t)(i >> 8);
	ip[5] = (uint8_t)i;
	ip[10] = ip[11] = 0;
	sum = nf_csum(ip, 20, 0);
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	return n;
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/*
 * read_pcap() - parse a pcap file independently of capture.c; with
 * @expect_first >= 0, record k must be frame(expect_first + k) cut at the
 * snap length
 */
static int read_pcap(const char *path, struct pcap_read *r, long expect_first)
{
	uint8_t want[NF_FRAME_MAX], *data;
	size_t n, off;
	struct stat sb;
	FILE *f = fopen(path, "rb");

	memset(r, 0, sizeof(*r));
	if (!f)
		return -errno;
	if (fstat(fileno(f), &sb) || !(data = malloc((size_t)sb.st_size + 1))) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(data, 1, (size_t)sb.st_size, f);
	fclose(f);
	if (n < SQN_CAP_FILE_HDR || data[4] != 2 || data[5] != 0 ||
	    data[6] != 4 || data[7] != 0) { /* version 2.4, host order */
		free(data);
		return -EINVAL;
	}
	r->magic = get_u32(data);
	r->snaplen = get_u32(data + 16);
	r->linktype = get_u32(data + 20);
	for (off = SQN_CAP_FILE_HDR; off + SQN_CAP_REC_HDR <= n;) {
		uint32_t incl = get_u32(data + off + 8);
		uint32_t orig = get_u32(data + off + 12);

		if (off + SQN_CAP_REC_HDR + incl > n)
			break;
		if (incl > orig || incl > r->snaplen)
			r->bad++;
		if (expect_first >= 0) {
			size_t wl =
				frame((unsigned)(expect_first + r->nrec), want);

			if (orig != wl ||
			    memcmp(data + off + SQN_CAP_REC_HDR, want, incl))
				r->mismatch++;
		}
		r->nrec++;
		off += SQN_CAP_REC_HDR + incl;
	}
	r->torn = n - off;
	free(data);
	return 0;
}

/* tcpdump_count() - frames `tcpdump -r` prints; -1 if it fails */
static long tcpdump_count(const char *path)
{
	char cmd[512], line[1024];
	long lines = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "tcpdump -nn -r '%s' 2>&1", path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p))
		if (strncmp(line, "reading from file", 17))
			lines++;
	st = pclose(p);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("# tcpdump -r %s: exit status %d\n", path, st);
		return -1;
	}
	return lines;
}

static bool have_tcpdump(void)
{
	return system("tcpdump --version >/dev/null 2>&1") == 0;
}

static void path_in_tmp(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

/* the file, read back: header, timestamps, snap length, bytes */
static void file_format(void)
{
	struct sqn_cap c;
	struct sqn_cap_config cfg = {.snaplen = 100};
	struct sqn_cap_stats st;
	uint8_t buf[NF_FRAME_MAX], data[4096];
	char path[256], err[256] = "";
	size_t len[3], n;
	FILE *f;
	unsigned i;

	path_in_tmp(path, sizeof(path), "format.pcap");
	cfg.path = path;
	ASSERT(sqn_cap_init(&c) == 0);
	CHECK(!sqn_cap_running(&c));
	CHECK_EQ(sqn_cap_add(&c, SQN_CAP_RX, buf, 60, 0), 0); /* not on */
	ASSERT(sqn_cap_start(&c, &cfg, err, sizeof(err)) == 0);
	CHECK(sqn_cap_running(&c));
	for (i = 0; i < 3; i++) {
		len[i] = frame(i * 20, buf);
		CHECK_EQ(sqn_cap_add(&c, i == 1 ? SQN_CAP_TX : SQN_CAP_RX, buf,
				     (uint32_t)len[i],
				     1700000000ULL * 1000000000ULL +
					     i * 1000123456ULL),
			 1);
	}
	CHECK_EQ(sqn_cap_stop(&c, &st), 0);
	CHECK(!sqn_cap_running(&c));
	CHECK_EQ(st.frames, 3);
	CHECK_EQ(st.written, 3);
	CHECK_EQ(st.lost, 0);
	CHECK_EQ(st.dropped, 0);
	CHECK_EQ(st.error, 0);
	CHECK_EQ(len[0], 62);
	CHECK(len[1] > 100 && len[2] > 100);
	CHECK_EQ(st.bytes, 62 + 100 + 100);
	CHECK_EQ(sqn_cap_add(&c, SQN_CAP_RX, buf, 60, 0), 0); /* stopped */

	f = fopen(path, "rb");
	ASSERT(f);
	n = fread(data, 1, sizeof(data), f);
	fclose(f);
	CHECK_EQ(n, 24 + 3 * 16 + 62 + 100 + 100);
	CHECK_EQ(get_u32(data), 0xa1b2c3d4);
	CHECK_EQ(get_u32(data + 8), 0);	   /* thiszone */
	CHECK_EQ(get_u32(data + 16), 100); /* snaplen */
	CHECK_EQ(get_u32(data + 20), 1);   /* LINKTYPE_ETHERNET */
	/* record 0: 1700000000.000000 s, whole */
	CHECK_EQ(get_u32(data + 24), 1700000000);
	CHECK_EQ(get_u32(data + 24 + 4), 0);
	CHECK_EQ(get_u32(data + 24 + 8), 62);
	CHECK_EQ(get_u32(data + 24 + 12), 62);
	frame(0, buf);
	CHECK(!memcmp(data + 24 + 16, buf, 62));
	/* record 1: 1700000001.000123 s, cut at 100 of its bytes */
	CHECK_EQ(get_u32(data + 24 + 16 + 62), 1700000001);
	CHECK_EQ(get_u32(data + 24 + 16 + 62 + 4), 123);
	CHECK_EQ(get_u32(data + 24 + 16 + 62 + 8), 100);
	CHECK_EQ(get_u32(data + 24 + 16 + 62 + 12), len[1]);
	frame(20, buf);
	CHECK(!memcmp(data + 24 + 16 + 62 + 16, buf, 100));
	/* record 2: 1700000002.000246 s */
	CHECK_EQ(get_u32(data + 24 + 2 * 16 + 162), 1700000002);
	CHECK_EQ(get_u32(data + 24 + 2 * 16 + 162 + 4), 246);

	/* a second start truncates; stop twice */
	cfg.nsec = true;
	cfg.snaplen = 0;
	ASSERT(sqn_cap_start(&c, &cfg, err, sizeof(err)) == 0);
	len[0] = frame(7, buf);
	CHECK_EQ(sqn_cap_add(&c, SQN_CAP_TX, buf, (uint32_t)len[0],
			     5ULL * 1000000000ULL + 999999999ULL),
		 1);
	CHECK_EQ(sqn_cap_stop(&c, &st), 0);
	CHECK_EQ(sqn_cap_stop(&c, &st), -ENOENT);
	CHECK_EQ(st.frames, 1);
	f = fopen(path, "rb");
	ASSERT(f);
	n = fread(data, 1, sizeof(data), f);
	fclose(f);
	CHECK_EQ(n, 24 + 16 + len[0]);
	CHECK_EQ(get_u32(data), 0xa1b23c4d);
	CHECK_EQ(get_u32(data + 16), 65535);
	CHECK_EQ(get_u32(data + 24), 5);
	CHECK_EQ(get_u32(data + 28), 999999999);
	sqn_cap_destroy(&c);
	unlink(path);
}

/* one direction only */
static void directions(void)
{
	struct sqn_cap c;
	struct sqn_cap_config cfg = {.dirs = SQN_CAP_TX};
	struct sqn_cap_stats st;
	struct pcap_read r;
	uint8_t buf[NF_FRAME_MAX];
	char path[256], err[256] = "";
	unsigned i;

	path_in_tmp(path, sizeof(path), "dirs.pcap");
	cfg.path = path;
	ASSERT(sqn_cap_init(&c) == 0);
	ASSERT(sqn_cap_start(&c, &cfg, err, sizeof(err)) == 0);
	for (i = 0; i < 10; i++) {
		size_t n = frame(i, buf);

		CHECK_EQ(sqn_cap_add(&c, i & 1 ? SQN_CAP_TX : SQN_CAP_RX, buf,
				     (uint32_t)n, 0),
			 i & 1);
	}
	sqn_cap_stop(&c, &st);
	CHECK_EQ(st.frames, 5);
	CHECK_EQ(read_pcap(path, &r, -1), 0);
	CHECK_EQ(r.nrec, 5);
	sqn_cap_destroy(&c);
	unlink(path);
}

static void *stop_main(void *arg)
{
	return (void *)(intptr_t)sqn_cap_stop(arg, NULL);
}

/* every refusal has its message */
static void refusals(void)
{
	struct sqn_cap c;
	struct sqn_cap_config cfg = {0};
	char path[256], err[256] = "";
	pthread_t t;
	void *other;
	int mine;

	path_in_tmp(path, sizeof(path), "refusals.pcap");
	ASSERT(sqn_cap_init(&c) == 0);
	CHECK_EQ(sqn_cap_start(&c, &cfg, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "no file name");
	cfg.path = path;
	cfg.snaplen = 13;
	CHECK_EQ(sqn_cap_start(&c, &cfg, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "snaplen 13 is out of range: 14..262144");
	cfg.snaplen = 262145;
	CHECK_EQ(sqn_cap_start(&c, &cfg, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "snaplen 262145");
	cfg.snaplen = 1000;
	cfg.buf_bytes = 1015;
	CHECK_EQ(sqn_cap_start(&c, &cfg, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "buffer of 1015 bytes is out of range: 1016");
	cfg.buf_bytes = 0;
	cfg.dirs = 4;
	CHECK_EQ(sqn_cap_start(&c, &cfg, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "directions 0x4");
	cfg.dirs = 0;
	cfg.path = "/nonexistent-dir/x.pcap";
	CHECK_EQ(sqn_cap_start(&c, &cfg, err, sizeof(err)), -ENOENT);
	CHECK_STR_HAS(err, "cannot open /nonexistent-dir/x.pcap");
	CHECK(!sqn_cap_running(&c));
	cfg.path = path;
	ASSERT(sqn_cap_start(&c, &cfg, err, sizeof(err)) == 0);
	CHECK_EQ(sqn_cap_start(&c, &cfg, err, sizeof(err)), -EBUSY);
	CHECK_STR_HAS(err, "one runs already (to ");
	CHECK_STR_HAS(err, "refusals.pcap): stop it first");
	CHECK_EQ(sqn_cap_stop(&c, NULL), 0);
	CHECK_EQ(sqn_cap_stop(&c, NULL), -ENOENT);

	/* two stops at once: one stops it, the other finds none */
	ASSERT(sqn_cap_start(&c, &cfg, err, sizeof(err)) == 0);
	ASSERT(pthread_create(&t, NULL, stop_main, &c) == 0);
	mine = sqn_cap_stop(&c, NULL);
	pthread_join(t, &other);
	CHECK_EQ(mine + (int)(intptr_t)other, -ENOENT);
	CHECK(!sqn_cap_running(&c));

	/* a FIFO with no reader: refused at once, not waited for */
	path_in_tmp(path, sizeof(path), "noreader.fifo");
	ASSERT(mkfifo(path, 0600) == 0);
	CHECK_EQ(sqn_cap_start(&c, &cfg, err, sizeof(err)), -ENXIO);
	CHECK_STR_HAS(err, "a FIFO needs a reader first");
	unlink(path);
	sqn_cap_destroy(&c);
	path_in_tmp(path, sizeof(path), "refusals.pcap");
	unlink(path);
}

/* tcpdump -r reads what we write, both timestamp kinds, frame for frame */
static void tcpdump_reads(void)
{
	struct sqn_cap c;
	struct sqn_cap_config cfg = {.buf_bytes = 128 << 10};
	struct sqn_cap_stats st;
	struct pcap_read r;
	uint8_t buf[NF_FRAME_MAX];
	char path[256], err[256] = "";
	unsigned i;
	int nsec;

	if (!have_tcpdump())
		SKIP("no tcpdump");
	path_in_tmp(path, sizeof(path), "tcpdump.pcap");
	cfg.path = path;
	ASSERT(sqn_cap_init(&c) == 0);
	for (nsec = 0; nsec < 2; nsec++) {
		cfg.nsec = nsec;
		ASSERT(sqn_cap_start(&c, &cfg, err, sizeof(err)) == 0);
		/* 3000 frames through a 128 KiB buffer: dropped ones are
		 * retried, so the file has all of them, in order */
		for (i = 0; i < 3000; i++) {
			size_t n = frame(i, buf);

			while (sqn_cap_add(&c, SQN_CAP_RX, buf, (uint32_t)n,
					   0) < 0)
				sched_yield();
		}
		CHECK_EQ(sqn_cap_stop(&c, &st), 0);
		CHECK_EQ(st.frames, 3000);
		CHECK_EQ(st.written, 3000);
		CHECK_EQ(st.lost, 0);
		CHECK_EQ(read_pcap(path, &r, 0), 0);
		CHECK_EQ(r.nrec, 3000);
		CHECK_EQ(r.mismatch, 0);
		CHECK_EQ(r.torn, 0);
		CHECK_EQ(r.magic, nsec ? 0xa1b23c4d : 0xa1b2c3d4);
		CHECK_EQ(tcpdump_count(path), 3000);
		printf("# %s timestamps: 3000 frames, %llu drops retried, "
		       "tcpdump -r reads 3000\n",
		       nsec ? "ns" : "us", (unsigned long long)st.dropped);
	}
	sqn_cap_destroy(&c);
	unlink(path);
}

/**
 * struct drain - a thread that reads a FIFO to its end into a file
 * @fd:		the FIFO's read end
 * @path:	where the bytes go
 */
struct drain {
	int fd;
	const char *path;
};

static void *drain_main(void *arg)
{
	struct drain *d = arg;
	char buf[65536];
	int out = open(d->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n;
	int fl = fcntl(d->fd, F_GETFL);

	fcntl(d->fd, F_SETFL, fl & ~O_NONBLOCK);
	while ((n = read(d->fd, buf, sizeof(buf))) > 0)
		if (out >= 0 && write(out, buf, (size_t)n) != n)
			break;
	if (out >= 0)
		close(out);
	return NULL;
}

/* the writer is stuck on a FIFO nobody reads: adders are not, the frames
 * that do not fit are counted, and what was taken arrives once read */
static void full_buffer(void)
{
	struct sqn_cap c;
	struct sqn_cap_config cfg = {.buf_bytes = 256 << 10};
	struct sqn_cap_stats st;
	struct pcap_read r;
	struct drain d;
	pthread_t t;
	uint8_t buf[NF_FRAME_MAX];
	char fifo[256], out[256], err[256] = "";
	uint64_t taken = 0, refused = 0;
	unsigned i;
	int rfd, rc;

	path_in_tmp(fifo, sizeof(fifo), "stuck.fifo");
	path_in_tmp(out, sizeof(out), "stuck.pcap");
	ASSERT(mkfifo(fifo, 0600) == 0);
	rfd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT(rfd >= 0);
	cfg.path = fifo;
	ASSERT(sqn_cap_init(&c) == 0);
	ASSERT(sqn_cap_start(&c, &cfg, err, sizeof(err)) == 0);
	/* 100k frames, ~70 MB: far more than the buffer and the pipe */
	for (i = 0; i < 100000; i++) {
		size_t n = frame(i, buf);

		rc = sqn_cap_add(&c, i & 1 ? SQN_CAP_TX : SQN_CAP_RX, buf,
				 (uint32_t)n, 0);
		if (rc == 1)
			taken++;
		else if (rc == -ENOBUFS)
			refused++;
	}
	sqn_cap_stats(&c, &st);
	printf("# writer stuck: %llu frames taken, %llu dropped, all 100000 "
	       "adds returned\n",
	       (unsigned long long)taken, (unsigned long long)refused);
	CHECK_EQ(taken + refused, 100000);
	CHECK(refused > 90000);
	CHECK_EQ(st.dropped, refused);
	CHECK_EQ(st.frames, taken);

	d.fd = rfd;
	d.path = out;
	ASSERT(pthread_create(&t, NULL, drain_main, &d) == 0);
	CHECK_EQ(sqn_cap_stop(&c, &st), 0);
	pthread_join(t, NULL);
	close(rfd);
	CHECK_EQ(st.written, taken);
	CHECK_EQ(st.lost, 0);
	CHECK_EQ(read_pcap(out, &r, -1), 0);
	CHECK_EQ(r.nrec, taken);
	CHECK_EQ(r.torn, 0);
	CHECK_EQ(r.bad, 0);
	sqn_cap_destroy(&c);
	unlink(fifo);
	unlink(out);
}

/**
 * struct disk_result - what the full-disk child saw
 * @st:		final counters
 * @adds:	adds that returned
 * @size:	the file's size
 * @rec:	whole records in it
 * @torn:	bytes of a cut record at its end
 * @mismatch:	records that differ from the frames added
 * @tcpdump:	what tcpdump -r counted
 * @setup:	0, or the errno of the mount set-up
 */
struct disk_result {
	struct sqn_cap_stats st;
	uint64_t adds;
	uint64_t size;
	uint64_t rec;
	uint64_t torn;
	uint64_t mismatch;
	long tcpdump;
	int setup;
};

/* in a child: private mounts, a 64 KiB tmpfs, 500 frames of ~700 bytes */
static void full_disk_child(int wfd)
{
	struct disk_result res = {0};
	struct sqn_cap c;
	struct sqn_cap_config cfg = {.buf_bytes = 1 << 20};
	struct pcap_read r;
	struct stat sb;
	uint8_t buf[NF_FRAME_MAX];
	char mnt[256], path[300], err[256] = "";
	unsigned i;

	path_in_tmp(mnt, sizeof(mnt), "tmpfs");
	if (unshare(CLONE_NEWNS) ||
	    mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mkdir(mnt, 0700) ||
	    mount("tmpfs", mnt, "tmpfs", 0, "size=64k,mode=0700")) {
		res.setup = errno;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/full.pcap", mnt);
	cfg.path = path;
	if (sqn_cap_init(&c) || sqn_cap_start(&c, &cfg, err, sizeof(err))) {
		res.setup = EIO;
		goto out;
	}
	for (i = 0; i < 500; i++) {
		size_t n = frame(i, buf);

		sqn_cap_add(&c, SQN_CAP_RX, buf, (uint32_t)n, 0);
		res.adds++;
	}
	sqn_cap_stop(&c, &res.st);
	sqn_cap_destroy(&c);
	if (!stat(path, &sb))
		res.size = (uint64_t)sb.st_size;
	if (!read_pcap(path, &r, 0)) {
		res.rec = r.nrec;
		res.torn = r.torn;
		res.mismatch = r.mismatch;
	}
	res.tcpdump = have_tcpdump() ? tcpdump_count(path) : -2;
	unlink(path);
	umount(mnt);
	rmdir(mnt);
out:
	if (write(wfd, &res, sizeof(res)) != sizeof(res))
		_exit(1);
	_exit(0);
}

/* ENOSPC: frames are lost and counted, the file keeps whole records */
static void full_disk(void)
{
	struct disk_result res;
	int p[2], st;
	pid_t pid;
	ssize_t n;

	if (geteuid() != 0)
		SKIP("a tmpfs needs root");
	ASSERT(pipe(p) == 0);
	fflush(stdout);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		full_disk_child(p[1]);
	}
	close(p[1]);
	n = read(p[0], &res, sizeof(res));
	close(p[0]);
	waitpid(pid, &st, 0);
	ASSERT(n == (ssize_t)sizeof(res));
	if (res.setup)
		printf("# set-up failed: %s\n", strerror(res.setup));
	ASSERT(res.setup == 0);
	printf("# 64 KiB tmpfs: %llu frames taken, %llu written, %llu lost, "
	       "file %llu bytes, error %d, tcpdump counts %ld\n",
	       (unsigned long long)res.st.frames,
	       (unsigned long long)res.st.written,
	       (unsigned long long)res.st.lost, (unsigned long long)res.size,
	       res.st.error, res.tcpdump);
	CHECK_EQ(res.adds, 500);
	CHECK_EQ(res.st.frames, 500); /* a 1 MiB buffer takes them all */
	CHECK_EQ(res.st.dropped, 0);
	CHECK(res.st.lost > 0);
	CHECK(res.st.written > 0);
	CHECK_EQ(res.st.written + res.st.lost, 500);
	CHECK_EQ(res.st.error, -ENOSPC);
	CHECK(res.size <= 64 << 10);
	CHECK_EQ(res.rec, res.st.written);
	CHECK_EQ(res.torn, 0);
	CHECK_EQ(res.mismatch, 0);
	CHECK_EQ(res.tcpdump, (long)res.st.written);
}

/**
 * struct producer - a thread adding frames until told to stop
 * @c:		the capture
 * @dir:	its direction
 * @stop:	set to end it
 * @taken:	adds that returned 1
 * @idle:	adds that returned 0 (no capture running)
 * @dropped:	adds that returned -ENOBUFS
 */
struct producer {
	struct sqn_cap *c;
	unsigned dir;
	atomic_bool stop;
	atomic_ullong taken;
	atomic_ullong idle;
	atomic_ullong dropped;
};

/* frames for the producers, built before they start (nf_udp() numbers
 * its packets in a static: not to be called from two threads) */
static uint8_t pool[64][NF_FRAME_MAX];
static size_t pool_len[64];

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	unsigned i = 0;

	while (!atomic_load(&p->stop)) {
		unsigned k = i++ % 64;
		int rc = sqn_cap_add(p->c, p->dir, pool[k],
				     (uint32_t)pool_len[k], 0);

		if (rc == 1)
			atomic_fetch_add(&p->taken, 1);
		else if (rc == 0)
			atomic_fetch_add(&p->idle, 1);
		else
			atomic_fetch_add(&p->dropped, 1);
	}
	return NULL;
}

/* two threads add frames all along; captures start and stop between */
static void live_start_stop(void)
{
	struct sqn_cap c;
	struct sqn_cap_config cfg = {.buf_bytes = 128 << 10};
	struct sqn_cap_stats st, now;
	struct producer pr[2];
	struct pcap_read r;
	pthread_t t[2];
	char path[256], err[256] = "";
	uint64_t sum_frames = 0, sum_dropped = 0;
	int i, k, tcpdump = have_tcpdump();

	ASSERT(sqn_cap_init(&c) == 0);
	for (i = 0; i < 64; i++)
		pool_len[i] = frame((unsigned)i, pool[i]);
	for (k = 0; k < 2; k++) {
		memset(&pr[k], 0, sizeof(pr[k]));
		pr[k].c = &c;
		pr[k].dir = k ? SQN_CAP_TX : SQN_CAP_RX;
		ASSERT(pthread_create(&t[k], NULL, producer_main, &pr[k]) == 0);
	}
	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "%s/live%d.pcap", tmpdir, i);
		cfg.path = path;
		cfg.nsec = i & 1;
		ASSERT(sqn_cap_start(&c, &cfg, err, sizeof(err)) == 0);
		do { /* until some frames went in: progress, not time */
			sched_yield();
			sqn_cap_stats(&c, &now);
		} while (now.frames < 2000);
		ASSERT(sqn_cap_stop(&c, &st) == 0);
		CHECK_EQ(st.written, st.frames);
		CHECK_EQ(st.lost, 0);
		CHECK_EQ(read_pcap(path, &r, -1), 0);
		CHECK_EQ(r.nrec, st.written);
		CHECK_EQ(r.torn, 0);
		CHECK_EQ(r.bad, 0);
		if (tcpdump)
			CHECK_EQ(tcpdump_count(path), (long)st.written);
		sum_frames += st.frames;
		sum_dropped += st.dropped;
		unlink(path);
	}
	for (k = 0; k < 2; k++) {
		atomic_store(&pr[k].stop, true);
		pthread_join(t[k], NULL);
	}
	printf("# 5 captures while 2 threads added: %llu frames captured, "
	       "%llu dropped, %llu offered with no capture\n",
	       (unsigned long long)sum_frames, (unsigned long long)sum_dropped,
	       (unsigned long long)(pr[0].idle + pr[1].idle));
	CHECK_EQ(pr[0].taken + pr[1].taken, sum_frames);
	CHECK_EQ(pr[0].dropped + pr[1].dropped, sum_dropped);
	CHECK(pr[0].taken > 0 && pr[1].taken > 0);
	sqn_cap_destroy(&c);
}

static const struct check_case cases[] = {
	CASE(file_format),     CASE(directions),  CASE(refusals),
	CASE(tcpdump_reads),   CASE(full_buffer), CASE(full_disk),
	CASE(live_start_stop),
};

int main(void)
{
	int rc;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	rc = check_main(cases, sizeof(cases) / sizeof(cases[0]));
	rmdir(tmpdir);
	return rc;
}
