/* SPDX-License-Identifier: Apache-2.0 */
/*
 * helper.c - helper child processes: find, validate, spawn, reap
 *
 * Theory of operation: a helper (gvproxy, passt) is a child that speaks one
 * framing over its end of a socketpair. It is started with fork() and
 * execve(), never through a shell: the argument vector is built by the
 * backend from fixed flags and the caller's extra arguments. Between fork()
 * and execve() the child only makes async-signal-safe calls: it resets
 * signal dispositions and the mask, starts its own session (no controlling
 * terminal, its own process group), sets no-new-privileges and the
 * parent-death signal (Linux: child_linux.c), puts its socket end, the
 * stderr pipe and /dev/null on their numbers and closes every other fd.
 * An execve() failure travels back on a close-on-exec status pipe, so start
 * reports "cannot run X: reason" instead of a child that exits 127.
 *
 * The child is reaped by pid (waitpid(pid), never waitpid(-1): other
 * children of the process are not ours to take). On Linux a pidfd turns its
 * exit into a readable fd the backend polls; elsewhere the backend polls
 * waitpid(WNOHANG) on a short timer. Its stderr arrives through a pipe and
 * goes to the log callback one line at a time, from a fixed line buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"
#include "child.h"

/* POSIX asks the program to declare it; glibc with _GNU_SOURCE does too */
// NOLINTNEXTLINE(readability-redundant-declaration)
extern char **environ;

/**
 * sqn_helper_init() - a helper slot with nothing running
 * @h:	the slot
 */
void sqn_helper_init(struct sqn_helper *h)
{
	memset(h, 0, sizeof(*h));
	h->pidfd = -1;
	h->errfd = -1;
}

/**
 * child_exec() - in the forked child: set up fds and run the helper
 * @s:		what to run
 * @envp:	its environment
 * @errw:	write end of the stderr pipe
 * @statw:	write end of the status pipe (close-on-exec)
 * @devnull:	/dev/null, for the standard fds the helper does not use
 * @parent:	the parent's pid
 *
 * Only async-signal-safe calls. Does not return.
 */
static void child_exec(const struct sqn_helper_spec *s, char *const *envp,
		       int errw, int statw, int devnull, pid_t parent)
{
	struct sigaction sa;
	sigset_t none;
	int sock, err, nul, stat, e, sig, low;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	sqn_child_no_new_privs();
	sqn_child_die_with_parent(parent, 127);

	/* Move everything above the target numbers, then put it in place. */
	sock = fcntl(s->sock, F_DUPFD, 10);
	err = fcntl(errw, F_DUPFD, 10);
	nul = fcntl(devnull, F_DUPFD, 10);
	stat = fcntl(statw, F_DUPFD_CLOEXEC, 10);
	if (sock < 0 || err < 0 || nul < 0 || stat < 0)
		_exit(127);
	if (s->child_fd == 0) {
		if (dup2(sock, 0) < 0 || dup2(sock, 1) < 0)
			goto fail;
		low = 3;
	} else {
		if (dup2(nul, 0) < 0 || dup2(nul, 1) < 0 ||
		    dup2(sock, s->child_fd) < 0)
			goto fail;
		low = s->child_fd + 1;
	}
	if (dup2(err, 2) < 0)
		goto fail;
	sqn_child_close_from(low, stat);
	execve(s->path, s->argv, envp);
fail:
	e = errno;
	if (write(stat, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/**
 * sqn_helper_spawn() - start a helper child on a socket end
 * @h:		gets the child; must be idle
 * @s:		what to run
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0, or a negative errno (nothing is left running or open)
 */
int sqn_helper_spawn(struct sqn_helper *h, const struct sqn_helper_spec *s,
		     char *err, size_t errlen)
{
	char envpath[1024], envhome[1024];
	char *minenv[3] = {envpath, envhome, NULL};
	char *const *envp = s->keep_env ? environ : minenv;
	const char *v;
	int errp[2], statp[2], devnull, rc, e = 0;
	pid_t parent = getpid(), pid;
	ssize_t r;

	v = getenv("PATH");
	snprintf(envpath, sizeof(envpath), "PATH=%s",
		 v && strlen(v) < sizeof(envpath) - 6 ? v : "/usr/bin:/bin");
	v = getenv("HOME");
	snprintf(envhome, sizeof(envhome), "HOME=%s",
		 v && strlen(v) < sizeof(envhome) - 6 ? v : "/");

	rc = sqn_pipe_cloexec(&errp[0], &errp[1], false);
	if (rc) {
		snprintf(err, errlen, "cannot create a pipe: %s",
			 strerror(-rc));
		return rc;
	}
	rc = sqn_pipe_cloexec(&statp[0], &statp[1], false);
	if (rc) {
		snprintf(err, errlen, "cannot create a pipe: %s",
			 strerror(-rc));
		goto out_errpipe;
	}
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open /dev/null: %s",
			 strerror(errno));
		goto out_statpipe;
	}

	pid = fork();
	if (pid < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot fork for %s: %s", s->path,
			 strerror(errno));
		goto out_devnull;
	}
	if (pid == 0)
		child_exec(s, envp, errp[1], statp[1], devnull, parent);

	close(devnull);
	close(statp[1]);
	close(errp[1]);
	do
		r = read(statp[0], &e, sizeof(e));
	while (r < 0 && errno == EINTR);
	close(statp[0]);
	if (r > 0) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		close(errp[0]);
		snprintf(err, errlen, "cannot run %s: %s", s->path,
			 strerror(e));
		return e ? -e : -EIO;
	}
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	h->pid = pid;
	h->errfd = errp[0];
	h->pidfd = sqn_pidfd_open(pid);
	h->linelen = 0;
	return 0;

