/* Unit tests of SenML JSON (RFC 8428, LwM2M 1.1 TS Core §7.4.5). */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check_codec.h"

#define J	LWM2M_FMT_SENML_JSON

/* The Device object instance of the TS Core examples, as lwgw writes it. */
static const char device_json[] =
    "[{\"bn\":\"/3/0/\",\"n\":\"0\",\"vs\":\"Open Mobile Alliance\"},"
    "{\"n\":\"1\",\"vs\":\"Lightweight M2M Client\"},{\"n\":\"2\",\"vs\":\"345000123\"},"
    "{\"n\":\"3\",\"vs\":\"1.0\"},{\"n\":\"6/0\",\"v\":1},{\"n\":\"6/1\",\"v\":5},"
    "{\"n\":\"7/0\",\"v\":3800},{\"n\":\"7/1\",\"v\":5000},{\"n\":\"8/0\",\"v\":125},"
    "{\"n\":\"8/1\",\"v\":900},{\"n\":\"9\",\"v\":100},{\"n\":\"10\",\"v\":15},"
    "{\"n\":\"11/0\",\"v\":0},{\"n\":\"13\",\"v\":1367491215},"
    "{\"n\":\"14\",\"vs\":\"+02:00\"},{\"n\":\"16\",\"vs\":\"U\"}]";

static void
json_is(const struct lwm2m_path *base, const struct codec_entry *e, size_t n,
    const char *want)
{
	static uint8_t	buf[4096];
	size_t		len;

	ck_assert_int_eq(codec_encode(J, base, e, n, buf, sizeof buf - 1, &len), 0);
	buf[len] = '\0';
	ck_assert_str_eq((char *)buf, want);
}

static void
entries_are(const struct check_codec_got *g, const struct codec_entry *e, size_t n)
{
	size_t	i;

	ck_assert_uint_eq(g->n, n);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(g->path[i].len, e[i].path.len);
		ck_assert(memcmp(g->path[i].ids, e[i].path.ids,
		    e[i].path.len * sizeof e[i].path.ids[0]) == 0);
		ck_assert_msg(check_codec_value_eq(&g->value[i], &e[i].value),
		    "value %zu differs", i);
	}
}

START_TEST(senml_device_example)
{
	static const char	spaced[] =
	    "[ {\"bn\" : \"/3/0/\", \"n\":\"0\", \"vs\":\"Open Mobile Alliance\"},\n"
	    "  {\"n\":\"1\",\"vs\":\"Lightweight M2M Client\"},{\"n\":\"2\",\"vs\":\"345000123\"},\r\n"
	    "\t{\"n\":\"3\",\"vs\":\"1.0\"},{\"n\":\"6/0\",\"v\":1},{\"n\":\"6/1\",\"v\":5},"
	    "{\"n\":\"7/0\",\"v\":3800},{\"n\":\"7/1\",\"v\":5000},{\"n\":\"8/0\",\"v\":125},"
	    "{\"n\":\"8/1\",\"v\":900},{\"n\":\"9\",\"v\":100},{\"n\":\"10\",\"v\":15},"
	    "{\"n\":\"11/0\",\"v\":0},{\"n\":\"13\",\"v\":1367491215},"
	    "{\"n\":\"14\",\"vs\":\"+02:00\"},{\"n\":\"16\",\"vs\":\"U\"} ] \n";
	struct codec_entry	e[32];
	struct check_codec_got	g;
	struct lwm2m_path	base = P2(3, 0);
	size_t			n = check_codec_device(e);

	json_is(&base, e, n, device_json);
	ck_assert_int_eq(check_codec_decode_str(J, &base, device_json, &g), 0);
	entries_are(&g, e, n);
	ck_assert_int_eq(check_codec_decode_str(J, &base, spaced, &g), 0);
	entries_are(&g, e, n);
	check_codec_too_small(J, &base, e, n);
}
END_TEST

