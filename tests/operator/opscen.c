/*
 * The operator's configuration file (libconfig): listening ports of both roles, PSKs and
 * the bootstrap scenario of each endpoint. The format is documented in docs/operator.md.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "operator.h"

static const char *const opscen_top_keys[] = {
	"bootstrap", "server", "ack_timeout_ms", "max_retransmit", NULL
};
static const char *const opscen_role_keys[] = {
	"address", "port", "dtls_port", "endpoints", "psk", NULL
};
static const char *const opscen_ep_keys[] = {
	"name", "psk_identity", "psk_key", "reject", "delay_ms", "steps", NULL
};
static const char *const opscen_step_keys[] = {
	"op", "path", "expect", "instances", "values", "value", "text",
	"instance_tlv", NULL
};
static const char *const opscen_inst_keys[] = { "id", "values", NULL };
static const char *const opscen_psk_keys[] = { "identity", "key", NULL };

static const char *const opscen_kind_names[] = {
	[OPSCEN_DISCOVER] = "discover",
	[OPSCEN_READ] = "read",
	[OPSCEN_DELETE] = "delete",
	[OPSCEN_WRITE] = "write",
	[OPSCEN_FINISH] = "finish",
};

const char *
opscen_kind_name(enum opscen_kind kind)
{
	return (opscen_kind_names[kind]);
}

static struct opscen *
opscen_new(void)
{
	struct opscen	*sc;

	sc = oputil_xcalloc(1, sizeof *sc);
	TAILQ_INIT(&sc->eps);
	TAILQ_INIT(&sc->psks);
	sc->bs.port = sc->bs.dtls_port = -1;
	sc->srv.port = sc->srv.dtls_port = -1;
	sc->bs.address = oputil_xstrdup("127.0.0.1");
	sc->srv.address = oputil_xstrdup("127.0.0.1");
	sc->ack_timeout_ms = 2000;
	sc->max_retransmit = 4;
	return (sc);
}

/* Without a file: a NoSec LwM2M Server on an ephemeral port of 127.0.0.1. */
struct opscen *
opscen_default(void)
{
	struct opscen	*sc;

	sc = opscen_new();
	sc->srv.enabled = 1;
	sc->srv.port = 0;
	return (sc);
}

static void
opscen_step_clear(struct opscen_step *st)
{
	size_t	i;

	free(st->path);
	for (i = 0; i < st->ninsts; i++)
		optlv_inst_clear(&st->insts[i]);
	free(st->insts);
	for (i = 0; i < st->nitems; i++)
		optlv_item_clear(&st->items[i]);
	free(st->items);
	free(st->text);
}

void
opscen_free(struct opscen *sc)
{
	struct opscen_ep	*ep;
	struct opscen_psk	*psk;
	size_t			 i;

	if (sc == NULL)
		return;
	while ((ep = TAILQ_FIRST(&sc->eps)) != NULL) {
		TAILQ_REMOVE(&sc->eps, ep, entry);
		for (i = 0; i < ep->nsteps; i++)
			opscen_step_clear(&ep->steps[i]);
		free(ep->steps);
		free(ep->name);
		free(ep->identity);
		free(ep->key);
		free(ep);
	}
	while ((psk = TAILQ_FIRST(&sc->psks)) != NULL) {
		TAILQ_REMOVE(&sc->psks, psk, entry);
		free(psk->identity);
		free(psk->key);
		free(psk);
	}
	free(sc->bs.address);
	free(sc->srv.address);
	free(sc);
}

struct opscen_ep *
opscen_ep_find(struct opscen *sc, const char *name)
{
	struct opscen_ep	*ep;

	TAILQ_FOREACH(ep, &sc->eps, entry) {
		if (strcmp(ep->name, name) == 0)
			return (ep);
	}
	return (NULL);
}

struct opscen_ep *
opscen_ep_find_identity(struct opscen *sc, const char *id, size_t len)
{
	struct opscen_ep	*ep;

	TAILQ_FOREACH(ep, &sc->eps, entry) {
		if (ep->key != NULL && strlen(ep->identity) == len &&
		    memcmp(ep->identity, id, len) == 0)
			return (ep);
	}
	return (NULL);
}

