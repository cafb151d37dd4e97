/*
 * Unit tests of the dtls module: PSK derivation (HKDF vectors), parameter checks, and
 * handshakes against an in-process wolfSSL DTLS 1.2 server joined to the client by
 * in-memory datagram queues (loss, retransmission timers, close_notify, lost sessions).
 * Interoperability with another implementation is tests/net/dtls_e2e.sh.
 * Requirement: BS-11 (bootstrap and server interfaces run over DTLS) for all of them.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <event2/event.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "dtls.h"
#include "log.h"

#define QLEN	64
#define DGMAX	2048

struct queue {
	uint8_t		 buf[QLEN][DGMAX];
	size_t		 len[QLEN];
	unsigned int	 head, tail;
};

struct fixture {
	struct event_base	*base;
	struct dtls_ctx		*ctx;
	struct dtls		*client;

	/* The server side. */
	WOLFSSL_CTX		*sctx;
	WOLFSSL			*sssl;
	const char		*skey;
	const uint8_t		*sin;
	size_t			 sin_len;
	int			 saccepted;
	uint8_t			 sgot[DGMAX];
	size_t			 sgot_len;
	int			 sclosed;

	struct queue		 to_server, to_client;
	unsigned int		 n_to_server;
	unsigned int		 drop_first;	/* client datagrams lost */
	int			 server_silent;

	int			 connected;
	int			 failed;
	enum dtls_failure	 failure;
	uint8_t			 got[DGMAX];
	size_t			 got_len;
	int			 free_in_data;
};

static void
queue_push(struct queue *q, const void *buf, size_t len)
{
	ck_assert_uint_lt(q->tail - q->head, QLEN);
	ck_assert_uint_le(len, DGMAX);
	memcpy(q->buf[q->tail % QLEN], buf, len);
	q->len[q->tail % QLEN] = len;
	q->tail++;
}

static int
queue_pop(struct queue *q, uint8_t *buf, size_t *len)
{
	if (q->head == q->tail)
		return (0);
	*len = q->len[q->head % QLEN];
	memcpy(buf, q->buf[q->head % QLEN], *len);
	q->head++;
	return (1);
}

static int
srv_recv(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
	struct fixture	*f = arg;
	int		 n;

	if (f->sin == NULL)
		return (WOLFSSL_CBIO_ERR_WANT_READ);
	n = (int)f->sin_len;
	ck_assert_int_le(n, sz);
	memcpy(buf, f->sin, (size_t)n);
	f->sin = NULL;
	return (n);
}

static int
srv_send(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
	struct fixture	*f = arg;

	queue_push(&f->to_client, buf, (size_t)sz);
	return (sz);
}

static unsigned int
srv_psk(WOLFSSL *ssl, const char *identity, unsigned char *key,
    unsigned int max)
{
	struct fixture	*f = wolfSSL_GetIOReadCtx(ssl);
	size_t		 len = strlen(f->skey);

	if (strcmp(identity, "ep-1") != 0 || len > max)
		return (0);
	memcpy(key, f->skey, len);
	return ((unsigned int)len);
}

static int
srv_cookie(WOLFSSL *ssl, unsigned char *buf, int sz, void *arg)
{
	memset(buf, 0x5a, (size_t)sz);
	return (sz);
}

static void
srv_new(struct fixture *f)
{
	if (f->sssl != NULL)
		wolfSSL_free(f->sssl);
	f->sssl = wolfSSL_new(f->sctx);
	ck_assert_ptr_nonnull(f->sssl);
	wolfSSL_SetIOReadCtx(f->sssl, f);
	wolfSSL_SetIOWriteCtx(f->sssl, f);
	wolfSSL_dtls_set_using_nonblock(f->sssl, 1);
	f->saccepted = 0;
}

