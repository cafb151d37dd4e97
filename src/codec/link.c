/* CoRE link format (content format 40, RFC 6690): builder and parser. */
#include <math.h>
#include <string.h>

#include "codec.h"
#include "codec_int.h"

/* Room for one unescaped quoted value with escapes; others point into the input. */
#define LINK_VALUE_MAX	1024

/* RFC 5987 parmname characters (attr-char without '*', '\'', '%'). */
static bool
link_parmchar(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$&+-.^_`|~", c) != NULL));
}

/* RFC 6690 ptokenchar. */
static bool
link_ptokenchar(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'()*+-./:<=>?@[]^_`{|}~", c) != NULL));
}

/* Keep the first error. */
static void
link_error(struct codec_link *w, int error)
{
	if (w->error == 0)
		w->error = error;
}

static void
link_put(struct codec_link *w, const void *p, size_t len)
{
	if (w->error != 0 || len == 0)
		return;
	if (len > w->size - w->len) {
		w->error = LWM2M_ERR_TOO_LARGE;
		return;
	}
	memcpy(w->buf + w->len, p, len);
	w->len += len;
}

static void
link_puts(struct codec_link *w, const char *s)
{
	link_put(w, s, strlen(s));
}

void
codec_link_init(struct codec_link *w, uint8_t *buf, size_t size)
{
	memset(w, 0, sizeof *w);
	w->buf = buf;
	w->size = buf == NULL ? 0 : size;
}

void
codec_link_path(struct codec_link *w, const struct lwm2m_path *path)
{
	char	tmp[32];

	if (path->len > 4) {
		link_error(w, LWM2M_ERR_INTERNAL);
		return;
	}
	codec_path_format(path, tmp, sizeof tmp);
	codec_link_target(w, tmp);
}

void
codec_link_target(struct codec_link *w, const char *uri)
{
	const char	*p;

	for (p = uri; *p != '\0'; p++) {
		if (*p <= ' ' || *p >= 0x7f || *p == '<' || *p == '>' || *p == '"') {
			link_error(w, LWM2M_ERR_INTERNAL);
			return;
		}
	}
	if (w->started)
		link_put(w, ",", 1);
	link_put(w, "<", 1);
	link_puts(w, uri);
	link_put(w, ">", 1);
	w->started = true;
}

/* ";name" after checking there is a link to attach it to. */
static int
link_attr_name(struct codec_link *w, const char *name)
{
	const char	*p;

	if (!w->started || *name == '\0') {
		link_error(w, LWM2M_ERR_INTERNAL);
		return (-1);
	}
	for (p = name; *p != '\0'; p++) {
		if (!link_parmchar((unsigned char)*p)) {
			link_error(w, LWM2M_ERR_INTERNAL);
			return (-1);
		}
	}
	link_put(w, ";", 1);
	link_puts(w, name);
	return (0);
}

void
codec_link_attr_str(struct codec_link *w, const char *name, const char *value, bool quoted)
{
	const char	*p;

	if (link_attr_name(w, name) != 0 || value == NULL)
		return;
	if (!quoted) {
		for (p = value; *p != '\0'; p++) {
			if (!link_ptokenchar((unsigned char)*p))
				break;
		}
		if (*p != '\0' || p == value) {
			link_error(w, LWM2M_ERR_INTERNAL);
			return;
		}
		link_put(w, "=", 1);
		link_puts(w, value);
		return;
	}
	link_put(w, "=\"", 2);
	for (p = value; *p != '\0'; p++) {
		if ((unsigned char)*p < ' ' || *p == 0x7f) {
			link_error(w, LWM2M_ERR_INTERNAL);
			return;
		}
		if (*p == '"' || *p == '\\')
			link_put(w, "\\", 1);
		link_put(w, p, 1);
	}
	link_put(w, "\"", 1);
}

void
codec_link_attr_uint(struct codec_link *w, const char *name, uint64_t u)
{
	struct codec_buf	b;
	uint8_t			tmp[24];

	if (link_attr_name(w, name) != 0)
		return;
	b = (struct codec_buf){ tmp, sizeof tmp, 0, 0 };
	codec_buf_putu(&b, u);
	link_put(w, "=", 1);
	link_put(w, tmp, b.len);
}

void
codec_link_attr_int(struct codec_link *w, const char *name, int64_t i)
{
	struct codec_buf	b;
	uint8_t			tmp[24];

	if (link_attr_name(w, name) != 0)
		return;
	b = (struct codec_buf){ tmp, sizeof tmp, 0, 0 };
	codec_buf_puti(&b, i);
	link_put(w, "=", 1);
	link_put(w, tmp, b.len);
}

