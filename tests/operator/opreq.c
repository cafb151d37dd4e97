/*
 * Requests lwgw-operator sends to clients (bootstrap steps, commands, observations),
 * matched to their responses and notifications by token. libcoap does the messaging
 * (CON retransmission, Block-wise transfer); this file keeps what each request was for.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "operator.h"

static void
opreq_release_cb(coap_session_t *s, void *arg)
{
	free(arg);
}

static void
opreq_add_uint(coap_optlist_t **opts, uint16_t number, unsigned value)
{
	uint8_t		buf[4];
	unsigned	len;

	len = coap_encode_var_safe(buf, sizeof buf, value);
	coap_insert_optlist(opts, coap_new_optlist(number, len, buf));
}

/* Split "a/b/c" (or "a&b") into one option per segment. */
static void
opreq_add_segments(coap_optlist_t **opts, uint16_t number, const char *s, int sep)
{
	const char	*p = s, *e;

	while (*p != '\0') {
		if ((e = strchr(p, sep)) == NULL)
			e = p + strlen(p);
		if (e != p)
			coap_insert_optlist(opts, coap_new_optlist(number,
			    (size_t)(e - p), (const uint8_t *)p));
		p = *e == '\0' ? e : e + 1;
	}
}

/* Send a CON request; cb is called once per response or notification, or on failure. */
struct opreq *
opreq_send(struct op *op, coap_session_t *s, const struct opmsg *m, opreq_cb cb,
    void *arg, char **cause)
{
	struct opreq		*req;
	coap_pdu_t		*pdu;
	coap_optlist_t		*opts = NULL;
	coap_fixed_point_t	 fp;
	uint8_t			*copy;
	size_t			 i;

	if (s == NULL) {
		*cause = oputil_xstrdup("no session to the client");
		return (NULL);
	}
	pdu = coap_new_pdu(COAP_MESSAGE_CON, m->code, s);
	if (pdu == NULL) {
		*cause = oputil_xstrdup("cannot create PDU");
		return (NULL);
	}
	req = oputil_xcalloc(1, sizeof *req);
	req->toklen = sizeof req->token;
	for (i = 0; i < req->toklen; i++)
		req->token[i] = (uint8_t)(op->next_token >> (8 * i));
	op->next_token++;
	if (!coap_add_token(pdu, req->toklen, req->token))
		goto fail;
	if (m->path != NULL && *m->path == '/')
		opreq_add_segments(&opts, COAP_OPTION_URI_PATH, m->path + 1, '/');
	if (m->observe >= 0)
		opreq_add_uint(&opts, COAP_OPTION_OBSERVE, (unsigned)m->observe);
	if (m->cf != OP_CF_NONE)
		opreq_add_uint(&opts, COAP_OPTION_CONTENT_FORMAT, (unsigned)m->cf);
	if (m->accept != OP_CF_NONE)
		opreq_add_uint(&opts, COAP_OPTION_ACCEPT, (unsigned)m->accept);
	if (m->query != NULL)
		opreq_add_segments(&opts, COAP_OPTION_URI_QUERY, m->query, '&');
	if (opts != NULL && !coap_add_optlist_pdu(pdu, &opts)) {
		coap_delete_optlist(opts);
		goto fail;
	}
	coap_delete_optlist(opts);
	if (m->len != 0) {
		copy = oputil_xcalloc(1, m->len);
		memcpy(copy, m->payload, m->len);
		if (!coap_add_data_large_request(s, pdu, m->len, copy,
		    opreq_release_cb, copy))
			goto fail;	/* libcoap called the release function */
	}
	fp.integer_part = (uint16_t)(op->scen->ack_timeout_ms / 1000);
	fp.fractional_part = (uint16_t)(op->scen->ack_timeout_ms % 1000);
	coap_session_set_ack_timeout(s, fp);
	coap_session_set_max_retransmit(s, (uint16_t)op->scen->max_retransmit);
	req->session = s;
	req->ctx = coap_session_get_context(s);
	req->cb = cb;
	req->arg = arg;
	req->observe = m->observe == 0;
	TAILQ_INSERT_TAIL(&op->reqs, req, entry);
	if (coap_send(s, pdu) == COAP_INVALID_MID) {
		TAILQ_REMOVE(&op->reqs, req, entry);
		free(req);
		*cause = oputil_xstrdup("coap_send failed");
		return (NULL);
	}
	return (req);
fail:
	coap_delete_pdu(pdu);
	free(req);
	*cause = oputil_xstrdup("cannot build the request");
	return (NULL);
}

/* Names used in events: the operation, the endpoint, the path (also parsed to IDs). */
void
opreq_set_names(struct opreq *req, const char *what, const char *ep, const char *path)
{
	free(req->what);
	free(req->ep);
	free(req->path);
	req->what = oputil_xstrdup(what);
	req->ep = oputil_xstrdup(ep);
	req->path = oputil_xstrdup(path);
	if (oputil_path_parse(path, req->ids, &req->nids) != 0)
		req->nids = 0;
}

void
opreq_free(struct op *op, struct opreq *req)
{
	TAILQ_REMOVE(&op->reqs, req, entry);
	free(req->what);
	free(req->ep);
	free(req->path);
	free(req->tag);
	free(req);
}

