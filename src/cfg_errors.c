/*
 * The problems of a configuration file: collected, never returned one at a time (the
 * operator fixes a file in one go), then reported sorted by line as FILE:LINE: message,
 * errors and warnings apart.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "cfg_keys.h"
#include "xmalloc.h"

static void
cfg_add(struct cfg_errors *e, bool warning, const config_setting_t *s, int line,
    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

void
cfg_error(struct cfg_errors *e, const config_setting_t *s, int line,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	cfg_add(e, false, s, line, fmt, ap);
	va_end(ap);
}

void
cfg_warning(struct cfg_errors *e, const config_setting_t *s, int line,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	cfg_add(e, true, s, line, fmt, ap);
	va_end(ap);
}

static void
cfg_add(struct cfg_errors *e, bool warning, const config_setting_t *s, int line,
    const char *fmt, va_list ap)
{
	const char		*file = e->file;
	struct cfg_problem	*p;
	char			*msg;

	if (s != NULL) {
		if (config_setting_source_file(s) != NULL)
			file = config_setting_source_file(s);
		line = config_setting_source_line(s);
	}
	xvasprintf(&msg, fmt, ap);
	e->v = xreallocarray(e->v, e->len + 1, sizeof *e->v);
	p = &e->v[e->len++];
	p->line = line;
	p->warning = warning;
	if (line > 0)
		xasprintf(&p->text, "%s:%d: %s%s\n", file, line,
		    warning ? "warning: " : "", msg);
	else
		xasprintf(&p->text, "%s: %s%s\n", file, warning ? "warning: " : "",
		    msg);
	free(msg);
	if (!warning)
		e->n++;
}

/* The errors (or the warnings) as one string, in line order; NULL if none. */
char *
cfg_problems(struct cfg_errors *e, bool warnings)
{
	struct cfg_problem	 tmp;
	char			*out = NULL;
	size_t			 i, j, len = 0, n;

	/* Insertion sort: stable, and the lists are short. */
	for (i = 1; i < e->len; i++) {
		tmp = e->v[i];
		for (j = i; j > 0 && e->v[j - 1].line > tmp.line; j--)
			e->v[j] = e->v[j - 1];
		e->v[j] = tmp;
	}
	for (i = 0; i < e->len; i++) {
		if (e->v[i].warning != warnings)
			continue;
		n = strlen(e->v[i].text);
		out = xrealloc(out, len + n + 1);
		memcpy(out + len, e->v[i].text, n + 1);
		len += n;
	}
	return (out);
}

void
cfg_errors_free(struct cfg_errors *e)
{
	size_t	i;

	for (i = 0; i < e->len; i++)
		free(e->v[i].text);
	free(e->v);
}

