/*
 * cio contexts and peers: datagram input and its first checks (RFC 7252 §3, §4.2, §4.3),
 * duplicate detection (§4.5), the per-peer timer, and the default libevent clock.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include <coap3/coap.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/random.h>

#include "cio_int.h"
#include "log.h"
#include "lwm2m.h"
#include "xmalloc.h"

void
cio_params_default(struct cio_params *p)
{
	memset(p, 0, sizeof *p);
	p->ack_timeout_ms = 2000;
	p->ack_random_factor = 1.5;
	p->max_retransmit = 4;
	p->nstart = 1;
	p->max_message_size = 1152;
	p->block_size = 1024;
	p->dedup_size = 16;
	p->max_body_size = 65536;
	p->max_queue = 64;
}

const char *
cio_strerror(int error)
{
	switch (error) {
	case 0:
		return "ok";
	case -ETIMEDOUT:
		return "no reply (timed out)";
	case -ECONNRESET:
		return "reset by peer";
	case -EPROTO:
		return "protocol error in reply";
	case -ECANCELED:
		return "superseded";
	case -EMSGSIZE:
		return "message too large";
	default:
		return "unknown error";
	}
}

/* ---------------------------------------------------------------- default clock */

struct cio_evtimer {
	struct event	*ev;
	void		(*fire)(void *);
	void		*arg;
};

static uint64_t
cio_ev_now(void *arg)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
cio_ev_timer(evutil_socket_t fd, short what, void *arg)
{
	struct cio_evtimer	*t = arg;

	t->fire(t->arg);
}

static void *
cio_ev_timer_new(void *arg, void (*fire)(void *), void *fire_arg)
{
	struct event_base	*base = arg;
	struct cio_evtimer	*t;

	t = xcalloc(1, sizeof *t);
	t->fire = fire;
	t->arg = fire_arg;
	t->ev = evtimer_new(base, cio_ev_timer, t);
	if (t->ev == NULL)
		fatalx("evtimer_new failed");
	return t;
}

static void
cio_ev_timer_set(void *arg, void *timer, uint64_t delay)
{
	struct cio_evtimer	*t = timer;
	struct timeval		 tv;

	tv.tv_sec = (time_t)(delay / 1000);
	tv.tv_usec = (suseconds_t)(delay % 1000) * 1000;
	evtimer_add(t->ev, &tv);
}

static void
cio_ev_timer_clear(void *arg, void *timer)
{
	struct cio_evtimer	*t = timer;

	evtimer_del(t->ev);
}

static void
cio_ev_timer_free(void *arg, void *timer)
{
	struct cio_evtimer	*t = timer;

	if (t == NULL)
		return;
	event_free(t->ev);
	free(t);
}

static const struct cio_clock_ops cio_ev_clock = {
	.now = cio_ev_now,
	.timer_new = cio_ev_timer_new,
	.timer_set = cio_ev_timer_set,
	.timer_clear = cio_ev_timer_clear,
	.timer_free = cio_ev_timer_free,
};

/* ---------------------------------------------------------------- contexts */

static int
cio_params_check(struct cio_params *p, char **cause)
{
	size_t	bs;

	if (p->ack_timeout_ms == 0 || p->ack_random_factor < 1.0 ||
	    p->ack_random_factor > 10.0 || p->max_retransmit > 20 || p->nstart == 0) {
		*cause = xstrdup("bad CoAP transmission parameters");
		return -1;
	}
	for (bs = 16; bs < p->block_size && bs < 1024; bs <<= 1)
		;
	if (p->block_size < 16 || bs != p->block_size) {
		*cause = xstrdup("block size must be a power of two in 16..1024");
		return -1;
	}
	if (p->max_message_size < 64 || p->max_message_size > CIO_MAX_MESSAGE_SIZE) {
		xasprintf(cause, "max message size must be in 64..%d", CIO_MAX_MESSAGE_SIZE);
		return -1;
	}
	if (p->dedup_size == 0 || p->dedup_size > 4096 || p->max_queue == 0) {
		*cause = xstrdup("bad duplicate cache or queue size");
		return -1;
	}
	if (p->exchange_lifetime_ms == 0) {
		/* RFC 7252 §4.8.2: MAX_TRANSMIT_SPAN + 2 * MAX_LATENCY + PROCESSING_DELAY,
		 * MAX_LATENCY 100 s, PROCESSING_DELAY = ACK_TIMEOUT. */
		double span = p->ack_timeout_ms * ((double)(1u << p->max_retransmit) - 1) *
		    p->ack_random_factor;
		p->exchange_lifetime_ms = (uint32_t)(span + 200000.0 + p->ack_timeout_ms);
	}
	if (p->response_timeout_ms == 0)
		p->response_timeout_ms = p->exchange_lifetime_ms;
	return 0;
}

