/*
 * Unit tests of the serial driver on a pseudo-terminal: the test plays the sensors on the
 * master side, the driver runs on the slave (through a symlink, re-pointed to "replug"),
 * and the device manager is replaced by the recording stubs below. Issue 8 (serial south
 * driver): announcements, typed readings, bad frames counted and answered, Write/Execute
 * correlation, several addressed sensors, unplug and replug, configuration errors.
 */
#include "config.h"

#include <sys/stat.h>

#include <check.h>
#include <errno.h>
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

/* ------------------------------------------------------------ device manager stubs */

struct device {
	char		 id[40];
	char		 mfr[40];
	size_t		 nobjects;
	uint16_t	 oid0;
	void		*data;
	bool		 present;
	int		 appeared;	/* times */
};

struct reading {
	struct device		*dev;
	struct lwm2m_path	 path;
	struct lwm2m_value	 value;
	char			 str[64];
};

static struct device	 devs[8];
static size_t		 ndevs;
static struct reading	 readings[32];
static size_t		 nreadings;
static uint64_t		 done_cookie[16];
static int		 done_code[16];
static size_t		 ndone;
static int		 gone;

struct device *
device_appeared(struct device_link *link, const struct device_info *info, void *data,
    char **cause)
{
	struct device	*dev = NULL;
	size_t		 i;

	for (i = 0; i < ndevs; i++) {
		if (strcmp(devs[i].id, info->id) == 0)
			dev = &devs[i];
	}
	if (dev != NULL && dev->present) {
		xasprintf(cause, "sensor %s is present already", info->id);
		return (NULL);
	}
	if (dev == NULL) {
		ck_assert_uint_lt(ndevs, 8);
		dev = &devs[ndevs++];
		snprintf(dev->id, sizeof dev->id, "%s", info->id);
	}
	snprintf(dev->mfr, sizeof dev->mfr, "%s", info->manufacturer != NULL ?
	    info->manufacturer : "");
	dev->nobjects = info->nobjects;
	dev->oid0 = info->nobjects > 0 ? info->objects[0].oid : 0;
	dev->data = data;
	dev->present = true;
	dev->appeared++;
	return (dev);
}

int
device_reading(struct device *dev, const struct lwm2m_path *path,
    const struct lwm2m_value *value)
{
	struct reading	*r;

	ck_assert(dev->present);
	ck_assert_uint_lt(nreadings, 32);
	r = &readings[nreadings++];
	r->dev = dev;
	r->path = *path;
	r->value = *value;
	if (value->type == LWM2M_TYPE_STRING) {
		ck_assert_uint_lt(value->v.bytes.len, sizeof r->str);
		memcpy(r->str, value->v.bytes.ptr, value->v.bytes.len);
		r->str[value->v.bytes.len] = '\0';
	}
	return (0);
}

void
device_gone(struct device *dev)
{
	ck_assert(dev->present);
	dev->present = false;
	gone++;
}

void
device_done(struct device *dev, uint64_t cookie, int code)
{
	ck_assert_uint_lt(ndone, 16);
	done_cookie[ndone] = cookie;
	done_code[ndone++] = code;
}

void *
device_driver_data(struct device *dev)
{
	return (dev->data);
}

/* ------------------------------------------------------------ the sensor side */

static char		 tmpdir[] = "/tmp/check_serial.XXXXXX";
static char		 ttypath[600];
static int		 master = -1;
static struct event_base *base;
static struct cfg_link	 lc;
static struct device_link tlink;
static char		 rbuf[4096];
static size_t		 rlen;

/* A new pseudo-terminal behind the symlink ttypath. */
static void
plug(void)
{
	int	fd;

	fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(grantpt(fd), 0);
	ck_assert_int_eq(unlockpt(fd), 0);
	unlink(ttypath);
	ck_assert_int_eq(symlink(ptsname(fd), ttypath), 0);
	master = fd;
	rlen = 0;
}

static void
unplug(void)
{
	close(master);
	master = -1;
	unlink(ttypath);
}

