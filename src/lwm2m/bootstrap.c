/*
 * The Bootstrap state machine of one virtual client (BS-1, BS-5..12).
 *
 * A sequence is one transaction (BS-12): the first request of the Bootstrap-Server (or
 * our Request) clones the live store; every Write, Delete (with its unbootstrapping
 * cascade) and Discover works on the clone; Bootstrap-Finish, or EXCHANGE_LIFETIME of
 * silence (BS-6), checks it (BS-5) and commits it: the live store is swapped, written to
 * disk, and only then is 2.04 sent. A 4.06, an inconsistent silence, bootstrap_stop or a
 * crash leave the live store (and the state file) as they were. The wire side of the
 * unbootstrapping (UB-4 observations, UB-6 De-register) happens at commit, so that a
 * rolled-back sequence never told a server anything (bootstrap_commit.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "bootstrap.h"
#include "bootstrap_int.h"
#include "cfg.h"
#include "log.h"
#include "xmalloc.h"

/* Deleted paths remembered for observations; past this, every observation is checked. */
#define BOOTSTRAP_MAX_DELETED	4096

static void	bootstrap_request_send(struct vclient *);
static bool	bootstrap_registered(struct vclient *);

struct bootstrap_state *
bootstrap_state_get(struct vclient *vc)
{
	struct bootstrap_state	*bs;

	if ((bs = vc->bs) != NULL)
		return (bs);
	bs = xcalloc(1, sizeof *bs);
	bs->vc = vc;
	bs->timer = evtimer_new(vc->ctx->base, bootstrap_silence_timer, vc);
	bs->hold = evtimer_new(vc->ctx->base, bootstrap_hold_timer, vc);
	bs->purge = evtimer_new(vc->ctx->base, bootstrap_purge_timer, vc);
	bs->later = evtimer_new(vc->ctx->base, bootstrap_commit_timer, vc);
	if (bs->timer == NULL || bs->hold == NULL || bs->purge == NULL ||
	    bs->later == NULL)
		fatalx("cannot create bootstrap timers");
	vc->bs = bs;
	return (bs);
}

bool
bootstrap_active(const struct vclient *vc)
{
	if (vc->bs == NULL)
		return (false);
	return (vc->bs->phase == BOOTSTRAP_REQUEST || vc->bs->phase == BOOTSTRAP_RUNNING ||
	    vc->bs->phase == BOOTSTRAP_COMMIT);
}

/*
 * A sensor reading while a sequence is open goes into the transaction too, so that the
 * commit (which replaces the store with the transaction) keeps the latest hardware values.
 */
void
bootstrap_reading(struct vclient *vc, const struct lwm2m_path *p,
    const struct lwm2m_value *v)
{
	if (vc->bs != NULL && vc->bs->txn != NULL)
		dm_set(vc->bs->txn, p, v, NULL);
}

/* Flags of the BS-5 check: NoSec only when the configuration allows it (BS-11). */
int
bootstrap_check_flags(const struct vclient *vc)
{
	if (vc->ctx->cfg != NULL && vc->ctx->cfg->gateway.allow_insecure)
		return (DM_CHECK_ALLOW_NOSEC);
	return (0);
}

/* EXCHANGE_LIFETIME of the CoAP parameters in force (BS-6). */
static uint32_t
bootstrap_silence_ms(const struct vclient *vc)
{
	const struct cio_params	*p = cio_ctx_params(vc->ctx->cio);

	return (p->exchange_lifetime_ms != 0 ? p->exchange_lifetime_ms : 247000);
}

/* Drop the transaction and everything the sequence collected. */
void
bootstrap_txn_drop(struct bootstrap_state *bs)
{
	dm_store_free(bs->txn);
	bs->txn = NULL;
	free(bs->removed);
	bs->removed = NULL;
	bs->nremoved = 0;
	free(bs->deleted);
	bs->deleted = NULL;
	bs->ndeleted = 0;
	bs->deleted_overflow = false;
}

