/* Walking a store in ascending ID order, and the sensor backend hooks. */
#include "config.h"

#include "dm_int.h"

int
dm_foreach_object(const struct dm_store *st,
    int (*cb)(const struct dm_object *, void *), void *arg)
{
	uint16_t	i;
	int		rc;

	for (i = 0; i < st->nobjs; i++) {
		if ((rc = cb(st->objs[i].def, arg)) != 0)
			return (rc);
	}
	return (0);
}

int
dm_foreach_instance(const struct dm_store *st, uint16_t oid,
    int (*cb)(uint16_t, uint16_t, void *), void *arg)
{
	struct dm_obj	*o;
	uint16_t	 i;
	int		 rc;

	if ((o = dm_store_obj(st, oid)) == NULL)
		return (0);
	for (i = 0; i < o->ninsts; i++) {
		if ((rc = cb(oid, o->insts[i].iid, arg)) != 0)
			return (rc);
	}
	return (0);
}

int
dm_foreach_resource(const struct dm_store *st, uint16_t oid, uint16_t iid,
    int (*cb)(const struct dm_resource *, size_t, void *), void *arg)
{
	struct dm_obj			*o;
	struct dm_inst			*in;
	const struct dm_resource	*r;
	uint16_t			 i, j;
	size_t				 n;
	int				 rc;

	o = dm_store_obj(st, oid);
	if ((in = dm_store_inst(o, iid)) == NULL)
		return (0);
	for (i = 0; i < in->nvals; i = j) {
		n = 0;
		for (j = i; j < in->nvals && in->vals[j].rid == in->vals[i].rid; j++) {
			if ((in->vals[j].flags & DM_VAL_EMPTY) == 0)
				n++;
		}
		if ((r = dm_resource_find(o->def, in->vals[i].rid)) == NULL)
			continue;
		if ((rc = cb(r, n, arg)) != 0)
			return (rc);
	}
	return (0);
}

static int
dm_iter_values(uint16_t oid, const struct dm_inst *in, int rid,
    int (*cb)(const struct lwm2m_path *, const struct lwm2m_value *, void *),
    void *arg)
{
	struct lwm2m_path	 p;
	struct lwm2m_value	 v;
	const struct dm_val	*dv;
	uint16_t		 i;
	int			 rc;

	for (i = 0; i < in->nvals; i++) {
		dv = &in->vals[i];
		if ((rid >= 0 && dv->rid != rid) || (dv->flags & DM_VAL_EMPTY))
			continue;
		if (dv->riid == DM_RIID_SINGLE)
			p = LWM2M_PATH_RES(oid, in->iid, dv->rid);
		else
			p = LWM2M_PATH_RI(oid, in->iid, dv->rid, dv->riid);
		dm_store_val_get(dv, &v);
		if ((rc = cb(&p, &v, arg)) != 0)
			return (rc);
	}
	return (0);
}

int
dm_foreach_value(const struct dm_store *st, const struct lwm2m_path *p,
    int (*cb)(const struct lwm2m_path *, const struct lwm2m_value *, void *),
    void *arg)
{
	struct dm_obj		*o;
	struct dm_inst		*in;
	struct lwm2m_value	 v;
	uint16_t		 i, j;
	int			 rc;

	if (p->len > 4)
		return (LWM2M_ERR_BAD_REQUEST);
	if (p->len == 0) {
		for (i = 0; i < st->nobjs; i++) {
			o = &st->objs[i];
			for (j = 0; j < o->ninsts; j++) {
				rc = dm_iter_values(o->def->oid, &o->insts[j], -1,
				    cb, arg);
				if (rc != 0)
					return (rc);
			}
		}
		return (0);
	}
	if (!dm_exists(st, p))
		return (LWM2M_ERR_NOT_FOUND);
	o = dm_store_obj(st, p->ids[0]);
	if (p->len == 1) {
		for (j = 0; j < o->ninsts; j++) {
			rc = dm_iter_values(o->def->oid, &o->insts[j], -1, cb, arg);
			if (rc != 0)
				return (rc);
		}
		return (0);
	}
	in = dm_store_inst(o, p->ids[1]);
	if (p->len == 2)
		return (dm_iter_values(p->ids[0], in, -1, cb, arg));
	if (p->len == 3)
		return (dm_iter_values(p->ids[0], in, p->ids[2], cb, arg));
	if ((rc = dm_get(st, p, &v)) != 0)
		return (rc);
	return (cb(p, &v, arg));
}

