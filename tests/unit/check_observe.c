/*
 * Information Reporting: change conditions (gt, lt, st), attribute inheritance (resource >
 * instance > object > the server's defaults), and over loopback against a fake server:
 * pmin delays a notification, pmax forces one, gt crossings, Cancel by Observe=1 and by
 * RST, increasing sequence numbers; a stale sensor's observations (issue 8: silent while
 * stale, notified once when fresh, pmin honoured).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "dm.h"
#include "log.h"
#include "../../src/lwm2m/vclient_int.h"
#include "vclient_test.h"
#include "xmalloc.h"

static struct event_base	*base;
static struct vt_server		 srv;
static struct cfg		*cfg;
static struct vclient_ctx	*ctx;
static struct vclient		*vc;
static uint16_t			 port;

static const uint16_t		 iids0[] = { 0 };
static const struct vclient_object objs[] = {
	{ 3303, iids0, 1 },
};

static void
start(uint32_t con_interval)
{
	struct vclient_params	 p;
	struct vclient_desc	 d;
	struct vt_msg		 m;
	char			*cause = NULL;

	base = event_base_new();
	ck_assert_int_eq(vt_server_open(&srv), 0);
	cfg = vt_cfg(1, &srv.port, 60);
	vt_params(&p);
	p.notify_con_interval_s = con_interval;
	ctx = vclient_ctx_create(base, cfg, &p, &cause);
	ck_assert_msg(ctx != NULL, "%s", cause);
	memset(&d, 0, sizeof d);
	d.endpoint = "ep-obs";
	d.objects = objs;
	d.nobjects = 1;
	vc = vclient_create(ctx, &d, &cause);
	ck_assert_msg(vc != NULL, "%s", cause);
	port = vclient_port(vc);
	ck_assert(vt_accept_register(&srv, base, "o", &m));
}

static void
stop(void)
{
	vclient_ctx_free(ctx);
	vt_cfg_free(cfg);
	vt_server_close(&srv);
	event_base_free(base);
}

static void
reading(double f)
{
	struct lwm2m_value	v = { .type = LWM2M_TYPE_FLOAT };

	v.v.f = f;
	ck_assert_int_eq(vclient_reading(vc, &LWM2M_PATH_RES(3303, 0, 5700), &v), 0);
}

static void
put_attrs(const char *path, const char *query)
{
	struct vt_send	s;
	struct vt_msg	m;
	uint8_t		tok[1] = { 0x55 };

	vt_send_init(&s);
	s.code = 3;
	s.path = path;
	s.query = query;
	s.token = tok;
	s.tkl = 1;
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 68);
}

static int64_t
observe(const uint8_t *tok, int64_t obs)
{
	struct vt_send	s;
	struct vt_msg	m;

	vt_send_init(&s);
	s.code = 1;
	s.path = "3303/0/5700";
	s.token = tok;
	s.tkl = 2;
	s.observe = obs;
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 69);
	return m.observe;
}

/* A notification of our token within ms, or false. */
static bool
notified(const uint8_t *tok, int ms, struct vt_msg *m)
{
	while (vt_recv(&srv, base, ms, m, true)) {
		if (m->tkl == 2 && memcmp(m->token, tok, 2) == 0 && m->code == 69)
			return true;
	}
	return false;
}

static bool
payload_is(const struct vt_msg *m, const char *s)
{
	return m->len == strlen(s) && memcmp(m->payload, s, m->len) == 0;
}

START_TEST(thresholds)
{
	struct observe_attrs	a;

	memset(&a, 0, sizeof a);
	/* No change condition: every change notifies. */
	ck_assert(observe_threshold_hit(&a, true, 1, 2));
	a.set = VATTR_GT;
	a.gt = 25;
	ck_assert(!observe_threshold_hit(&a, true, 20, 24));
	ck_assert(observe_threshold_hit(&a, true, 24, 26));	/* up across gt */
	ck_assert(!observe_threshold_hit(&a, true, 26, 30));
	ck_assert(observe_threshold_hit(&a, true, 30, 20));	/* down across gt */
	ck_assert(observe_threshold_hit(&a, false, 0, 20));	/* nothing sent yet */
	a.set = VATTR_LT;
	a.lt = 10;
	ck_assert(!observe_threshold_hit(&a, true, 12, 11));
	ck_assert(observe_threshold_hit(&a, true, 11, 9));
	a.set = VATTR_ST;
	a.st = 0.5;
	ck_assert(!observe_threshold_hit(&a, true, 20, 20.4));
	ck_assert(observe_threshold_hit(&a, true, 20, 20.5));
	ck_assert(observe_threshold_hit(&a, true, 20, 19.4));
	/* Several conditions: any one suffices. */
	a.set = VATTR_GT | VATTR_ST;
	a.gt = 25;
	a.st = 5;
	ck_assert(observe_threshold_hit(&a, true, 24, 26));
	ck_assert(observe_threshold_hit(&a, true, 10, 16));
	ck_assert(!observe_threshold_hit(&a, true, 10, 12));
}
END_TEST

