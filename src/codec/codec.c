/*
 * Content format dispatch, text/plain and application/octet-stream, and the helpers the
 * other formats share (output buffer, numbers, UTF-8, paths).
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "codec_int.h"

void
codec_buf_put(struct codec_buf *b, const void *data, size_t len)
{
	if (b->error != 0)
		return;
	if (len > b->size - b->len) {
		b->error = LWM2M_ERR_TOO_LARGE;
		return;
	}
	if (len != 0)
		memcpy(b->p + b->len, data, len);
	b->len += len;
}

void
codec_buf_putc(struct codec_buf *b, uint8_t c)
{
	codec_buf_put(b, &c, 1);
}

void
codec_buf_puts(struct codec_buf *b, const char *s)
{
	codec_buf_put(b, s, strlen(s));
}

void
codec_buf_putu(struct codec_buf *b, uint64_t u)
{
	char	tmp[24];
	size_t	i = sizeof tmp;

	do {
		tmp[--i] = '0' + u % 10;
		u /= 10;
	} while (u != 0);
	codec_buf_put(b, tmp + i, sizeof tmp - i);
}

void
codec_buf_puti(struct codec_buf *b, int64_t i)
{
	if (i < 0) {
		codec_buf_putc(b, '-');
		/* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
		codec_buf_putu(b, -(uint64_t)i);
	} else
		codec_buf_putu(b, (uint64_t)i);
}

/*
 * Shortest of %.15g, %.16g, %.17g that reads back as d, with '.' whatever the locale.
 * d must be finite; out has CODEC_DOUBLE_MAX bytes.
 */
size_t
codec_fmt_double(double d, char *out)
{
	const char	*dp = localeconv()->decimal_point;
	size_t		 dplen = strlen(dp);
	char		*p;
	int		 prec, n = 0;

	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(out, CODEC_DOUBLE_MAX, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			break;
	}
	if (n < 0)
		n = 0;
	if (strcmp(dp, ".") != 0 && dplen != 0 && (p = strstr(out, dp)) != NULL) {
		*p = '.';
		memmove(p + 1, p + dplen, strlen(p + dplen) + 1);
		n -= (int)dplen - 1;
	}
	return ((size_t)n);
}

/* Whether s is a number as JSON writes it: -?digits(.digits)?([eE][+-]?digits)?. */
bool
codec_number_syntax(const char *s, size_t len)
{
	size_t	i = 0;

	if (len == 0 || len > 127)
		return (false);
	if (s[i] == '-')
		i++;
	if (i == len || s[i] < '0' || s[i] > '9')
		return (false);
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i < len && s[i] == '.') {
		if (++i == len || s[i] < '0' || s[i] > '9')
			return (false);
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i == len || s[i] < '0' || s[i] > '9')
			return (false);
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return (i == len);
}

/* A number in codec_number_syntax; finite results only. */
int
codec_parse_double(const char *s, size_t len, double *out)
{
	const char	*dp;
	size_t		 dplen, i, j = 0;
	char		 tmp[160], *end;
	double		 d;

	if (!codec_number_syntax(s, len))
		return (-1);
	/* strtod follows the locale: hand it the locale's decimal point. */
	dp = localeconv()->decimal_point;
	dplen = strlen(dp);
	if (dplen == 0 || dplen > 8)
		return (-1);
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			memcpy(tmp + j, dp, dplen);
			j += dplen;
		} else
			tmp[j++] = s[i];
	}
	tmp[j] = '\0';
	errno = 0;
	d = strtod(tmp, &end);
	if (*end != '\0' || !isfinite(d))
		return (-1);
	*out = d;
	return (0);
}

/* Decimal digits only, at most max. */
int
codec_parse_uint(const char *s, size_t len, uint64_t *out, uint64_t max)
{
	uint64_t	u = 0;
	size_t		i;

	if (len == 0)
		return (-1);
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		if (u > (max - (uint64_t)(s[i] - '0')) / 10)
			return (-1);
		u = u * 10 + (uint64_t)(s[i] - '0');
	}
	*out = u;
	return (0);
}

/* Optional '-' and decimal digits, within int64. */
int
codec_parse_int(const char *s, size_t len, int64_t *out)
{
	uint64_t	u;

	if (len != 0 && s[0] == '-') {
		if (codec_parse_uint(s + 1, len - 1, &u, (uint64_t)INT64_MAX + 1) != 0)
			return (-1);
		*out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
		return (0);
	}
	if (codec_parse_uint(s, len, &u, INT64_MAX) != 0)
		return (-1);
	*out = (int64_t)u;
	return (0);
}

