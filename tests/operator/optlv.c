/*
 * Typed values written as "type:value" and the LwM2M TLV format (11542), for the
 * operator's own use: it must not share a codec with lwgwd.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operator.h"

#define OPTLV_INSTANCE	0
#define OPTLV_RINSTANCE	1
#define OPTLV_MULTIPLE	2
#define OPTLV_RESOURCE	3

static void
optlv_set(uint8_t **out, size_t *outlen, uint64_t v, size_t n)
{
	size_t	i;

	*out = oputil_xcalloc(1, n);
	for (i = 0; i < n; i++)
		(*out)[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	*outlen = n;
}

static int
optlv_is_integer(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (*s == '\0')
		return (0);
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return (0);
	}
	return (1);
}

static int
optlv_int(const char *v, uint8_t **out, size_t *outlen)
{
	long long	 i;
	char		*end;

	errno = 0;
	i = strtoll(v, &end, 10);
	if (errno != 0 || *v == '\0' || *end != '\0')
		return (-1);
	if (i >= INT8_MIN && i <= INT8_MAX)
		optlv_set(out, outlen, (uint64_t)i, 1);
	else if (i >= INT16_MIN && i <= INT16_MAX)
		optlv_set(out, outlen, (uint64_t)i, 2);
	else if (i >= INT32_MIN && i <= INT32_MAX)
		optlv_set(out, outlen, (uint64_t)i, 4);
	else
		optlv_set(out, outlen, (uint64_t)i, 8);
	return (0);
}

static int
optlv_uint(const char *v, uint8_t **out, size_t *outlen)
{
	unsigned long long	 u;
	char			*end;

	errno = 0;
	u = strtoull(v, &end, 10);
	if (errno != 0 || *v == '\0' || *v == '-' || *end != '\0')
		return (-1);
	if (u <= UINT8_MAX)
		optlv_set(out, outlen, u, 1);
	else if (u <= UINT16_MAX)
		optlv_set(out, outlen, u, 2);
	else if (u <= UINT32_MAX)
		optlv_set(out, outlen, u, 4);
	else
		optlv_set(out, outlen, u, 8);
	return (0);
}

static int
optlv_float(const char *v, uint8_t **out, size_t *outlen)
{
	double		 d;
	float		 f;
	uint32_t	 u32;
	uint64_t	 u64;
	char		*end;

	errno = 0;
	d = strtod(v, &end);
	if (errno != 0 || *v == '\0' || *end != '\0' || !isfinite(d))
		return (-1);
	f = (float)d;
	if ((double)f == d) {
		memcpy(&u32, &f, sizeof u32);
		optlv_set(out, outlen, u32, 4);
	} else {
		memcpy(&u64, &d, sizeof u64);
		optlv_set(out, outlen, u64, 8);
	}
	return (0);
}

static int
optlv_objlnk(const char *v, uint8_t **out, size_t *outlen)
{
	unsigned long	 o, i;
	char		*end;

	errno = 0;
	o = strtoul(v, &end, 10);
	if (errno != 0 || end == v || *end != ':' || o > 65535)
		return (-1);
	v = end + 1;
	i = strtoul(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || i > 65535)
		return (-1);
	optlv_set(out, outlen, (uint64_t)(o << 16 | i), 4);
	return (0);
}

/*
 * "int:5", "uint:5", "time:5", "float:1.5", "bool:1", "str:x", "opaque:0a0b",
 * "objlnk:3:0"; without a tag: an integer, true/false, or else a string.
 */
