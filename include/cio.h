/*
 * RFC 7252 CoAP messaging (with RFC 7959 block-wise transfers and RFC 7641 notifications) per
 * remote endpoint. A cio_peer holds everything about one peer: message IDs, the NSTART queue,
 * outstanding confirmable messages, the duplicate cache, block-wise state and counters.
 *
 * cio moves plaintext CoAP datagrams only: input arrives through cio_peer_input(), output
 * leaves through the peer's send function; the owner (vclient) puts DTLS or plain UDP under
 * both. Time comes from a clock/timer ops table so tests drive it with a fake clock.
 * See docs/transport.md.
 */
#ifndef LWGW_CIO_H
#define LWGW_CIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct cio_ctx;
struct cio_peer;
struct cio_exchange;

/* Message types. */
#define CIO_CON			0
#define CIO_NON			1
#define CIO_ACK			2
#define CIO_RST			3

/* Method codes (response codes are LWM2M_CODE() values from lwm2m.h). */
#define CIO_GET			1
#define CIO_POST		2
#define CIO_PUT			3
#define CIO_DELETE		4
#define CIO_FETCH		5
#define CIO_PATCH		6
#define CIO_IPATCH		7

#define CIO_TOKEN_MAX		8
#define CIO_MAX_PATH		8	/* Uri-Path or Location-Path segments */
#define CIO_MAX_QUERY		16	/* Uri-Query segments */
#define CIO_MAX_MESSAGE_SIZE	4096	/* upper bound of cio_params.max_message_size */
#define CIO_FMT_NONE		(-1)
#define CIO_OBSERVE_NONE	(-1)
#define CIO_SIZE_NONE		(-1)

/* A Block1/Block2 option: block size is 16 << szx (szx 0..6). */
struct cio_block {
	bool		set;
	bool		more;
	uint8_t		szx;
	uint32_t	num;
};

/*
 * A CoAP message, parsed or to be encoded. Strings are NUL-terminated; in a parsed message
 * everything points into memory valid only during the callback that received it.
 * Unset fields: format/accept CIO_FMT_NONE, observe CIO_OBSERVE_NONE, size1/size2
 * CIO_SIZE_NONE, counts 0. cio_msg_init() sets all of that.
 */
struct cio_msg {
	uint8_t		 type;		/* CIO_CON.. (ignored by cio_request/cio_respond) */
	uint8_t		 code;		/* method or response code */
	uint16_t	 mid;
	uint8_t		 token[CIO_TOKEN_MAX];
	uint8_t		 token_len;
	uint8_t		 etag[8];
	uint8_t		 etag_len;
	uint8_t		 npath;
	uint8_t		 nquery;
	uint8_t		 nlocation;
	const char	*path[CIO_MAX_PATH];
	const char	*query[CIO_MAX_QUERY];
	const char	*location[CIO_MAX_PATH];
	int32_t		 format;	/* Content-Format */
	int32_t		 accept;
	int64_t		 observe;	/* 24-bit value of the Observe option */
	int64_t		 size1;
	int64_t		 size2;
	struct cio_block block1;
	struct cio_block block2;
	const uint8_t	*payload;
	size_t		 payload_len;
};

/* Shared protocol parameters (RFC 7252 §4.8, §4.8.2); cio_params_default() fills them. */
struct cio_params {
	uint32_t	ack_timeout_ms;		/* 2000 */
	double		ack_random_factor;	/* 1.5 */
	uint32_t	max_retransmit;		/* 4 */
	uint32_t	nstart;			/* 1 */
	uint32_t	exchange_lifetime_ms;	/* 0: derived, 247000 with the defaults */
	uint32_t	response_timeout_ms;	/* wait for a separate response; 0: exchange_lifetime */
	size_t		max_message_size;	/* 1152 */
	size_t		block_size;		/* 1024; 16..1024, power of two */
	size_t		dedup_size;		/* 16 remembered Message IDs per peer */
	size_t		max_body_size;		/* 65536: largest Block1 body accepted */
	size_t		max_queue;		/* 64 messages waiting for NSTART per peer */
};

struct cio_stats {
	uint64_t	rx;
	uint64_t	tx;
	uint64_t	retransmitted;
	uint64_t	timeouts;
	uint64_t	duplicates;
	uint64_t	malformed;
	uint64_t	rst_sent;
	uint64_t	rst_received;
};

/*
 * Clock and timers. now() is monotonic milliseconds. Each peer owns one timer, armed at its
 * earliest deadline; the default ops (cio_ctx_create) use libevent.
 */
struct cio_clock_ops {
	uint64_t	(*now)(void *arg);
	void		*(*timer_new)(void *arg, void (*fire)(void *), void *fire_arg);
	void		 (*timer_set)(void *arg, void *timer, uint64_t delay_ms);
	void		 (*timer_clear)(void *arg, void *timer);
	void		 (*timer_free)(void *arg, void *timer);
};

