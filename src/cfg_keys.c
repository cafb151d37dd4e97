#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cfg_keys.h"
#include "cio.h"
#include "xmalloc.h"

const char *const cfg_security_names[] = { "psk", "x509", "nosec", NULL };
const char *const cfg_link_types[] = { "sim", "serial", "ble", NULL };
static const char *const cfg_waveforms[] = {
	"constant", "sine", "random_walk", "step", NULL
};
static const char *const cfg_parities[] = { "none", "even", "odd", NULL };

#define SIM	(1u << CFG_LINK_SIM)
#define SERIAL	(1u << CFG_LINK_SERIAL)
#define BLE	(1u << CFG_LINK_BLE)
#define BS	CFG_ACCOUNT_BS
#define SRV	CFG_ACCOUNT_SERVER

#define G(f)	offsetof(struct cfg_gateway, f)
const struct cfg_key cfg_gateway_keys[] = {
	{ .name = "state_dir", .kind = CFG_KIND_STRING, .off = G(state_dir),
	  .sdef = LWGW_STATE_DIR },
	{ .name = "endpoint", .kind = CFG_KIND_STRING, .off = G(endpoint),
	  .sdef = "{link}-{id}" },
	{ .name = "bind", .kind = CFG_KIND_STRING, .off = G(bind),
	  .sdef = "0.0.0.0", .check_str = cfg_check_bind },
	{ .name = "allow_insecure", .kind = CFG_KIND_BOOL,
	  .off = G(allow_insecure), .idef = 0 },
	{ .name = "objects_dir", .kind = CFG_KIND_STRING, .off = G(objects_dir),
	  .sdef = "" },
	{ .name = "control_socket", .kind = CFG_KIND_STRING,
	  .off = G(control_socket), .sdef = LWGW_RUN_DIR "/ctl",
	  .check_str = cfg_check_socket_path },
	{ .name = "log_level", .kind = CFG_KIND_STRING, .off = G(log_level),
	  .sdef = "notice", .flags = CFG_RELOAD },
	{ .name = "resolv_conf", .kind = CFG_KIND_STRING, .off = G(resolv_conf),
	  .sdef = "/etc/resolv.conf" },
	{ .name = "hosts_file", .kind = CFG_KIND_STRING, .off = G(hosts_file),
	  .sdef = "/etc/hosts" },
	{ .name = NULL }
};
#undef G

#define C(f)	offsetof(struct cfg_coap, f)
const struct cfg_key cfg_coap_keys[] = {
	{ .name = "ack_timeout_ms", .kind = CFG_KIND_INT, .off = C(ack_timeout_ms),
	  .idef = 2000, .min = 10, .max = 60000 },
	{ .name = "ack_random_factor", .kind = CFG_KIND_FLOAT,
	  .off = C(ack_random_factor), .fdef = 1.5, .min = 1.0, .max = 4.0 },
	{ .name = "max_retransmit", .kind = CFG_KIND_INT, .off = C(max_retransmit),
	  .idef = 4, .min = 0, .max = 10 },
	{ .name = "nstart", .kind = CFG_KIND_INT, .off = C(nstart), .idef = 1,
	  .min = 1, .max = 16 },
	{ .name = "exchange_lifetime_ms", .kind = CFG_KIND_INT,
	  .off = C(exchange_lifetime_ms), .idef = 0, .min = 0, .max = 3600000 },
	{ .name = "max_message_size", .kind = CFG_KIND_INT,
	  .off = C(max_message_size), .idef = 1152, .min = 64,
	  .max = CIO_MAX_MESSAGE_SIZE },
	{ .name = "block_size", .kind = CFG_KIND_INT, .off = C(block_size),
	  .idef = 1024, .min = 16, .max = 1024,
	  .check_int = cfg_check_block_size },
	{ .name = NULL }
};
#undef C