static void
srv_feed(struct fixture *f, const uint8_t *buf, size_t len)
{
	int	n;

	f->sin = buf;
	f->sin_len = len;
	if (!f->saccepted) {
		if (wolfSSL_accept(f->sssl) == WOLFSSL_SUCCESS)
			f->saccepted = 1;
	}
	if (f->saccepted) {
		n = wolfSSL_read(f->sssl, f->sgot, sizeof f->sgot);
		if (n > 0)
			f->sgot_len = (size_t)n;
		else if (wolfSSL_get_error(f->sssl, n) == WOLFSSL_ERROR_ZERO_RETURN)
			f->sclosed = 1;
	}
	f->sin = NULL;
}

/* Delivers queued datagrams both ways until both queues are empty. */
static void
pump(struct fixture *f)
{
	uint8_t	buf[DGMAX];
	size_t	len;
	int	moved;

	do {
		moved = 0;
		while (queue_pop(&f->to_server, buf, &len)) {
			moved = 1;
			f->n_to_server++;
			if (f->server_silent || f->n_to_server <= f->drop_first)
				continue;
			srv_feed(f, buf, len);
		}
		while (queue_pop(&f->to_client, buf, &len)) {
			moved = 1;
			if (f->client != NULL)
				dtls_input(f->client, buf, len);
		}
	} while (moved);
}

/* Runs timers and pumps until the client connects or fails (bounded). */
static void
run(struct fixture *f)
{
	int	i;

	pump(f);
	for (i = 0; i < 200 && !f->connected && !f->failed; i++) {
		event_base_loop(f->base, EVLOOP_ONCE);
		pump(f);
	}
}

static void
cl_output(void *arg, const uint8_t *buf, size_t len)
{
	struct fixture	*f = arg;

	queue_push(&f->to_server, buf, len);
}

static void
cl_connected(void *arg)
{
	struct fixture	*f = arg;

	f->connected = 1;
}

static void
cl_data(void *arg, const uint8_t *buf, size_t len)
{
	struct fixture	*f = arg;

	memcpy(f->got, buf, len);
	f->got_len = len;
	if (f->free_in_data) {
		dtls_free(f->client);
		f->client = NULL;
	}
}

static void
cl_error(void *arg, enum dtls_failure fail, const char *reason)
{
	struct fixture	*f = arg;

	f->failed++;
	f->failure = fail;
}

static const struct dtls_ops cl_ops = {
	cl_output, cl_connected, cl_data, cl_error
};

static void
psk_params(struct dtls_params *p, const char *key)
{
	memset(p, 0, sizeof *p);
	p->mode = DTLS_MODE_PSK;
	p->identity = (const uint8_t *)"ep-1";
	p->identity_len = 4;
	p->key = (const uint8_t *)key;
	p->key_len = strlen(key);
	p->hs_timeout_ms = 10;
	p->hs_retransmits = 3;
}

static void
fixture_init(struct fixture *f, const char *server_key)
{
	char	*cause = NULL;

	memset(f, 0, sizeof *f);
	f->base = event_base_new();
	ck_assert_ptr_nonnull(f->base);
	f->ctx = dtls_ctx_create(f->base, &cause);
	ck_assert_msg(f->ctx != NULL, "%s", cause);
	f->skey = server_key;
	f->sctx = wolfSSL_CTX_new(wolfDTLSv1_2_server_method());
	ck_assert_ptr_nonnull(f->sctx);
	ck_assert_int_eq(wolfSSL_CTX_set_cipher_list(f->sctx,
	    "PSK-CHACHA20-POLY1305"), WOLFSSL_SUCCESS);
	wolfSSL_CTX_set_psk_server_callback(f->sctx, srv_psk);
	wolfSSL_CTX_SetIORecv(f->sctx, srv_recv);
	wolfSSL_CTX_SetIOSend(f->sctx, srv_send);
	wolfSSL_CTX_SetGenCookie(f->sctx, srv_cookie);
	srv_new(f);
}

