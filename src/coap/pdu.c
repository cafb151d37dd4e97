/*
 * CoAP wire format. Incoming datagrams are parsed by libcoap (coap_pdu_parse and its option
 * iterator) into a struct cio_msg; outgoing ones are written by hand into a caller buffer,
 * options through coap_opt_encode(), because libcoap 4.3.1 exports no PDU serializer.
 */
#include "config.h"

#include <sys/types.h>

#include <string.h>

#include <coap3/coap.h>

#include "cio_int.h"

void
cio_msg_init(struct cio_msg *m)
{
	memset(m, 0, sizeof *m);
	m->format = CIO_FMT_NONE;
	m->accept = CIO_FMT_NONE;
	m->observe = CIO_OBSERVE_NONE;
	m->size1 = CIO_SIZE_NONE;
	m->size2 = CIO_SIZE_NONE;
}

/* FNV-1a: ETags of sliced representations and Block1 assembly keys. */
uint32_t
cio_hash32(const void *p, size_t len)
{
	const uint8_t	*b = p;
	uint32_t	 h = 2166136261u;

	while (len-- > 0) {
		h ^= *b++;
		h *= 16777619u;
	}
	return h;
}

int
cio_pdu_header(const uint8_t *data, size_t len, struct cio_hdr *h)
{
	if (len < 4)
		return -1;
	h->version = data[0] >> 6;
	h->type = (data[0] >> 4) & 0x3;
	h->tkl = data[0] & 0xf;
	h->code = data[1];
	h->mid = (uint16_t)(data[2] << 8 | data[3]);
	return 0;
}

size_t
cio_pdu_empty(uint8_t *buf, uint8_t type, uint16_t mid)
{
	buf[0] = (uint8_t)(1 << 6 | type << 4);
	buf[1] = 0;
	buf[2] = mid >> 8;
	buf[3] = mid & 0xff;
	return 4;
}

/* Copy an option value as a NUL-terminated string; NUL inside is refused. */
static const char *
cio_pdu_str(struct cio_rx *rx, const uint8_t *v, size_t len)
{
	char	*s;

	if (memchr(v, '\0', len) != NULL)
		return NULL;
	if (rx->strused + len + 1 > sizeof rx->strbuf)
		return NULL;
	s = rx->strbuf + rx->strused;
	memcpy(s, v, len);
	s[len] = '\0';
	rx->strused += len + 1;
	return s;
}

static int
cio_pdu_uint(const uint8_t *v, size_t len, size_t max, uint32_t *out)
{
	uint32_t	u = 0;
	size_t		i;

	if (len > max)
		return -1;
	for (i = 0; i < len; i++)
		u = u << 8 | v[i];
	*out = u;
	return 0;
}

static int
cio_pdu_block(const uint8_t *v, size_t len, struct cio_block *b)
{
	uint32_t	u;

	if (cio_pdu_uint(v, len, 3, &u) != 0)
		return -1;
	b->set = true;
	b->num = u >> 4;
	b->more = (u & 0x8) != 0;
	b->szx = u & 0x7;
	return 0;
}

/*
 * Parse one datagram. The header was checked by the caller. Options we do not know are
 * ignored when elective and reported when critical (odd numbers, RFC 7252 §5.4.1); a known
 * option with a bad value counts as unrecognized (§5.4.3).
 */
