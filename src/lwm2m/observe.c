/*
 * Information Reporting: observations per server on objects, instances and resources,
 * notification attributes with LwM2M 1.1 inheritance (resource > instance > object >
 * the server's defaults /1/x/2 and /1/x/3), notifications with an increasing Observe
 * sequence, and storing while the server is away (SV-2).
 *
 * A reading reaches observe_changed only when the value changed. That path allocates
 * nothing: the effective attributes are computed on the stack, the payload is encoded
 * into the context's scratch buffer, the observation's timer exists since Observe.
 * Notifications are NON, with a CON at least every params.notify_con_interval_s (24 h by
 * default, RFC 7641 §4.5) so a server that vanished is noticed (its RST or the CON's
 * timeout cancels the observation through cio's observe_lost).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "dm.h"
#include "log.h"
#include "vclient_int.h"
#include "xmalloc.h"

static void observe_send(struct observation *);

static void
observe_apply(struct observe_attrs *o, const struct vattr *a)
{
	o->set |= a->set;
	if (a->set & VATTR_PMIN)
		o->pmin = a->pmin;
	if (a->set & VATTR_PMAX)
		o->pmax = a->pmax;
	if (a->set & VATTR_GT)
		o->gt = a->gt;
	if (a->set & VATTR_LT)
		o->lt = a->lt;
	if (a->set & VATTR_ST)
		o->st = a->st;
	if (a->set & VATTR_EPMIN)
		o->epmin = a->epmin;
	if (a->set & VATTR_EPMAX)
		o->epmax = a->epmax;
}

void
observe_attrs_get(struct vclient *vc, uint16_t ssid, const struct lwm2m_path *p,
    struct observe_attrs *o)
{
	const struct vattr	*lvl[3] = { NULL, NULL, NULL };
	struct vattr		*a;
	uint16_t		 iid;
	int64_t			 v;
	size_t			 i;

	memset(o, 0, sizeof *o);
	if (dm_server_find(vc->store, ssid, &iid) == 0) {
		if (dm_get_int(vc->store, &LWM2M_PATH_RES(1, iid, DM_SRV_RID_PMIN),
		    &v) == 0 && v > 0 && v <= UINT32_MAX / 1000) {
			o->pmin = (uint32_t)v;
			o->set |= VATTR_PMIN;
		}
		if (dm_get_int(vc->store, &LWM2M_PATH_RES(1, iid, DM_SRV_RID_PMAX),
		    &v) == 0 && v > 0 && v <= UINT32_MAX / 1000) {
			o->pmax = (uint32_t)v;
			o->set |= VATTR_PMAX;
		}
	}
	LIST_FOREACH(a, &vc->attrs, entry) {
		if (a->ssid != ssid || a->path.len == 0 || a->path.len > p->len ||
		    a->path.len > 3 || !dm_path_is_prefix(&a->path, p))
			continue;
		lvl[a->path.len - 1] = a;
	}
	for (i = 0; i < 3; i++) {
		if (lvl[i] != NULL)
			observe_apply(o, lvl[i]);
	}
	/* Change conditions belong to a resource: inherited ones do not apply above. */
	if (p->len < 3)
		o->set &= ~(VATTR_GT | VATTR_LT | VATTR_ST);
	if ((o->set & VATTR_PMAX) && o->pmax == 0)
		o->set &= ~VATTR_PMAX;
}

bool
observe_threshold_hit(const struct observe_attrs *a, bool has_last, double last,
    double now)
{
	bool	any = false;

	if (a->set & VATTR_GT) {
		any = true;
		if (!has_last || (last > a->gt) != (now > a->gt))
			return true;
	}
	if (a->set & VATTR_LT) {
		any = true;
		if (!has_last || (last < a->lt) != (now < a->lt))
			return true;
	}
	if (a->set & VATTR_ST) {
		any = true;
		if (!has_last || fabs(now - last) >= a->st)
			return true;
	}
	return !any;
}

