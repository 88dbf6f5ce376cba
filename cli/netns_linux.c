/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netns_linux.c - the namespace `squib-net run` makes: a child process in a
 *		   new network and mount namespace, holding a TAP as its NIC
 *
 * Theory of operation: the child unshares (with a user namespace when not
 * root), creates the TAP, and hands its fd to the parent over a control
 * socket (SCM_RIGHTS). The parent, still in the host's namespaces, starts
 * the backend, asks its DHCP server for an address, and sends the result;
 * the child configures the NIC, bind-mounts a resolv.conf naming the
 * backend's DNS, and on "go" execs the command. The child dies with the
 * parent (PR_SET_PDEATHSIG), and the namespace, its TAP and its mounts
 * vanish with the last process in it: nothing is left behind by name.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"
#include "child.h"

#define TUN_PATH "/dev/net/tun"
#define VNET_HDR_LEN 12
/* The NIC's TX queue: about this many bytes of frames, at least the
 * kernel's default and at most RUN_TXQ_MAX frames (run_txqueuelen()) */
#define RUN_TXQ_BYTES (16u << 20)
#define RUN_TXQ_MIN 1000u
#define RUN_TXQ_MAX 16384u

/* control messages between parent and child */
enum ns_msg_type { NS_OK = 1, NS_ERR, NS_CONFIG, NS_GO };

/**
 * struct ns_msg - one control message
 * @type:	enum ns_msg_type
 * @cfg:	NS_CONFIG: the NIC's setup
 * @resolv:	NS_CONFIG: a file to bind-mount on /etc/resolv.conf, or ""
 * @text:	NS_ERR: the message
 */
struct ns_msg {
	int type;
	struct ns_config cfg;
	char resolv[128];
	char text[256];
};

/**
 * send_msg() - send a control message, with an fd if @fd >= 0
 * @sock:	control socket
 * @m:		the message
 * @fd:		fd to pass, or -1
 *
 * Return: 0 or a negative errno
 */
static int send_msg(int sock, const struct ns_msg *m, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = (void *)m, .iov_len = sizeof(*m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;

	if (fd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof(*m))
		return -errno ? -errno : -EIO;
	return 0;
}

/**
 * recv_msg() - receive a control message and maybe an fd
 * @sock:	control socket
 * @m:		filled
 * @fd:		gets a passed fd, or -1; may be NULL
 *
 * Return: 0, -EPIPE when the peer is gone, or a negative errno
 */
static int recv_msg(int sock, struct ns_msg *m, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;
	ssize_t n;

	if (fd)
		*fd = -1;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n != (ssize_t)sizeof(*m))
		return -EPIPE;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS) {
			int got;

			memcpy(&got, CMSG_DATA(cm), sizeof(int));
			if (fd)
				*fd = got;
			else
				close(got);
		}
	}
	return 0;
}

/**
 * child_fail() - report an error to the parent and exit
 * @sock:	control socket
 * @fmt:	printf format, then its arguments
 */
static void child_fail(int sock, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
static void child_fail(int sock, const char *fmt, ...)
{
	struct ns_msg m = {.type = NS_ERR};
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m.text, sizeof(m.text), fmt, ap);
	va_end(ap);
	send_msg(sock, &m, -1);
	_exit(125);
}

/**
 * write_file() - write a short string to a /proc file
 * @path:	the file
 * @s:		the text
 *
 * Return: 0 or a negative errno
 */
static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;
	size_t n = strlen(s);

	if (fd < 0)
		return -errno;
	if (write(fd, s, n) != (ssize_t)n)
		rc = -errno ? -errno : -EIO;
	close(fd);
	return rc;
}

/**
 * child_unshare() - enter new network and mount namespaces (and a user
 *		     namespace, mapping us to root in it, when not root)
 * @sock:	control socket, for errors
 */