enum cio_parse
cio_pdu_parse(struct cio_ctx *ctx, const uint8_t *data, size_t len, struct cio_rx *rx,
    bool request)
{
	struct cio_msg		*m = &rx->msg;
	coap_pdu_t		*pdu;
	coap_opt_iterator_t	 oi;
	coap_opt_t		*opt;
	coap_bin_const_t	 tok;
	const uint8_t		*v, *payload;
	size_t			 vlen, plen;
	uint32_t		 u;
	enum cio_parse		 res = CIO_PARSE_OK;
	bool			 own = false;

	cio_msg_init(m);
	rx->strused = 0;

	/* The context's PDU is reused; a nested parse (a send function that loops input
	 * back synchronously) gets its own. */
	if (ctx->pdu_busy) {
		pdu = coap_pdu_init(COAP_MESSAGE_CON, 0, 0, CIO_MAX_MESSAGE_SIZE);
		if (pdu == NULL)
			return CIO_PARSE_FORMAT;
		own = true;
	} else {
		pdu = ctx->pdu;
		ctx->pdu_busy = true;
	}
	if (!coap_pdu_parse(COAP_PROTO_UDP, data, len, pdu)) {
		res = CIO_PARSE_FORMAT;
		goto out;
	}
	m->type = (uint8_t)coap_pdu_get_type(pdu);
	m->code = (uint8_t)coap_pdu_get_code(pdu);
	m->mid = (uint16_t)coap_pdu_get_mid(pdu);
	tok = coap_pdu_get_token(pdu);
	if (tok.length > CIO_TOKEN_MAX) {
		res = CIO_PARSE_FORMAT;
		goto out;
	}
	m->token_len = (uint8_t)tok.length;
	if (tok.length > 0)
		memcpy(m->token, tok.s, tok.length);

	coap_option_iterator_init(pdu, &oi, COAP_OPT_ALL);
	while ((opt = coap_option_next(&oi)) != NULL) {
		v = coap_opt_value(opt);
		vlen = coap_opt_length(opt);
		switch (oi.number) {
		case CIO_OPT_URI_PATH:
		case CIO_OPT_LOCATION_PATH:
		case CIO_OPT_URI_QUERY: {
			const char	**arr;
			uint8_t		 *n, max;
			const char	 *s;

			if (oi.number == CIO_OPT_URI_PATH) {
				arr = m->path;
				n = &m->npath;
				max = CIO_MAX_PATH;
			} else if (oi.number == CIO_OPT_URI_QUERY) {
				arr = m->query;
				n = &m->nquery;
				max = CIO_MAX_QUERY;
			} else {
				arr = m->location;
				n = &m->nlocation;
				max = CIO_MAX_PATH;
			}
			if (*n == max || (s = cio_pdu_str(rx, v, vlen)) == NULL) {
				if (res == CIO_PARSE_OK)
					res = CIO_PARSE_BAD_REQUEST;
				break;
			}
			arr[(*n)++] = s;
			break;
		}
		case CIO_OPT_CONTENT_FORMAT:
			if (cio_pdu_uint(v, vlen, 2, &u) == 0)
				m->format = (int32_t)u;
			break;
		case CIO_OPT_ACCEPT:
			if (cio_pdu_uint(v, vlen, 2, &u) == 0)
				m->accept = (int32_t)u;
			else if (res == CIO_PARSE_OK)
				res = CIO_PARSE_BAD_OPTION;
			break;
		case CIO_OPT_OBSERVE:
			if (cio_pdu_uint(v, vlen, 3, &u) == 0)
				m->observe = u;
			break;
		case CIO_OPT_SIZE1:
		case CIO_OPT_SIZE2:
			if (cio_pdu_uint(v, vlen, 4, &u) == 0) {
				if (oi.number == CIO_OPT_SIZE1)
					m->size1 = u;
				else
					m->size2 = u;
			}
			break;
		case CIO_OPT_BLOCK1:
		case CIO_OPT_BLOCK2:
			if (cio_pdu_block(v, vlen, oi.number == CIO_OPT_BLOCK1 ?
			    &m->block1 : &m->block2) != 0 && res == CIO_PARSE_OK)
				res = CIO_PARSE_BAD_OPTION;
			break;
		case CIO_OPT_ETAG:
			if (vlen >= 1 && vlen <= sizeof m->etag && m->etag_len == 0) {
				memcpy(m->etag, v, vlen);
				m->etag_len = (uint8_t)vlen;
			}
			break;
		case CIO_OPT_URI_HOST:
		case CIO_OPT_URI_PORT:
			/* We are the only host on this socket. */
			break;
		case CIO_OPT_PROXY_URI:
		case CIO_OPT_PROXY_SCHEME:
			if (request && res == CIO_PARSE_OK)
				res = CIO_PARSE_PROXY;
			break;
		default:
			/* Unrecognized (If-Match and If-None-Match included: conditional
			 * requests are not supported, so they must not be ignored). */
			if ((oi.number & 1) != 0 && res == CIO_PARSE_OK)
				res = CIO_PARSE_BAD_OPTION;
			break;
		}
	}
	if (coap_get_data(pdu, &plen, &payload) && plen > 0) {
		/* Point into the datagram, not the PDU: it outlives a nested parse. */
		m->payload = data + (len - plen);
		m->payload_len = plen;
	}
out:
	if (own)
		coap_delete_pdu(pdu);
	else
		ctx->pdu_busy = false;
	return res;
}

