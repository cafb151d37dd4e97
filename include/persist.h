/*
 * Per-device state files (module persist, BS-12): what the Bootstrap-Server and the servers
 * wrote into a virtual client's store, made durable in "<state_dir>/<endpoint>.state".
 *
 * A file is versioned (magic + major.minor), made of type+length sections that an older
 * reader skips when it does not know them, and checksummed with CRC-32C over everything
 * before the checksum. It is replaced atomically: "<file>.tmp" is written, fsync'ed and
 * renamed over the file, then the directory is fsync'ed. The format is in docs/persist.md.
 *
 * Saves are synchronous and fsync-bound (a few milliseconds on a disk): call persist_save
 * before acknowledging the write it makes durable. Nothing here logs a value: Security
 * keys (/0/x/3, /0/x/5) are in these files and values are never printed at all.
 */
#ifndef LWGW_PERSIST_H
#define LWGW_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dm_store;

/*
 * Endpoint names become file names. A valid one is 1..PERSIST_EP_MAX bytes of printable
 * ASCII without space (0x21..0x7e), no '/', and does not start with '.'.
 */
#define PERSIST_EP_MAX		64
/* Files larger than this are refused (a store of certificates stays far below it). */
#define PERSIST_FILE_MAX	(8u * 1024 * 1024)

/* Format version this code writes. Files with a newer major version are refused. */
#define PERSIST_VERSION_MAJOR	1
#define PERSIST_VERSION_MINOR	0

/*
 * What a state file holds: every instance and value of the objects listed in whole[]
 * (the configuration objects Security, Server, Access Control), plus, when writable is
 * true, the values of the writable (W) resources of every other object of the store.
 */
struct persist_scope {
	const uint16_t	*whole;
	size_t		 nwhole;
	bool		 writable;
};
/* Objects 0, 1, 2 entirely, plus writable resources of the others. */
extern const struct persist_scope persist_scope_default;

/* What a state file says besides the store's contents. */
struct persist_meta {
	char		endpoint[PERSIST_EP_MAX + 1];
	uint64_t	generation;	/* incremented by every save */
	int64_t		bs_purge_at;	/* BS-8: wall-clock time (s since the epoch) at which
					 * the Bootstrap-Server account is purged, 0 none */
	int64_t		saved_at;	/* wall-clock time of the save */
	uint8_t		version_major;	/* format version of the file loaded */
	uint8_t		version_minor;
	/* Load only: what the current object definitions could not take. */
	unsigned	skipped;	/* values or objects not applied (definition
					 * changed or object no longer supported) */
	unsigned	versions_changed; /* objects saved under another version */
	unsigned	unknown_sections; /* sections of a newer minor version, skipped */
};

/* 0 if ep is a valid endpoint name (see PERSIST_EP_MAX), else -1 and *cause. */
int	persist_endpoint_valid(const char *ep, char **cause);

/*
 * Save the scope (NULL: persist_scope_default) of a store for endpoint ep, with
 * meta->bs_purge_at. The file gets
 * generation meta->generation + 1; on success meta->generation, ->saved_at and ->endpoint
 * are updated. 0, or -1 with *cause: then the previous file, if any, is intact. When only
 * the final fsync of the directory fails, the new file is in place (a restart reads it) but
 * may not survive a power cut: logged as a warning, and the save counts (0).
 */
int	persist_save(const char *dir, const char *ep, const struct dm_store *,
	    const struct persist_scope *, struct persist_meta *meta, char **cause);

/*
 * Load ep's state file into a store that already supports the vclient's objects.
 * Objects saved whole replace all their instances in the store; for the others, the saved
 * values are set (their instances created when missing); objects the store does not
 * support are skipped (meta->skipped). All or nothing: the file is applied to a clone,
 * swapped in only when the whole file is good. A stale "<file>.tmp" is removed first.
 * Returns 0 loaded (meta filled), 1 no state file (factory bootstrap), -1 with *cause:
 * the file is corrupt, torn, of a newer major version or unreadable; it has been moved
 * aside to "<file>.corrupt.<unix-time>" (never deleted) and a warning logged, the store
 * and meta are unchanged, and the caller falls back to factory bootstrap.
 */
int	persist_load(const char *dir, const char *ep, struct dm_store *into,
	    struct persist_meta *meta, char **cause);

/* Remove ep's state file (a factory reset), durably. 0 (also if there was none) or -1. */
int	persist_remove(const char *dir, const char *ep, char **cause);

/*
 * Endpoints that have a state file in dir, sorted (strcmp), without opening the files.
 * Stale "*.state.tmp" files are removed on the way: call it at start-up, before any save.
 * 0 with *list (free with persist_scan_free) and *n, or -1 and *cause.
 */
int	persist_scan(const char *dir, char ***list, size_t *n, char **cause);
void	persist_scan_free(char **list, size_t n);

/*
 * The file image without I/O: persist_encode builds it (heap buffer, caller frees) with
 * the generation and times of meta as given; persist_parse checks it and applies it to a
 * store (not all or nothing by itself: persist_load gives it a clone) and fills meta.
 * 0, or -1 with *cause. Bytes from disk never crash the parser (fuzzed).
 */
int	persist_encode(const char *ep, const struct dm_store *,
	    const struct persist_scope *, const struct persist_meta *meta,
	    uint8_t **buf, size_t *len, char **cause);
int	persist_parse(const uint8_t *buf, size_t len, struct dm_store *,
	    struct persist_meta *meta, char **cause);

/* CRC-32C (Castagnoli) of a buffer, continuing from crc (start with 0). */
uint32_t persist_crc32c(uint32_t crc, const void *buf, size_t len);

#endif