/* The numeric value of a single-resource observation. */
static bool
observe_number(struct vclient *vc, const struct lwm2m_path *p, double *out)
{
	struct lwm2m_value	v;

	if (p->len < 3 || dm_get(vc->store, p, &v) != 0)
		return false;
	switch (v.type) {
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		*out = (double)v.v.i;
		return true;
	case LWM2M_TYPE_UNSIGNED:
		*out = (double)v.v.u;
		return true;
	case LWM2M_TYPE_FLOAT:
		*out = v.v.f;
		return true;
	default:
		return false;
	}
}

static void
observe_arm_pmax(struct observation *obs, const struct observe_attrs *a, uint64_t now)
{
	uint64_t	due, ms;

	evtimer_del(obs->timer);
	if (!(a->set & VATTR_PMAX))
		return;
	due = obs->last_ms + (uint64_t)a->pmax * 1000;
	ms = due > now ? due - now : 0;
	if (ms == (uint64_t)a->pmax * 1000)
		vclient_timer_add(obs->vc->ctx, obs->timer, (uint32_t)ms);
	else {
		struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

		event_add(obs->timer, &tv);
	}
}

static void	observe_eval(struct observation *, uint64_t);

/* epmax: evaluate again at most epmax after the last evaluation. */
static void
observe_arm_epmax(struct observation *obs, const struct observe_attrs *a)
{
	struct timeval	tv;

	if (obs->eval_due)
		return;
	evtimer_del(obs->eval_timer);
	if (!(a->set & VATTR_EPMAX) || a->epmax == 0)
		return;
	tv.tv_sec = a->epmax;
	tv.tv_usec = 0;
	event_add(obs->eval_timer, &tv);
}

/*
 * epmin ended with a change waiting: evaluate the value as it is now. epmax: evaluate
 * although no reading came, which matters only when the value differs from the one sent.
 */
static void
observe_eval_timer(evutil_socket_t fd, short events, void *arg)
{
	struct observation	*obs = arg;
	struct observe_attrs	 a;
	double			 v;

	(void)fd;
	(void)events;
	if (obs->eval_due) {
		obs->eval_due = false;
		observe_eval(obs, vclient_now_ms(obs->vc->ctx));
		return;
	}
	if (observe_number(obs->vc, &obs->path, &v) && (!obs->has_last ||
	    v != obs->last_value))
		observe_eval(obs, vclient_now_ms(obs->vc->ctx));
	else {
		obs->last_eval_ms = vclient_now_ms(obs->vc->ctx);
		observe_attrs_get(obs->vc, obs->ssid, &obs->path, &a);
		observe_arm_epmax(obs, &a);
	}
}

static void
observe_timer(evutil_socket_t fd, short events, void *arg)
{
	struct observation	*obs = arg;

	(void)fd;
	(void)events;
	observe_send(obs);
}

/* An ended observation takes its stored notifications (SV-2) with it: nobody waits. */
static void
observe_unstore(struct observation *obs)
{
	struct vpeer	*peer;
	struct vstored	*s, *s1;

	if ((peer = vclient_peer_find(obs->vc, obs->ssid)) == NULL)
		return;
	TAILQ_FOREACH_SAFE(s, &peer->stored, entry, s1) {
		if (s->token_len == obs->token_len &&
		    memcmp(s->token, obs->token, obs->token_len) == 0) {
			TAILQ_REMOVE(&peer->stored, s, entry);
			peer->nstored--;
			free(s);
		}
	}
}

static void
observe_free(struct observation *obs)
{
	observe_unstore(obs);
	LIST_REMOVE(obs, entry);
	if (obs->timer != NULL)
		event_free(obs->timer);
	if (obs->eval_timer != NULL)
		event_free(obs->eval_timer);
	free(obs);
}

