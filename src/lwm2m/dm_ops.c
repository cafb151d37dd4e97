/*
 * Device Management interface, the request side: dispatch of a server's request to the
 * operation, Read (and the encoding Notify shares), Discover. Access control is checked
 * per server with dm_acl_rights before anything is touched (AC-1..3); the Security
 * object is never visible (4.01).
 *
 * Formats: a Read honours Accept (text, opaque, TLV, SenML JSON); without Accept a single
 * resource (or resource instance) goes as text/plain (opaque for opaque resources) and
 * everything else as TLV, the format every LwM2M 1.0/1.1 server reads. An Accept the
 * content cannot be expressed in is 4.06.
 *
 * A stale sensor's objects (not 0..3) answer 5.03 to Read, Observe, Write and Execute, with
 * a diagnostic payload; see docs/lwm2m.md "A stale sensor".
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "dm.h"
#include "log.h"
#include "vclient_int.h"
#include "xmalloc.h"

int
dm_ops_path(const struct cio_msg *m, struct lwm2m_path *p)
{
	size_t	i;

	*p = LWM2M_PATH_ROOT;
	for (i = 0; i < m->npath; i++) {
		if (dm_path_push(p, (const uint8_t *)m->path[i],
		    strlen(m->path[i])) != 0)
			return -1;
	}
	return 0;
}

/* Existence and rights for an operation on path; 0 or the error to answer. */
int
dm_ops_check(struct vclient *vc, uint16_t ssid, const struct lwm2m_path *p,
    unsigned right)
{
	const struct dm_object	*o;

	if (p->len == 0)
		return LWM2M_ERR_METHOD_NOT_ALLOWED;
	if (p->ids[0] == LWM2M_OID_SECURITY)
		return LWM2M_ERR_UNAUTHORIZED;	/* AC-3: never, not even "absent" */
	if ((o = dm_object_get(vc->store, p->ids[0])) == NULL)
		return LWM2M_ERR_NOT_FOUND;
	if (p->len == 1)
		return 0;
	if (!dm_instance_exists(vc->store, p->ids[0], p->ids[1]))
		return LWM2M_ERR_NOT_FOUND;
	if ((dm_acl_rights(vc->store, ssid, p->ids[0], p->ids[1]) & right) == 0)
		return LWM2M_ERR_UNAUTHORIZED;
	if (p->len >= 3 && dm_resource_find(o, p->ids[2]) == NULL)
		return LWM2M_ERR_NOT_FOUND;
	return 0;
}

/* ------------------------------------------------------------------ Read */

struct dm_ops_collect {
	struct vclient		*vc;
	uint16_t		 ssid;
	const struct dm_object	*obj;
	struct codec_entry	*e;
	size_t			 n;
	size_t			 max;
	uint16_t		 inst_start;	/* entries index of the current instance */
	int			 error;
	bool			 any_denied;
};

static int
dm_ops_collect_value(const struct lwm2m_path *p, const struct lwm2m_value *v, void *arg)
{
	struct dm_ops_collect		*c = arg;
	const struct dm_resource	*r;

	r = dm_resource_find(c->obj, p->ids[2]);
	if (r == NULL || (r->ops & LWM2M_OP_R) == 0)
		return 0;
	if (c->n >= c->max) {
		c->error = LWM2M_ERR_TOO_LARGE;
		return 1;
	}
	c->e[c->n].path = *p;
	c->e[c->n].value = *v;
	c->n++;
	return 0;
}

static int
dm_ops_collect_instance(uint16_t oid, uint16_t iid, void *arg)
{
	struct dm_ops_collect	*c = arg;
	size_t			 before = c->n;

	if ((dm_acl_rights(c->vc->store, c->ssid, oid, iid) & DM_ACL_READ) == 0) {
		c->any_denied = true;
		return 0;
	}
	dm_foreach_value(c->vc->store, &LWM2M_PATH_INST(oid, iid),
	    dm_ops_collect_value, c);
	if (c->error != 0)
		return 1;
	if (c->n == before) {
		/* An empty instance still shows in TLV. */
		if (c->n >= c->max) {
			c->error = LWM2M_ERR_TOO_LARGE;
			return 1;
		}
		c->e[c->n].path = LWM2M_PATH_INST(oid, iid);
		c->e[c->n].value.type = LWM2M_TYPE_NONE;
		c->n++;
	}
	return 0;
}

/* The format of a Read answer when the server did not ask for one. */
static int
dm_ops_default_format(const struct dm_object *o, const struct lwm2m_path *p)
{
	const struct dm_resource	*r;

	if (p->len < 3 || (r = dm_resource_find(o, p->ids[2])) == NULL)
		return LWM2M_FMT_TLV;
	if (p->len == 3 && r->multiple)
		return LWM2M_FMT_TLV;
	return r->type == LWM2M_TYPE_OPAQUE ? LWM2M_FMT_OPAQUE : LWM2M_FMT_TEXT;
}

