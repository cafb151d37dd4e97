/*
 * Unit tests of the data model's definitions: the built-in tables (final LwM2M 1.1 and
 * OMA registry numbering) and the OMA DDF loader (valid files, exact FILE:LINE errors, a
 * directory with bad files, replacing built-ins).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static const char *
datadir(void)
{
	static char	 buf[900];
	const char	*top = getenv("top_srcdir");

	snprintf(buf, sizeof buf, "%s/tests/unit/data/ddf", top != NULL ? top : ".");
	return (buf);
}

#define P(...)		(&(struct lwm2m_path){ { __VA_ARGS__ }, \
	sizeof ((uint16_t[]){ __VA_ARGS__ }) / sizeof (uint16_t) })

/* Every built-in table is sorted and the registry finds every object the brief lists. */
START_TEST(builtins_sorted)
{
	static const uint16_t	 want[] = { 0, 1, 2, 3, 4, 3200, 3201, 3300, 3301,
	    3303, 3304, 3311, 3315, 3316, 3323 };
	const struct dm_object	*o, *prev = NULL;
	size_t			 i, j;

	ck_assert_uint_eq(dm_registry_count(reg), sizeof want / sizeof want[0]);
	for (i = 0; i < dm_registry_count(reg); i++) {
		o = dm_registry_at(reg, i);
		ck_assert_uint_eq(o->oid, want[i]);
		ck_assert_ptr_eq(dm_object_find(reg, o->oid), o);
		ck_assert_ptr_eq(dm_builtin_find(o->oid), o);
		if (prev != NULL)
			ck_assert_uint_lt(prev->oid, o->oid);
		prev = o;
		ck_assert_uint_gt(o->nresources, 0);
		for (j = 0; j < o->nresources; j++) {
			if (j > 0)
				ck_assert_uint_lt(o->resources[j - 1].rid,
				    o->resources[j].rid);
			ck_assert_ptr_eq(dm_resource_find(o, o->resources[j].rid),
			    &o->resources[j]);
			/* Executables have no type, everything else has one. */
			ck_assert_int_eq(o->resources[j].type == LWM2M_TYPE_NONE,
			    (o->resources[j].ops & LWM2M_OP_E) != 0);
		}
	}
	ck_assert_ptr_null(dm_registry_at(reg, i));
	ck_assert_ptr_null(dm_object_find(reg, 5));
	ck_assert_ptr_null(dm_resource_find(dm_object_find(reg, 3), 999));
}
END_TEST

/* Final LwM2M 1.1 numbering of Security and Server (REQUIREMENTS.md, top). */
START_TEST(builtins_numbering)
{
	const struct dm_object	*sec = dm_object_find(reg, 0);
	const struct dm_object	*srv = dm_object_find(reg, 1);
	const struct dm_object	*dev = dm_object_find(reg, 3);
	const struct dm_object	*acl = dm_object_find(reg, 2);

	ck_assert_str_eq(dm_resource_find(sec, 10)->name, "Short Server ID");
	ck_assert_str_eq(dm_resource_find(sec, 11)->name, "Client Hold Off Time");
	ck_assert_str_eq(dm_resource_find(sec, 12)->name,
	    "Bootstrap-Server Account Timeout");
	ck_assert_str_eq(dm_resource_find(sec, 5)->name, "Secret Key");
	ck_assert_str_eq(dm_resource_find(sec, 4)->name, "Server Public Key");
	ck_assert_int_eq(dm_resource_find(sec, 1)->type, LWM2M_TYPE_BOOLEAN);
	ck_assert_str_eq(dm_resource_find(srv, 0)->name, "Short Server ID");
	ck_assert_int_eq(dm_resource_find(srv, 4)->ops, LWM2M_OP_E);
	ck_assert_int_eq(dm_resource_find(srv, 8)->ops, LWM2M_OP_E);
	ck_assert_int_eq(dm_resource_find(srv, 9)->ops, LWM2M_OP_E);
	ck_assert_int_eq(dm_resource_find(srv, 6)->type, LWM2M_TYPE_BOOLEAN);
	ck_assert_str_eq(dm_resource_find(srv, 7)->name, "Binding");
	ck_assert(dm_resource_find(acl, 2)->multiple);
	ck_assert_str_eq(dm_resource_find(acl, 3)->name, "Access Control Owner");
	ck_assert_str_eq(dev->version, "1.1");
	ck_assert(!dev->multiple);
	ck_assert(dm_resource_find(dev, 11)->multiple);
	ck_assert_int_eq(dm_resource_find(dev, 13)->type, LWM2M_TYPE_TIME);
	ck_assert_str_eq(dm_resource_find(dev, 21)->name, "Memory Total");
	ck_assert_str_eq(dm_object_find(reg, 3303)->version, "1.1");
	ck_assert_int_eq(dm_resource_find(dm_object_find(reg, 3303), 5605)->ops,
	    LWM2M_OP_E);
	ck_assert_int_eq(dm_resource_find(dm_object_find(reg, 3303), 5700)->type,
	    LWM2M_TYPE_FLOAT);
}
END_TEST

