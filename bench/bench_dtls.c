/*
 * bench_dtls: DTLS (module dtls) PSK handshakes per second against coap-server-openssl on
 * 127.0.0.1, and heap bytes per established association (mallinfo2 delta while M
 * associations stay connected). Each association has its own UDP socket, as a vclient.
 *
 * usage: bench_dtls [-n handshakes] [-c concurrency] [-M associations] [-p dtls_port]
 * Without -p it starts coap-server-openssl itself on a free port.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "dtls.h"
#include "log.h"
#include "xmalloc.h"

#define BENCH_KEY	"bench-secret-key"

struct bench;

struct bench_slot {
	struct bench		*b;
	int			 fd;
	struct event		*ev;
	struct dtls		*d;
	int			 connected;
	int			 answered;
};

struct bench {
	struct event_base	*base;
	struct dtls_ctx		*ctx;
	struct dtls_params	 params;
	int			 port;
	int			 keep;		/* memory phase: stay connected */
	int			 target;
	int			 concurrency;
	int			 started;
	int			 running;
	int			 connected;
	int			 failed;
	int			 answered;
	const char		*cipher;
	struct bench_slot	**kept;
	int			 nkept;
};

static void	bench_start_one(struct bench *);

static double
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static void
bench_slot_free(struct bench_slot *s)
{
	dtls_free(s->d);
	event_free(s->ev);
	close(s->fd);
	free(s);
}

/* Runs outside the slot's own callbacks. */
static void
bench_reap_cb(int fd, short events, void *arg)
{
	struct bench_slot	*s = arg;
	struct bench		*b = s->b;

	bench_slot_free(s);
	b->running--;
	bench_start_one(b);
	if (b->running == 0)
		event_base_loopbreak(b->base);
}

static void
bench_finish(struct bench_slot *s)
{
	struct timeval	tv = { 0, 0 };

	event_base_once(s->b->base, -1, EV_TIMEOUT, bench_reap_cb, s, &tv);
}

static void
bench_output(void *arg, const uint8_t *buf, size_t len)
{
	struct bench_slot	*s = arg;

	(void)send(s->fd, buf, len, 0);
}

static void
bench_connected(void *arg)
{
	struct bench_slot	*s = arg;
	struct bench		*b = s->b;
	char			*cause;

	b->connected++;
	s->connected = 1;
	b->cipher = dtls_cipher(s->d);
	if (b->keep) {
		/*
		 * A CoAP ping (the server answers RST): wolfSSL keeps its handshake
		 * state until the peer's first protected record arrives.
		 */
		uint8_t	ping[4] = { 0x40, 0x00, (uint8_t)(b->connected >> 8),
			    (uint8_t)b->connected };

		if (dtls_write(s->d, ping, sizeof ping, &cause) != 0)
			fatalx("dtls_write: %s", cause);
		return;
	}
	dtls_close(s->d);
	bench_finish(s);
}

static void
bench_error(void *arg, enum dtls_failure f, const char *reason)
{
	struct bench_slot	*s = arg;

	if (s->connected)
		return;
	s->b->failed++;
	if (s->b->keep)
		s->b->running--;	/* freed with the kept ones */
	else
		bench_finish(s);
}

/* The answer to the ping: the association is in its steady state. */
static void
bench_data(void *arg, const uint8_t *buf, size_t len)
{
	struct bench_slot	*s = arg;

	if (s->b->keep && !s->answered) {
		s->answered = 1;
		s->b->answered++;
		s->b->running--;
	}
}

static const struct dtls_ops bench_ops = {
	bench_output, bench_connected, bench_data, bench_error
};

static void
bench_read_cb(int fd, short events, void *arg)
{
	struct bench_slot	*s = arg;
	uint8_t			 buf[2048];
	ssize_t			 n;

	while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
		dtls_input(s->d, buf, (size_t)n);
}

static struct bench_slot *
bench_slot_new(struct bench *b)
{
	struct bench_slot	*s;
	struct sockaddr_in	 sin;
	char			*cause, name[32];

	s = xcalloc(1, sizeof *s);
	s->b = b;
	if ((s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) == -1)
		fatal("socket");
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)b->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(s->fd, (struct sockaddr *)&sin, sizeof sin) == -1)
		fatal("connect");
	s->ev = event_new(b->base, s->fd, EV_READ | EV_PERSIST, bench_read_cb, s);
	event_add(s->ev, NULL);
	snprintf(name, sizeof name, "bench-%d", b->started);
	if ((s->d = dtls_create(b->ctx, &b->params, name, &bench_ops, s,
	    &cause)) == NULL)
		fatalx("dtls_create: %s", cause);
	return (s);
}

