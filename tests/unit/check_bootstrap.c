/*
 * The bootstrap state machine of a real vclient against fake Bootstrap-Server and LwM2M
 * servers on loopback (tests/unit/vclient_test.c): client-initiated sequence (BS-1..5),
 * durable before 2.04 (BS-12), 4.06 and correction (BS-5), Finish by silence (BS-6),
 * quiet during bootstrap (BS-7), server-initiated (BS-9), rollback (BS-12), removal of a
 * server's account with De-register and observations (UB-4..7), BS-8 purge, BS-10
 * re-bootstrap triggers (Bootstrap-Request Trigger, every server failed, Hold Off Time).
 */
#include "config.h"

#include <sys/stat.h>

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bootstrap.h"
#include "codec.h"
#include "dm.h"
#include "log.h"
#include "persist.h"
#include "../../src/lwm2m/bootstrap_int.h"
#include "vclient_test.h"
#include "xmalloc.h"

static struct event_base	*base;
static struct vt_server		 bs, sa, sb;
static struct cfg		*cfg;
static struct vclient_ctx	*ctx;
static char			 statedir[64];
static uint8_t			 tokn;

static const uint16_t		 temp_iids[] = { 0 };
static const struct vclient_object temp_objs[] = {
	{ 3303, temp_iids, 1 },
};

#define C(c, d)		(((c) << 5) | (d))

static void
setup_n(size_t nservers, int exchange_ms, int account_timeout)
{
	struct vclient_params	 p;
	uint16_t		 ports[2];
	char			*cause = NULL;

	base = event_base_new();
	ck_assert_int_eq(vt_server_open(&bs), 0);
	ck_assert_int_eq(vt_server_open(&sa), 0);
	ck_assert_int_eq(vt_server_open(&sb), 0);
	ports[0] = sa.port;
	ports[1] = sb.port;
	cfg = vt_cfg(nservers, ports, 60);
	cfg->has_bootstrap = true;
	xasprintf(&cfg->bootstrap.uri, "coap://127.0.0.1:%u", bs.port);
	cfg->bootstrap.security = CFG_SECURITY_NOSEC;
	cfg->bootstrap.account_timeout = account_timeout;
	cfg->coap.exchange_lifetime_ms = exchange_ms;
	snprintf(statedir, sizeof statedir, "/tmp/check_bootstrap_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(statedir));
	free(cfg->gateway.state_dir);
	cfg->gateway.state_dir = xstrdup(statedir);
	vt_params(&p);
	ctx = vclient_ctx_create(base, cfg, &p, &cause);
	ck_assert_msg(ctx != NULL, "%s", cause);
}

static void
teardown(void)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[512];

	vclient_ctx_free(ctx);
	free(cfg->bootstrap.uri);
	vt_cfg_free(cfg);
	vt_server_close(&bs);
	vt_server_close(&sa);
	vt_server_close(&sb);
	event_base_free(base);
	if ((d = opendir(statedir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", statedir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(statedir);
}

static struct vclient *
make_vc(const char *ep)
{
	struct vclient_desc	 d;
	struct vclient		*vc;
	char			*cause = NULL;

	memset(&d, 0, sizeof d);
	d.endpoint = ep;
	d.objects = temp_objs;
	d.nobjects = 1;
	vc = vclient_create(ctx, &d, &cause);
	ck_assert_msg(vc != NULL, "%s", cause);
	return vc;
}

/* A request from server s to the vclient; the response code (0: none). */
static uint8_t
op(struct vt_server *s, struct vclient *vc, uint8_t code, const char *path, int fmt,
    int accept, const void *payload, size_t len, struct vt_msg *rsp)
{
	struct vt_send	v;
	struct vt_msg	m;
	uint8_t		tok[2] = { 0xb5, ++tokn };

	vt_send_init(&v);
	v.code = code;
	v.path = path;
	v.format = fmt;
	v.accept = accept;
	v.payload = payload;
	v.len = len;
	v.token = tok;
	v.tkl = 2;
	if (rsp == NULL)
		rsp = &m;
	if (!vt_request(s, base, vclient_port(vc), &v, rsp))
		return (0);
	return (rsp->code);
}

static uint8_t
bs_op(struct vclient *vc, uint8_t code, const char *path, const void *payload,
    size_t len, struct vt_msg *rsp)
{
	return (op(&bs, vc, code, path, payload != NULL ? LWM2M_FMT_TLV : -1, -1,
	    payload, len, rsp));
}

static uint8_t
finish(struct vclient *vc)
{
	return (bs_op(vc, 2, "bs", NULL, 0, NULL));
}

/* Wait for the Bootstrap-Request and accept it (BS-1). */
static void
accept_request(const char *ep)
{
	struct vt_msg	m;
	char		want[128];

	ck_assert(vt_recv(&bs, base, 3000, &m, true));
	ck_assert_int_eq(m.code, 2);
	ck_assert_str_eq(m.path, "bs");
	snprintf(want, sizeof want, "ep=%s&pct=11542", ep);
	ck_assert_str_eq(m.query, want);
	vt_reply(&bs, &m, C(2, 4), NULL);
	vt_run(base, 20);
}

#define P(...)		(&(struct lwm2m_path){ { __VA_ARGS__ }, \
	sizeof ((uint16_t[]){ __VA_ARGS__ }) / sizeof (uint16_t) })
#define EI(p_, x_)	{ *(p_), { .type = LWM2M_TYPE_INTEGER, .v.i = (x_) } }
#define EB(p_, x_)	{ *(p_), { .type = LWM2M_TYPE_BOOLEAN, .v.b = (x_) } }
#define ESN(p_, s_, n_)	{ *(p_), { .type = LWM2M_TYPE_STRING, \
	.v.bytes = { (const uint8_t *)(s_), (n_) } } }