int
dm_ops_encode(struct vclient *vc, uint16_t ssid, const struct lwm2m_path *p, int fmt,
    uint8_t *buf, size_t size, size_t *len, int *fmtp)
{
	struct dm_ops_collect		 c;
	const struct dm_resource	*r;
	int				 rc;

	memset(&c, 0, sizeof c);
	c.vc = vc;
	c.ssid = ssid;
	c.obj = dm_object_get(vc->store, p->ids[0]);
	c.e = vc->ctx->entries;
	c.max = VCLIENT_MAX_ENTRIES;
	if (c.obj == NULL)
		return LWM2M_ERR_NOT_FOUND;
	if (p->len >= 3) {
		r = dm_resource_find(c.obj, p->ids[2]);
		if (r == NULL)
			return LWM2M_ERR_NOT_FOUND;
		if ((r->ops & LWM2M_OP_R) == 0)
			return LWM2M_ERR_METHOD_NOT_ALLOWED;
		if (p->len == 4 && !r->multiple)
			return LWM2M_ERR_NOT_FOUND;
		if (!dm_exists(vc->store, p))
			return LWM2M_ERR_NOT_FOUND;
		if (r->multiple && p->len == 3 &&
		    dm_resource_count(vc->store, p->ids[0], p->ids[1], p->ids[2]) == 0) {
			c.e[0].path = *p;
			c.e[0].value.type = LWM2M_TYPE_NONE;
			c.n = 1;
		} else
			dm_foreach_value(vc->store, p, dm_ops_collect_value, &c);
	} else if (p->len == 2)
		dm_ops_collect_instance(p->ids[0], p->ids[1], &c);
	else {
		dm_foreach_instance(vc->store, p->ids[0], dm_ops_collect_instance, &c);
		if (c.n == 0 && c.any_denied)
			return LWM2M_ERR_UNAUTHORIZED;
	}
	if (c.error != 0)
		return c.error;
	if (fmt == LWM2M_FMT_NONE)
		fmt = dm_ops_default_format(c.obj, p);
	if (!codec_supported(fmt))
		return LWM2M_ERR_NOT_ACCEPTABLE;
	if ((fmt == LWM2M_FMT_TEXT || fmt == LWM2M_FMT_OPAQUE) &&
	    (c.n != 1 || !dm_path_equal(&c.e[0].path, p) ||
	    c.e[0].value.type == LWM2M_TYPE_NONE))
		return LWM2M_ERR_NOT_ACCEPTABLE;
	rc = codec_encode(fmt, p, c.e, c.n, buf, size, len);
	if (rc == LWM2M_ERR_UNSUPPORTED_FORMAT)
		rc = LWM2M_ERR_NOT_ACCEPTABLE;
	if (rc == 0 && fmtp != NULL)
		*fmtp = fmt;
	return rc;
}

bool
dm_ops_stale(const struct vclient *vc, const struct lwm2m_path *p)
{
	return vc->stale && p->len > 0 && p->ids[0] > LWM2M_OID_DEVICE;
}

int
dm_ops_read(struct vclient *vc, uint16_t ssid, const struct lwm2m_path *p, int accept,
    uint8_t *buf, size_t size, size_t *len, int *fmtp)
{
	int	rc;

	if ((rc = dm_ops_check(vc, ssid, p, DM_ACL_READ)) != 0)
		return rc;
	/* An old value must never pass for a live one. */
	if (dm_ops_stale(vc, p))
		return LWM2M_ERR_SERVICE_UNAVAILABLE;
	return dm_ops_encode(vc, ssid, p, accept, buf, size, len, fmtp);
}

/* ------------------------------------------------------------------ Discover */

/* Attributes set at exactly this level by ssid. */
static void
dm_ops_link_attrs(struct vclient *vc, uint16_t ssid, const struct lwm2m_path *p,
    struct codec_link *w)
{
	struct vattr	*a;

	LIST_FOREACH(a, &vc->attrs, entry) {
		if (a->ssid != ssid || !dm_path_equal(&a->path, p))
			continue;
		if (a->set & VATTR_PMIN)
			codec_link_attr_uint(w, "pmin", a->pmin);
		if (a->set & VATTR_PMAX)
			codec_link_attr_uint(w, "pmax", a->pmax);
		if (a->set & VATTR_GT)
			codec_link_attr_float(w, "gt", a->gt);
		if (a->set & VATTR_LT)
			codec_link_attr_float(w, "lt", a->lt);
		if (a->set & VATTR_ST)
			codec_link_attr_float(w, "st", a->st);
		if (a->set & VATTR_EPMIN)
			codec_link_attr_uint(w, "epmin", a->epmin);
		if (a->set & VATTR_EPMAX)
			codec_link_attr_uint(w, "epmax", a->epmax);
		break;
	}
}