static void
bench_start_one(struct bench *b)
{
	struct bench_slot	*s;
	char			*cause;

	while (b->started < b->target && b->running < b->concurrency) {
		b->started++;
		b->running++;
		s = bench_slot_new(b);
		if (dtls_connect(s->d, &cause) != 0)
			fatalx("dtls_connect: %s", cause);
	}
}

static int
bench_free_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd, port, tries;

	for (tries = 0; tries < 100; tries++) {
		if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
			fatal("socket");
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
		    getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
			fatal("bind");
		close(fd);
		port = ntohs(sin.sin_port);
		if (port < 65000 && port % 2 == 0)
			return (port);
	}
	fatalx("no free port");
}

int
main(int argc, char **argv)
{
	struct bench		 b;
	struct bench_slot	*s;
	struct mallinfo2	 m0, m1;
	posix_spawn_file_actions_t fa;
	pid_t			 server = -1;
	char			*cause, portbuf[16];
	char			*sargv[] = { (char *)"coap-server-openssl",
				    (char *)"-A", (char *)"127.0.0.1", (char *)"-p",
				    portbuf, (char *)"-k", (char *)BENCH_KEY,
				    (char *)"-v", (char *)"0", NULL };
	double			 t0, t1;
	int			 ch, n = 1000, conc = 16, assocs = 1000, i;

	memset(&b, 0, sizeof b);
	while ((ch = getopt(argc, argv, "c:M:n:p:")) != -1) {
		switch (ch) {
		case 'c':
			conc = atoi(optarg);
			break;
		case 'M':
			assocs = atoi(optarg);
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'p':
			b.port = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: bench_dtls [-n handshakes] "
			    "[-c concurrency] [-M associations] [-p port]\n");
			return (1);
		}
	}
	log_open(LOG_TARGET_STDERR, LOG_WARNING, "bench_dtls");
	signal(SIGPIPE, SIG_IGN);
	if (b.port == 0) {
		i = bench_free_port();
		snprintf(portbuf, sizeof portbuf, "%d", i);
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
		if (posix_spawnp(&server, sargv[0], &fa, NULL, sargv,
		    environ) != 0)
			fatal("cannot start coap-server-openssl");
		posix_spawn_file_actions_destroy(&fa);
		b.port = i + 1;
		usleep(300000);
	}

	b.base = event_base_new();
	if ((b.ctx = dtls_ctx_create(b.base, &cause)) == NULL)
		fatalx("%s", cause);
	b.params.mode = DTLS_MODE_PSK;
	b.params.identity = (const uint8_t *)"bench-ep";
	b.params.identity_len = 8;
	b.params.key = (const uint8_t *)BENCH_KEY;
	b.params.key_len = strlen(BENCH_KEY);
	b.params.hs_timeout_ms = 500;
	b.params.hs_retransmits = 4;
	b.concurrency = conc;

	/* Phase 1: handshake rate (full handshakes with cookie exchange). */
	b.target = n;
	t0 = bench_now();
	bench_start_one(&b);
	event_base_dispatch(b.base);
	t1 = bench_now();
	printf("handshakes: %d ok, %d failed in %.2f s = %.0f/s "
	    "(concurrency %d, %s)\n", b.connected, b.failed, t1 - t0,
	    b.connected / (t1 - t0), conc, b.cipher ? b.cipher : "-");

	/* Phase 2: heap held by established associations. */
	b.kept = xcalloc((size_t)assocs, sizeof *b.kept);
	malloc_trim(0);
	m0 = mallinfo2();
	b.keep = 1;
	b.started = b.running = b.connected = b.failed = 0;
	b.target = 0;		/* bench_start_one() stays out of it */
	for (i = 0; i < assocs; i++) {
		/* Start each association through the same path, keeping it. */
		b.started++;
		s = bench_slot_new(&b);
		b.kept[b.nkept++] = s;
		b.running++;
		if (dtls_connect(s->d, &cause) != 0)
			fatalx("dtls_connect: %s", cause);
		while (b.running >= conc)
			event_base_loop(b.base, EVLOOP_ONCE);
	}
	while (b.answered + b.failed < assocs)
		event_base_loop(b.base, EVLOOP_ONCE);
	m1 = mallinfo2();
	printf("memory: %d associations answered (%d failed), heap +%zu bytes "
	    "= %zu bytes/association (incl. %zu bytes of bench slot, "
	    "libevent event)\n", b.answered, b.failed,
	    m1.uordblks - m0.uordblks,
	    b.answered ? (m1.uordblks - m0.uordblks) / (size_t)b.answered : 0,
	    sizeof(struct bench_slot));

	for (i = 0; i < b.nkept; i++) {
		dtls_close(b.kept[i]->d);
		bench_slot_free(b.kept[i]);
	}
	free(b.kept);
	dtls_ctx_free(b.ctx);
	event_base_free(b.base);
	if (server != -1) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
	return (b.failed ? 1 : 0);
}
