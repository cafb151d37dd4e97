/*
 * Encode and decode rates of TLV and SenML JSON on a Device instance (/3/0, 16 values)
 * and a Temperature object (/3303, 8 instances of 4 values). Usage: bench_codec [seconds]
 * (per measurement, default 0.5).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"

#define R(id, t, m)	{ .rid = (id), .type = LWM2M_TYPE_##t, .multiple = (m) }

static const struct dm_resource bench_device_res[] = {
	R(0, STRING, false), R(1, STRING, false), R(2, STRING, false), R(3, STRING, false),
	R(6, INTEGER, true), R(7, INTEGER, true), R(8, INTEGER, true), R(9, INTEGER, false),
	R(10, INTEGER, false), R(11, INTEGER, true), R(13, TIME, false), R(14, STRING, false),
	R(16, STRING, false),
};
static const struct dm_resource bench_temp_res[] = {
	R(5601, FLOAT, false), R(5602, FLOAT, false), R(5700, FLOAT, false),
	R(5701, STRING, false),
};
static const struct dm_object bench_objects[] = {
	{ .oid = 3, .resources = bench_device_res, .nresources = 13 },
	{ .oid = 3303, .resources = bench_temp_res, .nresources = 4 },
};

#define S(x)	{ .type = LWM2M_TYPE_STRING, .v.bytes = { (const uint8_t *)(x), sizeof(x) - 1 } }
#define I(x)	{ .type = LWM2M_TYPE_INTEGER, .v.i = (x) }

static const struct codec_entry bench_device[] = {
	{ { { 3, 0, 0 }, 3 }, S("Open Mobile Alliance") },
	{ { { 3, 0, 1 }, 3 }, S("Lightweight M2M Client") },
	{ { { 3, 0, 2 }, 3 }, S("345000123") },
	{ { { 3, 0, 3 }, 3 }, S("1.0") },
	{ { { 3, 0, 6, 0 }, 4 }, I(1) },
	{ { { 3, 0, 6, 1 }, 4 }, I(5) },
	{ { { 3, 0, 7, 0 }, 4 }, I(3800) },
	{ { { 3, 0, 7, 1 }, 4 }, I(5000) },
	{ { { 3, 0, 8, 0 }, 4 }, I(125) },
	{ { { 3, 0, 8, 1 }, 4 }, I(900) },
	{ { { 3, 0, 9 }, 3 }, I(100) },
	{ { { 3, 0, 10 }, 3 }, I(15) },
	{ { { 3, 0, 11, 0 }, 4 }, I(0) },
	{ { { 3, 0, 13 }, 3 }, { .type = LWM2M_TYPE_TIME, .v.i = 1367491215 } },
	{ { { 3, 0, 14 }, 3 }, S("+02:00") },
	{ { { 3, 0, 16 }, 3 }, S("U") },
};

static const struct dm_object *
bench_lookup(void *arg, uint16_t oid)
{
	return (oid == 3 ? &bench_objects[0] : oid == 3303 ? &bench_objects[1] : NULL);
}

static int
bench_count(void *arg, const struct lwm2m_path *p, const struct dm_resource *def,
    const struct lwm2m_value *v)
{
	(*(size_t *)arg)++;
	return (0);
}

static double
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static void
bench_report(const char *fmt, const char *what, const char *op, size_t bytes, size_t values,
    unsigned long iters, double secs)
{
	printf("%-6s %-8s %-6s %5zu B %3zu values  %8.1f MB/s  %6.2f Mvalues/s  %7.0f ns/op\n",
	    fmt, what, op, bytes, values, (double)bytes * iters / secs / 1e6,
	    (double)values * iters / secs / 1e6, secs / iters * 1e9);
}

static void
bench_one(int fmt, const char *name, const char *what, const struct lwm2m_path *base,
    const struct codec_entry *e, size_t n, double budget)
{
	static uint8_t		buf[65536], scratch[65536];
	struct codec_decoder	d;
	unsigned long		iters;
	size_t			len, count;
	double			t0, t;

	if (codec_encode(fmt, base, e, n, buf, sizeof buf, &len) != 0) {
		fprintf(stderr, "encode failed\n");
		exit(1);
	}
	iters = 0;
	t0 = bench_now();
	do {
		for (int k = 0; k < 256; k++)
			codec_encode(fmt, base, e, n, buf, sizeof buf, &len);
		iters += 256;
	} while ((t = bench_now() - t0) < budget);
	bench_report(name, what, "encode", len, n, iters, t);

	memset(&d, 0, sizeof d);
	d.lookup = bench_lookup;
	d.entry = bench_count;
	d.entry_arg = &count;
	d.scratch = scratch;
	d.scratchsize = sizeof scratch;
	iters = 0;
	t0 = bench_now();
	do {
		for (int k = 0; k < 256; k++) {
			count = 0;
			if (codec_decode(&d, fmt, base, buf, len) != 0 || count != n) {
				fprintf(stderr, "decode failed: %s\n", d.why);
				exit(1);
			}
		}
		iters += 256;
	} while ((t = bench_now() - t0) < budget);
	bench_report(name, what, "decode", len, n, iters, t);
}

int
main(int argc, char **argv)
{
	struct codec_entry	sensor[32];
	struct lwm2m_path	dev = LWM2M_PATH_INST(3, 0), temp = LWM2M_PATH_OBJ(3303);
	double			budget = argc > 1 ? atof(argv[1]) : 0.5;
	size_t			i;

	for (i = 0; i < 8; i++) {
		sensor[i * 4] = (struct codec_entry){ LWM2M_PATH_RES(3303, i, 5601),
		    { .type = LWM2M_TYPE_FLOAT, .v.f = -12.5 + i } };
		sensor[i * 4 + 1] = (struct codec_entry){ LWM2M_PATH_RES(3303, i, 5602),
		    { .type = LWM2M_TYPE_FLOAT, .v.f = 41.25 } };
		sensor[i * 4 + 2] = (struct codec_entry){ LWM2M_PATH_RES(3303, i, 5700),
		    { .type = LWM2M_TYPE_FLOAT, .v.f = 21.37 + i / 10.0 } };
		sensor[i * 4 + 3] = (struct codec_entry){ LWM2M_PATH_RES(3303, i, 5701),
		    S("Cel") };
	}
	bench_one(LWM2M_FMT_TLV, "tlv", "device", &dev, bench_device, 16, budget);
	bench_one(LWM2M_FMT_TLV, "tlv", "sensor", &temp, sensor, 32, budget);
	bench_one(LWM2M_FMT_SENML_JSON, "senml", "device", &dev, bench_device, 16, budget);
	bench_one(LWM2M_FMT_SENML_JSON, "senml", "sensor", &temp, sensor, 32, budget);
	return (0);
}
