/* Test helpers for the LwM2M layer (see vclient_test.h). */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <coap3/coap.h>

#include "vclient_test.h"
#include "xmalloc.h"

struct cfg *
vt_cfg(size_t n, const uint16_t *ports, int lifetime)
{
	struct cfg	*cfg = xcalloc(1, sizeof *cfg);
	size_t		 i;

	cfg->gateway.state_dir = xstrdup("");
	cfg->gateway.endpoint = xstrdup("{link}-{id}");
	cfg->gateway.bind = xstrdup("127.0.0.1");
	cfg->gateway.allow_insecure = true;
	cfg->gateway.objects_dir = xstrdup("");
	cfg->coap.ack_timeout_ms = 300;
	cfg->coap.ack_random_factor = 1.0;
	cfg->coap.max_retransmit = 1;
	cfg->coap.nstart = 1;
	cfg->coap.max_message_size = 1152;
	cfg->coap.block_size = 1024;
	cfg->nservers = n;
	cfg->servers = xcalloc(n == 0 ? 1 : n, sizeof *cfg->servers);
	for (i = 0; i < n; i++) {
		struct cfg_account *a = &cfg->servers[i];

		a->ssid = 101 + (int)i;
		xasprintf(&a->uri, "coap://127.0.0.1:%u", ports[i]);
		a->security = CFG_SECURITY_NOSEC;
		a->lifetime = lifetime;
		a->binding = xstrdup("U");
		a->notification_storing = true;
		a->disable_timeout = 86400;
	}
	return cfg;
}

void
vt_cfg_free(struct cfg *cfg)
{
	size_t	i;

	for (i = 0; i < cfg->nservers; i++) {
		free(cfg->servers[i].uri);
		free(cfg->servers[i].binding);
	}
	free(cfg->servers);
	free(cfg->gateway.state_dir);
	free(cfg->gateway.endpoint);
	free(cfg->gateway.bind);
	free(cfg->gateway.objects_dir);
	free(cfg);
}

void
vt_params(struct vclient_params *p)
{
	vclient_params_default(p);
	p->retry_base_ms = 200;
	p->retry_cap_ms = 800;
	p->retry_attempts = 3;
	p->backend_timeout_ms = 300;
	p->shutdown_timeout_ms = 1000;
	p->bootstrap_retry_ms = 500;
}

int
vt_server_open(struct vt_server *s)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;

	memset(s, 0, sizeof *s);
	s->next_mid = 0x4000;
	if ((s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s->fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    getsockname(s->fd, (struct sockaddr *)&sin, &len) != 0) {
		close(s->fd);
		return -1;
	}
	s->port = ntohs(sin.sin_port);
	return 0;
}

void
vt_server_close(struct vt_server *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static uint64_t
vt_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
vt_run(struct event_base *base, int ms)
{
	uint64_t	end = vt_now() + (uint64_t)ms;

	while (vt_now() < end) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		poll(NULL, 0, 5);
	}
	event_base_loop(base, EVLOOP_NONBLOCK);
}

static void
vt_append(char *buf, size_t size, char sep, const uint8_t *v, size_t len)
{
	size_t	n = strlen(buf);

	if (n > 0 && n + 1 < size)
		buf[n++] = sep;
	if (n + len >= size)
		len = size - n - 1;
	memcpy(buf + n, v, len);
	buf[n + len] = '\0';
}

