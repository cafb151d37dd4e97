/*
 * Unit tests of the pure Bootstrap operations (BS-2, BS-3, BS-4, BS-5, BS-13) on stores
 * built here. Requests go through bsops_handle as the state machine sends them. The
 * unbootstrapping cascade and BS-12 are in check_unbootstrap.c.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bsops_test.h"
#include "cio.h"

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
	if (getenv("top_srcdir") != NULL)
		snprintf(ddf, sizeof ddf, "%s/tests/unit/data/ddf/a-valid.xml",
		    getenv("top_srcdir"));
	else	/* run by hand: next to this file */
		snprintf(ddf, sizeof ddf, "%.*sdata/ddf/a-valid.xml",
		    (int)(strrchr(__FILE__, '/') != NULL ? strrchr(__FILE__, '/') -
		    __FILE__ + 1 : 0), __FILE__);
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
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
