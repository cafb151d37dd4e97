#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <libconfig.h>

#include "cfg.h"
#include "cfg_keys.h"
#include "dtls.h"
#include "persist.h"
#include "xmalloc.h"

/* The full name of a setting for messages: "servers[1].uri". */
static const char *
cfg_name(const config_setting_t *s, char *buf, size_t size)
{
	const config_setting_t	*p = config_setting_parent(s);
	const char		*name = config_setting_name(s);
	char			 up[256];
	int			 n;

	if (p == NULL || config_setting_is_root(p))
		n = snprintf(buf, size, "%s", name != NULL ? name : "");
	else if (name != NULL)
		n = snprintf(buf, size, "%s.%s", cfg_name(p, up, sizeof up), name);
	else
		n = snprintf(buf, size, "%s[%d]", cfg_name(p, up, sizeof up),
		    config_setting_index(s));
	if (n < 0 || (size_t)n >= size)
		buf[size - 1] = '\0';	/* long names are cut, never overrun */
	return (buf);
}

static const struct cfg_key *
cfg_find_key(const struct cfg_key *keys, const char *name)
{
	for (; keys->name != NULL; keys++) {
		if (strcmp(keys->name, name) == 0)
			return (keys);
	}
	return (NULL);
}

static int
cfg_get_number(const config_setting_t *s, double *v)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		*v = config_setting_get_int(s);
		return (0);
	case CONFIG_TYPE_INT64:
		*v = (double)config_setting_get_int64(s);
		return (0);
	case CONFIG_TYPE_FLOAT:
		*v = config_setting_get_float(s);
		return (0);
	default:
		return (-1);
	}
}

static int
cfg_check_range(struct cfg_errors *e, const config_setting_t *s,
    const struct cfg_key *k, double v)
{
	char	name[256];

	if (k->min == k->max || (v >= k->min && v <= k->max))
		return (0);
	cfg_error(e, s, 0, "%s: %g is out of range [%g, %g]",
	    cfg_name(s, name, sizeof name), v, k->min, k->max);
	return (-1);
}

/* The consumer's own check of a value (struct cfg_key check_int, check_str). */
static int
cfg_check_value(struct cfg_errors *e, const config_setting_t *s,
    const struct cfg_key *k, const char *str, long long v)
{
	char	name[256], *cause = NULL;
	int	rc;

	if (str != NULL)
		rc = k->check_str != NULL ? k->check_str(str, &cause) : 0;
	else
		rc = k->check_int != NULL ? k->check_int(v, &cause) : 0;
	if (rc == 0)
		return (0);
	cfg_error(e, s, 0, "%s: %s", cfg_name(s, name, sizeof name), cause);
	free(cause);
	return (-1);
}

