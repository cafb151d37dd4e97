/*
 * Tracked outgoing messages (RFC 7252 §4.2, §4.7, §5.3.2; RFC 7959 §2.5; RFC 7641 §4.5):
 * requests, confirmable notifications and separate responses. They wait in a FIFO for an
 * NSTART slot, are retransmitted with exponential back-off until acknowledged, and requests
 * are matched with their response by token. Block1 requests go out one block per exchange.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cio_int.h"
#include "log.h"
#include "lwm2m.h"
#include "xmalloc.h"

static size_t
cio_xfer_strs_size(const char *const *s, size_t n)
{
	size_t	i, len = 0;

	for (i = 0; i < n; i++)
		len += strlen(s[i]) + 1;
	return len;
}

static uint8_t *
cio_xfer_strs_copy(uint8_t *p, const char **dst, const char *const *src, size_t n)
{
	size_t	i, len;

	for (i = 0; i < n; i++) {
		len = strlen(src[i]) + 1;
		memcpy(p, src[i], len);
		dst[i] = (const char *)p;
		p += len;
	}
	return p;
}

/* A deep copy of m in one allocation. */
static struct cio_xfer *
cio_xfer_new(struct cio_peer *peer, enum cio_xfer_kind kind, const struct cio_msg *m,
    cio_response_fn cb, void *arg)
{
	struct cio_xfer	*x;
	size_t		 len;
	uint8_t		*p;

	len = cio_xfer_strs_size(m->path, m->npath) +
	    cio_xfer_strs_size(m->query, m->nquery) +
	    cio_xfer_strs_size(m->location, m->nlocation) + m->payload_len;
	x = xcalloc(1, sizeof *x + len);
	x->msg = *m;
	p = x->blob;
	p = cio_xfer_strs_copy(p, x->msg.path, m->path, m->npath);
	p = cio_xfer_strs_copy(p, x->msg.query, m->query, m->nquery);
	p = cio_xfer_strs_copy(p, x->msg.location, m->location, m->nlocation);
	if (m->payload_len > 0) {
		memcpy(p, m->payload, m->payload_len);
		x->msg.payload = p;
	} else
		x->msg.payload = NULL;
	x->body_len = m->payload_len;
	x->id = peer->next_id++;
	x->kind = kind;
	x->state = CIO_XFER_QUEUED;
	x->cb = cb;
	x->cb_arg = arg;
	return x;
}

/* Encode the message in flight (the current block of a Block1 request). */
static ssize_t
cio_xfer_encode(const struct cio_xfer *x, uint8_t *buf, size_t cap)
{
	struct cio_msg	m = x->msg;
	size_t		bs;

	if (x->b1) {
		bs = CIO_BLOCK_SIZE(x->b1_szx);
		m.block1.set = true;
		m.block1.szx = x->b1_szx;
		m.block1.num = (uint32_t)(x->body_off / bs);
		m.block1.more = x->body_off + bs < x->body_len;
		m.payload = x->msg.payload + x->body_off;
		m.payload_len = x->body_len - x->body_off;
		if (m.payload_len > bs)
			m.payload_len = bs;
		if (x->body_off == 0)
			m.size1 = (int64_t)x->body_len;
	}
	return cio_pdu_encode(&m, buf, cap);
}

static void
cio_xfer_release(struct cio_peer *peer, struct cio_xfer *x)
{
	if (x->nstart) {
		x->nstart = false;
		peer->nstart_used--;
	}
}

static void
cio_xfer_unlink(struct cio_peer *peer, struct cio_xfer *x)
{
	if (x->state == CIO_XFER_QUEUED) {
		TAILQ_REMOVE(&peer->queue, x, entry);
		peer->nqueued--;
	} else
		TAILQ_REMOVE(&peer->active, x, entry);
	cio_xfer_release(peer, x);
}

/* Complete x: unlink, call back, free. The callback may free the peer. */
static void
cio_xfer_finish(struct cio_peer *peer, struct cio_xfer *x, int error,
    const struct cio_msg *rsp)
{
	cio_xfer_unlink(peer, x);
	if (x->cb != NULL)
		x->cb(x->cb_arg, error, rsp);
	free(x);
}