START_TEST(senml_encode_forms)
{
	struct codec_entry	e[32];
	struct codec_entry	comp[] = {
		{ P3(3, 0, 0), V_STR("a") },
		{ P3(3303, 0, 5700), V_FLT(21.5) },
	};
	struct codec_entry	odd[] = {
		{ P3(9999, 0, 0), V_STR("a\"b\\c\n\x01\x7f\xc3\xa9") },
		{ P3(9999, 0, 3), V_FLT(0.1) },
		{ P3(9999, 0, 4), V_BOOL(true) },
		{ P3(9999, 0, 5), V_OPQ("\xfb\xff") },
		{ P3(9999, 0, 6), V_TIME(-1) },
		{ P3(9999, 0, 7), V_LNK(3, 0) },
		{ P4(9999, 0, 11, 2), V_OPQ("\x01") },
		{ P3(9999, 0, 12), V_NONE },
		{ P2(9999, 1), V_NONE },
	};
	struct lwm2m_path	r0 = P3(3, 0, 0), i0 = P2(9999, 0), o = LWM2M_PATH_OBJ(9999);

	check_codec_device(e);
	json_is(&r0, e, 1, "[{\"bn\":\"/3/0/0\",\"vs\":\"Open Mobile Alliance\"}]");
	json_is(&LWM2M_PATH_ROOT, comp, 2, "[{\"bn\":\"/\",\"n\":\"3/0/0\",\"vs\":\"a\"},"
	    "{\"n\":\"3303/0/5700\",\"v\":21.5}]");
	json_is(&i0, odd, 7, "[{\"bn\":\"/9999/0/\",\"n\":\"0\","
	    "\"vs\":\"a\\\"b\\\\c\\n\\u0001\x7f\xc3\xa9\"},{\"n\":\"3\",\"v\":0.1},"
	    "{\"n\":\"4\",\"vb\":true},{\"n\":\"5\",\"vd\":\"-_8\"},{\"n\":\"6\",\"v\":-1},"
	    "{\"n\":\"7\",\"vlo\":\"3:0\"},{\"n\":\"11/2\",\"vd\":\"AQ\"}]");
	/* Empty containers have no SenML form. */
	json_is(&o, odd + 7, 2, "[]");
	json_is(&o, odd, 0, "[]");
	check_codec_roundtrip(J, &o, odd, sizeof odd / sizeof odd[0]);
	check_codec_too_small(J, &o, odd, sizeof odd / sizeof odd[0]);
	check_codec_roundtrip(J, &LWM2M_PATH_ROOT, comp, 2);
}
END_TEST

START_TEST(senml_roundtrip_all)
{
	static uint8_t		big[3000];
	struct codec_entry	e[] = {
		{ P3(9999, 0, 0), V_STR("h\xc3\xa9llo \xf0\x9f\x98\x80") },
		{ P3(9999, 0, 1), V_INT(INT64_MIN) },
		{ P3(9999, 0, 2), V_UNS(UINT64_MAX) },
		{ P3(9999, 0, 3), V_FLT(-1e-300) },
		{ P3(9999, 0, 4), V_BOOL(false) },
		{ P3(9999, 0, 5), V_OPQ("") },
		{ P3(9999, 0, 6), V_TIME(4102444800LL) },
		{ P3(9999, 0, 7), V_LNK(65535, 65535) },
		{ P3(9999, 0, 8), { .type = LWM2M_TYPE_CORELNK,
		    .v.bytes = { (const uint8_t *)"</1>;ver=\"1.1\"", 14 } } },
		{ P4(9999, 0, 10, 0), V_INT(INT64_MAX) },
		{ P4(9999, 0, 11, 1), V_OPQ("\x00") },
		{ P4(9999, 0, 11, 2), V_OPQ("\x00\x01") },
		{ P4(9999, 0, 11, 3), V_OPQ("\x00\x01\x02") },
		{ P4(9999, 0, 12, 1), V_STR("\"\\/\b\f\n\r\t") },
		{ P3(9999, 0, 300), V_STR("") },
		{ P3(9999, 65534, 3), V_FLT(3.0e38) },
	};
	struct lwm2m_path	o = LWM2M_PATH_OBJ(9999);
	size_t			i;

	check_codec_roundtrip(J, &o, e, sizeof e / sizeof e[0]);
	for (i = 0; i < sizeof e / sizeof e[0]; i++)
		check_codec_roundtrip(J, &e[i].path, &e[i], 1);
	for (i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 7);
	e[5].value.v.bytes.ptr = big;
	e[5].value.v.bytes.len = sizeof big;
	check_codec_roundtrip(J, &o, e, sizeof e / sizeof e[0]);
}
END_TEST

