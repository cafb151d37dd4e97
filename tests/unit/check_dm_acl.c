/*
 * Unit tests of the data model's access control (AC-1..3), unbootstrap primitives
 * (UB-1..3), bootstrap helpers and the BS-5 consistency check (with SV-4).
 */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm.h"

static struct dm_registry	*reg;
static struct dm_store		*st;

#define P(...)		(&(struct lwm2m_path){ { __VA_ARGS__ }, \
	sizeof ((uint16_t[]){ __VA_ARGS__ }) / sizeof (uint16_t) })

static void
setup(void)
{
	reg = dm_registry_create();
	st = dm_store_create(reg);
	ck_assert_int_eq(dm_object_add(st, 0), 0);
	ck_assert_int_eq(dm_object_add(st, 1), 0);
	ck_assert_int_eq(dm_object_add(st, 2), 0);
	ck_assert_int_eq(dm_object_add(st, 3), 0);
	ck_assert_int_eq(dm_object_add(st, 3303), 0);
	ck_assert_int_eq(dm_instance_create(st, 3, 0, NULL), 0);
	ck_assert_int_eq(dm_instance_create(st, 3303, 0, NULL), 0);
	ck_assert_int_eq(dm_instance_create(st, 3303, 1, NULL), 0);
}

static void
teardown(void)
{
	dm_store_free(st);
	dm_registry_free(reg);
}

/* A Security instance with every mandatory resource; mode NoSec unless changed. */
static uint16_t
add_security(bool bs, int ssid, int mode)
{
	uint16_t	x;

	ck_assert_int_eq(dm_instance_create(st, 0, LWM2M_ID_NONE, &x), 0);
	ck_assert_int_eq(dm_set_string(st, P(0, x, 0), bs ? "coaps://bs:5684" :
	    "coap://127.0.0.1:5683", NULL), 0);
	ck_assert_int_eq(dm_set_bool(st, P(0, x, 1), bs, NULL), 0);
	ck_assert_int_eq(dm_set_int(st, P(0, x, 2), mode, NULL), 0);
	if (mode != DM_SECMODE_NOSEC) {
		ck_assert_int_eq(dm_set_opaque(st, P(0, x, 3), "id", 2, NULL), 0);
		ck_assert_int_eq(dm_set_opaque(st, P(0, x, 5), "key", 3, NULL), 0);
	}
	if (ssid >= 0)
		ck_assert_int_eq(dm_set_int(st, P(0, x, 10), ssid, NULL), 0);
	return (x);
}

static uint16_t
add_server_only(int ssid)
{
	uint16_t	x;

	ck_assert_int_eq(dm_instance_create(st, 1, LWM2M_ID_NONE, &x), 0);
	ck_assert_int_eq(dm_set_int(st, P(1, x, 0), ssid, NULL), 0);
	ck_assert_int_eq(dm_set_int(st, P(1, x, 1), 300, NULL), 0);
	ck_assert_int_eq(dm_set_bool(st, P(1, x, 6), true, NULL), 0);
	ck_assert_int_eq(dm_set_string(st, P(1, x, 7), "U", NULL), 0);
	return (x);
}

/* A whole server account: Security (NoSec) and Server with the same SSID. */
static uint16_t
add_server(int ssid)
{
	add_security(false, ssid, DM_SECMODE_NOSEC);
	return (add_server_only(ssid));
}

/* ACL instance for /oid/iid with owner and (ssid, rights) pairs ending at -1. */
static uint16_t
add_acl(uint16_t oid, uint16_t iid, uint16_t owner, ...)
{
	va_list		ap;
	uint16_t	x;
	int		ssid, rights;

	ck_assert_int_eq(dm_acl_instance_create(st, oid, iid, owner, &x), 0);
	va_start(ap, owner);
	while ((ssid = va_arg(ap, int)) >= 0) {
		rights = va_arg(ap, int);
		ck_assert_int_eq(dm_acl_entry_set(st, x, (uint16_t)ssid, rights), 0);
	}
	va_end(ap);
	return (x);
}

static int64_t
owner_of(uint16_t x)
{
	int64_t	o;

	ck_assert_int_eq(dm_get_int(st, P(2, x, 3), &o), 0);
	return (o);
}

/* ------------------------------------------------------------ AC */

