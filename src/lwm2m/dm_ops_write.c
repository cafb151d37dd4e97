/*
 * Device Management operations that change things: Write (replace and partial update),
 * Execute, Create, Delete, with access control per server (AC-1..3). Changes are applied
 * to a clone of the store, made durable (persist) and only then swapped in, so a bad
 * payload or a failed save leaves the store as it was and the reply never claims more
 * than what is on disk. Sensor-backed objects go to the sensor, whose answer may come
 * later (deferred CoAP response, 5.04 after the backend timeout).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "bootstrap.h"
#include "codec.h"
#include "dm.h"
#include "log.h"
#include "vclient_int.h"
#include "xmalloc.h"

/* Decoded values of one Write or Create. */
struct dm_ops_decoded {
	struct vclient			*vc;
	const struct lwm2m_path		*target;
	bool				 create;
	struct codec_entry		*e;
	size_t				 n;
	size_t				 cap;
	struct lwm2m_path		 clear[64];	/* multiple resources replaced */
	size_t				 nclear;
	int				 error;
};

static const struct dm_object *
dm_ops_lookup(void *arg, uint16_t oid)
{
	struct vclient	*vc = arg;

	return dm_object_get(vc->store, oid);
}

static int
dm_ops_decoded_entry(void *arg, const struct lwm2m_path *p, const struct dm_resource *def,
    const struct lwm2m_value *v)
{
	struct dm_ops_decoded	*d = arg;
	size_t			 i;

	if (p->len < 2)
		return LWM2M_ERR_BAD_REQUEST;
	if (p->len == 2) {
		/* An empty instance: only meaningful for Create. */
		if (d->create && d->n < d->cap) {
			d->e[d->n].path = *p;
			d->e[d->n].value.type = LWM2M_TYPE_NONE;
			d->n++;
		}
		return 0;
	}
	if (def == NULL)
		return LWM2M_ERR_NOT_FOUND;
	if (def->type == LWM2M_TYPE_NONE)
		return LWM2M_ERR_METHOD_NOT_ALLOWED;
	if (!d->create && (def->ops & LWM2M_OP_W) == 0)
		return LWM2M_ERR_METHOD_NOT_ALLOWED;
	if (def->multiple) {
		struct lwm2m_path r = LWM2M_PATH_RES(p->ids[0], p->ids[1], p->ids[2]);

		for (i = 0; i < d->nclear; i++) {
			if (dm_path_equal(&d->clear[i], &r))
				break;
		}
		if (i == d->nclear) {
			if (d->nclear == sizeof d->clear / sizeof d->clear[0])
				return LWM2M_ERR_TOO_LARGE;
			d->clear[d->nclear++] = r;
		}
	}
	if (v->type == LWM2M_TYPE_NONE)
		return 0;		/* an emptied multiple resource */
	if (p->len == 3 && def->multiple)
		return LWM2M_ERR_BAD_REQUEST;
	if (d->n == d->cap) {
		d->cap = d->cap == 0 ? 16 : d->cap * 2;
		d->e = xreallocarray(d->e, d->cap, sizeof *d->e);
	}
	d->e[d->n].path = *p;
	d->e[d->n].value = *v;
	d->n++;
	return 0;
}

static int
dm_ops_decode(struct vclient *vc, const struct lwm2m_path *base, int fmt,
    const uint8_t *payload, size_t len, struct dm_ops_decoded *d, uint8_t **scratch)
{
	struct codec_decoder	dec;
	int			rc;

	if (fmt == LWM2M_FMT_NONE || fmt < 0)
		return LWM2M_ERR_BAD_REQUEST;
	if (!codec_supported(fmt))
		return LWM2M_ERR_UNSUPPORTED_FORMAT;
	memset(&dec, 0, sizeof dec);
	dec.lookup = dm_ops_lookup;
	dec.lookup_arg = vc;
	dec.entry = dm_ops_decoded_entry;
	dec.entry_arg = d;
	*scratch = xmalloc(len + 1);
	dec.scratch = *scratch;
	dec.scratchsize = len + 1;
	rc = codec_decode(&dec, fmt, base, payload, len);
	if (rc != 0)
		log_ep_debug(vc->endpoint, "payload refused: %s", dec.why != NULL ?
		    dec.why : "?");
	return rc;
}

/* Commit a clone: durable first, then swapped in. */
static int
dm_ops_commit(struct vclient *vc, struct dm_store *clone)
{
	if (vclient_persist_store(vc, clone) != 0) {
		dm_store_free(clone);
		return LWM2M_ERR_INTERNAL;
	}
	dm_store_swap(vc->store, clone);
	dm_store_free(clone);
	return 0;
}