static void
fixture_connect(struct fixture *f, const char *client_key)
{
	struct dtls_params	 p;
	char			*cause = NULL;

	psk_params(&p, client_key);
	f->client = dtls_create(f->ctx, &p, "ep-1", &cl_ops, f, &cause);
	ck_assert_msg(f->client != NULL, "%s", cause);
	ck_assert_int_eq(dtls_connect(f->client, &cause), 0);
	run(f);
}

static void
fixture_done(struct fixture *f)
{
	dtls_free(f->client);
	wolfSSL_free(f->sssl);
	wolfSSL_CTX_free(f->sctx);
	dtls_ctx_free(f->ctx);
	event_base_free(f->base);
}

/* BS-11 factory keys, HKDF-SHA256(master, endpoint): RFC 5869 A.3. */
START_TEST(t_hkdf_rfc5869)
{
	static const uint8_t	okm[42] = {
		0x8d, 0xa4, 0xe7, 0x75, 0xa5, 0x63, 0xc1, 0x8f, 0x71, 0x5f,
		0x80, 0x2a, 0x06, 0x3c, 0x5a, 0x31, 0xb8, 0xa1, 0x1f, 0x5c,
		0x5e, 0xe1, 0x87, 0x9e, 0xc3, 0x45, 0x4e, 0x5f, 0x3c, 0x73,
		0x8d, 0x2d, 0x9d, 0x20, 0x13, 0x95, 0xfa, 0xa4, 0xb6, 0x1a,
		0x96, 0xc8
	};
	uint8_t			ikm[22], out[42];

	memset(ikm, 0x0b, sizeof ikm);
	ck_assert_int_eq(dtls_psk_derive(ikm, sizeof ikm, "", out, sizeof out),
	    0);
	ck_assert_mem_eq(out, okm, sizeof okm);
}
END_TEST

/* Value computed independently with `openssl kdf ... HKDF` (OpenSSL 3). */
START_TEST(t_hkdf_endpoint)
{
	static const uint8_t	want[16] = {
		0x43, 0xa8, 0xc6, 0x75, 0xd6, 0x9a, 0x93, 0xf7, 0x20, 0x4d,
		0x64, 0x13, 0xa4, 0x9e, 0x26, 0xb0
	};
	uint8_t			master[16], out[16], other[16];
	size_t			i;

	for (i = 0; i < sizeof master; i++)
		master[i] = (uint8_t)i;
	ck_assert_int_eq(dtls_psk_derive(master, sizeof master,
	    "urn:imei:490154203237518", out, sizeof out), 0);
	ck_assert_mem_eq(out, want, sizeof want);
	ck_assert_int_eq(dtls_psk_derive(master, sizeof master,
	    "urn:imei:490154203237519", other, sizeof other), 0);
	ck_assert(memcmp(out, other, sizeof out) != 0);
	ck_assert_int_eq(dtls_psk_derive(master, sizeof master, "x", out, 0),
	    -1);
	ck_assert_int_eq(dtls_psk_derive(NULL, 0, "x", out, 16), -1);
	ck_assert_int_eq(dtls_psk_derive(master, sizeof master, NULL, out, 16),
	    -1);
}
END_TEST

static void
expect_create_error(struct dtls_ctx *ctx, const struct dtls_params *p,
    const char *needle)
{
	struct dtls	*d;
	char		*cause = NULL;

	d = dtls_create(ctx, p, "ep", &cl_ops, NULL, &cause);
	ck_assert_ptr_null(d);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, needle) != NULL, "cause \"%s\" lacks \"%s\"",
	    cause, needle);
	free(cause);
}