#define EO0(p_)		{ *(p_), { .type = LWM2M_TYPE_OPAQUE, .v.bytes = { NULL, 0 } } }

/* Bootstrap-Write of a NoSec Security instance /0/iid for server ssid at port. */
static uint8_t
write_sec(struct vclient *vc, uint16_t iid, int ssid, uint16_t port)
{
	char			uri[64], path[16];
	uint8_t			b[256];
	size_t			n;
	struct codec_entry	e[7];
	struct codec_entry	t[] = {
		ESN(P(0, iid, 0), uri, 0),
		EB(P(0, iid, 1), false),
		EI(P(0, iid, 2), DM_SECMODE_NOSEC),
		EO0(P(0, iid, 3)),
		EO0(P(0, iid, 4)),
		EO0(P(0, iid, 5)),
		EI(P(0, iid, 10), ssid),
	};

	snprintf(uri, sizeof uri, "coap://127.0.0.1:%u", port);
	memcpy(e, t, sizeof e);
	e[0].value.v.bytes.len = strlen(uri);
	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, P(0, iid), e, 7, b, sizeof b, &n),
	    0);
	snprintf(path, sizeof path, "0/%u", iid);
	return (bs_op(vc, 3, path, b, n, NULL));
}

/* Bootstrap-Write of a Server instance /1/iid. */
static uint8_t
write_srv(struct vclient *vc, uint16_t iid, int ssid)
{
	char			path[16];
	uint8_t			b[128];
	size_t			n;
	struct codec_entry	e[] = {
		EI(P(1, iid, 0), ssid),
		EI(P(1, iid, 1), 60),
		EB(P(1, iid, 6), true),
		ESN(P(1, iid, 7), "U", 1),
	};

	ck_assert_int_eq(codec_encode(LWM2M_FMT_TLV, P(1, iid), e, 4, b, sizeof b, &n),
	    0);
	snprintf(path, sizeof path, "1/%u", iid);
	return (bs_op(vc, 3, path, b, n, NULL));
}

/* The state file of ep, loaded into a fresh store: does it have /oid/iid? */
static bool
saved_has(const char *ep, uint16_t oid, uint16_t iid)
{
	struct dm_store		*st;
	struct persist_meta	 meta;
	char			*cause = NULL;
	bool			 has;
	int			 rc;

	st = dm_store_create(ctx->registry);
	dm_object_add(st, 0);
	dm_object_add(st, 1);
	dm_object_add(st, 2);
	dm_object_add(st, 3);
	dm_object_add(st, 3303);
	memset(&meta, 0, sizeof meta);
	rc = persist_load(statedir, ep, st, &meta, &cause);
	ck_assert_msg(rc >= 0, "%s", cause);
	has = rc == 0 && dm_instance_exists(st, oid, iid);
	dm_store_free(st);
	return (has);
}

