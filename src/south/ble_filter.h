/*
 * Which BLE devices become vclients (docs/ble.md "Choosing devices"): the address allow-list,
 * service UUIDs and a name pattern of a ble link, all of which must hold. Pure, for tests.
 */
#ifndef LWGW_BLE_FILTER_H
#define LWGW_BLE_FILTER_H

#include <stddef.h>
#include <stdint.h>

struct cfg_link;

#define BLE_FILTER_UUIDS_MAX	32	/* services kept per device */

const char	*ble_filter_name(const char *address, const char *name,
		    const char *alias);
int		 ble_filter_match(const struct cfg_link *, const char *address,
		    const char *name, const uint8_t (*)[16], size_t, char **);

#endif
