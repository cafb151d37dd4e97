/*
 * cio unit tests on a fake clock and a capturing transport: retransmission, NSTART,
 * separate responses, duplicate replay, block-wise transfers, notifications, resets and
 * malformed input (RFC 7252 transport defaults of REQUIREMENTS.md).
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <event2/event.h>

#include "../../src/coap/cio_int.h"
#include "lwm2m.h"
#include "udp.h"
#include "xmalloc.h"

#define MAXOUT	256

struct ftimer {
	void	(*fire)(void *);
	void	*arg;
	bool	 armed;
	uint64_t at;
	struct ftimer *next;
};

static uint64_t		 fnow;
static struct ftimer	*ftimers;
static uint8_t		 out[MAXOUT][CIO_MAX_MESSAGE_SIZE];
static size_t		 outlen[MAXOUT];
static uint64_t		 outat[MAXOUT];
static size_t		 nout;
static struct cio_ctx	*ctx;
static struct cio_peer	*peer;
static struct cio_rx	 prx;		/* last parsed output */

/* Callback records. */
static int		 ncb, cb_err;
static uint8_t		 cb_code;
static char		 cb_loc[64];
static int		 nlost, lost_err;
static uint8_t		 lost_token[8];
static int		 nreq;
static uint8_t		 body[70000];
static size_t		 body_len;
static const uint8_t	*rsp_payload;
static size_t		 rsp_len;
static bool		 do_defer;
static struct cio_exchange *deferred;

static uint64_t
fake_now(void *arg)
{
	return fnow;
}

static void *
fake_timer_new(void *arg, void (*fire)(void *), void *fire_arg)
{
	struct ftimer	*t = xcalloc(1, sizeof *t);

	t->fire = fire;
	t->arg = fire_arg;
	t->next = ftimers;
	ftimers = t;
	return t;
}

static void
fake_timer_set(void *arg, void *timer, uint64_t delay)
{
	struct ftimer	*t = timer;

	t->armed = true;
	t->at = fnow + delay;
}

static void
fake_timer_clear(void *arg, void *timer)
{
	((struct ftimer *)timer)->armed = false;
}

static void
fake_timer_free(void *arg, void *timer)
{
	struct ftimer	**pp;

	for (pp = &ftimers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == timer) {
			*pp = ((struct ftimer *)timer)->next;
			break;
		}
	}
	free(timer);
}

static const struct cio_clock_ops fake_clock = {
	fake_now, fake_timer_new, fake_timer_set, fake_timer_clear, fake_timer_free
};

/* Advance the fake clock by ms, firing due timers in order. */
static void
advance(uint64_t ms)
{
	uint64_t	 end = fnow + ms;
	struct ftimer	*t, *best;

	for (;;) {
		best = NULL;
		for (t = ftimers; t != NULL; t = t->next) {
			if (t->armed && t->at <= end && (best == NULL || t->at < best->at))
				best = t;
		}
		if (best == NULL)
			break;
		fnow = best->at;
		best->armed = false;
		best->fire(best->arg);
	}
	fnow = end;
}

static int
fake_send(void *arg, const uint8_t *buf, size_t len)
{
	ck_assert_uint_lt(nout, MAXOUT);
	ck_assert_uint_le(len, CIO_MAX_MESSAGE_SIZE);
	memcpy(out[nout], buf, len);
	outlen[nout] = len;
	outat[nout] = fnow;
	nout++;
	return 0;
}

/* Parse output datagram i into prx. */
static struct cio_msg *
outmsg(size_t i)
{
	ck_assert_uint_lt(i, nout);
	ck_assert_int_eq(cio_pdu_parse(ctx, out[i], outlen[i], &prx, false), CIO_PARSE_OK);
	return &prx.msg;
}

static struct cio_msg *
lastmsg(void)
{
	ck_assert_uint_gt(nout, 0);
	return outmsg(nout - 1);
}

static void
input(const struct cio_msg *m)
{
	uint8_t	buf[CIO_MAX_MESSAGE_SIZE];
	ssize_t	len;

	len = cio_pdu_encode(m, buf, sizeof buf);
	ck_assert_int_gt(len, 0);
	cio_peer_input(peer, buf, (size_t)len);
}

static void
input_raw(const void *data, size_t len)
{
	cio_peer_input(peer, data, len);
}

static void
on_response(void *arg, int error, const struct cio_msg *rsp)
{
	ncb++;
	cb_err = error;
	cb_code = rsp != NULL ? rsp->code : 0;
	cb_loc[0] = '\0';
	if (rsp != NULL && rsp->nlocation > 0)
		strncpy(cb_loc, rsp->location[rsp->nlocation - 1], sizeof cb_loc - 1);
}

static void
on_lost(void *arg, const uint8_t *token, size_t len, int error)
{
	nlost++;
	lost_err = error;
	memcpy(lost_token, token, len < 8 ? len : 8);
}

static void
on_request(void *arg, struct cio_exchange *ex, const struct cio_msg *req)
{
	nreq++;
	if (req->payload_len > 0 && req->payload_len <= sizeof body) {
		memcpy(body, req->payload, req->payload_len);
		body_len = req->payload_len;
	} else if (req->payload_len == 0)
		body_len = 0;
	if (do_defer) {
		deferred = cio_defer(ex);
		return;
	}
	cio_respond(ex, req->code == CIO_GET ? LWM2M_CONTENT : LWM2M_CHANGED,
	    rsp_payload != NULL ? LWM2M_FMT_TEXT : CIO_FMT_NONE, rsp_payload, rsp_len,
	    CIO_OBSERVE_NONE);
}

static const struct cio_peer_cbs cbs = { on_request, on_lost };