/* One key's value from the file into the section struct. */
static void
cfg_set_key(struct cfg_errors *e, const config_setting_t *s,
    const struct cfg_key *k, void *base)
{
	char		 name[256], *cause = NULL;
	char		*at = (char *)base + k->off;
	const char	*str;
	double		 v;
	int		 i, n, type = config_setting_type(s);

	cfg_name(s, name, sizeof name);
	switch (k->kind) {
	case CFG_KIND_STRING:
	case CFG_KIND_KEY:
	case CFG_KIND_KEYFILE:
		if (type != CONFIG_TYPE_STRING) {
			cfg_error(e, s, 0, "%s: expected a string", name);
			return;
		}
		str = config_setting_get_string(s);
		if (k->kind == CFG_KIND_STRING && k->names != NULL) {
			for (i = 0; k->names[i] != NULL; i++) {
				if (strcmp(k->names[i], str) == 0)
					break;
			}
			if (k->names[i] == NULL) {
				cfg_error(e, s, 0, "%s: expected one of %s", name,
				    k->doc_values);
				return;
			}
		}
		if (k->kind == CFG_KIND_STRING) {
			if (cfg_check_value(e, s, k, str, 0) != 0)
				return;
			free(*(char **)at);
			*(char **)at = xstrdup(str);
			return;
		}
		if (k->kind == CFG_KIND_KEY) {
			if (strncmp(str, "hex:", 4) != 0 ||
			    cfg_unhex(str + 4, (uint8_t **)at,
			    (size_t *)((char *)base + k->off_n)) != 0)
				cfg_error(e, s, 0, "%s: expected \"hex:\" and an "
				    "even number of hex digits", name);
			return;
		}
		if (cfg_read_key_file(str, (uint8_t **)at,
		    (size_t *)((char *)base + k->off_n), &cause) != 0) {
			cfg_error(e, s, 0, "%s: %s", name, cause);
			free(cause);
		}
		return;
	case CFG_KIND_INT:
		if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
			cfg_error(e, s, 0, "%s: expected an integer", name);
			return;
		}
		cfg_get_number(s, &v);
		if (cfg_check_range(e, s, k, v) == 0 &&
		    cfg_check_value(e, s, k, NULL, (long long)v) == 0)
			*(int *)at = (int)v;
		return;
	case CFG_KIND_FLOAT:
		if (cfg_get_number(s, &v) != 0) {
			cfg_error(e, s, 0, "%s: expected a number", name);
			return;
		}
		if (cfg_check_range(e, s, k, v) == 0)
			*(double *)at = v;
		return;
	case CFG_KIND_BOOL:
		if (type != CONFIG_TYPE_BOOL) {
			cfg_error(e, s, 0, "%s: expected true or false", name);
			return;
		}
		*(bool *)at = config_setting_get_bool(s);
		return;
	case CFG_KIND_ENUM:
		if (type == CONFIG_TYPE_STRING) {
			str = config_setting_get_string(s);
			for (i = 0; k->names[i] != NULL; i++) {
				if (strcmp(k->names[i], str) == 0) {
					*(int *)at = i;
					return;
				}
			}
		}
		cfg_error(e, s, 0, "%s: expected one of %s", name, k->doc_values);
		return;
	case CFG_KIND_INTLIST:
		if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
			cfg_error(e, s, 0, "%s: expected a list of integers, "
			    "e.g. [1, 2]", name);
			return;
		}
		n = config_setting_length(s);
		free(*(int **)at);
		*(int **)at = xcalloc(n, sizeof(int));
		*(size_t *)((char *)base + k->off_n) = n;
		for (i = 0; i < n; i++) {
			const config_setting_t *el = config_setting_get_elem(s, i);

			if (config_setting_type(el) != CONFIG_TYPE_INT) {
				cfg_error(e, el, 0, "%s[%d]: expected an integer",
				    name, i);
				continue;
			}
			v = config_setting_get_int(el);
			if (cfg_check_range(e, el, k, v) == 0 &&
			    cfg_check_value(e, el, k, NULL, (long long)v) == 0)
				(*(int **)at)[i] = (int)v;
		}
		return;
	case CFG_KIND_STRLIST:
		if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
			cfg_error(e, s, 0, "%s: expected a list of strings", name);
			return;
		}
		n = config_setting_length(s);
		*(char ***)at = xcalloc(n, sizeof(char *));
		for (i = 0; i < n; i++) {
			const config_setting_t *el = config_setting_get_elem(s, i);

			if (config_setting_type(el) != CONFIG_TYPE_STRING) {
				cfg_error(e, el, 0, "%s[%d]: expected a string",
				    name, i);
				continue;
			}
			if (cfg_check_value(e, el, k, config_setting_get_string(el),
			    0) != 0)
				continue;
			(*(char ***)at)[(*(size_t *)((char *)base + k->off_n))++] =
			    xstrdup(config_setting_get_string(el));
		}
		return;
	}
}

/*
 * A group setting against its key table: unknown keys (typos) and keys that do not apply to
 * this kind of section are reported; returns a bitmask of the keys present (table order).
 */
static uint64_t
cfg_section(struct cfg_errors *e, const config_setting_t *group,
    const struct cfg_key *keys, void *base, unsigned mask, const char *what)
{
	const struct cfg_key	*k;
	config_setting_t	*s;
	uint64_t		 seen = 0;
	char			 name[256];
	int			 i;

	for (i = 0; (s = config_setting_get_elem(group, i)) != NULL; i++) {
		cfg_name(s, name, sizeof name);
		if ((k = cfg_find_key(keys, config_setting_name(s))) == NULL) {
			cfg_error(e, s, 0, "unknown key '%s' in %s", name, what);
			continue;
		}
		if (k->types != 0 && (k->types & mask) == 0) {
			cfg_error(e, s, 0, "key '%s' does not apply to %s", name,
			    what);
			continue;
		}
		seen |= UINT64_C(1) << (k - keys);
		cfg_set_key(e, s, k, base);
	}
	for (k = keys; k->name != NULL; k++) {
		if ((k->flags & CFG_REQUIRED) && !(seen & (UINT64_C(1) << (k - keys))) &&
		    (k->types == 0 || (k->types & mask)))
			cfg_error(e, group, 0, "%s: missing required key '%s'",
			    what, k->name);
	}
	return (seen);
}