static int
wa(struct lwm2m_path p, const char *q)
{
	const char	*qs[1] = { q };

	return dm_ops_write_attrs(vc, 101, &p, qs, 1);
}

/* Inheritance: resource > instance > object > /1/x/2, /1/x/3. */
START_TEST(inheritance)
{
	struct observe_attrs	a;

	start(86400);
	reading(20);
	ck_assert_int_eq(dm_set_int(vc->store, &LWM2M_PATH_RES(1, 0, 2), 5, NULL), 0);
	ck_assert_int_eq(dm_set_int(vc->store, &LWM2M_PATH_RES(1, 0, 3), 60, NULL), 0);
	observe_attrs_get(vc, 101, &LWM2M_PATH_RES(3303, 0, 5700), &a);
	ck_assert_uint_eq(a.set, VATTR_PMIN | VATTR_PMAX);
	ck_assert_uint_eq(a.pmin, 5);
	ck_assert_uint_eq(a.pmax, 60);
	ck_assert_int_eq(wa(LWM2M_PATH_OBJ(3303), "pmin=10"), 0);
	ck_assert_int_eq(wa(LWM2M_PATH_RES(3303, 0, 5700), "pmax=30"), 0);
	ck_assert_int_eq(wa(LWM2M_PATH_RES(3303, 0, 5700), "gt=25"), 0);
	observe_attrs_get(vc, 101, &LWM2M_PATH_RES(3303, 0, 5700), &a);
	ck_assert_uint_eq(a.pmin, 10);
	ck_assert_uint_eq(a.pmax, 30);
	ck_assert(a.set & VATTR_GT);
	observe_attrs_get(vc, 101, &LWM2M_PATH_INST(3303, 0), &a);
	ck_assert_uint_eq(a.pmin, 10);
	ck_assert_uint_eq(a.pmax, 60);
	ck_assert(!(a.set & VATTR_GT));		/* a resource's condition stays there */
	ck_assert_int_eq(wa(LWM2M_PATH_INST(3303, 0), "pmin=2"), 0);
	observe_attrs_get(vc, 101, &LWM2M_PATH_RES(3303, 0, 5700), &a);
	ck_assert_uint_eq(a.pmin, 2);
	/* Another server's attributes do not apply. */
	observe_attrs_get(vc, 102, &LWM2M_PATH_RES(3303, 0, 5700), &a);
	ck_assert_uint_eq(a.set, 0);
	stop();
}
END_TEST

/* pmin holds a change back; pmax sends without a change; sequence numbers grow. */
START_TEST(pmin_pmax_on_the_wire)
{
	uint8_t		tok[2] = { 0xa, 0xb };
	struct vt_msg	m;
	int64_t		seq, seq2;

	start(86400);
	reading(20);
	put_attrs("3303/0/5700", "pmin=1&pmax=2");
	seq = observe(tok, 0);
	ck_assert(seq >= 0);
	reading(21);
	ck_assert(!notified(tok, 700, &m));		/* held back by pmin */
	ck_assert(notified(tok, 800, &m));
	ck_assert(payload_is(&m, "21"));
	ck_assert_int_eq(m.type, 1);			/* NON */
	ck_assert(m.observe > seq);
	seq2 = m.observe;
	/* No change: pmax (2 s) sends the same value. */
	ck_assert(!notified(tok, 1500, &m));
	ck_assert(notified(tok, 1000, &m));
	ck_assert(payload_is(&m, "21"));
	ck_assert(m.observe > seq2);
	stop();
}
END_TEST

