/*
 * Bootstrap-Server role: answers POST /bs?ep=NAME and runs the endpoint's scenario over
 * the same session, or toward a given address without a Request (server-initiated).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "operator.h"

struct opbs_run {
	TAILQ_ENTRY(opbs_run)	 entry;
	struct opbs		*bs;
	struct opscen_ep	*ep;
	coap_session_t		*session;
	int			 owned;		/* a client session we created */
	size_t			 step;
	int			 ok;
	struct optimer		*timer;
};

struct opbs {
	struct op		*op;
	coap_context_t		*ctx;
	coap_endpoint_t		*udp;
	coap_endpoint_t		*dtls;
	coap_address_t		 udp_addr;
	coap_bin_const_t	 key;
	TAILQ_HEAD(, opbs_run)	 runs;
};

static void	opbs_send_step(struct opbs_run *);

static void
opbs_done(struct opbs_run *run, const char *error)
{
	struct opbs	*bs = run->bs;
	struct opevent	 ev;

	opevent_begin(&ev, bs->op, "bs-done");
	opevent_str(&ev, "ep", run->ep->name);
	opevent_bool(&ev, "ok", run->ok && error == NULL);
	opevent_int(&ev, "steps", (long long)run->step);
	opevent_str(&ev, "error", error);
	opevent_end(&ev);
	TAILQ_REMOVE(&bs->runs, run, entry);
	if (run->timer != NULL)
		operator_timer_cancel(bs->op, run);
	opreq_drop_arg(bs->op, run);
	if (run->owned) {
		opreq_purge(bs->op, run->session);
		coap_session_release(run->session);
	}
	free(run);
}

static void
opbs_step_timer(struct op *op, void *arg)
{
	struct opbs_run	*run = arg;

	run->timer = NULL;
	opbs_send_step(run);
}

static void
opbs_response_cb(struct op *op, struct opreq *req, const coap_pdu_t *pdu,
    const char *error)
{
	struct opbs_run		*run = req->arg;
	struct opscen_step	*st = &run->ep->steps[run->step];
	struct opevent		 ev;
	int			 code;

	opevent_begin(&ev, op, "bs-step");
	opevent_str(&ev, "ep", run->ep->name);
	opevent_int(&ev, "step", (long long)run->step);
	opevent_str(&ev, "op", opscen_kind_name(st->kind));
	opevent_str(&ev, "path", st->path);
	if (st->expect >= 0)
		opevent_code(&ev, "expect", st->expect);
	if (error != NULL) {
		opevent_str(&ev, "error", error);
		opevent_bool(&ev, "ok", 0);
		opevent_end(&ev);
		opbs_done(run, error);
		return;
	}
	code = coap_pdu_get_code(pdu);
	opevent_bool(&ev, "ok", st->expect < 0 || st->expect == code);
	opevent_pdu(&ev, req->ids, req->nids, pdu);
	opevent_end(&ev);
	if (st->expect >= 0 && st->expect != code)
		run->ok = 0;
	run->step++;
	run->timer = operator_timer_add(op, run->ep->delay_ms, opbs_step_timer, run);
}

static void
opbs_send_step(struct opbs_run *run)
{
	struct op		*op = run->bs->op;
	struct opscen_step	*st;
	struct opmsg		 m;
	struct opreq		*req;
	struct opbuf		 payload;
	struct opevent		 ev;
	char			*cause = NULL;

	if (run->step >= run->ep->nsteps) {
		opbs_done(run, NULL);
		return;
	}
	st = &run->ep->steps[run->step];
	memset(&m, 0, sizeof m);
	m.path = st->path;
	m.accept = m.cf = OP_CF_NONE;
	m.observe = -1;
	opbuf_init(&payload);
	switch (st->kind) {
	case OPSCEN_DISCOVER:
		m.code = COAP_REQUEST_CODE_GET;
		m.accept = OP_CF_LINK;
		break;
	case OPSCEN_READ:
		m.code = COAP_REQUEST_CODE_GET;
		m.accept = OP_CF_TLV;
		break;
	case OPSCEN_DELETE:
		m.code = COAP_REQUEST_CODE_DELETE;
		break;
	case OPSCEN_WRITE:
		m.code = COAP_REQUEST_CODE_PUT;
		if (opscen_step_payload(st, &payload, &m.cf) != 0) {
			opbuf_free(&payload);
			opbs_done(run, "cannot encode the write");
			return;
		}
		m.payload = (const uint8_t *)payload.p;
		m.len = payload.len;
		break;
	case OPSCEN_FINISH:
		m.code = COAP_REQUEST_CODE_POST;
		break;
	}
	opevent_begin(&ev, op, "bs-send");
	opevent_str(&ev, "ep", run->ep->name);
	opevent_int(&ev, "step", (long long)run->step);
	opevent_str(&ev, "op", opscen_kind_name(st->kind));
	opevent_str(&ev, "path", st->path);
	opevent_addr(&ev, "to", coap_session_get_addr_remote(run->session));
	if (m.cf != OP_CF_NONE)
		opevent_int(&ev, "cf", m.cf);
	if (m.len != 0)
		opevent_hex(&ev, "hex", m.payload, m.len);
	opevent_end(&ev);
	req = opreq_send(op, run->session, &m, opbs_response_cb, run, &cause);
	opbuf_free(&payload);
	if (req == NULL) {
		opbs_done(run, cause);
		free(cause);
		return;
	}
	opreq_set_names(req, opscen_kind_name(st->kind), run->ep->name, st->path);
}