void
cio_xfer_free_all(struct cio_peer *peer)
{
	struct cio_xfer	*x;

	while ((x = TAILQ_FIRST(&peer->queue)) != NULL) {
		cio_xfer_unlink(peer, x);
		free(x);
	}
	while ((x = TAILQ_FIRST(&peer->active)) != NULL) {
		cio_xfer_unlink(peer, x);
		free(x);
	}
}

/* Initial retransmission timeout: random in [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR]. */
static uint64_t
cio_xfer_initial_timeout(struct cio_peer *peer)
{
	const struct cio_params	*p = &peer->ctx->params;
	uint32_t		 r;
	double			 span;

	if (cio_random(peer->ctx, &r, sizeof r) != 0)
		r = 0;
	span = (double)p->ack_timeout_ms * (p->ack_random_factor - 1.0);
	return p->ack_timeout_ms + (uint64_t)(span * ((double)r / (double)UINT32_MAX));
}

static void
cio_xfer_start(struct cio_peer *peer, struct cio_xfer *x)
{
	const struct cio_params	*p = &peer->ctx->params;
	uint8_t			 buf[CIO_MAX_MESSAGE_SIZE];
	ssize_t			 len;
	uint64_t		 now = cio_now(peer);

	x->msg.mid = cio_new_mid(peer);
	x->sent_at = now;
	x->nstart = true;
	peer->nstart_used++;
	TAILQ_INSERT_TAIL(&peer->active, x, entry);
	if (x->msg.type == CIO_CON) {
		x->state = CIO_XFER_WAIT_ACK;
		x->retries = 0;
		x->timeout = cio_xfer_initial_timeout(peer);
		x->deadline = now + x->timeout;
	} else {
		/* A NON request holds its NSTART slot for one ACK_TIMEOUT (RFC 7252 §4.7
		 * leaves the rate to us), then waits for its response without it. */
		x->state = CIO_XFER_WAIT_RSP;
		x->deadline = now + p->ack_timeout_ms;
	}
	len = cio_xfer_encode(x, buf, p->max_message_size);
	if (len < 0) {
		log_debug("%s: message does not fit %zu bytes", peer->name,
		    p->max_message_size);
		cio_xfer_finish(peer, x, -EMSGSIZE, NULL);
		return;
	}
	cio_transmit(peer, buf, (size_t)len);
}

/* Start queued messages while NSTART allows. */
void
cio_xfer_pump(struct cio_peer *peer)
{
	struct cio_xfer	*x;

	while (!peer->dead && peer->nstart_used < peer->ctx->params.nstart &&
	    (x = TAILQ_FIRST(&peer->queue)) != NULL) {
		TAILQ_REMOVE(&peer->queue, x, entry);
		peer->nqueued--;
		cio_xfer_start(peer, x);
	}
}

/* Put x back at the head of the queue (next Block1 block). */
static void
cio_xfer_requeue(struct cio_peer *peer, struct cio_xfer *x)
{
	TAILQ_REMOVE(&peer->active, x, entry);
	cio_xfer_release(peer, x);
	x->state = CIO_XFER_QUEUED;
	TAILQ_INSERT_HEAD(&peer->queue, x, entry);
	peer->nqueued++;
}

uint64_t
cio_xfer_deadline(struct cio_peer *peer)
{
	struct cio_xfer	*x;
	uint64_t	 at = UINT64_MAX;

	TAILQ_FOREACH(x, &peer->active, entry) {
		if (x->deadline < at)
			at = x->deadline;
	}
	return at;
}

static void
cio_xfer_lost(struct cio_peer *peer, struct cio_xfer *x, int error)
{
	uint8_t	token[CIO_TOKEN_MAX];
	size_t	tkl = x->msg.token_len;
	bool	notify = x->kind == CIO_XFER_NOTIFY ||
	    (x->kind == CIO_XFER_SEPARATE && x->msg.observe >= 0);

	memcpy(token, x->msg.token, tkl);
	/*
	 * The observation ends before the notification's own callback runs: that one
	 * may send the next notification queued for the same observation (SV-2 flush),
	 * which must not go out after the RST that ended it.
	 */
	if (notify && !peer->dead && peer->cbs.observe_lost != NULL)
		peer->cbs.observe_lost(peer->cb_arg, token, tkl, error);
	cio_xfer_finish(peer, x, error, NULL);
}

