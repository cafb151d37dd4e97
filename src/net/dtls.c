#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>

#include "dtls.h"
#include "dtls_int.h"
#include "log.h"
#include "xmalloc.h"

/* Largest plaintext a DTLS record carries (RFC 6347 4.1: 2^14). */
#define DTLS_PLAINTEXT_MAX	16384
/* wolfSSL's doubling budget: 2^20 s is far beyond any handshake we allow. */
#define DTLS_RETRANSMITS_MAX	20

struct dtls {
	struct dtls_ctx		*ctx;
	WOLFSSL_CTX		*ssl_ctx;	/* borrowed from ctx */
	WOLFSSL			*ssl;
	struct event		*timer;
	char			*name;
	struct dtls_ops		 ops;
	void			*arg;

	enum dtls_mode		 mode;
	uint8_t			*identity;
	size_t			 identity_len;
	uint8_t			*key;
	size_t			 key_len;
	uint8_t			*server_cert;
	size_t			 server_cert_len;
	char			*hostname;
	unsigned int		 hs_timeout_ms;
	unsigned int		 hs_timeout_max_ms;
	unsigned int		 hs_retransmits;

	enum dtls_state		 state;
	unsigned int		 retransmits;	/* of the current flight */
	int			 sent;		/* output during this wolfSSL call */
	int			 sent_new;	/* ... and it began a new flight */
	int			 seq_valid;
	unsigned int		 seq_max;	/* highest message_seq sent */
	int			 sent_kex;	/* ClientKeyExchange (and Finished) sent */
	const uint8_t		*in;		/* datagram for dtls_recv_cb */
	size_t			 in_len;
	const char		*verify_error;	/* why dtls_verify_cb refused */
	unsigned int		 generation;	/* bumped with each new WOLFSSL */
	int			 depth;		/* nesting of our entry points */
	int			 dead;		/* dtls_free() deferred */
};

static void	dtls_hs_timer(int, short, void *);

static const char *const dtls_state_names[] = {
	"idle", "handshaking", "connected", "closed", "failed"
};
static const char *const dtls_failure_names[] = {
	"handshake failed", "handshake timed out", "closed by peer",
	"fatal alert", "peer lost the session", "internal error"
};

const char *
dtls_state_name(enum dtls_state s)
{
	if ((size_t)s >= sizeof dtls_state_names / sizeof dtls_state_names[0])
		return ("unknown");
	return (dtls_state_names[s]);
}

const char *
dtls_failure_name(enum dtls_failure f)
{
	if ((size_t)f >= sizeof dtls_failure_names / sizeof dtls_failure_names[0])
		return ("unknown");
	return (dtls_failure_names[f]);
}

enum dtls_state
dtls_get_state(const struct dtls *d)
{
	return (d->state);
}

const char *
dtls_cipher(const struct dtls *d)
{
	if (d->state != DTLS_CONNECTED || d->ssl == NULL)
		return (NULL);
	return (wolfSSL_get_cipher_name(d->ssl));
}

static int
dtls_check_params(const struct dtls_params *p, char **cause)
{
	if (p->hs_retransmits > DTLS_RETRANSMITS_MAX) {
		xasprintf(cause, "at most %d handshake retransmissions",
		    DTLS_RETRANSMITS_MAX);
		return (-1);
	}
	if (p->hs_timeout_max_ms != 0 && p->hs_timeout_ms > p->hs_timeout_max_ms) {
		*cause = xstrdup("handshake timeout above its maximum");
		return (-1);
	}
	switch (p->mode) {
	case DTLS_MODE_PSK:
		if (p->identity == NULL || p->identity_len == 0 ||
		    p->identity_len > DTLS_PSK_IDENTITY_MAX) {
			xasprintf(cause, "PSK identity must be 1 to %d bytes",
			    DTLS_PSK_IDENTITY_MAX);
			return (-1);
		}
		if (memchr(p->identity, '\0', p->identity_len) != NULL) {
			*cause = xstrdup("PSK identity contains a NUL byte "
			    "(unsupported by wolfSSL)");
			return (-1);
		}
		if (p->key == NULL || p->key_len == 0 ||
		    p->key_len > DTLS_PSK_KEY_MAX) {
			xasprintf(cause, "PSK key must be 1 to %d bytes",
			    DTLS_PSK_KEY_MAX);
			return (-1);
		}
		if (p->server_cert != NULL || p->ca_file != NULL) {
			*cause = xstrdup("server certificate or CA file given in "
			    "PSK mode");
			return (-1);
		}
		return (0);
	case DTLS_MODE_X509:
		if (p->identity == NULL || p->identity_len == 0 ||
		    p->identity_len > INT_MAX) {
			*cause = xstrdup("X.509 mode needs a client certificate");
			return (-1);
		}
		if (p->key == NULL || p->key_len == 0 || p->key_len > INT_MAX) {
			*cause = xstrdup("X.509 mode needs a private key");
			return (-1);
		}
		if (p->server_cert == NULL && p->ca_file == NULL) {
			*cause = xstrdup("X.509 mode needs a server certificate "
			    "or a CA file");
			return (-1);
		}
		if (p->server_cert != NULL && p->server_cert_len == 0) {
			*cause = xstrdup("empty server certificate");
			return (-1);
		}
		if (p->hostname != NULL && p->server_cert != NULL) {
			*cause = xstrdup("hostname check needs CA verification, "
			    "not a pinned certificate");
			return (-1);
		}
		return (0);
	}
	*cause = xstrdup("unknown DTLS mode");
	return (-1);
}