/* Append one option; *last is the previous option number. */
static int
cio_pdu_opt(uint8_t *buf, size_t cap, size_t *off, uint16_t *last, uint16_t num,
    const void *val, size_t len)
{
	size_t	n;

	if (*off >= cap)
		return -1;
	n = coap_opt_encode(buf + *off, cap - *off, num - *last, val, len);
	if (n == 0)
		return -1;
	*off += n;
	*last = num;
	return 0;
}

static int
cio_pdu_opt_uint(uint8_t *buf, size_t cap, size_t *off, uint16_t *last, uint16_t num,
    uint32_t v)
{
	uint8_t		tmp[4];
	unsigned int	n;

	n = coap_encode_var_safe(tmp, sizeof tmp, v);
	return cio_pdu_opt(buf, cap, off, last, num, tmp, n);
}

static int
cio_pdu_opt_block(uint8_t *buf, size_t cap, size_t *off, uint16_t *last, uint16_t num,
    const struct cio_block *b)
{
	return cio_pdu_opt_uint(buf, cap, off, last, num,
	    b->num << 4 | (b->more ? 0x8 : 0) | (b->szx & 0x7));
}

static int
cio_pdu_opt_strs(uint8_t *buf, size_t cap, size_t *off, uint16_t *last, uint16_t num,
    const char *const *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (cio_pdu_opt(buf, cap, off, last, num, s[i], strlen(s[i])) != 0)
			return -1;
	}
	return 0;
}

/* Encode m into buf; returns the length or -1 when it does not fit. */
ssize_t
cio_pdu_encode(const struct cio_msg *m, uint8_t *buf, size_t cap)
{
	size_t		off;
	uint16_t	last = 0;

	if (cap < 4 + (size_t)m->token_len || m->token_len > CIO_TOKEN_MAX)
		return -1;
	buf[0] = (uint8_t)(1 << 6 | (m->type & 0x3) << 4 | m->token_len);
	buf[1] = m->code;
	buf[2] = m->mid >> 8;
	buf[3] = m->mid & 0xff;
	memcpy(buf + 4, m->token, m->token_len);
	off = 4 + m->token_len;

	if (m->etag_len > 0 && cio_pdu_opt(buf, cap, &off, &last, CIO_OPT_ETAG, m->etag,
	    m->etag_len) != 0)
		return -1;
	if (m->observe >= 0 && cio_pdu_opt_uint(buf, cap, &off, &last, CIO_OPT_OBSERVE,
	    (uint32_t)m->observe & 0xffffff) != 0)
		return -1;
	if (cio_pdu_opt_strs(buf, cap, &off, &last, CIO_OPT_LOCATION_PATH, m->location,
	    m->nlocation) != 0)
		return -1;
	if (cio_pdu_opt_strs(buf, cap, &off, &last, CIO_OPT_URI_PATH, m->path,
	    m->npath) != 0)
		return -1;
	if (m->format >= 0 && cio_pdu_opt_uint(buf, cap, &off, &last,
	    CIO_OPT_CONTENT_FORMAT, (uint32_t)m->format) != 0)
		return -1;
	if (cio_pdu_opt_strs(buf, cap, &off, &last, CIO_OPT_URI_QUERY, m->query,
	    m->nquery) != 0)
		return -1;
	if (m->accept >= 0 && cio_pdu_opt_uint(buf, cap, &off, &last, CIO_OPT_ACCEPT,
	    (uint32_t)m->accept) != 0)
		return -1;
	if (m->block2.set && cio_pdu_opt_block(buf, cap, &off, &last, CIO_OPT_BLOCK2,
	    &m->block2) != 0)
		return -1;
	if (m->block1.set && cio_pdu_opt_block(buf, cap, &off, &last, CIO_OPT_BLOCK1,
	    &m->block1) != 0)
		return -1;
	if (m->size2 >= 0 && cio_pdu_opt_uint(buf, cap, &off, &last, CIO_OPT_SIZE2,
	    (uint32_t)m->size2) != 0)
		return -1;
	if (m->size1 >= 0 && cio_pdu_opt_uint(buf, cap, &off, &last, CIO_OPT_SIZE1,
	    (uint32_t)m->size1) != 0)
		return -1;
	if (m->payload_len > 0) {
		if (cap - off < 1 + m->payload_len)
			return -1;
		buf[off++] = 0xff;
		memcpy(buf + off, m->payload, m->payload_len);
		off += m->payload_len;
	}
	return (ssize_t)off;
}
