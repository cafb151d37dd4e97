/*
 * End-to-end helper for cio_e2e.sh: a udp socket and cio peers against libcoap's tools.
 *
 *   cio_peer_test serve [-l N] [-t seconds]
 *	Serves /hello, /large (3000 bytes, Block2), /store (PUT/POST with Block1, GET),
 *	/slow (deferred: separate response) on 127.0.0.1, ephemeral port printed as
 *	"PORT n". -l drops every Nth of our outgoing datagrams: loss that is deterministic
 *	and never hits the same message twice in a row, so the test cannot flake.
 *   cio_peer_test store PORT FILE
 *	PUT FILE to /store on 127.0.0.1:PORT through cio's client role (Block1).
 *   cio_peer_test register PORT
 *	POST /rd?ep=test&lt=60 with a link-format payload larger than 1 KiB (Block1) to a
 *	resource directory on 127.0.0.1:PORT; succeeds on 2.01 with a Location-Path.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "cio.h"
#include "log.h"
#include "lwm2m.h"
#include "udp.h"
#include "xmalloc.h"

#define MAXPEERS	16

struct tpeer {
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	struct cio_peer		*cio;
	struct tapp		*app;
};

struct tapp {
	struct event_base	*base;
	struct udp		*udp;
	struct cio_ctx		*ctx;
	struct tpeer		 peers[MAXPEERS];
	size_t			 npeers;
	unsigned int		 loss;
	unsigned int		 nsent;
	uint8_t			 store[65536];
	size_t			 store_len;
	uint8_t			 large[3000];
	int			 result;
	struct event		*slow_ev;
	struct cio_exchange	*slow_ex;
};

static int
tpeer_send(void *arg, const uint8_t *buf, size_t len)
{
	struct tpeer	*p = arg;

	if (p->app->loss > 0 && ++p->app->nsent % p->app->loss == 0)
		return 0;	/* "lost" on the wire */
	return udp_send(p->app->udp, (struct sockaddr *)&p->addr, p->addrlen, buf, len);
}

static void
slow_timer(evutil_socket_t fd, short what, void *arg)
{
	struct tapp	*app = arg;

	if (app->slow_ex != NULL)
		cio_respond(app->slow_ex, LWM2M_CONTENT, LWM2M_FMT_TEXT, "slow", 4,
		    CIO_OBSERVE_NONE);
	app->slow_ex = NULL;
}

static void
serve_request(void *arg, struct cio_exchange *ex, const struct cio_msg *req)
{
	struct tpeer	*p = arg;
	struct tapp	*app = p->app;
	const char	*res = req->npath > 0 ? req->path[0] : "";
	static const char wk[] = "</hello>,</large>;sz=3000,</store>,</slow>";
	struct timeval	 tv = { 0, 200000 };

	if (req->npath == 2 && strcmp(req->path[0], ".well-known") == 0 &&
	    strcmp(req->path[1], "core") == 0 && req->code == CIO_GET) {
		cio_respond(ex, LWM2M_CONTENT, LWM2M_FMT_LINK, wk, strlen(wk),
		    CIO_OBSERVE_NONE);
	} else if (req->npath != 1 || (strcmp(res, "hello") != 0 &&
	    strcmp(res, "large") != 0 && strcmp(res, "store") != 0 &&
	    strcmp(res, "slow") != 0))
		cio_respond(ex, LWM2M_CODE(4, 4), CIO_FMT_NONE, NULL, 0, CIO_OBSERVE_NONE);
	else if (strcmp(res, "hello") == 0 && req->code == CIO_GET)
		cio_respond(ex, LWM2M_CONTENT, LWM2M_FMT_TEXT, "Hello lwgw", 10,
		    CIO_OBSERVE_NONE);
	else if (strcmp(res, "large") == 0 && req->code == CIO_GET)
		cio_respond(ex, LWM2M_CONTENT, LWM2M_FMT_TEXT, app->large,
		    sizeof app->large, CIO_OBSERVE_NONE);
	else if (strcmp(res, "store") == 0 && req->code == CIO_GET)
		cio_respond(ex, LWM2M_CONTENT, LWM2M_FMT_OPAQUE, app->store,
		    app->store_len, CIO_OBSERVE_NONE);
	else if (strcmp(res, "store") == 0 &&
	    (req->code == CIO_PUT || req->code == CIO_POST)) {
		memcpy(app->store, req->payload, req->payload_len);
		app->store_len = req->payload_len;
		cio_respond(ex, LWM2M_CHANGED, CIO_FMT_NONE, NULL, 0, CIO_OBSERVE_NONE);
	} else if (strcmp(res, "slow") == 0 && req->code == CIO_GET &&
	    app->slow_ex == NULL) {
		app->slow_ex = cio_defer(ex);
		evtimer_add(app->slow_ev, &tv);
	} else
		cio_respond(ex, LWM2M_CODE(4, 5), CIO_FMT_NONE, NULL, 0, CIO_OBSERVE_NONE);
}

