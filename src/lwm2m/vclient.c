/*
 * Virtual clients: the shared context, creation from the factory configuration or the state
 * file, reference counting, readings from the south side and the state machine's top
 * level. Stopping them (destroy, graceful shutdown) is in vclient_stop.c.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bootstrap.h"
#include "cfg.h"
#include "cio.h"
#include "dtls.h"
#include "log.h"
#include "udp.h"
#include "vclient_int.h"
#include "xmalloc.h"

static void	vclient_reaper_cb(evutil_socket_t, short, void *);

static const char *vclient_state_names[VCLIENT_NSTATES] = {
	"start", "hold-off", "bootstrapping", "registering", "registered",
	"failed", "stopping", "stopped",
};

void
vclient_params_default(struct vclient_params *p)
{
	p->retry_base_ms = 5000;
	p->retry_cap_ms = 300000;
	p->retry_attempts = 5;
	p->update_margin_max_s = 60;
	p->backend_timeout_ms = 10000;
	p->notify_con_interval_s = 86400;
	p->store_max = 64;
	p->shutdown_timeout_ms = 5000;
	p->bootstrap_retry_ms = 10000;
	p->max_inflight = 128;
}

const char *
vclient_state_name(enum vclient_state s)
{
	if ((unsigned)s >= VCLIENT_NSTATES)
		return "unknown";
	return vclient_state_names[s];
}

struct vclient_ctx *
vclient_ctx_create(struct event_base *base, const struct cfg *cfg,
    const struct vclient_params *params, char **cause)
{
	struct vclient_ctx	*ctx;
	struct cio_params	 cp;
	char			*why = NULL;

	ctx = xcalloc(1, sizeof *ctx);
	ctx->base = base;
	ctx->cfg = cfg;
	if (params != NULL)
		ctx->params = *params;
	else
		vclient_params_default(&ctx->params);
	TAILQ_INIT(&ctx->clients);
	TAILQ_INIT(&ctx->leaving);
	TAILQ_INIT(&ctx->dead);
	ctx->reaper = evtimer_new(base, vclient_reaper_cb, ctx);
	admit_init(ctx);

	cio_params_default(&cp);
	if (cfg->coap.ack_timeout_ms > 0)
		cp.ack_timeout_ms = (uint32_t)cfg->coap.ack_timeout_ms;
	if (cfg->coap.ack_random_factor >= 1.0)
		cp.ack_random_factor = cfg->coap.ack_random_factor;
	if (cfg->coap.max_retransmit >= 0)
		cp.max_retransmit = (uint32_t)cfg->coap.max_retransmit;
	if (cfg->coap.nstart > 0)
		cp.nstart = (uint32_t)cfg->coap.nstart;
	if (cfg->coap.exchange_lifetime_ms > 0)
		cp.exchange_lifetime_ms = (uint32_t)cfg->coap.exchange_lifetime_ms;
	if (cfg->coap.max_message_size > 0)
		cp.max_message_size = (size_t)cfg->coap.max_message_size;
	if (cfg->coap.block_size > 0)
		cp.block_size = (size_t)cfg->coap.block_size;
	if ((ctx->cio = cio_ctx_create(&cp, base, &why)) == NULL)
		goto fail;
	if ((ctx->dtls = dtls_ctx_create(base, &why)) == NULL)
		goto fail;
	ctx->udp = udp_shared_create(0);
	ctx->registry = dm_registry_create();
	if (cfg->gateway.objects_dir != NULL && *cfg->gateway.objects_dir != '\0') {
		if (dm_registry_load_dir(ctx->registry, cfg->gateway.objects_dir, 0,
		    NULL, &why) != 0) {
			/* Bad files are reported; the good ones are loaded. */
			log_warnx("%s: %s", cfg->gateway.objects_dir, why);
			free(why);
			why = NULL;
		}
	}
	if (cfg->gateway.state_dir != NULL && *cfg->gateway.state_dir != '\0') {
		/* Found now, not at the first save a server was promised. */
		if (access(cfg->gateway.state_dir, W_OK | X_OK) != 0) {
			xasprintf(&why, "state directory %s: %s (it must exist and be "
			    "writable by lwgwd)", cfg->gateway.state_dir,
			    strerror(errno));
			goto fail;
		}
		ctx->state_dir = xstrdup(cfg->gateway.state_dir);
	}
	if (udp_addr_parse(cfg->gateway.bind != NULL ? cfg->gateway.bind : "0.0.0.0", 0,
	    &ctx->bind_addr, &ctx->bind_len, &why) != 0)
		goto fail;
	ctx->buf = xmalloc(VCLIENT_BUF_SIZE);
	ctx->entries = xcalloc(VCLIENT_MAX_ENTRIES, sizeof *ctx->entries);
	return ctx;

