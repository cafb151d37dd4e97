/* Internals shared by the files of the cio module (not part of its interface). */
#ifndef LWGW_CIO_INT_H
#define LWGW_CIO_INT_H

#include <sys/types.h>
#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>

#include <coap3/coap.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/random.h>

#include "cio.h"

/* Option numbers (RFC 7252 §12.2, RFC 7641, RFC 7959). */
#define CIO_OPT_IF_MATCH	1
#define CIO_OPT_URI_HOST	3
#define CIO_OPT_ETAG		4
#define CIO_OPT_IF_NONE_MATCH	5
#define CIO_OPT_OBSERVE		6
#define CIO_OPT_URI_PORT	7
#define CIO_OPT_LOCATION_PATH	8
#define CIO_OPT_URI_PATH	11
#define CIO_OPT_CONTENT_FORMAT	12
#define CIO_OPT_MAX_AGE		14
#define CIO_OPT_URI_QUERY	15
#define CIO_OPT_ACCEPT		17
#define CIO_OPT_LOCATION_QUERY	20
#define CIO_OPT_BLOCK2		23
#define CIO_OPT_BLOCK1		27
#define CIO_OPT_SIZE2		28
#define CIO_OPT_PROXY_URI	35
#define CIO_OPT_PROXY_SCHEME	39
#define CIO_OPT_SIZE1		60

#define CIO_TOKEN_LEN		8	/* length of the tokens cio generates */
#define CIO_CODE_EMPTY		0
#define CIO_BLOCK_SIZE(szx)	((size_t)16 << (szx))

/* What cio_pdu_parse found. */
enum cio_parse {
	CIO_PARSE_OK,
	CIO_PARSE_FORMAT,	/* message format error: reject (RST for CON) */
	CIO_PARSE_BAD_OPTION,	/* unrecognized or malformed critical option */
	CIO_PARSE_PROXY,	/* Proxy-Uri/Proxy-Scheme: 5.05 */
	CIO_PARSE_BAD_REQUEST,	/* too many segments, NUL in a string: 4.00 */
};

/* A parsed datagram and the storage its strings point into. */
struct cio_rx {
	struct cio_msg	msg;
	enum cio_parse	res;
	char		strbuf[CIO_MAX_MESSAGE_SIZE + 2 * CIO_MAX_QUERY];
	size_t		strused;
};

/* A datagram header read by hand (valid when the datagram has at least 4 bytes). */
struct cio_hdr {
	uint8_t		version;
	uint8_t		type;
	uint8_t		tkl;
	uint8_t		code;
	uint16_t	mid;
};

struct cio_ctx {
	struct cio_params	 params;
	const struct cio_clock_ops *clock;
	void			*clock_arg;
	struct event_base	*base;		/* default clock only */
	WC_RNG			 rng;
	uint8_t			 rnd[256];	/* drawn from rng in batches */
	size_t			 rnd_left;
	coap_pdu_t		*pdu;		/* reused for parsing */
	bool			 pdu_busy;
};

/* An outgoing message that must be tracked: a request, a CON notification, a separate
 * response. One allocation each (struct + copied strings and payload). */
enum cio_xfer_kind {
	CIO_XFER_REQUEST,
	CIO_XFER_NOTIFY,
	CIO_XFER_SEPARATE,
};

enum cio_xfer_state {
	CIO_XFER_QUEUED,
	CIO_XFER_WAIT_ACK,	/* CON sent, not acknowledged */
	CIO_XFER_WAIT_RSP,	/* acknowledged (or NON), waiting for the response */
};

struct cio_xfer {
	TAILQ_ENTRY(cio_xfer)	 entry;
	uint64_t		 id;
	enum cio_xfer_kind	 kind;
	enum cio_xfer_state	 state;
	bool			 nstart;	/* occupies an NSTART slot */
	struct cio_msg		 msg;		/* strings and payload in blob */
	size_t			 body_len;	/* whole payload (Block1) */
	size_t			 body_off;	/* offset of the block in flight */
	uint8_t			 b1_szx;
	bool			 b1;		/* sending with Block1 */
	uint32_t		 retries;
	uint64_t		 timeout;	/* current retransmission timeout */
	uint64_t		 deadline;
	uint64_t		 sent_at;
	cio_response_fn		 cb;
	void			*cb_arg;
	uint8_t			 blob[];
};
TAILQ_HEAD(cio_xfers, cio_xfer);

enum cio_dedup_state {
	CIO_DEDUP_FREE,
	CIO_DEDUP_PENDING,	/* being processed: duplicates get nothing */
	CIO_DEDUP_DONE,		/* reply (possibly none) cached */
};

struct cio_dedup {
	enum cio_dedup_state	 state;
	uint16_t		 mid;
	uint16_t		 len;
	uint16_t		 cap;
	uint64_t		 expires;
	uint8_t			*buf;		/* reused across entries */
};

