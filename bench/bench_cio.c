/*
 * cio/udp benchmark on loopback, one process, one core (client and servers share the loop):
 *   bench_cio [-n peers] [-t seconds] [-m idle_sockets]
 * 1. requests/s: -n server sockets, each a cio server peer; one client socket with one cio
 *    client peer per server, each keeping one CON GET in flight (NSTART 1).
 * 2. memory: -m idle sockets each with a cio peer; heap and RSS growth per pair.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "cio.h"
#include "log.h"
#include "lwm2m.h"
#include "udp.h"
#include "xmalloc.h"

struct bsrv {
	struct bench		*b;
	struct udp		*udp;
	struct cio_peer		*peer;		/* toward the client */
	struct sockaddr_storage	 addr;		/* of this server socket */
	socklen_t		 addrlen;
	struct cio_peer		*cpeer;		/* the client's peer toward us */
};

struct bench {
	struct event_base	*base;
	struct udp_shared	*shared;
	struct cio_ctx		*ctx;
	struct udp		*client;
	struct sockaddr_storage	 caddr;
	socklen_t		 caddrlen;
	struct bsrv		*srv;
	size_t			 nsrv;
	uint16_t		*byport;	/* server port -> index + 1 */
	uint64_t		 done;
	uint64_t		 errors;
	int			 running;
};

static int
bench_srv_send(void *arg, const uint8_t *buf, size_t len)
{
	struct bsrv	*s = arg;

	return udp_send(s->udp, (struct sockaddr *)&s->b->caddr, s->b->caddrlen, buf, len);
}

static int
bench_cli_send(void *arg, const uint8_t *buf, size_t len)
{
	struct bsrv	*s = arg;

	return udp_send(s->b->client, (struct sockaddr *)&s->addr, s->addrlen, buf, len);
}

static void
bench_request(void *arg, struct cio_exchange *ex, const struct cio_msg *req)
{
	cio_respond(ex, LWM2M_CONTENT, LWM2M_FMT_TEXT, "22.5", 4, CIO_OBSERVE_NONE);
}

static const struct cio_peer_cbs bench_srv_cbs = { bench_request, NULL };

static void	bench_get(struct bsrv *);

static void
bench_response(void *arg, int error, const struct cio_msg *rsp)
{
	struct bsrv	*s = arg;

	if (error != 0 || rsp->code != LWM2M_CONTENT)
		s->b->errors++;
	else
		s->b->done++;
	if (s->b->running)
		bench_get(s);
}

static void
bench_get(struct bsrv *s)
{
	struct cio_msg	m;
	char		*cause = NULL;

	cio_msg_init(&m);
	m.code = CIO_GET;
	m.path[0] = "3303";
	m.path[1] = "0";
	m.path[2] = "5700";
	m.npath = 3;
	if (cio_request(s->cpeer, &m, bench_response, s, NULL, &cause) != 0)
		fatalx("%s", cause);
}

static void
bench_srv_recv(void *arg, const struct sockaddr *from, socklen_t fromlen,
    const uint8_t *data, size_t len)
{
	struct bsrv	*s = arg;

	cio_peer_input(s->peer, data, len);
}

static void
bench_cli_recv(void *arg, const struct sockaddr *from, socklen_t fromlen,
    const uint8_t *data, size_t len)
{
	struct bench	*b = arg;
	uint16_t	 port, i;

	if (from->sa_family != AF_INET)
		return;
	port = ntohs(((const struct sockaddr_in *)from)->sin_port);
	if ((i = b->byport[port]) != 0)
		cio_peer_input(b->srv[i - 1].cpeer, data, len);
}

static void
bench_stop(evutil_socket_t fd, short what, void *arg)
{
	struct bench	*b = arg;

	b->running = 0;
	event_base_loopbreak(b->base);
}

static void
bench_srv_open(struct bench *b, struct bsrv *s, int with_client)
{
	struct sockaddr_storage	ss;
	socklen_t		sslen;
	char			*cause = NULL;

	s->b = b;
	if (udp_addr_parse("127.0.0.1", 0, &ss, &sslen, &cause) != 0 ||
	    (s->udp = udp_create(b->base, b->shared, (struct sockaddr *)&ss, sslen,
	    bench_srv_recv, s, &cause)) == NULL)
		fatalx("%s", cause);
	udp_local(s->udp, &s->addr, &s->addrlen);
	s->peer = cio_peer_create(b->ctx, "srv", bench_srv_send, s, &bench_srv_cbs, s);
	if (with_client) {
		s->cpeer = cio_peer_create(b->ctx, "cli", bench_cli_send, s, NULL, NULL);
		b->byport[udp_port(s->udp)] = (uint16_t)(s - b->srv + 1);
	}
}