/* A valid DDF: fields, sorted resources, ranges, units, version; usable in a store. */
START_TEST(ddf_valid)
{
	char				 path[1024], *cause = NULL;
	const struct dm_object		*o;
	const struct dm_resource	*r;
	bool				 changed;

	snprintf(path, sizeof path, "%s/a-valid.xml", datadir());
	ck_assert_msg(dm_registry_load_file(reg, path, 0, &cause) == 0, "%s", cause);
	o = dm_object_find(reg, 32769);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->name, "Test Valve");
	ck_assert_str_eq(o->version, "1.2");
	ck_assert(o->multiple);
	ck_assert(!o->mandatory);
	ck_assert_uint_eq(o->nresources, 6);
	ck_assert_uint_eq(o->resources[0].rid, 1);
	ck_assert_uint_eq(o->resources[5].rid, 6);
	r = dm_resource_find(o, 1);
	ck_assert_str_eq(r->name, "Position");
	ck_assert_int_eq(r->type, LWM2M_TYPE_INTEGER);
	ck_assert_int_eq(r->ops, LWM2M_OP_RW);
	ck_assert(r->mandatory && !r->multiple && r->has_range);
	ck_assert(r->min == 0 && r->max == 100);
	ck_assert_str_eq(r->units, "%");
	r = dm_resource_find(o, 2);
	ck_assert(r->has_range && r->min == 0 && r->max == 8);
	ck_assert_ptr_null(r->units);
	r = dm_resource_find(o, 3);
	ck_assert(r->multiple && r->type == LWM2M_TYPE_FLOAT);
	ck_assert(r->has_range && r->min == -1.5 && r->max == 2.5);
	r = dm_resource_find(o, 4);
	ck_assert_int_eq(r->type, LWM2M_TYPE_UNSIGNED);
	ck_assert(!r->has_range);	/* "16-bit" is no range */
	r = dm_resource_find(o, 5);
	ck_assert(r->type == LWM2M_TYPE_NONE && r->ops == LWM2M_OP_E);
	ck_assert_int_eq(dm_resource_find(o, 6)->type, LWM2M_TYPE_OBJLNK);

	ck_assert_uint_eq(dm_registry_count(reg), 16);
	ck_assert_int_eq(dm_object_add(st, 32769), 0);
	ck_assert_int_eq(dm_instance_create(st, 32769, 0, NULL), 0);
	ck_assert_str_eq(dm_object_version(st, 32769), "1.2");
	ck_assert_int_eq(dm_set_int(st, P(32769, 0, 1), 100, &changed), 0);
	ck_assert_int_eq(dm_set_int(st, P(32769, 0, 1), 101, NULL),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_set_string(st, P(32769, 0, 2), "12345678", NULL), 0);
	ck_assert_int_eq(dm_set_string(st, P(32769, 0, 2), "123456789", NULL),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_set_float(st, P(32769, 0, 3, 0), 2.5, NULL), 0);
	ck_assert_int_eq(dm_set_float(st, P(32769, 0, 3, 1), 2.6, NULL),
	    LWM2M_ERR_BAD_REQUEST);
	ck_assert_int_eq(dm_set_int(st, P(32769, 0, 4), -1, NULL),
	    LWM2M_ERR_BAD_REQUEST);

	/* Loading it again replaces the loaded definition (same content). */
	dm_store_free(st);
	st = NULL;
	ck_assert_int_eq(dm_registry_load_file(reg, path, 0, &cause), 0);
	ck_assert_uint_eq(dm_registry_count(reg), 16);
}
END_TEST

/* A directory with one good and three bad files: the good one loads; exact errors. */
START_TEST(ddf_dir)
{
	char	*cause = NULL, want[4096];
	size_t	 n = 99;
	const char *d = datadir();

	ck_assert_int_eq(dm_registry_load_dir(reg, d, 0, &n, &cause), -1);
	ck_assert_uint_eq(n, 1);
	snprintf(want, sizeof want,
	    "%s/b-builtin.xml:3: object 3303 is built in (replacing it is not "
	    "allowed)\n"
	    "%s/c-malformed.xml:11: mismatched tag\n"
	    "%s/d-badtype.xml:14: resource 0: unknown Type \"Double\"", d, d, d);
	ck_assert_str_eq(cause, want);
	free(cause);
	ck_assert_ptr_nonnull(dm_object_find(reg, 32769));
	ck_assert_ptr_null(dm_object_find(reg, 32770));
	ck_assert_ptr_null(dm_object_find(reg, 32771));
	ck_assert_ptr_eq(dm_object_find(reg, 3303), dm_builtin_find(3303));

	cause = NULL;
	ck_assert_int_eq(dm_registry_load_dir(reg, "/nonexistent-dm-dir", 0, &n,
	    &cause), -1);
	ck_assert_str_eq(cause, "/nonexistent-dm-dir: No such file or directory");
	free(cause);
}
END_TEST

