/*
 * Commands of the LwM2M Server role toward a registered client: Read, Discover, Write,
 * Write-Attributes, Execute, Create, Delete, Observe, Cancel-Observe and forget.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "operator.h"

struct opsrvcmd_ctx {
	struct op		*op;
	const char		*tag;
	char			**argv;
	int			 argc;
	const char		*line;
	struct opsrv_reg	*reg;
	const char		*path;
	uint16_t		 ids[4];
	int			 nids;
};

struct opsrvcmd_entry {
	const char	*name;
	int		 minargs;	/* including the command name */
	int		(*fn)(struct opsrvcmd_ctx *, char **);
	const char	*usage;
};

static const struct {
	const char	*name;
	int		 cf;
} opsrvcmd_formats[] = {
	{ "text", OP_CF_TEXT },
	{ "link", OP_CF_LINK },
	{ "opaque", OP_CF_OPAQUE },
	{ "cbor", OP_CF_CBOR },
	{ "senml", OP_CF_SENML_JSON },
	{ "senml-json", OP_CF_SENML_JSON },
	{ "senml-cbor", OP_CF_SENML_CBOR },
	{ "tlv", OP_CF_TLV },
	{ "json", OP_CF_JSON },
};

static int
opsrvcmd_format(const char *s, int *cf, char **cause)
{
	size_t	i;
	char	*end;
	long	v;

	for (i = 0; i < sizeof opsrvcmd_formats / sizeof opsrvcmd_formats[0]; i++) {
		if (strcmp(s, opsrvcmd_formats[i].name) == 0) {
			*cf = opsrvcmd_formats[i].cf;
			return (0);
		}
	}
	v = strtol(s, &end, 10);
	if (*s != '\0' && *end == '\0' && v >= 0 && v <= 65535) {
		*cf = (int)v;
		return (0);
	}
	*cause = oputil_xasprintf("unknown format %s", s);
	return (-1);
}

/* The text of line after its first n words. */
static const char *
opsrvcmd_rest(const char *line, int n)
{
	const char	*p = line;

	while (isspace((unsigned char)*p))
		p++;
	for (; n > 0; n--) {
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		while (isspace((unsigned char)*p))
			p++;
	}
	return (p);
}

static void
opsrvcmd_response_cb(struct op *op, struct opreq *req, const coap_pdu_t *pdu,
    const char *error)
{
	struct opevent	 ev;
	const char	*name;

	/* An observation that fails once established ends rather than answers. */
	if (error != NULL)
		name = req->nresp > 0 ? "observe-end" : "response";
	else
		name = req->nresp > 1 ? "notify" : "response";
	opevent_begin(&ev, op, name);
	opevent_str(&ev, "cmd", req->what);
	opevent_str(&ev, "ep", req->ep);
	opevent_str(&ev, "path", req->path);
	opevent_str(&ev, "tag", req->tag);
	if (req->nresp > 1 && error == NULL)
		opevent_int(&ev, "n", req->nresp - 1);
	if (error != NULL)
		opevent_str(&ev, "error", error);
	else
		opevent_pdu(&ev, req->ids, req->nids, pdu);
	opevent_end(&ev);
}

static int
opsrvcmd_send(struct opsrvcmd_ctx *c, const char *what, struct opmsg *m,
    char **cause)
{
	struct opreq	*req;

	m->path = c->path;
	req = opreq_send(c->op, c->reg->session, m, opsrvcmd_response_cb, NULL,
	    cause);
	if (req == NULL)
		return (-1);
	opreq_set_names(req, what, c->reg->ep, c->path);
	if (c->tag != NULL)
		req->tag = oputil_xstrdup(c->tag);
	return (0);
}

static void
opsrvcmd_msg(struct opmsg *m, coap_pdu_code_t code)
{
	memset(m, 0, sizeof *m);
	m->code = code;
	m->accept = m->cf = OP_CF_NONE;
	m->observe = -1;
}

