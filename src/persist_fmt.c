/*
 * The state file image (docs/persist.md): encoding a store into it and parsing it back,
 * without I/O, so the parser can be fuzzed. Every length read from the image is checked
 * against what remains before it is used.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dm.h"
#include "persist.h"
#include "persist_int.h"
#include "xmalloc.h"

static const uint16_t persist_default_whole[] = {
	LWM2M_OID_SECURITY, LWM2M_OID_SERVER, LWM2M_OID_ACL
};
const struct persist_scope persist_scope_default = {
	.whole = persist_default_whole,
	.nwhole = sizeof persist_default_whole / sizeof persist_default_whole[0],
	.writable = true,
};

/* ------------------------------------------------------------------ CRC-32C */

/* Table for the reflected Castagnoli polynomial 0x82f63b78, built at compile time. */
#define PERSIST_CRC_P		0x82f63b78u
#define PERSIST_CRC_B(c)	(((c) & 1) ? ((c) >> 1) ^ PERSIST_CRC_P : (c) >> 1)
#define PERSIST_CRC_8(c)	PERSIST_CRC_B(PERSIST_CRC_B(PERSIST_CRC_B(PERSIST_CRC_B( \
	PERSIST_CRC_B(PERSIST_CRC_B(PERSIST_CRC_B(PERSIST_CRC_B((uint32_t)(c)))))))))
#define PERSIST_CRC_R4(n)	PERSIST_CRC_8(n), PERSIST_CRC_8((n) + 1), \
	PERSIST_CRC_8((n) + 2), PERSIST_CRC_8((n) + 3)
#define PERSIST_CRC_R16(n)	PERSIST_CRC_R4(n), PERSIST_CRC_R4((n) + 4), \
	PERSIST_CRC_R4((n) + 8), PERSIST_CRC_R4((n) + 12)
#define PERSIST_CRC_R64(n)	PERSIST_CRC_R16(n), PERSIST_CRC_R16((n) + 16), \
	PERSIST_CRC_R16((n) + 32), PERSIST_CRC_R16((n) + 48)

static const uint32_t persist_crc_table[256] = {
	PERSIST_CRC_R64(0), PERSIST_CRC_R64(64), PERSIST_CRC_R64(128), PERSIST_CRC_R64(192)
};

uint32_t
persist_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t	*p = buf;

	crc = ~crc;
	while (len-- != 0)
		crc = persist_crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return (~crc);
}

/* ------------------------------------------------------------------ encoding */

struct persist_out {
	uint8_t		*buf;
	size_t		 len;
	size_t		 size;
};

static uint8_t *
persist_out_reserve(struct persist_out *o, size_t n)
{
	uint8_t	*p;

	if (o->size - o->len < n) {
		while (o->size - o->len < n)
			o->size = o->size == 0 ? 1024 : o->size * 2;
		o->buf = xrealloc(o->buf, o->size);
	}
	p = o->buf + o->len;
	o->len += n;
	return (p);
}

static void
persist_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
persist_be32(uint8_t *p, uint32_t v)
{
	persist_be16(p, v >> 16);
	persist_be16(p + 2, v & 0xffff);
}

static void
persist_be64(uint8_t *p, uint64_t v)
{
	persist_be32(p, v >> 32);
	persist_be32(p + 4, v & 0xffffffffu);
}

static uint16_t
persist_get16(const uint8_t *p)
{
	return ((uint16_t)(p[0] << 8 | p[1]));
}

static uint32_t
persist_get32(const uint8_t *p)
{
	return ((uint32_t)persist_get16(p) << 16 | persist_get16(p + 2));
}

static uint64_t
persist_get64(const uint8_t *p)
{
	return ((uint64_t)persist_get32(p) << 32 | persist_get32(p + 4));
}

/* Start a section; returns its offset, to be closed by persist_section_end. */
static size_t
persist_section_begin(struct persist_out *o, uint16_t type)
{
	size_t	 off = o->len;

	persist_be16(persist_out_reserve(o, PERSIST_SEC_HDR_LEN), type);
	return (off);
}

static void
persist_section_end(struct persist_out *o, size_t off)
{
	persist_be32(o->buf + off + 2, (uint32_t)(o->len - off - PERSIST_SEC_HDR_LEN));
}