static bool
cfg_seen(uint64_t seen, const struct cfg_key *keys, const char *name)
{
	return ((seen & (UINT64_C(1) << (cfg_find_key(keys, name) - keys))) != 0);
}

/* A PSK identity is 1 to DTLS_PSK_IDENTITY_MAX bytes once {endpoint} is filled in. */
static void
cfg_check_identity(struct cfg_errors *e, const config_setting_t *group,
    const char *tmpl, const char *what)
{
	const config_setting_t	*s = config_setting_get_member(group,
				    "psk_identity");
	const char		*p;
	size_t			 fixed = 0;

	if (s == NULL)
		s = group;
	for (p = tmpl; *p != '\0'; p++) {
		if (strncmp(p, "{endpoint}", 10) == 0)
			p += 9;
		else
			fixed++;
	}
	if (*tmpl == '\0')
		cfg_error(e, s, 0, "%s.psk_identity: must not be empty", what);
	else if (fixed > DTLS_PSK_IDENTITY_MAX)
		cfg_error(e, s, 0, "%s.psk_identity: %zu bytes, more than the %d of a "
		    "PSK identity", what, fixed, DTLS_PSK_IDENTITY_MAX);
}

/* Checks of one account that need more than one key. */
static void
cfg_check_account(struct cfg_errors *e, const config_setting_t *group,
    struct cfg_account *a, uint64_t seen, const struct cfg_gateway *gw,
    const char *what)
{
	char	*cause = NULL;
	bool	 key = cfg_seen(seen, cfg_account_keys, "psk_key");
	bool	 keyfile = cfg_seen(seen, cfg_account_keys, "psk_key_file");
	bool	 insecure = gw->allow_insecure;

	a->line = config_setting_source_line(group);
	a->psk_derive = keyfile;
	if (a->uri != NULL && (cfg_parse_uri(a->uri, &a->parsed, &cause) != 0 ||
	    cfg_check_peer(&a->parsed, gw->bind, &cause) != 0)) {
		cfg_error(e, group, 0, "%s: %s", what, cause);
		free(cause);
		return;
	}
	if (a->uri == NULL)
		return;
	if (a->security == CFG_SECURITY_NOSEC) {
		if (a->parsed.secure)
			cfg_error(e, group, 0, "%s: security \"nosec\" with a "
			    "coaps:// URI", what);
		else if (!insecure)
			cfg_error(e, group, 0, "%s: NoSec URI %s is refused unless "
			    "gateway.allow_insecure = true (tests and labs only)",
			    what, a->uri);
		return;
	}
	if (!a->parsed.secure)
		cfg_error(e, group, 0, "%s: security \"%s\" needs a coaps:// URI",
		    what, cfg_security_name(a->security));
	if (a->security == CFG_SECURITY_PSK) {
		if (key && keyfile)
			cfg_error(e, group, 0, "%s: psk_key and psk_key_file are "
			    "exclusive", what);
		else if (!key && !keyfile)
			cfg_error(e, group, 0, "%s: security \"psk\" needs psk_key "
			    "or psk_key_file", what);
		else if (key && a->psk_key_len > DTLS_PSK_KEY_MAX)
			cfg_error(e, config_setting_get_member(group, "psk_key"), 0,
			    "%s.psk_key: %zu bytes, more than the %d of a PSK", what,
			    a->psk_key_len, DTLS_PSK_KEY_MAX);
		cfg_check_identity(e, group, a->psk_identity, what);
		return;
	}
	/* X.509 */
	if (a->cert_file == NULL || a->key_file == NULL)
		cfg_error(e, group, 0, "%s: security \"x509\" needs cert_file and "
		    "key_file", what);
	if (a->server_cert_file == NULL && a->ca_file == NULL)
		cfg_error(e, group, 0, "%s: security \"x509\" needs "
		    "server_cert_file (pinned) or ca_file", what);
	if (a->cert_file != NULL && cfg_der_file(a->cert_file, &cause) != 0)
		goto unreadable;
	if (a->key_file != NULL && cfg_der_file(a->key_file, &cause) != 0)
		goto unreadable;
	if (a->server_cert_file != NULL &&
	    cfg_der_file(a->server_cert_file, &cause) != 0)
		goto unreadable;
	if (a->ca_file != NULL && cfg_file_readable(a->ca_file, &cause) != 0)
		goto unreadable;
	return;
unreadable:
	cfg_error(e, group, 0, "%s: %s", what, cause);
	free(cause);
}

