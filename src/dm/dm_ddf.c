/*
 * OMA DDF loader: object definitions in the LwM2M registry's XML format, parsed with expat
 * into heap definitions the registry owns. Only the elements the data model needs are
 * read (names, IDs, version, instance counts, mandatory flags, operations, types, ranges,
 * units); descriptions and everything else are skipped. Every error is "FILE:LINE:
 * message"; a file with an error adds nothing.
 */
#include "config.h"

#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "log.h"
#include "xmalloc.h"

#include "dm_int.h"
#include "dm_registry.h"

#define DM_DDF_TEXTMAX	1024	/* longest name/units/range text kept */
#define DM_DDF_DEPTH	8	/* nothing we read lies deeper */

enum dm_ddf_kind {
	DM_DDF_SKIP = 0,
	DM_DDF_ROOT,
	DM_DDF_OBJECT,
	DM_DDF_RESOURCES,
	DM_DDF_ITEM,
	DM_DDF_FIELD,
};

enum dm_ddf_field {
	DM_DDF_F_NONE = 0,
	DM_DDF_F_OBJ_NAME,
	DM_DDF_F_OBJ_ID,
	DM_DDF_F_OBJ_VERSION,
	DM_DDF_F_OBJ_MULTI,
	DM_DDF_F_OBJ_MAND,
	DM_DDF_F_RES_NAME,
	DM_DDF_F_RES_OPS,
	DM_DDF_F_RES_MULTI,
	DM_DDF_F_RES_MAND,
	DM_DDF_F_RES_TYPE,
	DM_DDF_F_RES_RANGE,
	DM_DDF_F_RES_UNITS,
};

static const struct {
	enum dm_ddf_kind	 parent;
	const char		*name;
	enum dm_ddf_field	 field;
} dm_ddf_fields[] = {
	{ DM_DDF_OBJECT, "Name", DM_DDF_F_OBJ_NAME },
	{ DM_DDF_OBJECT, "ObjectID", DM_DDF_F_OBJ_ID },
	{ DM_DDF_OBJECT, "ObjectVersion", DM_DDF_F_OBJ_VERSION },
	{ DM_DDF_OBJECT, "MultipleInstances", DM_DDF_F_OBJ_MULTI },
	{ DM_DDF_OBJECT, "Mandatory", DM_DDF_F_OBJ_MAND },
	{ DM_DDF_ITEM, "Name", DM_DDF_F_RES_NAME },
	{ DM_DDF_ITEM, "Operations", DM_DDF_F_RES_OPS },
	{ DM_DDF_ITEM, "MultipleInstances", DM_DDF_F_RES_MULTI },
	{ DM_DDF_ITEM, "Mandatory", DM_DDF_F_RES_MAND },
	{ DM_DDF_ITEM, "Type", DM_DDF_F_RES_TYPE },
	{ DM_DDF_ITEM, "RangeEnumeration", DM_DDF_F_RES_RANGE },
	{ DM_DDF_ITEM, "Units", DM_DDF_F_RES_UNITS },
};

static const struct {
	const char	*name;
	enum lwm2m_type	 type;
} dm_ddf_types[] = {
	{ "", LWM2M_TYPE_NONE },
	{ "String", LWM2M_TYPE_STRING },
	{ "Integer", LWM2M_TYPE_INTEGER },
	{ "Unsigned Integer", LWM2M_TYPE_UNSIGNED },
	{ "Float", LWM2M_TYPE_FLOAT },
	{ "Boolean", LWM2M_TYPE_BOOLEAN },
	{ "Opaque", LWM2M_TYPE_OPAQUE },
	{ "Time", LWM2M_TYPE_TIME },
	{ "Objlnk", LWM2M_TYPE_OBJLNK },
	{ "Corelnk", LWM2M_TYPE_CORELNK },
};

static const struct {
	const char	*name;
	uint8_t		 ops;
} dm_ddf_ops[] = {
	{ "", 0 },
	{ "R", LWM2M_OP_R },
	{ "W", LWM2M_OP_W },
	{ "RW", LWM2M_OP_RW },
	{ "E", LWM2M_OP_E },
};

