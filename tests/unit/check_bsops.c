/*
 * Unit tests of the pure Bootstrap operations (BS-2, BS-3, BS-4, BS-5, BS-12, BS-13) and
 * of the unbootstrapping cascade through every removal path (UB-1..3, UB-5, UB-7), on
 * stores built here. Requests go through bsops_handle as the state machine sends them.
 */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap.h"
#include "cio.h"
#include "codec.h"
#include "dm.h"

static struct dm_registry	*reg;
static struct dm_store		*st;
static struct bsops_ctx		 ctx;
static uint16_t			 removed[16];
static size_t			 nremoved;
static struct lwm2m_path	 deleted[128];
static size_t			 ndeleted;
static uint8_t			 out[8192];
static size_t			 outlen;
static int			 outfmt;

#define P(...)		(&(struct lwm2m_path){ { __VA_ARGS__ }, \
	sizeof ((uint16_t[]){ __VA_ARGS__ }) / sizeof (uint16_t) })
#define ROOT		(&LWM2M_PATH_ROOT)

static void
removed_cb(void *arg, uint16_t ssid)
{
	(void)arg;
	ck_assert_uint_lt(nremoved, 16);
	removed[nremoved++] = ssid;
}

static void
deleted_cb(void *arg, const struct lwm2m_path *p)
{
	(void)arg;
	ck_assert_uint_lt(ndeleted, 128);
	deleted[ndeleted++] = *p;
}

static bool
was_deleted(const struct lwm2m_path *p)
{
	size_t	i;

	for (i = 0; i < ndeleted; i++)
		if (dm_path_equal(&deleted[i], p))
			return (true);
	return (false);
}

static void
new_store(struct dm_registry *r)
{
	static const uint16_t	oids[] = { 0, 1, 2, 3, 4, 3303 };
	size_t			i;

	st = dm_store_create(r);
	for (i = 0; i < sizeof oids / sizeof oids[0]; i++)
		ck_assert_int_eq(dm_object_add(st, oids[i]), 0);
	ck_assert_int_eq(dm_instance_create(st, 3, 0, NULL), 0);
	memset(&ctx, 0, sizeof ctx);
	ctx.txn = st;
	ctx.ep = "check-ep";
	ctx.removed = removed_cb;
	ctx.deleted = deleted_cb;
	nremoved = ndeleted = 0;
}

static void
setup(void)
{
	reg = dm_registry_create();
	new_store(reg);
}

static void
teardown(void)
{
	dm_store_free(st);
	dm_registry_free(reg);
}

/* Security instance iid: Bootstrap-Server account when ssid < 0. */
static void
add_sec(uint16_t iid, int ssid, const char *uri, int mode)
{
	ck_assert_int_eq(dm_instance_create(st, 0, iid, NULL), 0);
	ck_assert_int_eq(dm_set_string(st, P(0, iid, 0), uri, NULL), 0);
	ck_assert_int_eq(dm_set_bool(st, P(0, iid, 1), ssid < 0, NULL), 0);
	ck_assert_int_eq(dm_set_int(st, P(0, iid, 2), mode, NULL), 0);
	if (mode != DM_SECMODE_NOSEC) {
		ck_assert_int_eq(dm_set_opaque(st, P(0, iid, 3), "id", 2, NULL), 0);
		ck_assert_int_eq(dm_set_opaque(st, P(0, iid, 5), "0123456789abcdef",
		    16, NULL), 0);
	}
	if (ssid >= 0)
		ck_assert_int_eq(dm_set_int(st, P(0, iid, 10), ssid, NULL), 0);
}

static void
add_srv(uint16_t iid, int ssid)
{
	ck_assert_int_eq(dm_instance_create(st, 1, iid, NULL), 0);
	ck_assert_int_eq(dm_set_int(st, P(1, iid, 0), ssid, NULL), 0);
	ck_assert_int_eq(dm_set_int(st, P(1, iid, 1), 300, NULL), 0);
	ck_assert_int_eq(dm_set_bool(st, P(1, iid, 6), true, NULL), 0);
	ck_assert_int_eq(dm_set_string(st, P(1, iid, 7), "U", NULL), 0);
}

/* ACL instance for /oid/iid with owner and (ssid, rights) pairs ending with -1. */
static uint16_t
add_acl(uint16_t oid, uint16_t iid, uint16_t owner, ...)
{
	va_list		ap;
	uint16_t	x;
	int		ssid;

	ck_assert_int_eq(dm_acl_instance_create(st, oid, iid, owner, &x), 0);
	va_start(ap, owner);
	while ((ssid = va_arg(ap, int)) >= 0)
		ck_assert_int_eq(dm_acl_entry_set(st, x, (uint16_t)ssid,
		    va_arg(ap, int)), 0);
	va_end(ap);
	return (x);
}

static int64_t
geti(const struct lwm2m_path *p)
{
	int64_t	v;

	ck_assert_int_eq(dm_get_int(st, p, &v), 0);
	return (v);
}

/* One request through bsops_handle; returns the response code. */
static uint8_t
req(int code, const char *path, int fmt, int accept, const void *payload, size_t len,
    const char *query)
{
	struct cio_msg		 m;
	struct bsops_reply	 rep;
	static char		 segs[CIO_MAX_PATH][16];
	const char		*s, *e;

	/* As cio_msg_init, without linking the messaging layer. */
	memset(&m, 0, sizeof m);
	m.observe = CIO_OBSERVE_NONE;
	m.size1 = m.size2 = CIO_SIZE_NONE;
	m.code = (uint8_t)code;
	for (s = path + 1; *s != '\0'; s = *e == '\0' ? e : e + 1) {
		e = strchr(s, '/');
		if (e == NULL)
			e = s + strlen(s);
		ck_assert_uint_lt(m.npath, CIO_MAX_PATH);
		snprintf(segs[m.npath], sizeof segs[0], "%.*s", (int)(e - s), s);
		m.path[m.npath] = segs[m.npath];
		m.npath++;
	}
	if (query != NULL) {
		m.query[0] = query;
		m.nquery = 1;
	}
	m.format = fmt;
	m.accept = accept;
	m.payload = payload;
	m.payload_len = len;
	memset(&rep, 0, sizeof rep);
	rep.buf = out;
	rep.size = sizeof out;
	bsops_handle(&ctx, &m, &rep);
	outlen = rep.len;
	outfmt = rep.format;
	return (rep.code);
}