/* A fresh WOLFSSL for one handshake, with this association's credentials. */
static int
dtls_new_ssl(struct dtls *d, char **cause)
{
	WOLFSSL	*ssl;
	int	 ret;

	if ((ssl = wolfSSL_new(d->ssl_ctx)) == NULL) {
		*cause = xstrdup("wolfSSL_new failed");
		return (-1);
	}
	wolfSSL_SetIOReadCtx(ssl, d);
	wolfSSL_SetIOWriteCtx(ssl, d);
	wolfSSL_SetCertCbCtx(ssl, d);
	wolfSSL_dtls_set_using_nonblock(ssl, 1);
	/*
	 * wolfSSL counts in whole seconds; it only keeps the doubling and the give-up count
	 * (init 1, max 2^n allows n retransmissions) while our timer supplies milliseconds.
	 */
	if (wolfSSL_dtls_set_timeout_max(ssl, 1 << d->hs_retransmits) !=
	    WOLFSSL_SUCCESS ||
	    wolfSSL_dtls_set_timeout_init(ssl, 1) != WOLFSSL_SUCCESS) {
		*cause = xstrdup("cannot set wolfSSL DTLS timeouts");
		goto fail;
	}
	if (d->mode == DTLS_MODE_X509) {
		ret = wolfSSL_use_certificate_buffer(ssl, d->identity,
		    (long)d->identity_len, WOLFSSL_FILETYPE_ASN1);
		if (ret != WOLFSSL_SUCCESS) {
			xasprintf(cause, "bad client certificate (wolfSSL "
			    "error %d)", ret);
			goto fail;
		}
		ret = wolfSSL_use_PrivateKey_buffer(ssl, d->key, (long)d->key_len,
		    WOLFSSL_FILETYPE_ASN1);
		if (ret != WOLFSSL_SUCCESS) {
			xasprintf(cause, "bad private key (wolfSSL error %d)",
			    ret);
			goto fail;
		}
		if (wolfSSL_check_private_key(ssl) != WOLFSSL_SUCCESS) {
			*cause = xstrdup("private key does not match the client "
			    "certificate");
			goto fail;
		}
		if (d->hostname != NULL &&
		    wolfSSL_check_domain_name(ssl, d->hostname) !=
		    WOLFSSL_SUCCESS) {
			*cause = xstrdup("cannot set the expected hostname");
			goto fail;
		}
	}
	d->ssl = ssl;
	d->in = NULL;	/* a datagram for the previous WOLFSSL is not for this one */
	d->in_len = 0;
	d->generation++;
	d->verify_error = NULL;
	d->retransmits = 0;
	d->seq_valid = 0;
	d->sent_kex = 0;
	return (0);

fail:
	wolfSSL_free(ssl);
	return (-1);
}