int
observe_start(struct vclient *vc, uint16_t ssid, const struct lwm2m_path *p,
    const uint8_t *token, size_t token_len, int32_t format, uint32_t *seq)
{
	struct observation	*obs;
	struct observe_attrs	 a;
	uint64_t		 now = vclient_now_ms(vc->ctx);

	if (token_len > CIO_TOKEN_MAX)
		return -1;
	/* RFC 7641 §4.1: the same token or the same target replaces the observation. */
	LIST_FOREACH(obs, &vc->observations, entry) {
		if (obs->ssid == ssid && ((obs->token_len == token_len &&
		    memcmp(obs->token, token, token_len) == 0) ||
		    dm_path_equal(&obs->path, p)))
			break;
	}
	if (obs == NULL) {
		obs = xcalloc(1, sizeof *obs);
		obs->vc = vc;
		obs->ssid = ssid;
		obs->timer = evtimer_new(vc->ctx->base, observe_timer, obs);
		obs->eval_timer = evtimer_new(vc->ctx->base, observe_eval_timer, obs);
		LIST_INSERT_HEAD(&vc->observations, obs, entry);
	}
	obs->path = *p;
	memcpy(obs->token, token, token_len);
	obs->token_len = (uint8_t)token_len;
	obs->format = format;
	obs->seq++;
	obs->last_ms = now;
	obs->last_con_ms = now;
	obs->dirty = false;
	obs->eval_due = false;
	obs->last_eval_ms = now;
	obs->has_last = observe_number(vc, p, &obs->last_value);
	observe_attrs_get(vc, ssid, p, &a);
	observe_arm_pmax(obs, &a, now);
	observe_arm_epmax(obs, &a);
	*seq = obs->seq;
	log_ep_debug(vc->endpoint, "observe by %u started", ssid);
	return 0;
}

void
observe_cancel_token(struct vclient *vc, uint16_t ssid, const uint8_t *token,
    size_t token_len)
{
	struct observation	*obs, *obs1;

	LIST_FOREACH_SAFE(obs, &vc->observations, entry, obs1) {
		if (obs->ssid == ssid && obs->token_len == token_len &&
		    memcmp(obs->token, token, token_len) == 0)
			observe_free(obs);
	}
}

void
observe_remove_server(struct vclient *vc, uint16_t ssid)
{
	struct observation	*obs, *obs1;

	LIST_FOREACH_SAFE(obs, &vc->observations, entry, obs1) {
		if (obs->ssid == ssid)
			observe_free(obs);
	}
}

void
observe_path_deleted(struct vclient *vc, const struct lwm2m_path *p)
{
	struct observation	*obs, *obs1;

	LIST_FOREACH_SAFE(obs, &vc->observations, entry, obs1) {
		if (dm_path_is_prefix(p, &obs->path))
			observe_free(obs);
	}
}

void
observe_free_all(struct vclient *vc)
{
	struct observation	*obs;

	while ((obs = LIST_FIRST(&vc->observations)) != NULL)
		observe_free(obs);
}

void
observe_attrs_changed(struct vclient *vc, uint16_t ssid)
{
	struct observation	*obs;
	struct observe_attrs	 a;
	uint64_t		 now = vclient_now_ms(vc->ctx);

	LIST_FOREACH(obs, &vc->observations, entry) {
		if (obs->ssid != ssid || obs->dirty)
			continue;
		observe_attrs_get(vc, ssid, &obs->path, &a);
		observe_arm_pmax(obs, &a, now);
		observe_arm_epmax(obs, &a);
	}
}

/* One observation, one changed value: notify now, after pmin, or not at all. */
static void
observe_eval(struct observation *obs, uint64_t now)
{
	struct observe_attrs	a;
	double			v;
	uint64_t		due, ms;

	if (obs->dirty || obs->eval_due)
		return;			/* due at pmin, or evaluated at epmin */
	observe_attrs_get(obs->vc, obs->ssid, &obs->path, &a);
	if ((a.set & VATTR_EPMIN) && a.epmin > 0 &&
	    now < obs->last_eval_ms + (uint64_t)a.epmin * 1000) {
		struct timeval tv;

		ms = obs->last_eval_ms + (uint64_t)a.epmin * 1000 - now;
		tv.tv_sec = (time_t)(ms / 1000);
		tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
		obs->eval_due = true;
		evtimer_del(obs->eval_timer);
		event_add(obs->eval_timer, &tv);
		return;
	}
	obs->last_eval_ms = now;
	observe_arm_epmax(obs, &a);
	if ((a.set & (VATTR_GT | VATTR_LT | VATTR_ST)) &&
	    observe_number(obs->vc, &obs->path, &v) &&
	    !observe_threshold_hit(&a, obs->has_last, obs->last_value, v))
		return;
	due = obs->last_ms + ((a.set & VATTR_PMIN) ? (uint64_t)a.pmin * 1000 : 0);
	if (due <= now) {
		observe_send(obs);
		return;
	}
	obs->dirty = true;
	ms = due - now;
	{
		struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

		evtimer_del(obs->timer);
		event_add(obs->timer, &tv);
	}
}

