/*
 * Peers of a vclient, one per account of its Security object: the address from the URI,
 * a cio peer for CoAP messaging, and a DTLS association under it for coaps accounts
 * (udp datagram → dtls_input → data → cio_peer_input; cio send → dtls_write; dtls
 * output → udp_send). Requests from a peer are routed by who sent them.
 *
 * Host names: numeric addresses and "localhost" (127.0.0.1) are used as they are. Any
 * other name is resolved without blocking (resolve.c: evdns, one query per name shared by
 * every vclient, answers cached) before each first exchange: Register and
 * Bootstrap-Request ask vclient_peer_resolve, and a failure is a failure of that exchange
 * (backoff). Only the address family of gateway.bind is asked for. X.509 verification
 * keeps checking the URI's name, never the address (docs/lwm2m.md).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "bootstrap.h"
#include "cfg.h"
#include "cio.h"
#include "dtls.h"
#include "log.h"
#include "udp.h"
#include "vclient_int.h"
#include "xmalloc.h"

struct vpeer *
vclient_peer_find(struct vclient *vc, uint16_t ssid)
{
	struct vpeer	*p;

	LIST_FOREACH(p, &vc->peers, entry) {
		if (p->kind == VPEER_SERVER && p->ssid == ssid)
			return p;
	}
	return NULL;
}

struct vpeer *
vclient_peer_bootstrap(struct vclient *vc)
{
	struct vpeer	*p;

	LIST_FOREACH(p, &vc->peers, entry) {
		if (p->kind == VPEER_BOOTSTRAP)
			return p;
	}
	return NULL;
}

static bool
vclient_addr_equal(const struct sockaddr *a, socklen_t alen,
    const struct sockaddr_storage *b, socklen_t blen)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a->sa_family != b->ss_family || alen != blen)
		return false;
	if (a->sa_family == AF_INET) {
		a4 = (const struct sockaddr_in *)a;
		b4 = (const struct sockaddr_in *)b;
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)a;
		b6 = (const struct sockaddr_in6 *)b;
		return a6->sin6_port == b6->sin6_port &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof a6->sin6_addr) == 0;
	}
	return false;
}

void
vclient_peer_input(struct vclient *vc, const struct sockaddr *from, socklen_t fromlen,
    const uint8_t *data, size_t len)
{
	struct vpeer	*p;
	char		 addr[64];

	if (vc->dead)
		return;
	LIST_FOREACH(p, &vc->peers, entry) {
		if (vclient_addr_equal(from, fromlen, &p->addr, p->addrlen))
			break;
	}
	if (p == NULL) {
		log_ep_debug(vc->endpoint, "datagram from unknown %s dropped",
		    udp_addr_str(from, fromlen, addr, sizeof addr));
		return;
	}
	vclient_ref(vc);
	if (p->dtls != NULL)
		dtls_input(p->dtls, data, len);
	else
		cio_peer_input(p->cio, data, len);
	vclient_unref(vc);
}

/* ------------------------------------------------------------------ socket */

static void
vclient_udp_recv_cb(void *arg, const struct sockaddr *from, socklen_t fromlen,
    const uint8_t *data, size_t len)
{
	vclient_peer_input(arg, from, fromlen, data, len);
}

int
vclient_bind(struct vclient *vc, char **cause)
{
	struct vclient_ctx	*ctx = vc->ctx;
	struct udp		*u;
	struct vpeer		*p;

	u = udp_create(ctx->base, ctx->udp, (struct sockaddr *)&ctx->bind_addr,
	    ctx->bind_len, vclient_udp_recv_cb, vc, cause);
	if (u == NULL)
		return -1;
	if (vc->udp == NULL) {
		vc->udp = u;
		return 0;
	}
	log_ep_info(vc->endpoint, "new socket: port %u (was %u)", udp_port(u),
	    udp_port(vc->udp));
	/* DTLS sessions belong to the old address: close_notify goes out from there. */
	LIST_FOREACH(p, &vc->peers, entry) {
		if (p->dtls != NULL && (dtls_get_state(p->dtls) == DTLS_HANDSHAKING ||
		    dtls_get_state(p->dtls) == DTLS_CONNECTED))
			dtls_close(p->dtls);
		p->dtls_up = false;
	}
	udp_free(vc->udp);
	vc->udp = u;
	/* The servers we are registered with learn the new address. */
	LIST_FOREACH(p, &vc->peers, entry) {
		if (p->kind == VPEER_SERVER && registration_is_registered(p))
			registration_update(p);
	}
	return 0;
}

