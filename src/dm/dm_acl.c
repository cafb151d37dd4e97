/*
 * Access Control (object 2): rights of a server on an instance (AC-1..3), ACL instance
 * management, and the unbootstrap primitives (UB-1..3). The rules are spelt out in dm.h
 * above dm_acl_rights and dm_acl_elect_owner.
 */
#include "config.h"

#include "dm_int.h"

/* Target /oid/iid of ACL instance x. */
static int
dm_acl_target(const struct dm_store *st, uint16_t x, uint16_t *oid, uint16_t *iid)
{
	int64_t	o, i;

	if (dm_get_int(st, &LWM2M_PATH_RES(LWM2M_OID_ACL, x, DM_ACL_RID_OID), &o) != 0 ||
	    dm_get_int(st, &LWM2M_PATH_RES(LWM2M_OID_ACL, x, DM_ACL_RID_IID), &i) != 0 ||
	    o < 0 || o > LWM2M_ID_NONE || i < 0 || i > LWM2M_ID_NONE)
		return (-1);
	*oid = (uint16_t)o;
	*iid = (uint16_t)i;
	return (0);
}

/* Owner of ACL instance x, LWM2M_ID_NONE when absent. */
static uint16_t
dm_acl_owner_of(const struct dm_store *st, uint16_t x)
{
	int64_t	o;

	if (dm_get_int(st, &LWM2M_PATH_RES(LWM2M_OID_ACL, x, DM_ACL_RID_OWNER), &o) != 0 ||
	    o < 0 || o > LWM2M_ID_NONE)
		return (LWM2M_ID_NONE);
	return ((uint16_t)o);
}

/* Entry for ssid (0: default) of ACL instance x, -1 when absent. */
static int
dm_acl_entry(const struct dm_store *st, uint16_t x, uint16_t ssid)
{
	int64_t	v;

	if (dm_get_int(st, &LWM2M_PATH_RI(LWM2M_OID_ACL, x, DM_ACL_RID_ACL, ssid),
	    &v) != 0 || v < 0)
		return (-1);
	return ((int)(v & DM_ACL_ALL));
}

int
dm_acl_find(const struct dm_store *st, uint16_t oid, uint16_t iid, uint16_t *acl_iid)
{
	uint16_t	x, o, i;
	int		after = -1;

	while (dm_instance_next(st, LWM2M_OID_ACL, after, &x) == 0) {
		after = x;
		if (dm_acl_target(st, x, &o, &i) == 0 && o == oid && i == iid) {
			if (acl_iid != NULL)
				*acl_iid = x;
			return (0);
		}
	}
	return (LWM2M_ERR_NOT_FOUND);
}

uint16_t
dm_acl_owner(const struct dm_store *st, uint16_t oid, uint16_t iid)
{
	uint16_t	x;

	if (dm_acl_find(st, oid, iid, &x) != 0)
		return (LWM2M_ID_NONE);
	return (dm_acl_owner_of(st, x));
}

size_t
dm_server_count(const struct dm_store *st)
{
	return (dm_instance_count(st, LWM2M_OID_SERVER));
}

/* Rights an ACL instance gives ssid: owner, own entry, default entry, nothing. */
static unsigned
dm_acl_rights_of(const struct dm_store *st, uint16_t x, uint16_t ssid)
{
	int	e;

	if (dm_acl_owner_of(st, x) == ssid)
		return (DM_ACL_ALL);
	if ((e = dm_acl_entry(st, x, ssid)) >= 0)
		return ((unsigned)e);
	if ((e = dm_acl_entry(st, x, 0)) >= 0)
		return ((unsigned)e);
	return (0);
}

unsigned
dm_acl_rights(const struct dm_store *st, uint16_t ssid, uint16_t oid, uint16_t iid)
{
	uint16_t	x, srv;
	int64_t		s;
	bool		single;

	if (oid == LWM2M_OID_SECURITY || ssid == 0 || ssid == LWM2M_ID_NONE)
		return (0);
	if (dm_server_find(st, ssid, &srv) != 0)
		return (0);
	single = dm_server_count(st) == 1;
	if (oid == LWM2M_OID_ACL) {
		if (single)
			return (DM_ACL_ALL);
		if (dm_acl_owner_of(st, iid) == ssid)
			return (DM_ACL_READ | DM_ACL_WRITE);
		return (DM_ACL_READ);
	}
	if (dm_acl_find(st, oid, iid, &x) == 0)
		return (dm_acl_rights_of(st, x, ssid));
	if (single)
		return (DM_ACL_ALL);
	if (oid == LWM2M_OID_SERVER && dm_get_int(st,
	    &LWM2M_PATH_RES(LWM2M_OID_SERVER, iid, DM_SRV_RID_SSID), &s) == 0 &&
	    s == ssid)
		return (DM_ACL_READ | DM_ACL_WRITE | DM_ACL_EXECUTE);
	return (0);
}