void
cio_xfer_timer(struct cio_peer *peer, uint64_t now)
{
	const struct cio_params	*p = &peer->ctx->params;
	struct cio_xfer		*x;
	uint8_t			 buf[CIO_MAX_MESSAGE_SIZE];
	ssize_t			 len;

	while (!peer->dead) {
		TAILQ_FOREACH(x, &peer->active, entry) {
			if (x->deadline <= now)
				break;
		}
		if (x == NULL)
			break;
		if (x->state == CIO_XFER_WAIT_ACK) {
			if (x->retries < p->max_retransmit) {
				x->retries++;
				x->timeout *= 2;
				x->deadline = now + x->timeout;
				peer->stats.retransmitted++;
				len = cio_xfer_encode(x, buf, p->max_message_size);
				if (len > 0)
					cio_transmit(peer, buf, (size_t)len);
				continue;
			}
			peer->stats.timeouts++;
			log_debug("%s: no acknowledgement after %u retransmissions",
			    peer->name, x->retries);
			cio_xfer_lost(peer, x, -ETIMEDOUT);
		} else if (x->nstart) {
			cio_xfer_release(peer, x);
			x->deadline = x->sent_at + p->response_timeout_ms;
		} else {
			peer->stats.timeouts++;
			cio_xfer_finish(peer, x, -ETIMEDOUT, NULL);
		}
	}
}

static struct cio_xfer *
cio_xfer_find_mid(struct cio_peer *peer, uint16_t mid, bool wait_ack)
{
	struct cio_xfer	*x;

	TAILQ_FOREACH(x, &peer->active, entry) {
		if (x->msg.mid == mid && (!wait_ack || x->state == CIO_XFER_WAIT_ACK))
			return x;
	}
	return NULL;
}

/* An empty ACK or a RST. Returns whether it matched something. */
bool
cio_xfer_match_ack(struct cio_peer *peer, uint8_t type, uint16_t mid)
{
	struct cio_xfer		*x;
	struct cio_nonote	*n;
	size_t			 i;

	if (type == CIO_ACK) {
		if ((x = cio_xfer_find_mid(peer, mid, true)) == NULL)
			return false;
		if (x->kind == CIO_XFER_REQUEST) {
			/* Separate response follows (§5.2.2). */
			x->state = CIO_XFER_WAIT_RSP;
			cio_xfer_release(peer, x);
			x->deadline = cio_now(peer) + peer->ctx->params.response_timeout_ms;
		} else
			cio_xfer_finish(peer, x, 0, NULL);
		cio_xfer_pump(peer);
		return true;
	}

	peer->stats.rst_received++;
	if ((x = cio_xfer_find_mid(peer, mid, false)) != NULL) {
		cio_xfer_lost(peer, x, -ECONNRESET);
		cio_xfer_pump(peer);
		return true;
	}
	for (i = 0; i < CIO_NON_RING; i++) {
		n = &peer->nonotes[i];
		if (n->used && n->mid == mid) {
			n->used = false;
			if (peer->cbs.observe_lost != NULL)
				peer->cbs.observe_lost(peer->cb_arg, n->token, n->token_len,
				    -ECONNRESET);
			return true;
		}
	}
	return false;
}

static struct cio_xfer *
cio_xfer_find_token(struct cio_peer *peer, const struct cio_msg *m)
{
	struct cio_xfer	*x;

	TAILQ_FOREACH(x, &peer->active, entry) {
		if (x->kind == CIO_XFER_REQUEST && x->msg.token_len == m->token_len &&
		    memcmp(x->msg.token, m->token, m->token_len) == 0)
			return x;
	}
	return NULL;
}

/* A 2.31 Continue or a 4.13 to a Block1 request: returns true if the transfer goes on. */
static bool
cio_xfer_block1_next(struct cio_peer *peer, struct cio_xfer *x, const struct cio_msg *m)
{
	size_t	bs;

	if (m->code == LWM2M_CONTINUE && x->b1 && m->block1.set) {
		bs = CIO_BLOCK_SIZE(x->b1_szx);
		if (m->block1.num != x->body_off / bs || x->body_off + bs >= x->body_len)
			return false;
		x->body_off += bs;
		/* The server may ask for smaller blocks (RFC 7959 §2.5). */
		if (m->block1.szx < x->b1_szx)
			x->b1_szx = m->block1.szx;
		cio_xfer_requeue(peer, x);
		return true;
	}
	if (m->code == LWM2M_CODE(4, 13) && m->block1.set && m->block1.szx < 7 &&
	    (!x->b1 || m->block1.szx < x->b1_szx) &&
	    x->body_len > CIO_BLOCK_SIZE(m->block1.szx)) {
		/* Too large: start over with the block size the server prefers. */
		x->b1 = true;
		x->b1_szx = m->block1.szx;
		x->body_off = 0;
		cio_xfer_requeue(peer, x);
		return true;
	}
	return false;
}

