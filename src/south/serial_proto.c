/*
 * The serial line protocol's frames: parsing in place and encoding. Every byte comes from
 * a wire that may carry noise or a confused sensor, so each field is checked against the
 * grammar of docs/serial-protocol.md before anything is taken from it.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hexdigit.h"
#include "serial_proto.h"

struct serial_proto_verb {
	const char		*name;
	enum serial_verb	 verb;
	size_t			 min;	/* arguments after the verb */
	size_t			 max;
};

static const struct serial_proto_verb serial_proto_verbs[] = {
	{ "HELLO", SERIAL_VERB_HELLO, 2, 3 },
	{ "INFO", SERIAL_VERB_INFO, 2, 2 },
	{ "OBJ", SERIAL_VERB_OBJ, 2, 2 },
	{ "READY", SERIAL_VERB_READY, 0, 0 },
	{ "WELCOME", SERIAL_VERB_WELCOME, 2, 2 },
	{ "WHO", SERIAL_VERB_WHO, 0, 0 },
	{ "WRITE", SERIAL_VERB_WRITE, 3, 3 },
	{ "EXEC", SERIAL_VERB_EXEC, 2, 3 },
	{ "RES", SERIAL_VERB_RES, 2, 2 },
	{ "PING", SERIAL_VERB_PING, 0, 0 },
	{ "PONG", SERIAL_VERB_PONG, 0, 0 },
	{ "ERR", SERIAL_VERB_ERR, 1, 2 },
	{ "BYE", SERIAL_VERB_BYE, 0, 0 },
};

static const char *const serial_proto_infos[] = { "mfr", "model", "sn", "fw" };

static const char *const serial_proto_bads[SERIAL_BAD_NKINDS] = {
	[SERIAL_BAD_NONE] = "none",
	[SERIAL_BAD_LONG] = "over-long line",
	[SERIAL_BAD_CHAR] = "bad byte",
	[SERIAL_BAD_CHECKSUM] = "bad or missing checksum",
	[SERIAL_BAD_ADDRESS] = "bad address",
	[SERIAL_BAD_VERB] = "unknown verb",
	[SERIAL_BAD_SYNTAX] = "bad arguments",
	[SERIAL_BAD_VALUE] = "value of the wrong type",
	[SERIAL_BAD_PATH] = "unknown path",
	[SERIAL_BAD_STATE] = "unexpected frame",
};

uint8_t
serial_proto_crc8(const void *data, size_t len)
{
	const uint8_t	*p = data;
	uint8_t		 crc = 0;
	int		 bit;

	while (len-- > 0) {
		crc ^= *p++;
		for (bit = 0; bit < 8; bit++)
			crc = (crc & 0x80) ? (uint8_t)(crc << 1 ^ 0x07) :
			    (uint8_t)(crc << 1);
	}
	return (crc);
}

/* A decimal number without sign or leading zeros, at most max. */
static int
serial_proto_number(const char *p, size_t len, unsigned long max, unsigned long *out)
{
	unsigned long	n = 0;
	size_t		i;

	if (len == 0 || len > 10 || (len > 1 && p[0] == '0'))
		return (-1);
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return (-1);
		n = n * 10 + (unsigned long)(p[i] - '0');
	}
	if (n > max)
		return (-1);
	*out = n;
	return (0);
}

static int
serial_proto_token_number(const struct serial_token *t, unsigned long max,
    unsigned long *out)
{
	if (t->quoted)
		return (-1);
	return (serial_proto_number(t->p, t->len, max, out));
}

/* "/oid/iid/rid" or "/oid/iid/rid/riid": depth between min and 4. */
static int
serial_proto_path(const struct serial_token *t, size_t min, struct lwm2m_path *path)
{
	const char	*p = t->p, *end = t->p + t->len, *seg;
	unsigned long	 n;

	if (t->quoted || t->len == 0 || *p != '/')
		return (-1);
	path->len = 0;
	while (p < end) {
		if (*p != '/' || path->len == 4)
			return (-1);
		seg = ++p;
		while (p < end && *p != '/')
			p++;
		if (serial_proto_number(seg, (size_t)(p - seg), LWM2M_ID_MAX, &n) != 0)
			return (-1);
		path->ids[path->len++] = (uint16_t)n;
	}
	if (path->len < min)
		return (-1);
	return (0);
}

