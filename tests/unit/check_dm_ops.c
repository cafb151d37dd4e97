/*
 * Device Management operations with access control per server: AC-1 (ACL entries and the
 * default entry), AC-2 (owner), AC-3 (single server, several servers, Security never
 * reachable), format selection, Write/Execute/Create/Delete codes, Discover output,
 * Write-Attributes validation, sensor-backed Write with deferred responses, and a stale
 * sensor (issue 8: 5.03 with a diagnostic for Read, Observe, Write, Execute; /3/0 readable).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "codec.h"
#include "dm.h"
#include "log.h"
#include "../../src/lwm2m/vclient_int.h"
#include "vclient_test.h"
#include "xmalloc.h"

static struct event_base	*base;
static struct cfg		*cfg;
static struct vclient_ctx	*ctx;
static struct vclient		*vc;
static uint8_t			 buf[4096];
static size_t			 len;
static int			 fmt;

static const uint16_t		 iids0[] = { 0 };
static const struct vclient_object objs[] = {
	{ 3303, iids0, 1 },
};

static void
setup(void)
{
	struct vclient_params	 p;
	struct vclient_desc	 d;
	char			*cause = NULL;

	base = event_base_new();
	cfg = vt_cfg(0, NULL, 60);
	vt_params(&p);
	ctx = vclient_ctx_create(base, cfg, &p, &cause);
	ck_assert_msg(ctx != NULL, "%s", cause);
	memset(&d, 0, sizeof d);
	d.endpoint = "ep-dm";
	d.objects = objs;
	d.nobjects = 1;
	d.manufacturer = "Acme";
	vc = vclient_create(ctx, &d, &cause);
	ck_assert_msg(vc != NULL, "%s", cause);
}

static void
teardown(void)
{
	vclient_ctx_free(ctx);
	vt_cfg_free(cfg);
	event_base_free(base);
}

static void
add_server(uint16_t iid, uint16_t ssid)
{
	struct dm_store	*st = vc->store;

	ck_assert_int_eq(dm_instance_create(st, 1, iid, NULL), 0);
	ck_assert_int_eq(dm_set_int(st, &LWM2M_PATH_RES(1, iid, 0), ssid, NULL), 0);
	ck_assert_int_eq(dm_set_int(st, &LWM2M_PATH_RES(1, iid, 1), 60, NULL), 0);
	ck_assert_int_eq(dm_set_bool(st, &LWM2M_PATH_RES(1, iid, 6), true, NULL), 0);
	ck_assert_int_eq(dm_set_string(st, &LWM2M_PATH_RES(1, iid, 7), "U", NULL), 0);
}

static int
rd(uint16_t ssid, struct lwm2m_path p, int accept)
{
	return dm_ops_read(vc, ssid, &p, accept, buf, sizeof buf, &len, &fmt);
}

static int
wr_text(uint16_t ssid, struct lwm2m_path p, const char *text)
{
	return dm_ops_write(vc, ssid, &p, true, LWM2M_FMT_TEXT, (const uint8_t *)text,
	    strlen(text));
}

static int
attrs(uint16_t ssid, struct lwm2m_path p, const char *q1, const char *q2,
    const char *q3)
{
	const char	*q[3] = { q1, q2, q3 };

	return dm_ops_write_attrs(vc, ssid, &p, q, q3 != NULL ? 3 : q2 != NULL ? 2 : 1);
}

/* AC-3: one server and no ACL instance: full access; Security never. */
START_TEST(ac3_single_server)
{
	add_server(0, 101);
	ck_assert_int_eq(rd(101, LWM2M_PATH_RES(3, 0, 0), LWM2M_FMT_NONE), 0);
	ck_assert_int_eq(fmt, LWM2M_FMT_TEXT);
	ck_assert_uint_eq(len, 4);
	ck_assert(memcmp(buf, "Acme", 4) == 0);
	ck_assert_int_eq(rd(101, LWM2M_PATH_INST(3303, 0), LWM2M_FMT_NONE), 0);
	ck_assert_int_eq(rd(101, LWM2M_PATH_OBJ(0), LWM2M_FMT_NONE),
	    LWM2M_ERR_UNAUTHORIZED);
	ck_assert_int_eq(rd(101, LWM2M_PATH_INST(0, 0), LWM2M_FMT_NONE),
	    LWM2M_ERR_UNAUTHORIZED);
	ck_assert_int_eq(dm_ops_discover(vc, 101, &LWM2M_PATH_OBJ(0), buf, sizeof buf,
	    &len), LWM2M_ERR_UNAUTHORIZED);
	ck_assert_int_eq(wr_text(101, LWM2M_PATH_RES(0, 0, 0), "coap://x"),
	    LWM2M_ERR_UNAUTHORIZED);
	ck_assert_int_eq(dm_ops_delete(vc, 101, &LWM2M_PATH_INST(0, 0)),
	    LWM2M_ERR_UNAUTHORIZED);
	/* A server without a Server instance has no rights at all. */
	ck_assert_int_eq(rd(102, LWM2M_PATH_RES(3, 0, 0), LWM2M_FMT_NONE),
	    LWM2M_ERR_UNAUTHORIZED);
}
END_TEST

