/*
 * Unit tests of the state files (module persist): BS-12 durability (round trip, atomic
 * replacement, corruption and truncation at every offset, interrupted saves, failing
 * saves), BS-8 (purge deadline kept), forward compatibility of the format, the start-up
 * scan, and that no key material reaches the log.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm.h"
#include "log.h"
#include "persist.h"
#include "xmalloc.h"

#define EP		"urn:dev:sim0-7"
#define PSK_ID		"identity-sim0-7"
/* Printable so that a leak into a log line would be found by strstr. */
#define PSK_KEY		"K3Y-m4t3r14l-0x1"
#define BS_PURGE_AT	1700000123

static struct dm_registry	*reg;
static char			 dir[64];

/* ------------------------------------------------------------------ helpers */

static void
rm_tree(const char *path)
{
	DIR		*d;
	struct dirent	*de;
	char		 p[512];

	chmod(path, 0700);
	if ((d = opendir(path)) == NULL) {
		unlink(path);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", path, de->d_name);
		if (rmdir(p) != 0)
			rm_tree(p);
	}
	closedir(d);
	rmdir(path);
}

static void
setup(void)
{
	reg = dm_registry_create();
	strcpy(dir, "/tmp/check_persist.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	log_set_level(LOG_ERR);	/* every-offset loops would warn hundreds of times */
}

static void
teardown(void)
{
	log_set_hook(NULL, NULL);
	rm_tree(dir);
	dm_registry_free(reg);
}

static char *
path_of(const char *name)
{
	char	*p;

	xasprintf(&p, "%s/%s", dir, name);
	return (p);
}

static void
write_file(const char *name, const void *buf, size_t len)
{
	char	*p = path_of(name);
	int	 fd;

	fd = open(p, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
	free(p);
}

/* Whole file in a heap buffer, or NULL when absent. */
static uint8_t *
read_file(const char *name, size_t *len)
{
	struct stat	 sb;
	char		*p = path_of(name);
	uint8_t		*buf;
	int		 fd;

	fd = open(p, O_RDONLY);
	free(p);
	if (fd == -1)
		return (NULL);
	ck_assert_int_eq(fstat(fd, &sb), 0);
	*len = (size_t)sb.st_size;
	buf = xmalloc(*len + 1);
	ck_assert_int_eq(read(fd, buf, *len), (ssize_t)*len);
	close(fd);
	return (buf);
}

static bool
file_exists(const char *name)
{
	struct stat	 sb;
	char		*p = path_of(name);
	bool		 rc;

	rc = lstat(p, &sb) == 0;
	free(p);
	return (rc);
}

/* Number of "<prefix>*" entries; the first one's name goes to first (may be NULL). */
static size_t
count_prefix(const char *prefix, char *first, size_t size)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 n = 0;

	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (n++ == 0 && first != NULL)
			snprintf(first, size, "%s", de->d_name);
	}
	closedir(d);
	return (n);
}

static void
remove_prefix(const char *prefix)
{
	char	 name[256], *p;

	while (count_prefix(prefix, name, sizeof name) != 0) {
		p = path_of(name);
		ck_assert_int_eq(unlink(p), 0);
		free(p);
	}
}

struct dump {
	char	*s;
	size_t	 len;
};