struct cio_ctx *
cio_ctx_create_clock(const struct cio_params *params, const struct cio_clock_ops *clock,
    void *clock_arg, char **cause)
{
	struct cio_ctx	*ctx;

	ctx = xcalloc(1, sizeof *ctx);
	if (params != NULL)
		ctx->params = *params;
	else
		cio_params_default(&ctx->params);
	if (cio_params_check(&ctx->params, cause) != 0) {
		free(ctx);
		return NULL;
	}
	ctx->clock = clock;
	ctx->clock_arg = clock_arg;
	coap_startup();
	coap_set_log_level(LOG_EMERG);
	ctx->pdu = coap_pdu_init(COAP_MESSAGE_CON, 0, 0, CIO_MAX_MESSAGE_SIZE);
	if (ctx->pdu == NULL)
		fatalx("coap_pdu_init failed");
	if (wc_InitRng(&ctx->rng) != 0) {
		coap_delete_pdu(ctx->pdu);
		free(ctx);
		*cause = xstrdup("cannot initialise the random generator");
		return NULL;
	}
	return ctx;
}

struct cio_ctx *
cio_ctx_create(const struct cio_params *params, struct event_base *base, char **cause)
{
	struct cio_ctx	*ctx;

	ctx = cio_ctx_create_clock(params, &cio_ev_clock, base, cause);
	if (ctx != NULL)
		ctx->base = base;
	return ctx;
}

void
cio_ctx_free(struct cio_ctx *ctx)
{
	if (ctx == NULL)
		return;
	wc_FreeRng(&ctx->rng);
	coap_delete_pdu(ctx->pdu);
	free(ctx);
}

const struct cio_params *
cio_ctx_params(struct cio_ctx *ctx)
{
	return &ctx->params;
}

/* Random bytes for tokens, Message IDs and timeouts: the DRBG is called once per
 * sizeof ctx->rnd bytes, not per message. */
int
cio_random(struct cio_ctx *ctx, void *buf, size_t len)
{
	if (len > sizeof ctx->rnd)
		return wc_RNG_GenerateBlock(&ctx->rng, buf, (word32)len) == 0 ? 0 : -1;
	if (ctx->rnd_left < len) {
		if (wc_RNG_GenerateBlock(&ctx->rng, ctx->rnd, sizeof ctx->rnd) != 0)
			return -1;
		ctx->rnd_left = sizeof ctx->rnd;
	}
	memcpy(buf, ctx->rnd + (sizeof ctx->rnd - ctx->rnd_left), len);
	ctx->rnd_left -= len;
	return 0;
}

/* ---------------------------------------------------------------- peers */

static void
cio_peer_fire(void *arg)
{
	cio_peer_timer(arg);
}

struct cio_peer *
cio_peer_create(struct cio_ctx *ctx, const char *name, cio_send_fn send, void *send_arg,
    const struct cio_peer_cbs *cbs, void *cb_arg)
{
	struct cio_peer	*peer;
	uint16_t	 mid;

	peer = xcalloc(1, sizeof *peer);
	peer->ctx = ctx;
	peer->name = xstrdup(name != NULL ? name : "peer");
	peer->send = send;
	peer->send_arg = send_arg;
	if (cbs != NULL)
		peer->cbs = *cbs;
	peer->cb_arg = cb_arg;
	TAILQ_INIT(&peer->queue);
	TAILQ_INIT(&peer->active);
	LIST_INIT(&peer->deferred);
	/* RFC 7252 §4.4: start Message IDs at a random value. */
	if (cio_random(ctx, &mid, sizeof mid) != 0)
		mid = (uint16_t)(uintptr_t)peer;
	peer->next_mid = mid;
	peer->next_id = 1;
	peer->timer = ctx->clock->timer_new(ctx->clock_arg, cio_peer_fire, peer);
	peer->timer_at = UINT64_MAX;
	return peer;
}

static void
cio_peer_destroy(struct cio_peer *peer)
{
	size_t	i;

	cio_xfer_free_all(peer);
	cio_server_free_all(peer);
	cio_block1_free(peer);
	if (peer->dedup != NULL) {
		for (i = 0; i < peer->ctx->params.dedup_size; i++)
			free(peer->dedup[i].buf);
		free(peer->dedup);
	}
	peer->ctx->clock->timer_free(peer->ctx->clock_arg, peer->timer);
	free(peer->name);
	free(peer);
}

void
cio_peer_free(struct cio_peer *peer)
{
	if (peer == NULL)
		return;
	if (peer->depth > 0) {
		peer->dead = true;
		return;
	}
	cio_peer_destroy(peer);
}

