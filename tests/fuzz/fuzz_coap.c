/*
 * Fuzz target: datagrams from a peer into cio (parsing, dedup, block-wise, the server role
 * and response matching). Input: when the first byte has its top bit set, the rest is one
 * datagram; otherwise the rest is a sequence of [length byte][datagram] records, fed in
 * turn to one peer with the fake clock advancing between them.
 * Properties checked: nothing crashes or leaks (ASan), and every datagram cio sends parses
 * as CoAP and fits max_message_size.
 */
#include "config.h"

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/coap/cio_int.h"
#include "lwm2m.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint64_t		 fuzz_now;
static struct cio_ctx	*fuzz_ctx;
static struct cio_rx	 fuzz_rx;
static uint8_t		 fuzz_big[3000];
static struct cio_exchange *fuzz_deferred;

static uint64_t
fuzz_clock_now(void *arg)
{
	return fuzz_now;
}

static void *
fuzz_timer_new(void *arg, void (*fire)(void *), void *fire_arg)
{
	static int	timer;

	return &timer;
}

static void
fuzz_timer_set(void *arg, void *timer, uint64_t delay)
{
}

static void
fuzz_timer_nop(void *arg, void *timer)
{
}

static const struct cio_clock_ops fuzz_clock = {
	fuzz_clock_now, fuzz_timer_new, fuzz_timer_set, fuzz_timer_nop, fuzz_timer_nop
};

static int
fuzz_send(void *arg, const uint8_t *buf, size_t len)
{
	struct cio_hdr	h;

	if (len > cio_ctx_params(fuzz_ctx)->max_message_size || cio_pdu_header(buf, len, &h))
		abort();
	if (cio_pdu_parse(fuzz_ctx, buf, len, &fuzz_rx, h.code != 0 && h.code < 32) !=
	    CIO_PARSE_OK)
		abort();
	return 0;
}

static void
fuzz_request(void *arg, struct cio_exchange *ex, const struct cio_msg *req)
{
	if (req->npath > 0 && strcmp(req->path[0], "d") == 0 && fuzz_deferred == NULL) {
		fuzz_deferred = cio_defer(ex);
		return;
	}
	if (req->npath > 0 && strcmp(req->path[0], "big") == 0)
		cio_respond(ex, LWM2M_CONTENT, LWM2M_FMT_TEXT, fuzz_big, sizeof fuzz_big,
		    req->observe == 0 ? 1 : CIO_OBSERVE_NONE);
	else
		cio_respond(ex, req->code == CIO_GET ? LWM2M_CONTENT : LWM2M_CHANGED,
		    CIO_FMT_NONE, req->payload, req->payload_len > 64 ? 64 :
		    req->payload_len, CIO_OBSERVE_NONE);
}

static void
fuzz_lost(void *arg, const uint8_t *token, size_t len, int error)
{
}

static void
fuzz_response(void *arg, int error, const struct cio_msg *rsp)
{
}

static const struct cio_peer_cbs fuzz_cbs = { fuzz_request, fuzz_lost };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cio_params	 p;
	struct cio_peer		*peer;
	struct cio_msg		 m;
	char			*cause = NULL;
	size_t			 off, n;
	uint8_t			 payload[2000];

	if (fuzz_ctx == NULL) {
		cio_params_default(&p);
		p.max_body_size = 4096;
		p.dedup_size = 4;
		fuzz_ctx = cio_ctx_create_clock(&p, &fuzz_clock, NULL, &cause);
		if (fuzz_ctx == NULL)
			abort();
		memset(fuzz_big, 'b', sizeof fuzz_big);
	}
	fuzz_now = 1000;
	fuzz_deferred = NULL;
	peer = cio_peer_create(fuzz_ctx, "fuzz", fuzz_send, NULL, &fuzz_cbs, NULL);

	/* Something to match responses and resets against. */
	cio_msg_init(&m);
	m.code = CIO_POST;
	m.path[0] = "rd";
	m.npath = 1;
	memset(payload, 'p', sizeof payload);
	m.payload = payload;
	m.payload_len = sizeof payload;
	if (cio_request(peer, &m, fuzz_response, NULL, NULL, &cause) != 0)
		abort();
	cio_msg_init(&m);
	m.type = CIO_NON;
	m.code = LWM2M_CONTENT;
	m.token_len = 1;
	m.observe = 3;
	if (cio_notify(peer, &m, NULL, NULL, &cause) != 0)
		abort();

	if (size > 0 && (data[0] & 0x80) != 0)
		cio_peer_input(peer, data + 1, size - 1);
	else if (size > 0) {
		for (off = 1; off < size; off += n) {
			n = data[off++];
			if (n > size - off)
				n = size - off;
			cio_peer_input(peer, data + off, n);
			fuzz_now += 700;
			cio_peer_timer(peer);
		}
	}
	if (fuzz_deferred != NULL)
		cio_respond(fuzz_deferred, LWM2M_CHANGED, CIO_FMT_NONE, NULL, 0,
		    CIO_OBSERVE_NONE);
	cio_peer_free(peer);
	return 0;
}