/* Sends one datagram to the peer (through DTLS or UDP). Returns 0 or -1 (counted, dropped). */
typedef int	(*cio_send_fn)(void *arg, const uint8_t *buf, size_t len);

/* The outcome of a request: error 0 and the response, or -ETIMEDOUT, -ECONNRESET (RST),
 * -EPROTO (bad block-wise reply, unknown critical option), -ECANCELED (superseded
 * notification), -EMSGSIZE (does not fit a message) and rsp NULL. cio_strerror() names
 * them. */
typedef void	(*cio_response_fn)(void *arg, int error, const struct cio_msg *rsp);

struct cio_peer_cbs {
	/* A request arrived: answer with cio_respond() now, or cio_defer() and answer later. */
	void	(*request)(void *arg, struct cio_exchange *, const struct cio_msg *req);
	/* The peer reset a notification of this token, or a confirmable notification timed
	 * out (error -ECONNRESET or -ETIMEDOUT): the observation should be cancelled. */
	void	(*observe_lost)(void *arg, const uint8_t *token, size_t token_len, int error);
};

void		 cio_params_default(struct cio_params *);
void		 cio_msg_init(struct cio_msg *);
const char	*cio_strerror(int error);

/* Contexts: one per process (parameters, RNG, parse buffers). params may be NULL. */
struct cio_ctx	*cio_ctx_create(const struct cio_params *, struct event_base *, char **cause);
struct cio_ctx	*cio_ctx_create_clock(const struct cio_params *,
		    const struct cio_clock_ops *, void *clock_arg, char **cause);
void		 cio_ctx_free(struct cio_ctx *);
const struct cio_params *cio_ctx_params(struct cio_ctx *);

/* name is used in log lines (the vclient's endpoint and the peer). */
struct cio_peer	*cio_peer_create(struct cio_ctx *, const char *name, cio_send_fn,
		    void *send_arg, const struct cio_peer_cbs *, void *cb_arg);
/* Pending requests are dropped without callbacks; deferred exchanges are freed. Allowed
 * from inside the peer's own callbacks (the free happens on the way out). */
void		 cio_peer_free(struct cio_peer *);
/* A plaintext datagram from this peer. */
void		 cio_peer_input(struct cio_peer *, const uint8_t *data, size_t len);
const struct cio_stats *cio_peer_stats(struct cio_peer *);
/* Messages queued or awaiting an acknowledgement or a response. */
size_t		 cio_peer_pending(struct cio_peer *);
/* Run the peer's timers that are due (the ops timer calls this). */
void		 cio_peer_timer(struct cio_peer *);

/*
 * Client role. Sends req (code, path, query, format, accept, observe, payload; CON unless
 * req->type is CIO_NON) with a fresh random token, queued behind NSTART. Payloads larger
 * than the block size go out with Block1. cb runs once, unless the request is cancelled.
 * *id (may be NULL) names the request for cio_cancel.
 */
int		 cio_request(struct cio_peer *, const struct cio_msg *req, cio_response_fn,
		    void *arg, uint64_t *id, char **cause);
/* Forget a request (no callback). Returns 0, or -1 when it is no longer pending. */
int		 cio_cancel(struct cio_peer *, uint64_t id);
/* Retransmissions of a pending request so far (0: sent once or still queued); -1 when it
 * is no longer pending. */
int		 cio_request_retries(struct cio_peer *, uint64_t id);

/*
 * A notification (RFC 7641): msg->type CIO_CON or CIO_NON, msg->code (2.05), msg->token of
 * the observation, msg->observe its sequence number (masked to 24 bits), format, payload.
 * Larger than a block: the first block goes with Block2 and the client fetches the rest.
 * A queued, not yet sent notification of the same token is replaced (callback -ECANCELED).
 * cb may be NULL; it reports the ACK (0), -ETIMEDOUT or -ECONNRESET of a CON notification.
 */
int		 cio_notify(struct cio_peer *, const struct cio_msg *msg, cio_response_fn,
		    void *arg, char **cause);

/* Server role. */
/* Respond: piggybacked on the ACK of a CON request, NON for a NON request, or a separate
 * CON once deferred. Frees a deferred exchange. Slices with Block2 when needed. */
int		 cio_respond(struct cio_exchange *, uint8_t code, int32_t format,
		    const void *payload, size_t len, int64_t observe);
/* The same with every option of rsp (Location-Path, ETag, ...). */
int		 cio_respond_msg(struct cio_exchange *, const struct cio_msg *rsp);
/* Keep the exchange past the handler: a CON request is acknowledged now (empty ACK) and
 * answered later as a separate response. Returns the exchange to respond to. */
struct cio_exchange *cio_defer(struct cio_exchange *);
/* Drop a deferred exchange without answering. */
void		 cio_exchange_free(struct cio_exchange *);
struct cio_peer	*cio_exchange_peer(struct cio_exchange *);

#endif
