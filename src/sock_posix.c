/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sock_posix.c - helper sockets where SOCK_CLOEXEC and abstract addresses
 *		  are missing (macOS, BSD): socket files
 *
 * A unixgram socket is bound to a file, 0600, in a private 0700 directory
 * named squibnet-<pid>-XXXXXX under $XDG_RUNTIME_DIR (or /tmp when that is
 * unset or too long for a socket path). Its owner holds a flock() on the
 * directory while it lives; a SIGKILLed owner cannot remove it, so each
 * start sweeps the directories of this user whose lock is free: the lock,
 * unlike the pid in the name, says the truth across pid namespaces and
 * after pid reuse.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sock.h"

/**
 * sqn_socket_cloexec() - a socket, close-on-exec
 * @domain:	AF_*
 * @type:	SOCK_*
 *
 * macOS has no SOCK_CLOEXEC: the flag is set right after, which leaves a
 * window for a fork in another thread.
 *
 * Return: the fd, or a negative errno
 */
int sqn_socket_cloexec(int domain, int type)
{
	int s = socket(domain, type, 0);

	if (s < 0)
		return -errno;
	fcntl(s, F_SETFD, FD_CLOEXEC);
	return s;
}

/**
 * sqn_sockbuf_held() - what a buffer size read back holds
 * @reported:	SO_SNDBUF or SO_RCVBUF as getsockopt() gave it
 *
 * Return: @reported: the BSDs report what the buffer holds
 */
long sqn_sockbuf_held(long reported)
{
	return reported;
}

/* A directory younger than this may be one its owner has not locked yet */
#define SWEEP_MIN_AGE_S 5

/**
 * sweep_stale() - remove the directories killed callers left in @base
 * @base:	where our private directories are made
 */
static void sweep_stale(const char *base)
{
	char path[SQN_URL_PATH_MAX + 1 + sizeof(((struct dirent *)0)->d_name) +
		  16];
	time_t now = time(NULL);
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(base);
	int fd;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "squibnet-", 9) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
		fd = open(path,
			  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!fstat(fd, &st) && S_ISDIR(st.st_mode) &&
		    st.st_uid == geteuid() &&
		    now - st.st_mtime >= SWEEP_MIN_AGE_S &&
		    !flock(fd, LOCK_EX | LOCK_NB)) {
			/* nobody holds it: its owner is gone */
			snprintf(path, sizeof(path), "%s/%s/vfkit.sock", base,
				 e->d_name);
			unlink(path);
			snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
			rmdir(path);
		}
		close(fd);
	}
	closedir(d);
}

/**
 * make_dir() - our private, locked directory, and the socket path in it
 * @l:		gets the directory and the path
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0 or a negative errno
 */
static int make_dir(struct sqn_dgram_local *l, char *err, size_t errlen)
{
	struct sockaddr_un a;
	const char *base = getenv("XDG_RUNTIME_DIR");
	int n, rc;

	/* the socket path must fit sun_path: else use /tmp */
	if (!base || !*base ||
	    strlen(base) + sizeof("/squibnet-4294967295-XXXXXX/vfkit.sock") >
		    sizeof(a.sun_path))
		base = "/tmp";
	sweep_stale(base);
	n = snprintf(l->dir, sizeof(l->dir), "%s/squibnet-%ld-XXXXXX", base,
		     (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(l->dir)) {
		l->dir[0] = '\0';
		snprintf(err, errlen, "no room for our vfkit socket's path");
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(l->dir)) { /* mode 0700 */
		rc = -errno;
		snprintf(err, errlen,
			 "cannot create a directory for our vfkit socket "
			 "in %s: %s",
			 base, strerror(errno));
		l->dir[0] = '\0';
		return rc;
	}
	l->dirfd = open(l->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->dirfd < 0 || flock(l->dirfd, LOCK_EX | LOCK_NB)) {
		rc = -errno;
		snprintf(err, errlen, "cannot lock %s: %s", l->dir,
			 strerror(errno));
		sqn_dgram_unbind_local(l);
		return rc;
	}
	snprintf(l->path, sizeof(l->path), "%s/vfkit.sock", l->dir);
	return 0;
}

/**
 * sqn_dgram_bind_local() - unixgram: bind @s to a socket file of our own
 * @l:		our address: made at the first call, reused by reconnections
 * @s:		the datagram socket
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0 or a negative errno
 */
int sqn_dgram_bind_local(struct sqn_dgram_local *l, int s, char *err,
			 size_t errlen)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int rc;

	if (!l->dir[0]) {
		rc = make_dir(l, err, errlen);
		if (rc)
			return rc;
	}
	unlink(l->path);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", l->path);
	if (bind(s, (struct sockaddr *)&a, sizeof(a))) {
		rc = -errno;
		snprintf(err, errlen, "cannot bind %s: %s", l->path,
			 strerror(errno));
		return rc;
	}
	chmod(l->path, 0600);
	return 0;
}

/**
 * sqn_dgram_unbind_local() - remove our socket file and directory
 * @l:	the address
 */
void sqn_dgram_unbind_local(struct sqn_dgram_local *l)
{
	if (l->path[0])
		unlink(l->path);
	if (l->dir[0])
		rmdir(l->dir);
	if (l->dirfd >= 0)
		close(l->dirfd);
	sqn_dgram_local_init(l);
}

/**
 * sqn_sock_send_frames() - send frames on a stream socket in one call
 * @sock:	the socket, non-blocking
 * @iov:	the frames' iovecs
 * @first:	the first iovec to send
 * @ends:	for each frame, the index in @iov of its last iovec
 * @n:		frames
 *
 * Without sendmmsg() the frames go in one sendmsg(); the peers of these
 * platforms (gvproxy, vfkit) read a stream however it is cut.
 *
 * Return: bytes sent, or -1 with errno
 */
ssize_t sqn_sock_send_frames(int sock, struct iovec *iov, unsigned first,
			     const uint16_t *ends, unsigned n)
{
	struct msghdr mh;
	ssize_t r;

	if (!n)
		return 0;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov + first;
	mh.msg_iovlen = ends[n - 1] - first + 1;
	do
		r = sendmsg(sock, &mh, MSG_DONTWAIT);
	while (r < 0 && errno == EINTR);
	return r;
}
