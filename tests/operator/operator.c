/*
 * lwgw-operator: an independent LwM2M Bootstrap-Server and Server for end-to-end tests.
 * One process, one thread: poll() over libcoap's epoll descriptors, stdin, the control
 * socket and a signalfd; events are JSON lines on stdout. See docs/operator.md.
 */
#include "config.h"

#include <sys/signalfd.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "operator.h"

#define OPERATOR_MAX_ARGS	128
#define OPERATOR_MAX_POLL	64

static void
operator_log_cb(coap_log_t level, const char *message)
{
	fprintf(stderr, "libcoap[%d]: %s", (int)level, message);
	if (*message != '\0' && message[strlen(message) - 1] != '\n')
		fputc('\n', stderr);
}

struct optimer *
operator_timer_add(struct op *op, int ms, void (*cb)(struct op *, void *), void *arg)
{
	struct optimer	*t, *it;

	t = oputil_xcalloc(1, sizeof *t);
	t->when = oputil_now_ms() + (uint64_t)(ms < 0 ? 0 : ms);
	t->cb = cb;
	t->arg = arg;
	TAILQ_FOREACH(it, &op->timers, entry) {
		if (it->when > t->when) {
			TAILQ_INSERT_BEFORE(it, t, entry);
			return (t);
		}
	}
	TAILQ_INSERT_TAIL(&op->timers, t, entry);
	return (t);
}

/* Cancel every timer set with arg. */
void
operator_timer_cancel(struct op *op, void *arg)
{
	struct optimer	*t, *next;

	for (t = TAILQ_FIRST(&op->timers); t != NULL; t = next) {
		next = TAILQ_NEXT(t, entry);
		if (t->arg == arg) {
			TAILQ_REMOVE(&op->timers, t, entry);
			free(t);
		}
	}
}

static void
operator_timers_run(struct op *op)
{
	struct optimer	*t;
	uint64_t	 now = oputil_now_ms();

	while ((t = TAILQ_FIRST(&op->timers)) != NULL && t->when <= now) {
		TAILQ_REMOVE(&op->timers, t, entry);
		t->cb(op, t->arg);
		free(t);
	}
}

static int
operator_event_cb(coap_session_t *s, const coap_event_t event)
{
	struct op	*op = coap_get_app_data(coap_session_get_context(s));
	struct opevent	 ev;
	const char	*name = NULL;

	switch (event) {
	case COAP_EVENT_SERVER_SESSION_DEL:
		opreq_session_gone(op, s);
		opbs_session_gone(op->bs, s);
		opsrv_session_gone(op->srv, s);
		return (0);
	case COAP_EVENT_DTLS_CONNECTED:
		name = "connected";
		break;
	case COAP_EVENT_DTLS_CLOSED:
		name = "closed";
		break;
	case COAP_EVENT_DTLS_ERROR:
		name = "error";
		break;
	case COAP_EVENT_DTLS_RENEGOTIATE:
		name = "renegotiate";
		break;
	default:
		return (0);
	}
	opevent_begin(&ev, op, "dtls");
	opevent_str(&ev, "state", name);
	opevent_str(&ev, "role", coap_session_get_context(s) == op->bsctx ?
	    "bootstrap" : "server");
	opevent_addr(&ev, "peer", coap_session_get_addr_remote(s));
	opevent_end(&ev);
	return (0);
}

coap_context_t *
operator_context(struct op *op, char **cause)
{
	coap_context_t	*ctx;

	if ((ctx = coap_new_context(NULL)) == NULL) {
		*cause = oputil_xstrdup("cannot create a libcoap context");
		return (NULL);
	}
	coap_set_app_data(ctx, op);
	coap_context_set_block_mode(ctx, COAP_BLOCK_USE_LIBCOAP |
	    COAP_BLOCK_SINGLE_BODY);
	/* Registrations outlive libcoap's 300 s idle session timeout. */
	coap_context_set_session_timeout(ctx, 7 * 86400);
	coap_register_event_handler(ctx, operator_event_cb);
	opreq_setup(op, ctx);
	return (ctx);
}