START_TEST(senml_encode_errors)
{
	struct codec_entry	e[] = {
		{ P3(9999, 0, 3), V_FLT(NAN) },
		{ P3(9999, 0, 3), V_FLT(-INFINITY) },
		{ P3(9999, 0, 0), V_STR("\xff") },
	};
	uint8_t			buf[64];
	size_t			len, i;

	for (i = 0; i < sizeof e / sizeof e[0]; i++)
		ck_assert_int_eq(codec_encode(J, &e[i].path, &e[i], 1, buf, sizeof buf, &len),
		    LWM2M_ERR_NOT_ACCEPTABLE);
}
END_TEST

/* Base names hold until the next one; times and units are read and ignored. */
START_TEST(senml_names)
{
	static const char	sensor[] =
	    "[{\"bn\":\"/3303/0/\",\"bt\":1.6e9,\"n\":\"5700\",\"v\":21.5,\"t\":-5,"
	    "\"bu\":\"Cel\",\"bver\":10},{\"n\":\"5701\",\"vs\":\"Cel\",\"u\":\"Cel\","
	    "\"ut\":60}]";
	static const char	mixed[] =
	    "[{\"n\":\"/3/0/0\",\"vs\":\"a\"},{\"bn\":\"/3303/\",\"n\":\"1/5700\",\"v\":1},"
	    "{\"n\":\"2/5701\",\"vs\":\"x\"},{\"bn\":\"/3/0/1\",\"vs\":\"m\"}]";
	static const char	reads[] =
	    "[{\"n\":\"/3/0/0\"},{\"n\":\"/3303/0\"},{\"n\":\"/3\"},{\"n\":\"/3/0/6/1\"}]";
	struct lwm2m_path	t = P2(3303, 0);
	struct check_codec_got	g;

	ck_assert_int_eq(check_codec_decode_str(J, &t, sensor, &g), 0);
	ck_assert_uint_eq(g.n, 2);
	ck_assert(g.value[0].v.f == 21.5);
	ck_assert_uint_eq(g.path[1].ids[2], 5701);

	ck_assert_int_eq(check_codec_decode_str(J, &LWM2M_PATH_ROOT, mixed, &g), 0);
	ck_assert_uint_eq(g.n, 4);
	ck_assert_uint_eq(g.path[1].ids[0], 3303);
	ck_assert_uint_eq(g.path[1].ids[1], 1);
	ck_assert_uint_eq(g.path[2].ids[1], 2);
	ck_assert_uint_eq(g.path[2].ids[2], 5701);
	ck_assert_uint_eq(g.path[3].ids[0], 3);
	ck_assert_uint_eq(g.path[3].ids[2], 1);

	/* Read-Composite: names without values. */
	ck_assert_int_eq(check_codec_decode_str(J, &LWM2M_PATH_ROOT, reads, &g), 0);
	ck_assert_uint_eq(g.n, 4);
	ck_assert_uint_eq(g.path[0].len, 3);
	ck_assert_uint_eq(g.path[1].len, 2);
	ck_assert_uint_eq(g.path[2].len, 1);
	ck_assert_uint_eq(g.path[3].len, 4);
	ck_assert_int_eq(g.value[0].type, LWM2M_TYPE_NONE);
	ck_assert_int_eq(g.value[2].type, LWM2M_TYPE_NONE);

	ck_assert_int_eq(check_codec_decode_str(J, &t, "[]", &g), 0);
	ck_assert_uint_eq(g.n, 0);
	ck_assert_int_eq(check_codec_decode_str(J, &t, " \t[\n]\r\n", &g), 0);
}
END_TEST

