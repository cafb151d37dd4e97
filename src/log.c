#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"

/*
 * Logging is the one place with process-wide state outside lwgwd.c: every module logs, and
 * threading a logger through every call would buy nothing in a single-threaded daemon.
 */
static enum log_target	 log_target = LOG_TARGET_STDERR;
static int		 log_level = LOG_NOTICE;
static int		 log_journal;	/* stderr is the journal: use <N> prefixes */
static log_hook_fn	 log_hook;
static void		*log_hook_arg;

static const char *const log_names[] = {
	"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"
};

/* Is stderr the journal's stream? systemd sets JOURNAL_STREAM to "dev:ino" of it. */
static int
log_stderr_is_journal(void)
{
	const char	*env = getenv("JOURNAL_STREAM");
	unsigned long	 dev, ino;
	struct stat	 st;

	if (env == NULL || sscanf(env, "%lu:%lu", &dev, &ino) != 2)
		return (0);
	if (fstat(STDERR_FILENO, &st) != 0)
		return (0);
	return ((unsigned long)st.st_dev == dev && (unsigned long)st.st_ino == ino);
}

static void
log_event_cb(int severity, const char *msg)
{
	int	pri;

	switch (severity) {
	case EVENT_LOG_DEBUG:
		pri = LOG_DEBUG;
		break;
	case EVENT_LOG_MSG:
		pri = LOG_INFO;
		break;
	case EVENT_LOG_WARN:
		pri = LOG_WARNING;
		break;
	default:
		pri = LOG_ERR;
		break;
	}
	if (LOG_ENABLED(pri))
		log_msg(pri, "libevent: %s", msg);
}

static void
log_event_fatal_cb(int err)
{
	fatalx("libevent: fatal error %d", err);
}

void
log_open(enum log_target target, int level, const char *ident)
{
	log_target = target;
	log_level = level;
	log_journal = log_stderr_is_journal();
	if (target == LOG_TARGET_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	event_set_log_callback(log_event_cb);
	event_set_fatal_callback(log_event_fatal_cb);
}

void
log_close(void)
{
	if (log_target == LOG_TARGET_SYSLOG)
		closelog();
	log_target = LOG_TARGET_STDERR;
}

void
log_set_level(int level)
{
	if (level < LOG_ERR)
		level = LOG_ERR;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	log_level = level;
}

int
log_get_level(void)
{
	return (log_level);
}

void
log_set_hook(log_hook_fn fn, void *arg)
{
	log_hook = fn;
	log_hook_arg = arg;
}

static void
log_line(int pri, const char *line)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 stamp[32];

	if (log_hook != NULL)
		log_hook(pri, line, log_hook_arg);
	if (log_target == LOG_TARGET_SYSLOG) {
		syslog(pri, "%s", line);
		return;
	}
	if (log_journal) {
		fprintf(stderr, "<%d>%s\n", pri, line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld %-7s %s\n", stamp, ts.tv_nsec / 1000000L,
	    log_names[pri & 7], line);
}

void
log_vmsg(int pri, const char *fmt, va_list ap)
{
	char	line[1024];

	if (!LOG_ENABLED(pri))
		return;
	vsnprintf(line, sizeof line, fmt, ap);
	log_line(pri, line);
}

void
log_msg(int pri, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(pri, fmt, ap);
	va_end(ap);
}

void
log_ep(int pri, const char *ep, const char *fmt, ...)
{
	char	msg[1024];
	va_list	ap;

	if (!LOG_ENABLED(pri))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_msg(pri, "%s: %s", ep != NULL ? ep : "-", msg);
}

void
fatal(const char *fmt, ...)
{
	char	msg[1024];
	int	saved = errno;
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_msg(LOG_CRIT, "fatal: %s: %s", msg, strerror(saved));
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	char	msg[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_msg(LOG_CRIT, "fatal: %s", msg);
	exit(1);
}
