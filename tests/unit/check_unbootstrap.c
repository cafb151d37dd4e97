/*
 * Unit tests of the unbootstrapping cascade through every removal path (UB-1..3, UB-5,
 * UB-7) and of the rollback of a bootstrap transaction (BS-12), on stores built here.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "bsops_test.h"
#include "cio.h"

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
	/* Spared (sensor) instances stay although, as the servers leave in turn, only
	 * a removed server could access them (BS-4 over UB-1): they lose their ACL. */
	ck_assert_uint_eq(dm_instance_count(st, 3303), 7);
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
	Suite	*s = suite_create("unbootstrap");
	TCase	*tc;
	SRunner	*sr;
	int	 failed;

	tc = tcase_create("ub");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ub_delete_security_instance);
	tcase_add_test(tc, ub7_delete_security_object);
	tcase_add_test(tc, ub7_delete_root);
	tcase_add_test(tc, ub_no_account_no_cascade);
	tcase_add_test(tc, bs12_rollback_leaves_live_store);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