/* Error with the line of the setting: "file:line: message". */
static int opscen_err(char **, const config_setting_t *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
opscen_err(char **cause, const config_setting_t *s, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		oputil_fatal("out of memory");
	va_end(ap);
	*cause = oputil_xasprintf("%s:%d: %s",
	    config_setting_source_file(s) != NULL ? config_setting_source_file(s) :
	    "?", config_setting_source_line(s), msg);
	free(msg);
	return (-1);
}

static int
opscen_check_keys(const config_setting_t *s, const char *const *keys, char **cause)
{
	config_setting_t	*m;
	const char		*name;
	int			 i, k;

	if (!config_setting_is_group(s))
		return (opscen_err(cause, s, "%s: expected a group", "setting"));
	for (i = 0; (m = config_setting_get_elem(s, (unsigned)i)) != NULL; i++) {
		name = config_setting_name(m);
		for (k = 0; keys[k] != NULL; k++) {
			if (strcmp(keys[k], name) == 0)
				break;
		}
		if (keys[k] == NULL)
			return (opscen_err(cause, m, "unknown key %s", name));
	}
	return (0);
}

/* "hex:0011..." or literal text. */
static int
opscen_key(const config_setting_t *s, const char *str, uint8_t **key, size_t *len,
    char **cause)
{
	if (strncmp(str, "hex:", 4) == 0) {
		if (oputil_hex_decode(str + 4, key, len) != 0 || *len == 0)
			return (opscen_err(cause, s, "bad key %s", "(hex)"));
		return (0);
	}
	if (*str == '\0')
		return (opscen_err(cause, s, "empty %s", "key"));
	*key = (uint8_t *)oputil_xstrdup(str);
	*len = strlen(str);
	return (0);
}

static int
opscen_items(const config_setting_t *list, struct optlv_item **items, size_t *n,
    char **cause)
{
	const char	*s;
	char		*why;
	int		 i, cnt;

	if (!config_setting_is_aggregate(list))
		return (opscen_err(cause, list, "%s must be a list of strings",
		    config_setting_name(list)));
	cnt = config_setting_length(list);
	*items = oputil_xcalloc((size_t)cnt, sizeof **items);
	for (i = 0; i < cnt; i++) {
		s = config_setting_get_string_elem(list, i);
		if (s == NULL) {
			*n = (size_t)i;
			return (opscen_err(cause, list, "%s: expected strings",
			    config_setting_name(list)));
		}
		if (optlv_item_parse(s, &(*items)[i], &why) != 0) {
			*n = (size_t)i;
			opscen_err(cause, list, "%s", why);
			free(why);
			return (-1);
		}
	}
	*n = (size_t)cnt;
	return (0);
}

static int
opscen_step(const config_setting_t *s, struct opscen_step *st, char **cause)
{
	config_setting_t	*list, *inst, *vals;
	const char		*str;
	uint16_t		 ids[4];
	int			 nids = 0, i, k, v;
	size_t			 j;

	st->expect = -1;
	if (opscen_check_keys(s, opscen_step_keys, cause) != 0)
		return (-1);
	if (!config_setting_lookup_string(s, "op", &str))
		return (opscen_err(cause, s, "step without %s", "op"));
	for (k = 0; k <= OPSCEN_FINISH; k++) {
		if (strcmp(str, opscen_kind_names[k]) == 0)
			break;
	}
	if (k > OPSCEN_FINISH)
		return (opscen_err(cause, s, "unknown op %s", str));
	st->kind = (enum opscen_kind)k;
	if (!config_setting_lookup_string(s, "path", &str))
		str = st->kind == OPSCEN_FINISH ? "/bs" : "/";
	st->path = oputil_xstrdup(str);
	if (st->kind != OPSCEN_FINISH && oputil_path_parse(str, ids, &nids) != 0)
		return (opscen_err(cause, s, "bad path %s", str));
	if (config_setting_lookup_string(s, "expect", &str) &&
	    oputil_code_parse(str, &st->expect) != 0)
		return (opscen_err(cause, s, "bad expect %s", str));
	if (config_setting_lookup_bool(s, "instance_tlv", &v))
		st->wrap = v;
	if (config_setting_lookup_string(s, "text", &str))
		st->text = oputil_xstrdup(str);
	if ((list = config_setting_get_member(s, "instances")) != NULL) {
		if (!config_setting_is_list(list))
			return (opscen_err(cause, list, "%s must be a list",
			    "instances"));
		st->ninsts = (size_t)config_setting_length(list);
		st->insts = oputil_xcalloc(st->ninsts, sizeof *st->insts);
		for (j = 0; j < st->ninsts; j++) {
			inst = config_setting_get_elem(list, (unsigned)j);
			if (opscen_check_keys(inst, opscen_inst_keys, cause) != 0)
				return (-1);
			if (!config_setting_lookup_int(inst, "id", &i) ||
			    i < 0 || i > 65534)
				return (opscen_err(cause, inst, "instance needs %s",
				    "an id"));
			st->insts[j].iid = i;
			if ((vals = config_setting_get_member(inst, "values")) != NULL &&
			    opscen_items(vals, &st->insts[j].items,
			    &st->insts[j].nitems, cause) != 0)
				return (-1);
		}
	}
	if ((list = config_setting_get_member(s, "values")) != NULL &&
	    opscen_items(list, &st->items, &st->nitems, cause) != 0)
		return (-1);
	if (config_setting_lookup_string(s, "value", &str)) {
		st->items = oputil_xcalloc(1, sizeof *st->items);
		st->nitems = 1;
		if (optlv_value_parse(str, &st->items[0].val, &st->items[0].len,
		    cause) != 0)
			return (-1);
		st->items[0].rid = nids >= 3 ? ids[2] : -1;
		st->items[0].riid = nids >= 4 ? ids[3] : -1;
	}
	if (st->kind == OPSCEN_WRITE) {
		if (nids == 0)
			return (opscen_err(cause, s, "write needs %s", "an object path"));
		if (st->text == NULL && st->ninsts == 0 && st->nitems == 0)
			return (opscen_err(cause, s, "write needs %s",
			    "instances, values, value or text"));
		if (st->ninsts != 0 && nids != 1)
			return (opscen_err(cause, s, "instances need %s",
			    "a path /oid"));
		if (st->nitems != 0 && nids == 1)
			return (opscen_err(cause, s, "a path /oid needs %s",
			    "instances"));
		for (j = 0; j < st->nitems; j++) {
			if (st->items[j].rid < 0 && nids < 3)
				return (opscen_err(cause, s, "%s needs RID=",
				    "a value on an instance path"));
			if (st->items[j].rid < 0)
				st->items[j].rid = ids[2];
		}
	}
	return (0);
}

static int
opscen_endpoint(struct opscen *sc, const config_setting_t *s, char **cause)
{
	struct opscen_ep	*ep;
	config_setting_t	*steps;
	const char		*str;
	int			 v;
	size_t			 i;

	if (opscen_check_keys(s, opscen_ep_keys, cause) != 0)
		return (-1);
	if (!config_setting_lookup_string(s, "name", &str))
		return (opscen_err(cause, s, "endpoint without %s", "name"));
	if (opscen_ep_find(sc, str) != NULL)
		return (opscen_err(cause, s, "duplicate endpoint %s", str));
	ep = oputil_xcalloc(1, sizeof *ep);
	TAILQ_INSERT_TAIL(&sc->eps, ep, entry);
	ep->name = oputil_xstrdup(str);
	if (!config_setting_lookup_string(s, "psk_identity", &str))
		str = ep->name;
	ep->identity = oputil_xstrdup(str);
	if (config_setting_lookup_string(s, "psk_key", &str) &&
	    opscen_key(s, str, &ep->key, &ep->keylen, cause) != 0)
		return (-1);
	if (config_setting_lookup_bool(s, "reject", &v))
		ep->reject = v;
	if (config_setting_lookup_int(s, "delay_ms", &v)) {
		if (v < 0)
			return (opscen_err(cause, s, "negative %s", "delay_ms"));
		ep->delay_ms = v;
	}
	if ((steps = config_setting_get_member(s, "steps")) == NULL)
		return (0);
	if (!config_setting_is_list(steps))
		return (opscen_err(cause, steps, "%s must be a list", "steps"));
	ep->nsteps = (size_t)config_setting_length(steps);
	ep->steps = oputil_xcalloc(ep->nsteps, sizeof *ep->steps);
	for (i = 0; i < ep->nsteps; i++) {
		if (opscen_step(config_setting_get_elem(steps, (unsigned)i),
		    &ep->steps[i], cause) != 0)
			return (-1);
	}
	return (0);
}

static int
opscen_role(struct opscen *sc, const config_setting_t *s, struct opscen_role *role,
    char **cause)
{
	config_setting_t	*list, *e;
	struct opscen_psk	*psk;
	const char		*str;
	int			 i, v;

	if (opscen_check_keys(s, opscen_role_keys, cause) != 0)
		return (-1);
	role->enabled = 1;
	if (config_setting_lookup_string(s, "address", &str)) {
		free(role->address);
		role->address = oputil_xstrdup(str);
	}
	if (config_setting_lookup_int(s, "port", &v)) {
		if (v < 0 || v > 65535)
			return (opscen_err(cause, s, "bad %s", "port"));
		role->port = v;
	}
	if (config_setting_lookup_int(s, "dtls_port", &v)) {
		if (v < 0 || v > 65535)
			return (opscen_err(cause, s, "bad %s", "dtls_port"));
		role->dtls_port = v;
	}
	if (role->port < 0 && role->dtls_port < 0)
		return (opscen_err(cause, s, "%s needs port or dtls_port",
		    config_setting_name(s)));
	if ((list = config_setting_get_member(s, "endpoints")) != NULL) {
		if (role != &sc->bs || !config_setting_is_list(list))
			return (opscen_err(cause, list, "%s: only a list in bootstrap",
			    "endpoints"));
		for (i = 0; i < config_setting_length(list); i++) {
			if (opscen_endpoint(sc, config_setting_get_elem(list,
			    (unsigned)i), cause) != 0)
				return (-1);
		}
	}
	if ((list = config_setting_get_member(s, "psk")) != NULL) {
		if (role != &sc->srv || !config_setting_is_list(list))
			return (opscen_err(cause, list, "%s: only a list in server",
			    "psk"));
		for (i = 0; i < config_setting_length(list); i++) {
			e = config_setting_get_elem(list, (unsigned)i);
			if (opscen_check_keys(e, opscen_psk_keys, cause) != 0)
				return (-1);
			psk = oputil_xcalloc(1, sizeof *psk);
			TAILQ_INSERT_TAIL(&sc->psks, psk, entry);
			if (!config_setting_lookup_string(e, "identity", &str))
				return (opscen_err(cause, e, "psk without %s",
				    "identity"));
			psk->identity = oputil_xstrdup(str);
			if (!config_setting_lookup_string(e, "key", &str))
				return (opscen_err(cause, e, "psk without %s", "key"));
			if (opscen_key(e, str, &psk->key, &psk->keylen, cause) != 0)
				return (-1);
		}
	}
	return (0);
}

struct opscen *
opscen_load(const char *path, char **cause)
{
	config_t		 cf;
	config_setting_t	*root, *s;
	struct opscen		*sc;
	int			 v;

	config_init(&cf);
	if (!config_read_file(&cf, path)) {
		*cause = oputil_xasprintf("%s:%d: %s", config_error_file(&cf) ?
		    config_error_file(&cf) : path, config_error_line(&cf),
		    config_error_text(&cf));
		config_destroy(&cf);
		return (NULL);
	}
	sc = opscen_new();
	root = config_root_setting(&cf);
	if (opscen_check_keys(root, opscen_top_keys, cause) != 0)
		goto fail;
	if (config_setting_lookup_int(root, "ack_timeout_ms", &v)) {
		if (v < 100 || v > 60000) {
			*cause = oputil_xasprintf("%s: ack_timeout_ms out of range",
			    path);
			goto fail;
		}
		sc->ack_timeout_ms = v;
	}
	if (config_setting_lookup_int(root, "max_retransmit", &v)) {
		if (v < 1 || v > 20) {
			*cause = oputil_xasprintf("%s: max_retransmit out of range",
			    path);
			goto fail;
		}
		sc->max_retransmit = v;
	}
	if ((s = config_setting_get_member(root, "bootstrap")) != NULL &&
	    opscen_role(sc, s, &sc->bs, cause) != 0)
		goto fail;
	if ((s = config_setting_get_member(root, "server")) != NULL &&
	    opscen_role(sc, s, &sc->srv, cause) != 0)
		goto fail;
	if (!sc->bs.enabled && !sc->srv.enabled) {
		*cause = oputil_xasprintf("%s: neither bootstrap nor server", path);
		goto fail;
	}
	config_destroy(&cf);
	return (sc);
fail:
	config_destroy(&cf);
	opscen_free(sc);
	return (NULL);
}

/* The request payload of a write step, and its content format. */
int
opscen_step_payload(const struct opscen_step *st, struct opbuf *b, int *cf)
{
	struct optlv_inst	inst;
	uint16_t		ids[4];
	int			nids;
	size_t			i;

	if (st->kind != OPSCEN_WRITE) {
		*cf = OP_CF_NONE;
		return (0);
	}
	if (st->text != NULL) {
		opbuf_add(b, st->text, strlen(st->text));
		*cf = OP_CF_TEXT;
		return (0);
	}
	if (oputil_path_parse(st->path, ids, &nids) != 0)
		return (-1);
	*cf = OP_CF_TLV;
	if (nids == 1) {
		for (i = 0; i < st->ninsts; i++)
			optlv_encode_instance(b, &st->insts[i]);
	} else if (nids == 2 && st->wrap) {
		inst.iid = ids[1];
		inst.items = st->items;
		inst.nitems = st->nitems;
		optlv_encode_instance(b, &inst);
	} else
		optlv_encode_resources(b, st->items, st->nitems);
	return (0);
}
