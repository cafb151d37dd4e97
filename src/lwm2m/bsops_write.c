/*
 * Bootstrap-Write (BS-2) on a bootstrap transaction store. The payload is decoded whole
 * before anything is stored, then applied to a clone of the transaction that replaces it
 * only when every value went in: a 4.00 never leaves half a write behind.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bootstrap.h"
#include "codec.h"
#include "dm.h"
#include "log.h"
#include "xmalloc.h"

/* More values than any sane bootstrap write carries; beyond it the payload is refused. */
#define BSOPS_WRITE_MAX_ENTRIES	1024

struct bsops_wctx {
	const struct dm_store	*st;
	struct codec_entry	*e;
	size_t			 n;
	size_t			 cap;
	const char		*why;
};

static const struct dm_object *
bsops_write_lookup(void *arg, uint16_t oid)
{
	struct bsops_wctx	*w = arg;

	return (dm_object_get(w->st, oid));
}

static int
bsops_write_entry(void *arg, const struct lwm2m_path *p,
    const struct dm_resource *def, const struct lwm2m_value *v)
{
	struct bsops_wctx	*w = arg;

	/* BS-2: resources the definition does not know are ignored. */
	if (p->len >= 3 && def == NULL)
		return (0);
	if (w->n == BSOPS_WRITE_MAX_ENTRIES) {
		w->why = "too many values";
		return (LWM2M_ERR_BAD_REQUEST);
	}
	if (w->n == w->cap) {
		w->cap = w->cap == 0 ? 16 : w->cap * 2;
		w->e = xreallocarray(w->e, w->cap, sizeof *w->e);
	}
	w->e[w->n].path = *p;
	w->e[w->n].value = *v;
	w->n++;
	return (0);
}

/* Decoded SenML values may be keys (/0/x/5): wipe them. */
static void
bsops_write_scratch_free(uint8_t *scratch, size_t len)
{
	xexplicit_bzero(scratch, len);
	free(scratch);
}