/* ------------------------------------------------------------------ transport */

static int
vclient_peer_send(void *arg, const uint8_t *buf, size_t len)
{
	struct vpeer	*p = arg;
	char		*cause = NULL;

	if (p->vc->dead)
		return -1;
	if (p->host != NULL && !p->resolved)
		return -1;	/* nothing to send to before the first answer */
	if (p->dtls == NULL)
		return udp_send(p->vc->udp, (struct sockaddr *)&p->addr, p->addrlen, buf,
		    len);
	if (!p->dtls_up) {
		/* cio retransmits; the handshake must be going meanwhile. */
		vclient_peer_connect(p);
		return -1;
	}
	if (dtls_write(p->dtls, buf, len, &cause) != 0) {
		log_ep_debug(p->vc->endpoint, "%s: %s", p->name, cause);
		free(cause);
		return -1;
	}
	return 0;
}

static void
vclient_dtls_output(void *arg, const uint8_t *buf, size_t len)
{
	struct vpeer	*p = arg;

	if (p->host != NULL && !p->resolved)
		return;	/* the handshake retransmits once there is an address */
	udp_send(p->vc->udp, (struct sockaddr *)&p->addr, p->addrlen, buf, len);
}

static void
vclient_dtls_connected(void *arg)
{
	struct vpeer	*p = arg;

	log_ep_info(p->vc->endpoint, "%s: DTLS up (%s)", p->name,
	    dtls_cipher(p->dtls) != NULL ? dtls_cipher(p->dtls) : "?");
	p->dtls_up = true;
	if (p->kind == VPEER_SERVER)
		registration_connected(p);
}

static void
vclient_dtls_data(void *arg, const uint8_t *buf, size_t len)
{
	struct vpeer	*p = arg;

	cio_peer_input(p->cio, buf, len);
}

static void
vclient_dtls_error(void *arg, enum dtls_failure why, const char *reason)
{
	struct vpeer	*p = arg;
	char		*cause = NULL;

	/* dtls logs the failure itself. */
	log_ep_debug(p->vc->endpoint, "%s: DTLS %s: %s", p->name,
	    dtls_failure_name(why), reason);
	p->dtls_up = false;
	/*
	 * An unanswered handshake: the server may hold a session of a previous process on
	 * this very port and ignore our ClientHello. The retry goes out from a new port.
	 */
	if (why == DTLS_FAIL_TIMEOUT && vclient_bind(p->vc, &cause) != 0) {
		log_ep(LOG_WARNING, p->vc->endpoint, "%s: %s", p->name, cause);
		free(cause);
	}
	if (p->kind == VPEER_SERVER)
		registration_transport_failed(p);
}

static const struct dtls_ops vclient_dtls_ops = {
	.output = vclient_dtls_output,
	.connected = vclient_dtls_connected,
	.data = vclient_dtls_data,
	.error = vclient_dtls_error,
};

int
vclient_peer_connect(struct vpeer *p)
{
	char	*cause = NULL;
	int	 rc = 0;

	if (p->dtls == NULL || p->dtls_up)
		return 0;
	switch (dtls_get_state(p->dtls)) {
	case DTLS_IDLE:
		rc = dtls_connect(p->dtls, &cause);
		break;
	case DTLS_FAILED:
	case DTLS_CLOSED:
		rc = dtls_rehandshake(p->dtls, &cause);
		break;
	default:
		break;
	}
	if (rc != 0) {
		log_ep(LOG_NOTICE, p->vc->endpoint, "%s: %s", p->name, cause);
		free(cause);
	}
	return rc;
}

int
vclient_peer_request(struct vpeer *p, const struct cio_msg *m, cio_response_fn cb,
    void *arg, uint64_t *id, char **cause)
{
	vclient_peer_connect(p);
	return cio_request(p->cio, m, cb, arg, id, cause);
}

/* ------------------------------------------------------------------ requests */

