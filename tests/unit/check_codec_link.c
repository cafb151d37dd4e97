/* Unit tests of the CoRE link format builder and parser (RFC 6690). */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check_codec.h"

/* BS-3: the Bootstrap-Discover example of REQUIREMENTS.md, byte for byte. */
static const char bs3_example[] = "</>;lwm2m=1.1,</0/0>;ssid=101;"
    "uri=\"coaps://s1.example:5684\",</0/1>,</1/0>;ssid=101,</3/0>,</3303/0>,</4>";

static void
build_bs3(struct codec_link *w, uint8_t *buf, size_t size)
{
	codec_link_init(w, buf, size);
	codec_link_path(w, &LWM2M_PATH_ROOT);
	codec_link_attr_str(w, "lwm2m", "1.1", false);
	codec_link_path(w, &LWM2M_PATH_INST(0, 0));
	codec_link_attr_uint(w, "ssid", 101);
	codec_link_attr_str(w, "uri", "coaps://s1.example:5684", true);
	codec_link_path(w, &LWM2M_PATH_INST(0, 1));
	codec_link_path(w, &LWM2M_PATH_INST(1, 0));
	codec_link_attr_uint(w, "ssid", 101);
	codec_link_path(w, &LWM2M_PATH_INST(3, 0));
	codec_link_path(w, &LWM2M_PATH_INST(3303, 0));
	codec_link_path(w, &LWM2M_PATH_OBJ(4));
}

START_TEST(link_bs3_discover)
{
	struct codec_link	w;
	uint8_t			buf[256];
	size_t			len, size;

	build_bs3(&w, buf, sizeof buf);
	ck_assert_int_eq(codec_link_finish(&w, &len), 0);
	ck_assert_uint_eq(len, strlen(bs3_example));
	ck_assert(memcmp(buf, bs3_example, len) == 0);
	for (size = 0; size < strlen(bs3_example); size++) {
		build_bs3(&w, buf, size);
		ck_assert_int_eq(codec_link_finish(&w, &len), LWM2M_ERR_TOO_LARGE);
		ck_assert_uint_eq(len, 0);
	}
	build_bs3(&w, buf, strlen(bs3_example));
	ck_assert_int_eq(codec_link_finish(&w, &len), 0);
}
END_TEST

static void
link_is(struct codec_link *w, const char *want)
{
	size_t	len;

	ck_assert_int_eq(codec_link_finish(w, &len), 0);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert(memcmp(w->buf, want, len) == 0);
}

START_TEST(link_register_and_discover)
{
	struct codec_link	w;
	uint8_t			buf[256];

	/* Register: the root with rt and ct, then instances, ver= for non-1.0 objects. */
	codec_link_init(&w, buf, sizeof buf);
	codec_link_path(&w, &LWM2M_PATH_ROOT);
	codec_link_attr_str(&w, "rt", "oma.lwm2m", true);
	codec_link_attr_uint(&w, "ct", LWM2M_FMT_TLV);
	codec_link_path(&w, &LWM2M_PATH_INST(1, 0));
	codec_link_path(&w, &LWM2M_PATH_INST(3, 0));
	codec_link_path(&w, &LWM2M_PATH_INST(3303, 0));
	codec_link_attr_str(&w, "ver", "1.1", false);
	link_is(&w, "</>;rt=\"oma.lwm2m\";ct=11542,</1/0>,</3/0>,</3303/0>;ver=1.1");

	/* Discover with attributes. */
	codec_link_init(&w, buf, sizeof buf);
	codec_link_path(&w, &LWM2M_PATH_RES(3, 0, 1));
	codec_link_attr_uint(&w, "pmin", 10);
	codec_link_attr_float(&w, "gt", 20.5);
	codec_link_attr_int(&w, "lt", -5);
	codec_link_attr_float(&w, "st", 0.1);
	codec_link_attr_int(&w, "dim", INT64_MIN);
	codec_link_attr_str(&w, "obs", NULL, false);
	codec_link_path(&w, &LWM2M_PATH_RI(3, 0, 6, 1));
	codec_link_target(&w, "/lwm2m");
	link_is(&w, "</3/0/1>;pmin=10;gt=20.5;lt=-5;st=0.1;dim=-9223372036854775808;obs,"
	    "</3/0/6/1>,</lwm2m>");

	/* Quoted strings escape '"' and '\'. */
	codec_link_init(&w, buf, sizeof buf);
	codec_link_path(&w, &LWM2M_PATH_INST(0, 0));
	codec_link_attr_str(&w, "uri", "a\"b\\c d;e,f", true);
	link_is(&w, "</0/0>;uri=\"a\\\"b\\\\c d;e,f\"");
}
END_TEST

