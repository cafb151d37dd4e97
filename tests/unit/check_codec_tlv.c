/* Unit tests of the TLV format (LwM2M 1.1 TS Core §7.4.3). */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_codec.h"

/*
 * The Device object instance example (TS Core, "Single Object Instance" Read of /3/0).
 * The published table gives Error Code (/3/0/11) the header 86; its length is 3, so the
 * header byte is 83, which is what a correct encoder writes and what is used here.
 */
static const uint8_t device_tlv[] = {
	0xc8, 0x00, 0x14, 'O', 'p', 'e', 'n', ' ', 'M', 'o', 'b', 'i', 'l', 'e', ' ',
	'A', 'l', 'l', 'i', 'a', 'n', 'c', 'e',
	0xc8, 0x01, 0x16, 'L', 'i', 'g', 'h', 't', 'w', 'e', 'i', 'g', 'h', 't', ' ',
	'M', '2', 'M', ' ', 'C', 'l', 'i', 'e', 'n', 't',
	0xc8, 0x02, 0x09, '3', '4', '5', '0', '0', '0', '1', '2', '3',
	0xc3, 0x03, '1', '.', '0',
	0x86, 0x06, 0x41, 0x00, 0x01, 0x41, 0x01, 0x05,
	0x88, 0x07, 0x08, 0x42, 0x00, 0x0e, 0xd8, 0x42, 0x01, 0x13, 0x88,
	0x87, 0x08, 0x41, 0x00, 0x7d, 0x42, 0x01, 0x03, 0x84,
	0xc1, 0x09, 0x64,
	0xc1, 0x0a, 0x0f,
	0x83, 0x0b, 0x41, 0x00, 0x00,
	0xc4, 0x0d, 0x51, 0x82, 0x42, 0x8f,
	0xc6, 0x0e, '+', '0', '2', ':', '0', '0',
	0xc1, 0x10, 'U',
};
/* Where each top-level TLV of device_tlv ends. */
static const size_t device_ends[] = {
	0, 23, 48, 60, 65, 73, 84, 93, 96, 99, 104, 110, 118, 121,
};

/*
 * The Access Control object example (TS Core, "Multiple Object Instance" Read of /2): two
 * instances, the second with ACL instances 127 and 310 (a 16-bit identifier).
 */
static const uint8_t acl_tlv[] = {
	0x08, 0x00, 0x0e, 0xc1, 0x00, 0x01, 0xc1, 0x01, 0x00, 0x83, 0x02, 0x41, 0x7f, 0x07,
	0xc1, 0x03, 0x7f,
	0x08, 0x02, 0x12, 0xc1, 0x00, 0x03, 0xc1, 0x01, 0x00, 0x87, 0x02, 0x41, 0x7f, 0x07,
	0x61, 0x01, 0x36, 0x01, 0xc1, 0x03, 0x7f,
};

static size_t
acl_entries(struct codec_entry *e)
{
	const struct codec_entry	acl[] = {
		{ P3(2, 0, 0), V_INT(1) },
		{ P3(2, 0, 1), V_INT(0) },
		{ P4(2, 0, 2, 127), V_INT(7) },
		{ P3(2, 0, 3), V_INT(127) },
		{ P3(2, 2, 0), V_INT(3) },
		{ P3(2, 2, 1), V_INT(0) },
		{ P4(2, 2, 2, 127), V_INT(7) },
		{ P4(2, 2, 2, 310), V_INT(1) },
		{ P3(2, 2, 3), V_INT(127) },
	};

	memcpy(e, acl, sizeof acl);
	return (sizeof acl / sizeof acl[0]);
}

static void
tlv_is(const struct lwm2m_path *base, const struct codec_entry *e, size_t n,
    const uint8_t *want, size_t wantlen)
{
	static uint8_t	buf[4096];
	size_t		len;

	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, base, e, n, buf, sizeof buf, &len), 0);
	ck_assert_uint_eq(len, wantlen);
	ck_assert(memcmp(buf, want, len) == 0);
}