#define M(f)	offsetof(struct cfg_lwm2m, f)
const struct cfg_key cfg_lwm2m_keys[] = {
	{ .name = "retry_base_ms", .kind = CFG_KIND_INT, .off = M(retry_base_ms),
	  .idef = 5000, .min = 10, .max = 3600000 },
	{ .name = "retry_cap_ms", .kind = CFG_KIND_INT, .off = M(retry_cap_ms),
	  .idef = 300000, .min = 10, .max = 86400000 },
	{ .name = "retry_attempts", .kind = CFG_KIND_INT, .off = M(retry_attempts),
	  .idef = 5, .min = 1, .max = 1000 },
	{ .name = "update_margin_max_s", .kind = CFG_KIND_INT,
	  .off = M(update_margin_max_s), .idef = 60, .min = 1, .max = 86400 },
	{ .name = "backend_timeout_ms", .kind = CFG_KIND_INT,
	  .off = M(backend_timeout_ms), .idef = 10000, .min = 10, .max = 600000 },
	{ .name = "notify_con_interval_s", .kind = CFG_KIND_INT,
	  .off = M(notify_con_interval_s), .idef = 86400, .min = 0, .max = 604800 },
	{ .name = "store_max", .kind = CFG_KIND_INT, .off = M(store_max),
	  .idef = 64, .min = 0, .max = 100000 },
	{ .name = "shutdown_timeout_ms", .kind = CFG_KIND_INT,
	  .off = M(shutdown_timeout_ms), .idef = 5000, .min = 0, .max = 600000 },
	{ .name = "bootstrap_retry_ms", .kind = CFG_KIND_INT,
	  .off = M(bootstrap_retry_ms), .idef = 10000, .min = 10, .max = 86400000 },
	{ .name = "max_inflight", .kind = CFG_KIND_INT, .off = M(max_inflight),
	  .idef = 128, .min = 1, .max = 1000000 },
	{ .name = "dns_ttl_s", .kind = CFG_KIND_INT, .off = M(dns_ttl_s),
	  .idef = 300, .min = 0, .max = 86400 },
	{ .name = "dns_negative_ttl_s", .kind = CFG_KIND_INT,
	  .off = M(dns_negative_ttl_s), .idef = 30, .min = 0, .max = 3600 },
	{ .name = NULL }
};
#undef M

#define A(f)	offsetof(struct cfg_account, f)
const struct cfg_key cfg_account_keys[] = {
	{ .name = "uri", .kind = CFG_KIND_STRING, .off = A(uri),
	  .flags = CFG_REQUIRED, .check_str = cfg_check_uri_length },
	{ .name = "ssid", .kind = CFG_KIND_INT, .off = A(ssid), .types = SRV,
	  .flags = CFG_REQUIRED, .min = 1, .max = 65534 },
	{ .name = "security", .kind = CFG_KIND_ENUM, .off = A(security),
	  .idef = CFG_SECURITY_PSK, .names = cfg_security_names,
	  .doc_values = "\"psk\", \"x509\" or \"nosec\"" },
	{ .name = "psk_identity", .kind = CFG_KIND_STRING,
	  .off = A(psk_identity), .sdef = "{endpoint}" },
	{ .name = "psk_key", .kind = CFG_KIND_KEY, .off = A(psk_key),
	  .off_n = A(psk_key_len) },
	{ .name = "psk_key_file", .kind = CFG_KIND_KEYFILE, .off = A(psk_key),
	  .off_n = A(psk_key_len) },
	{ .name = "cert_file", .kind = CFG_KIND_STRING, .off = A(cert_file) },
	{ .name = "key_file", .kind = CFG_KIND_STRING, .off = A(key_file) },
	{ .name = "server_cert_file", .kind = CFG_KIND_STRING,
	  .off = A(server_cert_file) },
	{ .name = "ca_file", .kind = CFG_KIND_STRING, .off = A(ca_file) },
	{ .name = "lifetime", .kind = CFG_KIND_INT, .off = A(lifetime),
	  .types = SRV, .idef = 300, .min = 10, .max = 31536000 },
	{ .name = "binding", .kind = CFG_KIND_STRING, .off = A(binding),
	  .types = SRV, .sdef = "U", .check_str = cfg_check_binding },
	{ .name = "default_pmin", .kind = CFG_KIND_INT, .off = A(default_pmin),
	  .types = SRV, .idef = 0, .min = 0, .max = 86400 },
	{ .name = "default_pmax", .kind = CFG_KIND_INT, .off = A(default_pmax),
	  .types = SRV, .idef = 0, .min = 0, .max = 86400 },
	{ .name = "notification_storing", .kind = CFG_KIND_BOOL,
	  .off = A(notification_storing), .types = SRV, .idef = 1 },
	{ .name = "disable_timeout", .kind = CFG_KIND_INT,
	  .off = A(disable_timeout), .types = SRV, .idef = 86400, .min = 0,
	  .max = 31536000 },
	{ .name = "hold_off", .kind = CFG_KIND_INT, .off = A(hold_off),
	  .types = BS, .idef = 0, .min = 0, .max = 86400 },
	{ .name = "account_timeout", .kind = CFG_KIND_INT,
	  .off = A(account_timeout), .types = BS, .idef = 0, .min = 0,
	  .max = 31536000 },
	{ .name = NULL }
};
#undef A