fail:
	xasprintf(cause, "vclient context: %s", why != NULL ? why : "failed");
	free(why);
	vclient_ctx_free(ctx);
	return NULL;
}

void
vclient_ctx_free(struct vclient_ctx *ctx)
{
	struct vclient	*vc;

	if (ctx == NULL)
		return;
	while ((vc = TAILQ_FIRST(&ctx->clients)) != NULL) {
		TAILQ_REMOVE(&ctx->clients, vc, entry);
		ctx->nclients--;
		vclient_free_now(vc);
	}
	while ((vc = TAILQ_FIRST(&ctx->leaving)) != NULL) {
		TAILQ_REMOVE(&ctx->leaving, vc, entry);
		vclient_free_now(vc);
	}
	if (ctx->reaper != NULL) {
		vclient_reaper_cb(-1, 0, ctx);
		event_free(ctx->reaper);
	}
	if (ctx->shutdown_timer != NULL)
		event_free(ctx->shutdown_timer);
	admit_free(ctx);
	resolve_free(ctx->resolve);
	dm_registry_free(ctx->registry);
	udp_shared_free(ctx->udp);
	dtls_ctx_free(ctx->dtls);
	cio_ctx_free(ctx->cio);
	free(ctx->state_dir);
	free(ctx->buf);
	free(ctx->entries);
	free(ctx);
}

struct dm_registry *
vclient_ctx_registry(struct vclient_ctx *ctx)
{
	return ctx->registry;
}

size_t
vclient_ctx_counts(struct vclient_ctx *ctx, size_t *counts)
{
	struct vclient	*vc;

	if (counts != NULL)
		memset(counts, 0, VCLIENT_NSTATES * sizeof *counts);
	TAILQ_FOREACH(vc, &ctx->clients, entry) {
		if (counts != NULL)
			counts[vc->state]++;
	}
	return ctx->nclients;
}