/* AC-1, AC-2 with several servers: ACL entries, default entry, owner. */
START_TEST(ac1_ac2_acl_entries)
{
	uint16_t	acl;

	add_server(0, 101);
	add_server(1, 102);
	/* No ACL instance, several servers: nothing (AC-3), except the own Server
	 * instance. */
	ck_assert_int_eq(rd(101, LWM2M_PATH_INST(3303, 0), LWM2M_FMT_NONE),
	    LWM2M_ERR_UNAUTHORIZED);
	ck_assert_int_eq(rd(101, LWM2M_PATH_INST(1, 0), LWM2M_FMT_NONE), 0);
	ck_assert_int_eq(rd(101, LWM2M_PATH_INST(1, 1), LWM2M_FMT_NONE),
	    LWM2M_ERR_UNAUTHORIZED);
	/* Object-level read shows only what the server may read. */
	ck_assert_int_eq(rd(101, LWM2M_PATH_OBJ(1), LWM2M_FMT_NONE), 0);

	ck_assert_int_eq(dm_acl_instance_create(vc->store, 3303, 0, 101, &acl), 0);
	ck_assert_int_eq(dm_acl_entry_set(vc->store, acl, 102, DM_ACL_READ), 0);
	/* AC-2: the owner has every right. */
	ck_assert_int_eq(wr_text(101, LWM2M_PATH_RES(3303, 0, 5750), "kitchen"), 0);
	ck_assert_int_eq(rd(101, LWM2M_PATH_RES(3303, 0, 5750), LWM2M_FMT_NONE), 0);
	/* AC-1: 102 reads, may not write, execute or delete. */
	ck_assert_int_eq(rd(102, LWM2M_PATH_RES(3303, 0, 5750), LWM2M_FMT_NONE), 0);
	ck_assert_uint_eq(len, 7);
	ck_assert_int_eq(wr_text(102, LWM2M_PATH_RES(3303, 0, 5750), "x"),
	    LWM2M_ERR_UNAUTHORIZED);
	ck_assert_int_eq(dm_ops_execute(vc, 102, &LWM2M_PATH_RES(3303, 0, 5605), NULL,
	    0), LWM2M_ERR_UNAUTHORIZED);
	ck_assert_int_eq(dm_ops_delete(vc, 102, &LWM2M_PATH_INST(3303, 0)),
	    LWM2M_ERR_UNAUTHORIZED);
	/* AC-1: the default entry (riid 0) for servers without their own. */
	add_server(2, 103);
	ck_assert_int_eq(rd(103, LWM2M_PATH_RES(3303, 0, 5750), LWM2M_FMT_NONE),
	    LWM2M_ERR_UNAUTHORIZED);
	ck_assert_int_eq(dm_acl_entry_set(vc->store, acl, 0, DM_ACL_READ | DM_ACL_WRITE),
	    0);
	ck_assert_int_eq(wr_text(103, LWM2M_PATH_RES(3303, 0, 5750), "hall"), 0);
	ck_assert_int_eq(wr_text(102, LWM2M_PATH_RES(3303, 0, 5750), "x"),
	    LWM2M_ERR_UNAUTHORIZED);
	/* The owner deletes; the ACL instance goes with it. */
	ck_assert_int_eq(dm_ops_delete(vc, 101, &LWM2M_PATH_INST(3303, 0)), 0);
	ck_assert(!dm_instance_exists(vc->store, 3303, 0));
	ck_assert_int_eq(dm_acl_find(vc->store, 3303, 0, &acl), LWM2M_ERR_NOT_FOUND);
}
END_TEST