int
optlv_value_parse(const char *s, uint8_t **out, size_t *outlen, char **cause)
{
	int	rc;

	*out = NULL;
	*outlen = 0;
	if (strncmp(s, "int:", 4) == 0 || strncmp(s, "time:", 5) == 0)
		rc = optlv_int(strchr(s, ':') + 1, out, outlen);
	else if (strncmp(s, "uint:", 5) == 0)
		rc = optlv_uint(s + 5, out, outlen);
	else if (strncmp(s, "float:", 6) == 0)
		rc = optlv_float(s + 6, out, outlen);
	else if (strncmp(s, "objlnk:", 7) == 0)
		rc = optlv_objlnk(s + 7, out, outlen);
	else if (strncmp(s, "opaque:", 7) == 0)
		rc = oputil_hex_decode(s + 7, out, outlen);
	else if (strncmp(s, "bool:", 5) == 0) {
		rc = 0;
		if (strcmp(s + 5, "1") == 0 || strcmp(s + 5, "true") == 0)
			optlv_set(out, outlen, 1, 1);
		else if (strcmp(s + 5, "0") == 0 || strcmp(s + 5, "false") == 0)
			optlv_set(out, outlen, 0, 1);
		else
			rc = -1;
	} else if (strncmp(s, "str:", 4) == 0) {
		*out = (uint8_t *)oputil_xstrdup(s + 4);
		*outlen = strlen(s + 4);
		rc = 0;
	} else if (optlv_is_integer(s))
		rc = optlv_int(s, out, outlen);
	else if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
		optlv_set(out, outlen, s[0] == 't', 1);
		rc = 0;
	} else {
		*out = (uint8_t *)oputil_xstrdup(s);
		*outlen = strlen(s);
		rc = 0;
	}
	if (rc != 0)
		*cause = oputil_xasprintf("bad value: %s", s);
	return (rc);
}

/* "RID=VALUE", "RID/RIID=VALUE", or a bare VALUE for the resource of the path (-1). */
int
optlv_item_parse(const char *s, struct optlv_item *item, char **cause)
{
	const char	*eq, *p;
	char		*end;
	unsigned long	 v;

	item->rid = item->riid = -1;
	item->val = NULL;
	item->len = 0;
	eq = strchr(s, '=');
	if (eq != NULL && isdigit((unsigned char)*s)) {
		for (p = s; p < eq && (isdigit((unsigned char)*p) || *p == '/'); p++)
			/* nothing */;
		if (p == eq) {
			errno = 0;
			v = strtoul(s, &end, 10);
			if (errno != 0 || v > 65534)
				goto bad;
			item->rid = (int)v;
			if (*end == '/') {
				p = end + 1;
				v = strtoul(p, &end, 10);
				if (end == p || v > 65534)
					goto bad;
				item->riid = (int)v;
			}
			if (end != eq)
				goto bad;
			s = eq + 1;
		}
	}
	return (optlv_value_parse(s, &item->val, &item->len, cause));
bad:
	*cause = oputil_xasprintf("bad resource ID in %s", s);
	return (-1);
}

void
optlv_item_clear(struct optlv_item *item)
{
	free(item->val);
	item->val = NULL;
}

void
optlv_inst_clear(struct optlv_inst *inst)
{
	size_t	i;

	for (i = 0; i < inst->nitems; i++)
		optlv_item_clear(&inst->items[i]);
	free(inst->items);
	inst->items = NULL;
	inst->nitems = 0;
}

static void
optlv_header(struct opbuf *b, int type, unsigned id, size_t len)
{
	uint8_t	h[6];
	size_t	n = 1;

	h[0] = (uint8_t)(type << 6);
	if (id > 255) {
		h[0] |= 0x20;
		h[n++] = (uint8_t)(id >> 8);
	}
	h[n++] = (uint8_t)id;
	if (len < 8)
		h[0] |= (uint8_t)len;
	else if (len < 256) {
		h[0] |= 0x08;
		h[n++] = (uint8_t)len;
	} else if (len < 65536) {
		h[0] |= 0x10;
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	} else {
		h[0] |= 0x18;
		h[n++] = (uint8_t)(len >> 16);
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	}
	opbuf_add(b, h, n);
}