/* Observe /3303/0/5700 from server s; the token's second byte is tag. */
static void
observe(struct vt_server *s, struct vclient *vc, uint8_t tag)
{
	struct vt_send	v;
	struct vt_msg	m;
	uint8_t		tok[2] = { 0x0b, tag };

	vt_send_init(&v);
	v.code = 1;
	v.path = "3303/0/5700";
	v.token = tok;
	v.tkl = 2;
	v.observe = 0;
	ck_assert(vt_request(s, base, vclient_port(vc), &v, &m));
	ck_assert_int_eq(m.code, C(2, 5));
	ck_assert(m.observe >= 0);
}

/*
 * With two servers, instances need an ACL (AC-3): owner A, both may read; with a default
 * entry the instance is not exclusive to anyone and survives every removal (UB-1).
 */
static void
acl_both(struct vclient *vc, bool dflt)
{
	uint16_t	x;

	ck_assert_int_eq(dm_acl_instance_create(vc->store, 3303, 0, 101, &x), 0);
	if (dflt)
		ck_assert_int_eq(dm_acl_entry_set(vc->store, x, 0, DM_ACL_READ), 0);
	ck_assert_int_eq(dm_acl_entry_set(vc->store, x, 101, DM_ACL_READ), 0);
	ck_assert_int_eq(dm_acl_entry_set(vc->store, x, 102, DM_ACL_READ), 0);
}

static void
reading(struct vclient *vc, double f)
{
	struct lwm2m_value	v = { .type = LWM2M_TYPE_FLOAT, .v.f = f };

	ck_assert_int_eq(vclient_reading(vc, &LWM2M_PATH_RES(3303, 0, 5700), &v), 0);
}

/*
 * Collect what server s receives for ms: answer Updates (2.04), De-registers (2.02) and
 * CON notifications (ACK). Counts De-registers and notifications.
 */
static void
drain(struct vt_server *s, int ms, int *deregs, int *notifs)
{
	struct vt_msg	m;

	while (vt_recv(s, base, ms, &m, true)) {
		if (m.code == 4 && strncmp(m.path, "rd/", 3) == 0) {
			(*deregs)++;
			vt_reply(s, &m, C(2, 2), NULL);
		} else if (m.code == 2 && strncmp(m.path, "rd/", 3) == 0) {
			vt_reply(s, &m, C(2, 4), NULL);
		} else if (m.code == C(2, 5) && m.observe >= 0) {
			(*notifs)++;
			if (m.type == 0)
				vt_reply(s, &m, 0, NULL);
		}
	}
}

/* ------------------------------------------------------------------ tests */

/* BS-1, BS-3, BS-4, BS-2, BS-5, BS-12: the whole client-initiated sequence. */
START_TEST(bs1_client_initiated_sequence)
{
	struct vclient	*vc;
	struct vt_msg	 m;
	const char	*want = "</>;lwm2m=1.1,</0/0>,</1>,</2>,</3/0>,"
	    "</3303>;ver=1.1,</3303/0>";

	setup_n(0, 60000, 0);
	vc = make_vc("ep-bs1");
	accept_request("ep-bs1");
	ck_assert(bootstrap_active(vc));
	ck_assert_int_eq(vclient_state(vc), VCLIENT_BOOTSTRAPPING);
	/* BS-3 on the factory configuration: only the Bootstrap-Server account. */
	ck_assert_uint_eq(op(&bs, vc, 1, NULL, -1, 40, NULL, 0, &m), C(2, 5));
	ck_assert_int_eq(m.format, 40);
	ck_assert_msg(m.len == strlen(want) && memcmp(m.payload, want, m.len) == 0,
	    "%.*s", (int)m.len, m.payload);
	/* BS-4, BS-2. */
	ck_assert_uint_eq(bs_op(vc, 4, NULL, NULL, 0, NULL), C(2, 2));
	ck_assert_uint_eq(write_sec(vc, 1, 101, sa.port), C(2, 4));
	ck_assert_uint_eq(write_sec(vc, 2, 102, sb.port), C(2, 4));
	ck_assert_uint_eq(write_srv(vc, 0, 101), C(2, 4));
	ck_assert_uint_eq(write_srv(vc, 1, 102), C(2, 4));
	/* Nothing is live (nor on disk) before Finish (BS-12). */
	ck_assert(!dm_instance_exists(vc->store, 1, 0));
	ck_assert(!saved_has("ep-bs1", 1, 1));
	ck_assert_uint_eq(finish(vc), C(2, 4));
	/* BS-12: when 2.04 arrives the configuration is on disk already. */
	ck_assert(saved_has("ep-bs1", 1, 0));
	ck_assert(saved_has("ep-bs1", 1, 1));
	ck_assert(saved_has("ep-bs1", 0, 0));	/* the Bootstrap-Server account */
	/* New accounts are used at once: both servers get a Register. */
	ck_assert(vt_accept_register(&sa, base, "a1", &m));
	ck_assert(vt_accept_register(&sb, base, "b1", &m));
	vt_run(base, 50);
	ck_assert(!bootstrap_active(vc));
	ck_assert_int_eq(vclient_state(vc), VCLIENT_REGISTERED);
	teardown();
}
END_TEST