static void
pump(int ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static void
put(unsigned addr, const char *body)
{
	char	frame[SERIAL_PROTO_LINE_MAX + 1];
	int	n;

	n = serial_proto_frame(frame, sizeof frame, addr, body);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(write(master, frame, (size_t)n), n);
}

static void
put_raw(const char *bytes, size_t len)
{
	ck_assert_int_eq(write(master, bytes, len), (ssize_t)len);
}

/* The next line the gateway sent, checked and without its checksum; waits up to 5 s. */
static const char *
next_line(void)
{
	static char		 out[SERIAL_PROTO_LINE_MAX + 1];
	struct serial_frame	 f;
	enum serial_bad		 bad;
	char			*nl, copy[SERIAL_PROTO_LINE_MAX + 1];
	ssize_t			 n;
	int			 i;

	for (i = 0; i < 500; i++) {
		if ((nl = memchr(rbuf, '\n', rlen)) != NULL) {
			size_t	len = (size_t)(nl - rbuf);

			ck_assert_uint_le(len + 1, SERIAL_PROTO_LINE_MAX);
			memcpy(copy, rbuf, len);
			ck_assert_int_eq(serial_proto_parse(copy, len, &f, &bad), 0);
			ck_assert_int_eq(rbuf[len - 1], '\r');
			memcpy(out, rbuf, len - 4);
			out[len - 4] = '\0';
			memmove(rbuf, nl + 1, rlen - len - 1);
			rlen -= len + 1;
			return (out);
		}
		pump(10);
		n = read(master, rbuf + rlen, sizeof rbuf - rlen);
		if (n > 0)
			rlen += (size_t)n;
	}
	ck_abort_msg("no line from the gateway");
	return (NULL);
}

static void
expect(const char *line)
{
	ck_assert_str_eq(next_line(), line);
}

static struct serial_link *
sl(void)
{
	return (tlink.data);
}

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(ttypath, sizeof ttypath, "%s/tty", tmpdir);
	base = event_base_new();
	memset(&lc, 0, sizeof lc);
	lc.name = (char *)"bus0";
	lc.type = CFG_LINK_SERIAL;
	lc.device = ttypath;
	lc.baud = 115200;
	lc.parity = (char *)"none";
	lc.data_bits = 8;
	lc.stop_bits = 1;
	memset(&tlink, 0, sizeof tlink);
	tlink.base = base;
	tlink.cfg = &lc;
	memset(devs, 0, sizeof devs);
	ndevs = nreadings = ndone = 0;
	gone = 0;
	plug();
}

static void
start(void)
{
	char	*cause = NULL;

	ck_assert_int_eq(device_serial_driver.start(&tlink, &cause), 0);
	expect("WHO");
}

static void
teardown(void)
{
	char	cmd[700];

	if (tlink.data != NULL)
		device_serial_driver.stop(&tlink);
	if (master != -1)
		unplug();
	event_base_free(base);
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(tmpdir, "/tmp/check_serial.XXXXXX");
}

/* A temperature sensor with a switch. */
static void
announce(unsigned addr, const char *id, const char *caps)
{
	char	hello[80];

	snprintf(hello, sizeof hello, "HELLO 1 %s %s", id, caps);
	put(addr, hello);
	put(addr, "INFO mfr \"Acme\"");
	put(addr, "INFO fw \"1.2\"");
	put(addr, "OBJ 3303 0");
	put(addr, "OBJ 3311 0");
	put(addr, "READY");
}

