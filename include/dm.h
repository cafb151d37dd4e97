/*
 * The per-device data model (module dm): object definitions (a registry shared by every
 * virtual client), one object store per virtual client (instances and typed values), paths,
 * Access Control helpers (AC-1..3), unbootstrap primitives (UB-1..3) and the bootstrap
 * consistency check (BS-5, SV-4).
 *
 * Pure: no I/O except the DDF directory loader, no libevent, no sockets. Nothing here is
 * thread-safe; every store belongs to the one event loop.
 *
 * Return values: functions working on a store return 0 or a negative CoAP code
 * (LWM2M_ERR_* from lwm2m.h) that the LwM2M layer can send back unchanged:
 *   LWM2M_ERR_NOT_FOUND		object not supported / instance, resource or resource
 *					instance absent / rid unknown to the definition
 *   LWM2M_ERR_BAD_REQUEST		path of the wrong depth for the call, value of the wrong
 *					type or out of the definition's range, instance exists
 *					already, second instance of a single-instance object
 *   LWM2M_ERR_METHOD_NOT_ALLOWED	a value for an executable resource, Write/Execute on a
 *					resource with no backend
 *   LWM2M_ERR_TOO_LARGE		string/opaque value longer than DM_VALUE_MAX_LEN
 * Functions that load files return 0/-1 and fill char **cause (heap string, caller frees).
 */
#ifndef LWGW_DM_H
#define LWGW_DM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwm2m.h"

struct dm_registry;
struct dm_store;

/* ------------------------------------------------------------------ definitions */

/*
 * The registry: the built-in definitions (Security 0, Server 1, Access Control 2, Device 3,
 * Connectivity Monitoring 4, IPSO 3200 3201 3300 3301 3303 3304 3311 3315 3316 3323) plus
 * definitions loaded from OMA DDF XML files. A registry must outlive every store created
 * from it and must not be loaded into after the first store is created (stores keep
 * pointers to its definitions).
 */
struct dm_registry	*dm_registry_create(void);
void			 dm_registry_free(struct dm_registry *);

/* Flags for dm_registry_load_*. */
#define DM_LOAD_REPLACE_BUILTIN	0x1	/* a DDF may replace a built-in object; without
					 * this flag such a file is an error and the
					 * built-in stays */

/*
 * Load one DDF file (one or more <Object> elements). On error nothing from that file is
 * added and *cause is "FILE:LINE: message". A DDF for an object loaded before from
 * another file replaces it.
 */
int	dm_registry_load_file(struct dm_registry *, const char *path, int flags,
	    char **cause);
/*
 * Load every "*.xml" file of a directory in name order. A bad file does not stop the
 * others: returns -1 if any file failed, with *cause holding every message, one per line.
 * *nloaded (may be NULL) gets the number of objects added or replaced.
 */
int	dm_registry_load_dir(struct dm_registry *, const char *dir, int flags,
	    size_t *nloaded, char **cause);

/* Definition of object oid, or NULL. */
const struct dm_object	*dm_object_find(const struct dm_registry *, uint16_t oid);
/* Built-in definition of oid without a registry (tests, tools), or NULL. */
const struct dm_object	*dm_builtin_find(uint16_t oid);
/* Resource rid of a definition (binary search; resources are sorted by rid), or NULL. */
const struct dm_resource *dm_resource_find(const struct dm_object *, uint16_t rid);
/* All definitions in ascending oid order: index 0 .. dm_registry_count() - 1. */
size_t			 dm_registry_count(const struct dm_registry *);
const struct dm_object	*dm_registry_at(const struct dm_registry *, size_t);

/* ------------------------------------------------------------------ paths */

/*
 * Text form "/3/0/1": "/" is the root; no trailing '/', no empty segment, decimal IDs
 * 0..65534, at most 4 segments. 0 or -1.
 */