static void child_unshare(int sock)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (uid == 0) {
		if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
			child_fail(sock,
				   "run: cannot create a network namespace: %s",
				   strerror(errno));
	} else {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) < 0)
			child_fail(sock,
				   "run: not root, and the kernel refuses an "
				   "unprivileged user namespace (%s): run as "
				   "root, or allow them (sysctl "
				   "kernel.unprivileged_userns_clone=1, "
				   "user.max_user_namespaces > 0)",
				   strerror(errno));
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		if (write_file("/proc/self/setgroups", "deny") < 0 ||
		    write_file("/proc/self/uid_map", map) < 0)
			child_fail(sock,
				   "run: cannot map uid %u in the user "
				   "namespace: %s",
				   (unsigned)uid, strerror(errno));
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		if (write_file("/proc/self/gid_map", map) < 0)
			child_fail(sock,
				   "run: cannot map gid %u in the user "
				   "namespace: %s",
				   (unsigned)gid, strerror(errno));
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail(sock,
			   "run: cannot make the namespace's mounts "
			   "private: %s",
			   strerror(errno));
	/* sysfs shows the mounter's network namespace: mount our own, as
	 * `ip netns exec` does, so /sys/class/net lists this namespace's */
	if (umount2("/sys", MNT_DETACH) < 0 && errno != EINVAL &&
	    errno != ENOENT)
		child_fail(sock, "run: cannot detach the host's /sys: %s",
			   strerror(errno));
	if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		child_fail(sock, "run: cannot mount the namespace's /sys: %s",
			   strerror(errno));
}

/**
 * if_ioctl() - an interface ioctl on @name
 * @fd:		any socket
 * @req:	SIOC* request
 * @ifr:	filled with the name, then the request's data
 * @name:	interface name
 *
 * Return: 0 or a negative errno
 */
static int if_ioctl(int fd, unsigned long req, struct ifreq *ifr,
		    const char *name)
{
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", name);
	return ioctl(fd, req, ifr) < 0 ? -errno : 0;
}

/**
 * if_up() - set IFF_UP on an interface
 * @fd:		any socket
 * @name:	interface name
 *
 * Return: 0 or a negative errno
 */
static int if_up(int fd, const char *name)
{
	struct ifreq ifr;
	int rc;

	memset(&ifr, 0, sizeof(ifr));
	rc = if_ioctl(fd, SIOCGIFFLAGS, &ifr, name);
	if (rc)
		return rc;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return if_ioctl(fd, SIOCSIFFLAGS, &ifr, name);
}

/**
 * set_sin() - store an IPv4 address in a sockaddr
 * @sa:		the sockaddr
 * @addr:	network byte order
 */
static void set_sin(struct sockaddr *sa, uint32_t addr)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};

	sin.sin_addr.s_addr = addr;
	memcpy(sa, &sin, sizeof(sin));
}

/**
 * if_set_addr() - give an interface an address and bring it up
 * @fd:		any AF_INET socket
 * @name:	interface name
 * @a:		address and prefix
 *
 * Return: 0 or a negative errno
 */
static int if_set_addr(int fd, const char *name, const struct ip4_cidr *a)
{
	struct ifreq ifr;
	uint32_t mask = a->prefix ? htonl(~0u << (32 - a->prefix)) : 0;
	int rc;

	memset(&ifr, 0, sizeof(ifr));
	set_sin(&ifr.ifr_addr, a->addr);
	rc = if_ioctl(fd, SIOCSIFADDR, &ifr, name);
	if (rc)
		return rc;
	memset(&ifr, 0, sizeof(ifr));
	set_sin(&ifr.ifr_netmask, mask);
	rc = if_ioctl(fd, SIOCSIFNETMASK, &ifr, name);
	if (rc)
		return rc;
	return if_up(fd, name);
}

/**
 * ns_if_set_addr() - if_set_addr() in this process's namespace, by name
 * @ifname:	interface
 * @a:		address
 * @err:	gets the message on failure
 * @errlen:	its size
 *
 * Return: 0 or a negative errno
 */
int ns_if_set_addr(const char *ifname, const struct ip4_cidr *a, char *err,
		   size_t errlen)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;
	char ip[INET_ADDRSTRLEN];

	if (fd < 0)
		return -errno;
	rc = if_set_addr(fd, ifname, a);
	close(fd);
	if (rc)
		snprintf(err, errlen,
			 "run: cannot give %s the address %s/%u: %s", ifname,
			 inet_ntop(AF_INET, &a->addr, ip, sizeof(ip)),
			 a->prefix, strerror(-rc));
	return rc;
}

/**
 * child_make_tap() - create the namespace's NIC
 * @sock:	control socket, for errors
 * @o:		options: the NIC's name
 * @mac:	its MAC
 * @vnet_hdr:	with virtio-net headers and offloads
 *
 * Return: the TAP fd
 */