out_devnull:
	close(devnull);
out_statpipe:
	close(statp[0]);
	close(statp[1]);
out_errpipe:
	close(errp[0]);
	close(errp[1]);
	return rc;
}

/**
 * reaped() - forget a child that waitpid() returned
 * @h:	the helper
 */
static void reaped(struct sqn_helper *h)
{
	h->pid = 0;
	if (h->pidfd >= 0)
		close(h->pidfd);
	h->pidfd = -1;
}

/**
 * sqn_helper_poll_exit() - reap the child if it has exited
 * @h:		the helper
 * @wait_ms:	how long to wait for it, 0 for not at all
 * @status:	gets its wait status when it exited
 *
 * Return: 1 when it exited (and is reaped), 0 while it runs
 */
int sqn_helper_poll_exit(struct sqn_helper *h, int wait_ms, int *status)
{
	struct timespec ts = {0, 5L * 1000 * 1000};
	int st = 0, waited = 0;
	pid_t r;

	if (!h->pid)
		return 1;
	for (;;) {
		if (wait_ms > 0 && h->pidfd >= 0) {
			struct pollfd pfd = {.fd = h->pidfd, .events = POLLIN};

			poll(&pfd, 1, wait_ms);
			wait_ms = 0;
		}
		do
			r = waitpid(h->pid, &st, WNOHANG);
		while (r < 0 && errno == EINTR);
		if (r == h->pid || (r < 0 && errno == ECHILD)) {
			if (status)
				*status = r == h->pid ? st : 0;
			reaped(h);
			return 1;
		}
		if (waited >= wait_ms)
			return 0;
		nanosleep(&ts, NULL);
		waited += 5;
	}
}

/**
 * sqn_helper_signal_kill() - send SIGKILL to the child and its process
 *			      group, without waiting
 * @h:	the helper, may be idle
 *
 * The child stays to be reaped (sqn_helper_poll_exit()).
 */
void sqn_helper_signal_kill(struct sqn_helper *h)
{
	if (!h->pid)
		return;
	/* its own process group, since it called setsid() */
	kill(-h->pid, SIGKILL);
	kill(h->pid, SIGKILL);
}

/**
 * sqn_helper_kill() - kill the child (and its process group) and reap it
 * @h:		the helper, may be idle
 * @status:	gets its wait status, if not NULL
 *
 * Waits for the child to die: for stop and a failed start only, never on
 * the read or write path.
 */
void sqn_helper_kill(struct sqn_helper *h, int *status)
{
	int st = 0;

	if (h->pid) {
		sqn_helper_signal_kill(h);
		while (waitpid(h->pid, &st, 0) < 0 && errno == EINTR)
			;
		reaped(h);
	}
	if (status)
		*status = st;
}

/**
 * emit_line() - pass the assembled stderr line to @fn
 * @h:		the helper
 * @fn:		line callback
 * @opaque:	its argument
 */
static void emit_line(struct sqn_helper *h, sqn_helper_line_fn fn, void *opaque)
{
	while (h->linelen && (h->line[h->linelen - 1] == '\r'))
		h->linelen--;
	h->line[h->linelen] = '\0';
	if (h->linelen)
		fn(opaque, h->line);
	h->linelen = 0;
}