int	dm_path_parse(const char *, struct lwm2m_path *);
/*
 * Append one CoAP Uri-Path segment (not NUL-terminated) to a path being built from the
 * option iterator; start from LWM2M_PATH_ROOT. A single empty segment is accepted as the
 * root ("/"), any other empty segment is rejected. 0 or -1 (non-numeric, > 65534, deeper
 * than 4).
 */
int	dm_path_push(struct lwm2m_path *, const uint8_t *seg, size_t len);
/* Format into buf (NUL-terminated, "/" for the root); length as snprintf, -1 if bad. */
int	dm_path_format(const struct lwm2m_path *, char *buf, size_t len);
#define DM_PATH_MAXLEN	(4 * 6 + 1)	/* "/65534/65534/65534/65534" and NUL */
bool	dm_path_equal(const struct lwm2m_path *, const struct lwm2m_path *);
/* Is b equal to or below a? ("/3" is a prefix of "/3/0/1"; the root of everything.) */
bool	dm_path_is_prefix(const struct lwm2m_path *a, const struct lwm2m_path *b);

/* ------------------------------------------------------------------ store */

/* Longest string/opaque/corelnk value a store keeps (certificates fit). */
#define DM_VALUE_MAX_LEN	65535

/*
 * A store: one per virtual client. It holds the objects the vclient supports (an object
 * may have zero instances), their instances and values; string/opaque bytes are copied.
 * Values are kept in sorted arrays: 8 instances and 54 values take 1359 bytes of arrays
 * and value bytes, about 2 KiB with malloc's overhead (docs/dm.md).
 */
struct dm_store	*dm_store_create(const struct dm_registry *);
void		 dm_store_free(struct dm_store *);
const struct dm_registry *dm_store_registry(const struct dm_store *);
/* Heap bytes owned by the store (its arrays and value bytes, not malloc overhead). */
size_t		 dm_store_heap_bytes(const struct dm_store *);

/*
 * Transactions (BS-12, multi-resource writes): clone, change the clone, check it, then
 * dm_store_swap(live, clone) and dm_store_free(clone) to commit, or just free the clone to
 * roll back. A clone shares the registry and copies the backend hooks. Swap exchanges
 * every content (objects, values, backend) of the two stores, not their addresses.
 */
struct dm_store	*dm_store_clone(const struct dm_store *);
void		 dm_store_swap(struct dm_store *, struct dm_store *);
/* Remove every object, instance and value (the backend stays). */
void		 dm_store_clear(struct dm_store *);

/* Supported objects. Adding needs a definition in the registry (else NOT_FOUND); adding an
 * object present already is a no-op. Removing deletes its instances. */
int		 dm_object_add(struct dm_store *, uint16_t oid);
int		 dm_object_remove(struct dm_store *, uint16_t oid);
bool		 dm_object_has(const struct dm_store *, uint16_t oid);
/* Definition of a supported object, or NULL when the store does not support it. */
const struct dm_object *dm_object_get(const struct dm_store *, uint16_t oid);
/* Object version as Discover and Register announce it ("1.0" when the definition says
 * nothing), or NULL when not supported. */
const char	*dm_object_version(const struct dm_store *, uint16_t oid);

/*
 * Create instance iid of oid, or the lowest free iid when iid is LWM2M_ID_NONE; *iidp (may
 * be NULL) gets it. NOT_FOUND if the object is not supported; BAD_REQUEST if iid exists,
 * or the object is single-instance and has its instance already; TOO_LARGE when no iid is
 * free.
 */
int		 dm_instance_create(struct dm_store *, uint16_t oid, uint16_t iid,
		     uint16_t *iidp);
/* Delete one instance and its values (not its ACL instance: see dm_acl_delete_for). */
int		 dm_instance_delete(struct dm_store *, uint16_t oid, uint16_t iid);
bool		 dm_instance_exists(const struct dm_store *, uint16_t oid, uint16_t iid);
size_t		 dm_instance_count(const struct dm_store *, uint16_t oid);
/* Lowest free instance ID of oid, or LWM2M_ID_NONE when full or unsupported. */
uint16_t	 dm_instance_free_iid(const struct dm_store *, uint16_t oid);

