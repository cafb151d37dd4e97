/*
 * Registration interface of the vclient against a fake server on loopback: Register,
 * Update, De-register, backoff, several servers, BS-7 (no DM before Register is
 * acknowledged), SV-1 Disable, SV-2 storing, SV-3 Update trigger, SV-4.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <check.h>
#include <poll.h>
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
static struct vt_server		 srv, srv2;
static struct cfg		*cfg;
static struct vclient_ctx	*ctx;

static const uint16_t		 temp_iids[] = { 0 };
static const struct vclient_object temp_objs[] = {
	{ 3303, temp_iids, 1 },
	{ 3304, NULL, 0 },
};

/* max_inflight 0: the default. */
static void
setup_k(size_t n, int lifetime, uint32_t max_inflight)
{
	struct vclient_params	 p;
	uint16_t		 ports[2];
	char			*cause = NULL;

	base = event_base_new();
	ck_assert_int_eq(vt_server_open(&srv), 0);
	ck_assert_int_eq(vt_server_open(&srv2), 0);
	ports[0] = srv.port;
	ports[1] = srv2.port;
	cfg = vt_cfg(n, ports, lifetime);
	vt_params(&p);
	if (max_inflight != 0)
		p.max_inflight = max_inflight;
	ctx = vclient_ctx_create(base, cfg, &p, &cause);
	ck_assert_msg(ctx != NULL, "%s", cause);
}

static void
setup_n(size_t n, int lifetime)
{
	setup_k(n, lifetime, 0);
}

static void
teardown(void)
{
	vclient_ctx_free(ctx);
	vt_cfg_free(cfg);
	vt_server_close(&srv);
	vt_server_close(&srv2);
	event_base_free(base);
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
	d.nobjects = 2;
	d.manufacturer = "Acme";
	vc = vclient_create(ctx, &d, &cause);
	ck_assert_msg(vc != NULL, "%s", cause);
	return vc;
}

START_TEST(links_exact)
{
	struct vclient	*vc;
	uint8_t		 buf[512];
	size_t		 len;
	const char	*want = "</>;rt=\"oma.lwm2m\";ct=11542,</1/0>,</2>,</3/0>,"
	    "</3303>;ver=1.1,</3303/0>,</3304>;ver=1.1";

	setup_n(1, 60);
	vc = make_vc("ep-links");
	ck_assert_int_eq(registration_links(vc->store, buf, sizeof buf, &len), 0);
	ck_assert_int_eq((int)len, (int)strlen(want));
	ck_assert(memcmp(buf, want, len) == 0);
	/* Too small a buffer is an error, never a truncated payload. */
	ck_assert_int_eq(registration_links(vc->store, buf, 20, &len),
	    LWM2M_ERR_TOO_LARGE);
	teardown();
}
END_TEST

START_TEST(backoff_schedule)
{
	struct vclient_params	p;

	vclient_params_default(&p);
	p.retry_base_ms = 200;
	p.retry_cap_ms = 800;
	ck_assert_uint_eq(registration_backoff_ms(&p, 1), 200);
	ck_assert_uint_eq(registration_backoff_ms(&p, 2), 400);
	ck_assert_uint_eq(registration_backoff_ms(&p, 3), 800);
	ck_assert_uint_eq(registration_backoff_ms(&p, 4), 800);
	ck_assert_uint_eq(registration_backoff_ms(&p, 40), 800);
	vclient_params_default(&p);
	ck_assert_uint_eq(registration_update_delay_ms(&p, 300), 270000);
	ck_assert_uint_eq(registration_update_delay_ms(&p, 86400), 86340000);
	ck_assert_uint_eq(registration_update_delay_ms(&p, 10), 9000);
	ck_assert_uint_eq(registration_update_delay_ms(&p, 2), 1000);
	ck_assert_uint_eq(registration_update_delay_ms(&p, 1), 500);
}
END_TEST

