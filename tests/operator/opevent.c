/*
 * Events of lwgw-operator: one JSON object per line on stdout, flushed per line, with a
 * monotonic timestamp "t" (seconds since start) and the kind in "event".
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operator.h"

void
opevent_begin(struct opevent *ev, struct op *op, const char *name)
{
	uint64_t	t = oputil_now_ms() - op->t0;

	ev->op = op;
	opbuf_init(&ev->b);
	opbuf_printf(&ev->b, "{\"t\":%llu.%03llu,\"event\":",
	    (unsigned long long)(t / 1000), (unsigned long long)(t % 1000));
	opbuf_json(&ev->b, name, strlen(name));
}

static void
opevent_key(struct opevent *ev, const char *key)
{
	opbuf_addc(&ev->b, ',');
	opbuf_json(&ev->b, key, strlen(key));
	opbuf_addc(&ev->b, ':');
}

void
opevent_str(struct opevent *ev, const char *key, const char *value)
{
	if (value == NULL)
		return;
	opevent_strn(ev, key, value, strlen(value));
}

void
opevent_strn(struct opevent *ev, const char *key, const void *value, size_t len)
{
	opevent_key(ev, key);
	opbuf_json(&ev->b, value, len);
}

void
opevent_int(struct opevent *ev, const char *key, long long value)
{
	opevent_key(ev, key);
	opbuf_printf(&ev->b, "%lld", value);
}

void
opevent_bool(struct opevent *ev, const char *key, int value)
{
	opevent_key(ev, key);
	opbuf_printf(&ev->b, "%s", value ? "true" : "false");
}

/* A CoAP code as "2.05". */
void
opevent_code(struct opevent *ev, const char *key, int code)
{
	char	s[8];

	snprintf(s, sizeof s, "%d.%02d", (code >> 5) & 7, code & 31);
	opevent_str(ev, key, s);
}

void
opevent_hex(struct opevent *ev, const char *key, const void *data, size_t len)
{
	opevent_key(ev, key);
	opbuf_hex(&ev->b, data, len);
}

/* A value that is already JSON. */
void
opevent_raw(struct opevent *ev, const char *key, const char *json)
{
	opevent_key(ev, key);
	opbuf_add(&ev->b, json, strlen(json));
}

void
opevent_addr(struct opevent *ev, const char *key, const coap_address_t *addr)
{
	char	host[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN + 16];

	if (addr->addr.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &addr->addr.sin.sin_addr, host, sizeof host);
		snprintf(s, sizeof s, "%s:%u", host,
		    ntohs(addr->addr.sin.sin_port));
	} else if (addr->addr.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &addr->addr.sin6.sin6_addr, host, sizeof host);
		snprintf(s, sizeof s, "[%s]:%u", host,
		    ntohs(addr->addr.sin6.sin6_port));
	} else
		snprintf(s, sizeof s, "?");
	opevent_str(ev, key, s);
}

static const char *
opevent_skip(const char *p, const char *end, const char *stops)
{
	int	quoted = 0, angle = 0;

	for (; p < end; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '<')
			angle = 1;
		else if (!quoted && *p == '>')
			angle = 0;
		else if (!quoted && !angle && strchr(stops, *p) != NULL)
			break;
	}
	return (p);
}

/* CoRE link format to a JSON array of {"path":..., attribute: value...}. */
void
opevent_links(struct opbuf *b, const char *s, size_t len)
{
	const char	*p = s, *end = s + len, *le, *ae, *eq, *lt, *gt;
	int		 first = 1;

	opbuf_addc(b, '[');
	while (p < end) {
		le = opevent_skip(p, end, ",");
		lt = memchr(p, '<', (size_t)(le - p));
		gt = lt != NULL ? memchr(lt, '>', (size_t)(le - lt)) : NULL;
		if (lt != NULL && gt != NULL) {
			if (!first)
				opbuf_addc(b, ',');
			first = 0;
			opbuf_add(b, "{\"path\":", 8);
			opbuf_json(b, lt + 1, (size_t)(gt - lt - 1));
			for (p = gt + 1; p < le && *p == ';'; p = ae) {
				p++;
				ae = opevent_skip(p, le, ";");
				eq = memchr(p, '=', (size_t)(ae - p));
				if (eq == NULL) {
					opbuf_addc(b, ',');
					opbuf_json(b, p, (size_t)(ae - p));
					opbuf_add(b, ":true", 5);
					continue;
				}
				opbuf_addc(b, ',');
				opbuf_json(b, p, (size_t)(eq - p));
				opbuf_addc(b, ':');
				eq++;
				if (ae - eq >= 2 && *eq == '"' && ae[-1] == '"')
					opbuf_json(b, eq + 1, (size_t)(ae - eq - 2));
				else
					opbuf_json(b, eq, (size_t)(ae - eq));
			}
			opbuf_addc(b, '}');
		}
		p = le + 1;
	}
	opbuf_addc(b, ']');
}

