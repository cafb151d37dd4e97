/*
 * The LwM2M Bootstrap interface of a virtual client (BS-1..13) and the unbootstrapping
 * cascade (UB-1..7). See docs/bootstrap.md for every choice the change requests leave open.
 *
 * Three layers:
 *  - bsops_*: the pure Bootstrap operations (Write, Read, Discover, Delete, Finish check)
 *    on a transaction store (a dm_store_clone of the live store). No I/O, no libevent.
 *  - unbootstrap_*: the store part of removing a server account (UB-1, UB-2, UB-3, UB-5),
 *    also pure. The wire part (UB-4 observations, UB-6 De-register) runs when the
 *    transaction commits (bootstrap.c).
 *  - bootstrap_*: the per-vclient state machine (BS-1, BS-5..12): Request, server-initiated
 *    sequences, Finish and its timeout, atomic commit, Bootstrap-Server account purge.
 */
#ifndef LWGW_BOOTSTRAP_H
#define LWGW_BOOTSTRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwm2m.h"

struct dm_store;
struct cio_msg;
struct cio_exchange;
struct vclient;
struct vpeer;

/* ------------------------------------------------------------------ bsops (pure) */

/* What a request from the Bootstrap-Server asks for. */
enum bsops_op {
	BSOPS_BAD,		/* malformed: answer 4.00 */
	BSOPS_UNSUPPORTED,	/* a method the Bootstrap interface lacks: answer 4.05 */
	BSOPS_WRITE,		/* PUT /oid[/iid[/rid]] (BS-2) */
	BSOPS_READ,		/* GET /1[/x], /2[/x] (BS-13) */
	BSOPS_DISCOVER,		/* GET Accept 40 on / or /oid (BS-3) */
	BSOPS_DELETE,		/* DELETE /, /oid, /oid/iid (BS-4) */
	BSOPS_FINISH,		/* POST /bs, empty payload (BS-5) */
};

/*
 * A transaction: the store being changed and who to tell about server accounts removed
 * (UB-4 and UB-6 happen at commit, outside this pure layer).
 */
struct bsops_ctx {
	struct dm_store	*txn;
	const char	*ep;		/* endpoint, for log lines */
	int		 check_flags;	/* DM_CHECK_* for the Finish check */
	/* A Delete removed the account of server ssid (its Security instance). */
	void		(*removed)(void *arg, uint16_t ssid);
	/* An object instance was deleted (Delete, or UB-1 on an exclusive instance). */
	void		(*deleted)(void *arg, const struct lwm2m_path *);
	/*
	 * Instances Delete leaves alone besides the Bootstrap-Server account and /3/0 (the
	 * sensor's own instances); may be NULL. An explicit Delete of one is 4.00.
	 */
	bool		(*spared)(void *arg, uint16_t oid, uint16_t iid);
	void		*arg;
};

/* A reply into a caller buffer. */
struct bsops_reply {
	uint8_t		 code;		/* LWM2M_CODE(c, d) */
	int32_t		 format;	/* LWM2M_FMT_NONE when no payload */
	uint8_t		*buf;
	size_t		 size;
	size_t		 len;
};

/*
 * Classify a request and parse its path (Uri-Path segments) into *path; *ver gets the
 * value of a "ver=" Uri-Query or NULL (points into req).
 */
enum bsops_op	 bsops_classify(const struct cio_msg *req, struct lwm2m_path *path,
		    const char **ver);
/*
 * Run any operation but Finish on ctx->txn and fill *reply. Finish is the state
 * machine's (it commits); given a Finish this only runs the check (bsops_finish).
 */
void		 bsops_handle(struct bsops_ctx *, const struct cio_msg *req,
		    struct bsops_reply *);

/*
 * Bootstrap-Write (BS-2): written regardless of existence and access rights; missing
 * instances are created; an existing instance keeps the resources the payload does not
 * carry; a multiple resource in the payload is replaced whole; resources the definition
 * does not know are ignored. fmt LWM2M_FMT_NONE means TLV. ver: "major.minor" or NULL.
 * All or nothing: on error the store is unchanged. 0 (2.04) or LWM2M_ERR_BAD_REQUEST,
 * LWM2M_ERR_UNSUPPORTED_FORMAT. *why (may be NULL) gets a static reason.
 */
int		 bsops_write(struct bsops_ctx *, const struct lwm2m_path *, int fmt,
		    const char *ver, const uint8_t *buf, size_t len, const char **why);
