/*
 * Internals shared by the files of liblwm2m.a (vclient, registration, dm_ops, observe,
 * bootstrap, unbootstrap). Not for the south side or lwgwd: they use include/vclient.h.
 */
#ifndef LWGW_VCLIENT_INT_H
#define LWGW_VCLIENT_INT_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* glibc's <sys/queue.h> lacks the BSD _SAFE iterators. */
#ifndef LIST_FOREACH_SAFE
#define LIST_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = LIST_FIRST((head));				\
	    (var) && ((tvar) = LIST_NEXT((var), field), 1);		\
	    (var) = (tvar))
#endif
#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST((head));				\
	    (var) && ((tvar) = TAILQ_NEXT((var), field), 1);		\
	    (var) = (tvar))
#endif

#include "cio.h"
#include "codec.h"
#include "dm.h"
#include "lwm2m.h"
#include "persist.h"
#include "vclient.h"

struct event;
struct event_base;
struct timeval;
struct cfg;
struct cfg_account;
struct cio_ctx;
struct dtls_ctx;
struct dtls;
struct udp;
struct udp_shared;
struct bootstrap_state;

/* Largest payload we build (Read, Notify, Register): the largest Block2 body we serve. */
#define VCLIENT_BUF_SIZE	65536
/* Most values one Read or Notify encodes. */
#define VCLIENT_MAX_ENTRIES	1024

/* The shared context. */
struct vclient_ctx {
	struct event_base	*base;
	const struct cfg	*cfg;
	struct vclient_params	 params;
	struct cio_ctx		*cio;
	struct dtls_ctx		*dtls;
	struct udp_shared	*udp;
	struct dm_registry	*registry;
	char			*state_dir;
	struct sockaddr_storage	 bind_addr;	/* port 0 */
	socklen_t		 bind_len;

	TAILQ_HEAD(, vclient)	 clients;
	size_t			 nclients;
	/* Destroyed vclients still de-registering whose endpoint a new one took (the
	 * sensor came back meanwhile): out of the way of vclient_find. */
	TAILQ_HEAD(, vclient)	 leaving;
	/* Released vclients waiting to be freed from the loop (never under their own
	 * callbacks), and the event that frees them. */
	TAILQ_HEAD(, vclient)	 dead;
	struct event		*reaper;

	/* Scratch for encoders: one event loop, never used re-entrantly. */
	uint8_t			*buf;		/* VCLIENT_BUF_SIZE */
	struct codec_entry	*entries;	/* VCLIENT_MAX_ENTRIES */

	/* Shared timeouts: libevent common timeouts per distinct duration. */
	struct {
		uint32_t		 ms;
		const struct timeval	*tv;
	}			 common[64];
	size_t			 ncommon;

	/* Admission of first exchanges (admit.c). */
	TAILQ_HEAD(, vpeer)	 admit_queue;
	size_t			 admit_queued;
	size_t			 admit_inflight;
	struct event		*admit_ev;

	/* Host names of server URIs (resolve.c): set up at the first name. */
	struct resolve		*resolve;

	/* Graceful shutdown. */
	bool			 shutting_down;
	void			(*shutdown_done)(void *);
	void			*shutdown_arg;
	struct event		*shutdown_timer;
};

enum vpeer_kind {
	VPEER_BOOTSTRAP,
	VPEER_SERVER,
};

/* Registration state of a server peer. */
enum vpeer_reg {
	VREG_IDLE,		/* nothing sent yet */
	VREG_CONNECTING,	/* DTLS handshake before Register */
	VREG_REGISTERING,	/* Register sent */
	VREG_REGISTERED,
	VREG_UPDATING,		/* Update sent (still registered) */
	VREG_BACKOFF,		/* waiting to retry Register */
	VREG_FAILED,		/* retry_attempts exhausted */
	VREG_DEREGISTERING,
	VREG_DISABLED,		/* SV-1: silent until Disable Timeout */
	VREG_DEREGISTERED,	/* de-registered for good (shutdown, removal) */
	VREG_QUEUED,		/* Register waiting for admission (admit.c) */
	VREG_UNREACHABLE,	/* an Update got no answer: still registered at the
				 * server until reg_expires_ms, Update retried with
				 * backoff, notifications stored (SV-2) */
	VREG_RESOLVING,		/* the server's host name is being resolved */
};

