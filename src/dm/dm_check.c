/*
 * Bootstrap helpers: finding accounts by Short Server ID, and the BS-5 consistency check
 * run at Bootstrap-Finish (and when a bootstrap sequence times out, BS-6). The rules and
 * their order are listed in dm.h above dm_check_bootstrap.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>

#include "xmalloc.h"

#include "dm_int.h"

static bool
dm_check_is_bs(const struct dm_store *st, uint16_t x)
{
	bool	b;

	return (dm_get_bool(st, &LWM2M_PATH_RES(LWM2M_OID_SECURITY, x,
	    DM_SEC_RID_BOOTSTRAP), &b) == 0 && b);
}

/* Short Server ID of a Security (rid 10) or Server (rid 0) instance. */
static int
dm_check_ssid(const struct dm_store *st, uint16_t oid, uint16_t x, int64_t *ssid)
{
	uint16_t	rid;

	rid = oid == LWM2M_OID_SECURITY ? DM_SEC_RID_SSID : DM_SRV_RID_SSID;
	return (dm_get_int(st, &LWM2M_PATH_RES(oid, x, rid), ssid));
}

int
dm_security_bootstrap(const struct dm_store *st, uint16_t *iid)
{
	uint16_t	x;
	int		after = -1;

	while (dm_instance_next(st, LWM2M_OID_SECURITY, after, &x) == 0) {
		after = x;
		if (dm_check_is_bs(st, x)) {
			if (iid != NULL)
				*iid = x;
			return (0);
		}
	}
	return (LWM2M_ERR_NOT_FOUND);
}

int
dm_security_find(const struct dm_store *st, uint16_t ssid, uint16_t *iid)
{
	uint16_t	x;
	int64_t		s;
	int		after = -1;

	while (dm_instance_next(st, LWM2M_OID_SECURITY, after, &x) == 0) {
		after = x;
		if (!dm_check_is_bs(st, x) &&
		    dm_check_ssid(st, LWM2M_OID_SECURITY, x, &s) == 0 && s == ssid) {
			if (iid != NULL)
				*iid = x;
			return (0);
		}
	}
	return (LWM2M_ERR_NOT_FOUND);
}

int
dm_server_find(const struct dm_store *st, uint16_t ssid, uint16_t *iid)
{
	uint16_t	x;
	int64_t		s;
	int		after = -1;

	while (dm_instance_next(st, LWM2M_OID_SERVER, after, &x) == 0) {
		after = x;
		if (dm_check_ssid(st, LWM2M_OID_SERVER, x, &s) == 0 && s == ssid) {
			if (iid != NULL)
				*iid = x;
			return (0);
		}
	}
	return (LWM2M_ERR_NOT_FOUND);
}