/* BS-5: 4.06 on an inconsistent Finish, still bootstrapping; corrected, 2.04. */
START_TEST(bs5_inconsistent_finish_then_corrected)
{
	struct vclient	*vc;
	struct vt_msg	 m;

	setup_n(0, 60000, 0);
	vc = make_vc("ep-bs5");
	accept_request("ep-bs5");
	ck_assert_uint_eq(write_sec(vc, 1, 101, sa.port), C(2, 4));
	ck_assert_uint_eq(finish(vc), C(4, 6));
	ck_assert(bootstrap_active(vc));
	ck_assert(!saved_has("ep-bs5", 0, 1));
	ck_assert(!vt_recv(&sa, base, 200, &m, true));
	ck_assert_uint_eq(write_srv(vc, 0, 101), C(2, 4));
	ck_assert_uint_eq(finish(vc), C(2, 4));
	ck_assert(vt_accept_register(&sa, base, "a1", &m));
	teardown();
}
END_TEST

/* BS-6: no Finish, a consistent configuration: taken after EXCHANGE_LIFETIME. */
START_TEST(bs6_silence_consistent_commits)
{
	struct vclient	*vc;
	struct vt_msg	 m;

	setup_n(0, 800, 0);
	vc = make_vc("ep-bs6");
	accept_request("ep-bs6");
	ck_assert_uint_eq(write_sec(vc, 1, 101, sa.port), C(2, 4));
	ck_assert_uint_eq(write_srv(vc, 0, 101), C(2, 4));
	/* Not before the silence has lasted. */
	ck_assert(!vt_recv(&sa, base, 400, &m, true));
	ck_assert(bootstrap_active(vc));
	ck_assert(vt_accept_register(&sa, base, "a1", &m));
	ck_assert(saved_has("ep-bs6", 1, 0));
	teardown();
}
END_TEST

/* BS-6, BS-12: silence on an inconsistent configuration: rolled back, bootstrap again. */
START_TEST(bs6_silence_inconsistent_rolls_back)
{
	struct vclient	*vc;

	setup_n(0, 600, 0);
	vc = make_vc("ep-bs6b");
	accept_request("ep-bs6b");
	ck_assert_uint_eq(write_sec(vc, 1, 101, sa.port), C(2, 4));
	vt_run(base, 900);
	/* Rolled back; maybe already requesting a new bootstrap (BS-10). */
	ck_assert(!bootstrap_active(vc) || vc->bs->phase == BOOTSTRAP_REQUEST);
	ck_assert(!dm_instance_exists(vc->store, 0, 1));
	ck_assert(!saved_has("ep-bs6b", 0, 1));
	/* Backoff, then a new Bootstrap-Request. */
	accept_request("ep-bs6b");
	teardown();
}
END_TEST

/*
 * BS-9 (server-initiated on a registered client), BS-7 (a server's Read is not answered
 * during the sequence), UB-4..6 (Delete /0/1 removes server A: De-register to A only at
 * commit, A's observation ends), B untouched and still notified.
 */