/* A peer's place in the admission of first exchanges. */
enum vpeer_admit {
	VADMIT_NONE,
	VADMIT_QUEUED,
	VADMIT_HELD,
};

/* Someone waiting for a host name (resolve.c), embedded in its owner. */
struct resolve_entry;
struct resolve_wait {
	struct resolve_entry	*re;		/* NULL: not waiting */
	TAILQ_ENTRY(resolve_wait) entry;
	/* addr (port 0) or error; from the event loop. */
	void			(*done)(void *arg, const struct sockaddr_storage *addr,
				    socklen_t, const char *error);
	void			*arg;
};

/* A notification kept while its server is away (SV-2). */
struct vstored {
	TAILQ_ENTRY(vstored)	 entry;
	uint8_t			 token[CIO_TOKEN_MAX];
	uint8_t			 token_len;
	uint32_t		 seq;
	int32_t			 format;
	size_t			 len;
	uint8_t			 payload[];
};
TAILQ_HEAD(vstored_list, vstored);

/* A peer: the Bootstrap-Server or one LwM2M server, by Security instance. */
struct vpeer {
	struct vclient		*vc;
	enum vpeer_kind		 kind;
	uint16_t		 ssid;		/* 0 for the Bootstrap-Server */
	uint16_t		 sec_iid;	/* Security instance /0/x */
	char			*uri;
	char			*name;		/* "EP ssid=N" or "EP bs", for logs */
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	bool			 secure;
	uint32_t		 hash;		/* of the account's resources */
	/* A host name in the URI: addr is resolved before each first exchange. */
	char			*host;		/* NULL: a numeric address */
	uint16_t		 port;
	bool			 resolved;	/* addr holds an answer */
	struct resolve_wait	 rwait;
	void			(*resolve_done)(struct vpeer *, const char *error);
	struct cio_peer		*cio;
	struct dtls		*dtls;		/* NULL for NoSec */
	bool			 dtls_up;
	LIST_ENTRY(vpeer)	 entry;

	/* Admission (admit.c): a Register, Bootstrap-Request or De-register. */
	enum vpeer_admit	 admit;
	void			(*admit_go)(struct vpeer *);
	TAILQ_ENTRY(vpeer)	 admit_entry;

	/* Registration (servers only). */
	enum vpeer_reg		 reg;
	char			*loc[CIO_MAX_PATH];	/* Location-Path of Register */
	size_t			 nloc;
	uint64_t		 req_id;
	bool			 req_pending;
	struct event		*timer;		/* update, retry, disable timeout */
	uint32_t		 attempts;
	uint32_t		 lifetime;	/* as last sent */
	uint64_t		 reg_expires_ms; /* last Register/Update + lifetime */
	char			 binding[8];	/* as last sent */
	bool			 objects_changed; /* next Update carries the links */
	bool			 update_wanted;	/* Update after the current exchange */
	void			(*dereg_done)(void *, int);
	void			*dereg_arg;

	/* SV-2: notifications stored while away. */
	struct vstored_list	 stored;
	size_t			 nstored;
	uint64_t		 stored_dropped;
	bool			 flushing;
};
LIST_HEAD(vpeer_list, vpeer);

/* A sensor-backed Write or Execute waiting for the sensor. */
struct vpending {
	LIST_ENTRY(vpending)	 entry;
	struct vclient		*vc;
	uint64_t		 cookie;
	struct cio_exchange	*ex;		/* deferred response; NULL: none expected */
	unsigned		 outstanding;	/* hook calls not answered yet */
	int			 result;	/* first error, or 0 */
	uint8_t			 ok_code;	/* 2.04 */
	struct event		*timer;
	/* Values to store once the sensor accepted the Write. */
	struct codec_entry	*entries;
	size_t			 nentries;
	uint8_t			*bytes;
};

/* Notification attributes set by Write-Attributes, per server and path. */
#define VATTR_PMIN	0x01
#define VATTR_PMAX	0x02
#define VATTR_GT	0x04
#define VATTR_LT	0x08
#define VATTR_ST	0x10
#define VATTR_EPMIN	0x20
#define VATTR_EPMAX	0x40
struct vattr {
	LIST_ENTRY(vattr)	 entry;
	uint16_t		 ssid;
	struct lwm2m_path	 path;
	unsigned		 set;		/* VATTR_* */
	uint32_t		 pmin, pmax, epmin, epmax;
	double			 gt, lt, st;
};
LIST_HEAD(vattr_list, vattr);