/*
 * Set a value. Path: /oid/iid/rid for a single-instance resource, /oid/iid/rid/riid for a
 * resource instance of a multiple resource (created if absent). The instance must exist.
 * The value is converted to the definition's type when that is lossless (INTEGER <->
 * UNSIGNED <-> TIME, INTEGER/UNSIGNED -> FLOAT, STRING <-> CORELNK); otherwise
 * BAD_REQUEST. Ranges of the definition are enforced (numbers: value; strings, opaque:
 * length). Operations (R/W) are not checked here: the caller decides who may write.
 * *changed (may be NULL) says whether the stored value differs from the previous one
 * (true when created). Replacing a number or boolean allocates nothing.
 */
int		 dm_set(struct dm_store *, const struct lwm2m_path *,
		     const struct lwm2m_value *, bool *changed);
/* Shorthands building the value (converted as dm_set does). */
int		 dm_set_int(struct dm_store *, const struct lwm2m_path *, int64_t,
		     bool *changed);
int		 dm_set_float(struct dm_store *, const struct lwm2m_path *, double,
		     bool *changed);
int		 dm_set_bool(struct dm_store *, const struct lwm2m_path *, bool,
		     bool *changed);
int		 dm_set_string(struct dm_store *, const struct lwm2m_path *, const char *,
		     bool *changed);
int		 dm_set_opaque(struct dm_store *, const struct lwm2m_path *, const void *,
		     size_t, bool *changed);

/*
 * Get a value (same path rules as dm_set). String/opaque bytes point into the store and
 * stay valid until the next change of the store.
 */
int		 dm_get(const struct dm_store *, const struct lwm2m_path *,
		     struct lwm2m_value *);
/* Typed getters: NOT_FOUND if absent, BAD_REQUEST if the stored type does not fit
 * (dm_get_int accepts INTEGER, UNSIGNED <= INT64_MAX, TIME and BOOLEAN). */
int		 dm_get_int(const struct dm_store *, const struct lwm2m_path *, int64_t *);
int		 dm_get_bool(const struct dm_store *, const struct lwm2m_path *, bool *);
/* STRING/OPAQUE/CORELNK bytes (not NUL-terminated). */
int		 dm_get_bytes(const struct dm_store *, const struct lwm2m_path *,
		     const uint8_t **, size_t *);

/*
 * Make multiple resource /oid/iid/rid present with zero resource instances, removing any
 * it had (a Write replacing a multiple resource starts with this).
 */
int		 dm_resource_clear(struct dm_store *, uint16_t oid, uint16_t iid,
		     uint16_t rid);
/* Number of resource instances of a multiple resource (0 if empty or absent). */
size_t		 dm_resource_count(const struct dm_store *, uint16_t oid, uint16_t iid,
		     uint16_t rid);

/*
 * Delete what a path names: /oid all instances (the object stays supported), /oid/iid the
 * instance, /oid/iid/rid the resource (all its instances), /oid/iid/rid/riid one resource
 * instance. The root is BAD_REQUEST (the bootstrap layer decides what "/" spares).
 */
int		 dm_delete(struct dm_store *, const struct lwm2m_path *);
/* Does the object / instance / resource / resource instance exist? The root always does. */
bool		 dm_exists(const struct dm_store *, const struct lwm2m_path *);

/*
 * Iteration in ascending ID order, without allocation. A callback returning non-zero stops
 * the walk, which returns that value; otherwise 0. Callbacks must not change the store.
 */
int	dm_foreach_object(const struct dm_store *,
	    int (*)(const struct dm_object *, void *), void *);
int	dm_foreach_instance(const struct dm_store *, uint16_t oid,
	    int (*)(uint16_t oid, uint16_t iid, void *), void *);
/* Present resources of an instance; n is 1 for a single resource, the number of resource
 * instances (maybe 0) for a multiple one. */
