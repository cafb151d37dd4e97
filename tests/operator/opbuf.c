/* Growable byte buffer of lwgw-operator, with the JSON encoding of strings and bytes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operator.h"

void
opbuf_init(struct opbuf *b)
{
	b->p = NULL;
	b->len = b->size = 0;
}

void
opbuf_free(struct opbuf *b)
{
	free(b->p);
	opbuf_init(b);
}

void
opbuf_add(struct opbuf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->size) {
		b->size = (b->len + len + 1) * 2;
		b->p = oputil_xrealloc(b->p, b->size);
	}
	if (len != 0)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void
opbuf_addc(struct opbuf *b, int c)
{
	char	ch = (char)c;

	opbuf_add(b, &ch, 1);
}

void
opbuf_printf(struct opbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		oputil_fatal("out of memory");
	opbuf_add(b, s, (size_t)n);
	free(s);
}

/* A JSON string; bytes outside printable ASCII are escaped one by one (\u00XX). */
void
opbuf_json(struct opbuf *b, const void *data, size_t len)
{
	const unsigned char	*p = data;
	size_t			 i;

	opbuf_addc(b, '"');
	for (i = 0; i < len; i++) {
		switch (p[i]) {
		case '"':
			opbuf_add(b, "\\\"", 2);
			break;
		case '\\':
			opbuf_add(b, "\\\\", 2);
			break;
		case '\n':
			opbuf_add(b, "\\n", 2);
			break;
		case '\r':
			opbuf_add(b, "\\r", 2);
			break;
		case '\t':
			opbuf_add(b, "\\t", 2);
			break;
		default:
			if (p[i] < 0x20 || p[i] > 0x7e)
				opbuf_printf(b, "\\u%04x", p[i]);
			else
				opbuf_addc(b, p[i]);
			break;
		}
	}
	opbuf_addc(b, '"');
}

void
opbuf_hex(struct opbuf *b, const void *data, size_t len)
{
	const unsigned char	*p = data;
	size_t			 i;

	opbuf_addc(b, '"');
	for (i = 0; i < len; i++)
		opbuf_printf(b, "%02x", p[i]);
	opbuf_addc(b, '"');
}

/* The contents as a C string ("" when empty); the buffer keeps ownership. */
char *
opbuf_cstr(struct opbuf *b)
{
	if (b->p == NULL)
		opbuf_add(b, "", 0);
	return (b->p);
}