#define C(c, d)		LWM2M_CODE(c, d)

static uint8_t
discover(const char *path)
{
	return (req(CIO_GET, path, LWM2M_FMT_NONE, LWM2M_FMT_LINK, NULL, 0, NULL));
}

static void
expect_out(const char *want)
{
	ck_assert_msg(outlen == strlen(want) && memcmp(out, want, outlen) == 0,
	    "got \"%.*s\" want \"%s\"", (int)outlen, out, want);
}

/* Encode entries as TLV written to base into buf. */
static size_t
tlv(const struct lwm2m_path *base, const struct codec_entry *e, size_t n, uint8_t *buf,
    size_t size)
{
	size_t	len;

	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, base, e, n, buf, size, &len), 0);
	return (len);
}

#define EI(p_, x_)	{ *(p_), { .type = LWM2M_TYPE_INTEGER, .v.i = (x_) } }
#define EB(p_, x_)	{ *(p_), { .type = LWM2M_TYPE_BOOLEAN, .v.b = (x_) } }
#define ES(p_, x_)	{ *(p_), { .type = LWM2M_TYPE_STRING, \
	.v.bytes = { (const uint8_t *)(x_), sizeof (x_) - 1 } } }
#define EO(p_, x_)	{ *(p_), { .type = LWM2M_TYPE_OPAQUE, \
	.v.bytes = { (const uint8_t *)(x_), sizeof (x_) - 1 } } }

/* A Server instance payload for /1/iid (ssid, lifetime). */
static size_t
srv_tlv(uint16_t iid, int ssid, int lifetime, uint8_t *buf, size_t size)
{
	struct codec_entry	e[] = {
		EI(P(1, iid, 0), ssid),
		EI(P(1, iid, 1), lifetime),
		EB(P(1, iid, 6), true),
		ES(P(1, iid, 7), "U"),
	};

	return (tlv(P(1, iid), e, 4, buf, size));
}

/* A PSK Security instance payload for /0/iid. */
static size_t
sec_tlv(uint16_t iid, int ssid, bool bs, uint8_t *buf, size_t size)
{
	struct codec_entry	e[] = {
		ES(P(0, iid, 0), "coaps://127.0.0.1:5684"),
		EB(P(0, iid, 1), bs),
		EI(P(0, iid, 2), DM_SECMODE_PSK),
		EO(P(0, iid, 3), "identity"),
		EO(P(0, iid, 5), "0123456789abcdef"),
		EI(P(0, iid, 10), ssid),
	};

	return (tlv(P(0, iid), e, bs ? 5 : 6, buf, size));
}

/* ------------------------------------------------------------ BS-2 */

START_TEST(bs2_write_instance_creates)
{
	uint8_t	b[256];
	size_t	n = srv_tlv(0, 101, 300, b, sizeof b);

	ck_assert(!dm_instance_exists(st, 1, 0));
	ck_assert_uint_eq(req(CIO_PUT, "/1/0", LWM2M_FMT_TLV, -1, b, n, NULL),
	    C(2, 4));
	ck_assert_int_eq(geti(P(1, 0, 0)), 101);
	ck_assert_int_eq(geti(P(1, 0, 1)), 300);
	/* BS-2: absent optional resources are not instantiated. */
	ck_assert(!dm_exists(st, P(1, 0, 2)));
	ck_assert(!dm_exists(st, P(1, 0, 5)));
}
END_TEST

START_TEST(bs2_write_instance_updates)
{
	uint8_t	b[256];
	size_t	n = srv_tlv(0, 101, 60, b, sizeof b);

	add_srv(0, 101);
	ck_assert_int_eq(dm_set_int(st, P(1, 0, 2), 10, NULL), 0);
	ck_assert_uint_eq(req(CIO_PUT, "/1/0", LWM2M_FMT_TLV, -1, b, n, NULL),
	    C(2, 4));
	ck_assert_int_eq(geti(P(1, 0, 1)), 60);
	/* BS-10: a re-bootstrap may update single resources: the rest stays. */
	ck_assert_int_eq(geti(P(1, 0, 2)), 10);
}
END_TEST

START_TEST(bs2_write_object_and_resource)
{
	uint8_t			b[512];
	size_t			n;
	struct codec_entry	e[] = {
		ES(P(0, 0, 0), "coap://127.0.0.1:5683"),
		EB(P(0, 0, 1), false),
		EI(P(0, 0, 2), DM_SECMODE_NOSEC),
		EI(P(0, 0, 10), 101),
		ES(P(0, 3, 0), "coaps://bs.example:5684"),
		EB(P(0, 3, 1), true),
		EI(P(0, 3, 2), DM_SECMODE_PSK),
	};

	n = tlv(P(0), e, 7, b, sizeof b);
	ck_assert_uint_eq(req(CIO_PUT, "/0", LWM2M_FMT_TLV, -1, b, n, NULL), C(2, 4));
	ck_assert_int_eq(geti(P(0, 0, 10)), 101);
	ck_assert(dm_instance_exists(st, 0, 3));
	/* A single resource in text, on an instance that does not exist yet. */
	ck_assert_uint_eq(req(CIO_PUT, "/1/4/1", LWM2M_FMT_TEXT, -1, "120", 3, NULL),
	    C(2, 4));
	ck_assert_int_eq(geti(P(1, 4, 1)), 120);
	/* Without Content-Format: TLV. */
	n = srv_tlv(4, 104, 30, b, sizeof b);
	ck_assert_uint_eq(req(CIO_PUT, "/1/4", LWM2M_FMT_NONE, -1, b, n, NULL),
	    C(2, 4));
	ck_assert_int_eq(geti(P(1, 4, 1)), 30);
}
END_TEST