/* ------------------------------------------------------------------ pending (backed) */

static void
dm_ops_pending_timer(evutil_socket_t fd, short events, void *arg)
{
	struct vpending	*pd = arg;

	(void)fd;
	(void)events;
	log_ep(LOG_NOTICE, pd->vc->endpoint, "sensor did not answer in %u ms",
	    pd->vc->ctx->params.backend_timeout_ms);
	dm_ops_pending_done(pd, LWM2M_ERR_GATEWAY_TIMEOUT);
}

static struct vpending *
dm_ops_pending_new(struct vclient *vc)
{
	struct vpending	*pd;

	pd = xcalloc(1, sizeof *pd);
	pd->vc = vc;
	pd->cookie = vc->next_cookie++;
	pd->ok_code = LWM2M_CHANGED;
	return pd;
}

/* Keep a copy of a value to store once the sensor accepted it. */
static void
dm_ops_pending_keep(struct vpending *pd, const struct codec_entry *e)
{
	struct codec_entry	*k;

	pd->entries = xreallocarray(pd->entries, pd->nentries + 1, sizeof *pd->entries);
	k = &pd->entries[pd->nentries++];
	*k = *e;
	if (e->value.type == LWM2M_TYPE_STRING || e->value.type == LWM2M_TYPE_OPAQUE ||
	    e->value.type == LWM2M_TYPE_CORELNK)
		k->value.v.bytes.ptr = e->value.v.bytes.len == 0 ? NULL :
		    xmemdup(e->value.v.bytes.ptr, e->value.v.bytes.len);
}

void
dm_ops_pending_free(struct vpending *pd)
{
	size_t	i;

	if (pd == NULL)
		return;
	for (i = 0; i < pd->nentries; i++) {
		switch (pd->entries[i].value.type) {
		case LWM2M_TYPE_STRING:
		case LWM2M_TYPE_OPAQUE:
		case LWM2M_TYPE_CORELNK:
			free((void *)pd->entries[i].value.v.bytes.ptr);
			break;
		default:
			break;
		}
	}
	free(pd->entries);
	if (pd->timer != NULL)
		event_free(pd->timer);
	free(pd);
}

void
dm_ops_pending_done(struct vpending *pd, int code)
{
	struct vclient	*vc = pd->vc;
	size_t		 i;

	LIST_REMOVE(pd, entry);
	if (code == 0 && pd->nentries > 0) {
		for (i = 0; i < pd->nentries; i++) {
			if (pd->entries[i].value.v.bytes.ptr == NULL &&
			    (pd->entries[i].value.type == LWM2M_TYPE_STRING ||
			    pd->entries[i].value.type == LWM2M_TYPE_OPAQUE))
				pd->entries[i].value.v.bytes.ptr = (const uint8_t *)"";
			vclient_reading(vc, &pd->entries[i].path, &pd->entries[i].value);
		}
		/* Writable values are part of the state file: on disk before 2.04. */
		if (vclient_persist(vc) != 0)
			code = LWM2M_ERR_INTERNAL;
	}
	if (pd->ex != NULL)
		cio_respond(pd->ex, code < 0 ? (uint8_t)-code : pd->ok_code,
		    CIO_FMT_NONE, NULL, 0, CIO_OBSERVE_NONE);
	pd->ex = NULL;
	dm_ops_pending_free(pd);
}

/* Answer now, or defer until the sensor answers. */
static void
dm_ops_finish(struct vclient *vc, struct vpending *pd, struct cio_exchange *ex, int rc,
    uint8_t ok)
{
	if (rc == VCLIENT_PENDING) {
		pd->ex = cio_defer(ex);
		pd->ok_code = ok;
		pd->timer = evtimer_new(vc->ctx->base, dm_ops_pending_timer, pd);
		vclient_timer_add(vc->ctx, pd->timer, vc->ctx->params.backend_timeout_ms);
		LIST_INSERT_HEAD(&vc->pending, pd, entry);
		return;
	}
	dm_ops_pending_free(pd);
	cio_respond(ex, rc < 0 ? (uint8_t)-rc : ok, CIO_FMT_NONE, NULL, 0,
	    CIO_OBSERVE_NONE);
}

/* ------------------------------------------------------------------ Write */

