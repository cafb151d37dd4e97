/*
 * The serial link driver: a tty (USB adapter, UART, RS-485 transceiver) carrying the line
 * protocol of docs/serial-protocol.md to one sensor or, with addressed frames, to several
 * on a multi-drop bus. The tty is raw and non-blocking; reads come through an EV_READ
 * event, writes are queued in an evbuffer drained by EV_WRITE, so a slow or stuck line
 * never stalls the loop. When the tty goes away (unplugged USB adapter: EIO or EOF) its
 * sensors are gone and the driver reopens the path with a backoff; once it is back the
 * gateway asks the sensors to announce themselves and the device manager gives them back
 * their virtual clients. Frames are handled in serial_sensor.c.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "cfg.h"
#include "device.h"
#include "log.h"
#include "serial_int.h"
#include "xmalloc.h"

#define SERIAL_BACKOFF_MIN_S	1
#define SERIAL_BACKOFF_MAX_S	30
#define SERIAL_READ_CHUNK	1024
#define SERIAL_READS_PER_EVENT	16	/* then let the other events run */

static void	serial_open_timer(evutil_socket_t, short, void *);

/* The termios settings of a link's configuration; -1 and *cause if unsupported. */
static int
serial_termios(const struct cfg_link *lc, speed_t *speed, tcflag_t *cflag, char **cause)
{
	/* Checked by cfg already; the driver is also used without it (tests). */
	if (cfg_serial_speed(lc->baud, speed) != 0) {
		xasprintf(cause, "link %s: baud rate %d is not supported (use one of "
		    "1200 2400 4800 9600 19200 38400 57600 115200 230400 460800 "
		    "921600 ...)", lc->name, lc->baud);
		return (-1);
	}
	*cflag = CREAD | CLOCAL;
	switch (lc->data_bits) {
	case 5:
		*cflag |= CS5;
		break;
	case 6:
		*cflag |= CS6;
		break;
	case 7:
		*cflag |= CS7;
		break;
	case 8:
		*cflag |= CS8;
		break;
	default:
		xasprintf(cause, "link %s: data_bits must be 5 to 8, not %d", lc->name,
		    lc->data_bits);
		return (-1);
	}
	if (lc->stop_bits == 2)
		*cflag |= CSTOPB;
	else if (lc->stop_bits != 1) {
		xasprintf(cause, "link %s: stop_bits must be 1 or 2, not %d", lc->name,
		    lc->stop_bits);
		return (-1);
	}
	if (lc->parity == NULL || strcmp(lc->parity, "none") == 0)
		;
	else if (strcmp(lc->parity, "even") == 0)
		*cflag |= PARENB;
	else if (strcmp(lc->parity, "odd") == 0)
		*cflag |= PARENB | PARODD;
	else {
		xasprintf(cause, "link %s: parity must be \"none\", \"even\" or "
		    "\"odd\", not \"%s\"", lc->name, lc->parity);
		return (-1);
	}
	return (0);
}