/* Recent NON notifications, to map a RST (which carries only the MID) to a token. */
#define CIO_NON_RING		8
struct cio_nonote {
	bool		used;
	uint16_t	mid;
	uint8_t		token_len;
	uint8_t		token[CIO_TOKEN_MAX];
};

/* A Block1 body being assembled (server role): one per peer. */
struct cio_b1asm {
	bool		 active;
	uint64_t	 key;		/* hash of method, Uri-Path, Uri-Query */
	uint8_t		*body;
	size_t		 len;
	size_t		 cap;
	uint64_t	 expires;
};

struct cio_exchange {
	LIST_ENTRY(cio_exchange) entry;
	struct cio_peer		*peer;
	bool			 heap;		/* deferred copy */
	bool			 done;
	uint8_t			 type;		/* of the request */
	uint8_t			 code;
	uint16_t		 mid;
	uint8_t			 token[CIO_TOKEN_MAX];
	uint8_t			 token_len;
	struct cio_block	 block1;	/* echoed in the final response */
	struct cio_block	 block2;	/* requested block */
	struct cio_dedup	*dedup;		/* stack exchanges only */
};
LIST_HEAD(cio_exchanges, cio_exchange);

struct cio_peer {
	struct cio_ctx		*ctx;
	char			*name;
	cio_send_fn		 send;
	void			*send_arg;
	struct cio_peer_cbs	 cbs;
	void			*cb_arg;

	uint16_t		 next_mid;
	uint64_t		 next_id;
	struct cio_xfers	 queue;		/* waiting for NSTART, FIFO */
	struct cio_xfers	 active;	/* sent */
	size_t			 nqueued;
	uint32_t		 nstart_used;

	struct cio_dedup	*dedup;		/* params.dedup_size, allocated on first use */
	struct cio_nonote	 nonotes[CIO_NON_RING];
	size_t			 nonote_next;
	struct cio_b1asm	 b1;
	struct cio_exchanges	 deferred;

	void			*timer;
	uint64_t		 timer_at;	/* UINT64_MAX: not armed */
	int			 depth;		/* callbacks in progress */
	bool			 dead;		/* freed inside a callback */
	struct cio_stats	 stats;
};

/* pdu.c */
int		 cio_pdu_header(const uint8_t *, size_t, struct cio_hdr *);
enum cio_parse	 cio_pdu_parse(struct cio_ctx *, const uint8_t *, size_t, struct cio_rx *,
		    bool request);
ssize_t		 cio_pdu_encode(const struct cio_msg *, uint8_t *, size_t);
size_t		 cio_pdu_empty(uint8_t *, uint8_t type, uint16_t mid);
uint32_t	 cio_hash32(const void *, size_t);

/* cio.c */
int		 cio_random(struct cio_ctx *, void *, size_t);
uint64_t	 cio_now(struct cio_peer *);
void		 cio_transmit(struct cio_peer *, const uint8_t *, size_t);
uint16_t	 cio_new_mid(struct cio_peer *);
void		 cio_schedule(struct cio_peer *);
void		 cio_enter(struct cio_peer *);
bool		 cio_leave(struct cio_peer *);
void		 cio_reply(struct cio_peer *, struct cio_dedup *, const uint8_t *, size_t);
void		 cio_reject(struct cio_peer *, const struct cio_hdr *, struct cio_dedup *);

/* xfer.c */
void		 cio_xfer_free_all(struct cio_peer *);
void		 cio_xfer_input(struct cio_peer *, const struct cio_hdr *, struct cio_rx *,
		    struct cio_dedup *);
bool		 cio_xfer_match_ack(struct cio_peer *, uint8_t type, uint16_t mid);
void		 cio_xfer_timer(struct cio_peer *, uint64_t now);
uint64_t	 cio_xfer_deadline(struct cio_peer *);
int		 cio_xfer_separate(struct cio_peer *, const struct cio_msg *);
void		 cio_xfer_pump(struct cio_peer *);
void		 cio_xfer_nonote(struct cio_peer *, const struct cio_msg *);

/* block.c */
bool		 cio_block1_input(struct cio_peer *, struct cio_exchange *, struct cio_rx *);
void		 cio_block1_free(struct cio_peer *);
int		 cio_block2_slice(struct cio_peer *, const struct cio_block *req,
		    struct cio_msg *);
uint8_t		 cio_block_szx(size_t);

/* server.c */
void		 cio_server_input(struct cio_peer *, const struct cio_hdr *,
		    struct cio_rx *, struct cio_dedup *);
void		 cio_server_free_all(struct cio_peer *);
void		 cio_server_error(struct cio_peer *, const struct cio_hdr *,
		    const uint8_t *, size_t, struct cio_dedup *, uint8_t, int64_t);

#endif