/* A template may use only the placeholders given. */
static void
cfg_check_template(struct cfg_errors *e, const config_setting_t *s,
    const char *tmpl, const char *const *allowed, const char *what)
{
	const char	*p = tmpl, *end;
	size_t		 len;
	int		 i, ok;

	while ((p = strchr(p, '{')) != NULL) {
		if ((end = strchr(p, '}')) == NULL) {
			cfg_error(e, s, 0, "%s: unterminated '{' in \"%s\"", what,
			    tmpl);
			return;
		}
		len = end - p + 1;
		for (ok = 0, i = 0; allowed[i] != NULL; i++)
			ok |= strlen(allowed[i]) == len &&
			    strncmp(allowed[i], p, len) == 0;
		if (!ok)
			cfg_error(e, s, 0, "%s: unknown placeholder %.*s in \"%s\"",
			    what, (int)len, p, tmpl);
		p = end + 1;
	}
}

/* The bytes persist.c refuses in an endpoint name (a state file's name). */
static void
cfg_check_ep_bytes(struct cfg_errors *e, const config_setting_t *s,
    const char *tmpl)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)tmpl; *p != '\0'; p++) {
		if (*p == '/' || *p <= 0x20 || *p >= 0x7f) {
			cfg_error(e, s, 0, "gateway.endpoint: byte 0x%02x cannot be in "
			    "the name of a state file (gateway.state_dir)", *p);
			return;
		}
	}
}

static void
cfg_load_gateway(struct cfg_errors *e, config_t *lc, struct cfg *cfg)
{
	static const char *const ep_vars[] = { "{link}", "{id}", NULL };
	config_setting_t	*s = config_lookup(lc, "gateway");

	cfg_defaults(cfg_gateway_keys, &cfg->gateway, 0);
	cfg_defaults(cfg_coap_keys, &cfg->coap, 0);
	cfg_defaults(cfg_lwm2m_keys, &cfg->lwm2m, 0);
	if (s != NULL) {
		if (!config_setting_is_group(s))
			cfg_error(e, s, 0, "gateway: expected a group { ... }");
		else
			cfg_section(e, s, cfg_gateway_keys, &cfg->gateway, 0,
			    "gateway");
	}
	if (s != NULL && config_setting_is_group(s)) {
		cfg_check_template(e, config_setting_get_member(s, "endpoint") ?
		    config_setting_get_member(s, "endpoint") : s,
		    cfg->gateway.endpoint, ep_vars, "gateway.endpoint");
		if (*cfg->gateway.state_dir != '\0')
			cfg_check_ep_bytes(e, config_setting_get_member(s,
			    "endpoint") != NULL ? config_setting_get_member(s,
			    "endpoint") : s, cfg->gateway.endpoint);
		if (cfg_log_level(cfg->gateway.log_level) == -1)
			cfg_error(e, config_setting_get_member(s, "log_level"), 0,
			    "gateway.log_level: expected error, warning, notice, "
			    "info or debug");
	}
	if (strstr(cfg->gateway.endpoint, "{id}") == NULL)
		cfg_error(e, s, 0, "gateway.endpoint: the template must contain "
		    "{id} so that every device gets its own name");
	if ((s = config_lookup(lc, "coap")) != NULL) {
		if (!config_setting_is_group(s))
			cfg_error(e, s, 0, "coap: expected a group { ... }");
		else
			cfg_section(e, s, cfg_coap_keys, &cfg->coap, 0, "coap");
	}
	if ((s = config_lookup(lc, "lwm2m")) != NULL) {
		if (!config_setting_is_group(s))
			cfg_error(e, s, 0, "lwm2m: expected a group { ... }");
		else
			cfg_section(e, s, cfg_lwm2m_keys, &cfg->lwm2m, 0, "lwm2m");
	}
}

