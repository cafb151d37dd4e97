/*
 * Types shared by the data model (dm), the content formats (codec), persistence and the
 * LwM2M layer: paths, typed values, object definitions, CoAP response codes and content
 * formats. Plain data: no I/O, no allocation.
 */
#ifndef LWGW_LWM2M_H
#define LWGW_LWM2M_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 65535 is reserved in every ID space (object, instance, resource, Short Server ID). */
#define LWM2M_ID_MAX		65534
#define LWM2M_ID_NONE		65535

/* A path: "/" (len 0), /oid, /oid/iid, /oid/iid/rid, /oid/iid/rid/riid. */
struct lwm2m_path {
	uint16_t	ids[4];
	uint8_t		len;
};
#define LWM2M_PATH_ROOT		((struct lwm2m_path){ .len = 0 })
#define LWM2M_PATH_OBJ(o)	((struct lwm2m_path){ { (o) }, 1 })
#define LWM2M_PATH_INST(o, i)	((struct lwm2m_path){ { (o), (i) }, 2 })
#define LWM2M_PATH_RES(o, i, r)	((struct lwm2m_path){ { (o), (i), (r) }, 3 })
#define LWM2M_PATH_RI(o, i, r, ri) ((struct lwm2m_path){ { (o), (i), (r), (ri) }, 4 })

enum lwm2m_type {
	LWM2M_TYPE_NONE = 0,	/* executable resources carry no value */
	LWM2M_TYPE_STRING,
	LWM2M_TYPE_INTEGER,
	LWM2M_TYPE_UNSIGNED,
	LWM2M_TYPE_FLOAT,
	LWM2M_TYPE_BOOLEAN,
	LWM2M_TYPE_OPAQUE,
	LWM2M_TYPE_TIME,	/* seconds since the epoch, signed */
	LWM2M_TYPE_OBJLNK,
	LWM2M_TYPE_CORELNK,	/* a string in CoRE link format */
};

/*
 * A typed value. String, opaque and corelnk values point at bytes the value does not own:
 * into a decoder's input buffer, or into the store. Whoever keeps a value copies them.
 */
struct lwm2m_value {
	enum lwm2m_type	type;
	union {
		int64_t		i;	/* INTEGER, TIME */
		uint64_t	u;	/* UNSIGNED */
		double		f;	/* FLOAT */
		bool		b;	/* BOOLEAN */
		struct {
			uint16_t	oid;
			uint16_t	iid;
		} objlnk;		/* OBJLNK */
		struct {
			const uint8_t	*ptr;
			size_t		 len;
		} bytes;		/* STRING, OPAQUE, CORELNK */
	} v;
};

/* Operations a resource allows (from the object definition). */
#define LWM2M_OP_R	0x1
#define LWM2M_OP_W	0x2
#define LWM2M_OP_E	0x4
#define LWM2M_OP_RW	(LWM2M_OP_R | LWM2M_OP_W)

/* One resource of an object definition. */
struct dm_resource {
	uint16_t	 rid;
	const char	*name;
	enum lwm2m_type	 type;
	uint8_t		 ops;		/* LWM2M_OP_* */
	bool		 multiple;
	bool		 mandatory;
	bool		 has_range;
	double		 min;		/* inclusive, numbers; lengths for strings/opaque */
	double		 max;
	const char	*units;
};

/* An object definition: static, shared by every virtual client. */
struct dm_object {
	uint16_t		 oid;
	const char		*name;
	const char		*version;	/* "1.0", "1.1", ... */
	bool			 multiple;
	bool			 mandatory;
	const struct dm_resource *resources;	/* sorted by rid */
	size_t			 nresources;
};

/* CoAP codes as (class << 5 | detail). Handlers return 0 or the negated error code. */
#define LWM2M_CODE(c, d)		(((c) << 5) | (d))
#define LWM2M_CODE_CLASS(code)		((code) >> 5)
#define LWM2M_CODE_DETAIL(code)		((code) & 0x1f)

#define LWM2M_CREATED			LWM2M_CODE(2, 1)
#define LWM2M_DELETED			LWM2M_CODE(2, 2)
#define LWM2M_VALID			LWM2M_CODE(2, 3)
#define LWM2M_CHANGED			LWM2M_CODE(2, 4)
#define LWM2M_CONTENT			LWM2M_CODE(2, 5)
#define LWM2M_CONTINUE			LWM2M_CODE(2, 31)

#define LWM2M_ERR_BAD_REQUEST		(-LWM2M_CODE(4, 0))
#define LWM2M_ERR_UNAUTHORIZED		(-LWM2M_CODE(4, 1))
#define LWM2M_ERR_BAD_OPTION		(-LWM2M_CODE(4, 2))
#define LWM2M_ERR_FORBIDDEN		(-LWM2M_CODE(4, 3))
#define LWM2M_ERR_NOT_FOUND		(-LWM2M_CODE(4, 4))
#define LWM2M_ERR_METHOD_NOT_ALLOWED	(-LWM2M_CODE(4, 5))
#define LWM2M_ERR_NOT_ACCEPTABLE	(-LWM2M_CODE(4, 6))
#define LWM2M_ERR_REQUEST_INCOMPLETE	(-LWM2M_CODE(4, 8))
#define LWM2M_ERR_PRECONDITION_FAILED	(-LWM2M_CODE(4, 12))
#define LWM2M_ERR_TOO_LARGE		(-LWM2M_CODE(4, 13))
#define LWM2M_ERR_UNSUPPORTED_FORMAT	(-LWM2M_CODE(4, 15))
#define LWM2M_ERR_INTERNAL		(-LWM2M_CODE(5, 0))
#define LWM2M_ERR_NOT_IMPLEMENTED	(-LWM2M_CODE(5, 1))
#define LWM2M_ERR_SERVICE_UNAVAILABLE	(-LWM2M_CODE(5, 3))
#define LWM2M_ERR_GATEWAY_TIMEOUT	(-LWM2M_CODE(5, 4))

/* CoAP Content-Format numbers LwM2M 1.1 uses. */
#define LWM2M_FMT_NONE		(-1)
#define LWM2M_FMT_TEXT		0
#define LWM2M_FMT_LINK		40
#define LWM2M_FMT_OPAQUE	42
#define LWM2M_FMT_CBOR		60
#define LWM2M_FMT_SENML_JSON	110
#define LWM2M_FMT_SENML_CBOR	112
#define LWM2M_FMT_TLV		11542
#define LWM2M_FMT_JSON_OLD	11543

/* Well-known object IDs. */
#define LWM2M_OID_SECURITY	0
#define LWM2M_OID_SERVER	1
#define LWM2M_OID_ACL		2
#define LWM2M_OID_DEVICE	3
#define LWM2M_OID_CONNMON	4

#endif