struct dm_ddf {
	XML_Parser		 parser;
	const char		*file;
	const struct dm_registry *reg;
	int			 flags;
	char			*error;

	int			 depth;
	enum dm_ddf_kind	 kinds[DM_DDF_DEPTH];

	/* The object being read. */
	struct dm_object	*obj;
	struct dm_resource	*res;
	size_t			 nres;
	unsigned long		 obj_line;
	bool			 have_oid;
	bool			 have_multi;

	/* The resource being read. */
	struct dm_resource	*item;
	unsigned long		 item_line;

	/* Text of the field being read. */
	enum dm_ddf_field	 field;
	char			 text[DM_DDF_TEXTMAX + 1];
	size_t			 textlen;
	bool			 overflow;
	unsigned long		 text_line;

	/* Objects complete in this file, added to the registry when it all parsed. */
	struct dm_object	**done;
	size_t			 ndone;
};

static void	dm_ddf_error(struct dm_ddf *, unsigned long, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Record the first error and stop the parser. */
static void
dm_ddf_error(struct dm_ddf *ddf, unsigned long line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (ddf->error != NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(&ddf->error, "%s:%lu: %s", ddf->file, line, msg);
	free(msg);
	if (ddf->parser != NULL)
		XML_StopParser(ddf->parser, XML_FALSE);
}

static unsigned long
dm_ddf_line(struct dm_ddf *ddf)
{
	return ((unsigned long)XML_GetCurrentLineNumber(ddf->parser));
}

/* Strict decimal 0..65534. */
static int
dm_ddf_id(const char *s, uint16_t *id)
{
	unsigned long	v = 0;

	if (*s == '\0')
		return (-1);
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return (-1);
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > LWM2M_ID_MAX)
			return (-1);
	}
	*id = (uint16_t)v;
	return (0);
}

/* "MAJOR.MINOR", digits only. */
static bool
dm_ddf_version_ok(const char *s)
{
	const char	*dot;
	size_t		 i;

	dot = strchr(s, '.');
	if (dot == NULL || dot == s || dot[1] == '\0' || strlen(s) > 9)
		return (false);
	for (i = 0; s[i] != '\0'; i++) {
		if (s + i != dot && !isdigit((unsigned char)s[i]))
			return (false);
	}
	return (true);
}

/*
 * "A..B" or "A-B" with an optional trailing unit word ("0..255 bytes"); anything else
 * (enumerations, "16-bit", "16-32-48 bytes") gives no range.
 */
static bool
dm_ddf_range(const char *s, double *min, double *max)
{
	char		 first[64], *end;
	const char	*sep, *rest;
	size_t		 len;
	double		 a, b;

	/* strtod would read "0..100" as "0." then ".100": split first. */
	if ((sep = strstr(s, "..")) != NULL)
		rest = sep + 2;
	else if (*s != '\0' && (sep = strchr(s + 1, '-')) != NULL)
		rest = sep + 1;
	else
		return (false);
	len = (size_t)(sep - s);
	if (len == 0 || len >= sizeof first)
		return (false);
	memcpy(first, s, len);
	first[len] = '\0';

	errno = 0;
	a = strtod(first, &end);
	while (*end == ' ')
		end++;
	if (end == first || *end != '\0' || errno != 0 || !isfinite(a))
		return (false);
	while (*rest == ' ')
		rest++;
	b = strtod(rest, &end);
	if (end == rest || errno != 0 || !isfinite(b) || b < a)
		return (false);
	while (*end == ' ')
		end++;
	while (isalpha((unsigned char)*end))
		end++;
	if (*end != '\0')
		return (false);
	*min = a;
	*max = b;
	return (true);
}