static uint8_t *
persist_record(struct persist_out *o, uint8_t kind, uint8_t type, uint16_t iid,
    uint16_t rid, uint16_t riid, size_t len)
{
	uint8_t	*p;

	p = persist_out_reserve(o, PERSIST_REC_HDR_LEN + len);
	p[0] = kind;
	p[1] = type;
	persist_be16(p + 2, iid);
	persist_be16(p + 4, rid);
	persist_be16(p + 6, riid);
	persist_be32(p + 8, (uint32_t)len);
	return (p + PERSIST_REC_HDR_LEN);
}

/* State of the walk over one object. */
struct persist_enc {
	struct persist_out	*out;
	const struct dm_store	*st;
	const struct dm_object	*def;
	bool			 whole;
	uint16_t		 iid;
	bool			 inst_done;	/* INSTANCE record of iid written */
	size_t			 nrecords;
};

static bool
persist_enc_selected(const struct persist_enc *e, const struct dm_resource *r)
{
	return (e->whole || (r != NULL && (r->ops & LWM2M_OP_W)));
}

/* Records of a partially saved instance start only when it has something to save. */
static void
persist_enc_instance(struct persist_enc *e)
{
	if (e->inst_done)
		return;
	persist_record(e->out, PERSIST_REC_INSTANCE, 0, e->iid, 0, 0, 0);
	e->inst_done = true;
	e->nrecords++;
}

static int
persist_enc_resource_cb(const struct dm_resource *r, size_t n, void *arg)
{
	struct persist_enc	*e = arg;

	if (!r->multiple || !persist_enc_selected(e, r))
		return (0);
	persist_enc_instance(e);
	persist_record(e->out, PERSIST_REC_CLEAR, 0, e->iid, r->rid, 0, 0);
	e->nrecords++;
	return (0);
}

static int
persist_enc_value_cb(const struct lwm2m_path *p, const struct lwm2m_value *v, void *arg)
{
	struct persist_enc	*e = arg;
	uint16_t		 riid;
	uint8_t			*d;
	uint64_t		 bits;

	if (!persist_enc_selected(e, dm_resource_find(e->def, p->ids[2])))
		return (0);
	persist_enc_instance(e);
	riid = p->len == 4 ? p->ids[3] : LWM2M_ID_NONE;
	switch (v->type) {
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_OPAQUE:
	case LWM2M_TYPE_CORELNK:
		d = persist_record(e->out, PERSIST_REC_VALUE, v->type, p->ids[1],
		    p->ids[2], riid, v->v.bytes.len);
		if (v->v.bytes.len != 0)
			memcpy(d, v->v.bytes.ptr, v->v.bytes.len);
		break;
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		d = persist_record(e->out, PERSIST_REC_VALUE, v->type, p->ids[1],
		    p->ids[2], riid, 8);
		persist_be64(d, (uint64_t)v->v.i);
		break;
	case LWM2M_TYPE_UNSIGNED:
		d = persist_record(e->out, PERSIST_REC_VALUE, v->type, p->ids[1],
		    p->ids[2], riid, 8);
		persist_be64(d, v->v.u);
		break;
	case LWM2M_TYPE_FLOAT:
		d = persist_record(e->out, PERSIST_REC_VALUE, v->type, p->ids[1],
		    p->ids[2], riid, 8);
		memcpy(&bits, &v->v.f, sizeof bits);
		persist_be64(d, bits);
		break;
	case LWM2M_TYPE_BOOLEAN:
		d = persist_record(e->out, PERSIST_REC_VALUE, v->type, p->ids[1],
		    p->ids[2], riid, 1);
		d[0] = v->v.b ? 1 : 0;
		break;
	case LWM2M_TYPE_OBJLNK:
		d = persist_record(e->out, PERSIST_REC_VALUE, v->type, p->ids[1],
		    p->ids[2], riid, 4);
		persist_be16(d, v->v.objlnk.oid);
		persist_be16(d + 2, v->v.objlnk.iid);
		break;
	default:
		return (0);	/* executable resources hold nothing to save */
	}
	e->nrecords++;
	return (0);
}

