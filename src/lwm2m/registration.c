/*
 * Registration interface, per server and independent between servers: Register, Update,
 * retries with exponential backoff and jitter, the "failed" verdict that leads to
 * re-bootstrap (BS-10) and the Update trigger (SV-3). De-register and Disable (SV-1) are in
 * registration_dereg.c.
 *
 * One timer per server peer serves whatever its state waits for: the next Update
 * (REGISTERED), the next attempt (BACKOFF, FAILED), the end of Disable Timeout (DISABLED),
 * the bound of a De-register (DEREGISTERING). See docs/lwm2m.md for the schedule.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "bootstrap.h"
#include "codec.h"
#include "dtls.h"
#include "log.h"
#include "vclient_int.h"
#include "xmalloc.h"

static const char *registration_state_names[] = {
	"idle", "connecting", "registering", "registered", "updating", "backoff",
	"failed", "deregistering", "disabled", "deregistered", "queued",
	"unreachable", "resolving",
};

const char *
registration_state_name(enum vpeer_reg r)
{
	if ((size_t)r >= sizeof registration_state_names /
	    sizeof registration_state_names[0])
		return "unknown";
	return registration_state_names[r];
}

bool
registration_is_registered(const struct vpeer *p)
{
	return p->reg == VREG_REGISTERED || p->reg == VREG_UPDATING;
}

bool
registration_is_valid(const struct vpeer *p)
{
	return registration_is_registered(p) || p->reg == VREG_UNREACHABLE;
}

bool
registration_is_away(const struct vpeer *p)
{
	return !registration_is_registered(p) || p->attempts != 0;
}

bool
registration_is_silent(const struct vpeer *p)
{
	return p->req_pending && cio_request_retries(p->cio, p->req_id) > 0;
}

uint32_t
registration_backoff_ms(const struct vclient_params *pa, uint32_t attempt)
{
	uint64_t	ms = pa->retry_base_ms;

	if (attempt == 0)
		attempt = 1;
	while (--attempt > 0 && ms < pa->retry_cap_ms)
		ms *= 2;
	if (ms > pa->retry_cap_ms)
		ms = pa->retry_cap_ms;
	return (uint32_t)ms;
}

/* Full jitter in the upper half: thousands of vclients must not retry in step. */
static uint32_t
registration_jitter(uint32_t ms)
{
	if (ms < 2)
		return ms;
	return ms / 2 + arc4random_uniform(ms / 2 + 1);
}

uint32_t
registration_update_delay_ms(const struct vclient_params *pa, uint32_t lifetime)
{
	uint32_t	margin;

	margin = lifetime / 10;
	if (margin < 1)
		margin = 1;
	if (margin > pa->update_margin_max_s)
		margin = pa->update_margin_max_s;
	if (margin * 2 > lifetime)
		return lifetime * 500;
	return (lifetime - margin) * 1000;
}

uint32_t
registration_update_jitter_ms(const struct vclient_params *pa, uint32_t lifetime)
{
	uint32_t	latest, margin_ms;

	latest = registration_update_delay_ms(pa, lifetime);
	/* The margin as registration_update_delay_ms took it. */
	margin_ms = (uint32_t)((uint64_t)lifetime * 1000 - latest);
	if (margin_ms / 2 >= latest)
		return latest;
	return latest - arc4random_uniform(margin_ms / 2 + 1);
}

/* Link format of every object and instance but Security (Register, Update). */
struct registration_links_arg {
	const struct dm_store	*st;
	struct codec_link	*w;
	uint16_t		 oid;
	bool			 any;
};

static int
registration_links_inst(uint16_t oid, uint16_t iid, void *arg)
{
	struct registration_links_arg	*a = arg;

	codec_link_path(a->w, &LWM2M_PATH_INST(oid, iid));
	a->any = true;
	return 0;
}

static int
registration_links_obj(const struct dm_object *o, void *arg)
{
	struct registration_links_arg	*a = arg;
	const char			*ver;

	if (o->oid == LWM2M_OID_SECURITY)
		return 0;
	/* The same ";ver=" rule as Bootstrap-Discover. */
	ver = bsops_object_ver(a->st, o->oid);
	if (dm_instance_count(a->st, o->oid) == 0 || ver != NULL) {
		codec_link_path(a->w, &LWM2M_PATH_OBJ(o->oid));
		if (ver != NULL)
			codec_link_attr_str(a->w, "ver", ver, false);
	}
	dm_foreach_instance(a->st, o->oid, registration_links_inst, a);
	return 0;
}

