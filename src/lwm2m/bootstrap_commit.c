/*
 * The end of a bootstrap sequence: Bootstrap-Finish (BS-5), the atomic commit (BS-12),
 * the wire side of the unbootstrapping cascade (UB-4, UB-6) and the Bootstrap-Server
 * account purge (BS-8).
 *
 * Commit order: swap the transaction in, write the state file, answer 2.04 (so 2.04 means
 * durable), then for each removed server S: end its observations (UB-4), De-register to S
 * over its still open association (UB-6), and once every De-register is answered or timed
 * out, close those associations, rebuild the peers from the new store and register.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "bootstrap_int.h"
#include "log.h"
#include "xmalloc.h"

/* Longest single purge timer; a later deadline is re-armed when it fires. */
#define BOOTSTRAP_PURGE_STEP	(7 * 86400)
/* Retry of a purge that could not be made durable, or that met a running sequence. */
#define BOOTSTRAP_PURGE_RETRY	60

void
bootstrap_finish(struct vclient *vc, struct cio_exchange *ex)
{
	struct bsops_ctx	 ctx;
	char			*cause = NULL;

	bootstrap_ctx_init(vc, &ctx);
	if (bsops_finish(&ctx, &cause) != 0) {
		/* BS-5: 4.06, and stay in bootstrap waiting for Delete/Write/Finish. */
		log_ep(LOG_NOTICE, vc->endpoint, "Bootstrap-Finish: inconsistent "
		    "configuration (%s): 4.06, waiting for corrections", cause);
		free(cause);
		cio_respond(ex, LWM2M_CODE(4, 6), CIO_FMT_NONE, NULL, 0,
		    CIO_OBSERVE_NONE);
		return;
	}
	log_ep_info(vc->endpoint, "Bootstrap-Finish: configuration consistent");
	bootstrap_commit(vc, ex);
}

/* BS-8: when the Bootstrap-Server account of st is to be purged (0: never). */
static int64_t
bootstrap_purge_deadline(const struct dm_store *st)
{
	uint16_t	iid;
	int64_t		t;

	if (dm_security_bootstrap(st, &iid) != 0)
		return (0);
	/* LwM2M 1.1 /0/x/12: absent or 0 means the account lives for ever. */
	if (dm_get_int(st, &LWM2M_PATH_RES(LWM2M_OID_SECURITY, iid,
	    DM_SEC_RID_BS_TIMEOUT), &t) != 0 || t <= 0)
		return (0);
	return ((int64_t)time(NULL) + t);
}

static void
bootstrap_later(struct bootstrap_state *bs)
{
	struct timeval	tv = { 0, 0 };

	evtimer_add(bs->later, &tv);
}

static void
bootstrap_dereg_cb(void *arg, int result)
{
	struct vclient	*vc = arg;

	(void)result;
	/* Finish outside the peer's own callback: its association is closed next. */
	if (!vc->dead && vc->bs != NULL && vc->bs->phase == BOOTSTRAP_COMMIT)
		bootstrap_later(vc->bs);
}

/* Observations on instances the sequence deleted end (UB-1 and Delete). */
static void
bootstrap_commit_observations(struct vclient *vc, const struct dm_store *old)
{
	struct bootstrap_state	*bs = vc->bs;
	uint16_t		 oid, iid;
	int			 oafter = -1, iafter;
	size_t			 i;

	for (i = 0; i < bs->ndeleted; i++) {
		if (!dm_exists(vc->store, &bs->deleted[i]))
			observe_path_deleted(vc, &bs->deleted[i]);
	}
	if (!bs->deleted_overflow)
		return;
	while (dm_object_next(old, oafter, &oid) == 0) {
		oafter = oid;
		iafter = -1;
		while (dm_instance_next(old, oid, iafter, &iid) == 0) {
			iafter = iid;
			if (!dm_instance_exists(vc->store, oid, iid))
				observe_path_deleted(vc, &LWM2M_PATH_INST(oid, iid));
		}
	}
}

int
bootstrap_commit(struct vclient *vc, struct cio_exchange *ex)
{
	struct bootstrap_state	*bs = vc->bs;
	int64_t			 old_purge = vc->meta.bs_purge_at;
	uint16_t		 ssid;
	size_t			 i;

	/* BS-12: the new configuration is durable before anyone hears about it. */
	dm_store_swap(vc->store, bs->txn);
	vc->meta.bs_purge_at = bootstrap_purge_deadline(vc->store);
	if (vclient_persist(vc) != 0) {
		dm_store_swap(vc->store, bs->txn);
		vc->meta.bs_purge_at = old_purge;
		log_ep(LOG_ERR, vc->endpoint, "bootstrap: the configuration could not "
		    "be saved; not taken");
		if (ex != NULL)
			cio_respond(ex, LWM2M_CODE(5, 0), CIO_FMT_NONE, NULL, 0,
			    CIO_OBSERVE_NONE);
		return (-1);
	}
	if (ex != NULL)
		cio_respond(ex, LWM2M_CHANGED, CIO_FMT_NONE, NULL, 0, CIO_OBSERVE_NONE);
	log_ep_info(vc->endpoint, "bootstrap: new configuration committed (state "
	    "generation %llu)", (unsigned long long)vc->meta.generation);
	evtimer_del(bs->timer);
	bs->phase = BOOTSTRAP_COMMIT;

	/* bs->txn now holds the previous configuration. */
	bootstrap_commit_observations(vc, bs->txn);
	for (i = 0; i < bs->nremoved; i++) {
		ssid = bs->removed[i];
		if (vclient_peer_find(vc, ssid) == NULL)
			continue;	/* written and removed within this sequence */
		observe_remove_server(vc, ssid);
		log_ep_info(vc->endpoint, "unbootstrap server %u: observations removed "
		    "(UB-4)", ssid);
		bs->dereg = xreallocarray(bs->dereg, bs->ndereg + 1, sizeof *bs->dereg);
		bs->dereg[bs->ndereg++] = ssid;
		if (registration_deregister(vc, ssid, bootstrap_dereg_cb, vc) == 0)
			log_ep_info(vc->endpoint, "unbootstrap server %u: De-register "
			    "sent (UB-6)", ssid);
		else
			log_ep_info(vc->endpoint, "unbootstrap server %u: not registered, "
			    "no De-register (UB-6)", ssid);
	}
	bootstrap_txn_drop(bs);
	bootstrap_later(bs);
	return (0);
}