/* AC-3: one server, no ACL instance: full access; Security never. */
START_TEST(ac3_single_server_full_access)
{
	add_security(true, -1, DM_SECMODE_PSK);
	add_server(101);
	ck_assert_uint_eq(dm_server_count(st), 1);
	ck_assert_uint_eq(dm_acl_rights(st, 101, 3, 0), DM_ACL_ALL);
	ck_assert_uint_eq(dm_acl_rights(st, 101, 3303, 1), DM_ACL_ALL);
	ck_assert_uint_eq(dm_acl_rights(st, 101, 1, 0), DM_ACL_ALL);
	ck_assert_uint_eq(dm_acl_rights(st, 101, 0, 0), 0);
	ck_assert_uint_eq(dm_acl_rights(st, 101, 0, 1), 0);
	/* A server the store does not know gets nothing. */
	ck_assert_uint_eq(dm_acl_rights(st, 102, 3, 0), 0);
	ck_assert_uint_eq(dm_acl_rights(st, 0, 3, 0), 0);
	ck_assert_uint_eq(dm_acl_rights(st, 65535, 3, 0), 0);
	ck_assert(dm_acl_can_create(st, 101, 3303));
	ck_assert(!dm_acl_can_create(st, 101, 0));
	ck_assert(!dm_acl_can_create(st, 101, 2));
	ck_assert(!dm_acl_can_create(st, 102, 3303));
}
END_TEST

