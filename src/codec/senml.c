/*
 * SenML JSON (content format 110): RFC 8428 with the LwM2M 1.1 §7.4.5 additions ("vlo",
 * names as paths). The JSON parser is our own and strict: RFC 8259 grammar, UTF-8 checked,
 * \u escapes with surrogate pairs, bounded nesting, nothing after the top-level array.
 */
#include <math.h>
#include <string.h>

#include "codec.h"
#include "codec_int.h"
#include "hexdigit.h"

/* Nesting the parser follows inside values of fields it ignores. */
#define SENML_DEPTH_MAX		16
/* A base name plus a name: paths are at most 24 bytes. */
#define SENML_NAME_MAX		64
#define SENML_KEY_MAX		32

enum senml_kind {
	SENML_NONE = 0,
	SENML_V,
	SENML_VS,
	SENML_VB,
	SENML_VD,
	SENML_VLO,
};

struct senml {
	struct codec_decoder	*d;
	const uint8_t		*p;
	const uint8_t		*end;
	size_t			 used;		/* bytes of scratch handed out */
	const uint8_t		*bn;		/* current base name */
	size_t			 bnlen;
	const struct dm_object	*obj;		/* definition of oid, cached */
	uint16_t		 oid;
	bool			 have_obj;
};

/* What one record carries. */
struct senml_rec {
	const uint8_t	*bn;
	size_t		 bnlen;
	const uint8_t	*n;
	size_t		 nlen;
	enum senml_kind	 kind;
	const uint8_t	*val;		/* string bytes, or number text */
	size_t		 vallen;
	bool		 vb;
	bool		 has_bn;
	bool		 has_n;
};

static int
senml_fail(struct senml *s, const char *why)
{
	s->d->why = why;
	return (LWM2M_ERR_BAD_REQUEST);
}

static void
senml_ws(struct senml *s)
{
	while (s->p != s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' ||
	    *s->p == '\r'))
		s->p++;
}

/* Consume c after optional whitespace: 0, or -1 when something else comes. */
static int
senml_expect(struct senml *s, uint8_t c)
{
	senml_ws(s);
	if (s->p == s->end || *s->p != c)
		return (-1);
	s->p++;
	return (0);
}

static int
senml_hex4(const uint8_t *p, uint32_t *out)
{
	uint32_t	c = 0;
	int		i, d;

	for (i = 0; i < 4; i++) {
		if ((d = hex_digit((unsigned char)p[i])) < 0)
			return (-1);
		c = c << 4 | (uint32_t)d;
	}
	*out = c;
	return (0);
}