static void
vclient_peer_request_cb(void *arg, struct cio_exchange *ex, const struct cio_msg *req)
{
	struct vpeer	*p = arg;
	struct vclient	*vc = p->vc;

	if (vc->dead || vc->state == VCLIENT_STOPPED) {
		cio_respond(ex, LWM2M_CODE(5, 3), CIO_FMT_NONE, NULL, 0,
		    CIO_OBSERVE_NONE);
		return;
	}
	if (p->kind == VPEER_BOOTSTRAP) {
		bootstrap_handle(vc, p, ex, req);
		return;
	}
	/*
	 * BS-7: during a bootstrap, and before this server acknowledged our Register, its
	 * operations are ignored: acknowledged at the CoAP layer (so it stops
	 * retransmitting) and never answered.
	 */
	if (bootstrap_active(vc) || !registration_is_valid(p)) {
		log_ep_debug(vc->endpoint, "%s: request ignored (%s)", p->name,
		    bootstrap_active(vc) ? "bootstrapping" : "not registered");
		cio_exchange_free(cio_defer(ex));
		return;
	}
	dm_ops_handle(vc, p, ex, req);
}

static void
vclient_peer_observe_lost_cb(void *arg, const uint8_t *token, size_t len, int error)
{
	struct vpeer	*p = arg;

	log_ep_debug(p->vc->endpoint, "%s: observation lost (%s)", p->name,
	    cio_strerror(error));
	if (p->kind == VPEER_SERVER)
		observe_cancel_token(p->vc, p->ssid, token, len);
}

static const struct cio_peer_cbs vclient_peer_cbs = {
	.request = vclient_peer_request_cb,
	.observe_lost = vclient_peer_observe_lost_cb,
};

/* ------------------------------------------------------------------ host names */

/* Letters, digits, '-', '_' and dots, 253 at most: what a resolver may be asked. */
static bool
vclient_peer_is_hostname(const char *s)
{
	size_t	n = strlen(s), label = 0, i;

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
		if (++label > 63)
			return false;
	}
	return true;
}

/* The context's resolver, set up at the first host name; vclient_ctx_free frees it. */
static struct resolve *
vclient_resolver(struct vclient_ctx *ctx)
{
	const struct cfg	*cfg = ctx->cfg;
	struct resolve_params	 rp;

	if (ctx->resolve != NULL)
		return ctx->resolve;
	memset(&rp, 0, sizeof rp);
	rp.resolv_conf = cfg->gateway.resolv_conf;
	rp.hosts_file = cfg->gateway.hosts_file;
	rp.ttl_s = cfg->lwm2m.dns_ttl_s > 0 ? (uint32_t)cfg->lwm2m.dns_ttl_s : 0;
	rp.negative_ttl_s = cfg->lwm2m.dns_negative_ttl_s > 0 ?
	    (uint32_t)cfg->lwm2m.dns_negative_ttl_s : 0;
	ctx->resolve = resolve_create(ctx->base, &rp, NULL, NULL);
	return ctx->resolve;
}

/* The peer's (possibly new) address from an answer. */
static void
vclient_peer_set_addr(struct vpeer *p, const struct sockaddr_storage *ss, socklen_t len)
{
	struct sockaddr_storage	 a;
	char			 was[64], now[64];

	memcpy(&a, ss, len);
	if (a.ss_family == AF_INET)
		((struct sockaddr_in *)&a)->sin_port = htons(p->port);
	else
		((struct sockaddr_in6 *)&a)->sin6_port = htons(p->port);
	if (p->resolved && vclient_addr_equal((struct sockaddr *)&a, len, &p->addr,
	    p->addrlen))
		return;
	if (p->resolved) {
		log_ep_info(p->vc->endpoint, "%s: %s moved from %s to %s", p->name,
		    p->host, udp_addr_str((struct sockaddr *)&p->addr, p->addrlen, was,
		    sizeof was), udp_addr_str((struct sockaddr *)&a, len, now,
		    sizeof now));
		/* The association belongs to the old address (close_notify goes there). */
		if (p->dtls != NULL && (dtls_get_state(p->dtls) == DTLS_HANDSHAKING ||
		    dtls_get_state(p->dtls) == DTLS_CONNECTED))
			dtls_close(p->dtls);
		p->dtls_up = false;
	} else
		log_ep_debug(p->vc->endpoint, "%s: %s is %s", p->name, p->host,
		    udp_addr_str((struct sockaddr *)&a, len, now, sizeof now));
	memcpy(&p->addr, &a, len);
	p->addrlen = len;
	p->resolved = true;
}