bool
dm_acl_can_create(const struct dm_store *st, uint16_t ssid, uint16_t oid)
{
	uint16_t	x, srv;

	if (oid == LWM2M_OID_SECURITY || oid == LWM2M_OID_ACL || ssid == 0 ||
	    ssid == LWM2M_ID_NONE)
		return (false);
	if (dm_server_find(st, ssid, &srv) != 0)
		return (false);
	if (dm_acl_find(st, oid, LWM2M_ID_NONE, &x) == 0)
		return ((dm_acl_rights_of(st, x, ssid) & DM_ACL_CREATE) != 0);
	return (dm_server_count(st) == 1);
}

int
dm_acl_instance_create(struct dm_store *st, uint16_t oid, uint16_t iid,
    uint16_t owner, uint16_t *acl_iid)
{
	uint16_t	x;
	int		error;

	if (dm_acl_find(st, oid, iid, NULL) == 0)
		return (LWM2M_ERR_BAD_REQUEST);
	if ((error = dm_instance_create(st, LWM2M_OID_ACL, LWM2M_ID_NONE, &x)) != 0)
		return (error);
	if ((error = dm_set_int(st, &LWM2M_PATH_RES(LWM2M_OID_ACL, x,
	    DM_ACL_RID_OID), oid, NULL)) != 0 ||
	    (error = dm_set_int(st, &LWM2M_PATH_RES(LWM2M_OID_ACL, x,
	    DM_ACL_RID_IID), iid, NULL)) != 0 ||
	    (error = dm_set_int(st, &LWM2M_PATH_RES(LWM2M_OID_ACL, x,
	    DM_ACL_RID_OWNER), owner, NULL)) != 0 ||
	    (error = dm_resource_clear(st, LWM2M_OID_ACL, x, DM_ACL_RID_ACL)) != 0) {
		dm_instance_delete(st, LWM2M_OID_ACL, x);
		return (error);
	}
	if (acl_iid != NULL)
		*acl_iid = x;
	return (0);
}

int
dm_acl_entry_set(struct dm_store *st, uint16_t acl_iid, uint16_t ssid, int rights)
{
	struct lwm2m_path	p = LWM2M_PATH_RI(LWM2M_OID_ACL, acl_iid,
				    DM_ACL_RID_ACL, ssid);

	if (!dm_instance_exists(st, LWM2M_OID_ACL, acl_iid))
		return (LWM2M_ERR_NOT_FOUND);
	if (ssid == LWM2M_ID_NONE || rights > DM_ACL_ALL)
		return (LWM2M_ERR_BAD_REQUEST);
	if (rights < 0) {
		if (!dm_exists(st, &p))
			return (0);
		return (dm_delete(st, &p));
	}
	return (dm_set_int(st, &p, rights, NULL));
}

int
dm_acl_delete_for(struct dm_store *st, uint16_t oid, uint16_t iid)
{
	uint16_t	x;

	while (dm_acl_find(st, oid, iid, &x) == 0)
		dm_instance_delete(st, LWM2M_OID_ACL, x);
	return (0);
}

/* Does an ACL entry other than s's grant anything? */
static int
dm_acl_shared_cb(const struct lwm2m_path *p, const struct lwm2m_value *v, void *arg)
{
	uint16_t	s = *(uint16_t *)arg;

	if (p->len == 4 && p->ids[3] != s && v->type == LWM2M_TYPE_INTEGER &&
	    (v->v.i & DM_ACL_ALL) != 0)
		return (1);
	return (0);
}

