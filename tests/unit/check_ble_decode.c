/*
 * BLE payload decoders (include/ble_decode.h): GATT characteristic formats with their
 * scaling and "unknown" values, UUID parsing, BTHome v2 objects, truncation at every
 * length, the encryption flag and bad versions.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ble_decode.h"

static int
decode(uint16_t uuid, const uint8_t *buf, size_t len, struct lwm2m_value *v)
{
	const struct ble_gatt_char	*c = ble_gatt_lookup(uuid);
	char				*cause = NULL;
	int				 rc;

	ck_assert_ptr_nonnull(c);
	rc = ble_gatt_decode(c, buf, len, v, &cause);
	if (rc == -1) {
		ck_assert_ptr_nonnull(cause);
		free(cause);
	} else
		ck_assert_ptr_null(cause);
	return (rc);
}

START_TEST(test_uuid16)
{
	uint16_t	u = 0;

	ck_assert_int_eq(ble_uuid16("0000fcd2-0000-1000-8000-00805f9b34fb", &u), 0);
	ck_assert_uint_eq(u, 0xfcd2);
	ck_assert_int_eq(ble_uuid16("00002A6E-0000-1000-8000-00805F9B34FB", &u), 0);
	ck_assert_uint_eq(u, 0x2a6e);
	ck_assert_int_eq(ble_uuid16("0001fcd2-0000-1000-8000-00805f9b34fb", &u), -1);
	ck_assert_int_eq(ble_uuid16("0000fcd2-0000-1000-8000-00805f9b34fc", &u), -1);
	ck_assert_int_eq(ble_uuid16("0000fcg2-0000-1000-8000-00805f9b34fb", &u), -1);
	ck_assert_int_eq(ble_uuid16("0000fcd2", &u), -1);
	ck_assert_int_eq(ble_uuid16("", &u), -1);
}
END_TEST

START_TEST(test_gatt_lookup)
{
	const struct ble_gatt_char	*c;

	c = ble_gatt_lookup(0x2a6e);
	ck_assert_uint_eq(c->path.ids[0], 3303);
	ck_assert_str_eq(c->units, "Cel");
	ck_assert_uint_eq(ble_gatt_lookup(0x2a6f)->path.ids[0], 3304);
	ck_assert_uint_eq(ble_gatt_lookup(0x2a6d)->path.ids[0], 3315);
	ck_assert_uint_eq(ble_gatt_lookup(0x2a19)->path.ids[2], 9);
	ck_assert_uint_eq(ble_gatt_lookup(0x2a29)->path.ids[2], 0);
	ck_assert_uint_eq(ble_gatt_lookup(0x2a24)->path.ids[2], 1);
	ck_assert_uint_eq(ble_gatt_lookup(0x2a25)->path.ids[2], 2);
	ck_assert_uint_eq(ble_gatt_lookup(0x2a26)->path.ids[2], 3);
	ck_assert_uint_eq(ble_gatt_lookup(0x2a27)->path.ids[2], 18);
	ck_assert_uint_eq(ble_gatt_lookup(0x2a28)->path.ids[2], 19);
	ck_assert_ptr_null(ble_gatt_lookup(0x2a00));	/* Device Name: not ours */
	ck_assert_ptr_null(ble_gatt_lookup(0x2a1c));	/* Temperature Measurement */
}
END_TEST