/* Effective attributes of one observation after inheritance. */
struct observe_attrs {
	unsigned		 set;
	uint32_t		 pmin, pmax, epmin, epmax;
	double			 gt, lt, st;
};

/* One observation (not persisted). */
struct observation {
	LIST_ENTRY(observation)	 entry;
	struct vclient		*vc;
	uint16_t		 ssid;
	struct lwm2m_path	 path;
	uint8_t			 token[CIO_TOKEN_MAX];
	uint8_t			 token_len;
	int32_t			 format;
	uint32_t		 seq;
	uint64_t		 last_ms;	/* last notification (or the first response) */
	uint64_t		 last_con_ms;	/* last confirmable one */
	double			 last_value;	/* numeric single resource: value last sent */
	bool			 has_last;
	bool			 dirty;		/* changed, waiting for pmin */
	struct event		*timer;		/* pmin (dirty) or pmax */
	uint64_t		 last_eval_ms;	/* last evaluation of a change */
	bool			 eval_due;	/* a change waits for epmin */
	struct event		*eval_timer;	/* epmin (eval_due) or epmax */
};
LIST_HEAD(observation_list, observation);

/* A virtual client. */
struct vclient {
	struct vclient_ctx	*ctx;
	char			*endpoint;
	struct dm_store		*store;
	enum vclient_state	 state;
	int			 refs;
	bool			 dead;		/* freeing: callbacks do nothing */
	bool			 stale;
	uint64_t		 stale_ms;	/* when the values became stale */
	struct udp		*udp;
	struct vpeer_list	 peers;
	struct event		*timer;		/* bootstrap retry */
	uint32_t		 bs_attempts;
	TAILQ_ENTRY(vclient)	 entry;

	/* State file metadata (generation, BS-8 purge time: bootstrap sets bs_purge_at
	 * before vclient_persist). */
	struct persist_meta	 meta;

	/* Owned by bootstrap.c (bootstrap_free_state). */
	struct bootstrap_state	*bs;

	/* South side. */
	const struct vclient_sensor_ops *sops;
	void			*sops_arg;
	LIST_HEAD(, vpending)	 pending;
	uint64_t		 next_cookie;
	struct vpending		*cur_pending;	/* during hook calls */

	/* Observe. */
	struct observation_list	 observations;
	struct vattr_list	 attrs;

	/* Stopping (destroy or shutdown). */
	size_t			 dereg_waiting;
	bool			 destroy_when_stopped;
	bool			 leaving;	/* on ctx->leaving, not ctx->clients */
};

/* ------------------------------------------------------------------ vclient.c */

void		 vclient_ref(struct vclient *);
void		 vclient_free_now(struct vclient *);
void		 vclient_shutdown_check(struct vclient_ctx *);
/* The last unref schedules the free with event_base_once. */
void		 vclient_unref(struct vclient *);
void		 vclient_set_state(struct vclient *, enum vclient_state);
/* Monotonic milliseconds of the context's clock. */
uint64_t	 vclient_now_ms(struct vclient_ctx *);
/* Arm ev in ms milliseconds, with a shared libevent common timeout where possible. */
void		 vclient_timer_add(struct vclient_ctx *, struct event *, uint32_t ms);
/* Make the store durable in the state directory (before a reply that says it is done).
 * 0 or -1 (logged). */
int		 vclient_persist(struct vclient *);
/* The same for a store about to be swapped in (a transaction's clone). */
int		 vclient_persist_store(struct vclient *, const struct dm_store *);
/* Bootstrap finished (contract): 0 → peers rebuilt from the store, register; < 0 → keep
 * the previous configuration, retry bootstrap later with backoff. */
void		 vclient_bootstrap_done(struct vclient *, int result);
/* Build (or rebuild) the peers from the store's Security instances; keeps peers whose
 * account is unchanged. */
void		 vclient_peers_sync(struct vclient *);
/* Start registration with every server peer (or bootstrap if there is none). */
void		 vclient_start_registration(struct vclient *);
/* Called by registration when one server's state changed (counts, BS-10 fail-over). */
void		 vclient_reg_changed(struct vclient *);

/* ------------------------------------------------------------------ admit.c */

void		 admit_init(struct vclient_ctx *);
void		 admit_free(struct vclient_ctx *);
/*
 * Ask for a slot for a first exchange of p. true: granted, the caller sends now. false:
 * queued; go(p) runs later from the event loop with the slot held. Either way the owner
 * calls admit_release when the exchange ends (or is abandoned).
 */