void
codec_link_attr_float(struct codec_link *w, const char *name, double d)
{
	char	tmp[CODEC_DOUBLE_MAX];

	if (!isfinite(d)) {
		link_error(w, LWM2M_ERR_INTERNAL);
		return;
	}
	if (link_attr_name(w, name) != 0)
		return;
	link_put(w, "=", 1);
	link_put(w, tmp, codec_fmt_double(d, tmp));
}

int
codec_link_finish(struct codec_link *w, size_t *len)
{
	*len = w->error == 0 ? w->len : 0;
	return (w->error);
}

static int
link_fail(struct codec_link_parser *lp, const char *why)
{
	lp->why = why;
	return (LWM2M_ERR_BAD_REQUEST);
}

static size_t
link_ws(const char *buf, size_t len, size_t i)
{
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
	    buf[i] == '\n'))
		i++;
	return (i);
}

/* One ";name[=value]" starting after the ';'; *ip moves past it. */
static int
link_param(struct codec_link_parser *lp, const char *buf, size_t len, size_t *ip)
{
	char		 tmp[LINK_VALUE_MAX];
	const char	*value = NULL;
	size_t		 i = link_ws(buf, len, *ip), name, namelen, vlen = 0, j, n;
	bool		 escaped = false;
	int		 error;

	name = i;
	while (i < len && link_parmchar((unsigned char)buf[i]))
		i++;
	if ((namelen = i - name) == 0)
		return (link_fail(lp, "bad parameter name"));
	i = link_ws(buf, len, i);
	if (i < len && buf[i] == '=') {
		i = link_ws(buf, len, i + 1);
		if (i < len && buf[i] == '"') {
			j = ++i;
			for (; i < len && buf[i] != '"'; i++) {
				if (buf[i] == '\\') {
					escaped = true;
					if (++i == len)
						break;
				}
				/* Escaped or not, a control character is refused. */
				if (((unsigned char)buf[i] < ' ' && buf[i] != '\t') ||
				    buf[i] == 0x7f)
					return (link_fail(lp, "control character in a value"));
			}
			if (i >= len)
				return (link_fail(lp, "unterminated quoted string"));
			value = buf + j;
			vlen = i - j;
			i++;
			if (escaped) {
				for (n = 0; j < i - 1; j++) {
					if (buf[j] == '\\')
						j++;
					if (n == sizeof tmp)
						return (link_fail(lp, "quoted value too long"));
					tmp[n++] = buf[j];
				}
				value = tmp;
				vlen = n;
			}
		} else {
			j = i;
			while (i < len && link_ptokenchar((unsigned char)buf[i]))
				i++;
			if (i == j)
				return (link_fail(lp, "empty parameter value"));
			value = buf + j;
			vlen = i - j;
		}
	}
	*ip = i;
	if (lp->attr != NULL &&
	    (error = lp->attr(lp->arg, buf + name, namelen, value, vlen)) != 0)
		return (error);
	return (0);
}

int
codec_link_parse(struct codec_link_parser *lp, const char *buf, size_t len)
{
	size_t	i, start;
	int	error;

	lp->why = NULL;
	i = link_ws(buf, len, 0);
	if (i == len)
		return (0);
	for (;;) {
		if (buf[i] != '<')
			return (link_fail(lp, "expected '<'"));
		start = ++i;
		while (i < len && buf[i] != '>') {
			if ((unsigned char)buf[i] <= ' ' || buf[i] == '<' || buf[i] == 0x7f)
				return (link_fail(lp, "bad character in a link target"));
			i++;
		}
		if (i == len)
			return (link_fail(lp, "unterminated link target"));
		if (i == start)
			return (link_fail(lp, "empty link target"));
		if (lp->link != NULL && (error = lp->link(lp->arg, buf + start, i - start)) != 0)
			return (error);
		i = link_ws(buf, len, i + 1);
		while (i < len && buf[i] == ';') {
			i++;
			if ((error = link_param(lp, buf, len, &i)) != 0)
				return (error);
			i = link_ws(buf, len, i);
		}
		if (i == len)
			return (0);
		if (buf[i] != ',')
			return (link_fail(lp, "expected ',' between links"));
		i = link_ws(buf, len, i + 1);
		if (i == len)
			return (link_fail(lp, "trailing ','"));
	}
}
