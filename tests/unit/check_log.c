/* Unit tests of the log module: levels, endpoint prefixes, the test hook. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static char	last[1024];
static int	last_pri = -1;
static int	lines;

static void
hook(int pri, const char *line, void *arg)
{
	snprintf(last, sizeof last, "%s", line);
	last_pri = pri;
	lines++;
}

static void
setup(void)
{
	last[0] = '\0';
	last_pri = -1;
	lines = 0;
	log_set_hook(hook, NULL);
	log_set_level(LOG_NOTICE);
}

static void
teardown(void)
{
	log_set_hook(NULL, NULL);
}

START_TEST(level_filters)
{
	log_debug("hidden %d", 1);
	log_info("hidden %d", 2);
	ck_assert_int_eq(lines, 0);
	log_notice("shown %d", 3);
	ck_assert_int_eq(lines, 1);
	ck_assert_str_eq(last, "shown 3");
	ck_assert_int_eq(last_pri, LOG_NOTICE);
	log_set_level(LOG_DEBUG);
	log_debug("now %s", "visible");
	ck_assert_str_eq(last, "now visible");
}
END_TEST

/* A vclient's endpoint is on every line that concerns it. */
START_TEST(endpoint_prefix)
{
	log_ep(LOG_WARNING, "sim0-7", "register failed: %s", "4.03");
	ck_assert_str_eq(last, "sim0-7: register failed: 4.03");
	log_ep(LOG_WARNING, NULL, "x");
	ck_assert_str_eq(last, "-: x");
}
END_TEST

/* Arguments of a filtered-out line are not evaluated (no cost on hot paths). */
START_TEST(filtered_args_not_evaluated)
{
	int	calls = 0;

	log_debug("%d", ++calls);
	log_ep_debug("ep", "%d", ++calls);
	ck_assert_int_eq(calls, 0);
}
END_TEST

START_TEST(level_clamped)
{
	log_set_level(99);
	ck_assert_int_eq(log_get_level(), LOG_DEBUG);
	log_set_level(-5);
	ck_assert_int_eq(log_get_level(), LOG_ERR);
}
END_TEST

START_TEST(long_lines_truncated)
{
	char	big[4096];

	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	log_notice("%s", big);
	ck_assert_uint_eq(strlen(last), 1023);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("log");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, level_filters);
	tcase_add_test(tc, endpoint_prefix);
	tcase_add_test(tc, filtered_args_not_evaluated);
	tcase_add_test(tc, level_clamped);
	tcase_add_test(tc, long_lines_truncated);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