struct dtls *
dtls_create(struct dtls_ctx *ctx, const struct dtls_params *p,
    const char *log_name, const struct dtls_ops *ops, void *arg, char **cause)
{
	struct dtls	*d;
	WOLFSSL_CTX	*ssl_ctx;

	if (ctx == NULL || p == NULL || ops == NULL || ops->output == NULL) {
		*cause = xstrdup("DTLS needs a context, parameters and an output "
		    "function");
		return (NULL);
	}
	if (dtls_check_params(p, cause) != 0)
		return (NULL);
	if ((ssl_ctx = dtls_ctx_get(ctx, p, cause)) == NULL)
		return (NULL);

	d = xcalloc(1, sizeof *d);
	d->ctx = ctx;
	d->ssl_ctx = ssl_ctx;
	d->name = xstrdup(log_name != NULL ? log_name : "-");
	d->ops = *ops;
	d->arg = arg;
	d->mode = p->mode;
	d->identity = xmemdup(p->identity, p->identity_len);
	d->identity_len = p->identity_len;
	d->key = xmemdup(p->key, p->key_len);
	d->key_len = p->key_len;
	if (p->server_cert != NULL) {
		d->server_cert = xmemdup(p->server_cert, p->server_cert_len);
		d->server_cert_len = p->server_cert_len;
	}
	if (p->hostname != NULL)
		d->hostname = xstrdup(p->hostname);
	d->hs_timeout_ms = p->hs_timeout_ms ? p->hs_timeout_ms :
	    DTLS_HS_TIMEOUT_MS;
	d->hs_timeout_max_ms = p->hs_timeout_max_ms ? p->hs_timeout_max_ms :
	    DTLS_HS_TIMEOUT_MAX_MS;
	if (d->hs_timeout_max_ms < d->hs_timeout_ms)
		d->hs_timeout_max_ms = d->hs_timeout_ms;
	d->hs_retransmits = p->hs_retransmits ? p->hs_retransmits :
	    DTLS_HS_RETRANSMITS;
	d->state = DTLS_IDLE;
	d->timer = evtimer_new(dtls_ctx_base(ctx), dtls_hs_timer, d);
	if (d->timer == NULL)
		fatalx("evtimer_new failed");
	/* Build the WOLFSSL now so that bad credentials fail here, not later. */
	if (dtls_new_ssl(d, cause) != 0) {
		dtls_free(d);
		return (NULL);
	}
	return (d);
}

static void
dtls_destroy(struct dtls *d)
{
	if (d->timer != NULL)
		event_free(d->timer);
	if (d->ssl != NULL)
		wolfSSL_free(d->ssl);
	xexplicit_bzero(d->key, d->key_len);
	xexplicit_bzero(d->identity, d->identity_len);
	free(d->key);
	free(d->identity);
	free(d->server_cert);
	free(d->hostname);
	free(d->name);
	free(d);
}

void
dtls_free(struct dtls *d)
{
	if (d == NULL)
		return;
	if (d->depth > 0) {
		/* Called from one of our callbacks: free when the stack unwinds. */
		d->dead = 1;
		d->ops.output = NULL;
		evtimer_del(d->timer);
		return;
	}
	dtls_destroy(d);
}

static void
dtls_enter(struct dtls *d)
{
	d->depth++;
}

/* Leaves an entry point; returns 1 when the association was freed meanwhile. */
static int
dtls_leave(struct dtls *d)
{
	if (--d->depth == 0 && d->dead) {
		dtls_destroy(d);
		return (1);
	}
	return (0);
}

/* Puts wolfSSL's error (and the alert exchanged, if any) into words. */
static void
dtls_describe(struct dtls *d, int err, char *buf, size_t len)
{
	WOLFSSL_ALERT_HISTORY	h;
	char			es[WOLFSSL_MAX_ERROR_SZ];
	const char		*alert = NULL, *dir = "";

	memset(&h, 0, sizeof h);
	wolfSSL_get_alert_history(d->ssl, &h);
	if (h.last_rx.code != 0 || h.last_rx.level != 0) {
		alert = wolfSSL_alert_desc_string_long(h.last_rx.code);
		dir = "received";
	} else if (h.last_tx.code != 0 || h.last_tx.level != 0) {
		alert = wolfSSL_alert_desc_string_long(h.last_tx.code);
		dir = "sent";
	}
	wolfSSL_ERR_error_string_n((unsigned long)(err < 0 ? -err : err), es,
	    sizeof es);
	snprintf(buf, len, "%s (%d)%s%s%s%s%s%s", es, err,
	    alert != NULL ? ", " : "", alert != NULL ? dir : "",
	    alert != NULL ? " alert " : "", alert != NULL ? alert : "",
	    d->verify_error != NULL ? ", " : "",
	    d->verify_error != NULL ? d->verify_error : "");
}