/* A response (piggybacked, or separate CON/NON). */
void
cio_xfer_input(struct cio_peer *peer, const struct cio_hdr *h, struct cio_rx *rx,
    struct cio_dedup *d)
{
	struct cio_msg	*m = &rx->msg;
	struct cio_xfer	*x;
	uint8_t		 ack[4];

	if (h->type == CIO_ACK) {
		x = cio_xfer_find_mid(peer, h->mid, true);
		if (x == NULL || x->kind != CIO_XFER_REQUEST ||
		    x->msg.token_len != m->token_len ||
		    memcmp(x->msg.token, m->token, m->token_len) != 0) {
			/* An ACK for a notification carrying a code, or stale. */
			if (x != NULL && x->kind != CIO_XFER_REQUEST)
				cio_xfer_finish(peer, x, 0, NULL);
			return;
		}
	} else {
		x = cio_xfer_find_token(peer, m);
		if (x == NULL || rx->res == CIO_PARSE_BAD_OPTION) {
			/* §5.3.2 / §5.4.1: reject what we cannot use. */
			if (h->type == CIO_CON)
				cio_reject(peer, h, d);
			if (x == NULL)
				return;
		} else if (h->type == CIO_CON)
			cio_reply(peer, d, ack, cio_pdu_empty(ack, CIO_ACK, h->mid));
	}
	if (rx->res == CIO_PARSE_BAD_OPTION) {
		cio_xfer_finish(peer, x, -EPROTO, NULL);
		return;
	}
	if (cio_xfer_block1_next(peer, x, m)) {
		cio_xfer_pump(peer);
		return;
	}
	if (x->b1 && m->code == LWM2M_CONTINUE) {
		cio_xfer_finish(peer, x, -EPROTO, NULL);
		return;
	}
	cio_xfer_finish(peer, x, 0, m);
	if (!peer->dead)
		cio_xfer_pump(peer);
}

/* Queue x; the NSTART pump sends it when a slot is free. */
static void
cio_xfer_enqueue(struct cio_peer *peer, struct cio_xfer *x)
{
	TAILQ_INSERT_TAIL(&peer->queue, x, entry);
	peer->nqueued++;
	cio_xfer_pump(peer);
}

int
cio_request(struct cio_peer *peer, const struct cio_msg *req, cio_response_fn cb, void *arg,
    uint64_t *id, char **cause)
{
	const struct cio_params	*p = &peer->ctx->params;
	struct cio_msg		 m = *req;
	struct cio_xfer		*x;
	uint8_t			 buf[CIO_MAX_MESSAGE_SIZE];
	ssize_t			 hlen;
	uint8_t			 szx;

	if (peer->dead || peer->nqueued >= p->max_queue) {
		*cause = xstrdup("too many CoAP messages queued for this peer");
		return -1;
	}
	m.type = req->type == CIO_NON ? CIO_NON : CIO_CON;
	m.token_len = CIO_TOKEN_LEN;
	if (cio_random(peer->ctx, m.token, CIO_TOKEN_LEN) != 0) {
		*cause = xstrdup("random generator failed");
		return -1;
	}
	m.block1.set = false;
	m.payload_len = 0;
	/* Size of everything but the payload, with room for Block1 (3) and Size1 (5). */
	hlen = cio_pdu_encode(&m, buf, p->max_message_size);
	if (hlen < 0 || (size_t)hlen + 9 + 16 > p->max_message_size) {
		*cause = xstrdup("CoAP request options do not fit a message");
		return -1;
	}
	m.payload = req->payload;
	m.payload_len = req->payload_len;
	x = cio_xfer_new(peer, CIO_XFER_REQUEST, &m, cb, arg);
	if ((size_t)hlen + 1 + m.payload_len > p->max_message_size ||
	    m.payload_len > p->block_size) {
		x->b1 = true;
		szx = cio_block_szx(p->block_size);
		while (szx > 0 && (size_t)hlen + 9 + CIO_BLOCK_SIZE(szx) > p->max_message_size)
			szx--;
		x->b1_szx = szx;
	}
	if (id != NULL)
		*id = x->id;
	cio_enter(peer);
	cio_xfer_enqueue(peer, x);
	cio_leave(peer);
	return 0;
}