void
cio_enter(struct cio_peer *peer)
{
	peer->depth++;
}

/* Returns true when the peer was freed on the way out. */
bool
cio_leave(struct cio_peer *peer)
{
	/* Whatever completed on the way, queued messages may go now. */
	if (peer->depth == 1 && !peer->dead)
		cio_xfer_pump(peer);
	if (--peer->depth == 0 && peer->dead) {
		cio_peer_destroy(peer);
		return true;
	}
	if (!peer->dead)
		cio_schedule(peer);
	return false;
}

const struct cio_stats *
cio_peer_stats(struct cio_peer *peer)
{
	return &peer->stats;
}

size_t
cio_peer_pending(struct cio_peer *peer)
{
	struct cio_xfer	*x;
	size_t		 n = peer->nqueued;

	TAILQ_FOREACH(x, &peer->active, entry)
		n++;
	return n;
}

uint64_t
cio_now(struct cio_peer *peer)
{
	return peer->ctx->clock->now(peer->ctx->clock_arg);
}

uint16_t
cio_new_mid(struct cio_peer *peer)
{
	return peer->next_mid++;
}

void
cio_transmit(struct cio_peer *peer, const uint8_t *buf, size_t len)
{
	peer->stats.tx++;
	if (peer->send(peer->send_arg, buf, len) != 0)
		log_debug("%s: send failed", peer->name);
}

/* Arm the peer's timer at its earliest deadline. */
void
cio_schedule(struct cio_peer *peer)
{
	const struct cio_clock_ops	*c = peer->ctx->clock;
	uint64_t			 at, now;

	at = cio_xfer_deadline(peer);
	if (at == peer->timer_at)
		return;
	peer->timer_at = at;
	if (at == UINT64_MAX) {
		c->timer_clear(peer->ctx->clock_arg, peer->timer);
		return;
	}
	now = cio_now(peer);
	c->timer_set(peer->ctx->clock_arg, peer->timer, at > now ? at - now : 0);
}

void
cio_peer_timer(struct cio_peer *peer)
{
	cio_enter(peer);
	peer->timer_at = UINT64_MAX;
	cio_xfer_timer(peer, cio_now(peer));
	if (!peer->dead)
		cio_xfer_pump(peer);
	cio_leave(peer);
}

/* ---------------------------------------------------------------- duplicate cache */

static struct cio_dedup *
cio_dedup_find(struct cio_peer *peer, uint16_t mid, uint64_t now)
{
	struct cio_dedup	*d;
	size_t			 i;

	if (peer->dedup == NULL)
		return NULL;
	for (i = 0; i < peer->ctx->params.dedup_size; i++) {
		d = &peer->dedup[i];
		if (d->state != CIO_DEDUP_FREE && d->mid == mid &&
		    (d->state == CIO_DEDUP_PENDING || d->expires > now))
			return d;
	}
	return NULL;
}

/* A slot for a new Message ID: a free or expired one, else the oldest finished one. */
static struct cio_dedup *
cio_dedup_insert(struct cio_peer *peer, uint16_t mid, uint64_t now)
{
	struct cio_dedup	*d, *best = NULL;
	size_t			 i;

	if (peer->dedup == NULL)
		peer->dedup = xcalloc(peer->ctx->params.dedup_size, sizeof *peer->dedup);
	for (i = 0; i < peer->ctx->params.dedup_size; i++) {
		d = &peer->dedup[i];
		if (d->state == CIO_DEDUP_FREE ||
		    (d->state == CIO_DEDUP_DONE && d->expires <= now)) {
			best = d;
			break;
		}
		if (d->state == CIO_DEDUP_DONE &&
		    (best == NULL || d->expires < best->expires))
			best = d;
	}
	if (best == NULL)
		return NULL;
	best->state = CIO_DEDUP_PENDING;
	best->mid = mid;
	best->len = 0;
	best->expires = now + peer->ctx->params.exchange_lifetime_ms;
	return best;
}

/* Send a reply to a CON/NON message and remember it for its duplicates. */
void
cio_reply(struct cio_peer *peer, struct cio_dedup *d, const uint8_t *buf, size_t len)
{
	if (len > 0)
		cio_transmit(peer, buf, len);
	if (d == NULL)
		return;
	if (len > d->cap) {
		d->buf = xrealloc(d->buf, len);
		d->cap = (uint16_t)len;
	}
	if (len > 0)
		memcpy(d->buf, buf, len);
	d->len = (uint16_t)len;
	d->state = CIO_DEDUP_DONE;
	d->expires = cio_now(peer) + peer->ctx->params.exchange_lifetime_ms;
}