/* Resources in the order given; instances of one multiple resource are grouped. */
void
optlv_encode_resources(struct opbuf *b, const struct optlv_item *items, size_t n)
{
	struct opbuf	inner;
	size_t		i, j, k;

	for (i = 0; i < n; i++) {
		if (items[i].riid < 0) {
			optlv_header(b, OPTLV_RESOURCE, (unsigned)items[i].rid,
			    items[i].len);
			opbuf_add(b, items[i].val, items[i].len);
			continue;
		}
		for (k = 0; k < i; k++) {
			if (items[k].rid == items[i].rid && items[k].riid >= 0)
				break;
		}
		if (k != i)
			continue;	/* already written with its first instance */
		opbuf_init(&inner);
		for (j = i; j < n; j++) {
			if (items[j].rid != items[i].rid || items[j].riid < 0)
				continue;
			optlv_header(&inner, OPTLV_RINSTANCE,
			    (unsigned)items[j].riid, items[j].len);
			opbuf_add(&inner, items[j].val, items[j].len);
		}
		optlv_header(b, OPTLV_MULTIPLE, (unsigned)items[i].rid, inner.len);
		opbuf_add(b, inner.p, inner.len);
		opbuf_free(&inner);
	}
}

void
optlv_encode_instance(struct opbuf *b, const struct optlv_inst *inst)
{
	struct opbuf	inner;

	opbuf_init(&inner);
	optlv_encode_resources(&inner, inst->items, inst->nitems);
	optlv_header(b, OPTLV_INSTANCE, (unsigned)inst->iid, inner.len);
	opbuf_add(b, inner.p, inner.len);
	opbuf_free(&inner);
}

/* One TLV entry at *off; -1 when it does not fit in len. */
static int
optlv_next(const uint8_t *p, size_t len, size_t *off, int *type, unsigned *id,
    const uint8_t **val, size_t *vlen)
{
	size_t	o = *off, l, nl;
	uint8_t	h;

	if (o >= len)
		return (-1);
	h = p[o++];
	*type = h >> 6;
	if (h & 0x20) {
		if (len - o < 2)
			return (-1);
		*id = (unsigned)p[o] << 8 | p[o + 1];
		o += 2;
	} else {
		if (len - o < 1)
			return (-1);
		*id = p[o++];
	}
	nl = (h >> 3) & 3;
	if (nl == 0)
		l = h & 7;
	else {
		if (len - o < nl)
			return (-1);
		for (l = 0; nl > 0; nl--)
			l = l << 8 | p[o++];
	}
	if (len - o < l)
		return (-1);
	*val = p + o;
	*vlen = l;
	*off = o + l;
	return (0);
}

static void
optlv_value_json(struct opbuf *b, const uint16_t *ids, int nids, const uint8_t *v,
    size_t len, int *first)
{
	struct opbuf	path;
	uint64_t	u = 0;
	int64_t		i;
	uint32_t	u32;
	float		f;
	double		d;
	size_t		k;
	int		printable = 1;

	opbuf_init(&path);
	for (k = 0; k < (size_t)nids; k++)
		opbuf_printf(&path, "/%u", ids[k]);
	if (!*first)
		opbuf_addc(b, ',');
	*first = 0;
	opbuf_json(b, path.p, path.len);
	opbuf_free(&path);
	opbuf_add(b, ":{\"hex\":", 8);
	opbuf_hex(b, v, len);
	if (len == 1 || len == 2 || len == 4 || len == 8) {
		for (k = 0; k < len; k++)
			u = u << 8 | v[k];
		if (len < 8 && (v[0] & 0x80))
			u |= ~(uint64_t)0 << (8 * len);
		memcpy(&i, &u, sizeof i);
		opbuf_printf(b, ",\"int\":%lld", (long long)i);
	}
	if (len == 4) {
		u32 = (uint32_t)u;
		memcpy(&f, &u32, sizeof f);
		if (isfinite(f))
			opbuf_printf(b, ",\"float\":%.9g", (double)f);
	} else if (len == 8) {
		memcpy(&d, &u, sizeof d);
		if (isfinite(d))
			opbuf_printf(b, ",\"float\":%.17g", d);
	}
	for (k = 0; k < len; k++) {
		if (v[k] < 0x20 || v[k] == 0x7f)
			printable = 0;
	}
	if (printable) {
		opbuf_add(b, ",\"str\":", 7);
		opbuf_json(b, v, len);
	}
	opbuf_addc(b, '}');
}