static size_t
senml_utf8_put(uint32_t c, uint8_t *out)
{
	if (c < 0x80) {
		out[0] = (uint8_t)c;
		return (1);
	}
	if (c < 0x800) {
		out[0] = (uint8_t)(0xc0 | c >> 6);
		out[1] = (uint8_t)(0x80 | (c & 0x3f));
		return (2);
	}
	if (c < 0x10000) {
		out[0] = (uint8_t)(0xe0 | c >> 12);
		out[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (uint8_t)(0x80 | (c & 0x3f));
		return (3);
	}
	out[0] = (uint8_t)(0xf0 | c >> 18);
	out[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (uint8_t)(0x80 | (c & 0x3f));
	return (4);
}

/*
 * A string at s->p. Without escapes the result points into the input; with escapes it is
 * decoded into dst (dstsize bytes) or, when dst is NULL, into the scratch buffer.
 */
static int
senml_string(struct senml *s, uint8_t *dst, size_t dstsize, const uint8_t **out,
    size_t *outlen)
{
	const uint8_t	*start, *q;
	uint8_t		 tmp[4];
	uint32_t	 c, lo;
	size_t		 n = 0, k;
	bool		 escaped = false;

	if (senml_expect(s, '"') != 0)
		return (senml_fail(s, "expected a string"));
	start = s->p;
	for (q = start; q != s->end && *q != '"'; q++) {
		if (*q < 0x20)
			return (senml_fail(s, "control character in a string"));
		if (*q == '\\') {
			escaped = true;
			if (++q == s->end)
				break;
		}
	}
	if (q == s->end)
		return (senml_fail(s, "unterminated string"));
	if (!codec_utf8_valid(start, q - start))
		return (senml_fail(s, "invalid UTF-8 in a string"));
	s->p = q + 1;
	if (!escaped) {
		if (out != NULL) {
			*out = start;
			*outlen = q - start;
		}
		return (0);
	}

	if (out == NULL)
		dstsize = SIZE_MAX;	/* only checking */
	else if (dst == NULL && s->d->scratch != NULL) {
		dst = s->d->scratch + s->used;
		dstsize = s->d->scratchsize - s->used;
	}
	for (q = start; *q != '"'; q++) {
		if (*q != '\\') {
			tmp[0] = *q;
			k = 1;
		} else {
			q++;
			switch (*q) {
			case '"':
			case '\\':
			case '/':
				tmp[0] = *q;
				break;
			case 'b':
				tmp[0] = '\b';
				break;
			case 'f':
				tmp[0] = '\f';
				break;
			case 'n':
				tmp[0] = '\n';
				break;
			case 'r':
				tmp[0] = '\r';
				break;
			case 't':
				tmp[0] = '\t';
				break;
			case 'u':
				if (s->p - q < 5 || senml_hex4(q + 1, &c) != 0)
					return (senml_fail(s, "bad \\u escape"));
				q += 4;
				if (c >= 0xdc00 && c <= 0xdfff)
					return (senml_fail(s, "lone low surrogate"));
				if (c >= 0xd800 && c <= 0xdbff) {
					if (s->p - q < 7 || q[1] != '\\' || q[2] != 'u' ||
					    senml_hex4(q + 3, &lo) != 0 ||
					    lo < 0xdc00 || lo > 0xdfff)
						return (senml_fail(s, "lone high surrogate"));
					q += 6;
					c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				}
				k = senml_utf8_put(c, tmp);
				goto put;
			default:
				return (senml_fail(s, "bad escape in a string"));
			}
			k = 1;
		}
put:
		if (out == NULL)
			continue;
		if (k > dstsize - n) {
			s->d->why = "string does not fit the scratch buffer";
			return (LWM2M_ERR_TOO_LARGE);
		}
		memcpy(dst + n, tmp, k);
		n += k;
	}
	if (out == NULL)
		return (0);
	if (s->d->scratch != NULL && dst == s->d->scratch + s->used)
		s->used += n;
	*out = dst;
	*outlen = n;
	return (0);
}

/* A number's text, checked against the JSON grammar; isint when it has no fraction/exponent. */
static int
senml_number(struct senml *s, const uint8_t **out, size_t *outlen, bool *isint)
{
	const uint8_t	*start;

	senml_ws(s);
	start = s->p;
	*isint = true;
	while (s->p != s->end && ((*s->p >= '0' && *s->p <= '9') || *s->p == '-' ||
	    *s->p == '+' || *s->p == '.' || *s->p == 'e' || *s->p == 'E')) {
		if (*s->p == '.' || *s->p == 'e' || *s->p == 'E')
			*isint = false;
		s->p++;
	}
	/* JSON forbids leading zeros ("01"); the shared grammar check does not. */
	if (s->p - start >= 2 && start[0] == '0' && start[1] >= '0' && start[1] <= '9')
		return (senml_fail(s, "leading zero in a number"));
	if (s->p - start >= 3 && start[0] == '-' && start[1] == '0' && start[2] >= '0' &&
	    start[2] <= '9')
		return (senml_fail(s, "leading zero in a number"));
	if (!codec_number_syntax((const char *)start, s->p - start))
		return (senml_fail(s, "bad number"));
	*out = start;
	*outlen = s->p - start;
	return (0);
}

static int
senml_literal(struct senml *s, const char *lit)
{
	size_t	len = strlen(lit);

	senml_ws(s);
	if ((size_t)(s->end - s->p) < len || memcmp(s->p, lit, len) != 0)
		return (-1);
	s->p += len;
	return (0);
}

/* Any JSON value, checked and ignored. */
static int
senml_skip(struct senml *s, int depth)
{
	const uint8_t	*v;
	size_t		 vl;
	bool		 isint;
	uint8_t		 close;
	int		 error;

	if (depth > SENML_DEPTH_MAX)
		return (senml_fail(s, "JSON nested too deeply"));
	senml_ws(s);
	if (s->p == s->end)
		return (senml_fail(s, "truncated JSON"));
	switch (*s->p) {
	case '"':
		return (senml_string(s, NULL, 0, NULL, NULL));
	case 't':
		return (senml_literal(s, "true") == 0 ? 0 : senml_fail(s, "bad literal"));
	case 'f':
		return (senml_literal(s, "false") == 0 ? 0 : senml_fail(s, "bad literal"));
	case 'n':
		return (senml_literal(s, "null") == 0 ? 0 : senml_fail(s, "bad literal"));
	case '[':
	case '{':
		close = *s->p == '[' ? ']' : '}';
		s->p++;
		if (senml_expect(s, close) == 0)
			return (0);
		do {
			if (close == '}') {
				if ((error = senml_string(s, NULL, 0, NULL, NULL)) != 0)
					return (error);
				if (senml_expect(s, ':') != 0)
					return (senml_fail(s, "expected ':'"));
			}
			if ((error = senml_skip(s, depth + 1)) != 0)
				return (error);
		} while (senml_expect(s, ',') == 0);
		if (senml_expect(s, close) != 0)
			return (senml_fail(s, "unterminated array or object"));
		return (0);
	default:
		return (senml_number(s, &v, &vl, &isint));
	}
}

/* Decode base64 or base64url, padded or not, into dst (which may be src: it lags behind). */
static int
senml_base64(const uint8_t *src, size_t len, uint8_t *dst, size_t *outlen)
{
	uint32_t	acc = 0;
	size_t		i, n = 0, bits = 0, pad = 0;
	int		c;

	while (pad < 2 && len > 0 && src[len - 1] == '=') {
		len--;
		pad++;
	}
	if (pad != 0 && (len + pad) % 4 != 0)
		return (-1);
	if (len % 4 == 1)
		return (-1);
	for (i = 0; i < len; i++) {
		c = src[i];
		if (c >= 'A' && c <= 'Z')
			c -= 'A';
		else if (c >= 'a' && c <= 'z')
			c = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			c = c - '0' + 52;
		else if (c == '-' || c == '+')
			c = 62;
		else if (c == '_' || c == '/')
			c = 63;
		else
			return (-1);
		acc = acc << 6 | (uint32_t)c;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			dst[n++] = (uint8_t)(acc >> bits);
			acc &= (1U << bits) - 1;
		}
	}
	if (acc != 0)		/* leftover bits must be zero: one encoding per value */
		return (-1);
	*outlen = n;
	return (0);
}

/* The value of a record as the definition's type (or its natural type when unknown). */
static int
senml_value(struct senml *s, const struct dm_resource *def, struct senml_rec *r,
    struct lwm2m_value *v)
{
	enum lwm2m_type	 want;
	const char	*t = (const char *)r->val, *colon;
	uint64_t	 oid, iid;
	uint8_t		*dst;
	double		 d;
	size_t		 i, pad;
	bool		 isint = true;

	memset(v, 0, sizeof *v);
	switch (r->kind) {
	case SENML_V:
		for (i = 0; i < r->vallen; i++) {
			if (t[i] == '.' || t[i] == 'e' || t[i] == 'E')
				isint = false;
		}
		want = def != NULL ? def->type : LWM2M_TYPE_NONE;
		if (want == LWM2M_TYPE_NONE) {
			if (def != NULL)
				return (senml_fail(s, "resource takes no value"));
			/* Unknown: the narrowest type that holds the number. */
			if (isint && codec_parse_int(t, r->vallen, &v->v.i) == 0)
				want = LWM2M_TYPE_INTEGER;
			else if (isint && codec_parse_uint(t, r->vallen, &v->v.u,
			    UINT64_MAX) == 0)
				want = LWM2M_TYPE_UNSIGNED;
			else
				want = LWM2M_TYPE_FLOAT;
			if (want != LWM2M_TYPE_FLOAT) {
				v->type = want;
				return (0);
			}
		}
		v->type = want;
		switch (want) {
		case LWM2M_TYPE_FLOAT:
			if (codec_parse_double(t, r->vallen, &v->v.f) != 0)
				return (senml_fail(s, "bad number"));
			return (0);
		case LWM2M_TYPE_INTEGER:
		case LWM2M_TYPE_TIME:
			if (isint ? codec_parse_int(t, r->vallen, &v->v.i) == 0 :
			    (codec_parse_double(t, r->vallen, &d) == 0 && d == floor(d) &&
			    d >= -0x1p63 && d < 0x1p63 && ((v->v.i = (int64_t)d), true)))
				return (0);
			return (senml_fail(s, "not an integer in range"));
		case LWM2M_TYPE_UNSIGNED:
			if (isint ? codec_parse_uint(t, r->vallen, &v->v.u, UINT64_MAX) == 0 :
			    (codec_parse_double(t, r->vallen, &d) == 0 && d == floor(d) &&
			    d >= 0 && d < 0x1p64 && ((v->v.u = (uint64_t)d), true)))
				return (0);
			return (senml_fail(s, "not an unsigned integer in range"));
		default:
			return (senml_fail(s, "number for a non-numeric resource"));
		}
	case SENML_VS:
		v->type = def != NULL ? def->type : LWM2M_TYPE_STRING;
		if (v->type != LWM2M_TYPE_STRING && v->type != LWM2M_TYPE_CORELNK)
			return (senml_fail(s, "string for a non-string resource"));
		v->v.bytes.ptr = r->val;
		v->v.bytes.len = r->vallen;
		return (0);
	case SENML_VB:
		v->type = LWM2M_TYPE_BOOLEAN;
		if (def != NULL && def->type != LWM2M_TYPE_BOOLEAN)
			return (senml_fail(s, "boolean for a non-boolean resource"));
		v->v.b = r->vb;
		return (0);
	case SENML_VD:
		v->type = LWM2M_TYPE_OPAQUE;
		if (def != NULL && def->type != LWM2M_TYPE_OPAQUE)
			return (senml_fail(s, "opaque for a non-opaque resource"));
		if (r->val >= s->d->scratch && s->d->scratch != NULL &&
		    r->val < s->d->scratch + s->d->scratchsize)
			dst = (uint8_t *)s->d->scratch + (r->val - s->d->scratch);
		else {
			for (pad = 0; pad < 2 && pad < r->vallen &&
			    r->val[r->vallen - 1 - pad] == '='; pad++)
				;
			if ((r->vallen - pad) * 6 / 8 > (s->d->scratch == NULL ? 0 :
			    s->d->scratchsize - s->used)) {
				s->d->why = "opaque value does not fit the scratch buffer";
				return (LWM2M_ERR_TOO_LARGE);
			}
			dst = s->d->scratch == NULL ? NULL : s->d->scratch + s->used;
		}
		if (dst == NULL) {	/* nothing to decode: the empty value */
			if (r->vallen != 0)
				return (senml_fail(s, "bad base64 in vd"));
			v->v.bytes.ptr = r->val;
			return (0);
		}
		if (senml_base64(r->val, r->vallen, dst, &v->v.bytes.len) != 0)
			return (senml_fail(s, "bad base64 in vd"));
		if (dst == s->d->scratch + s->used)
			s->used += v->v.bytes.len;
		v->v.bytes.ptr = dst;
		return (0);
	case SENML_VLO:
		v->type = LWM2M_TYPE_OBJLNK;
		if (def != NULL && def->type != LWM2M_TYPE_OBJLNK)
			return (senml_fail(s, "object link for a non-link resource"));
		colon = memchr(t, ':', r->vallen);
		if (colon == NULL ||
		    codec_parse_uint(t, colon - t, &oid, UINT16_MAX) != 0 ||
		    codec_parse_uint(colon + 1, r->vallen - (colon - t) - 1, &iid,
		    UINT16_MAX) != 0)
			return (senml_fail(s, "object link must be oid:iid"));
		v->v.objlnk.oid = (uint16_t)oid;
		v->v.objlnk.iid = (uint16_t)iid;
		return (0);
	default:
		v->type = LWM2M_TYPE_NONE;
		return (0);
	}
}

/* Field names, and the bit that detects a repeated one. */
static const char *const senml_keys[] = {
	"bn", "bt", "bu", "bver", "n", "u", "t", "ut", "v", "vs", "vb", "vd", "vlo",
	"bv", "bs", "s",
};

static int
senml_field(struct senml *s, struct senml_rec *r, uint32_t *seen)
{
	uint8_t		 keybuf[SENML_KEY_MAX];
	const uint8_t	*key, *v;
	size_t		 keylen, vl, i;
	bool		 isint;
	int		 error;

	if ((error = senml_string(s, keybuf, sizeof keybuf, &key, &keylen)) != 0)
		return (error == LWM2M_ERR_TOO_LARGE ? senml_fail(s, "field name too long") :
		    error);
	if (senml_expect(s, ':') != 0)
		return (senml_fail(s, "expected ':'"));
	for (i = 0; i < sizeof senml_keys / sizeof senml_keys[0]; i++) {
		if (strlen(senml_keys[i]) == keylen &&
		    memcmp(senml_keys[i], key, keylen) == 0)
			break;
	}
	if (i == sizeof senml_keys / sizeof senml_keys[0]) {
		/* RFC 8428 §4.4: names ending in '_' must be understood. */
		if (keylen != 0 && key[keylen - 1] == '_')
			return (senml_fail(s, "unknown must-understand field"));
		return (senml_skip(s, 1));
	}
	if (*seen & (1U << i))
		return (senml_fail(s, "repeated field"));
	*seen |= 1U << i;

	switch (i) {
	case 0:		/* bn */
		r->has_bn = true;
		return (senml_string(s, NULL, 0, &r->bn, &r->bnlen));
	case 4:		/* n */
		r->has_n = true;
		return (senml_string(s, NULL, 0, &r->n, &r->nlen));
	case 2:		/* bu */
	case 5:		/* u */
		return (senml_string(s, NULL, 0, NULL, NULL));
	case 1:		/* bt */
	case 3:		/* bver */
	case 6:		/* t */
	case 7:		/* ut */
		return (senml_number(s, &v, &vl, &isint));
	case 13:
	case 14:
	case 15:
		return (senml_fail(s, "sums and base values are not supported"));
	}

	if (r->kind != SENML_NONE)
		return (senml_fail(s, "more than one value in a record"));
	switch (i) {
	case 8:
		r->kind = SENML_V;
		return (senml_number(s, &r->val, &r->vallen, &isint));
	case 10:
		r->kind = SENML_VB;
		if (senml_literal(s, "true") == 0)
			r->vb = true;
		else if (senml_literal(s, "false") == 0)
			r->vb = false;
		else
			return (senml_fail(s, "vb is not a boolean"));
		return (0);
	default:
		r->kind = i == 9 ? SENML_VS : i == 11 ? SENML_VD : SENML_VLO;
		return (senml_string(s, NULL, 0, &r->val, &r->vallen));
	}
}

static int
senml_record(struct senml *s, const struct lwm2m_path *base)
{
	struct senml_rec		 r;
	const struct dm_resource	*def;
	struct lwm2m_path		 path;
	struct lwm2m_value		 v;
	char				 name[SENML_NAME_MAX];
	uint32_t			 seen = 0;
	int				 error;

	memset(&r, 0, sizeof r);
	if (senml_expect(s, '{') != 0)
		return (senml_fail(s, "expected a record"));
	if (senml_expect(s, '}') != 0) {
		do {
			if ((error = senml_field(s, &r, &seen)) != 0)
				return (error);
		} while (senml_expect(s, ',') == 0);
		if (senml_expect(s, '}') != 0)
			return (senml_fail(s, "unterminated record"));
	}

	/* A base name holds for its record and the ones after it (RFC 8428 §4.5.1). */
	if (r.has_bn) {
		s->bn = r.bn;
		s->bnlen = r.bnlen;
	}
	if (s->bnlen + r.nlen >= sizeof name)
		return (senml_fail(s, "name too long"));
	if (s->bnlen != 0)
		memcpy(name, s->bn, s->bnlen);
	if (r.nlen != 0)
		memcpy(name + s->bnlen, r.n, r.nlen);
	if (s->bnlen + r.nlen == 0 ||
	    codec_path_parse(name, s->bnlen + r.nlen, &path) != 0 || path.len == 0)
		return (senml_fail(s, "name is not an LwM2M path"));
	if (!codec_path_under(base, &path))
		return (senml_fail(s, "name outside the target path"));
	if (r.kind != SENML_NONE && path.len < 3)
		return (senml_fail(s, "value for a path that is not a resource"));

	if (!s->have_obj || s->oid != path.ids[0]) {
		s->obj = s->d->lookup != NULL ?
		    s->d->lookup(s->d->lookup_arg, path.ids[0]) : NULL;
		s->oid = path.ids[0];
		s->have_obj = true;
	}
	def = path.len >= 3 ? codec_resource_find(s->obj, path.ids[2]) : NULL;
	if (def != NULL && r.kind != SENML_NONE) {
		if (def->multiple && path.len == 3)
			return (senml_fail(s, "single value for a multiple resource"));
		if (!def->multiple && path.len == 4)
			return (senml_fail(s,
			    "resource instance of a single-instance resource"));
	}
	if ((error = senml_value(s, def, &r, &v)) != 0)
		return (error);
	return (s->d->entry(s->d->entry_arg, &path, def, &v));
}

int
codec_senml_decode(struct codec_decoder *d, const struct lwm2m_path *base,
    const uint8_t *buf, size_t len)
{
	struct senml	s;
	int		error;

	memset(&s, 0, sizeof s);
	s.d = d;
	s.p = buf;
	s.end = buf + len;
	if (senml_expect(&s, '[') != 0)
		return (senml_fail(&s, "SenML JSON is an array of records"));
	if (senml_expect(&s, ']') != 0) {
		do {
			if ((error = senml_record(&s, base)) != 0)
				return (error);
		} while (senml_expect(&s, ',') == 0);
		if (senml_expect(&s, ']') != 0)
			return (senml_fail(&s, "unterminated array"));
	}
	senml_ws(&s);
	if (s.p != s.end)
		return (senml_fail(&s, "garbage after the array"));
	return (0);
}