START_TEST(test_announce_report)
{
	start();
	announce(0, "T-1", "write,exec,future");
	expect("WELCOME 1 write,exec");
	ck_assert_uint_eq(ndevs, 1);
	ck_assert_str_eq(devs[0].id, "T-1");
	ck_assert_str_eq(devs[0].mfr, "Acme");
	ck_assert_uint_eq(devs[0].nobjects, 2);
	ck_assert_uint_eq(devs[0].oid0, 3303);

	put(0, "/3303/0/5700 21.5 /3303/0/5701 \"Cel\" /3311/0/5850 1");
	put(0, "PING");
	expect("PONG");
	ck_assert_uint_eq(nreadings, 3);
	ck_assert_uint_eq(readings[0].path.ids[2], 5700);
	ck_assert_int_eq(readings[0].value.type, LWM2M_TYPE_FLOAT);
	ck_assert_double_eq(readings[0].value.v.f, 21.5);
	ck_assert_int_eq(readings[1].value.type, LWM2M_TYPE_STRING);
	ck_assert_str_eq(readings[1].str, "Cel");
	ck_assert_int_eq(readings[2].value.type, LWM2M_TYPE_BOOLEAN);
	ck_assert(readings[2].value.v.b);
	/* An integer where the definition says float is a float. */
	put(0, "/3303/0/5700 22");
	put(0, "PING");
	expect("PONG");
	ck_assert_uint_eq(nreadings, 4);
	ck_assert_double_eq(readings[3].value.v.f, 22);
}
END_TEST

START_TEST(test_bad_frames)
{
	char	junk[300];

	start();
	announce(0, "T-1", "write");
	expect("WELCOME 1 write");
	/* Checked frames with wrong content: answered, counted, nothing stored. */
	put(0, "/3303/0/5700 \"hot\"");
	expect("ERR 4.00 \"value of the wrong type\"");
	put(0, "/3311/0/5850 2");
	expect("ERR 4.00 \"value of the wrong type\"");
	put(0, "/3303/1/5700 1");
	expect("ERR 4.04 \"instance not announced\"");
	put(0, "/3304/0/5700 1");
	expect("ERR 4.04 \"instance not announced\"");
	put(0, "/3303/0/9999 1");
	expect("ERR 4.04 \"no such resource\"");
	put(0, "/3303/0/5605 1");
	expect("ERR 4.04 \"no such resource\"");
	put(0, "/3303/0/5700/0 1");
	expect("ERR 4.04 \"no such resource\"");
	put(0, "FROB 1");
	expect("ERR 4.00 \"unknown verb\"");
	put(0, "OBJ 3303 0");
	expect("ERR 4.00 \"HELLO first\"");
	ck_assert_uint_eq(sl()->bad[SERIAL_BAD_VALUE], 2);
	ck_assert_uint_eq(sl()->bad[SERIAL_BAD_PATH], 5);
	/* Noise: only counted (the sender is unknown), the line goes on. */
	put_raw("/3303/0/5700 21.5*00\r\n", 22);
	put_raw("/3303/0/5700 21.5\r\n", 19);
	put_raw("PI\0NG*1F\r\n", 10);
	put_raw("\xff\xfe\xc3\xa9*00\n", 9);
	memset(junk, 'x', sizeof junk);
	junk[sizeof junk - 1] = '\n';
	put_raw(junk, sizeof junk);
	put(0, "PING");
	expect("PONG");
	ck_assert_uint_eq(sl()->bad[SERIAL_BAD_CHECKSUM], 2);
	ck_assert_uint_eq(sl()->bad[SERIAL_BAD_CHAR], 2);
	ck_assert_uint_eq(sl()->bad[SERIAL_BAD_LONG], 1);
	ck_assert_uint_eq(nreadings, 0);
	/* Still working after all that. */
	put(0, "/3303/0/5700 20");
	put(0, "PING");
	expect("PONG");
	ck_assert_uint_eq(nreadings, 1);
}
END_TEST