/* A listening endpoint; bound receives the address with the actual port. */
coap_endpoint_t *
operator_endpoint(coap_context_t *ctx, const char *address, int port,
    coap_proto_t proto, coap_address_t *bound, char **cause)
{
	coap_address_t	 addr;
	coap_endpoint_t	*ep;
	char		*s;

	s = oputil_xasprintf(strchr(address, ':') != NULL ? "[%s]:%d" : "%s:%d",
	    address, port == 0 ? 1 : port);
	if (oputil_addr_parse(s, 0, &addr, cause) != 0) {
		free(s);
		return (NULL);
	}
	free(s);
	coap_address_set_port(&addr, (uint16_t)port);
	if (proto == COAP_PROTO_DTLS && !coap_dtls_is_supported()) {
		*cause = oputil_xstrdup("libcoap has no DTLS support");
		return (NULL);
	}
	if ((ep = coap_new_endpoint(ctx, &addr, proto)) == NULL) {
		*cause = oputil_xasprintf("cannot listen on %s port %d", address,
		    port);
		return (NULL);
	}
	if (bound != NULL) {
		memcpy(bound, &addr, sizeof *bound);
		coap_address_set_port(bound,
		    (uint16_t)operator_endpoint_port(ep));
	}
	return (ep);
}

/* The bound port, from "ADDR:PORT PROTO" as libcoap 4.3 prints an endpoint. */
int
operator_endpoint_port(coap_endpoint_t *ep)
{
	const char	*s = coap_endpoint_str(ep), *sp, *colon = NULL, *p;

	if ((sp = strchr(s, ' ')) == NULL)
		sp = s + strlen(s);
	for (p = s; p < sp; p++) {
		if (*p == ':')
			colon = p;
	}
	return (colon != NULL ? atoi(colon + 1) : -1);
}

static void
operator_registrations(struct op *op, const char *tag)
{
	struct opevent		 ev;
	struct opbuf		 b;
	struct opsrv_reg	*reg;
	int			 first = 1;

	opbuf_init(&b);
	opbuf_addc(&b, '[');
	opevent_begin(&ev, op, "registrations");
	opevent_str(&ev, "tag", tag);
	for (reg = op->srv != NULL ? opsrv_first(op->srv) : NULL; reg != NULL;
	    reg = TAILQ_NEXT(reg, entry)) {
		if (!first)
			opbuf_addc(&b, ',');
		first = 0;
		opbuf_printf(&b, "{\"ep\":");
		opbuf_json(&b, reg->ep, strlen(reg->ep));
		opbuf_printf(&b, ",\"id\":\"rd/%u\",\"lt\":%d,\"objects\":%s,"
		    "\"session\":%s}", reg->id, reg->lifetime, reg->objects,
		    reg->session != NULL ? "true" : "false");
	}
	opbuf_addc(&b, ']');
	opevent_raw(&ev, "list", b.p);
	opevent_end(&ev);
	opbuf_free(&b);
}

static int
operator_builtin(struct op *op, const char *tag, char **argv, int argc, char **cause)
{
	struct opevent	ev;
	int		rc = 0;

	if (strcmp(argv[0], "quit") == 0)
		op->quit = 1;
	else if (strcmp(argv[0], "ping") == 0) {
		opevent_begin(&ev, op, "pong");
		opevent_str(&ev, "tag", tag);
		opevent_str(&ev, "arg", argc > 1 ? argv[1] : NULL);
		opevent_end(&ev);
	} else if (strcmp(argv[0], "pause") == 0 || strcmp(argv[0], "resume") == 0) {
		if (op->srv == NULL) {
			*cause = oputil_xstrdup("the server role is not enabled");
			return (-1);
		}
		rc = argv[0][0] == 'p' ? opsrv_pause(op->srv, cause) :
		    opsrv_resume(op->srv, cause);
		if (rc == 0) {
			opevent_begin(&ev, op, argv[0][0] == 'p' ? "paused" :
			    "resumed");
			opevent_str(&ev, "tag", tag);
			opevent_end(&ev);
		}
	} else if (strcmp(argv[0], "bs-start") == 0) {
		if (op->bs == NULL) {
			*cause = oputil_xstrdup("the bootstrap role is not enabled");
			return (-1);
		}
		if (argc < 3 || (argc == 4 && strcmp(argv[3], "dtls") != 0) ||
		    argc > 4) {
			*cause = oputil_xstrdup("usage: bs-start EP ADDR:PORT [dtls]");
			return (-1);
		}
		rc = opbs_start(op->bs, argv[1], argv[2], argc == 4, cause);
	} else if (strcmp(argv[0], "registrations") == 0)
		operator_registrations(op, tag);
	else
		return (1);
	return (rc);
}

