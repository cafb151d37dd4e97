/* OMA TLV (content format 11542), LwM2M 1.1 TS Core §7.4.3. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "codec.h"
#include "codec_int.h"

/* The identifier types of bits 7-6 of the type byte. */
#define TLV_INSTANCE	0
#define TLV_RES_INST	1
#define TLV_MULTIPLE	2
#define TLV_RESOURCE	3

/* Lengths are at most 24 bits. */
#define TLV_LEN_MAX	0xffffffU

struct tlv {
	int		 type;
	uint16_t	 id;
	const uint8_t	*val;
	size_t		 len;
};

static int
tlv_fail(struct codec_decoder *d, const char *why)
{
	d->why = why;
	return (LWM2M_ERR_BAD_REQUEST);
}

/* Read the TLV at *p, never past end: 0, or -1 when truncated or overrunning. */
static int
tlv_next(const uint8_t **p, const uint8_t *end, struct tlv *t)
{
	const uint8_t	*q = *p;
	size_t		 idlen, lenlen, i;
	uint8_t		 h;

	if (q == end)
		return (-1);
	h = *q++;
	t->type = h >> 6;
	idlen = (h & 0x20) ? 2 : 1;
	lenlen = (h >> 3) & 0x3;
	if ((size_t)(end - q) < idlen + lenlen)
		return (-1);
	t->id = idlen == 2 ? (uint16_t)(q[0] << 8 | q[1]) : q[0];
	q += idlen;
	if (lenlen == 0)
		t->len = h & 0x7;
	else {
		t->len = 0;
		for (i = 0; i < lenlen; i++)
			t->len = t->len << 8 | *q++;
	}
	if ((size_t)(end - q) < t->len)
		return (-1);
	t->val = q;
	*p = q + t->len;
	return (0);
}

static uint64_t
tlv_be(const uint8_t *p, size_t len)
{
	uint64_t	u = 0;
	size_t		i;

	for (i = 0; i < len; i++)
		u = u << 8 | p[i];
	return (u);
}

/* Interpret the bytes of t as a value of the definition's type (opaque when unknown). */
static int
tlv_value(struct codec_decoder *d, const struct dm_resource *def, const struct tlv *t,
    struct lwm2m_value *v)
{
	uint64_t	u;
	uint32_t	u32;
	float		f32;

	memset(v, 0, sizeof *v);
	v->type = def != NULL ? def->type : LWM2M_TYPE_OPAQUE;
	switch (v->type) {
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_CORELNK:
		if (!codec_utf8_valid(t->val, t->len))
			return (tlv_fail(d, "invalid UTF-8 in a string"));
		/* FALLTHROUGH */
	case LWM2M_TYPE_OPAQUE:
		v->v.bytes.ptr = t->val;
		v->v.bytes.len = t->len;
		return (0);
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
	case LWM2M_TYPE_UNSIGNED:
		if (t->len != 1 && t->len != 2 && t->len != 4 && t->len != 8)
			return (tlv_fail(d, "integer length is not 1, 2, 4 or 8"));
		u = tlv_be(t->val, t->len);
		if (v->type == LWM2M_TYPE_UNSIGNED)
			v->v.u = u;
		else if (t->len < 8 && (u >> (t->len * 8 - 1)) != 0)
			v->v.i = (int64_t)(u - ((uint64_t)1 << (t->len * 8)));
		else
			v->v.i = (int64_t)u;
		return (0);
	case LWM2M_TYPE_FLOAT:
		if (t->len == 4) {
			u32 = (uint32_t)tlv_be(t->val, 4);
			memcpy(&f32, &u32, sizeof f32);
			v->v.f = f32;
		} else if (t->len == 8) {
			u = tlv_be(t->val, 8);
			memcpy(&v->v.f, &u, sizeof v->v.f);
		} else
			return (tlv_fail(d, "float length is not 4 or 8"));
		return (0);
	case LWM2M_TYPE_BOOLEAN:
		if (t->len != 1 || t->val[0] > 1)
			return (tlv_fail(d, "boolean is not one byte 0 or 1"));
		v->v.b = t->val[0] == 1;
		return (0);
	case LWM2M_TYPE_OBJLNK:
		if (t->len != 4)
			return (tlv_fail(d, "object link length is not 4"));
		v->v.objlnk.oid = (uint16_t)tlv_be(t->val, 2);
		v->v.objlnk.iid = (uint16_t)tlv_be(t->val + 2, 2);
		return (0);
	default:
		return (tlv_fail(d, "resource takes no value"));
	}
}

