/*
 * Bluetooth LE payload decoders of the ble south driver (src/south/ble_gatt.c,
 * src/south/ble_bthome.c): GATT characteristic values of the standard services
 * (Environmental Sensing, Battery, Device Information) and BTHome v2 advertisement service
 * data, each turned into LwM2M readings (path, typed value). Pure functions: no I/O, no
 * allocation except *cause strings; every input is untrusted radio data.
 */
#ifndef LWGW_BLE_DECODE_H
#define LWGW_BLE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwm2m.h"

/* 16-bit UUIDs of the GATT services and the BTHome service data. */
#define BLE_UUID_ESS		0x181a	/* Environmental Sensing */
#define BLE_UUID_BATTERY	0x180f
#define BLE_UUID_DIS		0x180a	/* Device Information */
#define BLE_UUID_BTHOME		0xfcd2

/* Encoding of a characteristic value (GATT Specification Supplement). */
enum ble_gatt_format {
	BLE_GATT_SINT16,
	BLE_GATT_UINT16,
	BLE_GATT_UINT32,
	BLE_GATT_UINT8,
	BLE_GATT_UTF8,
};

/* A characteristic the driver maps to a resource; path.ids[1] is instance 0. */
struct ble_gatt_char {
	uint16_t		 uuid;
	uint16_t		 service;
	const char		*name;
	enum ble_gatt_format	 format;
	struct lwm2m_path	 path;
	double			 divisor;	/* raw / divisor = value in units */
	int64_t			 unknown;	/* raw value meaning "unknown"; -1 none */
	int64_t			 max;		/* largest valid raw value; -1 none */
	const char		*units;		/* /oid/0/5701; NULL for object 3 */
};

/* The mapping of a characteristic UUID (16-bit), or NULL if it is not one we use. */
const struct ble_gatt_char *ble_gatt_lookup(uint16_t uuid);

/* A UUID in 16-, 32- or 128-bit text form ("181a", "0000181a", "0000181a-0000-1000-8000-
 * 00805f9b34fb", any case) as 16 bytes, the short forms on the Bluetooth Base UUID; -1 if it
 * is none of those. */
int	ble_uuid_parse(const char *, uint8_t [16]);
/* The 16-bit form of a UUID on the Bluetooth Base UUID; -1 if it is not one. */
int	ble_uuid_short(const uint8_t [16], uint16_t *);
/*
 * The 16-bit UUID of a Bluetooth Base UUID string ("0000XXXX-0000-1000-8000-00805f9b34fb",
 * any case, as BlueZ gives them). -1 if the string is not of that form.
 */
int	ble_uuid16(const char *, uint16_t *);

/*
 * Decode a characteristic value. 0 and *value (strings point into buf); 1 if the value
 * says "unknown" (ignore it); -1 and *cause if it is malformed (length, range, encoding).
 */
int	ble_gatt_decode(const struct ble_gatt_char *, const uint8_t *buf, size_t len,
	    struct lwm2m_value *value, char **cause);

/* One measurement of an advertisement: resource (instance = n-th of its kind) and value. */
struct ble_reading {
	struct lwm2m_path	path;
	struct lwm2m_value	value;
	const char		*units;		/* /oid/iid/5701; NULL for object 3 */
};

#define BLE_BTHOME_MAX		16	/* readings kept per packet */
#define BLE_BTHOME_FLAG_ENCRYPTED	0x01
#define BLE_BTHOME_FLAG_TRIGGER		0x04
#define BLE_BTHOME_VERSION(b)		(((b) >> 5) & 0x07)

/* A decoded BTHome v2 packet. */
struct ble_bthome {
	bool			trigger;	/* sent on an event, not on a schedule */
	bool			has_packet_id;
	uint8_t			packet_id;
	int			stopped_at;	/* object ID of unknown length, or -1 */
	size_t			skipped;	/* known objects without a mapping */
	size_t			nreadings;
	struct ble_reading	readings[BLE_BTHOME_MAX];
};

/*
 * Decode BTHome v2 service data (the bytes after the UUID). 0 and *out on success, even
 * when decoding stopped at an object ID of unknown length (out->stopped_at, readings
 * before it kept). -1 and *cause for encrypted data (no bindkey support), a version other
 * than 2, an empty packet or a truncated object.
 */
int	ble_bthome_decode(const uint8_t *buf, size_t len, struct ble_bthome *out,
	    char **cause);

#endif