START_TEST(test_gatt_temperature)
{
	struct lwm2m_value	v;
	const uint8_t		t1[] = { 0x66, 0x08 };		/* 2150 */
	const uint8_t		t2[] = { 0x0c, 0xfe };		/* -500 */
	const uint8_t		unk[] = { 0x00, 0x80 };
	const uint8_t		min[] = { 0x01, 0x80 };		/* -32767 */

	ck_assert_int_eq(decode(0x2a6e, t1, 2, &v), 0);
	ck_assert_int_eq(v.type, LWM2M_TYPE_FLOAT);
	ck_assert(v.v.f == 21.5);
	ck_assert_int_eq(decode(0x2a6e, t2, 2, &v), 0);
	ck_assert(v.v.f == -5.0);
	ck_assert_int_eq(decode(0x2a6e, unk, 2, &v), 1);
	ck_assert_int_eq(decode(0x2a6e, min, 2, &v), 0);
	ck_assert(v.v.f == -327.67);
	ck_assert_int_eq(decode(0x2a6e, t1, 1, &v), -1);
	ck_assert_int_eq(decode(0x2a6e, t1, 0, &v), -1);
	ck_assert_int_eq(decode(0x2a6e, (const uint8_t *)"\x66\x08\x00", 3, &v), -1);
}
END_TEST

START_TEST(test_gatt_humidity)
{
	struct lwm2m_value	v;
	const uint8_t		h[] = { 0x1a, 0x11 };		/* 4378 */
	const uint8_t		full[] = { 0x10, 0x27 };	/* 10000 */
	const uint8_t		over[] = { 0x11, 0x27 };	/* 10001 */
	const uint8_t		unk[] = { 0xff, 0xff };

	ck_assert_int_eq(decode(0x2a6f, h, 2, &v), 0);
	ck_assert(v.v.f == 43.78);
	ck_assert_int_eq(decode(0x2a6f, full, 2, &v), 0);
	ck_assert(v.v.f == 100.0);
	ck_assert_int_eq(decode(0x2a6f, over, 2, &v), -1);
	ck_assert_int_eq(decode(0x2a6f, unk, 2, &v), 1);
	ck_assert_int_eq(decode(0x2a6f, h, 1, &v), -1);
}
END_TEST

START_TEST(test_gatt_pressure)
{
	struct lwm2m_value	v;
	const uint8_t		p[] = { 0x34, 0x74, 0x0f, 0x00 };	/* 1012788 */
	const uint8_t		big[] = { 0xff, 0xff, 0xff, 0xff };

	ck_assert_int_eq(decode(0x2a6d, p, 4, &v), 0);
	ck_assert_int_eq(v.type, LWM2M_TYPE_FLOAT);
	ck_assert(v.v.f == 1012.788);		/* hPa */
	ck_assert_int_eq(decode(0x2a6d, big, 4, &v), 0);
	ck_assert(v.v.f == 4294967.295);
	ck_assert_int_eq(decode(0x2a6d, p, 3, &v), -1);
	ck_assert_int_eq(decode(0x2a6d, p, 2, &v), -1);
}
END_TEST

START_TEST(test_gatt_battery)
{
	struct lwm2m_value	v;
	const uint8_t		b[] = { 87 }, full[] = { 100 }, over[] = { 101 };

	ck_assert_int_eq(decode(0x2a19, b, 1, &v), 0);
	ck_assert_int_eq(v.type, LWM2M_TYPE_INTEGER);
	ck_assert_int_eq(v.v.i, 87);
	ck_assert_int_eq(decode(0x2a19, full, 1, &v), 0);
	ck_assert_int_eq(v.v.i, 100);
	ck_assert_int_eq(decode(0x2a19, over, 1, &v), -1);
	ck_assert_int_eq(decode(0x2a19, b, 0, &v), -1);
	ck_assert_int_eq(decode(0x2a19, (const uint8_t *)"\x57\x00", 2, &v), -1);
}
END_TEST

