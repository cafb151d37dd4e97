/*
 * Host names of server URIs (resolve.c, lwgw issue 6): the cache with a fake backend and
 * clock (one query per name shared by every waiter, answers and failures kept for their
 * TTL, families apart, cancel, answers never delivered inside a lookup), then evdns itself
 * against a DNS responder on 127.0.0.1 named by a resolv.conf of the test's own
 * ("nameserver 127.0.0.1:PORT") and a hosts file.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "cfg.h"
#include "log.h"
#include "udp.h"
#include "../../src/lwm2m/vclient_int.h"
#include "xmalloc.h"

/* ------------------------------------------------------------------ fake backend */

struct fake {
	struct resolve		*r;
	uint64_t		 now;
	int			 queries;
	int			 cancels;
	struct resolve_entry	*last;
	char			 last_name[64];
	int			 last_family;
	/* Answer inside query with this address (sync), when set. */
	const char		*sync_addr;
};

static int	handle_token;

static void
fake_sockaddr(const char *a, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	if (strchr(a, ':') != NULL) {
		struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(53);
		ck_assert_int_eq(inet_pton(AF_INET6, a, &s6->sin6_addr), 1);
		*len = sizeof *s6;
	} else {
		struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(53);
		ck_assert_int_eq(inet_pton(AF_INET, a, &s4->sin_addr), 1);
		*len = sizeof *s4;
	}
}

static void *
fake_query(void *arg, struct resolve *r, struct resolve_entry *re, const char *name,
    int family)
{
	struct fake		*f = arg;
	struct sockaddr_storage	 ss;
	socklen_t		 len;

	f->queries++;
	f->last = re;
	snprintf(f->last_name, sizeof f->last_name, "%s", name);
	f->last_family = family;
	if (f->sync_addr != NULL) {
		fake_sockaddr(f->sync_addr, &ss, &len);
		resolve_answer(r, re, (struct sockaddr *)&ss, len, NULL);
		return NULL;
	}
	return &handle_token;
}

static void
fake_cancel(void *arg, void *handle)
{
	struct fake	*f = arg;

	ck_assert_ptr_eq(handle, &handle_token);
	f->cancels++;
}

static uint64_t
fake_now(void *arg)
{
	struct fake	*f = arg;

	return f->now;
}

static const struct resolve_ops fake_ops = {
	.query = fake_query,
	.cancel = fake_cancel,
	.now_ms = fake_now,
};

static void
fake_answer(struct fake *f, const char *addr, const char *error)
{
	struct sockaddr_storage	ss;
	socklen_t		len = 0;

	if (addr != NULL)
		fake_sockaddr(addr, &ss, &len);
	resolve_answer(f->r, f->last, addr != NULL ? (struct sockaddr *)&ss : NULL, len,
	    error);
}

/* A waiter that records what it was told. */
struct waiter {
	struct resolve_wait	 w;
	int			 calls;
	char			 addr[64];
	char			 error[256];
};

static void
waiter_done(void *arg, const struct sockaddr_storage *ss, socklen_t len,
    const char *error)
{
	struct waiter	*wt = arg;

	wt->calls++;
	if (error != NULL) {
		snprintf(wt->error, sizeof wt->error, "%s", error);
		wt->addr[0] = '\0';
	} else
		udp_addr_str((const struct sockaddr *)ss, len, wt->addr, sizeof wt->addr);
}

static void
waiter_init(struct waiter *wt)
{
	memset(wt, 0, sizeof *wt);
	wt->w.done = waiter_done;
	wt->w.arg = wt;
}

static struct event_base	*base;
static struct fake		 fk;

static void
fake_setup(uint32_t ttl, uint32_t negative)
{
	struct resolve_params	rp = { .ttl_s = ttl, .negative_ttl_s = negative };

	base = event_base_new();
	memset(&fk, 0, sizeof fk);
	fk.now = 1000000;
	fk.r = resolve_create(base, &rp, &fake_ops, &fk);
}

static void
fake_teardown(void)
{
	resolve_free(fk.r);
	event_base_free(base);
}

