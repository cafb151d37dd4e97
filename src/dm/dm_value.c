/*
 * Typed values: lossless conversion to a definition's type, range checks, and the typed
 * shorthands over dm_set and dm_get.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dm_int.h"

/* A float holding an integer that fits in int64_t exactly. */
static bool
dm_value_float_int(double f, int64_t *i)
{
	if (!isfinite(f) || f != floor(f) || f < -9223372036854775808.0 ||
	    f >= 9223372036854775808.0)
		return (false);
	*i = (int64_t)f;
	return (true);
}

int
dm_value_convert(const struct lwm2m_value *v, enum lwm2m_type t,
    struct lwm2m_value *out)
{
	int64_t	i;

	*out = *v;
	out->type = t;
	if (v->type == t)
		return (0);
	switch (t) {
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		if (v->type == LWM2M_TYPE_INTEGER || v->type == LWM2M_TYPE_TIME)
			return (0);
		if (v->type == LWM2M_TYPE_UNSIGNED && v->v.u <= INT64_MAX) {
			out->v.i = (int64_t)v->v.u;
			return (0);
		}
		if (v->type == LWM2M_TYPE_FLOAT && dm_value_float_int(v->v.f, &i)) {
			out->v.i = i;
			return (0);
		}
		break;
	case LWM2M_TYPE_UNSIGNED:
		if ((v->type == LWM2M_TYPE_INTEGER || v->type == LWM2M_TYPE_TIME) &&
		    v->v.i >= 0) {
			out->v.u = (uint64_t)v->v.i;
			return (0);
		}
		if (v->type == LWM2M_TYPE_FLOAT && dm_value_float_int(v->v.f, &i) &&
		    i >= 0) {
			out->v.u = (uint64_t)i;
			return (0);
		}
		break;
	case LWM2M_TYPE_FLOAT:
		if (v->type == LWM2M_TYPE_INTEGER || v->type == LWM2M_TYPE_TIME) {
			out->v.f = (double)v->v.i;
			return (0);
		}
		if (v->type == LWM2M_TYPE_UNSIGNED) {
			out->v.f = (double)v->v.u;
			return (0);
		}
		break;
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_CORELNK:
		if (v->type == LWM2M_TYPE_STRING || v->type == LWM2M_TYPE_CORELNK)
			return (0);
		break;
	default:
		break;
	}
	return (LWM2M_ERR_BAD_REQUEST);
}

bool
dm_value_in_range(const struct dm_resource *r, const struct lwm2m_value *v)
{
	double	x;

	if (!r->has_range)
		return (true);
	switch (v->type) {
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		x = (double)v->v.i;
		break;
	case LWM2M_TYPE_UNSIGNED:
		x = (double)v->v.u;
		break;
	case LWM2M_TYPE_FLOAT:
		if (isnan(v->v.f))
			return (false);
		x = v->v.f;
		break;
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_OPAQUE:
	case LWM2M_TYPE_CORELNK:
		x = (double)v->v.bytes.len;
		break;
	default:
		return (true);
	}
	return (x >= r->min && x <= r->max);
}

int
dm_set_int(struct dm_store *st, const struct lwm2m_path *p, int64_t i, bool *changed)
{
	struct lwm2m_value	v = { .type = LWM2M_TYPE_INTEGER, .v.i = i };

	return (dm_set(st, p, &v, changed));
}

int
dm_set_float(struct dm_store *st, const struct lwm2m_path *p, double f,
    bool *changed)
{
	struct lwm2m_value	v = { .type = LWM2M_TYPE_FLOAT, .v.f = f };

	return (dm_set(st, p, &v, changed));
}

int
dm_set_bool(struct dm_store *st, const struct lwm2m_path *p, bool b, bool *changed)
{
	struct lwm2m_value	v = { .type = LWM2M_TYPE_BOOLEAN, .v.b = b };

	return (dm_set(st, p, &v, changed));
}

int
dm_set_string(struct dm_store *st, const struct lwm2m_path *p, const char *s,
    bool *changed)
{
	struct lwm2m_value	v = { .type = LWM2M_TYPE_STRING };

	v.v.bytes.ptr = (const uint8_t *)s;
	v.v.bytes.len = strlen(s);
	return (dm_set(st, p, &v, changed));
}

int
dm_set_opaque(struct dm_store *st, const struct lwm2m_path *p, const void *buf,
    size_t len, bool *changed)
{
	struct lwm2m_value	v = { .type = LWM2M_TYPE_OPAQUE };

	v.v.bytes.ptr = buf;
	v.v.bytes.len = len;
	return (dm_set(st, p, &v, changed));
}

int
dm_get_int(const struct dm_store *st, const struct lwm2m_path *p, int64_t *i)
{
	struct lwm2m_value	v;
	int			error;

	if ((error = dm_get(st, p, &v)) != 0)
		return (error);
	switch (v.type) {
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		*i = v.v.i;
		return (0);
	case LWM2M_TYPE_UNSIGNED:
		if (v.v.u > INT64_MAX)
			return (LWM2M_ERR_BAD_REQUEST);
		*i = (int64_t)v.v.u;
		return (0);
	case LWM2M_TYPE_BOOLEAN:
		*i = v.v.b;
		return (0);
	default:
		return (LWM2M_ERR_BAD_REQUEST);
	}
}

int
dm_get_bool(const struct dm_store *st, const struct lwm2m_path *p, bool *b)
{
	struct lwm2m_value	v;
	int			error;

	if ((error = dm_get(st, p, &v)) != 0)
		return (error);
	if (v.type != LWM2M_TYPE_BOOLEAN)
		return (LWM2M_ERR_BAD_REQUEST);
	*b = v.v.b;
	return (0);
}

int
dm_get_bytes(const struct dm_store *st, const struct lwm2m_path *p,
    const uint8_t **ptr, size_t *len)
{
	struct lwm2m_value	v;
	int			error;

	if ((error = dm_get(st, p, &v)) != 0)
		return (error);
	if (v.type != LWM2M_TYPE_STRING && v.type != LWM2M_TYPE_OPAQUE &&
	    v.type != LWM2M_TYPE_CORELNK)
		return (LWM2M_ERR_BAD_REQUEST);
	*ptr = v.v.bytes.ptr;
	*len = v.v.bytes.len;
	return (0);
}