/* The association is dead: stop, log once, tell the owner. */
static void
dtls_fail(struct dtls *d, enum dtls_failure f, const char *why)
{
	char		 buf[384];
	const char	*reason = why;

	if (f == DTLS_FAIL_TIMEOUT && d->sent_kex) {
		snprintf(buf, sizeof buf, "%s; the server never answered our "
		    "Finished (wrong key?)", why);
		reason = buf;
	}
	evtimer_del(d->timer);
	d->state = f == DTLS_FAIL_CLOSED ? DTLS_CLOSED : DTLS_FAILED;
	log_ep(LOG_NOTICE, d->name, "DTLS %s: %s", dtls_failure_name(f),
	    reason);
	if (d->ops.error != NULL && !d->dead)
		d->ops.error(d->arg, f, reason);
}

static void
dtls_arm_timer(struct dtls *d)
{
	struct timeval	tv;
	unsigned long	ms;

	ms = (unsigned long)d->hs_timeout_ms << d->retransmits;
	if (ms > d->hs_timeout_max_ms)
		ms = d->hs_timeout_max_ms;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(d->timer, &tv);
}

/* Hands every decrypted record waiting in wolfSSL to ops->data. */
static void
dtls_read(struct dtls *d)
{
	uint8_t		 buf[DTLS_PLAINTEXT_MAX];
	char		 reason[256];
	unsigned int	 gen = d->generation;
	int		 n, err;

	for (;;) {
		n = wolfSSL_read(d->ssl, buf, sizeof buf);
		if (n > 0) {
			if (d->ops.data != NULL)
				d->ops.data(d->arg, buf, (size_t)n);
			/* The callback may have closed, freed or restarted us. */
			if (d->dead || d->state != DTLS_CONNECTED ||
			    d->generation != gen)
				return;
			continue;
		}
		err = wolfSSL_get_error(d->ssl, n);
		if (err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE)
			return;
		if (err == WOLFSSL_ERROR_ZERO_RETURN) {
			dtls_fail(d, DTLS_FAIL_CLOSED, "peer sent close_notify");
			return;
		}
		dtls_describe(d, err, reason, sizeof reason);
		dtls_fail(d, DTLS_FAIL_ALERT, reason);
		return;
	}
}

/* One step of the non-blocking handshake. */
static void
dtls_handshake(struct dtls *d)
{
	char	reason[256];
	int	ret, err;

	d->sent = d->sent_new = 0;
	ret = wolfSSL_connect(d->ssl);
	if (ret == WOLFSSL_SUCCESS) {
		evtimer_del(d->timer);
		d->state = DTLS_CONNECTED;
		log_ep_info(d->name, "DTLS connected (%s)",
		    wolfSSL_get_cipher_name(d->ssl));
		if (d->ops.connected != NULL)
			d->ops.connected(d->arg);
		if (!d->dead && d->state == DTLS_CONNECTED)
			dtls_read(d);
		return;
	}
	err = wolfSSL_get_error(d->ssl, ret);
	if (err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE) {
		if (!d->sent)
			return;
		/*
		 * wolfSSL answers a repeated flight of the peer with its own: count that as
		 * a retransmission too, or two such peers bounce forever at wire speed.
		 */
		if (d->sent_new)
			d->retransmits = 0;
		else if (++d->retransmits > d->hs_retransmits) {
			snprintf(reason, sizeof reason, "handshake flight "
			    "retransmitted %u times (peer repeats its flight)",
			    d->retransmits - 1);
			dtls_fail(d, DTLS_FAIL_TIMEOUT, reason);
			return;
		}
		dtls_arm_timer(d);
		return;
	}
	dtls_describe(d, err, reason, sizeof reason);
	dtls_fail(d, DTLS_FAIL_HANDSHAKE, reason);
}

static void
dtls_hs_timer(int fd, short events, void *arg)
{
	struct dtls	*d = arg;
	char		 reason[128];

	if (d->state != DTLS_HANDSHAKING || d->dead)
		return;
	dtls_enter(d);
	if (d->retransmits >= d->hs_retransmits) {
		snprintf(reason, sizeof reason, "no answer after %u "
		    "retransmissions of a handshake flight", d->retransmits);
		dtls_fail(d, DTLS_FAIL_TIMEOUT, reason);
	} else {
		d->retransmits++;
		log_ep_debug(d->name, "DTLS handshake retransmission %u",
		    d->retransmits);
		if (wolfSSL_dtls_got_timeout(d->ssl) != WOLFSSL_SUCCESS) {
			snprintf(reason, sizeof reason, "wolfSSL gave up after "
			    "%u retransmissions", d->retransmits);
			dtls_fail(d, DTLS_FAIL_TIMEOUT, reason);
		} else
			dtls_arm_timer(d);
	}
	dtls_leave(d);
}

