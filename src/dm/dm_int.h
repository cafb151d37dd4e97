/* Internals shared by the files of the dm module; not part of its public surface. */
#ifndef LWGW_DM_INT_H
#define LWGW_DM_INT_H

#include "dm.h"

/*
 * Store layout: sorted arrays at every level, sized exactly (a store is small and mostly
 * read; a reading that changes a number rewrites it in place).
 */
#define DM_RIID_SINGLE	LWM2M_ID_NONE	/* riid of single resources and empty markers */
#define DM_VAL_EMPTY	0x1		/* marker: multiple resource with no instance */

struct dm_val {
	uint16_t	 rid;
	uint16_t	 riid;
	uint8_t		 type;		/* enum lwm2m_type */
	uint8_t		 flags;		/* DM_VAL_* */
	uint16_t	 len;		/* STRING, OPAQUE, CORELNK */
	union {
		int64_t		 i;
		uint64_t	 u;
		double		 f;
		bool		 b;
		struct {
			uint16_t oid;
			uint16_t iid;
		}		 lnk;
		uint8_t		*p;	/* heap copy, NULL when len is 0 */
	} v;
};

struct dm_inst {
	uint16_t	 iid;
	uint16_t	 nvals;
	struct dm_val	*vals;		/* sorted by (rid, riid) */
};

struct dm_obj {
	const struct dm_object	*def;
	struct dm_inst		*insts;	/* sorted by iid */
	uint16_t		 ninsts;
	bool			 backed;
};

struct dm_store {
	const struct dm_registry *reg;
	struct dm_obj		*objs;	/* sorted by oid */
	uint16_t		 nobjs;
	const struct dm_backend	*backend;
	void			*backend_arg;
};

struct dm_obj	*dm_store_obj(const struct dm_store *, uint16_t oid);
struct dm_inst	*dm_store_inst(const struct dm_obj *, uint16_t iid);
/* Index of the first value with rid at or after (rid, riid); *found if exact. */
size_t		 dm_store_val_search(const struct dm_inst *, uint16_t rid, uint16_t riid,
		     bool *found);
void		 dm_store_val_get(const struct dm_val *, struct lwm2m_value *);

/* Built-in definitions, sorted by oid. */
extern const struct dm_object *const dm_builtin_objects[];
extern const size_t dm_builtin_nobjects;

/* Convert v to type t where lossless (dm_set's rules); 0 or LWM2M_ERR_BAD_REQUEST. */
int	dm_value_convert(const struct lwm2m_value *v, enum lwm2m_type t,
	    struct lwm2m_value *out);
/* Is a (converted) value inside the definition's range? */
bool	dm_value_in_range(const struct dm_resource *, const struct lwm2m_value *);

#endif