static struct opbs_run *
opbs_run_start(struct opbs *bs, struct opscen_ep *ep, coap_session_t *s, int owned)
{
	struct opbs_run	*run, *old;

	TAILQ_FOREACH(old, &bs->runs, entry) {
		if (old->ep == ep) {
			opbs_done(old, "superseded by a new bootstrap");
			break;
		}
	}
	run = oputil_xcalloc(1, sizeof *run);
	run->bs = bs;
	run->ep = ep;
	run->session = s;
	run->owned = owned;
	run->ok = 1;
	TAILQ_INSERT_TAIL(&bs->runs, run, entry);
	/* A timer, so that the 2.04 to the Request leaves before the first operation. */
	run->timer = operator_timer_add(bs->op, ep->delay_ms, opbs_step_timer, run);
	return (run);
}

static void
opbs_request_cb(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *request,
    const coap_string_t *query, coap_pdu_t *response)
{
	struct opbs			*bs = coap_resource_get_userdata(r);
	struct opscen_ep		*ep = NULL;
	struct opevent			 ev;
	const coap_bin_const_t		*id;
	char				*name;
	const char			*error = NULL;
	int				 secure;

	name = oputil_query_get(query != NULL ? (const char *)query->s : NULL,
	    query != NULL ? query->length : 0, "ep");
	secure = coap_session_get_proto(s) == COAP_PROTO_DTLS;
	id = secure ? coap_session_get_psk_identity(s) : NULL;
	if (name == NULL)
		error = "no endpoint name";
	else if ((ep = opscen_ep_find(bs->op->scen, name)) == NULL)
		error = "unknown endpoint";
	else if (ep->reject)
		error = "endpoint rejected by the scenario";
	else if (secure && (id == NULL || strlen(ep->identity) != id->length ||
	    memcmp(ep->identity, id->s, id->length) != 0))
		error = "PSK identity does not match the endpoint";
	opevent_begin(&ev, bs->op, "bs-request");
	opevent_str(&ev, "ep", name);
	opevent_addr(&ev, "from", coap_session_get_addr_remote(s));
	opevent_bool(&ev, "secure", secure);
	if (id != NULL)
		opevent_strn(&ev, "identity", id->s, id->length);
	opevent_str(&ev, "error", error);
	opevent_code(&ev, "answer", error != NULL ? COAP_RESPONSE_CODE(400) :
	    COAP_RESPONSE_CODE(204));
	opevent_end(&ev);
	free(name);
	if (error != NULL) {
		coap_pdu_set_code(response, COAP_RESPONSE_CODE(400));
		return;
	}
	coap_pdu_set_code(response, COAP_RESPONSE_CODE(204));
	opbs_run_start(bs, ep, s, 0);
}

static const coap_bin_const_t *
opbs_psk_cb(coap_bin_const_t *identity, coap_session_t *s, void *arg)
{
	struct opbs		*bs = arg;
	struct opscen_ep	*ep;
	struct opevent		 ev;

	ep = opscen_ep_find_identity(bs->op->scen, (const char *)identity->s,
	    identity->length);
	opevent_begin(&ev, bs->op, "psk");
	opevent_str(&ev, "role", "bootstrap");
	opevent_strn(&ev, "identity", identity->s, identity->length);
	opevent_bool(&ev, "known", ep != NULL);
	opevent_end(&ev);
	if (ep == NULL)
		return (NULL);
	bs->key.s = ep->key;
	bs->key.length = ep->keylen;
	return (&bs->key);
}

