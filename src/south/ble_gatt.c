/*
 * GATT characteristic values of the standard services, decoded per the GATT Specification
 * Supplement: Environmental Sensing (temperature, humidity, pressure), Battery Level and
 * the Device Information strings.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ble_decode.h"
#include "hexdigit.h"
#include "xmalloc.h"

#define BLE_NONE	(-1)

static const struct ble_gatt_char ble_gatt_chars[] = {
	/* 0.01 degC, sint16; 0x8000: value is not known. */
	{ 0x2a6e, BLE_UUID_ESS, "Temperature", BLE_GATT_SINT16,
	  LWM2M_PATH_RES(3303, 0, 5700), 100, -32768, BLE_NONE, "Cel" },
	/* 0.01 %, uint16, 0..10000; 0xFFFF: not known. */
	{ 0x2a6f, BLE_UUID_ESS, "Humidity", BLE_GATT_UINT16,
	  LWM2M_PATH_RES(3304, 0, 5700), 100, 0xffff, 10000, "%RH" },
	/* 0.1 Pa, uint32; reported in hPa (1 hPa = 1000 raw units). */
	{ 0x2a6d, BLE_UUID_ESS, "Pressure", BLE_GATT_UINT32,
	  LWM2M_PATH_RES(3315, 0, 5700), 1000, BLE_NONE, BLE_NONE, "hPa" },
	/* Percent, 0..100. */
	{ 0x2a19, BLE_UUID_BATTERY, "Battery Level", BLE_GATT_UINT8,
	  LWM2M_PATH_RES(3, 0, 9), 1, BLE_NONE, 100, NULL },
	{ 0x2a29, BLE_UUID_DIS, "Manufacturer Name", BLE_GATT_UTF8,
	  LWM2M_PATH_RES(3, 0, 0), 1, BLE_NONE, BLE_NONE, NULL },
	{ 0x2a24, BLE_UUID_DIS, "Model Number", BLE_GATT_UTF8,
	  LWM2M_PATH_RES(3, 0, 1), 1, BLE_NONE, BLE_NONE, NULL },
	{ 0x2a25, BLE_UUID_DIS, "Serial Number", BLE_GATT_UTF8,
	  LWM2M_PATH_RES(3, 0, 2), 1, BLE_NONE, BLE_NONE, NULL },
	{ 0x2a26, BLE_UUID_DIS, "Firmware Revision", BLE_GATT_UTF8,
	  LWM2M_PATH_RES(3, 0, 3), 1, BLE_NONE, BLE_NONE, NULL },
	{ 0x2a27, BLE_UUID_DIS, "Hardware Revision", BLE_GATT_UTF8,
	  LWM2M_PATH_RES(3, 0, 18), 1, BLE_NONE, BLE_NONE, NULL },
	{ 0x2a28, BLE_UUID_DIS, "Software Revision", BLE_GATT_UTF8,
	  LWM2M_PATH_RES(3, 0, 19), 1, BLE_NONE, BLE_NONE, NULL },
};

#define BLE_GATT_NCHARS	(sizeof ble_gatt_chars / sizeof ble_gatt_chars[0])
#define BLE_STRING_MAX	255	/* DIS strings longer than this are refused */

const struct ble_gatt_char *
ble_gatt_lookup(uint16_t uuid)
{
	size_t	i;

	for (i = 0; i < BLE_GATT_NCHARS; i++) {
		if (ble_gatt_chars[i].uuid == uuid)
			return (&ble_gatt_chars[i]);
	}
	return (NULL);
}

/* 00000000-0000-1000-8000-00805f9b34fb */
static const uint8_t ble_uuid_base[16] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
	0x80, 0x00, 0x00, 0x80, 0x5f, 0x9b, 0x34, 0xfb
};

