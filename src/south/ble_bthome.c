/*
 * BTHome v2 (https://bthome.io/format/): service data 0xFCD2 of sensors that only
 * advertise. One device information byte (encryption, trigger, version), then objects:
 * an ID byte and a little-endian value whose size the ID fixes. The sizes of every ID of
 * the format are known, so unmapped objects are skipped; an ID this table does not know
 * ends the packet, since the next object cannot be found.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ble_decode.h"
#include "xmalloc.h"

#define BLE_BTHOME_VAR	0xff	/* first byte of the value is its length */

/* One object ID: value size, signedness, factor and where it lands (oid 0: nowhere). */
struct ble_bthome_obj {
	uint8_t		 size;		/* 0: unknown ID */
	bool		 sign;
	double		 factor;
	uint16_t	 oid;
	uint16_t	 rid;
	const char	*units;
};

#define SKIP(n)		{ .size = (n) }
#define MAP(n, s, f, o, r, u) \
	{ .size = (n), .sign = (s), .factor = (f), .oid = (o), .rid = (r), .units = (u) }

static const struct ble_bthome_obj ble_bthome_objs[256] = {
	[0x00] = SKIP(1),				/* packet id, handled apart */
	[0x01] = MAP(1, false, 1, 3, 9, NULL),		/* battery % */
	[0x02] = MAP(2, true, 0.01, 3303, 5700, "Cel"),
	[0x03] = MAP(2, false, 0.01, 3304, 5700, "%RH"),
	[0x04] = MAP(3, false, 0.01, 3315, 5700, "hPa"),
	[0x05] = MAP(3, false, 0.01, 3301, 5700, "lx"),
	[0x06] = SKIP(2), [0x07] = SKIP(2),		/* mass kg, lb */
	[0x08] = SKIP(2),				/* dew point */
	[0x09] = SKIP(1),				/* count */
	[0x0a] = SKIP(3), [0x0b] = SKIP(3),		/* energy, power */
	[0x0c] = MAP(2, false, 0.001, 3316, 5700, "V"),
	[0x0d] = SKIP(2), [0x0e] = SKIP(2),		/* pm2.5, pm10 */
	[0x0f] = SKIP(1), [0x10] = SKIP(1), [0x11] = SKIP(1),
	[0x12] = SKIP(2), [0x13] = SKIP(2), [0x14] = SKIP(2), /* co2, tvoc, moisture */
	[0x15] = SKIP(1), [0x16] = SKIP(1), [0x17] = SKIP(1), [0x18] = SKIP(1),
	[0x19] = SKIP(1), [0x1a] = SKIP(1), [0x1b] = SKIP(1), [0x1c] = SKIP(1),
	[0x1d] = SKIP(1), [0x1e] = SKIP(1), [0x1f] = SKIP(1), [0x20] = SKIP(1),
	[0x21] = SKIP(1), [0x22] = SKIP(1), [0x23] = SKIP(1), [0x24] = SKIP(1),
	[0x25] = SKIP(1), [0x26] = SKIP(1), [0x27] = SKIP(1), [0x28] = SKIP(1),
	[0x29] = SKIP(1), [0x2a] = SKIP(1), [0x2b] = SKIP(1), [0x2c] = SKIP(1),
	[0x2d] = SKIP(1),				/* binary sensors */
	[0x2e] = MAP(1, false, 1, 3304, 5700, "%RH"),
	[0x2f] = SKIP(1),				/* moisture % */
	[0x3a] = SKIP(1),				/* button event */
	[0x3c] = SKIP(2),				/* dimmer event */
	[0x3d] = SKIP(2), [0x3e] = SKIP(4),		/* count */
	[0x3f] = SKIP(2),				/* rotation */
	[0x40] = SKIP(2), [0x41] = SKIP(2),		/* distance */
	[0x42] = SKIP(3),				/* duration */
	[0x43] = SKIP(2), [0x44] = SKIP(2),		/* current, speed */
	[0x45] = MAP(2, true, 0.1, 3303, 5700, "Cel"),
	[0x46] = SKIP(1),				/* UV index */
	[0x47] = SKIP(2), [0x48] = SKIP(2), [0x49] = SKIP(2), /* volume, flow */
	[0x4a] = MAP(2, false, 0.1, 3316, 5700, "V"),
	[0x4b] = SKIP(3), [0x4c] = SKIP(4), [0x4d] = SKIP(4), /* gas, energy */
	[0x4e] = SKIP(4), [0x4f] = SKIP(4),		/* volume, water */
	[0x50] = SKIP(4),				/* timestamp */
	[0x51] = SKIP(2), [0x52] = SKIP(2),		/* acceleration, gyroscope */
	[0x53] = SKIP(BLE_BTHOME_VAR),			/* text */
	[0x54] = SKIP(BLE_BTHOME_VAR),			/* raw */
	[0x55] = SKIP(4), [0x56] = SKIP(2),		/* volume storage, conductivity */
	[0x57] = MAP(1, true, 1, 3303, 5700, "Cel"),
	[0x58] = MAP(1, true, 0.35, 3303, 5700, "Cel"),
	[0x59] = SKIP(1), [0x5a] = SKIP(2), [0x5b] = SKIP(4), /* signed counts */
	[0x5c] = SKIP(4), [0x5d] = SKIP(2),		/* power, current */
	[0x5e] = SKIP(2), [0x5f] = SKIP(2),		/* direction, precipitation */
	[0x60] = SKIP(1),				/* channel */
	[0xf0] = SKIP(2), [0xf1] = SKIP(4), [0xf2] = SKIP(3), /* device info */
};

