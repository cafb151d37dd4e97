#include "config.h"

#include <sys/queue.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/hmac.h>

#include "dtls.h"
#include "dtls_int.h"
#include "xmalloc.h"

/* Contexts verifying against one CA file, shared by every association naming that file. */
struct dtls_cafile {
	char			*path;
	WOLFSSL_CTX		*ssl_ctx;
	LIST_ENTRY(dtls_cafile)	 entry;
};

struct dtls_ctx {
	struct event_base		*base;
	WOLFSSL_CTX			*psk;
	WOLFSSL_CTX			*pinned;
	LIST_HEAD(, dtls_cafile)	 cafiles;
};

/* A client-side DTLS 1.2 context with our I/O callbacks and the mode's suites. */
static WOLFSSL_CTX *
dtls_ctx_new_ssl_ctx(enum dtls_mode mode, const char *ca_file, char **cause)
{
	WOLFSSL_CTX	*c;
	const char	*ciphers;
	int		 ret;

	if ((c = wolfSSL_CTX_new(wolfDTLSv1_2_client_method())) == NULL) {
		*cause = xstrdup("wolfSSL_CTX_new failed");
		return (NULL);
	}
	ciphers = mode == DTLS_MODE_PSK ? DTLS_PSK_CIPHERS : DTLS_X509_CIPHERS;
	if (wolfSSL_CTX_set_cipher_list(c, ciphers) != WOLFSSL_SUCCESS) {
		xasprintf(cause, "wolfSSL lacks the cipher suites %s", ciphers);
		wolfSSL_CTX_free(c);
		return (NULL);
	}
	wolfSSL_CTX_SetIORecv(c, dtls_recv_cb);
	wolfSSL_CTX_SetIOSend(c, dtls_send_cb);
	if (mode == DTLS_MODE_PSK) {
		wolfSSL_CTX_set_psk_client_callback(c, dtls_psk_cb);
		wolfSSL_CTX_set_verify(c, WOLFSSL_VERIFY_NONE, NULL);
		return (c);
	}
	if (ca_file != NULL) {
		ret = wolfSSL_CTX_load_verify_locations(c, ca_file, NULL);
		if (ret != WOLFSSL_SUCCESS) {
			xasprintf(cause, "cannot load CA file %s (wolfSSL error %d)",
			    ca_file, ret);
			wolfSSL_CTX_free(c);
			return (NULL);
		}
	}
	wolfSSL_CTX_set_verify(c, WOLFSSL_VERIFY_PEER, dtls_verify_cb);
	return (c);
}

struct dtls_ctx *
dtls_ctx_create(struct event_base *base, char **cause)
{
	struct dtls_ctx	*ctx;

	if (base == NULL) {
		*cause = xstrdup("no event base");
		return (NULL);
	}
	/* wolfSSL counts Init/Cleanup calls, so several contexts (tests) are fine. */
	if (wolfSSL_Init() != WOLFSSL_SUCCESS) {
		*cause = xstrdup("wolfSSL_Init failed");
		return (NULL);
	}
	ctx = xcalloc(1, sizeof *ctx);
	ctx->base = base;
	LIST_INIT(&ctx->cafiles);
	if ((ctx->psk = dtls_ctx_new_ssl_ctx(DTLS_MODE_PSK, NULL, cause)) == NULL ||
	    (ctx->pinned = dtls_ctx_new_ssl_ctx(DTLS_MODE_X509, NULL,
	    cause)) == NULL) {
		dtls_ctx_free(ctx);
		return (NULL);
	}
	return (ctx);
}

void
dtls_ctx_free(struct dtls_ctx *ctx)
{
	struct dtls_cafile	*cf;

	if (ctx == NULL)
		return;
	while ((cf = LIST_FIRST(&ctx->cafiles)) != NULL) {
		LIST_REMOVE(cf, entry);
		wolfSSL_CTX_free(cf->ssl_ctx);
		free(cf->path);
		free(cf);
	}
	if (ctx->psk != NULL)
		wolfSSL_CTX_free(ctx->psk);
	if (ctx->pinned != NULL)
		wolfSSL_CTX_free(ctx->pinned);
	free(ctx);
	wolfSSL_Cleanup();
}

struct event_base *
dtls_ctx_base(struct dtls_ctx *ctx)
{
	return (ctx->base);
}

WOLFSSL_CTX *
dtls_ctx_get(struct dtls_ctx *ctx, const struct dtls_params *p, char **cause)
{
	struct dtls_cafile	*cf;
	WOLFSSL_CTX		*c;

	if (p->mode == DTLS_MODE_PSK)
		return (ctx->psk);
	if (p->server_cert != NULL)
		return (ctx->pinned);
	LIST_FOREACH(cf, &ctx->cafiles, entry) {
		if (strcmp(cf->path, p->ca_file) == 0)
			return (cf->ssl_ctx);
	}
	if ((c = dtls_ctx_new_ssl_ctx(DTLS_MODE_X509, p->ca_file, cause)) == NULL)
		return (NULL);
	cf = xcalloc(1, sizeof *cf);
	cf->path = xstrdup(p->ca_file);
	cf->ssl_ctx = c;
	LIST_INSERT_HEAD(&ctx->cafiles, cf, entry);
	return (c);
}

int
dtls_psk_derive(const uint8_t *master, size_t master_len, const char *endpoint,
    uint8_t *out, size_t outlen)
{
	size_t	info_len;

	if (master == NULL || endpoint == NULL || out == NULL || outlen == 0 ||
	    outlen > 255 * 32 || master_len > UINT32_MAX)
		return (-1);
	info_len = strlen(endpoint);
	if (info_len > UINT32_MAX)
		return (-1);
	/* A NULL salt is HashLen zero bytes (RFC 5869 2.2), the same HMAC key as empty. */
	if (wc_HKDF(WC_SHA256, master, (word32)master_len, NULL, 0,
	    (const byte *)endpoint, (word32)info_len, out, (word32)outlen) != 0)
		return (-1);
	return (0);
}
