/* lwgwd: the gateway daemon. Options, start-up, signals; the work is in the modules. */
#include "config.h"

#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "cfg.h"
#include "ctl.h"
#include "device.h"
#include "log.h"
#include "lwgw.h"
#include "vclient.h"
#include "xmalloc.h"

#define LWGWD_STATUS_INTERVAL	5	/* s between systemd STATUS= updates */

/* The virtual clients' timers, from the lwm2m section. */
static void
lwgwd_params(const struct cfg *cfg, struct vclient_params *vp)
{
	vclient_params_default(vp);
	vp->retry_base_ms = cfg->lwm2m.retry_base_ms;
	vp->retry_cap_ms = cfg->lwm2m.retry_cap_ms;
	vp->retry_attempts = cfg->lwm2m.retry_attempts;
	vp->update_margin_max_s = cfg->lwm2m.update_margin_max_s;
	vp->backend_timeout_ms = cfg->lwm2m.backend_timeout_ms;
	vp->notify_con_interval_s = cfg->lwm2m.notify_con_interval_s;
	vp->store_max = cfg->lwm2m.store_max;
	vp->shutdown_timeout_ms = cfg->lwm2m.shutdown_timeout_ms;
	vp->bootstrap_retry_ms = cfg->lwm2m.bootstrap_retry_ms;
	vp->max_inflight = cfg->lwm2m.max_inflight;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lwgwd [-fnv] [-c file]\n"
	    "  -c, --config FILE  configuration file (default " LWGW_CONFIG_FILE ")\n"
	    "  -f, --foreground   stay in the foreground and log to stderr\n"
	    "  -n, --check        check the configuration, print every problem, exit\n"
	    "  -v, --verbose      log more (repeat for debug)\n"
	    "  -V, --version      print the version and exit\n"
	    "  -h, --help         print this help and exit\n");
}

/*
 * Print every problem of a load, one "FILE:LINE: message" per line; logged, the
 * "FILE:LINE: warning: ..." lines (struct cfg warnings) go at warning level.
 */
static void
lwgwd_report(const char *errors, int to_log)
{
	const char	*p = errors, *nl, *w;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		w = strstr(p, ": warning: ");
		if (to_log && w != NULL && w < nl)
			log_warnx("%.*s", (int)(nl - p), p);
		else if (to_log)
			log_err("%.*s", (int)(nl - p), p);
		else
			fprintf(stderr, "%.*s\n", (int)(nl - p), p);
		p = *nl != '\0' ? nl + 1 : nl;
	}
}

/* The log level: the file's, raised by each -v. */
static int
lwgwd_level(const struct lwgw *gw)
{
	int	level = cfg_log_level(gw->cfg->gateway.log_level) + gw->verbose;

	return (level > LOG_DEBUG ? LOG_DEBUG : level);
}

/*
 * One socket per virtual client: make sure the descriptor limit fits the configured number of
 * simulated devices (other links find theirs at run time), and say so plainly when it cannot.
 */
static void
lwgwd_raise_nofile(const struct cfg *cfg)
{
	struct rlimit	rl;
	rlim_t		want = 64;
	size_t		i;

	for (i = 0; i < cfg->nlinks; i++) {
		if (cfg->links[i].type == CFG_LINK_SIM)
			want += cfg->links[i].devices;
		else
			want += 256;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			log_warnx("cannot raise the descriptor limit to %llu: %s",
			    (unsigned long long)rl.rlim_max, strerror(errno));
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < want)
		log_warnx("descriptor limit %llu is below the %llu this "
		    "configuration needs (one per device): devices beyond it will "
		    "fail to start; raise LimitNOFILE or ulimit -n",
		    (unsigned long long)rl.rlim_cur, (unsigned long long)want);
}