static void
dm_ddf_free_pending(struct dm_ddf *ddf)
{
	size_t	i;

	if (ddf->item != NULL) {
		free((char *)ddf->item->name);
		free((char *)ddf->item->units);
		free(ddf->item);
		ddf->item = NULL;
	}
	if (ddf->obj != NULL) {
		ddf->obj->resources = ddf->res;
		ddf->obj->nresources = ddf->nres;
		dm_registry_free_object(ddf->obj);
		ddf->obj = NULL;
		ddf->res = NULL;
		ddf->nres = 0;
	}
	for (i = 0; i < ddf->ndone; i++)
		dm_registry_free_object(ddf->done[i]);
	free(ddf->done);
	ddf->done = NULL;
	ddf->ndone = 0;
}

static void
dm_ddf_start_object(struct dm_ddf *ddf)
{
	ddf->obj = xcalloc(1, sizeof *ddf->obj);
	ddf->res = NULL;
	ddf->nres = 0;
	ddf->obj_line = dm_ddf_line(ddf);
	ddf->have_oid = false;
	ddf->have_multi = false;
}

static void
dm_ddf_start_item(struct dm_ddf *ddf, const XML_Char **attrs)
{
	const char	*id = NULL;
	uint16_t	 rid;
	size_t		 i;

	for (i = 0; attrs[i] != NULL; i += 2) {
		if (strcmp(attrs[i], "ID") == 0)
			id = attrs[i + 1];
	}
	if (id == NULL) {
		dm_ddf_error(ddf, dm_ddf_line(ddf), "resource Item without ID");
		return;
	}
	if (dm_ddf_id(id, &rid) != 0) {
		dm_ddf_error(ddf, dm_ddf_line(ddf), "bad resource ID \"%s\"", id);
		return;
	}
	for (i = 0; i < ddf->nres; i++) {
		if (ddf->res[i].rid == rid) {
			dm_ddf_error(ddf, dm_ddf_line(ddf),
			    "resource %u defined twice", rid);
			return;
		}
	}
	ddf->item = xcalloc(1, sizeof *ddf->item);
	ddf->item->rid = rid;
	ddf->item_line = dm_ddf_line(ddf);
}

static void
dm_ddf_start_cb(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct dm_ddf		*ddf = arg;
	enum dm_ddf_kind	 parent, kind = DM_DDF_SKIP;
	size_t			 i;

	if (ddf->error != NULL)
		return;
	parent = ddf->depth == 0 ? DM_DDF_ROOT : (ddf->depth < DM_DDF_DEPTH ?
	    ddf->kinds[ddf->depth - 1] : DM_DDF_SKIP);
	if (ddf->depth == 0) {
		if (strcmp(name, "LWM2M") != 0) {
			dm_ddf_error(ddf, dm_ddf_line(ddf),
			    "root element is <%s>, not <LWM2M>", name);
			return;
		}
		kind = DM_DDF_ROOT;
	} else if (parent == DM_DDF_ROOT && strcmp(name, "Object") == 0) {
		kind = DM_DDF_OBJECT;
		dm_ddf_start_object(ddf);
	} else if (parent == DM_DDF_OBJECT && strcmp(name, "Resources") == 0)
		kind = DM_DDF_RESOURCES;
	else if (parent == DM_DDF_RESOURCES && strcmp(name, "Item") == 0) {
		kind = DM_DDF_ITEM;
		dm_ddf_start_item(ddf, attrs);
	} else if (parent == DM_DDF_OBJECT || parent == DM_DDF_ITEM) {
		for (i = 0; i < sizeof dm_ddf_fields / sizeof dm_ddf_fields[0]; i++) {
			if (dm_ddf_fields[i].parent == parent &&
			    strcmp(dm_ddf_fields[i].name, name) == 0) {
				kind = DM_DDF_FIELD;
				ddf->field = dm_ddf_fields[i].field;
				ddf->textlen = 0;
				ddf->overflow = false;
				ddf->text_line = dm_ddf_line(ddf);
				break;
			}
		}
	}
	if (ddf->depth < DM_DDF_DEPTH)
		ddf->kinds[ddf->depth] = kind;
	ddf->depth++;
}