/* Bootstrap-Read (BS-13) of /1, /1/x, /2, /2/x as TLV (accept NONE or TLV) or SenML JSON.
 * 0 (2.05) with *len and *fmt, or a negative code. */
int		 bsops_read(const struct dm_store *, const struct lwm2m_path *, int accept,
		    uint8_t *buf, size_t size, size_t *len, int *fmt);
/* Bootstrap-Discover (BS-3) of / or /oid. 0 (2.05) with *len, or a negative code. */
int		 bsops_discover(const struct dm_store *, const struct lwm2m_path *,
		    uint8_t *buf, size_t size, size_t *len);
/* Bootstrap-Delete (BS-4) with the unbootstrapping cascade for every server account it
 * removes (UB-7). 0 (2.02) or LWM2M_ERR_BAD_REQUEST; on error nothing changed. */
int		 bsops_delete(struct bsops_ctx *, const struct lwm2m_path *);
/* Bootstrap-Finish check (BS-5): 0 (2.04) or LWM2M_ERR_NOT_ACCEPTABLE with *cause. */
int		 bsops_finish(const struct bsops_ctx *, char **cause);

/*
 * The ";ver=" a Discover or Register link of object oid carries, or NULL: objects defined
 * by the LwM2M 1.1 enabler (0-7, 21) at the version of lwgw's built-in definition are
 * implied by "lwm2m=1.1"; any other object carries its version unless it is 1.0.
 */
const char	*bsops_object_ver(const struct dm_store *, uint16_t oid);
/* Number of Bootstrap-Server accounts (Security instances with /0/x/1 true). */
size_t		 bsops_bs_accounts(const struct dm_store *);

/* ------------------------------------------------------------------ unbootstrap (pure) */

/*
 * The store part of removing server ssid's account (UB-1, UB-2, UB-3, UB-5, in this
 * order), each step logged at info level with ep. The Security instance itself is the
 * caller's. spare(arg, oid, iid) (may be NULL) names the instances UB-1 must keep (they
 * only lose their ACL instance); deleted (may be NULL) is told every object instance
 * removed. Returns the number of changes.
 */
size_t		 unbootstrap_account(struct dm_store *, const char *ep, uint16_t ssid,
		    bool (*spare)(void *, uint16_t oid, uint16_t iid),
		    void (*deleted)(void *, const struct lwm2m_path *), void *arg);

/* ------------------------------------------------------------------ state machine */

/*
 * Client-initiated bootstrap (BS-1, BS-10): wait Client Hold Off Time (/0/x/11) then
 * POST /bs?ep=<endpoint>&pct=<TLV> to the Bootstrap-Server account's peer. Called when
 * the vclient has only a Bootstrap-Server account, when registration failed with every
 * server, on Bootstrap-Request Trigger (/1/x/9) and on an operator's request. 0, or -1
 * after logging why (no Bootstrap-Server account, NoSec not allowed, ...). A sequence
 * already running is left alone (0).
 */
int		 bootstrap_start(struct vclient *);
/*
 * A request from the Bootstrap-Server peer (BS-9: also without a prior Request). Opens
 * the transaction on the first one, answers it, arms the BS-6 timeout, and on Finish
 * commits (persist before 2.04, BS-12).
 */
void		 bootstrap_handle(struct vclient *, struct vpeer *bs, struct cio_exchange *,
		    const struct cio_msg *req);
/* BS-7: while true, the vclient ignores DM and Information Reporting requests. */
bool		 bootstrap_active(const struct vclient *);
/* A sensor reading during a sequence: mirrored into the transaction (BS-12 commit). */
void		 bootstrap_reading(struct vclient *, const struct lwm2m_path *,
		    const struct lwm2m_value *);
/* Abandon a running sequence (the vclient is freed or the daemon stops): roll back. */
void		 bootstrap_stop(struct vclient *);
/* Free the per-vclient bootstrap state (vc->bs); NULL-safe. */
void		 bootstrap_free_state(struct vclient *);
/*
 * Arm the Bootstrap-Server account purge (BS-8) from the persisted deadline
 * (vc->meta.bs_purge_at): after loading the state file at start-up (a restart does not
 * forget it) and after every successful bootstrap (done here). 0, or -1 and *cause when
 * the persisted deadline names no Bootstrap-Server account (the deadline is dropped).
 */
int		 bootstrap_purge_arm(struct vclient *, char **cause);

#endif