static bool
vt_parse(const uint8_t *data, size_t len, struct vt_msg *m)
{
	coap_pdu_t		*pdu;
	coap_opt_iterator_t	 oi;
	coap_opt_t		*opt;
	coap_bin_const_t	 tok;
	const uint8_t		*pl;
	size_t			 pllen;

	memset(m, 0, sizeof *m);
	m->observe = -1;
	m->format = -1;
	pdu = coap_pdu_init(0, 0, 0, len);
	if (pdu == NULL || !coap_pdu_parse(COAP_PROTO_UDP, data, len, pdu)) {
		coap_delete_pdu(pdu);
		return false;
	}
	m->type = (uint8_t)coap_pdu_get_type(pdu);
	m->code = (uint8_t)coap_pdu_get_code(pdu);
	m->mid = (uint16_t)coap_pdu_get_mid(pdu);
	tok = coap_pdu_get_token(pdu);
	m->tkl = (uint8_t)(tok.length > 8 ? 8 : tok.length);
	memcpy(m->token, tok.s, m->tkl);
	coap_option_iterator_init(pdu, &oi, COAP_OPT_ALL);
	while ((opt = coap_option_next(&oi)) != NULL) {
		const uint8_t	*v = coap_opt_value(opt);
		size_t		 l = coap_opt_length(opt);

		switch (oi.number) {
		case COAP_OPTION_OBSERVE:
			m->observe = coap_decode_var_bytes(v, l);
			break;
		case COAP_OPTION_CONTENT_FORMAT:
			m->format = (int32_t)coap_decode_var_bytes(v, l);
			break;
		case COAP_OPTION_URI_PATH:
		case COAP_OPTION_LOCATION_PATH:
			vt_append(m->path, sizeof m->path, '/', v, l);
			break;
		case COAP_OPTION_URI_QUERY:
			vt_append(m->query, sizeof m->query, '&', v, l);
			break;
		}
	}
	if (coap_get_data(pdu, &pllen, &pl) && pllen > 0) {
		if (pllen > sizeof m->payload)
			pllen = sizeof m->payload;
		memcpy(m->payload, pl, pllen);
		m->len = pllen;
	}
	coap_delete_pdu(pdu);
	return true;
}

bool
vt_recv(struct vt_server *s, struct event_base *base, int timeout_ms, struct vt_msg *m,
    bool skip_empty)
{
	uint64_t		end = vt_now() + (uint64_t)timeout_ms;
	uint8_t			buf[8192];
	struct sockaddr_in	from;
	socklen_t		flen;
	ssize_t			n;

	while (vt_now() < end) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		flen = sizeof from;
		n = recvfrom(s->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
		if (n < 0) {
			poll(NULL, 0, 2);
			continue;
		}
		if (!vt_parse(buf, (size_t)n, m))
			continue;
		m->from_port = ntohs(from.sin_port);
		if (skip_empty && m->code == 0)
			continue;
		return true;
	}
	return false;
}

void
vt_send_init(struct vt_send *v)
{
	memset(v, 0, sizeof *v);
	v->type = 0;
	v->observe = -1;
	v->format = -1;
	v->accept = -1;
}

/* Options as (number, value) in ascending number order. */
struct vt_opt {
	uint16_t	 num;
	uint8_t		 val[64];
	size_t		 len;
};

static size_t
vt_uint(uint8_t *b, uint32_t v)
{
	size_t	n = 0;

	if (v > 0xffffff)
		b[n++] = (uint8_t)(v >> 24);
	if (v > 0xffff)
		b[n++] = (uint8_t)(v >> 16);
	if (v > 0xff)
		b[n++] = (uint8_t)(v >> 8);
	if (v > 0)
		b[n++] = (uint8_t)v;
	return n;
}

static void
vt_opt_strs(struct vt_opt *o, size_t *n, uint16_t num, const char *s, char sep)
{
	const char	*e;

	while (s != NULL && *s != '\0') {
		e = strchr(s, sep);
		if (e == NULL)
			e = s + strlen(s);
		o[*n].num = num;
		o[*n].len = (size_t)(e - s);
		memcpy(o[*n].val, s, o[*n].len);
		(*n)++;
		s = *e != '\0' ? e + 1 : e;
	}
}

static size_t
vt_opt_hdr(uint8_t *b, uint32_t delta, size_t len)
{
	size_t	n = 1;
	uint8_t	d, l;

	d = delta < 13 ? (uint8_t)delta : delta < 269 ? 13 : 14;
	l = len < 13 ? (uint8_t)len : len < 269 ? 13 : 14;
	b[0] = (uint8_t)(d << 4 | l);
	if (d == 13)
		b[n++] = (uint8_t)(delta - 13);
	else if (d == 14) {
		b[n++] = (uint8_t)((delta - 269) >> 8);
		b[n++] = (uint8_t)(delta - 269);
	}
	if (l == 13)
		b[n++] = (uint8_t)(len - 13);
	else if (l == 14) {
		b[n++] = (uint8_t)((len - 269) >> 8);
		b[n++] = (uint8_t)(len - 269);
	}
	return n;
}

