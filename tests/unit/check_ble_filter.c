/*
 * BLE device selection (src/south/ble_filter.c, lwgw issue 10): UUID forms, the name a
 * device goes by, and the allow-list, uuids and name_pattern filters, all of which must hold.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ble_decode.h"
#include "ble_filter.h"
#include "cfg.h"

static const uint8_t ess[16] = {
	0x00, 0x00, 0x18, 0x1a, 0x00, 0x00, 0x10, 0x00,
	0x80, 0x00, 0x00, 0x80, 0x5f, 0x9b, 0x34, 0xfb
};

START_TEST(test_uuid_forms)
{
	uint8_t	a[16], b[16];

	ck_assert_int_eq(ble_uuid_parse("181a", a), 0);
	ck_assert_mem_eq(a, ess, 16);
	ck_assert_int_eq(ble_uuid_parse("0000181A", b), 0);
	ck_assert_mem_eq(b, ess, 16);
	ck_assert_int_eq(ble_uuid_parse("0000181a-0000-1000-8000-00805F9B34FB", b), 0);
	ck_assert_mem_eq(b, ess, 16);
	/* A vendor's 128-bit UUID is not a short one. */
	ck_assert_int_eq(ble_uuid_parse("0000181a-0000-1000-8000-00805f9b34fc", b), 0);
	ck_assert_int_ne(memcmp(b, ess, 16), 0);
	ck_assert_int_eq(ble_uuid_parse("1234abcd", b), 0);
	ck_assert_uint_eq(b[0], 0x12);
	ck_assert_uint_eq(b[3], 0xcd);
	ck_assert_mem_eq(b + 4, ess + 4, 12);

	memset(a, 0xee, sizeof a);
	ck_assert_int_eq(ble_uuid_parse("", a), -1);
	ck_assert_int_eq(ble_uuid_parse("181", a), -1);
	ck_assert_int_eq(ble_uuid_parse("181g", a), -1);
	ck_assert_int_eq(ble_uuid_parse("0x181a", a), -1);
	ck_assert_int_eq(ble_uuid_parse("0000181a00001000800000805f9b34fb", a), -1);
	ck_assert_int_eq(ble_uuid_parse("0000181a-0000-1000-8000+00805f9b34fb", a), -1);
	ck_assert_int_eq(ble_uuid_parse("0000181a-0000-1000-80000-0805f9b34fb", a), -1);
	ck_assert_uint_eq(a[0], 0xee);	/* untouched on failure */
}
END_TEST

START_TEST(test_name)
{
	const char	*addr = "AA:BB:CC:DD:EE:0f";

	ck_assert_str_eq(ble_filter_name(addr, "Thermo 1", "mine"), "Thermo 1");
	ck_assert_str_eq(ble_filter_name(addr, NULL, "mine"), "mine");
	ck_assert_str_eq(ble_filter_name(addr, "", "mine"), "mine");
	/* BlueZ's Alias of a device without a name is its address. */
	ck_assert_ptr_null(ble_filter_name(addr, NULL, "AA-BB-CC-DD-EE-0F"));
	ck_assert_ptr_null(ble_filter_name(addr, "", "aa-bb-cc-dd-ee-0f"));
	ck_assert_str_eq(ble_filter_name(addr, NULL, "AA-BB-CC-DD-EE-0E"),
	    "AA-BB-CC-DD-EE-0E");
	ck_assert_ptr_null(ble_filter_name(addr, NULL, NULL));
	ck_assert_ptr_null(ble_filter_name(addr, NULL, ""));
}
END_TEST

static struct cfg_link *
link_new(void)
{
	struct cfg_link	*lc = calloc(1, sizeof *lc);

	ck_assert_ptr_nonnull(lc);
	lc->name = (char *)"ble0";
	lc->name_pattern = (char *)"";
	return (lc);
}

/* The reason, or NULL when the device passes. */
static char *
why(const struct cfg_link *lc, const char *addr, const char *name,
    const uint8_t (*u)[16], size_t n)
{
	char	*cause = NULL;
	int	 rc = ble_filter_match(lc, addr, name, u, n, &cause);

	if (rc == 0) {
		ck_assert_ptr_null(cause);
		return (NULL);
	}
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(cause);
	return (cause);
}

static void
assert_why(const struct cfg_link *lc, const char *addr, const char *name,
    const uint8_t (*u)[16], size_t n, const char *want)
{
	char	*got = why(lc, addr, name, u, n);

	if (want == NULL)
		ck_assert_msg(got == NULL, "refused: %s", got);
	else {
		ck_assert_msg(got != NULL, "passed, expected: %s", want);
		ck_assert_str_eq(got, want);
	}
	free(got);
}

START_TEST(test_no_filters)
{
	struct cfg_link	*lc = link_new();

	assert_why(lc, "AA:BB:CC:DD:EE:01", NULL, NULL, 0, NULL);
	lc->name_pattern = NULL;
	assert_why(lc, "AA:BB:CC:DD:EE:01", "x", NULL, 0, NULL);
	free(lc);
}
END_TEST

