/*
 * Admission of first exchanges, context-wide: at most params.max_inflight Registers
 * (with the DTLS handshake before them), Bootstrap-Requests and De-registers in flight at
 * once, so that thousands of vclients starting or stopping together do not overflow a
 * server's receive buffer. The others wait in a FIFO and start, from the event loop, as
 * earlier ones end (answer, error or timeout: the owner calls admit_release).
 *
 * A peer has at most one exchange in the admission at a time (its slot).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "log.h"
#include "vclient_int.h"

static void	admit_dispatch_cb(evutil_socket_t, short, void *);

void
admit_init(struct vclient_ctx *ctx)
{
	TAILQ_INIT(&ctx->admit_queue);
	ctx->admit_ev = event_new(ctx->base, -1, 0, admit_dispatch_cb, ctx);
	if (ctx->admit_ev == NULL)
		fatalx("cannot create the admission event");
}

void
admit_free(struct vclient_ctx *ctx)
{
	if (ctx->admit_ev != NULL)
		event_free(ctx->admit_ev);
	ctx->admit_ev = NULL;
}

/* Is there room for one more exchange? max_inflight 0 means no limit. */
static bool
admit_room(const struct vclient_ctx *ctx)
{
	return ctx->params.max_inflight == 0 ||
	    ctx->admit_inflight < ctx->params.max_inflight;
}

bool
admit_request(struct vpeer *p, void (*go)(struct vpeer *))
{
	struct vclient_ctx	*ctx = p->vc->ctx;

	if (p->admit == VADMIT_HELD)
		return true;
	if (p->admit == VADMIT_QUEUED) {
		p->admit_go = go;
		return false;
	}
	/* Those already waiting go first, even when a slot is free right now. */
	if (admit_room(ctx) && TAILQ_EMPTY(&ctx->admit_queue)) {
		p->admit = VADMIT_HELD;
		ctx->admit_inflight++;
		return true;
	}
	p->admit = VADMIT_QUEUED;
	p->admit_go = go;
	TAILQ_INSERT_TAIL(&ctx->admit_queue, p, admit_entry);
	ctx->admit_queued++;
	if (admit_room(ctx))
		event_active(ctx->admit_ev, EV_TIMEOUT, 0);
	return false;
}

void
admit_release(struct vpeer *p)
{
	struct vclient_ctx	*ctx = p->vc->ctx;

	switch (p->admit) {
	case VADMIT_NONE:
		return;
	case VADMIT_QUEUED:
		TAILQ_REMOVE(&ctx->admit_queue, p, admit_entry);
		ctx->admit_queued--;
		break;
	case VADMIT_HELD:
		ctx->admit_inflight--;
		/* The next one starts from the loop, never inside its owner's callback. */
		if (!TAILQ_EMPTY(&ctx->admit_queue) && ctx->admit_ev != NULL)
			event_active(ctx->admit_ev, EV_TIMEOUT, 0);
		break;
	}
	p->admit = VADMIT_NONE;
	p->admit_go = NULL;
}

static void
admit_dispatch_cb(evutil_socket_t fd, short events, void *arg)
{
	struct vclient_ctx	*ctx = arg;
	struct vpeer		*p;
	struct vclient		*vc;
	void			(*go)(struct vpeer *);

	(void)fd;
	(void)events;
	while (admit_room(ctx) && (p = TAILQ_FIRST(&ctx->admit_queue)) != NULL) {
		TAILQ_REMOVE(&ctx->admit_queue, p, admit_entry);
		ctx->admit_queued--;
		p->admit = VADMIT_HELD;
		ctx->admit_inflight++;
		go = p->admit_go;
		p->admit_go = NULL;
		vc = p->vc;
		vclient_ref(vc);
		go(p);
		vclient_unref(vc);
	}
}
