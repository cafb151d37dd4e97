/*
 * vclient_harness: the LwM2M layer without the south side, for end-to-end tests and the
 * registration benchmark. Loads a configuration, creates N virtual clients with a fake
 * temperature sensor (/3303/0), pushes a changing reading every -r milliseconds, prints
 * "vclient EP port PORT" for each, and on SIGTERM/SIGINT de-registers everything
 * (vclient_ctx_shutdown) and exits.
 *
 * The fake sensor answers Writes later (VCLIENT_PENDING, 50 ms) unless the value is the
 * string "fail" (4.00) or "never" (no answer: the server gets 5.04); Executes at once.
 *
 * -b: benchmark mode: print the time until every vclient is registered and the resident
 * memory per vclient, then shut down.
 */
#include "config.h"

#include <sys/resource.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "cfg.h"
#include "log.h"
#include "vclient.h"
#include "xmalloc.h"

struct harness {
	struct event_base	*base;
	struct vclient_ctx	*ctx;
	struct vclient		**vcs;
	size_t			 n;
	unsigned		 tick;
	bool			 bench;
	bool			 stopping;
	uint64_t		 t0;
	long			 rss0;
	struct event		*ev_read;
	struct event		*ev_bench;
	uint32_t		 read_ms;
};

struct answer {
	struct harness	*h;
	struct vclient	*vc;
	uint64_t	 cookie;
};

static uint64_t
harness_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static long
harness_rss_kb(void)
{
	FILE	*f = fopen("/proc/self/status", "r");
	char	 line[256];
	long	 kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	}
	fclose(f);
	return kb;
}

static void
harness_answer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct answer	*a = arg;

	(void)fd;
	(void)events;
	if (!a->h->stopping)
		vclient_backend_done(a->vc, a->cookie, 0);
	free(a);
}

static struct harness	*harness_global;	/* for the sensor hooks only */

/* The hooks' argument is the vclient's slot in h->vcs. */
static struct vclient *
harness_vc(void *arg)
{
	return *(struct vclient **)arg;
}

static int
harness_write(void *arg, uint64_t cookie, const struct lwm2m_path *p,
    const struct lwm2m_value *v)
{
	struct answer	*a;
	struct timeval	 tv = { 0, 50000 };

	(void)p;
	if (v->type == LWM2M_TYPE_STRING && v->v.bytes.len == 4 &&
	    memcmp(v->v.bytes.ptr, "fail", 4) == 0)
		return LWM2M_ERR_BAD_REQUEST;
	if (v->type == LWM2M_TYPE_STRING && v->v.bytes.len == 5 &&
	    memcmp(v->v.bytes.ptr, "never", 5) == 0)
		return VCLIENT_PENDING;
	a = xcalloc(1, sizeof *a);
	a->h = harness_global;
	a->vc = harness_vc(arg);
	a->cookie = cookie;
	event_base_once(harness_global->base, -1, EV_TIMEOUT, harness_answer_cb, a, &tv);
	return VCLIENT_PENDING;
}

static int
harness_execute(void *arg, uint64_t cookie, const struct lwm2m_path *p,
    const uint8_t *args, size_t len)
{
	(void)arg;
	(void)cookie;
	(void)p;
	(void)args;
	(void)len;
	return 0;
}

static const struct vclient_sensor_ops harness_ops = {
	.write = harness_write,
	.execute = harness_execute,
};

static void
harness_read_timer(evutil_socket_t fd, short events, void *arg)
{
	struct harness		*h = arg;
	struct lwm2m_value	 v = { .type = LWM2M_TYPE_FLOAT };
	size_t			 i;

	(void)fd;
	(void)events;
	h->tick++;
	v.v.f = 20.0 + (double)(h->tick % 10) / 2;
	for (i = 0; i < h->n; i++) {
		if (h->vcs[i] != NULL)
			vclient_reading(h->vcs[i], &LWM2M_PATH_RES(3303, 0, 5700), &v);
	}
}

static void
harness_done(void *arg)
{
	struct harness	*h = arg;

	event_base_loopexit(h->base, NULL);
}

static void
harness_stop(struct harness *h)
{
	if (h->stopping)
		return;
	h->stopping = true;
	if (h->ev_read != NULL)
		event_del(h->ev_read);
	vclient_ctx_shutdown(h->ctx, harness_done, h);
}

static void
harness_bench_timer(evutil_socket_t fd, short events, void *arg)
{
	struct harness	*h = arg;
	size_t		 counts[VCLIENT_NSTATES];
	long		 rss;
	uint64_t	 ms;

	(void)fd;
	(void)events;
	vclient_ctx_counts(h->ctx, counts);
	if (counts[VCLIENT_REGISTERED] < h->n)
		return;
	ms = harness_now() - h->t0;
	rss = harness_rss_kb();
	printf("registered %zu vclients in %llu ms (%.0f/s); RSS %ld KiB, %.1f KiB per "
	    "vclient above the empty process\n", h->n, (unsigned long long)ms,
	    ms > 0 ? (double)h->n * 1000 / (double)ms : 0.0, rss,
	    (double)(rss - h->rss0) / (double)h->n);
	fflush(stdout);
	event_del(h->ev_bench);
	harness_stop(h);
}