/* Well-formed UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
bool
codec_utf8_valid(const uint8_t *s, size_t len)
{
	size_t		i = 0, n, k;
	uint32_t	c, min;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1;
			c &= 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			c &= 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			c &= 0x07;
			min = 0x10000;
		} else
			return (false);
		if (n > len - i - 1)
			return (false);
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (false);
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return (false);
		i += n + 1;
	}
	return (true);
}

const struct dm_resource *
codec_resource_find(const struct dm_object *obj, uint16_t rid)
{
	size_t	lo = 0, hi, mid;

	if (obj == NULL)
		return (NULL);
	hi = obj->nresources;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (obj->resources[mid].rid == rid)
			return (&obj->resources[mid]);
		if (obj->resources[mid].rid < rid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (NULL);
}

int
codec_path_parse(const char *s, size_t len, struct lwm2m_path *path)
{
	size_t		i = 0;
	uint64_t	id;
	size_t		start;

	path->len = 0;
	if (len == 0 || (len == 1 && s[0] == '/'))
		return (0);
	if (s[0] != '/')
		return (-1);
	i = 1;
	while (i < len) {
		start = i;
		while (i < len && s[i] != '/')
			i++;
		if (path->len == 4)
			return (-1);
		if (codec_parse_uint(s + start, i - start, &id, LWM2M_ID_MAX) != 0)
			return (-1);
		path->ids[path->len++] = (uint16_t)id;
		if (i < len)
			i++;	/* the '/'; a trailing one ends the path */
	}
	return (0);
}

size_t
codec_path_format(const struct lwm2m_path *path, char *buf, size_t size)
{
	uint8_t			tmp[32];
	struct codec_buf	b = { tmp, sizeof tmp, 0, 0 };
	uint8_t			i;

	if (path->len == 0)
		codec_buf_putc(&b, '/');
	for (i = 0; i < path->len && i < 4; i++) {
		codec_buf_putc(&b, '/');
		codec_buf_putu(&b, path->ids[i]);
	}
	if (size != 0) {
		memcpy(buf, tmp, b.len < size ? b.len : size - 1);
		buf[b.len < size ? b.len : size - 1] = '\0';
	}
	return (b.len);
}

/* Whether p is base or below it: 1 or 0. */
int
codec_path_under(const struct lwm2m_path *base, const struct lwm2m_path *p)
{
	uint8_t	i;

	if (p->len < base->len)
		return (0);
	for (i = 0; i < base->len; i++) {
		if (p->ids[i] != base->ids[i])
			return (0);
	}
	return (1);
}

static int
codec_path_cmp(const struct lwm2m_path *a, const struct lwm2m_path *b)
{
	uint8_t	i;

	for (i = 0; i < a->len && i < b->len; i++) {
		if (a->ids[i] != b->ids[i])
			return (a->ids[i] < b->ids[i] ? -1 : 1);
	}
	/* A prefix of another path sorts first; encoders refuse it. */
	return (a->len == b->len ? 0 : (a->len < b->len ? -2 : 2));
}

/*
 * Entries must be under base, strictly increasing, none a prefix of another, values at
 * len 3-4 and NONE only for an empty instance (len 2) or multiple resource (len 3).
 */
int
codec_check_entries(const struct lwm2m_path *base, const struct codec_entry *e, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (!codec_path_under(base, &e[i].path) || e[i].path.len < 2 ||
		    e[i].path.len > 4)
			return (LWM2M_ERR_INTERNAL);
		if (e[i].value.type == LWM2M_TYPE_NONE ? e[i].path.len == 4 :
		    e[i].path.len == 2)
			return (LWM2M_ERR_INTERNAL);
		if (e[i].value.type > LWM2M_TYPE_CORELNK)
			return (LWM2M_ERR_INTERNAL);
		if (i > 0 && codec_path_cmp(&e[i - 1].path, &e[i].path) != -1)
			return (LWM2M_ERR_INTERNAL);
	}
	return (0);
}

bool
codec_supported(int fmt)
{
	switch (fmt) {
	case LWM2M_FMT_TEXT:
	case LWM2M_FMT_OPAQUE:
	case LWM2M_FMT_TLV:
	case LWM2M_FMT_SENML_JSON:
		return (true);
	}
	return (false);
}