/* AC-3: the Security object is unreachable, whatever the ACLs. */
START_TEST(ac3_security_never)
{
	uint16_t	x;

	x = add_security(false, 101, DM_SECMODE_NOSEC);
	add_server_only(101);
	add_server(102);
	/* /2/x/0 is 1..65534: no ACL instance can even name the Security object. */
	ck_assert_int_eq(dm_acl_instance_create(st, 0, x, 101, NULL),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_uint_eq(dm_instance_count(st, 2), 0);
	ck_assert_uint_eq(dm_acl_rights(st, 101, 0, x), 0);
	ck_assert_uint_eq(dm_acl_rights(st, 102, 0, x), 0);
}
END_TEST

/* AC-3, several servers: no ACL instance means no access, but a server's own
 * Server instance stays R/W/E for it. */
START_TEST(ac3_multi_server_no_acl)
{
	uint16_t	s1, s2;

	s1 = add_server(101);
	s2 = add_server(102);
	ck_assert_uint_eq(dm_server_count(st), 2);
	ck_assert_uint_eq(dm_acl_rights(st, 101, 3, 0), 0);
	ck_assert_uint_eq(dm_acl_rights(st, 102, 3303, 0), 0);
	ck_assert_uint_eq(dm_acl_rights(st, 101, 1, s1),
	    DM_ACL_READ | DM_ACL_WRITE | DM_ACL_EXECUTE);
	ck_assert_uint_eq(dm_acl_rights(st, 101, 1, s2), 0);
	ck_assert_uint_eq(dm_acl_rights(st, 102, 1, s2),
	    DM_ACL_READ | DM_ACL_WRITE | DM_ACL_EXECUTE);
	ck_assert(!dm_acl_can_create(st, 101, 3303));
}
END_TEST

/* AC-1: own entry first, then the default entry (RIID 0), else nothing. */
START_TEST(ac1_entries_and_default)
{
	add_server(101);
	add_server(102);
	add_server(103);
	add_acl(3303, 0, 101, 102, DM_ACL_READ | DM_ACL_WRITE, 0, DM_ACL_READ, -1);
	add_acl(3303, 1, 101, 102, DM_ACL_EXECUTE, -1);
	ck_assert_uint_eq(dm_acl_rights(st, 102, 3303, 0),
	    DM_ACL_READ | DM_ACL_WRITE);
	ck_assert_uint_eq(dm_acl_rights(st, 103, 3303, 0), DM_ACL_READ);
	ck_assert_uint_eq(dm_acl_rights(st, 102, 3303, 1), DM_ACL_EXECUTE);
	ck_assert_uint_eq(dm_acl_rights(st, 103, 3303, 1), 0);
	/* An explicit 0 entry beats the default. */
	add_acl(3, 0, 101, 103, 0, 0, DM_ACL_ALL, -1);
	ck_assert_uint_eq(dm_acl_rights(st, 103, 3, 0), 0);
	ck_assert_uint_eq(dm_acl_rights(st, 102, 3, 0), DM_ACL_ALL);
}
END_TEST

/* AC-2: the owner has every right without an entry, even over a smaller entry. */
START_TEST(ac2_owner_all_rights)
{
	add_server(101);
	add_server(102);
	add_acl(3303, 0, 101, 101, DM_ACL_READ, -1);
	add_acl(3303, 1, 102, -1);
	ck_assert_uint_eq(dm_acl_rights(st, 101, 3303, 0), DM_ACL_ALL);
	ck_assert_uint_eq(dm_acl_rights(st, 102, 3303, 0), 0);
	ck_assert_uint_eq(dm_acl_rights(st, 102, 3303, 1), DM_ACL_ALL);
	ck_assert_uint_eq(dm_acl_owner(st, 3303, 1), 102);
	ck_assert_uint_eq(dm_acl_owner(st, 3, 0), LWM2M_ID_NONE);
}
END_TEST

/* AC-2: ACL instances: readable by every server, writable by their owner only. */
START_TEST(ac2_acl_instances)
{
	uint16_t	x;

	add_server(101);
	add_server(102);
	x = add_acl(3303, 0, 101, -1);
	ck_assert_uint_eq(dm_acl_rights(st, 101, 2, x), DM_ACL_READ | DM_ACL_WRITE);
	ck_assert_uint_eq(dm_acl_rights(st, 102, 2, x), DM_ACL_READ);
	x = add_acl(3303, 1, DM_SSID_BOOTSTRAP, 0, DM_ACL_ALL, -1);
	ck_assert_uint_eq(dm_acl_rights(st, 101, 2, x), DM_ACL_READ);
	/* Bootstrap-managed instance: servers reach it through the default. */
	ck_assert_uint_eq(dm_acl_rights(st, 101, 3303, 1), DM_ACL_ALL);
}
END_TEST

/* AC-2: Create comes from the object-level ACL instance (/2/x/1 = 65535). */
START_TEST(ac2_create_object_level)
{
	add_server(101);
	add_server(102);
	add_server(103);
	add_acl(3303, 65535, DM_SSID_BOOTSTRAP, 101, DM_ACL_CREATE,
	    102, DM_ACL_READ, -1);
	ck_assert(dm_acl_can_create(st, 101, 3303));
	ck_assert(!dm_acl_can_create(st, 102, 3303));
	ck_assert(!dm_acl_can_create(st, 103, 3303));
	ck_assert(!dm_acl_can_create(st, 101, 3304));
	add_acl(3304, 65535, 103, 0, DM_ACL_CREATE, -1);
	ck_assert(dm_acl_can_create(st, 101, 3304));
	ck_assert(dm_acl_can_create(st, 103, 3304));
	ck_assert(!dm_acl_can_create(st, 104, 3304));
}
END_TEST

/* AC-1 in the single-server case: an existing ACL instance is still applied. */
START_TEST(ac1_single_server_acl_applies)
{
	add_server(101);
	add_acl(3303, 0, DM_SSID_BOOTSTRAP, 101, DM_ACL_READ, -1);
	ck_assert_uint_eq(dm_acl_rights(st, 101, 3303, 0), DM_ACL_READ);
	ck_assert_uint_eq(dm_acl_rights(st, 101, 3303, 1), DM_ACL_ALL);
}
END_TEST

/* ACL helpers: find, create (no duplicate), entries set and removed, delete_for. */
START_TEST(acl_helpers)
{
	uint16_t	x, y;
	int64_t		v;

	ck_assert_int_eq(dm_acl_find(st, 3303, 0, &x), LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(dm_acl_instance_create(st, 3303, 0, 101, &x), 0);
	ck_assert_int_eq(dm_acl_instance_create(st, 3303, 0, 102, NULL),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_acl_find(st, 3303, 0, &y), 0);
	ck_assert_uint_eq(x, y);
	ck_assert_int_eq(dm_get_int(st, P(2, x, 0), &v), 0);
	ck_assert_int_eq(v, 3303);
	ck_assert_int_eq(dm_get_int(st, P(2, x, 1), &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(owner_of(x), 101);
	ck_assert(dm_exists(st, P(2, x, 2)));
	ck_assert_uint_eq(dm_resource_count(st, 2, x, 2), 0);

	ck_assert_int_eq(dm_acl_entry_set(st, x, 102, DM_ACL_READ), 0);
	ck_assert_int_eq(dm_acl_entry_set(st, x, 0, DM_ACL_READ), 0);
	ck_assert_uint_eq(dm_resource_count(st, 2, x, 2), 2);
	ck_assert_int_eq(dm_acl_entry_set(st, x, 102, -1), 0);
	ck_assert_int_eq(dm_acl_entry_set(st, x, 102, -1), 0);
	ck_assert_uint_eq(dm_resource_count(st, 2, x, 2), 1);
	ck_assert_int_eq(dm_acl_entry_set(st, x, 102, 32), LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_acl_entry_set(st, x, 65535, 1), LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_acl_entry_set(st, 99, 102, 1), LWM2M_ERR_NOT_FOUND);

	ck_assert_int_eq(dm_acl_instance_create(st, 3303, 1, 101, &y), 0);
	ck_assert_int_eq(dm_acl_delete_for(st, 3303, 0), 0);
	ck_assert(!dm_instance_exists(st, 2, x));
	ck_assert(dm_instance_exists(st, 2, y));
	ck_assert_int_eq(dm_acl_delete_for(st, 3303, 0), 0);

	dm_object_remove(st, 2);
	ck_assert_int_eq(dm_acl_instance_create(st, 3303, 0, 101, &x),
	    LWM2M_ERR_NOT_FOUND);
}
END_TEST

/* ------------------------------------------------------------ UB */

struct deleted {
	char	out[256];
};

static void
deleted_cb(const struct lwm2m_path *p, void *arg)
{
	struct deleted	*d = arg;
	char		 s[DM_PATH_MAXLEN];

	dm_path_format(p, s, sizeof s);
	strncat(d->out, s, sizeof d->out - strlen(d->out) - 2);
	strcat(d->out, ",");
}

/* UB-1: an instance only S can access goes, with its ACL instance. */
START_TEST(ub1_exclusive_deleted)
{
	struct deleted	d = { "" };
	uint16_t	a0, a1;
	char		want[64];

	add_server(101);
	add_server(102);
	a0 = add_acl(3303, 0, 101, 101, DM_ACL_ALL, -1);
	a1 = add_acl(3303, 1, 101, 101, DM_ACL_ALL, 102, DM_ACL_READ, -1);
	ck_assert_uint_eq(dm_unbootstrap_exclusive(st, 101, NULL, deleted_cb, &d), 2);
	snprintf(want, sizeof want, "/3303/0,/2/%u,", a0);
	ck_assert_str_eq(d.out, want);
	ck_assert(!dm_instance_exists(st, 3303, 0));
	ck_assert(!dm_instance_exists(st, 2, a0));
	ck_assert(dm_instance_exists(st, 3303, 1));
	ck_assert(dm_instance_exists(st, 2, a1));
}
END_TEST

static bool
spare_3303_0(uint16_t oid, uint16_t iid, void *arg)
{
	(void)arg;
	return (oid == 3303 && iid == 0);
}

/* UB-1 with BS-4: an instance that mirrors the device stays; only its ACL instance goes. */
START_TEST(ub1_spared_keeps_instance)
{
	struct deleted	d = { "" };
	uint16_t	a0, a1;
	char		want[64];

	add_server(101);
	add_server(102);
	a0 = add_acl(3303, 0, 101, 101, DM_ACL_ALL, -1);
	a1 = add_acl(3303, 1, 101, 101, DM_ACL_ALL, -1);
	ck_assert_uint_eq(dm_unbootstrap_exclusive(st, 101, spare_3303_0, deleted_cb,
	    &d), 3);
	snprintf(want, sizeof want, "/2/%u,/3303/1,/2/%u,", a0, a1);
	ck_assert_str_eq(d.out, want);
	ck_assert(dm_instance_exists(st, 3303, 0));
	ck_assert(!dm_instance_exists(st, 2, a0));
	ck_assert(!dm_instance_exists(st, 3303, 1));
	ck_assert(!dm_instance_exists(st, 2, a1));
}
END_TEST

/* UB-1: owner with no ACL entry at all, and other entries granting nothing:
 * still only S can access. */
START_TEST(ub1_exclusive_empty_and_zero_entries)
{
	add_server(101);
	add_server(102);
	add_acl(3303, 0, 101, -1);
	add_acl(3303, 1, 101, 102, 0, 0, 0, -1);
	ck_assert_uint_eq(dm_unbootstrap_exclusive(st, 101, NULL, NULL, NULL), 4);
	ck_assert(!dm_instance_exists(st, 3303, 0));
	ck_assert(!dm_instance_exists(st, 3303, 1));
	ck_assert_uint_eq(dm_instance_count(st, 2), 0);
}
END_TEST

/* UB-1: a default entry shares the instance; not owning it keeps it too. */
START_TEST(ub1_shared_kept)
{
	add_server(101);
	add_server(102);
	add_acl(3303, 0, 101, 101, DM_ACL_ALL, 0, DM_ACL_READ, -1);
	add_acl(3303, 1, 102, 101, DM_ACL_ALL, -1);
	add_acl(3, 0, DM_SSID_BOOTSTRAP, 101, DM_ACL_ALL, -1);
	ck_assert_uint_eq(dm_unbootstrap_exclusive(st, 101, NULL, NULL, NULL), 0);
	ck_assert_uint_eq(dm_instance_count(st, 3303), 2);
	ck_assert_uint_eq(dm_instance_count(st, 2), 3);
}
END_TEST

/* UB-1: an object-level ACL instance of S has no target; only it goes. */
START_TEST(ub1_object_level_acl)
{
	struct deleted	d = { "" };
	uint16_t	x;
	char		want[64];

	add_server(101);
	add_server(102);
	x = add_acl(3303, 65535, 101, 101, DM_ACL_CREATE, -1);
	ck_assert_uint_eq(dm_unbootstrap_exclusive(st, 101, NULL, deleted_cb, &d), 1);
	snprintf(want, sizeof want, "/2/%u,", x);
	ck_assert_str_eq(d.out, want);
	ck_assert_uint_eq(dm_instance_count(st, 3303), 2);
}
END_TEST

/* UB-2: S's entries vanish from every ACL instance, others stay. */
START_TEST(ub2_entries_removed)
{
	uint16_t	a, b, c;

	add_server(101);
	add_server(102);
	a = add_acl(3303, 0, 102, 101, DM_ACL_READ, 102, DM_ACL_ALL, -1);
	b = add_acl(3303, 1, 102, 101, DM_ACL_WRITE, 0, DM_ACL_READ, -1);
	c = add_acl(3, 0, 102, 102, DM_ACL_READ, -1);
	ck_assert_uint_eq(dm_unbootstrap_entries(st, 101), 2);
	ck_assert(!dm_exists(st, P(2, a, 2, 101)));
	ck_assert(dm_exists(st, P(2, a, 2, 102)));
	ck_assert(!dm_exists(st, P(2, b, 2, 101)));
	ck_assert(dm_exists(st, P(2, b, 2, 0)));
	ck_assert(dm_exists(st, P(2, c, 2, 102)));
	ck_assert_uint_eq(dm_unbootstrap_entries(st, 101), 0);
	ck_assert_uint_eq(dm_unbootstrap_entries(st, 0), 0);
}
END_TEST

/* UB-3: the highest Write + Delete score wins. */
START_TEST(ub3_owner_highest_score)
{
	uint16_t	x;

	add_server(101);
	add_server(102);
	add_server(103);
	add_server(104);
	x = add_acl(3303, 0, 101, 101, DM_ACL_ALL, 102, DM_ACL_READ | DM_ACL_WRITE,
	    103, DM_ACL_WRITE | DM_ACL_DELETE, 104, DM_ACL_READ | DM_ACL_EXECUTE |
	    DM_ACL_CREATE, -1);
	ck_assert_uint_eq(dm_acl_elect_owner(st, x, 101), 103);
	/* Read, Execute and Create count for nothing. */
	x = add_acl(3303, 1, 101, 102, DM_ACL_WRITE, 104, DM_ACL_READ |
	    DM_ACL_EXECUTE | DM_ACL_CREATE, -1);
	ck_assert_uint_eq(dm_acl_elect_owner(st, x, 101), 102);
}
END_TEST

/* UB-3: ties go to the lowest Short Server ID, whatever the entry order. */
START_TEST(ub3_owner_tie_lowest_ssid)
{
	uint16_t	x;

	add_server(101);
	add_server(102);
	add_server(103);
	add_server(104);
	x = add_acl(3303, 0, 101, 104, DM_ACL_WRITE, 103, DM_ACL_DELETE,
	    102, DM_ACL_WRITE | DM_ACL_READ, -1);
	ck_assert_uint_eq(dm_acl_elect_owner(st, x, 101), 102);
	/* Three-way tie at 2. */
	x = add_acl(3303, 1, 101, 104, DM_ACL_ALL, 103, DM_ACL_WRITE |
	    DM_ACL_DELETE, 102, DM_ACL_WRITE | DM_ACL_DELETE, -1);
	ck_assert_uint_eq(dm_acl_elect_owner(st, x, 101), 102);
	/* Tie at 0: lowest SSID still. */
	x = add_acl(3, 0, 101, 104, DM_ACL_READ, 103, DM_ACL_READ, -1);
	ck_assert_uint_eq(dm_acl_elect_owner(st, x, 101), 103);
}
END_TEST

/* UB-3: no candidate (empty ACL, or only the default entry and S's own): 65535. */
START_TEST(ub3_owner_none_left_bootstrap)
{
	uint16_t	x;

	add_server(101);
	add_server(102);
	x = add_acl(3303, 0, 101, -1);
	ck_assert_uint_eq(dm_acl_elect_owner(st, x, 101), DM_SSID_BOOTSTRAP);
	x = add_acl(3303, 1, 101, 101, DM_ACL_ALL, 0, DM_ACL_ALL, -1);
	ck_assert_uint_eq(dm_acl_elect_owner(st, x, 101), DM_SSID_BOOTSTRAP);
	dm_delete(st, P(2, x, 2));
	ck_assert_uint_eq(dm_acl_elect_owner(st, x, 101), DM_SSID_BOOTSTRAP);
}
END_TEST

/* UB-3 applied: only instances S owned change owner; S absent from the ACL. */
START_TEST(ub3_owners_reelected)
{
	uint16_t	a, b, c;

	add_server(101);
	add_server(102);
	add_server(103);
	a = add_acl(3303, 0, 101, 102, DM_ACL_WRITE, 103, DM_ACL_READ, -1);
	b = add_acl(3303, 1, 103, 102, DM_ACL_ALL, -1);
	c = add_acl(3, 0, 101, 0, DM_ACL_READ, -1);
	ck_assert_uint_eq(dm_unbootstrap_owners(st, 101), 2);
	ck_assert_int_eq(owner_of(a), 102);
	ck_assert_int_eq(owner_of(b), 103);
	ck_assert_int_eq(owner_of(c), DM_SSID_BOOTSTRAP);
}
END_TEST

/* UB-1..3 in one call, in order: S's entry is gone before the election. */
START_TEST(ub_sequence)
{
	struct deleted	d = { "" };
	uint16_t	a, b, c;
	char		want[64];

	add_server(101);
	add_server(102);
	add_server(103);
	a = add_acl(3303, 0, 101, 101, DM_ACL_ALL, -1);
	b = add_acl(3303, 1, 101, 101, DM_ACL_ALL, 103, DM_ACL_READ, 102,
	    DM_ACL_READ, -1);
	c = add_acl(3, 0, 102, 101, DM_ACL_WRITE, -1);
	ck_assert_uint_eq(dm_unbootstrap(st, 101, deleted_cb, &d), 2 + 2 + 1);
	snprintf(want, sizeof want, "/3303/0,/2/%u,", a);
	ck_assert_str_eq(d.out, want);
	ck_assert_int_eq(owner_of(b), 102);
	ck_assert(!dm_exists(st, P(2, b, 2, 101)));
	ck_assert(!dm_exists(st, P(2, c, 2, 101)));
	ck_assert_int_eq(owner_of(c), 102);
}
END_TEST

/* ------------------------------------------------------------ BS-5 */

/* A consistent configuration: BS account, two servers, ACLs. */
static void
good_config(void)
{
	uint16_t	x;

	add_security(true, -1, DM_SECMODE_PSK);
	add_server(101);
	x = add_security(false, 102, DM_SECMODE_PSK);
	add_server_only(102);
	(void)x;
	add_acl(3303, 0, 101, 102, DM_ACL_READ, 0, DM_ACL_READ, -1);
	add_acl(3303, 65535, DM_SSID_BOOTSTRAP, 101, DM_ACL_CREATE, -1);
}

static void
expect_check(int flags, const char *want)
{
	char	*cause = NULL;
	int	 rc;

	rc = dm_check_bootstrap(st, flags, &cause);
	if (want == NULL) {
		ck_assert_msg(rc == 0, "unexpected: %s", cause);
		return;
	}
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, want);
	free(cause);
}

START_TEST(bs5_consistent)
{
	uint16_t	x;

	good_config();
	expect_check(DM_CHECK_ALLOW_NOSEC, NULL);
	ck_assert_int_eq(dm_security_bootstrap(st, &x), 0);
	ck_assert_uint_eq(x, 0);
	ck_assert_int_eq(dm_security_find(st, 102, &x), 0);
	ck_assert_uint_eq(x, 2);
	ck_assert_int_eq(dm_server_find(st, 102, &x), 0);
	ck_assert_uint_eq(x, 1);
	ck_assert_int_eq(dm_security_find(st, 103, &x), LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(dm_server_find(st, 103, &x), LWM2M_ERR_NOT_FOUND);
}
END_TEST

START_TEST(bs5_no_server_account)
{
	uint16_t	x;

	add_security(true, -1, DM_SECMODE_PSK);
	expect_check(DM_CHECK_ALLOW_NOSEC, "no LwM2M Server account");
	dm_delete(st, P(0));
	ck_assert_int_eq(dm_security_bootstrap(st, &x), LWM2M_ERR_NOT_FOUND);
	expect_check(DM_CHECK_ALLOW_NOSEC, "no LwM2M Server account");
}
END_TEST

START_TEST(bs5_security_without_server)
{
	good_config();
	add_security(false, 103, DM_SECMODE_NOSEC);
	expect_check(DM_CHECK_ALLOW_NOSEC,
	    "/0/3: no Server instance with Short Server ID 103");
}
END_TEST

START_TEST(bs5_server_without_security)
{
	good_config();
	add_server_only(103);
	expect_check(DM_CHECK_ALLOW_NOSEC,
	    "/1/2: no Security instance with Short Server ID 103");
}
END_TEST

START_TEST(bs5_duplicate_ssid_security)
{
	good_config();
	add_security(false, 101, DM_SECMODE_NOSEC);
	expect_check(DM_CHECK_ALLOW_NOSEC,
	    "/0/1 and /0/3: duplicate Short Server ID 101");
}
END_TEST

START_TEST(bs5_duplicate_ssid_server)
{
	good_config();
	add_server_only(102);
	expect_check(DM_CHECK_ALLOW_NOSEC,
	    "/1/1 and /1/2: duplicate Short Server ID 102");
}
END_TEST

START_TEST(bs5_two_bootstrap_accounts)
{
	good_config();
	add_security(true, -1, DM_SECMODE_PSK);
	expect_check(DM_CHECK_ALLOW_NOSEC,
	    "more than one Bootstrap-Server account (/0/0 and /0/3)");
}
END_TEST

START_TEST(bs5_mandatory_missing)
{
	good_config();
	dm_delete(st, P(1, 1, 7));
	expect_check(DM_CHECK_ALLOW_NOSEC,
	    "/1/1/7 (Binding): mandatory resource missing");
}
END_TEST

START_TEST(bs5_mandatory_missing_security)
{
	good_config();
	dm_delete(st, P(0, 1, 1));
	expect_check(DM_CHECK_ALLOW_NOSEC,
	    "/0/1/1 (Bootstrap-Server): mandatory resource missing");
}
END_TEST

/* PSK needs identity and key; NoSec needs neither; no mode needs the server key. */
START_TEST(bs5_mandatory_keys_by_mode)
{
	good_config();
	dm_delete(st, P(0, 2, 5));
	expect_check(DM_CHECK_ALLOW_NOSEC,
	    "/0/2/5 (Secret Key): mandatory resource missing");
	dm_set_int(st, P(0, 2, 2), DM_SECMODE_NOSEC, NULL);
	dm_delete(st, P(0, 2, 3));
	expect_check(DM_CHECK_ALLOW_NOSEC, NULL);
}
END_TEST

START_TEST(bs5_mandatory_missing_acl)
{
	uint16_t	x;

	good_config();
	x = add_acl(3, 0, 101, -1);
	dm_delete(st, P(2, x, 3));
	expect_check(DM_CHECK_ALLOW_NOSEC,
	    "/2/2/3 (Access Control Owner): mandatory resource missing");
}
END_TEST

START_TEST(bs5_security_without_ssid)
{
	good_config();
	add_security(false, -1, DM_SECMODE_NOSEC);
	expect_check(DM_CHECK_ALLOW_NOSEC, "/0/3: no Short Server ID");
}
END_TEST

START_TEST(bs5_acl_owner_unknown_server)
{
	good_config();
	add_acl(3, 0, 109, -1);
	expect_check(DM_CHECK_ALLOW_NOSEC,
	    "/2/2: owner 109 is not a configured server");
}
END_TEST

START_TEST(bs5_acl_entry_unknown_server)
{
	good_config();
	add_acl(3, 0, 101, 0, DM_ACL_READ, 102, DM_ACL_READ, 109, DM_ACL_READ, -1);
	expect_check(DM_CHECK_ALLOW_NOSEC,
	    "/2/2/2/109: ACL entry for unknown server 109");
}
END_TEST

START_TEST(bs5_acl_owner_bootstrap_ok)
{
	good_config();
	add_acl(3, 0, DM_SSID_BOOTSTRAP, 0, DM_ACL_READ, -1);
	expect_check(DM_CHECK_ALLOW_NOSEC, NULL);
}
END_TEST

/* SV-4: Short Server ID 0 is never valid, 65535 is reserved. */
START_TEST(sv4_ssid_zero)
{
	good_config();
	dm_set_int(st, P(1, 0, 0), 0, NULL);
	expect_check(DM_CHECK_ALLOW_NOSEC,
	    "/1/0: Short Server ID 0 is not valid");
}
END_TEST

START_TEST(sv4_ssid_65535)
{
	good_config();
	dm_set_int(st, P(0, 1, 10), 65535, NULL);
	expect_check(DM_CHECK_ALLOW_NOSEC,
	    "/0/1: Short Server ID 65535 is not valid");
}
END_TEST

/* BS-11: NoSec only when the configuration allows it; the BS account too. */
START_TEST(bs5_nosec_not_allowed)
{
	good_config();
	expect_check(0, "/0/1: NoSec security mode is not allowed by the "
	    "configuration");
	dm_set_int(st, P(0, 1, 2), DM_SECMODE_PSK, NULL);
	dm_set_opaque(st, P(0, 1, 3), "id", 2, NULL);
	dm_set_opaque(st, P(0, 1, 5), "key", 3, NULL);
	expect_check(0, NULL);
	dm_set_int(st, P(0, 0, 2), DM_SECMODE_NOSEC, NULL);
	expect_check(0, "/0/0: NoSec security mode is not allowed by the "
	    "configuration");
}
END_TEST

START_TEST(bs5_secmode_unsupported)
{
	good_config();
	dm_set_int(st, P(0, 2, 2), DM_SECMODE_RPK, NULL);
	expect_check(DM_CHECK_ALLOW_NOSEC, "/0/2: security mode 1 is not supported");
	dm_set_int(st, P(0, 2, 2), DM_SECMODE_CERT_EST, NULL);
	expect_check(DM_CHECK_ALLOW_NOSEC, "/0/2: security mode 4 is not supported");
	dm_set_int(st, P(0, 2, 2), DM_SECMODE_CERT, NULL);
	expect_check(DM_CHECK_ALLOW_NOSEC, NULL);
}
END_TEST

/* The check is pure: objects absent from the store count as empty. */
START_TEST(bs5_empty_store)
{
	struct dm_store	*e = dm_store_create(reg);
	char		*cause = NULL;

	ck_assert_int_eq(dm_check_bootstrap(e, 0, &cause), -1);
	ck_assert_str_eq(cause, "no LwM2M Server account");
	free(cause);
	ck_assert_uint_eq(dm_server_count(e), 0);
	ck_assert_uint_eq(dm_acl_rights(e, 101, 3, 0), 0);
	dm_store_free(e);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("dm_acl");
	TCase	*ac = tcase_create("ac");
	TCase	*ub = tcase_create("ub");
	TCase	*bs = tcase_create("bs5");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(ac, setup, teardown);
	tcase_add_test(ac, ac3_single_server_full_access);
	tcase_add_test(ac, ac3_security_never);
	tcase_add_test(ac, ac3_multi_server_no_acl);
	tcase_add_test(ac, ac1_entries_and_default);
	tcase_add_test(ac, ac2_owner_all_rights);
	tcase_add_test(ac, ac2_acl_instances);
	tcase_add_test(ac, ac2_create_object_level);
	tcase_add_test(ac, ac1_single_server_acl_applies);
	tcase_add_test(ac, acl_helpers);
	suite_add_tcase(s, ac);

	tcase_add_checked_fixture(ub, setup, teardown);
	tcase_add_test(ub, ub1_exclusive_deleted);
	tcase_add_test(ub, ub1_spared_keeps_instance);
	tcase_add_test(ub, ub1_exclusive_empty_and_zero_entries);
	tcase_add_test(ub, ub1_shared_kept);
	tcase_add_test(ub, ub1_object_level_acl);
	tcase_add_test(ub, ub2_entries_removed);
	tcase_add_test(ub, ub3_owner_highest_score);
	tcase_add_test(ub, ub3_owner_tie_lowest_ssid);
	tcase_add_test(ub, ub3_owner_none_left_bootstrap);
	tcase_add_test(ub, ub3_owners_reelected);
	tcase_add_test(ub, ub_sequence);
	suite_add_tcase(s, ub);

	tcase_add_checked_fixture(bs, setup, teardown);
	tcase_add_test(bs, bs5_consistent);
	tcase_add_test(bs, bs5_no_server_account);
	tcase_add_test(bs, bs5_security_without_server);
	tcase_add_test(bs, bs5_server_without_security);
	tcase_add_test(bs, bs5_duplicate_ssid_security);
	tcase_add_test(bs, bs5_duplicate_ssid_server);
	tcase_add_test(bs, bs5_two_bootstrap_accounts);
	tcase_add_test(bs, bs5_mandatory_missing);
	tcase_add_test(bs, bs5_mandatory_missing_security);
	tcase_add_test(bs, bs5_mandatory_keys_by_mode);
	tcase_add_test(bs, bs5_mandatory_missing_acl);
	tcase_add_test(bs, bs5_security_without_ssid);
	tcase_add_test(bs, bs5_acl_owner_unknown_server);
	tcase_add_test(bs, bs5_acl_entry_unknown_server);
	tcase_add_test(bs, bs5_acl_owner_bootstrap_ok);
	tcase_add_test(bs, sv4_ssid_zero);
	tcase_add_test(bs, sv4_ssid_65535);
	tcase_add_test(bs, bs5_nosec_not_allowed);
	tcase_add_test(bs, bs5_secmode_unsupported);
	tcase_add_test(bs, bs5_empty_store);
	suite_add_tcase(s, bs);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