/* Register (query, payload), Update at lifetime minus the margin, De-register. */
START_TEST(register_update_deregister)
{
	struct vclient	*vc;
	struct vt_msg	 m;

	setup_n(1, 2);
	vc = make_vc("ep-reg");
	ck_assert(vt_accept_register(&srv, base, "a1", &m));
	ck_assert_str_eq(m.query, "ep=ep-reg&lt=2&lwm2m=1.1&b=U");
	ck_assert_int_eq(m.format, 40);
	ck_assert(m.len > 0 && memcmp(m.payload, "</>;rt=\"oma.lwm2m\"", 18) == 0);
	ck_assert_int_eq(vclient_state(vc), VCLIENT_REGISTERED);
	/* Update after lifetime 2 s - 1 s margin: no query, no payload. */
	ck_assert(vt_recv(&srv, base, 2500, &m, true));
	ck_assert_int_eq(m.code, 2);
	ck_assert_str_eq(m.path, "rd/a1");
	ck_assert_str_eq(m.query, "");
	ck_assert_uint_eq(m.len, 0);
	vt_reply(&srv, &m, 68, NULL);	/* 2.04 */
	vt_run(base, 20);
	/* The lifetime changes: Update with lt= (SV: Update when Lifetime written). */
	ck_assert_int_eq(dm_set_int(vc->store, &LWM2M_PATH_RES(1, 0, 1), 30, NULL), 0);
	registration_server_written(vc, 101);
	ck_assert(vt_recv(&srv, base, 1000, &m, true));
	ck_assert_str_eq(m.path, "rd/a1");
	ck_assert_str_eq(m.query, "lt=30");
	vt_reply(&srv, &m, 68, NULL);
	vt_run(base, 20);
	vclient_destroy(vc);
	ck_assert(vt_recv(&srv, base, 1000, &m, true));
	ck_assert_int_eq(m.code, 4);	/* DELETE */
	ck_assert_str_eq(m.path, "rd/a1");
	vt_reply(&srv, &m, 66, NULL);	/* 2.02 */
	vt_run(base, 50);
	ck_assert_uint_eq(vclient_ctx_counts(ctx, NULL), 0);
	teardown();
}
END_TEST

/* The server observes /3303/0/5700 with a 2-byte token; the response's sequence number. */
static int64_t
observe_temperature(struct vclient *vc, uint8_t *tok)
{
	struct vt_send	s;
	struct vt_msg	m;

	vt_send_init(&s);
	s.code = 1;
	s.path = "3303/0/5700";
	s.token = tok;
	s.tkl = 2;
	s.observe = 0;
	ck_assert(vt_request(&srv, base, vclient_port(vc), &s, &m));
	ck_assert_int_eq(m.code, 69);
	ck_assert(m.observe >= 0);
	return m.observe;
}

/* An Update answered 4.04 is followed by a fresh Register; the server forgot us, and
 * with us its observations: they are dropped. */
START_TEST(update_404_registers_again)
{
	struct vclient		*vc;
	struct vt_msg		 m;
	uint8_t			 tok[2] = { 4, 4 };
	struct lwm2m_value	 v = { .type = LWM2M_TYPE_FLOAT, .v.f = 20.0 };

	setup_n(1, 60);
	vc = make_vc("ep-404");
	ck_assert_int_eq(vclient_reading(vc, &LWM2M_PATH_RES(3303, 0, 5700), &v), 0);
	ck_assert(vt_accept_register(&srv, base, "b", &m));
	observe_temperature(vc, tok);
	ck_assert(!LIST_EMPTY(&vc->observations));
	vclient_request_update(vc);
	ck_assert(vt_recv(&srv, base, 1000, &m, true));
	ck_assert_str_eq(m.path, "rd/b");
	vt_reply(&srv, &m, 132, NULL);	/* 4.04 */
	ck_assert(vt_recv(&srv, base, 1000, &m, true));
	ck_assert_str_eq(m.path, "rd");
	ck_assert(strstr(m.query, "ep=ep-404") != NULL);
	ck_assert(LIST_EMPTY(&vc->observations));
	teardown();
}
END_TEST

/* BS-7: before the server acknowledged Register, its requests are not served. */
START_TEST(bs7_no_dm_before_register)
{
	struct vclient	*vc;
	struct vt_msg	 reg, m;
	struct vt_send	 s;
	uint8_t		 tok[2] = { 1, 2 };
	bool		 answered = false;

	setup_n(1, 60);
	vc = make_vc("ep-bs7");
	ck_assert(vt_recv(&srv, base, 1000, &reg, true));
	ck_assert_str_eq(reg.path, "rd");
	vt_send_init(&s);
	s.code = 1;
	s.path = "3/0/0";
	s.token = tok;
	s.tkl = 2;
	vt_send(&srv, vclient_port(vc), &s);
	while (vt_recv(&srv, base, 400, &m, true)) {
		if (m.tkl == 2 && memcmp(m.token, tok, 2) == 0)
			answered = true;
	}
	ck_assert(!answered);
	/* Once registered, the same request is served. */
	vt_reply(&srv, &reg, 65, "rd/c");
	vt_run(base, 20);
	ck_assert(registration_is_registered(vclient_peer_find(vc, 101)));
	ck_assert(vt_request(&srv, base, vclient_port(vc), &s, &m));
	ck_assert_int_eq(m.code, 69);
	ck_assert_uint_eq(m.len, 4);
	ck_assert(memcmp(m.payload, "Acme", 4) == 0);
	teardown();
}
END_TEST