static int
lookup(const char *name, int family, struct waiter *wt, char *addr, size_t len,
    char **cause)
{
	struct sockaddr_storage	ss;
	socklen_t		sslen = 0;
	int			rc;

	rc = resolve_lookup(fk.r, name, family, &wt->w, &ss, &sslen, cause);
	if (rc == 0 && addr != NULL)
		udp_addr_str((struct sockaddr *)&ss, sslen, addr, len);
	return rc;
}

/* Issue 6: N waiters for one name, one query; all continue on its answer. */
START_TEST(one_query_for_many)
{
	struct waiter	wt[20], late;
	char		addr[64], *cause = NULL;
	size_t		i;

	fake_setup(300, 30);
	for (i = 0; i < 20; i++) {
		waiter_init(&wt[i]);
		/* Names are case-insensitive. */
		ck_assert_int_eq(lookup(i % 2 ? "LwM2M.Example.COM" : "lwm2m.example.com",
		    AF_INET, &wt[i], NULL, 0, &cause), 1);
	}
	ck_assert_int_eq(fk.queries, 1);
	ck_assert_str_eq(fk.last_name, "lwm2m.example.com");
	ck_assert_int_eq(fk.last_family, AF_INET);
	/* Asking again while waiting changes nothing. */
	ck_assert_int_eq(lookup("lwm2m.example.com", AF_INET, &wt[3], NULL, 0, &cause), 1);
	ck_assert_int_eq(fk.queries, 1);
	fake_answer(&fk, "192.0.2.10", NULL);
	/* Never from inside the answer: from the loop. */
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(wt[i].calls, 0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(wt[i].calls, 1);
		/* The port of the answer is dropped: the URI has its own. */
		ck_assert_str_eq(wt[i].addr, "192.0.2.10:0");
	}
	/* Fresh: answered at once, no query, no callback. */
	waiter_init(&late);
	ck_assert_int_eq(lookup("lwm2m.example.com", AF_INET, &late, addr, sizeof addr,
	    &cause), 0);
	ck_assert_str_eq(addr, "192.0.2.10:0");
	ck_assert_int_eq(fk.queries, 1);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(late.calls, 0);
	ck_assert_uint_eq(resolve_queries(fk.r), 1);
	fake_teardown();
}
END_TEST

/* An answer is used for ttl_s, then asked again (a server that moved is found). */
START_TEST(answer_expires)
{
	struct waiter	wt;
	char		addr[64], *cause = NULL;

	fake_setup(300, 30);
	waiter_init(&wt);
	ck_assert_int_eq(lookup("srv.test", AF_INET, &wt, NULL, 0, &cause), 1);
	fake_answer(&fk, "192.0.2.1", NULL);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(wt.calls, 1);
	fk.now += 299999;
	ck_assert_int_eq(lookup("srv.test", AF_INET, &wt, addr, sizeof addr, &cause), 0);
	ck_assert_int_eq(fk.queries, 1);
	fk.now += 1;
	ck_assert_int_eq(lookup("srv.test", AF_INET, &wt, NULL, 0, &cause), 1);
	ck_assert_int_eq(fk.queries, 2);
	fake_answer(&fk, "192.0.2.2", NULL);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(wt.calls, 2);
	ck_assert_str_eq(wt.addr, "192.0.2.2:0");
	ck_assert_int_eq(lookup("srv.test", AF_INET, &wt, addr, sizeof addr, &cause), 0);
	ck_assert_str_eq(addr, "192.0.2.2:0");
	fake_teardown();
}
END_TEST

/* A failure reaches every waiter, is kept negative_ttl_s (no query per retry), then
 * the name is asked again and may resolve by then. */