static int
persist_enc_instance_cb(uint16_t oid, uint16_t iid, void *arg)
{
	struct persist_enc	*e = arg;
	struct lwm2m_path	 p = LWM2M_PATH_INST(oid, iid);

	e->iid = iid;
	e->inst_done = false;
	if (e->whole)
		persist_enc_instance(e);
	dm_foreach_resource(e->st, oid, iid, persist_enc_resource_cb, e);
	dm_foreach_value(e->st, &p, persist_enc_value_cb, e);
	return (0);
}

static bool
persist_scope_whole(const struct persist_scope *scope, uint16_t oid)
{
	size_t	i;

	for (i = 0; i < scope->nwhole; i++) {
		if (scope->whole[i] == oid)
			return (true);
	}
	return (false);
}

struct persist_enc_objects {
	struct persist_out		*out;
	const struct dm_store		*st;
	const struct persist_scope	*scope;
};

static int
persist_enc_object_cb(const struct dm_object *def, void *arg)
{
	struct persist_enc_objects	*eo = arg;
	struct persist_enc		 e;
	const char			*ver;
	size_t				 off, vlen;
	uint8_t				*p;

	memset(&e, 0, sizeof e);
	e.out = eo->out;
	e.st = eo->st;
	e.def = def;
	e.whole = persist_scope_whole(eo->scope, def->oid);
	if (!e.whole && !eo->scope->writable)
		return (0);

	if ((ver = dm_object_version(eo->st, def->oid)) == NULL)
		ver = "1.0";
	vlen = strlen(ver);
	if (vlen > PERSIST_VERSION_LEN_MAX)
		vlen = PERSIST_VERSION_LEN_MAX;
	off = persist_section_begin(eo->out, PERSIST_SEC_OBJECT);
	p = persist_out_reserve(eo->out, 4 + vlen);
	persist_be16(p, def->oid);
	p[2] = e.whole ? PERSIST_OBJ_WHOLE : 0;
	p[3] = (uint8_t)vlen;
	memcpy(p + 4, ver, vlen);

	dm_foreach_instance(eo->st, def->oid, persist_enc_instance_cb, &e);
	if (!e.whole && e.nrecords == 0) {
		eo->out->len = off;	/* nothing writable here */
		return (0);
	}
	persist_section_end(eo->out, off);
	return (0);
}

int
persist_encode(const char *ep, const struct dm_store *st,
    const struct persist_scope *scope, const struct persist_meta *meta, uint8_t **buf,
    size_t *len, char **cause)
{
	struct persist_out		 out;
	struct persist_enc_objects	 eo;
	size_t				 off, eplen;
	uint8_t				*p;

	if (persist_endpoint_valid(ep, cause) != 0)
		return (-1);
	if (scope == NULL)
		scope = &persist_scope_default;
	memset(&out, 0, sizeof out);

	p = persist_out_reserve(&out, PERSIST_HDR_LEN);
	memcpy(p, PERSIST_MAGIC, PERSIST_MAGIC_LEN);
	p[8] = PERSIST_VERSION_MAJOR;
	p[9] = PERSIST_VERSION_MINOR;
	persist_be16(p + 10, 0);

	eplen = strlen(ep);
	off = persist_section_begin(&out, PERSIST_SEC_ENDPOINT);
	memcpy(persist_out_reserve(&out, eplen), ep, eplen);
	persist_section_end(&out, off);

	off = persist_section_begin(&out, PERSIST_SEC_META);
	p = persist_out_reserve(&out, PERSIST_META_LEN);
	persist_be64(p, meta->generation);
	persist_be64(p + 8, (uint64_t)meta->bs_purge_at);
	persist_be64(p + 16, (uint64_t)meta->saved_at);
	persist_section_end(&out, off);

	eo.out = &out;
	eo.st = st;
	eo.scope = scope;
	dm_foreach_object(st, persist_enc_object_cb, &eo);

	if (out.len - PERSIST_HDR_LEN > PERSIST_FILE_MAX) {
		xexplicit_bzero(out.buf, out.len);
		free(out.buf);
		xasprintf(cause, "state of %s is too large (%zu bytes)", ep, out.len);
		return (-1);
	}
	persist_be32(out.buf + 12, (uint32_t)(out.len - PERSIST_HDR_LEN));
	p = persist_out_reserve(&out, PERSIST_CRC_LEN);
	persist_be32(p, persist_crc32c(0, out.buf, out.len - PERSIST_CRC_LEN));
	*buf = out.buf;
	*len = out.len;
	return (0);
}