/*
 * Unescape a quoted string in place: p points after the opening quote. Returns the
 * position after the closing quote and sets *len, or NULL if malformed.
 */
static char *
serial_proto_unquote(char *p, char *end, size_t *len)
{
	char	*start = p, *out = p;
	int	 hi, lo;

	while (p < end && *p != '"') {
		if (*p != '\\') {
			*out++ = *p++;
			continue;
		}
		if (++p == end)
			return (NULL);
		switch (*p) {
		case '"':
		case '\\':
			*out++ = *p++;
			break;
		case 'n':
			*out++ = '\n';
			p++;
			break;
		case 'r':
			*out++ = '\r';
			p++;
			break;
		case 't':
			*out++ = '\t';
			p++;
			break;
		case 'x':
			if (end - p < 3 || (hi = hex_digit(p[1])) < 0 ||
			    (lo = hex_digit(p[2])) < 0)
				return (NULL);
			*out++ = (char)(hi << 4 | lo);
			p += 3;
			break;
		default:
			return (NULL);
		}
	}
	if (p == end)
		return (NULL);	/* no closing quote */
	*len = (size_t)(out - start);
	return (p + 1);
}

/* Split into tokens separated by spaces; quoted strings are unescaped in place. */
static int
serial_proto_tokens(char *p, char *end, struct serial_token *toks, size_t *ntoks)
{
	char	*start, *after;
	size_t	 n = 0;

	for (;;) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		if (n == SERIAL_PROTO_TOKENS_MAX)
			return (-1);
		if (*p == '"') {
			start = p + 1;
			if ((after = serial_proto_unquote(start, end, &toks[n].len)) ==
			    NULL)
				return (-1);
			if (after < end && *after != ' ')
				return (-1);
			toks[n].p = start;
			toks[n].quoted = true;
			start[toks[n].len] = '\0';
			p = after;
		} else {
			start = p;
			while (p < end && *p != ' ') {
				if (*p == '"')
					return (-1);
				p++;
			}
			toks[n].p = start;
			toks[n].len = (size_t)(p - start);
			toks[n].quoted = false;
			if (p < end)
				*p++ = '\0';
		}
		n++;
	}
	*ntoks = n;
	return (0);
}

/* Identity: 1..SERIAL_PROTO_ID_MAX of [A-Za-z0-9._:-] (it becomes part of a file name). */
static int
serial_proto_id(const struct serial_token *t)
{
	size_t	i;
	char	c;

	if (t->quoted || t->len == 0 || t->len > SERIAL_PROTO_ID_MAX)
		return (-1);
	for (i = 0; i < t->len; i++) {
		c = t->p[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
		    c == '-')
			continue;
		return (-1);
	}
	if (t->p[0] == '.' || t->p[0] == '-')
		return (-1);
	return (0);
}

/* "write,exec" (unknown words are ignored for forward compatibility) or "-". */
static int
serial_proto_caps(const struct serial_token *t, unsigned *caps)
{
	const char	*p = t->p, *end = t->p + t->len, *w;
	size_t		 n;

	*caps = 0;
	if (t->quoted || t->len == 0)
		return (-1);
	if (t->len == 1 && *p == '-')
		return (0);
	while (p < end) {
		w = p;
		while (p < end && *p != ',')
			p++;
		n = (size_t)(p - w);
		if (n == 0)
			return (-1);
		if (n == 5 && memcmp(w, "write", 5) == 0)
			*caps |= SERIAL_CAP_WRITE;
		else if (n == 4 && memcmp(w, "exec", 4) == 0)
			*caps |= SERIAL_CAP_EXEC;
		if (p < end && ++p == end)
			return (-1);	/* trailing comma */
	}
	return (0);
}