/* A resource (or multiple resource) TLV at path /oid/iid. */
static int
tlv_resource(struct codec_decoder *d, const struct dm_object *obj, struct lwm2m_path *path,
    const struct tlv *t)
{
	const struct dm_resource	*def;
	const uint8_t			*p, *end;
	struct lwm2m_value		 v;
	struct tlv			 ri;
	int				 error;

	path->ids[2] = t->id;
	path->len = 3;
	def = codec_resource_find(obj, t->id);
	if (t->type == TLV_RESOURCE) {
		if (def != NULL && def->multiple)
			return (tlv_fail(d, "single value for a multiple resource"));
		if ((error = tlv_value(d, def, t, &v)) != 0)
			return (error);
		return (d->entry(d->entry_arg, path, def, &v));
	}
	if (t->type != TLV_MULTIPLE)
		return (tlv_fail(d, "expected a resource"));
	if (def != NULL && !def->multiple)
		return (tlv_fail(d, "instances for a single-instance resource"));
	if (t->len == 0) {
		memset(&v, 0, sizeof v);
		return (d->entry(d->entry_arg, path, def, &v));
	}
	p = t->val;
	end = t->val + t->len;
	path->len = 4;
	while (p != end) {
		if (tlv_next(&p, end, &ri) != 0)
			return (tlv_fail(d, "truncated resource instance"));
		if (ri.type != TLV_RES_INST)
			return (tlv_fail(d, "expected a resource instance"));
		if (ri.id == LWM2M_ID_NONE)
			return (tlv_fail(d, "reserved identifier 65535"));
		path->ids[3] = ri.id;
		if ((error = tlv_value(d, def, &ri, &v)) != 0)
			return (error);
		if ((error = d->entry(d->entry_arg, path, def, &v)) != 0)
			return (error);
	}
	return (0);
}

/* The resources of instance /oid/iid; an empty instance is reported as present. */
static int
tlv_instance(struct codec_decoder *d, const struct dm_object *obj, uint16_t oid,
    uint16_t iid, const uint8_t *p, const uint8_t *end)
{
	struct lwm2m_path	path = LWM2M_PATH_INST(oid, iid);
	struct lwm2m_value	v;
	struct tlv		t;
	int			error;

	if (p == end) {
		memset(&v, 0, sizeof v);
		return (d->entry(d->entry_arg, &path, NULL, &v));
	}
	while (p != end) {
		if (tlv_next(&p, end, &t) != 0)
			return (tlv_fail(d, "truncated TLV"));
		if (t.id == LWM2M_ID_NONE)
			return (tlv_fail(d, "reserved identifier 65535"));
		if ((error = tlv_resource(d, obj, &path, &t)) != 0)
			return (error);
	}
	return (0);
}

int
codec_tlv_decode(struct codec_decoder *d, const struct lwm2m_path *base, const uint8_t *buf,
    size_t len)
{
	const struct dm_object		*obj;
	const struct dm_resource	*def;
	const uint8_t			*p = buf, *end = buf + len, *q;
	struct lwm2m_path		 path;
	struct lwm2m_value		 v;
	struct tlv			 t;
	int				 error;

	if (base->len == 0)
		return (tlv_fail(d, "TLV needs an object path"));
	obj = d->lookup != NULL ? d->lookup(d->lookup_arg, base->ids[0]) : NULL;

	switch (base->len) {
	case 1:
		while (p != end) {
			if (tlv_next(&p, end, &t) != 0)
				return (tlv_fail(d, "truncated TLV"));
			if (t.type != TLV_INSTANCE)
				return (tlv_fail(d, "expected object instances"));
			if (t.id == LWM2M_ID_NONE)
				return (tlv_fail(d, "reserved identifier 65535"));
			error = tlv_instance(d, obj, base->ids[0], t.id, t.val,
			    t.val + t.len);
			if (error != 0)
				return (error);
		}
		return (0);
	case 2:
		/* Resources, or them wrapped in the instance itself. */
		q = p;
		if (p != end && tlv_next(&q, end, &t) == 0 && t.type == TLV_INSTANCE) {
			if (t.id != base->ids[1] || q != end)
				return (tlv_fail(d, "object instance is not the target"));
			p = t.val;
			end = t.val + t.len;
		}
		return (tlv_instance(d, obj, base->ids[0], base->ids[1], p, end));
	case 3:
		path = *base;
		def = codec_resource_find(obj, base->ids[2]);
		if (p == end) {
			if (def == NULL || !def->multiple)
				return (tlv_fail(d, "empty payload"));
			memset(&v, 0, sizeof v);
			return (d->entry(d->entry_arg, &path, def, &v));
		}
		if (tlv_next(&p, end, &t) != 0)
			return (tlv_fail(d, "truncated TLV"));
		if (t.type == TLV_RESOURCE || t.type == TLV_MULTIPLE) {
			if (t.id != base->ids[2] || p != end)
				return (tlv_fail(d, "resource is not the target"));
			return (tlv_resource(d, obj, &path, &t));
		}
		if (t.type != TLV_RES_INST)
			return (tlv_fail(d, "expected a resource"));
		/* Bare resource instances: treat as the multiple resource they form. */
		t.type = TLV_MULTIPLE;
		t.id = base->ids[2];
		t.val = buf;
		t.len = len;
		return (tlv_resource(d, obj, &path, &t));
	default:
		path = *base;
		def = codec_resource_find(obj, base->ids[2]);
		if (def != NULL && !def->multiple)
			return (tlv_fail(d, "resource instance of a single-instance resource"));
		if (tlv_next(&p, end, &t) != 0)
			return (tlv_fail(d, "truncated TLV"));
		if (t.type != TLV_RES_INST || t.id != base->ids[3] || p != end)
			return (tlv_fail(d, "expected the target resource instance"));
		if ((error = tlv_value(d, def, &t, &v)) != 0)
			return (error);
		return (d->entry(d->entry_arg, &path, def, &v));
	}
}