/* UB-1: nobody but s may access what ACL instance x covers. */
static bool
dm_acl_exclusive(const struct dm_store *st, uint16_t x, uint16_t s)
{
	struct lwm2m_path	p = LWM2M_PATH_RES(LWM2M_OID_ACL, x, DM_ACL_RID_ACL);

	if (dm_acl_owner_of(st, x) != s)
		return (false);
	if (!dm_exists(st, &p))
		return (true);
	return (dm_foreach_value(st, &p, dm_acl_shared_cb, &s) == 0);
}

size_t
dm_unbootstrap_exclusive(struct dm_store *st, uint16_t s,
    bool (*spare)(uint16_t, uint16_t, void *),
    void (*cb)(const struct lwm2m_path *, void *), void *arg)
{
	uint16_t	x, oid, iid;
	int		after = -1;
	size_t		n = 0;

	while (dm_instance_next(st, LWM2M_OID_ACL, after, &x) == 0) {
		after = x;
		if (!dm_acl_exclusive(st, x, s))
			continue;
		if (dm_acl_target(st, x, &oid, &iid) == 0 &&
		    iid != LWM2M_ID_NONE && oid != LWM2M_OID_ACL &&
		    (spare == NULL || !spare(oid, iid, arg)) &&
		    dm_instance_delete(st, oid, iid) == 0) {
			n++;
			if (cb != NULL)
				cb(&LWM2M_PATH_INST(oid, iid), arg);
		}
		dm_instance_delete(st, LWM2M_OID_ACL, x);
		n++;
		if (cb != NULL)
			cb(&LWM2M_PATH_INST(LWM2M_OID_ACL, x), arg);
	}
	return (n);
}

size_t
dm_unbootstrap_entries(struct dm_store *st, uint16_t s)
{
	uint16_t	x;
	int		after = -1;
	size_t		n = 0;

	if (s == 0 || s == LWM2M_ID_NONE)
		return (0);
	while (dm_instance_next(st, LWM2M_OID_ACL, after, &x) == 0) {
		after = x;
		if (dm_delete(st, &LWM2M_PATH_RI(LWM2M_OID_ACL, x, DM_ACL_RID_ACL,
		    s)) == 0)
			n++;
	}
	return (n);
}

struct dm_acl_elect {
	uint16_t	s;
	uint16_t	best;
	int		score;
};

static int
dm_acl_elect_cb(const struct lwm2m_path *p, const struct lwm2m_value *v, void *arg)
{
	struct dm_acl_elect	*e = arg;
	uint16_t		 riid;
	int			 score;

	if (p->len != 4 || v->type != LWM2M_TYPE_INTEGER)
		return (0);
	riid = p->ids[3];
	if (riid == 0 || riid == e->s)
		return (0);
	score = ((v->v.i & DM_ACL_WRITE) ? 1 : 0) + ((v->v.i & DM_ACL_DELETE) ? 1 : 0);
	/* Values come in ascending riid order: a later one must score strictly more. */
	if (score > e->score) {
		e->score = score;
		e->best = riid;
	}
	return (0);
}

uint16_t
dm_acl_elect_owner(const struct dm_store *st, uint16_t acl_iid, uint16_t s)
{
	struct dm_acl_elect	e = { .s = s, .best = DM_SSID_BOOTSTRAP, .score = -1 };
	struct lwm2m_path	p = LWM2M_PATH_RES(LWM2M_OID_ACL, acl_iid,
				    DM_ACL_RID_ACL);

	if (dm_exists(st, &p))
		dm_foreach_value(st, &p, dm_acl_elect_cb, &e);
	return (e.best);
}

size_t
dm_unbootstrap_owners(struct dm_store *st, uint16_t s)
{
	uint16_t	x;
	int		after = -1;
	size_t		n = 0;

	while (dm_instance_next(st, LWM2M_OID_ACL, after, &x) == 0) {
		after = x;
		if (dm_acl_owner_of(st, x) != s)
			continue;
		if (dm_set_int(st, &LWM2M_PATH_RES(LWM2M_OID_ACL, x,
		    DM_ACL_RID_OWNER), dm_acl_elect_owner(st, x, s), NULL) == 0)
			n++;
	}
	return (n);
}

size_t
dm_unbootstrap(struct dm_store *st, uint16_t s,
    void (*cb)(const struct lwm2m_path *, void *), void *arg)
{
	size_t	n;

	n = dm_unbootstrap_exclusive(st, s, NULL, cb, arg);
	n += dm_unbootstrap_entries(st, s);
	n += dm_unbootstrap_owners(st, s);
	return (n);
}