START_TEST(test_write_exec)
{
	struct lwm2m_path	p = LWM2M_PATH_RES(3311, 0, 5850);
	struct lwm2m_value	v = { .type = LWM2M_TYPE_BOOLEAN, .v.b = true };
	struct lwm2m_path	x = LWM2M_PATH_RES(3303, 0, 5605);

	start();
	announce(0, "T-1", "write,exec");
	expect("WELCOME 1 write,exec");
	ck_assert_int_eq(device_serial_driver.write(&tlink, &devs[0], 1001, &p, &v),
	    VCLIENT_PENDING);
	expect("WRITE 1 /3311/0/5850 1");
	ck_assert_int_eq(device_serial_driver.execute(&tlink, &devs[0], 1002, &x,
	    (const uint8_t *)"5='a b'", 7), VCLIENT_PENDING);
	expect("EXEC 2 /3303/0/5605 \"5='a b'\"");
	/* Answers in any order, matched by correlation id. */
	put(0, "RES 2 4.05");
	put(0, "RES 1 2.04");
	put(0, "RES 77 2.04");
	put(0, "PING");
	expect("PONG");
	ck_assert_uint_eq(ndone, 2);
	ck_assert_uint_eq(done_cookie[0], 1002);
	ck_assert_int_eq(done_code[0], LWM2M_ERR_METHOD_NOT_ALLOWED);
	ck_assert_uint_eq(done_cookie[1], 1001);
	ck_assert_int_eq(done_code[1], 0);
	ck_assert_uint_eq(sl()->bad[SERIAL_BAD_STATE], 1);
	/* A string too long for one line is refused at once. */
	v.type = LWM2M_TYPE_STRING;
	v.v.bytes.ptr = (const uint8_t *)"0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789012345678901234567890123456789";
	v.v.bytes.len = 110;
	ck_assert_int_eq(device_serial_driver.write(&tlink, &devs[0], 1003, &p, &v),
	    LWM2M_ERR_TOO_LARGE);
}
END_TEST

START_TEST(test_caps)
{
	struct lwm2m_path	p = LWM2M_PATH_RES(3311, 0, 5850);
	struct lwm2m_value	v = { .type = LWM2M_TYPE_BOOLEAN, .v.b = true };

	start();
	announce(0, "T-1", "-");
	expect("WELCOME 1 -");
	ck_assert_int_eq(device_serial_driver.write(&tlink, &devs[0], 1, &p, &v),
	    LWM2M_ERR_METHOD_NOT_ALLOWED);
	ck_assert_int_eq(device_serial_driver.execute(&tlink, &devs[0], 2, &p, NULL, 0),
	    LWM2M_ERR_METHOD_NOT_ALLOWED);
	/* A newer sensor is answered with the gateway's version. */
	put(0, "BYE");
	put(0, "HELLO 7 T-2 exec");
	put(0, "READY");
	expect("WELCOME 1 exec");
	ck_assert_int_eq(gone, 1);
	/* Objects the gateway owns or does not know are refused one by one. */
	put(0, "HELLO 1 T-3");
	put(0, "OBJ 3 0");
	expect("ERR 4.00 \"objects 0 to 3 are the gateway's\"");
	put(0, "OBJ 4242 0");
	expect("ERR 4.04 \"unknown object\"");
	/* A refused re-announcement leaves the objects announced before as they were. */
	put(0, "BYE");
	put(0, "HELLO 1 T-4");
	put(0, "OBJ 4 0");
	put(0, "OBJ 3303 0");
	put(0, "OBJ 4 0,1");
	expect("ERR 4.00 \"single-instance object\"");
	put(0, "READY");
	expect("WELCOME 1 -");
	ck_assert_str_eq(devs[ndevs - 1].id, "T-4");
	ck_assert_uint_eq(devs[ndevs - 1].nobjects, 2);
}
END_TEST

START_TEST(test_multidrop)
{
	start();
	announce(1, "A", "write");
	expect("@1 WELCOME 1 write");
	announce(2, "B", "write");
	expect("@2 WELCOME 1 write");
	ck_assert_uint_eq(ndevs, 2);
	put(2, "/3303/0/5700 30");
	put(1, "/3303/0/5700 10");
	put(2, "PING");
	expect("@2 PONG");
	ck_assert_uint_eq(nreadings, 2);
	ck_assert_str_eq(readings[0].dev->id, "B");
	ck_assert_str_eq(readings[1].dev->id, "A");
	/* A sensor the gateway does not know is asked to announce itself. */
	put(3, "/3303/0/5700 1");
	expect("@3 WHO");
	/* An identity already on the line. */
	put(4, "HELLO 1 A");
	expect("@4 ERR 4.00 \"identity in use on this link\"");
	/* A sensor restarting announces again: gone, then back. */
	announce(1, "A", "write");
	expect("@1 WELCOME 1 write");
	ck_assert_int_eq(gone, 1);
	ck_assert_int_eq(devs[0].appeared, 2);
	ck_assert(devs[0].present);
}
END_TEST