START_TEST(bs2_write_senml)
{
	const char	*j = "[{\"bn\":\"/1/0/\",\"n\":\"0\",\"v\":101},"
			    "{\"n\":\"1\",\"v\":86400},{\"n\":\"6\",\"vb\":false},"
			    "{\"n\":\"7\",\"vs\":\"UQ\"}]";

	ck_assert_uint_eq(req(CIO_PUT, "/1/0", LWM2M_FMT_SENML_JSON, -1, j, strlen(j),
	    NULL), C(2, 4));
	ck_assert_int_eq(geti(P(1, 0, 1)), 86400);
}
END_TEST

START_TEST(bs2_unknown_resource_ignored)
{
	uint8_t			b[256];
	size_t			n;
	struct codec_entry	e[] = {
		EI(P(1, 0, 0), 101),
		EI(P(1, 0, 1), 300),
		EI(P(1, 0, 99), 7),	/* not in the Server object */
	};

	n = tlv(P(1, 0), e, 3, b, sizeof b);
	ck_assert_uint_eq(req(CIO_PUT, "/1/0", LWM2M_FMT_TLV, -1, b, n, NULL),
	    C(2, 4));
	ck_assert_int_eq(geti(P(1, 0, 1)), 300);
	ck_assert(!dm_exists(st, P(1, 0, 99)));
}
END_TEST

START_TEST(bs2_second_bs_account_refused)
{
	uint8_t	b[256];
	size_t	n;

	add_sec(0, -1, "coaps://bs.example:5684", DM_SECMODE_PSK);
	n = sec_tlv(1, 0, true, b, sizeof b);
	ck_assert_uint_eq(req(CIO_PUT, "/0/1", LWM2M_FMT_TLV, -1, b, n, NULL),
	    C(4, 0));
	ck_assert(!dm_instance_exists(st, 0, 1));
	ck_assert_uint_eq(bsops_bs_accounts(st), 1);
	/* Rewriting the existing account (new keys) is fine. */
	n = sec_tlv(0, 0, true, b, sizeof b);
	ck_assert_uint_eq(req(CIO_PUT, "/0/0", LWM2M_FMT_TLV, -1, b, n, NULL),
	    C(2, 4));
	/* Turning it into a server account would lose it. */
	ck_assert_uint_eq(req(CIO_PUT, "/0/0/1", LWM2M_FMT_TEXT, -1, "0", 1, NULL),
	    C(4, 0));
	ck_assert_uint_eq(bsops_bs_accounts(st), 1);
}
END_TEST

START_TEST(bs2_bad_payload_all_or_nothing)
{
	uint8_t	b[256];
	size_t	n = srv_tlv(0, 101, 300, b, sizeof b);

	/* Truncated TLV: 4.00 and nothing stored, not even the instance. */
	ck_assert_uint_eq(req(CIO_PUT, "/1/0", LWM2M_FMT_TLV, -1, b, n - 1, NULL),
	    C(4, 0));
	ck_assert(!dm_instance_exists(st, 1, 0));
	/* Garbage. */
	ck_assert_uint_eq(req(CIO_PUT, "/1/0", LWM2M_FMT_TLV, -1, "\xff\xff\xff", 3,
	    NULL), C(4, 0));
	/* A value of the wrong type after good ones: nothing kept. */
	ck_assert_uint_eq(req(CIO_PUT, "/1/0/6", LWM2M_FMT_TEXT, -1, "maybe", 5,
	    NULL), C(4, 0));
	ck_assert(!dm_instance_exists(st, 1, 0));
	/* Bad URIs. */
	ck_assert_uint_eq(req(CIO_PUT, "/", LWM2M_FMT_TLV, -1, b, n, NULL), C(4, 0));
	ck_assert_uint_eq(req(CIO_PUT, "/1/0/1/0", LWM2M_FMT_TEXT, -1, "1", 1, NULL),
	    C(4, 0));
	ck_assert_uint_eq(req(CIO_PUT, "/5/0", LWM2M_FMT_TLV, -1, b, n, NULL),
	    C(4, 0));
	ck_assert_uint_eq(req(CIO_PUT, "/x", LWM2M_FMT_TLV, -1, b, n, NULL), C(4, 0));
}
END_TEST

START_TEST(bs2_unsupported_format)
{
	ck_assert_uint_eq(req(CIO_PUT, "/1/0", 9999, -1, "x", 1, NULL), C(4, 15));
	ck_assert_uint_eq(req(CIO_PUT, "/1/0", LWM2M_FMT_TEXT, -1, "1", 1, NULL),
	    C(4, 15));
	ck_assert(!dm_instance_exists(st, 1, 0));
}
END_TEST

