/*
 * lwgw-operator: an independent LwM2M Bootstrap-Server and Server for lwgw's end-to-end
 * tests, built on libcoap's own messaging and OpenSSL DTLS so that it shares no code with
 * lwgwd. Internal interfaces between its files; nothing here is installed.
 */
#ifndef LWGW_OPERATOR_H
#define LWGW_OPERATOR_H

#include <sys/queue.h>

#include <poll.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <coap3/coap.h>

#define OP_CF_NONE	(-1)
#define OP_CF_TEXT	0
#define OP_CF_LINK	40
#define OP_CF_OPAQUE	42
#define OP_CF_CBOR	60
#define OP_CF_SENML_JSON 110
#define OP_CF_SENML_CBOR 112
#define OP_CF_TLV	11542
#define OP_CF_TLV_OLD	1542
#define OP_CF_JSON	11543

/* oputil.c: allocation that cannot fail, time. */
void	*oputil_xcalloc(size_t, size_t);
void	*oputil_xrealloc(void *, size_t);
char	*oputil_xstrdup(const char *);
char	*oputil_xstrndup(const char *, size_t);
char	*oputil_xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 oputil_fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
uint64_t oputil_now_ms(void);
int	 oputil_code_parse(const char *, int *);
int	 oputil_hex_decode(const char *, uint8_t **, size_t *);
int	 oputil_addr_parse(const char *, int, coap_address_t *, char **);
int	 oputil_path_parse(const char *, uint16_t *, int *);
char	*oputil_query_get(const char *, size_t, const char *);

