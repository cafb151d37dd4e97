/*
 * Property checks behind the TLV and SenML fuzz targets: whatever decodes re-encodes in the
 * same format, and decodes again to the same paths and (for known resources) values.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "fuzz_values.h"

#define R(id, t, m)	{ .rid = (id), .type = LWM2M_TYPE_##t, .multiple = (m) }
#define OBJ(o, r)	{ .oid = (o), .resources = (r), \
			  .nresources = sizeof(r) / sizeof((r)[0]) }

static const struct dm_resource fuzz_security[] = {
	R(0, STRING, false), R(1, BOOLEAN, false), R(2, INTEGER, false),
	R(3, OPAQUE, false), R(4, OPAQUE, false), R(5, OPAQUE, false),
	R(10, INTEGER, false), R(11, INTEGER, false),
};
static const struct dm_resource fuzz_acl[] = {
	R(0, INTEGER, false), R(1, INTEGER, false), R(2, INTEGER, true), R(3, INTEGER, false),
};
static const struct dm_resource fuzz_device[] = {
	R(0, STRING, false), R(1, STRING, false), R(2, STRING, false), R(3, STRING, false),
	R(4, NONE, false), R(6, INTEGER, true), R(7, INTEGER, true), R(8, INTEGER, true),
	R(9, INTEGER, false), R(10, INTEGER, false), R(11, INTEGER, true), R(13, TIME, false),
	R(14, STRING, false), R(16, STRING, false),
};
static const struct dm_resource fuzz_temp[] = {
	R(5601, FLOAT, false), R(5700, FLOAT, false), R(5701, STRING, false),
};
static const struct dm_resource fuzz_types[] = {
	R(0, STRING, false), R(1, INTEGER, false), R(2, UNSIGNED, false), R(3, FLOAT, false),
	R(4, BOOLEAN, false), R(5, OPAQUE, false), R(6, TIME, false), R(7, OBJLNK, false),
	R(8, CORELNK, false), R(9, NONE, false), R(10, INTEGER, true), R(11, OPAQUE, true),
	R(12, STRING, true),
};
static const struct dm_object fuzz_objects[] = {
	OBJ(0, fuzz_security), OBJ(2, fuzz_acl), OBJ(3, fuzz_device), OBJ(3303, fuzz_temp),
	OBJ(9999, fuzz_types),
};
static const uint16_t fuzz_oids[] = { 3, 9999, 2, 0, 3303, 4 };

#define FUZZ_MAX	512

struct fuzz_got {
	size_t			n;
	bool			overflow;
	struct codec_entry	e[FUZZ_MAX];
	bool			known[FUZZ_MAX];
};

static const struct dm_object *
fuzz_lookup(void *arg, uint16_t oid)
{
	size_t	i;

	for (i = 0; i < sizeof fuzz_objects / sizeof fuzz_objects[0]; i++) {
		if (fuzz_objects[i].oid == oid)
			return (&fuzz_objects[i]);
	}
	return (NULL);
}

static int
fuzz_collect(void *arg, const struct lwm2m_path *path, const struct dm_resource *def,
    const struct lwm2m_value *v)
{
	struct fuzz_got	*g = arg;

	if (g->n == FUZZ_MAX) {
		g->overflow = true;
		return (0);
	}
	g->e[g->n].path = *path;
	g->e[g->n].value = *v;
	g->known[g->n] = def != NULL;
	g->n++;
	return (0);
}

static void
fuzz_check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz property broken: %s\n", what);
		abort();
	}
}

static int
fuzz_decode(int fmt, const struct lwm2m_path *base, const uint8_t *buf, size_t len,
    struct fuzz_got *g, uint8_t *scratch, size_t scratchsize)
{
	struct codec_decoder	d;
	int			error;

	memset(&d, 0, sizeof d);
	d.lookup = fuzz_lookup;
	d.entry = fuzz_collect;
	d.entry_arg = g;
	d.scratch = scratch;
	d.scratchsize = scratchsize;
	g->n = 0;
	g->overflow = false;
	error = codec_decode(&d, fmt, base, buf, len);
	fuzz_check(error <= 0, "positive result");
	fuzz_check((error == 0) == (d.why == NULL), "reason iff failure");
	return (error);
}

/* -1, 0, 1 by ids, or -2/2 when one path is a prefix of the other. */
static int
fuzz_path_cmp(const struct lwm2m_path *a, const struct lwm2m_path *b)
{
	uint8_t	i;

	for (i = 0; i < a->len && i < b->len; i++) {
		if (a->ids[i] != b->ids[i])
			return (a->ids[i] < b->ids[i] ? -1 : 1);
	}
	return (a->len == b->len ? 0 : (a->len < b->len ? -2 : 2));
}

