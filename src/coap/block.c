/*
 * Block-wise transfers in the server role (RFC 7959). Block2: responses are sliced
 * statelessly; a request for block N re-runs the handler, which produces the whole
 * representation again, and the ETag (a hash of the whole) lets the client detect a change
 * between blocks. Block1: one body per peer is assembled, keyed by method and URI.
 */
#include "config.h"

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "cio_int.h"
#include "log.h"
#include "lwm2m.h"
#include "xmalloc.h"

uint8_t
cio_block_szx(size_t size)
{
	uint8_t	szx = 0;

	while (szx < 6 && CIO_BLOCK_SIZE(szx + 1) <= size)
		szx++;
	return szx;
}

/*
 * Cut the payload of m down to the block req asks for (block 0 when req is NULL or unset),
 * when it is larger than a block or a block was asked for. Returns 0 or a negated CoAP code.
 */
int
cio_block2_slice(struct cio_peer *peer, const struct cio_block *req, struct cio_msg *m)
{
	uint8_t		szx = cio_block_szx(peer->ctx->params.block_size);
	bool		asked = req != NULL && req->set;
	size_t		bs, off;
	uint32_t	h;

	if (asked && req->szx < szx)
		szx = req->szx;
	bs = CIO_BLOCK_SIZE(szx);
	if (m->block2.set || LWM2M_CODE_CLASS(m->code) != 2 ||
	    (!asked && m->payload_len <= bs))
		return 0;
	off = asked ? (size_t)req->num * bs : 0;
	if (asked && (req->num > (SIZE_MAX / bs) ||
	    off > m->payload_len || (off == m->payload_len && off > 0)))
		return -LWM2M_CODE(4, 2);
	if (m->etag_len == 0 && m->payload_len > bs) {
		h = cio_hash32(m->payload, m->payload_len);
		memcpy(m->etag, &h, sizeof h);
		m->etag_len = sizeof h;
	}
	m->block2.set = true;
	m->block2.szx = szx;
	m->block2.num = (uint32_t)(off / bs);
	m->block2.more = off + bs < m->payload_len;
	if (m->size2 < 0 && off == 0)
		m->size2 = (int64_t)m->payload_len;
	m->payload += off;
	m->payload_len -= off;
	if (m->payload_len > bs)
		m->payload_len = bs;
	return 0;
}

void
cio_block1_free(struct cio_peer *peer)
{
	free(peer->b1.body);
	memset(&peer->b1, 0, sizeof peer->b1);
}

static uint64_t
cio_block1_key(const struct cio_msg *m)
{
	uint32_t	a, b;
	size_t		i;
	uint8_t		sep[2] = { m->code, '/' };

	a = cio_hash32(sep, 1);
	b = 0x9e3779b9u ^ m->code;
	for (i = 0; i < m->npath; i++) {
		a ^= cio_hash32(m->path[i], strlen(m->path[i])) + 0x9e3779b9u + (a << 6);
		b = b * 31 + cio_hash32(m->path[i], strlen(m->path[i]));
	}
	for (i = 0; i < m->nquery; i++) {
		a ^= cio_hash32(m->query[i], strlen(m->query[i])) + 0x7f4a7c15u + (a >> 2);
		b = b * 37 + cio_hash32(m->query[i], strlen(m->query[i]));
	}
	return (uint64_t)a << 32 | b;
}

static void
cio_block1_refuse(struct cio_peer *peer, struct cio_exchange *ex, uint8_t code)
{
	struct cio_msg	m;

	cio_msg_init(&m);
	m.code = code;
	if (code == LWM2M_CODE(4, 13))
		m.size1 = (int64_t)peer->ctx->params.max_body_size;
	log_debug("%s: Block1 transfer refused with %d.%02d", peer->name,
	    LWM2M_CODE_CLASS(code), LWM2M_CODE_DETAIL(code));
	cio_block1_free(peer);
	cio_respond_msg(ex, &m);
}

/*
 * One block of a Block1 request. Returns true when the body is complete and rx->msg now
 * carries all of it (the handler runs), false when this block was answered here.
 */
bool
cio_block1_input(struct cio_peer *peer, struct cio_exchange *ex, struct cio_rx *rx)
{
	const struct cio_params	*p = &peer->ctx->params;
	struct cio_msg		*m = &rx->msg;
	struct cio_b1asm	*a = &peer->b1;
	struct cio_block	 b = m->block1;
	struct cio_msg		 cont;
	uint64_t		 key, now = cio_now(peer);
	size_t			 bs, off, need, cap;
	uint8_t			 ours = cio_block_szx(p->block_size);

	if (b.szx == 7) {
		cio_block1_refuse(peer, ex, LWM2M_CODE(4, 0));
		return false;
	}
	bs = CIO_BLOCK_SIZE(b.szx);
	off = (size_t)b.num * bs;
	key = cio_block1_key(m);
	if (b.num == 0) {
		cio_block1_free(peer);
		a->active = true;
		a->key = key;
		if (m->size1 > (int64_t)p->max_body_size) {
			cio_block1_refuse(peer, ex, LWM2M_CODE(4, 13));
			return false;
		}
	} else if (!a->active || a->key != key || a->expires <= now || off != a->len) {
		/* RFC 7959 §2.9.2: a block we have no start for. */
		cio_block1_refuse(peer, ex, LWM2M_CODE(4, 8));
		return false;
	}
	if (b.more && m->payload_len != bs) {
		cio_block1_refuse(peer, ex, LWM2M_CODE(4, 0));
		return false;
	}
	if (m->payload_len > p->max_body_size - a->len) {
		cio_block1_refuse(peer, ex, LWM2M_CODE(4, 13));
		return false;
	}
	need = a->len + m->payload_len;
	if (need > a->cap) {
		cap = a->cap == 0 ? 2048 : a->cap;
		while (cap < need)
			cap *= 2;
		if (cap > p->max_body_size)
			cap = p->max_body_size;
		a->body = xrealloc(a->body, cap);
		a->cap = cap;
	}
	if (m->payload_len > 0)
		memcpy(a->body + a->len, m->payload, m->payload_len);
	a->len = need;
	a->expires = now + p->exchange_lifetime_ms;

	if (b.more) {
		cio_msg_init(&cont);
		cont.code = LWM2M_CONTINUE;
		cont.block1 = b;
		/* Ask for smaller blocks if ours are (RFC 7959 §2.3). */
		if (ours < b.szx)
			cont.block1.szx = ours;
		cio_respond_msg(ex, &cont);
		return false;
	}
	ex->block1 = b;
	m->payload = a->body;
	m->payload_len = a->len;
	return true;
}