static int
serial_proto_iids(const struct serial_token *t, struct serial_frame *f)
{
	const char	*p = t->p, *end = t->p + t->len, *w;
	unsigned long	 n;
	size_t		 i;

	if (t->quoted)
		return (-1);
	f->niids = 0;
	while (p < end) {
		w = p;
		while (p < end && *p != ',')
			p++;
		if (f->niids == SERIAL_PROTO_IIDS_MAX ||
		    serial_proto_number(w, (size_t)(p - w), LWM2M_ID_MAX, &n) != 0)
			return (-1);
		for (i = 0; i < f->niids; i++) {
			if (f->iids[i] == n)
				return (-1);
		}
		f->iids[f->niids++] = (uint16_t)n;
		if (p < end && ++p == end)
			return (-1);
	}
	return (f->niids == 0 ? -1 : 0);
}

static int
serial_proto_args(struct serial_frame *f, struct serial_token *a, size_t n)
{
	unsigned long	v;
	size_t		i;

	switch (f->verb) {
	case SERIAL_VERB_REPORT:
		if (n % 2 != 0 || n / 2 > SERIAL_PROTO_REPORTS_MAX)
			return (-1);
		for (i = 0; i < n / 2; i++) {
			if (serial_proto_path(&a[2 * i], 3, &f->reports[i].path) != 0)
				return (-1);
			f->reports[i].value = a[2 * i + 1];
		}
		f->nreports = n / 2;
		return (0);
	case SERIAL_VERB_HELLO:
	case SERIAL_VERB_WELCOME:
		if (serial_proto_token_number(&a[0], 255, &v) != 0 || v == 0)
			return (-1);
		f->version = (unsigned)v;
		if (f->verb == SERIAL_VERB_WELCOME)
			return (serial_proto_caps(&a[1], &f->caps));
		if (serial_proto_id(&a[1]) != 0)
			return (-1);
		f->id = a[1].p;
		if (n == 3)
			return (serial_proto_caps(&a[2], &f->caps));
		return (0);
	case SERIAL_VERB_INFO:
		for (i = 0; i < sizeof serial_proto_infos / sizeof *serial_proto_infos;
		    i++) {
			if (!a[0].quoted && strcmp(a[0].p, serial_proto_infos[i]) == 0)
				break;
		}
		if (i == sizeof serial_proto_infos / sizeof *serial_proto_infos ||
		    !a[1].quoted)
			return (-1);
		f->info = (enum serial_info)i;
		/* They become /3/0 strings: printable ASCII only. */
		for (i = 0; i < a[1].len; i++) {
			if ((unsigned char)a[1].p[i] < 0x20 ||
			    (unsigned char)a[1].p[i] > 0x7e)
				return (-1);
		}
		f->arg = a[1];
		return (0);
	case SERIAL_VERB_OBJ:
		if (serial_proto_token_number(&a[0], LWM2M_ID_MAX, &v) != 0)
			return (-1);
		f->oid = (uint16_t)v;
		return (serial_proto_iids(&a[1], f));
	case SERIAL_VERB_WRITE:
	case SERIAL_VERB_EXEC:
	case SERIAL_VERB_RES:
		if (serial_proto_token_number(&a[0], 65535, &v) != 0 || v == 0)
			return (-1);
		f->corr = (uint16_t)v;
		if (f->verb == SERIAL_VERB_RES) {
			if (a[1].quoted)
				return (-1);
			return (serial_proto_code_parse(a[1].p, &f->code));
		}
		if (serial_proto_path(&a[1], 3, &f->path) != 0)
			return (-1);
		if (f->verb == SERIAL_VERB_EXEC && f->path.len != 3)
			return (-1);
		if (n == 3) {
			if (f->verb == SERIAL_VERB_EXEC && !a[2].quoted)
				return (-1);
			f->arg = a[2];
		}
		return (0);
	case SERIAL_VERB_ERR:
		if (a[0].quoted || serial_proto_code_parse(a[0].p, &f->code) != 0)
			return (-1);
		if (n == 2) {
			if (!a[1].quoted)
				return (-1);
			f->arg = a[1];
		}
		return (0);
	default:
		return (0);
	}
}