START_TEST(bs2_multiple_resource_replaced)
{
	uint16_t		x;
	uint8_t			b[256];
	size_t			n;
	struct codec_entry	e[] = {
		EI(P(2, 0, 0), 3303),
		EI(P(2, 0, 1), 0),
		EI(P(2, 0, 2, 103), DM_ACL_READ),
		EI(P(2, 0, 3), 103),
	};

	x = add_acl(3303, 0, 101, 101, DM_ACL_ALL, 102, DM_ACL_READ, -1);
	ck_assert_uint_eq(x, 0);
	n = tlv(P(2, 0), e, 4, b, sizeof b);
	ck_assert_uint_eq(req(CIO_PUT, "/2/0", LWM2M_FMT_TLV, -1, b, n, NULL),
	    C(2, 4));
	ck_assert_uint_eq(dm_resource_count(st, 2, 0, 2), 1);
	ck_assert_int_eq(geti(P(2, 0, 2, 103)), DM_ACL_READ);
	ck_assert(!dm_exists(st, P(2, 0, 2, 101)));
}
END_TEST

START_TEST(bs2_ver)
{
	uint8_t	b[256];
	size_t	n = srv_tlv(0, 101, 300, b, sizeof b);

	ck_assert_uint_eq(req(CIO_PUT, "/1/0", LWM2M_FMT_TLV, -1, b, n, "ver=1.1"),
	    C(2, 4));
	ck_assert_uint_eq(req(CIO_PUT, "/1/0", LWM2M_FMT_TLV, -1, b, n, "ver=1.0"),
	    C(2, 4));
	ck_assert_uint_eq(req(CIO_PUT, "/1/0", LWM2M_FMT_TLV, -1, b, n, "ver=1.2"),
	    C(4, 0));
	ck_assert_uint_eq(req(CIO_PUT, "/1/0", LWM2M_FMT_TLV, -1, b, n, "ver=2.0"),
	    C(4, 0));
	ck_assert_uint_eq(req(CIO_PUT, "/1/0", LWM2M_FMT_TLV, -1, b, n, "ver=x"),
	    C(4, 0));
}
END_TEST

/* ------------------------------------------------------------ BS-3 */

static void
example_config(void)
{
	add_sec(0, 101, "coaps://s1.example:5684", DM_SECMODE_PSK);
	add_sec(1, -1, "coaps://bs.example:5684", DM_SECMODE_PSK);
	add_srv(0, 101);
	ck_assert_int_eq(dm_instance_create(st, 3303, 0, NULL), 0);
}

START_TEST(bs3_discover_example_exact)
{
	char			 path[] = "/tmp/check_bsops_XXXXXX";
	struct dm_registry	*r;
	char			*cause = NULL;
	FILE			*f;
	int			 fd;

	/* The requirement's example has a Temperature object of version 1.0. */
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(f = fdopen(fd, "w"));
	fputs("<?xml version=\"1.0\"?><LWM2M><Object ObjectType=\"MODefinition\">"
	    "<Name>Temperature</Name><ObjectID>3303</ObjectID>"
	    "<ObjectVersion>1.0</ObjectVersion>"
	    "<MultipleInstances>Multiple</MultipleInstances>"
	    "<Mandatory>Optional</Mandatory><Resources><Item ID=\"5700\">"
	    "<Name>Sensor Value</Name><Operations>R</Operations>"
	    "<MultipleInstances>Single</MultipleInstances>"
	    "<Mandatory>Mandatory</Mandatory><Type>Float</Type></Item>"
	    "</Resources></Object></LWM2M>\n", f);
	fclose(f);
	r = dm_registry_create();
	ck_assert_msg(dm_registry_load_file(r, path, DM_LOAD_REPLACE_BUILTIN,
	    &cause) == 0, "%s", cause);
	unlink(path);
	dm_store_free(st);
	new_store(r);
	ck_assert_int_eq(dm_object_remove(st, 2), 0);
	example_config();

	/* Links come in ascending object order (the example's order carries no
	 * meaning in RFC 6690). */
	ck_assert_uint_eq(discover("/"), C(2, 5));
	ck_assert_int_eq(outfmt, LWM2M_FMT_LINK);
	expect_out("</>;lwm2m=1.1,</0/0>;ssid=101;uri=\"coaps://s1.example:5684\","
	    "</0/1>,</1/0>;ssid=101,</3/0>,</4>,</3303/0>");
	ck_assert_uint_eq(discover("/0"), C(2, 5));
	expect_out("</0/0>;ssid=101;uri=\"coaps://s1.example:5684\",</0/1>");
	ck_assert_uint_eq(discover("/1"), C(2, 5));
	expect_out("</1/0>;ssid=101");
	ck_assert_uint_eq(discover("/4"), C(2, 5));
	expect_out("</4>");
	dm_store_free(st);
	dm_registry_free(r);
	new_store(reg);
}
END_TEST

START_TEST(bs3_discover_versions)
{
	char			*cause = NULL;
	struct dm_registry	*r;
	char			 ddf[1024];

	/* Built-in 3303 is 1.1: the object link carries it before the instances. */
	example_config();
	ck_assert_uint_eq(discover("/3303"), C(2, 5));
	expect_out("</3303>;ver=1.1,</3303/0>");

	/* An object of version 1.2 without instances. */
	snprintf(ddf, sizeof ddf, "%s/tests/unit/data/ddf/a-valid.xml",
	    getenv("top_srcdir") != NULL ? getenv("top_srcdir") : ".");
	r = dm_registry_create();
	ck_assert_msg(dm_registry_load_file(r, ddf, 0, &cause) == 0, "%s", cause);
	dm_store_free(st);
	new_store(r);
	ck_assert_int_eq(dm_object_add(st, 32769), 0);
	ck_assert_uint_eq(discover("/32769"), C(2, 5));
	expect_out("</32769>;ver=1.2");
	ck_assert_int_eq(dm_instance_create(st, 32769, 4, NULL), 0);
	ck_assert_uint_eq(discover("/32769"), C(2, 5));
	expect_out("</32769>;ver=1.2,</32769/4>");
	ck_assert_ptr_null(bsops_object_ver(st, 0));
	ck_assert_ptr_null(bsops_object_ver(st, 3));
	ck_assert_str_eq(bsops_object_ver(st, 32769), "1.2");
	dm_store_free(st);
	dm_registry_free(r);
	new_store(reg);
}
END_TEST