static void
bench_srv_close(struct bsrv *s)
{
	cio_peer_free(s->peer);
	cio_peer_free(s->cpeer);
	udp_free(s->udp);
}

static double
bench_time(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
bench_rss_kb(void)
{
	FILE	*f;
	long	 pages = 0, rss = 0;

	if ((f = fopen("/proc/self/statm", "r")) == NULL)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void
bench_rate(struct bench *b, size_t n, int seconds)
{
	struct event	*stop;
	struct timeval	 tv = { seconds, 0 };
	struct mallinfo2 m0, m1;
	double		 t0, t1;
	size_t		 i;

	b->nsrv = n;
	m0 = mallinfo2();
	b->srv = xcalloc(n, sizeof *b->srv);
	for (i = 0; i < n; i++)
		bench_srv_open(b, &b->srv[i], 1);
	b->done = b->errors = 0;
	b->running = 1;
	for (i = 0; i < n; i++)
		bench_get(&b->srv[i]);
	stop = evtimer_new(b->base, bench_stop, b);
	evtimer_add(stop, &tv);
	t0 = bench_time();
	event_base_dispatch(b->base);
	t1 = bench_time();
	m1 = mallinfo2();
	printf("peers %zu: %.0f requests/s (%llu in %.1f s, %llu errors); heap per "
	    "socket + server peer + client peer after use: %zu bytes\n", n,
	    (double)b->done / (t1 - t0), (unsigned long long)b->done, t1 - t0,
	    (unsigned long long)b->errors, (m1.uordblks - m0.uordblks) / n);
	event_free(stop);
	for (i = 0; i < n; i++)
		bench_srv_close(&b->srv[i]);
	free(b->srv);
	memset(b->byport, 0, 65536 * sizeof *b->byport);
}

static void
bench_memory(struct bench *b, size_t n)
{
	struct mallinfo2	 m0, m1;
	long			 rss0, rss1;
	struct bsrv		*s;
	size_t			 i;

	s = xcalloc(n, sizeof *s);
	m0 = mallinfo2();
	rss0 = bench_rss_kb();
	for (i = 0; i < n; i++)
		bench_srv_open(b, &s[i], 0);
	m1 = mallinfo2();
	rss1 = bench_rss_kb();
	printf("idle socket + peer: %zu bytes heap, %.0f bytes RSS each (%zu pairs)\n",
	    (m1.uordblks - m0.uordblks) / n, (double)(rss1 - rss0) * 1024 / (double)n, n);
	for (i = 0; i < n; i++)
		bench_srv_close(&s[i]);
	free(s);
}

int
main(int argc, char **argv)
{
	struct bench		 b;
	struct cio_params	 p;
	struct rlimit		 rl;
	char			*cause = NULL;
	size_t			 npeers = 1000, nidle = 10000;
	int			 ch, seconds = 5;

	log_open(LOG_TARGET_STDERR, LOG_WARNING, "bench_cio");
	while ((ch = getopt(argc, argv, "m:n:t:")) != -1) {
		switch (ch) {
		case 'm':
			nidle = (size_t)atol(optarg);
			break;
		case 'n':
			npeers = (size_t)atol(optarg);
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: bench_cio [-n peers] [-t s] [-m idle]\n");
			return 1;
		}
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	memset(&b, 0, sizeof b);
	b.base = event_base_new();
	b.shared = udp_shared_create(0);
	b.byport = xcalloc(65536, sizeof *b.byport);
	cio_params_default(&p);
	if ((b.ctx = cio_ctx_create(&p, b.base, &cause)) == NULL)
		fatalx("%s", cause);
	if (udp_addr_parse("127.0.0.1", 0, &b.caddr, &b.caddrlen, &cause) != 0 ||
	    (b.client = udp_create(b.base, b.shared, (struct sockaddr *)&b.caddr,
	    b.caddrlen, bench_cli_recv, &b, &cause)) == NULL)
		fatalx("%s", cause);
	udp_local(b.client, &b.caddr, &b.caddrlen);

	bench_rate(&b, 1, seconds);
	if (npeers > 1)
		bench_rate(&b, npeers, seconds);
	if (nidle > 0)
		bench_memory(&b, nidle);

	udp_free(b.client);
	cio_ctx_free(b.ctx);
	udp_shared_free(b.shared);
	free(b.byport);
	event_base_free(b.base);
	return 0;
}