/* SV-3 Registration Update Trigger, and SV-1 Disable with its timeout. */
START_TEST(sv1_sv3_disable_and_trigger)
{
	struct vclient	*vc;
	struct vt_msg	 m;
	struct vt_send	 s;
	uint8_t		 tok[1] = { 7 };
	bool		 got;

	setup_n(1, 60);
	vc = make_vc("ep-sv");
	ck_assert(vt_accept_register(&srv, base, "d", &m));
	vt_send_init(&s);
	s.code = 2;
	s.path = "1/0/8";
	s.token = tok;
	s.tkl = 1;
	ck_assert(vt_request(&srv, base, vclient_port(vc), &s, &m));
	ck_assert_int_eq(m.code, 68);
	ck_assert(vt_recv(&srv, base, 1000, &m, true));
	ck_assert_str_eq(m.path, "rd/d");	/* SV-3: the Update */
	vt_reply(&srv, &m, 68, NULL);

	/* Disable Timeout 1 s, then Disable. */
	vt_send_init(&s);
	s.code = 3;
	s.path = "1/0/5";
	s.token = tok;
	s.tkl = 1;
	s.format = 0;
	s.payload = "1";
	s.len = 1;
	ck_assert(vt_request(&srv, base, vclient_port(vc), &s, &m));
	ck_assert_int_eq(m.code, 68);
	vt_send_init(&s);
	s.code = 2;
	s.path = "1/0/4";
	s.token = tok;
	s.tkl = 1;
	ck_assert(vt_request(&srv, base, vclient_port(vc), &s, &m));
	ck_assert_int_eq(m.code, 68);		/* SV-1: respond first */
	ck_assert(vt_recv(&srv, base, 1000, &m, true));
	ck_assert_int_eq(m.code, 4);		/* then De-register */
	ck_assert_str_eq(m.path, "rd/d");
	vt_reply(&srv, &m, 66, NULL);
	vt_run(base, 20);
	ck_assert_int_eq(vclient_peer_find(vc, 101)->reg, VREG_DISABLED);
	/* Silent during the Disable Timeout ... */
	got = vt_recv(&srv, base, 700, &m, true);
	ck_assert(!got);
	/* ... then registers again. */
	ck_assert(vt_recv(&srv, base, 1500, &m, true));
	ck_assert_str_eq(m.path, "rd");
	teardown();
}
END_TEST

/* SV-2: notifications while disabled are stored and sent in order when back. */
START_TEST(sv2_storing)
{
	struct vclient		*vc;
	struct vt_msg		 m;
	struct vt_send		 s;
	uint8_t			 tok[2] = { 9, 9 };
	struct lwm2m_value	 v = { .type = LWM2M_TYPE_FLOAT };
	int64_t			 seq;
	int			 i;

	setup_n(1, 60);
	vc = make_vc("ep-sv2");
	v.v.f = 20.0;
	ck_assert_int_eq(vclient_reading(vc, &LWM2M_PATH_RES(3303, 0, 5700), &v), 0);
	ck_assert(vt_accept_register(&srv, base, "e", &m));
	seq = observe_temperature(vc, tok);
	if (getenv("VT_DEBUG") != NULL)
		fprintf(stderr, "observe response seq %lld\n", (long long)seq);
	/* Disable (long timeout), store 3 readings, then enable by hand. */
	vt_send_init(&s);
	s.code = 2;
	s.path = "1/0/4";
	s.token = tok;
	s.tkl = 1;
	ck_assert(vt_request(&srv, base, vclient_port(vc), &s, &m));
	ck_assert(vt_recv(&srv, base, 1000, &m, true));
	vt_reply(&srv, &m, 66, NULL);
	vt_run(base, 20);
	for (i = 1; i <= 3; i++) {
		v.v.f = 20.0 + i;
		ck_assert_int_eq(vclient_reading(vc, &LWM2M_PATH_RES(3303, 0, 5700),
		    &v), 0);
	}
	ck_assert_uint_eq(vclient_peer_find(vc, 101)->nstored, 3);
	ck_assert(!vt_recv(&srv, base, 200, &m, true));
	registration_start(vclient_peer_find(vc, 101));
	ck_assert(vt_accept_register(&srv, base, "f", &m));
	for (i = 1; i <= 3; i++) {
		char	want[16];

		ck_assert(vt_recv(&srv, base, 1000, &m, true));
		ck_assert_int_eq(m.type, 0);	/* CON, one after the other */
		ck_assert_int_eq(m.tkl, 2);
		ck_assert_msg(m.observe > seq, "observe %lld after %lld",
		    (long long)m.observe, (long long)seq);
		seq = m.observe;
		snprintf(want, sizeof want, "%d", 20 + i);
		ck_assert_uint_eq(m.len, strlen(want));
		ck_assert(memcmp(m.payload, want, m.len) == 0);
		vt_reply(&srv, &m, 0, NULL);	/* empty ACK */
	}
	teardown();
}
END_TEST

