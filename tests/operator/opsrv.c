/*
 * LwM2M Server role: Register (POST /rd), Update (POST /rd/N), De-register
 * (DELETE /rd/N), the registrations they leave (expired after their lifetime), and
 * pause/resume to play a server that is down.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operator.h"

struct opsrv {
	struct op		*op;
	coap_context_t		*ctx;
	coap_endpoint_t		*udp;
	coap_endpoint_t		*dtls;
	coap_address_t		 udp_addr;
	coap_address_t		 dtls_addr;
	coap_bin_const_t	 key;
	unsigned		 next_id;
	int			 paused;
	TAILQ_HEAD(, opsrv_reg)	 regs;
};

static void
opsrv_reg_free(struct opsrv *srv, struct opsrv_reg *reg)
{
	operator_timer_cancel(srv->op, reg);
	TAILQ_REMOVE(&srv->regs, reg, entry);
	free(reg->ep);
	free(reg->lwm2m);
	free(reg->binding);
	free(reg->objects);
	free(reg);
}

/* A client that neither updated nor de-registered within its lifetime is gone. */
static void
opsrv_expire_timer(struct op *op, void *arg)
{
	struct opsrv_reg	*reg = arg;
	struct opevent		 ev;
	char			 path[24];

	snprintf(path, sizeof path, "rd/%u", reg->id);
	opevent_begin(&ev, op, "expired");
	opevent_str(&ev, "ep", reg->ep);
	opevent_str(&ev, "id", path);
	opevent_int(&ev, "lt", reg->lifetime);
	opevent_end(&ev);
	opsrv_reg_free(op->srv, reg);
}

static void
opsrv_reg_touch(struct opsrv *srv, struct opsrv_reg *reg)
{
	operator_timer_cancel(srv->op, reg);
	if (reg->lifetime > 0)
		operator_timer_add(srv->op, reg->lifetime > 86400 * 24 ? 86400 * 24000 :
		    reg->lifetime * 1000, opsrv_expire_timer, reg);
}

struct opsrv_reg *
opsrv_reg_find(struct opsrv *srv, const char *ep)
{
	struct opsrv_reg	*reg;

	if (srv == NULL)
		return (NULL);
	TAILQ_FOREACH(reg, &srv->regs, entry) {
		if (strcmp(reg->ep, ep) == 0)
			return (reg);
	}
	return (NULL);
}

/* The registration a /rd/N resource stands for, if it is still registered. */
static struct opsrv_reg *
opsrv_reg_by_resource(struct opsrv *srv, coap_resource_t *r)
{
	struct opsrv_reg	*reg;
	coap_str_const_t	*uri = coap_resource_get_uri_path(r);
	unsigned		 id;
	char			 buf[32];

	if (uri == NULL || uri->length >= sizeof buf)
		return (NULL);
	memcpy(buf, uri->s, uri->length);
	buf[uri->length] = '\0';
	if (sscanf(buf, "rd/%u", &id) != 1)
		return (NULL);
	TAILQ_FOREACH(reg, &srv->regs, entry) {
		if (reg->id == id)
			return (reg);
	}
	return (NULL);
}

/* The object instances of a Register/Update payload, as a JSON array of paths. */
static char *
opsrv_objects(const uint8_t *data, size_t len)
{
	struct opbuf	 b;
	const char	*p = (const char *)data, *end = p + len, *lt, *gt;
	int		 first = 1;

	opbuf_init(&b);
	opbuf_addc(&b, '[');
	while (p < end && (lt = memchr(p, '<', (size_t)(end - p))) != NULL) {
		if ((gt = memchr(lt, '>', (size_t)(end - lt))) == NULL)
			break;
		if (gt - lt > 2) {
			if (!first)
				opbuf_addc(&b, ',');
			first = 0;
			opbuf_json(&b, lt + 1, (size_t)(gt - lt - 1));
		}
		p = gt + 1;
	}
	opbuf_addc(&b, ']');
	return (b.p);
}