static size_t
tlv_hdr_len(uint16_t id, size_t len)
{
	size_t	n = id > 0xff ? 3 : 2;

	if (len >= 8)
		n++;
	if (len > 0xff)
		n++;
	if (len > 0xffff)
		n++;
	return (n);
}

static void
tlv_hdr(struct codec_buf *b, int type, uint16_t id, size_t len)
{
	uint8_t	h[6];
	size_t	n = 1;

	if (len > TLV_LEN_MAX) {
		if (b->error == 0)
			b->error = LWM2M_ERR_TOO_LARGE;
		return;
	}
	h[0] = (uint8_t)(type << 6);
	if (id > 0xff) {
		h[0] |= 0x20;
		h[n++] = id >> 8;
	}
	h[n++] = id & 0xff;
	if (len < 8)
		h[0] |= (uint8_t)len;
	else if (len <= 0xff) {
		h[0] |= 0x08;
		h[n++] = (uint8_t)len;
	} else if (len <= 0xffff) {
		h[0] |= 0x10;
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	} else {
		h[0] |= 0x18;
		h[n++] = (uint8_t)(len >> 16);
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	}
	codec_buf_put(b, h, n);
}

static size_t
tlv_int_len(int64_t i)
{
	if (i >= INT8_MIN && i <= INT8_MAX)
		return (1);
	if (i >= INT16_MIN && i <= INT16_MAX)
		return (2);
	if (i >= INT32_MIN && i <= INT32_MAX)
		return (4);
	return (8);
}

static size_t
tlv_uint_len(uint64_t u)
{
	if (u <= UINT8_MAX)
		return (1);
	if (u <= UINT16_MAX)
		return (2);
	if (u <= UINT32_MAX)
		return (4);
	return (8);
}

/* A float goes on 4 bytes when that loses nothing. */
static bool
tlv_float_short(double f)
{
	return (fabs(f) <= FLT_MAX && (double)(float)f == f);
}

static size_t
tlv_val_len(const struct lwm2m_value *v)
{
	switch (v->type) {
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		return (tlv_int_len(v->v.i));
	case LWM2M_TYPE_UNSIGNED:
		return (tlv_uint_len(v->v.u));
	case LWM2M_TYPE_FLOAT:
		return (tlv_float_short(v->v.f) ? 4 : 8);
	case LWM2M_TYPE_BOOLEAN:
		return (1);
	case LWM2M_TYPE_OBJLNK:
		return (4);
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_OPAQUE:
	case LWM2M_TYPE_CORELNK:
		return (v->v.bytes.len);
	default:
		return (0);
	}
}

static void
tlv_put_be(struct codec_buf *b, uint64_t u, size_t len)
{
	uint8_t	tmp[8];
	size_t	i;

	for (i = 0; i < len; i++)
		tmp[i] = (uint8_t)(u >> (8 * (len - 1 - i)));
	codec_buf_put(b, tmp, len);
}