START_TEST(ub_remove_one_server)
{
	struct vclient	*vc;
	struct vt_msg	 m;
	int		 da = 0, db = 0, na = 0, nb = 0;

	setup_n(2, 60000, 0);
	vc = make_vc("ep-ub");
	ck_assert(vt_accept_register(&sa, base, "a1", &m));
	ck_assert(vt_accept_register(&sb, base, "b1", &m));
	acl_both(vc, false);
	reading(vc, 20.0);
	observe(&sa, vc, 1);
	observe(&sb, vc, 2);

	/* BS-9: a Discover without Request opens a sequence. */
	ck_assert_uint_eq(op(&bs, vc, 1, NULL, -1, 40, NULL, 0, &m), C(2, 5));
	ck_assert(bootstrap_active(vc));
	/* BS-7: A's Read gets an empty ACK and never an answer. */
	ck_assert_uint_eq(op(&sa, vc, 1, "3/0", -1, -1, NULL, 0, &m), 0);
	/* Factory layout: BS /0/0, A /0/1 + /1/0, B /0/2 + /1/1. */
	ck_assert_uint_eq(bs_op(vc, 4, "0/1", NULL, 0, NULL), C(2, 2));
	/* UB-6 at commit: A hears nothing while the sequence may still roll back. */
	drain(&sa, 300, &da, &na);
	ck_assert_int_eq(da, 0);
	ck_assert_uint_eq(finish(vc), C(2, 4));
	drain(&sa, 500, &da, &na);
	drain(&sb, 300, &db, &nb);
	ck_assert_int_eq(da, 1);		/* UB-6 */
	ck_assert_int_eq(db, 0);
	ck_assert(!dm_instance_exists(vc->store, 1, 0));	/* UB-5 */
	ck_assert(dm_instance_exists(vc->store, 1, 1));
	ck_assert_ptr_null(vclient_peer_find(vc, 101));
	ck_assert_ptr_nonnull(vclient_peer_find(vc, 102));
	ck_assert(registration_is_registered(vclient_peer_find(vc, 102)));
	/* UB-2, UB-3: A's entry is gone and B owns the shared instance now. */
	ck_assert(!dm_exists(vc->store, P(2, 0, 2, 101)));
	ck_assert_uint_eq(dm_acl_owner(vc->store, 3303, 0), 102);
	/* UB-4: a new value reaches B only. */
	na = nb = 0;
	reading(vc, 25.0);
	drain(&sb, 400, &db, &nb);
	drain(&sa, 100, &da, &na);
	ck_assert_int_eq(nb, 1);
	ck_assert_int_eq(na, 0);
	ck_assert(!saved_has("ep-ub", 1, 0));
	ck_assert(saved_has("ep-ub", 1, 1));
	teardown();
}
END_TEST

/* UB-7: Delete /0 and Delete / remove every account; B is written back and registers
 * again, A only gets its De-register. */
static const char *const ub7_paths[] = { "0", NULL };

START_TEST(ub7_remove_all_rewrite_b)
{
	struct vclient	*vc;
	struct vt_msg	 m;
	int		 da = 0, db = 0, na = 0, nb = 0;

	setup_n(2, 60000, 0);
	vc = make_vc("ep-ub7");
	ck_assert(vt_accept_register(&sa, base, "a1", &m));
	ck_assert(vt_accept_register(&sb, base, "b1", &m));
	acl_both(vc, true);
	reading(vc, 20.0);
	observe(&sb, vc, 2);
	ck_assert_uint_eq(bs_op(vc, 4, ub7_paths[_i], NULL, 0, NULL), C(2, 2));
	/* UB-5: the cascade took the Server instances along, even for Delete /0. */
	ck_assert_uint_eq(bs_op(vc, 1, "1", NULL, 0, &m), C(2, 5));
	ck_assert_uint_eq(m.len, 0);
	ck_assert_uint_eq(write_sec(vc, 2, 102, sb.port), C(2, 4));
	ck_assert_uint_eq(write_srv(vc, 1, 102), C(2, 4));
	ck_assert_uint_eq(finish(vc), C(2, 4));
	drain(&sa, 400, &da, &na);
	ck_assert_int_eq(da, 1);
	/* B: De-register (its account was removed), then a fresh Register. */
	ck_assert(vt_recv(&sb, base, 1000, &m, true));
	ck_assert_int_eq(m.code, 4);
	ck_assert_str_eq(m.path, "rd/b1");
	vt_reply(&sb, &m, C(2, 2), NULL);
	ck_assert(vt_accept_register(&sb, base, "b2", &m));
	/* UB-4: B's old observation is gone with its old account. */
	reading(vc, 30.0);
	drain(&sb, 300, &db, &nb);
	ck_assert_int_eq(nb, 0);
	ck_assert_ptr_null(vclient_peer_find(vc, 101));
	teardown();
}
END_TEST