/**
 * sqn_helper_read_stderr() - read what the child wrote on stderr, by line
 * @h:		the helper
 * @fn:		called once per line (long lines are cut into pieces)
 * @opaque:	its argument
 *
 * Return: 1 when the pipe reached end of file (the caller closes it), else 0
 */
int sqn_helper_read_stderr(struct sqn_helper *h, sqn_helper_line_fn fn,
			   void *opaque)
{
	char buf[4096];
	ssize_t n, i;
	int rounds;

	if (h->errfd < 0)
		return 1;
	for (rounds = 0; rounds < 16; rounds++) {
		n = read(h->errfd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return 0;
		if (n == 0) {
			emit_line(h, fn, opaque);
			return 1;
		}
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				emit_line(h, fn, opaque);
				continue;
			}
			h->line[h->linelen++] = (char)(buf[i] ? buf[i] : ' ');
			if (h->linelen == sizeof(h->line) - 1)
				emit_line(h, fn, opaque);
		}
	}
	return 0;
}

/**
 * sqn_helper_describe_exit() - "exited with status 1", "killed by signal 9"
 * @status:	a wait status
 * @buf:	gets the text
 * @len:	its size
 */
void sqn_helper_describe_exit(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "was killed by signal %d%s",
			 WTERMSIG(status),
			 WTERMSIG(status) == SIGKILL ? " (SIGKILL)" : "");
	else
		snprintf(buf, len, "exited with status %d",
			 WEXITSTATUS(status));
}

/**
 * sqn_helper_check_path() - validate a helper path: 1 to
 *			     SQN_HELPER_PATH_MAX bytes without control
 *			     characters, naming a regular file this user may
 *			     execute
 * @path:	the path
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0, -EINVAL, -ENOENT or -EACCES
 */
int sqn_helper_check_path(const char *path, char *err, size_t errlen)
{
	struct stat st;
	size_t n, i;

	n = strnlen(path, SQN_HELPER_PATH_MAX + 1);
	if (n == 0) {
		snprintf(err, errlen,
			 "helper_path is empty: give the helper binary's path, "
			 "or NULL to search for it");
		return -EINVAL;
	}
	if (n > SQN_HELPER_PATH_MAX) {
		snprintf(err, errlen,
			 "helper_path \"%.40s...\" is longer than %d bytes",
			 path, SQN_HELPER_PATH_MAX);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f) {
			snprintf(err, errlen,
				 "helper_path has a control character (0x%02x) "
				 "at offset %zu",
				 (unsigned char)path[i], i);
			return -EINVAL;
		}
	}
	if (stat(path, &st)) {
		int e = errno;

		snprintf(err, errlen, "helper_path \"%s\": %s", path,
			 strerror(e));
		return e == ENOENT ? -ENOENT : -EINVAL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen,
			 "helper_path \"%s\" is not a regular file", path);
		return -EINVAL;
	}
	if (access(path, X_OK)) {
		snprintf(err, errlen,
			 "helper_path \"%s\" is not executable by this user",
			 path);
		return -EACCES;
	}
	return 0;
}

/**
 * sqn_helper_check_args() - validate the extra helper arguments
 * @args:	the arguments
 * @n:		how many
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
int sqn_helper_check_args(const char *const *args, unsigned n, char *err,
			  size_t errlen)
{
	unsigned i;

	if (n > SQN_HELPER_ARGS_MAX) {
		snprintf(err, errlen,
			 "helper_args has %u arguments: at most %d are allowed",
			 n, SQN_HELPER_ARGS_MAX);
		return -EINVAL;
	}
	if (n && !args) {
		snprintf(err, errlen,
			 "helper_args is NULL but "
			 "n_helper_args is %u",
			 n);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (!args[i]) {
			snprintf(err, errlen, "helper_args[%u] is NULL", i);
			return -EINVAL;
		}
		if (strnlen(args[i], SQN_HELPER_ARG_LEN + 1) >
		    SQN_HELPER_ARG_LEN) {
			snprintf(err, errlen,
				 "helper_args[%u] \"%.24s...\" is longer than "
				 "%d bytes",
				 i, args[i], SQN_HELPER_ARG_LEN);
			return -EINVAL;
		}
	}
	return 0;
}

/* Searched after $PATH, in this order */
static const char *const helper_dirs[] = {
	"/usr/libexec/podman", "/usr/local/libexec/podman",
	"/usr/lib/podman",     "/opt/homebrew/bin",
	"/usr/local/bin",      "/usr/bin",
};