static void
got_is(const struct check_codec_got *g, const struct codec_entry *e, size_t n)
{
	size_t	i;

	ck_assert_uint_eq(g->n, n);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(g->path[i].len, e[i].path.len);
		ck_assert(memcmp(g->path[i].ids, e[i].path.ids,
		    e[i].path.len * sizeof e[i].path.ids[0]) == 0);
		ck_assert_msg(check_codec_value_eq(&g->value[i], &e[i].value),
		    "value %zu differs", i);
		ck_assert_ptr_nonnull(g->def[i]);
	}
}

START_TEST(tlv_device_example)
{
	struct codec_entry	e[32];
	struct check_codec_got	g;
	struct lwm2m_path	base = P2(3, 0);
	size_t			n = check_codec_device(e);

	tlv_is(&base, e, n, device_tlv, sizeof device_tlv);
	ck_assert_int_eq(check_codec_decode(LWM2M_FMT_TLV, &base, device_tlv,
	    sizeof device_tlv, &g), 0);
	got_is(&g, e, n);
	check_codec_too_small(LWM2M_FMT_TLV, &base, e, n);
}
END_TEST

/* Read of one resource, one multiple resource and one resource instance of /3/0. */
START_TEST(tlv_device_parts)
{
	struct codec_entry	e[32];
	struct check_codec_got	g;
	struct lwm2m_path	r0 = P3(3, 0, 0), r7 = P3(3, 0, 7), r71 = P4(3, 0, 7, 1);

	check_codec_device(e);
	tlv_is(&r0, e, 1, device_tlv, 23);
	tlv_is(&r7, e + 6, 2, device_tlv + 73, 11);
	tlv_is(&r71, e + 7, 1, device_tlv + 73 + 7, 4);
	ck_assert_int_eq(check_codec_decode(LWM2M_FMT_TLV, &r7, device_tlv + 73, 11, &g), 0);
	got_is(&g, e + 6, 2);
	/* Resource instances without the multiple resource around them. */
	ck_assert_int_eq(check_codec_decode(LWM2M_FMT_TLV, &r7, device_tlv + 76, 8, &g), 0);
	got_is(&g, e + 6, 2);
	ck_assert_int_eq(check_codec_decode(LWM2M_FMT_TLV, &r71, device_tlv + 80, 4, &g), 0);
	got_is(&g, e + 7, 1);
}
END_TEST

START_TEST(tlv_acl_example)
{
	struct codec_entry	e[16];
	struct check_codec_got	g;
	struct lwm2m_path	base = LWM2M_PATH_OBJ(2);
	size_t			n = acl_entries(e);

	tlv_is(&base, e, n, acl_tlv, sizeof acl_tlv);
	ck_assert_int_eq(check_codec_decode(LWM2M_FMT_TLV, &base, acl_tlv, sizeof acl_tlv,
	    &g), 0);
	got_is(&g, e, n);
	check_codec_too_small(LWM2M_FMT_TLV, &base, e, n);
}
END_TEST