/* One command line: "[@TAG] COMMAND ARGS..."; failures become "error" events. */
void
operator_command(struct op *op, char *line)
{
	struct opevent	 ev;
	char		*argv[OPERATOR_MAX_ARGS], *copy, *p, *tag = NULL;
	char		*cause = NULL;
	const char	*rest;
	int		 argc = 0, rc;

	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '\0' || *line == '#')
		return;
	if (*line == '@') {
		tag = line + 1;
		line += strcspn(line, " \t");
		if (*line != '\0')
			*line++ = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
	}
	rest = line;
	copy = oputil_xstrdup(line);
	for (p = strtok(copy, " \t"); p != NULL && argc < OPERATOR_MAX_ARGS;
	    p = strtok(NULL, " \t"))
		argv[argc++] = p;
	if (argc == 0) {
		free(copy);
		return;
	}
	if ((rc = operator_builtin(op, tag, argv, argc, &cause)) == 1)
		rc = opsrvcmd_run(op, tag, argv, argc, rest, &cause);
	if (rc != 0) {
		opevent_begin(&ev, op, "error");
		opevent_str(&ev, "what", "command");
		opevent_str(&ev, "cmd", argv[0]);
		opevent_str(&ev, "tag", tag);
		opevent_str(&ev, "error", cause != NULL ? cause : "failed");
		opevent_end(&ev);
	}
	free(cause);
	free(copy);
}

static void
operator_usage(void)
{
	fprintf(stderr, "usage: lwgw-operator [-knv] [-c file] [--ctl path]\n");
	exit(2);
}

static int
operator_poll_timeout(struct op *op)
{
	coap_tick_t	now;
	unsigned	t;
	uint64_t	ms = UINT64_MAX, nowms;
	coap_context_t	*ctxs[2] = { op->bsctx, op->srvctx };
	int		i;

	coap_ticks(&now);
	for (i = 0; i < 2; i++) {
		if (ctxs[i] == NULL)
			continue;
		t = coap_io_prepare_epoll(ctxs[i], now);
		if (t != 0 && t < ms)
			ms = t;
		if (coap_context_get_coap_fd(ctxs[i]) == -1 && ms > 50)
			ms = 50;
	}
	if (!TAILQ_EMPTY(&op->timers)) {
		nowms = oputil_now_ms();
		t = TAILQ_FIRST(&op->timers)->when > nowms ?
		    (unsigned)(TAILQ_FIRST(&op->timers)->when - nowms) : 0;
		if (t < ms)
			ms = t;
	}
	return (ms == UINT64_MAX ? -1 : (int)(ms > 60000 ? 60000 : ms));
}