static void
setup_params(const struct cio_params *p)
{
	char	*cause = NULL;

	fnow = 1000000;
	nout = 0;
	ncb = nlost = nreq = 0;
	cb_err = lost_err = 0;
	rsp_payload = NULL;
	rsp_len = 0;
	do_defer = false;
	deferred = NULL;
	ctx = cio_ctx_create_clock(p, &fake_clock, NULL, &cause);
	ck_assert_ptr_nonnull(ctx);
	peer = cio_peer_create(ctx, "test", fake_send, NULL, &cbs, NULL);
}

static void
setup(void)
{
	setup_params(NULL);
}

static void
teardown(void)
{
	cio_peer_free(peer);
	cio_ctx_free(ctx);
	ck_assert_ptr_null(ftimers);
}

static void
req_init(struct cio_msg *m, uint8_t code, const char *path)
{
	cio_msg_init(m);
	m->code = code;
	m->path[0] = path;
	m->npath = 1;
}

/* An incoming request from the peer. */
static void
in_req(struct cio_msg *m, uint8_t type, uint8_t code, uint16_t mid, const char *path)
{
	req_init(m, code, path);
	m->type = type;
	m->mid = mid;
	m->token_len = 2;
	m->token[0] = 0xab;
	m->token[1] = (uint8_t)mid;
}

static void
send_get(const char *path)
{
	struct cio_msg	m;
	char		*cause = NULL;

	req_init(&m, CIO_GET, path);
	ck_assert_int_eq(cio_request(peer, &m, on_response, NULL, NULL, &cause), 0);
}

/* RFC 7252 §4.2: initial timeout in [2 s, 3 s], doubling, 4 retransmissions, then give up. */
START_TEST(retransmission_schedule)
{
	uint64_t	t0, t1;
	int		i, run;

	for (run = 0; run < 20; run++) {
		nout = 0;
		ncb = 0;
		send_get("x");
		ck_assert_uint_eq(nout, 1);
		t0 = outat[0];
		advance(200000);
		ck_assert_uint_eq(nout, 5);
		t1 = outat[1] - t0;
		ck_assert_uint_ge(t1, 2000);
		ck_assert_uint_le(t1, 3000);
		for (i = 1; i < 5; i++) {
			ck_assert_uint_eq(outat[i] - t0, t1 * ((1u << i) - 1));
			ck_assert_mem_eq(out[i], out[0], outlen[0]);
		}
		ck_assert_int_eq(ncb, 1);
		ck_assert_int_eq(cb_err, -ETIMEDOUT);
	}
	ck_assert_uint_eq(cio_peer_stats(peer)->retransmitted, 80);
	ck_assert_uint_eq(cio_peer_stats(peer)->timeouts, 20);
	ck_assert_uint_eq(cio_peer_pending(peer), 0);
}
END_TEST

/* The give-up time is 31 initial timeouts: nothing is left pending before it is reached. */
START_TEST(retransmission_giveup_time)
{
	uint64_t	t1;

	send_get("x");
	advance(3001);
	ck_assert_uint_eq(nout, 2);
	t1 = outat[1] - outat[0];
	advance(t1 * 31 - 3001 - 1);
	ck_assert_int_eq(ncb, 0);
	advance(2);
	ck_assert_int_eq(ncb, 1);
	ck_assert_int_eq(cb_err, -ETIMEDOUT);
}
END_TEST

static void
ack_last(uint8_t code, const uint8_t *payload, size_t len)
{
	struct cio_msg	*r = lastmsg(), a;

	cio_msg_init(&a);
	a.type = CIO_ACK;
	a.code = code;
	a.mid = r->mid;
	if (code != 0) {
		a.token_len = r->token_len;
		memcpy(a.token, r->token, r->token_len);
	}
	a.payload = payload;
	a.payload_len = len;
	input(&a);
}

/* NSTART 1: a second request waits in FIFO order until the first is answered. */
START_TEST(nstart_queue)
{
	uint8_t	tok[8];

	send_get("a");
	send_get("b");
	send_get("c");
	ck_assert_uint_eq(nout, 1);
	ck_assert_str_eq(outmsg(0)->path[0], "a");
	memcpy(tok, prx.msg.token, 8);
	ck_assert_uint_eq(cio_peer_pending(peer), 3);
	ack_last(LWM2M_CONTENT, (const uint8_t *)"A", 1);
	ck_assert_int_eq(ncb, 1);
	ck_assert_int_eq(cb_code, LWM2M_CONTENT);
	ck_assert_uint_eq(nout, 2);
	ck_assert_str_eq(outmsg(1)->path[0], "b");
	ck_assert_uint_ne(outmsg(1)->mid, outmsg(0)->mid);
	ck_assert_mem_ne(outmsg(1)->token, tok, 8);
	advance(200000);	/* b times out, then c is sent and times out */
	ck_assert_int_eq(ncb, 3);
	ck_assert_str_eq(outmsg(6)->path[0], "c");
}
END_TEST

/* RFC 7252 §5.2.2: empty ACK stops retransmission; CON response is acknowledged. */
START_TEST(separate_response)
{
	struct cio_msg	r, *q;
	uint8_t		token[8];

	send_get("sep");
	q = lastmsg();
	memcpy(token, q->token, 8);
	ack_last(0, NULL, 0);
	ck_assert_int_eq(ncb, 0);
	send_get("next");	/* NSTART slot is free after the empty ACK */
	ck_assert_uint_eq(nout, 2);
	advance(60000);
	ck_assert_uint_ge(nout, 3);	/* only "next" is retransmitted */
	ck_assert_str_eq(outmsg(2)->path[0], "next");

	cio_msg_init(&r);
	r.type = CIO_CON;
	r.code = LWM2M_CONTENT;
	r.mid = 0x4242;
	r.token_len = 8;
	memcpy(r.token, token, 8);
	nout = 0;
	input(&r);
	ck_assert_int_eq(ncb, 1);
	ck_assert_uint_eq(cb_code, LWM2M_CONTENT);
	ck_assert_uint_eq(nout, 1);
	ck_assert_uint_eq(outlen[0], 4);
	ck_assert_uint_eq(out[0][0] >> 4 & 3, CIO_ACK);
	ck_assert_uint_eq(out[0][2] << 8 | out[0][3], 0x4242);
	/* Retransmitted CON response: the ACK is replayed, no second callback. */
	input(&r);
	ck_assert_int_eq(ncb, 1);
	ck_assert_uint_eq(nout, 2);
	ck_assert_uint_eq(cio_peer_stats(peer)->duplicates, 1);
}
END_TEST