int
ble_uuid_parse(const char *s, uint8_t out[16])
{
	size_t	len = strlen(s), i, n = 0;
	int	hi, lo;
	uint8_t	buf[16];

	if (len != 4 && len != 8 && len != 36)
		return (-1);
	memcpy(buf, ble_uuid_base, sizeof buf);
	if (len == 4)
		n = 2;
	for (i = 0; i < len; i += 2) {
		if (len == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i] != '-')
				return (-1);
			i--;
			continue;
		}
		if ((hi = hex_digit((unsigned char)s[i])) < 0 ||
		    (lo = hex_digit((unsigned char)s[i + 1])) < 0)
			return (-1);
		buf[n++] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(out, buf, sizeof buf);
	return (0);
}

int
ble_uuid_short(const uint8_t u[16], uint16_t *out)
{
	if (u[0] != 0 || u[1] != 0 || memcmp(u + 4, ble_uuid_base + 4, 12) != 0)
		return (-1);
	*out = (uint16_t)(u[2] << 8 | u[3]);
	return (0);
}

int
ble_uuid16(const char *s, uint16_t *out)
{
	uint8_t	u[16];

	if (strlen(s) != 36 || ble_uuid_parse(s, u) != 0)
		return (-1);
	return (ble_uuid_short(u, out));
}

/* Valid UTF-8 without control characters (RFC 3629: no overlongs, no surrogates). */
static int
ble_utf8_valid(const uint8_t *p, size_t len)
{
	size_t		i = 0, n, k;
	uint32_t	cp;

	while (i < len) {
		if (p[i] < 0x80) {
			if (p[i] < 0x20 || p[i] == 0x7f)
				return (0);
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = p[i] & 0x1f;
		} else if ((p[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = p[i] & 0x0f;
		} else if ((p[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = p[i] & 0x07;
		} else
			return (0);
		if (len - i <= n)
			return (0);
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return (0);
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (0);
		i += n + 1;
	}
	return (1);
}

int
ble_gatt_decode(const struct ble_gatt_char *c, const uint8_t *buf, size_t len,
    struct lwm2m_value *value, char **cause)
{
	static const size_t	 sizes[] = {
		[BLE_GATT_SINT16] = 2, [BLE_GATT_UINT16] = 2,
		[BLE_GATT_UINT32] = 4, [BLE_GATT_UINT8] = 1, [BLE_GATT_UTF8] = 0,
	};
	int64_t			 raw;

	if (c->format == BLE_GATT_UTF8) {
		/* Some devices pad strings with NULs. */
		while (len > 0 && buf[len - 1] == '\0')
			len--;
		if (len > BLE_STRING_MAX || !ble_utf8_valid(buf, len)) {
			xasprintf(cause, "%s: %zu bytes that are not a valid string",
			    c->name, len);
			return (-1);
		}
		value->type = LWM2M_TYPE_STRING;
		value->v.bytes.ptr = buf;
		value->v.bytes.len = len;
		return (0);
	}
	if (len != sizes[c->format]) {
		xasprintf(cause, "%s: %zu bytes, expected %zu", c->name, len,
		    sizes[c->format]);
		return (-1);
	}
	switch (c->format) {
	case BLE_GATT_SINT16:
		raw = (int16_t)(buf[0] | buf[1] << 8);
		break;
	case BLE_GATT_UINT16:
		raw = buf[0] | buf[1] << 8;
		break;
	case BLE_GATT_UINT32:
		raw = (int64_t)((uint32_t)buf[0] | (uint32_t)buf[1] << 8 |
		    (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24);
		break;
	case BLE_GATT_UINT8:
	default:
		raw = buf[0];
		break;
	}
	if (c->unknown != BLE_NONE && raw == c->unknown)
		return (1);
	if (c->max != BLE_NONE && raw > c->max) {
		xasprintf(cause, "%s: %lld is out of range (max %lld)", c->name,
		    (long long)raw, (long long)c->max);
		return (-1);
	}
	if (c->path.ids[0] == LWM2M_OID_DEVICE) {
		value->type = LWM2M_TYPE_INTEGER;
		value->v.i = raw;
	} else {
		value->type = LWM2M_TYPE_FLOAT;
		value->v.f = (double)raw / c->divisor;
	}
	return (0);
}