static void
dm_ddf_text_cb(void *arg, const XML_Char *s, int len)
{
	struct dm_ddf	*ddf = arg;
	size_t		 n = (size_t)len;

	if (ddf->error != NULL || ddf->field == DM_DDF_F_NONE)
		return;
	if (n > DM_DDF_TEXTMAX - ddf->textlen) {
		ddf->overflow = true;
		return;
	}
	memcpy(ddf->text + ddf->textlen, s, n);
	ddf->textlen += n;
}

/* The collected text, without leading and trailing white space. */
static char *
dm_ddf_trimmed(struct dm_ddf *ddf)
{
	char	*s = ddf->text, *e;

	ddf->text[ddf->textlen] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return (s);
}

static int
dm_ddf_yesno(struct dm_ddf *ddf, const char *s, const char *yes, const char *no,
    bool *v)
{
	if (strcmp(s, yes) == 0)
		*v = true;
	else if (strcmp(s, no) == 0)
		*v = false;
	else {
		dm_ddf_error(ddf, ddf->text_line, "\"%s\" is neither %s nor %s", s,
		    yes, no);
		return (-1);
	}
	return (0);
}

static void
dm_ddf_end_field(struct dm_ddf *ddf)
{
	struct dm_resource	*r = ddf->item;
	char			*s;
	size_t			 i;
	uint16_t		 id;

	if (ddf->overflow) {
		dm_ddf_error(ddf, ddf->text_line, "value longer than %u bytes",
		    DM_DDF_TEXTMAX);
		return;
	}
	s = dm_ddf_trimmed(ddf);
	if (ddf->field >= DM_DDF_F_RES_NAME && r == NULL)
		return;	/* Item without a valid ID: already an error */
	switch (ddf->field) {
	case DM_DDF_F_OBJ_NAME:
		free((char *)ddf->obj->name);
		ddf->obj->name = xstrdup(s);
		break;
	case DM_DDF_F_OBJ_ID:
		if (dm_ddf_id(s, &id) != 0) {
			dm_ddf_error(ddf, ddf->text_line, "bad ObjectID \"%s\"", s);
			return;
		}
		ddf->obj->oid = id;
		ddf->have_oid = true;
		break;
	case DM_DDF_F_OBJ_VERSION:
		if (*s == '\0')
			break;
		if (!dm_ddf_version_ok(s)) {
			dm_ddf_error(ddf, ddf->text_line, "bad ObjectVersion \"%s\"",
			    s);
			return;
		}
		free((char *)ddf->obj->version);
		ddf->obj->version = xstrdup(s);
		break;
	case DM_DDF_F_OBJ_MULTI:
		if (dm_ddf_yesno(ddf, s, "Multiple", "Single",
		    &ddf->obj->multiple) == 0)
			ddf->have_multi = true;
		break;
	case DM_DDF_F_OBJ_MAND:
		dm_ddf_yesno(ddf, s, "Mandatory", "Optional", &ddf->obj->mandatory);
		break;
	case DM_DDF_F_RES_NAME:
		free((char *)r->name);
		r->name = xstrdup(s);
		break;
	case DM_DDF_F_RES_OPS:
		for (i = 0; i < sizeof dm_ddf_ops / sizeof dm_ddf_ops[0]; i++) {
			if (strcmp(dm_ddf_ops[i].name, s) == 0) {
				r->ops = dm_ddf_ops[i].ops;
				return;
			}
		}
		dm_ddf_error(ddf, ddf->text_line, "resource %u: unknown Operations "
		    "\"%s\"", r->rid, s);
		break;
	case DM_DDF_F_RES_MULTI:
		dm_ddf_yesno(ddf, s, "Multiple", "Single", &r->multiple);
		break;
	case DM_DDF_F_RES_MAND:
		dm_ddf_yesno(ddf, s, "Mandatory", "Optional", &r->mandatory);
		break;
	case DM_DDF_F_RES_TYPE:
		for (i = 0; i < sizeof dm_ddf_types / sizeof dm_ddf_types[0]; i++) {
			if (strcmp(dm_ddf_types[i].name, s) == 0) {
				r->type = dm_ddf_types[i].type;
				return;
			}
		}
		dm_ddf_error(ddf, ddf->text_line, "resource %u: unknown Type \"%s\"",
		    r->rid, s);
		break;
	case DM_DDF_F_RES_RANGE:
		r->has_range = dm_ddf_range(s, &r->min, &r->max);
		break;
	case DM_DDF_F_RES_UNITS:
		free((char *)r->units);
		r->units = *s == '\0' ? NULL : xstrdup(s);
		break;
	case DM_DDF_F_NONE:
		break;
	}
}