/**
 * try_dir() - whether @dir/@name is an executable regular file
 * @dir:	directory (length @dlen)
 * @dlen:	its length
 * @name:	binary name
 * @out:	gets the path when found
 * @outlen:	its size
 *
 * Return: true if found
 */
static bool try_dir(const char *dir, size_t dlen, const char *name, char *out,
		    size_t outlen)
{
	struct stat st;
	int n;

	if (!dlen)
		return false;
	n = snprintf(out, outlen, "%.*s/%s", (int)dlen, dir, name);
	if (n < 0 || (size_t)n >= outlen)
		return false;
	return !stat(out, &st) && S_ISREG(st.st_mode) && !access(out, X_OK);
}

/**
 * find_one() - look for one helper kind
 * @kind:	SQN_HELPER_GVPROXY or SQN_HELPER_PASST
 * @out:	gets the path
 * @outlen:	its size
 *
 * Return: true if found
 */
static bool find_one(enum sqn_helper_kind kind, char *out, size_t outlen)
{
	const char *name = kind == SQN_HELPER_PASST ? "passt" : "gvproxy";
	const char *env = getenv(kind == SQN_HELPER_PASST ? "SQUIBNET_PASST"
							  : "SQUIBNET_GVPROXY");
	const char *path = getenv("PATH"), *p, *c;
	size_t i;

	if (env && *env) {
		if (strlen(env) >= outlen)
			return false; /* sqn_helper_find() says why */
		snprintf(out, outlen, "%s", env);
		return true;
	}
	for (p = path; p && *p; p = c ? c + 1 : NULL) {
		c = strchr(p, ':');
		if (try_dir(p, c ? (size_t)(c - p) : strlen(p), name, out,
			    outlen))
			return true;
		if (!c)
			break;
	}
	for (i = 0; i < sizeof(helper_dirs) / sizeof(helper_dirs[0]); i++)
		if (try_dir(helper_dirs[i], strlen(helper_dirs[i]), name, out,
			    outlen))
			return true;
	return false;
}

/**
 * sqn_helper_find() - the helper binary to run
 * @kind:	which helper; SQN_HELPER_DEFAULT tries gvproxy, then passt
 * @given:	params.helper_path, or NULL
 * @out:	gets the path
 * @outlen:	its size
 * @found:	gets the kind that was found (for DEFAULT with a given path:
 *		passt if its file name contains "passt", else gvproxy)
 *
 * Order: @given, then $SQUIBNET_GVPROXY / $SQUIBNET_PASST, then $PATH, then
 * the podman libexec directories, /opt/homebrew/bin, /usr/local/bin, /usr/bin.
 *
 * Return: 0, -ENAMETOOLONG when $SQUIBNET_GVPROXY or $SQUIBNET_PASST (of a
 * kind asked for) is longer than @outlen - 1 bytes (it is never cut), or
 * -ENOENT when none was found
 */
int sqn_helper_find(enum sqn_helper_kind kind, const char *given, char *out,
		    size_t outlen, enum sqn_helper_kind *found)
{
	static const char *const vars[] = {"SQUIBNET_GVPROXY",
					   "SQUIBNET_PASST"};
	const char *v;
	unsigned i;

	for (i = 0; !given && i < 2; i++) {
		if (kind == (i ? SQN_HELPER_GVPROXY : SQN_HELPER_PASST))
			continue;
		v = getenv(vars[i]);
		if (v && strlen(v) >= outlen)
			return -ENAMETOOLONG;
	}
	if (given) {
		const char *base = strrchr(given, '/');

		snprintf(out, outlen, "%s", given);
		base = base ? base + 1 : given;
		*found = kind != SQN_HELPER_DEFAULT ? kind
			 : strstr(base, "passt")    ? SQN_HELPER_PASST
						    : SQN_HELPER_GVPROXY;
		return 0;
	}
	if (kind != SQN_HELPER_PASST &&
	    find_one(SQN_HELPER_GVPROXY, out, outlen)) {
		*found = SQN_HELPER_GVPROXY;
		return 0;
	}
	if (kind != SQN_HELPER_GVPROXY &&
	    find_one(SQN_HELPER_PASST, out, outlen)) {
		*found = SQN_HELPER_PASST;
		return 0;
	}
	return -ENOENT;
}