static void
opsrv_event_common(struct opevent *ev, coap_session_t *s, const coap_pdu_t *request)
{
	const coap_bin_const_t	*id;
	const uint8_t		*data = NULL;
	size_t			 len = 0, off, total;

	opevent_addr(ev, "from", coap_session_get_addr_remote(s));
	opevent_bool(ev, "secure", coap_session_get_proto(s) == COAP_PROTO_DTLS);
	if (coap_session_get_proto(s) == COAP_PROTO_DTLS &&
	    (id = coap_session_get_psk_identity(s)) != NULL)
		opevent_strn(ev, "identity", id->s, id->length);
	if (coap_get_data_large(request, &len, &data, &off, &total) && len != 0)
		opevent_strn(ev, "payload", data, len);
}

static void
opsrv_event_path(struct opevent *ev, coap_resource_t *r)
{
	coap_str_const_t	*uri = coap_resource_get_uri_path(r);

	if (uri != NULL)
		opevent_strn(ev, "path", uri->s, uri->length);
}

static void
opsrv_update_cb(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *request,
    const coap_string_t *query, coap_pdu_t *response)
{
	struct opsrv		*srv = coap_resource_get_userdata(r);
	struct opsrv_reg	*reg = opsrv_reg_by_resource(srv, r);
	struct opevent		 ev;
	const char		*q = query != NULL ? (const char *)query->s : NULL;
	size_t			 qlen = query != NULL ? query->length : 0;
	const uint8_t		*data = NULL;
	size_t			 len = 0, off, total;
	char			*lt, *b, path[24];

	opevent_begin(&ev, srv->op, "update");
	if (reg == NULL) {
		opsrv_event_path(&ev, r);
		opevent_str(&ev, "error", "unknown registration");
		opevent_code(&ev, "answer", COAP_RESPONSE_CODE(404));
		opsrv_event_common(&ev, s, request);
		opevent_end(&ev);
		coap_pdu_set_code(response, COAP_RESPONSE_CODE(404));
		return;
	}
	snprintf(path, sizeof path, "rd/%u", reg->id);
	opevent_str(&ev, "ep", reg->ep);
	opevent_str(&ev, "id", path);
	if ((lt = oputil_query_get(q, qlen, "lt")) != NULL) {
		reg->lifetime = atoi(lt);
		opevent_int(&ev, "lt", reg->lifetime);
		free(lt);
	}
	if ((b = oputil_query_get(q, qlen, "b")) != NULL) {
		free(reg->binding);
		reg->binding = b;
		opevent_str(&ev, "b", b);
	}
	if (coap_get_data_large(request, &len, &data, &off, &total) && len != 0) {
		free(reg->objects);
		reg->objects = opsrv_objects(data, len);
		opevent_raw(&ev, "objects", reg->objects);
	}
	opsrv_event_common(&ev, s, request);
	opevent_code(&ev, "answer", COAP_RESPONSE_CODE(204));
	opevent_end(&ev);
	reg->session = s;
	memcpy(&reg->remote, coap_session_get_addr_remote(s), sizeof reg->remote);
	opsrv_reg_touch(srv, reg);
	coap_pdu_set_code(response, COAP_RESPONSE_CODE(204));
}

static void
opsrv_deregister_cb(coap_resource_t *r, coap_session_t *s,
    const coap_pdu_t *request, const coap_string_t *query, coap_pdu_t *response)
{
	struct opsrv		*srv = coap_resource_get_userdata(r);
	struct opsrv_reg	*reg = opsrv_reg_by_resource(srv, r);
	struct opevent		 ev;
	int			 code;
	char			 path[24];

	code = COAP_RESPONSE_CODE(reg != NULL ? 202 : 404);
	opevent_begin(&ev, srv->op, "deregister");
	if (reg != NULL) {
		snprintf(path, sizeof path, "rd/%u", reg->id);
		opevent_str(&ev, "ep", reg->ep);
		opevent_str(&ev, "id", path);
	} else {
		opsrv_event_path(&ev, r);
		opevent_str(&ev, "error", "unknown registration");
	}
	opsrv_event_common(&ev, s, request);
	opevent_code(&ev, "answer", code);
	opevent_end(&ev);
	if (reg != NULL)
		opsrv_reg_free(srv, reg);
	coap_pdu_set_code(response, (coap_pdu_code_t)code);
}

