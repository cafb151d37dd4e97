/*
 * Unit tests of the data model: paths and the store (values, multiple resources,
 * instances, iteration, transactions, backend hooks, memory). Definitions and the DDF
 * loader are in check_dm_ddf.c; access control, unbootstrap and the BS-5 check in
 * check_dm_acl.c.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm.h"

static struct dm_registry	*reg;
static struct dm_store		*st;

static void
setup(void)
{
	reg = dm_registry_create();
	st = dm_store_create(reg);
}

static void
teardown(void)
{
	dm_store_free(st);
	dm_registry_free(reg);
}

#define P(...)		(&(struct lwm2m_path){ { __VA_ARGS__ }, \
	sizeof ((uint16_t[]){ __VA_ARGS__ }) / sizeof (uint16_t) })

START_TEST(path_parse)
{
	struct lwm2m_path	p;
	char			buf[DM_PATH_MAXLEN];
	static const char	*bad[] = { "", "3", "//", "/3/", "/3//1", "/a",
	    "/3/0/1/2/3", "/65535", "/99999", "/-1", "/+1", "/3/ 0", "/1a",
	    "/123456" };
	size_t			i;

	ck_assert_int_eq(dm_path_parse("/", &p), 0);
	ck_assert_int_eq(p.len, 0);
	ck_assert_int_eq(dm_path_parse("/3/0/1", &p), 0);
	ck_assert(dm_path_equal(&p, P(3, 0, 1)));
	ck_assert_int_eq(dm_path_parse("/65534/0/00007/4", &p), 0);
	ck_assert(dm_path_equal(&p, P(65534, 0, 7, 4)));
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(dm_path_parse(bad[i], &p) == -1, "%s", bad[i]);
	ck_assert_int_eq(dm_path_parse(NULL, &p), -1);

	ck_assert_int_eq(dm_path_format(P(65534, 65534, 65534, 65534), buf,
	    sizeof buf), 24);
	ck_assert_str_eq(buf, "/65534/65534/65534/65534");
	ck_assert_int_eq(dm_path_format(&LWM2M_PATH_ROOT, buf, sizeof buf), 1);
	ck_assert_str_eq(buf, "/");
	/* Truncated like snprintf, the length still reported. */
	ck_assert_int_eq(dm_path_format(P(3303, 12), buf, 5), 8);
	ck_assert_str_eq(buf, "/330");

	ck_assert(dm_path_is_prefix(&LWM2M_PATH_ROOT, P(3, 0, 1)));
	ck_assert(dm_path_is_prefix(P(3), P(3, 0, 1)));
	ck_assert(dm_path_is_prefix(P(3, 0, 1), P(3, 0, 1)));
	ck_assert(!dm_path_is_prefix(P(3, 1), P(3, 0, 1)));
	ck_assert(!dm_path_is_prefix(P(3, 0, 1), P(3, 0)));
	ck_assert(!dm_path_equal(P(3, 0), P(3, 0, 0)));
}
END_TEST

START_TEST(path_segments)
{
	struct lwm2m_path	p = LWM2M_PATH_ROOT;

	ck_assert_int_eq(dm_path_push(&p, (const uint8_t *)"", 0), 0);
	ck_assert_int_eq(p.len, 0);
	ck_assert_int_eq(dm_path_push(&p, (const uint8_t *)"3303xyz", 4), 0);
	ck_assert_int_eq(dm_path_push(&p, (const uint8_t *)"0", 1), 0);
	ck_assert_int_eq(dm_path_push(&p, (const uint8_t *)"", 0), -1);
	ck_assert_int_eq(dm_path_push(&p, (const uint8_t *)"x", 1), -1);
	ck_assert_int_eq(dm_path_push(&p, (const uint8_t *)"65535", 5), -1);
	ck_assert_int_eq(dm_path_push(&p, (const uint8_t *)"5700", 4), 0);
	ck_assert_int_eq(dm_path_push(&p, (const uint8_t *)"1", 1), 0);
	ck_assert_int_eq(dm_path_push(&p, (const uint8_t *)"1", 1), -1);
	ck_assert(dm_path_equal(&p, P(3303, 0, 5700, 1)));
}
END_TEST