static int64_t
ble_bthome_int(const uint8_t *p, size_t n, bool sign)
{
	uint64_t	u = 0;
	size_t		i;

	for (i = n; i > 0; i--)
		u = u << 8 | p[i - 1];
	if (sign && n < 8 && (u & (UINT64_C(1) << (n * 8 - 1))) != 0)
		u |= ~UINT64_C(0) << (n * 8);
	return ((int64_t)u);
}

/* Decimal factors divide, so that 2150 * 0.01 is exactly the double nearest 21.5. */
static double
ble_bthome_scale(int64_t raw, double factor)
{
	if (factor == 0.1)
		return ((double)raw / 10);
	if (factor == 0.01)
		return ((double)raw / 100);
	if (factor == 0.001)
		return ((double)raw / 1000);
	return ((double)raw * factor);
}

int
ble_bthome_decode(const uint8_t *buf, size_t len, struct ble_bthome *out,
    char **cause)
{
	const struct ble_bthome_obj	*o;
	struct ble_reading		*r;
	size_t				 i, k, size;
	uint8_t				 id, info;
	int64_t				 raw;

	memset(out, 0, sizeof *out);
	out->stopped_at = -1;
	if (len == 0) {
		xasprintf(cause, "BTHome: empty service data");
		return (-1);
	}
	info = buf[0];
	if (BLE_BTHOME_VERSION(info) != 2) {
		xasprintf(cause, "BTHome: version %d is not supported",
		    BLE_BTHOME_VERSION(info));
		return (-1);
	}
	if (info & BLE_BTHOME_FLAG_ENCRYPTED) {
		xasprintf(cause, "BTHome: encrypted data (no bindkey support)");
		return (-1);
	}
	out->trigger = (info & BLE_BTHOME_FLAG_TRIGGER) != 0;
	for (i = 1; i < len; i += size) {
		id = buf[i++];
		o = &ble_bthome_objs[id];
		if (o->size == 0) {
			out->stopped_at = id;
			break;
		}
		size = o->size;
		if (size == BLE_BTHOME_VAR) {
			if (i >= len) {
				xasprintf(cause, "BTHome: object 0x%02x truncated", id);
				return (-1);
			}
			size = 1 + (size_t)buf[i];
		}
		if (len - i < size) {
			xasprintf(cause, "BTHome: object 0x%02x truncated (%zu of %zu "
			    "bytes)", id, len - i, size);
			return (-1);
		}
		if (id == 0x00) {
			out->has_packet_id = true;
			out->packet_id = buf[i];
			continue;
		}
		if (o->oid == 0) {
			out->skipped++;
			continue;
		}
		if (out->nreadings == BLE_BTHOME_MAX) {
			out->skipped++;
			continue;
		}
		raw = ble_bthome_int(buf + i, size, o->sign);
		r = &out->readings[out->nreadings];
		/* The n-th object of a kind is instance n (two thermometers: 0 and 1). */
		r->path = LWM2M_PATH_RES(o->oid, 0, o->rid);
		for (k = 0; k < out->nreadings; k++) {
			if (out->readings[k].path.ids[0] == o->oid &&
			    out->readings[k].path.ids[2] == o->rid)
				r->path.ids[1]++;
		}
		if (o->oid == LWM2M_OID_DEVICE) {
			if (r->path.ids[1] != 0) {
				out->skipped++;		/* one Device instance */
				continue;
			}
			if (raw > 100) {
				xasprintf(cause, "BTHome: battery %lld %% is out of "
				    "range", (long long)raw);
				return (-1);
			}
			r->value.type = LWM2M_TYPE_INTEGER;
			r->value.v.i = raw;
		} else {
			r->value.type = LWM2M_TYPE_FLOAT;
			r->value.v.f = ble_bthome_scale(raw, o->factor);
		}
		r->units = o->units;
		out->nreadings++;
	}
	return (0);
}