static const struct cio_peer_cbs serve_cbs = { serve_request, NULL };

static struct tpeer *
tpeer_get(struct tapp *app, const struct sockaddr *sa, socklen_t salen)
{
	struct tpeer	*p;
	size_t		 i;
	char		 name[64];

	for (i = 0; i < app->npeers; i++) {
		p = &app->peers[i];
		if (p->addrlen == salen && memcmp(&p->addr, sa, salen) == 0)
			return p;
	}
	if (app->npeers == MAXPEERS)
		return NULL;
	p = &app->peers[app->npeers++];
	memcpy(&p->addr, sa, salen);
	p->addrlen = salen;
	p->app = app;
	p->cio = cio_peer_create(app->ctx, udp_addr_str(sa, salen, name, sizeof name),
	    tpeer_send, p, &serve_cbs, p);
	return p;
}

static void
serve_recv(void *arg, const struct sockaddr *from, socklen_t fromlen, const uint8_t *data,
    size_t len)
{
	struct tapp	*app = arg;
	struct tpeer	*p;

	if ((p = tpeer_get(app, from, fromlen)) != NULL)
		cio_peer_input(p->cio, data, len);
}

static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(arg);
}

static void
register_done(void *arg, int error, const struct cio_msg *rsp)
{
	struct tpeer	*p = arg;
	uint8_t		 i;

	if (error != 0) {
		printf("ERROR %s\n", cio_strerror(error));
		p->app->result = 1;
	} else {
		printf("CODE %d.%02d LOCATION", LWM2M_CODE_CLASS(rsp->code),
		    LWM2M_CODE_DETAIL(rsp->code));
		for (i = 0; i < rsp->nlocation; i++)
			printf("%s%s", i == 0 ? " " : "/", rsp->location[i]);
		printf("\n");
		if (p->app->store_len > 0)
			p->app->result = rsp->code == LWM2M_CHANGED ? 0 : 1;
		else
			p->app->result = rsp->code == LWM2M_CREATED &&
			    rsp->nlocation > 0 ? 0 : 1;
	}
	event_base_loopbreak(p->app->base);
}

static void
client_recv(void *arg, const struct sockaddr *from, socklen_t fromlen, const uint8_t *data,
    size_t len)
{
	struct tpeer	*p = arg;

	if (fromlen == p->addrlen && memcmp(from, &p->addr, fromlen) == 0)
		cio_peer_input(p->cio, data, len);
}