#define L(f)	offsetof(struct cfg_link, f)
const struct cfg_key cfg_link_keys[] = {
	{ .name = "name", .kind = CFG_KIND_STRING, .off = L(name),
	  .flags = CFG_REQUIRED },
	{ .name = "type", .kind = CFG_KIND_ENUM, .off = L(type),
	  .names = cfg_link_types, .doc_values = "\"sim\", \"serial\" or \"ble\"" },
	{ .name = "devices", .kind = CFG_KIND_INT, .off = L(devices), .types = SIM,
	  .idef = 1, .min = 1, .max = 100000 },
	{ .name = "objects", .kind = CFG_KIND_INTLIST, .off = L(objects),
	  .off_n = L(nobjects), .types = SIM, .idef = 3303, .sdef = "[3303]",
	  .min = 0, .max = 65534, .check_int = cfg_check_sim_object },
	{ .name = "period_ms", .kind = CFG_KIND_INT, .off = L(period_ms),
	  .types = SIM, .idef = 1000, .min = 10, .max = 86400000 },
	{ .name = "waveform", .kind = CFG_KIND_ENUM, .off = L(waveform),
	  .types = SIM, .idef = CFG_WAVE_SINE, .names = cfg_waveforms,
	  .doc_values = "\"constant\", \"sine\", \"random_walk\" or \"step\"" },
	{ .name = "seed", .kind = CFG_KIND_INT, .off = L(seed), .types = SIM,
	  .idef = 1 },
	{ .name = "device", .kind = CFG_KIND_STRING, .off = L(device),
	  .types = SERIAL, .flags = CFG_REQUIRED, .check_str = cfg_check_nonempty },
	{ .name = "baud", .kind = CFG_KIND_INT, .off = L(baud), .types = SERIAL,
	  .idef = 115200, .min = 1200, .max = 4000000,
	  .check_int = cfg_check_baud },
	{ .name = "parity", .kind = CFG_KIND_STRING, .off = L(parity),
	  .types = SERIAL, .sdef = "none", .names = cfg_parities,
	  .doc_values = "\"none\", \"even\" or \"odd\"" },
	{ .name = "data_bits", .kind = CFG_KIND_INT, .off = L(data_bits),
	  .types = SERIAL, .idef = 8, .min = 5, .max = 8 },
	{ .name = "stop_bits", .kind = CFG_KIND_INT, .off = L(stop_bits),
	  .types = SERIAL, .idef = 1, .min = 1, .max = 2 },
	{ .name = "adapter", .kind = CFG_KIND_STRING, .off = L(adapter),
	  .types = BLE, .sdef = "hci0", .check_str = cfg_check_adapter },
	{ .name = "allow", .kind = CFG_KIND_STRLIST, .off = L(allow),
	  .off_n = L(nallow), .types = BLE, .check_str = cfg_check_ble_address },
	{ .name = "uuids", .kind = CFG_KIND_STRLIST, .off = L(uuids),
	  .off_n = L(nuuids), .types = BLE, .check_str = cfg_check_ble_uuid },
	{ .name = "name_pattern", .kind = CFG_KIND_STRING, .off = L(name_pattern),
	  .types = BLE, .sdef = "", .check_str = cfg_check_name_pattern },
	{ .name = "bus", .kind = CFG_KIND_STRING, .off = L(bus), .types = BLE,
	  .sdef = "", .check_str = cfg_check_bus },
	{ .name = "stale_after", .kind = CFG_KIND_INT, .off = L(stale_after),
	  .idef = 0, .min = 0, .max = 31536000 },
	{ .name = "gone_grace", .kind = CFG_KIND_INT, .off = L(gone_grace),
	  .idef = 0, .min = 0, .max = 31536000 },
	{ .name = NULL }
};
#undef L