static void
dump_add(struct dump *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
dump_add(struct dump *d, const char *fmt, ...)
{
	va_list	 ap;
	char	*line;
	size_t	 n;

	va_start(ap, fmt);
	xvasprintf(&line, fmt, ap);
	va_end(ap);
	n = strlen(line);
	d->s = xrealloc(d->s, d->len + n + 1);
	memcpy(d->s + d->len, line, n + 1);
	d->len += n;
	free(line);
}

static int
dump_value_cb(const struct lwm2m_path *p, const struct lwm2m_value *v, void *arg)
{
	struct dump	*d = arg;
	char		 buf[DM_PATH_MAXLEN];
	size_t		 i;

	dm_path_format(p, buf, sizeof buf);
	dump_add(d, "%s=%d:", buf, v->type);
	switch (v->type) {
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_OPAQUE:
	case LWM2M_TYPE_CORELNK:
		for (i = 0; i < v->v.bytes.len; i++)
			dump_add(d, "%02x", v->v.bytes.ptr[i]);
		break;
	case LWM2M_TYPE_FLOAT:
		dump_add(d, "%a", v->v.f);
		break;
	case LWM2M_TYPE_BOOLEAN:
		dump_add(d, "%d", v->v.b);
		break;
	case LWM2M_TYPE_OBJLNK:
		dump_add(d, "%u:%u", v->v.objlnk.oid, v->v.objlnk.iid);
		break;
	default:
		dump_add(d, "%lld", (long long)v->v.i);
		break;
	}
	dump_add(d, "\n");
	return (0);
}

struct dump_ctx {
	struct dump		*d;
	const struct dm_store	*st;
};

static int
dump_resource_cb(const struct dm_resource *r, size_t n, void *arg)
{
	struct dump	*d = arg;

	if (r->multiple)
		dump_add(d, " rid %u: %zu instances\n", r->rid, n);
	return (0);
}

static int
dump_instance_cb(uint16_t oid, uint16_t iid, void *arg)
{
	struct dump_ctx	*c = arg;

	dump_add(c->d, "/%u/%u\n", oid, iid);
	dm_foreach_resource(c->st, oid, iid, dump_resource_cb, c->d);
	return (0);
}

static int
dump_object_cb(const struct dm_object *def, void *arg)
{
	struct dump_ctx	*c = arg;

	dump_add(c->d, "object %u\n", def->oid);
	dm_foreach_instance(c->st, def->oid, dump_instance_cb, c);
	return (0);
}

/* Text form of a whole store (objects, instances, empty multiples, values). */
static char *
dump_store(const struct dm_store *st)
{
	struct dump	d = { xstrdup(""), 0 };
	struct dump_ctx	c = { &d, st };

	dm_foreach_object(st, dump_object_cb, &c);
	dm_foreach_value(st, &LWM2M_PATH_ROOT, dump_value_cb, &d);
	return (d.s);
}

/* Objects of a typical vclient, with what the device itself fills in. */
static struct dm_store *
store_empty(void)
{
	struct dm_store	*st = dm_store_create(reg);
	static const uint16_t oids[] = { 0, 1, 2, 3, 3303 };
	size_t		 i;

	for (i = 0; i < sizeof oids / sizeof oids[0]; i++)
		ck_assert_int_eq(dm_object_add(st, oids[i]), 0);
	ck_assert_int_eq(dm_instance_create(st, 3, 0, NULL), 0);
	ck_assert_int_eq(dm_set_string(st, &LWM2M_PATH_RES(3, 0, 0), "ACME", NULL), 0);
	ck_assert_int_eq(dm_instance_create(st, 3303, 0, NULL), 0);
	ck_assert_int_eq(dm_set_float(st, &LWM2M_PATH_RES(3303, 0, 5700), 21.5, NULL),
	    0);
	return (st);
}

/* What a Bootstrap-Server and a server would have written. */
static struct dm_store *
store_configured(void)
{
	struct dm_store		*st = store_empty();
	struct lwm2m_value	 v;

#define S(p, f, ...)	ck_assert_int_eq(f(st, p, __VA_ARGS__, NULL), 0)
	/* Bootstrap-Server account with a PSK. */
	ck_assert_int_eq(dm_instance_create(st, 0, 0, NULL), 0);
	S(&LWM2M_PATH_RES(0, 0, 0), dm_set_string, "coaps://bs.example:5684");
	S(&LWM2M_PATH_RES(0, 0, 1), dm_set_bool, true);
	S(&LWM2M_PATH_RES(0, 0, 2), dm_set_int, DM_SECMODE_PSK);
	S(&LWM2M_PATH_RES(0, 0, 3), dm_set_opaque, PSK_ID, strlen(PSK_ID));
	S(&LWM2M_PATH_RES(0, 0, 4), dm_set_opaque, "", 0);
	S(&LWM2M_PATH_RES(0, 0, 5), dm_set_opaque, PSK_KEY, strlen(PSK_KEY));
	S(&LWM2M_PATH_RES(0, 0, 12), dm_set_int, 60);
	/* Server 101: NoSec, with a multiple UNSIGNED resource. */
	ck_assert_int_eq(dm_instance_create(st, 0, 1, NULL), 0);
	S(&LWM2M_PATH_RES(0, 1, 0), dm_set_string, "coap://127.0.0.1:5683");
	S(&LWM2M_PATH_RES(0, 1, 1), dm_set_bool, false);
	S(&LWM2M_PATH_RES(0, 1, 2), dm_set_int, DM_SECMODE_NOSEC);
	S(&LWM2M_PATH_RES(0, 1, 10), dm_set_int, 101);
	S(&LWM2M_PATH_RI(0, 1, 16, 0), dm_set_int, 0xc0a8);
	S(&LWM2M_PATH_RI(0, 1, 16, 3), dm_set_int, 0xc0ae);
	ck_assert_int_eq(dm_instance_create(st, 1, 0, NULL), 0);
	S(&LWM2M_PATH_RES(1, 0, 0), dm_set_int, 101);
	S(&LWM2M_PATH_RES(1, 0, 1), dm_set_int, 300);
	S(&LWM2M_PATH_RES(1, 0, 6), dm_set_bool, true);
	S(&LWM2M_PATH_RES(1, 0, 7), dm_set_string, "U");
	S(&LWM2M_PATH_RES(1, 0, 21), dm_set_bool, false);
	memset(&v, 0, sizeof v);
	v.type = LWM2M_TYPE_OBJLNK;
	v.v.objlnk.oid = 11;
	v.v.objlnk.iid = 2;
	ck_assert_int_eq(dm_set(st, &LWM2M_PATH_RES(1, 0, 10), &v, NULL), 0);
	memset(&v, 0, sizeof v);
	v.type = LWM2M_TYPE_UNSIGNED;
	v.v.u = 77;
	ck_assert_int_eq(dm_set(st, &LWM2M_PATH_RES(1, 0, 17), &v, NULL), 0);
	/* ACL instances: a multi-instance ACL resource, and an empty one (AC-1). */
	ck_assert_int_eq(dm_instance_create(st, 2, 0, NULL), 0);
	S(&LWM2M_PATH_RES(2, 0, 0), dm_set_int, 3303);
	S(&LWM2M_PATH_RES(2, 0, 1), dm_set_int, 0);
	S(&LWM2M_PATH_RI(2, 0, 2, 0), dm_set_int, DM_ACL_READ);
	S(&LWM2M_PATH_RI(2, 0, 2, 101), dm_set_int, DM_ACL_ALL);
	S(&LWM2M_PATH_RES(2, 0, 3), dm_set_int, 101);
	ck_assert_int_eq(dm_instance_create(st, 2, 4, NULL), 0);
	S(&LWM2M_PATH_RES(2, 4, 0), dm_set_int, 3);
	S(&LWM2M_PATH_RES(2, 4, 1), dm_set_int, 0);
	ck_assert_int_eq(dm_resource_clear(st, 2, 4, 2), 0);
	S(&LWM2M_PATH_RES(2, 4, 3), dm_set_int, 101);
	/* Writable resources of other objects, and a time. */
	S(&LWM2M_PATH_RES(3, 0, 14), dm_set_string, "+02:00");
	memset(&v, 0, sizeof v);
	v.type = LWM2M_TYPE_TIME;
	v.v.i = -5;
	ck_assert_int_eq(dm_set(st, &LWM2M_PATH_RES(3, 0, 13), &v, NULL), 0);
	S(&LWM2M_PATH_RES(3303, 0, 5750), dm_set_string, "boiler");
#undef S
	return (st);
}

static struct persist_meta
meta_new(void)
{
	struct persist_meta	m;

	memset(&m, 0, sizeof m);
	m.bs_purge_at = BS_PURGE_AT;
	return (m);
}

/* Save the configured store as EP; the image in *buf (caller frees). */
static void
save_configured(uint8_t **buf, size_t *len)
{
	struct dm_store		*st = store_configured();
	struct persist_meta	 m = meta_new();
	char			*cause = NULL;

	ck_assert_msg(persist_save(dir, EP, st, NULL, &m, &cause) == 0, "%s", cause);
	dm_store_free(st);
	if (buf != NULL)
		ck_assert_ptr_nonnull(*buf = read_file(EP ".state", len));
}

static uint32_t
get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* Recompute the checksum after an edit, as a newer writer would have written it. */
static void
fix_crc(uint8_t *buf, size_t len)
{
	uint32_t	body = get32(buf + 12);

	ck_assert_uint_eq(16 + body + 4, len);
	put32(buf + 16 + body, persist_crc32c(0, buf, 16 + body));
}

/*
 * Load EP expecting -1: the file moved aside with the bad bytes, the store untouched.
 * Returns the cause (caller frees).
 */
static char *
load_expect_corrupt(const uint8_t *bad, size_t badlen, const char *what, size_t i)
{
	struct dm_store		*st = store_empty();
	struct persist_meta	 m = meta_new();
	char			*before, *after, *cause = NULL, name[256];
	uint8_t			*moved;
	size_t			 movedlen;

	before = dump_store(st);
	ck_assert_msg(persist_load(dir, EP, st, &m, &cause) == -1, "%s %zu loaded",
	    what, i);
	ck_assert_ptr_nonnull(cause);
	after = dump_store(st);
	ck_assert_msg(strcmp(before, after) == 0, "%s %zu: store changed", what, i);
	ck_assert_uint_eq(m.generation, 0);
	ck_assert(!file_exists(EP ".state"));
	ck_assert_uint_eq(count_prefix(EP ".state.corrupt.", name, sizeof name), 1);
	ck_assert_ptr_nonnull(moved = read_file(name, &movedlen));
	ck_assert_msg(movedlen == badlen && memcmp(moved, bad, badlen) == 0,
	    "%s %zu: moved file differs", what, i);
	remove_prefix(EP ".state.corrupt.");
	free(moved);
	free(before);
	free(after);
	dm_store_free(st);
	return (cause);
}

/* ------------------------------------------------------------------ tests */

START_TEST(crc32c_vector)
{
	/* The check value of CRC-32C (RFC 3720 B.4 polynomial). */
	ck_assert_uint_eq(persist_crc32c(0, "123456789", 9), 0xe3069283);
	ck_assert_uint_eq(persist_crc32c(persist_crc32c(0, "1234", 4), "56789", 5),
	    0xe3069283);
}
END_TEST

START_TEST(endpoint_names)
{
	static const char	*good[] = { "a", "urn:imei:490154203237518",
	    "sim0-1", "x.state", "A~b_c(1)", "a..b" };
	static const char	*bad[] = { "", ".hidden", "..", "a/b", "a b", "a\tb",
	    "a\nb", "caf\xc3\xa9", "a\x7f" };
	char			 longname[PERSIST_EP_MAX + 2], *cause;
	struct dm_store		*st;
	struct persist_meta	 m;
	size_t			 i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		cause = NULL;
		ck_assert_msg(persist_endpoint_valid(good[i], &cause) == 0, "%s",
		    good[i]);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		ck_assert_msg(persist_endpoint_valid(bad[i], &cause) == -1, "%zu", i);
		ck_assert_ptr_nonnull(cause);
		free(cause);
	}
	memset(longname, 'e', sizeof longname);
	longname[PERSIST_EP_MAX] = '\0';
	ck_assert_int_eq(persist_endpoint_valid(longname, &cause), 0);
	longname[PERSIST_EP_MAX] = 'e';
	longname[PERSIST_EP_MAX + 1] = '\0';
	ck_assert_int_eq(persist_endpoint_valid(longname, &cause), -1);
	free(cause);
	/* Save refuses such a name before touching the disk. */
	st = store_empty();
	m = meta_new();
	ck_assert_int_eq(persist_save(dir, "../escape", st, NULL, &m, &cause), -1);
	dm_store_free(st);
	free(cause);
	ck_assert_uint_eq(count_prefix("", NULL, 0), 2);	/* "." and ".." */
}
END_TEST