int
registration_links(const struct dm_store *st, uint8_t *buf, size_t size, size_t *len)
{
	struct codec_link		w;
	struct registration_links_arg	a = { .st = st, .w = &w };

	codec_link_init(&w, buf, size);
	codec_link_path(&w, &LWM2M_PATH_ROOT);
	codec_link_attr_str(&w, "rt", "oma.lwm2m", true);
	codec_link_attr_uint(&w, "ct", LWM2M_FMT_TLV);
	dm_foreach_object(st, registration_links_obj, &a);
	return codec_link_finish(&w, len);
}

/* Lifetime and Binding of the server's instance. */
static void
registration_params(struct vpeer *p, uint32_t *lifetime, char *binding, size_t blen)
{
	struct dm_store	*st = p->vc->store;
	uint16_t	 iid;
	int64_t		 lt = 86400;
	const uint8_t	*b;
	size_t		 len;

	snprintf(binding, blen, "U");
	if (dm_server_find(st, p->ssid, &iid) != 0)
		return;
	if (dm_get_int(st, &LWM2M_PATH_RES(1, iid, DM_SRV_RID_LIFETIME), &lt) != 0 ||
	    lt <= 0)
		lt = 86400;
	if (lt > UINT32_MAX / 1000)
		lt = UINT32_MAX / 1000;
	*lifetime = (uint32_t)lt;
	if (dm_get_bytes(st, &LWM2M_PATH_RES(1, iid, DM_SRV_RID_BINDING), &b, &len) == 0 &&
	    len > 0 && len < blen)
		snprintf(binding, blen, "%.*s", (int)len, (const char *)b);
}

void
registration_clear_location(struct vpeer *p)
{
	size_t	i;

	for (i = 0; i < p->nloc; i++)
		free(p->loc[i]);
	p->nloc = 0;
}

void
registration_stop(struct vpeer *p)
{
	admit_release(p);
	vclient_peer_resolve_cancel(p);
	if (p->req_pending) {
		cio_cancel(p->cio, p->req_id);
		p->req_pending = false;
	}
	if (p->timer != NULL)
		evtimer_del(p->timer);
}

static void registration_send_register(struct vpeer *);
static void registration_dtls_suspect(struct vpeer *, int);

void
registration_set(struct vpeer *p, enum vpeer_reg r)
{
	if (p->reg == r)
		return;
	log_ep_debug(p->vc->endpoint, "%s: %s -> %s", p->name,
	    registration_state_name(p->reg), registration_state_name(r));
	p->reg = r;
}

static void
registration_schedule_update(struct vpeer *p)
{
	evtimer_del(p->timer);
	vclient_timer_add(p->vc->ctx, p->timer,
	    registration_update_jitter_ms(&p->vc->ctx->params, p->lifetime));
}

/* A Register or Update failed: back off, or give up on this server for now. */
static void
registration_failed(struct vpeer *p, const char *why)
{
	const struct vclient_params	*pa = &p->vc->ctx->params;
	uint32_t			 ms;

	p->req_pending = false;
	admit_release(p);
	registration_clear_location(p);
	p->attempts++;
	if (p->attempts >= pa->retry_attempts) {
		/* Still retried, at the longest interval, unless a bootstrap replaces
		 * the account (BS-10, decided by vclient_reg_changed). */
		registration_set(p, VREG_FAILED);
		ms = registration_jitter(pa->retry_cap_ms);
		log_ep(LOG_NOTICE, p->vc->endpoint, "%s: registration failed %u times "
		    "(%s): server failed", p->name, p->attempts, why);
	} else {
		registration_set(p, VREG_BACKOFF);
		ms = registration_jitter(registration_backoff_ms(pa, p->attempts));
		log_ep_info(p->vc->endpoint, "%s: registration failed (%s), retry in "
		    "%u ms", p->name, why, ms);
	}
	evtimer_del(p->timer);
	vclient_timer_add(p->vc->ctx, p->timer, ms);
	vclient_reg_changed(p->vc);
}

