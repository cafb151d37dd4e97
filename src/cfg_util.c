/* Values of the configuration: hex keys, key files, URIs, names. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <termios.h>
#include <unistd.h>

#include "cfg.h"
#include "hexdigit.h"
#include "cfg_keys.h"
#include "xmalloc.h"

/* Hex digits (whitespace and ':' ignored) to bytes; -1 if malformed. */
int
cfg_unhex(const char *s, uint8_t **out, size_t *outlen)
{
	size_t	 n = 0, cap = strlen(s) / 2 + 1;
	uint8_t	*b = xmalloc(cap);
	int	 hi = -1, v;

	for (; *s != '\0'; s++) {
		if (isspace((unsigned char)*s) || *s == ':')
			continue;
		if ((v = hex_digit((unsigned char)*s)) < 0)
			goto bad;
		if (hi == -1)
			hi = v;
		else {
			b[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi != -1 || n == 0)
		goto bad;
	*out = b;
	*outlen = n;
	return (0);
bad:
	xexplicit_bzero(b, cap);
	free(b);
	return (-1);
}

/* A key file holds the key as hex text. */
int
cfg_read_key_file(const char *path, uint8_t **out, size_t *outlen, char **cause)
{
	char	buf[1024];
	ssize_t	n;
	int	fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "cannot read key file %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) {
		xasprintf(cause, "cannot read key file %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	if (n == (ssize_t)sizeof buf - 1) {
		xexplicit_bzero(buf, sizeof buf);
		xasprintf(cause, "key file %s is too long for a key", path);
		return (-1);
	}
	buf[n] = '\0';
	rc = cfg_unhex(buf, out, outlen);
	xexplicit_bzero(buf, sizeof buf);
	if (rc != 0)
		xasprintf(cause, "key file %s does not hold a hex key", path);
	return (rc);
}

int
cfg_file_readable(const char *path, char **cause)
{
	if (access(path, R_OK) != 0) {
		xasprintf(cause, "cannot read %s: %s", path, strerror(errno));
		return (-1);
	}
	return (0);
}

/*
 * Checks of single values against what their consumers accept, so that a file that
 * passes lwgwd -n also starts. Each cause completes "KEY: ".
 */

int
cfg_check_block_size(long long v, char **cause)
{
	if (v >= 16 && v <= 1024 && (v & (v - 1)) == 0)
		return (0);
	xasprintf(cause, "%lld is not a power of two (16, 32, 64, 128, 256, 512 or "
	    "1024)", v);
	return (-1);
}

/* The objects src/south/sim.c can play; the two lists must agree. */
static const int cfg_sim_objects[] = {
	3200, 3201, 3300, 3301, 3303, 3304, 3311, 3315, 3316, 3323
};

int
cfg_check_sim_object(long long v, char **cause)
{
	const size_t	 n = sizeof cfg_sim_objects / sizeof cfg_sim_objects[0];
	char		 list[128];
	size_t		 i, len = 0;

	for (i = 0; i < n; i++) {
		if (cfg_sim_objects[i] == v)
			return (0);
	}
	for (i = 0; i < n && len < sizeof list; i++)
		len += snprintf(list + len, sizeof list - len, "%s%d",
		    i == 0 ? "" : i == n - 1 ? " or " : ", ", cfg_sim_objects[i]);
	xasprintf(cause, "the simulator cannot play object %lld (only %s)", v, list);
	return (-1);
}

/*
 * The baud rates of serial links: the speeds of this system's termios, one table
 * for the configuration check and the serial driver (cfg_serial_speed).
 */
static const struct {
	int	baud;
	speed_t	speed;
} cfg_speeds[] = {
	{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
	{ 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
	{ 115200, B115200 }, { 230400, B230400 },
#ifdef B460800
	{ 460800, B460800 },
#endif
#ifdef B500000
	{ 500000, B500000 },
#endif
#ifdef B576000
	{ 576000, B576000 },
#endif
#ifdef B921600
	{ 921600, B921600 },
#endif
#ifdef B1000000
	{ 1000000, B1000000 },
#endif
#ifdef B1500000
	{ 1500000, B1500000 },
#endif
#ifdef B2000000
	{ 2000000, B2000000 },
#endif
#ifdef B3000000
	{ 3000000, B3000000 },
#endif
#ifdef B4000000
	{ 4000000, B4000000 },
#endif
};

int
cfg_serial_speed(int baud, speed_t *speed)
{
	size_t	i;

	for (i = 0; i < sizeof cfg_speeds / sizeof cfg_speeds[0]; i++) {
		if (cfg_speeds[i].baud == baud) {
			*speed = cfg_speeds[i].speed;
			return (0);
		}
	}
	return (-1);
}

int
cfg_check_baud(long long v, char **cause)
{
	const size_t	 n = sizeof cfg_speeds / sizeof cfg_speeds[0];
	speed_t		 speed;
	char		 list[256];
	size_t		 i, len = 0;

	if (v <= INT32_MAX && cfg_serial_speed((int)v, &speed) == 0)
		return (0);
	for (i = 0; i < n && len < sizeof list; i++)
		len += snprintf(list + len, sizeof list - len, "%s%d",
		    i == 0 ? "" : i == n - 1 ? " or " : ", ", cfg_speeds[i].baud);
	xasprintf(cause, "%lld is not a baud rate lwgw supports here (%s)", v, list);
	return (-1);
}

int
cfg_check_nonempty(const char *s, char **cause)
{
	if (*s != '\0')
		return (0);
	*cause = xstrdup("must not be empty");
	return (-1);
}

/* AF_INET or AF_INET6 of a numeric address, with or without [ ]; -1 if not one. */
int
cfg_addr_family(const char *s)
{
	struct in6_addr	 a6;
	char		 buf[INET6_ADDRSTRLEN + 2];
	size_t		 len = strlen(s);

	if (len >= 2 && len < sizeof buf && s[0] == '[' && s[len - 1] == ']') {
		memcpy(buf, s + 1, len - 2);
		buf[len - 2] = '\0';
		s = buf;
	}
	if (inet_pton(AF_INET, s, &a6) == 1)
		return (AF_INET);
	if (inet_pton(AF_INET6, s, &a6) == 1)
		return (AF_INET6);
	return (-1);
}

int
cfg_check_bind(const char *s, char **cause)
{
	if (cfg_addr_family(s) != -1)
		return (0);
	xasprintf(cause, "expected a numeric IPv4 or IPv6 address, not \"%s\"", s);
	return (-1);
}

int
cfg_check_socket_path(const char *s, char **cause)
{
	struct sockaddr_un	sun;

	if (*s == '\0') {
		*cause = xstrdup("must not be empty");
		return (-1);
	}
	if (strlen(s) < sizeof sun.sun_path)
		return (0);
	xasprintf(cause, "\"%s\" is longer than the %zu bytes a Unix socket path may "
	    "have", s, sizeof sun.sun_path - 1);
	return (-1);
}

/* LwM2M 1.1 binding letters (and 1.0's Q); lwgw talks UDP, so U is a must. */
int
cfg_check_binding(const char *s, char **cause)
{
	const char	*p;

	for (p = s; *p != '\0'; p++) {
		if (strchr("UMHTSNQ", *p) == NULL || strchr(p + 1, *p) != NULL)
			break;
	}
	if (*p == '\0' && strchr(s, 'U') != NULL)
		return (0);
	xasprintf(cause, "\"%s\" is not a binding lwgw can use (U, and any of M, H, "
	    "T, S, N and Q, each letter once)", s);
	return (-1);
}

int
cfg_check_ble_address(const char *s, char **cause)
{
	int	i;

	for (i = 0; i < 17; i++) {
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			break;
	}
	if (i == 17 && s[17] == '\0')
		return (0);
	xasprintf(cause, "expected an address such as \"AA:BB:CC:DD:EE:FF\", not "
	    "\"%s\"", s);
	return (-1);
}

/* As BlueZ writes them: 16- or 32-bit short forms, or the full 128-bit form. */
int
cfg_check_ble_uuid(const char *s, char **cause)
{
	size_t	i, len = strlen(s);

	if (len == 4 || len == 8 || len == 36) {
		for (i = 0; i < len; i++) {
			if (len == 36 && (i == 8 || i == 13 || i == 18 || i == 23) ?
			    s[i] != '-' : !isxdigit((unsigned char)s[i]))
				break;
		}
		if (i == len)
			return (0);
	}
	xasprintf(cause, "expected a service UUID such as \"181a\" or "
	    "\"0000181a-0000-1000-8000-00805f9b34fb\", not \"%s\"", s);
	return (-1);
}

/* fnmatch(3) takes anything; a control character is surely a mistake. */
int
cfg_check_name_pattern(const char *s, char **cause)
{
	const char	*p;

	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			xasprintf(cause, "a device name pattern has no control "
			    "characters");
			return (-1);
		}
	}
	return (0);
}

/* BlueZ names its adapters hciN; the name becomes a D-Bus object path. */
int
cfg_check_adapter(const char *s, char **cause)
{
	size_t	n;

	if (strncmp(s, "hci", 3) == 0) {
		n = strspn(s + 3, "0123456789");
		if (n >= 1 && n <= 5 && s[3 + n] == '\0')
			return (0);
	}
	xasprintf(cause, "expected a BlueZ adapter name such as \"hci0\", not \"%s\"",
	    s);
	return (-1);
}

/*
 * A D-Bus server address: "transport:key=value,..." entries separated by ';', at least
 * one of a transport sd-bus can use; "" is the system bus.
 */
int
cfg_check_bus(const char *s, char **cause)
{
	static const char *const transports[] = {
		"unix", "tcp", "unixexec", "x-machine-unix", "x-machine-container", NULL
	};
	const char	*p = s, *colon, *end, *eq;
	size_t		 n;
	int		 i, known = 0;

	if (*s == '\0')
		return (0);
	while (*p != '\0') {
		end = p + strcspn(p, ";");
		colon = memchr(p, ':', end - p);
		if (colon == NULL || colon == p)
			goto bad;
		for (i = 0; transports[i] != NULL; i++) {
			n = strlen(transports[i]);
			known |= (size_t)(colon - p) == n &&
			    strncmp(p, transports[i], n) == 0;
		}
		for (p = colon + 1; p < end; p += n + (p + n < end)) {
			n = strcspn(p, ",;");
			eq = memchr(p, '=', n);
			if (eq == NULL || eq == p || eq == p + n - 1)
				goto bad;
		}
		p = *end == ';' ? end + 1 : end;
	}
	if (known)
		return (0);
bad:
	xasprintf(cause, "\"%s\" is not a D-Bus address lwgw can use (such as "
	    "\"unix:path=/run/dbus/system_bus_socket\")", s);
	return (-1);
}

/* The Security object's URI resource holds 255 bytes at most (src/dm/dm_objects.c). */
int
cfg_check_uri_length(const char *s, char **cause)
{
	if (strlen(s) <= 255)
		return (0);
	xasprintf(cause, "%zu bytes, more than the 255 of a Security object URI",
	    strlen(s));
	return (-1);
}

/* A DER file as src/lwm2m/vclient_store.c reads it: 1 to 16384 bytes. */
int
cfg_der_file(const char *path, char **cause)
{
	struct stat	st;

	if (cfg_file_readable(path, cause) != 0)
		return (-1);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > CFG_DER_MAX) {
		xasprintf(cause, "%s: not a file of 1 to %d bytes (a DER certificate or "
		    "key)", path, CFG_DER_MAX);
		return (-1);
	}
	return (0);
}

/* Letters, digits, '-', '_' and dots, 253 at most (as vclient_peer.c resolves). */
static int
cfg_hostname(const char *s)
{
	size_t	n = strlen(s), label = 0, i;

	if (n == 0 || n > 253)
		return (0);
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return (0);
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return (0);
		if (++label > 63)
			return (0);
	}
	return (1);
}