int
dtls_connect(struct dtls *d, char **cause)
{
	if (d->state != DTLS_IDLE) {
		xasprintf(cause, "DTLS association is %s, not idle",
		    dtls_state_name(d->state));
		return (-1);
	}
	d->state = DTLS_HANDSHAKING;
	log_ep_debug(d->name, "DTLS handshake starts");
	dtls_enter(d);
	dtls_handshake(d);
	dtls_leave(d);
	return (0);
}

int
dtls_rehandshake(struct dtls *d, char **cause)
{
	if (d->dead) {
		*cause = xstrdup("DTLS association is being freed");
		return (-1);
	}
	evtimer_del(d->timer);
	if (d->ssl != NULL) {
		wolfSSL_free(d->ssl);
		d->ssl = NULL;
	}
	d->state = DTLS_FAILED;
	if (dtls_new_ssl(d, cause) != 0)
		return (-1);
	d->state = DTLS_IDLE;
	return (dtls_connect(d, cause));
}

/*
 * After the handshake every record from the peer is protected (epoch >= 1). A fatal alert
 * or a HelloRequest in epoch 0 means the peer no longer has our keys: it restarted or
 * expired the session. Such records are unauthenticated; believing them costs at worst a
 * new handshake, which an on-path attacker can force anyway.
 */
static int
dtls_epoch0_reset(const uint8_t *buf, size_t len, char *reason, size_t rlen)
{
	size_t	off = 0, rec;

	while (len - off >= 13) {
		rec = (size_t)buf[off + 11] << 8 | buf[off + 12];
		if (rec > len - off - 13)
			return (0);
		if (buf[off + 3] == 0 && buf[off + 4] == 0 && rec >= 2) {
			if (buf[off] == 21 && buf[off + 13] == 2) {
				snprintf(reason, rlen, "unprotected fatal alert %s "
				    "after the handshake",
				    wolfSSL_alert_desc_string_long(buf[off + 14]));
				return (1);
			}
			if (buf[off] == 22 && buf[off + 13] == 0) {
				snprintf(reason, rlen, "HelloRequest in epoch 0 "
				    "after the handshake");
				return (1);
			}
		}
		off += 13 + rec;
	}
	return (0);
}

void
dtls_input(struct dtls *d, const uint8_t *buf, size_t len)
{
	char	reason[128];

	if (d->dead || len == 0)
		return;
	if (d->state != DTLS_HANDSHAKING && d->state != DTLS_CONNECTED) {
		log_ep_debug(d->name, "DTLS %s: dropped %zu-byte datagram",
		    dtls_state_name(d->state), len);
		return;
	}
	dtls_enter(d);
	if (d->state == DTLS_CONNECTED &&
	    dtls_epoch0_reset(buf, len, reason, sizeof reason)) {
		dtls_fail(d, DTLS_FAIL_PEER_RESET, reason);
		dtls_leave(d);
		return;
	}
	d->in = buf;
	d->in_len = len;
	if (d->state == DTLS_HANDSHAKING)
		dtls_handshake(d);
	else
		dtls_read(d);
	d->in = NULL;
	d->in_len = 0;
	dtls_leave(d);
}

int
dtls_write(struct dtls *d, const uint8_t *buf, size_t len, char **cause)
{
	char	reason[256];
	int	n, err;

	if (d->state != DTLS_CONNECTED || d->dead) {
		xasprintf(cause, "DTLS association is %s, not connected",
		    dtls_state_name(d->state));
		return (-1);
	}
	if (len == 0 || len > DTLS_PLAINTEXT_MAX) {
		xasprintf(cause, "cannot send %zu bytes in one DTLS record", len);
		return (-1);
	}
	dtls_enter(d);
	n = wolfSSL_write(d->ssl, buf, (int)len);
	if (n != (int)len) {
		err = wolfSSL_get_error(d->ssl, n);
		dtls_describe(d, err, reason, sizeof reason);
		xasprintf(cause, "DTLS write failed: %s", reason);
		dtls_leave(d);
		return (-1);
	}
	dtls_leave(d);
	return (0);
}