static void
registration_register_cb(void *arg, int error, const struct cio_msg *rsp)
{
	struct vpeer	*p = arg;
	char		 why[32];
	size_t		 i;

	p->req_pending = false;
	admit_release(p);
	if (error != 0) {
		registration_dtls_suspect(p, error);
		registration_failed(p, cio_strerror(error));
		return;
	}
	if (rsp->code != LWM2M_CREATED) {
		snprintf(why, sizeof why, "%d.%02d", LWM2M_CODE_CLASS(rsp->code),
		    LWM2M_CODE_DETAIL(rsp->code));
		registration_failed(p, why);
		return;
	}
	if (rsp->nlocation == 0) {
		registration_failed(p, "no Location-Path");
		return;
	}
	registration_clear_location(p);
	for (i = 0; i < rsp->nlocation && i < CIO_MAX_PATH; i++)
		p->loc[i] = xstrdup(rsp->location[i]);
	p->nloc = i;
	p->attempts = 0;
	p->objects_changed = false;
	p->reg_expires_ms = vclient_now_ms(p->vc->ctx) + (uint64_t)p->lifetime * 1000;
	registration_set(p, VREG_REGISTERED);
	log_ep_info(p->vc->endpoint, "%s: registered (lifetime %u s)", p->name,
	    p->lifetime);
	registration_schedule_update(p);
	vclient_reg_changed(p->vc);
	observe_flush_stored(p);
	if (p->update_wanted) {
		p->update_wanted = false;
		registration_update(p);
	}
}

static void
registration_send_register(struct vpeer *p)
{
	struct vclient	*vc = p->vc;
	struct cio_msg	 m;
	char		 ep[300], lt[24], b[16], *cause = NULL;
	size_t		 len;

	registration_params(p, &p->lifetime, p->binding, sizeof p->binding);
	if (registration_links(vc->store, vc->ctx->buf, VCLIENT_BUF_SIZE, &len) != 0) {
		registration_failed(p, "links too large");
		return;
	}
	snprintf(ep, sizeof ep, "ep=%s", vc->endpoint);
	snprintf(lt, sizeof lt, "lt=%" PRIu32, p->lifetime);
	snprintf(b, sizeof b, "b=%s", p->binding);
	cio_msg_init(&m);
	m.code = CIO_POST;
	m.path[0] = "rd";
	m.npath = 1;
	m.query[0] = ep;
	m.query[1] = lt;
	m.query[2] = "lwm2m=1.1";
	m.query[3] = b;
	m.nquery = 4;
	m.format = LWM2M_FMT_LINK;
	m.payload = vc->ctx->buf;
	m.payload_len = len;
	registration_set(p, VREG_REGISTERING);
	if (vclient_peer_request(p, &m, registration_register_cb, p, &p->req_id,
	    &cause) != 0) {
		registration_failed(p, cause);
		free(cause);
		return;
	}
	p->req_pending = true;
}

/* The address is known: the DTLS handshake if needed, then Register. */
static void
registration_go(struct vpeer *p)
{
	if (p->dtls != NULL && !p->dtls_up) {
		registration_set(p, VREG_CONNECTING);
		if (vclient_peer_connect(p) != 0)
			registration_failed(p, "DTLS could not start");
		return;
	}
	registration_send_register(p);
}

/* The server's host name was resolved (or not): Register, or back off. */
static void
registration_resolved(struct vpeer *p, const char *error)
{
	if (p->reg != VREG_RESOLVING)
		return;
	if (error != NULL) {
		registration_failed(p, error);
		return;
	}
	registration_go(p);
}

/*
 * The Register (with the DTLS handshake before it) has its slot: go, once the server's
 * host name is resolved (cached answers are used at once; an expired one is asked again,
 * so a server that moved is found at the next attempt).
 */
static void
registration_begin(struct vpeer *p)
{
	char	*cause = NULL;

	switch (vclient_peer_resolve(p, registration_resolved, &cause)) {
	case 1:
		registration_set(p, VREG_RESOLVING);
		return;
	case -1:
		registration_failed(p, cause);
		free(cause);
		return;
	}
	registration_go(p);
}

static void
registration_admitted(struct vpeer *p)
{
	if (p->reg != VREG_QUEUED || p->vc->ctx->shutting_down) {
		admit_release(p);
		return;
	}
	registration_begin(p);
}