/* AC-2: Create needs the object-level ACL; the creator owns the new instance. */
START_TEST(ac2_create_owner)
{
	struct codec_entry	e;
	uint8_t			tlv[64];
	size_t			tlvlen;
	uint16_t		acl, iid = 0;

	add_server(0, 101);
	add_server(1, 102);
	ck_assert_int_eq(dm_acl_instance_create(vc->store, 3303, 65535, 65535, &acl), 0);
	ck_assert_int_eq(dm_acl_entry_set(vc->store, acl, 102, DM_ACL_CREATE), 0);
	e.path = LWM2M_PATH_RES(3303, 5, 5750);
	e.value.type = LWM2M_TYPE_STRING;
	e.value.v.bytes.ptr = (const uint8_t *)"cellar";
	e.value.v.bytes.len = 6;
	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, &LWM2M_PATH_OBJ(3303), &e, 1, tlv,
	    sizeof tlv, &tlvlen), 0);
	ck_assert_int_eq(dm_ops_create(vc, 101, &LWM2M_PATH_OBJ(3303), LWM2M_FMT_TLV,
	    tlv, tlvlen, &iid), LWM2M_ERR_UNAUTHORIZED);
	ck_assert_int_eq(dm_ops_create(vc, 102, &LWM2M_PATH_OBJ(3303), LWM2M_FMT_TLV,
	    tlv, tlvlen, &iid), 0);
	ck_assert_uint_eq(iid, 5);
	ck_assert_uint_eq(dm_acl_owner(vc->store, 3303, 5), 102);
	ck_assert_int_eq(rd(102, LWM2M_PATH_RES(3303, 5, 5750), LWM2M_FMT_NONE), 0);
	ck_assert_uint_eq(len, 6);
	ck_assert_int_eq(rd(101, LWM2M_PATH_INST(3303, 5), LWM2M_FMT_NONE),
	    LWM2M_ERR_UNAUTHORIZED);
	/* The same instance again: 4.00. */
	ck_assert_int_eq(dm_ops_create(vc, 102, &LWM2M_PATH_OBJ(3303), LWM2M_FMT_TLV,
	    tlv, tlvlen, &iid), LWM2M_ERR_BAD_REQUEST);
	/* Security, Server, ACL, Device: never through DM. */
	ck_assert_int_eq(dm_ops_create(vc, 102, &LWM2M_PATH_OBJ(0), LWM2M_FMT_TLV, NULL,
	    0, &iid), LWM2M_ERR_UNAUTHORIZED);
	ck_assert_int_eq(dm_ops_create(vc, 102, &LWM2M_PATH_OBJ(1), LWM2M_FMT_TLV, NULL,
	    0, &iid), LWM2M_ERR_METHOD_NOT_ALLOWED);
	ck_assert_int_eq(dm_ops_create(vc, 102, &LWM2M_PATH_OBJ(2), LWM2M_FMT_TLV, NULL,
	    0, &iid), LWM2M_ERR_METHOD_NOT_ALLOWED);
	ck_assert_int_eq(dm_ops_delete(vc, 101, &LWM2M_PATH_INST(3303, 5)),
	    LWM2M_ERR_UNAUTHORIZED);
	ck_assert_int_eq(dm_ops_delete(vc, 102, &LWM2M_PATH_INST(3303, 5)), 0);
	ck_assert_int_eq(dm_acl_find(vc->store, 3303, 5, &acl), LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(dm_ops_delete(vc, 102, &LWM2M_PATH_INST(3303, 5)),
	    LWM2M_ERR_NOT_FOUND);
}
END_TEST