/* BS-12: a 4.06 then silence leaves the registered configuration; no De-register. */
START_TEST(bs12_rollback_keeps_servers)
{
	struct vclient	*vc;
	struct vt_msg	 m;
	int		 da = 0, db = 0, na = 0, nb = 0;

	setup_n(2, 700, 0);
	vc = make_vc("ep-bs12");
	ck_assert(vt_accept_register(&sa, base, "a1", &m));
	ck_assert(vt_accept_register(&sb, base, "b1", &m));
	ck_assert_uint_eq(bs_op(vc, 4, NULL, NULL, 0, NULL), C(2, 2));
	ck_assert_uint_eq(finish(vc), C(4, 6));
	vt_run(base, 1000);
	/* Rolled back; a registered client stays with its servers (no new Request). */
	ck_assert(!bootstrap_active(vc));
	ck_assert_int_eq(vclient_state(vc), VCLIENT_REGISTERED);
	ck_assert(!vt_recv(&bs, base, 700, &m, true));
	ck_assert(dm_instance_exists(vc->store, 1, 0));
	ck_assert(dm_instance_exists(vc->store, 1, 1));
	drain(&sa, 200, &da, &na);
	drain(&sb, 200, &db, &nb);
	ck_assert_int_eq(da + db, 0);
	ck_assert(registration_is_registered(vclient_peer_find(vc, 101)));
	teardown();
}
END_TEST

/* BS-8: the account timeout purges the Bootstrap-Server account, durably. */
START_TEST(bs8_purge_after_timeout)
{
	struct vclient	*vc;
	struct vt_msg	 m;
	uint16_t	 iid;

	setup_n(0, 60000, 1);
	vc = make_vc("ep-bs8");
	accept_request("ep-bs8");
	ck_assert_uint_eq(write_sec(vc, 1, 101, sa.port), C(2, 4));
	ck_assert_uint_eq(write_srv(vc, 0, 101), C(2, 4));
	ck_assert_uint_eq(finish(vc), C(2, 4));
	ck_assert(vt_accept_register(&sa, base, "a1", &m));
	ck_assert(vc->meta.bs_purge_at > 0);
	ck_assert_int_eq(dm_security_bootstrap(vc->store, &iid), 0);
	vt_run(base, 1600);
	ck_assert_int_eq(dm_security_bootstrap(vc->store, &iid), LWM2M_ERR_NOT_FOUND);
	ck_assert(!saved_has("ep-bs8", 0, 0));
	ck_assert(saved_has("ep-bs8", 0, 1));
	ck_assert_ptr_null(vclient_peer_bootstrap(vc));
	ck_assert(vc->meta.bs_purge_at == 0);
	teardown();
}
END_TEST

/* BS-8: without /0/x/12 the account stays (LwM2M 1.1: absent means for ever). */
START_TEST(bs8_no_timeout_keeps_account)
{
	struct vclient	*vc;
	struct vt_msg	 m;

	setup_n(0, 60000, 0);
	vc = make_vc("ep-bs8b");
	accept_request("ep-bs8b");
	ck_assert_uint_eq(write_sec(vc, 1, 101, sa.port), C(2, 4));
	ck_assert_uint_eq(write_srv(vc, 0, 101), C(2, 4));
	ck_assert_uint_eq(finish(vc), C(2, 4));
	ck_assert(vt_accept_register(&sa, base, "a1", &m));
	ck_assert(vc->meta.bs_purge_at == 0);
	ck_assert(saved_has("ep-bs8b", 0, 0));
	ck_assert_ptr_nonnull(vclient_peer_bootstrap(vc));
	teardown();
}
END_TEST

/* Monotonic milliseconds. */
static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* BS-10: executing the Bootstrap-Request Trigger /1/x/9 requests a bootstrap. */
START_TEST(bs10_trigger_requests_bootstrap)
{
	struct vclient	*vc;
	struct vt_msg	 m;

	setup_n(1, 60000, 0);
	vc = make_vc("ep-bs10t");
	ck_assert(vt_accept_register(&sa, base, "a1", &m));
	ck_assert_int_eq(vclient_state(vc), VCLIENT_REGISTERED);
	/* Registered: nothing asks the Bootstrap-Server anything by itself. */
	ck_assert(!vt_recv(&bs, base, 300, &m, true));
	ck_assert_uint_eq(op(&sa, vc, 2, "1/0/9", -1, -1, NULL, 0, &m), C(2, 4));
	accept_request("ep-bs10t");
	ck_assert(bootstrap_active(vc));
	ck_assert_int_eq(vclient_state(vc), VCLIENT_BOOTSTRAPPING);
	teardown();
}
END_TEST