START_TEST(test_gatt_strings)
{
	struct lwm2m_value	v;
	const uint8_t		acme[] = "Acme";	/* with its NUL: padding */
	const uint8_t		utf[] = { 'C', 0xc3, 0xa9, 'l' };
	const uint8_t		bad[] = { 'A', 0xc3 };
	const uint8_t		overlong[] = { 0xc0, 0xaf };
	const uint8_t		ctrl[] = { 'A', 0x01 };
	const uint8_t		surrogate[] = { 0xed, 0xa0, 0x80 };
	uint8_t			long_[300];

	ck_assert_int_eq(decode(0x2a29, acme, sizeof acme, &v), 0);
	ck_assert_int_eq(v.type, LWM2M_TYPE_STRING);
	ck_assert_uint_eq(v.v.bytes.len, 4);
	ck_assert(memcmp(v.v.bytes.ptr, "Acme", 4) == 0);
	ck_assert_int_eq(decode(0x2a25, utf, sizeof utf, &v), 0);
	ck_assert_uint_eq(v.v.bytes.len, 4);
	ck_assert_int_eq(decode(0x2a24, (const uint8_t *)"", 0, &v), 0);
	ck_assert_uint_eq(v.v.bytes.len, 0);
	ck_assert_int_eq(decode(0x2a26, bad, sizeof bad, &v), -1);
	ck_assert_int_eq(decode(0x2a26, overlong, sizeof overlong, &v), -1);
	ck_assert_int_eq(decode(0x2a27, ctrl, sizeof ctrl, &v), -1);
	ck_assert_int_eq(decode(0x2a28, surrogate, sizeof surrogate, &v), -1);
	memset(long_, 'x', sizeof long_);
	ck_assert_int_eq(decode(0x2a28, long_, sizeof long_, &v), -1);
	ck_assert_int_eq(decode(0x2a28, long_, 255, &v), 0);
}
END_TEST

static int
bthome(const uint8_t *buf, size_t len, struct ble_bthome *b)
{
	char	*cause = NULL;
	int	 rc;

	rc = ble_bthome_decode(buf, len, b, &cause);
	if (rc == -1) {
		ck_assert_ptr_nonnull(cause);
		free(cause);
	} else
		ck_assert_ptr_null(cause);
	return (rc);
}

static const struct ble_reading *
reading(const struct ble_bthome *b, uint16_t oid, uint16_t iid, uint16_t rid)
{
	size_t	i;

	for (i = 0; i < b->nreadings; i++) {
		if (b->readings[i].path.len == 3 && b->readings[i].path.ids[0] == oid &&
		    b->readings[i].path.ids[1] == iid && b->readings[i].path.ids[2] == rid)
			return (&b->readings[i]);
	}
	return (NULL);
}

/* The example packet of bthome.io plus the other mapped objects. */
static const uint8_t bt_full[] = {
	0x40,			/* v2, not encrypted, regular */
	0x00, 0x09,		/* packet id 9 */
	0x01, 0x61,		/* battery 97 % */
	0x02, 0xca, 0x09,	/* 25.06 degC */
	0x03, 0xbf, 0x13,	/* 50.55 % */
	0x04, 0x13, 0x8a, 0x01,	/* 1008.83 hPa */
	0x05, 0x13, 0x8a, 0x14,	/* 13460.67 lx */
	0x0c, 0x02, 0x0c,	/* 3.074 V */
};

START_TEST(test_bthome_full)
{
	struct ble_bthome		 b;
	const struct ble_reading	*r;

	ck_assert_int_eq(bthome(bt_full, sizeof bt_full, &b), 0);
	ck_assert(b.has_packet_id);
	ck_assert_uint_eq(b.packet_id, 9);
	ck_assert(!b.trigger);
	ck_assert_int_eq(b.stopped_at, -1);
	ck_assert_uint_eq(b.nreadings, 6);
	r = reading(&b, 3, 0, 9);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->value.type, LWM2M_TYPE_INTEGER);
	ck_assert_int_eq(r->value.v.i, 97);
	ck_assert_ptr_null(r->units);
	r = reading(&b, 3303, 0, 5700);
	ck_assert(r->value.v.f == 25.06);
	ck_assert_str_eq(r->units, "Cel");
	r = reading(&b, 3304, 0, 5700);
	ck_assert(r->value.v.f == 50.55);
	ck_assert_str_eq(r->units, "%RH");
	r = reading(&b, 3315, 0, 5700);
	ck_assert(r->value.v.f == 1008.83);
	ck_assert_str_eq(r->units, "hPa");
	r = reading(&b, 3301, 0, 5700);
	ck_assert(r->value.v.f == 13460.67);
	ck_assert_str_eq(r->units, "lx");
	r = reading(&b, 3316, 0, 5700);
	ck_assert(r->value.v.f == 3.074);
	ck_assert_str_eq(r->units, "V");
}
END_TEST

