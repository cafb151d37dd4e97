/* Shared helpers of check_bsops and check_unbootstrap (bsops_test.h). */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bsops_test.h"
#include "cio.h"

struct dm_registry	*reg;
struct dm_store		*st;
struct bsops_ctx	 ctx;
uint16_t		 removed[16];
size_t			 nremoved;
struct lwm2m_path	 deleted[128];
size_t			 ndeleted;
uint8_t			 out[8192];
size_t			 outlen;
int			 outfmt;

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

bool
was_deleted(const struct lwm2m_path *p)
{
	size_t	i;

	for (i = 0; i < ndeleted; i++)
		if (dm_path_equal(&deleted[i], p))
			return (true);
	return (false);
}

void
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

void
setup(void)
{
	reg = dm_registry_create();
	new_store(reg);
}

void
teardown(void)
{
	dm_store_free(st);
	dm_registry_free(reg);
}

/* Security instance iid: Bootstrap-Server account when ssid < 0. */
void
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

void
add_srv(uint16_t iid, int ssid)
{
	ck_assert_int_eq(dm_instance_create(st, 1, iid, NULL), 0);
	ck_assert_int_eq(dm_set_int(st, P(1, iid, 0), ssid, NULL), 0);
	ck_assert_int_eq(dm_set_int(st, P(1, iid, 1), 300, NULL), 0);
	ck_assert_int_eq(dm_set_bool(st, P(1, iid, 6), true, NULL), 0);
	ck_assert_int_eq(dm_set_string(st, P(1, iid, 7), "U", NULL), 0);
}

/* ACL instance for /oid/iid with owner and (ssid, rights) pairs ending with -1. */
uint16_t
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

int64_t
geti(const struct lwm2m_path *p)
{
	int64_t	v;

	ck_assert_int_eq(dm_get_int(st, p, &v), 0);
	return (v);
}

/* One request through bsops_handle; returns the response code. */
uint8_t
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


uint8_t
discover(const char *path)
{
	return (req(CIO_GET, path, LWM2M_FMT_NONE, LWM2M_FMT_LINK, NULL, 0, NULL));
}

void
expect_out(const char *want)
{
	ck_assert_msg(outlen == strlen(want) && memcmp(out, want, outlen) == 0,
	    "got \"%.*s\" want \"%s\"", (int)outlen, out, want);
}

/* Encode entries as TLV written to base into buf. */
size_t
tlv(const struct lwm2m_path *base, const struct codec_entry *e, size_t n, uint8_t *buf,
    size_t size)
{
	size_t	len;

	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, base, e, n, buf, size, &len), 0);
	return (len);
}


/* A Server instance payload for /1/iid (ssid, lifetime). */
size_t
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
size_t
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

void
example_config(void)
{
	add_sec(0, 101, "coaps://s1.example:5684", DM_SECMODE_PSK);
	add_sec(1, -1, "coaps://bs.example:5684", DM_SECMODE_PSK);
	add_srv(0, 101);
	ck_assert_int_eq(dm_instance_create(st, 3303, 0, NULL), 0);
}

bool
spare_3303(void *arg, uint16_t oid, uint16_t iid)
{
	(void)arg;
	(void)iid;
	return (oid == 3303);
}

uint8_t
finish(void)
{
	return (req(CIO_POST, "/bs", -1, -1, NULL, 0, NULL));
}

void
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