static int child_make_tap(int sock, const struct run_opts *o,
			  const uint8_t mac[6], bool vnet_hdr)
{
	struct ifreq ifr;
	int fd, s, rc;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		child_fail(sock, "run: socket: %s", strerror(errno));
	rc = if_up(s, "lo");
	if (rc)
		child_fail(sock, "run: cannot bring up lo: %s", strerror(-rc));

	fd = open(TUN_PATH, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && (errno == EACCES || errno == EPERM)) {
		struct stat st;
		int e = errno;

		if (stat(TUN_PATH, &st) == 0)
			child_fail(sock,
				   "run: cannot open %s: %s (its mode is %04o: "
				   "without root it must be 0666, as Debian "
				   "ships it; or run as root)",
				   TUN_PATH, strerror(e),
				   (unsigned)(st.st_mode & 07777));
		errno = e;
	}
	if (fd < 0)
		child_fail(sock,
			   "run: cannot open %s: %s (is the tun module "
			   "loaded?)",
			   TUN_PATH, strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet_hdr ? IFF_VNET_HDR : 0);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", o->ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		child_fail(sock, "run: cannot create TAP %s: %s", o->ifname,
			   strerror(errno));
	if (vnet_hdr) {
		int hdrsz = VNET_HDR_LEN;
		unsigned off =
			TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;

		if (ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) < 0 ||
		    ioctl(fd, TUNSETOFFLOAD, off) < 0)
			child_fail(sock,
				   "run: cannot enable offloads on %s: %s",
				   o->ifname, strerror(errno));
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER */
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	rc = if_ioctl(s, SIOCSIFHWADDR, &ifr, o->ifname);
	if (rc)
		child_fail(sock, "run: cannot set %s's MAC: %s", o->ifname,
			   strerror(-rc));
	close(s);
	return fd;
}

/**
 * run_txqueuelen() - the TX queue length the namespace's TAP gets
 * @mtu:	its MTU (0: 1500)
 *
 * A TAP whose reader (the relay) falls behind drops what the guest sends,
 * where a virtio NIC stops the guest's queue until its ring has room; and
 * passt recovers from a lost segment only on its retransmission timer, so
 * one drop in a burst stalls bulk guest-to-host TCP for seconds. Frames of
 * about RUN_TXQ_BYTES ride out the relay's scheduling gaps: 11 081 frames
 * at MTU 1500, the kernel's 1000 from MTU 16 763 on (the same bytes, and
 * the queue discipline's limit too). Set where the kernel allows it: not
 * in a user namespace (rootless run), where the default queue stays.
 *
 * Return: frames
 */
static unsigned run_txqueuelen(uint32_t mtu)
{
	unsigned q = RUN_TXQ_BYTES / ((mtu ? mtu : 1500) + 14);

	return q < RUN_TXQ_MIN	 ? RUN_TXQ_MIN
	       : q > RUN_TXQ_MAX ? RUN_TXQ_MAX
				 : q;
}

/**
 * child_configure() - apply the parent's setup to the NIC
 * @sock:	control socket, for errors
 * @o:		options
 * @m:		the NS_CONFIG message
 */
