/*
 * State files on disk: atomic replacement (tmp + fsync + rename + fsync of the directory),
 * loading into a clone of the store, moving bad files aside, the start-up scan. The image
 * itself is persist_fmt.c's business.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dm.h"
#include "log.h"
#include "persist.h"
#include "xmalloc.h"

#define PERSIST_SUFFIX		".state"
#define PERSIST_TMP_SUFFIX	".state.tmp"

int
persist_endpoint_valid(const char *ep, char **cause)
{
	size_t	i, len;

	if (ep == NULL || (len = strlen(ep)) == 0) {
		*cause = xstrdup("empty endpoint name");
		return (-1);
	}
	if (len > PERSIST_EP_MAX) {
		xasprintf(cause, "endpoint name longer than %d bytes", PERSIST_EP_MAX);
		return (-1);
	}
	if (ep[0] == '.') {
		*cause = xstrdup("endpoint name starts with '.'");
		return (-1);
	}
	for (i = 0; i < len; i++) {
		if (ep[i] == '/' || (unsigned char)ep[i] <= 0x20 ||
		    (unsigned char)ep[i] >= 0x7f) {
			/* Not printed: it may be a control character. */
			xasprintf(cause, "endpoint name has a forbidden byte 0x%02x at "
			    "%zu", (unsigned char)ep[i], i);
			return (-1);
		}
	}
	return (0);
}

static char *
persist_path(const char *dir, const char *ep, const char *suffix)
{
	char	*path;

	xasprintf(&path, "%s/%s%s", dir, ep, suffix);
	return (path);
}

/* Make a rename or unlink in dir durable. */
static int
persist_sync_dir(const char *dir, char **cause)
{
	int	fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "open %s: %s", dir, strerror(errno));
		return (-1);
	}
	if (fsync(fd) != 0) {
		xasprintf(cause, "fsync %s: %s", dir, strerror(errno));
		close(fd);
		return (-1);
	}
	close(fd);
	return (0);
}

static int
persist_write_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t	n;

	while (len != 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		if (n == 0) {
			errno = EIO;
			return (-1);
		}
		buf += n;
		len -= (size_t)n;
	}
	return (0);
}