/* A separate response to an unknown token is rejected. */
START_TEST(unknown_token_rst)
{
	struct cio_msg	r;

	cio_msg_init(&r);
	r.type = CIO_CON;
	r.code = LWM2M_CONTENT;
	r.mid = 7;
	r.token_len = 4;
	input(&r);
	ck_assert_uint_eq(nout, 1);
	ck_assert_uint_eq(out[0][0] >> 4 & 3, CIO_RST);
}
END_TEST

/* RFC 7252 §4.5: a duplicate CON gets the cached response byte for byte. */
START_TEST(dedup_replay)
{
	struct cio_msg	m;

	rsp_payload = (const uint8_t *)"22.5";
	rsp_len = 4;
	in_req(&m, CIO_CON, CIO_GET, 100, "temp");
	input(&m);
	ck_assert_int_eq(nreq, 1);
	ck_assert_uint_eq(nout, 1);
	ck_assert_uint_eq(outmsg(0)->type, CIO_ACK);
	ck_assert_uint_eq(prx.msg.mid, 100);
	ck_assert_uint_eq(prx.msg.code, LWM2M_CONTENT);
	ck_assert_uint_eq(prx.msg.token[1], 100);
	rsp_payload = (const uint8_t *)"99.9";
	input(&m);
	ck_assert_int_eq(nreq, 1);
	ck_assert_uint_eq(nout, 2);
	ck_assert_uint_eq(outlen[1], outlen[0]);
	ck_assert_mem_eq(out[1], out[0], outlen[0]);
	ck_assert_uint_eq(cio_peer_stats(peer)->duplicates, 1);
	/* After EXCHANGE_LIFETIME the MID is new again. */
	advance(247001);
	input(&m);
	ck_assert_int_eq(nreq, 2);
	/* A duplicate NON is ignored. */
	in_req(&m, CIO_NON, CIO_GET, 101, "temp");
	input(&m);
	input(&m);
	ck_assert_int_eq(nreq, 3);
	ck_assert_uint_eq(nout, 4);
	ck_assert_uint_eq(outmsg(3)->type, CIO_NON);
}
END_TEST

/* The duplicate cache is bounded: the oldest entry gives way. */
START_TEST(dedup_bounded)
{
	struct cio_msg	m;
	uint16_t	mid;

	for (mid = 1; mid <= 40; mid++) {
		in_req(&m, CIO_CON, CIO_GET, mid, "x");
		input(&m);
		advance(1);
	}
	ck_assert_int_eq(nreq, 40);
	in_req(&m, CIO_CON, CIO_GET, 40, "x");
	input(&m);
	ck_assert_int_eq(nreq, 40);
	in_req(&m, CIO_CON, CIO_GET, 1, "x");
	input(&m);
	ck_assert_int_eq(nreq, 41);
}
END_TEST

/* Deferred response: empty ACK now, separate CON later; duplicates get the empty ACK. */
START_TEST(deferred_response)
{
	struct cio_msg	m, *r;

	do_defer = true;
	in_req(&m, CIO_CON, CIO_PUT, 200, "sensor");
	m.payload = (const uint8_t *)"1";
	m.payload_len = 1;
	input(&m);
	ck_assert_ptr_nonnull(deferred);
	ck_assert_uint_eq(nout, 1);
	ck_assert_uint_eq(outlen[0], 4);
	ck_assert_uint_eq(out[0][0] >> 4 & 3, CIO_ACK);
	input(&m);
	ck_assert_int_eq(nreq, 1);
	ck_assert_uint_eq(nout, 2);
	ck_assert_mem_eq(out[1], out[0], 4);
	ck_assert_int_eq(cio_respond(deferred, LWM2M_CHANGED, CIO_FMT_NONE, NULL, 0,
	    CIO_OBSERVE_NONE), 0);
	r = lastmsg();
	ck_assert_uint_eq(r->type, CIO_CON);
	ck_assert_uint_eq(r->code, LWM2M_CHANGED);
	ck_assert_uint_eq(r->token_len, 2);
	ck_assert_uint_eq(r->token[1], 200);
	/* Retransmitted until acknowledged. */
	advance(3001);
	ck_assert_uint_eq(nout, 4);
	ack_last(0, NULL, 0);
	advance(100000);
	ck_assert_uint_eq(nout, 4);
	ck_assert_uint_eq(cio_peer_pending(peer), 0);
}
END_TEST

