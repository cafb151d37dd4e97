/*
 * Host names of server URIs, resolved without blocking the event loop: one resolver per
 * vclient context (libevent's evdns, set up at the first name) and a small cache keyed
 * by (name, address family). Every vclient that asks for a name while its query is in
 * flight waits on the same entry, so thousands of vclients sharing one server URI cause
 * one query; all of them continue, from the event loop, when the answer arrives.
 *
 * evdns_getaddrinfo gives no TTL: an answer is kept for params.ttl_s (lwm2m.dns_ttl_s),
 * a failure (NXDOMAIN, timeout, no address of the family) for params.negative_ttl_s
 * (lwm2m.dns_negative_ttl_s), so that peers retrying with backoff do not query the name
 * each; the next lookup after that queries again. See docs/lwm2m.md.
 *
 * The nameservers and options come from params.resolv_conf (gateway.resolv_conf), the
 * static names from params.hosts_file (gateway.hosts_file). The resolv.conf is read
 * again when it changed (mtime, size, inode) and no query is in flight.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "log.h"
#include "vclient_int.h"
#include "xmalloc.h"

/* Idle entries kept at most; entries somebody waits for are never dropped. */
#define RESOLVE_MAX_IDLE	256

struct resolve_entry {
	struct resolve			*r;
	char				*name;
	int				 family;
	bool				 pending;	/* query in flight */
	void				*handle;	/* of the query, for cancel */
	bool				 answered;	/* addr or error valid */
	struct sockaddr_storage		 addr;		/* port 0 */
	socklen_t			 addrlen;
	char				*error;		/* NULL: addr */
	uint64_t			 expires_ms;
	uint64_t			 used_ms;	/* last lookup (eviction) */
	bool				 notifying;	/* resolve_notify_cb runs */
	TAILQ_HEAD(, resolve_wait)	 waiters;
	struct event			*notify;
	LIST_ENTRY(resolve_entry)	 entry;
};

struct resolve {
	struct event_base		*base;
	struct resolve_params		 params;
	const struct resolve_ops	*ops;
	void				*ops_arg;
	LIST_HEAD(, resolve_entry)	 entries;
	size_t				 nentries;
	uint64_t			 queries;
	size_t				 inflight;
	/* resolve_free from a waiter's callback: freed once the callback returns. */
	bool				 notifying;
	bool				 dying;

	/* The evdns backend. */
	struct evdns_base		*evdns;
	struct stat			 conf_st;
	bool				 conf_ok;	/* conf_st valid */
};

static void	*resolve_evdns_query(void *, struct resolve *, struct resolve_entry *,
		    const char *, int);
static void	 resolve_evdns_cancel(void *, void *);
static uint64_t	 resolve_clock_ms(void *);

static const struct resolve_ops resolve_evdns_ops = {
	.query = resolve_evdns_query,
	.cancel = resolve_evdns_cancel,
	.now_ms = resolve_clock_ms,
};

const char *
resolve_family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