static void
cfg_load_accounts(struct cfg_errors *e, config_t *lc, struct cfg *cfg)
{
	static const char *const id_vars[] = { "{endpoint}", NULL };
	config_setting_t	*s, *el;
	struct cfg_account	*a;
	uint64_t		 seen;
	char			 what[64];
	size_t			 i, j;

	if ((s = config_lookup(lc, "bootstrap")) != NULL) {
		cfg->has_bootstrap = true;
		a = &cfg->bootstrap;
		cfg_defaults(cfg_account_keys, a, CFG_ACCOUNT_BS);
		if (!config_setting_is_group(s))
			cfg_error(e, s, 0, "bootstrap: expected a group { ... }");
		else {
			seen = cfg_section(e, s, cfg_account_keys, a,
			    CFG_ACCOUNT_BS, "bootstrap");
			cfg_check_account(e, s, a, seen, &cfg->gateway,
			    "bootstrap");
			cfg_check_template(e, s, a->psk_identity, id_vars,
			    "bootstrap.psk_identity");
		}
	}
	if ((s = config_lookup(lc, "servers")) == NULL)
		return;
	if (!config_setting_is_list(s)) {
		cfg_error(e, s, 0, "servers: expected a list ( { ... }, ... )");
		return;
	}
	cfg->nservers = config_setting_length(s);
	cfg->servers = xcalloc(cfg->nservers, sizeof *cfg->servers);
	for (i = 0; i < cfg->nservers; i++) {
		el = config_setting_get_elem(s, i);
		a = &cfg->servers[i];
		snprintf(what, sizeof what, "servers[%zu]", i);
		cfg_defaults(cfg_account_keys, a, CFG_ACCOUNT_SERVER);
		if (!config_setting_is_group(el)) {
			cfg_error(e, el, 0, "%s: expected a group { ... }", what);
			continue;
		}
		seen = cfg_section(e, el, cfg_account_keys, a,
		    CFG_ACCOUNT_SERVER, what);
		cfg_check_account(e, el, a, seen, &cfg->gateway, what);
		cfg_check_template(e, el, a->psk_identity, id_vars, what);
		for (j = 0; j < i; j++) {
			if (cfg->servers[j].ssid == a->ssid && a->ssid != 0)
				cfg_error(e, el, 0, "%s: ssid %d is already used by "
				    "the server at line %d", what, a->ssid,
				    cfg->servers[j].line);
		}
	}
}

/*
 * Checks of a link against the rest of the file and this build. Endpoint names hold the
 * link's name; with a state_dir they also name the device's state file (persist.c).
 */
static void
cfg_check_link(struct cfg_errors *e, const config_setting_t *el,
    const struct cfg *cfg, const struct cfg_link *l, const char *what)
{
	const char	*p;
	size_t		 len = 0;
	bool		 files = *cfg->gateway.state_dir != '\0';
	int		 max = files ? PERSIST_EP_MAX : CFG_ENDPOINT_MAX;

#ifndef HAVE_LIBSYSTEMD
	if (l->type == CFG_LINK_BLE)
		cfg_error(e, el, 0, "%s: this lwgwd was built without libsystemd, "
		    "so without BLE links", what);
#endif
	if (l->name == NULL)
		return;
	/* The shortest endpoint name of the link: a one-character sensor id. */
	for (p = cfg->gateway.endpoint; *p != '\0'; p++) {
		if (strncmp(p, "{link}", 6) == 0) {
			len += strlen(l->name);
			p += 5;
		} else if (strncmp(p, "{id}", 4) == 0) {
			len++;
			p += 3;
		} else
			len++;
	}
	if (len > (size_t)max)
		cfg_error(e, el, 0, "%s: gateway.endpoint gives names longer than "
		    "%d bytes for this link", what, max);
	if (files && (*cfg->gateway.endpoint == '.' ||
	    (strncmp(cfg->gateway.endpoint, "{link}", 6) == 0 && *l->name == '.')))
		cfg_error(e, el, 0, "%s: gateway.endpoint gives names starting with "
		    "'.', which cannot name state files", what);
}

