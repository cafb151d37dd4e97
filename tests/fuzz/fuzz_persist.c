/*
 * libFuzzer target: state file images (persist_parse), without touching the disk. What
 * parses must re-encode into an image that parses again to the same store: a saved
 * state always loads.
 *
 * The first input byte is a mode: odd, the rest gets its body length and CRC-32C fixed
 * before parsing, so that mutations reach the sections and records instead of stopping
 * at the checksum; even, the rest is parsed as it is.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dm.h"
#include "persist.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_persist_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static const uint16_t fuzz_persist_oids[] = { 0, 1, 2, 3, 3303 };

static struct dm_store *
fuzz_persist_store(const struct dm_registry *reg)
{
	struct dm_store	*st;
	size_t		 i;

	st = dm_store_create(reg);
	for (i = 0; i < sizeof fuzz_persist_oids / sizeof fuzz_persist_oids[0]; i++)
		dm_object_add(st, fuzz_persist_oids[i]);
	return (st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Definitions are static and shared, as in lwgwd: built once. */
	static struct dm_registry	*reg;
	struct dm_store			*st, *again;
	struct persist_meta		 meta, meta2;
	char				*cause = NULL;
	uint8_t				*img, *in;
	size_t				 len;
	int				 rc;

	if (size == 0)
		return (0);
	if (reg == NULL)
		reg = dm_registry_create();
	/* A copy of exactly the input's size, so ASan sees any overrun. */
	in = malloc(size - 1 == 0 ? 1 : size - 1);
	memcpy(in, data + 1, size - 1);
	if ((data[0] & 1) && size - 1 >= 20) {
		fuzz_persist_put32(in + 12, (uint32_t)(size - 1 - 20));
		fuzz_persist_put32(in + size - 1 - 4, persist_crc32c(0, in, size - 1 - 4));
	}
	st = fuzz_persist_store(reg);
	rc = persist_parse(in, size - 1, st, &meta, &cause);
	free(in);
	if (rc != 0) {
		if (cause == NULL)
			abort();	/* every failure says why */
		free(cause);
		dm_store_free(st);
		return (0);
	}
	if (persist_encode(meta.endpoint, st, NULL, &meta, &img, &len, &cause) != 0)
		abort();
	again = fuzz_persist_store(reg);
	if (persist_parse(img, len, again, &meta2, &cause) != 0 ||
	    meta2.generation != meta.generation || meta2.bs_purge_at != meta.bs_purge_at ||
	    strcmp(meta2.endpoint, meta.endpoint) != 0)
		abort();
	free(img);
	dm_store_free(again);
	dm_store_free(st);
	return (0);
}