/* DM_LOAD_REPLACE_BUILTIN lets a DDF replace a built-in object. */
START_TEST(ddf_replace_builtin)
{
	char			 path[1024], *cause = NULL;
	const struct dm_object	*o;

	dm_store_free(st);
	st = NULL;
	snprintf(path, sizeof path, "%s/b-builtin.xml", datadir());
	ck_assert_int_eq(dm_registry_load_file(reg, path, 0, &cause), -1);
	free(cause);
	ck_assert_msg(dm_registry_load_file(reg, path, DM_LOAD_REPLACE_BUILTIN,
	    &cause) == 0, "%s", cause);
	o = dm_object_find(reg, 3303);
	ck_assert_ptr_ne(o, dm_builtin_find(3303));
	ck_assert_str_eq(o->version, "1.0");
	ck_assert_uint_eq(o->nresources, 1);
	/* And again: a loaded definition is freed when replaced (ASan checks). */
	ck_assert_int_eq(dm_registry_load_file(reg, path, DM_LOAD_REPLACE_BUILTIN,
	    &cause), 0);
	ck_assert_uint_eq(dm_registry_count(reg), 15);
}
END_TEST

static char	ddf_tmp[64];

/* Write one DDF body into a temporary file and load it; the error or NULL. */
static char *
ddf_try(const char *body)
{
	char	 path[128], *cause = NULL;
	FILE	*f;

	snprintf(path, sizeof path, "%s/t.xml", ddf_tmp);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(body, f);
	fclose(f);
	if (dm_registry_load_file(reg, path, 0, &cause) == 0)
		return (NULL);
	ck_assert_ptr_nonnull(cause);
	ck_assert(strncmp(cause, path, strlen(path)) == 0);
	/* Strip the directory: messages start "t.xml:LINE:". */
	memmove(cause, cause + strlen(ddf_tmp) + 1, strlen(cause) - strlen(ddf_tmp));
	return (cause);
}

#define OBJ_HEAD	"<LWM2M>\n<Object>\n<Name>X</Name>\n"
#define ITEM(id, body)	"<Item ID=\"" id "\">\n<Name>R</Name>\n" body "</Item>\n"

