/* Internals shared by bootstrap.c and bootstrap_commit.c. */
#ifndef LWGW_BOOTSTRAP_INT_H
#define LWGW_BOOTSTRAP_INT_H

#include <event2/util.h>

#include "bootstrap.h"
#include "vclient_int.h"

enum bootstrap_phase {
	BOOTSTRAP_IDLE,
	BOOTSTRAP_HOLD_OFF,	/* waiting Client Hold Off Time before the Request */
	BOOTSTRAP_REQUEST,	/* Request sent, no answer yet */
	BOOTSTRAP_RUNNING,	/* the Bootstrap-Server is configuring us */
	BOOTSTRAP_COMMIT,	/* committed; de-registering removed servers (UB-6) */
};

/* Per-vclient bootstrap state (vc->bs). */
struct bootstrap_state {
	struct vclient		*vc;
	enum bootstrap_phase	 phase;
	struct dm_store		*txn;		/* the open transaction, or NULL */
	uint64_t		 req_id;
	bool			 req_pending;
	bool			 server_initiated;	/* BS-9: no Request of ours */

	/* Collected by the operations of the sequence, acted on at commit. */
	uint16_t		*removed;	/* Short Server IDs of removed accounts */
	size_t			 nremoved;
	struct lwm2m_path	*deleted;	/* object instances deleted */
	size_t			 ndeleted;
	bool			 deleted_overflow;

	/* Commit: De-registers in flight (UB-6). */
	uint16_t		*dereg;
	size_t			 ndereg;

	struct event		*timer;		/* BS-6 silence */
	struct event		*hold;		/* Client Hold Off Time */
	struct event		*later;		/* end of the commit, outside callbacks */
	struct event		*purge;		/* BS-8 */
};

struct bootstrap_state *bootstrap_state_get(struct vclient *);
int	bootstrap_check_flags(const struct vclient *);
void	bootstrap_ctx_init(struct vclient *, struct bsops_ctx *);
void	bootstrap_txn_drop(struct bootstrap_state *);
void	bootstrap_fail(struct vclient *, const char *);
void	bootstrap_silence_timer(evutil_socket_t, short, void *);
void	bootstrap_hold_timer(evutil_socket_t, short, void *);

/* bootstrap_commit.c */
/* Bootstrap-Finish (BS-5): check, commit and answer, or 4.06 and stay. */
void	bootstrap_finish(struct vclient *, struct cio_exchange *);
/* Commit the transaction (BS-12); answer ex (may be NULL) once durable. 0 or -1 (not
 * durable: nothing changed, ex answered 5.00). */
int	bootstrap_commit(struct vclient *, struct cio_exchange *);
void	bootstrap_commit_timer(evutil_socket_t, short, void *);
void	bootstrap_purge_timer(evutil_socket_t, short, void *);

#endif