START_TEST(bs3_discover_errors)
{
	example_config();
	ck_assert_uint_eq(discover("/0/0"), C(4, 0));
	ck_assert_uint_eq(discover("/0/0/1"), C(4, 0));
	ck_assert_uint_eq(discover("/5"), C(4, 4));
}
END_TEST

/* ------------------------------------------------------------ BS-4 */

START_TEST(bs4_delete_root)
{
	example_config();
	add_acl(3303, 0, 101, 101, DM_ACL_ALL, -1);
	ck_assert_uint_eq(req(CIO_DELETE, "/", -1, -1, NULL, 0, NULL), C(2, 2));
	ck_assert(dm_instance_exists(st, 0, 1));	/* Bootstrap-Server account */
	ck_assert(dm_instance_exists(st, 3, 0));	/* the Device */
	ck_assert_uint_eq(dm_instance_count(st, 0), 1);
	ck_assert_uint_eq(dm_instance_count(st, 1), 0);
	ck_assert_uint_eq(dm_instance_count(st, 2), 0);
	ck_assert_uint_eq(dm_instance_count(st, 3303), 0);
	ck_assert_uint_eq(nremoved, 1);
	ck_assert_uint_eq(removed[0], 101);
	ck_assert(was_deleted(P(0, 0)));
	ck_assert(was_deleted(P(1, 0)));
}
END_TEST

static bool
spare_3303(void *arg, uint16_t oid, uint16_t iid)
{
	(void)arg;
	(void)iid;
	return (oid == 3303);
}

START_TEST(bs4_delete_spared)
{
	example_config();
	ctx.spared = spare_3303;
	ck_assert_uint_eq(req(CIO_DELETE, "/", -1, -1, NULL, 0, NULL), C(2, 2));
	ck_assert(dm_instance_exists(st, 3303, 0));
	ck_assert_uint_eq(req(CIO_DELETE, "/3303/0", -1, -1, NULL, 0, NULL), C(4, 0));
	ck_assert_uint_eq(req(CIO_DELETE, "/3303", -1, -1, NULL, 0, NULL), C(2, 2));
	ck_assert(dm_instance_exists(st, 3303, 0));
}
END_TEST

START_TEST(bs4_delete_bs_account_refused)
{
	example_config();
	ck_assert_uint_eq(req(CIO_DELETE, "/0/1", -1, -1, NULL, 0, NULL), C(4, 0));
	ck_assert_uint_eq(req(CIO_DELETE, "/3/0", -1, -1, NULL, 0, NULL), C(4, 0));
	ck_assert_uint_eq(req(CIO_DELETE, "/0", -1, -1, NULL, 0, NULL), C(2, 2));
	ck_assert(dm_instance_exists(st, 0, 1));
	ck_assert(!dm_instance_exists(st, 0, 0));
	ck_assert_uint_eq(req(CIO_DELETE, "/3", -1, -1, NULL, 0, NULL), C(2, 2));
	ck_assert(dm_instance_exists(st, 3, 0));
}
END_TEST

START_TEST(bs4_delete_bad_uri)
{
	example_config();
	ck_assert_uint_eq(req(CIO_DELETE, "/0/0/1", -1, -1, NULL, 0, NULL), C(4, 0));
	ck_assert_uint_eq(req(CIO_DELETE, "/5", -1, -1, NULL, 0, NULL), C(4, 0));
	ck_assert_uint_eq(req(CIO_DELETE, "/5/0", -1, -1, NULL, 0, NULL), C(4, 0));
	ck_assert_uint_eq(req(CIO_DELETE, "/zz", -1, -1, NULL, 0, NULL), C(4, 0));
	/* An instance that is not there: nothing to do. */
	ck_assert_uint_eq(req(CIO_DELETE, "/1/7", -1, -1, NULL, 0, NULL), C(2, 2));
	ck_assert_uint_eq(dm_instance_count(st, 0), 2);
	/* Not a Bootstrap interface method. */
	ck_assert_uint_eq(req(CIO_POST, "/1/0", -1, -1, NULL, 0, NULL), C(4, 5));
}
END_TEST

/* ------------------------------------------------------------ BS-5 */

static uint8_t
finish(void)
{
	return (req(CIO_POST, "/bs", -1, -1, NULL, 0, NULL));
}