START_TEST(link_builder_errors)
{
	struct codec_link	w;
	uint8_t			buf[64];
	size_t			len;
	struct lwm2m_path	bad = { { 1 }, 5 };

	codec_link_init(&w, buf, sizeof buf);
	codec_link_attr_uint(&w, "ssid", 1);		/* no link yet */
	ck_assert_int_eq(codec_link_finish(&w, &len), LWM2M_ERR_INTERNAL);

	codec_link_init(&w, buf, sizeof buf);
	codec_link_path(&w, &LWM2M_PATH_ROOT);
	codec_link_attr_str(&w, "x", "a,b", false);	/* needs quotes */
	ck_assert_int_eq(codec_link_finish(&w, &len), LWM2M_ERR_INTERNAL);

	codec_link_init(&w, buf, sizeof buf);
	codec_link_path(&w, &LWM2M_PATH_ROOT);
	codec_link_attr_str(&w, "x", "", false);
	ck_assert_int_eq(codec_link_finish(&w, &len), LWM2M_ERR_INTERNAL);

	codec_link_init(&w, buf, sizeof buf);
	codec_link_path(&w, &LWM2M_PATH_ROOT);
	codec_link_attr_str(&w, "x", "a\nb", true);
	ck_assert_int_eq(codec_link_finish(&w, &len), LWM2M_ERR_INTERNAL);

	codec_link_init(&w, buf, sizeof buf);
	codec_link_path(&w, &LWM2M_PATH_ROOT);
	codec_link_attr_uint(&w, "a=b", 1);
	ck_assert_int_eq(codec_link_finish(&w, &len), LWM2M_ERR_INTERNAL);

	codec_link_init(&w, buf, sizeof buf);
	codec_link_path(&w, &LWM2M_PATH_ROOT);
	codec_link_attr_uint(&w, "", 1);
	ck_assert_int_eq(codec_link_finish(&w, &len), LWM2M_ERR_INTERNAL);

	codec_link_init(&w, buf, sizeof buf);
	codec_link_path(&w, &LWM2M_PATH_ROOT);
	codec_link_attr_float(&w, "gt", NAN);
	ck_assert_int_eq(codec_link_finish(&w, &len), LWM2M_ERR_INTERNAL);

	codec_link_init(&w, buf, sizeof buf);
	codec_link_target(&w, "/a>b");
	ck_assert_int_eq(codec_link_finish(&w, &len), LWM2M_ERR_INTERNAL);

	codec_link_init(&w, buf, sizeof buf);
	codec_link_path(&w, &bad);
	ck_assert_int_eq(codec_link_finish(&w, &len), LWM2M_ERR_INTERNAL);

	/* The first error sticks. */
	codec_link_init(&w, buf, 3);
	codec_link_path(&w, &LWM2M_PATH_INST(3, 0));
	codec_link_attr_uint(&w, "", 1);
	ck_assert_int_eq(codec_link_finish(&w, &len), LWM2M_ERR_TOO_LARGE);
	codec_link_init(&w, NULL, 0);
	codec_link_path(&w, &LWM2M_PATH_ROOT);
	ck_assert_int_eq(codec_link_finish(&w, &len), LWM2M_ERR_TOO_LARGE);
	codec_link_init(&w, NULL, 0);
	ck_assert_int_eq(codec_link_finish(&w, &len), 0);
	ck_assert_uint_eq(len, 0);
}
END_TEST

/* The parser's view of a payload: "<target>;name=value;flag|<...>". */
struct seen {
	char	s[1024];
	size_t	len;
	int	stop_at;
	int	calls;
};

static void
seen_add(struct seen *sn, const char *p, size_t len)
{
	ck_assert_uint_lt(sn->len + len, sizeof sn->s);
	memcpy(sn->s + sn->len, p, len);
	sn->len += len;
	sn->s[sn->len] = '\0';
}

static int
seen_link(void *arg, const char *target, size_t len)
{
	struct seen	*sn = arg;

	if (++sn->calls == sn->stop_at)
		return (LWM2M_ERR_NOT_FOUND);
	if (sn->len != 0)
		seen_add(sn, "|", 1);
	seen_add(sn, "<", 1);
	seen_add(sn, target, len);
	seen_add(sn, ">", 1);
	return (0);
}

static int
seen_attr(void *arg, const char *name, size_t namelen, const char *value, size_t valuelen)
{
	struct seen	*sn = arg;

	if (++sn->calls == sn->stop_at)
		return (LWM2M_ERR_NOT_FOUND);
	seen_add(sn, ";", 1);
	seen_add(sn, name, namelen);
	if (value != NULL) {
		seen_add(sn, "=", 1);
		seen_add(sn, value, valuelen);
	}
	return (0);
}