/* opbuf.c: growable byte buffer, with JSON helpers. */
struct opbuf {
	char	*p;
	size_t	 len;
	size_t	 size;
};
void	 opbuf_init(struct opbuf *);
void	 opbuf_free(struct opbuf *);
void	 opbuf_add(struct opbuf *, const void *, size_t);
void	 opbuf_addc(struct opbuf *, int);
void	 opbuf_printf(struct opbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 opbuf_json(struct opbuf *, const void *, size_t);
void	 opbuf_hex(struct opbuf *, const void *, size_t);
char	*opbuf_cstr(struct opbuf *);

/* optlv.c: typed values and the TLV format (OMA-TS-LightweightM2M-Core 7.4.3). */
struct optlv_item {
	int		 rid;
	int		 riid;		/* -1: single-instance resource */
	uint8_t		*val;
	size_t		 len;
};
struct optlv_inst {
	int			 iid;
	struct optlv_item	*items;
	size_t			 nitems;
};
int	 optlv_value_parse(const char *, uint8_t **, size_t *, char **);
int	 optlv_item_parse(const char *, struct optlv_item *, char **);
void	 optlv_item_clear(struct optlv_item *);
void	 optlv_inst_clear(struct optlv_inst *);
void	 optlv_encode_resources(struct opbuf *, const struct optlv_item *, size_t);
void	 optlv_encode_instance(struct opbuf *, const struct optlv_inst *);
int	 optlv_decode_json(struct opbuf *, const uint16_t *, int, const uint8_t *,
	    size_t, char **);

/* opevent.c: one JSON object per line on stdout (and to control clients). */
struct op;
struct opevent {
	struct op	*op;
	struct opbuf	 b;
};
void	 opevent_begin(struct opevent *, struct op *, const char *);
void	 opevent_str(struct opevent *, const char *, const char *);
void	 opevent_strn(struct opevent *, const char *, const void *, size_t);
void	 opevent_int(struct opevent *, const char *, long long);
void	 opevent_bool(struct opevent *, const char *, int);
void	 opevent_code(struct opevent *, const char *, int);
void	 opevent_raw(struct opevent *, const char *, const char *);
void	 opevent_hex(struct opevent *, const char *, const void *, size_t);
void	 opevent_addr(struct opevent *, const char *, const coap_address_t *);
void	 opevent_payload(struct opevent *, const uint16_t *, int, int,
	    const uint8_t *, size_t);
void	 opevent_pdu(struct opevent *, const uint16_t *, int, const coap_pdu_t *);
void	 opevent_end(struct opevent *);
void	 opevent_error(struct op *, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 opevent_links(struct opbuf *, const char *, size_t);

/* opscen.c: the configuration file (libconfig). */
enum opscen_kind {
	OPSCEN_DISCOVER,
	OPSCEN_READ,
	OPSCEN_DELETE,
	OPSCEN_WRITE,
	OPSCEN_FINISH,
};
struct opscen_step {
	enum opscen_kind	 kind;
	char			*path;
	int			 expect;	/* CoAP code, -1: anything */
	struct optlv_inst	*insts;		/* write /oid */
	size_t			 ninsts;
	struct optlv_item	*items;		/* write /oid/iid, /oid/iid/rid */
	size_t			 nitems;
	int			 wrap;		/* write /oid/iid as an instance TLV */
	char			*text;		/* write with text/plain */
};
struct opscen_ep {
	TAILQ_ENTRY(opscen_ep)	 entry;
	char			*name;
	char			*identity;
	uint8_t			*key;
	size_t			 keylen;
	int			 reject;
	int			 delay_ms;
	struct opscen_step	*steps;
	size_t			 nsteps;
};
struct opscen_psk {
	TAILQ_ENTRY(opscen_psk)	 entry;
	char			*identity;
	uint8_t			*key;
	size_t			 keylen;
};
struct opscen_role {
	int			 enabled;
	char			*address;
	int			 port;		/* -1: none */
	int			 dtls_port;	/* -1: none */
};
struct opscen {
	struct opscen_role		 bs;
	struct opscen_role		 srv;
	int				 ack_timeout_ms;
	int				 max_retransmit;
	TAILQ_HEAD(, opscen_ep)		 eps;
	TAILQ_HEAD(, opscen_psk)	 psks;
};
struct opscen	*opscen_load(const char *, char **);
struct opscen	*opscen_default(void);
void		 opscen_free(struct opscen *);
struct opscen_ep *opscen_ep_find(struct opscen *, const char *);
struct opscen_ep *opscen_ep_find_identity(struct opscen *, const char *, size_t);
const char	*opscen_kind_name(enum opscen_kind);
int		 opscen_step_payload(const struct opscen_step *, struct opbuf *,
		    int *);

/* opreq.c: requests the operator sends, matched to responses by token. */
struct opreq;
typedef void (*opreq_cb)(struct op *, struct opreq *, const coap_pdu_t *,
    const char *);
struct opmsg {
	coap_pdu_code_t	 code;
	const char	*path;
	const char	*query;		/* '&'-separated, or NULL */
	int		 accept;	/* OP_CF_NONE: none */
	int		 cf;
	int		 observe;	/* -1: none */
	const uint8_t	*payload;
	size_t		 len;
};
struct opreq {
	TAILQ_ENTRY(opreq)	 entry;
	uint8_t			 token[8];
	size_t			 toklen;
	coap_session_t		*session;	/* compared, dereferenced only while live */
	coap_context_t		*ctx;
	char			*what;		/* operation name, for events */
	char			*ep;
	char			*path;
	char			*tag;
	uint16_t		 ids[4];
	int			 nids;
	int			 observe;	/* keeps matching notifications */
	int			 forgotten;	/* answer notifications with RST */
	int			 busy;		/* in its callback; the caller frees it */
	unsigned		 nresp;
	opreq_cb		 cb;
	void			*arg;
};
struct opreq	*opreq_send(struct op *, coap_session_t *, const struct opmsg *,
		    opreq_cb, void *, char **);
void		 opreq_set_names(struct opreq *, const char *, const char *,
		    const char *);
void		 opreq_free(struct op *, struct opreq *);
struct opreq	*opreq_find_observe(struct op *, const char *, const char *);
void		 opreq_session_gone(struct op *, coap_session_t *);
void		 opreq_drop_arg(struct op *, void *);
void		 opreq_purge(struct op *, coap_session_t *);
void		 opreq_setup(struct op *, coap_context_t *);

/* opbs.c: Bootstrap-Server role. */
struct opbs;
struct opbs	*opbs_create(struct op *, char **);
void		 opbs_free(struct opbs *);
int		 opbs_start(struct opbs *, const char *, const char *, int, char **);
void		 opbs_session_gone(struct opbs *, coap_session_t *);
void		 opbs_ready(struct opbs *, struct opevent *);
coap_context_t	*opbs_context(struct opbs *);

/* opsrv.c, opsrvcmd.c: LwM2M Server role. */
struct opsrv;
struct opsrv_reg {
	TAILQ_ENTRY(opsrv_reg)	 entry;
	unsigned		 id;
	char			*ep;
	int			 lifetime;
	char			*lwm2m;
	char			*binding;
	char			*objects;	/* JSON array */
	coap_session_t		*session;	/* not referenced; cleared when freed */
	coap_address_t		 remote;
	int			 live;
};
struct opsrv	*opsrv_create(struct op *, char **);
void		 opsrv_free(struct opsrv *);
struct opsrv_reg *opsrv_reg_find(struct opsrv *, const char *);
void		 opsrv_session_gone(struct opsrv *, coap_session_t *);
int		 opsrv_pause(struct opsrv *, char **);
int		 opsrv_resume(struct opsrv *, char **);
void		 opsrv_ready(struct opsrv *, struct opevent *);
coap_context_t	*opsrv_context(struct opsrv *);
struct opsrv_reg *opsrv_first(struct opsrv *);
int		 opsrvcmd_run(struct op *, const char *, char **, int, const char *,
		    char **);

/* opctl.c: commands from stdin and from the control socket. */
struct opctl;
struct opctl	*opctl_create(struct op *, const char *, int, char **);
void		 opctl_free(struct opctl *);
int		 opctl_fill(struct opctl *, struct pollfd *, int);
void		 opctl_process(struct opctl *, struct pollfd *, int);
void		 opctl_broadcast(struct opctl *, const char *, size_t);

/* operator.c: the process. */
struct optimer {
	TAILQ_ENTRY(optimer)	 entry;
	uint64_t		 when;
	void			(*cb)(struct op *, void *);
	void			*arg;
};
struct op {
	struct opscen		*scen;
	coap_context_t		*bsctx;
	coap_context_t		*srvctx;
	struct opbs		*bs;
	struct opsrv		*srv;
	struct opctl		*ctl;
	uint64_t		 t0;
	uint64_t		 next_token;
	int			 quit;
	TAILQ_HEAD(, opreq)	 reqs;
	TAILQ_HEAD(, optimer)	 timers;
};
struct optimer	*operator_timer_add(struct op *, int, void (*)(struct op *, void *),
		    void *);
void		 operator_timer_cancel(struct op *, void *);
void		 operator_command(struct op *, char *);
int		 operator_endpoint_port(coap_endpoint_t *);
coap_endpoint_t	*operator_endpoint(coap_context_t *, const char *, int, coap_proto_t,
		    coap_address_t *, char **);
coap_context_t	*operator_context(struct op *, char **);

#endif