START_TEST(bs5_finish_inconsistent_then_corrected)
{
	uint8_t		b[256];
	size_t		n;
	uint16_t	x;

	add_sec(1, -1, "coaps://bs.example:5684", DM_SECMODE_PSK);
	/* No server account at all. */
	ck_assert_uint_eq(finish(), C(4, 6));
	/* Security without Server. */
	n = sec_tlv(0, 101, false, b, sizeof b);
	ck_assert_uint_eq(req(CIO_PUT, "/0/0", LWM2M_FMT_TLV, -1, b, n, NULL),
	    C(2, 4));
	ck_assert_uint_eq(finish(), C(4, 6));
	/* Still in bootstrap: the corrective write is taken, then Finish passes. */
	n = srv_tlv(0, 101, 300, b, sizeof b);
	ck_assert_uint_eq(req(CIO_PUT, "/1/0", LWM2M_FMT_TLV, -1, b, n, NULL),
	    C(2, 4));
	ck_assert_uint_eq(finish(), C(2, 4));
	/* Server without Security. */
	n = srv_tlv(1, 102, 300, b, sizeof b);
	ck_assert_uint_eq(req(CIO_PUT, "/1/1", LWM2M_FMT_TLV, -1, b, n, NULL),
	    C(2, 4));
	ck_assert_uint_eq(finish(), C(4, 6));
	ck_assert_uint_eq(req(CIO_DELETE, "/1/1", -1, -1, NULL, 0, NULL), C(2, 2));
	ck_assert_uint_eq(finish(), C(2, 4));
	/* Duplicate Short Server ID. */
	n = srv_tlv(1, 101, 300, b, sizeof b);
	ck_assert_uint_eq(req(CIO_PUT, "/1/1", LWM2M_FMT_TLV, -1, b, n, NULL),
	    C(2, 4));
	ck_assert_uint_eq(finish(), C(4, 6));
	ck_assert_uint_eq(req(CIO_DELETE, "/1/1", -1, -1, NULL, 0, NULL), C(2, 2));
	/* An ACL naming a server that does not exist. */
	x = add_acl(3, 0, 101, 101, DM_ACL_ALL, 109, DM_ACL_READ, -1);
	ck_assert_uint_eq(finish(), C(4, 6));
	ck_assert_int_eq(dm_acl_entry_set(st, x, 109, -1), 0);
	ck_assert_uint_eq(finish(), C(2, 4));
	/* A mandatory resource missing. */
	ck_assert_int_eq(dm_delete(st, P(1, 0, 7)), 0);
	ck_assert_uint_eq(finish(), C(4, 6));
	ck_assert_uint_eq(req(CIO_PUT, "/1/0/7", LWM2M_FMT_TEXT, -1, "U", 1, NULL),
	    C(2, 4));
	ck_assert_uint_eq(finish(), C(2, 4));
	/* A second Bootstrap-Server account (only possible behind our back). */
	add_sec(5, -1, "coaps://bs2.example:5684", DM_SECMODE_PSK);
	ck_assert_uint_eq(finish(), C(4, 6));
	ck_assert_int_eq(dm_instance_delete(st, 0, 5), 0);
	ck_assert_uint_eq(finish(), C(2, 4));
	/* Finish with a payload or on another path is a bad request. */
	ck_assert_uint_eq(req(CIO_POST, "/bs", -1, -1, "x", 1, NULL), C(4, 0));
}
END_TEST

/* BS-5, BS-11: NoSec only when the configuration allows insecure operation. */
START_TEST(bs5_nosec_needs_allow_insecure)
{
	add_sec(1, -1, "coaps://bs.example:5684", DM_SECMODE_PSK);
	add_sec(0, 101, "coap://127.0.0.1:5683", DM_SECMODE_NOSEC);
	add_srv(0, 101);
	ck_assert_uint_eq(finish(), C(4, 6));
	ctx.check_flags = DM_CHECK_ALLOW_NOSEC;
	ck_assert_uint_eq(finish(), C(2, 4));
}
END_TEST

/* ------------------------------------------------------------ BS-13 */

START_TEST(bs13_read)
{
	const char	*senml = "{\"n\":\"0/2/101\",\"v\":31}";
	size_t		 len;
	uint8_t		 want[256];

	example_config();
	add_acl(3303, 0, 101, 101, DM_ACL_ALL, -1);
	ck_assert_uint_eq(req(CIO_GET, "/1/0", -1, -1, NULL, 0, NULL), C(2, 5));
	ck_assert_int_eq(outfmt, LWM2M_FMT_TLV);
	len = srv_tlv(0, 101, 300, want, sizeof want);
	ck_assert_uint_eq(outlen, len);
	ck_assert_mem_eq(out, want, len);
	ck_assert_uint_eq(req(CIO_GET, "/1", -1, LWM2M_FMT_TLV, NULL, 0, NULL),
	    C(2, 5));
	ck_assert_uint_eq(req(CIO_GET, "/2", -1, LWM2M_FMT_SENML_JSON, NULL, 0, NULL),
	    C(2, 5));
	ck_assert_int_eq(outfmt, LWM2M_FMT_SENML_JSON);
	ck_assert_msg(memmem(out, outlen, senml, strlen(senml)) != NULL, "%.*s",
	    (int)outlen, out);
	/* Other objects, deeper paths, absent instances, formats. */
	ck_assert_uint_eq(req(CIO_GET, "/0", -1, -1, NULL, 0, NULL), C(4, 0));
	ck_assert_uint_eq(req(CIO_GET, "/0/0", -1, -1, NULL, 0, NULL), C(4, 0));
	ck_assert_uint_eq(req(CIO_GET, "/3/0", -1, -1, NULL, 0, NULL), C(4, 0));
	ck_assert_uint_eq(req(CIO_GET, "/", -1, -1, NULL, 0, NULL), C(4, 0));
	ck_assert_uint_eq(req(CIO_GET, "/1/0/1", -1, -1, NULL, 0, NULL), C(4, 0));
	ck_assert_uint_eq(req(CIO_GET, "/1/9", -1, -1, NULL, 0, NULL), C(4, 4));
	ck_assert_uint_eq(req(CIO_GET, "/1/0", -1, LWM2M_FMT_TEXT, NULL, 0, NULL),
	    C(4, 6));
}
END_TEST

/* ------------------------------------------------------------ UB-1..5, UB-7 */

/*
 * Servers A 101 (/0/0, /1/0), B 102 (/0/2, /1/1), C 103 (/0/3, /1/2), Bootstrap-Server
 * /0/1. Temperature instances:
 *   /3303/0 A only			(ACL /2/0: owner A, {A: all})
 *   /3303/1 shared, owned by A		(ACL /2/1: owner A, {A: all, B: R|W|D})
 *   /3303/2 shared, owned by B		(ACL /2/2: owner B, {A: R, B: all})
 *   /3303/3 tie between B and C	(ACL /2/3: owner A, {A: all, B: W, C: D})
 *   /3303/4 C scores higher		(ACL /2/4: owner A, {B: R, C: W|D})
 *   /3303/5 B only			(ACL /2/5: owner B, {B: all})
 *   /3303/6 no ACL instance
 */