/*
 * BS-10: a server that never answers the Register fails after retry_attempts (3 in
 * vt_params); as it is the only one, the client requests a bootstrap, not before.
 */
START_TEST(bs10_all_servers_failed_bootstraps)
{
	struct vclient	*vc;
	struct vpeer	*p;
	struct vt_msg	 m;
	int		 regs = 0;

	setup_n(1, 60000, 0);
	vc = make_vc("ep-bs10f");
	/* Count A's Register attempts and never answer; no Request meanwhile. */
	while (vt_recv(&sa, base, 2500, &m, true))
		if (m.code == 2 && strcmp(m.path, "rd") == 0)
			regs++;
	ck_assert_int_ge(regs, 2);
	accept_request("ep-bs10f");
	ck_assert(bootstrap_active(vc));
	/* The Request came only once every attempt had failed. */
	p = vclient_peer_find(vc, 101);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_ge(p->attempts, 3);
	ck_assert(!registration_is_registered(p));
	teardown();
}
END_TEST

/*
 * BS-10: the Client Hold Off Time /0/x/11 of the Bootstrap-Server account delays the
 * Bootstrap-Request, at start-up and on the Bootstrap-Request Trigger.
 */
START_TEST(bs10_hold_off_delays_request)
{
	struct vclient	*vc;
	struct vt_msg	 m;
	int64_t		 t0, dt;

	setup_n(0, 60000, 0);
	cfg->bootstrap.hold_off = 1;
	t0 = now_ms();
	vc = make_vc("ep-bs10h");
	ck_assert_int_eq(vclient_state(vc), VCLIENT_HOLD_OFF);
	ck_assert(!vt_recv(&bs, base, 800, &m, true));
	ck_assert_int_eq(vclient_state(vc), VCLIENT_HOLD_OFF);
	accept_request("ep-bs10h");
	dt = now_ms() - t0;
	ck_assert_msg(dt >= 1000 && dt < 2000, "Request after %lld ms", (long long)dt);
	/* Bootstrap a server, then the Trigger: held off again by 1 s. */
	ck_assert_uint_eq(write_sec(vc, 1, 101, sa.port), C(2, 4));
	ck_assert_uint_eq(write_srv(vc, 0, 101), C(2, 4));
	ck_assert_uint_eq(finish(vc), C(2, 4));
	ck_assert(vt_accept_register(&sa, base, "a1", &m));
	vt_run(base, 50);
	t0 = now_ms();
	ck_assert_uint_eq(op(&sa, vc, 2, "1/0/9", -1, -1, NULL, 0, &m), C(2, 4));
	ck_assert(!vt_recv(&bs, base, 800, &m, true));
	accept_request("ep-bs10h");
	dt = now_ms() - t0;
	ck_assert_msg(dt >= 1000 && dt < 2000, "Request after %lld ms", (long long)dt);
	teardown();
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("bootstrap");
	TCase	*tc;
	SRunner	*sr;
	int	 failed;

	log_set_level(getenv("CHECK_VERBOSE") != NULL ? LOG_DEBUG : LOG_WARNING);
	tc = tcase_create("sequence");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, bs1_client_initiated_sequence);
	tcase_add_test(tc, bs5_inconsistent_finish_then_corrected);
	tcase_add_test(tc, bs6_silence_consistent_commits);
	tcase_add_test(tc, bs6_silence_inconsistent_rolls_back);
	tcase_add_test(tc, bs12_rollback_keeps_servers);
	tcase_add_test(tc, bs8_purge_after_timeout);
	tcase_add_test(tc, bs8_no_timeout_keeps_account);
	tcase_add_test(tc, bs10_trigger_requests_bootstrap);
	tcase_add_test(tc, bs10_all_servers_failed_bootstraps);
	tcase_add_test(tc, bs10_hold_off_delays_request);
	suite_add_tcase(s, tc);

	tc = tcase_create("unbootstrap");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, ub_remove_one_server);
	tcase_add_loop_test(tc, ub7_remove_all_rewrite_b, 0, 2);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