/* ------------------------------------------------------------------ parsing */

struct persist_dec {
	const uint8_t		*base;		/* the image, for offsets in messages */
	struct dm_store		*st;
	struct persist_meta	 meta;
	bool			 have_ep;
	bool			 have_meta;
	uint8_t			 seen[(LWM2M_ID_MAX + 1) / 8 + 1];	/* OBJECT oids */
	char			*cause;
};

static int
persist_dec_fail(struct persist_dec *d, const uint8_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
persist_dec_fail(struct persist_dec *d, const uint8_t *at, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(&d->cause, "offset %zu: %s", (size_t)(at - d->base), msg);
	free(msg);
	return (-1);
}

/* Decode the data of a VALUE record into v (pointing into the image). */
static int
persist_dec_value(uint8_t type, const uint8_t *p, uint32_t len, struct lwm2m_value *v)
{
	uint64_t	bits;

	memset(v, 0, sizeof *v);
	v->type = type;
	switch (type) {
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_OPAQUE:
	case LWM2M_TYPE_CORELNK:
		v->v.bytes.ptr = p;
		v->v.bytes.len = len;
		return (0);
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		if (len != 8)
			return (-1);
		v->v.i = (int64_t)persist_get64(p);
		return (0);
	case LWM2M_TYPE_UNSIGNED:
		if (len != 8)
			return (-1);
		v->v.u = persist_get64(p);
		return (0);
	case LWM2M_TYPE_FLOAT:
		if (len != 8)
			return (-1);
		bits = persist_get64(p);
		memcpy(&v->v.f, &bits, sizeof bits);
		return (0);
	case LWM2M_TYPE_BOOLEAN:
		if (len != 1 || p[0] > 1)
			return (-1);
		v->v.b = p[0] == 1;
		return (0);
	case LWM2M_TYPE_OBJLNK:
		if (len != 4)
			return (-1);
		v->v.objlnk.oid = persist_get16(p);
		v->v.objlnk.iid = persist_get16(p + 2);
		return (0);
	default:
		return (-1);
	}
}


/* The records of one OBJECT section; apply is false when the object is skipped. */
static int
persist_dec_records(struct persist_dec *d, uint16_t oid, bool apply,
    const uint8_t *p, size_t len)
{
	struct lwm2m_path	 path;
	struct lwm2m_value	 v;
	const uint8_t		*rec;
	uint32_t		 rlen;
	uint16_t		 iid, rid, riid;
	int			 cur = -1;	/* current instance, -1 before the first */
	bool			 cur_ok = false;	/* current instance applied */
	uint8_t			 kind, type;

	while (len != 0) {
		rec = p;
		if (len < PERSIST_REC_HDR_LEN)
			return (persist_dec_fail(d, rec, "truncated record"));
		kind = p[0];
		type = p[1];
		iid = persist_get16(p + 2);
		rid = persist_get16(p + 4);
		riid = persist_get16(p + 6);
		rlen = persist_get32(p + 8);
		p += PERSIST_REC_HDR_LEN;
		len -= PERSIST_REC_HDR_LEN;
		if (rlen > len)
			return (persist_dec_fail(d, rec, "record longer than its object"));
		p += rlen;
		len -= rlen;

		switch (kind) {
		case PERSIST_REC_INSTANCE:
			if (iid > LWM2M_ID_MAX || rlen != 0)
				return (persist_dec_fail(d, rec, "bad instance record"));
			if (iid <= cur)
				return (persist_dec_fail(d, rec,
				    "instance /%u/%u out of order", oid, iid));
			cur = iid;
			cur_ok = false;
			if (!apply)
				break;
			if (dm_instance_exists(d->st, oid, iid) ||
			    dm_instance_create(d->st, oid, iid, NULL) == 0)
				cur_ok = true;
			else
				d->meta.skipped++;
			break;
		case PERSIST_REC_CLEAR:
		case PERSIST_REC_VALUE:
			if (cur < 0 || iid != cur)
				return (persist_dec_fail(d, rec,
				    "value outside its instance"));
			if (rid > LWM2M_ID_MAX ||
			    (kind == PERSIST_REC_CLEAR && rlen != 0))
				return (persist_dec_fail(d, rec, "bad record"));
			if (kind == PERSIST_REC_VALUE && type > LWM2M_TYPE_CORELNK) {
				/* A value type of a newer minor version. */
				d->meta.skipped++;
				break;
			}
			if (kind == PERSIST_REC_VALUE &&
			    persist_dec_value(type, rec + PERSIST_REC_HDR_LEN, rlen,
			    &v) != 0)
				return (persist_dec_fail(d, rec,
				    "bad value for /%u/%u/%u (type %u, %u bytes)", oid,
				    iid, rid, type, rlen));
			if (!apply)
				break;	/* counted once for the object */
			if (!cur_ok) {
				if (kind == PERSIST_REC_VALUE)
					d->meta.skipped++;
				break;
			}
			if (kind == PERSIST_REC_CLEAR) {
				if (dm_resource_clear(d->st, oid, iid, rid) != 0)
					d->meta.skipped++;
				break;
			}
			if (riid == LWM2M_ID_NONE)
				path = LWM2M_PATH_RES(oid, iid, rid);
			else
				path = LWM2M_PATH_RI(oid, iid, rid, riid);
			if (dm_set(d->st, &path, &v, NULL) != 0)
				d->meta.skipped++;
			break;
		default:
			break;	/* a record kind of a newer minor version */
		}
	}
	return (0);
}

static bool
persist_dec_version_ok(const uint8_t *p, size_t len)
{
	size_t	i;

	if (len == 0)
		return (false);
	for (i = 0; i < len; i++) {
		if ((p[i] < '0' || p[i] > '9') && p[i] != '.')
			return (false);
	}
	return (true);
}

static int
persist_dec_object(struct persist_dec *d, const uint8_t *sec, const uint8_t *p,
    size_t len)
{
	struct lwm2m_path	 path;
	const char		*cur;
	uint16_t		 oid;
	uint8_t			 flags, vlen;
	bool			 whole, apply;

	if (len < 4)
		return (persist_dec_fail(d, sec, "object section too short"));
	oid = persist_get16(p);
	flags = p[2];
	vlen = p[3];
	if (oid > LWM2M_ID_MAX)
		return (persist_dec_fail(d, sec, "bad object ID %u", oid));
	if (d->seen[oid / 8] & (1u << (oid % 8)))
		return (persist_dec_fail(d, sec, "object %u twice", oid));
	d->seen[oid / 8] |= 1u << (oid % 8);
	if (vlen > PERSIST_VERSION_LEN_MAX || (size_t)vlen + 4 > len ||
	    !persist_dec_version_ok(p + 4, vlen))
		return (persist_dec_fail(d, sec, "bad version of object %u", oid));
	whole = (flags & PERSIST_OBJ_WHOLE) != 0;

	apply = dm_object_has(d->st, oid);
	if (!apply && whole && dm_object_add(d->st, oid) == 0)
		apply = true;
	if (!apply)
		d->meta.skipped++;
	else if (whole) {
		path = LWM2M_PATH_OBJ(oid);
		dm_delete(d->st, &path);	/* the file has all of them */
	}
	if (apply && (cur = dm_object_version(d->st, oid)) != NULL &&
	    (strlen(cur) != vlen || memcmp(cur, p + 4, vlen) != 0))
		d->meta.versions_changed++;
	return (persist_dec_records(d, oid, apply, p + 4 + vlen,
	    len - 4 - vlen));
}

static int
persist_dec_endpoint(struct persist_dec *d, const uint8_t *sec, const uint8_t *p,
    size_t len)
{
	char	*why;

	if (d->have_ep)
		return (persist_dec_fail(d, sec, "endpoint section twice"));
	if (len == 0 || len > PERSIST_EP_MAX || memchr(p, '\0', len) != NULL)
		return (persist_dec_fail(d, sec, "bad endpoint section"));
	memcpy(d->meta.endpoint, p, len);
	d->meta.endpoint[len] = '\0';
	if (persist_endpoint_valid(d->meta.endpoint, &why) != 0) {
		free(why);
		return (persist_dec_fail(d, sec, "invalid endpoint name"));
	}
	d->have_ep = true;
	return (0);
}

static int
persist_dec_body(struct persist_dec *d, const uint8_t *p, size_t len)
{
	const uint8_t	*sec;
	uint32_t	 slen;
	uint16_t	 type;

	while (len != 0) {
		sec = p;
		if (len < PERSIST_SEC_HDR_LEN)
			return (persist_dec_fail(d, sec, "truncated section header"));
		type = persist_get16(p);
		slen = persist_get32(p + 2);
		p += PERSIST_SEC_HDR_LEN;
		len -= PERSIST_SEC_HDR_LEN;
		if (slen > len)
			return (persist_dec_fail(d, sec, "section longer than the file"));
		switch (type) {
		case PERSIST_SEC_ENDPOINT:
			if (persist_dec_endpoint(d, sec, p, slen) != 0)
				return (-1);
			break;
		case PERSIST_SEC_META:
			if (d->have_meta || slen < PERSIST_META_LEN)
				return (persist_dec_fail(d, sec, "bad meta section"));
			d->meta.generation = persist_get64(p);
			d->meta.bs_purge_at = (int64_t)persist_get64(p + 8);
			d->meta.saved_at = (int64_t)persist_get64(p + 16);
			d->have_meta = true;
			break;
		case PERSIST_SEC_OBJECT:
			if (persist_dec_object(d, sec, p, slen) != 0)
				return (-1);
			break;
		default:
			if (type & PERSIST_SEC_CRITICAL)
				return (persist_dec_fail(d, sec,
				    "section type 0x%04x is required but unknown to "
				    "this version", type));
			d->meta.unknown_sections++;
			break;
		}
		p += slen;
		len -= slen;
	}
	if (!d->have_ep || !d->have_meta)
		return (persist_dec_fail(d, p, "endpoint or meta section missing"));
	return (0);
}

int
persist_parse(const uint8_t *buf, size_t len, struct dm_store *st,
    struct persist_meta *meta, char **cause)
{
	struct persist_dec	*d;
	uint32_t		 body, crc;
	int			 rc;

	if (len < PERSIST_HDR_LEN + PERSIST_CRC_LEN) {
		xasprintf(cause, "%s (%zu bytes)", len == 0 ? "empty file" :
		    "truncated header", len);
		return (-1);
	}
	if (memcmp(buf, PERSIST_MAGIC, PERSIST_MAGIC_LEN) != 0) {
		*cause = xstrdup("not a state file (bad magic)");
		return (-1);
	}
	if (buf[8] != PERSIST_VERSION_MAJOR) {
		xasprintf(cause, "format version %u.%u %s; this lwgw reads %u.x",
		    buf[8], buf[9], buf[8] > PERSIST_VERSION_MAJOR ?
		    "is newer than this lwgw understands" : "is unknown",
		    PERSIST_VERSION_MAJOR);
		return (-1);
	}
	body = persist_get32(buf + 12);
	if (body > len - PERSIST_HDR_LEN - PERSIST_CRC_LEN) {
		xasprintf(cause, "truncated (%zu of %zu bytes)", len,
		    (size_t)body + PERSIST_HDR_LEN + PERSIST_CRC_LEN);
		return (-1);
	}
	if (body < len - PERSIST_HDR_LEN - PERSIST_CRC_LEN) {
		xasprintf(cause, "%zu bytes after the end",
		    len - PERSIST_HDR_LEN - PERSIST_CRC_LEN - body);
		return (-1);
	}
	crc = persist_get32(buf + PERSIST_HDR_LEN + body);
	if (persist_crc32c(0, buf, PERSIST_HDR_LEN + body) != crc) {
		*cause = xstrdup("checksum mismatch");
		return (-1);
	}

	d = xcalloc(1, sizeof *d);
	d->base = buf;
	d->st = st;
	d->meta.version_major = buf[8];
	d->meta.version_minor = buf[9];
	rc = persist_dec_body(d, buf + PERSIST_HDR_LEN, body);
	if (rc == 0)
		*meta = d->meta;
	else
		*cause = d->cause;
	free(d);
	return (rc);
}