/* gt: only crossings notify; Cancel by Observe=1 ends the observation. */
START_TEST(gt_and_cancel)
{
	uint8_t		tok[2] = { 0xc, 0xd };
	struct vt_msg	m;

	start(86400);
	reading(20);
	put_attrs("3303/0/5700", "gt=25");
	observe(tok, 0);
	reading(22);
	ck_assert(!notified(tok, 300, &m));
	reading(26);
	ck_assert(notified(tok, 300, &m));
	ck_assert(payload_is(&m, "26"));
	reading(27);
	ck_assert(!notified(tok, 300, &m));
	reading(24);
	ck_assert(notified(tok, 300, &m));
	ck_assert(payload_is(&m, "24"));
	ck_assert_int_eq((int)observe(tok, 1), -1);	/* Cancel: no Observe option */
	ck_assert(LIST_EMPTY(&vc->observations));
	reading(30);
	ck_assert(!notified(tok, 300, &m));
	stop();
}
END_TEST

/* epmin: a change within epmin of the last evaluation is evaluated when epmin ends, with
 * the value as it is then; epmax: an evaluation without a reading. */
START_TEST(epmin_epmax)
{
	uint8_t		tok[2] = { 0x3, 0x4 };
	struct vt_msg	m;

	start(86400);
	reading(20);
	put_attrs("3303/0/5700", "epmin=1");
	observe(tok, 0);
	reading(21);
	reading(22);
	ck_assert(!notified(tok, 700, &m));
	ck_assert(notified(tok, 800, &m));
	ck_assert(payload_is(&m, "22"));	/* evaluated once, the value then */
	ck_assert(!notified(tok, 300, &m));
	/* After epmin, a change is evaluated at once. */
	vt_run(base, 800);
	reading(23);
	ck_assert(notified(tok, 300, &m));
	ck_assert(payload_is(&m, "23"));
	/* epmax: a value changed without a reading (dm_set behind observe's back) is
	 * found by the evaluation epmax forces. */
	put_attrs("3303/0/5700", "epmin&epmax=1");
	ck_assert_int_eq(dm_set_float(vc->store, &LWM2M_PATH_RES(3303, 0, 5700), 30,
	    NULL), 0);
	ck_assert(notified(tok, 1500, &m));
	ck_assert(payload_is(&m, "30"));
	stop();
}
END_TEST

/* A RST to a (confirmable) notification cancels the observation. */
START_TEST(rst_cancels)
{
	uint8_t		tok[2] = { 0xe, 0xf };
	struct vt_msg	m;
	struct vt_send	s;

	start(0);	/* every notification confirmable */
	reading(20);
	observe(tok, 0);
	reading(21);
	ck_assert(notified(tok, 500, &m));
	ck_assert_int_eq(m.type, 0);
	vt_send_init(&s);
	s.type = 3;
	s.mid = m.mid;
	vt_send(&srv, port, &s);
	vt_run(base, 50);
	ck_assert(LIST_EMPTY(&vc->observations));
	stop();
}
END_TEST

/* UB-4 hook: removing a server ends its observations; a deleted path ends those on it. */
START_TEST(remove_server_and_path)
{
	uint8_t		tok[2] = { 0x1, 0x2 };

	start(86400);
	reading(20);
	observe(tok, 0);
	ck_assert(!LIST_EMPTY(&vc->observations));
	observe_path_deleted(vc, &LWM2M_PATH_INST(3303, 1));
	ck_assert(!LIST_EMPTY(&vc->observations));
	observe_path_deleted(vc, &LWM2M_PATH_INST(3303, 0));
	ck_assert(LIST_EMPTY(&vc->observations));
	observe(tok, 0);
	observe_remove_server(vc, 102);
	ck_assert(!LIST_EMPTY(&vc->observations));
	observe_remove_server(vc, 101);
	ck_assert(LIST_EMPTY(&vc->observations));
	stop();
}
END_TEST

/* ------------------------------------------------------------------ stale sensor */

static void
observe_at(const char *path, const uint8_t *tok)
{
	struct vt_send	s;
	struct vt_msg	m;

	vt_send_init(&s);
	s.code = 1;
	s.path = path;
	s.token = tok;
	s.tkl = 2;
	s.observe = 0;
	ck_assert(vt_request(&srv, base, port, &s, &m));
	ck_assert_int_eq(m.code, 69);
	ck_assert(m.observe >= 0);
}