int
serial_proto_parse(char *line, size_t len, struct serial_frame *f, enum serial_bad *bad)
{
	struct serial_token	 toks[SERIAL_PROTO_TOKENS_MAX];
	const struct serial_proto_verb *v = NULL;
	char			*p, *end;
	unsigned long		 addr;
	size_t			 i, n;
	int			 hi, lo;

	memset(f, 0, sizeof *f);
	*bad = SERIAL_BAD_NONE;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len + 2 > SERIAL_PROTO_LINE_MAX) {
		*bad = SERIAL_BAD_LONG;
		return (-1);
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e) {
			*bad = SERIAL_BAD_CHAR;
			return (-1);
		}
	}
	if (len < 3 || line[len - 3] != '*' ||
	    (hi = hex_digit(line[len - 2])) < 0 ||
	    (lo = hex_digit(line[len - 1])) < 0 ||
	    serial_proto_crc8(line, len - 3) != (hi << 4 | lo)) {
		*bad = SERIAL_BAD_CHECKSUM;
		return (-1);
	}
	p = line;
	end = line + len - 3;
	*end = '\0';
	if (*p == '@') {
		for (n = 1; p + n < end && p[n] >= '0' && p[n] <= '9'; n++)
			;
		if (p + n == end || p[n] != ' ' ||
		    serial_proto_number(p + 1, n - 1, SERIAL_PROTO_ADDR_MAX, &addr) != 0 ||
		    addr == 0) {
			*bad = SERIAL_BAD_ADDRESS;
			return (-1);
		}
		f->addr = (unsigned)addr;
		p += n + 1;
	}
	if (serial_proto_tokens(p, end, toks, &n) != 0 || n == 0) {
		*bad = SERIAL_BAD_SYNTAX;
		return (-1);
	}
	if (!toks[0].quoted && toks[0].p[0] == '/') {
		f->verb = SERIAL_VERB_REPORT;
		if (serial_proto_args(f, toks, n) != 0) {
			*bad = SERIAL_BAD_SYNTAX;
			return (-1);
		}
		return (0);
	}
	for (i = 0; !toks[0].quoted &&
	    i < sizeof serial_proto_verbs / sizeof *serial_proto_verbs; i++) {
		if (strcmp(toks[0].p, serial_proto_verbs[i].name) == 0) {
			v = &serial_proto_verbs[i];
			break;
		}
	}
	if (v == NULL) {
		*bad = SERIAL_BAD_VERB;
		return (-1);
	}
	f->verb = v->verb;
	if (n - 1 < v->min || n - 1 > v->max ||
	    serial_proto_args(f, toks + 1, n - 1) != 0) {
		*bad = SERIAL_BAD_SYNTAX;
		return (-1);
	}
	return (0);
}

/* A bare token copied into buf (NUL-terminated) when it matches a number's syntax. */
static int
serial_proto_numtext(const struct serial_token *t, char *buf, size_t len, bool sign,
    bool fraction)
{
	const char	*p = t->p, *end = t->p + t->len;
	size_t		 digits = 0;

	if (t->quoted || t->len == 0 || t->len >= len)
		return (-1);
	if (sign && p < end && *p == '-')
		p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		digits++;
	if (digits == 0)
		return (-1);
	if (fraction && p < end && *p == '.') {
		for (p++, digits = 0; p < end && *p >= '0' && *p <= '9'; p++)
			digits++;
		if (digits == 0)
			return (-1);
	}
	if (fraction && p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		for (digits = 0; p < end && *p >= '0' && *p <= '9'; p++)
			digits++;
		if (digits == 0)
			return (-1);
	}
	if (p != end)
		return (-1);
	memcpy(buf, t->p, t->len);
	buf[t->len] = '\0';
	return (0);
}

int
serial_proto_value(const struct serial_token *t, enum lwm2m_type type,
    struct lwm2m_value *v)
{
	char		 buf[48], *ep;
	unsigned long	 oid, iid;
	const char	*colon;