/*
 * SV-2 and RFC 7641 3.6: the observation outlives the fresh Register after an outage; a
 * server that forgot it answers the first stored notification with RST, which ends the
 * observation and drops what was stored for it: nothing else is sent.
 */
START_TEST(sv2_rst_drops_stored)
{
	struct vclient		*vc;
	struct vpeer		*p;
	struct vt_msg		 m;
	struct vt_send		 s;
	uint8_t			 tok[2] = { 7, 7 };
	struct lwm2m_value	 v = { .type = LWM2M_TYPE_FLOAT };
	int			 i;

	setup_n(1, 60);
	vc = make_vc("ep-rst");
	v.v.f = 20.0;
	ck_assert_int_eq(vclient_reading(vc, &LWM2M_PATH_RES(3303, 0, 5700), &v), 0);
	ck_assert(vt_accept_register(&srv, base, "r", &m));
	observe_temperature(vc, tok);
	/* The registration expired while the server was away: Register afresh. */
	p = vclient_peer_find(vc, 101);
	p->attempts = 1;
	registration_start(p);
	ck_assert(vt_recv(&srv, base, 1000, &m, true));
	ck_assert_str_eq(m.path, "rd");
	for (i = 1; i <= 3; i++) {
		v.v.f = 20.0 + i;
		ck_assert_int_eq(vclient_reading(vc, &LWM2M_PATH_RES(3303, 0, 5700),
		    &v), 0);
	}
	ck_assert_uint_eq(p->nstored, 3);
	ck_assert(!LIST_EMPTY(&vc->observations));
	vt_reply(&srv, &m, 65, "rd/r2");	/* 2.01 */
	ck_assert(vt_recv(&srv, base, 1000, &m, true));
	ck_assert_int_eq(m.type, 0);	/* the oldest stored one, CON */
	ck_assert(m.tkl == 2 && memcmp(m.token, tok, 2) == 0);
	ck_assert(m.len == 2 && memcmp(m.payload, "21", 2) == 0);
	vt_send_init(&s);
	s.type = 3;			/* RST */
	s.mid = m.mid;
	vt_send(&srv, vclient_port(vc), &s);
	ck_assert(!vt_recv(&srv, base, 300, &m, true));
	ck_assert(LIST_EMPTY(&vc->observations));
	ck_assert_uint_eq(p->nstored, 0);
	teardown();
}
END_TEST

/*
 * SV-2: once our Update has been retransmitted the server is silent: a notification is
 * stored instead of going out NON into the void, and the Update's answer flushes it.
 */
START_TEST(sv2_store_while_silent)
{
	struct vclient		*vc;
	struct vt_msg		 m, upd;
	uint8_t			 tok[2] = { 5, 5 };
	struct lwm2m_value	 v = { .type = LWM2M_TYPE_FLOAT, .v.f = 20.0 };

	setup_n(1, 60);
	vc = make_vc("ep-silent");
	ck_assert_int_eq(vclient_reading(vc, &LWM2M_PATH_RES(3303, 0, 5700), &v), 0);
	ck_assert(vt_accept_register(&srv, base, "s", &m));
	observe_temperature(vc, tok);
	vclient_request_update(vc);
	ck_assert(vt_recv(&srv, base, 1000, &upd, true));
	ck_assert_str_eq(upd.path, "rd/s");
	/* Before the first retransmission: live, NON. */
	v.v.f = 21.0;
	ck_assert_int_eq(vclient_reading(vc, &LWM2M_PATH_RES(3303, 0, 5700), &v), 0);
	ck_assert(vt_recv(&srv, base, 200, &m, true));
	ck_assert_int_eq(m.type, 1);
	ck_assert(m.len == 2 && memcmp(m.payload, "21", 2) == 0);
	/* The Update again: silent from now on. */
	ck_assert(vt_recv(&srv, base, 1000, &m, true));
	ck_assert_int_eq(m.mid, upd.mid);
	v.v.f = 22.0;
	ck_assert_int_eq(vclient_reading(vc, &LWM2M_PATH_RES(3303, 0, 5700), &v), 0);
	ck_assert_uint_eq(vclient_peer_find(vc, 101)->nstored, 1);
	vt_reply(&srv, &upd, 68, NULL);		/* 2.04 */
	ck_assert(vt_recv(&srv, base, 1000, &m, true));
	ck_assert_int_eq(m.type, 0);		/* the stored one, CON */
	ck_assert(m.len == 2 && memcmp(m.payload, "22", 2) == 0);
	ck_assert_uint_eq(vclient_peer_find(vc, 101)->nstored, 0);
	vt_reply(&srv, &m, 0, NULL);

	/* store_max 0: nothing is kept, each one is counted as dropped (no crash). */
	ctx->params.store_max = 0;
	vclient_request_update(vc);
	ck_assert(vt_recv(&srv, base, 1000, &upd, true));
	ck_assert(vt_recv(&srv, base, 1000, &m, true));
	ck_assert_int_eq(m.mid, upd.mid);
	v.v.f = 23.0;
	ck_assert_int_eq(vclient_reading(vc, &LWM2M_PATH_RES(3303, 0, 5700), &v), 0);
	ck_assert_uint_eq(vclient_peer_find(vc, 101)->nstored, 0);
	ck_assert_uint_eq(vclient_peer_find(vc, 101)->stored_dropped, 1);
	teardown();
}
END_TEST

