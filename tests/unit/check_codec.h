/* Fixture shared by the codec's unit tests: object definitions and a value collector. */
#ifndef CHECK_CODEC_H
#define CHECK_CODEC_H

#include <check.h>

#include "codec.h"

#define CHECK_CODEC_OID_TYPES	9999	/* one resource of every type */
#define CHECK_CODEC_MAX		256

#define P2(o, i)		{ { (o), (i) }, 2 }
#define P3(o, i, r)		{ { (o), (i), (r) }, 3 }
#define P4(o, i, r, ri)		{ { (o), (i), (r), (ri) }, 4 }
#define V_STR(s)		{ .type = LWM2M_TYPE_STRING, \
				  .v.bytes = { (const uint8_t *)(s), sizeof(s) - 1 } }
#define V_OPQ(s)		{ .type = LWM2M_TYPE_OPAQUE, \
				  .v.bytes = { (const uint8_t *)(s), sizeof(s) - 1 } }
#define V_INT(x)		{ .type = LWM2M_TYPE_INTEGER, .v.i = (x) }
#define V_UNS(x)		{ .type = LWM2M_TYPE_UNSIGNED, .v.u = (x) }
#define V_FLT(x)		{ .type = LWM2M_TYPE_FLOAT, .v.f = (x) }
#define V_BOOL(x)		{ .type = LWM2M_TYPE_BOOLEAN, .v.b = (x) }
#define V_TIME(x)		{ .type = LWM2M_TYPE_TIME, .v.i = (x) }
#define V_LNK(o, i)		{ .type = LWM2M_TYPE_OBJLNK, .v.objlnk = { (o), (i) } }
#define V_NONE			{ .type = LWM2M_TYPE_NONE }

/* What a decoder reported. */
struct check_codec_got {
	size_t				 n;
	struct lwm2m_path		 path[CHECK_CODEC_MAX];
	const struct dm_resource	*def[CHECK_CODEC_MAX];
	struct lwm2m_value		 value[CHECK_CODEC_MAX];
	int				 fail_at;	/* entry that the callback refuses */
	const char			*why;
};

const struct dm_object *check_codec_lookup(void *, uint16_t);
int	 check_codec_decode(int, const struct lwm2m_path *, const void *, size_t,
	    struct check_codec_got *);
int	 check_codec_decode_str(int, const struct lwm2m_path *, const char *,
	    struct check_codec_got *);
bool	 check_codec_value_eq(const struct lwm2m_value *, const struct lwm2m_value *);
size_t	 check_codec_device(struct codec_entry *);
void	 check_codec_roundtrip(int, const struct lwm2m_path *, const struct codec_entry *,
	    size_t);
void	 check_codec_too_small(int, const struct lwm2m_path *, const struct codec_entry *,
	    size_t);

TCase	*check_codec_tlv_tcase(void);
TCase	*check_codec_senml_tcase(void);
TCase	*check_codec_link_tcase(void);

#endif