START_TEST(read_formats)
{
	add_server(0, 101);
	ck_assert_int_eq(rd(101, LWM2M_PATH_RES(3, 0, 0), LWM2M_FMT_TLV), 0);
	ck_assert_int_eq(fmt, LWM2M_FMT_TLV);
	ck_assert_int_eq(rd(101, LWM2M_PATH_RES(3, 0, 0), LWM2M_FMT_SENML_JSON), 0);
	ck_assert_int_eq(fmt, LWM2M_FMT_SENML_JSON);
	ck_assert_int_eq(rd(101, LWM2M_PATH_INST(3, 0), LWM2M_FMT_NONE), 0);
	ck_assert_int_eq(fmt, LWM2M_FMT_TLV);
	ck_assert_int_eq(rd(101, LWM2M_PATH_RES(3, 0, 11), LWM2M_FMT_NONE), 0);
	ck_assert_int_eq(fmt, LWM2M_FMT_TLV);
	ck_assert_int_eq(rd(101, LWM2M_PATH_RI(3, 0, 11, 0), LWM2M_FMT_NONE), 0);
	ck_assert_int_eq(fmt, LWM2M_FMT_TEXT);
	ck_assert_int_eq(rd(101, LWM2M_PATH_INST(3, 0), LWM2M_FMT_TEXT),
	    LWM2M_ERR_NOT_ACCEPTABLE);
	ck_assert_int_eq(rd(101, LWM2M_PATH_RES(3, 0, 0), LWM2M_FMT_CBOR),
	    LWM2M_ERR_NOT_ACCEPTABLE);
	ck_assert_int_eq(rd(101, LWM2M_PATH_RES(3, 0, 0), LWM2M_FMT_OPAQUE),
	    LWM2M_ERR_NOT_ACCEPTABLE);
	/* Codes: executable 4.05, absent 4.04, unsupported object 4.04. */
	ck_assert_int_eq(rd(101, LWM2M_PATH_RES(3, 0, 4), LWM2M_FMT_NONE),
	    LWM2M_ERR_METHOD_NOT_ALLOWED);
	ck_assert_int_eq(rd(101, LWM2M_PATH_RES(3, 0, 9), LWM2M_FMT_NONE),
	    LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(rd(101, LWM2M_PATH_INST(3, 5), LWM2M_FMT_NONE),
	    LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(rd(101, LWM2M_PATH_OBJ(9999), LWM2M_FMT_NONE),
	    LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(rd(101, LWM2M_PATH_ROOT, LWM2M_FMT_NONE),
	    LWM2M_ERR_METHOD_NOT_ALLOWED);
}
END_TEST

START_TEST(write_codes)
{
	struct codec_entry	 e[2];
	uint8_t			 tlv[64];
	size_t			 tlvlen;
	int64_t			 v;

	add_server(0, 101);
	ck_assert_int_eq(wr_text(101, LWM2M_PATH_RES(3, 0, 13), "1700000000"), 0);
	ck_assert_int_eq(dm_get_int(vc->store, &LWM2M_PATH_RES(3, 0, 13), &v), 0);
	ck_assert_int_eq(v, 1700000000);
	ck_assert_int_eq(wr_text(101, LWM2M_PATH_RES(3, 0, 0), "x"),
	    LWM2M_ERR_METHOD_NOT_ALLOWED);
	ck_assert_int_eq(wr_text(101, LWM2M_PATH_RES(3, 0, 13), "abc"),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_ops_write(vc, 101, &LWM2M_PATH_RES(3, 0, 13), true,
	    LWM2M_FMT_CBOR, (const uint8_t *)"\x01", 1), LWM2M_ERR_UNSUPPORTED_FORMAT);
	ck_assert_int_eq(wr_text(101, LWM2M_PATH_OBJ(3), "1"),
	    LWM2M_ERR_METHOD_NOT_ALLOWED);
	ck_assert_int_eq(wr_text(101, LWM2M_PATH_RES(3, 0, 77), "1"),
	    LWM2M_ERR_NOT_FOUND);
	/* Partial update of the Server instance. */
	e[0].path = LWM2M_PATH_RES(1, 0, 1);
	e[0].value.type = LWM2M_TYPE_INTEGER;
	e[0].value.v.i = 77;
	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, &LWM2M_PATH_INST(1, 0), e, 1, tlv,
	    sizeof tlv, &tlvlen), 0);
	ck_assert_int_eq(dm_ops_write(vc, 101, &LWM2M_PATH_INST(1, 0), false,
	    LWM2M_FMT_TLV, tlv, tlvlen), 0);
	ck_assert_int_eq(dm_get_int(vc->store, &LWM2M_PATH_RES(1, 0, 1), &v), 0);
	ck_assert_int_eq(v, 77);
	/* All or nothing: a read-only resource in the payload refuses the whole. */
	e[0].value.v.i = 88;
	e[1].path = LWM2M_PATH_RES(1, 0, 0);
	e[1].value.type = LWM2M_TYPE_INTEGER;
	e[1].value.v.i = 5;
	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, &LWM2M_PATH_INST(1, 0), e, 1, tlv,
	    sizeof tlv, &tlvlen), 0);
	e[0] = e[1];
	e[1].path = LWM2M_PATH_RES(1, 0, 1);
	e[1].value.v.i = 88;
	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, &LWM2M_PATH_INST(1, 0), e, 2, tlv,
	    sizeof tlv, &tlvlen), 0);
	ck_assert_int_eq(dm_ops_write(vc, 101, &LWM2M_PATH_INST(1, 0), false,
	    LWM2M_FMT_TLV, tlv, tlvlen), LWM2M_ERR_METHOD_NOT_ALLOWED);
	ck_assert_int_eq(dm_get_int(vc->store, &LWM2M_PATH_RES(1, 0, 1), &v), 0);
	ck_assert_int_eq(v, 77);
	/* Execute codes. */
	ck_assert_int_eq(dm_ops_execute(vc, 101, &LWM2M_PATH_RES(3, 0, 4), NULL, 0),
	    LWM2M_ERR_METHOD_NOT_ALLOWED);
	ck_assert_int_eq(dm_ops_execute(vc, 101, &LWM2M_PATH_RES(3, 0, 0), NULL, 0),
	    LWM2M_ERR_METHOD_NOT_ALLOWED);
	ck_assert_int_eq(dm_ops_execute(vc, 101, &LWM2M_PATH_RES(1, 0, 8), NULL, 0), 0);
	ck_assert_int_eq(dm_ops_execute(vc, 101, &LWM2M_PATH_RES(1, 0, 9), NULL, 0),
	    LWM2M_ERR_METHOD_NOT_ALLOWED);
	ck_assert_int_eq(dm_ops_execute(vc, 101, &LWM2M_PATH_RES(0, 0, 0), NULL, 0),
	    LWM2M_ERR_UNAUTHORIZED);
}
END_TEST