static void
ub_config(void)
{
	uint16_t	i;

	add_sec(0, 101, "coaps://a.example:5684", DM_SECMODE_PSK);
	add_sec(1, -1, "coaps://bs.example:5684", DM_SECMODE_PSK);
	add_sec(2, 102, "coaps://b.example:5684", DM_SECMODE_PSK);
	add_sec(3, 103, "coaps://c.example:5684", DM_SECMODE_PSK);
	add_srv(0, 101);
	add_srv(1, 102);
	add_srv(2, 103);
	for (i = 0; i < 7; i++)
		ck_assert_int_eq(dm_instance_create(st, 3303, i, NULL), 0);
	ck_assert_uint_eq(add_acl(3303, 0, 101, 101, DM_ACL_ALL, -1), 0);
	ck_assert_uint_eq(add_acl(3303, 1, 101, 101, DM_ACL_ALL, 102,
	    DM_ACL_READ | DM_ACL_WRITE | DM_ACL_DELETE, -1), 1);
	ck_assert_uint_eq(add_acl(3303, 2, 102, 101, DM_ACL_READ, 102, DM_ACL_ALL,
	    -1), 2);
	ck_assert_uint_eq(add_acl(3303, 3, 101, 101, DM_ACL_ALL, 102, DM_ACL_WRITE,
	    103, DM_ACL_DELETE, -1), 3);
	ck_assert_uint_eq(add_acl(3303, 4, 101, 102, DM_ACL_READ, 103,
	    DM_ACL_WRITE | DM_ACL_DELETE, -1), 4);
	ck_assert_uint_eq(add_acl(3303, 5, 102, 102, DM_ACL_ALL, -1), 5);
}

START_TEST(ub_delete_security_instance)
{
	struct dm_store	*before;
	uint8_t		 a[1024], b[1024];
	size_t		 alen, blen;
	int		 fmt;

	ub_config();
	before = dm_store_clone(st);
	ck_assert_uint_eq(req(CIO_DELETE, "/0/0", -1, -1, NULL, 0, NULL), C(2, 2));
	ck_assert_uint_eq(nremoved, 1);
	ck_assert_uint_eq(removed[0], 101);
	/* UB-1: the A-only instance and its ACL instance are gone. */
	ck_assert(!dm_instance_exists(st, 3303, 0));
	ck_assert(!dm_instance_exists(st, 2, 0));
	ck_assert(was_deleted(P(3303, 0)));
	ck_assert(was_deleted(P(2, 0)));
	/* UB-2: shared instances lost A's entry. */
	ck_assert(!dm_exists(st, P(2, 1, 2, 101)));
	ck_assert(!dm_exists(st, P(2, 2, 2, 101)));
	ck_assert(!dm_exists(st, P(2, 3, 2, 101)));
	/* UB-3: new owners: the only candidate, the tie to the lowest SSID, the
	 * highest score; B's own instance keeps its owner. */
	ck_assert_int_eq(geti(P(2, 1, 3)), 102);
	ck_assert_int_eq(geti(P(2, 2, 3)), 102);
	ck_assert_int_eq(geti(P(2, 3, 3)), 102);
	ck_assert_int_eq(geti(P(2, 4, 3)), 103);
	ck_assert(dm_instance_exists(st, 3303, 1));
	ck_assert(dm_instance_exists(st, 3303, 4));
	/* UB-5: A's Server instance. */
	ck_assert(!dm_instance_exists(st, 1, 0));
	/* B untouched: its Server instance, its Security instance and its own ACL. */
	ck_assert_int_eq(bsops_read(st, P(1, 1), LWM2M_FMT_TLV, a, sizeof a, &alen,
	    &fmt), 0);
	ck_assert_int_eq(bsops_read(before, P(1, 1), LWM2M_FMT_TLV, b, sizeof b,
	    &blen, &fmt), 0);
	ck_assert_uint_eq(alen, blen);
	ck_assert_mem_eq(a, b, alen);
	ck_assert_int_eq(bsops_read(st, P(2, 5), LWM2M_FMT_TLV, a, sizeof a, &alen,
	    &fmt), 0);
	ck_assert_int_eq(bsops_read(before, P(2, 5), LWM2M_FMT_TLV, b, sizeof b,
	    &blen, &fmt), 0);
	ck_assert_uint_eq(alen, blen);
	ck_assert_mem_eq(a, b, alen);
	ck_assert(dm_instance_exists(st, 0, 2));
	ck_assert(dm_instance_exists(st, 1, 1));
	ck_assert(dm_instance_exists(st, 3303, 5));
	dm_store_free(before);
	/* The result is consistent. */
	ck_assert_uint_eq(finish(), C(2, 4));
}
END_TEST

/* UB-7: Delete /0 runs the cascade for every server, in instance order. */
START_TEST(ub7_delete_security_object)
{
	ub_config();
	ck_assert_uint_eq(req(CIO_DELETE, "/0", -1, -1, NULL, 0, NULL), C(2, 2));
	ck_assert_uint_eq(nremoved, 3);
	ck_assert_uint_eq(removed[0], 101);
	ck_assert_uint_eq(removed[1], 102);
	ck_assert_uint_eq(removed[2], 103);
	ck_assert_uint_eq(dm_instance_count(st, 0), 1);
	ck_assert(dm_instance_exists(st, 0, 1));
	ck_assert_uint_eq(dm_instance_count(st, 1), 0);
	/* A's exclusive instance went with A; then B's: /3303/5, and /3303/1 which
	 * B owned alone once A left. */
	ck_assert(!dm_instance_exists(st, 3303, 0));
	ck_assert(!dm_instance_exists(st, 3303, 1));
	ck_assert(!dm_instance_exists(st, 3303, 5));
	ck_assert(was_deleted(P(1, 0)));
	ck_assert(was_deleted(P(1, 1)));
	ck_assert(was_deleted(P(1, 2)));
	/* No ACL instance names a removed server any more. */
	ck_assert_uint_eq(finish(), C(4, 6));	/* no server account left */
	ck_assert_uint_eq(dm_instance_count(st, 2), 0);
}
END_TEST