void
observe_changed(struct vclient *vc, const struct lwm2m_path *p)
{
	struct observation	*obs, *obs1;
	uint64_t		 now;

	if (LIST_EMPTY(&vc->observations))
		return;
	now = vclient_now_ms(vc->ctx);
	LIST_FOREACH_SAFE(obs, &vc->observations, entry, obs1) {
		if (dm_path_is_prefix(&obs->path, p) || dm_path_is_prefix(p, &obs->path))
			observe_eval(obs, now);
	}
}

void
observe_fresh(struct vclient *vc)
{
	struct observation	*obs;
	struct observe_attrs	 a;
	struct timeval		 tv;
	uint64_t		 now = vclient_now_ms(vc->ctx), due, ms;

	LIST_FOREACH(obs, &vc->observations, entry) {
		if (obs->path.len == 0 || obs->path.ids[0] <= LWM2M_OID_DEVICE)
			continue;
		/*
		 * Sent from the timer, not from here: the device manager marks the values
		 * fresh just before it stores the reading that made them so, and that
		 * reading is what the notification carries. dirty: it is due, whatever
		 * that reading's change conditions say (observe_eval leaves it alone).
		 */
		observe_attrs_get(vc, obs->ssid, &obs->path, &a);
		due = obs->last_ms + ((a.set & VATTR_PMIN) ? (uint64_t)a.pmin * 1000 : 0);
		ms = due > now ? due - now : 0;
		tv.tv_sec = (time_t)(ms / 1000);
		tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
		obs->dirty = true;
		evtimer_del(obs->timer);
		event_add(obs->timer, &tv);
	}
}

/* SV-2: keep a notification for a server that is away, bounded, oldest dropped. */
static void
observe_store(struct vpeer *peer, const struct observation *obs, int fmt,
    const uint8_t *buf, size_t len)
{
	struct vstored	*s;

	if (peer->vc->ctx->params.store_max == 0) {
		peer->stored_dropped++;
		return;
	}
	if (peer->nstored >= peer->vc->ctx->params.store_max) {
		s = TAILQ_FIRST(&peer->stored);
		TAILQ_REMOVE(&peer->stored, s, entry);
		free(s);
		peer->nstored--;
		peer->stored_dropped++;
	}
	s = xmalloc(sizeof *s + len);
	memcpy(s->token, obs->token, obs->token_len);
	s->token_len = obs->token_len;
	s->seq = obs->seq;
	s->format = fmt;
	s->len = len;
	memcpy(s->payload, buf, len);
	TAILQ_INSERT_TAIL(&peer->stored, s, entry);
	peer->nstored++;
	log_ep_debug(peer->vc->endpoint, "%s: notification %u stored (%zu kept)",
	    peer->name, s->seq, peer->nstored);
}

static bool
observe_storing(struct vclient *vc, uint16_t ssid)
{
	uint16_t	iid;
	bool		b = true;

	if (dm_server_find(vc->store, ssid, &iid) == 0)
		dm_get_bool(vc->store, &LWM2M_PATH_RES(1, iid, DM_SRV_RID_STORING), &b);
	return b;
}

