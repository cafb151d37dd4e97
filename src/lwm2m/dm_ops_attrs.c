/*
 * Write-Attributes: notification attributes (pmin, pmax, gt, lt, st, epmin, epmax) per
 * server and per level (object, instance, resource). They are kept in memory only, like
 * observations: a server sets them again after a fresh Register.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dm.h"
#include "log.h"
#include "vclient_int.h"
#include "xmalloc.h"

static const struct {
	const char	*name;
	unsigned	 flag;
	bool		 numeric;	/* gt/lt/st: a float, numeric resources only */
} dm_ops_attr_names[] = {
	{ "pmin", VATTR_PMIN, false },
	{ "pmax", VATTR_PMAX, false },
	{ "gt", VATTR_GT, true },
	{ "lt", VATTR_LT, true },
	{ "st", VATTR_ST, true },
	{ "epmin", VATTR_EPMIN, false },
	{ "epmax", VATTR_EPMAX, false },
};

static struct vattr *
dm_ops_attr_find(struct vclient *vc, uint16_t ssid, const struct lwm2m_path *p)
{
	struct vattr	*a;

	LIST_FOREACH(a, &vc->attrs, entry) {
		if (a->ssid == ssid && dm_path_equal(&a->path, p))
			return a;
	}
	return NULL;
}

static bool
dm_ops_numeric(struct vclient *vc, const struct lwm2m_path *p)
{
	const struct dm_resource	*r;

	if (p->len < 3)
		return false;
	r = dm_resource_find(dm_object_get(vc->store, p->ids[0]), p->ids[2]);
	return r != NULL && (r->type == LWM2M_TYPE_INTEGER ||
	    r->type == LWM2M_TYPE_UNSIGNED || r->type == LWM2M_TYPE_FLOAT);
}

int
dm_ops_write_attrs(struct vclient *vc, uint16_t ssid, const struct lwm2m_path *p,
    const char *const *query, size_t nquery)
{
	struct vattr	 n, *a;
	const char	*q, *eq;
	char		*end;
	size_t		 i, j, nlen;
	double		 f;
	unsigned long	 u = 0;
	int		 rc;

	if (p->len == 0 || p->len > 3)
		return p->len == 0 ? LWM2M_ERR_METHOD_NOT_ALLOWED : LWM2M_ERR_BAD_REQUEST;
	if ((rc = dm_ops_check(vc, ssid, p, DM_ACL_READ)) != 0)
		return rc;
	if (p->len == 3 && !dm_exists(vc->store, p))
		return LWM2M_ERR_NOT_FOUND;
	if ((a = dm_ops_attr_find(vc, ssid, p)) != NULL)
		n = *a;
	else {
		memset(&n, 0, sizeof n);
		n.ssid = ssid;
		n.path = *p;
	}
	for (i = 0; i < nquery; i++) {
		q = query[i];
		eq = strchr(q, '=');
		nlen = eq != NULL ? (size_t)(eq - q) : strlen(q);
		for (j = 0; j < sizeof dm_ops_attr_names / sizeof dm_ops_attr_names[0];
		    j++) {
			if (strlen(dm_ops_attr_names[j].name) == nlen &&
			    strncmp(dm_ops_attr_names[j].name, q, nlen) == 0)
				break;
		}
		if (j == sizeof dm_ops_attr_names / sizeof dm_ops_attr_names[0])
			return LWM2M_ERR_BAD_REQUEST;
		if (dm_ops_attr_names[j].numeric && !dm_ops_numeric(vc, p))
			return LWM2M_ERR_BAD_REQUEST;
		if (eq == NULL) {
			n.set &= ~dm_ops_attr_names[j].flag;	/* "pmin": unset */
			continue;
		}
		errno = 0;
		if (dm_ops_attr_names[j].numeric) {
			f = strtod(eq + 1, &end);
			if (end == eq + 1 || *end != '\0' || errno != 0 || !isfinite(f))
				return LWM2M_ERR_BAD_REQUEST;
		} else {
			if (eq[1] == '-' || eq[1] == '\0')
				return LWM2M_ERR_BAD_REQUEST;
			u = strtoul(eq + 1, &end, 10);
			if (*end != '\0' || errno != 0 || u > UINT32_MAX / 1000)
				return LWM2M_ERR_BAD_REQUEST;
			f = 0;
		}
		n.set |= dm_ops_attr_names[j].flag;
		switch (dm_ops_attr_names[j].flag) {
		case VATTR_PMIN: n.pmin = (uint32_t)u; break;
		case VATTR_PMAX: n.pmax = (uint32_t)u; break;
		case VATTR_EPMIN: n.epmin = (uint32_t)u; break;
		case VATTR_EPMAX: n.epmax = (uint32_t)u; break;
		case VATTR_GT: n.gt = f; break;
		case VATTR_LT: n.lt = f; break;
		case VATTR_ST:
			if (f < 0)
				return LWM2M_ERR_BAD_REQUEST;
			n.st = f;
			break;
		}
	}
	/* LwM2M 1.1 §5.1.2: pmax >= pmin, lt < gt, lt + 2 * st < gt. */
	if ((n.set & (VATTR_PMIN | VATTR_PMAX)) == (VATTR_PMIN | VATTR_PMAX) &&
	    n.pmax != 0 && n.pmax < n.pmin)
		return LWM2M_ERR_BAD_REQUEST;
	if ((n.set & (VATTR_EPMIN | VATTR_EPMAX)) == (VATTR_EPMIN | VATTR_EPMAX) &&
	    n.epmax < n.epmin)
		return LWM2M_ERR_BAD_REQUEST;
	if ((n.set & (VATTR_GT | VATTR_LT)) == (VATTR_GT | VATTR_LT)) {
		if (n.lt >= n.gt)
			return LWM2M_ERR_BAD_REQUEST;
		if ((n.set & VATTR_ST) && n.lt + 2 * n.st >= n.gt)
			return LWM2M_ERR_BAD_REQUEST;
	}
	if (n.set == 0) {
		if (a != NULL) {
			LIST_REMOVE(a, entry);
			free(a);
		}
	} else if (a != NULL) {
		n.entry = a->entry;
		*a = n;
	} else {
		a = xmemdup(&n, sizeof n);
		LIST_INSERT_HEAD(&vc->attrs, a, entry);
	}
	observe_attrs_changed(vc, ssid);
	return 0;
}

void
observe_attrs_free(struct vclient *vc, uint16_t ssid)
{
	struct vattr	*a, *a1;

	LIST_FOREACH_SAFE(a, &vc->attrs, entry, a1) {
		if (ssid != 0 && a->ssid != ssid)
			continue;
		LIST_REMOVE(a, entry);
		free(a);
	}
}