/*
 * Entries of one level. ctx holds the IDs the entries hang under; allowed is a mask of
 * the entry types this level may hold.
 */
static int
optlv_level(struct opbuf *b, const uint16_t *ctx, int nctx, int allowed,
    const uint8_t *p, size_t len, int *first, char **cause)
{
	uint16_t	 ids[4];
	size_t		 off = 0, vlen;
	const uint8_t	*val;
	unsigned	 id;
	int		 type;

	while (off < len) {
		if (optlv_next(p, len, &off, &type, &id, &val, &vlen) != 0) {
			*cause = oputil_xstrdup("truncated TLV");
			return (-1);
		}
		if (!(allowed & (1 << type))) {
			*cause = oputil_xasprintf("TLV type %d where not allowed",
			    type);
			return (-1);
		}
		switch (type) {
		case OPTLV_INSTANCE:
			if (nctx < 1)
				goto nopath;
			ids[0] = ctx[0];
			ids[1] = (uint16_t)id;
			if (optlv_level(b, ids, 2, 1 << OPTLV_MULTIPLE |
			    1 << OPTLV_RESOURCE, val, vlen, first, cause) != 0)
				return (-1);
			break;
		case OPTLV_MULTIPLE:
			if (nctx < 2)
				goto nopath;
			ids[0] = ctx[0];
			ids[1] = ctx[1];
			ids[2] = (uint16_t)id;
			if (optlv_level(b, ids, 3, 1 << OPTLV_RINSTANCE, val, vlen,
			    first, cause) != 0)
				return (-1);
			break;
		case OPTLV_RESOURCE:
			if (nctx < 2)
				goto nopath;
			ids[0] = ctx[0];
			ids[1] = ctx[1];
			ids[2] = (uint16_t)id;
			optlv_value_json(b, ids, 3, val, vlen, first);
			break;
		case OPTLV_RINSTANCE:
			if (nctx < 3)
				goto nopath;
			memcpy(ids, ctx, 3 * sizeof ids[0]);
			ids[3] = (uint16_t)id;
			optlv_value_json(b, ids, 4, val, vlen, first);
			break;
		}
	}
	return (0);
nopath:
	*cause = oputil_xasprintf("TLV type %d does not fit the request path", type);
	return (-1);
}

/* TLV to a JSON object keyed by absolute path; ids is the request path. */
int
optlv_decode_json(struct opbuf *b, const uint16_t *ids, int nids,
    const uint8_t *p, size_t len, char **cause)
{
	struct opbuf	out;
	int		first = 1, allowed;

	if (nids == 1)
		allowed = 1 << OPTLV_INSTANCE;
	else if (nids == 2)
		allowed = 1 << OPTLV_INSTANCE | 1 << OPTLV_MULTIPLE |
		    1 << OPTLV_RESOURCE;
	else
		allowed = 1 << OPTLV_MULTIPLE | 1 << OPTLV_RESOURCE |
		    1 << OPTLV_RINSTANCE;
	opbuf_init(&out);
	opbuf_addc(&out, '{');
	if (optlv_level(&out, ids, nids, allowed, p, len, &first, cause) != 0) {
		opbuf_free(&out);
		return (-1);
	}
	opbuf_addc(&out, '}');
	opbuf_add(b, out.p, out.len);
	opbuf_free(&out);
	return (0);
}