int
cio_cancel(struct cio_peer *peer, uint64_t id)
{
	struct cio_xfer	*x;

	TAILQ_FOREACH(x, &peer->queue, entry) {
		if (x->id == id)
			goto found;
	}
	TAILQ_FOREACH(x, &peer->active, entry) {
		if (x->id == id)
			goto found;
	}
	return -1;
found:
	cio_enter(peer);
	cio_xfer_unlink(peer, x);
	free(x);
	cio_xfer_pump(peer);
	cio_leave(peer);
	return 0;
}

int
cio_request_retries(struct cio_peer *peer, uint64_t id)
{
	struct cio_xfer	*x;

	TAILQ_FOREACH(x, &peer->active, entry) {
		if (x->id == id)
			return (int)x->retries;
	}
	TAILQ_FOREACH(x, &peer->queue, entry) {
		if (x->id == id)
			return 0;
	}
	return -1;
}

int
cio_xfer_separate(struct cio_peer *peer, const struct cio_msg *m)
{
	struct cio_xfer	*x;

	x = cio_xfer_new(peer, CIO_XFER_SEPARATE, m, NULL, NULL);
	x->msg.type = CIO_CON;
	cio_xfer_enqueue(peer, x);
	return 0;
}

/* Remember a NON notification so that a RST to its MID finds the observation. */
void
cio_xfer_nonote(struct cio_peer *peer, const struct cio_msg *m)
{
	struct cio_nonote	*n;

	n = &peer->nonotes[peer->nonote_next++ % CIO_NON_RING];
	n->used = true;
	n->mid = m->mid;
	n->token_len = m->token_len;
	memcpy(n->token, m->token, m->token_len);
}

int
cio_notify(struct cio_peer *peer, const struct cio_msg *msg, cio_response_fn cb, void *arg,
    char **cause)
{
	const struct cio_params	*p = &peer->ctx->params;
	struct cio_msg		 m = *msg;
	struct cio_xfer		*x, *old;
	uint8_t			 buf[CIO_MAX_MESSAGE_SIZE];
	ssize_t			 len;

	if (peer->dead || m.token_len > CIO_TOKEN_MAX) {
		*cause = xstrdup("bad notification");
		return -1;
	}
	if (m.observe >= 0)
		m.observe &= 0xffffff;
	if (cio_block2_slice(peer, NULL, &m) != 0) {
		*cause = xstrdup("cannot slice notification");
		return -1;
	}
	if (m.type != CIO_CON) {
		m.type = CIO_NON;
		m.mid = cio_new_mid(peer);
		if ((len = cio_pdu_encode(&m, buf, p->max_message_size)) < 0) {
			*cause = xstrdup("notification does not fit a message");
			return -1;
		}
		cio_xfer_nonote(peer, &m);
		cio_transmit(peer, buf, (size_t)len);
		return 0;
	}
	if (cio_pdu_encode(&m, buf, p->max_message_size) < 0) {
		*cause = xstrdup("notification does not fit a message");
		return -1;
	}
	cio_enter(peer);
	/* A newer notification replaces one still waiting for NSTART (RFC 7641 §4.5.2). */
	TAILQ_FOREACH(old, &peer->queue, entry) {
		if (old->kind == CIO_XFER_NOTIFY && old->msg.token_len == m.token_len &&
		    memcmp(old->msg.token, m.token, m.token_len) == 0)
			break;
	}
	if (old != NULL)
		cio_xfer_finish(peer, old, -ECANCELED, NULL);
	if (peer->dead || peer->nqueued >= p->max_queue) {
		cio_leave(peer);
		*cause = xstrdup("too many CoAP messages queued for this peer");
		return -1;
	}
	x = cio_xfer_new(peer, CIO_XFER_NOTIFY, &m, cb, arg);
	cio_xfer_enqueue(peer, x);
	cio_leave(peer);
	return 0;
}