START_TEST(failure_kept_then_retried)
{
	struct waiter	a, b;
	char		addr[64], *cause = NULL;

	fake_setup(300, 30);
	waiter_init(&a);
	waiter_init(&b);
	ck_assert_int_eq(lookup("nx.test", AF_INET, &a, NULL, 0, &cause), 1);
	ck_assert_int_eq(lookup("nx.test", AF_INET, &b, NULL, 0, &cause), 1);
	fake_answer(&fk, NULL, "NXDOMAIN-like");
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(b.calls, 1);
	ck_assert_str_eq(a.error, "NXDOMAIN-like");
	fk.now += 29999;
	ck_assert_int_eq(lookup("nx.test", AF_INET, &a, NULL, 0, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "nx.test"));
	ck_assert_ptr_nonnull(strstr(cause, "NXDOMAIN-like"));
	ck_assert_ptr_nonnull(strstr(cause, "IPv4"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(fk.queries, 1);
	fk.now += 1;
	ck_assert_int_eq(lookup("nx.test", AF_INET, &a, NULL, 0, &cause), 1);
	ck_assert_int_eq(fk.queries, 2);
	fake_answer(&fk, "192.0.2.3", NULL);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(a.calls, 2);
	ck_assert_str_eq(a.addr, "192.0.2.3:0");
	ck_assert_int_eq(lookup("nx.test", AF_INET, &b, addr, sizeof addr, &cause), 0);
	fake_teardown();
}
END_TEST

/* Families are asked apart; an answer of the other family is no answer. */
START_TEST(families_apart)
{
	struct waiter	a, b;
	char		*cause = NULL;

	fake_setup(300, 30);
	waiter_init(&a);
	waiter_init(&b);
	ck_assert_int_eq(lookup("srv.test", AF_INET, &a, NULL, 0, &cause), 1);
	fake_answer(&fk, "2001:db8::1", NULL);
	ck_assert_int_eq(lookup("srv.test", AF_INET6, &b, NULL, 0, &cause), 1);
	ck_assert_int_eq(fk.queries, 2);
	ck_assert_int_eq(fk.last_family, AF_INET6);
	fake_answer(&fk, "2001:db8::1", NULL);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_ptr_nonnull(strstr(a.error, "no address"));
	ck_assert_int_eq(b.calls, 1);
	ck_assert_str_eq(b.addr, "[2001:db8::1]:0");
	ck_assert_uint_eq(resolve_entries(fk.r), 2);
	fake_teardown();
}
END_TEST

/* A cancelled waiter is not called; the others are; the query of a name nobody waits
 * for any more is cancelled. A backend that answers inside the query still reaches the
 * waiter from the loop only. */
START_TEST(cancel_and_sync_answer)
{
	struct waiter	a, b, c;
	char		*cause = NULL;

	fake_setup(300, 30);
	waiter_init(&a);
	waiter_init(&b);
	waiter_init(&c);
	ck_assert_int_eq(lookup("srv.test", AF_INET, &a, NULL, 0, &cause), 1);
	ck_assert_int_eq(lookup("srv.test", AF_INET, &b, NULL, 0, &cause), 1);
	resolve_cancel(&a.w);
	resolve_cancel(&a.w);	/* twice is harmless */
	fake_answer(&fk, "192.0.2.4", NULL);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(a.calls, 0);
	ck_assert_int_eq(b.calls, 1);

	/* The last waiter gone, the query goes too; the next lookup asks again. */
	ck_assert_int_eq(lookup("gone.test", AF_INET, &a, NULL, 0, &cause), 1);
	ck_assert_int_eq(fk.queries, 2);
	resolve_cancel(&a.w);
	ck_assert_int_eq(fk.cancels, 1);
	ck_assert_int_eq(lookup("gone.test", AF_INET, &a, NULL, 0, &cause), 1);
	ck_assert_int_eq(fk.queries, 3);
	fake_answer(&fk, "192.0.2.8", NULL);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_str_eq(a.addr, "192.0.2.8:0");

	fk.sync_addr = "192.0.2.5";
	ck_assert_int_eq(lookup("hosts.test", AF_INET, &c, NULL, 0, &cause), 1);
	ck_assert_int_eq(c.calls, 0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(c.calls, 1);
	ck_assert_str_eq(c.addr, "192.0.2.5:0");
	fake_teardown();
}
END_TEST

/* Freeing with a query in flight cancels it and calls nobody. */
START_TEST(free_cancels)
{
	struct waiter	a;
	char		*cause = NULL;

	fake_setup(300, 30);
	waiter_init(&a);
	ck_assert_int_eq(lookup("srv.test", AF_INET, &a, NULL, 0, &cause), 1);
	resolve_free(fk.r);
	ck_assert_int_eq(fk.cancels, 1);
	ck_assert_ptr_null(a.w.re);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(a.calls, 0);
	event_base_free(base);
}
END_TEST

/* Idle entries are bounded: many names do not grow the cache without limit. */
START_TEST(idle_entries_bounded)
{
	struct waiter	a;
	char		name[32], *cause = NULL;
	int		i;

	fake_setup(300, 30);
	waiter_init(&a);
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "n%d.test", i);
		ck_assert_int_eq(lookup(name, AF_INET, &a, NULL, 0, &cause), 1);
		fake_answer(&fk, "192.0.2.6", NULL);
		event_base_loop(base, EVLOOP_NONBLOCK);
		fk.now++;
	}
	ck_assert_int_eq(a.calls, 1000);
	ck_assert_uint_le(resolve_entries(fk.r), 256);
	fake_teardown();
}
END_TEST

/* ------------------------------------------------------------------ evdns */

/* A DNS responder: A records for ok.test, NXDOMAIN for nx.test, silence otherwise. */
struct responder {
	int			 fd;
	uint16_t		 port;
	struct event		*ev;
	int			 ok, nx, quiet;
};

static void
responder_cb(evutil_socket_t fd, short events, void *arg)
{
	struct responder	*rs = arg;
	struct sockaddr_storage	 from;
	socklen_t		 fromlen = sizeof from;
	uint8_t			 q[512], a[600];
	char			 name[256];
	size_t			 off = 12, nlen = 0, qend;
	ssize_t			 n;

	(void)events;
	n = recvfrom(fd, q, sizeof q, 0, (struct sockaddr *)&from, &fromlen);
	if (n < 12)
		return;
	while (off < (size_t)n && q[off] != 0 && nlen + q[off] + 1 < sizeof name) {
		if (nlen > 0)
			name[nlen++] = '.';
		memcpy(name + nlen, q + off + 1, q[off]);
		nlen += q[off];
		off += q[off] + 1;
	}
	name[nlen] = '\0';
	qend = off + 1 + 4;
	if (qend > (size_t)n)
		return;
	memcpy(a, q, qend);
	a[2] = 0x81;			/* QR, RD */
	a[3] = 0x80;			/* RA, NOERROR */
	a[6] = a[7] = a[8] = a[9] = a[10] = a[11] = 0;
	if (strcasecmp(name, "ok.test") == 0) {
		static const uint8_t rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
		    192, 0, 2, 77 };

		rs->ok++;
		a[7] = 1;
		memcpy(a + qend, rr, sizeof rr);
		sendto(fd, a, qend + sizeof rr, 0, (struct sockaddr *)&from, fromlen);
	} else if (strcasecmp(name, "nx.test") == 0) {
		rs->nx++;
		a[3] = 0x83;		/* NXDOMAIN */
		sendto(fd, a, qend, 0, (struct sockaddr *)&from, fromlen);
	} else
		rs->quiet++;
}