static const struct fuzz_got	*fuzz_sorting;

static int
fuzz_index_cmp(const void *a, const void *b)
{
	size_t	i = *(const size_t *)a, j = *(const size_t *)b;
	int	c = fuzz_path_cmp(&fuzz_sorting->e[i].path, &fuzz_sorting->e[j].path);

	if (c != 0)
		return (c < 0 ? -1 : 1);
	return (i < j ? -1 : i > j);
}

static bool
fuzz_value_eq(const struct lwm2m_value *a, const struct lwm2m_value *b)
{
	if (a->type != b->type)
		return (false);
	switch (a->type) {
	case LWM2M_TYPE_NONE:
		return (true);
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		return (a->v.i == b->v.i);
	case LWM2M_TYPE_UNSIGNED:
		return (a->v.u == b->v.u);
	case LWM2M_TYPE_FLOAT:
		return (memcmp(&a->v.f, &b->v.f, sizeof a->v.f) == 0);
	case LWM2M_TYPE_BOOLEAN:
		return (a->v.b == b->v.b);
	case LWM2M_TYPE_OBJLNK:
		return (a->v.objlnk.oid == b->v.objlnk.oid &&
		    a->v.objlnk.iid == b->v.objlnk.iid);
	default:
		return (a->v.bytes.len == b->v.bytes.len && (a->v.bytes.len == 0 ||
		    memcmp(a->v.bytes.ptr, b->v.bytes.ptr, a->v.bytes.len) == 0));
	}
}

void
fuzz_values_run(int fmt, const uint8_t *data, size_t size)
{
	static struct fuzz_got		g1, g2;
	static struct codec_entry	kept[FUZZ_MAX];
	static bool			known[FUZZ_MAX];
	static size_t			order[FUZZ_MAX];
	static uint8_t			scratch1[1 << 16], scratch2[1 << 18], out[1 << 18];
	struct lwm2m_path		base;
	const struct lwm2m_value	*v;
	size_t				i, n, len;
	int				error;

	if (size < 4 || size - 4 > sizeof scratch1)
		return;
	base.len = data[0] % 5;
	base.ids[0] = fuzz_oids[data[1] % (sizeof fuzz_oids / sizeof fuzz_oids[0])];
	base.ids[1] = 0;
	base.ids[2] = data[2];
	base.ids[3] = data[3];
	data += 4;
	size -= 4;

	error = fuzz_decode(fmt, &base, data, size, &g1, scratch1, size);
	if (error != 0) {
		fuzz_check(error == LWM2M_ERR_BAD_REQUEST || error == LWM2M_ERR_TOO_LARGE,
		    "decode error code");
		return;
	}
	if (g1.overflow)
		return;

	/* Sorted, without repeats, containers only where empty: what encoders take. */
	for (i = 0; i < g1.n; i++)
		order[i] = i;
	fuzz_sorting = &g1;
	qsort(order, g1.n, sizeof order[0], fuzz_index_cmp);
	for (i = 0, n = 0; i < g1.n; i++) {
		v = &g1.e[order[i]].value;
		if (v->type == LWM2M_TYPE_NONE ? (fmt == LWM2M_FMT_SENML_JSON ||
		    g1.e[order[i]].path.len < 2 || g1.e[order[i]].path.len > 3) :
		    g1.e[order[i]].path.len < 3)
			continue;
		if (n > 0 && fuzz_path_cmp(&kept[n - 1].path, &g1.e[order[i]].path) != -1)
			continue;
		kept[n] = g1.e[order[i]];
		known[n] = g1.known[order[i]];
		n++;
	}

	/* Other formats must not crash on it either. */
	(void)codec_encode(LWM2M_FMT_TEXT, &base, kept, n, out, sizeof out, &len);
	(void)codec_encode(LWM2M_FMT_OPAQUE, &base, kept, n, out, sizeof out, &len);
	(void)codec_encode(fmt == LWM2M_FMT_TLV ? LWM2M_FMT_SENML_JSON : LWM2M_FMT_TLV,
	    &base, kept, n, out, sizeof out, &len);

	error = codec_encode(fmt, &base, kept, n, out, sizeof out, &len);
	fuzz_check(error == 0, "re-encoding what decoded");
	error = fuzz_decode(fmt, &base, out, len, &g2, scratch2, len);
	fuzz_check(error == 0, "decoding what was encoded");
	fuzz_check(g2.n == n, "same number of values");
	for (i = 0; i < n; i++) {
		fuzz_check(fuzz_path_cmp(&g2.e[i].path, &kept[i].path) == 0, "same paths");
		if (known[i] || fmt == LWM2M_FMT_TLV)
			fuzz_check(fuzz_value_eq(&g2.e[i].value, &kept[i].value),
			    "same values");
	}
}
