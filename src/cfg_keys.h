/* The configuration keys: one table per section (private to cfg). */
#ifndef LWGW_CFG_KEYS_H
#define LWGW_CFG_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cfg_uri;

enum cfg_kind {
	CFG_KIND_STRING,
	CFG_KIND_INT,
	CFG_KIND_BOOL,
	CFG_KIND_FLOAT,
	CFG_KIND_ENUM,		/* string from names[], stored as int */
	CFG_KIND_INTLIST,	/* int * at off, size_t count at off_n */
	CFG_KIND_STRLIST,	/* char ** at off, size_t count at off_n */
	CFG_KIND_KEY,		/* "hex:..." → uint8_t * at off, size_t at off_n */
	CFG_KIND_KEYFILE,	/* file of hex → the same fields as KEY */
};

#define CFG_REQUIRED	0x1
#define CFG_RELOAD	0x2	/* takes effect on SIGHUP without a restart */

/* VCLIENT_DER_MAX of src/lwm2m/vclient_store.c: the largest DER file read. */
#define CFG_DER_MAX	16384

/* Masks of struct cfg_account users and link types (1 << enum cfg_link_type). */
#define CFG_ACCOUNT_BS		0x1
#define CFG_ACCOUNT_SERVER	0x2

struct cfg_key {
	const char		*name;
	enum cfg_kind		 kind;
	size_t			 off;
	size_t			 off_n;
	unsigned		 types;	/* 0 = every kind of section */
	int			 flags;
	long long		 idef;	/* INT, BOOL, ENUM, INTLIST (one element) */
	double			 fdef;
	const char		*sdef;	/* STRING; INTLIST: non-NULL = has default */
	double			 min;	/* min == max: no range check */
	double			 max;
	const char *const	*names;	/* ENUM; STRING: the only values allowed */
	const char		*doc_values;
	/* What the consumer of the value accepts beyond the range: 0, or -1 and *cause. */
	int			(*check_int)(long long, char **); /* INT(LIST) */
	int			(*check_str)(const char *, char **); /* STRING(LIST) */
};

extern const struct cfg_key	 cfg_gateway_keys[];
extern const struct cfg_key	 cfg_coap_keys[];
extern const struct cfg_key	 cfg_lwm2m_keys[];
extern const struct cfg_key	 cfg_account_keys[];
extern const struct cfg_key	 cfg_link_keys[];
extern const char *const	 cfg_link_types[];
extern const char *const	 cfg_security_names[];

/* cfg_keys.c */
void	cfg_defaults(const struct cfg_key *, void *, unsigned);

/* cfg_util.c */
int	cfg_unhex(const char *, uint8_t **, size_t *);
int	cfg_read_key_file(const char *, uint8_t **, size_t *, char **);
int	cfg_file_readable(const char *, char **);
int	cfg_check_block_size(long long, char **);
int	cfg_check_sim_object(long long, char **);
int	cfg_check_baud(long long, char **);
int	cfg_check_nonempty(const char *, char **);
int	cfg_check_bind(const char *, char **);
int	cfg_check_socket_path(const char *, char **);
int	cfg_check_binding(const char *, char **);
int	cfg_check_ble_address(const char *, char **);
int	cfg_check_ble_uuid(const char *, char **);
int	cfg_check_name_pattern(const char *, char **);
int	cfg_check_adapter(const char *, char **);
int	cfg_check_bus(const char *, char **);
int	cfg_check_uri_length(const char *, char **);
int	cfg_der_file(const char *, char **);
int	cfg_check_peer(const struct cfg_uri *, const char *, char **);
int	cfg_addr_family(const char *);

/* cfg_errors.c: problems collected while loading, reported at once in line order. */
struct config_setting_t;
struct cfg_problem {
	int		 line;
	bool		 warning;
	char		*text;
};
struct cfg_errors {
	const char		*file;
	struct cfg_problem	*v;
	size_t			 len;
	int			 n;	/* errors, not counting warnings */
};
/* s (may be NULL: line is used) locates the problem. */
void	cfg_error(struct cfg_errors *, const struct config_setting_t *s, int line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	cfg_warning(struct cfg_errors *, const struct config_setting_t *s, int line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The errors (or the warnings) as one string, in line order; NULL if none. */
char	*cfg_problems(struct cfg_errors *, bool warnings);
void	 cfg_errors_free(struct cfg_errors *);

#endif