/* Integers take 1, 2, 4 or 8 bytes, the fewest that hold them; floats 4 when exact. */
START_TEST(tlv_value_forms)
{
	const struct {
		struct codec_entry	e;
		uint8_t			want[16];
		size_t			len;
	} t[] = {
		{ { P3(9999, 0, 1), V_INT(127) }, { 0xc1, 1, 0x7f }, 3 },
		{ { P3(9999, 0, 1), V_INT(128) }, { 0xc2, 1, 0x00, 0x80 }, 4 },
		{ { P3(9999, 0, 1), V_INT(-128) }, { 0xc1, 1, 0x80 }, 3 },
		{ { P3(9999, 0, 1), V_INT(-129) }, { 0xc2, 1, 0xff, 0x7f }, 4 },
		{ { P3(9999, 0, 1), V_INT(32768) }, { 0xc4, 1, 0, 0, 0x80, 0 }, 6 },
		{ { P3(9999, 0, 1), V_INT(INT32_MIN) }, { 0xc4, 1, 0x80, 0, 0, 0 }, 6 },
		{ { P3(9999, 0, 1), V_INT(2147483648LL) },
		    { 0xc8, 1, 8, 0, 0, 0, 0, 0x80, 0, 0, 0 }, 11 },
		{ { P3(9999, 0, 1), V_INT(INT64_MIN) },
		    { 0xc8, 1, 8, 0x80, 0, 0, 0, 0, 0, 0, 0 }, 11 },
		{ { P3(9999, 0, 2), V_UNS(255) }, { 0xc1, 2, 0xff }, 3 },
		{ { P3(9999, 0, 2), V_UNS(256) }, { 0xc2, 2, 1, 0 }, 4 },
		{ { P3(9999, 0, 2), V_UNS(UINT64_MAX) },
		    { 0xc8, 2, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 11 },
		{ { P3(9999, 0, 3), V_FLT(1.5) }, { 0xc4, 3, 0x3f, 0xc0, 0, 0 }, 6 },
		{ { P3(9999, 0, 3), V_FLT(0.1) },
		    { 0xc8, 3, 8, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a }, 11 },
		{ { P3(9999, 0, 4), V_BOOL(true) }, { 0xc1, 4, 1 }, 3 },
		{ { P3(9999, 0, 6), V_TIME(-1) }, { 0xc1, 6, 0xff }, 3 },
		{ { P3(9999, 0, 7), V_LNK(3, 1) }, { 0xc4, 7, 0, 3, 0, 1 }, 6 },
		{ { P3(9999, 0, 300), V_STR("ab") }, { 0xe2, 0x01, 0x2c, 'a', 'b' }, 5 },
		{ { P3(9999, 0, 5), V_OPQ("") }, { 0xc0, 5 }, 2 },
	};
	size_t	i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		tlv_is(&t[i].e.path, &t[i].e, 1, t[i].want, t[i].len);
		check_codec_roundtrip(LWM2M_FMT_TLV, &t[i].e.path, &t[i].e, 1);
	}
}
END_TEST

START_TEST(tlv_roundtrip_all)
{
	static uint8_t		big[70000];
	struct codec_entry	e[] = {
		{ P3(9999, 0, 0), V_STR("h\xc3\xa9llo") },
		{ P3(9999, 0, 1), V_INT(-5) },
		{ P3(9999, 0, 2), V_UNS(1ULL << 40) },
		{ P3(9999, 0, 3), V_FLT(-1e-300) },
		{ P3(9999, 0, 4), V_BOOL(false) },
		{ P3(9999, 0, 5), V_OPQ("\x00\xff") },
		{ P3(9999, 0, 6), V_TIME(4102444800LL) },
		{ P3(9999, 0, 7), V_LNK(65535, 65535) },
		{ P3(9999, 0, 8), { .type = LWM2M_TYPE_CORELNK,
		    .v.bytes = { (const uint8_t *)"</1>", 4 } } },
		{ P4(9999, 0, 10, 0), V_INT(1) },
		{ P4(9999, 0, 10, 65534), V_INT(-1) },
		{ P3(9999, 0, 11), V_NONE },
		{ P4(9999, 0, 12, 1), V_STR("") },
		{ P3(9999, 0, 300), V_STR("x") },
		{ P2(9999, 1), V_NONE },
		{ P3(9999, 2, 5), V_OPQ("") },
		{ P3(9999, 300, 5), V_OPQ("") },
	};
	struct lwm2m_path	obj = LWM2M_PATH_OBJ(9999), inst = P2(9999, 0);
	struct lwm2m_path	multi = P3(9999, 0, 10), empty = P3(9999, 0, 11);

	check_codec_roundtrip(LWM2M_FMT_TLV, &obj, e, sizeof e / sizeof e[0]);
	check_codec_roundtrip(LWM2M_FMT_TLV, &inst, e, 14);
	check_codec_roundtrip(LWM2M_FMT_TLV, &multi, e + 9, 2);
	check_codec_roundtrip(LWM2M_FMT_TLV, &empty, e + 11, 1);
	check_codec_roundtrip(LWM2M_FMT_TLV, &e[14].path, e + 14, 1);
	check_codec_too_small(LWM2M_FMT_TLV, &obj, e, sizeof e / sizeof e[0]);

	/* 16- and 24-bit lengths. */
	memset(big, 0xa5, sizeof big);
	e[5].value.v.bytes.ptr = big;
	e[5].value.v.bytes.len = 300;
	check_codec_roundtrip(LWM2M_FMT_TLV, &obj, e, sizeof e / sizeof e[0]);
	e[5].value.v.bytes.len = sizeof big;
	check_codec_roundtrip(LWM2M_FMT_TLV, &obj, e, sizeof e / sizeof e[0]);
}
END_TEST