START_TEST(senml_numbers)
{
	const struct {
		struct lwm2m_path	 p;
		const char		*v;
		struct lwm2m_value	 want;
	} ok[] = {
		{ P3(9999, 0, 1), "1e3", V_INT(1000) },
		{ P3(9999, 0, 1), "-0", V_INT(0) },
		{ P3(9999, 0, 1), "-12.0", V_INT(-12) },
		{ P3(9999, 0, 1), "9223372036854775807", V_INT(INT64_MAX) },
		{ P3(9999, 0, 1), "-9223372036854775808", V_INT(INT64_MIN) },
		{ P3(9999, 0, 2), "18446744073709551615", V_UNS(UINT64_MAX) },
		{ P3(9999, 0, 2), "1e19", V_UNS(10000000000000000000ULL) },
		{ P3(9999, 0, 3), "21", V_FLT(21) },
		{ P3(9999, 0, 3), "-2.5E-1", V_FLT(-0.25) },
		{ P3(9999, 0, 3), "0.1", V_FLT(0.1) },
		{ P3(9999, 0, 6), "-5", V_TIME(-5) },
		{ P3(9999, 0, 77), "5", V_INT(5) },
		{ P3(9999, 0, 77), "18446744073709551615", V_UNS(UINT64_MAX) },
		{ P3(9999, 0, 77), "1e2", V_FLT(100) },
		{ P3(9999, 0, 77), "99999999999999999999", V_FLT(1e20) },
	};
	const struct {
		struct lwm2m_path	 p;
		const char		*v;
	} bad[] = {
		{ P3(9999, 0, 1), "1.5" },
		{ P3(9999, 0, 1), "01" },
		{ P3(9999, 0, 1), "-01" },
		{ P3(9999, 0, 1), "1." },
		{ P3(9999, 0, 1), ".5" },
		{ P3(9999, 0, 1), "-" },
		{ P3(9999, 0, 1), "+1" },
		{ P3(9999, 0, 1), "1e" },
		{ P3(9999, 0, 1), "1e+" },
		{ P3(9999, 0, 1), "9223372036854775808" },
		{ P3(9999, 0, 1), "1e19" },
		{ P3(9999, 0, 1), "0x1" },
		{ P3(9999, 0, 1), "NaN" },
		{ P3(9999, 0, 1), "\"1\"" },
		{ P3(9999, 0, 2), "-1" },
		{ P3(9999, 0, 2), "1e20" },
		{ P3(9999, 0, 3), "1e400" },
		{ P3(9999, 0, 3), "Infinity" },
		{ P3(9999, 0, 3), "1-2" },
		{ P3(9999, 0, 3), "true" },
		{ P3(9999, 0, 0), "1" },	/* string resource */
		{ P3(9999, 0, 4), "1" },	/* boolean resource */
		{ P3(9999, 0, 9), "1" },	/* executable resource */
	};
	struct check_codec_got	g;
	char			buf[256], name[32];
	size_t			i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		codec_path_format(&ok[i].p, name, sizeof name);
		snprintf(buf, sizeof buf, "[{\"n\":\"%s\",\"v\":%s}]", name, ok[i].v);
		ck_assert_msg(check_codec_decode_str(J, &ok[i].p, buf, &g) == 0, "%s: %s",
		    buf, g.why);
		ck_assert_msg(check_codec_value_eq(&g.value[0], &ok[i].want), "%s", buf);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		codec_path_format(&bad[i].p, name, sizeof name);
		snprintf(buf, sizeof buf, "[{\"n\":\"%s\",\"v\":%s}]", name, bad[i].v);
		ck_assert_msg(check_codec_decode_str(J, &bad[i].p, buf, &g) ==
		    LWM2M_ERR_BAD_REQUEST, "%s", buf);
	}
}
END_TEST