static void
vclient_peer_resolved_cb(void *arg, const struct sockaddr_storage *ss, socklen_t len,
    const char *error)
{
	struct vpeer	*p = arg;
	struct vclient	*vc = p->vc;
	void		(*done)(struct vpeer *, const char *) = p->resolve_done;
	char		*why = NULL;

	p->resolve_done = NULL;
	if (vc->dead || done == NULL)
		return;
	vclient_ref(vc);
	if (error != NULL) {
		xasprintf(&why, "cannot resolve %s (%s): %s", p->host,
		    resolve_family_name(vc->ctx->bind_addr.ss_family), error);
		done(p, why);
		free(why);
	} else {
		vclient_peer_set_addr(p, ss, len);
		done(p, NULL);
	}
	vclient_unref(vc);
}

int
vclient_peer_resolve(struct vpeer *p, void (*done)(struct vpeer *, const char *),
    char **cause)
{
	struct vclient_ctx	*ctx = p->vc->ctx;
	struct sockaddr_storage	 ss;
	socklen_t		 len = 0;
	int			 rc;

	if (p->host == NULL)
		return 0;
	p->rwait.done = vclient_peer_resolved_cb;
	p->rwait.arg = p;
	p->resolve_done = done;
	rc = resolve_lookup(vclient_resolver(ctx), p->host, ctx->bind_addr.ss_family,
	    &p->rwait, &ss, &len, cause);
	if (rc != 1)
		p->resolve_done = NULL;
	if (rc == 0)
		vclient_peer_set_addr(p, &ss, len);
	return rc;
}

void
vclient_peer_resolve_cancel(struct vpeer *p)
{
	resolve_cancel(&p->rwait);
	p->resolve_done = NULL;
}

/* ------------------------------------------------------------------ creation */

/* Fingerprint of an account, to keep a peer whose account did not change. */
static uint32_t
vclient_peer_hash(const struct dm_store *st, uint16_t iid)
{
	static const uint16_t	 rids[] = { 0, 1, 2, 3, 4, 5, 10 };
	struct lwm2m_value	 v;
	uint32_t		 h = 0;
	size_t			 i;

	for (i = 0; i < sizeof rids / sizeof rids[0]; i++) {
		if (dm_get(st, &LWM2M_PATH_RES(0, iid, rids[i]), &v) != 0)
			continue;
		h = persist_crc32c(h, &rids[i], sizeof rids[i]);
		if (v.type == LWM2M_TYPE_STRING || v.type == LWM2M_TYPE_OPAQUE)
			h = persist_crc32c(h, v.v.bytes.ptr, v.v.bytes.len);
		else
			h = persist_crc32c(h, &v.v, sizeof v.v);
	}
	return h;
}

