/*
 * libFuzzer target: BTHome v2 service data. Whatever decodes must be consistent: readings
 * within bounds, each on a resource path with a typed value.
 */
#include "config.h"

#include <stdlib.h>

#include "ble_decode.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ble_bthome	 b;
	char			*cause = NULL;
	size_t			 i;

	if (ble_bthome_decode(data, size, &b, &cause) != 0) {
		if (cause == NULL)
			abort();
		free(cause);
		return (0);
	}
	if (cause != NULL || b.nreadings > BLE_BTHOME_MAX)
		abort();
	for (i = 0; i < b.nreadings; i++) {
		if (b.readings[i].path.len != 3)
			abort();
		if (b.readings[i].value.type != LWM2M_TYPE_FLOAT &&
		    b.readings[i].value.type != LWM2M_TYPE_INTEGER)
			abort();
	}
	return (0);
}