/* UB-7: Delete / runs the cascade too (then deletes the rest). */
START_TEST(ub7_delete_root)
{
	ub_config();
	ctx.spared = spare_3303;
	ck_assert_uint_eq(req(CIO_DELETE, "/", -1, -1, NULL, 0, NULL), C(2, 2));
	ck_assert_uint_eq(nremoved, 3);
	ck_assert_uint_eq(removed[0], 101);
	/* Even spared (sensor) instances go when only one removed server could
	 * access them (UB-1): every ACL'd one here, as the servers leave in turn. */
	ck_assert(!dm_instance_exists(st, 3303, 0));
	ck_assert(!dm_instance_exists(st, 3303, 2));
	ck_assert(!dm_instance_exists(st, 3303, 4));
	ck_assert(dm_instance_exists(st, 3303, 6));
	ck_assert_uint_eq(dm_instance_count(st, 1), 0);
	ck_assert_uint_eq(dm_instance_count(st, 2), 0);
	ck_assert_uint_eq(dm_instance_count(st, 0), 1);
}
END_TEST

/* A Security instance without Short Server ID, or a second one of the same server, does
 * not take the account along. */
START_TEST(ub_no_account_no_cascade)
{
	ub_config();
	add_sec(7, 102, "coaps://b2.example:5684", DM_SECMODE_PSK);
	ck_assert_uint_eq(req(CIO_DELETE, "/0/7", -1, -1, NULL, 0, NULL), C(2, 2));
	ck_assert_uint_eq(nremoved, 0);
	ck_assert(dm_instance_exists(st, 1, 1));
	ck_assert_int_eq(dm_instance_create(st, 0, 8, NULL), 0);
	ck_assert_uint_eq(req(CIO_DELETE, "/0/8", -1, -1, NULL, 0, NULL), C(2, 2));
	ck_assert_uint_eq(nremoved, 0);
}
END_TEST

/* ------------------------------------------------------------ BS-12 */

START_TEST(bs12_rollback_leaves_live_store)
{
	struct dm_store	*live = st;
	uint8_t		 d1[1024], d2[1024], b[256];
	size_t		 l1, l2, n;

	ub_config();
	ck_assert_int_eq(bsops_discover(live, ROOT, d1, sizeof d1, &l1), 0);
	/* The transaction: a clone, changed, found inconsistent, dropped. */
	ctx.txn = dm_store_clone(live);
	ck_assert_uint_eq(req(CIO_DELETE, "/", -1, -1, NULL, 0, NULL), C(2, 2));
	n = sec_tlv(0, 201, false, b, sizeof b);
	ck_assert_uint_eq(req(CIO_PUT, "/0/0", LWM2M_FMT_TLV, -1, b, n, NULL),
	    C(2, 4));
	ck_assert_uint_eq(finish(), C(4, 6));
	dm_store_free(ctx.txn);
	ctx.txn = live;
	ck_assert_int_eq(bsops_discover(live, ROOT, d2, sizeof d2, &l2), 0);
	ck_assert_uint_eq(l1, l2);
	ck_assert_mem_eq(d1, d2, l1);
	ck_assert_int_eq(geti(P(2, 1, 3)), 101);
	ck_assert_int_eq(geti(P(0, 0, 10)), 101);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("bsops");
	TCase	*tc;
	SRunner	*sr;
	int	 failed;

	tc = tcase_create("bs2");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bs2_write_instance_creates);
	tcase_add_test(tc, bs2_write_instance_updates);
	tcase_add_test(tc, bs2_write_object_and_resource);
	tcase_add_test(tc, bs2_write_senml);
	tcase_add_test(tc, bs2_unknown_resource_ignored);
	tcase_add_test(tc, bs2_second_bs_account_refused);
	tcase_add_test(tc, bs2_bad_payload_all_or_nothing);
	tcase_add_test(tc, bs2_unsupported_format);
	tcase_add_test(tc, bs2_multiple_resource_replaced);
	tcase_add_test(tc, bs2_ver);
	suite_add_tcase(s, tc);

	tc = tcase_create("bs3_bs4");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bs3_discover_example_exact);
	tcase_add_test(tc, bs3_discover_versions);
	tcase_add_test(tc, bs3_discover_errors);
	tcase_add_test(tc, bs4_delete_root);
	tcase_add_test(tc, bs4_delete_spared);
	tcase_add_test(tc, bs4_delete_bs_account_refused);
	tcase_add_test(tc, bs4_delete_bad_uri);
	suite_add_tcase(s, tc);

	tc = tcase_create("bs5_bs13");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bs5_finish_inconsistent_then_corrected);
	tcase_add_test(tc, bs5_nosec_needs_allow_insecure);
	tcase_add_test(tc, bs13_read);
	tcase_add_test(tc, bs12_rollback_leaves_live_store);
	suite_add_tcase(s, tc);

	tc = tcase_create("ub");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ub_delete_security_instance);
	tcase_add_test(tc, ub7_delete_security_object);
	tcase_add_test(tc, ub7_delete_root);
	tcase_add_test(tc, ub_no_account_no_cascade);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