uint16_t
vt_send(struct vt_server *s, uint16_t port, const struct vt_send *v)
{
	struct vt_opt		 o[VT_MAX_OPT];
	struct sockaddr_in	 to;
	uint8_t			 buf[8192];
	size_t			 n = 0, i, off;
	uint16_t		 mid = v->mid != 0 ? v->mid : s->next_mid++;
	uint16_t		 last = 0;

	if (v->observe >= 0) {
		o[n].num = 6;
		o[n].len = vt_uint(o[n].val, (uint32_t)v->observe);
		n++;
	}
	vt_opt_strs(o, &n, 8, v->location, '/');
	vt_opt_strs(o, &n, 11, v->path, '/');
	if (v->format >= 0) {
		o[n].num = 12;
		o[n].len = vt_uint(o[n].val, (uint32_t)v->format);
		n++;
	}
	vt_opt_strs(o, &n, 15, v->query, '&');
	if (v->accept >= 0) {
		o[n].num = 17;
		o[n].len = vt_uint(o[n].val, (uint32_t)v->accept);
		n++;
	}
	buf[0] = (uint8_t)(0x40 | (v->type << 4) | v->tkl);
	buf[1] = v->code;
	buf[2] = (uint8_t)(mid >> 8);
	buf[3] = (uint8_t)mid;
	if (v->tkl > 0)
		memcpy(buf + 4, v->token, v->tkl);
	off = 4 + v->tkl;
	for (i = 0; i < n; i++) {
		off += vt_opt_hdr(buf + off, o[i].num - last, o[i].len);
		memcpy(buf + off, o[i].val, o[i].len);
		off += o[i].len;
		last = o[i].num;
	}
	if (v->len > 0) {
		buf[off++] = 0xff;
		memcpy(buf + off, v->payload, v->len);
		off += v->len;
	}
	memset(&to, 0, sizeof to);
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(port);
	sendto(s->fd, buf, off, 0, (struct sockaddr *)&to, sizeof to);
	return mid;
}

void
vt_reply(struct vt_server *s, const struct vt_msg *m, uint8_t code, const char *location)
{
	struct vt_send	v;

	vt_send_init(&v);
	v.type = m->type == 0 ? 2 : 1;		/* ACK for CON, NON for NON */
	v.code = code;
	v.mid = m->type == 0 ? m->mid : 0;
	if (code != 0) {		/* an empty message has no token */
		v.token = m->token;
		v.tkl = m->tkl;
	}
	v.location = location;
	vt_send(s, m->from_port, &v);
}

bool
vt_request(struct vt_server *s, struct event_base *base, uint16_t port,
    const struct vt_send *v, struct vt_msg *rsp)
{
	uint16_t	mid = vt_send(s, port, v);
	int		tries;

	for (tries = 0; tries < 20; tries++) {
		if (!vt_recv(s, base, 2000, rsp, false))
			return false;
		/* The response to our CON request: an ACK with our MID. */
		if (rsp->type == 2 && rsp->mid == mid && rsp->code != 0)
			return true;
		if (rsp->type == 2 && rsp->mid == mid) {
			/* Empty ACK: a separate response follows (same token). */
			while (vt_recv(s, base, 3000, rsp, true)) {
				if (rsp->tkl == v->tkl &&
				    memcmp(rsp->token, v->token, v->tkl) == 0) {
					if (rsp->type == 0) {
						struct vt_send a;

						vt_send_init(&a);
						a.type = 2;
						a.mid = rsp->mid;
						vt_send(s, port, &a);
					}
					return true;
				}
			}
			return false;
		}
	}
	return false;
}

bool
vt_accept_register(struct vt_server *s, struct event_base *base, const char *loc,
    struct vt_msg *reg)
{
	char	location[64];

	while (vt_recv(s, base, 3000, reg, true)) {
		if (reg->code == 2 && strcmp(reg->path, "rd") == 0) {
			snprintf(location, sizeof location, "rd/%s", loc);
			vt_reply(s, reg, 65, location);	/* 2.01 */
			vt_run(base, 20);
			return true;
		}
	}
	return false;
}
