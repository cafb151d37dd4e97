/*
 * One non-blocking UDP socket per virtual client (IPv4 or IPv6). Datagrams are read into a
 * receive buffer shared by every socket of the process (struct udp_shared, created once), so
 * receiving allocates nothing; the callback must copy what it keeps.
 */
#ifndef LWGW_UDP_H
#define LWGW_UDP_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct udp;
struct udp_shared;

/* A datagram arrived. data is valid only during the call. */
typedef void (*udp_recv_fn)(void *arg, const struct sockaddr *from, socklen_t fromlen,
    const uint8_t *data, size_t len);

struct udp_stats {
	uint64_t	rx;		/* datagrams delivered */
	uint64_t	rx_truncated;	/* larger than the receive buffer: dropped */
	uint64_t	rx_errors;
	uint64_t	tx;
	uint64_t	tx_dropped;	/* EAGAIN/ENOBUFS: dropped, as UDP may */
	uint64_t	tx_errors;
};

/* Receive buffer size used when 0 is passed: the largest UDP payload. */
#define UDP_DEFAULT_BUFSIZE	65536

struct udp_shared *udp_shared_create(size_t bufsize);
void		 udp_shared_free(struct udp_shared *);

/* Parse a numeric IPv4/IPv6 address and a port into ss. */
int		 udp_addr_parse(const char *host, uint16_t port,
		    struct sockaddr_storage *ss, socklen_t *sslen, char **cause);
/* "1.2.3.4:5683" or "[::1]:5683" into buf (at least 64 bytes). */
const char	*udp_addr_str(const struct sockaddr *, socklen_t, char *buf, size_t len);

struct udp	*udp_create(struct event_base *, struct udp_shared *,
		    const struct sockaddr *bind_addr, socklen_t bind_len,
		    udp_recv_fn, void *arg, char **cause);
/* Freeing from inside the socket's own receive callback is allowed. */
void		 udp_free(struct udp *);
int		 udp_send(struct udp *, const struct sockaddr *to, socklen_t tolen,
		    const uint8_t *buf, size_t len);
int		 udp_local(struct udp *, struct sockaddr_storage *, socklen_t *);
uint16_t	 udp_port(struct udp *);
int		 udp_fd(struct udp *);
const struct udp_stats *udp_stats(struct udp *);

#endif