START_TEST(test_unplug_replug)
{
	struct lwm2m_path	p = LWM2M_PATH_RES(3311, 0, 5850);
	struct lwm2m_value	v = { .type = LWM2M_TYPE_BOOLEAN, .v.b = false };
	int			i;

	start();
	announce(1, "A", "write");
	expect("@1 WELCOME 1 write");
	announce(2, "B", "write");
	expect("@2 WELCOME 1 write");
	ck_assert_int_eq(device_serial_driver.write(&tlink, &devs[0], 7, &p, &v),
	    VCLIENT_PENDING);
	expect("@1 WRITE 1 /3311/0/5850 0");
	unplug();
	for (i = 0; i < 100 && gone < 2; i++)
		pump(10);
	ck_assert_int_eq(gone, 2);
	ck_assert_int_eq(sl()->fd, -1);
	ck_assert_uint_eq(ndone, 1);
	ck_assert_uint_eq(done_cookie[0], 7);
	ck_assert_int_eq(done_code[0], LWM2M_ERR_SERVICE_UNAVAILABLE);
	/* Writes while unplugged are refused at once. */
	ck_assert_int_eq(device_serial_driver.write(&tlink, &devs[0], 8, &p, &v),
	    LWM2M_ERR_SERVICE_UNAVAILABLE);
	/* Back (another pty at the same path): announcements are requested. */
	plug();
	expect("WHO");
	announce(1, "A", "write");
	expect("@1 WELCOME 1 write");
	ck_assert_uint_eq(ndevs, 2);
	ck_assert_int_eq(devs[0].appeared, 2);
}
END_TEST

START_TEST(test_silent)
{
	start();
	announce(0, "T-1", "write");
	expect("WELCOME 1 write");
	/* Pretend the sensor was last heard long ago. */
	TAILQ_FIRST(&sl()->sensors)->heard -= SERIAL_PING_S;
	expect("PING");
	TAILQ_FIRST(&sl()->sensors)->heard -= SERIAL_SILENT_S;
	pump(1100);
	ck_assert_int_eq(gone, 1);
	ck_assert(TAILQ_EMPTY(&sl()->sensors));
}
END_TEST

START_TEST(test_config)
{
	char	*cause = NULL;

	lc.baud = 12345;
	ck_assert_int_eq(device_serial_driver.start(&tlink, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "baud rate 12345 is not supported"));
	free(cause);
	cause = NULL;
	lc.baud = 9600;
	lc.parity = (char *)"mark";
	ck_assert_int_eq(device_serial_driver.start(&tlink, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "parity"));
	free(cause);
	cause = NULL;
	lc.parity = (char *)"odd";
	lc.data_bits = 4;
	ck_assert_int_eq(device_serial_driver.start(&tlink, &cause), -1);
	free(cause);
	cause = NULL;
	lc.data_bits = 7;
	lc.stop_bits = 2;
	/* A tty that is not there yet is not an error: the driver waits for it. */
	unplug();
	ck_assert_int_eq(device_serial_driver.start(&tlink, &cause), 0);
	ck_assert_int_eq(sl()->fd, -1);
	device_serial_driver.stop(&tlink);
	/* Not a terminal. */
	ck_assert_int_eq(symlink("/dev/null", ttypath), 0);
	ck_assert_int_eq(device_serial_driver.start(&tlink, &cause), 0);
	ck_assert_int_eq(sl()->fd, -1);
	ck_assert_int_eq(sl()->open_errno, ENOTTY);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("serial");
	TCase	*tc = tcase_create("driver");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_announce_report);
	tcase_add_test(tc, test_bad_frames);
	tcase_add_test(tc, test_write_exec);
	tcase_add_test(tc, test_caps);
	tcase_add_test(tc, test_multidrop);
	tcase_add_test(tc, test_unplug_replug);
	tcase_add_test(tc, test_silent);
	tcase_add_test(tc, test_config);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? 0 : 1);
}
