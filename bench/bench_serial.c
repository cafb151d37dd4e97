/*
 * Serial link throughput, readings per second on one link:
 *   parse	serial_proto_parse + serial_proto_value on report lines (the pure parser)
 *   driver	the driver's frame handling (announcement checks, typing by the object
 *		definition) into a stub device_reading, lines handed over in memory
 *   pty	the same through a pseudo-terminal and the driver's libevent reads
 * Usage: bench_serial [seconds per case, default 2]
 */
#include "config.h"

#include <sys/time.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "cfg.h"
#include "device.h"
#include "device_link_stub.h"
#include "serial_int.h"
#include "serial_proto.h"
#include "xmalloc.h"

struct device {
	void	*data;
};

static struct device	bench_dev;
static uint64_t		bench_readings;

struct device *
device_appeared(struct device_link *link, const struct device_info *info, void *data,
    char **cause)
{
	bench_dev.data = data;
	return (&bench_dev);
}

int
device_reading(struct device *dev, const struct lwm2m_path *path,
    const struct lwm2m_value *value)
{
	bench_readings++;
	return (0);
}

void
device_gone(struct device *dev)
{
}

void
device_done(struct device *dev, uint64_t cookie, int code)
{
}

void *
device_driver_data(struct device *dev)
{
	return (dev->data);
}

static double
bench_now(void)
{
	struct timeval	tv;

	gettimeofday(&tv, NULL);
	return ((double)tv.tv_sec + (double)tv.tv_usec / 1e6);
}

/* Report frames as a sensor sends them: temperature, humidity, a switch. */
static size_t
bench_lines(char lines[][SERIAL_PROTO_LINE_MAX + 1], size_t *lens)
{
	static const char *const bodies[] = {
		"/3303/0/5700 21.57",
		"/3304/0/5700 48.2",
		"/3311/0/5850 1",
		"/3303/0/5700 -3.25 /3303/0/5601 -4",
	};
	size_t	i;
	int	n;

	for (i = 0; i < 4; i++) {
		n = serial_proto_frame(lines[i], SERIAL_PROTO_LINE_MAX + 1, 0, bodies[i]);
		if (n < 0)
			abort();
		lens[i] = (size_t)n;
	}
	return (4);
}

static void
bench_parse(double secs)
{
	char			 lines[4][SERIAL_PROTO_LINE_MAX + 1], buf[SERIAL_PROTO_LINE_MAX + 1];
	size_t			 lens[4], n = bench_lines(lines, lens), i;
	struct serial_frame	 f;
	struct lwm2m_value	 v;
	enum serial_bad		 bad;
	uint64_t		 count = 0, values = 0;
	double			 t0 = bench_now(), t;

	do {
		for (i = 0; i < 1000; i++) {
			memcpy(buf, lines[i % n], lens[i % n]);
			if (serial_proto_parse(buf, lens[i % n] - 2, &f, &bad) != 0 ||
			    serial_proto_value(&f.reports[0].value, LWM2M_TYPE_FLOAT,
			    &v) != 0)
				abort();
			values += f.nreports;
		}
		count += 1000;
	} while ((t = bench_now() - t0) < secs);
	printf("parse   %10.0f frames/s %10.0f readings/s\n", (double)count / t,
	    (double)values / t);
}

static void
bench_announce(struct serial_link *sl)
{
	static const char *const hello[] = {
		"HELLO 1 bench write", "OBJ 3303 0", "OBJ 3304 0", "OBJ 3311 0", "READY",
	};
	char	buf[SERIAL_PROTO_LINE_MAX + 1];
	size_t	i;
	int	n;

	for (i = 0; i < 5; i++) {
		n = serial_proto_frame(buf, sizeof buf, 0, hello[i]);
		serial_line(sl, buf, (size_t)n - 1);
	}
	if (bench_dev.data == NULL)
		abort();
}

static void
bench_driver(struct device_link *link, double secs)
{
	char		 lines[4][SERIAL_PROTO_LINE_MAX + 1], buf[SERIAL_PROTO_LINE_MAX + 1];
	size_t		 lens[4], n = bench_lines(lines, lens), i;
	uint64_t	 count = 0;
	double		 t0 = bench_now(), t;

	bench_readings = 0;
	do {
		for (i = 0; i < 1000; i++) {
			memcpy(buf, lines[i % n], lens[i % n]);
			serial_line(link->data, buf, lens[i % n] - 1);
		}
		count += 1000;
	} while ((t = bench_now() - t0) < secs);
	if (((struct serial_link *)link->data)->bad_quiet != 0)
		abort();
	printf("driver  %10.0f frames/s %10.0f readings/s\n", (double)count / t,
	    (double)bench_readings / t);
}

static void
bench_pty(struct device_link *link, int master, double secs)
{
	char		 lines[4][SERIAL_PROTO_LINE_MAX + 1], chunk[4096];
	size_t		 lens[4], n = bench_lines(lines, lens), used = 0, i = 0, off = 0;
	uint64_t	 frames = 0;
	double		 t0 = bench_now(), t;
	ssize_t		 w;

	bench_readings = 0;
	do {
		/* Fill the pty with whole frames, let the driver read them. */
		while (used + lens[i % n] <= sizeof chunk) {
			memcpy(chunk + used, lines[i % n], lens[i % n]);
			used += lens[i % n];
			i++;
		}
		while (off < used && (w = write(master, chunk + off, used - off)) > 0)
			off += (size_t)w;
		if (off == used) {
			frames = i;
			used = off = 0;
		}
		event_base_loop(link->base, EVLOOP_NONBLOCK);
	} while ((t = bench_now() - t0) < secs);
	printf("pty     %10.0f frames/s %10.0f readings/s\n", (double)frames / t,
	    (double)bench_readings / t);
}

int
main(int argc, char **argv)
{
	struct device_link	 link;
	struct cfg_link		 lc;
	char			 dir[] = "/tmp/bench_serial.XXXXXX", path[64], *cause = NULL;
	double			 secs = argc > 1 ? atof(argv[1]) : 2;
	int			 master;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof path, "%s/tty", dir);
	if ((master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK)) == -1 ||
	    grantpt(master) != 0 || unlockpt(master) != 0 ||
	    symlink(ptsname(master), path) != 0)
		abort();
	memset(&lc, 0, sizeof lc);
	lc.name = (char *)"bench";
	lc.device = path;
	lc.baud = 115200;
	lc.data_bits = 8;
	lc.stop_bits = 1;
	memset(&link, 0, sizeof link);
	link.base = event_base_new();
	link.cfg = &lc;
	if (device_serial_driver.start(&link, &cause) != 0)
		abort();
	bench_announce(link.data);

	bench_parse(secs);
	bench_driver(&link, secs);
	bench_pty(&link, master, secs);

	device_serial_driver.stop(&link);
	event_base_free(link.base);
	close(master);
	unlink(path);
	rmdir(dir);
	return (0);
}