void
registration_start(struct vpeer *p)
{
	if (p->kind != VPEER_SERVER || p->vc->ctx->shutting_down ||
	    p->vc->state == VCLIENT_STOPPING || p->vc->state == VCLIENT_STOPPED)
		return;
	registration_stop(p);
	/*
	 * Observations outlive a fresh Register, as they outlive a Disable: the stored
	 * notifications of an outage follow it (SV-2, "stores while disabled or offline,
	 * reports when online"). A server that forgot them answers with RST, which ends
	 * each (RFC 7641 3.6); one that said it forgot us (4.04) has them dropped first.
	 */
	/* Thousands of vclients starting at once wait their turn (admit.c). */
	if (!admit_request(p, registration_admitted)) {
		registration_set(p, VREG_QUEUED);
		return;
	}
	registration_begin(p);
}

void
registration_connected(struct vpeer *p)
{
	if (p->reg == VREG_CONNECTING)
		registration_send_register(p);
}

/* An Update went unanswered while the registration is valid: retry it with backoff. */
static void
registration_unreachable(struct vpeer *p, const char *why)
{
	uint32_t	ms;

	p->attempts++;
	ms = registration_jitter(registration_backoff_ms(&p->vc->ctx->params,
	    p->attempts));
	registration_set(p, VREG_UNREACHABLE);
	log_ep_info(p->vc->endpoint, "%s: unreachable (%s), Update again in %u ms",
	    p->name, why, ms);
	evtimer_del(p->timer);
	vclient_timer_add(p->vc->ctx, p->timer, ms);
	vclient_reg_changed(p->vc);
}

/*
 * No answer over DTLS: the server may have lost our session (a restart), and DTLS drops
 * records it cannot decrypt without a word. The next exchange starts with a fresh
 * handshake, which a server that kept the session answers as well.
 */
static void
registration_dtls_suspect(struct vpeer *p, int error)
{
	if (p->dtls == NULL || !p->dtls_up || error != -ETIMEDOUT)
		return;
	log_ep_info(p->vc->endpoint, "%s: no answer over DTLS: a new handshake next",
	    p->name);
	dtls_close(p->dtls);
	p->dtls_up = false;
}

void
registration_transport_failed(struct vpeer *p)
{
	/* The handshake of an Update retry: still unreachable while valid. */
	if (registration_is_valid(p) && p->attempts > 0 &&
	    vclient_now_ms(p->vc->ctx) < p->reg_expires_ms) {
		registration_stop(p);
		registration_unreachable(p, "DTLS handshake failed");
		return;
	}
	if (p->reg == VREG_CONNECTING || p->reg == VREG_REGISTERING ||
	    registration_is_valid(p)) {
		registration_stop(p);
		registration_failed(p, "DTLS failed");
	}
}

static void
registration_update_cb(void *arg, int error, const struct cio_msg *rsp)
{
	struct vpeer	*p = arg;
	char		 why[32];

	p->req_pending = false;
	if (error == 0 && rsp->code == LWM2M_CHANGED) {
		if (p->reg == VREG_UPDATING && p->attempts != 0)
			log_ep_info(p->vc->endpoint, "%s: reachable again", p->name);
		p->attempts = 0;
		p->reg_expires_ms = vclient_now_ms(p->vc->ctx) +
		    (uint64_t)p->lifetime * 1000;
		registration_set(p, VREG_REGISTERED);
		p->objects_changed = false;
		registration_schedule_update(p);
		vclient_reg_changed(p->vc);
		observe_flush_stored(p);
		if (p->update_wanted) {
			p->update_wanted = false;
			registration_update(p);
		}
		return;
	}
	if (error == 0 && rsp->code == LWM2M_CODE(4, 4)) {
		/* The server forgot us: a fresh Register. */
		log_ep_info(p->vc->endpoint, "%s: Update answered 4.04: register again",
		    p->name);
		registration_clear_location(p);
		observe_remove_server(p->vc, p->ssid);
		p->attempts = 0;
		registration_start(p);
		return;
	}
	if (error != 0)
		snprintf(why, sizeof why, "Update: %s", cio_strerror(error));
	else
		snprintf(why, sizeof why, "Update: %d.%02d", LWM2M_CODE_CLASS(rsp->code),
		    LWM2M_CODE_DETAIL(rsp->code));
	registration_dtls_suspect(p, error);
	/*
	 * No answer: the registration is still valid at the server until its lifetime
	 * runs out, and with it the server's observations. Retry the Update with backoff
	 * until then, storing notifications meanwhile (SV-2); only an expired
	 * registration needs a fresh Register.
	 */
	if (error != 0 && vclient_now_ms(p->vc->ctx) < p->reg_expires_ms) {
		registration_unreachable(p, why);
		return;
	}
	/* The registration is gone at the server: Register afresh, counting from one. */
	p->attempts = 0;
	registration_failed(p, why);
}

