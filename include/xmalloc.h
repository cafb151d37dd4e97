/* Allocation that cannot fail: on exhaustion the process logs and exits, and the service
 * manager restarts it (CONVENTIONS.md: allocation failure is fatal). */
#ifndef LWGW_XMALLOC_H
#define LWGW_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
void	*xmemdup(const void *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

/* Zero memory that held secrets in a way the compiler cannot elide. */
void	 xexplicit_bzero(void *, size_t);

#endif