static int
do_register(struct tapp *app, struct udp_shared *shared, uint16_t port, const char *file)
{
	struct tpeer		*p = &app->peers[0];
	struct sockaddr_storage	 local;
	socklen_t		 locallen;
	struct cio_msg		 m;
	char			*cause = NULL, *links = NULL, *tmp;
	int			 i;

	p->app = app;
	if (udp_addr_parse("127.0.0.1", port, &p->addr, &p->addrlen, &cause) != 0 ||
	    udp_addr_parse("127.0.0.1", 0, &local, &locallen, &cause) != 0 ||
	    (app->udp = udp_create(app->base, shared, (struct sockaddr *)&local, locallen,
	    client_recv, p, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	p->cio = cio_peer_create(app->ctx, "rd", tpeer_send, p, NULL, NULL);
	links = xstrdup("</1/0>");
	for (i = 0; i < 120; i++) {
		xasprintf(&tmp, "%s,</%d/0>", links, 3300 + i);
		free(links);
		links = tmp;
	}
	cio_msg_init(&m);
	m.code = CIO_POST;
	m.path[0] = "rd";
	m.npath = 1;
	m.query[0] = "ep=test";
	m.query[1] = "lt=60";
	m.nquery = 2;
	m.format = LWM2M_FMT_LINK;
	m.payload = (const uint8_t *)links;
	m.payload_len = strlen(links);
	if (file != NULL) {
		FILE	*f;

		if ((f = fopen(file, "rb")) == NULL) {
			perror(file);
			return 1;
		}
		app->store_len = fread(app->store, 1, sizeof app->store, f);
		fclose(f);
		m.path[0] = "store";
		m.code = CIO_PUT;
		m.nquery = 0;
		m.format = LWM2M_FMT_OPAQUE;
		m.payload = app->store;
		m.payload_len = app->store_len;
	}
	printf("PAYLOAD %zu\n", m.payload_len);
	app->result = 1;
	if (cio_request(p->cio, &m, register_done, p, NULL, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(links);
		return 1;
	}
	free(links);
	event_base_dispatch(app->base);
	printf("SENT %llu RETRANSMITTED %llu\n",
	    (unsigned long long)cio_peer_stats(p->cio)->tx,
	    (unsigned long long)cio_peer_stats(p->cio)->retransmitted);
	return app->result;
}

int
main(int argc, char **argv)
{
	struct tapp		*app;
	struct udp_shared	*shared;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct cio_params	 params;
	struct event		*stop, *term, *intr;
	struct timeval		 tv = { 60, 0 };
	char			*cause = NULL;
	size_t			 i;
	int			 ch, rc = 0;

	log_open(LOG_TARGET_STDERR, LOG_WARNING, "cio_peer_test");
	signal(SIGPIPE, SIG_IGN);
	app = xcalloc(1, sizeof *app);
	while ((ch = getopt(argc, argv, "l:t:")) != -1) {
		switch (ch) {
		case 'l':
			app->loss = (unsigned int)atoi(optarg);
			break;
		case 't':
			tv.tv_sec = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return 2;
	for (i = 0; i < sizeof app->large; i++)
		app->large[i] = (uint8_t)('a' + i % 26);
	app->base = event_base_new();
	shared = udp_shared_create(0);
	cio_params_default(&params);
	/* Let a lossy run finish in reasonable time. */
	params.ack_timeout_ms = 500;
	if ((app->ctx = cio_ctx_create(&params, app->base, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	stop = evtimer_new(app->base, stop_cb, app->base);
	evtimer_add(stop, &tv);
	/* Exit cleanly when the script stops us, so leak checkers can report. */
	term = evsignal_new(app->base, SIGTERM, stop_cb, app->base);
	intr = evsignal_new(app->base, SIGINT, stop_cb, app->base);
	evsignal_add(term, NULL);
	evsignal_add(intr, NULL);
	app->slow_ev = evtimer_new(app->base, slow_timer, app);

	if (strcmp(argv[0], "serve") == 0) {
		if (udp_addr_parse("127.0.0.1", 0, &ss, &sslen, &cause) != 0 ||
		    (app->udp = udp_create(app->base, shared, (struct sockaddr *)&ss,
		    sslen, serve_recv, app, &cause)) == NULL) {
			fprintf(stderr, "%s\n", cause);
			return 1;
		}
		printf("PORT %u\n", udp_port(app->udp));
		fflush(stdout);
		event_base_dispatch(app->base);
	} else if (strcmp(argv[0], "register") == 0 && argc == 2)
		rc = do_register(app, shared, (uint16_t)atoi(argv[1]), NULL);
	else if (strcmp(argv[0], "store") == 0 && argc == 3)
		rc = do_register(app, shared, (uint16_t)atoi(argv[1]), argv[2]);
	else
		rc = 2;

	for (i = 0; i < MAXPEERS; i++)
		cio_peer_free(app->peers[i].cio);
	cio_ctx_free(app->ctx);
	udp_free(app->udp);
	udp_shared_free(shared);
	event_free(stop);
	event_free(term);
	event_free(intr);
	event_free(app->slow_ev);
	event_base_free(app->base);
	free(app);
	return rc;
}
