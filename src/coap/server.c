/*
 * Server role: incoming requests go to the peer's handler as exchanges, answered at once
 * (piggybacked on the ACK, RFC 7252 §5.2.1) or deferred (empty ACK now, separate CON later,
 * §5.2.2). Replies to CON requests are kept in the duplicate cache for replay.
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

/* Wrap m as the reply to ex (type, MID, token) and send it. */
static int
cio_server_send(struct cio_exchange *ex, struct cio_msg *m)
{
	struct cio_peer		*peer = ex->peer;
	struct cio_dedup	*d = ex->dedup;
	uint8_t			 buf[CIO_MAX_MESSAGE_SIZE];
	ssize_t			 len;

	memcpy(m->token, ex->token, ex->token_len);
	m->token_len = ex->token_len;
	if (ex->heap && ex->type == CIO_CON)
		return cio_xfer_separate(peer, m);
	if (!ex->heap && ex->type == CIO_CON) {
		m->type = CIO_ACK;
		m->mid = ex->mid;
	} else {
		m->type = CIO_NON;
		m->mid = cio_new_mid(peer);
		if (m->observe >= 0)
			cio_xfer_nonote(peer, m);
	}
	len = cio_pdu_encode(m, buf, peer->ctx->params.max_message_size);
	if (len < 0) {
		log_debug("%s: response %d.%02d does not fit a message", peer->name,
		    LWM2M_CODE_CLASS(m->code), LWM2M_CODE_DETAIL(m->code));
		return -1;
	}
	/* The stack exchange's cache slot may have been reused by a nested input. */
	if (d != NULL && (d->state != CIO_DEDUP_PENDING || d->mid != ex->mid ||
	    ex->type != CIO_CON))
		d = NULL;
	cio_reply(peer, d, buf, (size_t)len);
	return 0;
}

/* An error response built from the header alone (also for datagrams we could not parse). */
void
cio_server_error(struct cio_peer *peer, const struct cio_hdr *h, const uint8_t *token,
    size_t tkl, struct cio_dedup *d, uint8_t code, int64_t size1)
{
	struct cio_exchange	ex;
	struct cio_msg		m;

	memset(&ex, 0, sizeof ex);
	ex.peer = peer;
	ex.type = h->type;
	ex.mid = h->mid;
	ex.token_len = (uint8_t)tkl;
	memcpy(ex.token, token, tkl);
	ex.dedup = d;
	cio_msg_init(&m);
	m.code = code;
	m.size1 = size1;
	if (code == LWM2M_CODE(4, 13)) {
		/* RFC 7959 §2.9.3: suggest block-wise transfer with our block size. */
		m.block1.set = true;
		m.block1.szx = cio_block_szx(peer->ctx->params.block_size);
	}
	cio_server_send(&ex, &m);
}

int
cio_respond_msg(struct cio_exchange *ex, const struct cio_msg *rsp)
{
	struct cio_peer	*peer = ex->peer;
	struct cio_msg	 m = *rsp;
	int		 rc, error;

	if (ex->done)
		return -1;
	ex->done = true;
	cio_enter(peer);
	if (!m.block1.set && ex->block1.set) {
		m.block1 = ex->block1;
		m.block1.more = false;
	}
	if ((error = cio_block2_slice(peer, &ex->block2, &m)) != 0) {
		cio_msg_init(&m);
		m.code = (uint8_t)-error;
	}
	if ((rc = cio_server_send(ex, &m)) != 0) {
		cio_msg_init(&m);
		m.code = LWM2M_CODE(5, 0);
		rc = cio_server_send(ex, &m);
	}
	if (ex->heap) {
		LIST_REMOVE(ex, entry);
		free(ex);
	}
	cio_leave(peer);
	return rc;
}

int
cio_respond(struct cio_exchange *ex, uint8_t code, int32_t format, const void *payload,
    size_t len, int64_t observe)
{
	struct cio_msg	m;

	cio_msg_init(&m);
	m.code = code;
	m.format = format;
	m.payload = payload;
	m.payload_len = len;
	m.observe = observe;
	return cio_respond_msg(ex, &m);
}