struct dm_ops_discover_arg {
	struct vclient		*vc;
	uint16_t		 ssid;
	uint16_t		 oid;
	uint16_t		 iid;
	struct codec_link	*w;
};

static int
dm_ops_discover_res(const struct dm_resource *r, size_t n, void *arg)
{
	struct dm_ops_discover_arg	*a = arg;
	struct lwm2m_path		 p = LWM2M_PATH_RES(a->oid, a->iid, r->rid);

	codec_link_path(a->w, &p);
	if (r->multiple)
		codec_link_attr_uint(a->w, "dim", n);
	dm_ops_link_attrs(a->vc, a->ssid, &p, a->w);
	return 0;
}

static int
dm_ops_discover_inst(uint16_t oid, uint16_t iid, void *arg)
{
	struct dm_ops_discover_arg	*a = arg;
	struct lwm2m_path		 p = LWM2M_PATH_INST(oid, iid);

	if ((dm_acl_rights(a->vc->store, a->ssid, oid, iid) & DM_ACL_READ) == 0)
		return 0;
	codec_link_path(a->w, &p);
	dm_ops_link_attrs(a->vc, a->ssid, &p, a->w);
	a->oid = oid;
	a->iid = iid;
	dm_foreach_resource(a->vc->store, oid, iid, dm_ops_discover_res, a);
	return 0;
}

int
dm_ops_discover(struct vclient *vc, uint16_t ssid, const struct lwm2m_path *p,
    uint8_t *buf, size_t size, size_t *len)
{
	struct codec_link		 w;
	struct dm_ops_discover_arg	 a = { .vc = vc, .ssid = ssid, .w = &w };
	const struct dm_object		*o;
	const struct dm_resource	*r;
	int				 rc;

	if (p->len > 3)
		return LWM2M_ERR_BAD_REQUEST;
	if ((rc = dm_ops_check(vc, ssid, p, DM_ACL_READ)) != 0)
		return rc;
	o = dm_object_get(vc->store, p->ids[0]);
	codec_link_init(&w, buf, size);
	if (p->len == 1) {
		codec_link_path(&w, p);
		dm_ops_link_attrs(vc, ssid, p, &w);
		dm_foreach_instance(vc->store, p->ids[0], dm_ops_discover_inst, &a);
	} else if (p->len == 2)
		dm_ops_discover_inst(p->ids[0], p->ids[1], &a);
	else {
		if (!dm_exists(vc->store, p))
			return LWM2M_ERR_NOT_FOUND;
		r = dm_resource_find(o, p->ids[2]);
		a.oid = p->ids[0];
		a.iid = p->ids[1];
		dm_ops_discover_res(r, dm_resource_count(vc->store, p->ids[0], p->ids[1],
		    p->ids[2]), &a);
	}
	return codec_link_finish(&w, len);
}

/* ------------------------------------------------------------------ dispatch */

static void
dm_ops_answer(struct cio_exchange *ex, int rc, uint8_t ok)
{
	cio_respond(ex, rc < 0 ? (uint8_t)-rc : ok, CIO_FMT_NONE, NULL, 0,
	    CIO_OBSERVE_NONE);
}

/* 5.03 with a diagnostic payload (RFC 7252 §5.5.2) saying how long the sensor is stale. */
static void
dm_ops_answer_stale(struct vclient *vc, struct cio_exchange *ex)
{
	char	diag[64];
	int	n;

	n = snprintf(diag, sizeof diag, "sensor stale for %llu s",
	    (unsigned long long)((vclient_now_ms(vc->ctx) - vc->stale_ms) / 1000));
	cio_respond(ex, (uint8_t)-LWM2M_ERR_SERVICE_UNAVAILABLE, CIO_FMT_NONE, diag,
	    n > 0 && (size_t)n < sizeof diag ? (size_t)n : 0, CIO_OBSERVE_NONE);
}