/* Every De-register answered (or given up): close, rebuild, register. */
void
bootstrap_commit_timer(evutil_socket_t fd, short events, void *arg)
{
	struct vclient		*vc = arg;
	struct bootstrap_state	*bs = vc->bs;
	struct vpeer		*p;
	size_t			 i;

	(void)fd;
	(void)events;
	if (vc->dead || bs == NULL || bs->phase != BOOTSTRAP_COMMIT)
		return;
	for (i = 0; i < bs->ndereg; i++) {
		p = vclient_peer_find(vc, bs->dereg[i]);
		if (p != NULL && p->reg == VREG_DEREGISTERING)
			return;		/* bootstrap_dereg_cb comes back here */
	}
	for (i = 0; i < bs->ndereg; i++) {
		log_ep_info(vc->endpoint, "unbootstrap server %u: association closed",
		    bs->dereg[i]);
		vclient_peer_remove(vc, bs->dereg[i]);
	}
	free(bs->dereg);
	bs->dereg = NULL;
	bs->ndereg = 0;
	bs->phase = BOOTSTRAP_IDLE;
	bs->server_initiated = false;
	bootstrap_purge_arm(vc, NULL);
	/* Servers that stay registered learn the new object instances by an Update;
	 * the others register afresh with them. */
	registration_objects_changed(vc);
	vclient_bootstrap_done(vc, 0);
}

/* ------------------------------------------------------------------ BS-8 */

int
bootstrap_purge_arm(struct vclient *vc, char **cause)
{
	struct bootstrap_state	*bs;
	struct timeval		 tv;
	uint16_t		 iid;
	int64_t			 delay;

	if (vc->dead || (vc->bs == NULL && vc->meta.bs_purge_at <= 0))
		return (0);
	bs = bootstrap_state_get(vc);
	evtimer_del(bs->purge);
	if (vc->meta.bs_purge_at <= 0)
		return (0);
	if (dm_security_bootstrap(vc->store, &iid) != 0) {
		vc->meta.bs_purge_at = 0;
		if (cause != NULL)
			*cause = xstrdup("purge deadline without a Bootstrap-Server "
			    "account: dropped");
		return (-1);
	}
	delay = vc->meta.bs_purge_at - (int64_t)time(NULL);
	if (delay < 0)
		delay = 0;
	log_ep_info(vc->endpoint, "Bootstrap-Server account /0/%u purged in %llds "
	    "(BS-8)", iid, (long long)delay);
	if (delay > BOOTSTRAP_PURGE_STEP)
		delay = BOOTSTRAP_PURGE_STEP;
	tv.tv_sec = (time_t)delay;
	tv.tv_usec = 0;
	evtimer_add(bs->purge, &tv);
	return (0);
}

static void
bootstrap_purge_retry(struct vclient *vc)
{
	struct timeval	tv = { BOOTSTRAP_PURGE_RETRY, 0 };

	evtimer_add(vc->bs->purge, &tv);
}

void
bootstrap_purge_timer(evutil_socket_t fd, short events, void *arg)
{
	struct vclient	*vc = arg;
	struct dm_store	*clone;
	int64_t		 old = vc->meta.bs_purge_at;
	uint16_t	 iid;

	(void)fd;
	(void)events;
	if (vc->dead || vc->bs == NULL || old <= 0)
		return;
	if (bootstrap_active(vc)) {
		bootstrap_purge_retry(vc);
		return;
	}
	if ((int64_t)time(NULL) < old) {
		bootstrap_purge_arm(vc, NULL);
		return;
	}
	if (dm_security_bootstrap(vc->store, &iid) != 0) {
		vc->meta.bs_purge_at = 0;
		return;
	}
	clone = dm_store_clone(vc->store);
	dm_instance_delete(clone, LWM2M_OID_SECURITY, iid);
	dm_acl_delete_for(clone, LWM2M_OID_SECURITY, iid);
	dm_store_swap(vc->store, clone);
	vc->meta.bs_purge_at = 0;
	if (vclient_persist(vc) != 0) {
		dm_store_swap(vc->store, clone);
		vc->meta.bs_purge_at = old;
		dm_store_free(clone);
		log_ep(LOG_WARNING, vc->endpoint, "Bootstrap-Server account purge could "
		    "not be saved; retrying");
		bootstrap_purge_retry(vc);
		return;
	}
	dm_store_free(clone);
	log_ep_info(vc->endpoint, "Bootstrap-Server account /0/%u purged (BS-8)", iid);
	if (vc->bs->phase == BOOTSTRAP_HOLD_OFF) {
		evtimer_del(vc->bs->hold);
		vc->bs->phase = BOOTSTRAP_IDLE;
	}
	vclient_peers_sync(vc);
}