/* The live observation of path on endpoint ep, if any. */
struct opreq *
opreq_find_observe(struct op *op, const char *ep, const char *path)
{
	struct opreq	*req;

	TAILQ_FOREACH(req, &op->reqs, entry) {
		if (req->observe && !req->forgotten && req->ep != NULL &&
		    strcmp(req->ep, ep) == 0 && strcmp(req->path, path) == 0)
			return (req);
	}
	return (NULL);
}

static struct opreq *
opreq_find(struct op *op, coap_bin_const_t tok)
{
	struct opreq	*req;

	TAILQ_FOREACH(req, &op->reqs, entry) {
		if (req->toklen == tok.length &&
		    memcmp(req->token, tok.s, tok.length) == 0)
			return (req);
	}
	return (NULL);
}

/* Requests whose owner went away stay until answered, but nobody is told. */
void
opreq_drop_arg(struct op *op, void *arg)
{
	struct opreq	*req;

	TAILQ_FOREACH(req, &op->reqs, entry) {
		if (req->arg == arg) {
			req->cb = NULL;
			req->arg = NULL;
		}
	}
}

/* Before releasing a session of our own: requests nobody waits for go with it. */
void
opreq_purge(struct op *op, coap_session_t *s)
{
	struct opreq	*req, *next;

	for (req = TAILQ_FIRST(&op->reqs); req != NULL; req = next) {
		next = TAILQ_NEXT(req, entry);
		if (req->session == s && req->cb == NULL && !req->busy)
			opreq_free(op, req);
	}
}

/* Fail every request on a session that is going away; callbacks may change the list. */
void
opreq_session_gone(struct op *op, coap_session_t *s)
{
	struct opreq	*req;

	for (;;) {
		TAILQ_FOREACH(req, &op->reqs, entry) {
			if (req->session == s)
				break;
		}
		if (req == NULL)
			return;
		req->busy = 1;
		if (req->cb != NULL)
			req->cb(op, req, NULL, "session closed");
		opreq_free(op, req);
	}
}

static int
opreq_is_notification(const coap_pdu_t *pdu)
{
	coap_opt_iterator_t	it;

	return (coap_check_option(pdu, COAP_OPTION_OBSERVE, &it) != NULL);
}

static coap_response_t
opreq_response_cb(coap_session_t *s, const coap_pdu_t *sent,
    const coap_pdu_t *rcvd, const coap_mid_t mid)
{
	struct op	*op = coap_get_app_data(coap_session_get_context(s));
	struct opreq	*req;
	struct opevent	 ev;
	int		 notification, code;

	notification = opreq_is_notification(rcvd);
	if ((req = opreq_find(op, coap_pdu_get_token(rcvd))) == NULL ||
	    req->forgotten) {
		opevent_begin(&ev, op, notification ? "stray-notify" :
		    "stray-response");
		opevent_addr(&ev, "from", coap_session_get_addr_remote(s));
		if (req != NULL) {
			opevent_str(&ev, "ep", req->ep);
			opevent_str(&ev, "path", req->path);
			opevent_str(&ev, "answer", "RST");
		}
		opevent_pdu(&ev, NULL, 0, rcvd);
		opevent_end(&ev);
		if (req != NULL && req->forgotten)
			opreq_free(op, req);
		/* RST tells a client to forget an observation nobody wants. */
		return (notification ? COAP_RESPONSE_FAIL : COAP_RESPONSE_OK);
	}
	req->nresp++;
	req->busy = 1;
	if (req->cb != NULL)
		req->cb(op, req, rcvd, NULL);
	req->busy = 0;
	code = coap_pdu_get_code(rcvd);
	if (!req->observe || !notification || (code >> 5) != 2)
		opreq_free(op, req);
	return (COAP_RESPONSE_OK);
}

static const char *
opreq_nack_reason(coap_nack_reason_t reason)
{
	switch (reason) {
	case COAP_NACK_TOO_MANY_RETRIES:
		return ("timeout");
	case COAP_NACK_NOT_DELIVERABLE:
		return ("not deliverable");
	case COAP_NACK_RST:
		return ("reset");
	case COAP_NACK_TLS_FAILED:
		return ("DTLS failed");
	case COAP_NACK_ICMP_ISSUE:
		return ("ICMP error");
	default:
		return ("failed");
	}
}

static void
opreq_nack_cb(coap_session_t *s, const coap_pdu_t *sent,
    const coap_nack_reason_t reason, const coap_mid_t mid)
{
	struct op	*op = coap_get_app_data(coap_session_get_context(s));
	struct opreq	*req;

	if (sent == NULL || (req = opreq_find(op, coap_pdu_get_token(sent))) == NULL)
		return;
	req->busy = 1;
	if (req->cb != NULL)
		req->cb(op, req, NULL, opreq_nack_reason(reason));
	opreq_free(op, req);
}

void
opreq_setup(struct op *op, coap_context_t *ctx)
{
	coap_register_response_handler(ctx, opreq_response_cb);
	coap_register_nack_handler(ctx, opreq_nack_cb);
}
