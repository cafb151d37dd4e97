/* Paths: text form "/oid/iid/rid/riid" and CoAP Uri-Path segments. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dm.h"

/* Decimal 0..65534 of exactly len bytes. */
static int
dm_path_id(const uint8_t *s, size_t len, uint16_t *id)
{
	unsigned long	v = 0;
	size_t		i;

	if (len == 0 || len > 5)
		return (-1);
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > LWM2M_ID_MAX)
		return (-1);
	*id = (uint16_t)v;
	return (0);
}

int
dm_path_push(struct lwm2m_path *p, const uint8_t *seg, size_t len)
{
	uint16_t	id;

	/* Some clients send "/" as one empty Uri-Path option. */
	if (len == 0 && p->len == 0)
		return (0);
	if (p->len >= 4 || dm_path_id(seg, len, &id) != 0)
		return (-1);
	p->ids[p->len++] = id;
	return (0);
}

int
dm_path_parse(const char *s, struct lwm2m_path *p)
{
	struct lwm2m_path	 tmp = LWM2M_PATH_ROOT;
	const char		*e;

	if (s == NULL || *s != '/')
		return (-1);
	if (s[1] == '\0') {
		*p = tmp;
		return (0);
	}
	while (*s == '/') {
		s++;
		e = strchr(s, '/');
		if (e == NULL)
			e = s + strlen(s);
		if (e == s || tmp.len >= 4)
			return (-1);
		if (dm_path_id((const uint8_t *)s, (size_t)(e - s),
		    &tmp.ids[tmp.len]) != 0)
			return (-1);
		tmp.len++;
		s = e;
	}
	if (*s != '\0')
		return (-1);
	*p = tmp;
	return (0);
}

int
dm_path_format(const struct lwm2m_path *p, char *buf, size_t len)
{
	size_t	off = 0, i;
	int	n;

	if (p->len > 4)
		return (-1);
	if (p->len == 0)
		return (snprintf(buf, len, "/"));
	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < p->len; i++) {
		n = snprintf(buf + (off < len ? off : len),
		    off < len ? len - off : 0, "/%u", p->ids[i]);
		if (n < 0)
			return (-1);
		off += (size_t)n;
	}
	return ((int)off);
}

bool
dm_path_equal(const struct lwm2m_path *a, const struct lwm2m_path *b)
{
	size_t	i;

	if (a->len != b->len)
		return (false);
	for (i = 0; i < a->len; i++) {
		if (a->ids[i] != b->ids[i])
			return (false);
	}
	return (true);
}

bool
dm_path_is_prefix(const struct lwm2m_path *a, const struct lwm2m_path *b)
{
	size_t	i;

	if (a->len > b->len)
		return (false);
	for (i = 0; i < a->len; i++) {
		if (a->ids[i] != b->ids[i])
			return (false);
	}
	return (true);
}