/*
 * A sensor back while its old vclient still de-registers (its De-register unanswered):
 * the new vclient takes the endpoint and registers; the old one finishes on its own.
 */
START_TEST(back_while_deregistering)
{
	struct vclient	*vc, *again;
	struct vt_msg	 m, dereg;

	setup_n(1, 60);
	vc = make_vc("ep-back");
	ck_assert(vt_accept_register(&srv, base, "k", &m));
	vclient_destroy(vc);
	ck_assert(vt_recv(&srv, base, 1000, &dereg, true));
	ck_assert_int_eq(dereg.code, 4);	/* DELETE /rd/k, not answered yet */
	again = make_vc("ep-back");
	ck_assert_ptr_nonnull(again);
	ck_assert_ptr_eq(vclient_find(ctx, "ep-back"), again);
	ck_assert_uint_eq(vclient_ctx_counts(ctx, NULL), 1);
	for (;;) {
		ck_assert(vt_recv(&srv, base, 1000, &m, true));
		if (m.code == 2 && strcmp(m.path, "rd") == 0)
			break;			/* the new Register */
	}
	vt_reply(&srv, &m, 65, "rd/k2");
	vt_reply(&srv, &dereg, 66, NULL);	/* the old De-register, late */
	vt_run(base, 50);
	ck_assert_ptr_eq(vclient_find(ctx, "ep-back"), again);
	ck_assert_int_eq(vclient_peer_find(again, 101)->reg, VREG_REGISTERED);
	ck_assert(TAILQ_EMPTY(&ctx->leaving));
	teardown();
}
END_TEST

/* SV-4: Short Server ID 0 and 65535 never make a server. */
START_TEST(sv4_reserved_ssid)
{
	struct vclient	*vc;
	struct vpeer	*p;

	setup_n(1, 60);
	vc = make_vc("ep-sv4");
	ck_assert_ptr_nonnull(vclient_peer_find(vc, 101));
	ck_assert_int_eq(dm_set_int(vc->store, &LWM2M_PATH_RES(0, 0, 10), 0, NULL), 0);
	ck_assert_int_eq(dm_set_int(vc->store, &LWM2M_PATH_RES(1, 0, 0), 0, NULL), 0);
	vclient_peers_sync(vc);
	LIST_FOREACH(p, &vc->peers, entry)
		ck_assert(p->kind != VPEER_SERVER);
	ck_assert_int_eq(dm_set_int(vc->store, &LWM2M_PATH_RES(0, 0, 10), 65535, NULL),
	    0);
	ck_assert_int_eq(dm_set_int(vc->store, &LWM2M_PATH_RES(1, 0, 0), 65535, NULL),
	    0);
	vclient_peers_sync(vc);
	LIST_FOREACH(p, &vc->peers, entry)
		ck_assert(p->kind != VPEER_SERVER);
	teardown();
}
END_TEST

/* Two servers are independent; a server that never answers fails on its own; when
 * every server failed (no Bootstrap-Server account) the vclient is FAILED (BS-10). */