static int	dm_check_fail(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
dm_check_fail(char **cause, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	xvasprintf(cause, fmt, ap);
	va_end(ap);
	return (-1);
}

/* Instances that hold server accounts: every Server, every non-BS Security. */
static bool
dm_check_account(const struct dm_store *st, uint16_t oid, uint16_t x)
{
	return (oid == LWM2M_OID_SERVER || !dm_check_is_bs(st, x));
}

static int
dm_check_ssids(const struct dm_store *st, uint16_t oid, char **cause)
{
	uint16_t	x, y;
	int64_t		a, b;
	int		ax = -1, ay;

	while (dm_instance_next(st, oid, ax, &x) == 0) {
		ax = x;
		if (!dm_check_account(st, oid, x) ||
		    dm_check_ssid(st, oid, x, &a) != 0)
			continue;
		if (a <= 0 || a >= LWM2M_ID_NONE)
			return (dm_check_fail(cause, "/%u/%u: Short Server ID %lld is "
			    "not valid", oid, x, (long long)a));
	}
	ax = -1;
	while (dm_instance_next(st, oid, ax, &x) == 0) {
		ax = x;
		if (!dm_check_account(st, oid, x) ||
		    dm_check_ssid(st, oid, x, &a) != 0)
			continue;
		ay = x;
		while (dm_instance_next(st, oid, ay, &y) == 0) {
			ay = y;
			if (dm_check_account(st, oid, y) &&
			    dm_check_ssid(st, oid, y, &b) == 0 && a == b)
				return (dm_check_fail(cause, "/%u/%u and /%u/%u: "
				    "duplicate Short Server ID %lld", oid, x, oid, y,
				    (long long)a));
		}
	}
	return (0);
}

/* Is mandatory resource r of /oid/x required in this configuration? */
static bool
dm_check_required(const struct dm_store *st, uint16_t oid, uint16_t x,
    const struct dm_resource *r)
{
	int64_t	mode;

	if (!r->mandatory || r->type == LWM2M_TYPE_NONE || (r->ops & LWM2M_OP_E))
		return (false);
	if (oid != LWM2M_OID_SECURITY)
		return (true);
	switch (r->rid) {
	case DM_SEC_RID_SERVER_KEY:
		return (false);
	case DM_SEC_RID_IDENTITY:
	case DM_SEC_RID_SECRET_KEY:
		if (dm_get_int(st, &LWM2M_PATH_RES(oid, x, DM_SEC_RID_MODE),
		    &mode) != 0)
			return (false);
		return (mode == DM_SECMODE_PSK || mode == DM_SECMODE_RPK ||
		    mode == DM_SECMODE_CERT);
	default:
		return (true);
	}
}

static int
dm_check_mandatory(const struct dm_store *st, uint16_t oid, char **cause)
{
	const struct dm_object		*def;
	const struct dm_resource	*r;
	uint16_t			 x;
	size_t				 i;
	int				 after = -1;

	if ((def = dm_object_get(st, oid)) == NULL)
		return (0);
	while (dm_instance_next(st, oid, after, &x) == 0) {
		after = x;
		for (i = 0; i < def->nresources; i++) {
			r = &def->resources[i];
			if (!dm_check_required(st, oid, x, r) ||
			    dm_exists(st, &LWM2M_PATH_RES(oid, x, r->rid)))
				continue;
			return (dm_check_fail(cause, "/%u/%u/%u (%s): mandatory "
			    "resource missing", oid, x, r->rid, r->name));
		}
	}
	return (0);
}

static int
dm_check_pairs(const struct dm_store *st, char **cause)
{
	uint16_t	x, y;
	int64_t		s;
	int		after = -1;
	size_t		nsec = 0;

	while (dm_instance_next(st, LWM2M_OID_SECURITY, after, &x) == 0) {
		after = x;
		if (dm_check_is_bs(st, x))
			continue;
		nsec++;
		if (dm_check_ssid(st, LWM2M_OID_SECURITY, x, &s) != 0)
			return (dm_check_fail(cause, "/0/%u: no Short Server ID", x));
	}
	if (nsec == 0 && dm_server_count(st) == 0)
		return (dm_check_fail(cause, "no LwM2M Server account"));
	after = -1;
	while (dm_instance_next(st, LWM2M_OID_SECURITY, after, &x) == 0) {
		after = x;
		if (dm_check_is_bs(st, x))
			continue;
		dm_check_ssid(st, LWM2M_OID_SECURITY, x, &s);
		if (dm_server_find(st, (uint16_t)s, &y) != 0)
			return (dm_check_fail(cause, "/0/%u: no Server instance with "
			    "Short Server ID %lld", x, (long long)s));
	}
	after = -1;
	while (dm_instance_next(st, LWM2M_OID_SERVER, after, &x) == 0) {
		after = x;
		dm_check_ssid(st, LWM2M_OID_SERVER, x, &s);
		if (dm_security_find(st, (uint16_t)s, &y) != 0)
			return (dm_check_fail(cause, "/1/%u: no Security instance with "
			    "Short Server ID %lld", x, (long long)s));
	}
	return (0);
}

static int
dm_check_modes(const struct dm_store *st, int flags, char **cause)
{
	uint16_t	x;
	int64_t		mode;
	int		after = -1;

	while (dm_instance_next(st, LWM2M_OID_SECURITY, after, &x) == 0) {
		after = x;
		mode = -1;
		dm_get_int(st, &LWM2M_PATH_RES(LWM2M_OID_SECURITY, x,
		    DM_SEC_RID_MODE), &mode);
		switch (mode) {
		case DM_SECMODE_PSK:
		case DM_SECMODE_CERT:
			break;
		case DM_SECMODE_NOSEC:
			if (flags & DM_CHECK_ALLOW_NOSEC)
				break;
			return (dm_check_fail(cause, "/0/%u: NoSec security mode is "
			    "not allowed by the configuration", x));
		default:
			return (dm_check_fail(cause, "/0/%u: security mode %lld is not "
			    "supported", x, (long long)mode));
		}
	}
	return (0);
}

struct dm_check_acl {
	const struct dm_store	*st;
	uint16_t		 x;
	char			**cause;
};

static int
dm_check_acl_cb(const struct lwm2m_path *p, const struct lwm2m_value *v, void *arg)
{
	struct dm_check_acl	*c = arg;
	uint16_t		 srv;

	if (p->len != 4 || p->ids[3] == 0 ||
	    dm_server_find(c->st, p->ids[3], &srv) == 0)
		return (0);
	return (dm_check_fail(c->cause, "/2/%u/2/%u: ACL entry for unknown server "
	    "%u", c->x, p->ids[3], p->ids[3]));
}

static int
dm_check_acls(const struct dm_store *st, char **cause)
{
	struct dm_check_acl	c = { .st = st, .cause = cause };
	struct lwm2m_path	p;
	uint16_t		x, srv;
	int64_t			owner;
	int			after = -1;

	while (dm_instance_next(st, LWM2M_OID_ACL, after, &x) == 0) {
		after = x;
		if (dm_get_int(st, &LWM2M_PATH_RES(LWM2M_OID_ACL, x,
		    DM_ACL_RID_OWNER), &owner) == 0 && owner != DM_SSID_BOOTSTRAP &&
		    (owner <= 0 || owner > LWM2M_ID_MAX ||
		    dm_server_find(st, (uint16_t)owner, &srv) != 0))
			return (dm_check_fail(cause, "/2/%u: owner %lld is not a "
			    "configured server", x, (long long)owner));
		p = LWM2M_PATH_RES(LWM2M_OID_ACL, x, DM_ACL_RID_ACL);
		c.x = x;
		if (dm_exists(st, &p) && dm_foreach_value(st, &p, dm_check_acl_cb,
		    &c) != 0)
			return (-1);
	}
	return (0);
}

int
dm_check_bootstrap(const struct dm_store *st, int flags, char **cause)
{
	uint16_t	x, first = 0;
	int		after = -1;
	size_t		nbs = 0;

	while (dm_instance_next(st, LWM2M_OID_SECURITY, after, &x) == 0) {
		after = x;
		if (!dm_check_is_bs(st, x))
			continue;
		if (nbs++ == 0)
			first = x;
		else
			return (dm_check_fail(cause, "more than one Bootstrap-Server "
			    "account (/0/%u and /0/%u)", first, x));
	}
	if (dm_check_ssids(st, LWM2M_OID_SECURITY, cause) != 0 ||
	    dm_check_ssids(st, LWM2M_OID_SERVER, cause) != 0 ||
	    dm_check_mandatory(st, LWM2M_OID_SECURITY, cause) != 0 ||
	    dm_check_mandatory(st, LWM2M_OID_SERVER, cause) != 0 ||
	    dm_check_mandatory(st, LWM2M_OID_ACL, cause) != 0 ||
	    dm_check_pairs(st, cause) != 0 ||
	    dm_check_modes(st, flags, cause) != 0 ||
	    dm_check_acls(st, cause) != 0)
		return (-1);
	return (0);
}