bool		 admit_request(struct vpeer *, void (*go)(struct vpeer *));
/* Give the slot back, or leave the queue; a no-op without either. */
void		 admit_release(struct vpeer *);

/* ------------------------------------------------------------------ vclient_store.c */

/* The store at creation: the state file if any, else the factory configuration; then
 * the sensor's objects and /3/0. 0 or -1 and *cause. */
int		 vclient_setup_store(struct vclient *, const struct vclient_desc *,
		    char **cause);
/* Write the configuration's accounts into an empty store (factory bootstrap). */
int		 vclient_factory(struct vclient *, char **cause);

/* ------------------------------------------------------------------ vclient_peer.c */

/* (Re)bind the vclient's socket to a new ephemeral port. On a rebind, every DTLS
 * association of the vclient is closed (it belonged to the old address) and registered
 * servers get an Update from the new one. 0 or -1 and *cause (the old socket stays). */
int		 vclient_bind(struct vclient *, char **cause);

/* A datagram on the vclient's socket: to its peer by source address, else dropped. */
void		 vclient_peer_input(struct vclient *, const struct sockaddr *, socklen_t,
		    const uint8_t *, size_t);

/* The peer of a server (ssid) or of the Bootstrap-Server (ssid 0), or NULL. */
struct vpeer	*vclient_peer_find(struct vclient *, uint16_t ssid);
struct vpeer	*vclient_peer_bootstrap(struct vclient *);
/* Create the peer for Security instance /0/sec_iid (URI → address, DTLS if coaps).
 * NULL and *cause when the account cannot be used (bad URI, hostname, keys). */
struct vpeer	*vclient_peer_create(struct vclient *, uint16_t sec_iid, char **cause);
/* Close (DTLS close_notify) and free the server's peer (after De-register; contract). */
void		 vclient_peer_remove(struct vclient *, uint16_t ssid);
void		 vclient_peer_free(struct vpeer *);
/* Make sure the association is up (DTLS handshake); cb runs when ready or failed
 * (error < 0). Immediate for NoSec. */
int		 vclient_peer_connect(struct vpeer *);
/* Send a request to the peer (cio_request with the peer's cio). */
int		 vclient_peer_request(struct vpeer *, const struct cio_msg *, cio_response_fn,
		    void *, uint64_t *id, char **cause);

/* Wait until the peer's address is known (host name in its URI, resolve.c): 0 ready now
 * (numeric, or a fresh cached answer), 1 resolving (done(p, NULL or error) runs later from
 * the event loop), -1 and *cause (a fresh cached failure). */
int		 vclient_peer_resolve(struct vpeer *, void (*done)(struct vpeer *,
		    const char *error), char **cause);
/* Stop waiting for the name (done will not run). */
void		 vclient_peer_resolve_cancel(struct vpeer *);

/* ------------------------------------------------------------------ resolve.c */

#define RESOLVE_RESOLV_CONF	"/etc/resolv.conf"
#define RESOLVE_HOSTS_FILE	"/etc/hosts"

struct resolve;
struct resolve_params {
	const char	*resolv_conf;	/* NULL: RESOLVE_RESOLV_CONF */
	const char	*hosts_file;	/* NULL: RESOLVE_HOSTS_FILE; "": none */
	uint32_t	 ttl_s;		/* an answer is used this long */
	uint32_t	 negative_ttl_s; /* a failure is, before asking again */
};
/* How a query is made; NULL in resolve_create: evdns. query answers with resolve_answer,
 * at once or later, and returns a handle for cancel (NULL if it answered at once). */
struct resolve_ops {
	void		*(*query)(void *arg, struct resolve *, struct resolve_entry *,
			    const char *name, int family);
	void		 (*cancel)(void *arg, void *handle);
	uint64_t	 (*now_ms)(void *arg);
};
struct resolve	*resolve_create(struct event_base *, const struct resolve_params *,
		    const struct resolve_ops *, void *ops_arg);
/* Pending queries are cancelled; waiters are not called. */
void		 resolve_free(struct resolve *);
/*
 * The address of name in family (AF_INET or AF_INET6), port 0. 0: in *ss now (fresh
 * answer). 1: w waits (one query per name, whoever asks meanwhile shares it); w->done runs
 * from the event loop. -1 and *cause: a fresh cached failure. w must stay valid until
 * done ran or resolve_cancel(w).
 */
