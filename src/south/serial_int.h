/* Internals of the serial driver shared by serial.c (tty) and serial_sensor.c (frames). */
#ifndef LWGW_SERIAL_INT_H
#define LWGW_SERIAL_INT_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>
#include <termios.h>
#include <time.h>

#include <event2/util.h>

#include "device.h"
#include "serial_proto.h"

struct cfg_link;
struct event;
struct event_base;
struct evbuffer;

#define SERIAL_OBJECTS_MAX	16	/* objects one sensor may announce */
#define SERIAL_PENDING_MAX	64	/* Writes/Executes awaiting a RES per link */
#define SERIAL_PENDING_TTL_S	60	/* forget a correlation id after this */
#define SERIAL_OUT_MAX		8192	/* bytes queued for a line before frames drop */
#define SERIAL_PING_S		20	/* PING a sensor silent for this long */
#define SERIAL_SILENT_S		60	/* a sensor silent for this long is gone */
#define SERIAL_ANNOUNCE_S	10	/* HELLO to READY */
#define SERIAL_BAD_LOG_S	10	/* one log line per burst of bad frames */
#define SERIAL_WHO_S		5	/* unknown senders: at most one WHO this often */

struct serial_link;

struct serial_object {
	uint16_t		 oid;
	uint16_t		 iids[SERIAL_PROTO_IIDS_MAX];
	size_t			 niids;
	const struct dm_object	*def;
};

/* One sensor on the line: announcing (dev NULL) or present. */
struct serial_sensor {
	struct serial_link	*sl;
	unsigned		 addr;		/* 0: the unaddressed sensor */
	struct device		*dev;
	char			 id[SERIAL_PROTO_ID_MAX + 1];
	char			*info[4];	/* enum serial_info */
	unsigned		 version;
	unsigned		 caps;
	struct serial_object	 objs[SERIAL_OBJECTS_MAX];
	size_t			 nobjs;
	time_t			 heard;		/* last valid frame */
	time_t			 pinged;	/* 0: no PING outstanding */
	TAILQ_ENTRY(serial_sensor) entry;
};
TAILQ_HEAD(serial_sensors, serial_sensor);

/* A Write or Execute sent, awaiting its RES. */
struct serial_pending {
	struct serial_sensor	*sensor;	/* NULL: free slot */
	uint16_t		 corr;
	uint64_t		 cookie;
	time_t			 sent;
};

struct serial_link {
	struct device_link	*link;
	const struct cfg_link	*cfg;
	struct event_base	*base;
	speed_t			 speed;
	tcflag_t		 cflag;
	int			 fd;		/* -1 while the tty is away */
	int			 open_errno;	/* last open failure logged */
	int			 backoff;	/* s before the next open attempt */
	bool			 lost;		/* the tty went away since it was open */
	struct event		*open_ev;
	struct event		*read_ev;
	struct event		*write_ev;
	struct event		*tick_ev;
	struct evbuffer		*out;
	char			 line[SERIAL_PROTO_LINE_MAX + 1];
	size_t			 linelen;
	bool			 discarding;	/* an over-long line: skip to LF */
	struct serial_sensors	 sensors;
	struct serial_pending	 pending[SERIAL_PENDING_MAX];
	uint16_t		 next_corr;
	uint64_t		 bytes_in;
	uint64_t		 frames;	/* valid frames */
	uint64_t		 bad[SERIAL_BAD_NKINDS];
	uint64_t		 bad_quiet;	/* bad frames not logged yet */
	time_t			 bad_logged;
	time_t			 who_sent;
};

/* serial.c */
int	serial_send(struct serial_link *, unsigned addr, const char *body);

/* serial_sensor.c */
time_t	serial_now(struct serial_link *);
void	serial_line(struct serial_link *, char *line, size_t len);
void	serial_bad(struct serial_link *, enum serial_bad, const char *detail);
void	serial_sensors_gone(struct serial_link *, bool tell);
void	serial_tick_timer(evutil_socket_t, short, void *);
int	serial_write(struct device_link *, struct device *, uint64_t cookie,
	    const struct lwm2m_path *, const struct lwm2m_value *);
int	serial_execute(struct device_link *, struct device *, uint64_t cookie,
	    const struct lwm2m_path *, const uint8_t *, size_t);

#endif
