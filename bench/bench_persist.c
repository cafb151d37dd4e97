/*
 * bench_persist: state files (module persist) for N devices in a temporary directory:
 * saves per second (each one tmp + write + fsync + rename + fsync of the directory), the
 * start-up scan, loads per second (the start-up number), and the CPU cost of encoding and
 * parsing alone. A device is typical: Security x2 (Bootstrap-Server and one server, 16-byte
 * PSKs), Server x1, Access Control x2, Device, one temperature sensor.
 *
 * usage: bench_persist [-n devices] [-d parent-directory] [-S]
 * The directory defaults to $TMPDIR or /var/tmp (a disk, so fsync costs what it costs in
 * production; /tmp may be a tmpfs where fsync is free). -S skips the fsync'ed save phase
 * beyond the first 200 devices and writes the rest without persist_save (quick runs).
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dm.h"
#include "log.h"
#include "persist.h"
#include "xmalloc.h"

static double
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static struct dm_store *
bench_store_base(const struct dm_registry *reg)
{
	static const uint16_t	 oids[] = { 0, 1, 2, 3, 3303 };
	struct dm_store		*st = dm_store_create(reg);
	size_t			 i;

	for (i = 0; i < sizeof oids / sizeof oids[0]; i++)
		dm_object_add(st, oids[i]);
	dm_instance_create(st, 3, 0, NULL);
	dm_set_string(st, &LWM2M_PATH_RES(3, 0, 0), "ACME", NULL);
	dm_set_string(st, &LWM2M_PATH_RES(3, 0, 1), "T-1000", NULL);
	dm_set_string(st, &LWM2M_PATH_RES(3, 0, 16), "U", NULL);
	dm_instance_create(st, 3303, 0, NULL);
	dm_set_float(st, &LWM2M_PATH_RES(3303, 0, 5700), 21.5, NULL);
	dm_set_string(st, &LWM2M_PATH_RES(3303, 0, 5701), "Cel", NULL);
	return (st);
}

static struct dm_store *
bench_store_device(const struct dm_registry *reg, unsigned n)
{
	struct dm_store	*st = bench_store_base(reg);
	uint8_t		 key[16];
	char		 id[32];
	size_t		 i;

	for (i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)(n * 31 + i);
	snprintf(id, sizeof id, "dev-%u", n);

	dm_instance_create(st, 0, 0, NULL);
	dm_set_string(st, &LWM2M_PATH_RES(0, 0, 0), "coaps://bs.example.net:5684", NULL);
	dm_set_bool(st, &LWM2M_PATH_RES(0, 0, 1), true, NULL);
	dm_set_int(st, &LWM2M_PATH_RES(0, 0, 2), DM_SECMODE_PSK, NULL);
	dm_set_opaque(st, &LWM2M_PATH_RES(0, 0, 3), id, strlen(id), NULL);
	dm_set_opaque(st, &LWM2M_PATH_RES(0, 0, 5), key, sizeof key, NULL);
	dm_set_int(st, &LWM2M_PATH_RES(0, 0, 11), 0, NULL);
	key[0] ^= 0x5a;
	dm_instance_create(st, 0, 1, NULL);
	dm_set_string(st, &LWM2M_PATH_RES(0, 1, 0), "coaps://lwm2m.example.net:5684", NULL);
	dm_set_bool(st, &LWM2M_PATH_RES(0, 1, 1), false, NULL);
	dm_set_int(st, &LWM2M_PATH_RES(0, 1, 2), DM_SECMODE_PSK, NULL);
	dm_set_opaque(st, &LWM2M_PATH_RES(0, 1, 3), id, strlen(id), NULL);
	dm_set_opaque(st, &LWM2M_PATH_RES(0, 1, 5), key, sizeof key, NULL);
	dm_set_int(st, &LWM2M_PATH_RES(0, 1, 10), 101, NULL);

	dm_instance_create(st, 1, 0, NULL);
	dm_set_int(st, &LWM2M_PATH_RES(1, 0, 0), 101, NULL);
	dm_set_int(st, &LWM2M_PATH_RES(1, 0, 1), 300, NULL);
	dm_set_bool(st, &LWM2M_PATH_RES(1, 0, 6), true, NULL);
	dm_set_string(st, &LWM2M_PATH_RES(1, 0, 7), "U", NULL);

	dm_instance_create(st, 2, 0, NULL);
	dm_set_int(st, &LWM2M_PATH_RES(2, 0, 0), 3, NULL);
	dm_set_int(st, &LWM2M_PATH_RES(2, 0, 1), 0, NULL);
	dm_set_int(st, &LWM2M_PATH_RI(2, 0, 2, 101), DM_ACL_READ | DM_ACL_WRITE, NULL);
	dm_set_int(st, &LWM2M_PATH_RES(2, 0, 3), 101, NULL);
	dm_instance_create(st, 2, 1, NULL);
	dm_set_int(st, &LWM2M_PATH_RES(2, 1, 0), 3303, NULL);
	dm_set_int(st, &LWM2M_PATH_RES(2, 1, 1), 0, NULL);
	dm_set_int(st, &LWM2M_PATH_RI(2, 1, 2, 0), DM_ACL_READ, NULL);
	dm_set_int(st, &LWM2M_PATH_RI(2, 1, 2, 101), DM_ACL_ALL, NULL);
	dm_set_int(st, &LWM2M_PATH_RES(2, 1, 3), 101, NULL);

	dm_set_string(st, &LWM2M_PATH_RES(3, 0, 14), "+01:00", NULL);
	dm_set_string(st, &LWM2M_PATH_RES(3303, 0, 5750), "room", NULL);
	return (st);
}

static void
bench_cleanup(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		 p[4400];

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	struct dm_registry	*reg;
	struct dm_store		*st;
	struct persist_meta	 meta;
	const char		*parent;
	char			 dir[4096], ep[32], *cause = NULL, **list;
	uint8_t			*img;
	size_t			 len = 0, n;
	unsigned		 devices = 10000, i, nsync, quick = 0;
	double			 t0, tsave, tscan, tload, tenc, tparse;
	int			 ch;

	if ((parent = getenv("TMPDIR")) == NULL)
		parent = "/var/tmp";
	while ((ch = getopt(argc, argv, "n:d:S")) != -1) {
		switch (ch) {
		case 'n':
			devices = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'd':
			parent = optarg;
			break;
		case 'S':
			quick = 1;
			break;
		default:
			fprintf(stderr, "usage: bench_persist [-n devices] [-d dir] [-S]\n");
			return (1);
		}
	}
	if (devices == 0)
		devices = 1;
	log_open(LOG_TARGET_STDERR, LOG_WARNING, "bench_persist");
	snprintf(dir, sizeof dir, "%s/bench_persist.XXXXXX", parent);
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return (1);
	}
	reg = dm_registry_create();

	/* Saves, fsync'ed: what one acknowledged write costs. */
	nsync = quick && devices > 200 ? 200 : devices;
	t0 = bench_now();
	for (i = 0; i < nsync; i++) {
		st = bench_store_device(reg, i);
		memset(&meta, 0, sizeof meta);
		snprintf(ep, sizeof ep, "sim0-%u", i);
		if (persist_save(dir, ep, st, NULL, &meta, &cause) != 0) {
			fprintf(stderr, "save: %s\n", cause);
			return (1);
		}
		dm_store_free(st);
	}
	tsave = bench_now() - t0;
	for (; i < devices; i++) {
		/* -S: the rest without fsync, only to have files to load. */
		FILE	*f;
		char	 path[4200];

		st = bench_store_device(reg, i);
		memset(&meta, 0, sizeof meta);
		snprintf(ep, sizeof ep, "sim0-%u", i);
		persist_encode(ep, st, NULL, &meta, &img, &len, &cause);
		snprintf(path, sizeof path, "%s/%s.state", dir, ep);
		if ((f = fopen(path, "w")) == NULL || fwrite(img, 1, len, f) != len) {
			perror(path);
			return (1);
		}
		fclose(f);
		free(img);
		dm_store_free(st);
	}

	/* Start-up: scan, then load every device. */
	t0 = bench_now();
	if (persist_scan(dir, &list, &n, &cause) != 0 || n != devices) {
		fprintf(stderr, "scan: %s\n", cause != NULL ? cause : "wrong count");
		return (1);
	}
	tscan = bench_now() - t0;
	t0 = bench_now();
	for (i = 0; i < n; i++) {
		st = bench_store_base(reg);
		if (persist_load(dir, list[i], st, &meta, &cause) != 0) {
			fprintf(stderr, "load %s: %s\n", list[i], cause);
			return (1);
		}
		dm_store_free(st);
	}
	tload = bench_now() - t0;
	persist_scan_free(list, n);

	/* CPU alone: encode and parse one typical image many times. */
	st = bench_store_device(reg, 1);
	memset(&meta, 0, sizeof meta);
	t0 = bench_now();
	for (i = 0; i < devices; i++) {
		persist_encode("sim0-1", st, NULL, &meta, &img, &len, &cause);
		free(img);
	}
	tenc = bench_now() - t0;
	persist_encode("sim0-1", st, NULL, &meta, &img, &len, &cause);
	dm_store_free(st);
	t0 = bench_now();
	for (i = 0; i < devices; i++) {
		st = bench_store_base(reg);
		if (persist_parse(img, len, st, &meta, &cause) != 0)
			return (1);
		dm_store_free(st);
	}
	tparse = bench_now() - t0;
	free(img);

	printf("bench_persist: %u devices in %s, %zu bytes per state file\n", devices,
	    dir, len);
	printf("  save (fsync'ed, %u files): %8.0f files/s, %.3f ms per save\n", nsync,
	    nsync / tsave, tsave * 1e3 / nsync);
	printf("  scan (%u files):          %8.1f ms\n", devices, tscan * 1e3);
	printf("  load (%u files):          %8.0f files/s, %.1f us per load\n", devices,
	    devices / tload, tload * 1e6 / devices);
	printf("  encode only:               %8.0f /s\n", devices / tenc);
	printf("  parse only (incl. store):  %8.0f /s\n", devices / tparse);

	bench_cleanup(dir);
	dm_registry_free(reg);
	return (0);
}