static void
bootstrap_removed_cb(void *arg, uint16_t ssid)
{
	struct bootstrap_state	*bs = arg;
	size_t			 i;

	for (i = 0; i < bs->nremoved; i++)
		if (bs->removed[i] == ssid)
			return;
	bs->removed = xreallocarray(bs->removed, bs->nremoved + 1,
	    sizeof *bs->removed);
	bs->removed[bs->nremoved++] = ssid;
}

static void
bootstrap_deleted_cb(void *arg, const struct lwm2m_path *p)
{
	struct bootstrap_state	*bs = arg;
	size_t			 i;

	for (i = 0; i < bs->ndeleted; i++)
		if (dm_path_equal(&bs->deleted[i], p))
			return;
	if (bs->ndeleted == BOOTSTRAP_MAX_DELETED) {
		bs->deleted_overflow = true;
		return;
	}
	bs->deleted = xreallocarray(bs->deleted, bs->ndeleted + 1,
	    sizeof *bs->deleted);
	bs->deleted[bs->ndeleted++] = *p;
}

/*
 * Instances Delete leaves alone besides the Bootstrap-Server account and /3/0: those of
 * the sensor's own objects, which the gateway recreates from the hardware at every start
 * (every object but 0-4). See docs/bootstrap.md.
 */
static bool
bootstrap_spared_cb(void *arg, uint16_t oid, uint16_t iid)
{
	(void)arg;
	(void)iid;
	return (oid > LWM2M_OID_CONNMON);
}

void
bootstrap_ctx_init(struct vclient *vc, struct bsops_ctx *ctx)
{
	struct bootstrap_state	*bs = vc->bs;

	memset(ctx, 0, sizeof *ctx);
	ctx->txn = bs->txn;
	ctx->ep = vc->endpoint;
	ctx->check_flags = bootstrap_check_flags(vc);
	ctx->removed = bootstrap_removed_cb;
	ctx->deleted = bootstrap_deleted_cb;
	ctx->spared = bootstrap_spared_cb;
	ctx->arg = bs;
}

/* Open the transaction: a copy of the live store (BS-12). */
static void
bootstrap_txn_open(struct bootstrap_state *bs)
{
	if (bs->txn == NULL)
		bs->txn = dm_store_clone(bs->vc->store);
}

/* (Re)arm the BS-6 timeout: silence after the last message of the Bootstrap-Server. */
static void
bootstrap_silence_arm(struct vclient *vc)
{
	evtimer_del(vc->bs->timer);
	vclient_timer_add(vc->ctx, vc->bs->timer, bootstrap_silence_ms(vc));
}

/* The sequence failed: previous configuration stays, retry later (vclient backs off). */
void
bootstrap_fail(struct vclient *vc, const char *why)
{
	struct bootstrap_state	*bs = vc->bs;
	struct vpeer		*p;

	log_ep(LOG_NOTICE, vc->endpoint, "bootstrap failed: %s; the previous "
	    "configuration stays", why);
	if ((p = vclient_peer_bootstrap(vc)) != NULL) {
		if (bs->req_pending)
			cio_cancel(p->cio, bs->req_id);
		admit_release(p);
		vclient_peer_resolve_cancel(p);
	}
	bs->req_pending = false;
	evtimer_del(bs->timer);
	evtimer_del(bs->hold);
	bootstrap_txn_drop(bs);
	bs->phase = BOOTSTRAP_IDLE;
	/*
	 * A server-initiated sequence abandoned on a client that is registered: it stays
	 * with its servers. Otherwise back off and request a bootstrap (BS-10).
	 */
	if (bs->server_initiated && bootstrap_registered(vc)) {
		bs->server_initiated = false;
		vclient_reg_changed(vc);
		return;
	}
	bs->server_initiated = false;
	vclient_bootstrap_done(vc, -1);
}

/* Is any server registered (live configuration)? */
static bool
bootstrap_registered(struct vclient *vc)
{
	struct vpeer	*p;

	LIST_FOREACH(p, &vc->peers, entry) {
		if (p->kind == VPEER_SERVER && registration_is_valid(p))
			return (true);
	}
	return (false);
}

/* ------------------------------------------------------------------ Request (BS-1) */

