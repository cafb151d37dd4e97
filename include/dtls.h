/*
 * DTLS 1.2 client associations on wolfSSL, one per (vclient, secured peer).
 *
 * The module knows neither sockets nor CoAP: ciphertext datagrams from the peer go in through
 * dtls_input(), records to send leave through ops->output; plaintext CoAP datagrams come out
 * through ops->data and go in through dtls_write(). Handshake retransmission runs on libevent
 * timers of the context's event base. See docs/transport.md, section "DTLS".
 */
#ifndef LWGW_DTLS_H
#define LWGW_DTLS_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct dtls_ctx;
struct dtls;

enum dtls_mode {
	DTLS_MODE_PSK,		/* LwM2M Security mode 0 */
	DTLS_MODE_X509,		/* LwM2M Security mode 2 */
};

/* Limits of Debian's wolfSSL build (MAX_PSK_ID_LEN, MAX_PSK_KEY_LEN). */
#define DTLS_PSK_IDENTITY_MAX	128
#define DTLS_PSK_KEY_MAX	64

/* Handshake timer defaults: RFC 6347 4.2.4.1 (1 s initial, doubling). */
#define DTLS_HS_TIMEOUT_MS	1000
#define DTLS_HS_TIMEOUT_MAX_MS	60000
#define DTLS_HS_RETRANSMITS	6

/* Where the parameters come from in the LwM2M Security object (/0/x/...). The bytes are
 * copied by dtls_create(); the caller may free its own copies afterwards. */
struct dtls_params {
	enum dtls_mode	 mode;
	/* PSK: identity (/0/x/3; no NUL bytes, wolfSSL passes it as a string) and key
	 * (/0/x/5). X.509: client certificate (/0/x/3, DER) and private key (/0/x/5, DER). */
	const uint8_t	*identity;
	size_t		 identity_len;
	const uint8_t	*key;
	size_t		 key_len;
	/* X.509 only: the server's certificate (/0/x/4, DER). When set it is pinned: the
	 * peer's leaf certificate must equal it byte for byte and no CA is consulted. When
	 * NULL, the peer's chain is verified against ca_file (PEM), which is then required. */
	const uint8_t	*server_cert;
	size_t		 server_cert_len;
	const char	*ca_file;
	/* X.509 with ca_file only, optional: name the leaf must carry (SAN/CN). */
	const char	*hostname;
	/* Handshake retransmission: first timeout, cap, and how many retransmissions of a
	 * flight before giving up (0 = defaults above). The defaults give up about
	 * 123 s (1+2+4+8+16+32+60) after the flight was first sent. */
	unsigned int	 hs_timeout_ms;
	unsigned int	 hs_timeout_max_ms;
	unsigned int	 hs_retransmits;
};

/* Why an association stopped working (ops->error). */
enum dtls_failure {
	DTLS_FAIL_HANDSHAKE,	/* handshake refused: alert, bad credentials, bad cert */
	DTLS_FAIL_TIMEOUT,	/* handshake flight retransmitted too often */
	DTLS_FAIL_CLOSED,	/* peer sent close_notify */
	DTLS_FAIL_ALERT,	/* fatal alert or error on an established association */
	DTLS_FAIL_PEER_RESET,	/* peer speaks epoch 0 again: it forgot the session */
	DTLS_FAIL_INTERNAL,	/* wolfSSL could not do what we asked (memory, config) */
};

enum dtls_state {
	DTLS_IDLE,		/* created, dtls_connect() not called yet */
	DTLS_HANDSHAKING,
	DTLS_CONNECTED,
	DTLS_CLOSED,		/* dtls_close() or the peer's close_notify */
	DTLS_FAILED,		/* see the last enum dtls_failure */
};

/*
 * Callbacks, all called from within dtls_connect/dtls_input/dtls_write/dtls_close or the
 * handshake timer. Any of them may call dtls_free() on the association; the free is deferred
 * until the module unwinds. Buffers are valid only during the call.
 */
struct dtls_ops {
	/* A datagram to send to the peer (the vclient calls udp_send). Required. */
	void	(*output)(void *arg, const uint8_t *buf, size_t len);
	/* The handshake finished; dtls_write() works from now on. */
	void	(*connected)(void *arg);
	/* One decrypted datagram (one CoAP message). */
	void	(*data)(void *arg, const uint8_t *buf, size_t len);
	/* The association is dead (state DTLS_FAILED or DTLS_CLOSED). The caller frees it
	 * or calls dtls_rehandshake(), usually after its own backoff. Called once per
	 * failure; reason is for logs and never holds key material. */
	void	(*error)(void *arg, enum dtls_failure, const char *reason);
};

/* Shared state: wolfSSL_Init and the WOLFSSL_CTX objects (one for PSK, one for pinned
 * X.509, one per CA file). One per process, created by the daemon. */
struct dtls_ctx	*dtls_ctx_create(struct event_base *, char **cause);
void		 dtls_ctx_free(struct dtls_ctx *);

/* Checks params and prepares an association in DTLS_IDLE. log_name (the endpoint, plus the
 * peer if the caller likes) prefixes its log lines. */
struct dtls	*dtls_create(struct dtls_ctx *, const struct dtls_params *,
		    const char *log_name, const struct dtls_ops *, void *arg,
		    char **cause);
void		 dtls_free(struct dtls *);

/* Starts the handshake (sends the ClientHello). -1 only when already started or when
 * wolfSSL fails at once; later failures arrive through ops->error. */
int		 dtls_connect(struct dtls *, char **cause);
/* Drops the current session and starts a full handshake again (after ops->error, or when
 * the caller's CoAP layer concludes the server forgot the session). */
int		 dtls_rehandshake(struct dtls *, char **cause);
/* One datagram received from the peer. Never fails: bad records are dropped by wolfSSL,
 * fatal conditions are reported through ops->error. */
void		 dtls_input(struct dtls *, const uint8_t *buf, size_t len);
/* Encrypts one datagram (one record). Fails, without queueing, unless DTLS_CONNECTED:
 * the CoAP layer above retransmits and must wait for ops->connected. */
int		 dtls_write(struct dtls *, const uint8_t *buf, size_t len,
		    char **cause);
/* Sends close_notify if connected and moves to DTLS_CLOSED (no callback). */
void		 dtls_close(struct dtls *);

enum dtls_state	 dtls_get_state(const struct dtls *);
const char	*dtls_state_name(enum dtls_state);
const char	*dtls_failure_name(enum dtls_failure);
/* The negotiated cipher suite name, or NULL before the handshake finished. */
const char	*dtls_cipher(const struct dtls *);

/* Per-device PSK for factory bootstrap: HKDF-SHA256(IKM = master, salt = empty, info =
 * endpoint name), outlen bytes (16 is the usual LwM2M key length; at most 255 * 32). */
int		 dtls_psk_derive(const uint8_t *master, size_t master_len,
		    const char *endpoint, uint8_t *out, size_t outlen);

/* Cipher suites offered, in wolfSSL's names (documented in docs/transport.md). */
#define DTLS_PSK_CIPHERS \
	"PSK-CHACHA20-POLY1305:ECDHE-PSK-CHACHA20-POLY1305:" \
	"ECDHE-PSK-AES128-CBC-SHA256"
#define DTLS_X509_CIPHERS \
	"ECDHE-ECDSA-AES128-CCM-8:ECDHE-ECDSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA256:" \
	"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:" \
	"ECDHE-RSA-AES128-SHA256"

#endif