struct vpeer *
vclient_peer_create(struct vclient *vc, uint16_t iid, char **cause)
{
	const struct cfg	*cfg = vc->ctx->cfg;
	struct dm_store		*st = vc->store;
	struct vpeer		*p;
	struct cfg_uri		 u;
	struct dtls_params	 dp;
	const uint8_t		*b;
	size_t			 blen;
	char			*uri, *why = NULL;
	const char		*host;
	int64_t			 mode, ssid = 0;
	bool			 bs = false;
	size_t			 i;

	memset(&u, 0, sizeof u);
	if (dm_get_bytes(st, &LWM2M_PATH_RES(0, iid, DM_SEC_RID_URI), &b, &blen) != 0) {
		xasprintf(cause, "/0/%u has no URI", iid);
		return NULL;
	}
	uri = xstrndup((const char *)b, blen);
	dm_get_bool(st, &LWM2M_PATH_RES(0, iid, DM_SEC_RID_BOOTSTRAP), &bs);
	if (dm_get_int(st, &LWM2M_PATH_RES(0, iid, DM_SEC_RID_MODE), &mode) != 0)
		mode = -1;
	if (!bs && (dm_get_int(st, &LWM2M_PATH_RES(0, iid, DM_SEC_RID_SSID), &ssid) != 0 ||
	    ssid <= 0 || ssid >= LWM2M_ID_NONE)) {
		/* SV-4: 0 and 65535 are never a server. */
		xasprintf(cause, "/0/%u: no valid Short Server ID", iid);
		goto fail;
	}
	if (cfg_parse_uri(uri, &u, &why) != 0) {
		xasprintf(cause, "/0/%u: %s", iid, why);
		goto fail;
	}
	if (mode == DM_SECMODE_NOSEC) {
		if (!cfg->gateway.allow_insecure) {
			xasprintf(cause, "/0/%u: NoSec needs gateway.allow_insecure", iid);
			goto fail;
		}
		if (u.secure) {
			xasprintf(cause, "/0/%u: coaps URI with NoSec", iid);
			goto fail;
		}
	} else if (mode == DM_SECMODE_PSK || mode == DM_SECMODE_CERT) {
		if (!u.secure) {
			xasprintf(cause, "/0/%u: coap URI with a secure mode", iid);
			goto fail;
		}
	} else {
		xasprintf(cause, "/0/%u: security mode %lld not supported", iid,
		    (long long)mode);
		goto fail;
	}

	p = xcalloc(1, sizeof *p);
	p->vc = vc;
	p->kind = bs ? VPEER_BOOTSTRAP : VPEER_SERVER;
	p->ssid = (uint16_t)ssid;
	p->sec_iid = iid;
	p->uri = uri;
	p->hash = vclient_peer_hash(st, iid);
	p->secure = u.secure;
	TAILQ_INIT(&p->stored);
	host = strcmp(u.host, "localhost") == 0 ? "127.0.0.1" : u.host;
	if (udp_addr_parse(host, u.port, &p->addr, &p->addrlen, &why) != 0) {
		if (!vclient_peer_is_hostname(host)) {
			xasprintf(cause, "/0/%u: %s is neither an address nor a host "
			    "name", iid, u.host);
			goto fail_peer;
		}
		/* Resolved before the first exchange (vclient_peer_resolve). */
		free(why);
		why = NULL;
		memset(&p->addr, 0, sizeof p->addr);
		p->addrlen = 0;
		p->host = xstrdup(u.host);
		p->port = u.port;
	} else if (p->addr.ss_family != vc->ctx->bind_addr.ss_family) {
		xasprintf(cause, "/0/%u: %s is not of the address family of "
		    "gateway.bind", iid, u.host);
		goto fail_peer;
	}
	if (bs)
		xasprintf(&p->name, "%s bs", vc->endpoint);
	else
		xasprintf(&p->name, "%s ssid=%u", vc->endpoint, p->ssid);
	if (p->secure) {
		memset(&dp, 0, sizeof dp);
		dp.mode = mode == DM_SECMODE_PSK ? DTLS_MODE_PSK : DTLS_MODE_X509;
		/* The handshake follows the CoAP timers: a server that never answers
		 * costs what an unanswered Register costs, not DTLS's 127 s. */
		dp.hs_timeout_ms = cio_ctx_params(vc->ctx->cio)->ack_timeout_ms;
		dp.hs_retransmits = cio_ctx_params(vc->ctx->cio)->max_retransmit;
		if (dp.hs_retransmits == 0)
			dp.hs_retransmits = 1;
		dm_get_bytes(st, &LWM2M_PATH_RES(0, iid, DM_SEC_RID_IDENTITY),
		    &dp.identity, &dp.identity_len);
		dm_get_bytes(st, &LWM2M_PATH_RES(0, iid, DM_SEC_RID_SECRET_KEY),
		    &dp.key, &dp.key_len);
		if (mode == DM_SECMODE_CERT) {
			dm_get_bytes(st, &LWM2M_PATH_RES(0, iid, DM_SEC_RID_SERVER_KEY),
			    &dp.server_cert, &dp.server_cert_len);
			if (dp.server_cert_len == 0)
				dp.server_cert = NULL;
			/* Without a pinned certificate, the factory account's CAs. */
			if (bs && cfg->has_bootstrap)
				dp.ca_file = cfg->bootstrap.ca_file;
			for (i = 0; !bs && i < cfg->nservers; i++) {
				if (cfg->servers[i].ssid == ssid)
					dp.ca_file = cfg->servers[i].ca_file;
			}
			if (dp.server_cert == NULL)
				dp.hostname = u.host;
		}
		p->dtls = dtls_create(vc->ctx->dtls, &dp, p->name, &vclient_dtls_ops, p,
		    &why);
		if (p->dtls == NULL) {
			xasprintf(cause, "/0/%u: %s", iid, why);
			goto fail_peer;
		}
	}
	p->cio = cio_peer_create(vc->ctx->cio, p->name, vclient_peer_send, p,
	    &vclient_peer_cbs, p);
	p->timer = evtimer_new(vc->ctx->base, registration_timer_cb, p);
	p->reg = VREG_IDLE;
	LIST_INSERT_HEAD(&vc->peers, p, entry);
	free(u.host);
	return p;

fail_peer:
	free(p->host);
	free(p->name);
	free(p);
fail:
	free(why);
	free(u.host);
	free(uri);
	return NULL;
}