START_TEST(two_servers_independent)
{
	struct vclient	*vc;
	struct vt_msg	 m;

	setup_n(2, 60);
	vc = make_vc("ep-two");
	ck_assert(vt_accept_register(&srv, base, "g", &m));
	ck_assert_int_eq(vclient_state(vc), VCLIENT_REGISTERED);
	/* srv2 ignores everything: 3 attempts (0.9 s each) with short backoff. */
	vt_run(base, 6000);
	ck_assert_uint_ge(vclient_peer_find(vc, 102)->attempts, 3);
	ck_assert(!registration_is_registered(vclient_peer_find(vc, 102)));
	ck_assert_int_eq(vclient_state(vc), VCLIENT_REGISTERED);
	ck_assert(registration_is_registered(vclient_peer_find(vc, 101)));
	teardown();
}
END_TEST

START_TEST(all_servers_failed)
{
	struct vclient	*vc;

	setup_n(1, 60);
	vc = make_vc("ep-fail");
	vt_run(base, 6000);
	ck_assert_uint_ge(vclient_peer_find(vc, 101)->attempts, 3);
	ck_assert_int_eq(vclient_state(vc), VCLIENT_FAILED);
	teardown();
}
END_TEST

/* Graceful shutdown: De-register from every server, then done. */
static int	shutdown_done;

static void
shutdown_cb(void *arg)
{
	(void)arg;
	shutdown_done++;
}

START_TEST(shutdown_deregisters)
{
	struct vt_msg	m;

	setup_n(1, 60);
	make_vc("ep-sd1");
	ck_assert(vt_accept_register(&srv, base, "h1", &m));
	make_vc("ep-sd2");
	ck_assert(vt_accept_register(&srv, base, "h2", &m));
	shutdown_done = 0;
	vclient_ctx_shutdown(ctx, shutdown_cb, NULL);
	ck_assert_int_eq(shutdown_done, 0);	/* never from inside the call */
	ck_assert(vt_recv(&srv, base, 1000, &m, true));
	ck_assert_int_eq(m.code, 4);
	vt_reply(&srv, &m, 66, NULL);
	ck_assert(vt_recv(&srv, base, 1000, &m, true));
	ck_assert_int_eq(m.code, 4);
	vt_reply(&srv, &m, 66, NULL);
	vt_run(base, 50);
	ck_assert_int_eq(shutdown_done, 1);
	teardown();
}
END_TEST

/* ------------------------------------------------------------------ admission */

#define ADM_MAX	8

/* Requests received and not answered yet, retransmissions (same MID) counted once. */
struct adm_pending {
	struct vt_msg	 m[ADM_MAX];
	size_t		 n;
	size_t		 seen;		/* distinct requests in total */
};

/* Collect for about ms what arrives with code; true if something new came. */
static bool
adm_collect(struct adm_pending *a, uint8_t code, int ms)
{
	struct vt_msg	 m;
	size_t		 i;
	bool		 any = false;
	int		 t;

	for (t = 0; t < ms; t += 10) {
		if (!vt_recv(&srv, base, 10, &m, true))
			continue;
		if (m.code != code)
			continue;
		for (i = 0; i < a->n; i++) {
			if (a->m[i].mid == m.mid && a->m[i].from_port == m.from_port)
				break;
		}
		if (i < a->n)
			continue;	/* retransmission */
		ck_assert_uint_lt(a->n, ADM_MAX);
		a->m[a->n++] = m;
		a->seen++;
		any = true;
	}
	return any;
}

/* Answer the oldest pending request. */
static void
adm_answer(struct adm_pending *a, uint8_t code, const char *loc)
{
	vt_reply(&srv, &a->m[0], code, loc);
	memmove(&a->m[0], &a->m[1], (a->n - 1) * sizeof a->m[0]);
	a->n--;
}

/* Bench finding 2: with max_inflight 2, five vclients never have more than two Registers
 * in flight, the others start as earlier ones are answered, and all register. */
START_TEST(admission_limits_registers)
{
	struct vclient		*vc[5];
	struct adm_pending	 a;
	char			 ep[16], loc[16];
	int			 i, rounds;

	memset(&a, 0, sizeof a);
	setup_k(1, 60, 2);
	for (i = 0; i < 5; i++) {
		snprintf(ep, sizeof ep, "ep-adm%d", i);
		vc[i] = make_vc(ep);
	}
	ck_assert_uint_eq(ctx->admit_inflight, 2);
	ck_assert_uint_eq(ctx->admit_queued, 3);
	/* Less than ACK_TIMEOUT (300 ms): only first transmissions. */
	adm_collect(&a, 2, 150);
	ck_assert_uint_eq(a.n, 2);
	for (rounds = 0; rounds < 20 && a.n > 0; rounds++) {
		snprintf(loc, sizeof loc, "rd/a%zu", a.seen - a.n);
		adm_answer(&a, 65, loc);
		adm_collect(&a, 2, 100);
		ck_assert_uint_le(a.n, 2);
		ck_assert_uint_le(ctx->admit_inflight, 2);
	}
	ck_assert_uint_eq(a.seen, 5);
	ck_assert_uint_eq(a.n, 0);
	vt_run(base, 20);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(vclient_state(vc[i]), VCLIENT_REGISTERED);
	ck_assert_uint_eq(ctx->admit_inflight, 0);
	ck_assert_uint_eq(ctx->admit_queued, 0);
	teardown();
}
END_TEST