/* Does one key hold the same value in two section structs? */
static bool
cfg_key_equal(const struct cfg_key *k, const void *a, const void *b)
{
	const char	*pa = (const char *)a + k->off;
	const char	*pb = (const char *)b + k->off;
	const char	*sa, *sb;

	switch (k->kind) {
	case CFG_KIND_STRING:
		sa = *(char *const *)pa;
		sb = *(char *const *)pb;
		return ((sa == NULL && sb == NULL) ||
		    (sa != NULL && sb != NULL && strcmp(sa, sb) == 0));
	case CFG_KIND_INT:
	case CFG_KIND_ENUM:
		return (*(const int *)pa == *(const int *)pb);
	case CFG_KIND_BOOL:
		return (*(const bool *)pa == *(const bool *)pb);
	case CFG_KIND_FLOAT:
		return (*(const double *)pa == *(const double *)pb);
	default:
		/* Lists and keys: compared as a whole section below. */
		return (true);
	}
}

static void
cfg_diff_section(char **out, const char *section, const struct cfg_key *keys,
    const void *a, const void *b)
{
	const struct cfg_key	*k;
	char			*line;

	for (k = keys; k->name != NULL; k++) {
		if ((k->flags & CFG_RELOAD) || cfg_key_equal(k, a, b))
			continue;
		xasprintf(&line, "%s%s.%s\n", *out != NULL ? *out : "", section,
		    k->name);
		free(*out);
		*out = line;
	}
}

/*
 * Which changed keys need a restart? Accounts and links are applied to devices when they are
 * created, so any change of count there needs one too.
 */
char *
cfg_restart_needed(const struct cfg *old, const struct cfg *new)
{
	char	*out = NULL, *line;
	size_t	 i;

	cfg_diff_section(&out, "gateway", cfg_gateway_keys, &old->gateway,
	    &new->gateway);
	cfg_diff_section(&out, "coap", cfg_coap_keys, &old->coap, &new->coap);
	cfg_diff_section(&out, "lwm2m", cfg_lwm2m_keys, &old->lwm2m, &new->lwm2m);
	if (old->has_bootstrap != new->has_bootstrap) {
		xasprintf(&line, "%sbootstrap\n", out != NULL ? out : "");
		free(out);
		out = line;
	} else if (old->has_bootstrap)
		cfg_diff_section(&out, "bootstrap", cfg_account_keys,
		    &old->bootstrap, &new->bootstrap);
	if (old->nservers != new->nservers) {
		xasprintf(&line, "%sservers\n", out != NULL ? out : "");
		free(out);
		out = line;
	} else {
		for (i = 0; i < old->nservers; i++)
			cfg_diff_section(&out, "servers", cfg_account_keys,
			    &old->servers[i], &new->servers[i]);
	}
	if (old->nlinks != new->nlinks) {
		xasprintf(&line, "%slinks\n", out != NULL ? out : "");
		free(out);
		out = line;
	} else {
		for (i = 0; i < old->nlinks; i++)
			cfg_diff_section(&out, "links", cfg_link_keys,
			    &old->links[i], &new->links[i]);
	}
	return (out);
}