START_TEST(test_bthome_other_objects)
{
	struct ble_bthome	b;
	const uint8_t		pkt[] = {
		0x44,			/* v2, trigger */
		0x45, 0x11, 0xff,	/* -23.9 degC (0.1) */
		0x2e, 0x3c,		/* 60 % */
		0x57, 0xf6,		/* -10 degC (sint8) */
		0x58, 0x14,		/* 20 * 0.35 = 7 degC */
		0x4a, 0x20, 0x00,	/* 3.2 V (0.1) */
		0x02, 0x00, 0x80,	/* -327.68 degC: the fourth thermometer */
	};

	ck_assert_int_eq(bthome(pkt, sizeof pkt, &b), 0);
	ck_assert(b.trigger);
	ck_assert(!b.has_packet_id);
	ck_assert_uint_eq(b.nreadings, 6);
	ck_assert(reading(&b, 3303, 0, 5700)->value.v.f == -23.9);
	ck_assert(reading(&b, 3304, 0, 5700)->value.v.f == 60);
	ck_assert(reading(&b, 3303, 1, 5700)->value.v.f == -10);
	ck_assert(fabs(reading(&b, 3303, 2, 5700)->value.v.f - 7.0) < 1e-9);
	ck_assert(reading(&b, 3316, 0, 5700)->value.v.f == 3.2);
	ck_assert(reading(&b, 3303, 3, 5700)->value.v.f == -327.68);
}
END_TEST

START_TEST(test_bthome_skip_known)
{
	struct ble_bthome	b;
	const uint8_t		pkt[] = {
		0x40,
		0x06, 0x01, 0x02,		/* mass: skipped */
		0x53, 0x03, 'a', 'b', 'c',	/* text: variable length */
		0x3e, 1, 2, 3, 4,		/* count uint32 */
		0xf2, 1, 2, 3,			/* firmware version uint24 */
		0x2e, 0x20,			/* 32 % */
	};

	ck_assert_int_eq(bthome(pkt, sizeof pkt, &b), 0);
	ck_assert_uint_eq(b.skipped, 4);
	ck_assert_uint_eq(b.nreadings, 1);
	ck_assert(reading(&b, 3304, 0, 5700)->value.v.f == 32);
	ck_assert_int_eq(b.stopped_at, -1);
}
END_TEST

START_TEST(test_bthome_unknown_id)
{
	struct ble_bthome	b;
	const uint8_t		pkt[] = {
		0x40, 0x2e, 0x20, 0x7f, 0x01, 0x02, 0x03, 0x01, 0x50,
	};

	/* 0x7f has no known length: the battery after it cannot be found. */
	ck_assert_int_eq(bthome(pkt, sizeof pkt, &b), 0);
	ck_assert_int_eq(b.stopped_at, 0x7f);
	ck_assert_uint_eq(b.nreadings, 1);
	ck_assert_ptr_null(reading(&b, 3, 0, 9));
}
END_TEST

START_TEST(test_bthome_truncated)
{
	struct ble_bthome	b;
	size_t			len;
	int			rc;

	/* Every prefix: an object cut anywhere is an error; cut between objects is not. */
	for (len = 0; len < sizeof bt_full; len++) {
		rc = bthome(bt_full, len, &b);
		switch (len) {
		case 0:
			ck_assert_int_eq(rc, -1);
			break;
		case 1: case 3: case 5: case 8: case 11: case 15: case 19:
			ck_assert_msg(rc == 0, "prefix %zu", len);
			break;
		default:
			ck_assert_msg(rc == -1, "prefix %zu", len);
			break;
		}
	}
	ck_assert_int_eq(bthome((const uint8_t *)"\x40\x53", 2, &b), -1);
	ck_assert_int_eq(bthome((const uint8_t *)"\x40\x53\x03\x61\x62", 5, &b), -1);
	ck_assert_int_eq(bthome((const uint8_t *)"\x40\x53\x00", 3, &b), 0);
}
END_TEST

