/* Values of the configuration: hex keys, key files, URIs, names. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cfg.h"
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
		if (!isxdigit((unsigned char)*s))
			goto bad;
		v = isdigit((unsigned char)*s) ? *s - '0' :
		    tolower((unsigned char)*s) - 'a' + 10;
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
