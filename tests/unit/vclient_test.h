/*
 * Test helpers for the LwM2M layer: a configuration in memory, a context on a private
 * event base, and a fake LwM2M server on a loopback UDP socket that builds CoAP messages by
 * hand and parses them with libcoap, so it shares no messaging code with the vclient.
 */
#ifndef LWGW_VCLIENT_TEST_H
#define LWGW_VCLIENT_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "vclient.h"

struct event_base;

/* A configuration with n NoSec factory servers on 127.0.0.1 at ports[i] (ssid 101 + i). */
struct cfg	*vt_cfg(size_t n, const uint16_t *ports, int lifetime);
void		 vt_cfg_free(struct cfg *);
/* Short protocol timers for tests. */
void		 vt_params(struct vclient_params *);

#define VT_MAX_OPT	24
struct vt_msg {
	uint8_t		 type;
	uint8_t		 code;
	uint16_t	 mid;
	uint8_t		 token[8];
	uint8_t		 tkl;
	int64_t		 observe;	/* -1 absent */
	int32_t		 format;	/* -1 absent */
	char		 path[128];	/* "rd/abc" */
	char		 query[256];	/* "ep=x&lt=20" */
	uint8_t		 payload[4096];
	size_t		 len;
	uint16_t	 from_port;
};

struct vt_server {
	int		 fd;
	uint16_t	 port;
	uint16_t	 next_mid;
};

int	 vt_server_open(struct vt_server *);
void	 vt_server_close(struct vt_server *);
/*
 * Run the event loop until a datagram arrives at the server (true) or timeout_ms passes
 * (false). Empty ACKs are skipped when skip_empty.
 */
bool	 vt_recv(struct vt_server *, struct event_base *, int timeout_ms, struct vt_msg *,
	    bool skip_empty);
/* Run the loop for ms milliseconds. */
void	 vt_run(struct event_base *, int ms);

/*
 * Send a message to port. path "3/0/1" (may be NULL), query "pmin=1&pmax=2" (may be NULL),
 * observe < 0 absent, format/accept < 0 absent, location "rd/5" (may be NULL).
 */
struct vt_send {
	uint8_t		 type;
	uint8_t		 code;
	uint16_t	 mid;		/* 0: the server's next */
	const uint8_t	*token;
	uint8_t		 tkl;
	const char	*path;
	const char	*query;
	const char	*location;
	int64_t		 observe;
	int32_t		 format;
	int32_t		 accept;
	const void	*payload;
	size_t		 len;
};
void	 vt_send_init(struct vt_send *);
uint16_t vt_send(struct vt_server *, uint16_t port, const struct vt_send *);
/* Reply to m: ACK (piggybacked) with code, and a location for 2.01. */
void	 vt_reply(struct vt_server *, const struct vt_msg *, uint8_t code,
	    const char *location);
/* A request from the server to the vclient; waits for its piggybacked response. */
bool	 vt_request(struct vt_server *, struct event_base *, uint16_t port,
	    const struct vt_send *, struct vt_msg *rsp);
/* Wait for the Register and accept it with Location rd/<loc>. */
bool	 vt_accept_register(struct vt_server *, struct event_base *, const char *loc,
	    struct vt_msg *reg);

#endif
