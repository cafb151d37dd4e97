/*
 * Which BLE devices become vclients: the allow-list, service UUIDs and name pattern of a ble
 * link. Short UUIDs stand for their 128-bit form on the Bluetooth base UUID (Core spec, Vol 3
 * Part B 2.5.1), so "181a" and "0000181a-0000-1000-8000-00805f9b34fb" are the same service.
 */
#include "config.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ble_decode.h"
#include "ble_filter.h"
#include "cfg.h"
#include "xmalloc.h"

/*
 * The name to match: Name, else Alias, unless Alias is only what BlueZ makes of the address
 * when it knows no name ("AA-BB-CC-DD-EE-FF"). NULL: the device has no name.
 */
const char *
ble_filter_name(const char *address, const char *name, const char *alias)
{
	size_t	i;

	if (name != NULL && *name != '\0')
		return (name);
	if (alias == NULL || *alias == '\0')
		return (NULL);
	if (address != NULL && strlen(alias) == strlen(address)) {
		for (i = 0; address[i] != '\0'; i++) {
			if (address[i] == ':' ? alias[i] != '-' :
			    toupper((unsigned char)address[i]) !=
			    toupper((unsigned char)alias[i]))
				break;
		}
		if (address[i] == '\0')
			return (NULL);
	}
	return (alias);
}

/* A name heard over the air, fit for a log line. */
static char *
ble_filter_printable(const char *s)
{
	char	*out = xstrdup(s), *p;

	for (p = out; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"')
			*p = '?';
	}
	return (out);
}

static void
ble_filter_uuid_text(const uint8_t u[16], char *buf, size_t len)
{
	uint16_t	v;

	if (ble_uuid_short(u, &v) == 0)
		snprintf(buf, len, "%04x", v);
	else
		snprintf(buf, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		    "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5],
		    u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

static int
ble_filter_uuids(const struct cfg_link *lc, const uint8_t (*uuids)[16], size_t n,
    char **cause)
{
	uint8_t	want[16];
	char	one[40], *seen, *tmp;
	size_t	i, k;

	for (i = 0; i < lc->nuuids; i++) {
		if (ble_uuid_parse(lc->uuids[i], want) != 0)
			continue;	/* refused when the configuration was read */
		for (k = 0; k < n; k++) {
			if (memcmp(want, uuids[k], sizeof want) == 0)
				return (0);
		}
	}
	if (n == 0) {
		xasprintf(cause, "advertises no services (uuids)");
		return (-1);
	}
	seen = xstrdup("");
	for (k = 0; k < n; k++) {
		ble_filter_uuid_text(uuids[k], one, sizeof one);
		xasprintf(&tmp, "%s%s%s", seen, k == 0 ? "" : ", ", one);
		free(seen);
		seen = tmp;
	}
	xasprintf(cause, "advertises none of uuids (only %s)", seen);
	free(seen);
	return (-1);
}

/*
 * Does the device pass every filter of its link? 0, or -1 and *cause the first that fails.
 * An absent or empty filter does not restrict.
 */
int
ble_filter_match(const struct cfg_link *lc, const char *address, const char *name,
    const uint8_t (*uuids)[16], size_t nuuids, char **cause)
{
	const char	*pattern = lc->name_pattern;
	char		*p;
	size_t		 i;

	if (lc->nallow != 0) {
		for (i = 0; i < lc->nallow; i++) {
			if (strcasecmp(lc->allow[i], address) == 0)
				break;
		}
		if (i == lc->nallow) {
			xasprintf(cause, "not in allow");
			return (-1);
		}
	}
	if (lc->nuuids != 0 && ble_filter_uuids(lc, uuids, nuuids, cause) != 0)
		return (-1);
	if (pattern != NULL && *pattern != '\0') {
		if (name == NULL) {
			xasprintf(cause, "has no name (yet) to match name_pattern");
			return (-1);
		}
		if (fnmatch(pattern, name, 0) != 0) {
			p = ble_filter_printable(name);
			xasprintf(cause, "name \"%s\" does not match name_pattern", p);
			free(p);
			return (-1);
		}
	}
	return (0);
}
