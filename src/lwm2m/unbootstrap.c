/*
 * Unbootstrapping, the store part (UB-1, UB-2, UB-3, UB-5): what removing server S's
 * account through the Bootstrap interface does to the other objects, applied to the
 * bootstrap transaction so that it commits (or rolls back) with the rest of the sequence
 * (BS-12). Observations (UB-4) and the De-register (UB-6) are not in the store: the state
 * machine runs them when the transaction commits (bootstrap_commit.c).
 */
#include "config.h"

#include "bootstrap.h"
#include "dm.h"
#include "log.h"

struct unbootstrap_arg {
	const char	*ep;
	uint16_t	 ssid;
	bool		(*spare)(void *, uint16_t, uint16_t);
	void		(*deleted)(void *, const struct lwm2m_path *);
	void		*arg;
};

static bool
unbootstrap_spare(uint16_t oid, uint16_t iid, void *arg)
{
	struct unbootstrap_arg	*u = arg;

	if (u->spare == NULL || !u->spare(u->arg, oid, iid))
		return (false);
	if (u->ep != NULL)
		log_ep_info(u->ep, "unbootstrap server %u: /%u/%u kept, it mirrors the "
		    "device (BS-4); its ACL instance goes (UB-1)", u->ssid, oid, iid);
	return (true);
}

static void
unbootstrap_deleted(const struct lwm2m_path *p, void *arg)
{
	struct unbootstrap_arg	*u = arg;
	char			 buf[DM_PATH_MAXLEN];

	if (u->ep != NULL) {
		dm_path_format(p, buf, sizeof buf);
		log_ep_info(u->ep, "unbootstrap server %u: %s deleted (UB-1)", u->ssid,
		    buf);
	}
	if (u->deleted != NULL)
		u->deleted(u->arg, p);
}

size_t
unbootstrap_account(struct dm_store *st, const char *ep, uint16_t ssid,
    bool (*spare)(void *, uint16_t, uint16_t),
    void (*deleted)(void *, const struct lwm2m_path *), void *arg)
{
	struct unbootstrap_arg	 u = { ep, ssid, spare, deleted, arg };
	uint16_t		 iid;
	size_t			 n, total;

	/*
	 * UB-1: instances only S can access go, with their ACL instances; those a Delete
	 * may not remove either (BS-4: /3/0 and the sensor's own) only lose the ACL.
	 */
	total = n = dm_unbootstrap_exclusive(st, ssid, unbootstrap_spare,
	    unbootstrap_deleted, &u);
	if (ep != NULL)
		log_ep_info(ep, "unbootstrap server %u: %zu exclusive instance(s) and "
		    "ACL instance(s) deleted (UB-1)", ssid, n);
	/* UB-2: shared instances lose S's ACL entry. */
	total += n = dm_unbootstrap_entries(st, ssid);
	if (ep != NULL)
		log_ep_info(ep, "unbootstrap server %u: %zu ACL entr%s removed (UB-2)",
		    ssid, n, n == 1 ? "y" : "ies");
	/* UB-3: where S owned, the highest Write + Delete score owns (ties: lowest). */
	total += n = dm_unbootstrap_owners(st, ssid);
	if (ep != NULL)
		log_ep_info(ep, "unbootstrap server %u: %zu ACL owner(s) re-elected (UB-3)",
		    ssid, n);
	/* UB-5: S's Server instance(s). */
	n = 0;
	while (dm_server_find(st, ssid, &iid) == 0) {
		dm_instance_delete(st, LWM2M_OID_SERVER, iid);
		dm_acl_delete_for(st, LWM2M_OID_SERVER, iid);
		if (deleted != NULL)
			deleted(arg, &LWM2M_PATH_INST(LWM2M_OID_SERVER, iid));
		if (ep != NULL)
			log_ep_info(ep, "unbootstrap server %u: Server instance /1/%u "
			    "deleted (UB-5)", ssid, iid);
		n++;
	}
	return (total + n);
}