/* What arrives within ms: 2.05 notifications of tok and of tok2, anything else for tok. */
static void
collect(const uint8_t *tok, const uint8_t *tok2, int ms, int *n, int *n2, int *other,
    struct vt_msg *last)
{
	struct vt_msg	m;
	uint64_t	end = vclient_now_ms(ctx) + (uint64_t)ms, now;

	*n = *n2 = *other = 0;
	while ((now = vclient_now_ms(ctx)) < end) {
		if (!vt_recv(&srv, base, (int)(end - now), &m, true))
			break;
		if (m.tkl != 2)
			continue;
		if (memcmp(m.token, tok, 2) == 0) {
			if (m.code == 69) {
				(*n)++;
				*last = m;
			} else
				(*other)++;
		} else if (memcmp(m.token, tok2, 2) == 0 && m.code == 69)
			(*n2)++;
	}
}

/*
 * Issue 8: while the sensor is stale its observations send nothing, not even pmax (no
 * error notification either: the observation survives), /3/0's go on; fresh again, the
 * value is notified once at once, changed or not, and pmax runs again.
 */
START_TEST(stale_silent_then_fresh)
{
	uint8_t		tok[2] = { 0x21, 0x22 }, dtok[2] = { 0x31, 0x32 };
	struct vt_msg	m;
	int		n, nd, other;

	start(86400);
	reading(20);
	put_attrs("3303/0/5700", "pmax=1");
	put_attrs("3/0/16", "pmax=1");
	observe(tok, 0);
	observe_at("3/0/16", dtok);
	collect(tok, dtok, 1300, &n, &nd, &other, &m);
	ck_assert_int_ge(n, 1);			/* pmax works before */
	ck_assert_int_ge(nd, 1);

	vclient_set_stale(vc, true);
	collect(tok, dtok, 2500, &n, &nd, &other, &m);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(other, 0);
	ck_assert_int_ge(nd, 2);		/* /3/0 is not the sensor's */
	ck_assert(!LIST_EMPTY(&vc->observations));

	/* Fresh with the value it had: notified now all the same, it is live again. */
	vclient_set_stale(vc, false);
	reading(20);
	ck_assert(notified(tok, 300, &m));
	ck_assert(payload_is(&m, "20"));
	ck_assert(notified(tok, 1300, &m));	/* pmax again */

	/* Fresh with a changed value: one notification, not one per cause. */
	vclient_set_stale(vc, true);
	vt_run(base, 200);
	vclient_set_stale(vc, false);
	reading(25);
	collect(tok, dtok, 600, &n, &nd, &other, &m);
	ck_assert_int_eq(n, 1);
	ck_assert(payload_is(&m, "25"));
	stop();
}
END_TEST

/* Fresh again within pmin of the last notification: the notification waits for pmin. */
START_TEST(stale_fresh_waits_pmin)
{
	uint8_t		tok[2] = { 0x41, 0x42 }, none[2] = { 0, 0 };
	struct vt_msg	m;
	int		n, nd, other;

	start(86400);
	reading(20);
	put_attrs("3303/0/5700", "pmin=1");
	observe(tok, 0);
	vclient_set_stale(vc, true);
	vclient_set_stale(vc, false);
	reading(21);
	collect(tok, none, 600, &n, &nd, &other, &m);
	ck_assert_int_eq(n, 0);
	ck_assert(notified(tok, 700, &m));
	ck_assert(payload_is(&m, "21"));
	collect(tok, none, 300, &n, &nd, &other, &m);
	ck_assert_int_eq(n, 0);			/* once */
	stop();
}
END_TEST

static Suite *
observe_suite(void)
{
	Suite	*s = suite_create("observe");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, thresholds);
	tcase_add_test(tc, inheritance);
	tcase_add_test(tc, pmin_pmax_on_the_wire);
	tcase_add_test(tc, gt_and_cancel);
	tcase_add_test(tc, epmin_epmax);
	tcase_add_test(tc, rst_cancels);
	tcase_add_test(tc, remove_server_and_path);
	tcase_add_test(tc, stale_silent_then_fresh);
	tcase_add_test(tc, stale_fresh_waits_pmin);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 nfailed;

	log_open(LOG_TARGET_STDERR, getenv("VT_DEBUG") != NULL ? LOG_DEBUG : LOG_ERR,
	    "check_observe");
	sr = srunner_create(observe_suite());
	srunner_run_all(sr, CK_NORMAL);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