START_TEST(senml_value_types)
{
	const struct {
		const char	*rec;
		int		 error;
	} t[] = {
		{ "\"n\":\"/9999/0/4\",\"vb\":true", 0 },
		{ "\"n\":\"/9999/0/4\",\"vb\":false", 0 },
		{ "\"n\":\"/9999/0/7\",\"vlo\":\"3:65535\"", 0 },
		{ "\"n\":\"/9999/0/8\",\"vs\":\"</3>\"", 0 },
		{ "\"n\":\"/9999/0/77\",\"vb\":true", 0 },
		{ "\"n\":\"/9999/0/4\",\"vb\":1", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/4\",\"vb\":\"true\"", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/4\",\"vb\":tru", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/1\",\"vs\":\"1\"", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/3\",\"vb\":true", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/0\",\"vlo\":\"3:0\"", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/0\",\"vd\":\"AQ\"", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/5\",\"vs\":\"AQ\"", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/7\",\"vlo\":\"3\"", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/7\",\"vlo\":\"3:65536\"", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/7\",\"vlo\":3", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/9\",\"vs\":\"x\"", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/10\",\"v\":1", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/1/0\",\"v\":1", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0\",\"v\":1", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/0\",\"vs\":\"a\",\"v\":1", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/0\",\"vs\":\"a\",\"vs\":\"a\"", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/0\",\"n\":\"/9999/0/0\",\"vs\":\"a\"", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/1\",\"v\":1,\"bv\":1", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/1\",\"s\":1", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/1\",\"v\":1,\"t_\":1", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/1\",\"v\":1,\"_\":1", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/1\",\"v\":1,\"foo\":{\"a\":[1,true,null,\"x\\n\"]}", 0 },
		{ "\"n\":\"/9999/0/1\",\"v\":1,\"foo\":{\"a\":[1,tru]}", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/1\",\"v\":1,\"foo\":[1,]", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/1\",\"v\":1,\"foo\":{\"a\"}", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/1\",\"v\":1,\"foo\":nul", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/1\",\"v\":1,\"bt\":\"x\"", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/1\",\"v\":1,\"u\":1", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":1,\"v\":1", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/1/1\",\"v\":1", LWM2M_ERR_BAD_REQUEST },	/* outside */
		{ "\"n\":\"/9999/0/x\",\"v\":1", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"9999/0/1\",\"v\":1", LWM2M_ERR_BAD_REQUEST },
		{ "\"n\":\"/9999/0/1/2/3\",\"v\":1", LWM2M_ERR_BAD_REQUEST },
		{ "\"v\":1", LWM2M_ERR_BAD_REQUEST },
		{ "\"bn\":\"/9999/0/1/000000000000000000000000000000000000000000000000"
		    "000000000\",\"v\":1", LWM2M_ERR_BAD_REQUEST },
	};
	struct lwm2m_path	base = P2(9999, 0);
	struct check_codec_got	g;
	char			buf[512];
	size_t			i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(buf, sizeof buf, "[{%s}]", t[i].rec);
		ck_assert_msg(check_codec_decode_str(J, &base, buf, &g) == t[i].error,
		    "%s: %s", buf, g.why);
	}
}
END_TEST

START_TEST(senml_strings)
{
	static const char	esc[] = "[{\"n\":\"/9999/0/0\",\"vs\":\"caf\\u00e9 \\ud83d\\ude00"
	    " \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t\\u0000\"},{\"n\":\"/9999/0/300\",\"vs\":\"\\u0041\"}]";
	static const char	want[] = "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\" \\ / \b\f\n\r\t";
	const char		*bad[] = {
		"\\x", "\\u12", "\\u12G4", "\\ud83d", "\\ud83dx", "\\ude00", "\\ud83d\\u0041",
		"\\ud83d\\", "\x01", "\t", "\xc3\x28", "\xed\xa0\x80", "\\", "\\U0041",
	};
	struct lwm2m_path	base = P2(9999, 0);
	struct check_codec_got	g;
	char			buf[128];
	size_t			i;

	ck_assert_int_eq(check_codec_decode_str(J, &base, esc, &g), 0);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_uint_eq(g.value[0].v.bytes.len, sizeof want);	/* with the \u0000 */
	ck_assert(memcmp(g.value[0].v.bytes.ptr, want, sizeof want) == 0);
	/* Both unescaped strings stay valid: they do not share scratch space. */
	ck_assert_uint_eq(g.value[1].v.bytes.len, 1);
	ck_assert_int_eq(g.value[1].v.bytes.ptr[0], 'A');
	ck_assert(memcmp(g.value[0].v.bytes.ptr, want, sizeof want) == 0);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(buf, sizeof buf, "[{\"n\":\"/9999/0/0\",\"vs\":\"%s\"}]", bad[i]);
		ck_assert_msg(check_codec_decode_str(J, &base, buf, &g) ==
		    LWM2M_ERR_BAD_REQUEST, "case %zu", i);
	}
	/* Escaped names and field names. */
	ck_assert_int_eq(check_codec_decode_str(J, &base,
	    "[{\"\\u0062n\":\"\\/9999\\/0\\/\",\"n\":\"1\",\"\\u0076\":3}]", &g), 0);
	ck_assert_uint_eq(g.path[0].ids[2], 1);
	ck_assert_int_eq(g.value[0].v.i, 3);
	ck_assert_int_eq(check_codec_decode_str(J, &base,
	    "[{\"n\":\"/9999/0/1\",\"v\":1,\"\\u0074_\":1}]", &g), LWM2M_ERR_BAD_REQUEST);
}
END_TEST