void
vclient_peer_free(struct vpeer *p)
{
	struct vstored	*s;
	struct vpending	*pd;

	if (p == NULL)
		return;
	registration_stop(p);
	admit_release(p);
	vclient_peer_resolve_cancel(p);
	/* A sensor still working on this server's Write or Execute answers nobody. */
	LIST_FOREACH(pd, &p->vc->pending, entry) {
		if (pd->ex != NULL && cio_exchange_peer(pd->ex) == p->cio)
			pd->ex = NULL;
	}
	LIST_REMOVE(p, entry);
	while ((s = TAILQ_FIRST(&p->stored)) != NULL) {
		TAILQ_REMOVE(&p->stored, s, entry);
		free(s);
	}
	cio_peer_free(p->cio);
	dtls_free(p->dtls);
	if (p->timer != NULL)
		event_free(p->timer);
	registration_clear_location(p);
	free(p->host);
	free(p->uri);
	free(p->name);
	free(p);
}

void
vclient_peer_remove(struct vclient *vc, uint16_t ssid)
{
	struct vpeer	*p;

	if ((p = vclient_peer_find(vc, ssid)) == NULL)
		return;
	log_ep_info(vc->endpoint, "%s: account removed", p->name);
	observe_remove_server(vc, ssid);
	observe_attrs_free(vc, ssid);
	if (p->dtls != NULL)
		dtls_close(p->dtls);
	vclient_peer_free(p);
	vclient_reg_changed(vc);
}

/* Does a usable Server instance exist for ssid? */
static bool
vclient_has_server_instance(struct vclient *vc, uint16_t ssid)
{
	uint16_t	iid;

	return dm_server_find(vc->store, ssid, &iid) == 0;
}

void
vclient_peers_sync(struct vclient *vc)
{
	struct vpeer	*p, *p1;
	uint16_t	 iid;
	int		 after = -1;
	char		*cause = NULL;
	bool		 keep;

	/* Drop peers whose account is gone or changed. */
	LIST_FOREACH_SAFE(p, &vc->peers, entry, p1) {
		keep = dm_instance_exists(vc->store, LWM2M_OID_SECURITY, p->sec_iid) &&
		    vclient_peer_hash(vc->store, p->sec_iid) == p->hash &&
		    (p->kind == VPEER_BOOTSTRAP ||
		    vclient_has_server_instance(vc, p->ssid));
		if (keep)
			continue;
		if (p->kind == VPEER_SERVER)
			observe_remove_server(vc, p->ssid);
		if (p->dtls != NULL)
			dtls_close(p->dtls);
		vclient_peer_free(p);
	}
	while (dm_instance_next(vc->store, LWM2M_OID_SECURITY, after, &iid) == 0) {
		after = iid;
		LIST_FOREACH(p, &vc->peers, entry) {
			if (p->sec_iid == iid)
				break;
		}
		if (p != NULL)
			continue;
		if ((p = vclient_peer_create(vc, iid, &cause)) == NULL) {
			log_ep(LOG_WARNING, vc->endpoint, "account unusable: %s", cause);
			free(cause);
			cause = NULL;
			continue;
		}
		if (p->kind == VPEER_SERVER && !vclient_has_server_instance(vc, p->ssid)) {
			log_ep(LOG_WARNING, vc->endpoint, "%s: no Server instance",
			    p->name);
			vclient_peer_free(p);
		}
	}
}
