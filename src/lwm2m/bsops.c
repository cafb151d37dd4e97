/*
 * Bootstrap operations on a transaction store (BS-2..5, BS-13): request classification,
 * Read, Discover, Delete with the unbootstrapping cascade, and the Finish check. Pure: the
 * state machine (bootstrap.c) owns the transaction and the network.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bootstrap.h"
#include "cio.h"
#include "codec.h"
#include "dm.h"
#include "log.h"
#include "xmalloc.h"

/* Objects defined by the LwM2M 1.1 enabler: their version is implied by lwm2m=1.1. */
static const uint16_t bsops_core_oids[] = { 0, 1, 2, 3, 4, 5, 6, 7, 21 };

const char *
bsops_object_ver(const struct dm_store *st, uint16_t oid)
{
	const struct dm_object	*b;
	const char		*ver, *implied = "1.0";
	size_t			 i;

	if ((ver = dm_object_version(st, oid)) == NULL)
		return (NULL);
	for (i = 0; i < sizeof bsops_core_oids / sizeof bsops_core_oids[0]; i++) {
		if (bsops_core_oids[i] != oid)
			continue;
		b = dm_builtin_find(oid);
		if (b != NULL && b->version != NULL)
			implied = b->version;
		break;
	}
	return (strcmp(ver, implied) == 0 ? NULL : ver);
}

static bool
bsops_is_bs_instance(const struct dm_store *st, uint16_t iid)
{
	bool	b;

	return (dm_get_bool(st, &LWM2M_PATH_RES(LWM2M_OID_SECURITY, iid,
	    DM_SEC_RID_BOOTSTRAP), &b) == 0 && b);
}

size_t
bsops_bs_accounts(const struct dm_store *st)
{
	uint16_t	iid;
	int		after = -1;
	size_t		n = 0;

	while (dm_instance_next(st, LWM2M_OID_SECURITY, after, &iid) == 0) {
		after = iid;
		if (bsops_is_bs_instance(st, iid))
			n++;
	}
	return (n);
}

/* ------------------------------------------------------------------ classify */

enum bsops_op
bsops_classify(const struct cio_msg *req, struct lwm2m_path *path, const char **ver)
{
	size_t	i;

	*path = LWM2M_PATH_ROOT;
	*ver = NULL;
	for (i = 0; i < req->nquery; i++) {
		if (strncmp(req->query[i], "ver=", 4) == 0)
			*ver = req->query[i] + 4;
	}
	if (req->npath == 1 && strcmp(req->path[0], "bs") == 0) {
		if (req->code != CIO_POST)
			return (BSOPS_UNSUPPORTED);
		return (req->payload_len == 0 ? BSOPS_FINISH : BSOPS_BAD);
	}
	for (i = 0; i < req->npath; i++) {
		if (dm_path_push(path, (const uint8_t *)req->path[i],
		    strlen(req->path[i])) != 0)
			return (BSOPS_BAD);
	}
	switch (req->code) {
	case CIO_GET:
		if (req->accept == LWM2M_FMT_LINK)
			return (BSOPS_DISCOVER);
		return (BSOPS_READ);
	case CIO_PUT:
		return (BSOPS_WRITE);
	case CIO_DELETE:
		return (BSOPS_DELETE);
	}
	return (BSOPS_UNSUPPORTED);
}

/* ------------------------------------------------------------------ discover */

/* A URI a quoted link attribute can carry (whatever a Bootstrap-Server wrote). */
static bool
bsops_printable(const uint8_t *p, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return (false);
	return (true);
}

struct bsops_disc {
	const struct dm_store	*st;
	struct codec_link	 w;
};