/* ---------------------------------------------------------------- input */

void
cio_reject(struct cio_peer *peer, const struct cio_hdr *h, struct cio_dedup *d)
{
	uint8_t	rst[4];

	peer->stats.rst_sent++;
	cio_reply(peer, d, rst, cio_pdu_empty(rst, CIO_RST, h->mid));
}

/* A datagram larger than max_message_size: 4.13 to a CON request (RFC 7959 §2.9.3), RST to
 * any other CON. */
static void
cio_input_too_large(struct cio_peer *peer, const struct cio_hdr *h, const uint8_t *data,
    size_t len)
{
	if (h->type != CIO_CON)
		return;
	if (LWM2M_CODE_CLASS(h->code) == 0 && h->code != 0 && h->tkl <= CIO_TOKEN_MAX &&
	    len >= 4 + (size_t)h->tkl) {
		cio_server_error(peer, h, data + 4, h->tkl, NULL, LWM2M_CODE(4, 13),
		    (int64_t)peer->ctx->params.max_body_size);
		return;
	}
	cio_reject(peer, h, NULL);
}

static void
cio_malformed(struct cio_peer *peer, const char *why, size_t len)
{
	peer->stats.malformed++;
	log_debug("%s: dropped %zu-byte datagram: %s", peer->name, len, why);
}

void
cio_peer_input(struct cio_peer *peer, const uint8_t *data, size_t len)
{
	struct cio_rx		 rx;
	struct cio_hdr		 h;
	struct cio_dedup	*d = NULL;
	uint64_t		 now;
	uint8_t			 cls;
	enum cio_parse		 res;

	if (peer->dead)
		return;
	cio_enter(peer);
	peer->stats.rx++;
	if (cio_pdu_header(data, len, &h) != 0 || h.version != 1) {
		/* RFC 7252 §3: silently ignored. */
		cio_malformed(peer, "not a CoAP header", len);
		goto out;
	}
	if (len > peer->ctx->params.max_message_size) {
		cio_malformed(peer, "larger than the message size", len);
		cio_input_too_large(peer, &h, data, len);
		goto out;
	}
	cls = LWM2M_CODE_CLASS(h.code);
	if (h.tkl > CIO_TOKEN_MAX || cls == 1 || cls == 6 || cls == 7 ||
	    (h.code == CIO_CODE_EMPTY && (h.tkl != 0 || len != 4)) ||
	    (h.type == CIO_RST && h.code != CIO_CODE_EMPTY) ||
	    (h.type == CIO_ACK && cls == 0 && h.code != CIO_CODE_EMPTY)) {
		/* Message format errors (§3, §4.2, §4.3): reject a CON, ignore the rest. */
		cio_malformed(peer, "message format error", len);
		if (h.type == CIO_CON)
			cio_reject(peer, &h, NULL);
		goto out;
	}
	if (h.code == CIO_CODE_EMPTY) {
		switch (h.type) {
		case CIO_CON:
			/* "CoAP ping" (§4.3). */
			cio_reject(peer, &h, NULL);
			break;
		case CIO_ACK:
		case CIO_RST:
			cio_xfer_match_ack(peer, h.type, h.mid);
			break;
		}
		goto out;
	}
	now = cio_now(peer);
	if (h.type == CIO_CON || h.type == CIO_NON) {
		if ((d = cio_dedup_find(peer, h.mid, now)) != NULL) {
			peer->stats.duplicates++;
			if (h.type == CIO_CON && d->state == CIO_DEDUP_DONE && d->len > 0)
				cio_transmit(peer, d->buf, d->len);
			goto out;
		}
	}
	res = cio_pdu_parse(peer->ctx, data, len, &rx, cls == 0);
	rx.res = res;
	if (res == CIO_PARSE_FORMAT) {
		cio_malformed(peer, "message format error (options)", len);
		if (h.type == CIO_CON)
			cio_reject(peer, &h, cio_dedup_insert(peer, h.mid, now));
		goto out;
	}
	if (h.type == CIO_CON || h.type == CIO_NON)
		d = cio_dedup_insert(peer, h.mid, now);
	if (cls == 0) {
		if (h.type == CIO_CON || h.type == CIO_NON) {
			if (res != CIO_PARSE_OK)
				peer->stats.malformed++;
			cio_server_input(peer, &h, &rx, d);
		}
	} else
		cio_xfer_input(peer, &h, &rx, d);
	if (d != NULL && d->state == CIO_DEDUP_PENDING && !peer->dead) {
		/* Nothing was sent (a NON, or a response already handled). */
		d->state = CIO_DEDUP_DONE;
		d->len = 0;
	}
out:
	cio_leave(peer);
}
