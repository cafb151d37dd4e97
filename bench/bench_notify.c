/*
 * Notify throughput and reading → Notify latency of the LwM2M layer, in one process: N
 * vclients register with a fake server on loopback (tests/unit/vclient_test.c), the server
 * observes /3303/0/5700 of each (no attributes: every change notifies), then R rounds of
 * one changed reading per vclient. Prints notifications per second (reading to datagram
 * received by the server) and the latency of single readings.
 *
 * usage: bench_notify [N [R]]   (default 1000 vclients, 20 rounds)
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"
#include "vclient.h"
#include "../tests/unit/vclient_test.h"
#include "xmalloc.h"

static uint64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int
main(int argc, char **argv)
{
	static const uint16_t	 iids[] = { 0 };
	struct vclient_object	 obj = { 3303, iids, 1 };
	struct vclient_params	 p;
	struct vclient_desc	 d;
	struct vt_server	 srv;
	struct vt_msg		 m;
	struct vt_send		 s;
	struct event_base	*base;
	struct cfg		*cfg;
	struct vclient_ctx	*ctx;
	struct vclient		**vcs;
	struct lwm2m_value	 v = { .type = LWM2M_TYPE_FLOAT };
	struct rlimit		 rl;
	char			 ep[32], *cause = NULL;
	uint8_t			 tok[2];
	size_t			 n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	size_t			 rounds = argc > 2 ? strtoul(argv[2], NULL, 10) : 20;
	size_t			 i, r, got, registered = 0;
	uint64_t		 t0, t1, lat = 0, lmax = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	log_open(LOG_TARGET_STDERR, LOG_ERR, "bench_notify");
	base = event_base_new();
	if (vt_server_open(&srv) != 0)
		fatal("server socket");
	/* One socket receives every notification: make room for a round of them. */
	{
		int	sz = 64 * 1024 * 1024;

		if (setsockopt(srv.fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) != 0)
			setsockopt(srv.fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	}
	cfg = vt_cfg(1, &srv.port, 3600);
	vt_params(&p);
	if ((ctx = vclient_ctx_create(base, cfg, &p, &cause)) == NULL)
		fatalx("%s", cause);
	vcs = xcalloc(n, sizeof *vcs);
	v.v.f = 20;
	for (i = 0; i < n; i++) {
		snprintf(ep, sizeof ep, "bn-%zu", i);
		memset(&d, 0, sizeof d);
		d.endpoint = ep;
		d.objects = &obj;
		d.nobjects = 1;
		if ((vcs[i] = vclient_create(ctx, &d, &cause)) == NULL)
			fatalx("%s", cause);
		vclient_reading(vcs[i], &LWM2M_PATH_RES(3303, 0, 5700), &v);
	}
	/* Answer every Register (retransmissions too) until all are registered. */
	for (;;) {
		size_t	counts[VCLIENT_NSTATES];

		event_base_loop(base, EVLOOP_NONBLOCK);
		vclient_ctx_counts(ctx, counts);
		registered = counts[VCLIENT_REGISTERED];
		if (registered == n || !vt_recv(&srv, base, 3000, &m, true))
			break;
		if (m.code == 2)
			vt_reply(&srv, &m, 65, "rd/x");
	}
	if (registered < n)
		fatalx("only %zu of %zu registered", registered, n);
	vt_run(base, 100);
	while (vt_recv(&srv, base, 50, &m, true))
		;
	for (i = 0; i < n; i++) {
		vt_send_init(&s);
		s.code = 1;
		s.path = "3303/0/5700";
		tok[0] = (uint8_t)(i >> 8);
		tok[1] = (uint8_t)i;
		s.token = tok;
		s.tkl = 2;
		s.observe = 0;
		if (!vt_request(&srv, base, vclient_port(vcs[i]), &s, &m) || m.code != 69)
			fatalx("observe %zu failed", i);
	}

	/* Throughput: every vclient's reading changes, all notifications received. */
	got = 0;
	t0 = now_us();
	for (r = 0; r < rounds; r++) {
		v.v.f = 21 + (double)r;
		for (i = 0; i < n; i++)
			vclient_reading(vcs[i], &LWM2M_PATH_RES(3303, 0, 5700), &v);
		while (got < (r + 1) * n && vt_recv(&srv, base, 1000, &m, true)) {
			if (m.code == 69)
				got++;
		}
	}
	t1 = now_us();
	printf("%zu vclients, %zu rounds: %zu of %zu notifications in %.1f ms: %.0f "
	    "notifications/s\n", n, rounds, got, n * rounds, (double)(t1 - t0) / 1000,
	    (double)got * 1e6 / (double)(t1 - t0));

	/* Latency: one reading at a time, until its notification is received. */
	for (r = 0; r < 200; r++) {
		v.v.f = 100 + (double)r;
		t0 = now_us();
		vclient_reading(vcs[r % n], &LWM2M_PATH_RES(3303, 0, 5700), &v);
		if (!vt_recv(&srv, base, 1000, &m, true))
			fatalx("no notification");
		t1 = now_us() - t0;
		lat += t1;
		if (t1 > lmax)
			lmax = t1;
	}
	printf("reading -> notification received: mean %.1f us, max %llu us (200 "
	    "samples, loopback)\n", (double)lat / 200, (unsigned long long)lmax);

	vclient_ctx_free(ctx);
	vt_cfg_free(cfg);
	vt_server_close(&srv);
	event_base_free(base);
	free(vcs);
	return 0;
}
