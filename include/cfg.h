/*
 * The configuration file (libconfig syntax) parsed into a struct cfg that owns every string.
 * Every problem is collected as "FILE:LINE: message"; nothing points into libconfig's memory
 * once cfg_load() returns. Keys, types, ranges and defaults come from one table per section
 * (src/cfg.c), which also drives the documentation in conf/lwgw.conf and lwgw.conf(5).
 */
#ifndef LWGW_CFG_H
#define LWGW_CFG_H

#include <stdbool.h>
#include <termios.h>
#include <stddef.h>
#include <stdint.h>

enum cfg_security {
	CFG_SECURITY_PSK,
	CFG_SECURITY_X509,
	CFG_SECURITY_NOSEC,
};

/* A parsed coap:// or coaps:// URI. */
struct cfg_uri {
	bool		 secure;	/* coaps */
	char		*host;		/* without brackets for IPv6 literals */
	uint16_t	 port;
};

/* A server account: the Bootstrap-Server's (ssid 0) or a factory LwM2M server's. */
struct cfg_account {
	int		 line;		/* where it was defined */
	int		 ssid;
	char		*uri;
	struct cfg_uri	 parsed;
	enum cfg_security security;
	char		*psk_identity;	/* template, e.g. "{endpoint}" */
	uint8_t		*psk_key;	/* psk_key, or the master key of psk_key_file */
	size_t		 psk_key_len;
	bool		 psk_derive;	/* psk_key_file: per-device key = HKDF(master, ep) */
	char		*cert_file;	/* X.509: our certificate (DER) */
	char		*key_file;	/* X.509: our private key (DER) */
	char		*server_cert_file; /* X.509: pinned server certificate (DER) */
	char		*ca_file;	/* X.509: or verify against these CAs (PEM) */
	int		 lifetime;	/* s */
	char		*binding;
	int		 default_pmin;	/* s */
	int		 default_pmax;	/* s */
	bool		 notification_storing;
	int		 disable_timeout; /* s */
	int		 hold_off;	/* s, Bootstrap-Server only (/0/x/11) */
	int		 account_timeout; /* s, Bootstrap-Server only (/0/x/12), 0 = keep */
};

enum cfg_link_type {
	CFG_LINK_SIM,
	CFG_LINK_SERIAL,
	CFG_LINK_BLE,
};

enum cfg_waveform {
	CFG_WAVE_CONSTANT,
	CFG_WAVE_SINE,
	CFG_WAVE_RANDOM_WALK,
	CFG_WAVE_STEP,
};

struct cfg_link {
	int		 line;
	char		*name;
	enum cfg_link_type type;

	/* sim */
	int		 devices;
	int		*objects;	/* IPSO object IDs each simulated sensor provides */
	size_t		 nobjects;
	int		 period_ms;
	enum cfg_waveform waveform;
	int		 seed;

	/* serial */
	char		*device;
	int		 baud;
	char		*parity;	/* "none", "even", "odd" */
	int		 data_bits;
	int		 stop_bits;

	/* ble */
	char		*adapter;
	char		**allow;	/* addresses; empty = any that matches services */
	size_t		 nallow;
	char		**uuids;	/* services, one advertised; empty = any */
	size_t		 nuuids;
	char		*name_pattern;	/* fnmatch(3) on Name or Alias; "" = any */
	char		*bus;		/* D-Bus address; default: the system bus */

	/* every type */
	int		 stale_after;	/* s without readings before values are stale; 0 = never */
	int		 gone_grace;	/* s after the sensor vanished before De-register; 0 = never */
};

/* CoAP transmission parameters (RFC 7252 §4.8), configurable so tests can shorten them. */
struct cfg_coap {
	int		 ack_timeout_ms;
	double		 ack_random_factor;
	int		 max_retransmit;
	int		 nstart;
	int		 exchange_lifetime_ms;	/* 0: derived from the others (247 s) */
	int		 max_message_size;
	int		 block_size;
};

/* Virtual client timers and bounds (struct vclient_params); tests shorten them. */
struct cfg_lwm2m {
	int		 retry_base_ms;		/* first Register retry delay */
	int		 retry_cap_ms;		/* longest retry delay */
	int		 retry_attempts;	/* failures before a server counts as failed */
	int		 update_margin_max_s;	/* Update at lifetime - min(lt/10, this) */
	int		 backend_timeout_ms;	/* a sensor's Write/Execute answer, then 5.04 */
	int		 notify_con_interval_s;	/* a CON notification at least this often */
	int		 store_max;		/* notifications stored per server (SV-2) */
	int		 shutdown_timeout_ms;	/* graceful De-register bound */
	int		 bootstrap_retry_ms;	/* bootstrap retry after a failure */
	int		 max_inflight;		/* first exchanges in flight, all devices */
	int		 dns_ttl_s;		/* a host name's answer is used this long */
	int		 dns_negative_ttl_s;	/* a failed resolution, before asking again */
};

struct cfg_gateway {
	char		*state_dir;
	char		*endpoint;	/* template: {link} {id} */
	char		*bind;
	bool		 allow_insecure;
	char		*objects_dir;	/* OMA DDF XML files; "" = none */
	char		*control_socket;
	char		*log_level;
	char		*resolv_conf;	/* nameservers for host names in server URIs */
	char		*hosts_file;	/* static names; "" = none */
};

struct cfg {
	char			*file;
	char			*warnings;	/* "FILE:LINE: warning: ..." lines, or NULL */
	struct cfg_gateway	 gateway;
	struct cfg_coap		 coap;
	struct cfg_lwm2m	 lwm2m;
	bool			 has_bootstrap;
	struct cfg_account	 bootstrap;
	struct cfg_account	*servers;
	size_t			 nservers;
	struct cfg_link		*links;
	size_t			 nlinks;
};

/*
 * Parse FILE. On success returns the config and sets *errors to NULL. On failure returns NULL
 * and *errors to a heap string of one "FILE:LINE: message" line per problem (every problem,
 * not only the first); *nerrors counts them.
 */
struct cfg	*cfg_load(const char *file, char **errors, int *nerrors);
void		 cfg_free(struct cfg *);

/* Parse a coap:// or coaps:// URI; 0 or -1 with *cause. */
int		 cfg_parse_uri(const char *, struct cfg_uri *, char **cause);

/* The termios speed of a baud rate serial links support; -1 if none. */
int		 cfg_serial_speed(int baud, speed_t *speed);

/* Map "error", "warning", "notice", "info", "debug" to a syslog priority; -1 if unknown. */
int		 cfg_log_level(const char *);

/* Lines of "key: was -> now" for keys that differ and cannot change without a restart. */
char		*cfg_restart_needed(const struct cfg *old, const struct cfg *new);

/* The longest endpoint name (and the sensor identity it holds) a device may have. */
#define CFG_ENDPOINT_MAX	127

const char	*cfg_security_name(enum cfg_security);
const char	*cfg_link_type_name(enum cfg_link_type);

#endif