static int
bsops_disc_instance(uint16_t oid, uint16_t iid, void *arg)
{
	struct bsops_disc	*d = arg;
	const uint8_t		*uri;
	size_t			 urilen;
	char			*s;
	int64_t			 ssid;

	codec_link_path(&d->w, &LWM2M_PATH_INST(oid, iid));
	if (oid == LWM2M_OID_SECURITY) {
		if (bsops_is_bs_instance(d->st, iid))
			return (0);
		if (dm_get_int(d->st, &LWM2M_PATH_RES(oid, iid, DM_SEC_RID_SSID),
		    &ssid) == 0 && ssid >= 0)
			codec_link_attr_uint(&d->w, "ssid", (uint64_t)ssid);
		if (dm_get_bytes(d->st, &LWM2M_PATH_RES(oid, iid, DM_SEC_RID_URI),
		    &uri, &urilen) == 0 && bsops_printable(uri, urilen)) {
			s = xstrndup((const char *)uri, urilen);
			codec_link_attr_str(&d->w, "uri", s, true);
			free(s);
		}
	} else if (oid == LWM2M_OID_SERVER) {
		if (dm_get_int(d->st, &LWM2M_PATH_RES(oid, iid, DM_SRV_RID_SSID),
		    &ssid) == 0 && ssid >= 0)
			codec_link_attr_uint(&d->w, "ssid", (uint64_t)ssid);
	}
	return (0);
}

static int
bsops_disc_object(const struct dm_object *obj, void *arg)
{
	struct bsops_disc	*d = arg;
	const char		*ver;

	ver = bsops_object_ver(d->st, obj->oid);
	/* The object link carries the version; without instances it is the only link. */
	if (ver != NULL || dm_instance_count(d->st, obj->oid) == 0) {
		codec_link_path(&d->w, &LWM2M_PATH_OBJ(obj->oid));
		if (ver != NULL)
			codec_link_attr_str(&d->w, "ver", ver, false);
	}
	return (dm_foreach_instance(d->st, obj->oid, bsops_disc_instance, d));
}

int
bsops_discover(const struct dm_store *st, const struct lwm2m_path *path, uint8_t *buf,
    size_t size, size_t *len)
{
	struct bsops_disc	d;
	const struct dm_object	*obj;

	if (path->len > 1)
		return (LWM2M_ERR_BAD_REQUEST);
	d.st = st;
	codec_link_init(&d.w, buf, size);
	if (path->len == 0) {
		codec_link_path(&d.w, &LWM2M_PATH_ROOT);
		codec_link_attr_str(&d.w, "lwm2m", "1.1", false);
		dm_foreach_object(st, bsops_disc_object, &d);
	} else {
		if ((obj = dm_object_get(st, path->ids[0])) == NULL)
			return (LWM2M_ERR_NOT_FOUND);
		bsops_disc_object(obj, &d);
	}
	return (codec_link_finish(&d.w, len));
}

/* ------------------------------------------------------------------ read */

struct bsops_rd {
	const struct dm_store	*st;
	struct codec_entry	*e;
	size_t			 n;
	size_t			 cap;
	uint16_t		 oid;
	uint16_t		 iid;
};

static void
bsops_rd_add(struct bsops_rd *r, const struct lwm2m_path *p, const struct lwm2m_value *v)
{
	if (r->n == r->cap) {
		r->cap = r->cap == 0 ? 32 : r->cap * 2;
		r->e = xreallocarray(r->e, r->cap, sizeof *r->e);
	}
	r->e[r->n].path = *p;
	r->e[r->n].value = *v;
	r->n++;
}

static int
bsops_rd_value(const struct lwm2m_path *p, const struct lwm2m_value *v, void *arg)
{
	bsops_rd_add(arg, p, v);
	return (0);
}

static int
bsops_rd_resource(const struct dm_resource *def, size_t n, void *arg)
{
	struct bsops_rd			*r = arg;
	struct lwm2m_path		 p = LWM2M_PATH_RES(r->oid, r->iid, def->rid);
	static const struct lwm2m_value	 none = { .type = LWM2M_TYPE_NONE };

	if (def->multiple && n == 0) {
		bsops_rd_add(r, &p, &none);
		return (0);
	}
	return (dm_foreach_value(r->st, &p, bsops_rd_value, r));
}