START_TEST(discover_links)
{
	struct lwm2m_value	v = { .type = LWM2M_TYPE_FLOAT, .v.f = 21.5 };
	const char		*want;

	add_server(0, 101);
	ck_assert_int_eq(attrs(101, LWM2M_PATH_INST(3, 0), "pmin=10", NULL, NULL), 0);
	ck_assert_int_eq(dm_ops_discover(vc, 101, &LWM2M_PATH_INST(3, 0), buf,
	    sizeof buf, &len), 0);
	want = "</3/0>;pmin=10,</3/0/0>,</3/0/11>;dim=1,</3/0/16>";
	ck_assert_uint_eq(len, strlen(want));
	ck_assert(memcmp(buf, want, len) == 0);
	ck_assert_int_eq(attrs(101, LWM2M_PATH_OBJ(3), "pmax=60", NULL, NULL), 0);
	ck_assert_int_eq(dm_ops_discover(vc, 101, &LWM2M_PATH_OBJ(3), buf, sizeof buf,
	    &len), 0);
	want = "</3>;pmax=60,</3/0>;pmin=10,</3/0/0>,</3/0/11>;dim=1,</3/0/16>";
	ck_assert_uint_eq(len, strlen(want));
	ck_assert(memcmp(buf, want, len) == 0);
	ck_assert_int_eq(vclient_reading(vc, &LWM2M_PATH_RES(3303, 0, 5700), &v), 0);
	ck_assert_int_eq(attrs(101, LWM2M_PATH_RES(3303, 0, 5700), "gt=25.5", "st=0.5",
	    NULL), 0);
	ck_assert_int_eq(dm_ops_discover(vc, 101, &LWM2M_PATH_RES(3303, 0, 5700), buf,
	    sizeof buf, &len), 0);
	want = "</3303/0/5700>;gt=25.5;st=0.5";
	ck_assert_uint_eq(len, strlen(want));
	ck_assert(memcmp(buf, want, len) == 0);
	/* Unset one attribute by its bare name. */
	ck_assert_int_eq(attrs(101, LWM2M_PATH_RES(3303, 0, 5700), "st", NULL, NULL), 0);
	ck_assert_int_eq(dm_ops_discover(vc, 101, &LWM2M_PATH_RES(3303, 0, 5700), buf,
	    sizeof buf, &len), 0);
	ck_assert_uint_eq(len, strlen("</3303/0/5700>;gt=25.5"));
}
END_TEST