static void
opsrv_register_cb(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *request,
    const coap_string_t *query, coap_pdu_t *response)
{
	struct opsrv		*srv = coap_resource_get_userdata(r);
	struct opsrv_reg	*reg, *old;
	struct opevent		 ev;
	coap_resource_t		*rr;
	const char		*q = query != NULL ? (const char *)query->s : NULL;
	size_t			 qlen = query != NULL ? query->length : 0;
	const uint8_t		*data = NULL;
	size_t			 len = 0, off, total;
	char			*ep, *lt, loc[16], path[24];

	if ((ep = oputil_query_get(q, qlen, "ep")) == NULL || *ep == '\0') {
		opevent_begin(&ev, srv->op, "register");
		opevent_str(&ev, "error", "no endpoint name");
		opsrv_event_common(&ev, s, request);
		opevent_code(&ev, "answer", COAP_RESPONSE_CODE(400));
		opevent_end(&ev);
		free(ep);
		coap_pdu_set_code(response, COAP_RESPONSE_CODE(400));
		return;
	}
	reg = oputil_xcalloc(1, sizeof *reg);
	reg->id = ++srv->next_id;
	reg->ep = ep;
	reg->lifetime = 86400;
	if ((lt = oputil_query_get(q, qlen, "lt")) != NULL) {
		reg->lifetime = atoi(lt);
		free(lt);
	}
	reg->lwm2m = oputil_query_get(q, qlen, "lwm2m");
	if ((reg->binding = oputil_query_get(q, qlen, "b")) == NULL)
		reg->binding = oputil_xstrdup("U");
	if (!coap_get_data_large(request, &len, &data, &off, &total))
		len = 0;
	reg->objects = opsrv_objects(data, len);
	reg->session = s;
	memcpy(&reg->remote, coap_session_get_addr_remote(s), sizeof reg->remote);
	reg->live = 1;

	opevent_begin(&ev, srv->op, "register");
	opevent_str(&ev, "ep", reg->ep);
	opevent_int(&ev, "lt", reg->lifetime);
	opevent_str(&ev, "lwm2m", reg->lwm2m);
	opevent_str(&ev, "b", reg->binding);
	opevent_raw(&ev, "objects", reg->objects);
	snprintf(path, sizeof path, "rd/%u", reg->id);
	opevent_str(&ev, "id", path);
	if ((old = opsrv_reg_find(srv, ep)) != NULL) {
		snprintf(loc, sizeof loc, "rd/%u", old->id);
		opevent_str(&ev, "replaces", loc);
		opsrv_reg_free(srv, old);
	}
	opsrv_event_common(&ev, s, request);
	opevent_code(&ev, "answer", COAP_RESPONSE_CODE(201));
	opevent_end(&ev);
	TAILQ_INSERT_TAIL(&srv->regs, reg, entry);
	opsrv_reg_touch(srv, reg);

	rr = coap_resource_init(coap_new_str_const((const uint8_t *)path,
	    strlen(path)), COAP_RESOURCE_FLAGS_RELEASE_URI);
	if (rr != NULL) {
		coap_register_request_handler(rr, COAP_REQUEST_POST, opsrv_update_cb);
		coap_register_request_handler(rr, COAP_REQUEST_DELETE,
		    opsrv_deregister_cb);
		coap_resource_set_userdata(rr, srv);
		coap_add_resource(srv->ctx, rr);
	}
	snprintf(loc, sizeof loc, "%u", reg->id);
	coap_add_option(response, COAP_OPTION_LOCATION_PATH, 2,
	    (const uint8_t *)"rd");
	coap_add_option(response, COAP_OPTION_LOCATION_PATH, strlen(loc),
	    (const uint8_t *)loc);
	coap_pdu_set_code(response, COAP_RESPONSE_CODE(201));
}

