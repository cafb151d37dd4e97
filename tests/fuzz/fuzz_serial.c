/*
 * libFuzzer target: serial line frames. Properties: the parser never reads outside the
 * line; a value that types as T formats back into a frame that parses and types to the
 * same value; a frame the encoder produces always parses.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serial_proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const enum lwm2m_type fuzz_serial_types[] = {
	LWM2M_TYPE_STRING, LWM2M_TYPE_INTEGER, LWM2M_TYPE_UNSIGNED, LWM2M_TYPE_FLOAT,
	LWM2M_TYPE_BOOLEAN, LWM2M_TYPE_OPAQUE, LWM2M_TYPE_TIME, LWM2M_TYPE_OBJLNK,
	LWM2M_TYPE_CORELNK,
};

static bool
fuzz_serial_same(const struct lwm2m_value *a, const struct lwm2m_value *b)
{
	switch (a->type) {
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_OPAQUE:
	case LWM2M_TYPE_CORELNK:
		return (a->v.bytes.len == b->v.bytes.len &&
		    memcmp(a->v.bytes.ptr, b->v.bytes.ptr, a->v.bytes.len) == 0);
	case LWM2M_TYPE_FLOAT:
		return (a->v.f == b->v.f);
	case LWM2M_TYPE_BOOLEAN:
		return (a->v.b == b->v.b);
	case LWM2M_TYPE_UNSIGNED:
		return (a->v.u == b->v.u);
	case LWM2M_TYPE_OBJLNK:
		return (a->v.objlnk.oid == b->v.objlnk.oid &&
		    a->v.objlnk.iid == b->v.objlnk.iid);
	default:
		return (a->v.i == b->v.i);
	}
}

/* Re-encode a typed value as a WRITE and parse it back. */
static void
fuzz_serial_roundtrip(const struct lwm2m_value *v)
{
	struct serial_frame	f;
	struct lwm2m_value	back;
	enum serial_bad		bad;
	char			body[SERIAL_PROTO_LINE_MAX], frame[SERIAL_PROTO_LINE_MAX + 1];
	size_t			off = 0;
	int			n;

	memcpy(body, "WRITE 1 /1/0/1 ", 15);
	off = 15;
	body[off] = '\0';
	if (serial_proto_format_value(body, sizeof body, &off, v) != 0)
		return;		/* too long for a line: refused, fine */
	if ((n = serial_proto_frame(frame, sizeof frame, 0, body)) < 0)
		return;
	if (serial_proto_parse(frame, (size_t)n - 2, &f, &bad) != 0)
		abort();
	if (serial_proto_value(&f.arg, v->type, &back) != 0 ||
	    !fuzz_serial_same(v, &back))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct serial_frame	 f;
	struct lwm2m_value	 v;
	enum serial_bad		 bad;
	struct serial_token	*tok[SERIAL_PROTO_REPORTS_MAX + 1];
	char			*line;
	size_t			 i, j, ntok = 0;

	if (size > 4 * SERIAL_PROTO_LINE_MAX)
		return (0);
	/* Exactly size bytes, as the driver's line buffer holds them. */
	if ((line = malloc(size == 0 ? 1 : size)) == NULL)
		abort();
	memcpy(line, data, size);
	if (serial_proto_parse(line, size, &f, &bad) != 0) {
		if (bad == SERIAL_BAD_NONE || bad >= SERIAL_BAD_NKINDS)
			abort();
		free(line);
		return (0);
	}
	if (f.addr > SERIAL_PROTO_ADDR_MAX || f.nreports > SERIAL_PROTO_REPORTS_MAX ||
	    f.niids > SERIAL_PROTO_IIDS_MAX)
		abort();
	for (i = 0; i < f.nreports; i++)
		tok[ntok++] = &f.reports[i].value;
	if (f.arg.p != NULL)
		tok[ntok++] = &f.arg;
	for (i = 0; i < ntok; i++) {
		for (j = 0; j < sizeof fuzz_serial_types / sizeof *fuzz_serial_types;
		    j++) {
			if (serial_proto_value(tok[i], fuzz_serial_types[j], &v) == 0)
				fuzz_serial_roundtrip(&v);
		}
	}
	free(line);
	return (0);
}