static void
dm_ops_get(struct vclient *vc, struct vpeer *peer, struct cio_exchange *ex,
    const struct cio_msg *req, const struct lwm2m_path *p)
{
	uint8_t		*buf = vc->ctx->buf;
	size_t		 len = 0;
	uint32_t	 seq;
	int		 rc, fmt = LWM2M_FMT_NONE;

	if (req->accept == LWM2M_FMT_LINK) {
		rc = dm_ops_discover(vc, peer->ssid, p, buf, VCLIENT_BUF_SIZE, &len);
		if (rc != 0)
			dm_ops_answer(ex, rc, 0);
		else
			cio_respond(ex, LWM2M_CONTENT, LWM2M_FMT_LINK, buf, len,
			    CIO_OBSERVE_NONE);
		return;
	}
	if (req->observe == 1) {
		log_ep_debug(vc->endpoint, "%s: Cancel Observation", peer->name);
		observe_cancel_token(vc, peer->ssid, req->token, req->token_len);
	}
	rc = dm_ops_read(vc, peer->ssid, p, req->accept == CIO_FMT_NONE ?
	    LWM2M_FMT_NONE : req->accept, buf, VCLIENT_BUF_SIZE, &len, &fmt);
	if (rc == LWM2M_ERR_SERVICE_UNAVAILABLE && dm_ops_stale(vc, p)) {
		/* An error establishes no observation and ends the one it re-registers
		 * (RFC 7641 §4.1): the server forgets its token. */
		if (req->observe == 0)
			observe_cancel_token(vc, peer->ssid, req->token, req->token_len);
		dm_ops_answer_stale(vc, ex);
		return;
	}
	if (rc != 0) {
		dm_ops_answer(ex, rc, 0);
		return;
	}
	if (req->observe == 0 && !req->block2.set) {
		if (observe_start(vc, peer->ssid, p, req->token, req->token_len, fmt,
		    &seq) == 0) {
			cio_respond(ex, LWM2M_CONTENT, fmt, buf, len, seq);
			return;
		}
	}
	cio_respond(ex, LWM2M_CONTENT, fmt, buf, len, CIO_OBSERVE_NONE);
}

/*
 * Write and Execute on a stale sensor: 5.03 at once, as for a gone one, rather than a
 * 5.04 after the backend timeout from a sensor that stopped talking. Existence and rights
 * are answered first, so the 5.03 tells nothing a Read would not.
 */
static bool
dm_ops_stale_refused(struct vclient *vc, struct vpeer *peer, struct cio_exchange *ex,
    const struct lwm2m_path *p, bool execute)
{
	const struct dm_resource	*r;

	if (!dm_ops_stale(vc, p) || p->len < 2 || (execute && p->len != 3))
		return false;
	if (dm_ops_check(vc, peer->ssid, p, execute ? DM_ACL_EXECUTE :
	    DM_ACL_WRITE) != 0)
		return false;
	if (p->len >= 3) {
		r = dm_resource_find(dm_object_get(vc->store, p->ids[0]), p->ids[2]);
		if (r == NULL || (r->ops & (execute ? LWM2M_OP_E : LWM2M_OP_W)) == 0)
			return false;
	}
	dm_ops_answer_stale(vc, ex);
	return true;
}

void
dm_ops_handle(struct vclient *vc, struct vpeer *peer, struct cio_exchange *ex,
    const struct cio_msg *req)
{
	struct lwm2m_path	 p;

	if (dm_ops_path(req, &p) != 0) {
		dm_ops_answer(ex, LWM2M_ERR_NOT_FOUND, 0);
		return;
	}
	switch (req->code) {
	case CIO_GET:
		dm_ops_get(vc, peer, ex, req, &p);
		break;
	case CIO_PUT:
		if (req->payload_len == 0 && req->nquery > 0) {
			dm_ops_answer(ex, dm_ops_write_attrs(vc, peer->ssid, &p,
			    req->query, req->nquery), LWM2M_CHANGED);
			break;
		}
		if (dm_ops_stale_refused(vc, peer, ex, &p, false))
			break;
		dm_ops_write_request(vc, peer, ex, req, &p, true);
		break;
	case CIO_POST:
		if ((p.len == 2 || p.len == 3) &&
		    dm_ops_stale_refused(vc, peer, ex, &p, p.len == 3))
			break;
		if (p.len == 1)
			dm_ops_create_request(vc, peer, ex, req, &p);
		else if (p.len == 2)
			dm_ops_write_request(vc, peer, ex, req, &p, false);
		else if (p.len == 3)
			dm_ops_execute_request(vc, peer, ex, req, &p);
		else
			dm_ops_answer(ex, LWM2M_ERR_METHOD_NOT_ALLOWED, 0);
		break;
	case CIO_DELETE:
		dm_ops_answer(ex, dm_ops_delete(vc, peer->ssid, &p), LWM2M_DELETED);
		break;
	default:
		dm_ops_answer(ex, LWM2M_ERR_METHOD_NOT_ALLOWED, 0);
		break;
	}
}
