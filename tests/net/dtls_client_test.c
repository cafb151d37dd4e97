/*
 * dtls_client_test: one DTLS association (module dtls) over a plain UDP socket, sends a
 * hand-built CoAP GET /.well-known/core and prints the response code. Used by
 * tests/net/dtls_e2e.sh against libcoap's coap-server-openssl.
 *
 * Exit status: 0 response 2.05, 1 usage/setup, 2 DTLS failure (reported by ops->error),
 * 3 other response code, 4 overall deadline.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "dtls.h"
#include "log.h"
#include "xmalloc.h"

#define TEST_MAX_DROPS	32

struct test {
	struct event_base	*base;
	struct dtls		*dtls;
	int			 fd;
	int			 status;
	unsigned int		 n_out, n_in;	/* datagrams seen each way */
	unsigned int		 drop_out[TEST_MAX_DROPS], ndrop_out;
	unsigned int		 drop_in[TEST_MAX_DROPS], ndrop_in;
	uint16_t		 mid;
	int			 keep;		/* stay connected after the reply */
	int			 trace;		/* -v: log every datagram */
};

static void
test_usage(void)
{
	fprintf(stderr, "usage: dtls_client_test -p port [-m psk|x509] "
	    "[-i identity] [-k key|hex:..]\n"
	    "\t[-c cert.der] [-K key.der] [-s server.der] [-C ca.pem] "
	    "[-H hostname]\n"
	    "\t[-t timeout_ms] [-r retransmits] [-o drop_out_list] "
	    "[-I drop_in_list] [-w deadline_s] [-v]\n");
	exit(1);
}

static uint8_t *
test_read_file(const char *path, size_t *len)
{
	struct stat	 st;
	uint8_t		*buf;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &st) == -1)
		fatal("%s", path);
	buf = xmalloc((size_t)st.st_size + 1);
	if ((n = read(fd, buf, (size_t)st.st_size)) != st.st_size)
		fatal("read %s", path);
	close(fd);
	*len = (size_t)n;
	return (buf);
}

/* "hex:0011..." or the bytes of the string itself (as coap-server -k takes them). */
static uint8_t *
test_parse_key(const char *s, size_t *len)
{
	uint8_t		*out;
	size_t		 i, n;
	unsigned int	 b;

	if (strncmp(s, "hex:", 4) != 0) {
		*len = strlen(s);
		return ((uint8_t *)xstrdup(s));
	}
	s += 4;
	n = strlen(s) / 2;
	out = xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			fatalx("bad hex key");
		out[i] = (uint8_t)b;
	}
	*len = n;
	return (out);
}

static void
test_parse_list(const char *s, unsigned int *list, unsigned int *n)
{
	char	*copy, *p, *tok;

	copy = p = xstrdup(s);
	while ((tok = strsep(&p, ",")) != NULL && *n < TEST_MAX_DROPS) {
		if (*tok != '\0')
			list[(*n)++] = (unsigned int)strtoul(tok, NULL, 10);
	}
	free(copy);
}

static int
test_in_list(const unsigned int *list, unsigned int n, unsigned int v)
{
	unsigned int	i;

	for (i = 0; i < n; i++)
		if (list[i] == v)
			return (1);
	return (0);
}

static void
test_output(void *arg, const uint8_t *buf, size_t len)
{
	struct test	*t = arg;

	t->n_out++;
	if (test_in_list(t->drop_out, t->ndrop_out, t->n_out)) {
		fprintf(stderr, "drop outgoing datagram %u (%zu bytes)\n",
		    t->n_out, len);
		return;
	}
	if (t->trace)
		fprintf(stderr, "out %u (%zu bytes)\n", t->n_out, len);
	/* A refused datagram (no server yet) is just lost: DTLS retransmits. */
	if (send(t->fd, buf, len, 0) == -1)
		fprintf(stderr, "send: %s\n", strerror(errno));
}