/* Values: types, conversions, ranges, changed flag, errors. */
START_TEST(store_values)
{
	struct lwm2m_value	v;
	bool			changed;
	int64_t			i;
	bool			b;

	ck_assert_int_eq(dm_instance_create(st, 3, 0, NULL), LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(dm_object_add(st, 3), 0);
	ck_assert_int_eq(dm_object_add(st, 3), 0);
	ck_assert_int_eq(dm_object_add(st, 9999), LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(dm_object_add(st, 3303), 0);
	ck_assert_int_eq(dm_set_int(st, P(3, 0, 9), 50, NULL), LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(dm_instance_create(st, 3, 0, NULL), 0);

	ck_assert_int_eq(dm_set_int(st, P(3, 0, 9), 50, &changed), 0);
	ck_assert(changed);
	ck_assert_int_eq(dm_set_int(st, P(3, 0, 9), 50, &changed), 0);
	ck_assert(!changed);
	ck_assert_int_eq(dm_set_int(st, P(3, 0, 9), 51, &changed), 0);
	ck_assert(changed);
	ck_assert_int_eq(dm_get_int(st, P(3, 0, 9), &i), 0);
	ck_assert_int_eq(i, 51);
	/* Range 0..100 of Battery Level. */
	ck_assert_int_eq(dm_set_int(st, P(3, 0, 9), 101, &changed),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert(!changed);
	ck_assert_int_eq(dm_set_int(st, P(3, 0, 9), -1, NULL), LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_get_int(st, P(3, 0, 9), &i), 0);
	ck_assert_int_eq(i, 51);
	/* Lossless conversions only. */
	ck_assert_int_eq(dm_set_float(st, P(3, 0, 9), 42.0, NULL), 0);
	ck_assert_int_eq(dm_get(st, P(3, 0, 9), &v), 0);
	ck_assert_int_eq(v.type, LWM2M_TYPE_INTEGER);
	ck_assert_int_eq(v.v.i, 42);
	ck_assert_int_eq(dm_set_float(st, P(3, 0, 9), 42.5, NULL),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_set_string(st, P(3, 0, 9), "42", NULL),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_set_bool(st, P(3, 0, 9), true, NULL),
	    LWM2M_ERR_BAD_REQUEST);
	v.type = LWM2M_TYPE_UNSIGNED;
	v.v.u = 7;
	ck_assert_int_eq(dm_set(st, P(3, 0, 9), &v, NULL), 0);
	ck_assert_int_eq(dm_set_int(st, P(3, 0, 13), 1700000000, NULL), 0);
	ck_assert_int_eq(dm_get(st, P(3, 0, 13), &v), 0);
	ck_assert_int_eq(v.type, LWM2M_TYPE_TIME);
	ck_assert_int_eq(v.v.i, 1700000000);

	/* Float resource takes integers. */
	ck_assert_int_eq(dm_instance_create(st, 3303, 0, NULL), 0);
	ck_assert_int_eq(dm_set_int(st, P(3303, 0, 5700), 21, NULL), 0);
	ck_assert_int_eq(dm_get(st, P(3303, 0, 5700), &v), 0);
	ck_assert_int_eq(v.type, LWM2M_TYPE_FLOAT);
	ck_assert(v.v.f == 21.0);
	ck_assert_int_eq(dm_set_float(st, P(3303, 0, 5700), 21.5, &changed), 0);
	ck_assert(changed);
	ck_assert_int_eq(dm_set_bool(st, P(3303, 0, 5700), true, NULL),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_get_bool(st, P(3303, 0, 5700), &b),
	    LWM2M_ERR_BAD_REQUEST);

	/* Objlnk, boolean. */
	v.type = LWM2M_TYPE_OBJLNK;
	v.v.objlnk.oid = 3303;
	v.v.objlnk.iid = 0;
	ck_assert_int_eq(dm_set(st, P(3, 0, 22, 0), &v, &changed), 0);
	ck_assert(changed);
	ck_assert_int_eq(dm_set(st, P(3, 0, 22, 0), &v, &changed), 0);
	ck_assert(!changed);
	memset(&v, 0, sizeof v);
	ck_assert_int_eq(dm_get(st, P(3, 0, 22, 0), &v), 0);
	ck_assert_int_eq(v.v.objlnk.oid, 3303);

	/* Wrong paths. */
	ck_assert_int_eq(dm_set_int(st, P(3, 0, 4), 1, NULL),
	    LWM2M_ERR_METHOD_NOT_ALLOWED);
	ck_assert_int_eq(dm_set_int(st, P(3, 0, 999), 1, NULL), LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(dm_set_int(st, P(3, 1, 9), 1, NULL), LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(dm_set_int(st, P(4, 0, 0), 1, NULL), LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(dm_set_int(st, P(3, 0), 1, NULL), LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_set_int(st, P(3, 0, 9, 0), 1, NULL),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_set_int(st, P(3, 0, 11), 1, NULL), LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_get(st, P(3, 0, 0), &v), LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(dm_get_int(st, P(3, 0, 0), &i), LWM2M_ERR_NOT_FOUND);
}
END_TEST

/* The store owns copies of string and opaque bytes. */
START_TEST(store_strings_owned)
{
	char			 buf[32];
	const uint8_t		*ptr;
	size_t			 len;
	struct lwm2m_value	 v;
	static const uint8_t	 key[] = { 0, 1, 0, 2 };
	uint8_t			*big;
	bool			 changed;

	dm_object_add(st, 3);
	dm_object_add(st, 0);
	dm_instance_create(st, 3, 0, NULL);
	dm_instance_create(st, 0, 0, NULL);
	strcpy(buf, "ACME");
	ck_assert_int_eq(dm_set_string(st, P(3, 0, 0), buf, &changed), 0);
	ck_assert(changed);
	strcpy(buf, "XXXX");
	ck_assert_int_eq(dm_get_bytes(st, P(3, 0, 0), &ptr, &len), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert(memcmp(ptr, "ACME", 4) == 0);
	ck_assert_int_eq(dm_set_string(st, P(3, 0, 0), "ACME", &changed), 0);
	ck_assert(!changed);
	ck_assert_int_eq(dm_set_string(st, P(3, 0, 0), "ACME Corp", &changed), 0);
	ck_assert(changed);
	ck_assert_int_eq(dm_get_bytes(st, P(3, 0, 0), &ptr, &len), 0);
	ck_assert_uint_eq(len, 9);
	ck_assert(memcmp(ptr, "ACME Corp", 9) == 0);
	/* Setting a value from the store's own bytes (copied before freed). */
	ck_assert_int_eq(dm_set_string(st, P(3, 0, 1), "ACME Corp", NULL), 0);
	ck_assert_int_eq(dm_get(st, P(3, 0, 1), &v), 0);
	v.v.bytes.len = 4;
	ck_assert_int_eq(dm_set(st, P(3, 0, 1), &v, &changed), 0);
	ck_assert(changed);
	ck_assert_int_eq(dm_get_bytes(st, P(3, 0, 1), &ptr, &len), 0);
	ck_assert(len == 4 && memcmp(ptr, "ACME", 4) == 0);
	/* Opaque is not a string. */
	ck_assert_int_eq(dm_set_opaque(st, P(3, 0, 0), ptr, 4, NULL),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_set_string(st, P(3, 0, 0), "", &changed), 0);
	ck_assert(changed);
	ck_assert_int_eq(dm_get_bytes(st, P(3, 0, 0), &ptr, &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_ptr_nonnull(ptr);

	ck_assert_int_eq(dm_set_opaque(st, P(0, 0, 5), key, sizeof key, NULL), 0);
	ck_assert_int_eq(dm_get_bytes(st, P(0, 0, 5), &ptr, &len), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert(memcmp(ptr, key, 4) == 0);
	big = calloc(1, DM_VALUE_MAX_LEN + 1);
	ck_assert_int_eq(dm_set_opaque(st, P(0, 0, 3), big, DM_VALUE_MAX_LEN, NULL),
	    0);
	ck_assert_int_eq(dm_set_opaque(st, P(0, 0, 3), big, DM_VALUE_MAX_LEN + 1,
	    NULL), LWM2M_ERR_TOO_LARGE);
	free(big);
	/* URI is 0..255 bytes. */
	memset(buf, 'a', sizeof buf - 1);
	buf[sizeof buf - 1] = '\0';
	ck_assert_int_eq(dm_set_string(st, P(0, 0, 0), buf, NULL), 0);
}
END_TEST

static int
count_values_cb(const struct lwm2m_path *p, const struct lwm2m_value *v, void *arg)
{
	size_t	*n = arg;

	(*n)++;
	return (0);
}

/* Multiple resources: resource instances by riid, empty resources, replace. */
START_TEST(store_multiple)
{
	struct lwm2m_value	v;
	size_t			n = 0;
	int64_t			i;

	dm_object_add(st, 3);
	dm_instance_create(st, 3, 0, NULL);
	ck_assert(!dm_exists(st, P(3, 0, 11)));
	ck_assert_int_eq(dm_set_int(st, P(3, 0, 11, 5), 2, NULL), 0);
	ck_assert_int_eq(dm_set_int(st, P(3, 0, 11, 0), 0, NULL), 0);
	ck_assert_int_eq(dm_set_int(st, P(3, 0, 11, 65534), 1, NULL), 0);
	ck_assert_int_eq(dm_set_int(st, P(3, 0, 11, 3), 33, NULL),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_uint_eq(dm_resource_count(st, 3, 0, 11), 3);
	ck_assert(dm_exists(st, P(3, 0, 11)));
	ck_assert(dm_exists(st, P(3, 0, 11, 5)));
	ck_assert(!dm_exists(st, P(3, 0, 11, 4)));
	ck_assert_int_eq(dm_get(st, P(3, 0, 11), &v), LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_get_int(st, P(3, 0, 11, 5), &i), 0);
	ck_assert_int_eq(i, 2);
	ck_assert_int_eq(dm_foreach_value(st, P(3, 0, 11), count_values_cb, &n), 0);
	ck_assert_uint_eq(n, 3);

	/* Deleting the last instance leaves an empty resource. */
	ck_assert_int_eq(dm_delete(st, P(3, 0, 11, 5)), 0);
	ck_assert_int_eq(dm_delete(st, P(3, 0, 11, 5)), LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(dm_delete(st, P(3, 0, 11, 0)), 0);
	ck_assert_int_eq(dm_delete(st, P(3, 0, 11, 65534)), 0);
	ck_assert(dm_exists(st, P(3, 0, 11)));
	ck_assert_uint_eq(dm_resource_count(st, 3, 0, 11), 0);
	n = 0;
	ck_assert_int_eq(dm_foreach_value(st, P(3, 0, 11), count_values_cb, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(dm_set_int(st, P(3, 0, 11, 1), 4, NULL), 0);
	ck_assert_uint_eq(dm_resource_count(st, 3, 0, 11), 1);

	/* Clear: present, no instance; then the whole resource goes. */
	ck_assert_int_eq(dm_resource_clear(st, 3, 0, 11), 0);
	ck_assert(dm_exists(st, P(3, 0, 11)));
	ck_assert(!dm_exists(st, P(3, 0, 11, 1)));
	ck_assert_int_eq(dm_resource_clear(st, 3, 0, 9), LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_resource_clear(st, 3, 0, 6), 0);
	ck_assert_int_eq(dm_delete(st, P(3, 0, 11)), 0);
	ck_assert(!dm_exists(st, P(3, 0, 11)));
	ck_assert_int_eq(dm_delete(st, P(3, 0, 11)), LWM2M_ERR_NOT_FOUND);
	ck_assert(dm_exists(st, P(3, 0, 6)));
}
END_TEST

/* Instances: explicit and free iid allocation, single-instance objects, deletion. */
START_TEST(store_instances)
{
	uint16_t	iid;

	dm_object_add(st, 3303);
	dm_object_add(st, 3);
	ck_assert(dm_object_has(st, 3303));
	ck_assert_uint_eq(dm_instance_count(st, 3303), 0);
	ck_assert_uint_eq(dm_instance_free_iid(st, 3303), 0);
	ck_assert_uint_eq(dm_instance_free_iid(st, 4), LWM2M_ID_NONE);
	ck_assert_int_eq(dm_instance_create(st, 3303, 1, &iid), 0);
	ck_assert_uint_eq(iid, 1);
	ck_assert_int_eq(dm_instance_create(st, 3303, 1, NULL), LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_instance_create(st, 3303, LWM2M_ID_NONE, &iid), 0);
	ck_assert_uint_eq(iid, 0);
	ck_assert_int_eq(dm_instance_create(st, 3303, LWM2M_ID_NONE, &iid), 0);
	ck_assert_uint_eq(iid, 2);
	ck_assert_int_eq(dm_instance_create(st, 3303, 10, NULL), 0);
	ck_assert_int_eq(dm_instance_delete(st, 3303, 1), 0);
	ck_assert_int_eq(dm_instance_delete(st, 3303, 1), LWM2M_ERR_NOT_FOUND);
	ck_assert_uint_eq(dm_instance_free_iid(st, 3303), 1);
	ck_assert_uint_eq(dm_instance_count(st, 3303), 3);
	ck_assert(dm_instance_exists(st, 3303, 10));
	ck_assert(!dm_instance_exists(st, 3303, 1));
	ck_assert(!dm_instance_exists(st, 3304, 0));

	ck_assert_int_eq(dm_instance_create(st, 3, 0, NULL), 0);
	ck_assert_int_eq(dm_instance_create(st, 3, 1, NULL), LWM2M_ERR_BAD_REQUEST);

	/* Deleting an object's instances keeps the object. */
	ck_assert_int_eq(dm_delete(st, P(3303)), 0);
	ck_assert(dm_object_has(st, 3303));
	ck_assert(dm_exists(st, P(3303)));
	ck_assert_uint_eq(dm_instance_count(st, 3303), 0);
	ck_assert_int_eq(dm_delete(st, &LWM2M_PATH_ROOT), LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_delete(st, P(3304)), LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(dm_delete(st, P(3, 0)), 0);
	ck_assert_int_eq(dm_object_remove(st, 3303), 0);
	ck_assert_int_eq(dm_object_remove(st, 3303), LWM2M_ERR_NOT_FOUND);
	ck_assert(!dm_object_has(st, 3303));
	ck_assert_str_eq(dm_object_version(st, 3), "1.1");
	ck_assert_ptr_null(dm_object_version(st, 3303));
	ck_assert_ptr_eq(dm_object_get(st, 3), dm_object_find(reg, 3));
}
END_TEST

struct walk {
	char	out[512];
	int	stop_after;
	int	seen;
};

static void
walk_add(struct walk *w, const char *s)
{
	strncat(w->out, s, sizeof w->out - strlen(w->out) - 1);
}

static int
walk_object_cb(const struct dm_object *o, void *arg)
{
	struct walk	*w = arg;
	char		 s[16];

	snprintf(s, sizeof s, "%u,", o->oid);
	walk_add(w, s);
	return (++w->seen == w->stop_after ? 7 : 0);
}

static int
walk_instance_cb(uint16_t oid, uint16_t iid, void *arg)
{
	struct walk	*w = arg;
	char		 s[16];

	snprintf(s, sizeof s, "%u/%u,", oid, iid);
	walk_add(w, s);
	return (0);
}

static int
walk_resource_cb(const struct dm_resource *r, size_t n, void *arg)
{
	struct walk	*w = arg;
	char		 s[32];

	snprintf(s, sizeof s, "%u:%zu,", r->rid, n);
	walk_add(w, s);
	return (0);
}

static int
walk_value_cb(const struct lwm2m_path *p, const struct lwm2m_value *v, void *arg)
{
	struct walk	*w = arg;
	char		 s[DM_PATH_MAXLEN];

	dm_path_format(p, s, sizeof s);
	walk_add(w, s);
	walk_add(w, ",");
	return (++w->seen == w->stop_after ? 9 : 0);
}

/* Iteration in ascending ID order, early stop, cursors. */
START_TEST(store_iterate)
{
	struct walk	w;
	uint16_t	id;
	int		after;

	dm_object_add(st, 3303);
	dm_object_add(st, 3);
	dm_object_add(st, 1);
	dm_object_add(st, 4);
	dm_instance_create(st, 3303, 7, NULL);
	dm_instance_create(st, 3303, 2, NULL);
	dm_instance_create(st, 3, 0, NULL);
	dm_set_float(st, P(3303, 7, 5700), 1, NULL);
	dm_set_string(st, P(3303, 7, 5701), "Cel", NULL);
	dm_set_float(st, P(3303, 2, 5700), 2, NULL);
	dm_set_int(st, P(3, 0, 11, 2), 0, NULL);
	dm_set_int(st, P(3, 0, 11, 1), 0, NULL);
	dm_set_string(st, P(3, 0, 16), "U", NULL);
	dm_set_string(st, P(3, 0, 0), "ACME", NULL);
	dm_resource_clear(st, 3, 0, 6);

	memset(&w, 0, sizeof w);
	ck_assert_int_eq(dm_foreach_object(st, walk_object_cb, &w), 0);
	ck_assert_str_eq(w.out, "1,3,4,3303,");
	memset(&w, 0, sizeof w);
	w.stop_after = 2;
	ck_assert_int_eq(dm_foreach_object(st, walk_object_cb, &w), 7);
	ck_assert_str_eq(w.out, "1,3,");

	memset(&w, 0, sizeof w);
	ck_assert_int_eq(dm_foreach_instance(st, 3303, walk_instance_cb, &w), 0);
	ck_assert_int_eq(dm_foreach_instance(st, 4, walk_instance_cb, &w), 0);
	ck_assert_int_eq(dm_foreach_instance(st, 5, walk_instance_cb, &w), 0);
	ck_assert_str_eq(w.out, "3303/2,3303/7,");

	memset(&w, 0, sizeof w);
	ck_assert_int_eq(dm_foreach_resource(st, 3, 0, walk_resource_cb, &w), 0);
	ck_assert_str_eq(w.out, "0:1,6:0,11:2,16:1,");

	memset(&w, 0, sizeof w);
	ck_assert_int_eq(dm_foreach_value(st, &LWM2M_PATH_ROOT, walk_value_cb, &w),
	    0);
	ck_assert_str_eq(w.out, "/3/0/0,/3/0/11/1,/3/0/11/2,/3/0/16,"
	    "/3303/2/5700,/3303/7/5700,/3303/7/5701,");
	memset(&w, 0, sizeof w);
	ck_assert_int_eq(dm_foreach_value(st, P(3303), walk_value_cb, &w), 0);
	ck_assert_str_eq(w.out, "/3303/2/5700,/3303/7/5700,/3303/7/5701,");
	memset(&w, 0, sizeof w);
	ck_assert_int_eq(dm_foreach_value(st, P(3303, 7), walk_value_cb, &w), 0);
	ck_assert_str_eq(w.out, "/3303/7/5700,/3303/7/5701,");
	memset(&w, 0, sizeof w);
	ck_assert_int_eq(dm_foreach_value(st, P(3, 0, 11, 2), walk_value_cb, &w), 0);
	ck_assert_str_eq(w.out, "/3/0/11/2,");
	memset(&w, 0, sizeof w);
	w.stop_after = 2;
	ck_assert_int_eq(dm_foreach_value(st, P(3), walk_value_cb, &w), 9);
	ck_assert_str_eq(w.out, "/3/0/0,/3/0/11/1,");
	ck_assert_int_eq(dm_foreach_value(st, P(3303, 3), walk_value_cb, &w),
	    LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(dm_foreach_value(st, P(3, 0, 1), walk_value_cb, &w),
	    LWM2M_ERR_NOT_FOUND);

	memset(&w, 0, sizeof w);
	for (after = -1; dm_object_next(st, after, &id) == 0; after = id) {
		char s[8];

		snprintf(s, sizeof s, "%u,", id);
		walk_add(&w, s);
	}
	ck_assert_str_eq(w.out, "1,3,4,3303,");
	ck_assert_int_eq(dm_instance_next(st, 3303, -1, &id), 0);
	ck_assert_uint_eq(id, 2);
	ck_assert_int_eq(dm_instance_next(st, 3303, 2, &id), 0);
	ck_assert_uint_eq(id, 7);
	ck_assert_int_eq(dm_instance_next(st, 3303, 3, &id), 0);
	ck_assert_uint_eq(id, 7);
	ck_assert_int_eq(dm_instance_next(st, 3303, 7, &id), -1);
	ck_assert_int_eq(dm_instance_next(st, 4, -1, &id), -1);
	ck_assert_int_eq(dm_instance_next(st, 5, -1, &id), -1);
}
END_TEST

/* BS-12: changes on a clone leave the original alone until swapped in. */
START_TEST(store_clone_rollback)
{
	struct dm_store		*cl;
	const uint8_t		*ptr;
	size_t			 len;
	int64_t			 i;

	dm_object_add(st, 1);
	dm_object_add(st, 3);
	dm_instance_create(st, 1, 0, NULL);
	dm_set_int(st, P(1, 0, 0), 101, NULL);
	dm_set_string(st, P(1, 0, 7), "U", NULL);
	dm_instance_create(st, 3, 0, NULL);
	dm_set_int(st, P(3, 0, 11, 0), 0, NULL);

	/* Roll back: free the clone. */
	cl = dm_store_clone(st);
	ck_assert_uint_eq(dm_store_heap_bytes(cl), dm_store_heap_bytes(st));
	ck_assert_ptr_eq(dm_store_registry(cl), reg);
	dm_set_int(cl, P(1, 0, 0), 102, NULL);
	dm_set_string(cl, P(1, 0, 7), "UQ", NULL);
	dm_instance_create(cl, 1, 1, NULL);
	dm_delete(cl, P(3, 0));
	dm_store_free(cl);
	ck_assert_int_eq(dm_get_int(st, P(1, 0, 0), &i), 0);
	ck_assert_int_eq(i, 101);
	ck_assert_int_eq(dm_get_bytes(st, P(1, 0, 7), &ptr, &len), 0);
	ck_assert_uint_eq(len, 1);
	ck_assert(!dm_instance_exists(st, 1, 1));
	ck_assert(dm_exists(st, P(3, 0, 11, 0)));

	/* Commit: swap, then free the old content. */
	cl = dm_store_clone(st);
	dm_set_int(cl, P(1, 0, 0), 102, NULL);
	dm_set_string(cl, P(1, 0, 7), "UQ", NULL);
	dm_object_remove(cl, 3);
	dm_store_swap(st, cl);
	dm_store_free(cl);
	ck_assert_int_eq(dm_get_int(st, P(1, 0, 0), &i), 0);
	ck_assert_int_eq(i, 102);
	ck_assert_int_eq(dm_get_bytes(st, P(1, 0, 7), &ptr, &len), 0);
	ck_assert(len == 2 && memcmp(ptr, "UQ", 2) == 0);
	ck_assert(!dm_object_has(st, 3));

	dm_store_clear(st);
	ck_assert(!dm_object_has(st, 1));
	cl = dm_store_create(reg);
	ck_assert_uint_eq(dm_store_heap_bytes(st), dm_store_heap_bytes(cl));
	dm_store_free(cl);
	dm_store_free(NULL);
	dm_registry_free(NULL);
}
END_TEST

struct backend_log {
	int			 writes;
	int			 executes;
	struct lwm2m_path	 last;
	size_t			 arglen;
};

static int
backend_write(void *arg, const struct lwm2m_path *p, const struct lwm2m_value *v)
{
	struct backend_log	*l = arg;

	l->writes++;
	l->last = *p;
	return (v->type == LWM2M_TYPE_BOOLEAN ? 0 : LWM2M_ERR_BAD_REQUEST);
}

static int
backend_execute(void *arg, const struct lwm2m_path *p, const uint8_t *a, size_t len)
{
	struct backend_log	*l = arg;

	l->executes++;
	l->last = *p;
	l->arglen = len;
	return (0);
}

static const struct dm_backend backend_ops = {
	.write = backend_write,
	.execute = backend_execute,
};
static const struct dm_backend backend_none = { NULL, NULL };

/* Sensor-backed objects forward Write and Execute to the hooks. */
START_TEST(store_backend)
{
	struct backend_log	l;
	struct lwm2m_value	v = { .type = LWM2M_TYPE_BOOLEAN, .v.b = true };
	struct dm_store		*cl;

	memset(&l, 0, sizeof l);
	dm_object_add(st, 3311);
	dm_object_add(st, 3303);
	dm_instance_create(st, 3311, 0, NULL);
	dm_instance_create(st, 3303, 0, NULL);
	ck_assert_int_eq(dm_backend_mark(st, 3311, true), 0);
	ck_assert_int_eq(dm_backend_mark(st, 3304, true), LWM2M_ERR_NOT_FOUND);
	ck_assert(dm_backend_is_backed(st, 3311));
	ck_assert(!dm_backend_is_backed(st, 3303));
	ck_assert(!dm_backend_is_backed(st, 3304));

	ck_assert_int_eq(dm_backend_write(st, P(3311, 0, 5850), &v),
	    LWM2M_ERR_METHOD_NOT_ALLOWED);
	dm_backend_set(st, &backend_ops, &l);
	ck_assert_int_eq(dm_backend_write(st, P(3311, 0, 5850), &v), 0);
	ck_assert_int_eq(l.writes, 1);
	ck_assert(dm_path_equal(&l.last, P(3311, 0, 5850)));
	/* The hook's answer comes back unchanged. */
	v.type = LWM2M_TYPE_INTEGER;
	ck_assert_int_eq(dm_backend_write(st, P(3311, 0, 5851), &v),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(l.writes, 2);
	ck_assert_int_eq(dm_backend_write(st, P(3311, 1, 5850), &v),
	    LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(dm_backend_write(st, P(3303, 0, 5750), &v),
	    LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(dm_backend_write(st, P(3311, 0, 1), &v),
	    LWM2M_ERR_NOT_FOUND);
	ck_assert_int_eq(dm_backend_write(st, P(3311, 0), &v),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(l.writes, 2);

	dm_object_add(st, 3303);
	dm_backend_mark(st, 3303, true);
	ck_assert_int_eq(dm_backend_execute(st, P(3303, 0, 5605),
	    (const uint8_t *)"0='x'", 5), 0);
	ck_assert_int_eq(l.executes, 1);
	ck_assert_uint_eq(l.arglen, 5);
	ck_assert(dm_path_equal(&l.last, P(3303, 0, 5605)));
	ck_assert_int_eq(dm_backend_execute(st, P(3303, 0, 5700), NULL, 0),
	    LWM2M_ERR_METHOD_NOT_ALLOWED);
	ck_assert_int_eq(dm_backend_execute(st, P(3303, 0, 5605, 0), NULL, 0),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(l.executes, 1);

	/* A clone keeps hooks and marks (transactions on backed objects). */
	cl = dm_store_clone(st);
	ck_assert(dm_backend_is_backed(cl, 3311));
	ck_assert_int_eq(dm_backend_execute(cl, P(3303, 0, 5605), NULL, 0), 0);
	ck_assert_int_eq(l.executes, 2);
	dm_store_free(cl);

	dm_backend_set(st, &backend_none, NULL);
	ck_assert_int_eq(dm_backend_execute(st, P(3303, 0, 5605), NULL, 0),
	    LWM2M_ERR_METHOD_NOT_ALLOWED);
}
END_TEST

/* A reading that changes a number does not grow the store; changes are reported. */
START_TEST(store_fast_path)
{
	size_t	before;
	bool	changed;
	int	i, nchanged = 0;

	dm_object_add(st, 3303);
	dm_instance_create(st, 3303, 0, NULL);
	dm_set_float(st, P(3303, 0, 5700), 0, NULL);
	before = dm_store_heap_bytes(st);
	for (i = 0; i < 1000; i++) {
		ck_assert_int_eq(dm_set_float(st, P(3303, 0, 5700), i / 10,
		    &changed), 0);
		nchanged += changed;
	}
	ck_assert_int_eq(nchanged, 99);
	ck_assert_uint_eq(dm_store_heap_bytes(st), before);
}
END_TEST

/* A typical vclient: memory per store (docs/dm.md quotes this output). */
START_TEST(store_memory)
{
	struct dm_store	**many;
	size_t		  total = 0, one, i;
	uint16_t	  x;
	int		  k;

	dm_object_add(st, 0);
	dm_object_add(st, 1);
	dm_object_add(st, 2);
	dm_object_add(st, 3);
	dm_object_add(st, 4);
	dm_object_add(st, 3303);
	dm_object_add(st, 3304);
	for (k = 0; k < 2; k++) {
		dm_instance_create(st, 0, LWM2M_ID_NONE, &x);
		dm_set_string(st, P(0, x, 0), "coaps://lwm2m.example.net:5684", NULL);
		dm_set_bool(st, P(0, x, 1), k == 0, NULL);
		dm_set_int(st, P(0, x, 2), 0, NULL);
		dm_set_opaque(st, P(0, x, 3), "sim0-000001", 11, NULL);
		dm_set_opaque(st, P(0, x, 4), "", 0, NULL);
		dm_set_opaque(st, P(0, x, 5), "0123456789abcdef", 16, NULL);
		dm_set_int(st, P(0, x, 10), 101, NULL);
		dm_set_int(st, P(0, x, 11), 0, NULL);
	}
	dm_instance_create(st, 1, 0, NULL);
	dm_set_int(st, P(1, 0, 0), 101, NULL);
	dm_set_int(st, P(1, 0, 1), 300, NULL);
	dm_set_int(st, P(1, 0, 2), 1, NULL);
	dm_set_int(st, P(1, 0, 3), 60, NULL);
	dm_set_int(st, P(1, 0, 5), 86400, NULL);
	dm_set_bool(st, P(1, 0, 6), true, NULL);
	dm_set_string(st, P(1, 0, 7), "U", NULL);
	dm_acl_instance_create(st, 3303, 0, 101, &x);
	dm_acl_entry_set(st, x, 101, DM_ACL_ALL);
	dm_instance_create(st, 3, 0, NULL);
	dm_set_string(st, P(3, 0, 0), "ACME", NULL);
	dm_set_string(st, P(3, 0, 1), "TH-100", NULL);
	dm_set_string(st, P(3, 0, 2), "000001", NULL);
	dm_set_string(st, P(3, 0, 3), "1.0.3", NULL);
	dm_set_int(st, P(3, 0, 9), 90, NULL);
	dm_set_int(st, P(3, 0, 11, 0), 0, NULL);
	dm_set_int(st, P(3, 0, 13), 1700000000, NULL);
	dm_set_string(st, P(3, 0, 16), "U", NULL);
	dm_set_string(st, P(3, 0, 17), "sensor", NULL);
	dm_instance_create(st, 4, 0, NULL);
	dm_set_int(st, P(4, 0, 0), 41, NULL);
	dm_set_int(st, P(4, 0, 1, 0), 41, NULL);
	dm_set_int(st, P(4, 0, 2), -70, NULL);
	dm_set_string(st, P(4, 0, 4, 0), "192.0.2.10", NULL);
	dm_instance_create(st, 3303, 0, NULL);
	dm_instance_create(st, 3304, 0, NULL);
	for (k = 3303; k <= 3304; k++) {
		dm_set_float(st, P(k, 0, 5700), 21.5, NULL);
		dm_set_string(st, P(k, 0, 5701), k == 3303 ? "Cel" : "%RH", NULL);
		dm_set_float(st, P(k, 0, 5601), 18, NULL);
		dm_set_float(st, P(k, 0, 5602), 25, NULL);
		dm_set_float(st, P(k, 0, 5603), -40, NULL);
		dm_set_float(st, P(k, 0, 5604), 85, NULL);
		dm_set_int(st, P(k, 0, 5518), 1700000000, NULL);
	}
	one = dm_store_heap_bytes(st);
	fprintf(stderr, "dm store_memory: 8 instances, 54 values, %zu bytes per store "
	    "(sizes: value 16, instance 16, object 24)\n", one);
	ck_assert_uint_lt(one, 2048);

	many = calloc(10000, sizeof *many);
	for (i = 0; i < 10000; i++) {
		many[i] = dm_store_clone(st);
		total += dm_store_heap_bytes(many[i]);
	}
	fprintf(stderr, "dm store_memory: 10000 stores, %zu bytes of arrays and "
	    "values\n", total);
	ck_assert_uint_eq(total, 10000 * one);
	for (i = 0; i < 10000; i++)
		dm_store_free(many[i]);
	free(many);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("dm");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, path_parse);
	tcase_add_test(tc, path_segments);
	tcase_add_test(tc, store_values);
	tcase_add_test(tc, store_strings_owned);
	tcase_add_test(tc, store_multiple);
	tcase_add_test(tc, store_instances);
	tcase_add_test(tc, store_iterate);
	tcase_add_test(tc, store_clone_rollback);
	tcase_add_test(tc, store_backend);
	tcase_add_test(tc, store_fast_path);
	tcase_add_test(tc, store_memory);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