/* Open and configure the tty: raw, non-blocking, the configured framing. */
static int
serial_tty_open(struct serial_link *sl, char **cause)
{
	struct termios	 t;
	int		 fd;

	if ((fd = open(sl->cfg->device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) ==
	    -1) {
		sl->open_errno = errno;
		xasprintf(cause, "%s: %s", sl->cfg->device, strerror(errno));
		return (-1);
	}
	if (tcgetattr(fd, &t) != 0) {
		sl->open_errno = errno;
		xasprintf(cause, "%s: not a terminal: %s", sl->cfg->device,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	cfmakeraw(&t);
	t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
	t.c_cflag |= sl->cflag;
	t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	if (sl->cflag & PARENB)
		t.c_iflag |= INPCK;	/* a byte with a parity error reads as NUL: refused */
	/*
	 * With O_NONBLOCK, VMIN 1 makes an empty read fail with EAGAIN, so that a read
	 * of 0 bytes means a hang-up (USB adapter unplugged); VMIN 0 would return 0 for
	 * both.
	 */
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (cfsetispeed(&t, sl->speed) != 0 || cfsetospeed(&t, sl->speed) != 0 ||
	    tcsetattr(fd, TCSANOW, &t) != 0) {
		sl->open_errno = errno;
		xasprintf(cause, "%s: cannot configure: %s", sl->cfg->device,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	/* Whatever was received before the line was raw is not ours to parse. */
	tcflush(fd, TCIFLUSH);
	sl->fd = fd;
	return (0);
}

static void
serial_schedule_open(struct serial_link *sl)
{
	struct timeval	tv = { sl->backoff, 0 };

	evtimer_add(sl->open_ev, &tv);
	if (sl->backoff < SERIAL_BACKOFF_MAX_S) {
		sl->backoff *= 2;
		if (sl->backoff > SERIAL_BACKOFF_MAX_S)
			sl->backoff = SERIAL_BACKOFF_MAX_S;
	}
}

/* The tty is gone (tell: its sensors are gone) or the link stops. */
static void
serial_close(struct serial_link *sl, bool tell)
{
	serial_sensors_gone(sl, tell);
	if (sl->read_ev != NULL) {
		event_free(sl->read_ev);
		sl->read_ev = NULL;
	}
	if (sl->write_ev != NULL) {
		event_free(sl->write_ev);
		sl->write_ev = NULL;
	}
	if (sl->fd != -1) {
		close(sl->fd);
		sl->fd = -1;
	}
	evbuffer_drain(sl->out, evbuffer_get_length(sl->out));
	sl->linelen = 0;
	sl->discarding = false;
}

static void
serial_lost(struct serial_link *sl, const char *why)
{
	log_warnx("link %s: %s lost (%s); reopening it when it is back",
	    sl->cfg->name, sl->cfg->device, why);
	serial_close(sl, true);
	sl->lost = true;
	sl->backoff = SERIAL_BACKOFF_MIN_S;
	sl->open_errno = 0;
	serial_schedule_open(sl);
}

/* Split what was read into lines; each complete line goes to the frame handler. */
static void
serial_input(struct serial_link *sl, const char *buf, size_t n)
{
	size_t	i;

	for (i = 0; i < n && sl->fd != -1; i++) {
		if (buf[i] == '\n') {
			if (sl->discarding)
				serial_bad(sl, SERIAL_BAD_LONG, NULL);
			else if (sl->linelen > 0)
				serial_line(sl, sl->line, sl->linelen);
			sl->linelen = 0;
			sl->discarding = false;
			continue;
		}
		if (sl->discarding)
			continue;
		if (sl->linelen == SERIAL_PROTO_LINE_MAX) {
			sl->discarding = true;
			continue;
		}
		sl->line[sl->linelen++] = buf[i];
	}
}

static void
serial_read_cb(evutil_socket_t fd, short events, void *arg)
{
	struct serial_link	*sl = arg;
	char			 buf[SERIAL_READ_CHUNK];
	ssize_t			 n;
	int			 i;

	for (i = 0; i < SERIAL_READS_PER_EVENT && sl->fd != -1; i++) {
		n = read(sl->fd, buf, sizeof buf);
		if (n > 0) {
			sl->bytes_in += (uint64_t)n;
			serial_input(sl, buf, (size_t)n);
			continue;
		}
		if (n == 0) {
			serial_lost(sl, "hang-up");
			return;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		serial_lost(sl, strerror(errno));
		return;
	}
}

static void
serial_write_cb(evutil_socket_t fd, short events, void *arg)
{
	struct serial_link	*sl = arg;
	int			 n;

	if (sl->fd == -1)
		return;
	n = evbuffer_write(sl->out, sl->fd);
	if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		serial_lost(sl, strerror(errno));
		return;
	}
	if (evbuffer_get_length(sl->out) > 0)
		event_add(sl->write_ev, NULL);
}

/* Queue one frame; -1 if the line is down or its queue is full (a stuck line). */
int
serial_send(struct serial_link *sl, unsigned addr, const char *body)
{
	char	frame[SERIAL_PROTO_LINE_MAX + 1];
	int	n;

	if (sl->fd == -1)
		return (-1);
	if ((n = serial_proto_frame(frame, sizeof frame, addr, body)) < 0) {
		log_debug("link %s: frame \"%s\" is too long", sl->cfg->name, body);
		return (-1);
	}
	if (evbuffer_get_length(sl->out) + (size_t)n > SERIAL_OUT_MAX) {
		log_debug("link %s: output queue full", sl->cfg->name);
		return (-1);
	}
	evbuffer_add(sl->out, frame, (size_t)n);
	event_add(sl->write_ev, NULL);
	return (0);
}

/* (Re)open the tty; on failure log once per distinct error and try again later. */
static void
serial_open_timer(evutil_socket_t fd, short events, void *arg)
{
	struct serial_link	*sl = arg;
	char			*cause = NULL;
	int			 was = sl->open_errno;

	if (serial_tty_open(sl, &cause) != 0) {
		if (sl->open_errno != was)
			log_warnx("link %s: %s; retrying (every %d s at most)",
			    sl->cfg->name, cause, SERIAL_BACKOFF_MAX_S);
		free(cause);
		serial_schedule_open(sl);
		return;
	}
	sl->open_errno = 0;
	sl->backoff = SERIAL_BACKOFF_MIN_S;
	sl->read_ev = event_new(sl->base, sl->fd, EV_READ | EV_PERSIST, serial_read_cb,
	    sl);
	sl->write_ev = event_new(sl->base, sl->fd, EV_WRITE, serial_write_cb, sl);
	event_add(sl->read_ev, NULL);
	if (sl->lost)
		log_notice("link %s: %s is back", sl->cfg->name, sl->cfg->device);
	else
		log_info("link %s: %s open at %d baud", sl->cfg->name,
		    sl->cfg->device, sl->cfg->baud);
	sl->lost = false;
	/* Sensors that were up all along announce again (docs: after (re)connect). */
	serial_send(sl, 0, "WHO");
}

static void
serial_link_free(struct serial_link *sl)
{
	if (sl == NULL)
		return;
	serial_close(sl, false);
	if (sl->open_ev != NULL)
		event_free(sl->open_ev);
	if (sl->tick_ev != NULL)
		event_free(sl->tick_ev);
	evbuffer_free(sl->out);
	free(sl);
}

static int
serial_start(struct device_link *link, char **cause)
{
	const struct cfg_link	*lc = device_link_cfg(link);
	struct serial_link	*sl;
	struct timeval		 tv = { 1, 0 };
	speed_t			 speed;
	tcflag_t		 cflag;

	if (lc->device == NULL || lc->device[0] == '\0') {
		xasprintf(cause, "link %s: no device", lc->name);
		return (-1);
	}
	if (serial_termios(lc, &speed, &cflag, cause) != 0)
		return (-1);
	sl = xcalloc(1, sizeof *sl);
	sl->link = link;
	sl->cfg = lc;
	sl->base = device_link_base(link);
	sl->speed = speed;
	sl->cflag = cflag;
	sl->fd = -1;
	sl->open_errno = -1;	/* the first failure is always logged */
	sl->backoff = SERIAL_BACKOFF_MIN_S;
	sl->next_corr = 1;
	TAILQ_INIT(&sl->sensors);
	if ((sl->out = evbuffer_new()) == NULL)
		fatalx("evbuffer_new");
	sl->open_ev = evtimer_new(sl->base, serial_open_timer, sl);
	sl->tick_ev = event_new(sl->base, -1, EV_PERSIST, serial_tick_timer, sl);
	event_add(sl->tick_ev, &tv);
	device_link_set_data(link, sl);
	/* A missing tty is not fatal: the adapter may be plugged in later. */
	serial_open_timer(-1, 0, sl);
	return (0);
}

static void
serial_stop(struct device_link *link)
{
	struct serial_link	*sl = device_link_data(link);

	if (sl == NULL)
		return;
	/* Best effort: the sensors learn that nobody listens any more. */
	if (sl->fd != -1) {
		serial_send(sl, 0, "BYE");
		evbuffer_write(sl->out, sl->fd);
	}
	serial_link_free(sl);
	device_link_set_data(link, NULL);
}

const struct device_driver device_serial_driver = {
	.type = "serial",
	.start = serial_start,
	.stop = serial_stop,
	.write = serial_write,
	.execute = serial_execute,
};