/* A Register that times out frees its slot for the next one. */
START_TEST(admission_timeout_frees_slot)
{
	struct adm_pending	 a;

	memset(&a, 0, sizeof a);
	setup_k(1, 60, 1);
	make_vc("ep-adt0");
	make_vc("ep-adt1");
	adm_collect(&a, 2, 150);
	ck_assert_uint_eq(a.seen, 1);
	/* ACK_TIMEOUT 300 ms, one retransmission: cio gives up after ~900 ms. */
	adm_collect(&a, 2, 1300);
	ck_assert_uint_ge(a.seen, 2);
	ck_assert_str_eq(a.m[0].query, "ep=ep-adt0&lt=60&lwm2m=1.1&b=U");
	ck_assert_str_eq(a.m[1].query, "ep=ep-adt1&lt=60&lwm2m=1.1&b=U");
	ck_assert_uint_le(ctx->admit_inflight, 1);
	teardown();
}
END_TEST

/* Bench finding 2: the Update time is spread over [latest - margin/2, latest]. */
START_TEST(update_jitter_window)
{
	struct vclient_params	p;
	static const uint32_t	lts[] = { 1, 2, 10, 300, 86400 };
	uint32_t		lo, hi, ms, min, max, margin;
	size_t			i, j;

	vclient_params_default(&p);
	for (i = 0; i < sizeof lts / sizeof lts[0]; i++) {
		hi = registration_update_delay_ms(&p, lts[i]);
		margin = lts[i] * 1000 - hi;
		lo = hi - margin / 2;
		min = UINT32_MAX;
		max = 0;
		for (j = 0; j < 2000; j++) {
			ms = registration_update_jitter_ms(&p, lts[i]);
			ck_assert_uint_ge(ms, lo);
			ck_assert_uint_le(ms, hi);
			if (ms < min)
				min = ms;
			if (ms > max)
				max = ms;
		}
		/* Spread over most of the window, not one instant. */
		ck_assert_uint_lt(min, lo + margin / 8);
		ck_assert_uint_gt(max, hi - margin / 8);
	}
	/* lifetime 300: margin 30 s, Update between 255 and 270 s. */
	ck_assert_uint_eq(registration_update_delay_ms(&p, 300), 270000);
	ms = registration_update_jitter_ms(&p, 300);
	ck_assert(ms >= 255000 && ms <= 270000);
}
END_TEST

/* Bench finding 2: graceful stop with max_inflight 2: every De-register goes out, never
 * more than two outstanding, and done runs when the last is answered. */
START_TEST(shutdown_admission)
{
	struct adm_pending	 a;
	struct vt_msg		 m;
	char			 ep[16], loc[16];
	int			 i, rounds;

	memset(&a, 0, sizeof a);
	setup_k(1, 60, 2);
	for (i = 0; i < 5; i++) {
		snprintf(ep, sizeof ep, "ep-sda%d", i);
		make_vc(ep);
		snprintf(loc, sizeof loc, "s%d", i);
		ck_assert(vt_accept_register(&srv, base, loc, &m));
	}
	shutdown_done = 0;
	vclient_ctx_shutdown(ctx, shutdown_cb, NULL);
	ck_assert_uint_eq(ctx->admit_inflight, 2);
	ck_assert_uint_eq(ctx->admit_queued, 3);
	adm_collect(&a, 4, 150);
	ck_assert_uint_eq(a.n, 2);
	for (rounds = 0; rounds < 20 && a.n > 0; rounds++) {
		adm_answer(&a, 66, NULL);
		adm_collect(&a, 4, 60);
		ck_assert_uint_le(a.n, 2);
	}
	ck_assert_uint_eq(a.seen, 5);
	vt_run(base, 20);
	ck_assert_int_eq(shutdown_done, 1);
	teardown();
}
END_TEST

