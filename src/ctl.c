/* The control socket: accept, read one request line, dispatch, answer, close. */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "ctl.h"
#include "log.h"
#include "xmalloc.h"

struct ctl {
	struct event_base		*base;
	struct evconnlistener		*listener;
	char				*path;
	const struct ctl_command	*cmds;
	void				*arg;
	int				 timeout_ms;
	LIST_HEAD(, ctl_conn)		 conns;
	int				 nconns;
};

/* One client connection; the ctl owns them, so ctl_free() can close them all. */
struct ctl_conn {
	struct ctl		*ctl;
	struct bufferevent	*bev;
	bool			 answering;
	size_t			 discarded;
	LIST_ENTRY(ctl_conn)	 entry;
};
#define CTL_DISCARD_MAX	65536	/* input dropped after a request before we hang up */

static void	ctl_answer(struct bufferevent *, struct ctl *, char *);
static void	ctl_read_cb(struct bufferevent *, void *);
static void	ctl_event_cb(struct bufferevent *, short, void *);

/*
 * Once the answer has left, shut down our side and wait for the client to close (or time
 * out): closing with unread input would reset the connection and could lose the answer.
 */
static void
ctl_drained_cb(struct bufferevent *bev, void *arg)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		shutdown(bufferevent_getfd(bev), SHUT_WR);
}

/* After the request: whatever else the client sends is read and dropped, within bounds. */
static void
ctl_close(struct bufferevent *bev, struct ctl_conn *conn)
{
	conn->ctl->nconns--;
	LIST_REMOVE(conn, entry);
	bufferevent_free(bev);
	free(conn);
}

static void
ctl_discard_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn	*conn = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);

	conn->discarded += evbuffer_get_length(in);
	evbuffer_drain(in, evbuffer_get_length(in));
	if (conn->discarded > CTL_DISCARD_MAX)
		ctl_close(bev, conn);
}

/*
 * The request is read: from now on input is discarded and the answer drains, at the
 * client's pace and without a timeout (`lwgwctl list | less` may sit for minutes): what
 * it holds is one answer, and at most CTL_CONN_MAX clients are served at once.
 */
static void
ctl_answering(struct bufferevent *bev, struct ctl_conn *conn)
{
	conn->answering = true;
	bufferevent_setcb(bev, ctl_discard_cb, ctl_drained_cb, ctl_event_cb, conn);
	bufferevent_setwatermark(bev, EV_READ, 0, 0);
	bufferevent_set_timeouts(bev, NULL, NULL);
}

static void
ctl_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_conn	*conn = arg;
	struct evbuffer	*out = bufferevent_get_output(bev);

	if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_READING) &&
	    !conn->answering) {
		log_debug("ctl: client sent no complete request in time");
		ctl_answering(bev, conn);
		evbuffer_add_printf(out, "error: no request within %d ms\n",
		    conn->ctl->timeout_ms);
		bufferevent_enable(bev, EV_READ);
		return;
	}
	/* EOF or error. */
	ctl_close(bev, conn);
}

static void
ctl_error(struct bufferevent *bev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ctl_error(struct bufferevent *bev, const char *fmt, ...)
{
	struct evbuffer	*out = bufferevent_get_output(bev);
	va_list		 ap;

	evbuffer_add_printf(out, "error: ");
	va_start(ap, fmt);
	evbuffer_add_vprintf(out, fmt, ap);
	va_end(ap);
	evbuffer_add_printf(out, "\n");
}

static void
ctl_read_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn	*conn = arg;
	struct ctl	*ctl = conn->ctl;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line;
	size_t		 len;

	line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
	if (line == NULL) {
		if (evbuffer_get_length(in) > CTL_LINE_MAX) {
			ctl_answering(bev, conn);
			ctl_error(bev, "request longer than %d bytes", CTL_LINE_MAX);
		}
		return;
	}
	ctl_answering(bev, conn);
	if (len > CTL_LINE_MAX)
		ctl_error(bev, "request longer than %d bytes", CTL_LINE_MAX);
	else
		ctl_answer(bev, ctl, line);
	free(line);
}

int
ctl_split(char *line, char **argv, int max, int *argc)
{
	char	*p;

	*argc = 0;
	for (p = line; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\r')
			return (-1);
		if ((unsigned char)*p >= 0x7f)
			return (-1);
	}
	for (p = strtok(line, " \t\r"); p != NULL; p = strtok(NULL, " \t\r")) {
		if (*argc == max)
			return (-1);
		argv[(*argc)++] = p;
	}
	return (0);
}

/* Dispatch one request line and queue the whole answer. */
static void
ctl_answer(struct bufferevent *bev, struct ctl *ctl, char *line)
{
	const struct ctl_command	*c;
	struct evbuffer			*body, *out = bufferevent_get_output(bev);
	char				*argv[CTL_ARGS_MAX + 1], *cause = NULL;
	int				 argc, i, j, json = 0;

	if (ctl_split(line, argv, CTL_ARGS_MAX, &argc) != 0) {
		ctl_error(bev, "malformed request (printable ASCII, at most %d "
		    "words)", CTL_ARGS_MAX);
		return;
	}
	for (i = j = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			argv[j++] = argv[i];
	}
	argc = j;
	argv[argc] = NULL;
	if (argc == 0) {
		ctl_error(bev, "empty request");
		return;
	}
	for (c = ctl->cmds; c->name != NULL; c++) {
		if (strcmp(c->name, argv[0]) == 0)
			break;
	}
	if (c->name == NULL) {
		ctl_error(bev, "unknown command '%s'", argv[0]);
		return;
	}
	if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
		ctl_error(bev, "usage: %s", c->usage);
		return;
	}
	body = evbuffer_new();
	if (c->fn(ctl->arg, argc, argv, json, body, &cause) != 0) {
		ctl_error(bev, "%s", cause != NULL ? cause : "failed");
		free(cause);
	} else {
		evbuffer_add_printf(out, "ok %zu\n", evbuffer_get_length(body));
		evbuffer_add_buffer(out, body);
	}
	evbuffer_free(body);
}