/* BS-12, BS-8: everything written comes back, exactly, with the purge deadline. */
START_TEST(bs12_round_trip)
{
	struct dm_store		*src = store_configured(), *dst;
	struct persist_meta	 m = meta_new(), lm;
	struct stat		 sb;
	char			*cause = NULL, *p, *a, *b;
	const uint8_t		*bytes;
	size_t			 len;
	int64_t			 i;
	bool			 bv;

	ck_assert_msg(persist_save(dir, EP, src, NULL, &m, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(m.generation, 1);
	ck_assert_str_eq(m.endpoint, EP);
	p = path_of(EP ".state");
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0600);
	free(p);
	ck_assert(!file_exists(EP ".state.tmp"));

	/* The target already holds a factory account: whole objects are replaced. */
	dst = store_empty();
	ck_assert_int_eq(dm_instance_create(dst, 1, 5, NULL), 0);
	ck_assert_int_eq(dm_set_int(dst, &LWM2M_PATH_RES(1, 5, 0), 102, NULL), 0);
	memset(&lm, 0, sizeof lm);
	ck_assert_msg(persist_load(dir, EP, dst, &lm, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(lm.generation, 1);
	ck_assert_int_eq(lm.bs_purge_at, BS_PURGE_AT);
	ck_assert_str_eq(lm.endpoint, EP);
	ck_assert_uint_eq(lm.skipped, 0);
	ck_assert_uint_eq(lm.versions_changed, 0);
	ck_assert_uint_eq(lm.unknown_sections, 0);
	ck_assert_uint_eq(lm.version_major, PERSIST_VERSION_MAJOR);
	ck_assert(!dm_instance_exists(dst, 1, 5));

	/* Identical, the sensor's readings excepted (they are not configuration). */
	ck_assert_int_eq(dm_set_float(src, &LWM2M_PATH_RES(3303, 0, 5700), 21.5, NULL),
	    0);
	a = dump_store(src);
	b = dump_store(dst);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	ck_assert_int_eq(dm_get_bytes(dst, &LWM2M_PATH_RES(0, 0, 5), &bytes, &len), 0);
	ck_assert(len == strlen(PSK_KEY) && memcmp(bytes, PSK_KEY, len) == 0);
	ck_assert_int_eq(dm_get_bool(dst, &LWM2M_PATH_RES(0, 0, 1), &bv), 0);
	ck_assert(bv);
	ck_assert_int_eq(dm_get_int(dst, &LWM2M_PATH_RI(2, 0, 2, 101), &i), 0);
	ck_assert_int_eq(i, DM_ACL_ALL);
	ck_assert_uint_eq(dm_resource_count(dst, 2, 4, 2), 0);
	ck_assert(dm_exists(dst, &LWM2M_PATH_RES(2, 4, 2)));

	/* The next save is the next generation. */
	ck_assert_int_eq(persist_save(dir, EP, dst, NULL, &lm, &cause), 0);
	ck_assert_uint_eq(lm.generation, 2);
	dm_store_free(src);
	dm_store_free(dst);
}
END_TEST

/* Only what the scope names: read-only resources of other objects stay the device's. */
START_TEST(bs12_scope)
{
	static const uint16_t	 only_server[] = { 1 };
	struct persist_scope	 sc = { only_server, 1, false };
	struct dm_store		*src = store_configured(), *dst;
	struct persist_meta	 m = meta_new();
	char			*cause = NULL;
	const uint8_t		*bytes;
	size_t			 len;

	ck_assert_int_eq(dm_set_string(src, &LWM2M_PATH_RES(3, 0, 0), "Other", NULL), 0);
	ck_assert_int_eq(persist_save(dir, EP, src, NULL, &m, &cause), 0);
	dst = store_empty();
	ck_assert_int_eq(persist_load(dir, EP, dst, &m, &cause), 0);
	/* R resource not saved; RW resources of a non-whole object saved. */
	ck_assert_int_eq(dm_get_bytes(dst, &LWM2M_PATH_RES(3, 0, 0), &bytes, &len), 0);
	ck_assert(len == 4 && memcmp(bytes, "ACME", 4) == 0);
	ck_assert_int_eq(dm_get_bytes(dst, &LWM2M_PATH_RES(3303, 0, 5750), &bytes,
	    &len), 0);
	ck_assert(len == 6 && memcmp(bytes, "boiler", 6) == 0);
	dm_store_free(dst);

	/* A narrower scope: Server only, nothing else. */
	ck_assert_int_eq(persist_save(dir, EP, src, &sc, &m, &cause), 0);
	dst = store_empty();
	ck_assert_int_eq(persist_load(dir, EP, dst, &m, &cause), 0);
	ck_assert_uint_eq(dm_instance_count(dst, 1), 1);
	ck_assert_uint_eq(dm_instance_count(dst, 0), 0);
	ck_assert_uint_eq(dm_instance_count(dst, 2), 0);
	ck_assert(!dm_exists(dst, &LWM2M_PATH_RES(3303, 0, 5750)));
	dm_store_free(dst);

	/* A partial object the target does not support is skipped, not an error. */
	ck_assert_int_eq(persist_save(dir, EP, src, NULL, &m, &cause), 0);
	dst = dm_store_create(reg);
	ck_assert_int_eq(dm_object_add(dst, 3), 0);
	ck_assert_int_eq(persist_load(dir, EP, dst, &m, &cause), 0);
	ck_assert_uint_eq(m.skipped, 1);
	/* Whole objects are added; a missing instance of a partial one is created. */
	ck_assert_uint_eq(dm_instance_count(dst, 0), 2);
	ck_assert(dm_exists(dst, &LWM2M_PATH_RES(3, 0, 14)));
	ck_assert(!dm_exists(dst, &LWM2M_PATH_RES(3, 0, 0)));
	dm_store_free(dst);
	dm_store_free(src);
}
END_TEST

/* BS-12: no state file means factory bootstrap; the store is left alone. */
START_TEST(bs12_missing_file)
{
	struct dm_store		*st = store_empty();
	struct persist_meta	 m = meta_new();
	char			*cause = NULL, *a, *b;

	a = dump_store(st);
	ck_assert_int_eq(persist_load(dir, EP, st, &m, &cause), 1);
	ck_assert_ptr_null(cause);
	b = dump_store(st);
	ck_assert_str_eq(a, b);
	ck_assert_int_eq(m.bs_purge_at, BS_PURGE_AT);
	free(a);
	free(b);
	dm_store_free(st);
}
END_TEST

/* BS-12: a change of any byte is detected, the file moved aside, the store untouched. */
START_TEST(bs12_corrupt_every_byte)
{
	struct dm_store		*scratch;
	struct persist_meta	 m;
	uint8_t			*img, *bad;
	size_t			 len, i;
	char			*cause;
	unsigned		 bit;

	save_configured(&img, &len);
	bad = xmalloc(len);
	for (i = 0; i < len; i++) {
		memcpy(bad, img, len);
		bad[i] ^= 0xff;
		write_file(EP ".state", bad, len);
		free(load_expect_corrupt(bad, len, "byte", i));
	}
	/* Every single-bit flip, in memory (the parser alone, no disk). */
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, img, len);
			bad[i] ^= 1u << bit;
			scratch = store_empty();
			cause = NULL;
			ck_assert_msg(persist_parse(bad, len, scratch, &m, &cause) == -1,
			    "bit %u of byte %zu", bit, i);
			free(cause);
			dm_store_free(scratch);
		}
	}
	free(bad);
	free(img);
}
END_TEST