static void
responder_open(struct responder *rs)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;

	memset(rs, 0, sizeof *rs);
	rs->fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(rs->fd, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(rs->fd, (struct sockaddr *)&sin, sizeof sin), 0);
	ck_assert_int_eq(getsockname(rs->fd, (struct sockaddr *)&sin, &len), 0);
	rs->port = ntohs(sin.sin_port);
	evutil_make_socket_nonblocking(rs->fd);
	rs->ev = event_new(base, rs->fd, EV_READ | EV_PERSIST, responder_cb, rs);
	event_add(rs->ev, NULL);
}

static void
responder_close(struct responder *rs)
{
	event_free(rs->ev);
	close(rs->fd);
}

static void
write_file(char *path, const char *tmpl, const char *text)
{
	FILE	*f;
	int	 fd;

	snprintf(path, 64, "%s", tmpl);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Run the loop until every waiter of wts was called, at most ~limit_ms. */
static void
run_until(struct waiter **wts, size_t n, int limit_ms)
{
	struct timeval	tv = { 0, 10000 };
	size_t		i;
	int		t;

	for (t = 0; t < limit_ms; t += 10) {
		for (i = 0; i < n; i++) {
			if (wts[i]->calls == 0)
				break;
		}
		if (i == n)
			return;
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
}

/* evdns against a responder named by "nameserver 127.0.0.1:PORT": one query for many
 * waiters, NXDOMAIN and silence are failures with the evdns error, the hosts file is
 * answered without a query. */
START_TEST(evdns_responder)
{
	struct responder	 rs;
	struct resolve_params	 rp;
	struct resolve		*r;
	struct waiter		 ok[5], nx, quiet, hosts, *all[8];
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 conf[64], hostsf[64], text[256], *cause = NULL;
	size_t			 i;

	base = event_base_new();
	responder_open(&rs);
	snprintf(text, sizeof text, "nameserver 127.0.0.1:%u\n"
	    "options timeout:1 attempts:1\n", rs.port);
	write_file(conf, "/tmp/check_resolve.conf.XXXXXX", text);
	write_file(hostsf, "/tmp/check_resolve.hosts.XXXXXX",
	    "192.0.2.99 static.test\n");
	memset(&rp, 0, sizeof rp);
	rp.resolv_conf = conf;
	rp.hosts_file = hostsf;
	rp.ttl_s = 300;
	rp.negative_ttl_s = 30;
	r = resolve_create(base, &rp, NULL, NULL);
	for (i = 0; i < 5; i++) {
		waiter_init(&ok[i]);
		ck_assert_int_eq(resolve_lookup(r, "ok.test", AF_INET, &ok[i].w, &ss, &len,
		    &cause), 1);
		all[i] = &ok[i];
	}
	waiter_init(&nx);
	waiter_init(&quiet);
	waiter_init(&hosts);
	ck_assert_int_eq(resolve_lookup(r, "nx.test", AF_INET, &nx.w, &ss, &len, &cause),
	    1);
	ck_assert_int_eq(resolve_lookup(r, "quiet.test", AF_INET, &quiet.w, &ss, &len,
	    &cause), 1);
	ck_assert_int_eq(resolve_lookup(r, "static.test", AF_INET, &hosts.w, &ss, &len,
	    &cause), 1);
	all[5] = &nx;
	all[6] = &quiet;
	all[7] = &hosts;
	run_until(all, 8, 5000);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(ok[i].calls, 1);
		ck_assert_str_eq(ok[i].addr, "192.0.2.77:0");
	}
	ck_assert_int_eq(rs.ok, 1);
	ck_assert_int_eq(nx.calls, 1);
	ck_assert_msg(strstr(nx.error, "evdns error") != NULL, "%s", nx.error);
	ck_assert_int_ge(rs.nx, 1);
	ck_assert_int_eq(quiet.calls, 1);
	ck_assert_msg(strstr(quiet.error, "evdns error") != NULL, "%s", quiet.error);
	ck_assert_int_ge(rs.quiet, 1);
	ck_assert_int_eq(hosts.calls, 1);
	ck_assert_str_eq(hosts.addr, "192.0.2.99:0");
	/* Cached: no second query. */
	ck_assert_int_eq(resolve_lookup(r, "ok.test", AF_INET, &ok[0].w, &ss, &len,
	    &cause), 0);
	ck_assert_int_eq(rs.ok, 1);
	/* A query in flight when the resolver goes: cancelled, nobody called. */
	waiter_init(&quiet);
	ck_assert_int_eq(resolve_lookup(r, "quiet2.test", AF_INET, &quiet.w, &ss, &len,
	    &cause), 1);
	resolve_free(r);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(quiet.calls, 0);
	responder_close(&rs);
	unlink(conf);
	unlink(hostsf);
	event_base_free(base);
}
END_TEST

/* A resolv.conf without a nameserver: names fail at once, they do not hang; the hosts
 * file still answers. */
START_TEST(evdns_no_nameserver)
{
	struct resolve_params	 rp;
	struct resolve		*r;
	struct waiter		 a, b, *all[2] = { &a, &b };
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 conf[64], hostsf[64], *cause = NULL;
	int			 i;

	for (i = 0; i < 2; i++) {
		base = event_base_new();
		write_file(conf, "/tmp/check_resolve.conf.XXXXXX", "options timeout:1\n");
		write_file(hostsf, "/tmp/check_resolve.hosts.XXXXXX",
		    "192.0.2.98 static.test\n");
		memset(&rp, 0, sizeof rp);
		rp.resolv_conf = conf;
		rp.hosts_file = i == 0 ? "" : hostsf;
		r = resolve_create(base, &rp, NULL, NULL);
		waiter_init(&a);
		waiter_init(&b);
		ck_assert_int_eq(resolve_lookup(r, "srv.test", AF_INET, &a.w, &ss, &len,
		    &cause), 1);
		if (i == 1)
			ck_assert_int_eq(resolve_lookup(r, "static.test", AF_INET, &b.w,
			    &ss, &len, &cause), 1);
		run_until(all, i == 0 ? 1 : 2, 3000);
		ck_assert_int_eq(a.calls, 1);
		ck_assert_msg(strstr(a.error, "nameserver") != NULL, "%s", a.error);
		if (i == 1)
			ck_assert_str_eq(b.addr, "192.0.2.98:0");
		resolve_free(r);
		unlink(conf);
		unlink(hostsf);
		event_base_free(base);
	}
}
END_TEST

/* ------------------------------------------------------------------ configuration */

static struct cfg *
cfg_text(const char *text, char **errs)
{
	char		 path[64];
	struct cfg	*cfg;
	int		 n;

	write_file(path, "/tmp/check_resolve.cfg.XXXXXX", text);
	cfg = cfg_load(path, errs, &n);
	unlink(path);
	return cfg;
}

/* The keys: defaults, values, ranges. */
START_TEST(cfg_keys)
{
	struct cfg	*cfg;
	char		*errs = NULL;

	cfg = cfg_text("gateway = { };\n", &errs);
	ck_assert_msg(cfg != NULL, "%s", errs);
	ck_assert_str_eq(cfg->gateway.resolv_conf, "/etc/resolv.conf");
	ck_assert_str_eq(cfg->gateway.hosts_file, "/etc/hosts");
	ck_assert_int_eq(cfg->lwm2m.dns_ttl_s, 300);
	ck_assert_int_eq(cfg->lwm2m.dns_negative_ttl_s, 30);
	cfg_free(cfg);

	cfg = cfg_text("gateway = { resolv_conf = \"/tmp/r\"; hosts_file = \"\"; };\n"
	    "lwm2m = { dns_ttl_s = 5; dns_negative_ttl_s = 0; };\n", &errs);
	ck_assert_msg(cfg != NULL, "%s", errs);
	ck_assert_str_eq(cfg->gateway.resolv_conf, "/tmp/r");
	ck_assert_str_eq(cfg->gateway.hosts_file, "");
	ck_assert_int_eq(cfg->lwm2m.dns_ttl_s, 5);
	ck_assert_int_eq(cfg->lwm2m.dns_negative_ttl_s, 0);
	cfg_free(cfg);

	cfg = cfg_text("lwm2m = { dns_ttl_s = -1; dns_negative_ttl_s = 3601; };\n", &errs);
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(errs, "dns_ttl_s") != NULL, "%s", errs);
	ck_assert_msg(strstr(errs, "dns_negative_ttl_s") != NULL, "%s", errs);
	free(errs);
}
END_TEST

static Suite *
resolve_suite(void)
{
	Suite	*s = suite_create("resolve");
	TCase	*tc = tcase_create("cache");

	tcase_add_test(tc, one_query_for_many);
	tcase_add_test(tc, answer_expires);
	tcase_add_test(tc, failure_kept_then_retried);
	tcase_add_test(tc, families_apart);
	tcase_add_test(tc, cancel_and_sync_answer);
	tcase_add_test(tc, free_cancels);
	tcase_add_test(tc, idle_entries_bounded);
	tcase_add_test(tc, cfg_keys);
	suite_add_tcase(s, tc);
	tc = tcase_create("evdns");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, evdns_responder);
	tcase_add_test(tc, evdns_no_nameserver);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(resolve_suite());
	int	 failed;

	log_open(LOG_TARGET_STDERR, LOG_WARNING, "check_resolve");
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