START_TEST(ddf_errors)
{
	static const struct {
		const char	*body;
		const char	*error;
	} cases[] = {
		{ "", "t.xml:1: no element found" },
		{ "<LWM2M></LWM2M>", "t.xml:1: no <Object> in file" },
		{ "<Objects/>", "t.xml:1: root element is <Objects>, not <LWM2M>" },
		{ OBJ_HEAD "<MultipleInstances>Single</MultipleInstances>\n"
		  "</Object></LWM2M>", "t.xml:2: object without ObjectID" },
		{ OBJ_HEAD "<ObjectID>70000</ObjectID>\n</Object></LWM2M>",
		  "t.xml:4: bad ObjectID \"70000\"" },
		{ OBJ_HEAD "<ObjectID>65535</ObjectID>\n</Object></LWM2M>",
		  "t.xml:4: bad ObjectID \"65535\"" },
		{ OBJ_HEAD "<ObjectID>40000</ObjectID>\n</Object></LWM2M>",
		  "t.xml:2: object 40000 has no MultipleInstances" },
		{ "<LWM2M>\n<Object>\n<ObjectID>40000</ObjectID>\n"
		  "<MultipleInstances>Single</MultipleInstances>\n"
		  "</Object></LWM2M>", "t.xml:2: object 40000 has no Name" },
		{ OBJ_HEAD "<ObjectID>40000</ObjectID>\n"
		  "<MultipleInstances>Many</MultipleInstances>\n</Object></LWM2M>",
		  "t.xml:5: \"Many\" is neither Multiple nor Single" },
		{ OBJ_HEAD "<ObjectID>40000</ObjectID>\n"
		  "<ObjectVersion>v2</ObjectVersion>\n</Object></LWM2M>",
		  "t.xml:5: bad ObjectVersion \"v2\"" },
		{ OBJ_HEAD "<ObjectID>40000</ObjectID>\n<Resources>\n"
		  "<Item>\n</Item>\n</Resources></Object></LWM2M>",
		  "t.xml:6: resource Item without ID" },
		{ OBJ_HEAD "<ObjectID>40000</ObjectID>\n<Resources>\n"
		  ITEM("1", "") ITEM("1", "") "</Resources></Object></LWM2M>",
		  "t.xml:9: resource 1 defined twice" },
		{ OBJ_HEAD "<ObjectID>40000</ObjectID>\n<Resources>\n"
		  ITEM("x1", "") "</Resources></Object></LWM2M>",
		  "t.xml:6: bad resource ID \"x1\"" },
		{ OBJ_HEAD "<ObjectID>40000</ObjectID>\n<Resources>\n"
		  ITEM("1", "<Operations>RWE</Operations>\n")
		  "</Resources></Object></LWM2M>",
		  "t.xml:8: resource 1: unknown Operations \"RWE\"" },
		{ OBJ_HEAD "<ObjectID>40000</ObjectID>\n<Resources>\n"
		  ITEM("1", "<Mandatory>Yes</Mandatory>\n")
		  "</Resources></Object></LWM2M>",
		  "t.xml:8: \"Yes\" is neither Mandatory nor Optional" },
		{ OBJ_HEAD "<ObjectID>40000</ObjectID>\n<Resources>\n"
		  "<Item ID=\"1\">\n<Type>String</Type>\n</Item>\n"
		  "</Resources></Object></LWM2M>",
		  "t.xml:6: resource 1 has no Name" },
		{ OBJ_HEAD "<ObjectID>40000</ObjectID>\n"
		  "<MultipleInstances>Single</MultipleInstances>\n</Object>\n"
		  "<Object>\n<Name>Y</Name>\n<ObjectID>40000</ObjectID>\n"
		  "<MultipleInstances>Single</MultipleInstances>\n</Object>\n"
		  "</LWM2M>", "t.xml:7: object 40000 defined twice" },
		{ OBJ_HEAD "<ObjectID>0</ObjectID>\n"
		  "<MultipleInstances>Single</MultipleInstances>\n</Object></LWM2M>",
		  "t.xml:2: object 0 is built in (replacing it is not allowed)" },
		{ "<LWM2M>\n<Object>\n<Name>&bad;</Name>\n</Object></LWM2M>",
		  "t.xml:3: undefined entity" },
	};
	char	*cause;
	size_t	 i;

	dm_store_free(st);
	st = NULL;
	strcpy(ddf_tmp, "/tmp/check_dm.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(ddf_tmp));
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cause = ddf_try(cases[i].body);
		ck_assert_msg(cause != NULL, "case %zu loaded", i);
		ck_assert_msg(strcmp(cause, cases[i].error) == 0,
		    "case %zu: \"%s\"", i, cause);
		free(cause);
	}
	/* Nothing of the failed files was added. */
	ck_assert_uint_eq(dm_registry_count(reg), 15);
	ck_assert_ptr_null(dm_object_find(reg, 40000));

	/* Two objects in one file, a minimal one is fine. */
	cause = ddf_try(OBJ_HEAD "<ObjectID>40000</ObjectID>\n"
	    "<MultipleInstances>Single</MultipleInstances>\n</Object>\n"
	    "<Object>\n<Name>Y</Name>\n<ObjectID>40001</ObjectID>\n"
	    "<MultipleInstances>Multiple</MultipleInstances>\n"
	    "<Resources>\n" ITEM("3", "<Type>Time</Type><Operations>W</Operations>")
	    "</Resources></Object>\n</LWM2M>");
	ck_assert_ptr_null(cause);
	ck_assert_uint_eq(dm_registry_count(reg), 17);
	ck_assert_str_eq(dm_object_find(reg, 40000)->version, "1.0");
	ck_assert_int_eq(dm_resource_find(dm_object_find(reg, 40001), 3)->type,
	    LWM2M_TYPE_TIME);

	cause = NULL;
	ck_assert_int_eq(dm_registry_load_file(reg, "/nonexistent.xml", 0, &cause),
	    -1);
	ck_assert_str_eq(cause, "/nonexistent.xml: No such file or directory");
	free(cause);

	{
		char p[128];

		snprintf(p, sizeof p, "%s/t.xml", ddf_tmp);
		unlink(p);
		rmdir(ddf_tmp);
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("dm_ddf");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, builtins_sorted);
	tcase_add_test(tc, builtins_numbering);
	tcase_add_test(tc, ddf_valid);
	tcase_add_test(tc, ddf_dir);
	tcase_add_test(tc, ddf_replace_builtin);
	tcase_add_test(tc, ddf_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