static void
observe_send(struct observation *obs)
{
	struct vclient		*vc = obs->vc;
	struct vpeer		*peer;
	struct observe_attrs	 a;
	struct cio_msg		 m;
	uint64_t		 now = vclient_now_ms(vc->ctx);
	size_t			 len;
	char			*cause = NULL;
	int			 rc, fmt;
	bool			 away;

	obs->dirty = false;
	/* Stale: nothing, not even pmax (it would repeat an old value as live); the
	 * observation stays and observe_fresh notifies when readings resume. */
	if (dm_ops_stale(vc, &obs->path))
		return;
	if ((peer = vclient_peer_find(vc, obs->ssid)) == NULL) {
		observe_free(obs);
		return;
	}
	rc = dm_ops_read(vc, obs->ssid, &obs->path, obs->format, vc->ctx->buf,
	    VCLIENT_BUF_SIZE, &len, &fmt);
	if (rc != 0) {
		/* Gone or no longer readable: the observation ends. */
		log_ep_debug(vc->endpoint, "observation by %u ended (%d.%02d)",
		    obs->ssid, LWM2M_CODE_CLASS(-rc), LWM2M_CODE_DETAIL(-rc));
		observe_free(obs);
		return;
	}
	obs->seq++;
	obs->last_ms = now;
	obs->has_last = observe_number(vc, &obs->path, &obs->last_value);
	observe_attrs_get(vc, obs->ssid, &obs->path, &a);
	observe_arm_pmax(obs, &a, now);

	/*
	 * Store (SV-2) while the server is away or silent, and behind stored ones still
	 * draining; the answer flushes them. Without storing, a notification for a
	 * silent server still goes: it may arrive.
	 */
	away = registration_is_away(peer) || peer->flushing;
	if (away || registration_is_silent(peer)) {
		if (observe_storing(vc, obs->ssid)) {
			observe_store(peer, obs, fmt, vc->ctx->buf, len);
			return;
		}
		if (away)
			return;
	}
	cio_msg_init(&m);
	m.type = CIO_NON;
	if (now - obs->last_con_ms >= (uint64_t)vc->ctx->params.notify_con_interval_s *
	    1000) {
		m.type = CIO_CON;
		obs->last_con_ms = now;
	}
	m.code = LWM2M_CONTENT;
	memcpy(m.token, obs->token, obs->token_len);
	m.token_len = obs->token_len;
	m.observe = obs->seq;
	m.format = fmt;
	m.payload = vc->ctx->buf;
	m.payload_len = len;
	if (cio_notify(peer->cio, &m, NULL, NULL, &cause) != 0) {
		log_ep_debug(vc->endpoint, "%s: notification dropped: %s", peer->name,
		    cause);
		free(cause);
	}
}

/* Stored notifications go one at a time, each after the previous was acknowledged, so
 * they arrive in order. */
static void
observe_flush_cb(void *arg, int error, const struct cio_msg *rsp)
{
	struct vpeer	*peer = arg;

	(void)rsp;
	if (error != 0 && error != -ECANCELED)
		log_ep_debug(peer->vc->endpoint, "%s: stored notification: %s",
		    peer->name, cio_strerror(error));
	peer->flushing = false;
	observe_flush_stored(peer);
}

void
observe_flush_stored(struct vpeer *peer)
{
	struct vstored	*s;
	struct cio_msg	 m;
	char		*cause = NULL;

	if (peer->flushing || !registration_is_registered(peer))
		return;
	if ((s = TAILQ_FIRST(&peer->stored)) == NULL)
		return;
	TAILQ_REMOVE(&peer->stored, s, entry);
	peer->nstored--;
	cio_msg_init(&m);
	m.type = CIO_CON;
	m.code = LWM2M_CONTENT;
	memcpy(m.token, s->token, s->token_len);
	m.token_len = s->token_len;
	m.observe = s->seq;
	m.format = s->format;
	m.payload = s->payload;
	m.payload_len = s->len;
	peer->flushing = true;
	if (cio_notify(peer->cio, &m, observe_flush_cb, peer, &cause) != 0) {
		log_ep_debug(peer->vc->endpoint, "%s: stored notification dropped: %s",
		    peer->name, cause);
		free(cause);
		peer->flushing = false;
	}
	free(s);
}
