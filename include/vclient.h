/*
 * Virtual LwM2M 1.1 clients (module vclient): one per sensor, all sharing one context on the
 * daemon's event loop. A vclient has an endpoint name, its own UDP socket, an object store
 * and one peer per account (Bootstrap-Server, LwM2M servers); it bootstraps, registers,
 * serves Device Management and Information Reporting with access control per server.
 *
 * Used by lwgwd (context, shutdown, status) and the south side (device manager: create a
 * vclient per sensor, push readings, answer sensor-backed Write/Execute).
 * See docs/lwm2m.md.
 */
#ifndef LWGW_VCLIENT_H
#define LWGW_VCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwm2m.h"

struct event_base;
struct cfg;
struct dm_store;
struct vclient;
struct vclient_ctx;

enum vclient_state {
	VCLIENT_START,		/* created, not started yet */
	VCLIENT_HOLD_OFF,	/* waiting Client Hold Off Time before bootstrap */
	VCLIENT_BOOTSTRAPPING,
	VCLIENT_REGISTERING,	/* no server has acknowledged Register yet */
	VCLIENT_REGISTERED,	/* at least one server acknowledged Register */
	VCLIENT_FAILED,		/* every server failed and no Bootstrap-Server account */
	VCLIENT_STOPPING,	/* de-registering before free or shutdown */
	VCLIENT_STOPPED,
};
#define VCLIENT_NSTATES	(VCLIENT_STOPPED + 1)

/*
 * Protocol timers and bounds. vclient_params_default() fills them; the context takes them
 * from the configuration when it has the keys, and tests shorten them.
 */
struct vclient_params {
	uint32_t	retry_base_ms;		/* first registration retry delay (5000) */
	uint32_t	retry_cap_ms;		/* longest retry delay (300000) */
	uint32_t	retry_attempts;		/* failures before a server is "failed" (5) */
	uint32_t	update_margin_max_s;	/* Update at lifetime - min(lt/10, this) (60) */
	uint32_t	backend_timeout_ms;	/* sensor Write/Execute answer (10000) → 5.04 */
	uint32_t	notify_con_interval_s;	/* a CON notification at least this often (86400) */
	uint32_t	store_max;		/* stored notifications per server (SV-2) (64) */
	uint32_t	shutdown_timeout_ms;	/* graceful De-register bound (5000) */
	uint32_t	bootstrap_retry_ms;	/* retry bootstrap after a failure (base, 10000) */
	uint32_t	max_inflight;		/* first exchanges in flight, context-wide (128) */
};
void	vclient_params_default(struct vclient_params *);

/*
 * The shared context: CoAP (from cfg->coap), DTLS, the UDP receive buffer, the object
 * registry (built-ins plus DDF files of cfg->gateway.objects_dir), the state directory
 * (cfg->gateway.state_dir). params may be NULL (defaults). cfg must outlive the context.
 * NULL and *cause on failure.
 */
struct vclient_ctx *vclient_ctx_create(struct event_base *, const struct cfg *,
		    const struct vclient_params *, char **cause);
/* Frees every remaining vclient at once (no De-register: use vclient_ctx_shutdown first). */
void		 vclient_ctx_free(struct vclient_ctx *);
struct dm_registry *vclient_ctx_registry(struct vclient_ctx *);

/*
 * Graceful stop: every vclient de-registers from every registered server; done(arg) runs
 * once all are answered or after params.shutdown_timeout_ms, whichever comes first (from
 * the event loop, never from inside this call). New vclients are refused afterwards.
 */
void	vclient_ctx_shutdown(struct vclient_ctx *, void (*done)(void *), void *arg);

/* Status: number of vclients in each state (counts[VCLIENT_NSTATES]) and in total. */
size_t	vclient_ctx_counts(struct vclient_ctx *, size_t *counts);
const char *vclient_state_name(enum vclient_state);

/*
 * Sensor-backed Write and Execute. Each hook returns 0 (done), a negative CoAP code
 * (LWM2M_ERR_*), or VCLIENT_PENDING: the sensor answers later with
 * vclient_backend_done(vc, cookie, code) — the server's response waits (deferred CoAP
 * response) and becomes 5.04 after params.backend_timeout_ms without an answer. A
 * successful Write also stores the value in the vclient's store. A NULL hook is 4.05.
 */
