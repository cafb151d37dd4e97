/* Small helpers of lwgw-operator: allocation that cannot fail, time, parsing. */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "operator.h"

void
oputil_fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fprintf(stderr, "lwgw-operator: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

void *
oputil_xcalloc(size_t n, size_t size)
{
	void	*p;

	if (n == 0 || size == 0)
		n = size = 1;
	if ((p = calloc(n, size)) == NULL)
		oputil_fatal("out of memory");
	return (p);
}

void *
oputil_xrealloc(void *p, size_t size)
{
	if (size == 0)
		size = 1;
	if ((p = realloc(p, size)) == NULL)
		oputil_fatal("out of memory");
	return (p);
}

char *
oputil_xstrdup(const char *s)
{
	return (oputil_xstrndup(s, strlen(s)));
}

char *
oputil_xstrndup(const char *s, size_t len)
{
	char	*p;

	p = oputil_xcalloc(1, len + 1);
	memcpy(p, s, len);
	return (p);
}

char *
oputil_xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oputil_fatal("out of memory");
	va_end(ap);
	return (s);
}

uint64_t
oputil_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* "2.05", "205" or "4.04" to a CoAP code (class << 5 | detail). */
int
oputil_code_parse(const char *s, int *code)
{
	unsigned	c, d;
	char		extra;

	if (sscanf(s, "%1u.%2u%c", &c, &d, &extra) == 2 ||
	    (strlen(s) == 3 && sscanf(s, "%1u%2u%c", &c, &d, &extra) == 2)) {
		if (c > 7 || d > 31)
			return (-1);
		*code = (int)(c << 5 | d);
		return (0);
	}
	return (-1);
}

int
oputil_hex_decode(const char *s, uint8_t **out, size_t *outlen)
{
	size_t	 len = strlen(s), i;
	uint8_t	*p;
	int	 hi, lo;

	if (len % 2 != 0)
		return (-1);
	p = oputil_xcalloc(1, len / 2 + 1);
	for (i = 0; i < len / 2; i++) {
		if (!isxdigit((unsigned char)s[2 * i]) ||
		    !isxdigit((unsigned char)s[2 * i + 1])) {
			free(p);
			return (-1);
		}
		hi = isdigit((unsigned char)s[2 * i]) ? s[2 * i] - '0' :
		    tolower((unsigned char)s[2 * i]) - 'a' + 10;
		lo = isdigit((unsigned char)s[2 * i + 1]) ? s[2 * i + 1] - '0' :
		    tolower((unsigned char)s[2 * i + 1]) - 'a' + 10;
		p[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = p;
	*outlen = len / 2;
	return (0);
}

/* "HOST:PORT" or "[V6]:PORT" (numeric only) to an address; port default if absent. */
int
oputil_addr_parse(const char *s, int defport, coap_address_t *addr, char **cause)
{
	char			*copy, *host, *rest, *end;
	long			 port = defport;
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;

	copy = oputil_xstrdup(s);
	host = copy;
	rest = NULL;
	if (host[0] == '[') {
		host++;
		if ((end = strchr(host, ']')) == NULL)
			goto bad;
		*end = '\0';
		rest = end + 1;
		if (*rest == '\0')
			rest = NULL;
		else if (*rest != ':')
			goto bad;
	} else if ((rest = strchr(host, ':')) != NULL &&
	    strchr(rest + 1, ':') == NULL)
		*rest = '\0';
	else
		rest = NULL;
	if (rest != NULL) {
		errno = 0;
		port = strtol(rest + 1, &end, 10);
		if (errno != 0 || *end != '\0' || end == rest + 1)
			goto bad;
	}
	if (port <= 0 || port > 65535)
		goto bad;
	coap_address_init(addr);
	memset(&sin, 0, sizeof sin);
	memset(&sin6, 0, sizeof sin6);
	if (inet_pton(AF_INET, host, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)port);
		memcpy(&addr->addr.sin, &sin, sizeof sin);
		addr->size = sizeof sin;
	} else if (inet_pton(AF_INET6, host, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((uint16_t)port);
		memcpy(&addr->addr.sin6, &sin6, sizeof sin6);
		addr->size = sizeof sin6;
	} else
		goto bad;
	free(copy);
	return (0);
bad:
	*cause = oputil_xasprintf("bad address: %s", s);
	free(copy);
	return (-1);
}

/* "/", "/3", "/3/0/1" to IDs; at most four levels. */
int
oputil_path_parse(const char *s, uint16_t *ids, int *nids)
{
	const char	*p = s;
	char		*end;
	unsigned long	 v;
	int		 n = 0;

	if (*p != '/')
		return (-1);
	if (strcmp(p, "/") == 0) {
		*nids = 0;
		return (0);
	}
	while (*p == '/') {
		p++;
		if (n == 4 || !isdigit((unsigned char)*p))
			return (-1);
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno != 0 || v > 65535)
			return (-1);
		ids[n++] = (uint16_t)v;
		p = end;
	}
	if (*p != '\0')
		return (-1);
	*nids = n;
	return (0);
}

/* The value of key in an '&'-separated query, or NULL; the caller frees it. */
char *
oputil_query_get(const char *query, size_t len, const char *key)
{
	const char	*p = query, *end = query + len, *amp;
	size_t		 klen = strlen(key);

	if (query == NULL)
		return (NULL);
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((size_t)(amp - p) > klen && memcmp(p, key, klen) == 0 &&
		    p[klen] == '=')
			return (oputil_xstrndup(p + klen + 1,
			    (size_t)(amp - p) - klen - 1));
		p = amp + 1;
	}
	return (NULL);
}