START_TEST(senml_base64)
{
	const struct {
		const char	*in;
		const char	*out;
		size_t		 len;
	} ok[] = {
		{ "AQID", "\x01\x02\x03", 3 },
		{ "AQ", "\x01", 1 },
		{ "AQ==", "\x01", 1 },
		{ "AQI", "\x01\x02", 2 },
		{ "AQI=", "\x01\x02", 2 },
		{ "-_8", "\xfb\xff", 2 },
		{ "+/8", "\xfb\xff", 2 },
		{ "", "", 0 },
		{ "AQ\\u0049D", "\x01\x02\x03", 3 },
	};
	const char	*bad[] = {
		"A", "AQIDB", "A*", "AR", "AQ=", "A===", "AQ==AQ==", "AQ ID", "=", "AQID=",
	};
	struct lwm2m_path	base = P3(9999, 0, 5);
	struct check_codec_got	g;
	char			buf[128];
	size_t			i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		snprintf(buf, sizeof buf, "[{\"n\":\"/9999/0/5\",\"vd\":\"%s\"}]", ok[i].in);
		ck_assert_msg(check_codec_decode_str(J, &base, buf, &g) == 0, "%s", buf);
		ck_assert_uint_eq(g.value[0].v.bytes.len, ok[i].len);
		ck_assert(memcmp(g.value[0].v.bytes.ptr, ok[i].out, ok[i].len) == 0);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(buf, sizeof buf, "[{\"n\":\"/9999/0/5\",\"vd\":\"%s\"}]", bad[i]);
		ck_assert_msg(check_codec_decode_str(J, &base, buf, &g) ==
		    LWM2M_ERR_BAD_REQUEST, "%s", buf);
	}
}
END_TEST

static int
ignore(void *arg, const struct lwm2m_path *p, const struct dm_resource *def,
    const struct lwm2m_value *v)
{
	return (0);
}

/* Too little scratch space for decoded bytes is 4.13, not a crash or a truncation. */
START_TEST(senml_scratch)
{
	static const char	vd[] = "[{\"n\":\"/9999/0/5\",\"vd\":\"AQIDBA\"}]";
	static const char	vs[] = "[{\"n\":\"/9999/0/0\",\"vs\":\"a\\nb\"}]";
	static const char	plain[] = "[{\"n\":\"/9999/0/0\",\"vs\":\"ab\"}]";
	struct lwm2m_path	base = P2(9999, 0);
	struct codec_decoder	d;
	uint8_t			scratch[4];

	memset(&d, 0, sizeof d);
	d.lookup = check_codec_lookup;
	d.entry = ignore;
	ck_assert_int_eq(codec_decode(&d, J, &base, (const uint8_t *)vd, strlen(vd)),
	    LWM2M_ERR_TOO_LARGE);
	ck_assert_ptr_nonnull(d.why);
	ck_assert_int_eq(codec_decode(&d, J, &base, (const uint8_t *)vs, strlen(vs)),
	    LWM2M_ERR_TOO_LARGE);
	ck_assert_int_eq(codec_decode(&d, J, &base, (const uint8_t *)plain, strlen(plain)),
	    0);
	d.scratch = scratch;
	d.scratchsize = 3;
	ck_assert_int_eq(codec_decode(&d, J, &base, (const uint8_t *)vd, strlen(vd)),
	    LWM2M_ERR_TOO_LARGE);
	ck_assert_int_eq(codec_decode(&d, J, &base, (const uint8_t *)vs, strlen(vs)), 0);
	d.scratchsize = 4;
	ck_assert_int_eq(codec_decode(&d, J, &base, (const uint8_t *)vd, strlen(vd)), 0);
	ck_assert(memcmp(scratch, "\x01\x02\x03\x04", 4) == 0);
	/* Without a lookup every resource is unknown, and values keep their SenML type. */
	d.lookup = NULL;
	ck_assert_int_eq(codec_decode(&d, J, &base, (const uint8_t *)vd, strlen(vd)), 0);
}
END_TEST