static void
harness_signal_cb(evutil_socket_t sig, short events, void *arg)
{
	(void)sig;
	(void)events;
	harness_stop(arg);
}

static void
usage(void)
{
	fprintf(stderr, "usage: vclient_harness -c conf [-n count] [-e prefix] "
	    "[-r read_ms] [-b] [-v]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct harness		 h;
	struct vclient_params	 params;
	struct vclient_desc	 d;
	struct vclient_object	 obj;
	struct rlimit		 rl;
	struct cfg		*cfg;
	struct event		*sigterm, *sigint;
	const char		*conf = NULL, *prefix = "hv";
	char			*errors = NULL, *cause = NULL, ep[128];
	static const uint16_t	 iids[] = { 0 };
	struct timeval		 tv;
	int			 ch, nerrors, verbose = 0;
	size_t			 i;

	memset(&h, 0, sizeof h);
	h.n = 1;
	h.read_ms = 1000;
	while ((ch = getopt(argc, argv, "bc:e:n:r:v")) != -1) {
		switch (ch) {
		case 'b':
			h.bench = true;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'e':
			prefix = optarg;
			break;
		case 'n':
			h.n = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			h.read_ms = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (conf == NULL || h.n == 0)
		usage();
	if ((cfg = cfg_load(conf, &errors, &nerrors)) == NULL) {
		fprintf(stderr, "%s", errors);
		return 1;
	}
	log_open(LOG_TARGET_STDERR, verbose > 1 ? LOG_DEBUG : verbose ? LOG_INFO :
	    cfg_log_level(cfg->gateway.log_level), "vclient_harness");
	signal(SIGPIPE, SIG_IGN);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	h.base = event_base_new();
	harness_global = &h;
	vclient_params_default(&params);
	if (getenv("HARNESS_RETRY_MS") != NULL)
		params.retry_base_ms = (uint32_t)strtoul(getenv("HARNESS_RETRY_MS"),
		    NULL, 10);
	if (getenv("HARNESS_BACKEND_TIMEOUT_MS") != NULL)
		params.backend_timeout_ms = (uint32_t)strtoul(
		    getenv("HARNESS_BACKEND_TIMEOUT_MS"), NULL, 10);
	if ((h.ctx = vclient_ctx_create(h.base, cfg, &params, &cause)) == NULL)
		fatalx("%s", cause);
	sigterm = evsignal_new(h.base, SIGTERM, harness_signal_cb, &h);
	sigint = evsignal_new(h.base, SIGINT, harness_signal_cb, &h);
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);

	h.rss0 = harness_rss_kb();
	h.t0 = harness_now();
	h.vcs = xcalloc(h.n, sizeof *h.vcs);
	obj.oid = 3303;
	obj.iids = iids;
	obj.niids = 1;
	for (i = 0; i < h.n; i++) {
		snprintf(ep, sizeof ep, "%s-%zu", prefix, i);
		memset(&d, 0, sizeof d);
		d.endpoint = ep;
		d.objects = &obj;
		d.nobjects = 1;
		d.manufacturer = "lwgw";
		d.model = "harness";
		d.serial = ep;
		d.firmware = "1.0";
		d.ops = &harness_ops;
		d.ops_arg = &h.vcs[i];
		h.vcs[i] = vclient_create(h.ctx, &d, &cause);
		if (h.vcs[i] == NULL) {
			log_warnx("%s", cause);
			free(cause);
			continue;
		}
		if (!h.bench)
			printf("vclient %s port %u\n", ep, vclient_port(h.vcs[i]));
	}
	fflush(stdout);
	if (h.read_ms > 0) {
		h.ev_read = event_new(h.base, -1, EV_PERSIST, harness_read_timer, &h);
		tv.tv_sec = h.read_ms / 1000;
		tv.tv_usec = (h.read_ms % 1000) * 1000;
		event_add(h.ev_read, &tv);
	}
	if (h.bench) {
		h.ev_bench = event_new(h.base, -1, EV_PERSIST, harness_bench_timer, &h);
		tv.tv_sec = 0;
		tv.tv_usec = 10000;
		event_add(h.ev_bench, &tv);
	}
	event_base_dispatch(h.base);

	if (h.ev_read != NULL)
		event_free(h.ev_read);
	if (h.ev_bench != NULL)
		event_free(h.ev_bench);
	event_free(sigterm);
	event_free(sigint);
	vclient_ctx_free(h.ctx);
	free(h.vcs);
	event_base_free(h.base);
	cfg_free(cfg);
	log_close();
	return 0;
}