/* Requests on no known resource: 4.04, and an event saying what it was. */
static void
opsrv_unknown_cb(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *request,
    const coap_string_t *query, coap_pdu_t *response)
{
	struct opsrv	*srv = coap_resource_get_userdata(r);
	struct opevent	 ev;
	coap_string_t	*path = coap_get_uri_path(request);
	const char	*name = "request";
	int		 code = coap_pdu_get_code(request);

	if (path != NULL && path->length > 3 && memcmp(path->s, "rd/", 3) == 0) {
		if (code == COAP_REQUEST_CODE_POST)
			name = "update";
		else if (code == COAP_REQUEST_CODE_DELETE)
			name = "deregister";
	}
	opevent_begin(&ev, srv->op, name);
	opevent_code(&ev, "method", code);
	if (path != NULL)
		opevent_strn(&ev, "path", path->s, path->length);
	opevent_str(&ev, "error", strcmp(name, "request") == 0 ?
	    "unknown resource" : "unknown registration");
	opsrv_event_common(&ev, s, request);
	opevent_code(&ev, "answer", COAP_RESPONSE_CODE(404));
	opevent_end(&ev);
	coap_delete_string(path);
	coap_pdu_set_code(response, COAP_RESPONSE_CODE(404));
}

static const coap_bin_const_t *
opsrv_psk_cb(coap_bin_const_t *identity, coap_session_t *s, void *arg)
{
	struct opsrv		*srv = arg;
	struct opscen_psk	*psk, *found = NULL;
	struct opevent		 ev;

	TAILQ_FOREACH(psk, &srv->op->scen->psks, entry) {
		if (strlen(psk->identity) == identity->length &&
		    memcmp(psk->identity, identity->s, identity->length) == 0)
			found = psk;
	}
	opevent_begin(&ev, srv->op, "psk");
	opevent_str(&ev, "role", "server");
	opevent_strn(&ev, "identity", identity->s, identity->length);
	opevent_bool(&ev, "known", found != NULL);
	opevent_end(&ev);
	if (found == NULL)
		return (NULL);
	srv->key.s = found->key;
	srv->key.length = found->keylen;
	return (&srv->key);
}

static int
opsrv_open(struct opsrv *srv, int udp_port, int dtls_port, char **cause)
{
	const char	*address = srv->op->scen->srv.address;

	if (udp_port >= 0 && (srv->udp = operator_endpoint(srv->ctx, address,
	    udp_port, COAP_PROTO_UDP, &srv->udp_addr, cause)) == NULL)
		return (-1);
	if (dtls_port >= 0 && (srv->dtls = operator_endpoint(srv->ctx, address,
	    dtls_port, COAP_PROTO_DTLS, &srv->dtls_addr, cause)) == NULL)
		return (-1);
	return (0);
}