START_TEST(test_bthome_flags)
{
	struct ble_bthome	b;
	const uint8_t		enc[] = { 0x41, 0x02, 0xca, 0x09 };
	const uint8_t		v1[] = { 0x20, 0x02, 0xca, 0x09 };
	const uint8_t		v3[] = { 0x60, 0x02, 0xca, 0x09 };
	const uint8_t		v0[] = { 0x00, 0x02, 0xca, 0x09 };
	const uint8_t		empty[] = { 0x40 };

	ck_assert_int_eq(bthome(enc, sizeof enc, &b), -1);
	ck_assert_int_eq(bthome(v1, sizeof v1, &b), -1);
	ck_assert_int_eq(bthome(v3, sizeof v3, &b), -1);
	ck_assert_int_eq(bthome(v0, sizeof v0, &b), -1);
	ck_assert_int_eq(bthome(empty, sizeof empty, &b), 0);
	ck_assert_uint_eq(b.nreadings, 0);
}
END_TEST

START_TEST(test_bthome_battery_range)
{
	struct ble_bthome	b;
	const uint8_t		over[] = { 0x40, 0x01, 101 };
	const uint8_t		twice[] = { 0x40, 0x01, 50, 0x01, 60 };

	ck_assert_int_eq(bthome(over, sizeof over, &b), -1);
	ck_assert_int_eq(bthome(twice, sizeof twice, &b), 0);
	ck_assert_uint_eq(b.nreadings, 1);
	ck_assert_int_eq(reading(&b, 3, 0, 9)->value.v.i, 50);
	ck_assert_uint_eq(b.skipped, 1);
}
END_TEST

START_TEST(test_bthome_many)
{
	struct ble_bthome	b;
	uint8_t			pkt[1 + 2 * 40];
	size_t			i;

	pkt[0] = 0x40;
	for (i = 0; i < 40; i++) {
		pkt[1 + 2 * i] = 0x2e;
		pkt[2 + 2 * i] = (uint8_t)i;
	}
	ck_assert_int_eq(bthome(pkt, sizeof pkt, &b), 0);
	ck_assert_uint_eq(b.nreadings, BLE_BTHOME_MAX);
	ck_assert_uint_eq(b.skipped, 40 - BLE_BTHOME_MAX);
	ck_assert(reading(&b, 3304, 15, 5700)->value.v.f == 15);
}
END_TEST

static Suite *
ble_decode_suite(void)
{
	Suite	*s = suite_create("ble_decode");
	TCase	*tc = tcase_create("gatt");

	tcase_add_test(tc, test_uuid16);
	tcase_add_test(tc, test_gatt_lookup);
	tcase_add_test(tc, test_gatt_temperature);
	tcase_add_test(tc, test_gatt_humidity);
	tcase_add_test(tc, test_gatt_pressure);
	tcase_add_test(tc, test_gatt_battery);
	tcase_add_test(tc, test_gatt_strings);
	suite_add_tcase(s, tc);
	tc = tcase_create("bthome");
	tcase_add_test(tc, test_bthome_full);
	tcase_add_test(tc, test_bthome_other_objects);
	tcase_add_test(tc, test_bthome_skip_known);
	tcase_add_test(tc, test_bthome_unknown_id);
	tcase_add_test(tc, test_bthome_truncated);
	tcase_add_test(tc, test_bthome_flags);
	tcase_add_test(tc, test_bthome_battery_range);
	tcase_add_test(tc, test_bthome_many);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(ble_decode_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