/* Write buf to tmp and make it durable there; the caller renames it. */
static int
persist_write_tmp(const char *tmp, const uint8_t *buf, size_t len, char **cause)
{
	int	fd;

	fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		xasprintf(cause, "open %s: %s", tmp, strerror(errno));
		return (-1);
	}
	/* A stale tmp file keeps its mode through O_TRUNC: keys are in it. */
	if (fchmod(fd, 0600) != 0) {
		xasprintf(cause, "chmod %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (persist_write_all(fd, buf, len) != 0) {
		xasprintf(cause, "write %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (fsync(fd) != 0) {
		xasprintf(cause, "fsync %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		xasprintf(cause, "close %s: %s", tmp, strerror(errno));
		goto fail;
	}
	return (0);

fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return (-1);
}

int
persist_save(const char *dir, const char *ep, const struct dm_store *st,
    const struct persist_scope *scope, struct persist_meta *meta, char **cause)
{
	struct persist_meta	 next;
	char			*path, *tmp;
	uint8_t			*buf;
	size_t			 len;
	int			 rc = -1;

	if (persist_endpoint_valid(ep, cause) != 0)
		return (-1);
	next = *meta;
	next.generation = meta->generation + 1;
	next.saved_at = (int64_t)time(NULL);
	if (persist_encode(ep, st, scope, &next, &buf, &len, cause) != 0)
		return (-1);
	path = persist_path(dir, ep, PERSIST_SUFFIX);
	tmp = persist_path(dir, ep, PERSIST_TMP_SUFFIX);

	if (persist_write_tmp(tmp, buf, len, cause) != 0)
		goto out;
	if (rename(tmp, path) != 0) {
		xasprintf(cause, "rename %s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	/*
	 * The new file is in place: any reader, a restart included, sees it. Only its
	 * surviving a power cut is in doubt, so the save counts (a rollback in memory
	 * would disagree with the disk).
	 */
	if (persist_sync_dir(dir, cause) != 0) {
		log_ep(LOG_WARNING, ep, "%s: %s was replaced but may not survive a "
		    "power cut", *cause, path);
		free(*cause);
		*cause = NULL;
	}
	meta->generation = next.generation;
	meta->saved_at = next.saved_at;
	snprintf(meta->endpoint, sizeof meta->endpoint, "%s", ep);
	rc = 0;

out:
	xexplicit_bzero(buf, len);
	free(buf);
	free(tmp);
	free(path);
	return (rc);
}

/*
 * Rename a bad state file to "<path>.corrupt.<unix-time>" (".N" appended if that exists:
 * link() does not replace), so that it is kept for the operator and never overwritten.
 * Returns the new name or NULL with *cause.
 */
static char *
persist_move_aside(const char *dir, const char *path, char **cause)
{
	struct stat	 sb;
	char		*to;
	long long	 now = (long long)time(NULL);
	int		 i;

	for (i = 0; i < 1000; i++) {
		if (i == 0)
			xasprintf(&to, "%s.corrupt.%lld", path, now);
		else
			xasprintf(&to, "%s.corrupt.%lld.%d", path, now, i);
		if (link(path, to) == 0) {
			if (unlink(path) != 0) {
				xasprintf(cause, "unlink %s: %s", path, strerror(errno));
				unlink(to);
				free(to);
				return (NULL);
			}
			goto done;
		}
		if (errno == EEXIST) {
			free(to);
			continue;
		}
		/* No hard links here (or a directory in the way): rename if free. */
		if (lstat(to, &sb) == 0) {
			free(to);
			continue;
		}
		if (rename(path, to) == 0)
			goto done;
		xasprintf(cause, "rename %s: %s", path, strerror(errno));
		free(to);
		return (NULL);
	}
	xasprintf(cause, "no free name to move %s aside", path);
	return (NULL);

done:
	if (persist_sync_dir(dir, cause) != 0) {
		/* Still moved: only the durability of the move is in doubt. */
		free(*cause);
		*cause = NULL;
	}
	return (to);
}

/* Read a whole state file. 0, 1 if absent, -1 with *cause. */
static int
persist_read(const char *path, uint8_t **bufp, size_t *lenp, char **cause)
{
	struct stat	 sb;
	uint8_t		*buf;
	size_t		 len, got = 0;
	ssize_t		 n;
	int		 fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1) {
		if (errno == ENOENT)
			return (1);
		xasprintf(cause, "open: %s", strerror(errno));
		return (-1);
	}
	if (fstat(fd, &sb) != 0) {
		xasprintf(cause, "fstat: %s", strerror(errno));
		close(fd);
		return (-1);
	}
	if (!S_ISREG(sb.st_mode)) {
		*cause = xstrdup("not a regular file");
		close(fd);
		return (-1);
	}
	if ((uintmax_t)sb.st_size > PERSIST_FILE_MAX + 1024) {
		xasprintf(cause, "too large (%jd bytes)", (intmax_t)sb.st_size);
		close(fd);
		return (-1);
	}
	len = (size_t)sb.st_size;
	buf = xmalloc(len == 0 ? 1 : len);
	while (got < len) {
		if ((n = read(fd, buf + got, len - got)) == -1) {
			if (errno == EINTR)
				continue;
			xasprintf(cause, "read: %s", strerror(errno));
			xexplicit_bzero(buf, got);
			free(buf);
			close(fd);
			return (-1);
		}
		if (n == 0)
			break;	/* shrank under us: the parser sees it truncated */
		got += (size_t)n;
	}
	close(fd);
	*bufp = buf;
	*lenp = got;
	return (0);
}

/* Stale "<file>.tmp": a save that was cut before its rename, so never acknowledged. */
static void
persist_remove_tmp(const char *dir, const char *ep)
{
	char	*tmp;

	tmp = persist_path(dir, ep, PERSIST_TMP_SUFFIX);
	if (unlink(tmp) == 0)
		log_ep(LOG_NOTICE, ep, "removed %s left by an interrupted save", tmp);
	else if (errno != ENOENT)
		log_ep(LOG_WARNING, ep, "cannot remove %s: %s", tmp, strerror(errno));
	free(tmp);
}

int
persist_load(const char *dir, const char *ep, struct dm_store *into,
    struct persist_meta *meta, char **cause)
{
	struct persist_meta	 m;
	struct dm_store		*clone;
	char			*path, *why = NULL, *aside, *why2 = NULL;
	uint8_t			*buf = NULL;
	size_t			 len = 0;
	int			 rc;

	if (persist_endpoint_valid(ep, cause) != 0)
		return (-1);
	persist_remove_tmp(dir, ep);
	path = persist_path(dir, ep, PERSIST_SUFFIX);

	rc = persist_read(path, &buf, &len, &why);
	if (rc == 1) {
		free(path);
		return (1);
	}
	if (rc == 0) {
		clone = dm_store_clone(into);
		memset(&m, 0, sizeof m);
		rc = persist_parse(buf, len, clone, &m, &why);
		if (rc == 0 && strcmp(m.endpoint, ep) != 0) {
			xasprintf(&why, "the file is for endpoint %s", m.endpoint);
			rc = -1;
		}
		if (rc == 0)
			dm_store_swap(into, clone);
		dm_store_free(clone);
		xexplicit_bzero(buf, len);
		free(buf);
	}
	if (rc == 0) {
		*meta = m;
		log_ep_debug(ep, "loaded %s (generation %llu)", path,
		    (unsigned long long)m.generation);
		if (m.skipped != 0 || m.versions_changed != 0 || m.unknown_sections != 0)
			log_ep(LOG_NOTICE, ep, "%s: %u values or objects the current "
			    "definitions do not take, %u objects of another version, "
			    "%u unknown sections (format %u.%u)", path, m.skipped,
			    m.versions_changed, m.unknown_sections, m.version_major,
			    m.version_minor);
		free(path);
		return (0);
	}

	if ((aside = persist_move_aside(dir, path, &why2)) != NULL) {
		log_ep(LOG_WARNING, ep, "state file %s: %s; moved aside to %s, "
		    "falling back to factory bootstrap", path, why, aside);
		xasprintf(cause, "%s: %s (moved aside to %s)", path, why, aside);
	} else {
		log_ep(LOG_WARNING, ep, "state file %s: %s; could not move it aside "
		    "(%s), falling back to factory bootstrap", path, why, why2);
		xasprintf(cause, "%s: %s (not moved aside: %s)", path, why, why2);
	}
	free(aside);
	free(why2);
	free(why);
	free(path);
	return (-1);
}

int
persist_remove(const char *dir, const char *ep, char **cause)
{
	char	*path;
	int	 rc = 0;

	if (persist_endpoint_valid(ep, cause) != 0)
		return (-1);
	persist_remove_tmp(dir, ep);
	path = persist_path(dir, ep, PERSIST_SUFFIX);
	if (unlink(path) != 0) {
		if (errno != ENOENT) {
			xasprintf(cause, "unlink %s: %s", path, strerror(errno));
			rc = -1;
		}
	} else
		rc = persist_sync_dir(dir, cause);
	free(path);
	return (rc);
}

static int
persist_scan_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

static bool
persist_has_suffix(const char *name, size_t len, const char *suffix)
{
	size_t	slen = strlen(suffix);

	return (len > slen && memcmp(name + len - slen, suffix, slen) == 0);
}

int
persist_scan(const char *dir, char ***listp, size_t *np, char **cause)
{
	DIR		*d;
	struct dirent	*de;
	char		**list = NULL, *ep, *why;
	size_t		 n = 0, size = 0, len, slen = strlen(PERSIST_SUFFIX);

	if ((d = opendir(dir)) == NULL) {
		xasprintf(cause, "open %s: %s", dir, strerror(errno));
		return (-1);
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		len = strlen(de->d_name);
		if (persist_has_suffix(de->d_name, len, PERSIST_TMP_SUFFIX)) {
			if (unlinkat(dirfd(d), de->d_name, 0) == 0)
				log_notice("%s/%s: removed, left by an interrupted save",
				    dir, de->d_name);
			continue;
		}
		if (!persist_has_suffix(de->d_name, len, PERSIST_SUFFIX) ||
		    (de->d_type != DT_REG && de->d_type != DT_UNKNOWN))
			continue;
		ep = xstrndup(de->d_name, len - slen);
		if (persist_endpoint_valid(ep, &why) != 0) {
			free(why);
			free(ep);
			continue;
		}
		if (n == size) {
			size = size == 0 ? 64 : size * 2;
			list = xreallocarray(list, size, sizeof *list);
		}
		list[n++] = ep;
	}
	if (errno != 0) {
		xasprintf(cause, "read %s: %s", dir, strerror(errno));
		closedir(d);
		persist_scan_free(list, n);
		return (-1);
	}
	closedir(d);
	if (n != 0)
		qsort(list, n, sizeof *list, persist_scan_cmp);
	*listp = list;
	*np = n;
	return (0);
}

void
persist_scan_free(char **list, size_t n)
{
	size_t	i;

	if (list == NULL)
		return;
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}