int		 resolve_lookup(struct resolve *, const char *name, int family,
		    struct resolve_wait *w, struct sockaddr_storage *ss, socklen_t *sslen,
		    char **cause);
void		 resolve_cancel(struct resolve_wait *);
/* The answer of a query (backends): sa (any port) or error. */
void		 resolve_answer(struct resolve *, struct resolve_entry *,
		    const struct sockaddr *sa, socklen_t, const char *error);
/* Queries made, entries cached (status, tests). */
uint64_t	 resolve_queries(const struct resolve *);
size_t		 resolve_entries(const struct resolve *);
const char	*resolve_family_name(int family);

/* ------------------------------------------------------------------ registration.c */

void		 registration_start(struct vpeer *);
void		 registration_stop(struct vpeer *);	/* timers and pending request */
void		 registration_timer_cb(int, short, void *);
void		 registration_clear_location(struct vpeer *);
/* DTLS is up: send what waited for it. */
void		 registration_connected(struct vpeer *);
/* DTLS failed: counts as a registration failure (backoff). */
void		 registration_transport_failed(struct vpeer *);
/* Update now (SV-3, lifetime/binding written, operator). */
void		 registration_update(struct vpeer *);
/* Objects or instances changed: every registered server gets an Update with links. */
void		 registration_objects_changed(struct vclient *);
/* Server instance of ssid written: Update when Lifetime or Binding changed. */
void		 registration_server_written(struct vclient *, uint16_t ssid);
/* UB-6, shutdown: De-register, done(arg, 0 or -1) when answered/failed, bounded time.
 * Returns 0 if a De-register was sent (done will run), -1 if the server was not
 * registered (done is not called). */
int		 registration_deregister(struct vclient *, uint16_t ssid,
		    void (*done)(void *arg, int), void *arg);
/* SV-1: Disable executed (after the 2.04 left). */
void		 registration_disable(struct vpeer *);
bool		 registration_is_registered(const struct vpeer *);
/* Registered at the server, reachable or not (VREG_UNREACHABLE counts). */
bool		 registration_is_valid(const struct vpeer *);
/* SV-2, whether to store its notifications: the server is away (not registered, or no
 * Update answered since the last failure) or silent (our pending Update or Register
 * already retransmitted: a NON notification now would most likely be lost). */
bool		 registration_is_away(const struct vpeer *);
bool		 registration_is_silent(const struct vpeer *);
/* Within the registration code (registration.c, registration_dereg.c). */
void		 registration_set(struct vpeer *, enum vpeer_reg);
void		 registration_dereg_finish(struct vpeer *, int error);
const char	*registration_state_name(enum vpeer_reg);
/* The Register/Update link-format payload (exposed for tests). 0 or LWM2M_ERR_TOO_LARGE. */
int		 registration_links(const struct dm_store *, uint8_t *buf, size_t size,
		    size_t *len);
/* Retry delay before attempt n (1-based), without jitter (tests), and with jitter. */
uint32_t	 registration_backoff_ms(const struct vclient_params *, uint32_t attempt);
/* Latest Update delay after a successful Register/Update for a lifetime (s), in ms. */
uint32_t	 registration_update_delay_ms(const struct vclient_params *, uint32_t lifetime);
/* The Update delay actually used: uniform in [latest - margin / 2, latest] so that
 * vclients registered together do not update together. */
uint32_t	 registration_update_jitter_ms(const struct vclient_params *,
		    uint32_t lifetime);

/* ------------------------------------------------------------------ dm_ops*.c */

/* A request from server peer p (registered): Read/Write/.../Observe. */
void		 dm_ops_handle(struct vclient *, struct vpeer *, struct cio_exchange *,
		    const struct cio_msg *);
/* The path of a request's Uri-Path; 0 or -1. */
int		 dm_ops_path(const struct cio_msg *, struct lwm2m_path *);
/*
 * Encode what server ssid may read at path (ACL applied) in fmt (LWM2M_FMT_NONE: choose)
 * into buf. *fmtp gets the format used. 0 or a negative CoAP code. Used by Read and
 * Notify.
 */
int		 dm_ops_encode(struct vclient *, uint16_t ssid, const struct lwm2m_path *,
		    int fmt, uint8_t *buf, size_t size, size_t *len, int *fmtp);