void
registration_update(struct vpeer *p)
{
	struct vclient	*vc = p->vc;
	struct cio_msg	 m;
	uint32_t	 lifetime = p->lifetime;
	char		 binding[sizeof p->binding], lt[24], b[16], *cause = NULL;
	size_t		 i, len;

	if (p->kind != VPEER_SERVER)
		return;
	if (p->reg == VREG_UPDATING || p->reg == VREG_REGISTERING ||
	    p->reg == VREG_CONNECTING || p->reg == VREG_QUEUED) {
		p->update_wanted = true;
		return;
	}
	if (p->reg != VREG_REGISTERED)
		return;
	registration_params(p, &lifetime, binding, sizeof binding);
	cio_msg_init(&m);
	m.code = CIO_POST;
	for (i = 0; i < p->nloc; i++)
		m.path[i] = p->loc[i];
	m.npath = (uint8_t)p->nloc;
	if (lifetime != p->lifetime) {
		snprintf(lt, sizeof lt, "lt=%" PRIu32, lifetime);
		m.query[m.nquery++] = lt;
		p->lifetime = lifetime;
	}
	if (strcmp(binding, p->binding) != 0) {
		snprintf(b, sizeof b, "b=%s", binding);
		m.query[m.nquery++] = b;
		memcpy(p->binding, binding, sizeof p->binding);
	}
	if (p->objects_changed) {
		if (registration_links(vc->store, vc->ctx->buf, VCLIENT_BUF_SIZE,
		    &len) != 0) {
			registration_failed(p, "links too large");
			return;
		}
		m.format = LWM2M_FMT_LINK;
		m.payload = vc->ctx->buf;
		m.payload_len = len;
	}
	evtimer_del(p->timer);
	registration_set(p, VREG_UPDATING);
	if (vclient_peer_request(p, &m, registration_update_cb, p, &p->req_id,
	    &cause) != 0) {
		registration_failed(p, cause);
		free(cause);
		return;
	}
	p->req_pending = true;
}

void
registration_objects_changed(struct vclient *vc)
{
	struct vpeer	*p;

	LIST_FOREACH(p, &vc->peers, entry) {
		if (p->kind != VPEER_SERVER)
			continue;
		p->objects_changed = true;
		registration_update(p);
	}
}

void
registration_server_written(struct vclient *vc, uint16_t ssid)
{
	struct vpeer	*p;
	uint32_t	 lifetime = 0;
	char		 binding[8];

	if ((p = vclient_peer_find(vc, ssid)) == NULL || !registration_is_registered(p))
		return;
	registration_params(p, &lifetime, binding, sizeof binding);
	if (lifetime != p->lifetime || strcmp(binding, p->binding) != 0)
		registration_update(p);
}

/* ------------------------------------------------------------------ timer */

void
registration_timer_cb(int fd, short events, void *arg)
{
	struct vpeer	*p = arg;

	(void)fd;
	(void)events;
	if (p->vc->dead)
		return;
	switch (p->reg) {
	case VREG_REGISTERED:
		registration_update(p);
		break;
	case VREG_UNREACHABLE:
		if (vclient_now_ms(p->vc->ctx) >= p->reg_expires_ms) {
			log_ep_info(p->vc->endpoint, "%s: registration expired while "
			    "unreachable: register again", p->name);
			registration_clear_location(p);
			p->attempts = 0;
			registration_start(p);
			break;
		}
		registration_set(p, VREG_REGISTERED);
		registration_update(p);
		break;
	case VREG_BACKOFF:
	case VREG_FAILED:
		if (bootstrap_active(p->vc))
			break;
		registration_start(p);
		break;
	case VREG_DISABLED:
		log_ep_info(p->vc->endpoint, "%s: Disable Timeout over", p->name);
		p->attempts = 0;
		registration_start(p);
		break;
	case VREG_DEREGISTERING:
		if (p->req_pending) {
			cio_cancel(p->cio, p->req_id);
			p->req_pending = false;
		}
		log_ep(LOG_NOTICE, p->vc->endpoint, "%s: De-register not acknowledged "
		    "in time", p->name);
		registration_dereg_finish(p, -1);
		break;
	default:
		break;
	}
}