int	dm_foreach_resource(const struct dm_store *, uint16_t oid, uint16_t iid,
	    int (*)(const struct dm_resource *, size_t n, void *), void *);
/* Every value at or below a path ("/" included), paths of depth 3 (single) or 4 (resource
 * instances). Empty multiple resources yield nothing. NOT_FOUND if the path does not
 * exist. */
int	dm_foreach_value(const struct dm_store *, const struct lwm2m_path *,
	    int (*)(const struct lwm2m_path *, const struct lwm2m_value *, void *), void *);

/* Cursor style: first with after = -1, then the previous ID; 0 found, -1 at the end. */
int	dm_object_next(const struct dm_store *, int after, uint16_t *oid);
int	dm_instance_next(const struct dm_store *, uint16_t oid, int after, uint16_t *iid);

/* ------------------------------------------------------------------ backend */

/*
 * Sensor-backed objects: a Write or Execute by a server on a resource of a backed object
 * goes to these hooks (the device module's), which may complete later (the LwM2M layer's
 * business). Readings come back as plain dm_set calls. Hooks return 0 or a negative CoAP
 * code; a NULL hook makes the operation METHOD_NOT_ALLOWED.
 */
struct dm_backend {
	int	(*write)(void *arg, const struct lwm2m_path *,
		    const struct lwm2m_value *);
	int	(*execute)(void *arg, const struct lwm2m_path *, const uint8_t *args,
		    size_t len);
};
/* The table is not copied: it must outlive the store (a static const table). */
void	dm_backend_set(struct dm_store *, const struct dm_backend *, void *arg);
/* Mark a supported object as backed (or not). NOT_FOUND if not supported. */
int	dm_backend_mark(struct dm_store *, uint16_t oid, bool backed);
bool	dm_backend_is_backed(const struct dm_store *, uint16_t oid);
/* Forward to the hook: path depth 3 or 4 for write, 3 for execute. NOT_FOUND if the
 * object is not backed or the path does not exist; METHOD_NOT_ALLOWED with no hook. */
int	dm_backend_write(struct dm_store *, const struct lwm2m_path *,
	    const struct lwm2m_value *);
int	dm_backend_execute(struct dm_store *, const struct lwm2m_path *,
	    const uint8_t *args, size_t len);

/* ------------------------------------------------------------------ access control */

/* Rights bits (AC-1): ACL resource instance values. */
#define DM_ACL_READ	0x01	/* Read, Observe, Discover, Write-Attributes */
#define DM_ACL_WRITE	0x02
#define DM_ACL_EXECUTE	0x04
#define DM_ACL_DELETE	0x08
#define DM_ACL_CREATE	0x10
#define DM_ACL_ALL	0x1f

/* Access Control object resources. */
#define DM_ACL_RID_OID		0
#define DM_ACL_RID_IID		1
#define DM_ACL_RID_ACL		2
#define DM_ACL_RID_OWNER	3
/* Owner / target instance meaning "managed by the Bootstrap-Server" (AC-2). */
#define DM_SSID_BOOTSTRAP	LWM2M_ID_NONE

/*
 * Rights of server ssid on instance /oid/iid (AC-1..3), the rule this gateway applies:
 *  - Security (0): none, ever (AC-3). ssid without a Server instance (/1/x/0 == ssid): none.
 *  - An ACL instance exists for /oid/iid (/2/x/0 == oid, /2/x/1 == iid; the lowest x if
 *    several): the owner (/2/x/3) has DM_ACL_ALL; otherwise the ACL entry /2/x/2/ssid; if
 *    none, the default entry /2/x/2/0; if none, nothing.
 *  - No ACL instance and exactly one Server instance: that server has DM_ACL_ALL (AC-3,
 *    LwM2M 1.1 §7.3.3 single-server case).
 *  - No ACL instance and several Server instances: nothing (the specification: with
 *    several servers every instance is governed by its ACL instance), except that a
 *    server always has Read, Write, Execute on its own Server instance (/1/x with
 *    /1/x/0 == ssid) so it can change its lifetime and trigger Updates (gateway rule).
 *  - Access Control instances (oid 2) themselves: everyone with a Server instance may Read;
 *    the ACL's owner may also Write (AC-2); single-server: DM_ACL_ALL.
 * The bootstrap interface does not use this (BS-2: regardless of access rights).
 */