/* BS-12: a file cut at any length (a kill during a write) is detected. */
START_TEST(bs12_truncated_every_length)
{
	uint8_t		*img;
	size_t		 len, i;
	char		*cause;

	save_configured(&img, &len);
	for (i = 0; i < len; i++) {
		write_file(EP ".state", img, i);
		cause = load_expect_corrupt(img, i, "length", i);
		if (i == 0)
			ck_assert_ptr_nonnull(strstr(cause, "empty"));
		else if (i > 20)
			ck_assert_ptr_nonnull(strstr(cause, "truncated"));
		free(cause);
	}
	/* Trailing bytes are refused too. */
	img = xrealloc(img, len + 1);
	img[len] = 0;
	write_file(EP ".state", img, len + 1);
	free(load_expect_corrupt(img, len + 1, "trailing", len));
	free(img);
}
END_TEST

/* BS-12: a save killed before its rename leaves a .tmp that is ignored and removed. */
START_TEST(bs12_stale_tmp_ignored)
{
	struct dm_store		*st, *other;
	struct persist_meta	 m = meta_new();
	uint8_t			*img, *tmpimg;
	size_t			 len, tmplen, i;
	char			*cause = NULL;
	const uint8_t		*bytes;

	save_configured(&img, &len);
	/* A complete but never renamed newer image, and every torn prefix of it. */
	other = store_configured();
	ck_assert_int_eq(dm_set_string(other, &LWM2M_PATH_RES(1, 0, 7), "UQ", NULL), 0);
	ck_assert_int_eq(persist_encode(EP, other, NULL, &m, &tmpimg, &tmplen, &cause),
	    0);
	dm_store_free(other);
	for (i = 0; i <= tmplen; i += (i < 64 ? 1 : 37)) {
		write_file(EP ".state.tmp", tmpimg, i);
		st = store_empty();
		ck_assert_int_eq(persist_load(dir, EP, st, &m, &cause), 0);
		ck_assert(!file_exists(EP ".state.tmp"));
		ck_assert_int_eq(dm_get_bytes(st, &LWM2M_PATH_RES(1, 0, 7), &bytes, &len),
		    0);
		ck_assert(len == 1 && bytes[0] == 'U');
		dm_store_free(st);
	}
	/* A .tmp without a state file: no state, and the .tmp is gone. */
	ck_assert_int_eq(persist_remove(dir, EP, &cause), 0);
	ck_assert(!file_exists(EP ".state"));
	write_file(EP ".state.tmp", tmpimg, tmplen);
	st = store_empty();
	ck_assert_int_eq(persist_load(dir, EP, st, &m, &cause), 1);
	ck_assert(!file_exists(EP ".state.tmp"));
	dm_store_free(st);
	free(tmpimg);
	free(img);
}
END_TEST