	memset(v, 0, sizeof *v);
	v->type = type;
	errno = 0;
	switch (type) {
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		if (serial_proto_numtext(t, buf, sizeof buf, true, false) != 0)
			return (-1);
		v->v.i = strtoll(buf, &ep, 10);
		return (errno == 0 && *ep == '\0' ? 0 : -1);
	case LWM2M_TYPE_UNSIGNED:
		if (serial_proto_numtext(t, buf, sizeof buf, false, false) != 0)
			return (-1);
		v->v.u = strtoull(buf, &ep, 10);
		return (errno == 0 && *ep == '\0' ? 0 : -1);
	case LWM2M_TYPE_FLOAT:
		if (serial_proto_numtext(t, buf, sizeof buf, true, true) != 0)
			return (-1);
		v->v.f = strtod(buf, &ep);
		return (*ep == '\0' && isfinite(v->v.f) ? 0 : -1);
	case LWM2M_TYPE_BOOLEAN:
		if (t->quoted || t->len != 1 || (t->p[0] != '0' && t->p[0] != '1'))
			return (-1);
		v->v.b = t->p[0] == '1';
		return (0);
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_CORELNK:
		if (!t->quoted || memchr(t->p, '\0', t->len) != NULL)
			return (-1);
		v->v.bytes.ptr = (const uint8_t *)t->p;
		v->v.bytes.len = t->len;
		return (0);
	case LWM2M_TYPE_OPAQUE:
		if (!t->quoted)
			return (-1);
		v->v.bytes.ptr = (const uint8_t *)t->p;
		v->v.bytes.len = t->len;
		return (0);
	case LWM2M_TYPE_OBJLNK:
		if (t->quoted || (colon = memchr(t->p, ':', t->len)) == NULL ||
		    serial_proto_number(t->p, (size_t)(colon - t->p), 65535, &oid) != 0 ||
		    serial_proto_number(colon + 1, t->len - (size_t)(colon - t->p) - 1,
		    65535, &iid) != 0)
			return (-1);
		v->v.objlnk.oid = (uint16_t)oid;
		v->v.objlnk.iid = (uint16_t)iid;
		return (0);
	default:
		return (-1);
	}
}

/* Append printf-style text; on overflow leave buf as it was. */
static int
serial_proto_append(char *buf, size_t len, size_t *off, const char *text, size_t n)
{
	if (*off >= len || n >= len - *off)
		return (-1);
	memcpy(buf + *off, text, n);
	*off += n;
	buf[*off] = '\0';
	return (0);
}

int
serial_proto_format_string(char *buf, size_t len, size_t *off, const uint8_t *p,
    size_t n)
{
	size_t	start = *off, i;
	char	esc[5];
	int	rc = 0;

	rc |= serial_proto_append(buf, len, off, "\"", 1);
	for (i = 0; rc == 0 && i < n; i++) {
		if (p[i] == '"' || p[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)p[i];
			rc = serial_proto_append(buf, len, off, esc, 2);
		} else if (p[i] == '\n')
			rc = serial_proto_append(buf, len, off, "\\n", 2);
		else if (p[i] == '\r')
			rc = serial_proto_append(buf, len, off, "\\r", 2);
		else if (p[i] == '\t')
			rc = serial_proto_append(buf, len, off, "\\t", 2);
		else if (p[i] < 0x20 || p[i] > 0x7e) {
			snprintf(esc, sizeof esc, "\\x%02X", p[i]);
			rc = serial_proto_append(buf, len, off, esc, 4);
		} else
			rc = serial_proto_append(buf, len, off, (const char *)&p[i], 1);
	}
	if (rc == 0)
		rc = serial_proto_append(buf, len, off, "\"", 1);
	if (rc != 0) {
		*off = start;
		if (start < len)
			buf[start] = '\0';
		return (-1);
	}
	return (0);
}

/* The shortest %g form that reads back as the same double. */
static void
serial_proto_format_double(double d, char *buf, size_t len)
{
	int	prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, len, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
	snprintf(buf, len, "%.17g", d);
}