static int
bsops_rd_instance(uint16_t oid, uint16_t iid, void *arg)
{
	struct bsops_rd			*r = arg;
	static const struct lwm2m_value	 none = { .type = LWM2M_TYPE_NONE };
	size_t				 before = r->n;

	r->oid = oid;
	r->iid = iid;
	dm_foreach_resource(r->st, oid, iid, bsops_rd_resource, r);
	if (r->n == before)
		bsops_rd_add(r, &LWM2M_PATH_INST(oid, iid), &none);
	return (0);
}

int
bsops_read(const struct dm_store *st, const struct lwm2m_path *path, int accept,
    uint8_t *buf, size_t size, size_t *len, int *fmt)
{
	struct bsops_rd	r;
	int		error;

	/* BS-13: Server and Access Control only, /oid or /oid/iid. */
	if (path->len < 1 || path->len > 2 || (path->ids[0] != LWM2M_OID_SERVER &&
	    path->ids[0] != LWM2M_OID_ACL))
		return (LWM2M_ERR_BAD_REQUEST);
	if (accept == LWM2M_FMT_NONE)
		accept = LWM2M_FMT_TLV;
	if (accept != LWM2M_FMT_TLV && accept != LWM2M_FMT_SENML_JSON)
		return (LWM2M_ERR_NOT_ACCEPTABLE);
	if (!dm_exists(st, path))
		return (LWM2M_ERR_NOT_FOUND);

	memset(&r, 0, sizeof r);
	r.st = st;
	if (path->len == 2)
		bsops_rd_instance(path->ids[0], path->ids[1], &r);
	else
		dm_foreach_instance(st, path->ids[0], bsops_rd_instance, &r);
	error = codec_encode(accept, path, r.e, r.n, buf, size, len);
	free(r.e);
	if (error == 0)
		*fmt = accept;
	return (error);
}

/* ------------------------------------------------------------------ delete */

/* Instances no Delete may remove: the Bootstrap-Server account, /3/0, the sensor's. */
static bool
bsops_spared(const struct bsops_ctx *ctx, uint16_t oid, uint16_t iid)
{
	if (oid == LWM2M_OID_SECURITY && bsops_is_bs_instance(ctx->txn, iid))
		return (true);
	if (oid == LWM2M_OID_DEVICE && iid == 0)
		return (true);
	return (ctx->spared != NULL && ctx->spared(ctx->arg, oid, iid));
}

static bool
bsops_ub_spare(void *arg, uint16_t oid, uint16_t iid)
{
	return (bsops_spared(arg, oid, iid));
}

static void
bsops_ub_deleted(void *arg, const struct lwm2m_path *p)
{
	struct bsops_ctx	*ctx = arg;

	if (ctx->deleted != NULL)
		ctx->deleted(ctx->arg, p);
}

/* Delete one instance; a non-BS Security instance takes its server's account along. */
static void
bsops_delete_instance(struct bsops_ctx *ctx, uint16_t oid, uint16_t iid)
{
	struct lwm2m_path	p = LWM2M_PATH_INST(oid, iid);
	int64_t			ssid;
	uint16_t		other;
	bool			account = false;

	if (oid == LWM2M_OID_SECURITY && dm_get_int(ctx->txn, &LWM2M_PATH_RES(oid, iid,
	    DM_SEC_RID_SSID), &ssid) == 0 && ssid > 0 && ssid < LWM2M_ID_NONE)
		account = true;
	dm_delete(ctx->txn, &p);
	if (ctx->deleted != NULL)
		ctx->deleted(ctx->arg, &p);
	if (!account)
		return;
	/* A duplicate Security instance of the same server keeps the account alive. */
	if (dm_security_find(ctx->txn, (uint16_t)ssid, &other) == 0)
		return;
	if (ctx->ep != NULL)
		log_ep_info(ctx->ep, "bootstrap: Delete /0/%u removes the account of "
		    "server %lld (UB-7)", iid, (long long)ssid);
	unbootstrap_account(ctx->txn, ctx->ep, (uint16_t)ssid, bsops_ub_spare,
	    bsops_ub_deleted, ctx);
	if (ctx->removed != NULL)
		ctx->removed(ctx->arg, (uint16_t)ssid);
}

