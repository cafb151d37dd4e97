/*
 * Stopping virtual clients: a destroyed one (its sensor gone) de-registers from every
 * server, closes its DTLS associations and is freed; the graceful shutdown does that for
 * all of them within params.shutdown_timeout_ms.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "bootstrap.h"
#include "dtls.h"
#include "log.h"
#include "vclient_int.h"

static void
vclient_stopped(struct vclient *vc)
{
	struct vclient_ctx	*ctx = vc->ctx;
	struct vpeer		*p;

	/*
	 * close_notify to every server we hold a DTLS association with: a gateway that
	 * comes back on the same port is then greeted with a handshake, not taken for the
	 * old association until the server's own timeout.
	 */
	LIST_FOREACH(p, &vc->peers, entry) {
		if (p->dtls != NULL && dtls_get_state(p->dtls) == DTLS_CONNECTED) {
			dtls_close(p->dtls);
			p->dtls_up = false;
		}
	}
	vclient_set_state(vc, VCLIENT_STOPPED);
	if (vc->destroy_when_stopped) {
		if (vc->leaving)
			TAILQ_REMOVE(&ctx->leaving, vc, entry);
		else {
			TAILQ_REMOVE(&ctx->clients, vc, entry);
			ctx->nclients--;
		}
		vclient_unref(vc);
	}
	if (ctx->shutting_down)
		vclient_shutdown_check(ctx);
}

static void
vclient_dereg_cb(void *arg, int error)
{
	struct vclient	*vc = arg;

	(void)error;
	if (vc->dereg_waiting > 0)
		vc->dereg_waiting--;
	if (vc->dereg_waiting == 0 && vc->state == VCLIENT_STOPPING)
		vclient_stopped(vc);
	vclient_unref(vc);
}

/* De-register from every registered server; vclient_stopped when all answered. */
static void
vclient_stop(struct vclient *vc)
{
	struct vpeer	*p;

	if (vc->state == VCLIENT_STOPPING || vc->state == VCLIENT_STOPPED)
		return;
	vclient_set_state(vc, VCLIENT_STOPPING);
	bootstrap_stop(vc);
	evtimer_del(vc->timer);
	vc->dereg_waiting = 1;		/* held while sending */
	LIST_FOREACH(p, &vc->peers, entry) {
		if (p->kind != VPEER_SERVER)
			continue;
		vclient_ref(vc);
		vc->dereg_waiting++;
		if (registration_deregister(vc, p->ssid, vclient_dereg_cb, vc) != 0) {
			vc->dereg_waiting--;
			vclient_unref(vc);
			registration_stop(p);
		}
	}
	vc->dereg_waiting--;
	if (vc->dereg_waiting == 0)
		vclient_stopped(vc);
}

void
vclient_destroy(struct vclient *vc)
{
	struct vpending	*pd;

	if (vc == NULL || vc->destroy_when_stopped)
		return;
	vc->destroy_when_stopped = true;
	while ((pd = LIST_FIRST(&vc->pending)) != NULL)
		dm_ops_pending_done(pd, LWM2M_ERR_SERVICE_UNAVAILABLE);
	vc->sops = NULL;
	if (vc->state == VCLIENT_STOPPED)
		vclient_stopped(vc);
	else
		vclient_stop(vc);
}

static void
vclient_shutdown_finish(struct vclient_ctx *ctx)
{
	void	(*done)(void *) = ctx->shutdown_done;

	if (done == NULL)
		return;
	ctx->shutdown_done = NULL;
	if (ctx->shutdown_timer != NULL)
		evtimer_del(ctx->shutdown_timer);
	done(ctx->shutdown_arg);
}

void
vclient_shutdown_check(struct vclient_ctx *ctx)
{
	struct vclient	*vc;

	TAILQ_FOREACH(vc, &ctx->clients, entry) {
		if (vc->state != VCLIENT_STOPPED)
			return;
	}
	vclient_shutdown_finish(ctx);
}

static void
vclient_shutdown_timer(evutil_socket_t fd, short events, void *arg)
{
	struct vclient_ctx	*ctx = arg;
	size_t			 n = 0;
	struct vclient		*vc;

	(void)fd;
	(void)events;
	TAILQ_FOREACH(vc, &ctx->clients, entry) {
		if (vc->state != VCLIENT_STOPPED)
			n++;
	}
	if (ctx->shutdown_done != NULL && n > 0)
		log_warnx("shutdown: %zu virtual client%s did not finish "
		    "de-registering in time", n, n == 1 ? "" : "s");
	vclient_shutdown_finish(ctx);
}

void
vclient_ctx_shutdown(struct vclient_ctx *ctx, void (*done)(void *), void *arg)
{
	struct vclient	*vc, *vc1;

	ctx->shutting_down = true;
	ctx->shutdown_done = done;
	ctx->shutdown_arg = arg;
	if (ctx->shutdown_timer == NULL)
		ctx->shutdown_timer = evtimer_new(ctx->base, vclient_shutdown_timer, ctx);
	vclient_timer_add(ctx, ctx->shutdown_timer, ctx->params.shutdown_timeout_ms);
	TAILQ_FOREACH_SAFE(vc, &ctx->clients, entry, vc1) {
		vclient_ref(vc);
		vclient_stop(vc);
		vclient_unref(vc);
	}
	/* Done from the loop, never from inside this call. */
	if (ctx->shutdown_done != NULL) {
		TAILQ_FOREACH(vc, &ctx->clients, entry) {
			if (vc->state != VCLIENT_STOPPED)
				return;
		}
		evtimer_del(ctx->shutdown_timer);
		vclient_timer_add(ctx, ctx->shutdown_timer, 0);
	}
}