static void
cfg_load_links(struct cfg_errors *e, config_t *lc, struct cfg *cfg)
{
	config_setting_t	*s, *el, *type;
	struct cfg_link		*l;
	const char		*tname;
	char			 what[64];
	size_t			 i, j;
	int			 t;

	if ((s = config_lookup(lc, "links")) == NULL) {
		cfg_warning(e, NULL, 0, "no links: no sensor can appear, so lwgwd "
		    "will stay idle");
		return;
	}
	if (!config_setting_is_list(s)) {
		cfg_error(e, s, 0, "links: expected a list ( { ... }, ... )");
		return;
	}
	cfg->nlinks = config_setting_length(s);
	cfg->links = xcalloc(cfg->nlinks, sizeof *cfg->links);
	for (i = 0; i < cfg->nlinks; i++) {
		el = config_setting_get_elem(s, i);
		l = &cfg->links[i];
		l->line = config_setting_source_line(el);
		snprintf(what, sizeof what, "links[%zu]", i);
		if (!config_setting_is_group(el)) {
			cfg_error(e, el, 0, "%s: expected a group { ... }", what);
			continue;
		}
		type = config_setting_get_member(el, "type");
		tname = type != NULL ? config_setting_get_string(type) : NULL;
		for (t = 0; tname != NULL && cfg_link_types[t] != NULL; t++) {
			if (strcmp(cfg_link_types[t], tname) == 0)
				break;
		}
		if (tname == NULL || cfg_link_types[t] == NULL) {
			cfg_error(e, type != NULL ? type : el, 0, "%s: type must be "
			    "\"sim\", \"serial\" or \"ble\"", what);
			continue;
		}
		l->type = t;
		cfg_defaults(cfg_link_keys, l, 1u << t);
		snprintf(what, sizeof what, "links[%zu] (%s)", i, tname);
		cfg_section(e, el, cfg_link_keys, l, 1u << t, what);
		for (j = 0; j < i; j++) {
			if (cfg->links[j].name != NULL && l->name != NULL &&
			    strcmp(cfg->links[j].name, l->name) == 0)
				cfg_error(e, el, 0, "%s: link name \"%s\" is already "
				    "used at line %d", what, l->name,
				    cfg->links[j].line);
		}
		if (l->name != NULL && (l->name[0] == '\0' ||
		    strspn(l->name, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != strlen(l->name)))
			cfg_error(e, el, 0, "%s: name \"%s\" may hold only letters, "
			    "digits, '_', '-' and '.'", what, l->name);
		cfg_check_link(e, el, cfg, l, what);
	}
}

struct cfg *
cfg_load(const char *file, char **errors, int *nerrors)
{
	static const char *const top[] = {
		"gateway", "coap", "lwm2m", "bootstrap", "servers", "links", NULL
	};
	struct cfg_errors	 e = { .file = file };
	config_t		 lc;
	config_setting_t	*root, *s;
	struct cfg		*cfg;
	int			 i, j;
	FILE			*f;

	*errors = NULL;
	*nerrors = 0;
	if ((f = fopen(file, "r")) == NULL) {
		xasprintf(errors, "%s: cannot open: %s\n", file, strerror(errno));
		*nerrors = 1;
		return (NULL);
	}
	fclose(f);
	config_init(&lc);
	if (config_read_file(&lc, file) != CONFIG_TRUE) {
		if (config_error_file(&lc) != NULL)
			e.file = config_error_file(&lc);
		cfg_error(&e, NULL, config_error_line(&lc), "syntax error: %s",
		    config_error_text(&lc));
		config_destroy(&lc);
		*errors = cfg_problems(&e, false);
		*nerrors = e.n;
		cfg_errors_free(&e);
		return (NULL);
	}

	cfg = xcalloc(1, sizeof *cfg);
	cfg->file = xstrdup(file);
	root = config_root_setting(&lc);
	for (i = 0; (s = config_setting_get_elem(root, i)) != NULL; i++) {
		for (j = 0; top[j] != NULL; j++) {
			if (strcmp(top[j], config_setting_name(s)) == 0)
				break;
		}
		if (top[j] == NULL)
			cfg_error(&e, s, 0, "unknown section '%s' (expected gateway, "
			    "coap, lwm2m, bootstrap, servers or links)",
			    config_setting_name(s));
	}
	cfg_load_gateway(&e, &lc, cfg);
	cfg_load_accounts(&e, &lc, cfg);
	if (!cfg->has_bootstrap && cfg->nservers == 0)
		cfg_warning(&e, NULL, 0, "neither a bootstrap account nor servers: "
		    "devices will not register until one is configured");
	cfg_load_links(&e, &lc, cfg);
	config_destroy(&lc);

	*nerrors = e.n;
	if (e.n != 0) {
		cfg_free(cfg);
		cfg = NULL;
		*errors = cfg_problems(&e, false);
	} else
		cfg->warnings = cfg_problems(&e, true);
	cfg_errors_free(&e);
	return (cfg);
}