/* RFC 7959 §2.5: client Block1, honouring a smaller size asked by the server. */
START_TEST(block1_client)
{
	struct cio_msg	m, *r;
	uint8_t		payload[3000], got[3000];
	size_t		i, gotlen = 0;
	char		*cause = NULL;

	for (i = 0; i < sizeof payload; i++)
		payload[i] = (uint8_t)(i * 7);
	req_init(&m, CIO_POST, "rd");
	m.query[0] = "ep=test";
	m.nquery = 1;
	m.format = LWM2M_FMT_LINK;
	m.payload = payload;
	m.payload_len = sizeof payload;
	ck_assert_int_eq(cio_request(peer, &m, on_response, NULL, NULL, &cause), 0);
	r = lastmsg();
	ck_assert(r->block1.set);
	ck_assert_uint_eq(r->block1.num, 0);
	ck_assert(r->block1.more);
	ck_assert_uint_eq(r->block1.szx, 6);
	ck_assert_int_eq(r->size1, 3000);
	ck_assert_uint_eq(r->payload_len, 1024);
	ck_assert_str_eq(r->query[0], "ep=test");
	memcpy(got, r->payload, r->payload_len);
	gotlen = r->payload_len;
	/* The server wants 512-byte blocks. */
	{
		struct cio_msg	a;

		cio_msg_init(&a);
		a.type = CIO_ACK;
		a.code = LWM2M_CONTINUE;
		a.mid = r->mid;
		a.token_len = r->token_len;
		memcpy(a.token, r->token, r->token_len);
		a.block1.set = true;
		a.block1.num = 0;
		a.block1.more = true;
		a.block1.szx = 5;
		input(&a);
	}
	for (;;) {
		struct cio_msg	a;

		r = lastmsg();
		ck_assert(r->block1.set);
		ck_assert_uint_eq(r->block1.szx, 5);
		ck_assert_uint_eq(r->block1.num * 512, gotlen);
		ck_assert_uint_le(gotlen + r->payload_len, sizeof got);
		memcpy(got + gotlen, r->payload, r->payload_len);
		gotlen += r->payload_len;
		cio_msg_init(&a);
		a.type = CIO_ACK;
		a.mid = r->mid;
		a.token_len = r->token_len;
		memcpy(a.token, r->token, r->token_len);
		a.block1 = r->block1;
		if (!r->block1.more) {
			a.code = LWM2M_CREATED;
			a.location[0] = "rd";
			a.location[1] = "abc";
			a.nlocation = 2;
			input(&a);
			break;
		}
		a.code = LWM2M_CONTINUE;
		input(&a);
	}
	ck_assert_uint_eq(gotlen, sizeof payload);
	ck_assert_mem_eq(got, payload, sizeof payload);
	ck_assert_int_eq(ncb, 1);
	ck_assert_int_eq(cb_err, 0);
	ck_assert_uint_eq(cb_code, LWM2M_CREATED);
	ck_assert_str_eq(cb_loc, "abc");
}
END_TEST

/* RFC 7959 §2.9.3: 4.13 with a Block1 size restarts block-wise at that size. */
START_TEST(block1_client_413)
{
	struct cio_msg	m, a, *r;
	uint8_t		payload[800];
	char		*cause = NULL;

	memset(payload, 'x', sizeof payload);
	req_init(&m, CIO_PUT, "big");
	m.payload = payload;
	m.payload_len = sizeof payload;
	ck_assert_int_eq(cio_request(peer, &m, on_response, NULL, NULL, &cause), 0);
	r = lastmsg();
	ck_assert(!r->block1.set);
	cio_msg_init(&a);
	a.type = CIO_ACK;
	a.code = LWM2M_CODE(4, 13);
	a.mid = r->mid;
	a.token_len = r->token_len;
	memcpy(a.token, r->token, r->token_len);
	a.block1.set = true;
	a.block1.szx = 4;
	input(&a);
	ck_assert_int_eq(ncb, 0);
	r = lastmsg();
	ck_assert(r->block1.set);
	ck_assert_uint_eq(r->block1.szx, 4);
	ck_assert_uint_eq(r->block1.num, 0);
	ck_assert_uint_eq(r->payload_len, 256);
}
END_TEST

static uint8_t big[2500];

static void
get_block(uint16_t mid, bool set, uint32_t num, uint8_t szx)
{
	struct cio_msg	m;

	in_req(&m, CIO_CON, CIO_GET, mid, "big");
	if (set) {
		m.block2.set = true;
		m.block2.num = num;
		m.block2.szx = szx;
	}
	input(&m);
}

/* RFC 7959 §2.4: Block2 slicing of a large response, client's smaller size honoured. */
START_TEST(block2_server)
{
	struct cio_msg	*r;
	size_t		 i;
	uint8_t		 etag[8];

	for (i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i % 251);
	rsp_payload = big;
	rsp_len = sizeof big;
	get_block(1, false, 0, 0);
	r = lastmsg();
	ck_assert_uint_eq(r->code, LWM2M_CONTENT);
	ck_assert(r->block2.set);
	ck_assert(r->block2.more);
	ck_assert_uint_eq(r->block2.num, 0);
	ck_assert_uint_eq(r->block2.szx, 6);
	ck_assert_int_eq(r->size2, 2500);
	ck_assert_uint_eq(r->payload_len, 1024);
	ck_assert_mem_eq(r->payload, big, 1024);
	ck_assert_uint_eq(r->etag_len, 4);
	memcpy(etag, r->etag, 4);
	get_block(2, true, 2, 6);
	r = lastmsg();
	ck_assert(!r->block2.more);
	ck_assert_uint_eq(r->payload_len, 2500 - 2048);
	ck_assert_mem_eq(r->payload, big + 2048, 2500 - 2048);
	ck_assert_mem_eq(r->etag, etag, 4);
	get_block(3, true, 1, 4);
	r = lastmsg();
	ck_assert_uint_eq(r->block2.szx, 4);
	ck_assert_uint_eq(r->payload_len, 256);
	ck_assert_mem_eq(r->payload, big + 256, 256);
	get_block(4, true, 3, 6);
	ck_assert_uint_eq(lastmsg()->code, LWM2M_CODE(4, 2));
	ck_assert_int_eq(nreq, 4);
}
END_TEST

static void
put_block(uint16_t mid, uint32_t num, bool more, uint8_t szx, const uint8_t *p, size_t len)
{
	struct cio_msg	m;

	in_req(&m, CIO_CON, CIO_PUT, mid, "store");
	m.block1.set = true;
	m.block1.num = num;
	m.block1.more = more;
	m.block1.szx = szx;
	m.payload = p;
	m.payload_len = len;
	input(&m);
}