struct opsrv *
opsrv_create(struct op *op, char **cause)
{
	struct opsrv		*srv;
	struct opscen_role	*role = &op->scen->srv;
	coap_resource_t		*r;
	coap_dtls_spsk_t	 spsk;

	srv = oputil_xcalloc(1, sizeof *srv);
	srv->op = op;
	TAILQ_INIT(&srv->regs);
	if ((srv->ctx = operator_context(op, cause)) == NULL) {
		free(srv);
		return (NULL);
	}
	if (role->dtls_port >= 0) {
		memset(&spsk, 0, sizeof spsk);
		spsk.version = COAP_DTLS_SPSK_SETUP_VERSION;
		spsk.validate_id_call_back = opsrv_psk_cb;
		spsk.id_call_back_arg = srv;
		if (!coap_context_set_psk2(srv->ctx, &spsk)) {
			*cause = oputil_xstrdup("cannot set up PSK");
			goto fail;
		}
	}
	if (opsrv_open(srv, role->port, role->dtls_port, cause) != 0)
		goto fail;
	r = coap_resource_init(coap_make_str_const("rd"), 0);
	coap_register_request_handler(r, COAP_REQUEST_POST, opsrv_register_cb);
	coap_resource_set_userdata(r, srv);
	coap_add_resource(srv->ctx, r);
	r = coap_resource_unknown_init2(opsrv_unknown_cb, 0);
	coap_register_request_handler(r, COAP_REQUEST_POST, opsrv_unknown_cb);
	coap_register_request_handler(r, COAP_REQUEST_GET, opsrv_unknown_cb);
	coap_register_request_handler(r, COAP_REQUEST_DELETE, opsrv_unknown_cb);
	coap_resource_set_userdata(r, srv);
	coap_add_resource(srv->ctx, r);
	return (srv);
fail:
	coap_free_context(srv->ctx);
	free(srv);
	return (NULL);
}

void
opsrv_free(struct opsrv *srv)
{
	struct opsrv_reg	*reg;

	if (srv == NULL)
		return;
	while ((reg = TAILQ_FIRST(&srv->regs)) != NULL)
		opsrv_reg_free(srv, reg);
	coap_free_context(srv->ctx);
	free(srv);
}

void
opsrv_session_gone(struct opsrv *srv, coap_session_t *s)
{
	struct opsrv_reg	*reg;

	if (srv == NULL)
		return;
	TAILQ_FOREACH(reg, &srv->regs, entry) {
		if (reg->session == s)
			reg->session = NULL;
	}
}

/* Close the ports: the client sees a server that is down (ICMP unreachable). */
int
opsrv_pause(struct opsrv *srv, char **cause)
{
	struct opsrv_reg	*reg;
	struct opreq		*req;

	if (srv->paused) {
		*cause = oputil_xstrdup("already paused");
		return (-1);
	}
	TAILQ_FOREACH(reg, &srv->regs, entry)
		reg->session = NULL;
	for (;;) {
		TAILQ_FOREACH(req, &srv->op->reqs, entry) {
			if (req->ctx == srv->ctx)
				break;
		}
		if (req == NULL)
			break;
		req->busy = 1;
		if (req->cb != NULL)
			req->cb(srv->op, req, NULL, "server paused");
		opreq_free(srv->op, req);
	}
	if (srv->udp != NULL)
		coap_free_endpoint(srv->udp);
	if (srv->dtls != NULL)
		coap_free_endpoint(srv->dtls);
	srv->udp = srv->dtls = NULL;
	srv->paused = 1;
	return (0);
}

int
opsrv_resume(struct opsrv *srv, char **cause)
{
	struct opscen_role	*role = &srv->op->scen->srv;

	if (!srv->paused) {
		*cause = oputil_xstrdup("not paused");
		return (-1);
	}
	if (opsrv_open(srv, role->port >= 0 ?
	    coap_address_get_port(&srv->udp_addr) : -1, role->dtls_port >= 0 ?
	    coap_address_get_port(&srv->dtls_addr) : -1, cause) != 0)
		return (-1);
	srv->paused = 0;
	return (0);
}

void
opsrv_ready(struct opsrv *srv, struct opevent *ev)
{
	if (srv->udp != NULL)
		opevent_int(ev, "server_port", operator_endpoint_port(srv->udp));
	if (srv->dtls != NULL)
		opevent_int(ev, "server_dtls_port", operator_endpoint_port(srv->dtls));
}

coap_context_t *
opsrv_context(struct opsrv *srv)
{
	return (srv->ctx);
}

struct opsrv_reg *
opsrv_first(struct opsrv *srv)
{
	return (TAILQ_FIRST(&srv->regs));
}