/* Sensor-backed: every value to the sensor; those it accepts at once are stored. */
static int
dm_ops_write_backed(struct vclient *vc, struct dm_ops_decoded *d)
{
	struct vpending	*pd = vc->cur_pending;
	size_t		 i;
	int		 rc, first = 0;

	for (i = 0; i < d->n; i++) {
		rc = dm_backend_write(vc->store, &d->e[i].path, &d->e[i].value);
		if (rc == VCLIENT_PENDING && pd != NULL) {
			pd->outstanding++;
			dm_ops_pending_keep(pd, &d->e[i]);
		} else if (rc == 0)
			vclient_reading(vc, &d->e[i].path, &d->e[i].value);
		else if (first == 0)
			first = rc < 0 ? rc : LWM2M_ERR_INTERNAL;
	}
	if (pd != NULL && pd->outstanding > 0) {
		pd->result = first;
		return VCLIENT_PENDING;
	}
	if (first == 0 && vclient_persist(vc) != 0)
		return LWM2M_ERR_INTERNAL;
	return first;
}

int
dm_ops_write(struct vclient *vc, uint16_t ssid, const struct lwm2m_path *p, bool replace,
    int fmt, const uint8_t *payload, size_t len)
{
	struct dm_ops_decoded	 d;
	struct dm_store		*clone;
	uint8_t			*scratch = NULL;
	uint16_t		 sid;
	int64_t			 v;
	size_t			 i;
	int			 rc;

	if (p->len < 2)
		return p->len == 1 && p->ids[0] == LWM2M_OID_SECURITY ?
		    LWM2M_ERR_UNAUTHORIZED : LWM2M_ERR_METHOD_NOT_ALLOWED;
	if (!replace && p->len != 2)
		return LWM2M_ERR_METHOD_NOT_ALLOWED;
	if ((rc = dm_ops_check(vc, ssid, p, DM_ACL_WRITE)) != 0)
		return rc;
	memset(&d, 0, sizeof d);
	d.vc = vc;
	d.target = p;
	if ((rc = dm_ops_decode(vc, p, fmt, payload, len, &d, &scratch)) != 0)
		goto out;
	if (d.n == 0 && d.nclear == 0) {
		rc = LWM2M_ERR_BAD_REQUEST;
		goto out;
	}
	if (dm_backend_is_backed(vc->store, p->ids[0])) {
		rc = dm_ops_write_backed(vc, &d);
		goto out;
	}
	clone = dm_store_clone(vc->store);
	/* Replace: a multiple resource written is replaced whole; partial update
	 * (POST) adds or changes resource instances. */
	for (i = 0; replace && i < d.nclear; i++) {
		if ((rc = dm_resource_clear(clone, d.clear[i].ids[0], d.clear[i].ids[1],
		    d.clear[i].ids[2])) != 0) {
			dm_store_free(clone);
			goto out;
		}
	}
	for (i = 0; i < d.n; i++) {
		if ((rc = dm_set(clone, &d.e[i].path, &d.e[i].value, NULL)) != 0) {
			dm_store_free(clone);
			goto out;
		}
	}
	if ((rc = dm_ops_commit(vc, clone)) != 0)
		goto out;
	observe_changed(vc, p);
	if (p->ids[0] == LWM2M_OID_SERVER && dm_get_int(vc->store,
	    &LWM2M_PATH_RES(LWM2M_OID_SERVER, p->ids[1], DM_SRV_RID_SSID), &v) == 0 &&
	    v > 0 && v < LWM2M_ID_NONE) {
		sid = (uint16_t)v;
		registration_server_written(vc, sid);
	}
out:
	free(scratch);
	free(d.e);
	return rc;
}

void
dm_ops_write_request(struct vclient *vc, struct vpeer *peer, struct cio_exchange *ex,
    const struct cio_msg *req, const struct lwm2m_path *p, bool replace)
{
	struct vpending	*pd = dm_ops_pending_new(vc);
	int		 rc;

	vc->cur_pending = pd;
	rc = dm_ops_write(vc, peer->ssid, p, replace, req->format, req->payload,
	    req->payload_len);
	vc->cur_pending = NULL;
	dm_ops_finish(vc, pd, ex, rc, LWM2M_CHANGED);
}

/* ------------------------------------------------------------------ Execute */