unsigned	dm_acl_rights(const struct dm_store *, uint16_t ssid, uint16_t oid,
		    uint16_t iid);
/*
 * May server ssid Create instances of oid? Security and Access Control (the client makes
 * those itself): never. An object-level ACL instance
 * (/2/x/0 == oid, /2/x/1 == 65535) decides: owner, or its entry / default has
 * DM_ACL_CREATE. Without one: only in the single-server case.
 */
bool		dm_acl_can_create(const struct dm_store *, uint16_t ssid, uint16_t oid);

/* ACL instance (its iid in *acl_iid) for /oid/iid (iid 65535: the object-level one). 0 or
 * NOT_FOUND. */
int	dm_acl_find(const struct dm_store *, uint16_t oid, uint16_t iid,
	    uint16_t *acl_iid);
/*
 * Create the ACL instance for /oid/iid (after a server created that instance: owner = that
 * server, as the specification asks) with resources 0, 1, 3 set and an empty ACL
 * resource. BAD_REQUEST if one exists already; NOT_FOUND if object 2 is not supported.
 */
int	dm_acl_instance_create(struct dm_store *, uint16_t oid, uint16_t iid,
	    uint16_t owner, uint16_t *acl_iid);
/* Set (rights <= DM_ACL_ALL) or remove (rights < 0) the entry of ssid (0: default). */
int	dm_acl_entry_set(struct dm_store *, uint16_t acl_iid, uint16_t ssid, int rights);
/* Delete the ACL instance(s) of /oid/iid, when deleting that instance. 0 even if none. */
int	dm_acl_delete_for(struct dm_store *, uint16_t oid, uint16_t iid);
/* Owner of the ACL of /oid/iid, or LWM2M_ID_NONE when there is no ACL instance. */
uint16_t dm_acl_owner(const struct dm_store *, uint16_t oid, uint16_t iid);
/* Number of Server instances (the single-server case is 1). */
size_t	dm_server_count(const struct dm_store *);

/* ------------------------------------------------------------------ unbootstrap */

/*
 * Primitives for the removal of server s's account (UB-1..3), in this order (dm_unbootstrap
 * runs the three). cb (may be NULL) is told each deleted object instance path, target and
 * ACL instances alike, so observations and caches can follow. Each returns the number of
 * instances deleted or ACL instances changed.
 *
 * UB-1 "exclusive to s": the ACL owner is s and no other server can access the instance:
 * every ACL entry other than s's (the default 0 included) is absent or 0. The target
 * instance (if it exists) and its ACL instance are deleted; an object-level ACL instance
 * (iid 65535) only loses its ACL instance, and so does an instance that spare(oid, iid,
 * arg) keeps (BS-4: the device's own, which mirror the hardware; spare may be NULL).
 */
size_t	dm_unbootstrap_exclusive(struct dm_store *, uint16_t s,
	    bool (*spare)(uint16_t oid, uint16_t iid, void *),
	    void (*cb)(const struct lwm2m_path *, void *), void *);
/* UB-2: remove the ACL entry /2/x/2/s from every ACL instance. */
size_t	dm_unbootstrap_entries(struct dm_store *, uint16_t s);
/*
 * UB-3: every ACL instance owned by s gets the owner dm_acl_elect_owner gives (run after
 * UB-2, so s's own entry is gone).
 */
size_t	dm_unbootstrap_owners(struct dm_store *, uint16_t s);
/*
 * UB-3 election for ACL instance acl_iid when s leaves: candidates are the servers with
 * an ACL entry (resource instance ID not 0 and not s); score = (Write ? 1 : 0) +
 * (Delete ? 1 : 0); highest score wins, ties go to the lowest Short Server ID (a server
 * with score 0 can still win when it is the only candidate). No candidate: 65535, the
 * instance becomes Bootstrap-Server managed (still reachable through the default entry).
 */