#define VCLIENT_PENDING	1
struct vclient_sensor_ops {
	int	(*write)(void *arg, uint64_t cookie, const struct lwm2m_path *,
		    const struct lwm2m_value *);
	int	(*execute)(void *arg, uint64_t cookie, const struct lwm2m_path *,
		    const uint8_t *args, size_t len);
};

/* One IPSO object a sensor provides, with its instance IDs. */
struct vclient_object {
	uint16_t	 oid;
	const uint16_t	*iids;
	size_t		 niids;
};

/* What the device manager knows about a sensor. */
struct vclient_desc {
	const char		*endpoint;	/* expanded endpoint name (unique) */
	const struct vclient_object *objects;	/* sensor objects (not 0..3) */
	size_t			 nobjects;
	const char		*manufacturer;	/* /3/0/0 .. /3/0/3; NULL: not set */
	const char		*model;
	const char		*serial;
	const char		*firmware;
	const struct vclient_sensor_ops *ops;	/* NULL: nothing is sensor-backed */
	void			*ops_arg;
};

/*
 * Create a vclient and start it: its state file when one exists, else the factory
 * configuration (the config's accounts, /3/0, the sensor objects). With server accounts
 * it registers; with only a Bootstrap-Server account it bootstraps. The sensor objects
 * and /3/0 descriptors are applied in both cases. NULL and *cause on failure (socket,
 * unknown object, duplicate endpoint, context shutting down).
 */
struct vclient	*vclient_create(struct vclient_ctx *, const struct vclient_desc *,
		    char **cause);
/*
 * The sensor is gone: de-register from every server (bounded time), then free. The
 * pointer must not be used after this call; pending backend operations are answered 5.03.
 */
void		 vclient_destroy(struct vclient *);

/*
 * A reading: stored (dm_set) and, only when the value changed, observations on the path
 * are evaluated. No allocation on this path for numbers and booleans. 0 or a negative
 * CoAP code from dm_set (unknown path, wrong type).
 */
int		 vclient_reading(struct vclient *, const struct lwm2m_path *,
		    const struct lwm2m_value *);
/*
 * Mark the sensor's values stale (true) or fresh again (false); reported in status. While
 * stale, Read/Observe/Write/Execute on the sensor's objects (not 0..3) answer 5.03 and
 * their observations are silent; fresh again (call it before the vclient_reading that
 * made it so), each observation notifies the value. See docs/lwm2m.md "A stale sensor".
 */
void		 vclient_set_stale(struct vclient *, bool);
/* The sensor answered a VCLIENT_PENDING hook call (code 0 or LWM2M_ERR_*). */
void		 vclient_backend_done(struct vclient *, uint64_t cookie, int code);

/* Operator requests (lwgwctl): re-bootstrap, send an Update to every server. */
int		 vclient_request_bootstrap(struct vclient *, char **cause);
void		 vclient_request_update(struct vclient *);

const char	*vclient_endpoint(const struct vclient *);
enum vclient_state vclient_state(const struct vclient *);
struct dm_store	*vclient_store(struct vclient *);
/* The ops_arg given at creation, when the vclient was created with these sensor ops;
 * else NULL. Lets the device manager go from a vclient to its device in O(1). */
void		*vclient_sensor_arg(const struct vclient *,
		    const struct vclient_sensor_ops *);
/* The local UDP port of the vclient's socket. */
uint16_t	 vclient_port(const struct vclient *);
bool		 vclient_stale(const struct vclient *);
/* One server account of a vclient, as the control socket shows it. */
struct vclient_server_info {
	uint16_t	 ssid;
	const char	*state;			/* registration state */
	uint32_t	 lifetime;		/* s, as last registered */
	size_t		 observations;		/* the server's observations */
	size_t		 stored;		/* notifications kept for it (SV-2) */
	uint64_t	 stored_dropped;	/* ... dropped at store_max, oldest first */
};
/* Walk a vclient's server accounts; a non-zero return stops the walk. */
int		 vclient_foreach_server(struct vclient *,
		    int (*)(const struct vclient_server_info *, void *), void *);
/* Find by endpoint (linear; for the control socket). */
struct vclient	*vclient_find(struct vclient_ctx *, const char *endpoint);
/* Walk every vclient; a non-zero return stops the walk. */
int		 vclient_foreach(struct vclient_ctx *, int (*)(struct vclient *, void *),
		    void *);

#endif