static int
opsrvcmd_read(struct opsrvcmd_ctx *c, char **cause)
{
	struct opmsg	m;

	opsrvcmd_msg(&m, COAP_REQUEST_CODE_GET);
	if (c->argc > 3 && opsrvcmd_format(c->argv[3], &m.accept, cause) != 0)
		return (-1);
	return (opsrvcmd_send(c, "read", &m, cause));
}

static int
opsrvcmd_discover(struct opsrvcmd_ctx *c, char **cause)
{
	struct opmsg	m;

	opsrvcmd_msg(&m, COAP_REQUEST_CODE_GET);
	m.accept = OP_CF_LINK;
	return (opsrvcmd_send(c, "discover", &m, cause));
}

static int
opsrvcmd_delete(struct opsrvcmd_ctx *c, char **cause)
{
	struct opmsg	m;

	opsrvcmd_msg(&m, COAP_REQUEST_CODE_DELETE);
	return (opsrvcmd_send(c, "delete", &m, cause));
}

/* TLV items from words; a bare value is the resource of a resource path. */
static int
opsrvcmd_tlv(struct opsrvcmd_ctx *c, int first, int wrap_iid, struct opbuf *b,
    char **cause)
{
	struct optlv_item	*items;
	struct optlv_inst	 inst;
	int			 i, n = c->argc - first, rc = 0;

	if (n <= 0) {
		*cause = oputil_xstrdup("no values");
		return (-1);
	}
	items = oputil_xcalloc((size_t)n, sizeof *items);
	for (i = 0; i < n && rc == 0; i++) {
		rc = optlv_item_parse(c->argv[first + i], &items[i], cause);
		if (rc == 0 && items[i].rid < 0) {
			if (c->nids < 3) {
				*cause = oputil_xasprintf("%s needs RID=",
				    c->argv[first + i]);
				rc = -1;
			} else {
				items[i].rid = c->ids[2];
				if (c->nids == 4)
					items[i].riid = c->ids[3];
			}
		}
	}
	if (rc == 0 && wrap_iid >= 0) {
		inst.iid = wrap_iid;
		inst.items = items;
		inst.nitems = (size_t)n;
		optlv_encode_instance(b, &inst);
	} else if (rc == 0)
		optlv_encode_resources(b, items, (size_t)n);
	for (i = 0; i < n; i++)
		optlv_item_clear(&items[i]);
	free(items);
	return (rc);
}

static int
opsrvcmd_write_common(struct opsrvcmd_ctx *c, coap_pdu_code_t code,
    const char *what, char **cause)
{
	struct opmsg	 m;
	struct opbuf	 b;
	const char	*rest;
	uint8_t		*bytes;
	size_t		 len;
	int		 rc;

	opsrvcmd_msg(&m, code);
	if (opsrvcmd_format(c->argv[3], &m.cf, cause) != 0)
		return (-1);
	opbuf_init(&b);
	switch (m.cf) {
	case OP_CF_TLV:
	case OP_CF_TLV_OLD:
		if (opsrvcmd_tlv(c, 4, -1, &b, cause) != 0) {
			opbuf_free(&b);
			return (-1);
		}
		break;
	case OP_CF_OPAQUE:
	case OP_CF_CBOR:
	case OP_CF_SENML_CBOR:
		if (c->argc < 5 || oputil_hex_decode(c->argv[4], &bytes, &len) != 0) {
			*cause = oputil_xstrdup("expected hex bytes");
			return (-1);
		}
		opbuf_add(&b, bytes, len);
		free(bytes);
		break;
	default:
		rest = opsrvcmd_rest(c->line, 4);
		opbuf_add(&b, rest, strlen(rest));
		break;
	}
	m.payload = (const uint8_t *)b.p;
	m.len = b.len;
	rc = opsrvcmd_send(c, what, &m, cause);
	opbuf_free(&b);
	return (rc);
}

static int
opsrvcmd_write(struct opsrvcmd_ctx *c, char **cause)
{
	return (opsrvcmd_write_common(c, COAP_REQUEST_CODE_PUT, "write", cause));
}