static int
codec_fail(struct codec_decoder *d, int error, const char *why)
{
	d->why = why;
	return (error);
}

/* The definition at a resource path, and whether text/opaque can address it. */
static int
codec_single_def(struct codec_decoder *d, const struct lwm2m_path *base,
    const struct dm_resource **def)
{
	const struct dm_object	*obj;

	if (base->len < 3)
		return (codec_fail(d, LWM2M_ERR_BAD_REQUEST,
		    "a single-value format needs a resource path"));
	obj = d->lookup != NULL ? d->lookup(d->lookup_arg, base->ids[0]) : NULL;
	*def = codec_resource_find(obj, base->ids[2]);
	if (*def == NULL)
		return (0);
	if ((*def)->multiple && base->len == 3)
		return (codec_fail(d, LWM2M_ERR_BAD_REQUEST,
		    "a single value cannot be written to a multiple resource"));
	if (!(*def)->multiple && base->len == 4)
		return (codec_fail(d, LWM2M_ERR_BAD_REQUEST,
		    "resource instance of a single-instance resource"));
	return (0);
}

/*
 * text/plain. Opaque resources cannot be written as text (LwM2M 1.1 §7.4.1 has no
 * representation for them): 4.15, as for any format the resource does not take.
 */
static int
codec_text_decode(struct codec_decoder *d, const struct lwm2m_path *base,
    const uint8_t *buf, size_t len)
{
	const struct dm_resource	*def;
	struct lwm2m_value		 v;
	const char			*s = (const char *)buf;
	const char			*colon;
	uint64_t			 oid, iid;
	int				 error;

	if ((error = codec_single_def(d, base, &def)) != 0)
		return (error);
	memset(&v, 0, sizeof v);
	v.type = def != NULL ? def->type : LWM2M_TYPE_OPAQUE;
	switch (v.type) {
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_CORELNK:
		if (!codec_utf8_valid(buf, len))
			return (codec_fail(d, LWM2M_ERR_BAD_REQUEST, "invalid UTF-8"));
		/* FALLTHROUGH */
	case LWM2M_TYPE_OPAQUE:
		if (def != NULL && v.type == LWM2M_TYPE_OPAQUE)
			return (codec_fail(d, LWM2M_ERR_UNSUPPORTED_FORMAT,
			    "opaque resources do not take text/plain"));
		v.v.bytes.ptr = buf;
		v.v.bytes.len = len;
		break;
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		if (codec_parse_int(s, len, &v.v.i) != 0)
			return (codec_fail(d, LWM2M_ERR_BAD_REQUEST, "bad integer"));
		break;
	case LWM2M_TYPE_UNSIGNED:
		if (codec_parse_uint(s, len, &v.v.u, UINT64_MAX) != 0)
			return (codec_fail(d, LWM2M_ERR_BAD_REQUEST,
			    "bad unsigned integer"));
		break;
	case LWM2M_TYPE_FLOAT:
		if (codec_parse_double(s, len, &v.v.f) != 0)
			return (codec_fail(d, LWM2M_ERR_BAD_REQUEST, "bad float"));
		break;
	case LWM2M_TYPE_BOOLEAN:
		if (len != 1 || (s[0] != '0' && s[0] != '1'))
			return (codec_fail(d, LWM2M_ERR_BAD_REQUEST,
			    "boolean must be 0 or 1"));
		v.v.b = s[0] == '1';
		break;
	case LWM2M_TYPE_OBJLNK:
		colon = memchr(s, ':', len);
		if (colon == NULL ||
		    codec_parse_uint(s, colon - s, &oid, UINT16_MAX) != 0 ||
		    codec_parse_uint(colon + 1, len - (colon - s) - 1, &iid,
		    UINT16_MAX) != 0)
			return (codec_fail(d, LWM2M_ERR_BAD_REQUEST,
			    "object link must be oid:iid"));
		v.v.objlnk.oid = (uint16_t)oid;
		v.v.objlnk.iid = (uint16_t)iid;
		break;
	default:
		return (codec_fail(d, LWM2M_ERR_BAD_REQUEST,
		    "resource takes no value"));
	}
	return (d->entry(d->entry_arg, base, def, &v));
}

