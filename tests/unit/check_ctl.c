/* Unit tests of the control socket protocol: requests, errors, malformed and silent clients. */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "ctl.h"

static struct event_base	*base;
static struct ctl		*ctl;
static char			 dir[] = "/tmp/check_ctl.XXXXXX";
static char			 sock[256];
static int			 last_json;

static int
cmd_echo(void *arg, int argc, char **argv, bool json, struct evbuffer *out,
    char **cause)
{
	int	i;

	last_json = json;
	for (i = 1; i < argc; i++)
		evbuffer_add_printf(out, "%s%s", argv[i], i + 1 < argc ? " " : "\n");
	return (0);
}

static int
cmd_fail(void *arg, int argc, char **argv, bool json, struct evbuffer *out,
    char **cause)
{
	*cause = strdup("no such device");
	return (-1);
}

static int
cmd_big(void *arg, int argc, char **argv, bool json, struct evbuffer *out,
    char **cause)
{
	int	i;

	for (i = 0; i < 100000; i++)
		evbuffer_add_printf(out, "row %06d\n", i);
	return (0);
}

static const struct ctl_command cmds[] = {
	{ "echo", "echo WORD...", 1, 8, cmd_echo },
	{ "fail", "fail", 0, 0, cmd_fail },
	{ "big", "big", 0, 0, cmd_big },
	{ NULL, NULL, 0, 0, NULL }
};

static void
setup(void)
{
	char	*cause = NULL;

	strcpy(dir, "/tmp/check_ctl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock, sizeof sock, "%s/ctl", dir);
	base = event_base_new();
	ctl = ctl_create(base, sock, cmds, NULL, &cause);
	ck_assert_msg(ctl != NULL, "%s", cause);
	ctl_set_timeout(ctl, 200);
}

static void
teardown(void)
{
	ctl_free(ctl);
	event_base_free(base);
	rmdir(dir);
}

static int
client_connect(void)
{
	struct sockaddr_un	sun;
	int			fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, sock);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return (fd);
}

/* Run the loop until the daemon side closes fd; returns everything it sent. */
static char *
client_read_all(int fd, size_t *lenp)
{
	static char	buf[4 << 20];
	size_t		len = 0;
	ssize_t		n;
	int		spins;

	for (spins = 0; spins < 5000; spins++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n == 0)
			break;
		if (n > 0) {
			len += n;
			continue;
		}
		ck_assert_int_eq(errno, EAGAIN);
		usleep(1000);
	}
	ck_assert_int_lt(spins, 5000);
	close(fd);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return (buf);
}

static char *
transact(const char *req, size_t len)
{
	int	fd = client_connect();

	ck_assert_int_eq(write(fd, req, len), (ssize_t)len);
	return (client_read_all(fd, NULL));
}

#define T(req)	transact(req, strlen(req))

START_TEST(request_ok)
{
	ck_assert_str_eq(T("echo a  b\tc\n"), "ok 6\na b c\n");
	ck_assert_int_eq(last_json, 0);
	ck_assert_str_eq(T("echo --json x\n"), "ok 2\nx\n");
	ck_assert_int_eq(last_json, 1);
	ck_assert_str_eq(T("echo crlf\r\n"), "ok 5\ncrlf\n");
}
END_TEST

START_TEST(request_errors)
{
	ck_assert_str_eq(T("nope\n"), "error: unknown command 'nope'\n");
	ck_assert_str_eq(T("echo\n"), "error: usage: echo WORD...\n");
	ck_assert_str_eq(T("fail\n"), "error: no such device\n");
	ck_assert_str_eq(T("\n"), "error: empty request\n");
	ck_assert_str_eq(T("--json\n"), "error: empty request\n");
	ck_assert_str_eq(T("echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n"),
	    "error: malformed request (printable ASCII, at most 16 words)\n");
}
END_TEST

START_TEST(malformed_bytes)
{
	static const char bin[] = "echo \x01\xff\n";

	ck_assert_str_eq(transact(bin, sizeof bin - 1),
	    "error: malformed request (printable ASCII, at most 16 words)\n");
}
END_TEST

START_TEST(too_long)
{
	char	big[4000];

	memset(big, 'a', sizeof big);
	ck_assert_str_eq(transact(big, sizeof big),
	    "error: request longer than 1024 bytes\n");
	/* The daemon still answers others afterwards. */
	ck_assert_str_eq(T("echo still\n"), "ok 6\nstill\n");
}
END_TEST