uint64_t
vclient_now_ms(struct vclient_ctx *ctx)
{
	struct timespec	ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

void
vclient_timer_add(struct vclient_ctx *ctx, struct event *ev, uint32_t ms)
{
	struct timeval		 tv;
	const struct timeval	*ctv = NULL;
	size_t			 i;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	/*
	 * Thousands of vclients arm timers of a few equal durations (pmax, Update): libevent's
	 * common timeouts keep those in a queue each instead of the heap.
	 */
	for (i = 0; i < ctx->ncommon; i++) {
		if (ctx->common[i].ms == ms) {
			ctv = ctx->common[i].tv;
			break;
		}
	}
	if (ctv == NULL && ctx->ncommon < sizeof ctx->common / sizeof ctx->common[0]) {
		ctv = event_base_init_common_timeout(ctx->base, &tv);
		if (ctv != NULL) {
			ctx->common[ctx->ncommon].ms = ms;
			ctx->common[ctx->ncommon].tv = ctv;
			ctx->ncommon++;
		}
	}
	event_add(ev, ctv != NULL ? ctv : &tv);
}

void
vclient_ref(struct vclient *vc)
{
	vc->refs++;
}

static void
vclient_reaper_cb(evutil_socket_t fd, short events, void *arg)
{
	struct vclient_ctx	*ctx = arg;
	struct vclient		*vc;

	(void)fd;
	(void)events;
	while ((vc = TAILQ_FIRST(&ctx->dead)) != NULL) {
		TAILQ_REMOVE(&ctx->dead, vc, entry);
		vclient_free_now(vc);
	}
}

/* The last reference: freed from the loop, as tmux's server_client_unref does. Only a
 * vclient already out of the context's list (destroyed) gets here. */
void
vclient_unref(struct vclient *vc)
{
	if (--vc->refs > 0)
		return;
	TAILQ_INSERT_TAIL(&vc->ctx->dead, vc, entry);
	event_active(vc->ctx->reaper, EV_TIMEOUT, 0);
}

/* Release everything; vc is already out of the context's list. */
void
vclient_free_now(struct vclient *vc)
{
	struct vpeer	*p;
	struct vpending	*pd;

	vc->dead = true;
	bootstrap_stop(vc);
	bootstrap_free_state(vc);
	observe_free_all(vc);
	observe_attrs_free(vc, 0);
	while ((pd = LIST_FIRST(&vc->pending)) != NULL)
		dm_ops_pending_done(pd, LWM2M_ERR_SERVICE_UNAVAILABLE);
	while ((p = LIST_FIRST(&vc->peers)) != NULL)
		vclient_peer_free(p);
	if (vc->timer != NULL)
		event_free(vc->timer);
	udp_free(vc->udp);
	dm_store_free(vc->store);
	free(vc->endpoint);
	free(vc);
}

void
vclient_set_state(struct vclient *vc, enum vclient_state s)
{
	if (vc->state == s)
		return;
	log_ep_debug(vc->endpoint, "state %s -> %s", vclient_state_name(vc->state),
	    vclient_state_name(s));
	vc->state = s;
}

const char *
vclient_endpoint(const struct vclient *vc)
{
	return vc->endpoint;
}

enum vclient_state
vclient_state(const struct vclient *vc)
{
	return vc->state;
}

struct dm_store *
vclient_store(struct vclient *vc)
{
	return vc->store;
}

int
vclient_foreach_server(struct vclient *vc,
    int (*cb)(const struct vclient_server_info *, void *), void *arg)
{
	struct vclient_server_info	 info;
	struct vpeer			*p;
	struct observation		*obs;
	int				 rc;

	LIST_FOREACH(p, &vc->peers, entry) {
		if (p->kind != VPEER_SERVER)
			continue;
		memset(&info, 0, sizeof info);
		info.ssid = p->ssid;
		info.state = registration_state_name(p->reg);
		info.lifetime = p->lifetime;
		LIST_FOREACH(obs, &vc->observations, entry) {
			if (obs->ssid == p->ssid)
				info.observations++;
		}
		info.stored = p->nstored;
		info.stored_dropped = p->stored_dropped;
		if ((rc = cb(&info, arg)) != 0)
			return rc;
	}
	return 0;
}

uint16_t
vclient_port(const struct vclient *vc)
{
	return udp_port(vc->udp);
}

bool
vclient_stale(const struct vclient *vc)
{
	return vc->stale;
}

/*
 * Stale: Reads of the sensor's objects answer 5.03 (dm_ops_read) and observations of them
 * stay silent (observe_send); fresh again, each observation notifies the value then.
 */
void
vclient_set_stale(struct vclient *vc, bool stale)
{
	if (vc->stale == stale)
		return;
	log_ep_info(vc->endpoint, "values %s", stale ? "stale" : "fresh");
	vc->stale = stale;
	if (stale)
		vc->stale_ms = vclient_now_ms(vc->ctx);
	else
		observe_fresh(vc);
}

struct vclient *
vclient_find(struct vclient_ctx *ctx, const char *endpoint)
{
	struct vclient	*vc;

	TAILQ_FOREACH(vc, &ctx->clients, entry) {
		if (strcmp(vc->endpoint, endpoint) == 0)
			return vc;
	}
	return NULL;
}

int
vclient_foreach(struct vclient_ctx *ctx, int (*cb)(struct vclient *, void *), void *arg)
{
	struct vclient	*vc, *vc1;
	int		 rc;

	TAILQ_FOREACH_SAFE(vc, &ctx->clients, entry, vc1) {
		if ((rc = cb(vc, arg)) != 0)
			return rc;
	}
	return 0;
}

int
vclient_reading(struct vclient *vc, const struct lwm2m_path *p,
    const struct lwm2m_value *v)
{
	bool	changed = false;
	int	rc;

	if ((rc = dm_set(vc->store, p, v, &changed)) != 0)
		return rc;
	if (vc->bs != NULL)
		bootstrap_reading(vc, p, v);
	if (changed && !LIST_EMPTY(&vc->observations))
		observe_changed(vc, p);
	return 0;
}

void
vclient_backend_done(struct vclient *vc, uint64_t cookie, int code)
{
	struct vpending	*pd;

	LIST_FOREACH(pd, &vc->pending, entry) {
		if (pd->cookie == cookie)
			break;
	}
	if (pd == NULL) {
		log_ep_debug(vc->endpoint, "late sensor answer %llu ignored",
		    (unsigned long long)cookie);
		return;
	}
	if (code < 0 && pd->result == 0)
		pd->result = code;
	if (pd->outstanding > 0)
		pd->outstanding--;
	if (pd->outstanding == 0)
		dm_ops_pending_done(pd, pd->result);
}

/* ------------------------------------------------------------------ start */

/* Does the store hold at least one LwM2M server account? */
static bool
vclient_has_servers(const struct vclient *vc)
{
	uint16_t	iid;
	int		after = -1;
	bool		bs;
	struct lwm2m_path p;

	while (dm_instance_next(vc->store, LWM2M_OID_SECURITY, after, &iid) == 0) {
		after = iid;
		p = LWM2M_PATH_RES(LWM2M_OID_SECURITY, iid, DM_SEC_RID_BOOTSTRAP);
		if (dm_get_bool(vc->store, &p, &bs) != 0 || !bs)
			return true;
	}
	return false;
}

static void
vclient_bootstrap_timer(evutil_socket_t fd, short events, void *arg)
{
	struct vclient	*vc = arg;

	(void)fd;
	(void)events;
	if (vc->dead || vc->ctx->shutting_down)
		return;
	if (bootstrap_start(vc) != 0) {
		log_ep(LOG_WARNING, vc->endpoint, "bootstrap cannot start");
		vclient_set_state(vc, VCLIENT_FAILED);
	}
}

/* Bootstrap again after a delay growing with each failure (BS-10). */
static void
vclient_bootstrap_later(struct vclient *vc)
{
	uint32_t	ms;

	vc->bs_attempts++;
	ms = registration_backoff_ms(&vc->ctx->params, vc->bs_attempts);
	if (ms < vc->ctx->params.bootstrap_retry_ms && vc->bs_attempts > 1)
		ms = vc->ctx->params.bootstrap_retry_ms;
	log_ep_info(vc->endpoint, "bootstrap again in %u ms", ms);
	vclient_set_state(vc, VCLIENT_HOLD_OFF);
	evtimer_assign(vc->timer, vc->ctx->base, vclient_bootstrap_timer, vc);
	vclient_timer_add(vc->ctx, vc->timer, ms);
}

void
vclient_start_registration(struct vclient *vc)
{
	struct vpeer	*p;
	bool		 any = false;

	if (vc->ctx->shutting_down)
		return;
	vclient_peers_sync(vc);
	LIST_FOREACH(p, &vc->peers, entry) {
		if (p->kind != VPEER_SERVER)
			continue;
		any = true;
		if (p->reg == VREG_IDLE || p->reg == VREG_FAILED ||
		    p->reg == VREG_DEREGISTERED) {
			p->attempts = 0;
			registration_start(p);
		}
	}
	if (any) {
		vclient_set_state(vc, VCLIENT_REGISTERING);
		vclient_reg_changed(vc);
		return;
	}
	if (vclient_peer_bootstrap(vc) != NULL) {
		log_ep_info(vc->endpoint, "no usable server account: bootstrap");
		if (bootstrap_start(vc) != 0)
			vclient_bootstrap_later(vc);
		return;
	}
	log_ep(LOG_WARNING, vc->endpoint, "no usable server or Bootstrap-Server account");
	vclient_set_state(vc, VCLIENT_FAILED);
}

void
vclient_reg_changed(struct vclient *vc)
{
	struct vpeer	*p;
	bool		 registered = false, trying = false, servers = false;

	if (vc->dead || vc->state == VCLIENT_STOPPING || vc->state == VCLIENT_STOPPED ||
	    bootstrap_active(vc))
		return;
	LIST_FOREACH(p, &vc->peers, entry) {
		if (p->kind != VPEER_SERVER)
			continue;
		servers = true;
		if (registration_is_registered(p))
			registered = true;
		else if (p->attempts < vc->ctx->params.retry_attempts &&
		    p->reg != VREG_FAILED)
			trying = true;
	}
	if (registered) {
		vc->bs_attempts = 0;
		vclient_set_state(vc, VCLIENT_REGISTERED);
		return;
	}
	if (trying || !servers) {
		if (servers)
			vclient_set_state(vc, VCLIENT_REGISTERING);
		return;
	}
	/* BS-10: registration failed with every server. */
	if (vclient_peer_bootstrap(vc) != NULL) {
		log_ep(LOG_NOTICE, vc->endpoint, "registration failed with every server: "
		    "bootstrap again");
		if (bootstrap_start(vc) != 0)
			vclient_bootstrap_later(vc);
		return;
	}
	/* Each failed server keeps retrying at the longest interval on its own timer. */
	if (vc->state != VCLIENT_FAILED)
		log_ep(LOG_WARNING, vc->endpoint, "registration failed with every "
		    "server; retrying at the longest interval");
	vclient_set_state(vc, VCLIENT_FAILED);
}

void
vclient_bootstrap_done(struct vclient *vc, int result)
{
	if (vc->dead || vc->ctx->shutting_down)
		return;
	if (result != 0) {
		vclient_bootstrap_later(vc);
		return;
	}
	vc->bs_attempts = 0;
	log_ep_info(vc->endpoint, "bootstrap done: registering");
	vclient_start_registration(vc);
}

static void
vclient_start(struct vclient *vc)
{
	char	*cause = NULL;

	/* BS-8: a loaded state may carry a purge deadline of the Bootstrap-Server account. */
	if (vc->meta.generation > 0 && bootstrap_purge_arm(vc, &cause) != 0) {
		log_ep(LOG_WARNING, vc->endpoint, "%s", cause);
		free(cause);
	}
	if (vclient_has_servers(vc)) {
		vclient_start_registration(vc);
		return;
	}
	vclient_peers_sync(vc);
	if (vclient_peer_bootstrap(vc) == NULL) {
		log_ep(LOG_WARNING, vc->endpoint, "no server and no Bootstrap-Server "
		    "account");
		vclient_set_state(vc, VCLIENT_FAILED);
		return;
	}
	if (bootstrap_start(vc) != 0)
		vclient_bootstrap_later(vc);
}

struct vclient *
vclient_create(struct vclient_ctx *ctx, const struct vclient_desc *d, char **cause)
{
	struct vclient	*vc;
	char		*why = NULL;

	if (ctx->shutting_down) {
		*cause = xstrdup("the gateway is stopping");
		return NULL;
	}
	if (d->endpoint == NULL || *d->endpoint == '\0') {
		*cause = xstrdup("empty endpoint name");
		return NULL;
	}
	if ((vc = vclient_find(ctx, d->endpoint)) != NULL) {
		if (!vc->destroy_when_stopped) {
			xasprintf(cause, "%s: endpoint name used twice", d->endpoint);
			return NULL;
		}
		/*
		 * The sensor is back while its old vclient still de-registers (a server
		 * away makes that last): the old one finishes on its own, out of the way.
		 */
		log_ep_info(d->endpoint, "back while still de-registering: a new "
		    "virtual client takes over");
		TAILQ_REMOVE(&ctx->clients, vc, entry);
		ctx->nclients--;
		TAILQ_INSERT_TAIL(&ctx->leaving, vc, entry);
		vc->leaving = true;
	}
	vc = xcalloc(1, sizeof *vc);
	vc->ctx = ctx;
	vc->refs = 1;
	vc->endpoint = xstrdup(d->endpoint);
	vc->state = VCLIENT_START;
	vc->sops = d->ops;
	vc->sops_arg = d->ops_arg;
	vc->next_cookie = 1;
	LIST_INIT(&vc->peers);
	LIST_INIT(&vc->pending);
	LIST_INIT(&vc->observations);
	LIST_INIT(&vc->attrs);
	vc->timer = evtimer_new(ctx->base, vclient_bootstrap_timer, vc);
	vc->store = dm_store_create(ctx->registry);

	if (vclient_setup_store(vc, d, &why) != 0)
		goto fail;
	if (vclient_bind(vc, &why) != 0)
		goto fail;
	TAILQ_INSERT_TAIL(&ctx->clients, vc, entry);
	ctx->nclients++;
	log_ep_info(vc->endpoint, "listening on port %u", udp_port(vc->udp));
	vclient_start(vc);
	return vc;

fail:
	xasprintf(cause, "%s: %s", d->endpoint, why != NULL ? why : "failed");
	free(why);
	vclient_free_now(vc);
	return NULL;
}

/* ------------------------------------------------------------------ operator */

int
vclient_request_bootstrap(struct vclient *vc, char **cause)
{
	if (vclient_peer_bootstrap(vc) == NULL) {
		*cause = xstrdup("no Bootstrap-Server account");
		return -1;
	}
	if (bootstrap_active(vc)) {
		*cause = xstrdup("a bootstrap is running already");
		return -1;
	}
	if (bootstrap_start(vc) != 0) {
		*cause = xstrdup("bootstrap could not start");
		return -1;
	}
	return 0;
}

void
vclient_request_update(struct vclient *vc)
{
	struct vpeer	*p;

	LIST_FOREACH(p, &vc->peers, entry) {
		if (p->kind == VPEER_SERVER)
			registration_update(p);
	}
}

void *
vclient_sensor_arg(const struct vclient *vc, const struct vclient_sensor_ops *ops)
{
	return (vc->sops == ops ? vc->sops_arg : NULL);
}
