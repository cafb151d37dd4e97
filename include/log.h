/* Logging: levels are syslog's priorities (LOG_ERR .. LOG_DEBUG). In the foreground lines go
 * to stderr, with "<N>" priority prefixes when stderr is connected to the journal; otherwise
 * to syslog. Lines that concern a virtual client carry its endpoint name (log_ep).
 * Key material is never passed to these functions. */
#ifndef LWGW_LOG_H
#define LWGW_LOG_H

#include <stdarg.h>
#include <syslog.h>

enum log_target {
	LOG_TARGET_STDERR,
	LOG_TARGET_SYSLOG,
};

/* Receives every line that passes the level filter, already formatted (tests). */
typedef void (*log_hook_fn)(int pri, const char *line, void *arg);

void	 log_open(enum log_target, int level, const char *ident);
void	 log_close(void);
void	 log_set_level(int);
int	 log_get_level(void);
void	 log_set_hook(log_hook_fn, void *);

void	 log_msg(int pri, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 log_vmsg(int pri, const char *fmt, va_list)
	    __attribute__((format(printf, 2, 0)));
/* A line about one virtual client: "EP: message". */
void	 log_ep(int pri, const char *ep, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Log, then exit(1). fatal() appends strerror(errno). */
void	 fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* The level test happens before the arguments are evaluated. */
#define LOG_ENABLED(pri)	((pri) <= log_get_level())
#define log_err(...)		log_msg(LOG_ERR, __VA_ARGS__)
#define log_warnx(...)		log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)		log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)		do { if (LOG_ENABLED(LOG_INFO)) \
	log_msg(LOG_INFO, __VA_ARGS__); } while (0)
#define log_debug(...)		do { if (LOG_ENABLED(LOG_DEBUG)) \
	log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)
#define log_ep_info(ep, ...)	do { if (LOG_ENABLED(LOG_INFO)) \
	log_ep(LOG_INFO, ep, __VA_ARGS__); } while (0)
#define log_ep_debug(ep, ...)	do { if (LOG_ENABLED(LOG_DEBUG)) \
	log_ep(LOG_DEBUG, ep, __VA_ARGS__); } while (0)

#endif