/* CON GET /.well-known/core, token 2 bytes. */
static void
test_connected(void *arg)
{
	struct test	*t = arg;
	uint8_t		 msg[32];
	size_t		 len = 0;
	char		*cause;

	printf("connected %s\n", dtls_cipher(t->dtls));
	t->mid = 0x1234;
	msg[len++] = 0x40 | 2;			/* ver 1, CON, TKL 2 */
	msg[len++] = 0x01;			/* GET */
	msg[len++] = t->mid >> 8;
	msg[len++] = t->mid & 0xff;
	msg[len++] = 0xca;
	msg[len++] = 0xfe;
	msg[len++] = 0xb0 | 11;			/* Uri-Path, 11 bytes */
	memcpy(msg + len, ".well-known", 11);
	len += 11;
	msg[len++] = 0x00 | 4;			/* Uri-Path, 4 bytes */
	memcpy(msg + len, "core", 4);
	len += 4;
	if (dtls_write(t->dtls, msg, len, &cause) != 0) {
		fprintf(stderr, "dtls_write: %s\n", cause);
		free(cause);
		t->status = 2;
		event_base_loopbreak(t->base);
	}
}

static void
test_data(void *arg, const uint8_t *buf, size_t len)
{
	struct test	*t = arg;
	unsigned int	 type;

	if (len < 6 || (buf[0] >> 6) != 1 || (buf[0] & 0xf) != 2 ||
	    buf[4] != 0xca || buf[5] != 0xfe) {
		fprintf(stderr, "ignored %zu-byte datagram\n", len);
		return;
	}
	type = (buf[0] >> 4) & 3;
	if (buf[1] == 0)			/* empty ACK: separate response */
		return;
	printf("response %u.%02u\n", buf[1] >> 5, buf[1] & 0x1f);
	if (type == 0) {
		/* Separate CON response: ACK it. */
		uint8_t	 ack[4] = { 0x60, 0x00, buf[2], buf[3] };
		char	*cause;

		if (dtls_write(t->dtls, ack, sizeof ack, &cause) != 0)
			free(cause);
	}
	t->status = buf[1] == ((2 << 5) | 5) ? 0 : 3;
	if (!t->keep) {
		dtls_close(t->dtls);
		printf("closed\n");
	}
	event_base_loopbreak(t->base);
}

static void
test_error(void *arg, enum dtls_failure f, const char *reason)
{
	struct test	*t = arg;

	printf("error: %s: %s\n", dtls_failure_name(f), reason);
	t->status = 2;
	event_base_loopbreak(t->base);
}

static void
test_read_cb(int fd, short events, void *arg)
{
	struct test	*t = arg;
	uint8_t		 buf[2048];
	ssize_t		 n;

	for (;;) {
		n = recv(fd, buf, sizeof buf, 0);
		if (n == -1)
			return;		/* EAGAIN, or ICMP refusal of a ClientHello */
		t->n_in++;
		if (test_in_list(t->drop_in, t->ndrop_in, t->n_in)) {
			fprintf(stderr, "drop incoming datagram %u (%zd bytes)\n",
			    t->n_in, n);
			continue;
		}
		if (t->trace)
			fprintf(stderr, "in %u (%zd bytes)\n", t->n_in, n);
		dtls_input(t->dtls, buf, (size_t)n);
		if (t->status != -1)
			return;
	}
}

static void
test_deadline_timer(int fd, short events, void *arg)
{
	struct test	*t = arg;

	printf("deadline reached\n");
	t->status = 4;
	event_base_loopbreak(t->base);
}