int
dm_ops_execute(struct vclient *vc, uint16_t ssid, const struct lwm2m_path *p,
    const uint8_t *args, size_t len)
{
	const struct dm_resource	*r;
	int				 rc;

	if (p->len != 3)
		return p->len > 0 && p->ids[0] == LWM2M_OID_SECURITY ?
		    LWM2M_ERR_UNAUTHORIZED : LWM2M_ERR_METHOD_NOT_ALLOWED;
	if ((rc = dm_ops_check(vc, ssid, p, DM_ACL_EXECUTE)) != 0)
		return rc;
	r = dm_resource_find(dm_object_get(vc->store, p->ids[0]), p->ids[2]);
	if ((r->ops & LWM2M_OP_E) == 0)
		return LWM2M_ERR_METHOD_NOT_ALLOWED;
	if (p->ids[0] == LWM2M_OID_SERVER) {
		switch (p->ids[2]) {
		case DM_SRV_RID_DISABLE:
		case DM_SRV_RID_UPDATE:
			return 0;	/* dm_ops_server_action after the reply */
		case DM_SRV_RID_BS_REQUEST:
			if (vclient_peer_bootstrap(vc) == NULL)
				return LWM2M_ERR_METHOD_NOT_ALLOWED;
			return 0;
		default:
			return LWM2M_ERR_METHOD_NOT_ALLOWED;
		}
	}
	if (dm_backend_is_backed(vc->store, p->ids[0])) {
		rc = dm_backend_execute(vc->store, p, args, len);
		if (rc == VCLIENT_PENDING && vc->cur_pending != NULL)
			vc->cur_pending->outstanding++;
		return rc;
	}
	/* Nothing in the gateway carries out e.g. a Reboot of /3/0 without a sensor. */
	return LWM2M_ERR_METHOD_NOT_ALLOWED;
}

/* Executes on the Server object, run after the 2.04 left (SV-1, SV-3, BS-10). */
void
dm_ops_server_action(struct vclient *vc, const struct lwm2m_path *p)
{
	struct vpeer	*peer;
	int64_t		 ssid;

	if (p->len != 3 || p->ids[0] != LWM2M_OID_SERVER)
		return;
	if (dm_get_int(vc->store, &LWM2M_PATH_RES(LWM2M_OID_SERVER, p->ids[1],
	    DM_SRV_RID_SSID), &ssid) != 0 || ssid <= 0 || ssid >= LWM2M_ID_NONE)
		return;
	peer = vclient_peer_find(vc, (uint16_t)ssid);
	switch (p->ids[2]) {
	case DM_SRV_RID_DISABLE:
		if (peer != NULL)
			registration_disable(peer);
		break;
	case DM_SRV_RID_UPDATE:
		if (peer != NULL)
			registration_update(peer);
		break;
	case DM_SRV_RID_BS_REQUEST:
		log_ep_info(vc->endpoint, "Bootstrap-Request Trigger executed");
		if (bootstrap_start(vc) != 0)
			log_ep(LOG_WARNING, vc->endpoint, "bootstrap could not start");
		break;
	}
}

void
dm_ops_execute_request(struct vclient *vc, struct vpeer *peer, struct cio_exchange *ex,
    const struct cio_msg *req, const struct lwm2m_path *p)
{
	struct vpending	*pd = dm_ops_pending_new(vc);
	int		 rc;

	vc->cur_pending = pd;
	rc = dm_ops_execute(vc, peer->ssid, p, req->payload, req->payload_len);
	vc->cur_pending = NULL;
	if (rc == 0 && p->ids[0] == LWM2M_OID_SERVER) {
		dm_ops_pending_free(pd);
		vclient_ref(vc);
		cio_respond(ex, LWM2M_CHANGED, CIO_FMT_NONE, NULL, 0, CIO_OBSERVE_NONE);
		if (!vc->dead)
			dm_ops_server_action(vc, p);
		vclient_unref(vc);
		return;
	}
	dm_ops_finish(vc, pd, ex, rc, LWM2M_CHANGED);
}

/* ------------------------------------------------------------------ Create */