START_TEST(t_params)
{
	struct event_base	*base = event_base_new();
	struct dtls_ctx		*ctx;
	struct dtls_params	 p;
	struct dtls_ops		 noout = { NULL, NULL, NULL, NULL };
	struct dtls		*d;
	char			*cause = NULL;
	uint8_t			 big[DTLS_PSK_KEY_MAX + 1], der[8];

	ctx = dtls_ctx_create(base, &cause);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_ptr_null(dtls_ctx_create(NULL, &cause));
	free(cause);

	psk_params(&p, "k");
	cause = NULL;
	ck_assert_ptr_null(dtls_create(ctx, &p, "ep", &noout, NULL, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "output"));
	free(cause);

	psk_params(&p, "k");
	p.identity_len = 0;
	expect_create_error(ctx, &p, "identity");
	p.identity = (const uint8_t *)"a\0b";
	p.identity_len = 3;
	expect_create_error(ctx, &p, "NUL");
	psk_params(&p, "k");
	memset(big, 1, sizeof big);
	p.key = big;
	p.key_len = sizeof big;
	expect_create_error(ctx, &p, "PSK key");
	psk_params(&p, "k");
	p.ca_file = "/etc/ssl/certs/ca-certificates.crt";
	expect_create_error(ctx, &p, "PSK mode");
	psk_params(&p, "k");
	p.hs_retransmits = 21;
	expect_create_error(ctx, &p, "retransmissions");
	psk_params(&p, "k");
	p.hs_timeout_ms = 5000;
	p.hs_timeout_max_ms = 1000;
	expect_create_error(ctx, &p, "maximum");

	memset(&p, 0, sizeof p);
	p.mode = DTLS_MODE_X509;
	expect_create_error(ctx, &p, "client certificate");
	memset(der, 0x30, sizeof der);
	p.identity = der;
	p.identity_len = sizeof der;
	expect_create_error(ctx, &p, "private key");
	p.key = der;
	p.key_len = sizeof der;
	expect_create_error(ctx, &p, "server certificate or a CA file");
	p.ca_file = "/nonexistent/ca.pem";
	expect_create_error(ctx, &p, "cannot load CA file");
	p.ca_file = NULL;
	p.server_cert = der;
	p.server_cert_len = sizeof der;
	p.hostname = "server.example";
	expect_create_error(ctx, &p, "hostname");
	p.hostname = NULL;
	expect_create_error(ctx, &p, "bad client certificate");
	p.mode = (enum dtls_mode)7;
	expect_create_error(ctx, &p, "mode");

	/* Writing before the handshake fails and says why. */
	psk_params(&p, "k");
	d = dtls_create(ctx, &p, "ep", &cl_ops, NULL, &cause);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(dtls_get_state(d), DTLS_IDLE);
	ck_assert_int_eq(dtls_write(d, der, sizeof der, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "not connected"));
	free(cause);
	ck_assert_ptr_null(dtls_cipher(d));
	dtls_free(d);
	dtls_free(NULL);
	dtls_ctx_free(ctx);
	dtls_ctx_free(NULL);
	event_base_free(base);
}
END_TEST

/* BS-11: a PSK handshake, one datagram each way, close_notify. */
START_TEST(t_psk_handshake)
{
	struct fixture	 f;
	char		*cause = NULL;

	fixture_init(&f, "secret-key");
	fixture_connect(&f, "secret-key");
	ck_assert_int_eq(f.connected, 1);
	ck_assert_int_eq(f.failed, 0);
	ck_assert_int_eq(dtls_get_state(f.client), DTLS_CONNECTED);
	ck_assert_str_eq(dtls_cipher(f.client), "PSK-CHACHA20-POLY1305");

	ck_assert_int_eq(dtls_write(f.client, (const uint8_t *)"ping", 4,
	    &cause), 0);
	pump(&f);
	ck_assert_uint_eq(f.sgot_len, 4);
	ck_assert_mem_eq(f.sgot, "ping", 4);

	ck_assert_int_eq(wolfSSL_write(f.sssl, "pong!", 5), 5);
	pump(&f);
	ck_assert_uint_eq(f.got_len, 5);
	ck_assert_mem_eq(f.got, "pong!", 5);

	/* close_notify reaches the server. */
	dtls_close(f.client);
	pump(&f);
	ck_assert_int_eq(f.sclosed, 1);
	ck_assert_int_eq(dtls_get_state(f.client), DTLS_CLOSED);
	ck_assert_int_eq(dtls_write(f.client, (const uint8_t *)"x", 1, &cause),
	    -1);
	free(cause);
	ck_assert_int_eq(f.failed, 0);
	fixture_done(&f);
}
END_TEST