static void
ctl_accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct ctl		*ctl = arg;
	struct ctl_conn		*conn;
	struct bufferevent	*bev;
	struct timeval		 tv = {
		ctl->timeout_ms / 1000, (ctl->timeout_ms % 1000) * 1000
	};

	bev = bufferevent_socket_new(ctl->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		return;
	}
	conn = xcalloc(1, sizeof *conn);
	conn->ctl = ctl;
	conn->bev = bev;
	LIST_INSERT_HEAD(&ctl->conns, conn, entry);
	if (++ctl->nconns > CTL_CONN_MAX) {
		log_warnx("ctl: more than %d clients at once; one refused", CTL_CONN_MAX);
		ctl_answering(bev, conn);
		ctl_error(bev, "busy: %d other clients are being served", CTL_CONN_MAX);
		bufferevent_enable(bev, EV_READ | EV_WRITE);
		return;
	}
	bufferevent_setcb(bev, ctl_read_cb, NULL, ctl_event_cb, conn);
	/* Only the request is timed: the answer drains at the client's pace. */
	bufferevent_set_timeouts(bev, &tv, NULL);
	/* Read no more than a line's worth before judging the request. */
	bufferevent_setwatermark(bev, EV_READ, 0, CTL_LINE_MAX + 2);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

struct ctl *
ctl_create(struct event_base *base, const char *path,
    const struct ctl_command *cmds, void *arg, char **cause)
{
	struct sockaddr_un	 sun;
	struct ctl		*ctl;
	mode_t			 old;
	int			 fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(cause, "control socket path %s is too long", path);
		return (NULL);
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		xasprintf(cause, "control socket: %s", strerror(errno));
		return (NULL);
	}
	/* A socket left by a crash would make bind fail; nobody listens on it any more. */
	if (unlink(path) != 0 && errno != ENOENT) {
		xasprintf(cause, "cannot remove stale %s: %s", path, strerror(errno));
		close(fd);
		return (NULL);
	}
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		umask(old);
		xasprintf(cause, "cannot bind the control socket %s: %s", path,
		    strerror(errno));
		close(fd);
		return (NULL);
	}
	umask(old);
	ctl = xcalloc(1, sizeof *ctl);
	ctl->base = base;
	ctl->path = xstrdup(path);
	ctl->cmds = cmds;
	ctl->arg = arg;
	ctl->timeout_ms = CTL_TIMEOUT_MS;
	LIST_INIT(&ctl->conns);
	ctl->listener = evconnlistener_new(base, ctl_accept_cb, ctl,
	    LEV_OPT_CLOSE_ON_FREE, 16, fd);
	if (ctl->listener == NULL) {
		xasprintf(cause, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		free(ctl->path);
		free(ctl);
		return (NULL);
	}
	return (ctl);
}

void
ctl_set_timeout(struct ctl *ctl, int ms)
{
	ctl->timeout_ms = ms;
}

void
ctl_free(struct ctl *ctl)
{
	if (ctl == NULL)
		return;
	while (!LIST_EMPTY(&ctl->conns))
		ctl_close(LIST_FIRST(&ctl->conns)->bev, LIST_FIRST(&ctl->conns));
	evconnlistener_free(ctl->listener);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

void
ctl_json_str(struct evbuffer *out, const char *s)
{
	const unsigned char	*p;

	evbuffer_add(out, "\"", 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			evbuffer_add_printf(out, "\\%c", *p);
		else if (*p < 0x20)
			evbuffer_add_printf(out, "\\u%04x", *p);
		else
			evbuffer_add(out, p, 1);
	}
	evbuffer_add(out, "\"", 1);
}

struct ctl_table {
	int	  ncols;
	size_t	  nrows;
	char	**cells;	/* nrows * ncols, row 0 the headers */
	size_t	 *width;
};

struct ctl_table *
ctl_table_create(int ncols, const char *const *headers)
{
	struct ctl_table	*t = xcalloc(1, sizeof *t);

	t->ncols = ncols;
	t->width = xcalloc(ncols, sizeof *t->width);
	ctl_table_row(t, headers);
	return (t);
}

void
ctl_table_row(struct ctl_table *t, const char *const *cells)
{
	size_t	len;
	int	i;

	t->cells = xreallocarray(t->cells, (t->nrows + 1) * t->ncols,
	    sizeof *t->cells);
	for (i = 0; i < t->ncols; i++) {
		t->cells[t->nrows * t->ncols + i] = xstrdup(cells[i] != NULL ?
		    cells[i] : "-");
		len = strlen(t->cells[t->nrows * t->ncols + i]);
		if (len > t->width[i])
			t->width[i] = len;
	}
	t->nrows++;
}

void
ctl_table_emit(struct ctl_table *t, struct evbuffer *out)
{
	size_t	r;
	int	i;

	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->ncols; i++) {
			if (i == t->ncols - 1)
				evbuffer_add_printf(out, "%s\n",
				    t->cells[r * t->ncols + i]);
			else
				evbuffer_add_printf(out, "%-*s  ",
				    (int)t->width[i], t->cells[r * t->ncols + i]);
		}
	}
}

void
ctl_table_free(struct ctl_table *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->width);
	free(t);
}