/* The shutdown timeout bounds the whole stop, waiting for admission included. */
START_TEST(shutdown_admission_bounded)
{
	struct vt_msg	m;
	char		ep[16], loc[16];
	int		i, waited;

	setup_k(1, 60, 1);
	for (i = 0; i < 4; i++) {
		snprintf(ep, sizeof ep, "ep-sdb%d", i);
		make_vc(ep);
		snprintf(loc, sizeof loc, "b%d", i);
		ck_assert(vt_accept_register(&srv, base, loc, &m));
	}
	shutdown_done = 0;
	vclient_ctx_shutdown(ctx, shutdown_cb, NULL);	/* never answered */
	for (waited = 0; waited < 3000 && shutdown_done == 0; waited += 50)
		vt_run(base, 50);
	ck_assert_int_eq(shutdown_done, 1);
	/* shutdown_timeout_ms is 1000 in the tests. */
	ck_assert_int_le(waited, 1300);
	ck_assert_uint_eq(ctx->admit_inflight, 0);
	ck_assert_uint_eq(ctx->admit_queued, 0);
	teardown();
}
END_TEST

/* Run the loop until any datagram (DTLS too) reaches srv; its source port, or 0. */
static uint16_t
raw_recv_port(int timeout_ms)
{
	struct sockaddr_in	from;
	socklen_t		flen;
	uint8_t			buf[2048];
	int			waited;

	for (waited = 0; waited < timeout_ms; waited += 2) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		flen = sizeof from;
		if (recvfrom(srv.fd, buf, sizeof buf, 0, (struct sockaddr *)&from,
		    &flen) >= 0)
			return ntohs(from.sin_port);
		poll(NULL, 0, 2);
	}
	return 0;
}

/* Bench finding 3: a DTLS handshake that times out is retried from a new local port
 * (the server may hold a session of an earlier process on the old one). */
START_TEST(dtls_timeout_new_port)
{
	struct vclient_params	 p;
	struct vclient		*vc;
	uint16_t		 ports[1], port0, from;
	uint8_t			*key;
	char			*cause = NULL;
	int			 waited;

	base = event_base_new();
	ck_assert_int_eq(vt_server_open(&srv), 0);
	ck_assert_int_eq(vt_server_open(&srv2), 0);
	ports[0] = srv.port;
	cfg = vt_cfg(1, ports, 60);
	free(cfg->servers[0].uri);
	xasprintf(&cfg->servers[0].uri, "coaps://127.0.0.1:%u", srv.port);
	cfg->servers[0].security = CFG_SECURITY_PSK;
	key = xcalloc(1, 16);
	cfg->servers[0].psk_key = key;
	cfg->servers[0].psk_key_len = 16;
	vt_params(&p);
	ctx = vclient_ctx_create(base, cfg, &p, &cause);
	ck_assert_msg(ctx != NULL, "%s", cause);
	vc = make_vc("ep-dtls");
	port0 = vclient_port(vc);
	/* The ClientHello arrives from the first port and is never answered. */
	ck_assert_uint_eq(raw_recv_port(1000), port0);
	for (waited = 0; waited < 4000 && vclient_port(vc) == port0; waited += 50)
		vt_run(base, 50);
	ck_assert_uint_ne(vclient_port(vc), port0);
	/* The retry (after the backoff) comes from the new port. */
	do
		from = raw_recv_port(3000);
	while (from == port0);
	ck_assert_uint_eq(from, vclient_port(vc));
	teardown();
	free(key);
}
END_TEST

static Suite *
registration_suite(void)
{
	Suite	*s = suite_create("registration");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, links_exact);
	tcase_add_test(tc, backoff_schedule);
	tcase_add_test(tc, register_update_deregister);
	tcase_add_test(tc, update_404_registers_again);
	tcase_add_test(tc, bs7_no_dm_before_register);
	tcase_add_test(tc, sv1_sv3_disable_and_trigger);
	tcase_add_test(tc, sv2_storing);
	tcase_add_test(tc, sv2_rst_drops_stored);
	tcase_add_test(tc, sv2_store_while_silent);
	tcase_add_test(tc, back_while_deregistering);
	tcase_add_test(tc, sv4_reserved_ssid);
	tcase_add_test(tc, two_servers_independent);
	tcase_add_test(tc, all_servers_failed);
	tcase_add_test(tc, shutdown_deregisters);
	tcase_add_test(tc, admission_limits_registers);
	tcase_add_test(tc, admission_timeout_frees_slot);
	tcase_add_test(tc, update_jitter_window);
	tcase_add_test(tc, shutdown_admission);
	tcase_add_test(tc, shutdown_admission_bounded);
	tcase_add_test(tc, dtls_timeout_new_port);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 nfailed;

	log_open(LOG_TARGET_STDERR, getenv("VT_DEBUG") != NULL ? LOG_DEBUG : LOG_ERR,
	    "check_registration");
	sr = srunner_create(registration_suite());
	srunner_run_all(sr, CK_NORMAL);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