/* The systemd notification socket, when started by systemd (Type=notify). */
static void
lwgwd_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
lwgwd_notify(const char *fmt, ...)
{
#ifdef HAVE_LIBSYSTEMD
	char	buf[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	sd_notify(0, buf);
#else
	(void)fmt;
#endif
}

static void
lwgwd_status_timer(evutil_socket_t fd, short events, void *arg)
{
	struct lwgw	*gw = arg;
	size_t		 counts[VCLIENT_NSTATES], total;

	total = vclient_ctx_counts(gw->vclients, counts);
	lwgwd_notify("STATUS=%zu devices: %zu registered, %zu registering, "
	    "%zu bootstrapping", total, counts[VCLIENT_REGISTERED],
	    counts[VCLIENT_REGISTERING], counts[VCLIENT_BOOTSTRAPPING] +
	    counts[VCLIENT_HOLD_OFF]);
}

/*
 * Read the configuration file again: 0, with *notes (heap, or NULL) naming the keys that
 * changed but take effect at the next restart; or -1, with *notes the problems found (the
 * running configuration stays). Everything is logged too.
 */
int
lwgwd_reload(struct lwgw *gw, char **notes)
{
	struct cfg	*cfg;
	char		*errors, *restart, *p;
	int		 nerrors;

	*notes = NULL;
	log_notice("reloading %s", gw->cfg_file);
	if ((cfg = cfg_load(gw->cfg_file, &errors, &nerrors)) == NULL) {
		lwgwd_report(errors, 1);
		log_err("reload failed with %d problem%s; the running "
		    "configuration stays in force", nerrors, nerrors == 1 ? "" : "s");
		*notes = errors;
		return (-1);
	}
	if ((restart = cfg_restart_needed(gw->cfg, cfg)) != NULL) {
		*notes = xstrdup(restart);
		for (p = strtok(restart, "\n"); p != NULL; p = strtok(NULL, "\n"))
			log_warnx("reload: %s changed; it takes effect at the next "
			    "restart", p);
		free(restart);
	}
	/* Keys that cannot change at run time keep their running values. */
	free(gw->cfg->gateway.log_level);
	gw->cfg->gateway.log_level = xstrdup(cfg->gateway.log_level);
	cfg_free(cfg);
	log_set_level(lwgwd_level(gw));
	log_notice("reloaded %s", gw->cfg_file);
	return (0);
}

/*
 * Without -f: fork, and let the parent wait until the child is running (exit 0) or has
 * failed to start (its exit status), so that whoever started lwgwd learns of a start-up
 * failure, as daemon(3) would not tell. Returns, in the child, the fd to write the
 * ready byte to.
 */
static int
lwgwd_daemonize(void)
{
	int	p[2], st, fd;
	pid_t	pid;
	uint8_t	code;
	ssize_t	n;

	if (pipe2(p, O_CLOEXEC) == -1)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		close(p[0]);
		if (setsid() == -1)
			fatal("setsid");
		if (chdir("/") == -1)
			fatal("chdir");
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			if (fd > STDERR_FILENO)
				close(fd);
		}
		return (p[1]);
	}
	close(p[1]);
	do
		n = read(p[0], &code, 1);
	while (n == -1 && errno == EINTR);
	if (n == 1)
		_exit(code);
	/* The child ended before it was ready: its status is ours. */
	if (waitpid(pid, &st, 0) == pid && WIFEXITED(st)) {
		fprintf(stderr, "lwgwd: could not start (exit %d); see the system log\n",
		    WEXITSTATUS(st));
		_exit(WEXITSTATUS(st));
	}
	fprintf(stderr, "lwgwd: could not start; see the system log\n");
	_exit(LWGW_EXIT_RUNTIME);
}

/* Every vclient de-registered (or the bound passed): leave the loop. */
static void
lwgwd_shutdown_done(void *arg)
{
	struct lwgw	*gw = arg;

	event_base_loopexit(gw->base, NULL);
}

static void
lwgwd_signal_cb(evutil_socket_t sig, short events, void *arg)
{
	struct lwgw	*gw = arg;

	switch (sig) {
	case SIGHUP: {
		char	*notes;

		lwgwd_reload(gw, &notes);	/* logged */
		free(notes);
		break;
	}
	case SIGTERM:
	case SIGINT:
		if (gw->exiting)
			break;
		gw->exiting = true;
		log_notice("received %s, de-registering and stopping",
		    sig == SIGTERM ? "SIGTERM" : "SIGINT");
		lwgwd_notify("STOPPING=1");
		device_mgr_stop(gw->devices);
		vclient_ctx_shutdown(gw->vclients, lwgwd_shutdown_done, gw);
		break;
	}
}

