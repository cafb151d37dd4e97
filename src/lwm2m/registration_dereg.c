/*
 * De-register (shutdown, vclient_destroy, UB-6) and Disable (SV-1): the end of a
 * registration, bounded in time, and the silence of Disable Timeout after it.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>

#include <stdlib.h>

#include <event2/event.h>

#include "dtls.h"
#include "log.h"
#include "vclient_int.h"

void
registration_dereg_finish(struct vpeer *p, int error)
{
	void	(*done)(void *, int) = p->dereg_done;
	void	*arg = p->dereg_arg;

	p->dereg_done = NULL;
	p->dereg_arg = NULL;
	admit_release(p);
	registration_clear_location(p);
	evtimer_del(p->timer);
	if (p->reg == VREG_DEREGISTERING)
		registration_set(p, VREG_DEREGISTERED);
	if (done != NULL)
		done(arg, error);
}

static void
registration_dereg_cb(void *arg, int error, const struct cio_msg *rsp)
{
	struct vpeer	*p = arg;

	p->req_pending = false;
	if (error == 0 && rsp->code != LWM2M_DELETED)
		error = -1;
	log_ep_info(p->vc->endpoint, "%s: de-registered%s", p->name, error != 0 ?
	    " (no acknowledgement)" : "");
	registration_dereg_finish(p, error == 0 ? 0 : -1);
}

/* The DELETE of a De-register (the slot is held). 0 or -1 (logged). */
static int
registration_dereg_send(struct vpeer *p)
{
	struct cio_msg	 m;
	char		*cause = NULL;
	size_t		 i;

	cio_msg_init(&m);
	m.code = CIO_DELETE;
	for (i = 0; i < p->nloc; i++)
		m.path[i] = p->loc[i];
	m.npath = (uint8_t)p->nloc;
	if (vclient_peer_request(p, &m, registration_dereg_cb, p, &p->req_id,
	    &cause) != 0) {
		log_ep(LOG_NOTICE, p->vc->endpoint, "%s: De-register: %s", p->name,
		    cause);
		free(cause);
		return -1;
	}
	p->req_pending = true;
	return 0;
}

/* A queued De-register got its slot. */
static void
registration_dereg_admitted(struct vpeer *p)
{
	if (p->reg != VREG_DEREGISTERING) {
		admit_release(p);
		return;
	}
	if (registration_dereg_send(p) != 0)
		registration_dereg_finish(p, -1);
}

static int
registration_send_dereg(struct vpeer *p, void (*done)(void *, int), void *arg)
{
	if (!registration_is_valid(p) || p->nloc == 0)
		return -1;
	registration_stop(p);
	registration_set(p, VREG_DEREGISTERING);
	p->dereg_done = done;
	p->dereg_arg = arg;
	/* Bounded, waiting for admission included: the timer gives up before cio's full
	 * retransmission schedule. */
	vclient_timer_add(p->vc->ctx, p->timer, p->vc->ctx->params.shutdown_timeout_ms);
	if (!admit_request(p, registration_dereg_admitted))
		return 0;
	if (registration_dereg_send(p) != 0) {
		admit_release(p);
		evtimer_del(p->timer);
		p->dereg_done = NULL;
		p->dereg_arg = NULL;
		registration_set(p, VREG_DEREGISTERED);
		return -1;
	}
	return 0;
}

int
registration_deregister(struct vclient *vc, uint16_t ssid, void (*done)(void *, int),
    void *arg)
{
	struct vpeer	*p;

	if ((p = vclient_peer_find(vc, ssid)) == NULL)
		return -1;
	if (registration_send_dereg(p, done, arg) != 0) {
		registration_stop(p);
		registration_set(p, VREG_DEREGISTERED);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ Disable (SV-1) */

static void
registration_disabled(void *arg, int error)
{
	struct vpeer	*p = arg;
	struct dm_store	*st = p->vc->store;
	uint16_t	 iid;
	int64_t		 timeout = 86400;

	(void)error;
	if (dm_server_find(st, p->ssid, &iid) == 0 &&
	    (dm_get_int(st, &LWM2M_PATH_RES(1, iid, DM_SRV_RID_DISABLE_TIMEOUT),
	    &timeout) != 0 || timeout < 0))
		timeout = 86400;
	if (timeout > UINT32_MAX / 1000)
		timeout = UINT32_MAX / 1000;
	if (p->dtls != NULL) {
		dtls_close(p->dtls);
		p->dtls_up = false;
	}
	registration_stop(p);
	registration_set(p, VREG_DISABLED);
	log_ep_info(p->vc->endpoint, "%s: disabled for %lld s", p->name,
	    (long long)timeout);
	vclient_timer_add(p->vc->ctx, p->timer, (uint32_t)timeout * 1000);
	vclient_reg_changed(p->vc);
}

void
registration_disable(struct vpeer *p)
{
	if (p->reg == VREG_DISABLED)
		return;
	if (registration_send_dereg(p, registration_disabled, p) != 0)
		registration_disabled(p, -1);
}