/* RFC 7959 §2.5, §2.9: Block1 assembly, 2.31 per block, 4.08 out of order, 4.13 too large. */
START_TEST(block1_server)
{
	struct cio_msg	*r;
	size_t		 i;

	for (i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i % 253);
	put_block(1, 0, true, 6, big, 1024);
	r = lastmsg();
	ck_assert_uint_eq(r->code, LWM2M_CONTINUE);
	ck_assert(r->block1.set && r->block1.more && r->block1.num == 0);
	put_block(2, 1, true, 6, big + 1024, 1024);
	ck_assert_uint_eq(lastmsg()->code, LWM2M_CONTINUE);
	ck_assert_int_eq(nreq, 0);
	put_block(3, 2, false, 6, big + 2048, 452);
	r = lastmsg();
	ck_assert_uint_eq(r->code, LWM2M_CHANGED);
	ck_assert(r->block1.set && !r->block1.more && r->block1.num == 2);
	ck_assert_int_eq(nreq, 1);
	ck_assert_uint_eq(body_len, 2500);
	ck_assert_mem_eq(body, big, 2500);

	/* Out of order: block 2 right after block 0. */
	put_block(4, 0, true, 6, big, 1024);
	put_block(5, 2, false, 6, big + 2048, 452);
	ck_assert_uint_eq(lastmsg()->code, LWM2M_CODE(4, 8));
	/* Continuation without a start. */
	put_block(6, 1, true, 6, big + 1024, 1024);
	ck_assert_uint_eq(lastmsg()->code, LWM2M_CODE(4, 8));
	ck_assert_int_eq(nreq, 1);
}
END_TEST

START_TEST(block1_server_too_large)
{
	struct cio_params	p;
	struct cio_msg		*r;

	teardown();
	cio_params_default(&p);
	p.max_body_size = 2048;
	setup_params(&p);
	put_block(1, 0, true, 6, big, 1024);
	put_block(2, 1, true, 6, big, 1024);
	put_block(3, 2, false, 6, big, 10);
	r = lastmsg();
	ck_assert_uint_eq(r->code, LWM2M_CODE(4, 13));
	ck_assert_int_eq(r->size1, 2048);
	ck_assert_int_eq(nreq, 0);
	/* Announced too large up front. */
	{
		struct cio_msg	m;

		in_req(&m, CIO_CON, CIO_PUT, 9, "store");
		m.block1.set = true;
		m.block1.more = true;
		m.block1.szx = 6;
		m.size1 = 100000;
		m.payload = big;
		m.payload_len = 1024;
		input(&m);
	}
	ck_assert_uint_eq(lastmsg()->code, LWM2M_CODE(4, 13));
}
END_TEST

/* A server asking for smaller blocks in 2.31 (our block size 256). */
START_TEST(block1_server_smaller)
{
	struct cio_params	p;

	teardown();
	cio_params_default(&p);
	p.block_size = 256;
	setup_params(&p);
	put_block(1, 0, true, 6, big, 1024);
	ck_assert_uint_eq(lastmsg()->code, LWM2M_CONTINUE);
	ck_assert_uint_eq(prx.msg.block1.szx, 4);
	put_block(2, 4, false, 4, big + 1024, 100);
	ck_assert_uint_eq(lastmsg()->code, LWM2M_CHANGED);
	ck_assert_uint_eq(body_len, 1124);
}
END_TEST

static void
expect_rst(uint16_t mid)
{
	ck_assert_uint_eq(nout, 1);
	ck_assert_uint_eq(outlen[0], 4);
	ck_assert_uint_eq(out[0][0], 0x70);
	ck_assert_uint_eq(out[0][1], 0);
	ck_assert_uint_eq(out[0][2] << 8 | out[0][3], mid);
	nout = 0;
}