START_TEST(write_attrs_validation)
{
	struct lwm2m_value	v = { .type = LWM2M_TYPE_FLOAT, .v.f = 21.5 };

	add_server(0, 101);
	ck_assert_int_eq(vclient_reading(vc, &LWM2M_PATH_RES(3303, 0, 5700), &v), 0);
	ck_assert_int_eq(attrs(101, LWM2M_PATH_INST(3, 0), "gt=5", NULL, NULL),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(attrs(101, LWM2M_PATH_INST(3, 0), "pmin=10", "pmax=5", NULL),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(attrs(101, LWM2M_PATH_INST(3, 0), "foo=1", NULL, NULL),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(attrs(101, LWM2M_PATH_INST(3, 0), "pmin=-1", NULL, NULL),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(attrs(101, LWM2M_PATH_RES(3303, 0, 5700), "lt=30", "gt=20",
	    NULL), LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(attrs(101, LWM2M_PATH_RES(3303, 0, 5700), "lt=10", "gt=20",
	    "st=6"), LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(attrs(101, LWM2M_PATH_RES(3303, 0, 5700), "lt=10", "gt=20",
	    "st=4"), 0);
	ck_assert_int_eq(attrs(101, LWM2M_PATH_INST(0, 0), "pmin=1", NULL, NULL),
	    LWM2M_ERR_UNAUTHORIZED);
	ck_assert_int_eq(attrs(101, LWM2M_PATH_RES(3303, 0, 5701), "pmin=1", NULL, NULL),
	    LWM2M_ERR_NOT_FOUND);
}
END_TEST

/* ------------------------------------------------------------------ sensor-backed */

static uint64_t	last_cookie;
static int	write_answer;
static int	nwrites;

static int
fake_write(void *arg, uint64_t cookie, const struct lwm2m_path *p,
    const struct lwm2m_value *v)
{
	(void)arg;
	(void)p;
	(void)v;
	last_cookie = cookie;
	nwrites++;
	return write_answer;
}

static int	nexecs;

static int
fake_execute(void *arg, uint64_t cookie, const struct lwm2m_path *p,
    const uint8_t *args, size_t alen)
{
	(void)arg;
	(void)p;
	(void)args;
	(void)alen;
	last_cookie = cookie;
	nexecs++;
	return 0;
}

static const struct vclient_sensor_ops fake_ops = {
	.write = fake_write,
	.execute = fake_execute,
};

/* A sensor-backed Write: deferred response, the sensor's result, 5.04 on silence. */
START_TEST(backed_write_deferred)
{
	struct vclient_params	 p;
	struct vclient_desc	 d;
	struct vt_server	 srv;
	struct vt_msg		 m;
	struct vt_send		 s;
	struct vclient		*bvc;
	uint8_t			 tok[2] = { 3, 4 };
	const uint8_t		*b;
	size_t			 blen;
	char			*cause = NULL;
	uint16_t		 port;

	teardown();
	base = event_base_new();
	ck_assert_int_eq(vt_server_open(&srv), 0);
	cfg = vt_cfg(1, &srv.port, 60);
	vt_params(&p);
	ctx = vclient_ctx_create(base, cfg, &p, &cause);
	ck_assert_ptr_nonnull(ctx);
	memset(&d, 0, sizeof d);
	d.endpoint = "ep-backed";
	d.objects = objs;
	d.nobjects = 1;
	d.ops = &fake_ops;
	bvc = vclient_create(ctx, &d, &cause);
	ck_assert_ptr_nonnull(bvc);
	port = vclient_port(bvc);
	ck_assert(vt_accept_register(&srv, base, "x", &m));

	write_answer = VCLIENT_PENDING;
	vt_send_init(&s);
	s.code = 3;
	s.path = "3303/0/5750";
	s.token = tok;
	s.tkl = 2;
	s.format = 0;
	s.payload = "porch";
	s.len = 5;
	vt_send(&srv, port, &s);
	ck_assert(vt_recv(&srv, base, 1000, &m, false));
	ck_assert_int_eq(m.type, 2);		/* empty ACK: deferred */
	ck_assert_int_eq(m.code, 0);
	vclient_backend_done(bvc, last_cookie, 0);
	ck_assert(vt_recv(&srv, base, 1000, &m, true));
	ck_assert_int_eq(m.code, 68);		/* separate 2.04 */
	vt_reply(&srv, &m, 0, NULL);
	ck_assert_int_eq(dm_get_bytes(bvc->store, &LWM2M_PATH_RES(3303, 0, 5750), &b,
	    &blen), 0);
	ck_assert_uint_eq(blen, 5);

	/* The sensor refuses at once: its code. */
	write_answer = LWM2M_ERR_BAD_REQUEST;
	tok[0]++;
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 128);

	/* The sensor never answers: 5.04 after the backend timeout, never a hang. */
	write_answer = VCLIENT_PENDING;
	tok[0]++;
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 164);
	/* A late answer is ignored. */
	vclient_backend_done(bvc, last_cookie, 0);

	/* The server's account goes while the sensor works: its answer reaches nobody
	 * (no freed exchange touched: ASan would say). */
	write_answer = VCLIENT_PENDING;
	tok[0]++;
	vt_send(&srv, port, &s);
	ck_assert(vt_recv(&srv, base, 1000, &m, false));
	ck_assert_int_eq(m.type, 2);		/* empty ACK: deferred */
	vclient_peer_remove(bvc, 101);
	ck_assert_ptr_null(vclient_peer_find(bvc, 101));
	vclient_backend_done(bvc, last_cookie, 0);
	ck_assert(!vt_recv(&srv, base, 200, &m, true));
	vt_server_close(&srv);
}
END_TEST

/* A Write acknowledged to a server is in the state file; a refused one changes nothing
 * there; a restart (new vclient, same endpoint) finds the written value. */
START_TEST(write_persisted)
{
	struct vclient_params	 p;
	struct vclient_desc	 d;
	char			 dir[] = "/tmp/check_dm_ops.XXXXXX", cmd[64];
	char			*cause = NULL;
	int64_t			 v;

	teardown();
	ck_assert_ptr_nonnull(mkdtemp(dir));
	base = event_base_new();
	cfg = vt_cfg(0, NULL, 60);
	free(cfg->gateway.state_dir);
	cfg->gateway.state_dir = xstrdup(dir);
	vt_params(&p);
	ctx = vclient_ctx_create(base, cfg, &p, &cause);
	ck_assert_ptr_nonnull(ctx);
	memset(&d, 0, sizeof d);
	d.endpoint = "ep-persist";
	d.objects = objs;
	d.nobjects = 1;
	vc = vclient_create(ctx, &d, &cause);
	ck_assert_ptr_nonnull(vc);
	add_server(0, 101);
	ck_assert_int_eq(wr_text(101, LWM2M_PATH_RES(1, 0, 1), "4242"), 0);
	ck_assert_int_eq(wr_text(101, LWM2M_PATH_RES(1, 0, 1), "x"),
	    LWM2M_ERR_BAD_REQUEST);
	vclient_ctx_free(ctx);
	event_base_free(base);

	base = event_base_new();
	ctx = vclient_ctx_create(base, cfg, &p, &cause);
	ck_assert_ptr_nonnull(ctx);
	vc = vclient_create(ctx, &d, &cause);
	ck_assert_ptr_nonnull(vc);
	ck_assert_int_eq(dm_get_int(vc->store, &LWM2M_PATH_RES(1, 0, 1), &v), 0);
	ck_assert_int_eq(v, 4242);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ------------------------------------------------------------------ stale sensor */

static void
reading(struct vclient *v, double f)
{
	struct lwm2m_value	val = { .type = LWM2M_TYPE_FLOAT };

	val.v.f = f;
	ck_assert_int_eq(vclient_reading(v, &LWM2M_PATH_RES(3303, 0, 5700), &val), 0);
}

/* Issue 8: a stale sensor's objects are 5.03 to Read at every level, /3/0 is not;
 * existence and rights still come first; a reading's value is readable again once the
 * sensor is fresh. */
START_TEST(stale_read_503)
{
	add_server(0, 101);
	reading(vc, 21.5);
	ck_assert_int_eq(rd(101, LWM2M_PATH_RES(3303, 0, 5700), LWM2M_FMT_NONE), 0);
	vclient_set_stale(vc, true);
	ck_assert(vclient_stale(vc));
	ck_assert_int_eq(rd(101, LWM2M_PATH_RES(3303, 0, 5700), LWM2M_FMT_NONE),
	    LWM2M_ERR_SERVICE_UNAVAILABLE);
	ck_assert_int_eq(rd(101, LWM2M_PATH_INST(3303, 0), LWM2M_FMT_NONE),
	    LWM2M_ERR_SERVICE_UNAVAILABLE);
	ck_assert_int_eq(rd(101, LWM2M_PATH_OBJ(3303), LWM2M_FMT_SENML_JSON),
	    LWM2M_ERR_SERVICE_UNAVAILABLE);
	ck_assert_int_eq(rd(101, LWM2M_PATH_INST(3303, 9), LWM2M_FMT_NONE),
	    LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(rd(102, LWM2M_PATH_RES(3303, 0, 5700), LWM2M_FMT_NONE),
	    LWM2M_ERR_UNAUTHORIZED);
	/* The gateway's own view of the sensor stays readable. */
	ck_assert_int_eq(rd(101, LWM2M_PATH_RES(3, 0, 0), LWM2M_FMT_NONE), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert(memcmp(buf, "Acme", 4) == 0);
	ck_assert_int_eq(rd(101, LWM2M_PATH_INST(3, 0), LWM2M_FMT_NONE), 0);
	ck_assert_int_eq(rd(101, LWM2M_PATH_INST(1, 0), LWM2M_FMT_NONE), 0);
	/* Structure is not a value: Discover still answers. */
	ck_assert_int_eq(dm_ops_discover(vc, 101, &LWM2M_PATH_INST(3303, 0), buf,
	    sizeof buf, &len), 0);
	/* Fresh again (the device manager marks it so, then stores the reading). */
	vclient_set_stale(vc, false);
	reading(vc, 22);
	ck_assert_int_eq(rd(101, LWM2M_PATH_RES(3303, 0, 5700), LWM2M_FMT_NONE), 0);
	ck_assert_uint_eq(len, 2);
	ck_assert(memcmp(buf, "22", 2) == 0);
	ck_assert_int_eq(rd(101, LWM2M_PATH_OBJ(3303), LWM2M_FMT_NONE), 0);
}
END_TEST

/* Issue 8 over CoAP: Read and Observe of a stale sensor's resource are 5.03 with a
 * diagnostic payload and establish nothing; Write and Execute are 5.03 without reaching
 * the sensor (not a 5.04 after the backend timeout); other errors keep their codes;
 * Write-Attributes and /3/0 work; fresh, everything is back. */
START_TEST(stale_on_the_wire)
{
	struct vclient_params	 p;
	struct vclient_desc	 d;
	struct vt_server	 srv;
	struct vt_msg		 m;
	struct vt_send		 s;
	struct vclient		*svc;
	uint8_t			 tok[2] = { 7, 1 };
	char			*cause = NULL;
	uint16_t		 port;

	teardown();
	base = event_base_new();
	ck_assert_int_eq(vt_server_open(&srv), 0);
	cfg = vt_cfg(1, &srv.port, 60);
	vt_params(&p);
	ctx = vclient_ctx_create(base, cfg, &p, &cause);
	ck_assert_ptr_nonnull(ctx);
	memset(&d, 0, sizeof d);
	d.endpoint = "ep-stale";
	d.objects = objs;
	d.nobjects = 1;
	d.manufacturer = "Acme";
	d.ops = &fake_ops;
	svc = vclient_create(ctx, &d, &cause);
	ck_assert_ptr_nonnull(svc);
	port = vclient_port(svc);
	ck_assert(vt_accept_register(&srv, base, "s", &m));
	reading(svc, 21.5);
	vclient_set_stale(svc, true);
	nexecs = 0;
	nwrites = 0;

	vt_send_init(&s);
	s.code = 1;
	s.path = "3303/0/5700";
	s.token = tok;
	s.tkl = 2;
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 163);			/* 5.03 */
	ck_assert_int_eq(m.format, -1);
	ck_assert_uint_eq(m.len, strlen("sensor stale for 0 s"));
	ck_assert(memcmp(m.payload, "sensor stale for 0 s", m.len) == 0);
	/* Observe: the same answer, no Observe option, no observation; one made before
	 * with that token ends (the server forgot it on the error). */
	tok[1]++;
	s.observe = 0;
	vclient_set_stale(svc, false);
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 69);
	ck_assert(!LIST_EMPTY(&svc->observations));
	vclient_set_stale(svc, true);
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 163);
	ck_assert_int_eq((int)m.observe, -1);
	ck_assert(LIST_EMPTY(&svc->observations));
	tok[1]++;
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 163);
	ck_assert(LIST_EMPTY(&svc->observations));
	s.observe = -1;
	/* /3/0 is the gateway's knowledge, not a reading. */
	tok[1]++;
	s.path = "3/0/0";
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 69);
	ck_assert(m.len == 4 && memcmp(m.payload, "Acme", 4) == 0);
	/* Write-Attributes is not a value. */
	tok[1]++;
	s.code = 3;
	s.path = "3303/0/5700";
	s.query = "pmin=1";
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 68);
	s.query = NULL;
	/* Write: 5.03 at once, the sensor never asked. */
	write_answer = 0;
	tok[1]++;
	s.path = "3303/0/5750";
	s.format = 0;
	s.payload = "porch";
	s.len = 5;
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 163);
	ck_assert(m.len > 12 && memcmp(m.payload, "sensor stale", 12) == 0);
	ck_assert_int_eq(nwrites, 0);
	/* A read-only resource is still 4.05, an unknown instance 4.04. */
	tok[1]++;
	s.path = "3303/0/5700";
	s.payload = "1";
	s.len = 1;
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 133);
	tok[1]++;
	s.path = "3303/7/5750";
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 132);
	/* Execute. */
	tok[1]++;
	s.code = 2;
	s.path = "3303/0/5605";
	s.format = -1;
	s.payload = NULL;
	s.len = 0;
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 163);
	ck_assert_int_eq(nexecs, 0);

	/* Fresh: Read, Write and Execute reach the value and the sensor again. */
	vclient_set_stale(svc, false);
	reading(svc, 23);
	tok[1]++;
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 68);
	ck_assert_int_eq(nexecs, 1);
	tok[1]++;
	s.code = 3;
	s.path = "3303/0/5750";
	s.format = 0;
	s.payload = "porch";
	s.len = 5;
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 68);
	ck_assert_int_eq(nwrites, 1);
	tok[1]++;
	s.code = 1;
	s.path = "3303/0/5700";
	s.format = -1;
	s.payload = NULL;
	s.len = 0;
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 69);
	ck_assert(m.len == 2 && memcmp(m.payload, "23", 2) == 0);
	vt_server_close(&srv);
}
END_TEST

