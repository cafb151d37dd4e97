/* Internals shared by dtls.c (associations) and dtls_ctx.c (shared WOLFSSL_CTX objects). */
#ifndef LWGW_DTLS_INT_H
#define LWGW_DTLS_INT_H

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "dtls.h"

struct event_base	*dtls_ctx_base(struct dtls_ctx *);
/* The WOLFSSL_CTX for these params (PSK, pinned X.509, or the one for params->ca_file);
 * owned by the dtls_ctx. */
WOLFSSL_CTX		*dtls_ctx_get(struct dtls_ctx *, const struct dtls_params *,
			    char **cause);

/* wolfSSL callbacks, installed on every WOLFSSL_CTX (dtls.c). */
int		 dtls_recv_cb(WOLFSSL *, char *, int, void *);
int		 dtls_send_cb(WOLFSSL *, char *, int, void *);
unsigned int	 dtls_psk_cb(WOLFSSL *, const char *, char *, unsigned int,
		    unsigned char *, unsigned int);
int		 dtls_verify_cb(int, WOLFSSL_X509_STORE_CTX *);

#endif
