/* Registry internals shared by dm_registry.c and the DDF loader. */
#ifndef LWGW_DM_REGISTRY_H
#define LWGW_DM_REGISTRY_H

#include "dm.h"

struct dm_regent {
	const struct dm_object	*def;
	bool			 builtin;	/* static table, else heap (DDF) */
};

struct dm_registry {
	struct dm_regent	*ents;		/* sorted by oid */
	size_t			 n;
};

void	dm_registry_free_object(const struct dm_object *);
void	dm_registry_put(struct dm_registry *, const struct dm_object *);
bool	dm_registry_is_builtin(const struct dm_registry *, uint16_t oid);

#endif