/* "?ver=major.minor": the object we implement must be that version or a later minor. */
static int
bsops_write_ver(const struct dm_store *st, uint16_t oid, const char *ver)
{
	const char	*have;
	char		*end;
	unsigned long	 wmaj, wmin, hmaj, hmin;

	if (ver == NULL)
		return (0);
	if ((have = dm_object_version(st, oid)) == NULL)
		return (-1);
	if (*ver < '0' || *ver > '9')
		return (-1);
	wmaj = strtoul(ver, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return (-1);
	wmin = strtoul(end + 1, &end, 10);
	if (*end != '\0')
		return (-1);
	hmaj = strtoul(have, &end, 10);
	hmin = (*end == '.') ? strtoul(end + 1, NULL, 10) : 0;
	if (wmaj != hmaj || wmin > hmin)
		return (-1);
	return (0);
}

/* Was /oid/iid/rid of entry i seen before it (a multiple resource cleared already)? */
static bool
bsops_write_seen(const struct codec_entry *e, size_t i)
{
	size_t	j;

	for (j = 0; j < i; j++) {
		if (e[j].path.len >= 3 && e[j].path.ids[0] == e[i].path.ids[0] &&
		    e[j].path.ids[1] == e[i].path.ids[1] &&
		    e[j].path.ids[2] == e[i].path.ids[2])
			return (true);
	}
	return (false);
}

/* Store the decoded entries into st; base is the request path. */
static int
bsops_write_apply(struct dm_store *st, const struct lwm2m_path *base,
    const struct codec_entry *e, size_t n, const char **why)
{
	const struct dm_object		*obj;
	const struct dm_resource	*def;
	const struct lwm2m_path		*p;
	size_t				 i;
	int				 error;

	for (i = 0; i < n; i++) {
		p = &e[i].path;
		if (p->len < 2 || p->ids[0] != base->ids[0]) {
			*why = "value outside the target";
			return (LWM2M_ERR_BAD_REQUEST);
		}
		if (!dm_instance_exists(st, p->ids[0], p->ids[1])) {
			/* BS-2: written regardless of existence. */
			error = dm_instance_create(st, p->ids[0], p->ids[1], NULL);
			if (error != 0) {
				*why = "cannot create the instance";
				return (LWM2M_ERR_BAD_REQUEST);
			}
		}
		if (p->len == 2)
			continue;
		obj = dm_object_get(st, p->ids[0]);
		if ((def = dm_resource_find(obj, p->ids[2])) == NULL)
			continue;
		if (def->type == LWM2M_TYPE_NONE) {
			/* Executable resources hold nothing; only a write aimed at one is wrong. */
			if (base->len >= 3) {
				*why = "executable resource";
				return (LWM2M_ERR_BAD_REQUEST);
			}
			continue;
		}
		if (def->multiple) {
			if (!bsops_write_seen(e, i) && (error = dm_resource_clear(st,
			    p->ids[0], p->ids[1], p->ids[2])) != 0) {
				*why = "cannot replace the resource";
				return (LWM2M_ERR_BAD_REQUEST);
			}
			if (p->len == 3) {
				if (e[i].value.type != LWM2M_TYPE_NONE) {
					*why = "single value for a multiple resource";
					return (LWM2M_ERR_BAD_REQUEST);
				}
				continue;
			}
		} else if (p->len != 3 || e[i].value.type == LWM2M_TYPE_NONE) {
			*why = "resource instances for a single resource";
			return (LWM2M_ERR_BAD_REQUEST);
		}
		if ((error = dm_set(st, p, &e[i].value, NULL)) != 0) {
			*why = "value of the wrong type or out of range";
			return (LWM2M_ERR_BAD_REQUEST);
		}
	}
	return (0);
}

int
bsops_write(struct bsops_ctx *ctx, const struct lwm2m_path *path, int fmt,
    const char *ver, const uint8_t *buf, size_t len, const char **whyp)
{
	struct codec_decoder	 d;
	struct bsops_wctx	 w;
	struct dm_store		*clone = NULL;
	uint8_t			*scratch;
	const char		*why = NULL;
	size_t			 before;
	int			 error;

	memset(&w, 0, sizeof w);
	w.st = ctx->txn;
	if (path->len < 1 || path->len > 3) {
		why = "Bootstrap-Write targets /oid, /oid/iid or /oid/iid/rid";
		error = LWM2M_ERR_BAD_REQUEST;
		goto out;
	}
	if (!dm_object_has(ctx->txn, path->ids[0])) {
		why = "object not supported";
		error = LWM2M_ERR_BAD_REQUEST;
		goto out;
	}
	if (bsops_write_ver(ctx->txn, path->ids[0], ver) != 0) {
		why = "object version not supported";
		error = LWM2M_ERR_BAD_REQUEST;
		goto out;
	}
	if (fmt == LWM2M_FMT_NONE)
		fmt = LWM2M_FMT_TLV;
	if (!codec_supported(fmt)) {
		why = "unsupported content format";
		error = LWM2M_ERR_UNSUPPORTED_FORMAT;
		goto out;
	}
	if ((fmt == LWM2M_FMT_TEXT || fmt == LWM2M_FMT_OPAQUE) && path->len != 3) {
		why = "text and opaque take a single resource";
		error = LWM2M_ERR_UNSUPPORTED_FORMAT;
		goto out;
	}

	memset(&d, 0, sizeof d);
	d.lookup = bsops_write_lookup;
	d.lookup_arg = &w;
	d.entry = bsops_write_entry;
	d.entry_arg = &w;
	scratch = xmalloc(len + 1);
	d.scratch = scratch;
	d.scratchsize = len + 1;
	error = codec_decode(&d, fmt, path, buf, len);
	if (error != 0) {
		bsops_write_scratch_free(scratch, len + 1);
		why = w.why != NULL ? w.why : d.why;
		if (error != LWM2M_ERR_UNSUPPORTED_FORMAT)
			error = LWM2M_ERR_BAD_REQUEST;
		goto out;
	}
	if (w.n == 0 && path->len < 2) {
		bsops_write_scratch_free(scratch, len + 1);
		why = "empty payload";
		error = LWM2M_ERR_BAD_REQUEST;
		goto out;
	}
	if (w.n == 0 && path->len == 2) {
		/* An empty instance: create it. */
		w.e = xreallocarray(w.e, 1, sizeof *w.e);
		w.e[0].path = *path;
		w.e[0].value.type = LWM2M_TYPE_NONE;
		w.n = 1;
	}

	before = bsops_bs_accounts(ctx->txn);
	clone = dm_store_clone(ctx->txn);
	error = bsops_write_apply(clone, path, w.e, w.n, &why);
	bsops_write_scratch_free(scratch, len + 1);
	if (error != 0)
		goto out;
	if (path->ids[0] == LWM2M_OID_SECURITY) {
		if (bsops_bs_accounts(clone) > 1) {
			why = "a second Bootstrap-Server account";
			error = LWM2M_ERR_BAD_REQUEST;
			goto out;
		}
		if (before > 0 && bsops_bs_accounts(clone) == 0) {
			why = "the Bootstrap-Server account would disappear";
			error = LWM2M_ERR_BAD_REQUEST;
			goto out;
		}
	}
	dm_store_swap(ctx->txn, clone);

out:
	dm_store_free(clone);
	free(w.e);
	if (error != 0 && ctx->ep != NULL)
		log_ep_debug(ctx->ep, "Bootstrap-Write refused: %s", why);
	if (whyp != NULL)
		*whyp = why;
	return (error);
}