/* A client that connects and never speaks is answered and dropped after the timeout. */
START_TEST(silent_client)
{
	int	fd = client_connect();

	ck_assert_str_eq(client_read_all(fd, NULL),
	    "error: no request within 200 ms\n");
	ck_assert_str_eq(T("echo after\n"), "ok 6\nafter\n");
}
END_TEST

START_TEST(client_goes_away)
{
	int	fd = client_connect(), i;

	ck_assert_int_eq(write(fd, "ec", 2), 2);
	close(fd);
	for (i = 0; i < 20; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		usleep(1000);
	}
	ck_assert_str_eq(T("echo alive\n"), "ok 6\nalive\n");
}
END_TEST

/* 10,000-device answers are streamed, not cut. */
START_TEST(big_answer)
{
	size_t	len;
	int	fd = client_connect();
	char	*out;

	ck_assert_int_eq(write(fd, "big\n", 4), 4);
	out = client_read_all(fd, &len);
	ck_assert_uint_eq(len, strlen("ok 1100000\n") + 100000 * 11);
	ck_assert(strncmp(out, "ok 1100000\n", 11) == 0);
	ck_assert(strncmp(out + len - 11, "row 099999\n", 11) == 0);
}
END_TEST

/* A client that reads a long answer slowly, with pauses longer than the timeout, still
 * gets all of it: only a client that stops reading is dropped. */
START_TEST(slow_reader)
{
	static char	buf[4 << 20];
	size_t		len = 0;
	ssize_t		n;
	int		fd = client_connect(), i;

	ck_assert_int_eq(write(fd, "big\n", 4), 4);
	for (i = 0; i < 20000; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		n = read(fd, buf + len, i % 50 == 0 ? sizeof buf - len : 4096);
		if (n == 0)
			break;
		if (n > 0)
			len += n;
		/* A pause of 300 ms (timeout 200 ms) now and then, reading little. */
		usleep(i % 400 == 0 ? 300000 : 200);
	}
	close(fd);
	buf[len < 40 ? len : 40] = '\0';
	ck_assert_msg(len == strlen("ok 1100000\n") + 100000 * 11, "%zu bytes after %d "
	    "reads: %s", len, i, buf);
}
END_TEST

START_TEST(stale_socket_replaced)
{
	char		*cause = NULL;
	struct ctl	*again;

	/* The socket file of a crashed daemon does not stop a new one. */
	ctl_free(ctl);
	close(open(sock, O_CREAT | O_WRONLY, 0600));
	again = ctl_create(base, sock, cmds, NULL, &cause);
	ck_assert_msg(again != NULL, "%s", cause);
	ctl = again;
	ck_assert_str_eq(T("echo x\n"), "ok 2\nx\n");
}
END_TEST

START_TEST(table_aligned)
{
	static const char *const hdr[] = { "ENDPOINT", "STATE", "LINK" };
	static const char *const r1[] = { "sim0-1", "registered", "sim0" };
	static const char *const r2[] = { "uart0-serial-42", NULL, "uart0" };
	struct ctl_table	*t = ctl_table_create(3, hdr);
	struct evbuffer		*out = evbuffer_new();
	char			 buf[512];
	size_t			 n;

	ctl_table_row(t, r1);
	ctl_table_row(t, r2);
	ctl_table_emit(t, out);
	n = evbuffer_remove(out, buf, sizeof buf - 1);
	buf[n] = '\0';
	ck_assert_str_eq(buf,
	    "ENDPOINT         STATE       LINK\n"
	    "sim0-1           registered  sim0\n"
	    "uart0-serial-42  -           uart0\n");
	ctl_table_free(t);
	evbuffer_free(out);
}
END_TEST

START_TEST(json_escaped)
{
	struct evbuffer	*out = evbuffer_new();
	char		 buf[128];
	size_t		 n;

	ctl_json_str(out, "a\"b\\c\n\x01");
	n = evbuffer_remove(out, buf, sizeof buf - 1);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "\"a\\\"b\\\\c\\u000a\\u0001\"");
	evbuffer_free(out);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("ctl");
	TCase	*tc = tcase_create("protocol");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, request_ok);
	tcase_add_test(tc, request_errors);
	tcase_add_test(tc, malformed_bytes);
	tcase_add_test(tc, too_long);
	tcase_add_test(tc, silent_client);
	tcase_add_test(tc, client_goes_away);
	tcase_add_test(tc, big_answer);
	tcase_add_test(tc, slow_reader);
	tcase_add_test(tc, stale_socket_replaced);
	tcase_add_test(tc, table_aligned);
	tcase_add_test(tc, json_escaped);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