static void
bootstrap_request_cb(void *arg, int error, const struct cio_msg *rsp)
{
	struct vclient		*vc = arg;
	struct bootstrap_state	*bs = vc->bs;
	struct vpeer		*p;
	char			 why[64];

	if (vc->dead || bs == NULL)
		return;
	bs->req_pending = false;
	if ((p = vclient_peer_bootstrap(vc)) != NULL)
		admit_release(p);
	if (bs->phase != BOOTSTRAP_REQUEST) {
		/* The Bootstrap-Server started before its answer reached us. */
		return;
	}
	if (error != 0) {
		snprintf(why, sizeof why, "Bootstrap-Request: %s", cio_strerror(error));
		bootstrap_fail(vc, why);
		return;
	}
	if (rsp->code != LWM2M_CHANGED) {
		snprintf(why, sizeof why, "Bootstrap-Request answered %u.%02u",
		    LWM2M_CODE_CLASS(rsp->code), LWM2M_CODE_DETAIL(rsp->code));
		bootstrap_fail(vc, why);
		return;
	}
	log_ep_info(vc->endpoint, "Bootstrap-Request accepted: waiting for the "
	    "Bootstrap-Server");
	bs->phase = BOOTSTRAP_RUNNING;
	bootstrap_silence_arm(vc);
}

/* The Bootstrap-Server's address is known: send the Request (DTLS handshake first). */
static void
bootstrap_request_post(struct vpeer *p)
{
	struct vclient		*vc = p->vc;
	struct bootstrap_state	*bs = vc->bs;
	struct cio_msg		 m;
	char			*ep, *cause = NULL;
	int			 rc;

	cio_msg_init(&m);
	m.code = CIO_POST;
	m.path[0] = "bs";
	m.npath = 1;
	xasprintf(&ep, "ep=%s", vc->endpoint);
	m.query[0] = ep;
	m.query[1] = "pct=11542";	/* TLV: what every Bootstrap-Server writes */
	m.nquery = 2;
	log_ep_info(vc->endpoint, "Bootstrap-Request to %s", p->uri);
	rc = vclient_peer_request(p, &m, bootstrap_request_cb, vc, &bs->req_id, &cause);
	free(ep);
	if (rc != 0) {
		bootstrap_fail(vc, cause != NULL ? cause : "cannot send");
		free(cause);
		return;
	}
	bs->req_pending = true;
}

/* The Bootstrap-Server's host name was resolved (or not). */
static void
bootstrap_request_resolved(struct vpeer *p, const char *error)
{
	struct vclient		*vc = p->vc;
	struct bootstrap_state	*bs = vc->bs;

	/* Abandoned meanwhile (the slot went with it), or already sent. */
	if (p->admit != VADMIT_HELD)
		return;
	if (vc->dead || bs == NULL || bs->phase != BOOTSTRAP_REQUEST ||
	    bs->req_pending) {
		admit_release(p);
		return;
	}
	if (error != NULL) {
		bootstrap_fail(vc, error);
		return;
	}
	bootstrap_request_post(p);
}

/* The Bootstrap-Request has its slot: resolve the server's name if any, then send it. */
static void
bootstrap_request_go(struct vpeer *p)
{
	struct vclient		*vc = p->vc;
	struct bootstrap_state	*bs = vc->bs;
	char			*cause = NULL;

	if (vc->dead || bs == NULL || bs->phase != BOOTSTRAP_REQUEST) {
		admit_release(p);
		return;
	}
	switch (vclient_peer_resolve(p, bootstrap_request_resolved, &cause)) {
	case 1:
		return;
	case -1:
		bootstrap_fail(vc, cause);
		free(cause);
		return;
	}
	bootstrap_request_post(p);
}

static void
bootstrap_request_send(struct vclient *vc)
{
	struct bootstrap_state	*bs = vc->bs;
	struct vpeer		*p;

	if ((p = vclient_peer_bootstrap(vc)) == NULL) {
		bootstrap_fail(vc, "no Bootstrap-Server account");
		return;
	}
	bs->phase = BOOTSTRAP_REQUEST;
	bs->server_initiated = false;
	vclient_set_state(vc, VCLIENT_BOOTSTRAPPING);
	bootstrap_txn_open(bs);
	/* Thousands of vclients bootstrapping at once wait their turn (admit.c). */
	if (admit_request(p, bootstrap_request_go))
		bootstrap_request_go(p);
}