/* Delete every instance of oid but the spared ones. */
static void
bsops_delete_object(struct bsops_ctx *ctx, uint16_t oid)
{
	uint16_t	iid;
	int		after = -1;

	/* The store changes under the walk: restart after each deletion point. */
	while (dm_instance_next(ctx->txn, oid, after, &iid) == 0) {
		after = iid;
		if (!bsops_spared(ctx, oid, iid))
			bsops_delete_instance(ctx, oid, iid);
	}
}

int
bsops_delete(struct bsops_ctx *ctx, const struct lwm2m_path *path)
{
	uint16_t	oid;
	int		after = -1;

	switch (path->len) {
	case 0:
		/* Security first: the cascade may delete instances of other objects. */
		bsops_delete_object(ctx, LWM2M_OID_SECURITY);
		while (dm_object_next(ctx->txn, after, &oid) == 0) {
			after = oid;
			bsops_delete_object(ctx, oid);
		}
		return (0);
	case 1:
		if (!dm_object_has(ctx->txn, path->ids[0]))
			return (LWM2M_ERR_BAD_REQUEST);
		bsops_delete_object(ctx, path->ids[0]);
		return (0);
	case 2:
		if (!dm_object_has(ctx->txn, path->ids[0]))
			return (LWM2M_ERR_BAD_REQUEST);
		if (!dm_instance_exists(ctx->txn, path->ids[0], path->ids[1]))
			return (0);
		if (bsops_spared(ctx, path->ids[0], path->ids[1]))
			return (LWM2M_ERR_BAD_REQUEST);
		bsops_delete_instance(ctx, path->ids[0], path->ids[1]);
		return (0);
	}
	return (LWM2M_ERR_BAD_REQUEST);
}

/* ------------------------------------------------------------------ finish, dispatch */

int
bsops_finish(const struct bsops_ctx *ctx, char **cause)
{
	if (dm_check_bootstrap(ctx->txn, ctx->check_flags, cause) != 0)
		return (LWM2M_ERR_NOT_ACCEPTABLE);
	return (0);
}

void
bsops_handle(struct bsops_ctx *ctx, const struct cio_msg *req, struct bsops_reply *rep)
{
	struct lwm2m_path	 path;
	const char		*ver, *why = NULL;
	char			*cause = NULL;
	int			 error = 0, fmt = LWM2M_FMT_NONE;
	uint8_t			 ok = LWM2M_CHANGED;

	rep->format = LWM2M_FMT_NONE;
	rep->len = 0;
	switch (bsops_classify(req, &path, &ver)) {
	case BSOPS_BAD:
		error = LWM2M_ERR_BAD_REQUEST;
		break;
	case BSOPS_UNSUPPORTED:
		error = LWM2M_ERR_METHOD_NOT_ALLOWED;
		break;
	case BSOPS_WRITE:
		error = bsops_write(ctx, &path, req->format, ver, req->payload,
		    req->payload_len, &why);
		break;
	case BSOPS_READ:
		ok = LWM2M_CONTENT;
		error = bsops_read(ctx->txn, &path, req->accept, rep->buf, rep->size,
		    &rep->len, &fmt);
		break;
	case BSOPS_DISCOVER:
		ok = LWM2M_CONTENT;
		fmt = LWM2M_FMT_LINK;
		error = bsops_discover(ctx->txn, &path, rep->buf, rep->size, &rep->len);
		break;
	case BSOPS_DELETE:
		ok = LWM2M_DELETED;
		error = bsops_delete(ctx, &path);
		break;
	case BSOPS_FINISH:
		if ((error = bsops_finish(ctx, &cause)) != 0 && ctx->ep != NULL)
			log_ep(LOG_NOTICE, ctx->ep, "Bootstrap-Finish: inconsistent "
			    "configuration: %s", cause);
		free(cause);
		break;
	}
	if (error != 0) {
		rep->code = (uint8_t)-error;
		rep->len = 0;
		return;
	}
	rep->code = ok;
	if (ok == LWM2M_CONTENT)
		rep->format = fmt;
}