static void
assert_unchanged(const uint8_t *img, size_t len)
{
	uint8_t	*now;
	size_t	 nowlen;

	ck_assert_ptr_nonnull(now = read_file(EP ".state", &nowlen));
	ck_assert(nowlen == len && memcmp(now, img, len) == 0);
	free(now);
}

/* BS-12: a save that fails leaves the previous file intact and says why. */
START_TEST(bs12_save_failure_keeps_previous)
{
	struct dm_store		*st = store_configured();
	struct persist_meta	 m = meta_new();
	struct rlimit		 rl, small;
	uint8_t			*img;
	size_t			 len;
	char			*cause = NULL, *p, *sub;
	void			(*old)(int);

	save_configured(&img, &len);
	m.generation = 1;
	ck_assert_int_eq(dm_set_int(st, &LWM2M_PATH_RES(1, 0, 1), 600, NULL), 0);

	/* The state directory's parent is a regular file: open fails. */
	write_file("plain", "x", 1);
	xasprintf(&sub, "%s/plain/sub", dir);
	ck_assert_int_eq(persist_save(sub, EP, st, NULL, &m, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "open"));
	ck_assert_uint_eq(m.generation, 1);
	free(cause);
	free(sub);

	/* The temporary name is taken by a directory: open fails, even for root. */
	p = path_of(EP ".state.tmp");
	ck_assert_int_eq(mkdir(p, 0700), 0);
	ck_assert_int_eq(persist_save(dir, EP, st, NULL, &m, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, EP ".state.tmp"));
	free(cause);
	assert_unchanged(img, len);
	ck_assert_int_eq(rmdir(p), 0);
	free(p);

	/* The disk fills up during the write (RLIMIT_FSIZE: EFBIG, even for root). */
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
	small = rl;
	small.rlim_cur = 64;
	old = signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
	ck_assert_int_eq(persist_save(dir, EP, st, NULL, &m, &cause), -1);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	signal(SIGXFSZ, old);
	ck_assert_ptr_nonnull(strstr(cause, "write"));
	free(cause);
	assert_unchanged(img, len);
	ck_assert(!file_exists(EP ".state.tmp"));
	ck_assert_uint_eq(m.generation, 1);

	/* A read-only directory (only meaningful when not root: root ignores modes). */
	if (geteuid() != 0) {
		ck_assert_int_eq(chmod(dir, 0500), 0);
		ck_assert_int_eq(persist_save(dir, EP, st, NULL, &m, &cause), -1);
		ck_assert_ptr_nonnull(strstr(cause, "Permission denied"));
		free(cause);
		ck_assert_int_eq(chmod(dir, 0700), 0);
		assert_unchanged(img, len);
	} else
		fprintf(stderr, "bs12_save_failure_keeps_previous: running as root, "
		    "read-only directory case skipped (chmod does not stop root)\n");

	/* And the next good save goes through. */
	ck_assert_int_eq(persist_save(dir, EP, st, NULL, &m, &cause), 0);
	ck_assert_uint_eq(m.generation, 2);
	free(img);
	dm_store_free(st);
}
END_TEST