static uint64_t
resolve_clock_ms(void *arg)
{
	struct timespec	ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct resolve *
resolve_create(struct event_base *base, const struct resolve_params *params,
    const struct resolve_ops *ops, void *ops_arg)
{
	struct resolve	*r;

	r = xcalloc(1, sizeof *r);
	r->base = base;
	r->params = *params;
	r->params.resolv_conf = xstrdup(params->resolv_conf != NULL ?
	    params->resolv_conf : RESOLVE_RESOLV_CONF);
	r->params.hosts_file = xstrdup(params->hosts_file != NULL ?
	    params->hosts_file : RESOLVE_HOSTS_FILE);
	r->ops = ops != NULL ? ops : &resolve_evdns_ops;
	r->ops_arg = ops != NULL ? ops_arg : r;
	LIST_INIT(&r->entries);
	return r;
}

static void
resolve_entry_free(struct resolve_entry *re)
{
	struct resolve_wait	*w;

	if (re->pending && re->handle != NULL)
		re->r->ops->cancel(re->r->ops_arg, re->handle);
	if (re->pending)
		re->r->inflight--;
	while ((w = TAILQ_FIRST(&re->waiters)) != NULL) {
		TAILQ_REMOVE(&re->waiters, w, entry);
		w->re = NULL;
	}
	LIST_REMOVE(re, entry);
	re->r->nentries--;
	event_free(re->notify);
	free(re->error);
	free(re->name);
	free(re);
}

void
resolve_free(struct resolve *r)
{
	struct resolve_entry	*re;

	if (r == NULL)
		return;
	if (r->notifying) {
		r->dying = true;
		return;
	}
	while ((re = LIST_FIRST(&r->entries)) != NULL)
		resolve_entry_free(re);
	if (r->evdns != NULL)
		evdns_base_free(r->evdns, 0);
	free((char *)r->params.resolv_conf);
	free((char *)r->params.hosts_file);
	free(r);
}

uint64_t
resolve_queries(const struct resolve *r)
{
	return r->queries;
}

size_t
resolve_entries(const struct resolve *r)
{
	return r->nentries;
}

/* Tell the waiters, from the loop: never inside a lookup or the backend's callback. */
static void
resolve_notify_cb(evutil_socket_t fd, short events, void *arg)
{
	struct resolve_entry	*re = arg;
	struct resolve		*r = re->r;
	struct resolve_wait	*w;
	void			(*done)(void *, const struct sockaddr_storage *,
				    socklen_t, const char *);

	(void)fd;
	(void)events;
	r->notifying = true;
	re->notifying = true;
	/*
	 * One at a time: a waiter's callback may cancel others. Should one start a new
	 * query of this name (an answer already expired), the rest wait for that one.
	 */
	while (re->answered && !re->pending &&
	    (w = TAILQ_FIRST(&re->waiters)) != NULL) {
		TAILQ_REMOVE(&re->waiters, w, entry);
		w->re = NULL;
		done = w->done;
		done(w->arg, re->error == NULL ? &re->addr : NULL, re->addrlen,
		    re->error);
		if (r->dying)
			break;
	}
	re->notifying = false;
	r->notifying = false;
	if (r->dying)
		resolve_free(r);
}

void
resolve_answer(struct resolve *r, struct resolve_entry *re, const struct sockaddr *sa,
    socklen_t salen, const char *error)
{
	char		 buf[64];
	uint32_t	 ttl;

	if (!re->pending)
		return;
	re->pending = false;
	re->handle = NULL;
	r->inflight--;
	re->answered = true;
	free(re->error);
	re->error = NULL;
	if (error == NULL && (sa == NULL || salen > sizeof re->addr ||
	    sa->sa_family != re->family))
		error = "no address of the family";
	if (error == NULL) {
		memset(&re->addr, 0, sizeof re->addr);
		memcpy(&re->addr, sa, salen);
		re->addrlen = salen;
		if (re->family == AF_INET)
			((struct sockaddr_in *)&re->addr)->sin_port = 0;
		else
			((struct sockaddr_in6 *)&re->addr)->sin6_port = 0;
		ttl = r->params.ttl_s;
		if (evutil_inet_ntop(re->family, re->family == AF_INET ?
		    (const void *)&((struct sockaddr_in *)&re->addr)->sin_addr :
		    (const void *)&((struct sockaddr_in6 *)&re->addr)->sin6_addr, buf,
		    sizeof buf) == NULL)
			snprintf(buf, sizeof buf, "?");
		log_info("%s (%s) is %s, kept %u s", re->name,
		    resolve_family_name(re->family), buf, ttl);
	} else {
		re->error = xstrdup(error);
		re->addrlen = 0;
		ttl = r->params.negative_ttl_s;
		log_warnx("cannot resolve %s (%s): %s; again in %u s at the earliest",
		    re->name, resolve_family_name(re->family), error, ttl);
	}
	re->expires_ms = r->ops->now_ms(r->ops_arg) + (uint64_t)ttl * 1000;
	if (!TAILQ_EMPTY(&re->waiters))
		event_active(re->notify, EV_TIMEOUT, 0);
}

/* Drop idle entries: the expired ones, then the least recently used, down to the cap. */
static void
resolve_trim(struct resolve *r, uint64_t now)
{
	struct resolve_entry	*re, *re1, *lru;

	LIST_FOREACH_SAFE(re, &r->entries, entry, re1) {
		if (!re->pending && !re->notifying && TAILQ_EMPTY(&re->waiters) &&
		    now >= re->expires_ms)
			resolve_entry_free(re);
	}
	while (r->nentries >= RESOLVE_MAX_IDLE) {
		lru = NULL;
		LIST_FOREACH(re, &r->entries, entry) {
			if (re->pending || re->notifying || !TAILQ_EMPTY(&re->waiters))
				continue;
			if (lru == NULL || re->used_ms < lru->used_ms)
				lru = re;
		}
		if (lru == NULL)
			break;
		resolve_entry_free(lru);
	}
}

static struct resolve_entry *
resolve_find(struct resolve *r, const char *name, int family)
{
	struct resolve_entry	*re;

	LIST_FOREACH(re, &r->entries, entry) {
		if (re->family == family && strcasecmp(re->name, name) == 0)
			return re;
	}
	return NULL;
}

int
resolve_lookup(struct resolve *r, const char *name, int family, struct resolve_wait *w,
    struct sockaddr_storage *ss, socklen_t *sslen, char **cause)
{
	struct resolve_entry	*re;
	uint64_t		 now = r->ops->now_ms(r->ops_arg);
	void			*h;

	re = resolve_find(r, name, family);
	if (w->re != NULL && w->re != re)
		resolve_cancel(w);
	if (re != NULL && w->re == re)
		return 1;	/* already waiting for it */
	if (re != NULL) {
		re->used_ms = now;
		if (re->pending) {
			w->re = re;
			TAILQ_INSERT_TAIL(&re->waiters, w, entry);
			return 1;
		}
		if (re->answered && now < re->expires_ms) {
			if (re->error != NULL) {
				xasprintf(cause, "cannot resolve %s (%s): %s", name,
				    resolve_family_name(family), re->error);
				return -1;
			}
			memcpy(ss, &re->addr, re->addrlen);
			*sslen = re->addrlen;
			return 0;
		}
	} else {
		resolve_trim(r, now);
		re = xcalloc(1, sizeof *re);
		re->r = r;
		re->name = xstrdup(name);
		re->family = family;
		re->used_ms = now;
		TAILQ_INIT(&re->waiters);
		re->notify = event_new(r->base, -1, 0, resolve_notify_cb, re);
		if (re->notify == NULL)
			fatalx("cannot create a resolver event");
		LIST_INSERT_HEAD(&r->entries, re, entry);
		r->nentries++;
	}
	/* Not known, or expired: one query, whoever asks meanwhile waits for it. */
	w->re = re;
	TAILQ_INSERT_TAIL(&re->waiters, w, entry);
	re->pending = true;
	re->handle = NULL;
	r->inflight++;
	r->queries++;
	log_debug("resolving %s (%s)", name, resolve_family_name(family));
	h = r->ops->query(r->ops_arg, r, re, name, family);
	if (re->pending)
		re->handle = h;
	return 1;
}

void
resolve_cancel(struct resolve_wait *w)
{
	struct resolve_entry	*re;

	if (w == NULL || (re = w->re) == NULL)
		return;
	TAILQ_REMOVE(&re->waiters, w, entry);
	w->re = NULL;
	/*
	 * Nobody waits any more (the peers stopped: shutdown, removal): the query goes too,
	 * while the loop still runs to finish its cancellation; the next lookup asks again.
	 */
	if (re->pending && TAILQ_EMPTY(&re->waiters)) {
		if (re->handle != NULL)
			re->r->ops->cancel(re->r->ops_arg, re->handle);
		re->pending = false;
		re->handle = NULL;
		re->r->inflight--;
		re->expires_ms = 0;
	}
}

/* ------------------------------------------------------------------ evdns backend */

static bool
resolve_conf_changed(struct resolve *r)
{
	struct stat	sb;

	if (stat(r->params.resolv_conf, &sb) != 0)
		return r->conf_ok;
	return !r->conf_ok || sb.st_ino != r->conf_st.st_ino ||
	    sb.st_size != r->conf_st.st_size ||
	    sb.st_mtim.tv_sec != r->conf_st.st_mtim.tv_sec ||
	    sb.st_mtim.tv_nsec != r->conf_st.st_mtim.tv_nsec;
}

/* Why evdns_base_resolv_conf_parse failed (its return codes). */
static const char *
resolve_conf_error(int rc)
{
	static const char *const why[] = {
		"ok", "cannot open", "cannot stat", "too large", "out of memory",
		"short read", "no nameserver in it",
	};

	if (rc < 0 || (size_t)rc >= sizeof why / sizeof why[0])
		return "unknown error";
	return why[rc];
}

/* The evdns base, set up (again when the resolv.conf changed). NULL and *cause. */
static struct evdns_base *
resolve_evdns_get(struct resolve *r, char **cause)
{
	int	rc;

	if (r->evdns != NULL && r->inflight <= 1 && resolve_conf_changed(r)) {
		log_info("%s changed: reading it again", r->params.resolv_conf);
		evdns_base_free(r->evdns, 0);
		r->evdns = NULL;
	}
	if (r->evdns != NULL)
		return r->evdns;
	r->evdns = evdns_base_new(r->base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (r->evdns == NULL) {
		xasprintf(cause, "cannot create the resolver");
		return NULL;
	}
	r->conf_ok = stat(r->params.resolv_conf, &r->conf_st) == 0;
	/* Only the hosts file of the configuration, not evdns's fixed /etc/hosts. */
	rc = evdns_base_resolv_conf_parse(r->evdns, (DNS_OPTIONS_ALL &
	    ~DNS_OPTION_HOSTSFILE) | DNS_OPTION_NAMESERVERS_NO_DEFAULT,
	    r->params.resolv_conf);
	if (rc != 0)
		log_warnx("%s: %s", r->params.resolv_conf, resolve_conf_error(rc));
	if (*r->params.hosts_file != '\0' &&
	    evdns_base_load_hosts(r->evdns, r->params.hosts_file) != 0)
		log_warnx("%s: cannot read it", r->params.hosts_file);
	return r->evdns;
}

static void
resolve_evdns_cb(int result, struct evutil_addrinfo *res, void *arg)
{
	struct resolve_entry	*re = arg;
	struct evutil_addrinfo	*ai;
	char			 why[128];

	/* Cancelled: by resolve_entry_free (the entry is gone) or for want of a
	 * nameserver (answered already). */
	if (result == EVUTIL_EAI_CANCEL) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		return;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == re->family && ai->ai_addr != NULL)
			break;
	}
	if (result != 0) {
		snprintf(why, sizeof why, "%s (evdns error %d)",
		    evutil_gai_strerror(result), result);
		resolve_answer(re->r, re, NULL, 0, why);
	} else if (ai == NULL) {
		snprintf(why, sizeof why, "no %s address",
		    resolve_family_name(re->family));
		resolve_answer(re->r, re, NULL, 0, why);
	} else
		resolve_answer(re->r, re, ai->ai_addr, (socklen_t)ai->ai_addrlen, NULL);
	if (res != NULL)
		evutil_freeaddrinfo(res);
}

static void *
resolve_evdns_query(void *arg, struct resolve *r, struct resolve_entry *re,
    const char *name, int family)
{
	struct evdns_base		*evdns;
	struct evdns_getaddrinfo_request	*req;
	struct evutil_addrinfo		 hints;
	char				*cause = NULL;

	(void)arg;
	if ((evdns = resolve_evdns_get(r, &cause)) == NULL) {
		resolve_answer(r, re, NULL, 0, cause);
		free(cause);
		return NULL;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = family;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_protocol = IPPROTO_UDP;
	/* May answer at once (hosts file, error): resolve_answer handles both. */
	req = evdns_getaddrinfo(evdns, name, NULL, &hints, resolve_evdns_cb, re);
	if (req != NULL && evdns_base_count_nameservers(evdns) == 0) {
		/* Not in the hosts file, and evdns would wait for a nameserver forever. */
		evdns_getaddrinfo_cancel(req);
		xasprintf(&cause, "no nameserver (%s)", r->params.resolv_conf);
		resolve_answer(r, re, NULL, 0, cause);
		free(cause);
		return NULL;
	}
	return req;
}

static void
resolve_evdns_cancel(void *arg, void *handle)
{
	(void)arg;
	evdns_getaddrinfo_cancel(handle);
}