int
serial_proto_format_value(char *buf, size_t len, size_t *off, const struct lwm2m_value *v)
{
	char	num[48];

	switch (v->type) {
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		snprintf(num, sizeof num, "%lld", (long long)v->v.i);
		break;
	case LWM2M_TYPE_UNSIGNED:
		snprintf(num, sizeof num, "%llu", (unsigned long long)v->v.u);
		break;
	case LWM2M_TYPE_FLOAT:
		if (!isfinite(v->v.f))
			return (-1);
		serial_proto_format_double(v->v.f, num, sizeof num);
		break;
	case LWM2M_TYPE_BOOLEAN:
		snprintf(num, sizeof num, "%d", v->v.b ? 1 : 0);
		break;
	case LWM2M_TYPE_OBJLNK:
		snprintf(num, sizeof num, "%u:%u", v->v.objlnk.oid, v->v.objlnk.iid);
		break;
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_OPAQUE:
	case LWM2M_TYPE_CORELNK:
		return (serial_proto_format_string(buf, len, off, v->v.bytes.ptr,
		    v->v.bytes.len));
	default:
		return (-1);
	}
	return (serial_proto_append(buf, len, off, num, strlen(num)));
}

int
serial_proto_frame(char *buf, size_t len, unsigned addr, const char *body)
{
	size_t	off = 0, blen = strlen(body), i;
	char	pre[8], tail[8];

	if (addr > SERIAL_PROTO_ADDR_MAX)
		return (-1);
	for (i = 0; i < blen; i++) {
		if ((unsigned char)body[i] < 0x20 || (unsigned char)body[i] > 0x7e)
			return (-1);
	}
	if (addr != 0) {
		snprintf(pre, sizeof pre, "@%u ", addr);
		if (serial_proto_append(buf, len, &off, pre, strlen(pre)) != 0)
			return (-1);
	}
	if (serial_proto_append(buf, len, &off, body, blen) != 0)
		return (-1);
	snprintf(tail, sizeof tail, "*%02X\r\n", serial_proto_crc8(buf, off));
	if (serial_proto_append(buf, len, &off, tail, 5) != 0 ||
	    off > SERIAL_PROTO_LINE_MAX)
		return (-1);
	return ((int)off);
}

int
serial_proto_negotiate(unsigned version, unsigned caps, unsigned *accepted_version,
    unsigned *accepted_caps)
{
	if (version == 0)
		return (-1);
	*accepted_version = version < SERIAL_PROTO_VERSION ? version :
	    SERIAL_PROTO_VERSION;
	*accepted_caps = caps & SERIAL_CAP_ALL;
	return (0);
}

void
serial_proto_code_format(int code, char *buf, size_t len)
{
	if (code == 0)
		code = LWM2M_CHANGED;
	else if (code < 0)
		code = -code;
	snprintf(buf, len, "%d.%02d", LWM2M_CODE_CLASS(code), LWM2M_CODE_DETAIL(code));
}

int
serial_proto_code_parse(const char *s, int *code)
{
	int	c, d;

	if (strlen(s) != 4 || s[0] < '2' || s[0] > '5' || s[0] == '3' || s[1] != '.' ||
	    s[2] < '0' || s[2] > '3' || s[3] < '0' || s[3] > '9')
		return (-1);
	c = s[0] - '0';
	d = (s[2] - '0') * 10 + (s[3] - '0');
	if (d > 31)
		return (-1);
	*code = c == 2 ? 0 : -LWM2M_CODE(c, d);
	return (0);
}

const char *
serial_proto_verb_name(enum serial_verb verb)
{
	size_t	i;

	if (verb == SERIAL_VERB_REPORT)
		return ("report");
	for (i = 0; i < sizeof serial_proto_verbs / sizeof *serial_proto_verbs; i++) {
		if (serial_proto_verbs[i].verb == verb)
			return (serial_proto_verbs[i].name);
	}
	return ("?");
}

const char *
serial_proto_bad_name(enum serial_bad bad)
{
	if ((unsigned)bad >= SERIAL_BAD_NKINDS)
		return ("?");
	return (serial_proto_bads[bad]);
}

const char *
serial_proto_caps_format(unsigned caps, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", (caps & SERIAL_CAP_WRITE) ? "write" : "",
	    (caps & SERIAL_CAP_WRITE) && (caps & SERIAL_CAP_EXEC) ? "," : "",
	    (caps & SERIAL_CAP_EXEC) ? "exec" : "");
	if (buf[0] == '\0')
		snprintf(buf, len, "-");
	return (buf);
}