uint16_t dm_acl_elect_owner(const struct dm_store *, uint16_t acl_iid, uint16_t s);
/* UB-1, UB-2, UB-3 in order; the number of changes. */
size_t	dm_unbootstrap(struct dm_store *, uint16_t s,
	    void (*cb)(const struct lwm2m_path *, void *), void *);

/* ------------------------------------------------------------------ bootstrap helpers */

/* Security modes (/0/x/2). */
#define DM_SECMODE_PSK		0
#define DM_SECMODE_RPK		1
#define DM_SECMODE_CERT		2
#define DM_SECMODE_NOSEC	3
#define DM_SECMODE_CERT_EST	4

/* Resources used by the helpers. */
#define DM_SEC_RID_URI		0
#define DM_SEC_RID_BOOTSTRAP	1
#define DM_SEC_RID_MODE		2
#define DM_SEC_RID_IDENTITY	3
#define DM_SEC_RID_SERVER_KEY	4
#define DM_SEC_RID_SECRET_KEY	5
#define DM_SEC_RID_SSID		10
#define DM_SEC_RID_HOLD_OFF	11
#define DM_SEC_RID_BS_TIMEOUT	12
#define DM_SRV_RID_SSID		0
#define DM_SRV_RID_LIFETIME	1
#define DM_SRV_RID_PMIN		2
#define DM_SRV_RID_PMAX		3
#define DM_SRV_RID_DISABLE	4
#define DM_SRV_RID_DISABLE_TIMEOUT 5
#define DM_SRV_RID_STORING	6
#define DM_SRV_RID_BINDING	7
#define DM_SRV_RID_UPDATE	8
#define DM_SRV_RID_BS_REQUEST	9

/* Bootstrap-Server Security instance (/0/x/1 true; the lowest x). 0 or NOT_FOUND. */
int	dm_security_bootstrap(const struct dm_store *, uint16_t *iid);
/* Non-bootstrap Security instance with /0/x/10 == ssid. 0 or NOT_FOUND. */
int	dm_security_find(const struct dm_store *, uint16_t ssid, uint16_t *iid);
/* Server instance with /1/x/0 == ssid. 0 or NOT_FOUND. */
int	dm_server_find(const struct dm_store *, uint16_t ssid, uint16_t *iid);

/* Flags for dm_check_bootstrap. */
#define DM_CHECK_ALLOW_NOSEC	0x1	/* configuration allows insecure operation */

/*
 * BS-5 consistency check of a whole store (pure). 0, or -1 with *cause saying the first
 * problem found, checked in this order:
 *  - more than one Bootstrap-Server account;
 *  - a Short Server ID 0 or 65535 (SV-4) in a Security or Server instance;
 *  - duplicate Short Server IDs among the non-BS Security instances or the Server
 *    instances;
 *  - a mandatory resource missing in a Security, Server or Access Control instance
 *    (executable resources excepted; Security keys 3 and 5 are required for PSK, RPK and
 *    certificate modes only, 4 never, since NoSec/PSK have no server key);
 *  - a non-BS Security instance without Short Server ID;
 *  - no LwM2M Server account (neither a non-BS Security instance nor a Server
 *    instance);
 *  - a non-BS Security instance without a Server instance of the same Short Server ID, or
 *    a Server instance without such a Security instance;
 *  - a security mode the gateway cannot use: only PSK, Certificate and NoSec (NoSec only
 *    with DM_CHECK_ALLOW_NOSEC), for every account including the Bootstrap-Server's;
 *  - an ACL instance whose owner (other than 65535) or an entry (riid other than 0) names
 *    a server with no Server instance.
 */
int	dm_check_bootstrap(const struct dm_store *, int flags, char **cause);

#endif