/* Lost ClientHellos are retransmitted on the libevent timer. */
START_TEST(t_retransmit)
{
	struct fixture	f;

	fixture_init(&f, "secret-key");
	f.drop_first = 2;
	fixture_connect(&f, "secret-key");
	ck_assert_int_eq(f.connected, 1);
	ck_assert_int_eq(f.failed, 0);
	ck_assert_uint_gt(f.n_to_server, 4);
	fixture_done(&f);
}
END_TEST

/* A silent server: the handshake gives up after the configured retransmissions. */
START_TEST(t_timeout)
{
	struct fixture	f;

	fixture_init(&f, "secret-key");
	f.server_silent = 1;
	fixture_connect(&f, "secret-key");
	ck_assert_int_eq(f.connected, 0);
	ck_assert_int_eq(f.failed, 1);
	ck_assert_int_eq(f.failure, DTLS_FAIL_TIMEOUT);
	ck_assert_int_eq(dtls_get_state(f.client), DTLS_FAILED);
	/* ClientHello and its 3 retransmissions, nothing more. */
	ck_assert_uint_eq(f.n_to_server, 4);
	event_base_loop(f.base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(f.failed, 1);
	fixture_done(&f);
}
END_TEST

/* A wrong PSK never yields a connection and is reported once. */
START_TEST(t_wrong_psk)
{
	struct fixture	f;

	fixture_init(&f, "secret-key");
	fixture_connect(&f, "wrong-key");
	ck_assert_int_eq(f.connected, 0);
	ck_assert_int_eq(f.failed, 1);
	ck_assert(f.failure == DTLS_FAIL_HANDSHAKE ||
	    f.failure == DTLS_FAIL_TIMEOUT);
	fixture_done(&f);
}
END_TEST

/* The server's close_notify is reported as DTLS_FAIL_CLOSED. */
START_TEST(t_peer_close)
{
	struct fixture	f;

	fixture_init(&f, "secret-key");
	fixture_connect(&f, "secret-key");
	ck_assert_int_eq(f.connected, 1);
	wolfSSL_shutdown(f.sssl);
	pump(&f);
	ck_assert_int_eq(f.failed, 1);
	ck_assert_int_eq(f.failure, DTLS_FAIL_CLOSED);
	ck_assert_int_eq(dtls_get_state(f.client), DTLS_CLOSED);
	fixture_done(&f);
}
END_TEST

/* A server that lost the session answers in epoch 0; a new handshake recovers. */
START_TEST(t_peer_reset)
{
	static const uint8_t	 alert[] = {
		21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 2, 2, 40
	};
	struct fixture		 f;
	char			*cause = NULL;

	fixture_init(&f, "secret-key");
	fixture_connect(&f, "secret-key");
	ck_assert_int_eq(f.connected, 1);
	dtls_input(f.client, alert, sizeof alert);
	ck_assert_int_eq(f.failed, 1);
	ck_assert_int_eq(f.failure, DTLS_FAIL_PEER_RESET);
	ck_assert_int_eq(dtls_get_state(f.client), DTLS_FAILED);

	srv_new(&f);
	f.connected = 0;
	ck_assert_int_eq(dtls_rehandshake(f.client, &cause), 0);
	run(&f);
	ck_assert_int_eq(f.connected, 1);
	ck_assert_int_eq(f.failed, 1);
	ck_assert_int_eq(dtls_write(f.client, (const uint8_t *)"again", 5,
	    &cause), 0);
	pump(&f);
	ck_assert_mem_eq(f.sgot, "again", 5);
	fixture_done(&f);
}
END_TEST

/* Garbage and truncated records do not disturb an established association. */
START_TEST(t_garbage)
{
	struct fixture	f;
	uint8_t		junk[300];
	size_t		i;

	fixture_init(&f, "secret-key");
	fixture_connect(&f, "secret-key");
	ck_assert_int_eq(f.connected, 1);
	for (i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)(i * 7 + 3);
	for (i = 1; i < sizeof junk; i += 37)
		dtls_input(f.client, junk, i);
	junk[0] = 23;	/* application data, epoch 1, bogus MAC */
	junk[1] = 0xfe;
	junk[2] = 0xfd;
	junk[3] = 0;
	junk[4] = 1;
	junk[11] = 0;
	junk[12] = 40;
	dtls_input(f.client, junk, 53);
	ck_assert_int_eq(f.failed, 0);
	ck_assert_int_eq(dtls_get_state(f.client), DTLS_CONNECTED);
	ck_assert_int_eq(wolfSSL_write(f.sssl, "ok", 2), 2);
	pump(&f);
	ck_assert_mem_eq(f.got, "ok", 2);
	fixture_done(&f);
}
END_TEST

/*
 * The server's last flight arriving again after the handshake (it saw our final flight
 * twice) is a duplicate, not a failure; so are replays of its first flight.
 */
START_TEST(t_replayed_flight)
{
	struct fixture	f;
	unsigned int	i, n;

	fixture_init(&f, "secret-key");
	fixture_connect(&f, "secret-key");
	ck_assert_int_eq(f.connected, 1);
	n = f.to_client.tail;
	ck_assert_uint_ge(n, 3);
	for (i = 0; i < n; i++)
		dtls_input(f.client, f.to_client.buf[i % QLEN],
		    f.to_client.len[i % QLEN]);
	ck_assert_int_eq(f.failed, 0);
	ck_assert_int_eq(dtls_get_state(f.client), DTLS_CONNECTED);
	pump(&f);
	ck_assert_int_eq(wolfSSL_write(f.sssl, "still", 5), 5);
	pump(&f);
	ck_assert_mem_eq(f.got, "still", 5);
	ck_assert_int_eq(f.failed, 0);
	fixture_done(&f);
}
END_TEST

/* The owner may free the association from its data callback. */
START_TEST(t_free_in_callback)
{
	struct fixture	f;

	fixture_init(&f, "secret-key");
	fixture_connect(&f, "secret-key");
	ck_assert_int_eq(f.connected, 1);
	f.free_in_data = 1;
	ck_assert_int_eq(wolfSSL_write(f.sssl, "bye", 3), 3);
	ck_assert_int_eq(wolfSSL_write(f.sssl, "more", 4), 4);
	pump(&f);
	ck_assert_ptr_null(f.client);
	ck_assert_mem_eq(f.got, "bye", 3);
	fixture_done(&f);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("dtls");
	TCase	*tc = tcase_create("dtls");
	SRunner	*sr;
	int	 failed;

	log_open(LOG_TARGET_STDERR, LOG_WARNING, "check_dtls");
	tcase_add_test(tc, t_hkdf_rfc5869);
	tcase_add_test(tc, t_hkdf_endpoint);
	tcase_add_test(tc, t_params);
	tcase_add_test(tc, t_psk_handshake);
	tcase_add_test(tc, t_retransmit);
	tcase_add_test(tc, t_timeout);
	tcase_add_test(tc, t_wrong_psk);
	tcase_add_test(tc, t_peer_close);
	tcase_add_test(tc, t_peer_reset);
	tcase_add_test(tc, t_garbage);
	tcase_add_test(tc, t_replayed_flight);
	tcase_add_test(tc, t_free_in_callback);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
