/*
 * Commands of lwgw-operator: one per line on stdin and on an optional Unix stream socket
 * (--ctl PATH). Clients of the socket also receive every event line.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "operator.h"

#define OPCTL_MAX_LINE	65536

struct opctl_conn {
	TAILQ_ENTRY(opctl_conn)	 entry;
	int			 fd;
	int			 is_stdin;
	int			 dead;
	struct opbuf		 in;
};

struct opctl {
	struct op			*op;
	int				 listen_fd;
	char				*path;
	int				 quit_on_eof;
	TAILQ_HEAD(, opctl_conn)	 conns;
};

static struct opctl_conn *
opctl_conn_add(struct opctl *ctl, int fd, int is_stdin)
{
	struct opctl_conn	*conn;

	conn = oputil_xcalloc(1, sizeof *conn);
	conn->fd = fd;
	conn->is_stdin = is_stdin;
	opbuf_init(&conn->in);
	TAILQ_INSERT_TAIL(&ctl->conns, conn, entry);
	return (conn);
}

static void
opctl_conn_free(struct opctl *ctl, struct opctl_conn *conn)
{
	TAILQ_REMOVE(&ctl->conns, conn, entry);
	if (!conn->is_stdin)
		close(conn->fd);
	opbuf_free(&conn->in);
	free(conn);
}

/* stdin always; a listening socket at path when path is not NULL. */
struct opctl *
opctl_create(struct op *op, const char *path, int quit_on_eof, char **cause)
{
	struct opctl		*ctl;
	struct sockaddr_un	 sun;

	ctl = oputil_xcalloc(1, sizeof *ctl);
	ctl->op = op;
	ctl->listen_fd = -1;
	ctl->quit_on_eof = quit_on_eof;
	TAILQ_INIT(&ctl->conns);
	opctl_conn_add(ctl, STDIN_FILENO, 1);
	if (path == NULL)
		return (ctl);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		*cause = oputil_xasprintf("control socket path too long: %s", path);
		goto fail;
	}
	strncpy(sun.sun_path, path, sizeof sun.sun_path - 1);
	unlink(path);
	if ((ctl->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1 ||
	    bind(ctl->listen_fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    listen(ctl->listen_fd, 8) == -1) {
		*cause = oputil_xasprintf("%s: %s", path, strerror(errno));
		goto fail;
	}
	ctl->path = oputil_xstrdup(path);
	return (ctl);
fail:
	opctl_free(ctl);
	return (NULL);
}

void
opctl_free(struct opctl *ctl)
{
	struct opctl_conn	*conn;

	if (ctl == NULL)
		return;
	while ((conn = TAILQ_FIRST(&ctl->conns)) != NULL)
		opctl_conn_free(ctl, conn);
	if (ctl->listen_fd != -1)
		close(ctl->listen_fd);
	if (ctl->path != NULL)
		unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

/* Fill at most n pollfds; returns how many were used. */
int
opctl_fill(struct opctl *ctl, struct pollfd *pfd, int n)
{
	struct opctl_conn	*conn;
	int			 i = 0;

	if (ctl->listen_fd != -1 && i < n) {
		pfd[i].fd = ctl->listen_fd;
		pfd[i++].events = POLLIN;
	}
	TAILQ_FOREACH(conn, &ctl->conns, entry) {
		if (i == n)
			break;
		pfd[i].fd = conn->fd;
		pfd[i++].events = POLLIN;
	}
	return (i);
}

static void
opctl_lines(struct opctl *ctl, struct opctl_conn *conn)
{
	char	*nl, *line;
	size_t	 used = 0, len;

	while (!conn->dead && used < conn->in.len && (nl = memchr(conn->in.p + used,
	    '\n', conn->in.len - used)) != NULL) {
		line = conn->in.p + used;
		len = (size_t)(nl - line);
		used += len + 1;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		line[len] = '\0';
		operator_command(ctl->op, line);
	}
	if (used != 0) {
		memmove(conn->in.p, conn->in.p + used, conn->in.len - used);
		conn->in.len -= used;
	}
	if (conn->in.len > OPCTL_MAX_LINE) {
		opevent_error(ctl->op, "control", "line too long, closing");
		conn->dead = 1;
	}
}

static void
opctl_read(struct opctl *ctl, struct opctl_conn *conn)
{
	char	buf[4096];
	ssize_t	n;

	n = read(conn->fd, buf, sizeof buf);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		if (conn->in.len != 0) {
			opbuf_addc(&conn->in, '\n');
			opctl_lines(ctl, conn);
		}
		conn->dead = 1;
		if (conn->is_stdin && ctl->quit_on_eof)
			ctl->op->quit = 1;
		return;
	}
	opbuf_add(&conn->in, buf, (size_t)n);
	opctl_lines(ctl, conn);
}

void
opctl_process(struct opctl *ctl, struct pollfd *pfd, int n)
{
	struct opctl_conn	*conn, *next;
	int			 i, fd;

	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if (pfd[i].fd == ctl->listen_fd) {
			fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd != -1)
				opctl_conn_add(ctl, fd, 0);
			continue;
		}
		TAILQ_FOREACH(conn, &ctl->conns, entry) {
			if (conn->fd == pfd[i].fd && !conn->dead) {
				opctl_read(ctl, conn);
				break;
			}
		}
	}
	for (conn = TAILQ_FIRST(&ctl->conns); conn != NULL; conn = next) {
		next = TAILQ_NEXT(conn, entry);
		if (conn->dead)
			opctl_conn_free(ctl, conn);
	}
}

/* Every event to every socket client; a client that cannot keep up is dropped. */
void
opctl_broadcast(struct opctl *ctl, const char *data, size_t len)
{
	struct opctl_conn	*conn;
	ssize_t			 n;

	TAILQ_FOREACH(conn, &ctl->conns, entry) {
		if (conn->is_stdin || conn->dead)
			continue;
		n = send(conn->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 || (size_t)n != len)
			conn->dead = 1;
	}
}