void
bootstrap_hold_timer(evutil_socket_t fd, short events, void *arg)
{
	struct vclient	*vc = arg;

	(void)fd;
	(void)events;
	if (vc->dead || vc->bs == NULL || vc->bs->phase != BOOTSTRAP_HOLD_OFF)
		return;
	bootstrap_request_send(vc);
}

int
bootstrap_start(struct vclient *vc)
{
	struct bootstrap_state	*bs;
	struct vpeer		*p;
	struct timeval		 tv;
	uint16_t		 iid;
	int64_t			 hold = 0;

	if (vc->dead || vc->ctx->shutting_down)
		return (-1);
	bs = bootstrap_state_get(vc);
	if (bs->phase != BOOTSTRAP_IDLE)
		return (0);
	if ((p = vclient_peer_bootstrap(vc)) == NULL ||
	    dm_security_bootstrap(vc->store, &iid) != 0) {
		log_ep(LOG_WARNING, vc->endpoint, "cannot bootstrap: no usable "
		    "Bootstrap-Server account");
		return (-1);
	}
	/* BS-11: the bootstrap interface runs over DTLS unless insecure is allowed. */
	if (!p->secure && (bootstrap_check_flags(vc) & DM_CHECK_ALLOW_NOSEC) == 0) {
		log_ep(LOG_WARNING, vc->endpoint, "cannot bootstrap: NoSec "
		    "Bootstrap-Server needs gateway.allow_insecure");
		return (-1);
	}
	if (dm_get_int(vc->store, &LWM2M_PATH_RES(LWM2M_OID_SECURITY, iid,
	    DM_SEC_RID_HOLD_OFF), &hold) != 0 || hold < 0)
		hold = 0;
	if (hold > 86400)
		hold = 86400;
	if (hold == 0) {
		bootstrap_request_send(vc);
		return (0);
	}
	log_ep_info(vc->endpoint, "bootstrap after Client Hold Off Time (%llds)",
	    (long long)hold);
	bs->phase = BOOTSTRAP_HOLD_OFF;
	vclient_set_state(vc, VCLIENT_HOLD_OFF);
	tv.tv_sec = (time_t)hold;
	tv.tv_usec = 0;
	evtimer_add(bs->hold, &tv);
	return (0);
}

/* ------------------------------------------------------------------ operations */

/* BS-6: no message from the Bootstrap-Server for EXCHANGE_LIFETIME. */
void
bootstrap_silence_timer(evutil_socket_t fd, short events, void *arg)
{
	struct vclient		*vc = arg;
	struct bootstrap_state	*bs = vc->bs;
	struct bsops_ctx	 ctx;
	char			*cause = NULL;
	char			 why[256];

	(void)fd;
	(void)events;
	if (vc->dead || bs == NULL || bs->phase != BOOTSTRAP_RUNNING)
		return;
	bootstrap_ctx_init(vc, &ctx);
	if (bsops_finish(&ctx, &cause) != 0) {
		snprintf(why, sizeof why, "no Bootstrap-Finish and the configuration "
		    "is inconsistent (%s)", cause);
		free(cause);
		bootstrap_fail(vc, why);
		return;
	}
	log_ep_info(vc->endpoint, "no Bootstrap-Finish within EXCHANGE_LIFETIME: the "
	    "configuration is consistent, taking it (BS-6)");
	if (bootstrap_commit(vc, NULL) != 0)
		bootstrap_fail(vc, "cannot make the configuration durable");
}