static void
tlv_val(struct codec_buf *b, const struct lwm2m_value *v)
{
	uint64_t	u;
	uint32_t	u32;
	float		f32;

	switch (v->type) {
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		tlv_put_be(b, (uint64_t)v->v.i, tlv_int_len(v->v.i));
		break;
	case LWM2M_TYPE_UNSIGNED:
		tlv_put_be(b, v->v.u, tlv_uint_len(v->v.u));
		break;
	case LWM2M_TYPE_FLOAT:
		if (tlv_float_short(v->v.f)) {
			f32 = (float)v->v.f;
			memcpy(&u32, &f32, sizeof u32);
			tlv_put_be(b, u32, 4);
		} else {
			memcpy(&u, &v->v.f, sizeof u);
			tlv_put_be(b, u, 8);
		}
		break;
	case LWM2M_TYPE_BOOLEAN:
		codec_buf_putc(b, v->v.b ? 1 : 0);
		break;
	case LWM2M_TYPE_OBJLNK:
		tlv_put_be(b, (uint64_t)v->v.objlnk.oid << 16 | v->v.objlnk.iid, 4);
		break;
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_OPAQUE:
	case LWM2M_TYPE_CORELNK:
		codec_buf_put(b, v->v.bytes.ptr, v->v.bytes.len);
		break;
	default:
		break;
	}
}

/*
 * The resource at e[0] with all its instances: returns how many entries it spans and adds
 * its encoded size to *size; writes it when b is not NULL.
 */
static size_t
tlv_enc_resource(const struct codec_entry *e, size_t n, struct codec_buf *b, size_t *size)
{
	size_t	i, vl, inner = 0;

	if (e[0].path.len == 3 && e[0].value.type != LWM2M_TYPE_NONE) {
		vl = tlv_val_len(&e[0].value);
		*size += tlv_hdr_len(e[0].path.ids[2], vl) + vl;
		if (b != NULL) {
			tlv_hdr(b, TLV_RESOURCE, e[0].path.ids[2], vl);
			tlv_val(b, &e[0].value);
		}
		return (1);
	}
	if (e[0].path.len == 3)		/* an empty multiple resource */
		n = 1;
	else {
		for (i = 0; i < n && e[i].path.ids[2] == e[0].path.ids[2] &&
		    e[i].path.ids[1] == e[0].path.ids[1] &&
		    e[i].path.ids[0] == e[0].path.ids[0]; i++) {
			vl = tlv_val_len(&e[i].value);
			inner += tlv_hdr_len(e[i].path.ids[3], vl) + vl;
		}
		n = i;
	}
	*size += tlv_hdr_len(e[0].path.ids[2], inner) + inner;
	if (b != NULL) {
		tlv_hdr(b, TLV_MULTIPLE, e[0].path.ids[2], inner);
		for (i = 0; i < n && e[0].path.len == 4; i++) {
			vl = tlv_val_len(&e[i].value);
			tlv_hdr(b, TLV_RES_INST, e[i].path.ids[3], vl);
			tlv_val(b, &e[i].value);
		}
	}
	return (n);
}

/* All resources of e[0..n), which share one instance. */
static size_t
tlv_enc_resources(const struct codec_entry *e, size_t n, struct codec_buf *b)
{
	size_t	i = 0, size = 0;

	if (n == 1 && e[0].path.len == 2)	/* an empty instance */
		return (0);
	while (i < n)
		i += tlv_enc_resource(e + i, n - i, b, &size);
	return (size);
}

int
codec_tlv_encode(const struct lwm2m_path *base, const struct codec_entry *e, size_t n,
    struct codec_buf *b)
{
	size_t	i, j, inner;

	switch (base->len) {
	case 0:
		return (LWM2M_ERR_NOT_ACCEPTABLE);	/* TLV holds one object at most */
	case 1:
		for (i = 0; i < n; i = j) {
			for (j = i; j < n && e[j].path.ids[1] == e[i].path.ids[1]; j++)
				;
			inner = tlv_enc_resources(e + i, j - i, NULL);
			tlv_hdr(b, TLV_INSTANCE, e[i].path.ids[1], inner);
			tlv_enc_resources(e + i, j - i, b);
		}
		break;
	case 2:
		tlv_enc_resources(e, n, b);
		break;
	case 3:
		if (n != 0)
			tlv_enc_resources(e, n, b);
		break;
	default:
		if (n != 1)
			return (LWM2M_ERR_INTERNAL);
		tlv_hdr(b, TLV_RES_INST, e[0].path.ids[3], tlv_val_len(&e[0].value));
		tlv_val(b, &e[0].value);
		break;
	}
	return (b->error);
}