static struct event *
lwgwd_signal(struct lwgw *gw, int sig)
{
	struct event	*ev;

	if ((ev = evsignal_new(gw->base, sig, lwgwd_signal_cb, gw)) == NULL ||
	    evsignal_add(ev, NULL) != 0)
		fatalx("cannot install the handler of signal %d", sig);
	return (ev);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct lwgw	 gw = { .cfg_file = LWGW_CONFIG_FILE };
	struct vclient_params vp;
	struct timeval	 tv = { LWGWD_STATUS_INTERVAL, 0 };
	char		*errors, *cause = NULL;
	int		 ch, check = 0, nerrors, ready_fd = -1, rc;

	while ((ch = getopt_long(argc, argv, "c:fnvVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			gw.cfg_file = optarg;
			break;
		case 'f':
			gw.foreground = true;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			gw.verbose++;
			break;
		case 'V':
			printf("lwgwd %s\n", PACKAGE_VERSION);
			return (LWGW_EXIT_OK);
		case 'h':
			usage(stdout);
			return (LWGW_EXIT_OK);
		default:
			usage(stderr);
			return (LWGW_EXIT_USAGE);
		}
	}
	if (optind != argc) {
		usage(stderr);
		return (LWGW_EXIT_USAGE);
	}

	if ((gw.cfg = cfg_load(gw.cfg_file, &errors, &nerrors)) == NULL) {
		lwgwd_report(errors, 0);
		fprintf(stderr, "lwgwd: %s: %d problem%s found\n", gw.cfg_file,
		    nerrors, nerrors == 1 ? "" : "s");
		free(errors);
		return (LWGW_EXIT_CONFIG);
	}
	if (gw.cfg->warnings != NULL)
		fputs(gw.cfg->warnings, stderr);
	if (check) {
		printf("%s: configuration OK\n", gw.cfg_file);
		cfg_free(gw.cfg);
		return (LWGW_EXIT_OK);
	}

	log_open(gw.foreground ? LOG_TARGET_STDERR : LOG_TARGET_SYSLOG,
	    lwgwd_level(&gw), "lwgwd");
	if (!gw.foreground)
		ready_fd = lwgwd_daemonize();
	signal(SIGPIPE, SIG_IGN);
	if (gw.cfg->warnings != NULL)
		lwgwd_report(gw.cfg->warnings, 1);
	lwgwd_raise_nofile(gw.cfg);

	if ((gw.base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	gw.ev_term = lwgwd_signal(&gw, SIGTERM);
	gw.ev_int = lwgwd_signal(&gw, SIGINT);
	gw.ev_hup = lwgwd_signal(&gw, SIGHUP);
	gw.started = time(NULL);

	lwgwd_params(gw.cfg, &vp);
	if ((gw.vclients = vclient_ctx_create(gw.base, gw.cfg, &vp, &cause)) == NULL ||
	    (gw.ctl = ctl_create(gw.base, gw.cfg->gateway.control_socket,
	    lwgwd_ctl_commands, &gw, &cause)) == NULL ||
	    (gw.devices = device_mgr_create(gw.base, gw.cfg, gw.vclients,
	    &cause)) == NULL) {
		log_err("%s", cause);
		free(cause);
		rc = LWGW_EXIT_RUNTIME;
		goto out;
	}
	gw.ev_status = event_new(gw.base, -1, EV_PERSIST, lwgwd_status_timer, &gw);
	event_add(gw.ev_status, &tv);

	log_notice("lwgwd %s started with %s: %zu link%s, %zu device%s, "
	    "control socket %s", PACKAGE_VERSION, gw.cfg_file, gw.cfg->nlinks,
	    gw.cfg->nlinks == 1 ? "" : "s", device_mgr_count(gw.devices),
	    device_mgr_count(gw.devices) == 1 ? "" : "s",
	    gw.cfg->gateway.control_socket);
	lwgwd_notify("READY=1");
	if (ready_fd != -1) {
		uint8_t	ok = LWGW_EXIT_OK;

		if (write(ready_fd, &ok, 1) != 1)
			log_warnx("cannot tell the parent process we are ready");
		close(ready_fd);
	}
	lwgwd_status_timer(-1, 0, &gw);
	if (event_base_dispatch(gw.base) == -1)
		fatalx("event loop failed");
	log_notice("stopped");
	rc = LWGW_EXIT_OK;

out:
	/* Everything released, a start that failed included (leak checkers see it). */
	ctl_free(gw.ctl);
	device_mgr_free(gw.devices);
	vclient_ctx_free(gw.vclients);
	if (gw.ev_status != NULL)
		event_free(gw.ev_status);
	event_free(gw.ev_term);
	event_free(gw.ev_int);
	event_free(gw.ev_hup);
	event_base_free(gw.base);
	cfg_free(gw.cfg);
	log_close();
	return (rc);
}