/* A payload decoded by its content format; never fails, bad input becomes a field. */
void
opevent_payload(struct opevent *ev, const uint16_t *ids, int nids, int cf,
    const uint8_t *data, size_t len)
{
	struct opbuf	 b;
	char		*cause = NULL;

	if (cf != OP_CF_NONE)
		opevent_int(ev, "cf", cf);
	opevent_int(ev, "len", (long long)len);
	if (len == 0)
		return;
	switch (cf) {
	case OP_CF_NONE:
	case OP_CF_TEXT:
	case OP_CF_SENML_JSON:
	case OP_CF_JSON:
	case 50:
		opevent_strn(ev, "payload", data, len);
		break;
	case OP_CF_LINK:
		opevent_strn(ev, "payload", data, len);
		opevent_key(ev, "links");
		opevent_links(&ev->b, (const char *)data, len);
		break;
	case OP_CF_TLV:
	case OP_CF_TLV_OLD:
		opbuf_init(&b);
		if (optlv_decode_json(&b, ids, nids, data, len, &cause) == 0)
			opevent_raw(ev, "tlv", b.p);
		else {
			opevent_str(ev, "decode_error", cause);
			opevent_key(ev, "hex");
			opbuf_hex(&ev->b, data, len);
			free(cause);
		}
		opbuf_free(&b);
		break;
	default:
		opevent_key(ev, "hex");
		opbuf_hex(&ev->b, data, len);
		break;
	}
}

static int
opevent_uint_option(const coap_pdu_t *pdu, uint16_t number, long long *value)
{
	coap_opt_iterator_t	 it;
	coap_opt_t		*opt;

	if ((opt = coap_check_option(pdu, number, &it)) == NULL)
		return (-1);
	*value = coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt));
	return (0);
}

/* Code, Observe sequence and payload of a PDU. */
void
opevent_pdu(struct opevent *ev, const uint16_t *ids, int nids, const coap_pdu_t *pdu)
{
	const uint8_t	*data = NULL;
	size_t		 len = 0, off, total;
	long long	 v;
	int		 cf = OP_CF_NONE;

	static const char *types[] = { "CON", "NON", "ACK", "RST" };

	opevent_code(ev, "code", coap_pdu_get_code(pdu));
	opevent_str(ev, "type", types[coap_pdu_get_type(pdu) & 3]);
	if (opevent_uint_option(pdu, COAP_OPTION_OBSERVE, &v) == 0)
		opevent_int(ev, "observe", v);
	if (opevent_uint_option(pdu, COAP_OPTION_CONTENT_FORMAT, &v) == 0)
		cf = (int)v;
	if (!coap_get_data_large(pdu, &len, &data, &off, &total))
		len = 0;
	opevent_payload(ev, ids, nids, cf, data, len);
}

void
opevent_end(struct opevent *ev)
{
	opbuf_add(&ev->b, "}\n", 2);
	fwrite(ev->b.p, 1, ev->b.len, stdout);
	fflush(stdout);
	if (ev->op->ctl != NULL)
		opctl_broadcast(ev->op->ctl, ev->b.p, ev->b.len);
	opbuf_free(&ev->b);
}

/* An "error" event: what failed (e.g. the command) and why. */
void
opevent_error(struct op *op, const char *what, const char *fmt, ...)
{
	struct opevent	 ev;
	va_list		 ap;
	char		*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oputil_fatal("out of memory");
	va_end(ap);
	opevent_begin(&ev, op, "error");
	opevent_str(&ev, "what", what);
	opevent_str(&ev, "error", s);
	opevent_end(&ev);
	free(s);
}