/* Lengths are 24 bits at most. */
START_TEST(tlv_value_too_long)
{
	size_t			size = (1U << 24) + 64, len;
	uint8_t			*buf = malloc(size), *val = calloc(1, 1U << 24);
	struct codec_entry	e = { P3(9999, 0, 5), { .type = LWM2M_TYPE_OPAQUE } };

	ck_assert_ptr_nonnull(buf);
	ck_assert_ptr_nonnull(val);
	e.value.v.bytes.ptr = val;
	e.value.v.bytes.len = (1U << 24) - 1;
	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, &e.path, &e, 1, buf, size, &len), 0);
	ck_assert_uint_eq(len, (1U << 24) - 1 + 5);
	e.value.v.bytes.len = 1U << 24;
	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, &e.path, &e, 1, buf, size, &len),
	    LWM2M_ERR_TOO_LARGE);
	free(buf);
	free(val);
}
END_TEST

START_TEST(tlv_empty_containers)
{
	static const uint8_t	inst[] = { 0x00, 0x05 }, multi[] = { 0x80, 0x0a };
	struct codec_entry	e1[] = { { P2(2, 5), V_NONE } };
	struct codec_entry	e2[] = { { P3(9999, 0, 10), V_NONE } };
	struct lwm2m_path	obj = LWM2M_PATH_OBJ(2), i0 = P2(9999, 0);

	tlv_is(&obj, e1, 1, inst, sizeof inst);
	tlv_is(&i0, e2, 1, multi, sizeof multi);
}
END_TEST

/* BS-2: instances are created even when empty; unknown resources reach the caller raw. */
START_TEST(tlv_bs2_write)
{
	static const uint8_t	sec[] = {
		0xc8, 0x00, 0x17, 'c', 'o', 'a', 'p', 's', ':', '/', '/', 's', '1', '.',
		'e', 'x', 'a', 'm', 'p', 'l', 'e', ':', '5', '6', '8', '4',
		0xc1, 0x01, 0x00, 0xc1, 0x02, 0x03, 0xc1, 0x0a, 0x65, 0xc1, 0x63, 0x05,
	};
	static const uint8_t	objs[] = { 0x00, 0x05, 0x03, 0x06, 0xc1, 0x0a, 0x66 };
	struct lwm2m_path	i1 = P2(0, 1), o0 = LWM2M_PATH_OBJ(0);
	struct check_codec_got	g;

	ck_assert_int_eq(check_codec_decode(LWM2M_FMT_TLV, &i1, sec, sizeof sec, &g), 0);
	ck_assert_uint_eq(g.n, 5);
	ck_assert_uint_eq(g.path[0].len, 3);
	ck_assert_uint_eq(g.path[0].ids[1], 1);
	ck_assert_int_eq(g.value[0].type, LWM2M_TYPE_STRING);
	ck_assert_int_eq(g.value[1].type, LWM2M_TYPE_BOOLEAN);
	ck_assert(!g.value[1].v.b);
	ck_assert_int_eq(g.value[3].v.i, 101);
	ck_assert_ptr_null(g.def[4]);
	ck_assert_uint_eq(g.path[4].ids[2], 99);
	ck_assert_int_eq(g.value[4].type, LWM2M_TYPE_OPAQUE);
	ck_assert_uint_eq(g.value[4].v.bytes.len, 1);

	ck_assert_int_eq(check_codec_decode(LWM2M_FMT_TLV, &o0, objs, sizeof objs, &g), 0);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_uint_eq(g.path[0].len, 2);
	ck_assert_uint_eq(g.path[0].ids[1], 5);
	ck_assert_int_eq(g.value[0].type, LWM2M_TYPE_NONE);
	ck_assert_uint_eq(g.path[1].len, 3);
	ck_assert_uint_eq(g.path[1].ids[1], 6);
	ck_assert_int_eq(g.value[1].v.i, 102);

	/* An empty payload on an instance still names it. */
	ck_assert_int_eq(check_codec_decode(LWM2M_FMT_TLV, &i1, sec, 0, &g), 0);
	ck_assert_uint_eq(g.n, 1);
	ck_assert_uint_eq(g.path[0].len, 2);
	/* The instance itself around its resources. */
	ck_assert_int_eq(check_codec_decode(LWM2M_FMT_TLV, &i1, objs + 2, 5, &g),
	    LWM2M_ERR_BAD_REQUEST);
	i1.ids[1] = 6;
	ck_assert_int_eq(check_codec_decode(LWM2M_FMT_TLV, &i1, objs + 2, 5, &g), 0);
	ck_assert_uint_eq(g.n, 1);
	ck_assert_int_eq(g.value[0].v.i, 102);
}
END_TEST