/* Insert a section of the given type right after the header. */
static uint8_t *
insert_section(const uint8_t *img, size_t len, uint16_t type, size_t *newlen)
{
	static const uint8_t	 payload[] = "future";
	uint8_t			*out;
	size_t			 n = 6 + sizeof payload;

	*newlen = len + n;
	out = xmalloc(*newlen);
	memcpy(out, img, 16);
	out[16] = type >> 8;
	out[17] = type & 0xff;
	put32(out + 18, sizeof payload);
	memcpy(out + 22, payload, sizeof payload);
	memcpy(out + 16 + n, img + 16, len - 16);
	put32(out + 12, get32(img + 12) + (uint32_t)n);
	fix_crc(out, *newlen);
	return (out);
}

/* Forward compatibility: unknown sections of a newer minor version are skipped. */
START_TEST(format_unknown_section_skipped)
{
	struct dm_store		*st;
	struct persist_meta	 m;
	uint8_t			*img, *fut;
	size_t			 len, flen;
	char			*cause = NULL;

	save_configured(&img, &len);
	fut = insert_section(img, len, 0x0040, &flen);
	fut[9] = PERSIST_VERSION_MINOR + 1;
	fix_crc(fut, flen);
	write_file(EP ".state", fut, flen);
	st = store_empty();
	memset(&m, 0, sizeof m);
	ck_assert_msg(persist_load(dir, EP, st, &m, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(m.unknown_sections, 1);
	ck_assert_uint_eq(m.version_minor, PERSIST_VERSION_MINOR + 1);
	ck_assert_uint_eq(dm_instance_count(st, 2), 2);
	dm_store_free(st);
	free(fut);

	/* One marked as required is refused with a clear message. */
	fut = insert_section(img, len, 0x8040, &flen);
	write_file(EP ".state", fut, flen);
	cause = load_expect_corrupt(fut, flen, "critical", 0);
	ck_assert_ptr_nonnull(strstr(cause, "required but unknown"));
	free(cause);
	free(fut);
	free(img);
}
END_TEST

/* Append records to the last section of the image (an object: 3303, saved partially). */
static uint8_t *
append_records(const uint8_t *img, size_t len, const uint8_t *recs, size_t rlen,
    size_t *newlen)
{
	uint8_t	*out;
	size_t	 off = 16, last = 0, end = len - 4;

	while (off < end) {
		last = off;
		off += 6 + get32(img + off + 2);
	}
	ck_assert_uint_eq(off, end);
	ck_assert_uint_eq(img[last + 1], 3);	/* an OBJECT section */
	*newlen = len + rlen;
	out = xmalloc(*newlen);
	memcpy(out, img, end);
	memcpy(out + end, recs, rlen);
	put32(out + last + 2, get32(img + last + 2) + (uint32_t)rlen);
	put32(out + 12, get32(img + 12) + (uint32_t)rlen);
	fix_crc(out, *newlen);
	return (out);
}

/* Forward compatibility: unknown record kinds and value types are skipped. */
START_TEST(format_unknown_records_skipped)
{
	/* kind 9 with 3 bytes; a VALUE of type 42 on /3303/0/5750; a good VALUE. */
	static const uint8_t	 recs[] = {
		9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 'a', 'b', 'c',
		3, 42, 0, 0, 0x16, 0x76, 0xff, 0xff, 0, 0, 0, 1, 'x',
		3, 1, 0, 0, 0x16, 0x76, 0xff, 0xff, 0, 0, 0, 3, 'l', 'a', 'b',
	};
	static const uint8_t	 badrec[] = {
		3, LWM2M_TYPE_BOOLEAN, 0, 0, 0x16, 0x76, 0xff, 0xff, 0, 0, 0, 2, 1, 1,
	};
	struct dm_store		*st;
	struct persist_meta	 m;
	uint8_t			*img, *fut;
	size_t			 imglen, len, flen;
	char			*cause = NULL;
	const uint8_t		*bytes;

	save_configured(&img, &imglen);
	fut = append_records(img, imglen, recs, sizeof recs, &flen);
	write_file(EP ".state", fut, flen);
	st = store_empty();
	memset(&m, 0, sizeof m);
	ck_assert_msg(persist_load(dir, EP, st, &m, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(m.skipped, 1);
	ck_assert_int_eq(dm_get_bytes(st, &LWM2M_PATH_RES(3303, 0, 5750), &bytes, &len),
	    0);
	ck_assert(len == 3 && memcmp(bytes, "lab", 3) == 0);
	dm_store_free(st);
	free(fut);

	/* A known record kind with a bad length is damage, not the future. */
	fut = append_records(img, imglen, badrec, sizeof badrec, &flen);
	write_file(EP ".state", fut, flen);
	cause = load_expect_corrupt(fut, flen, "bad length", 0);
	ck_assert_msg(strstr(cause, "bad value for /3303/0/5750") != NULL, "%s", cause);
	free(cause);
	free(fut);
	free(img);
}
END_TEST

/* Forward compatibility: a newer major version is refused, never half-read. */
START_TEST(format_newer_major_refused)
{
	uint8_t		*img;
	size_t		 len;
	char		*cause;

	save_configured(&img, &len);
	img[8] = PERSIST_VERSION_MAJOR + 1;
	fix_crc(img, len);
	write_file(EP ".state", img, len);
	cause = load_expect_corrupt(img, len, "major", 0);
	ck_assert_msg(strstr(cause, "format version 2.0 is newer") != NULL, "%s", cause);
	free(cause);
	free(img);
}
END_TEST

/* Another device's file under this name is not loaded. */
START_TEST(format_endpoint_mismatch)
{
	struct dm_store		*st = store_empty();
	struct persist_meta	 m = meta_new();
	char			*cause = NULL, *from, *to;

	save_configured(NULL, NULL);
	from = path_of(EP ".state");
	to = path_of("other.state");
	ck_assert_int_eq(rename(from, to), 0);
	ck_assert_int_eq(persist_load(dir, "other", st, &m, &cause), -1);
	ck_assert_msg(strstr(cause, "for endpoint " EP) != NULL, "%s", cause);
	ck_assert_uint_eq(count_prefix("other.state.corrupt.", NULL, 0), 1);
	ck_assert_uint_eq(dm_instance_count(st, 0), 0);
	free(cause);
	free(from);
	free(to);
	dm_store_free(st);
}
END_TEST

/* A changed object version is reported, the data still loaded. */
START_TEST(format_object_version_changed)
{
	struct dm_store		*st;
	struct persist_meta	 m;
	uint8_t			*img, *v;
	size_t			 len;
	char			*cause = NULL;

	save_configured(&img, &len);
	/* The Server object is saved as "1.1": make it "1.0", as an older lwgw would. */
	ck_assert_ptr_nonnull(v = memmem(img, len, "\x00\x01\x01\x03" "1.1", 7));
	v[6] = '0';
	fix_crc(img, len);
	write_file(EP ".state", img, len);
	st = store_empty();
	memset(&m, 0, sizeof m);
	ck_assert_msg(persist_load(dir, EP, st, &m, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(m.versions_changed, 1);
	ck_assert_uint_eq(dm_instance_count(st, 1), 1);
	dm_store_free(st);
	free(img);
}
END_TEST

/* Start-up: the endpoints with state, sorted; stale .tmp files removed. */
START_TEST(scan_lists_endpoints)
{
	struct dm_store		*st = store_configured();
	struct persist_meta	 m = meta_new();
	static const char	*eps[] = { "zeta", "alpha", "mid-1", "urn:x:2" };
	char			**list = NULL, *cause = NULL;
	size_t			 n, i;

	for (i = 0; i < sizeof eps / sizeof eps[0]; i++)
		ck_assert_int_eq(persist_save(dir, eps[i], st, NULL, &m, &cause), 0);
	write_file("ghost.state.tmp", "x", 1);
	write_file("alpha.state.corrupt.1700000000", "x", 1);
	write_file(".hidden.state", "x", 1);
	write_file("notes.txt", "x", 1);
	ck_assert_int_eq(persist_scan(dir, &list, &n, &cause), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(list[0], "alpha");
	ck_assert_str_eq(list[1], "mid-1");
	ck_assert_str_eq(list[2], "urn:x:2");
	ck_assert_str_eq(list[3], "zeta");
	ck_assert(!file_exists("ghost.state.tmp"));
	ck_assert(file_exists("alpha.state.corrupt.1700000000"));
	persist_scan_free(list, n);
	persist_scan_free(NULL, 0);

	ck_assert_int_eq(persist_scan("/nonexistent/lwgw", &list, &n, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	free(cause);
	dm_store_free(st);
}
END_TEST

struct log_capture {
	char	*all;
	size_t	 warnings;
};

static void
log_capture_hook(int pri, const char *line, void *arg)
{
	struct log_capture	*c = arg;
	size_t			 n = c->all == NULL ? 0 : strlen(c->all);

	c->all = xrealloc(c->all, n + strlen(line) + 2);
	memcpy(c->all + n, line, strlen(line));
	c->all[n + strlen(line)] = '\n';
	c->all[n + strlen(line) + 1] = '\0';
	if (pri == LOG_WARNING)
		c->warnings++;
}

/* A bad file is logged as a warning with endpoint and reason, and keys never are. */
START_TEST(log_warns_without_secrets)
{
	struct log_capture	 c = { NULL, 0 };
	struct dm_store		*st;
	struct persist_meta	 m = meta_new();
	uint8_t			*img;
	size_t			 len;
	char			*cause = NULL, *at;

	log_set_level(LOG_DEBUG);
	log_set_hook(log_capture_hook, &c);
	save_configured(&img, &len);
	st = store_empty();
	ck_assert_int_eq(persist_load(dir, EP, st, &m, &cause), 0);
	ck_assert_int_eq(persist_save(dir, EP, st, NULL, &m, &cause), 0);
	/* Damage the bytes of the secret key itself. */
	ck_assert_ptr_nonnull(at = memmem(img, len, PSK_KEY, strlen(PSK_KEY)));
	at[0] ^= 0x20;
	write_file(EP ".state", img, len);
	ck_assert_int_eq(persist_load(dir, EP, st, &m, &cause), -1);
	ck_assert_uint_eq(c.warnings, 1);
	ck_assert_ptr_nonnull(c.all);
	ck_assert_ptr_nonnull(strstr(c.all, EP ": state file "));
	ck_assert_ptr_nonnull(strstr(c.all, "checksum mismatch"));
	ck_assert_ptr_null(strstr(c.all, PSK_KEY));
	ck_assert_ptr_null(strstr(c.all, PSK_KEY + 1));
	ck_assert_ptr_null(strstr(c.all, PSK_ID));
	ck_assert_ptr_null(strstr(cause, PSK_KEY + 1));
	log_set_hook(NULL, NULL);
	free(cause);
	free(c.all);
	free(img);
	dm_store_free(st);
}
END_TEST

/* Whatever the bytes, the parser returns (a few hand-made hostile images). */
START_TEST(parse_hostile_images)
{
	struct dm_store		*st;
	struct persist_meta	 m;
	uint8_t			*img, *bad;
	size_t			 len, i;
	char			*cause;

	save_configured(&img, &len);
	/* Every length field of the image set to huge values, the CRC made valid. */
	bad = xmalloc(len);
	for (i = 16; i + 4 <= len - 4; i++) {
		memcpy(bad, img, len);
		put32(bad + i, 0xfffffff0u);
		fix_crc(bad, len);
		st = store_empty();
		cause = NULL;
		if (persist_parse(bad, len, st, &m, &cause) != 0)
			free(cause);
		dm_store_free(st);
	}
	free(bad);
	free(img);
	st = store_empty();
	cause = NULL;
	ck_assert_int_eq(persist_parse((const uint8_t *)"LWGWSTAT", 8, st, &m, &cause),
	    -1);
	free(cause);
	dm_store_free(st);
}
END_TEST

int
main(void)
{
	Suite	*s;
	SRunner	*sr;
	TCase	*tc;
	int	 failed;

	s = suite_create("persist");
	tc = tcase_create("persist");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, crc32c_vector);
	tcase_add_test(tc, endpoint_names);
	tcase_add_test(tc, bs12_round_trip);
	tcase_add_test(tc, bs12_scope);
	tcase_add_test(tc, bs12_missing_file);
	tcase_add_test(tc, bs12_corrupt_every_byte);
	tcase_add_test(tc, bs12_truncated_every_length);
	tcase_add_test(tc, bs12_stale_tmp_ignored);
	tcase_add_test(tc, bs12_save_failure_keeps_previous);
	tcase_add_test(tc, format_unknown_section_skipped);
	tcase_add_test(tc, format_unknown_records_skipped);
	tcase_add_test(tc, format_newer_major_refused);
	tcase_add_test(tc, format_endpoint_mismatch);
	tcase_add_test(tc, format_object_version_changed);
	tcase_add_test(tc, scan_lists_endpoints);
	tcase_add_test(tc, log_warns_without_secrets);
	tcase_add_test(tc, parse_hostile_images);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