static void child_configure(int sock, const struct run_opts *o,
			    const struct ns_msg *m)
{
	const struct ns_config *c = &m->cfg;
	struct ifreq ifr;
	int s, rc;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		child_fail(sock, "run: socket: %s", strerror(errno));
	if (c->mtu) {
		memset(&ifr, 0, sizeof(ifr));
		ifr.ifr_mtu = (int)c->mtu;
		rc = if_ioctl(s, SIOCSIFMTU, &ifr, o->ifname);
		if (rc)
			child_fail(sock, "run: cannot set MTU %u on %s: %s",
				   c->mtu, o->ifname, strerror(-rc));
	}
	/* best effort: in a user namespace the kernel refuses it (EPERM),
	 * and the kernel's queue still works */
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_qlen = (int)run_txqueuelen(c->mtu);
	(void)if_ioctl(s, SIOCSIFTXQLEN, &ifr, o->ifname);
	if (c->addr.addr) {
		rc = if_set_addr(s, o->ifname, &c->addr);
		if (rc)
			child_fail(sock, "run: cannot set %s's address: %s",
				   o->ifname, strerror(-rc));
	} else {
		rc = if_up(s, o->ifname);
		if (rc)
			child_fail(sock, "run: cannot bring up %s: %s",
				   o->ifname, strerror(-rc));
	}
	if (c->gateway) {
		struct rtentry rt;

		memset(&rt, 0, sizeof(rt));
		set_sin(&rt.rt_dst, 0);
		set_sin(&rt.rt_genmask, 0);
		set_sin(&rt.rt_gateway, c->gateway);
		rt.rt_flags = RTF_UP | RTF_GATEWAY;
		rt.rt_dev = (char *)o->ifname;
		if (ioctl(s, SIOCADDRT, &rt) < 0)
			child_fail(sock,
				   "run: cannot add the default route: %s",
				   strerror(errno));
	}
	close(s);
	if (m->resolv[0] &&
	    mount(m->resolv, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0)
		child_fail(sock,
			   "run: cannot bind-mount %s on "
			   "/etc/resolv.conf: %s",
			   m->resolv, strerror(errno));
}

/* The process signals are forwarded to: the namespace's init, then the
 * command. Written before the handlers are installed, read in them. */
static volatile pid_t fwd_pid = -1;

/**
 * fwd_signal() - pass a terminating signal on to fwd_pid
 * @sig:	the signal
 */
static void fwd_signal(int sig)
{
	if (fwd_pid > 0)
		kill(fwd_pid, sig);
}

/**
 * forward_signals() - forward SIGINT, SIGTERM, SIGHUP, SIGQUIT to @pid
 * @pid:	where to
 */
static void forward_signals(pid_t pid)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa;
	sigset_t none;
	size_t i;

	fwd_pid = pid;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fwd_signal;
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/**
 * wait_status() - wait for @pid; its status as an exit code
 * @pid:	the child
 *
 * Reaps every other child on the way (an init adopts orphans).
 *
 * Return: its exit code, or 128 + the signal that killed it
 */
static int wait_status(pid_t pid)
{
	int st;
	pid_t r;

	for (;;) {
		r = waitpid(-1, &st, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return 125;
		if (r != pid)
			continue;
		if (WIFEXITED(st))
			return WEXITSTATUS(st);
		return 128 + WTERMSIG(st);
	}
}

/**
 * exec_command() - run the command, in a clean state (does not return)
 * @o:	options: the command
 */
static void exec_command(const struct run_opts *o) __attribute__((noreturn));
static void exec_command(const struct run_opts *o)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
	sigset_t none;
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(o->argv[0], o->argv);
	fprintf(stderr, "squib-net: run: cannot run '%s': %s\n", o->argv[0],
		strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/**
 * supervise() - run the command as the child of a PID namespace's init
 * @o:	options
 *
 * The namespace process forks the init of a new PID namespace, which forks
 * the command. Signals run forwards go namespace process -> init ->
 * command; when the command exits, init exits with its status and the
 * kernel kills whatever the command left running, so nothing keeps the
 * network namespace alive. Each process dies with its parent
 * (PR_SET_PDEATHSIG), so a SIGKILLed `squib-net run` leaves nothing either.
 * Without a PID namespace (refused), the command is exec'd directly.
 */
static void supervise(const struct run_opts *o)
{
	pid_t init, cmd;

	if (unshare(CLONE_NEWPID) < 0)
		exec_command(o);
	init = fork();
	if (init < 0)
		exec_command(o);
	if (init > 0) {
		forward_signals(init);
		_exit(wait_status(init));
	}
	/* init of the new PID namespace: its parent is outside it, so
	 * getppid() says 0 and cannot tell whether the parent already died;
	 * the window before the parent-death signal is armed is a fork wide */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0) {
		/* ps shows the host's processes then; nothing else depends
		 * on it */
	}
	cmd = fork();
	if (cmd < 0)
		_exit(125);
	if (cmd == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		exec_command(o);
	}
	forward_signals(cmd);
	_exit(wait_status(cmd));
}

/**
 * child_main() - the namespace's process, until it execs the command
 * @sock:	control socket
 * @o:		options
 * @mac:	the NIC's MAC
 * @vnet_hdr:	offloads on
 * @parent:	the parent's pid
 */
static void child_main(int sock, const struct run_opts *o, const uint8_t mac[6],
		       bool vnet_hdr, pid_t parent)
{
	struct ns_msg m = {.type = NS_OK};
	int tap, rc;

	sqn_child_die_with_parent(parent, 125);
	child_unshare(sock);
	tap = child_make_tap(sock, o, mac, vnet_hdr);
	if (send_msg(sock, &m, tap) < 0)
		_exit(125);
	close(tap);

	rc = recv_msg(sock, &m, NULL);
	if (rc || m.type != NS_CONFIG)
		_exit(125);
	child_configure(sock, o, &m);
	m.type = NS_OK;
	if (send_msg(sock, &m, -1) < 0)
		_exit(125);
	rc = recv_msg(sock, &m, NULL);
	if (rc || m.type != NS_GO)
		_exit(125);
	close(sock);
	supervise(o);
}

/**
 * reply_error() - the message for a child's reply that is not NS_OK
 * @rc:		what recv_msg() returned
 * @m:		the reply, if @rc is 0
 * @doing:	what the child was doing, for the message
 * @err:	gets the message
 * @errlen:	its size
 */
static void reply_error(int rc, const struct ns_msg *m, const char *doing,
			char *err, size_t errlen)
{
	if (!rc && m->type == NS_ERR)
		snprintf(err, errlen, "%s", m->text);
	else
		snprintf(err, errlen,
			 "run: the namespace process died while %s", doing);
}

/**
 * ns_spawn() - start the namespace's process and take its TAP
 * @o:		options
 * @mac:	the NIC's MAC
 * @vnet_hdr:	NIC with virtio-net headers (offloads)
 * @c:		filled: pid, control socket, TAP fd
 * @err:	gets the message on failure
 * @errlen:	its size
 *
 * Return: 0, or a negative errno with the message set (the child is reaped)
 */
int ns_spawn(const struct run_opts *o, const uint8_t mac[6], bool vnet_hdr,
	     struct ns_child *c, char *err, size_t errlen)
{
	struct ns_msg m;
	pid_t parent = getpid();
	int sv[2], rc, status;

	c->pid = -1;
	c->sock = c->tap_fd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "run: socketpair: %s", strerror(errno));
		return -errno;
	}
	c->pid = fork();
	if (c->pid < 0) {
		rc = -errno;
		snprintf(err, errlen, "run: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return rc;
	}
	if (c->pid == 0) {
		close(sv[0]);
		child_main(sv[1], o, mac, vnet_hdr, parent);
	}
	close(sv[1]);
	c->sock = sv[0];
	rc = recv_msg(c->sock, &m, &c->tap_fd);
	if (!rc && m.type == NS_OK && c->tap_fd >= 0)
		return 0;
	reply_error(rc, &m, "setting up", err, errlen);
	if (c->tap_fd >= 0)
		close(c->tap_fd);
	close(c->sock);
	c->sock = c->tap_fd = -1;
	waitpid(c->pid, &status, 0);
	c->pid = -1;
	return -EIO;
}

/**
 * write_resolv() - a private resolv.conf naming @dns
 * @dns:	nameserver, network byte order
 * @dir:	gets the private directory made for it (0700)
 * @path:	gets the file's path
 *
 * Return: 0 or a negative errno
 */
static int write_resolv(uint32_t dns, char dir[64], char path[128])
{
	char ip[INET_ADDRSTRLEN], text[64];
	int fd, n;

	snprintf(dir, 64, "/tmp/squib-net-XXXXXX");
	if (!mkdtemp(dir))
		return -errno;
	snprintf(path, 128, "%s/resolv.conf", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		rmdir(dir);
		return -errno;
	}
	n = snprintf(text, sizeof(text), "nameserver %s\n",
		     inet_ntop(AF_INET, &dns, ip, sizeof(ip)));
	if (write(fd, text, (size_t)n) != n) {
		close(fd);
		unlink(path);
		rmdir(dir);
		return -EIO;
	}
	close(fd);
	chmod(dir, 0755); /* a user namespace's root must read it */
	return 0;
}

/**
 * ns_configure() - have the child set up its NIC (and resolv.conf)
 * @c:		the child
 * @cfg:	the setup
 * @err:	gets the message on failure
 * @errlen:	its size
 *
 * Return: 0 or a negative errno
 */
int ns_configure(struct ns_child *c, const struct ns_config *cfg, char *err,
		 size_t errlen)
{
	struct ns_msg m;
	char dir[64] = "", path[128] = "";
	int rc;

	memset(&m, 0, sizeof(m));
	m.type = NS_CONFIG;
	m.cfg = *cfg;
	if (cfg->dns) {
		rc = write_resolv(cfg->dns, dir, path);
		if (rc) {
			snprintf(err, errlen,
				 "run: cannot write a resolv.conf: %s",
				 strerror(-rc));
			return rc;
		}
		snprintf(m.resolv, sizeof(m.resolv), "%s", path);
	}
	rc = send_msg(c->sock, &m, -1);
	if (!rc)
		rc = recv_msg(c->sock, &m, NULL);
	if (dir[0]) { /* mounted (or failed): the file is not needed */
		unlink(path);
		rmdir(dir);
	}
	if (!rc && m.type == NS_OK)
		return 0;
	reply_error(rc, &m, "configuring its NIC", err, errlen);
	return -EIO;
}

/**
 * ns_go() - let the child exec the command
 * @c:	the child
 *
 * Return: 0 or a negative errno
 */
int ns_go(struct ns_child *c)
{
	struct ns_msg m = {.type = NS_GO};
	int rc = send_msg(c->sock, &m, -1);

	close(c->sock);
	c->sock = -1;
	return rc;
}