struct cio_exchange *
cio_defer(struct cio_exchange *ex)
{
	struct cio_exchange	*heap;
	struct cio_dedup	*d = ex->dedup;
	uint8_t			 ack[4];

	if (ex->heap)
		return ex;
	heap = xmemdup(ex, sizeof *ex);
	heap->heap = true;
	heap->dedup = NULL;
	LIST_INSERT_HEAD(&ex->peer->deferred, heap, entry);
	ex->done = true;
	if (ex->type == CIO_CON) {
		if (d != NULL && (d->state != CIO_DEDUP_PENDING || d->mid != ex->mid))
			d = NULL;
		cio_reply(ex->peer, d, ack, cio_pdu_empty(ack, CIO_ACK, ex->mid));
	}
	return heap;
}

void
cio_exchange_free(struct cio_exchange *ex)
{
	if (ex == NULL)
		return;
	ex->done = true;
	if (ex->heap) {
		LIST_REMOVE(ex, entry);
		free(ex);
	}
}

struct cio_peer *
cio_exchange_peer(struct cio_exchange *ex)
{
	return ex->peer;
}

void
cio_server_free_all(struct cio_peer *peer)
{
	struct cio_exchange	*ex;

	while ((ex = LIST_FIRST(&peer->deferred)) != NULL) {
		LIST_REMOVE(ex, entry);
		free(ex);
	}
}

void
cio_server_input(struct cio_peer *peer, const struct cio_hdr *h, struct cio_rx *rx,
    struct cio_dedup *d)
{
	struct cio_msg		*m = &rx->msg;
	struct cio_exchange	 ex;
	uint8_t			 code = 0;
	bool			 final_block1;

	memset(&ex, 0, sizeof ex);
	ex.peer = peer;
	ex.type = h->type;
	ex.code = h->code;
	ex.mid = h->mid;
	ex.token_len = m->token_len;
	memcpy(ex.token, m->token, m->token_len);
	ex.dedup = d;
	ex.block2 = m->block2;

	switch (rx->res) {
	case CIO_PARSE_OK:
		break;
	case CIO_PARSE_BAD_OPTION:
		/* §5.4.1: 4.02 to a CON request; a NON one is rejected silently. */
		if (h->type != CIO_CON)
			return;
		code = LWM2M_CODE(4, 2);
		break;
	case CIO_PARSE_PROXY:
		code = LWM2M_CODE(5, 5);
		break;
	default:
		code = LWM2M_CODE(4, 0);
		break;
	}
	if (code == 0 && m->block2.set && m->block2.szx == 7)
		code = LWM2M_CODE(4, 0);
	if (code != 0) {
		log_debug("%s: request refused with %d.%02d", peer->name,
		    LWM2M_CODE_CLASS(code), LWM2M_CODE_DETAIL(code));
		cio_respond(&ex, code, CIO_FMT_NONE, NULL, 0, CIO_OBSERVE_NONE);
		return;
	}
	final_block1 = m->block1.set;
	if (m->block1.set && !cio_block1_input(peer, &ex, rx))
		return;
	if (peer->cbs.request == NULL)
		cio_respond(&ex, LWM2M_CODE(5, 1), CIO_FMT_NONE, NULL, 0, CIO_OBSERVE_NONE);
	else {
		peer->cbs.request(peer->cb_arg, &ex, m);
		if (!ex.done && !peer->dead) {
			log_warnx("%s: request handler gave no response", peer->name);
			cio_respond(&ex, LWM2M_CODE(5, 0), CIO_FMT_NONE, NULL, 0,
			    CIO_OBSERVE_NONE);
		}
	}
	/* The assembled body was valid during the handler only. */
	if (final_block1 && !peer->dead)
		cio_block1_free(peer);
}