/* Defaults first, so that a key absent from the file has its documented value. */
void
cfg_defaults(const struct cfg_key *keys, void *base, unsigned mask)
{
	const struct cfg_key	*k;
	char			*at;

	for (k = keys; k->name != NULL; k++) {
		if (k->types != 0 && (k->types & mask) == 0)
			continue;
		at = (char *)base + k->off;
		switch (k->kind) {
		case CFG_KIND_STRING:
			*(char **)at = k->sdef != NULL ? xstrdup(k->sdef) : NULL;
			break;
		case CFG_KIND_INT:
			*(int *)at = (int)k->idef;
			break;
		case CFG_KIND_BOOL:
			*(bool *)at = k->idef != 0;
			break;
		case CFG_KIND_FLOAT:
			*(double *)at = k->fdef;
			break;
		case CFG_KIND_ENUM:
			*(int *)at = (int)k->idef;
			break;
		case CFG_KIND_INTLIST:
			if (k->sdef != NULL) {
				*(int **)at = xmalloc(sizeof(int));
				**(int **)at = (int)k->idef;
				*(size_t *)((char *)base + k->off_n) = 1;
			}
			break;
		case CFG_KIND_STRLIST:
		case CFG_KIND_KEY:
		case CFG_KIND_KEYFILE:
			break;
		}
	}
}

static void
cfg_free_section(const struct cfg_key *keys, void *base)
{
	const struct cfg_key	*k;
	char			*at;
	size_t			 i, *n;

	for (k = keys; k->name != NULL; k++) {
		at = (char *)base + k->off;
		switch (k->kind) {
		case CFG_KIND_STRING:
		case CFG_KIND_INTLIST:
			free(*(void **)at);
			*(void **)at = NULL;
			break;
		case CFG_KIND_KEY:
		case CFG_KIND_KEYFILE:
			n = (size_t *)((char *)base + k->off_n);
			if (*(uint8_t **)at != NULL)
				xexplicit_bzero(*(uint8_t **)at, *n);
			free(*(void **)at);
			*(void **)at = NULL;
			*n = 0;
			break;
		case CFG_KIND_STRLIST:
			n = (size_t *)((char *)base + k->off_n);
			for (i = 0; i < *n; i++)
				free((*(char ***)at)[i]);
			free(*(void **)at);
			*(void **)at = NULL;
			*n = 0;
			break;
		default:
			break;
		}
	}
}

static void
cfg_free_account(struct cfg_account *a)
{
	cfg_free_section(cfg_account_keys, a);
	free(a->parsed.host);
}

void
cfg_free(struct cfg *cfg)
{
	size_t	i;

	if (cfg == NULL)
		return;
	cfg_free_section(cfg_gateway_keys, &cfg->gateway);
	cfg_free_section(cfg_coap_keys, &cfg->coap);
	cfg_free_section(cfg_lwm2m_keys, &cfg->lwm2m);
	if (cfg->has_bootstrap)
		cfg_free_account(&cfg->bootstrap);
	for (i = 0; i < cfg->nservers; i++)
		cfg_free_account(&cfg->servers[i]);
	free(cfg->servers);
	for (i = 0; i < cfg->nlinks; i++)
		cfg_free_section(cfg_link_keys, &cfg->links[i]);
	free(cfg->links);
	free(cfg->warnings);
	free(cfg->file);
	free(cfg);
}