void
bootstrap_handle(struct vclient *vc, struct vpeer *p, struct cio_exchange *ex,
    const struct cio_msg *req)
{
	struct bootstrap_state	*bs;
	struct bsops_ctx	 ctx;
	struct bsops_reply	 rep;
	struct lwm2m_path	 path;
	const char		*ver;
	enum bsops_op		 op;

	if (vc->dead || vc->ctx->shutting_down) {
		cio_respond(ex, LWM2M_CODE(5, 3), CIO_FMT_NONE, NULL, 0, CIO_OBSERVE_NONE);
		return;
	}
	bs = bootstrap_state_get(vc);
	/* BS-11: never take bootstrap information over NoSec unless allowed. */
	if (!p->secure && (bootstrap_check_flags(vc) & DM_CHECK_ALLOW_NOSEC) == 0) {
		log_ep(LOG_WARNING, vc->endpoint, "bootstrap request over NoSec refused");
		cio_respond(ex, LWM2M_CODE(4, 1), CIO_FMT_NONE, NULL, 0, CIO_OBSERVE_NONE);
		return;
	}
	if (bs->phase == BOOTSTRAP_COMMIT) {
		/* The previous sequence is still de-registering removed servers. */
		cio_respond(ex, LWM2M_CODE(5, 3), CIO_FMT_NONE, NULL, 0, CIO_OBSERVE_NONE);
		return;
	}
	if (bs->phase == BOOTSTRAP_IDLE || bs->phase == BOOTSTRAP_HOLD_OFF) {
		/* BS-9: server-initiated, handled like a client-initiated sequence. */
		log_ep_info(vc->endpoint, "server-initiated bootstrap from %s", p->uri);
		bs->server_initiated = true;
		evtimer_del(bs->hold);
		vclient_set_state(vc, VCLIENT_BOOTSTRAPPING);
		bootstrap_txn_open(bs);
	}
	bs->phase = BOOTSTRAP_RUNNING;
	bootstrap_silence_arm(vc);

	bootstrap_ctx_init(vc, &ctx);
	op = bsops_classify(req, &path, &ver);
	if (op == BSOPS_FINISH) {
		bootstrap_finish(vc, ex);
		return;
	}
	memset(&rep, 0, sizeof rep);
	rep.buf = vc->ctx->buf;
	rep.size = VCLIENT_BUF_SIZE;
	bsops_handle(&ctx, req, &rep);
	if (LOG_ENABLED(LOG_DEBUG)) {
		char	buf[DM_PATH_MAXLEN];

		dm_path_format(&path, buf, sizeof buf);
		log_ep_debug(vc->endpoint, "bootstrap: method %u %s -> %u.%02u",
		    req->code, buf, LWM2M_CODE_CLASS(rep.code),
		    LWM2M_CODE_DETAIL(rep.code));
	}
	cio_respond(ex, rep.code, rep.format, rep.len != 0 ? rep.buf : NULL, rep.len,
	    CIO_OBSERVE_NONE);
}

void
bootstrap_stop(struct vclient *vc)
{
	struct bootstrap_state	*bs = vc->bs;
	struct vpeer		*p;

	if (bs == NULL)
		return;
	if ((p = vclient_peer_bootstrap(vc)) != NULL) {
		if (bs->req_pending)
			cio_cancel(p->cio, bs->req_id);
		admit_release(p);
		vclient_peer_resolve_cancel(p);
	}
	bs->req_pending = false;
	if (bs->phase == BOOTSTRAP_RUNNING || bs->phase == BOOTSTRAP_REQUEST)
		log_ep_info(vc->endpoint, "bootstrap abandoned: the previous "
		    "configuration stays");
	evtimer_del(bs->timer);
	evtimer_del(bs->hold);
	evtimer_del(bs->later);
	evtimer_del(bs->purge);
	bootstrap_txn_drop(bs);
	free(bs->dereg);
	bs->dereg = NULL;
	bs->ndereg = 0;
	bs->server_initiated = false;
	bs->phase = BOOTSTRAP_IDLE;
}

void
bootstrap_free_state(struct vclient *vc)
{
	struct bootstrap_state	*bs = vc->bs;

	if (bs == NULL)
		return;
	bootstrap_stop(vc);
	event_free(bs->timer);
	event_free(bs->hold);
	event_free(bs->purge);
	event_free(bs->later);
	free(bs);
	vc->bs = NULL;
}