static int
opsrvcmd_pwrite(struct opsrvcmd_ctx *c, char **cause)
{
	return (opsrvcmd_write_common(c, COAP_REQUEST_CODE_POST, "pwrite", cause));
}

static char *
opsrvcmd_query(struct opsrvcmd_ctx *c, int first)
{
	struct opbuf	b;
	int		i;

	opbuf_init(&b);
	for (i = first; i < c->argc; i++) {
		if (i != first)
			opbuf_addc(&b, '&');
		opbuf_add(&b, c->argv[i], strlen(c->argv[i]));
	}
	return (b.p);
}

static int
opsrvcmd_attributes(struct opsrvcmd_ctx *c, int first, char **cause)
{
	struct opmsg	 m;
	char		*q;
	int		 rc;

	opsrvcmd_msg(&m, COAP_REQUEST_CODE_PUT);
	q = opsrvcmd_query(c, first);
	m.query = q;
	rc = opsrvcmd_send(c, "write-attr", &m, cause);
	free(q);
	return (rc);
}

static int
opsrvcmd_write_attr(struct opsrvcmd_ctx *c, char **cause)
{
	return (opsrvcmd_attributes(c, 3, cause));
}

static int
opsrvcmd_execute(struct opsrvcmd_ctx *c, char **cause)
{
	struct opmsg	 m;
	const char	*rest;

	opsrvcmd_msg(&m, COAP_REQUEST_CODE_POST);
	rest = opsrvcmd_rest(c->line, 3);
	m.payload = (const uint8_t *)rest;
	m.len = strlen(rest);
	return (opsrvcmd_send(c, "execute", &m, cause));
}

static int
opsrvcmd_create(struct opsrvcmd_ctx *c, char **cause)
{
	struct opmsg	 m;
	struct opbuf	 b;
	int		 iid = -1, first = 3, rc;
	char		*end;
	long		 v;

	if (c->nids != 1) {
		*cause = oputil_xstrdup("create needs /oid");
		return (-1);
	}
	if (c->argc > 3 && strncmp(c->argv[3], "iid=", 4) == 0) {
		v = strtol(c->argv[3] + 4, &end, 10);
		if (*end != '\0' || v < 0 || v > 65534) {
			*cause = oputil_xstrdup("bad iid=");
			return (-1);
		}
		iid = (int)v;
		first = 4;
	}
	opsrvcmd_msg(&m, COAP_REQUEST_CODE_POST);
	m.cf = OP_CF_TLV;
	opbuf_init(&b);
	if (opsrvcmd_tlv(c, first, iid, &b, cause) != 0) {
		opbuf_free(&b);
		return (-1);
	}
	m.payload = (const uint8_t *)b.p;
	m.len = b.len;
	rc = opsrvcmd_send(c, "create", &m, cause);
	opbuf_free(&b);
	return (rc);
}

static int
opsrvcmd_observe(struct opsrvcmd_ctx *c, char **cause)
{
	struct opmsg	m;

	if (opreq_find_observe(c->op, c->reg->ep, c->path) != NULL) {
		*cause = oputil_xasprintf("%s is already observed", c->path);
		return (-1);
	}
	/* Attributes first; NSTART 1 keeps the two requests in order. */
	if (c->argc > 3 && opsrvcmd_attributes(c, 3, cause) != 0)
		return (-1);
	opsrvcmd_msg(&m, COAP_REQUEST_CODE_GET);
	m.observe = 0;
	return (opsrvcmd_send(c, "observe", &m, cause));
}

static int
opsrvcmd_cancel(struct opsrvcmd_ctx *c, char **cause)
{
	struct opreq	*req;
	coap_binary_t	 tok;

	if ((req = opreq_find_observe(c->op, c->reg->ep, c->path)) == NULL) {
		*cause = oputil_xasprintf("%s is not observed", c->path);
		return (-1);
	}
	tok.s = req->token;
	tok.length = req->toklen;
	if (!coap_cancel_observe(req->session, &tok, COAP_MESSAGE_CON)) {
		*cause = oputil_xstrdup("libcoap cannot cancel the observation");
		return (-1);
	}
	/* The answer to the cancel carries the observation's token and ends it. */
	free(req->what);
	req->what = oputil_xstrdup("cancel");
	req->observe = 0;
	req->nresp = 0;
	free(req->tag);
	req->tag = c->tag != NULL ? oputil_xstrdup(c->tag) : NULL;
	return (0);
}

