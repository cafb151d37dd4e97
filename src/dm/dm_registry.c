/*
 * The registry of object definitions: the built-in tables plus definitions loaded from DDF
 * files (dm_ddf.c), kept in one array sorted by oid for binary search.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#include "dm_int.h"
#include "dm_registry.h"

struct dm_registry *
dm_registry_create(void)
{
	struct dm_registry	*reg;
	size_t			 i;

	reg = xcalloc(1, sizeof *reg);
	reg->ents = xcalloc(dm_builtin_nobjects, sizeof *reg->ents);
	for (i = 0; i < dm_builtin_nobjects; i++) {
		reg->ents[i].def = dm_builtin_objects[i];
		reg->ents[i].builtin = true;
	}
	reg->n = dm_builtin_nobjects;
	return (reg);
}

void
dm_registry_free(struct dm_registry *reg)
{
	size_t	i;

	if (reg == NULL)
		return;
	for (i = 0; i < reg->n; i++) {
		if (!reg->ents[i].builtin)
			dm_registry_free_object(reg->ents[i].def);
	}
	free(reg->ents);
	free(reg);
}

/* Free a heap definition made by the DDF loader. */
void
dm_registry_free_object(const struct dm_object *def)
{
	size_t	i;

	if (def == NULL)
		return;
	for (i = 0; i < def->nresources; i++) {
		free((char *)def->resources[i].name);
		free((char *)def->resources[i].units);
	}
	free((struct dm_resource *)def->resources);
	free((char *)def->name);
	free((char *)def->version);
	free((struct dm_object *)def);
}

/* Index of oid, or of where it would go (*found false). */
static size_t
dm_registry_search(const struct dm_registry *reg, uint16_t oid, bool *found)
{
	size_t	lo = 0, hi = reg->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (reg->ents[mid].def->oid == oid) {
			*found = true;
			return (mid);
		}
		if (reg->ents[mid].def->oid < oid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return (lo);
}

bool
dm_registry_is_builtin(const struct dm_registry *reg, uint16_t oid)
{
	bool	found;
	size_t	i;

	i = dm_registry_search(reg, oid, &found);
	return (found && reg->ents[i].builtin);
}

/* Add or replace a heap definition; the registry owns it from now on. */
void
dm_registry_put(struct dm_registry *reg, const struct dm_object *def)
{
	bool	found;
	size_t	i;

	i = dm_registry_search(reg, def->oid, &found);
	if (found) {
		if (!reg->ents[i].builtin)
			dm_registry_free_object(reg->ents[i].def);
		reg->ents[i].def = def;
		reg->ents[i].builtin = false;
		return;
	}
	reg->ents = xreallocarray(reg->ents, reg->n + 1, sizeof *reg->ents);
	memmove(&reg->ents[i + 1], &reg->ents[i],
	    (reg->n - i) * sizeof *reg->ents);
	reg->ents[i].def = def;
	reg->ents[i].builtin = false;
	reg->n++;
}

const struct dm_object *
dm_object_find(const struct dm_registry *reg, uint16_t oid)
{
	bool	found;
	size_t	i;

	if (reg == NULL)
		return (dm_builtin_find(oid));
	i = dm_registry_search(reg, oid, &found);
	return (found ? reg->ents[i].def : NULL);
}

const struct dm_object *
dm_builtin_find(uint16_t oid)
{
	size_t	lo = 0, hi = dm_builtin_nobjects, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (dm_builtin_objects[mid]->oid == oid)
			return (dm_builtin_objects[mid]);
		if (dm_builtin_objects[mid]->oid < oid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (NULL);
}

const struct dm_resource *
dm_resource_find(const struct dm_object *def, uint16_t rid)
{
	size_t	lo = 0, hi, mid;

	if (def == NULL)
		return (NULL);
	hi = def->nresources;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (def->resources[mid].rid == rid)
			return (&def->resources[mid]);
		if (def->resources[mid].rid < rid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (NULL);
}

size_t
dm_registry_count(const struct dm_registry *reg)
{
	return (reg->n);
}

const struct dm_object *
dm_registry_at(const struct dm_registry *reg, size_t i)
{
	if (i >= reg->n)
		return (NULL);
	return (reg->ents[i].def);
}