static int
codec_opaque_decode(struct codec_decoder *d, const struct lwm2m_path *base,
    const uint8_t *buf, size_t len)
{
	const struct dm_resource	*def;
	struct lwm2m_value		 v;
	int				 error;

	if ((error = codec_single_def(d, base, &def)) != 0)
		return (error);
	if (def != NULL && def->type != LWM2M_TYPE_OPAQUE)
		return (codec_fail(d, LWM2M_ERR_UNSUPPORTED_FORMAT,
		    "octet-stream is for opaque resources only"));
	memset(&v, 0, sizeof v);
	v.type = LWM2M_TYPE_OPAQUE;
	v.v.bytes.ptr = buf;
	v.v.bytes.len = len;
	return (d->entry(d->entry_arg, base, def, &v));
}

int
codec_decode(struct codec_decoder *d, int fmt, const struct lwm2m_path *base,
    const uint8_t *buf, size_t len)
{
	d->why = NULL;
	if (len != 0 && buf == NULL)
		return (codec_fail(d, LWM2M_ERR_INTERNAL, "no buffer"));
	if (base->len > 4)
		return (codec_fail(d, LWM2M_ERR_BAD_REQUEST, "bad base path"));
	switch (fmt) {
	case LWM2M_FMT_TEXT:
		return (codec_text_decode(d, base, buf, len));
	case LWM2M_FMT_OPAQUE:
		return (codec_opaque_decode(d, base, buf, len));
	case LWM2M_FMT_TLV:
		return (codec_tlv_decode(d, base, buf, len));
	case LWM2M_FMT_SENML_JSON:
		return (codec_senml_decode(d, base, buf, len));
	}
	return (codec_fail(d, LWM2M_ERR_UNSUPPORTED_FORMAT, "unsupported content format"));
}

/* One value as text/plain; opaque has no text form (4.06, LwM2M 1.1 §7.4.1). */
static int
codec_text_encode(const struct lwm2m_value *v, struct codec_buf *b)
{
	char	tmp[CODEC_DOUBLE_MAX];

	switch (v->type) {
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_CORELNK:
		codec_buf_put(b, v->v.bytes.ptr, v->v.bytes.len);
		break;
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		codec_buf_puti(b, v->v.i);
		break;
	case LWM2M_TYPE_UNSIGNED:
		codec_buf_putu(b, v->v.u);
		break;
	case LWM2M_TYPE_FLOAT:
		if (!isfinite(v->v.f))
			return (LWM2M_ERR_NOT_ACCEPTABLE);
		codec_buf_put(b, tmp, codec_fmt_double(v->v.f, tmp));
		break;
	case LWM2M_TYPE_BOOLEAN:
		codec_buf_putc(b, v->v.b ? '1' : '0');
		break;
	case LWM2M_TYPE_OBJLNK:
		codec_buf_putu(b, v->v.objlnk.oid);
		codec_buf_putc(b, ':');
		codec_buf_putu(b, v->v.objlnk.iid);
		break;
	default:
		return (LWM2M_ERR_NOT_ACCEPTABLE);
	}
	return (b->error);
}

int
codec_encode(int fmt, const struct lwm2m_path *base, const struct codec_entry *e,
    size_t n, uint8_t *buf, size_t size, size_t *outlen)
{
	struct codec_buf	b = { buf, size, 0, 0 };
	int			error;

	*outlen = 0;
	if (!codec_supported(fmt))
		return (LWM2M_ERR_UNSUPPORTED_FORMAT);
	if (base->len > 4 || (size != 0 && buf == NULL))
		return (LWM2M_ERR_INTERNAL);
	if ((error = codec_check_entries(base, e, n)) != 0)
		return (error);
	switch (fmt) {
	case LWM2M_FMT_TEXT:
	case LWM2M_FMT_OPAQUE:
		if (n != 1 || e[0].path.len != base->len || e[0].path.len < 3)
			return (LWM2M_ERR_NOT_ACCEPTABLE);
		if (fmt == LWM2M_FMT_TEXT)
			error = codec_text_encode(&e[0].value, &b);
		else if (e[0].value.type != LWM2M_TYPE_OPAQUE)
			error = LWM2M_ERR_NOT_ACCEPTABLE;
		else {
			codec_buf_put(&b, e[0].value.v.bytes.ptr, e[0].value.v.bytes.len);
			error = b.error;
		}
		break;
	case LWM2M_FMT_TLV:
		error = codec_tlv_encode(base, e, n, &b);
		break;
	default:
		error = codec_senml_encode(base, e, n, &b);
		break;
	}
	if (error == 0)
		error = b.error;
	if (error == 0)
		*outlen = b.len;
	return (error);
}