static int
opsrvcmd_forget(struct opsrvcmd_ctx *c, char **cause)
{
	struct opreq	*req;
	struct opevent	 ev;

	if ((req = opreq_find_observe(c->op, c->reg->ep, c->path)) == NULL) {
		*cause = oputil_xasprintf("%s is not observed", c->path);
		return (-1);
	}
	req->forgotten = 1;
	opevent_begin(&ev, c->op, "forgotten");
	opevent_str(&ev, "ep", req->ep);
	opevent_str(&ev, "path", req->path);
	opevent_str(&ev, "tag", c->tag);
	opevent_end(&ev);
	return (0);
}

static const struct opsrvcmd_entry opsrvcmd_table[] = {
	{ "read", 3, opsrvcmd_read, "read EP PATH [FORMAT]" },
	{ "discover", 3, opsrvcmd_discover, "discover EP PATH" },
	{ "write", 5, opsrvcmd_write, "write EP PATH FORMAT VALUE..." },
	{ "pwrite", 5, opsrvcmd_pwrite, "pwrite EP PATH FORMAT VALUE..." },
	{ "write-attr", 4, opsrvcmd_write_attr, "write-attr EP PATH ATTR=V..." },
	{ "execute", 3, opsrvcmd_execute, "execute EP PATH [ARGS]" },
	{ "create", 4, opsrvcmd_create, "create EP /OID [iid=N] RID=VALUE..." },
	{ "delete", 3, opsrvcmd_delete, "delete EP PATH" },
	{ "observe", 3, opsrvcmd_observe, "observe EP PATH [ATTR=V...]" },
	{ "cancel", 3, opsrvcmd_cancel, "cancel EP PATH" },
	{ "forget", 3, opsrvcmd_forget, "forget EP PATH" },
};

/* One server command; line is the whole command for its free-text tail. */
int
opsrvcmd_run(struct op *op, const char *tag, char **argv, int argc,
    const char *line, char **cause)
{
	const struct opsrvcmd_entry	*e = NULL;
	struct opsrvcmd_ctx		 c;
	size_t				 i;

	for (i = 0; i < sizeof opsrvcmd_table / sizeof opsrvcmd_table[0]; i++) {
		if (strcmp(argv[0], opsrvcmd_table[i].name) == 0)
			e = &opsrvcmd_table[i];
	}
	if (e == NULL) {
		*cause = oputil_xasprintf("unknown command %s", argv[0]);
		return (-1);
	}
	if (argc < e->minargs) {
		*cause = oputil_xasprintf("usage: %s", e->usage);
		return (-1);
	}
	if (op->srv == NULL) {
		*cause = oputil_xstrdup("the server role is not enabled");
		return (-1);
	}
	memset(&c, 0, sizeof c);
	c.op = op;
	c.tag = tag;
	c.argv = argv;
	c.argc = argc;
	c.line = line;
	c.path = argv[2];
	/* Non-LwM2M paths are allowed so that plain CoAP servers can stand in. */
	if (*c.path != '/') {
		*cause = oputil_xasprintf("bad path %s", c.path);
		return (-1);
	}
	if (oputil_path_parse(c.path, c.ids, &c.nids) != 0)
		c.nids = 0;
	if ((c.reg = opsrv_reg_find(op->srv, argv[1])) == NULL) {
		*cause = oputil_xasprintf("%s is not registered", argv[1]);
		return (-1);
	}
	if (c.reg->session == NULL && e->fn != opsrvcmd_forget) {
		*cause = oputil_xasprintf("no session to %s", argv[1]);
		return (-1);
	}
	return (e->fn(&c, cause));
}