START_TEST(test_uuids)
{
	struct cfg_link	*lc = link_new();
	char		 u1[] = "fcd2", u2[] = "0000181a-0000-1000-8000-00805f9b34fb";
	char		*want[] = { u1, u2 };
	uint8_t		 seen[3][16];

	lc->uuids = want;
	lc->nuuids = 2;
	assert_why(lc, "AA:BB:CC:DD:EE:01", "x", NULL, 0,
	    "advertises no services (uuids)");
	ck_assert_int_eq(ble_uuid_parse("180f", seen[0]), 0);
	ck_assert_int_eq(ble_uuid_parse("0000fe95-0000-1000-8000-00805f9b34fc",
	    seen[1]), 0);
	assert_why(lc, "AA:BB:CC:DD:EE:01", "x", (const uint8_t (*)[16])seen, 2,
	    "advertises none of uuids (only 180f, "
	    "0000fe95-0000-1000-8000-00805f9b34fc)");
	/* The 16-bit form advertised, the 128-bit one configured, and back. */
	ck_assert_int_eq(ble_uuid_parse("181a", seen[2]), 0);
	assert_why(lc, "AA:BB:CC:DD:EE:01", "x", (const uint8_t (*)[16])seen, 3, NULL);
	ck_assert_int_eq(ble_uuid_parse("0000fcd2-0000-1000-8000-00805f9b34fb",
	    seen[2]), 0);
	assert_why(lc, "AA:BB:CC:DD:EE:01", "x", (const uint8_t (*)[16])seen, 3, NULL);
	free(lc);
}
END_TEST

START_TEST(test_name_pattern)
{
	struct cfg_link	*lc = link_new();

	lc->name_pattern = (char *)"Thermo*";
	assert_why(lc, "AA:BB:CC:DD:EE:01", "Thermo", NULL, 0, NULL);
	assert_why(lc, "AA:BB:CC:DD:EE:01", "Thermo-42", NULL, 0, NULL);
	assert_why(lc, "AA:BB:CC:DD:EE:01", "thermo-42", NULL, 0,
	    "name \"thermo-42\" does not match name_pattern");
	assert_why(lc, "AA:BB:CC:DD:EE:01", "My Thermo", NULL, 0,
	    "name \"My Thermo\" does not match name_pattern");
	assert_why(lc, "AA:BB:CC:DD:EE:01", NULL, NULL, 0,
	    "has no name (yet) to match name_pattern");
	/* What came over the air is made fit for a log line. */
	assert_why(lc, "AA:BB:CC:DD:EE:01", "a\n\"b", NULL, 0,
	    "name \"a??b\" does not match name_pattern");
	lc->name_pattern = (char *)"LYWSD0[0-9]MMC";
	assert_why(lc, "AA:BB:CC:DD:EE:01", "LYWSD03MMC", NULL, 0, NULL);
	assert_why(lc, "AA:BB:CC:DD:EE:01", "LYWSD0xMMC", NULL, 0,
	    "name \"LYWSD0xMMC\" does not match name_pattern");
	free(lc);
}
END_TEST

/* Every configured filter must hold; the allow-list is asked first. */
START_TEST(test_and)
{
	struct cfg_link	*lc = link_new();
	char		 a1[] = "AA:BB:CC:DD:EE:0F", u1[] = "181a";
	char		*allow[] = { a1 };
	char		*want[] = { u1 };
	uint8_t		 seen[1][16];

	lc->allow = allow;
	lc->nallow = 1;
	lc->uuids = want;
	lc->nuuids = 1;
	lc->name_pattern = (char *)"T*";
	ck_assert_int_eq(ble_uuid_parse("181a", seen[0]), 0);
	assert_why(lc, "aa:bb:cc:dd:ee:0f", "Temp", (const uint8_t (*)[16])seen, 1,
	    NULL);
	assert_why(lc, "AA:BB:CC:DD:EE:0E", "Temp", (const uint8_t (*)[16])seen, 1,
	    "not in allow");
	assert_why(lc, "AA:BB:CC:DD:EE:0F", "Temp", NULL, 0,
	    "advertises no services (uuids)");
	assert_why(lc, "AA:BB:CC:DD:EE:0F", "temp", (const uint8_t (*)[16])seen, 1,
	    "name \"temp\" does not match name_pattern");
	free(lc);
}
END_TEST

static Suite *
ble_filter_suite(void)
{
	Suite	*s = suite_create("ble_filter");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_uuid_forms);
	tcase_add_test(tc, test_name);
	tcase_add_test(tc, test_no_filters);
	tcase_add_test(tc, test_uuids);
	tcase_add_test(tc, test_name_pattern);
	tcase_add_test(tc, test_and);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(ble_filter_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