int
dm_object_next(const struct dm_store *st, int after, uint16_t *oid)
{
	uint16_t	i;

	for (i = 0; i < st->nobjs; i++) {
		if ((int)st->objs[i].def->oid > after) {
			*oid = st->objs[i].def->oid;
			return (0);
		}
	}
	return (-1);
}

int
dm_instance_next(const struct dm_store *st, uint16_t oid, int after, uint16_t *iid)
{
	struct dm_obj	*o;
	size_t		 lo, hi, mid;

	if ((o = dm_store_obj(st, oid)) == NULL)
		return (-1);
	lo = 0;
	hi = o->ninsts;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((int)o->insts[mid].iid <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == o->ninsts)
		return (-1);
	*iid = o->insts[lo].iid;
	return (0);
}

void
dm_backend_set(struct dm_store *st, const struct dm_backend *be, void *arg)
{
	st->backend = be;
	st->backend_arg = arg;
}

int
dm_backend_mark(struct dm_store *st, uint16_t oid, bool backed)
{
	struct dm_obj	*o;

	if ((o = dm_store_obj(st, oid)) == NULL)
		return (LWM2M_ERR_NOT_FOUND);
	o->backed = backed;
	return (0);
}

bool
dm_backend_is_backed(const struct dm_store *st, uint16_t oid)
{
	struct dm_obj	*o;

	o = dm_store_obj(st, oid);
	return (o != NULL && o->backed);
}

int
dm_backend_write(struct dm_store *st, const struct lwm2m_path *p,
    const struct lwm2m_value *v)
{
	struct dm_obj			*o;
	const struct dm_resource	*r;

	if (p->len != 3 && p->len != 4)
		return (LWM2M_ERR_BAD_REQUEST);
	if ((o = dm_store_obj(st, p->ids[0])) == NULL || !o->backed ||
	    dm_store_inst(o, p->ids[1]) == NULL ||
	    (r = dm_resource_find(o->def, p->ids[2])) == NULL)
		return (LWM2M_ERR_NOT_FOUND);
	if (r->multiple != (p->len == 4) || r->type == LWM2M_TYPE_NONE)
		return (LWM2M_ERR_BAD_REQUEST);
	if (st->backend == NULL || st->backend->write == NULL)
		return (LWM2M_ERR_METHOD_NOT_ALLOWED);
	return (st->backend->write(st->backend_arg, p, v));
}

int
dm_backend_execute(struct dm_store *st, const struct lwm2m_path *p,
    const uint8_t *args, size_t len)
{
	struct dm_obj			*o;
	const struct dm_resource	*r;

	if (p->len != 3)
		return (LWM2M_ERR_BAD_REQUEST);
	if ((o = dm_store_obj(st, p->ids[0])) == NULL || !o->backed ||
	    dm_store_inst(o, p->ids[1]) == NULL ||
	    (r = dm_resource_find(o->def, p->ids[2])) == NULL)
		return (LWM2M_ERR_NOT_FOUND);
	if ((r->ops & LWM2M_OP_E) == 0)
		return (LWM2M_ERR_METHOD_NOT_ALLOWED);
	if (st->backend == NULL || st->backend->execute == NULL)
		return (LWM2M_ERR_METHOD_NOT_ALLOWED);
	return (st->backend->execute(st->backend_arg, p, args, len));
}