/*
 * Issue 6: a TLV Create carrying bare Resource TLVs (no Object Instance TLV) leaves the
 * Object Instance ID to the client (what Leshan sends when the server names none): the
 * lowest free one is taken. An Object Instance TLV keeps its ID.
 */
START_TEST(create_without_instance_id)
{
	struct codec_entry	e;
	uint8_t			tlv[64];
	size_t			tlvlen;
	uint16_t		iid = 0;

	add_server(0, 101);
	e.path = LWM2M_PATH_RES(3303, 0, 5750);
	e.value.type = LWM2M_TYPE_STRING;
	e.value.v.bytes.ptr = (const uint8_t *)"attic";
	e.value.v.bytes.len = 5;
	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, &LWM2M_PATH_INST(3303, 0), &e, 1,
	    tlv, sizeof tlv, &tlvlen), 0);
	ck_assert_uint_eq(tlv[0] >> 6, 3);	/* a Resource TLV, nothing around it */
	ck_assert_int_eq(dm_ops_create(vc, 101, &LWM2M_PATH_OBJ(3303), LWM2M_FMT_TLV,
	    tlv, tlvlen, &iid), 0);
	ck_assert_uint_eq(iid, 1);
	ck_assert_int_eq(rd(101, LWM2M_PATH_RES(3303, 1, 5750), LWM2M_FMT_TEXT), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert(memcmp(buf, "attic", 5) == 0);
	ck_assert_int_eq(dm_ops_create(vc, 101, &LWM2M_PATH_OBJ(3303), LWM2M_FMT_TLV,
	    tlv, tlvlen, &iid), 0);
	ck_assert_uint_eq(iid, 2);
	/* With an Object Instance TLV, its ID. */
	e.path = LWM2M_PATH_RES(3303, 7, 5750);
	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, &LWM2M_PATH_OBJ(3303), &e, 1, tlv,
	    sizeof tlv, &tlvlen), 0);
	ck_assert_uint_eq(tlv[0] >> 6, 0);
	ck_assert_int_eq(dm_ops_create(vc, 101, &LWM2M_PATH_OBJ(3303), LWM2M_FMT_TLV,
	    tlv, tlvlen, &iid), 0);
	ck_assert_uint_eq(iid, 7);
	ck_assert_int_eq(rd(101, LWM2M_PATH_INST(3303, 1), LWM2M_FMT_NONE), 0);
	ck_assert_int_eq(rd(101, LWM2M_PATH_INST(3303, 2), LWM2M_FMT_NONE), 0);
	ck_assert_int_eq(rd(101, LWM2M_PATH_INST(3303, 3), LWM2M_FMT_NONE),
	    LWM2M_ERR_NOT_FOUND);
}
END_TEST

static Suite *
dm_ops_suite(void)
{
	Suite	*s = suite_create("dm_ops");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ac3_single_server);
	tcase_add_test(tc, ac1_ac2_acl_entries);
	tcase_add_test(tc, ac2_create_owner);
	tcase_add_test(tc, create_without_instance_id);
	tcase_add_test(tc, read_formats);
	tcase_add_test(tc, write_codes);
	tcase_add_test(tc, discover_links);
	tcase_add_test(tc, write_attrs_validation);
	tcase_add_test(tc, backed_write_deferred);
	tcase_add_test(tc, write_persisted);
	tcase_add_test(tc, stale_read_503);
	tcase_add_test(tc, stale_on_the_wire);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 nfailed;

	log_open(LOG_TARGET_STDERR, getenv("VT_DEBUG") != NULL ? LOG_DEBUG : LOG_ERR,
	    "check_dm_ops");
	sr = srunner_create(dm_ops_suite());
	srunner_run_all(sr, CK_NORMAL);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