static void
dm_ddf_end_item(struct dm_ddf *ddf)
{
	struct dm_resource	*r = ddf->item;

	if (r == NULL)
		return;
	if (r->name == NULL) {
		dm_ddf_error(ddf, ddf->item_line, "resource %u has no Name", r->rid);
		return;
	}
	/* Numbers have value ranges; strings and opaque ranges are lengths. */
	if (r->has_range && r->type != LWM2M_TYPE_INTEGER &&
	    r->type != LWM2M_TYPE_UNSIGNED && r->type != LWM2M_TYPE_FLOAT &&
	    r->type != LWM2M_TYPE_TIME && r->type != LWM2M_TYPE_STRING &&
	    r->type != LWM2M_TYPE_OPAQUE)
		r->has_range = false;
	ddf->res = xreallocarray(ddf->res, ddf->nres + 1, sizeof *ddf->res);
	ddf->res[ddf->nres++] = *r;
	free(r);
	ddf->item = NULL;
}

static int
dm_ddf_rescmp(const void *a, const void *b)
{
	const struct dm_resource	*ra = a, *rb = b;

	return ((int)ra->rid - (int)rb->rid);
}

static void
dm_ddf_end_object(struct dm_ddf *ddf)
{
	struct dm_object	*obj = ddf->obj;
	size_t			 i;

	obj->resources = ddf->res;
	obj->nresources = ddf->nres;
	ddf->res = NULL;
	ddf->nres = 0;
	if (!ddf->have_oid)
		dm_ddf_error(ddf, ddf->obj_line, "object without ObjectID");
	else if (obj->name == NULL || *obj->name == '\0')
		dm_ddf_error(ddf, ddf->obj_line, "object %u has no Name", obj->oid);
	else if (!ddf->have_multi)
		dm_ddf_error(ddf, ddf->obj_line, "object %u has no "
		    "MultipleInstances", obj->oid);
	else if (dm_registry_is_builtin(ddf->reg, obj->oid) &&
	    (ddf->flags & DM_LOAD_REPLACE_BUILTIN) == 0)
		dm_ddf_error(ddf, ddf->obj_line, "object %u is built in (replacing "
		    "it is not allowed)", obj->oid);
	for (i = 0; ddf->error == NULL && i < ddf->ndone; i++) {
		if (ddf->done[i]->oid == obj->oid)
			dm_ddf_error(ddf, ddf->obj_line, "object %u defined twice",
			    obj->oid);
	}
	if (ddf->error != NULL) {
		dm_registry_free_object(obj);
		ddf->obj = NULL;
		return;
	}
	if (obj->version == NULL)
		obj->version = xstrdup("1.0");
	if (obj->nresources != 0)
		qsort((struct dm_resource *)obj->resources, obj->nresources,
		    sizeof *obj->resources, dm_ddf_rescmp);
	ddf->done = xreallocarray(ddf->done, ddf->ndone + 1, sizeof *ddf->done);
	ddf->done[ddf->ndone++] = obj;
	ddf->obj = NULL;
}