START_TEST(senml_structure)
{
	const char	*bad[] = {
		"", " ", "{}", "[", "]", "[{}]", "[1]", "[[]]", "[\"x\"]", "null",
		"[{\"n\":\"/9999/0/1\",\"v\":1},]",
		"[{\"n\":\"/9999/0/1\",\"v\":1}] x",
		"[{\"n\":\"/9999/0/1\",\"v\":1}]]",
		"[{\"n\":\"/9999/0/1\",\"v\":1}][]",
		"[{\"n\":\"/9999/0/1\",\"v\":1},,{\"n\":\"/9999/0/1\",\"v\":1}]",
		"[{\"n\":\"/9999/0/1\" \"v\":1}]",
		"[{\"n\":\"/9999/0/1\",\"v\" 1}]",
		"[{\"n\":\"/9999/0/1\",\"v\":1,}]",
		"[{n:\"/9999/0/1\",\"v\":1}]",
		"[{'n':'/9999/0/1','v':1}]",
		"[{\"n\":\"/9999/0/1\",\"v\":1}",
		"[{\"n\":\"/9999/0/1\",\"v\":1]",
		"[{\"n\":\"/9999/0/1\",\"v\":1}\x00]",
		"\xef\xbb\xbf[]",
	};
	struct lwm2m_path	base = P2(9999, 0);
	struct check_codec_got	g;
	size_t			i, len;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(check_codec_decode_str(J, &base, bad[i], &g) ==
		    LWM2M_ERR_BAD_REQUEST, "%s", bad[i]);
	/* An embedded NUL is not the end of the payload. */
	ck_assert_int_eq(check_codec_decode(J, &base, "[]\0", 3, &g), LWM2M_ERR_BAD_REQUEST);
	/* Every proper prefix of a valid payload is incomplete. */
	base = (struct lwm2m_path)P2(3, 0);
	for (len = 0; len < strlen(device_json); len++)
		ck_assert_msg(check_codec_decode(J, &base, device_json, len, &g) ==
		    LWM2M_ERR_BAD_REQUEST, "prefix %zu", len);
}
END_TEST

/* Nesting in ignored fields is bounded; a deep payload is refused, not recursed into. */
START_TEST(senml_depth)
{
	static char	buf[300000];
	struct lwm2m_path	base = P2(9999, 0);
	struct check_codec_got	g;
	size_t		len, depth, i;

	for (depth = 15; depth <= 17; depth++) {
		len = (size_t)snprintf(buf, sizeof buf, "[{\"n\":\"/9999/0/1\",\"v\":1,\"x\":");
		for (i = 0; i < depth; i++)
			buf[len++] = '[';
		for (i = 0; i < depth; i++)
			buf[len++] = ']';
		buf[len++] = '}';
		buf[len++] = ']';
		ck_assert_int_eq(check_codec_decode(J, &base, buf, len, &g),
		    depth <= 16 ? 0 : LWM2M_ERR_BAD_REQUEST);
	}
	len = (size_t)snprintf(buf, sizeof buf, "[{\"n\":\"/9999/0/1\",\"v\":1,\"x\":");
	while (len < sizeof buf)
		buf[len++] = '[';
	ck_assert_int_eq(check_codec_decode(J, &base, buf, len, &g), LWM2M_ERR_BAD_REQUEST);
	len = (size_t)snprintf(buf, sizeof buf, "[{\"n\":\"/9999/0/1\",\"v\":1,\"x\":");
	/* 15 objects: the number inside them is at the deepest level allowed, 16. */
	for (i = 0; i < 15; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "{\"a\":");
	len += (size_t)snprintf(buf + len, sizeof buf - len, "1");
	for (i = 0; i < 15; i++)
		buf[len++] = '}';
	buf[len++] = '}';
	buf[len++] = ']';
	ck_assert_int_eq(check_codec_decode(J, &base, buf, len, &g), 0);
}
END_TEST

TCase *
check_codec_senml_tcase(void)
{
	TCase	*tc = tcase_create("senml");

	tcase_add_test(tc, senml_device_example);
	tcase_add_test(tc, senml_encode_forms);
	tcase_add_test(tc, senml_roundtrip_all);
	tcase_add_test(tc, senml_encode_errors);
	tcase_add_test(tc, senml_names);
	tcase_add_test(tc, senml_numbers);
	tcase_add_test(tc, senml_value_types);
	tcase_add_test(tc, senml_strings);
	tcase_add_test(tc, senml_base64);
	tcase_add_test(tc, senml_scratch);
	tcase_add_test(tc, senml_structure);
	tcase_add_test(tc, senml_depth);
	return (tc);
}