int
dm_ops_create(struct vclient *vc, uint16_t ssid, const struct lwm2m_path *p, int fmt,
    const uint8_t *payload, size_t len, uint16_t *iidp)
{
	struct dm_ops_decoded	 d;
	struct dm_store		*clone;
	struct lwm2m_path	 base = *p;
	uint8_t			*scratch = NULL;
	uint16_t		 iid = LWM2M_ID_NONE;
	size_t			 i;
	int			 rc;
	bool			 bare;

	if (p->len != 1)
		return LWM2M_ERR_METHOD_NOT_ALLOWED;
	/*
	 * Resource TLVs without an Object Instance TLV around them: the server named no
	 * instance, the client picks one (LwM2M 1.1 Create). Decoded under a placeholder.
	 */
	bare = fmt == LWM2M_FMT_TLV && len > 0 && (payload[0] & 0xc0) != 0;
	if (bare)
		base = LWM2M_PATH_INST(p->ids[0], LWM2M_ID_NONE);
	if ((rc = dm_ops_check(vc, ssid, p, 0)) != 0)
		return rc;
	/* Server and Access Control instances come from the Bootstrap-Server; sensor
	 * instances from the sensor. */
	if (p->ids[0] == LWM2M_OID_SERVER || p->ids[0] == LWM2M_OID_ACL ||
	    p->ids[0] == LWM2M_OID_DEVICE || dm_backend_is_backed(vc->store, p->ids[0]))
		return LWM2M_ERR_METHOD_NOT_ALLOWED;
	if (!dm_acl_can_create(vc->store, ssid, p->ids[0]))
		return LWM2M_ERR_UNAUTHORIZED;
	memset(&d, 0, sizeof d);
	d.vc = vc;
	d.target = p;
	d.create = true;
	if (len > 0 && (rc = dm_ops_decode(vc, &base, fmt, payload, len, &d,
	    &scratch)) != 0)
		goto out;
	for (i = 0; i < d.n && !bare; i++) {
		if (iid == LWM2M_ID_NONE)
			iid = d.e[i].path.ids[1];
		else if (d.e[i].path.ids[1] != iid) {
			rc = LWM2M_ERR_BAD_REQUEST;	/* one instance per Create */
			goto out;
		}
	}
	clone = dm_store_clone(vc->store);
	if ((rc = dm_instance_create(clone, p->ids[0], iid, &iid)) != 0) {
		dm_store_free(clone);
		goto out;
	}
	for (i = 0; i < d.n; i++) {
		if (d.e[i].value.type == LWM2M_TYPE_NONE)
			continue;
		d.e[i].path.ids[1] = iid;
		if ((rc = dm_set(clone, &d.e[i].path, &d.e[i].value, NULL)) != 0) {
			dm_store_free(clone);
			goto out;
		}
	}
	/* The creating server owns the instance when several servers share the
	 * device (LwM2M 1.1 §E.3.2). */
	if (dm_server_count(clone) > 1 && dm_object_has(clone, LWM2M_OID_ACL) &&
	    (rc = dm_acl_instance_create(clone, p->ids[0], iid, ssid, NULL)) != 0) {
		dm_store_free(clone);
		goto out;
	}
	if ((rc = dm_ops_commit(vc, clone)) != 0)
		goto out;
	*iidp = iid;
	registration_objects_changed(vc);
out:
	free(scratch);
	free(d.e);
	return rc;
}

void
dm_ops_create_request(struct vclient *vc, struct vpeer *peer, struct cio_exchange *ex,
    const struct cio_msg *req, const struct lwm2m_path *p)
{
	struct cio_msg	 m;
	char		 oid[8], iid[8];
	uint16_t	 n = 0;
	int		 rc;

	rc = dm_ops_create(vc, peer->ssid, p, req->format, req->payload,
	    req->payload_len, &n);
	cio_msg_init(&m);
	if (rc != 0) {
		m.code = (uint8_t)-rc;
		cio_respond_msg(ex, &m);
		return;
	}
	snprintf(oid, sizeof oid, "%u", p->ids[0]);
	snprintf(iid, sizeof iid, "%u", n);
	m.code = LWM2M_CREATED;
	m.location[0] = oid;
	m.location[1] = iid;
	m.nlocation = 2;
	cio_respond_msg(ex, &m);
}

/* ------------------------------------------------------------------ Delete */

int
dm_ops_delete(struct vclient *vc, uint16_t ssid, const struct lwm2m_path *p)
{
	struct dm_store	*clone;
	int		 rc;

	if (p->len != 2)
		return p->len > 0 && p->ids[0] == LWM2M_OID_SECURITY ?
		    LWM2M_ERR_UNAUTHORIZED : LWM2M_ERR_METHOD_NOT_ALLOWED;
	if ((rc = dm_ops_check(vc, ssid, p, DM_ACL_DELETE)) != 0)
		return rc;
	if (p->ids[0] == LWM2M_OID_SERVER || p->ids[0] == LWM2M_OID_ACL ||
	    p->ids[0] == LWM2M_OID_DEVICE || dm_backend_is_backed(vc->store, p->ids[0]))
		return LWM2M_ERR_METHOD_NOT_ALLOWED;
	clone = dm_store_clone(vc->store);
	if ((rc = dm_instance_delete(clone, p->ids[0], p->ids[1])) != 0 ||
	    (rc = dm_acl_delete_for(clone, p->ids[0], p->ids[1])) != 0) {
		dm_store_free(clone);
		return rc;
	}
	if ((rc = dm_ops_commit(vc, clone)) != 0)
		return rc;
	observe_path_deleted(vc, p);
	registration_objects_changed(vc);
	return 0;
}