static int
parse(const char *in, struct seen *sn, int stop_at)
{
	struct codec_link_parser	lp = { seen_link, seen_attr, sn, NULL };
	int				error;

	memset(sn, 0, sizeof *sn);
	sn->stop_at = stop_at;
	error = codec_link_parse(&lp, in, strlen(in));
	if (error == LWM2M_ERR_BAD_REQUEST)
		ck_assert_ptr_nonnull(lp.why);
	return (error);
}

START_TEST(link_parse_forms)
{
	const struct {
		const char	*in;
		const char	*want;
	} t[] = {
		{ bs3_example, "</>;lwm2m=1.1|</0/0>;ssid=101;uri=coaps://s1.example:5684|"
		    "</0/1>|</1/0>;ssid=101|</3/0>|</3303/0>|</4>" },
		{ "</>;rt=\"oma.lwm2m\";ct=11542,</1/0>,</3/0>",
		    "</>;rt=oma.lwm2m;ct=11542|</1/0>|</3/0>" },
		{ "</>;lwm2m=1.0,</0/0>", "</>;lwm2m=1.0|</0/0>" },
		{ "</1/0>,</3/0>,</3303/0>;ver=1.1", "</1/0>|</3/0>|</3303/0>;ver=1.1" },
		{ "</rd>;ct=\"0 11542\"", "</rd>;ct=0 11542" },
		{ " </1/0> ; ssid = 101 ,\r\n\t</3/0>;obs ", "</1/0>;ssid=101|</3/0>;obs" },
		{ "</3/0/1>;pmin=10;gt=20.5;lt=-5", "</3/0/1>;pmin=10;gt=20.5;lt=-5" },
		{ "</0/0>;uri=\"a\\\"b\\\\c\"", "</0/0>;uri=a\"b\\c" },
		{ "</0/0>;uri=\"\"", "</0/0>;uri=" },
		{ "<coap://h/x?y=1>;a=<b>", "<coap://h/x?y=1>;a=<b>" },
		{ "", "" },
		{ "  ", "" },
	};
	struct seen	sn;
	size_t		i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		ck_assert_msg(parse(t[i].in, &sn, 0) == 0, "%s", t[i].in);
		ck_assert_str_eq(sn.s, t[i].want);
	}
}
END_TEST

START_TEST(link_parse_malformed)
{
	const char	*bad[] = {
		"</1/0", "1/0>", "</1/0>;", "</1/0>;=5", "</1/0>;a=", "</1/0>,", ",</1/0>",
		"</1/0> </3/0>", "</1/0>;a=\"x", "<>", "</1 /0>", "</1/0>;a=b c",
		"</1/0>;a=\"x\"y", "</1/0>;a;;b", "</1/0>;a=b,,</3/0>", "</1\x01>",
		"</1/0>;a=\"\x01\"", "</1/0>;a=x,y", "<</1/0>", "</1/0>;a\"=1",
		"</1/0>;a=\"x\\", "</1/0>x", "</1/0>;a=\"\\\x01\"",
	};
	struct seen	sn;
	size_t		i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(parse(bad[i], &sn, 0) == LWM2M_ERR_BAD_REQUEST, "%s", bad[i]);
}
END_TEST

START_TEST(link_parse_stops)
{
	struct seen	sn;

	ck_assert_int_eq(parse(bs3_example, &sn, 3), LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(sn.calls, 3);
	ck_assert_int_eq(parse(bs3_example, &sn, 2), LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(sn.calls, 2);
}
END_TEST

/* What the builder writes, the parser reads back unchanged. */
START_TEST(link_builder_parser_agree)
{
	struct codec_link	w;
	struct seen		sn;
	char			buf[256];
	size_t			len;

	codec_link_init(&w, (uint8_t *)buf, sizeof buf - 1);
	codec_link_path(&w, &LWM2M_PATH_INST(0, 3));
	codec_link_attr_str(&w, "uri", "coap://[::1]:5683/\"x\"\\", true);
	codec_link_attr_float(&w, "st", 1e-7);
	ck_assert_int_eq(codec_link_finish(&w, &len), 0);
	buf[len] = '\0';
	ck_assert_int_eq(parse(buf, &sn, 0), 0);
	ck_assert_str_eq(sn.s, "</0/3>;uri=coap://[::1]:5683/\"x\"\\;st=1e-07");
}
END_TEST

TCase *
check_codec_link_tcase(void)
{
	TCase	*tc = tcase_create("link");

	tcase_add_test(tc, link_bs3_discover);
	tcase_add_test(tc, link_register_and_discover);
	tcase_add_test(tc, link_builder_errors);
	tcase_add_test(tc, link_parse_forms);
	tcase_add_test(tc, link_parse_malformed);
	tcase_add_test(tc, link_parse_stops);
	tcase_add_test(tc, link_builder_parser_agree);
	return (tc);
}