int
main(int argc, char **argv)
{
	struct test		 t;
	struct dtls_params	 p;
	struct dtls_ops		 ops = { test_output, test_connected, test_data,
				    test_error };
	struct dtls_ctx		*ctx;
	struct sockaddr_in	 sin;
	struct event		*rev, *deadline;
	struct timeval		 tv;
	char			*cause;
	int			 ch, port = 0, verbose = 0, deadline_s = 30;

	memset(&t, 0, sizeof t);
	memset(&p, 0, sizeof p);
	t.status = -1;
	p.mode = DTLS_MODE_PSK;
	while ((ch = getopt(argc, argv, "C:c:H:I:i:K:k:m:o:p:r:s:t:vw:")) != -1) {
		switch (ch) {
		case 'C':
			p.ca_file = optarg;
			break;
		case 'c':
			p.identity = test_read_file(optarg, &p.identity_len);
			break;
		case 'H':
			p.hostname = optarg;
			break;
		case 'I':
			test_parse_list(optarg, t.drop_in, &t.ndrop_in);
			break;
		case 'i':
			p.identity = (uint8_t *)xstrdup(optarg);
			p.identity_len = strlen(optarg);
			break;
		case 'K':
			p.key = test_read_file(optarg, &p.key_len);
			break;
		case 'k':
			p.key = test_parse_key(optarg, &p.key_len);
			break;
		case 'm':
			if (strcmp(optarg, "psk") == 0)
				p.mode = DTLS_MODE_PSK;
			else if (strcmp(optarg, "x509") == 0)
				p.mode = DTLS_MODE_X509;
			else
				test_usage();
			break;
		case 'o':
			test_parse_list(optarg, t.drop_out, &t.ndrop_out);
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'r':
			p.hs_retransmits = (unsigned int)atoi(optarg);
			break;
		case 's':
			p.server_cert = test_read_file(optarg,
			    &p.server_cert_len);
			break;
		case 't':
			p.hs_timeout_ms = (unsigned int)atoi(optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		case 'w':
			deadline_s = atoi(optarg);
			break;
		default:
			test_usage();
		}
	}
	if (port <= 0 || port > 65535)
		test_usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_open(LOG_TARGET_STDERR, verbose ? LOG_DEBUG : LOG_NOTICE,
	    "dtls_client_test");

	if ((t.fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		fatal("socket");
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(t.fd, (struct sockaddr *)&sin, sizeof sin) == -1)
		fatal("connect");
	if (fcntl(t.fd, F_SETFL, fcntl(t.fd, F_GETFL) | O_NONBLOCK) == -1)
		fatal("fcntl");
	if ((t.trace = verbose)) {
		struct sockaddr_in	 self;
		socklen_t		 slen = sizeof self;

		if (getsockname(t.fd, (struct sockaddr *)&self, &slen) == 0)
			fprintf(stderr, "local port %u\n",
			    (unsigned int)ntohs(self.sin_port));
	}

	if ((t.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if ((ctx = dtls_ctx_create(t.base, &cause)) == NULL)
		fatalx("dtls_ctx_create: %s", cause);
	if ((t.dtls = dtls_create(ctx, &p, "test-ep", &ops, &t, &cause)) ==
	    NULL) {
		printf("create failed: %s\n", cause);
		return (1);
	}
	rev = event_new(t.base, t.fd, EV_READ | EV_PERSIST, test_read_cb, &t);
	event_add(rev, NULL);
	deadline = evtimer_new(t.base, test_deadline_timer, &t);
	tv.tv_sec = deadline_s;
	tv.tv_usec = 0;
	evtimer_add(deadline, &tv);

	if (dtls_connect(t.dtls, &cause) != 0)
		fatalx("dtls_connect: %s", cause);
	event_base_dispatch(t.base);
	printf("datagrams out %u in %u\n", t.n_out, t.n_in);

	dtls_free(t.dtls);
	event_free(rev);
	event_free(deadline);
	dtls_ctx_free(ctx);
	event_base_free(t.base);
	close(t.fd);
	free((void *)p.identity);
	free((void *)p.key);
	free((void *)p.server_cert);
	log_close();
	return (t.status == -1 ? 4 : t.status);
}
