/*
 * The object store of one virtual client: supported objects, instances and values in
 * sorted arrays (binary search at every level), allocation only when something is
 * created, removed or a byte value changes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#include "dm_int.h"

struct dm_store *
dm_store_create(const struct dm_registry *reg)
{
	struct dm_store	*st;

	st = xcalloc(1, sizeof *st);
	st->reg = reg;
	return (st);
}

static void
dm_store_free_vals(struct dm_inst *in)
{
	uint16_t	i;

	for (i = 0; i < in->nvals; i++) {
		if (in->vals[i].len != 0)
			free(in->vals[i].v.p);
	}
	free(in->vals);
	in->vals = NULL;
	in->nvals = 0;
}

static void
dm_store_free_insts(struct dm_obj *o)
{
	uint16_t	i;

	for (i = 0; i < o->ninsts; i++)
		dm_store_free_vals(&o->insts[i]);
	free(o->insts);
	o->insts = NULL;
	o->ninsts = 0;
}

void
dm_store_clear(struct dm_store *st)
{
	uint16_t	i;

	for (i = 0; i < st->nobjs; i++)
		dm_store_free_insts(&st->objs[i]);
	free(st->objs);
	st->objs = NULL;
	st->nobjs = 0;
}

void
dm_store_free(struct dm_store *st)
{
	if (st == NULL)
		return;
	dm_store_clear(st);
	free(st);
}

const struct dm_registry *
dm_store_registry(const struct dm_store *st)
{
	return (st->reg);
}

size_t
dm_store_heap_bytes(const struct dm_store *st)
{
	size_t		 n;
	uint16_t	 i, j, k;
	struct dm_obj	*o;
	struct dm_inst	*in;

	n = sizeof *st + st->nobjs * sizeof *st->objs;
	for (i = 0; i < st->nobjs; i++) {
		o = &st->objs[i];
		n += o->ninsts * sizeof *o->insts;
		for (j = 0; j < o->ninsts; j++) {
			in = &o->insts[j];
			n += in->nvals * sizeof *in->vals;
			for (k = 0; k < in->nvals; k++)
				n += in->vals[k].len;
		}
	}
	return (n);
}

struct dm_store *
dm_store_clone(const struct dm_store *st)
{
	struct dm_store	*cl;
	struct dm_obj	*o;
	struct dm_inst	*in;
	struct dm_val	*v;
	uint16_t	 i, j, k;

	cl = dm_store_create(st->reg);
	cl->backend = st->backend;
	cl->backend_arg = st->backend_arg;
	cl->nobjs = st->nobjs;
	if (st->nobjs != 0)
		cl->objs = xmemdup(st->objs, st->nobjs * sizeof *st->objs);
	for (i = 0; i < cl->nobjs; i++) {
		o = &cl->objs[i];
		if (o->ninsts == 0)
			continue;
		o->insts = xmemdup(o->insts, o->ninsts * sizeof *o->insts);
		for (j = 0; j < o->ninsts; j++) {
			in = &o->insts[j];
			if (in->nvals == 0)
				continue;
			in->vals = xmemdup(in->vals, in->nvals * sizeof *in->vals);
			for (k = 0; k < in->nvals; k++) {
				v = &in->vals[k];
				if (v->len != 0)
					v->v.p = xmemdup(v->v.p, v->len);
			}
		}
	}
	return (cl);
}

void
dm_store_swap(struct dm_store *a, struct dm_store *b)
{
	struct dm_store	tmp;

	tmp = *a;
	*a = *b;
	*b = tmp;
}

/* Index of oid in the store, or where it would go. */
static size_t
dm_store_obj_search(const struct dm_store *st, uint16_t oid, bool *found)
{
	size_t	lo = 0, hi = st->nobjs, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (st->objs[mid].def->oid == oid) {
			*found = true;
			return (mid);
		}
		if (st->objs[mid].def->oid < oid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return (lo);
}

struct dm_obj *
dm_store_obj(const struct dm_store *st, uint16_t oid)
{
	bool	found;
	size_t	i;

	i = dm_store_obj_search(st, oid, &found);
	return (found ? &st->objs[i] : NULL);
}

static size_t
dm_store_inst_search(const struct dm_obj *o, uint16_t iid, bool *found)
{
	size_t	lo = 0, hi = o->ninsts, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (o->insts[mid].iid == iid) {
			*found = true;
			return (mid);
		}
		if (o->insts[mid].iid < iid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return (lo);
}

struct dm_inst *
dm_store_inst(const struct dm_obj *o, uint16_t iid)
{
	bool	found;
	size_t	i;

	if (o == NULL)
		return (NULL);
	i = dm_store_inst_search(o, iid, &found);
	return (found ? &o->insts[i] : NULL);
}

size_t
dm_store_val_search(const struct dm_inst *in, uint16_t rid, uint16_t riid,
    bool *found)
{
	size_t		lo = 0, hi = in->nvals, mid;
	uint32_t	key = (uint32_t)rid << 16 | riid, k;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		k = (uint32_t)in->vals[mid].rid << 16 | in->vals[mid].riid;
		if (k == key) {
			*found = true;
			return (mid);
		}
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return (lo);
}

void
dm_store_val_get(const struct dm_val *v, struct lwm2m_value *out)
{
	memset(out, 0, sizeof *out);
	out->type = v->type;
	switch (v->type) {
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_OPAQUE:
	case LWM2M_TYPE_CORELNK:
		out->v.bytes.ptr = v->len != 0 ? v->v.p : (const uint8_t *)"";
		out->v.bytes.len = v->len;
		break;
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		out->v.i = v->v.i;
		break;
	case LWM2M_TYPE_UNSIGNED:
		out->v.u = v->v.u;
		break;
	case LWM2M_TYPE_FLOAT:
		out->v.f = v->v.f;
		break;
	case LWM2M_TYPE_BOOLEAN:
		out->v.b = v->v.b;
		break;
	case LWM2M_TYPE_OBJLNK:
		out->v.objlnk.oid = v->v.lnk.oid;
		out->v.objlnk.iid = v->v.lnk.iid;
		break;
	default:
		break;
	}
}

int
dm_object_add(struct dm_store *st, uint16_t oid)
{
	const struct dm_object	*def;
	bool			 found;
	size_t			 i;

	i = dm_store_obj_search(st, oid, &found);
	if (found)
		return (0);
	if ((def = dm_object_find(st->reg, oid)) == NULL)
		return (LWM2M_ERR_NOT_FOUND);
	st->objs = xreallocarray(st->objs, st->nobjs + 1, sizeof *st->objs);
	memmove(&st->objs[i + 1], &st->objs[i], (st->nobjs - i) * sizeof *st->objs);
	memset(&st->objs[i], 0, sizeof st->objs[i]);
	st->objs[i].def = def;
	st->nobjs++;
	return (0);
}

int
dm_object_remove(struct dm_store *st, uint16_t oid)
{
	bool	found;
	size_t	i;

	i = dm_store_obj_search(st, oid, &found);
	if (!found)
		return (LWM2M_ERR_NOT_FOUND);
	dm_store_free_insts(&st->objs[i]);
	memmove(&st->objs[i], &st->objs[i + 1],
	    (st->nobjs - i - 1) * sizeof *st->objs);
	st->nobjs--;
	return (0);
}

bool
dm_object_has(const struct dm_store *st, uint16_t oid)
{
	return (dm_store_obj(st, oid) != NULL);
}

const struct dm_object *
dm_object_get(const struct dm_store *st, uint16_t oid)
{
	struct dm_obj	*o;

	o = dm_store_obj(st, oid);
	return (o != NULL ? o->def : NULL);
}

const char *
dm_object_version(const struct dm_store *st, uint16_t oid)
{
	struct dm_obj	*o;

	if ((o = dm_store_obj(st, oid)) == NULL)
		return (NULL);
	return (o->def->version != NULL ? o->def->version : "1.0");
}

static uint16_t
dm_store_free_iid(const struct dm_obj *o)
{
	uint32_t	want = 0;
	uint16_t	i;

	for (i = 0; i < o->ninsts && o->insts[i].iid == want; i++)
		want++;
	return (want > LWM2M_ID_MAX ? LWM2M_ID_NONE : (uint16_t)want);
}

uint16_t
dm_instance_free_iid(const struct dm_store *st, uint16_t oid)
{
	struct dm_obj	*o;

	if ((o = dm_store_obj(st, oid)) == NULL)
		return (LWM2M_ID_NONE);
	return (dm_store_free_iid(o));
}

int
dm_instance_create(struct dm_store *st, uint16_t oid, uint16_t iid, uint16_t *iidp)
{
	struct dm_obj	*o;
	bool		 found;
	size_t		 i;

	if ((o = dm_store_obj(st, oid)) == NULL)
		return (LWM2M_ERR_NOT_FOUND);
	if (!o->def->multiple && o->ninsts != 0)
		return (LWM2M_ERR_BAD_REQUEST);
	if (iid == LWM2M_ID_NONE) {
		if ((iid = dm_store_free_iid(o)) == LWM2M_ID_NONE)
			return (LWM2M_ERR_TOO_LARGE);
	}
	i = dm_store_inst_search(o, iid, &found);
	if (found)
		return (LWM2M_ERR_BAD_REQUEST);
	o->insts = xreallocarray(o->insts, o->ninsts + 1U, sizeof *o->insts);
	memmove(&o->insts[i + 1], &o->insts[i], (o->ninsts - i) * sizeof *o->insts);
	memset(&o->insts[i], 0, sizeof o->insts[i]);
	o->insts[i].iid = iid;
	o->ninsts++;
	if (iidp != NULL)
		*iidp = iid;
	return (0);
}

int
dm_instance_delete(struct dm_store *st, uint16_t oid, uint16_t iid)
{
	struct dm_obj	*o;
	bool		 found;
	size_t		 i;

	if ((o = dm_store_obj(st, oid)) == NULL)
		return (LWM2M_ERR_NOT_FOUND);
	i = dm_store_inst_search(o, iid, &found);
	if (!found)
		return (LWM2M_ERR_NOT_FOUND);
	dm_store_free_vals(&o->insts[i]);
	memmove(&o->insts[i], &o->insts[i + 1],
	    (o->ninsts - i - 1) * sizeof *o->insts);
	o->ninsts--;
	if (o->ninsts == 0) {
		free(o->insts);
		o->insts = NULL;
	}
	return (0);
}

bool
dm_instance_exists(const struct dm_store *st, uint16_t oid, uint16_t iid)
{
	return (dm_store_inst(dm_store_obj(st, oid), iid) != NULL);
}

size_t
dm_instance_count(const struct dm_store *st, uint16_t oid)
{
	struct dm_obj	*o;

	o = dm_store_obj(st, oid);
	return (o != NULL ? o->ninsts : 0);
}

/* Find the instance and resource definition a value path (depth 3 or 4) names. */
static int
dm_store_locate(const struct dm_store *st, const struct lwm2m_path *p,
    struct dm_inst **inp, const struct dm_resource **rp)
{
	struct dm_obj	*o;

	if (p->len != 3 && p->len != 4)
		return (LWM2M_ERR_BAD_REQUEST);
	if ((o = dm_store_obj(st, p->ids[0])) == NULL)
		return (LWM2M_ERR_NOT_FOUND);
	if ((*inp = dm_store_inst(o, p->ids[1])) == NULL)
		return (LWM2M_ERR_NOT_FOUND);
	if ((*rp = dm_resource_find(o->def, p->ids[2])) == NULL)
		return (LWM2M_ERR_NOT_FOUND);
	if ((*rp)->multiple != (p->len == 4))
		return (LWM2M_ERR_BAD_REQUEST);
	if (p->len == 4 && p->ids[3] > LWM2M_ID_MAX)
		return (LWM2M_ERR_BAD_REQUEST);
	return (0);
}

static bool
dm_store_val_same(const struct dm_val *a, const struct lwm2m_value *b)
{
	switch (b->type) {
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_OPAQUE:
	case LWM2M_TYPE_CORELNK:
		return (a->len == b->v.bytes.len &&
		    (a->len == 0 || memcmp(a->v.p, b->v.bytes.ptr, a->len) == 0));
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		return (a->v.i == b->v.i);
	case LWM2M_TYPE_UNSIGNED:
		return (a->v.u == b->v.u);
	case LWM2M_TYPE_FLOAT:
		/* Bitwise, so NaN to NaN is no change and 0.0 to -0.0 is one. */
		return (memcmp(&a->v.f, &b->v.f, sizeof a->v.f) == 0);
	case LWM2M_TYPE_BOOLEAN:
		return (a->v.b == b->v.b);
	case LWM2M_TYPE_OBJLNK:
		return (a->v.lnk.oid == b->v.objlnk.oid &&
		    a->v.lnk.iid == b->v.objlnk.iid);
	default:
		return (false);
	}
}

/* Store value b (already of the definition's type) into a, freeing a's old bytes. */
static void
dm_store_val_put(struct dm_val *a, const struct lwm2m_value *b)
{
	uint8_t	*old = a->len != 0 ? a->v.p : NULL;

	a->type = (uint8_t)b->type;
	a->flags = 0;
	a->len = 0;
	switch (b->type) {
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_OPAQUE:
	case LWM2M_TYPE_CORELNK:
		a->len = (uint16_t)b->v.bytes.len;
		a->v.p = a->len != 0 ? xmemdup(b->v.bytes.ptr, a->len) : NULL;
		break;
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		a->v.i = b->v.i;
		break;
	case LWM2M_TYPE_UNSIGNED:
		a->v.u = b->v.u;
		break;
	case LWM2M_TYPE_FLOAT:
		a->v.f = b->v.f;
		break;
	case LWM2M_TYPE_BOOLEAN:
		a->v.b = b->v.b;
		break;
	case LWM2M_TYPE_OBJLNK:
		a->v.lnk.oid = b->v.objlnk.oid;
		a->v.lnk.iid = b->v.objlnk.iid;
		break;
	default:
		break;
	}
	free(old);
}

static void
dm_store_val_remove(struct dm_inst *in, size_t i)
{
	if (in->vals[i].len != 0)
		free(in->vals[i].v.p);
	memmove(&in->vals[i], &in->vals[i + 1],
	    (in->nvals - i - 1) * sizeof *in->vals);
	in->nvals--;
	if (in->nvals == 0) {
		free(in->vals);
		in->vals = NULL;
	}
}

static struct dm_val *
dm_store_val_insert(struct dm_inst *in, size_t i, uint16_t rid, uint16_t riid)
{
	in->vals = xreallocarray(in->vals, in->nvals + 1U, sizeof *in->vals);
	memmove(&in->vals[i + 1], &in->vals[i], (in->nvals - i) * sizeof *in->vals);
	memset(&in->vals[i], 0, sizeof in->vals[i]);
	in->vals[i].rid = rid;
	in->vals[i].riid = riid;
	in->nvals++;
	return (&in->vals[i]);
}

int
dm_set(struct dm_store *st, const struct lwm2m_path *p,
    const struct lwm2m_value *value, bool *changed)
{
	struct dm_inst			*in;
	const struct dm_resource	*r;
	struct lwm2m_value		 cv;
	struct dm_val			*v;
	uint16_t			 riid;
	size_t				 i;
	bool				 found;
	int				 error;

	if (changed != NULL)
		*changed = false;
	if ((error = dm_store_locate(st, p, &in, &r)) != 0)
		return (error);
	if (r->type == LWM2M_TYPE_NONE)
		return (LWM2M_ERR_METHOD_NOT_ALLOWED);
	if ((error = dm_value_convert(value, r->type, &cv)) != 0)
		return (error);
	switch (cv.type) {
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_OPAQUE:
	case LWM2M_TYPE_CORELNK:
		if (cv.v.bytes.len > DM_VALUE_MAX_LEN)
			return (LWM2M_ERR_TOO_LARGE);
		if (cv.v.bytes.len != 0 && cv.v.bytes.ptr == NULL)
			return (LWM2M_ERR_BAD_REQUEST);
		break;
	default:
		break;
	}
	if (!dm_value_in_range(r, &cv))
		return (LWM2M_ERR_BAD_REQUEST);

	riid = p->len == 4 ? p->ids[3] : DM_RIID_SINGLE;
	i = dm_store_val_search(in, r->rid, riid, &found);
	if (found) {
		v = &in->vals[i];
		if (dm_store_val_same(v, &cv))
			return (0);
		dm_store_val_put(v, &cv);
		if (changed != NULL)
			*changed = true;
		return (0);
	}
	if (in->nvals == UINT16_MAX)
		return (LWM2M_ERR_TOO_LARGE);
	if (r->multiple) {
		/* The first instance replaces the empty marker, which sorts last. */
		size_t	m;
		bool	mfound;

		m = dm_store_val_search(in, r->rid, DM_RIID_SINGLE, &mfound);
		if (mfound)
			dm_store_val_remove(in, m);
	}
	v = dm_store_val_insert(in, i, r->rid, riid);
	dm_store_val_put(v, &cv);
	if (changed != NULL)
		*changed = true;
	return (0);
}

int
dm_get(const struct dm_store *st, const struct lwm2m_path *p,
    struct lwm2m_value *out)
{
	struct dm_inst			*in;
	const struct dm_resource	*r;
	size_t				 i;
	bool				 found;
	int				 error;

	if ((error = dm_store_locate(st, p, &in, &r)) != 0)
		return (error);
	i = dm_store_val_search(in, r->rid, p->len == 4 ? p->ids[3] :
	    DM_RIID_SINGLE, &found);
	if (!found || (in->vals[i].flags & DM_VAL_EMPTY))
		return (LWM2M_ERR_NOT_FOUND);
	dm_store_val_get(&in->vals[i], out);
	return (0);
}

/* Remove every value of resource rid; whether there was any. */
static bool
dm_store_remove_rid(struct dm_inst *in, uint16_t rid)
{
	size_t	i;
	bool	found, any = false;

	i = dm_store_val_search(in, rid, 0, &found);
	while (i < in->nvals && in->vals[i].rid == rid) {
		dm_store_val_remove(in, i);
		any = true;
	}
	return (any);
}

int
dm_resource_clear(struct dm_store *st, uint16_t oid, uint16_t iid, uint16_t rid)
{
	struct lwm2m_path		 p = LWM2M_PATH_RI(oid, iid, rid, 0);
	struct dm_inst			*in;
	const struct dm_resource	*r;
	struct dm_val			*v;
	size_t				 i;
	bool				 found;
	int				 error;

	if ((error = dm_store_locate(st, &p, &in, &r)) != 0)
		return (error);
	dm_store_remove_rid(in, rid);
	i = dm_store_val_search(in, rid, DM_RIID_SINGLE, &found);
	v = dm_store_val_insert(in, i, rid, DM_RIID_SINGLE);
	v->flags = DM_VAL_EMPTY;
	v->type = (uint8_t)r->type;
	return (0);
}

size_t
dm_resource_count(const struct dm_store *st, uint16_t oid, uint16_t iid,
    uint16_t rid)
{
	struct dm_inst	*in;
	size_t		 i, n = 0;
	bool		 found;

	if ((in = dm_store_inst(dm_store_obj(st, oid), iid)) == NULL)
		return (0);
	for (i = dm_store_val_search(in, rid, 0, &found);
	    i < in->nvals && in->vals[i].rid == rid; i++) {
		if ((in->vals[i].flags & DM_VAL_EMPTY) == 0)
			n++;
	}
	return (n);
}

int
dm_delete(struct dm_store *st, const struct lwm2m_path *p)
{
	struct dm_obj			*o;
	struct dm_inst			*in;
	const struct dm_resource	*r;
	struct dm_val			*v;
	size_t				 i;
	bool				 found;

	if (p->len == 0 || p->len > 4)
		return (LWM2M_ERR_BAD_REQUEST);
	if ((o = dm_store_obj(st, p->ids[0])) == NULL)
		return (LWM2M_ERR_NOT_FOUND);
	if (p->len == 1) {
		dm_store_free_insts(o);
		return (0);
	}
	if (p->len == 2)
		return (dm_instance_delete(st, p->ids[0], p->ids[1]));
	if ((in = dm_store_inst(o, p->ids[1])) == NULL)
		return (LWM2M_ERR_NOT_FOUND);
	if (p->len == 3)
		return (dm_store_remove_rid(in, p->ids[2]) ? 0 : LWM2M_ERR_NOT_FOUND);
	if ((r = dm_resource_find(o->def, p->ids[2])) == NULL || !r->multiple)
		return (LWM2M_ERR_NOT_FOUND);
	i = dm_store_val_search(in, p->ids[2], p->ids[3], &found);
	if (!found || (in->vals[i].flags & DM_VAL_EMPTY))
		return (LWM2M_ERR_NOT_FOUND);
	dm_store_val_remove(in, i);
	/* The resource stays, with no instance. */
	if (dm_resource_count(st, p->ids[0], p->ids[1], p->ids[2]) == 0) {
		i = dm_store_val_search(in, p->ids[2], DM_RIID_SINGLE, &found);
		v = dm_store_val_insert(in, i, p->ids[2], DM_RIID_SINGLE);
		v->flags = DM_VAL_EMPTY;
		v->type = (uint8_t)r->type;
	}
	return (0);
}

bool
dm_exists(const struct dm_store *st, const struct lwm2m_path *p)
{
	struct dm_obj	*o;
	struct dm_inst	*in;
	size_t		 i;
	bool		 found;

	if (p->len == 0)
		return (true);
	if (p->len > 4 || (o = dm_store_obj(st, p->ids[0])) == NULL)
		return (false);
	if (p->len == 1)
		return (true);
	if ((in = dm_store_inst(o, p->ids[1])) == NULL)
		return (false);
	if (p->len == 2)
		return (true);
	i = dm_store_val_search(in, p->ids[2], p->len == 4 ? p->ids[3] : 0, &found);
	if (p->len == 3)
		return (i < in->nvals && in->vals[i].rid == p->ids[2]);
	return (found && (in->vals[i].flags & DM_VAL_EMPTY) == 0);
}
