/* SenML JSON (content format 110) encoding: RFC 8428 with LwM2M 1.1 §7.4.5 names. */
#include <math.h>
#include <string.h>

#include "codec.h"
#include "codec_int.h"

static void
senml_put_string(struct codec_buf *b, const uint8_t *p, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	char			 esc[6] = { '\\', 'u', '0', '0', 0, 0 };
	size_t			 i, start = 0;

	codec_buf_putc(b, '"');
	for (i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] != '"' && p[i] != '\\')
			continue;
		codec_buf_put(b, p + start, i - start);
		start = i + 1;
		switch (p[i]) {
		case '"':
			codec_buf_puts(b, "\\\"");
			break;
		case '\\':
			codec_buf_puts(b, "\\\\");
			break;
		case '\n':
			codec_buf_puts(b, "\\n");
			break;
		case '\r':
			codec_buf_puts(b, "\\r");
			break;
		case '\t':
			codec_buf_puts(b, "\\t");
			break;
		default:
			esc[4] = hex[p[i] >> 4];
			esc[5] = hex[p[i] & 0xf];
			codec_buf_put(b, esc, sizeof esc);
			break;
		}
	}
	codec_buf_put(b, p + start, len - start);
	codec_buf_putc(b, '"');
}

/* base64url without padding (RFC 8428 §5). */
static void
senml_put_base64(struct codec_buf *b, const uint8_t *p, size_t len)
{
	static const char	 tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char			 out[4];
	uint32_t		 acc;
	size_t			 i;

	codec_buf_putc(b, '"');
	for (i = 0; i + 3 <= len; i += 3) {
		acc = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[0] = tab[acc >> 18];
		out[1] = tab[(acc >> 12) & 0x3f];
		out[2] = tab[(acc >> 6) & 0x3f];
		out[3] = tab[acc & 0x3f];
		codec_buf_put(b, out, 4);
	}
	if (len - i == 1) {
		out[0] = tab[p[i] >> 2];
		out[1] = tab[(p[i] & 0x3) << 4];
		codec_buf_put(b, out, 2);
	} else if (len - i == 2) {
		acc = (uint32_t)p[i] << 8 | p[i + 1];
		out[0] = tab[acc >> 10];
		out[1] = tab[(acc >> 4) & 0x3f];
		out[2] = tab[(acc << 2) & 0x3f];
		codec_buf_put(b, out, 3);
	}
	codec_buf_putc(b, '"');
}

static int
senml_put_value(struct codec_buf *b, const struct lwm2m_value *v)
{
	char	tmp[CODEC_DOUBLE_MAX];

	switch (v->type) {
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		codec_buf_puts(b, "\"v\":");
		codec_buf_puti(b, v->v.i);
		break;
	case LWM2M_TYPE_UNSIGNED:
		codec_buf_puts(b, "\"v\":");
		codec_buf_putu(b, v->v.u);
		break;
	case LWM2M_TYPE_FLOAT:
		if (!isfinite(v->v.f))
			return (LWM2M_ERR_NOT_ACCEPTABLE);	/* JSON has no NaN */
		codec_buf_puts(b, "\"v\":");
		codec_buf_put(b, tmp, codec_fmt_double(v->v.f, tmp));
		break;
	case LWM2M_TYPE_BOOLEAN:
		codec_buf_puts(b, v->v.b ? "\"vb\":true" : "\"vb\":false");
		break;
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_CORELNK:
		if (!codec_utf8_valid(v->v.bytes.ptr, v->v.bytes.len))
			return (LWM2M_ERR_NOT_ACCEPTABLE);
		codec_buf_puts(b, "\"vs\":");
		senml_put_string(b, v->v.bytes.ptr, v->v.bytes.len);
		break;
	case LWM2M_TYPE_OPAQUE:
		codec_buf_puts(b, "\"vd\":");
		senml_put_base64(b, v->v.bytes.ptr, v->v.bytes.len);
		break;
	case LWM2M_TYPE_OBJLNK:
		codec_buf_puts(b, "\"vlo\":\"");
		codec_buf_putu(b, v->v.objlnk.oid);
		codec_buf_putc(b, ':');
		codec_buf_putu(b, v->v.objlnk.iid);
		codec_buf_putc(b, '"');
		break;
	default:
		return (LWM2M_ERR_INTERNAL);
	}
	return (0);
}

/*
 * [{"bn":"/3/0/","n":"0","vs":"..."},{"n":"6/0","v":1},...]: the base path as "bn" on the
 * first record (with a trailing '/' when names follow), names relative to it.
 */
int
codec_senml_encode(const struct lwm2m_path *base, const struct codec_entry *e, size_t n,
    struct codec_buf *b)
{
	char	bn[32];
	size_t	i, bnlen;
	bool	first = true, deeper = false;
	uint8_t	k;
	int	error;

	for (i = 0; i < n; i++) {
		if (e[i].path.len > base->len)
			deeper = true;
	}
	bnlen = codec_path_format(base, bn, sizeof bn);
	if (deeper && base->len != 0)
		bn[bnlen++] = '/';

	codec_buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (e[i].value.type == LWM2M_TYPE_NONE)
			continue;	/* empty instances have no SenML form */
		codec_buf_puts(b, first ? "{" : ",{");
		if (first) {
			codec_buf_puts(b, "\"bn\":\"");
			codec_buf_put(b, bn, bnlen);
			codec_buf_puts(b, "\",");
		}
		first = false;
		if (e[i].path.len > base->len) {
			codec_buf_puts(b, "\"n\":\"");
			for (k = base->len; k < e[i].path.len; k++) {
				if (k != base->len)
					codec_buf_putc(b, '/');
				codec_buf_putu(b, e[i].path.ids[k]);
			}
			codec_buf_puts(b, "\",");
		}
		if ((error = senml_put_value(b, &e[i].value)) != 0)
			return (error);
		codec_buf_putc(b, '}');
	}
	codec_buf_putc(b, ']');
	return (b->error);
}