struct opbs *
opbs_create(struct op *op, char **cause)
{
	struct opbs		*bs;
	struct opscen_role	*role = &op->scen->bs;
	coap_resource_t		*r;
	coap_dtls_spsk_t	 spsk;

	bs = oputil_xcalloc(1, sizeof *bs);
	bs->op = op;
	TAILQ_INIT(&bs->runs);
	if ((bs->ctx = operator_context(op, cause)) == NULL) {
		free(bs);
		return (NULL);
	}
	if (role->dtls_port >= 0) {
		memset(&spsk, 0, sizeof spsk);
		spsk.version = COAP_DTLS_SPSK_SETUP_VERSION;
		spsk.validate_id_call_back = opbs_psk_cb;
		spsk.id_call_back_arg = bs;
		if (!coap_context_set_psk2(bs->ctx, &spsk)) {
			*cause = oputil_xstrdup("cannot set up PSK");
			goto fail;
		}
	}
	if (role->port >= 0 && (bs->udp = operator_endpoint(bs->ctx, role->address,
	    role->port, COAP_PROTO_UDP, &bs->udp_addr, cause)) == NULL)
		goto fail;
	if (role->dtls_port >= 0 && (bs->dtls = operator_endpoint(bs->ctx,
	    role->address, role->dtls_port, COAP_PROTO_DTLS, NULL, cause)) == NULL)
		goto fail;
	r = coap_resource_init(coap_make_str_const("bs"), 0);
	coap_register_request_handler(r, COAP_REQUEST_POST, opbs_request_cb);
	coap_resource_set_userdata(r, bs);
	coap_add_resource(bs->ctx, r);
	return (bs);
fail:
	coap_free_context(bs->ctx);
	free(bs);
	return (NULL);
}

void
opbs_free(struct opbs *bs)
{
	struct opbs_run	*run;

	if (bs == NULL)
		return;
	while ((run = TAILQ_FIRST(&bs->runs)) != NULL) {
		TAILQ_REMOVE(&bs->runs, run, entry);
		opreq_drop_arg(bs->op, run);
		if (run->owned) {
			opreq_purge(bs->op, run->session);
			coap_session_release(run->session);
		}
		free(run);
	}
	coap_free_context(bs->ctx);
	free(bs);
}

void
opbs_session_gone(struct opbs *bs, coap_session_t *s)
{
	struct opbs_run	*run, *next;

	if (bs == NULL)
		return;
	for (run = TAILQ_FIRST(&bs->runs); run != NULL; run = next) {
		next = TAILQ_NEXT(run, entry);
		if (run->session == s && !run->owned)
			opbs_done(run, "session closed");
	}
}

void
opbs_ready(struct opbs *bs, struct opevent *ev)
{
	if (bs->udp != NULL)
		opevent_int(ev, "bs_port", operator_endpoint_port(bs->udp));
	if (bs->dtls != NULL)
		opevent_int(ev, "bs_dtls_port", operator_endpoint_port(bs->dtls));
}

/* Server-initiated bootstrap: run ep's scenario toward addr without a Request. */
int
opbs_start(struct opbs *bs, const char *name, const char *addrstr, int secure,
    char **cause)
{
	struct opscen_ep	*ep;
	struct opbs_run		*run;
	coap_address_t		 addr;
	coap_session_t		*s = NULL;
	coap_dtls_cpsk_t	 cpsk;
	char			*identity;
	int			 owned = 0;

	if ((ep = opscen_ep_find(bs->op->scen, name)) == NULL) {
		*cause = oputil_xasprintf("no scenario for endpoint %s", name);
		return (-1);
	}
	if (oputil_addr_parse(addrstr, secure ? 5684 : 5683, &addr, cause) != 0)
		return (-1);
	/* Over the client's existing association when there is one (BS-9). */
	TAILQ_FOREACH(run, &bs->runs, entry) {
		if (coap_address_equals(coap_session_get_addr_remote(run->session),
		    &addr)) {
			s = run->session;
			owned = run->owned;
			if (owned)
				coap_session_reference(s);
			break;
		}
	}
	if (s != NULL) {
		opbs_run_start(bs, ep, s, owned);
		return (0);
	}
	if (!secure) {
		/* From the Bootstrap-Server's own port, as the client knows it. */
		if (bs->udp != NULL)
			s = coap_new_client_session(bs->ctx, &bs->udp_addr, &addr,
			    COAP_PROTO_UDP);
		if (s == NULL)
			s = coap_new_client_session(bs->ctx, NULL, &addr,
			    COAP_PROTO_UDP);
	} else {
		if (ep->key == NULL) {
			*cause = oputil_xasprintf("endpoint %s has no psk_key", name);
			return (-1);
		}
		memset(&cpsk, 0, sizeof cpsk);
		cpsk.version = COAP_DTLS_CPSK_SETUP_VERSION;
		identity = ep->identity;
		cpsk.psk_info.identity.s = (const uint8_t *)identity;
		cpsk.psk_info.identity.length = strlen(identity);
		cpsk.psk_info.key.s = ep->key;
		cpsk.psk_info.key.length = ep->keylen;
		s = coap_new_client_session_psk2(bs->ctx, NULL, &addr,
		    COAP_PROTO_DTLS, &cpsk);
	}
	if (s == NULL) {
		*cause = oputil_xasprintf("cannot open a session to %s", addrstr);
		return (-1);
	}
	opbs_run_start(bs, ep, s, 1);
	return (0);
}

coap_context_t *
opbs_context(struct opbs *bs)
{
	return (bs->ctx);
}