static void
dm_ddf_end_cb(void *arg, const XML_Char *name)
{
	struct dm_ddf		*ddf = arg;
	enum dm_ddf_kind	 kind;

	if (ddf->error != NULL)
		return;
	ddf->depth--;
	kind = ddf->depth < DM_DDF_DEPTH ? ddf->kinds[ddf->depth] : DM_DDF_SKIP;
	switch (kind) {
	case DM_DDF_FIELD:
		dm_ddf_end_field(ddf);
		ddf->field = DM_DDF_F_NONE;
		break;
	case DM_DDF_ITEM:
		dm_ddf_end_item(ddf);
		break;
	case DM_DDF_OBJECT:
		dm_ddf_end_object(ddf);
		break;
	default:
		break;
	}
}

/* Load one file; the number of objects added or replaced, or -1. */
static int
dm_ddf_load(struct dm_registry *reg, const char *path, int flags, char **cause)
{
	struct dm_ddf	 ddf;
	FILE		*f;
	char		 buf[8192];
	size_t		 n;
	int		 done = 0;
	size_t		 i;

	memset(&ddf, 0, sizeof ddf);
	ddf.file = path;
	ddf.reg = reg;
	ddf.flags = flags;
	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	ddf.parser = XML_ParserCreate(NULL);
	if (ddf.parser == NULL)
		fatalx("XML_ParserCreate failed");
	XML_SetUserData(ddf.parser, &ddf);
	XML_SetElementHandler(ddf.parser, dm_ddf_start_cb, dm_ddf_end_cb);
	XML_SetCharacterDataHandler(ddf.parser, dm_ddf_text_cb);

	while (!done && ddf.error == NULL) {
		n = fread(buf, 1, sizeof buf, f);
		if (ferror(f)) {
			dm_ddf_error(&ddf, dm_ddf_line(&ddf), "read error");
			break;
		}
		done = feof(f);
		if (XML_Parse(ddf.parser, buf, (int)n, done) == XML_STATUS_ERROR &&
		    ddf.error == NULL) {
			dm_ddf_error(&ddf, dm_ddf_line(&ddf), "%s",
			    XML_ErrorString(XML_GetErrorCode(ddf.parser)));
		}
	}
	fclose(f);
	if (ddf.error == NULL && ddf.ndone == 0)
		dm_ddf_error(&ddf, dm_ddf_line(&ddf), "no <Object> in file");
	XML_ParserFree(ddf.parser);
	ddf.parser = NULL;

	if (ddf.error != NULL) {
		dm_ddf_free_pending(&ddf);
		*cause = ddf.error;
		return (-1);
	}
	for (i = 0; i < ddf.ndone; i++)
		dm_registry_put(reg, ddf.done[i]);
	free(ddf.done);
	return ((int)i);
}

int
dm_registry_load_file(struct dm_registry *reg, const char *path, int flags,
    char **cause)
{
	return (dm_ddf_load(reg, path, flags, cause) < 0 ? -1 : 0);
}

static int
dm_ddf_namecmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

int
dm_registry_load_dir(struct dm_registry *reg, const char *dir, int flags,
    size_t *nloaded, char **cause)
{
	DIR		 *d;
	struct dirent	 *de;
	char		**names = NULL, *path, *msg, *all = NULL, *tmp;
	size_t		  nnames = 0, len, i, total = 0;
	int		  n, rc = 0;

	if (nloaded != NULL)
		*nloaded = 0;
	if ((d = opendir(dir)) == NULL) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 4 || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - 4, ".xml") != 0)
			continue;
		names = xreallocarray(names, nnames + 1, sizeof *names);
		names[nnames++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, nnames, sizeof *names, dm_ddf_namecmp);

	for (i = 0; i < nnames; i++) {
		xasprintf(&path, "%s/%s", dir, names[i]);
		n = dm_ddf_load(reg, path, flags, &msg);
		if (n < 0) {
			rc = -1;
			if (all == NULL)
				all = msg;
			else {
				xasprintf(&tmp, "%s\n%s", all, msg);
				free(all);
				free(msg);
				all = tmp;
			}
		} else
			total += (size_t)n;
		free(path);
		free(names[i]);
	}
	free(names);
	if (nloaded != NULL)
		*nloaded = total;
	if (rc != 0)
		*cause = all;
	return (rc);
}