/* RFC 7252 §3, §4.2, §4.3, §5.4.1: malformed datagrams. */
START_TEST(malformed)
{
	/* GET, CON, tkl 0, mid 0x1234, Uri-Path "x" */
	static const uint8_t trunc[] = { 0x40, 0x01, 0x12 };
	static const uint8_t badtkl[] = { 0x49, 0x01, 0x12, 0x34, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	static const uint8_t overrun[] = { 0x40, 0x01, 0x12, 0x35, 0xb5, 'a', 'b' };
	static const uint8_t badnibble[] = { 0x40, 0x01, 0x12, 0x36, 0xf0 };
	static const uint8_t marker[] = { 0x40, 0x01, 0x12, 0x37, 0xb1, 'x', 0xff };
	static const uint8_t version[] = { 0x80, 0x01, 0x12, 0x38 };
	static const uint8_t reserved[] = { 0x40, 0xe0, 0x12, 0x39 };
	static const uint8_t nonbad[] = { 0x59, 0x01, 0x12, 0x3a, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	static const uint8_t emptytok[] = { 0x41, 0x00, 0x12, 0x3b, 0x01 };
	uint8_t huge[2000];

	input_raw(trunc, sizeof trunc);
	ck_assert_uint_eq(nout, 0);
	input_raw(badtkl, sizeof badtkl);
	expect_rst(0x1234);
	input_raw(overrun, sizeof overrun);
	expect_rst(0x1235);
	input_raw(badnibble, sizeof badnibble);
	expect_rst(0x1236);
	input_raw(marker, sizeof marker);
	expect_rst(0x1237);
	input_raw(version, sizeof version);
	ck_assert_uint_eq(nout, 0);
	input_raw(reserved, sizeof reserved);
	expect_rst(0x1239);
	input_raw(nonbad, sizeof nonbad);
	ck_assert_uint_eq(nout, 0);
	input_raw(emptytok, sizeof emptytok);
	expect_rst(0x123b);
	/* Too large a CON request: 4.13 with our sizes. */
	memset(huge, 0, sizeof huge);
	huge[0] = 0x41;
	huge[1] = CIO_PUT;
	huge[3] = 0x3c;
	huge[4] = 0x77;
	huge[5] = 0xff;
	input_raw(huge, sizeof huge);
	ck_assert_uint_eq(nout, 1);
	ck_assert_uint_eq(outmsg(0)->code, LWM2M_CODE(4, 13));
	ck_assert_uint_eq(prx.msg.type, CIO_ACK);
	ck_assert_uint_eq(prx.msg.token[0], 0x77);
	ck_assert_int_eq(nreq, 0);
	ck_assert_uint_eq(cio_peer_stats(peer)->malformed, 10);
}
END_TEST

/* Unknown critical option: 4.02 to CON, NON silently dropped; unknown elective ignored. */
START_TEST(unknown_options)
{
	/* CON GET mid 0x2000, Uri-Path "x" (11), option 13 (critical, unassigned) "" */
	static const uint8_t crit[] = { 0x40, 0x01, 0x20, 0x00, 0xb1, 'x', 0x20 };
	static const uint8_t ncrit[] = { 0x50, 0x01, 0x20, 0x01, 0xb1, 'x', 0x20 };
	/* Uri-Path "x", option 2048 (elective): delta 2037 = 14-ext 0x06e8... */
	static const uint8_t elective[] = { 0x40, 0x01, 0x20, 0x02, 0xb1, 'x',
	    0xe0, 0x06, 0xd8 };
	static const uint8_t ifmatch[] = { 0x40, 0x01, 0x20, 0x03, 0x11, 0x01, 0xa1, 'x' };
	static const uint8_t proxy[] = { 0x40, 0x01, 0x20, 0x04, 0xd1, 0x16, 'x' };

	input_raw(crit, sizeof crit);
	ck_assert_uint_eq(outmsg(0)->code, LWM2M_CODE(4, 2));
	ck_assert_uint_eq(prx.msg.type, CIO_ACK);
	ck_assert_uint_eq(prx.msg.mid, 0x2000);
	input_raw(ncrit, sizeof ncrit);
	ck_assert_uint_eq(nout, 1);
	input_raw(elective, sizeof elective);
	ck_assert_uint_eq(nout, 2);
	ck_assert_uint_eq(outmsg(1)->code, LWM2M_CONTENT);
	ck_assert_int_eq(nreq, 1);
	input_raw(ifmatch, sizeof ifmatch);
	ck_assert_uint_eq(outmsg(2)->code, LWM2M_CODE(4, 2));
	input_raw(proxy, sizeof proxy);
	ck_assert_uint_eq(outmsg(3)->code, LWM2M_CODE(5, 5));
	ck_assert_int_eq(nreq, 1);
}
END_TEST

/* RFC 7252 §4.3: an empty CON ("ping") is answered with RST. */
START_TEST(ping_rst)
{
	static const uint8_t ping[] = { 0x40, 0x00, 0xbe, 0xef };
	static const uint8_t nonping[] = { 0x50, 0x00, 0xbe, 0xf0 };

	input_raw(ping, sizeof ping);
	expect_rst(0xbeef);
	input_raw(nonping, sizeof nonping);
	ck_assert_uint_eq(nout, 0);
	ck_assert_int_eq(nreq, 0);
}
END_TEST

/* A RST for a pending request cancels it with an error. */
START_TEST(rst_cancels)
{
	uint8_t	rst[4];

	send_get("a");
	send_get("b");
	cio_pdu_empty(rst, CIO_RST, outmsg(0)->mid);
	input_raw(rst, 4);
	ck_assert_int_eq(ncb, 1);
	ck_assert_int_eq(cb_err, -ECONNRESET);
	ck_assert_uint_eq(nout, 2);		/* b goes out */
	ck_assert_str_eq(outmsg(1)->path[0], "b");
	ck_assert_uint_eq(cio_peer_stats(peer)->rst_received, 1);
}
END_TEST

/* §5.4.1: a response with an unknown critical option fails its request; the queue goes on. */
START_TEST(response_bad_option)
{
	struct cio_msg	*r, a;
	uint8_t		 buf[64];
	ssize_t		 len;

	send_get("a");
	send_get("b");
	r = lastmsg();
	cio_msg_init(&a);
	a.type = CIO_ACK;
	a.code = LWM2M_CONTENT;
	a.mid = r->mid;
	a.token_len = r->token_len;
	memcpy(a.token, r->token, r->token_len);
	len = cio_pdu_encode(&a, buf, sizeof buf - 2);
	ck_assert_int_gt(len, 0);
	buf[len++] = 0xd0;	/* option 13, critical, empty */
	buf[len++] = 0x00;
	input_raw(buf, (size_t)len);
	ck_assert_int_eq(ncb, 1);
	ck_assert_int_eq(cb_err, -EPROTO);
	ck_assert_uint_eq(nout, 2);
	ck_assert_str_eq(outmsg(1)->path[0], "b");
}
END_TEST

START_TEST(cancel_request)
{
	struct cio_msg	m;
	uint64_t	id;
	char		*cause = NULL;

	req_init(&m, CIO_GET, "a");
	ck_assert_int_eq(cio_request(peer, &m, on_response, NULL, &id, &cause), 0);
	ck_assert_int_eq(cio_cancel(peer, id), 0);
	ck_assert_int_eq(cio_cancel(peer, id), -1);
	advance(100000);
	ck_assert_uint_eq(nout, 1);
	ck_assert_int_eq(ncb, 0);
}
END_TEST

static void
notify(uint8_t type, uint32_t seq, const void *payload, size_t len)
{
	struct cio_msg	m;
	char		*cause = NULL;

	cio_msg_init(&m);
	m.type = type;
	m.code = LWM2M_CONTENT;
	m.token_len = 3;
	m.token[0] = 1;
	m.token[1] = 2;
	m.token[2] = 3;
	m.observe = seq;
	m.format = LWM2M_FMT_TEXT;
	m.payload = payload;
	m.payload_len = len;
	ck_assert_int_eq(cio_notify(peer, &m, on_response, NULL, &cause), 0);
}

/* RFC 7641: CON notify retransmitted, RST → observe_lost(token), timeout → too. */
START_TEST(notify_con)
{
	struct cio_msg	*r;
	uint8_t		 rst[4];

	notify(CIO_CON, 0x1000005, "1", 1);
	r = lastmsg();
	ck_assert_uint_eq(r->type, CIO_CON);
	ck_assert_int_eq(r->observe, 5);
	ck_assert_uint_eq(r->token_len, 3);
	advance(3001);
	ck_assert_uint_eq(nout, 2);
	ack_last(0, NULL, 0);
	ck_assert_int_eq(ncb, 1);
	ck_assert_int_eq(cb_err, 0);
	ck_assert_int_eq(nlost, 0);

	notify(CIO_CON, 6, "2", 1);
	cio_pdu_empty(rst, CIO_RST, lastmsg()->mid);
	input_raw(rst, 4);
	ck_assert_int_eq(nlost, 1);
	ck_assert_int_eq(lost_err, -ECONNRESET);
	ck_assert_uint_eq(lost_token[2], 3);

	notify(CIO_CON, 7, "3", 1);
	advance(200000);
	ck_assert_int_eq(nlost, 2);
	ck_assert_int_eq(lost_err, -ETIMEDOUT);
}
END_TEST

START_TEST(notify_non)
{
	uint8_t	rst[4];

	notify(CIO_NON, 9, "1", 1);
	ck_assert_uint_eq(lastmsg()->type, CIO_NON);
	ck_assert_int_eq(prx.msg.observe, 9);
	cio_pdu_empty(rst, CIO_RST, prx.msg.mid);
	input_raw(rst, 4);
	ck_assert_int_eq(nlost, 1);
	ck_assert_int_eq(lost_err, -ECONNRESET);
	input_raw(rst, 4);
	ck_assert_int_eq(nlost, 1);
}
END_TEST

/* A queued CON notification is replaced by a newer one of the same token; large ones go
 * with Block2. */
START_TEST(notify_replace_block2)
{
	struct cio_msg	*r;

	send_get("busy");
	notify(CIO_CON, 1, "old", 3);
	notify(CIO_CON, 2, big, sizeof big);
	ck_assert_int_eq(ncb, 1);
	ck_assert_int_eq(cb_err, -ECANCELED);
	ack_last(LWM2M_CONTENT, NULL, 0);
	r = lastmsg();
	ck_assert_int_eq(r->observe, 2);
	ck_assert(r->block2.set && r->block2.more && r->block2.num == 0);
	ck_assert_int_eq(r->size2, (int64_t)sizeof big);
	ck_assert_uint_eq(r->payload_len, 1024);
}
END_TEST

static void
observe_request(void *arg, struct cio_exchange *ex, const struct cio_msg *req)
{
	nreq++;
	ck_assert_int_eq(req->observe, 0);
	cio_respond(ex, LWM2M_CONTENT, LWM2M_FMT_TEXT, "1", 1, 12);
}

/* RFC 7641 §3.6: a RST to the NON response of a NON Observe request cancels too. */
START_TEST(observe_non_response_rst)
{
	static const struct cio_peer_cbs ocbs = { observe_request, on_lost };
	struct cio_msg	m;
	uint8_t		rst[4];

	cio_peer_free(peer);
	peer = cio_peer_create(ctx, "test", fake_send, NULL, &ocbs, NULL);
	in_req(&m, CIO_NON, CIO_GET, 300, "obs");
	m.observe = 0;
	input(&m);
	ck_assert_int_eq(nreq, 1);
	ck_assert_uint_eq(lastmsg()->type, CIO_NON);
	ck_assert_int_eq(prx.msg.observe, 12);
	cio_pdu_empty(rst, CIO_RST, prx.msg.mid);
	input_raw(rst, 4);
	ck_assert_int_eq(nlost, 1);
	ck_assert_uint_eq(lost_token[1], (uint8_t)300);
}
END_TEST

static void
free_in_cb(void *arg, int error, const struct cio_msg *rsp)
{
	ncb++;
	cio_peer_free(peer);
	peer = NULL;
}

/* Freeing the peer from its own callback is safe (ASan checks). */
START_TEST(free_in_callback)
{
	struct cio_msg	m;
	char		*cause = NULL;

	req_init(&m, CIO_GET, "a");
	ck_assert_int_eq(cio_request(peer, &m, free_in_cb, NULL, NULL, &cause), 0);
	send_get("b");
	ack_last(LWM2M_CONTENT, NULL, 0);
	ck_assert_int_eq(ncb, 1);
	ck_assert_ptr_null(peer);
}
END_TEST

/* Encoder/parser round trip of every option cio writes. */
START_TEST(pdu_roundtrip)
{
	struct cio_msg	m, *r;
	uint8_t		buf[512];
	ssize_t		len;

	cio_msg_init(&m);
	m.type = CIO_CON;
	m.code = CIO_POST;
	m.mid = 0xfffe;
	m.token_len = 8;
	memset(m.token, 0x5a, 8);
	m.path[0] = "rd";
	m.npath = 1;
	m.query[0] = "ep=a-very-long-endpoint-name-to-need-extended-lengths";
	m.query[1] = "lt=60";
	m.nquery = 2;
	m.format = LWM2M_FMT_TLV;
	m.accept = LWM2M_FMT_SENML_CBOR;
	m.observe = 0;
	m.block1.set = true;
	m.block1.num = 70000;
	m.block1.szx = 2;
	m.size1 = 123456;
	m.payload = (const uint8_t *)"abc";
	m.payload_len = 3;
	len = cio_pdu_encode(&m, buf, sizeof buf);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(cio_pdu_parse(ctx, buf, (size_t)len, &prx, true), CIO_PARSE_OK);
	r = &prx.msg;
	ck_assert_uint_eq(r->mid, 0xfffe);
	ck_assert_uint_eq(r->code, CIO_POST);
	ck_assert_str_eq(r->query[0], m.query[0]);
	ck_assert_str_eq(r->query[1], "lt=60");
	ck_assert_int_eq(r->format, LWM2M_FMT_TLV);
	ck_assert_int_eq(r->accept, LWM2M_FMT_SENML_CBOR);
	ck_assert_int_eq(r->observe, 0);
	ck_assert_uint_eq(r->block1.num, 70000);
	ck_assert_int_eq(r->size1, 123456);
	ck_assert_uint_eq(r->payload_len, 3);
	ck_assert(cio_pdu_encode(&m, buf, 20) < 0);
}
END_TEST

/* ---------------------------------------------------------------- udp */

struct urecv {
	int			 n;
	uint8_t			 data[16];
	size_t			 len;
	struct sockaddr_storage	 from;
	struct udp		*self;
	bool			 free_self;
};

static void
urecv_cb(void *arg, const struct sockaddr *from, socklen_t fromlen, const uint8_t *data,
    size_t len)
{
	struct urecv	*r = arg;

	r->n++;
	r->len = len;
	memcpy(r->data, data, len < sizeof r->data ? len : sizeof r->data);
	memcpy(&r->from, from, fromlen);
	if (r->free_self) {
		udp_free(r->self);
		r->self = NULL;
	}
}

static void
udp_pair(const char *host)
{
	struct event_base	*base = event_base_new();
	struct udp_shared	*sh = udp_shared_create(0);
	struct sockaddr_storage	 ss, bs;
	socklen_t		 sslen, bslen;
	struct udp		*a, *b;
	struct urecv		 ra, rb;
	char			*cause = NULL, str[64];
	int			 i;

	memset(&ra, 0, sizeof ra);
	memset(&rb, 0, sizeof rb);
	ck_assert_int_eq(udp_addr_parse(host, 0, &ss, &sslen, &cause), 0);
	a = udp_create(base, sh, (struct sockaddr *)&ss, sslen, urecv_cb, &ra, &cause);
	if (a == NULL && strchr(host, ':') != NULL) {
		/* No IPv6 loopback here. */
		free(cause);
		udp_shared_free(sh);
		event_base_free(base);
		return;
	}
	ck_assert_ptr_nonnull(a);
	b = udp_create(base, sh, (struct sockaddr *)&ss, sslen, urecv_cb, &rb, &cause);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_ne(udp_port(a), 0);
	ck_assert_uint_ne(udp_port(a), udp_port(b));
	ck_assert_int_eq(udp_local(b, &bs, &bslen), 0);
	udp_addr_str((struct sockaddr *)&bs, bslen, str, sizeof str);
	ck_assert_ptr_nonnull(strstr(str, host));
	/* Three datagrams in one burst are read in one callback loop. */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(udp_send(a, (struct sockaddr *)&bs, bslen,
		    (const uint8_t *)"ping", 4), 0);
	for (i = 0; i < 50 && rb.n < 3; i++)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	ck_assert_int_eq(rb.n, 3);
	ck_assert_uint_eq(rb.len, 4);
	ck_assert_mem_eq(rb.data, "ping", 4);
	ck_assert_uint_eq(((struct sockaddr_in *)&rb.from)->sin_port, htons(udp_port(a)));
	ck_assert_uint_eq(udp_stats(b)->rx, 3);
	ck_assert_uint_eq(udp_stats(a)->tx, 3);
	/* Freed from its own callback, with more datagrams pending. */
	rb.self = b;
	rb.free_self = true;
	for (i = 0; i < 2; i++)
		udp_send(a, (struct sockaddr *)&bs, bslen, (const uint8_t *)"x", 1);
	for (i = 0; i < 50 && rb.self != NULL; i++)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	ck_assert_ptr_null(rb.self);
	ck_assert_int_eq(rb.n, 4);
	udp_free(a);
	udp_free(NULL);
	udp_shared_free(sh);
	event_base_free(base);
}

START_TEST(udp_ipv4)
{
	udp_pair("127.0.0.1");
}
END_TEST

START_TEST(udp_ipv6)
{
	udp_pair("::1");
}
END_TEST

START_TEST(udp_addr)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	char			*cause = NULL, buf[64];

	ck_assert_int_eq(udp_addr_parse("[::1]", 5683, &ss, &len, &cause), 0);
	ck_assert_str_eq(udp_addr_str((struct sockaddr *)&ss, len, buf, sizeof buf),
	    "[::1]:5683");
	ck_assert_int_eq(udp_addr_parse("localhost", 1, &ss, &len, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "numeric"));
	free(cause);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("cio");
	TCase	*tc = tcase_create("core");
	TCase	*tu = tcase_create("udp");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, retransmission_schedule);
	tcase_add_test(tc, retransmission_giveup_time);
	tcase_add_test(tc, nstart_queue);
	tcase_add_test(tc, separate_response);
	tcase_add_test(tc, unknown_token_rst);
	tcase_add_test(tc, dedup_replay);
	tcase_add_test(tc, dedup_bounded);
	tcase_add_test(tc, deferred_response);
	tcase_add_test(tc, block1_client);
	tcase_add_test(tc, block1_client_413);
	tcase_add_test(tc, block2_server);
	tcase_add_test(tc, block1_server);
	tcase_add_test(tc, block1_server_too_large);
	tcase_add_test(tc, block1_server_smaller);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, unknown_options);
	tcase_add_test(tc, ping_rst);
	tcase_add_test(tc, rst_cancels);
	tcase_add_test(tc, response_bad_option);
	tcase_add_test(tc, cancel_request);
	tcase_add_test(tc, notify_con);
	tcase_add_test(tc, notify_non);
	tcase_add_test(tc, notify_replace_block2);
	tcase_add_test(tc, observe_non_response_rst);
	tcase_add_test(tc, free_in_callback);
	tcase_add_test(tc, pdu_roundtrip);
	suite_add_tcase(s, tc);
	tcase_add_test(tu, udp_ipv4);
	tcase_add_test(tu, udp_ipv6);
	tcase_add_test(tu, udp_addr);
	suite_add_tcase(s, tu);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