/* A server URI's host: a name, or an address of the family of gateway.bind. */
int
cfg_check_peer(const struct cfg_uri *u, const char *bind, char **cause)
{
	const char	*host = strcmp(u->host, "localhost") == 0 ? "127.0.0.1" :
			    u->host;
	int		 af = cfg_addr_family(host);

	if (af == -1 && !cfg_hostname(host)) {
		xasprintf(cause, "%s is neither an address nor a host name", u->host);
		return (-1);
	}
	if (af != -1 && cfg_addr_family(bind) != -1 && af != cfg_addr_family(bind)) {
		xasprintf(cause, "%s is not of the address family of gateway.bind (%s)",
		    u->host, bind);
		return (-1);
	}
	return (0);
}

int
cfg_parse_uri(const char *uri, struct cfg_uri *u, char **cause)
{
	const char	*p, *host, *end;
	char		*ep;
	unsigned long	 port;
	size_t		 hlen;

	memset(u, 0, sizeof *u);
	if (strncmp(uri, "coaps://", 8) == 0) {
		u->secure = true;
		p = uri + 8;
	} else if (strncmp(uri, "coap://", 7) == 0)
		p = uri + 7;
	else {
		xasprintf(cause, "URI '%s' is not coap:// or coaps://", uri);
		return (-1);
	}
	if (*p == '[') {
		host = p + 1;
		if ((end = strchr(host, ']')) == NULL) {
			xasprintf(cause, "URI '%s' has an unterminated IPv6 literal",
			    uri);
			return (-1);
		}
		hlen = end - host;
		p = end + 1;
	} else {
		host = p;
		hlen = strcspn(p, ":/?");
		p += hlen;
	}
	if (hlen == 0) {
		xasprintf(cause, "URI '%s' has no host", uri);
		return (-1);
	}
	port = u->secure ? 5684 : 5683;
	if (*p == ':') {
		errno = 0;
		port = strtoul(p + 1, &ep, 10);
		if (ep == p + 1 || errno != 0 || port == 0 || port > 65535) {
			xasprintf(cause, "URI '%s' has a bad port", uri);
			return (-1);
		}
		p = ep;
	}
	if (*p != '\0' && strcmp(p, "/") != 0) {
		xasprintf(cause, "URI '%s': a server URI has no path or query", uri);
		return (-1);
	}
	u->host = xstrndup(host, hlen);
	u->port = (uint16_t)port;
	return (0);
}

int
cfg_log_level(const char *name)
{
	static const struct {
		const char	*name;
		int		 level;
	} levels[] = {
		{ "error", LOG_ERR }, { "warning", LOG_WARNING },
		{ "notice", LOG_NOTICE }, { "info", LOG_INFO },
		{ "debug", LOG_DEBUG },
	};
	size_t	i;

	for (i = 0; name != NULL && i < sizeof levels / sizeof levels[0]; i++) {
		if (strcmp(levels[i].name, name) == 0)
			return (levels[i].level);
	}
	return (-1);
}

const char *
cfg_security_name(enum cfg_security s)
{
	return (cfg_security_names[s]);
}

const char *
cfg_link_type_name(enum cfg_link_type t)
{
	return (cfg_link_types[t]);
}