/* Every truncation of the Device payload that cuts a TLV is refused. */
START_TEST(tlv_truncated)
{
	struct check_codec_got	g;
	struct lwm2m_path	base = P2(3, 0);
	size_t			len, k;
	int			error;

	for (len = 0; len <= sizeof device_tlv; len++) {
		error = check_codec_decode(LWM2M_FMT_TLV, &base, device_tlv, len, &g);
		for (k = 0; k < sizeof device_ends / sizeof device_ends[0]; k++) {
			if (device_ends[k] == len)
				break;
		}
		if (k < sizeof device_ends / sizeof device_ends[0])
			ck_assert_msg(error == 0, "len %zu: %d", len, error);
		else
			ck_assert_msg(error == LWM2M_ERR_BAD_REQUEST, "len %zu: %d", len,
			    error);
	}
	/* Within an instance, every cut is inside some TLV. */
	for (len = 1; len < sizeof acl_tlv; len++) {
		error = check_codec_decode(LWM2M_FMT_TLV, &LWM2M_PATH_OBJ(2), acl_tlv, len,
		    &g);
		ck_assert_int_eq(error, len == 17 ? 0 : LWM2M_ERR_BAD_REQUEST);
	}
}
END_TEST

START_TEST(tlv_malformed)
{
#define M(p, ...)	{ p, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }) }
	const struct {
		struct lwm2m_path	p;
		uint8_t			b[16];
		size_t			len;
	} t[] = {
		M(P2(9999, 0), 0xc3, 0x01, 0x00, 0x00, 0x01),	/* integer of 3 bytes */
		M(P2(9999, 0), 0xc0, 0x01),			/* integer of 0 bytes */
		M(P2(9999, 0), 0xc5, 0x02, 1, 2, 3, 4, 5),	/* unsigned of 5 bytes */
		M(P2(9999, 0), 0xc2, 0x03, 0x00, 0x00),		/* float of 2 bytes */
		M(P2(9999, 0), 0xc2, 0x04, 0x00, 0x01),		/* boolean of 2 bytes */
		M(P2(9999, 0), 0xc1, 0x04, 0x02),		/* boolean 2 */
		M(P2(9999, 0), 0xc2, 0x07, 0x00, 0x01),		/* object link of 2 bytes */
		M(P2(9999, 0), 0xc1, 0x06, 0x00, 0x00),		/* trailing byte */
		M(P2(9999, 0), 0xc1, 0x09, 0x01),		/* executable with a value */
		M(P2(9999, 0), 0xc1, 0x0a, 0x01),		/* single value, multiple res. */
		M(P2(9999, 0), 0x83, 0x01, 0x41, 0x00, 0x01),	/* instances, single res. */
		M(P2(9999, 0), 0x41, 0x00, 0x01),		/* instance at the top */
		M(P2(9999, 0), 0x08, 0x00, 0x05, 0x03, 0x01, 0xc1, 0x01, 0x01),	/* nested */
		M(P2(9999, 0), 0x83, 0x0a, 0xc1, 0x00, 0x01),	/* resource in a resource */
		M(P2(9999, 0), 0x03, 0x01, 0xc1, 0x01, 0x01),	/* another instance */
		M(P2(9999, 0), 0x03, 0x00, 0xc1, 0x01, 0x01, 0x03, 0x00, 0xc1, 0x01, 0x01),
		M(P2(9999, 0), 0xc8, 0x00, 0x05, 0x41),		/* length overruns */
		M(P2(9999, 0), 0x83, 0x0a, 0x42, 0x00, 0x01),	/* inner length overruns */
		M(P2(9999, 0), 0x84, 0x0a, 0x41, 0x00, 0x01, 0x00),	/* inner trailing */
		M(P2(9999, 0), 0xd0, 0x00, 0x01),		/* 16-bit length cut */
		M(P2(9999, 0), 0xd8, 0x00, 0x00, 0x00),		/* 24-bit length cut */
		M(P2(9999, 0), 0xf8, 0x00),			/* 16-bit id cut */
		M(P2(9999, 0), 0xe1, 0xff, 0xff, 0x01),		/* identifier 65535 */
		M(P2(9999, 0), 0xc2, 0x00, 0xc3, 0x28),		/* not UTF-8 */
		M(LWM2M_PATH_OBJ(9999), 0xc1, 0x01, 0x01),	/* resource, not instance */
		M(LWM2M_PATH_OBJ(9999), 0x21, 0xff, 0xff, 0x00),	/* instance 65535 */
		M(LWM2M_PATH_ROOT, 0x00, 0x00),			/* no object */
		M(P3(9999, 0, 1), 0xc1, 0x02, 0x01),		/* another resource */
		M(P3(9999, 0, 1), 0xc1, 0x01, 0x01, 0xc1, 0x01, 0x02),
		M(P3(9999, 0, 1), 0x03, 0x00, 0xc1, 0x01, 0x01),
		M(P3(9999, 0, 1), 0x41, 0x00, 0x01),		/* instances, single res. */
		M(P3(9999, 0, 10), 0x41, 0x00, 0x01, 0xc1, 0x00, 0x01),
		M(P4(9999, 0, 10, 1), 0x41, 0x02, 0x01),	/* another instance */
		M(P4(9999, 0, 10, 1), 0xc1, 0x0a, 0x01),
		M(P4(9999, 0, 10, 1), 0x41, 0x01, 0x01, 0x41, 0x01, 0x01),
		M(P4(9999, 0, 1, 0), 0x41, 0x00, 0x01),		/* instance of a single res. */
	};
#undef M
	struct check_codec_got	g;
	struct lwm2m_path	empty = P3(9999, 0, 1), unk = P3(9999, 0, 77);
	size_t			i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		ck_assert_msg(check_codec_decode(LWM2M_FMT_TLV, &t[i].p, t[i].b, t[i].len,
		    &g) == LWM2M_ERR_BAD_REQUEST, "case %zu", i);
	ck_assert_int_eq(check_codec_decode(LWM2M_FMT_TLV, &empty, "", 0, &g),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(check_codec_decode(LWM2M_FMT_TLV, &unk, "", 0, &g),
	    LWM2M_ERR_BAD_REQUEST);
}
END_TEST

START_TEST(tlv_multiple_resource_writes)
{
	static const uint8_t	bare[] = { 0x41, 0x00, 0x01, 0x41, 0x05, 0x02 };
	struct lwm2m_path	r10 = P3(9999, 0, 10), r10_5 = P4(9999, 0, 10, 5);
	struct check_codec_got	g;

	ck_assert_int_eq(check_codec_decode(LWM2M_FMT_TLV, &r10, bare, sizeof bare, &g), 0);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_uint_eq(g.path[1].len, 4);
	ck_assert_uint_eq(g.path[1].ids[3], 5);
	ck_assert_int_eq(g.value[1].v.i, 2);
	/* Replacing with nothing empties the resource. */
	ck_assert_int_eq(check_codec_decode(LWM2M_FMT_TLV, &r10, bare, 0, &g), 0);
	ck_assert_uint_eq(g.n, 1);
	ck_assert_uint_eq(g.path[0].len, 3);
	ck_assert_int_eq(g.value[0].type, LWM2M_TYPE_NONE);
	ck_assert_ptr_nonnull(g.def[0]);
	ck_assert_int_eq(check_codec_decode(LWM2M_FMT_TLV, &r10_5, bare + 3, 3, &g), 0);
	ck_assert_uint_eq(g.n, 1);
	ck_assert_int_eq(g.value[0].v.i, 2);
}
END_TEST

START_TEST(tlv_encode_errors)
{
	struct codec_entry	unsorted[] = {
		{ P3(9999, 0, 2), V_UNS(1) }, { P3(9999, 0, 1), V_INT(1) },
	};
	struct codec_entry	dup[] = {
		{ P3(9999, 0, 1), V_INT(1) }, { P3(9999, 0, 1), V_INT(1) },
	};
	struct codec_entry	prefix[] = {
		{ P2(9999, 0), V_NONE }, { P3(9999, 0, 1), V_INT(1) },
	};
	struct codec_entry	bad[] = {
		{ P4(9999, 0, 10, 1), V_NONE }, { P2(9999, 0), V_INT(1) },
		{ P3(9999, 0, 1), { .type = (enum lwm2m_type)99 } },
	};
	struct lwm2m_path	i0 = P2(9999, 0), i1 = P2(9999, 1);
	uint8_t			buf[64];
	size_t			len, i;

	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, &i0, unsorted, 2, buf, sizeof buf,
	    &len), LWM2M_ERR_INTERNAL);
	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, &i0, dup, 2, buf, sizeof buf, &len),
	    LWM2M_ERR_INTERNAL);
	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, &i0, prefix, 2, buf, sizeof buf, &len),
	    LWM2M_ERR_INTERNAL);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, &i0, bad + i, 1, buf,
		    sizeof buf, &len), LWM2M_ERR_INTERNAL);
	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, &i1, dup, 1, buf, sizeof buf, &len),
	    LWM2M_ERR_INTERNAL);
	/* TLV cannot hold several objects. */
	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, &LWM2M_PATH_ROOT, dup, 1, buf,
	    sizeof buf, &len), LWM2M_ERR_NOT_ACCEPTABLE);
	/* Nothing to say is an empty payload. */
	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, &i0, dup, 0, buf, sizeof buf, &len), 0);
	ck_assert_uint_eq(len, 0);
}
END_TEST

TCase *
check_codec_tlv_tcase(void)
{
	TCase	*tc = tcase_create("tlv");

	tcase_add_test(tc, tlv_device_example);
	tcase_add_test(tc, tlv_device_parts);
	tcase_add_test(tc, tlv_acl_example);
	tcase_add_test(tc, tlv_value_forms);
	tcase_add_test(tc, tlv_roundtrip_all);
	tcase_add_test(tc, tlv_value_too_long);
	tcase_add_test(tc, tlv_empty_containers);
	tcase_add_test(tc, tlv_bs2_write);
	tcase_add_test(tc, tlv_truncated);
	tcase_add_test(tc, tlv_malformed);
	tcase_add_test(tc, tlv_multiple_resource_writes);
	tcase_add_test(tc, tlv_encode_errors);
	return (tc);
}