void
dtls_close(struct dtls *d)
{
	if (d->dead)
		return;
	evtimer_del(d->timer);
	if (d->state == DTLS_CONNECTED) {
		dtls_enter(d);
		/* Only sends close_notify: we never wait for the peer's. */
		wolfSSL_shutdown(d->ssl);
		dtls_leave(d);
	}
	if (d->state != DTLS_FAILED)
		d->state = DTLS_CLOSED;
}

int
dtls_recv_cb(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct dtls	*d = ctx;
	size_t		 n;

	if (d == NULL || d->in == NULL)
		return (WOLFSSL_CBIO_ERR_WANT_READ);
	n = d->in_len;
	if (sz < 0 || n > (size_t)sz) {
		/* Longer than any record wolfSSL accepts: drop it. */
		d->in = NULL;
		return (WOLFSSL_CBIO_ERR_WANT_READ);
	}
	memcpy(buf, d->in, n);
	d->in = NULL;
	d->in_len = 0;
	return ((int)n);
}

/*
 * Is this outgoing datagram part of a new flight or a retransmission? Handshake messages
 * in epoch 0 are in clear: a message_seq above all sent before means a new flight.
 */
static void
dtls_track_flight(struct dtls *d, const uint8_t *buf, size_t len)
{
	size_t		off = 0, rec;
	unsigned int	seq;

	while (len - off >= 13) {
		rec = (size_t)buf[off + 11] << 8 | buf[off + 12];
		if (rec > len - off - 13)
			return;
		if (buf[off] == 22 && buf[off + 3] == 0 && buf[off + 4] == 0 &&
		    rec >= 12) {
			seq = (unsigned int)buf[off + 13 + 4] << 8 |
			    buf[off + 13 + 5];
			if (buf[off + 13] == 16)	/* client_key_exchange */
				d->sent_kex = 1;
			if (!d->seq_valid || seq > d->seq_max) {
				d->seq_valid = 1;
				d->seq_max = seq;
				d->sent_new = 1;
			}
		}
		off += 13 + rec;
	}
}

int
dtls_send_cb(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct dtls	*d = ctx;

	if (d == NULL || sz < 0)
		return (WOLFSSL_CBIO_ERR_GENERAL);
	d->sent = 1;
	if (d->state == DTLS_HANDSHAKING)
		dtls_track_flight(d, (const uint8_t *)buf, (size_t)sz);
	if (d->ops.output != NULL)
		d->ops.output(d->arg, (const uint8_t *)buf, (size_t)sz);
	return (sz);
}

unsigned int
dtls_psk_cb(WOLFSSL *ssl, const char *hint, char *identity,
    unsigned int id_max_len, unsigned char *key, unsigned int key_max_len)
{
	struct dtls	*d = wolfSSL_GetIOReadCtx(ssl);

	/* The server's identity hint is ignored: LwM2M gives one identity per server. */
	if (d == NULL || d->mode != DTLS_MODE_PSK ||
	    d->identity_len > id_max_len || d->key_len > key_max_len)
		return (0);
	memcpy(identity, d->identity, d->identity_len);
	if (d->identity_len < id_max_len)
		identity[d->identity_len] = '\0';
	memcpy(key, d->key, d->key_len);
	return ((unsigned int)d->key_len);
}

/*
 * Pinned mode: the leaf must be byte for byte the configured server certificate; the chain
 * above it is not consulted (it usually is a self-signed certificate). CA mode: wolfSSL's
 * own verdict stands.
 */
int
dtls_verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
	struct dtls		*d = store->userCtx;
	const unsigned char	*der = NULL;
	int			 der_len = 0;

	if (d == NULL)
		return (0);
	if (d->server_cert == NULL) {
		if (!preverify)
			d->verify_error = "server certificate not trusted";
		return (preverify);
	}
	if (store->error_depth != 0)
		return (1);
	if (store->certs != NULL && store->totalCerts > 0) {
		der = store->certs[0].buffer;
		der_len = (int)store->certs[0].length;
	} else if (store->current_cert != NULL)
		der = wolfSSL_X509_get_der(store->current_cert, &der_len);
	if (der == NULL || der_len < 0 || (size_t)der_len != d->server_cert_len ||
	    memcmp(der, d->server_cert, d->server_cert_len) != 0) {
		d->verify_error = "server certificate does not match the pinned "
		    "one";
		return (0);
	}
	return (1);
}