static void
operator_loop(struct op *op, int sigfd)
{
	struct pollfd			pfd[OPERATOR_MAX_POLL];
	struct signalfd_siginfo		si;
	int				n, nctl, timeout;

	while (!op->quit) {
		n = 0;
		pfd[n].fd = sigfd;
		pfd[n++].events = POLLIN;
		if (op->bsctx != NULL && coap_context_get_coap_fd(op->bsctx) != -1) {
			pfd[n].fd = coap_context_get_coap_fd(op->bsctx);
			pfd[n++].events = POLLIN;
		}
		if (op->srvctx != NULL &&
		    coap_context_get_coap_fd(op->srvctx) != -1) {
			pfd[n].fd = coap_context_get_coap_fd(op->srvctx);
			pfd[n++].events = POLLIN;
		}
		nctl = opctl_fill(op->ctl, pfd + n, OPERATOR_MAX_POLL - n);
		timeout = operator_poll_timeout(op);
		if (poll(pfd, (nfds_t)(n + nctl), timeout) == -1 && errno != EINTR)
			oputil_fatal("poll: %s", strerror(errno));
		if (pfd[0].revents != 0 &&
		    read(sigfd, &si, sizeof si) == (ssize_t)sizeof si)
			op->quit = 1;
		if (op->bsctx != NULL)
			coap_io_process(op->bsctx, COAP_IO_NO_WAIT);
		if (op->srvctx != NULL)
			coap_io_process(op->srvctx, COAP_IO_NO_WAIT);
		opctl_process(op->ctl, pfd + n, nctl);
		operator_timers_run(op);
	}
}

int
main(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "ctl", required_argument, NULL, 'C' },
		{ "keep", no_argument, NULL, 'k' },
		{ "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct op			 op;
	struct opevent			 ev;
	struct opreq			*req;
	struct optimer			*t;
	const char			*file = NULL, *ctlpath = NULL;
	char				*cause = NULL;
	sigset_t			 set;
	int				 ch, keep = 0, check = 0, verbose = 0;
	int				 sigfd;

	while ((ch = getopt_long(argc, argv, "c:knv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'C':
			ctlpath = optarg;
			break;
		case 'k':
			keep = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			operator_usage();
		}
	}
	if (optind != argc)
		operator_usage();

	memset(&op, 0, sizeof op);
	TAILQ_INIT(&op.reqs);
	TAILQ_INIT(&op.timers);
	op.t0 = oputil_now_ms();
	op.next_token = ((uint64_t)getpid() << 40) ^ op.t0;
	op.scen = file != NULL ? opscen_load(file, &cause) : opscen_default();
	if (op.scen == NULL)
		oputil_fatal("%s", cause);
	if (check) {
		opscen_free(op.scen);
		return (0);
	}

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if ((sigfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1)
		oputil_fatal("signalfd: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);

	coap_startup();
	coap_set_log_handler(operator_log_cb);
	coap_set_log_level(verbose ? LOG_DEBUG : LOG_WARNING);
	coap_dtls_set_log_level(verbose ? LOG_DEBUG : LOG_WARNING);

	if ((op.ctl = opctl_create(&op, ctlpath, !keep, &cause)) == NULL)
		oputil_fatal("%s", cause);
	if (op.scen->bs.enabled) {
		if ((op.bs = opbs_create(&op, &cause)) == NULL)
			oputil_fatal("bootstrap: %s", cause);
		op.bsctx = opbs_context(op.bs);
	}
	if (op.scen->srv.enabled) {
		if ((op.srv = opsrv_create(&op, &cause)) == NULL)
			oputil_fatal("server: %s", cause);
		op.srvctx = opsrv_context(op.srv);
	}

	opevent_begin(&ev, &op, "ready");
	opevent_int(&ev, "pid", getpid());
	if (op.bs != NULL)
		opbs_ready(op.bs, &ev);
	if (op.srv != NULL)
		opsrv_ready(op.srv, &ev);
	opevent_str(&ev, "ctl", ctlpath);
	opevent_end(&ev);

	operator_loop(&op, sigfd);

	opevent_begin(&ev, &op, "exit");
	opevent_end(&ev);
	while ((req = TAILQ_FIRST(&op.reqs)) != NULL)
		opreq_free(&op, req);
	while ((t = TAILQ_FIRST(&op.timers)) != NULL) {
		TAILQ_REMOVE(&op.timers, t, entry);
		free(t);
	}
	opbs_free(op.bs);
	op.bs = NULL;
	opsrv_free(op.srv);
	op.srv = NULL;
	opctl_free(op.ctl);
	op.ctl = NULL;
	opscen_free(op.scen);
	coap_cleanup();
	close(sigfd);
	return (0);
}
