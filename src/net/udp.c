/*
 * Non-blocking UDP sockets on libevent, one per virtual client. Every socket reads into the
 * receive buffer of its struct udp_shared: nothing is allocated per datagram.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "udp.h"
#include "xmalloc.h"

/* Datagrams read per readable event before returning to the loop, so one busy socket
 * cannot starve the others. */
#define UDP_BATCH	32
/* Receive buffer of each socket: room for bursts of retransmissions and block transfers. */
#define UDP_RCVBUF	(64 * 1024)

struct udp_shared {
	uint8_t	*buf;
	size_t	 size;
};

struct udp {
	struct udp_shared	*shared;
	int			 fd;
	struct event		*ev;
	udp_recv_fn		 cb;
	void			*arg;
	int			 depth;
	int			 dead;
	struct udp_stats	 stats;
};

struct udp_shared *
udp_shared_create(size_t bufsize)
{
	struct udp_shared	*us;

	us = xcalloc(1, sizeof *us);
	us->size = bufsize == 0 ? UDP_DEFAULT_BUFSIZE : bufsize;
	us->buf = xmalloc(us->size);
	return us;
}

void
udp_shared_free(struct udp_shared *us)
{
	if (us == NULL)
		return;
	free(us->buf);
	free(us);
}

int
udp_addr_parse(const char *host, uint16_t port, struct sockaddr_storage *ss,
    socklen_t *sslen, char **cause)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	const char		*h = host;
	char			*tmp = NULL;
	size_t			 len;

	memset(ss, 0, sizeof *ss);
	len = strlen(host);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		tmp = xstrndup(host + 1, len - 2);
		h = tmp;
	}
	if (inet_pton(AF_INET, h, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*sslen = sizeof *sin;
	} else if (inet_pton(AF_INET6, h, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*sslen = sizeof *sin6;
	} else {
		xasprintf(cause, "%s: not a numeric IPv4 or IPv6 address", host);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

const char *
udp_addr_str(const struct sockaddr *sa, socklen_t salen, char *buf, size_t len)
{
	char	host[INET6_ADDRSTRLEN], port[8];

	if (getnameinfo(sa, salen, host, sizeof host, port, sizeof port,
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (sa->sa_family == AF_INET6)
		snprintf(buf, len, "[%s]:%s", host, port);
	else
		snprintf(buf, len, "%s:%s", host, port);
	return buf;
}

static void
udp_destroy(struct udp *u)
{
	event_free(u->ev);
	close(u->fd);
	free(u);
}

static void
udp_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct udp		*u = arg;
	struct sockaddr_storage	 from;
	socklen_t		 fromlen;
	ssize_t			 n;
	int			 i;

	u->depth++;
	for (i = 0; i < UDP_BATCH && !u->dead; i++) {
		fromlen = sizeof from;
		n = recvfrom(fd, u->shared->buf, u->shared->size, MSG_TRUNC,
		    (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				/* ICMP errors (ECONNREFUSED) surface here; keep reading. */
				u->stats.rx_errors++;
				continue;
			}
			break;
		}
		if ((size_t)n > u->shared->size) {
			u->stats.rx_truncated++;
			continue;
		}
		u->stats.rx++;
		u->cb(u->arg, (struct sockaddr *)&from, fromlen, u->shared->buf, (size_t)n);
	}
	if (--u->depth == 0 && u->dead)
		udp_destroy(u);
}

struct udp *
udp_create(struct event_base *base, struct udp_shared *shared, const struct sockaddr *sa,
    socklen_t salen, udp_recv_fn cb, void *arg, char **cause)
{
	struct udp	*u;
	int		 fd, rcvbuf = UDP_RCVBUF, on = 1;

	fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return NULL;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) == -1)
		log_debug("SO_RCVBUF: %s", strerror(errno));
	if (sa->sa_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) == -1)
		log_debug("IPV6_V6ONLY: %s", strerror(errno));
	if (bind(fd, sa, salen) == -1) {
		xasprintf(cause, "bind: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	u = xcalloc(1, sizeof *u);
	u->shared = shared;
	u->fd = fd;
	u->cb = cb;
	u->arg = arg;
	u->ev = event_new(base, fd, EV_READ | EV_PERSIST, udp_read_cb, u);
	if (u->ev == NULL || event_add(u->ev, NULL) != 0)
		fatalx("cannot add UDP socket event");
	return u;
}

void
udp_free(struct udp *u)
{
	if (u == NULL)
		return;
	if (u->depth > 0) {
		/* Inside our own callback: stop reading, free on the way out. */
		u->dead = 1;
		event_del(u->ev);
		return;
	}
	udp_destroy(u);
}

int
udp_send(struct udp *u, const struct sockaddr *to, socklen_t tolen, const uint8_t *buf,
    size_t len)
{
	ssize_t	n;

	if (u->dead)
		return -1;
	n = sendto(u->fd, buf, len, 0, to, tolen);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
			u->stats.tx_dropped++;
		else
			u->stats.tx_errors++;
		return -1;
	}
	u->stats.tx++;
	return 0;
}

int
udp_local(struct udp *u, struct sockaddr_storage *ss, socklen_t *sslen)
{
	*sslen = sizeof *ss;
	return getsockname(u->fd, (struct sockaddr *)ss, sslen);
}

uint16_t
udp_port(struct udp *u)
{
	struct sockaddr_storage	ss;
	socklen_t		len;

	if (udp_local(u, &ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int
udp_fd(struct udp *u)
{
	return u->fd;
}

const struct udp_stats *
udp_stats(struct udp *u)
{
	return &u->stats;
}