/* The core of each operation, for unit tests without CoAP (rights checked). */
int		 dm_ops_read(struct vclient *, uint16_t ssid, const struct lwm2m_path *,
		    int accept, uint8_t *buf, size_t size, size_t *len, int *fmtp);
int		 dm_ops_discover(struct vclient *, uint16_t ssid, const struct lwm2m_path *,
		    uint8_t *buf, size_t size, size_t *len);
/* replace: PUT, else POST partial update. Returns 0, VCLIENT_PENDING (backed), or an
 * error. */
int		 dm_ops_write(struct vclient *, uint16_t ssid, const struct lwm2m_path *,
		    bool replace, int fmt, const uint8_t *payload, size_t len);
int		 dm_ops_execute(struct vclient *, uint16_t ssid, const struct lwm2m_path *,
		    const uint8_t *args, size_t len);
/* Create under /oid; *iid gets the new instance. */
int		 dm_ops_create(struct vclient *, uint16_t ssid, const struct lwm2m_path *,
		    int fmt, const uint8_t *payload, size_t len, uint16_t *iid);
int		 dm_ops_delete(struct vclient *, uint16_t ssid, const struct lwm2m_path *);
/* Write-Attributes from the Uri-Query strings ("pmin=10", "gt=20.5", "pmax"). */
int		 dm_ops_write_attrs(struct vclient *, uint16_t ssid, const struct lwm2m_path *,
		    const char *const *query, size_t nquery);
/* Is path among the values of a stale sensor (its own objects, not /0../3)? */
bool		 dm_ops_stale(const struct vclient *, const struct lwm2m_path *);
/* Existence and access right for an operation on a path; 0 or the error to answer. */
int		 dm_ops_check(struct vclient *, uint16_t ssid, const struct lwm2m_path *,
		    unsigned right);
void		 dm_ops_write_request(struct vclient *, struct vpeer *, struct cio_exchange *,
		    const struct cio_msg *, const struct lwm2m_path *, bool replace);
void		 dm_ops_create_request(struct vclient *, struct vpeer *,
		    struct cio_exchange *, const struct cio_msg *, const struct lwm2m_path *);
void		 dm_ops_execute_request(struct vclient *, struct vpeer *,
		    struct cio_exchange *, const struct cio_msg *, const struct lwm2m_path *);
/* Disable / Registration Update Trigger / Bootstrap-Request Trigger, after the reply. */
void		 dm_ops_server_action(struct vclient *, const struct lwm2m_path *);
/* Finish a backed operation (vclient_backend_done / timeout). */
void		 dm_ops_pending_done(struct vpending *, int code);
void		 dm_ops_pending_free(struct vpending *);

/* ------------------------------------------------------------------ observe.c */

/* Observe=0 / Observe=1 from a server (content already checked readable). */
int		 observe_start(struct vclient *, uint16_t ssid, const struct lwm2m_path *,
		    const uint8_t *token, size_t token_len, int32_t format, uint32_t *seq);
void		 observe_cancel_token(struct vclient *, uint16_t ssid, const uint8_t *token,
		    size_t token_len);
/* A value changed (vclient_reading, writes): evaluate the observations on it. */
void		 observe_changed(struct vclient *, const struct lwm2m_path *);
/* The sensor's values are fresh again: each observation of them notifies (pmin
 * permitting) the value as it is then, changed or not. */
void		 observe_fresh(struct vclient *);
/* UB-4: every observation of ssid ends (also on Register of ssid: fresh state). */
void		 observe_remove_server(struct vclient *, uint16_t ssid);
/* UB-1 and Delete: observations on or under path end. */
void		 observe_path_deleted(struct vclient *, const struct lwm2m_path *);
/* Attributes changed: recompute timers of ssid's observations. */
void		 observe_attrs_changed(struct vclient *, uint16_t ssid);
/* The effective attributes of (ssid, path) with LwM2M 1.1 inheritance. */
void		 observe_attrs_get(struct vclient *, uint16_t ssid, const struct lwm2m_path *,
		    struct observe_attrs *);
/* Should a numeric change from last to now notify, given gt/lt/st? (pure, for tests) */
bool		 observe_threshold_hit(const struct observe_attrs *, bool has_last, double last,
		    double now);
/* SV-2: the server is back: send its stored notifications in order. */
void		 observe_flush_stored(struct vpeer *);
void		 observe_free_all(struct vclient *);
void		 observe_attrs_free(struct vclient *, uint16_t ssid);	/* ssid 0: all */

#endif
