/*
 * Unit tests of the serial line protocol (docs/serial-protocol.md): the frame parser on
 * every kind of malformed line, the encoder, value typing and round trips, the capability
 * exchange. Issue 8 (serial south driver).
 */
#include "config.h"

#include <check.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serial_proto.h"

static char	line[512];

/* Frame body (with the checksum) into the static line, without CR LF; its length. */
static size_t
mk(unsigned addr, const char *body)
{
	int	n;

	n = serial_proto_frame(line, sizeof line, addr, body);
	ck_assert_int_gt(n, 2);
	line[n - 2] = '\0';
	return ((size_t)n - 2);
}

/* Parse a literal line (checksum included or not) and return the reason for failure. */
static enum serial_bad
parse_bad(const char *text, size_t len)
{
	struct serial_frame	f;
	enum serial_bad		bad;
	char			buf[512];

	memcpy(buf, text, len);
	ck_assert_int_eq(serial_proto_parse(buf, len, &f, &bad), -1);
	ck_assert_int_ne(bad, SERIAL_BAD_NONE);
	return (bad);
}

/* A body framed with a correct checksum, expected to fail for a reason after it. */
static enum serial_bad
body_bad(const char *body)
{
	struct serial_frame	f;
	enum serial_bad		bad;
	size_t			n = mk(0, body);

	ck_assert_int_eq(serial_proto_parse(line, n, &f, &bad), -1);
	return (bad);
}

static void
parse_ok(unsigned addr, const char *body, struct serial_frame *f)
{
	enum serial_bad	bad;
	size_t		n = mk(addr, body);

	ck_assert_msg(serial_proto_parse(line, n, f, &bad) == 0, "%s: %s", body,
	    serial_proto_bad_name(bad));
	ck_assert_uint_eq(f->addr, addr);
}

START_TEST(test_crc8)
{
	/* CRC-8/SMBUS check value. */
	ck_assert_uint_eq(serial_proto_crc8("123456789", 9), 0xF4);
	ck_assert_uint_eq(serial_proto_crc8("", 0), 0);
	mk(0, "PING");
	ck_assert_str_eq(line, "PING*1F");
}
END_TEST

START_TEST(test_report)
{
	struct serial_frame	f;
	struct lwm2m_value	v;

	parse_ok(0, "/3303/0/5700 21.5", &f);
	ck_assert_int_eq(f.verb, SERIAL_VERB_REPORT);
	ck_assert_uint_eq(f.nreports, 1);
	ck_assert_uint_eq(f.reports[0].path.len, 3);
	ck_assert_uint_eq(f.reports[0].path.ids[0], 3303);
	ck_assert_uint_eq(f.reports[0].path.ids[2], 5700);
	ck_assert_int_eq(serial_proto_value(&f.reports[0].value, LWM2M_TYPE_FLOAT, &v), 0);
	ck_assert_double_eq(v.v.f, 21.5);

	parse_ok(12, "/3303/0/5700 -3 /3303/0/5701 \"Cel\" /3304/1/5700 4e1", &f);
	ck_assert_uint_eq(f.nreports, 3);
	ck_assert_int_eq(serial_proto_value(&f.reports[1].value, LWM2M_TYPE_STRING, &v), 0);
	ck_assert_uint_eq(v.v.bytes.len, 3);
	ck_assert_int_eq(memcmp(v.v.bytes.ptr, "Cel", 3), 0);
	ck_assert_uint_eq(f.reports[2].path.ids[1], 1);

	/* A resource instance. */
	parse_ok(0, "/3/0/7/1 3300", &f);
	ck_assert_uint_eq(f.reports[0].path.len, 4);
	ck_assert_uint_eq(f.reports[0].path.ids[3], 1);
}
END_TEST

START_TEST(test_announce)
{
	struct serial_frame	f;

	parse_ok(0, "HELLO 1 SN-0042 write,exec", &f);
	ck_assert_int_eq(f.verb, SERIAL_VERB_HELLO);
	ck_assert_uint_eq(f.version, 1);
	ck_assert_str_eq(f.id, "SN-0042");
	ck_assert_uint_eq(f.caps, SERIAL_CAP_WRITE | SERIAL_CAP_EXEC);

	/* Unknown capabilities are ignored (newer sensors), none at all is fine. */
	parse_ok(3, "HELLO 2 a.b:c_d exec,fancy", &f);
	ck_assert_uint_eq(f.version, 2);
	ck_assert_uint_eq(f.caps, SERIAL_CAP_EXEC);
	parse_ok(0, "HELLO 1 x", &f);
	ck_assert_uint_eq(f.caps, 0);
	parse_ok(0, "HELLO 1 x -", &f);
	ck_assert_uint_eq(f.caps, 0);

	parse_ok(0, "INFO mfr \"Acme \\\"Sensors\\\" Ltd\"", &f);
	ck_assert_int_eq(f.info, SERIAL_INFO_MFR);
	ck_assert_str_eq(f.arg.p, "Acme \"Sensors\" Ltd");
	parse_ok(0, "INFO fw \"1.0.3\"", &f);
	ck_assert_int_eq(f.info, SERIAL_INFO_FW);

	parse_ok(0, "OBJ 3303 0,1,7", &f);
	ck_assert_int_eq(f.verb, SERIAL_VERB_OBJ);
	ck_assert_uint_eq(f.oid, 3303);
	ck_assert_uint_eq(f.niids, 3);
	ck_assert_uint_eq(f.iids[2], 7);

	parse_ok(0, "READY", &f);
	ck_assert_int_eq(f.verb, SERIAL_VERB_READY);
	parse_ok(0, "WELCOME 1 write", &f);
	ck_assert_int_eq(f.verb, SERIAL_VERB_WELCOME);
	ck_assert_uint_eq(f.caps, SERIAL_CAP_WRITE);
	parse_ok(0, "WHO", &f);
	ck_assert_int_eq(f.verb, SERIAL_VERB_WHO);
	parse_ok(0, "BYE", &f);
	ck_assert_int_eq(f.verb, SERIAL_VERB_BYE);
	parse_ok(0, "PONG", &f);
	ck_assert_int_eq(f.verb, SERIAL_VERB_PONG);
}
END_TEST

START_TEST(test_requests)
{
	struct serial_frame	f;
	struct lwm2m_value	v;

	parse_ok(5, "WRITE 65535 /3311/0/5850 1", &f);
	ck_assert_int_eq(f.verb, SERIAL_VERB_WRITE);
	ck_assert_uint_eq(f.corr, 65535);
	ck_assert_uint_eq(f.path.ids[0], 3311);
	ck_assert_int_eq(serial_proto_value(&f.arg, LWM2M_TYPE_BOOLEAN, &v), 0);
	ck_assert(v.v.b);

	parse_ok(0, "EXEC 7 /3303/0/5605", &f);
	ck_assert_int_eq(f.verb, SERIAL_VERB_EXEC);
	ck_assert_uint_eq(f.arg.len, 0);
	parse_ok(0, "EXEC 8 /3303/0/5605 \"0='x'\"", &f);
	ck_assert_str_eq(f.arg.p, "0='x'");

	parse_ok(5, "RES 7 2.04", &f);
	ck_assert_int_eq(f.verb, SERIAL_VERB_RES);
	ck_assert_int_eq(f.code, 0);
	parse_ok(5, "RES 8 4.05", &f);
	ck_assert_int_eq(f.code, LWM2M_ERR_METHOD_NOT_ALLOWED);
	parse_ok(0, "ERR 4.00 \"bad path\"", &f);
	ck_assert_int_eq(f.code, LWM2M_ERR_BAD_REQUEST);
	ck_assert_str_eq(f.arg.p, "bad path");
	parse_ok(0, "ERR 5.03", &f);
	ck_assert_int_eq(f.code, LWM2M_ERR_SERVICE_UNAVAILABLE);
}
END_TEST

START_TEST(test_checksum)
{
	size_t	n;

	/* Missing. */
	ck_assert_int_eq(parse_bad("PING", 4), SERIAL_BAD_CHECKSUM);
	ck_assert_int_eq(parse_bad("PING*", 5), SERIAL_BAD_CHECKSUM);
	ck_assert_int_eq(parse_bad("PING*1", 6), SERIAL_BAD_CHECKSUM);
	/* Wrong, not hex, one bit flipped in the body. */
	ck_assert_int_eq(parse_bad("PING*1E", 7), SERIAL_BAD_CHECKSUM);
	ck_assert_int_eq(parse_bad("PING*7G", 7), SERIAL_BAD_CHECKSUM);
	ck_assert_int_eq(parse_bad("PINF*1F", 7), SERIAL_BAD_CHECKSUM);
	ck_assert_int_eq(parse_bad("*01", 3), SERIAL_BAD_CHECKSUM);
	/* Lower-case hex and a CR before the LF are accepted. */
	n = mk(0, "/3303/0/5700 1");
	line[n - 1] = (char)tolower((unsigned char)line[n - 1]);
	line[n - 2] = (char)tolower((unsigned char)line[n - 2]);
	line[n] = '\r';
	{
		struct serial_frame	f;
		enum serial_bad		bad;

		ck_assert_int_eq(serial_proto_parse(line, n + 1, &f, &bad), 0);
	}
	/* A '*' inside a string does not confuse the checksum. */
	{
		struct serial_frame	f;

		parse_ok(0, "INFO model \"T*1\"", &f);
		ck_assert_str_eq(f.arg.p, "T*1");
	}
}
END_TEST

START_TEST(test_long)
{
	char			body[200];
	struct serial_frame	f;
	enum serial_bad		bad;
	int			n;

	/* 126 bytes before CR LF is the most: "INFO sn " + quoted string + "*HH". */
	memset(body, 0, sizeof body);
	memcpy(body, "INFO sn \"", 9);
	memset(body + 9, 'a', 113);
	body[122] = '"';
	ck_assert_uint_eq(strlen(body) + 5, 128);
	n = serial_proto_frame(line, sizeof line, 0, body);
	ck_assert_int_eq(n, 128);
	ck_assert_int_eq(serial_proto_parse(line, 128 - 2, &f, &bad), 0);
	ck_assert_uint_eq(f.arg.len, 113);

	/* One more byte is too long, for the encoder and the parser. */
	body[122] = 'a';
	body[123] = '"';
	ck_assert_int_eq(serial_proto_frame(line, sizeof line, 0, body), -1);
	memset(line, 'A', 127);
	ck_assert_int_eq(serial_proto_parse(line, 127, &f, &bad), -1);
	ck_assert_int_eq(bad, SERIAL_BAD_LONG);
	/* A line too long for the encoder's buffer. */
	ck_assert_int_eq(serial_proto_frame(line, 20, 0, "/3303/0/5700 21.5"), -1);
}
END_TEST

START_TEST(test_chars)
{
	char	buf[32];
	size_t	n;

	/* NUL, control characters, non-ASCII, a CR inside: checked before the checksum. */
	n = mk(0, "/3303/0/5700 1");
	memcpy(buf, line, n);
	buf[3] = '\0';
	ck_assert_int_eq(parse_bad(buf, n), SERIAL_BAD_CHAR);
	buf[3] = '\t';
	ck_assert_int_eq(parse_bad(buf, n), SERIAL_BAD_CHAR);
	buf[3] = (char)0xC3;
	ck_assert_int_eq(parse_bad(buf, n), SERIAL_BAD_CHAR);
	buf[3] = (char)0x7F;
	ck_assert_int_eq(parse_bad(buf, n), SERIAL_BAD_CHAR);
	buf[3] = '\r';
	ck_assert_int_eq(parse_bad(buf, n), SERIAL_BAD_CHAR);
	/* The encoder refuses them too. */
	ck_assert_int_eq(serial_proto_frame(line, sizeof line, 0, "PI\001NG"), -1);
	ck_assert_int_eq(serial_proto_frame(line, sizeof line, 0, "PI\xC3NG"), -1);
}
END_TEST

START_TEST(test_address)
{
	struct serial_frame	f;

	parse_ok(1, "PING", &f);
	parse_ok(247, "PING", &f);
	ck_assert_int_eq(body_bad("@0 PING"), SERIAL_BAD_ADDRESS);
	ck_assert_int_eq(body_bad("@248 PING"), SERIAL_BAD_ADDRESS);
	ck_assert_int_eq(body_bad("@07 PING"), SERIAL_BAD_ADDRESS);
	ck_assert_int_eq(body_bad("@ PING"), SERIAL_BAD_ADDRESS);
	ck_assert_int_eq(body_bad("@12PING"), SERIAL_BAD_ADDRESS);
	ck_assert_int_eq(body_bad("@12"), SERIAL_BAD_ADDRESS);
	ck_assert_int_eq(body_bad("@1234 PING"), SERIAL_BAD_ADDRESS);
	ck_assert_int_eq(body_bad("@-1 PING"), SERIAL_BAD_ADDRESS);
	ck_assert_int_eq(serial_proto_frame(line, sizeof line, 248, "PING"), -1);
}
END_TEST

START_TEST(test_verbs)
{
	ck_assert_int_eq(body_bad("HOWDY"), SERIAL_BAD_VERB);
	ck_assert_int_eq(body_bad("ping"), SERIAL_BAD_VERB);
	ck_assert_int_eq(body_bad("\"PING\""), SERIAL_BAD_VERB);
	ck_assert_int_eq(body_bad("3303/0/5700 1"), SERIAL_BAD_VERB);
	ck_assert_int_eq(body_bad(""), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("   "), SERIAL_BAD_SYNTAX);
	/* Argument counts. */
	ck_assert_int_eq(body_bad("PING 1"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("HELLO 1"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("HELLO 1 a write x"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("WRITE 1 /3311/0/5850"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("RES 1"), SERIAL_BAD_SYNTAX);
}
END_TEST

START_TEST(test_bad_args)
{
	/* Versions, identities, capabilities. */
	ck_assert_int_eq(body_bad("HELLO 0 a"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("HELLO 256 a"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("HELLO x a"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("HELLO 1 a/b"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("HELLO 1 ../x"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("HELLO 1 .hidden"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("HELLO 1 \"a\""), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("HELLO 1 abcdefghijabcdefghijabcdefghijabc"),
	    SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("HELLO 1 a write,"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("HELLO 1 a write,,exec"), SERIAL_BAD_SYNTAX);
	/* INFO: known keys, quoted values without NUL. */
	ck_assert_int_eq(body_bad("INFO colour \"red\""), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("INFO mfr Acme"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("INFO mfr \"A\\x00B\""), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("INFO mfr \"A\\xC3\\xA9\""), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("INFO mfr \"A\\nB\""), SERIAL_BAD_SYNTAX);
	/* OBJ: ids, instance lists. */
	ck_assert_int_eq(body_bad("OBJ 65535 0"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("OBJ 3303 0,0"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("OBJ 3303 0,"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("OBJ 3303 ,1"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("OBJ 3303 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16"),
	    SERIAL_BAD_SYNTAX);
	/* Correlation ids and codes. */
	ck_assert_int_eq(body_bad("RES 0 2.04"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("RES 65536 2.04"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("RES 1 2.4"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("RES 1 3.00"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("RES 1 4.32"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("RES 1 6.00"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("EXEC 1 /3303/0/5605 0"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("EXEC 1 /3303/0/5605/1"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("ERR 4.00 reason"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("ERR"), SERIAL_BAD_SYNTAX);
}
END_TEST

START_TEST(test_bad_paths)
{
	ck_assert_int_eq(body_bad("/3303/0 1"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("/3303 1"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("/ 1"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("/3303/x/5700 1"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("/3303//5700 1"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("/3303/0/5700/ 1"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("/65535/0/5700 1"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("/3303/0/05700 1"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("/1/2/3/4/5 1"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("/3303/-1/5700 1"), SERIAL_BAD_SYNTAX);
	/* Pairs: a path without a value, too many pairs, a path where a value goes. */
	ck_assert_int_eq(body_bad("/3303/0/5700"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("/3303/0/5700 1 /3303/0/5701"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("/3/0/1 1 /3/0/1 1 /3/0/1 1 /3/0/1 1 /3/0/1 1 /3/0/1 1 "
	    "/3/0/1 1 /3/0/1 1 /3/0/1 1"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("WRITE 1 3311/0/5850 1"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("WRITE 1 /3311/0 1"), SERIAL_BAD_SYNTAX);
}
END_TEST

START_TEST(test_truncated)
{
	/* Unterminated strings and escapes; a quote glued to a word. */
	ck_assert_int_eq(body_bad("INFO mfr \"Acme"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("INFO mfr \"Acme\\\""), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("INFO mfr \"Acme\\"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("INFO mfr \"A\\x4\""), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("INFO mfr \"A\\xZZ\""), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("INFO mfr \"A\\q\""), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("INFO mfr \"A\"B"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("INFO mfr A\"B\""), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("HELLO"), SERIAL_BAD_SYNTAX);
	ck_assert_int_eq(body_bad("WRITE"), SERIAL_BAD_SYNTAX);
	/* A frame cut in the middle by line noise has a wrong checksum. */
	mk(0, "/3303/0/5700 21.5");
	ck_assert_int_eq(parse_bad(line, 8), SERIAL_BAD_CHECKSUM);
}
END_TEST

static int
val(const char *body, enum lwm2m_type type, struct lwm2m_value *v)
{
	struct serial_frame	f;
	char			b[160];

	snprintf(b, sizeof b, "/3303/0/5700 %s", body);
	parse_ok(0, b, &f);
	return (serial_proto_value(&f.reports[0].value, type, v));
}

START_TEST(test_values)
{
	struct lwm2m_value	v;

	ck_assert_int_eq(val("-42", LWM2M_TYPE_INTEGER, &v), 0);
	ck_assert_int_eq(v.v.i, -42);
	ck_assert_int_eq(val("9223372036854775807", LWM2M_TYPE_INTEGER, &v), 0);
	ck_assert_int_eq(v.v.i, INT64_MAX);
	ck_assert_int_eq(val("18446744073709551615", LWM2M_TYPE_UNSIGNED, &v), 0);
	ck_assert_uint_eq(v.v.u, UINT64_MAX);
	ck_assert_int_eq(val("1700000000", LWM2M_TYPE_TIME, &v), 0);
	ck_assert_int_eq(v.v.i, 1700000000);
	ck_assert_int_eq(val("21", LWM2M_TYPE_FLOAT, &v), 0);
	ck_assert_double_eq(v.v.f, 21);
	ck_assert_int_eq(val("-1.25e-3", LWM2M_TYPE_FLOAT, &v), 0);
	ck_assert_double_eq(v.v.f, -1.25e-3);
	ck_assert_int_eq(val("0", LWM2M_TYPE_BOOLEAN, &v), 0);
	ck_assert(!v.v.b);
	ck_assert_int_eq(val("3303:1", LWM2M_TYPE_OBJLNK, &v), 0);
	ck_assert_uint_eq(v.v.objlnk.oid, 3303);
	ck_assert_uint_eq(v.v.objlnk.iid, 1);
	ck_assert_int_eq(val("\"\\x00\\xFF\\n\"", LWM2M_TYPE_OPAQUE, &v), 0);
	ck_assert_uint_eq(v.v.bytes.len, 3);
	ck_assert_uint_eq(v.v.bytes.ptr[1], 0xFF);
	ck_assert_int_eq(val("\"\"", LWM2M_TYPE_STRING, &v), 0);
	ck_assert_uint_eq(v.v.bytes.len, 0);
}
END_TEST

START_TEST(test_wrong_types)
{
	struct lwm2m_value	v;

	ck_assert_int_eq(val("21.5", LWM2M_TYPE_INTEGER, &v), -1);
	ck_assert_int_eq(val("\"21\"", LWM2M_TYPE_INTEGER, &v), -1);
	ck_assert_int_eq(val("9223372036854775808", LWM2M_TYPE_INTEGER, &v), -1);
	ck_assert_int_eq(val("+1", LWM2M_TYPE_INTEGER, &v), -1);
	ck_assert_int_eq(val("0x10", LWM2M_TYPE_INTEGER, &v), -1);
	ck_assert_int_eq(val("-1", LWM2M_TYPE_UNSIGNED, &v), -1);
	ck_assert_int_eq(val("18446744073709551616", LWM2M_TYPE_UNSIGNED, &v), -1);
	ck_assert_int_eq(val("abc", LWM2M_TYPE_FLOAT, &v), -1);
	ck_assert_int_eq(val("nan", LWM2M_TYPE_FLOAT, &v), -1);
	ck_assert_int_eq(val("inf", LWM2M_TYPE_FLOAT, &v), -1);
	ck_assert_int_eq(val("1e999", LWM2M_TYPE_FLOAT, &v), -1);
	ck_assert_int_eq(val(".5", LWM2M_TYPE_FLOAT, &v), -1);
	ck_assert_int_eq(val("5.", LWM2M_TYPE_FLOAT, &v), -1);
	ck_assert_int_eq(val("1e", LWM2M_TYPE_FLOAT, &v), -1);
	ck_assert_int_eq(val("2", LWM2M_TYPE_BOOLEAN, &v), -1);
	ck_assert_int_eq(val("true", LWM2M_TYPE_BOOLEAN, &v), -1);
	ck_assert_int_eq(val("Cel", LWM2M_TYPE_STRING, &v), -1);
	ck_assert_int_eq(val("\"a\\x00b\"", LWM2M_TYPE_STRING, &v), -1);
	ck_assert_int_eq(val("00ff", LWM2M_TYPE_OPAQUE, &v), -1);
	ck_assert_int_eq(val("3303", LWM2M_TYPE_OBJLNK, &v), -1);
	ck_assert_int_eq(val("3303:", LWM2M_TYPE_OBJLNK, &v), -1);
	ck_assert_int_eq(val("1", LWM2M_TYPE_NONE, &v), -1);
}
END_TEST

/* Format, frame, parse, type: the same value comes back. */
static void
roundtrip(const struct lwm2m_value *in)
{
	struct serial_frame	f;
	struct lwm2m_value	out;
	char			body[SERIAL_PROTO_LINE_MAX];
	size_t			off;

	off = (size_t)snprintf(body, sizeof body, "WRITE 9 /3303/0/5700 ");
	ck_assert_int_eq(serial_proto_format_value(body, sizeof body, &off, in), 0);
	parse_ok(0, body, &f);
	ck_assert_int_eq(serial_proto_value(&f.arg, in->type, &out), 0);
	switch (in->type) {
	case LWM2M_TYPE_FLOAT:
		ck_assert_msg(out.v.f == in->v.f && signbit(out.v.f) == signbit(in->v.f),
		    "%s", body);
		break;
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_OPAQUE:
		ck_assert_uint_eq(out.v.bytes.len, in->v.bytes.len);
		ck_assert_int_eq(memcmp(out.v.bytes.ptr, in->v.bytes.ptr,
		    in->v.bytes.len), 0);
		break;
	case LWM2M_TYPE_BOOLEAN:
		ck_assert_int_eq(out.v.b, in->v.b);
		break;
	case LWM2M_TYPE_OBJLNK:
		ck_assert_uint_eq(out.v.objlnk.oid, in->v.objlnk.oid);
		ck_assert_uint_eq(out.v.objlnk.iid, in->v.objlnk.iid);
		break;
	case LWM2M_TYPE_UNSIGNED:
		ck_assert_uint_eq(out.v.u, in->v.u);
		break;
	default:
		ck_assert_int_eq(out.v.i, in->v.i);
		break;
	}
}

START_TEST(test_roundtrip)
{
	static const double	 floats[] = { 0.1, -0.0, 21.5, 1e300, -2.2250738585072014e-308,
	    1.0 / 3, 123456789.123456789 };
	struct lwm2m_value	 v;
	uint8_t			 bytes[24];
	size_t			 i, j;

	for (i = 0; i < sizeof floats / sizeof *floats; i++) {
		v.type = LWM2M_TYPE_FLOAT;
		v.v.f = floats[i];
		roundtrip(&v);
	}
	v.type = LWM2M_TYPE_INTEGER;
	v.v.i = INT64_MIN;
	roundtrip(&v);
	v.type = LWM2M_TYPE_UNSIGNED;
	v.v.u = UINT64_MAX;
	roundtrip(&v);
	v.type = LWM2M_TYPE_BOOLEAN;
	v.v.b = true;
	roundtrip(&v);
	v.type = LWM2M_TYPE_OBJLNK;
	v.v.objlnk.oid = 65535;
	v.v.objlnk.iid = 65535;
	roundtrip(&v);
	v.type = LWM2M_TYPE_STRING;
	v.v.bytes.ptr = (const uint8_t *)"say \"hi\" \\ *42\t\r\n";
	v.v.bytes.len = strlen((const char *)v.v.bytes.ptr);
	roundtrip(&v);
	/* Every byte value goes through opaque. */
	for (i = 0; i < 256; i += sizeof bytes / 4) {
		for (j = 0; j < sizeof bytes / 4; j++)
			bytes[j] = (uint8_t)(i + j);
		v.type = LWM2M_TYPE_OPAQUE;
		v.v.bytes.ptr = bytes;
		v.v.bytes.len = sizeof bytes / 4;
		roundtrip(&v);
	}
	/* Non-finite floats and over-long strings cannot be sent. */
	{
		char	body[40];
		size_t	off = 0;

		v.type = LWM2M_TYPE_FLOAT;
		v.v.f = INFINITY;
		ck_assert_int_eq(serial_proto_format_value(body, sizeof body, &off, &v),
		    -1);
		v.type = LWM2M_TYPE_STRING;
		v.v.bytes.ptr = (const uint8_t *)"0123456789012345678901234567890123456789";
		v.v.bytes.len = 40;
		strcpy(body, "X ");
		off = 2;
		ck_assert_int_eq(serial_proto_format_value(body, sizeof body, &off, &v),
		    -1);
		ck_assert_uint_eq(off, 2);
		ck_assert_str_eq(body, "X ");
	}
}
END_TEST

START_TEST(test_negotiate)
{
	unsigned	ver, caps;
	char		buf[32];

	/* A sensor speaking version 1 with both capabilities. */
	ck_assert_int_eq(serial_proto_negotiate(1, SERIAL_CAP_ALL, &ver, &caps), 0);
	ck_assert_uint_eq(ver, 1);
	ck_assert_uint_eq(caps, SERIAL_CAP_ALL);
	/* A newer sensor gets the gateway's version; it falls back or says BYE. */
	ck_assert_int_eq(serial_proto_negotiate(9, SERIAL_CAP_WRITE | 0x80, &ver, &caps),
	    0);
	ck_assert_uint_eq(ver, SERIAL_PROTO_VERSION);
	ck_assert_uint_eq(caps, SERIAL_CAP_WRITE);
	ck_assert_int_eq(serial_proto_negotiate(0, 0, &ver, &caps), -1);
	ck_assert_str_eq(serial_proto_caps_format(SERIAL_CAP_ALL, buf, sizeof buf),
	    "write,exec");
	ck_assert_str_eq(serial_proto_caps_format(SERIAL_CAP_EXEC, buf, sizeof buf),
	    "exec");
	ck_assert_str_eq(serial_proto_caps_format(0, buf, sizeof buf), "-");
}
END_TEST

START_TEST(test_codes)
{
	char	buf[8];
	int	code = 99;

	serial_proto_code_format(0, buf, sizeof buf);
	ck_assert_str_eq(buf, "2.04");
	serial_proto_code_format(LWM2M_CONTENT, buf, sizeof buf);
	ck_assert_str_eq(buf, "2.05");
	serial_proto_code_format(LWM2M_ERR_GATEWAY_TIMEOUT, buf, sizeof buf);
	ck_assert_str_eq(buf, "5.04");
	serial_proto_code_format(LWM2M_ERR_TOO_LARGE, buf, sizeof buf);
	ck_assert_str_eq(buf, "4.13");
	ck_assert_int_eq(serial_proto_code_parse("4.13", &code), 0);
	ck_assert_int_eq(code, LWM2M_ERR_TOO_LARGE);
	ck_assert_int_eq(serial_proto_code_parse("2.01", &code), 0);
	ck_assert_int_eq(code, 0);
	code = 99;
	ck_assert_int_eq(serial_proto_code_parse("4.0", &code), -1);
	ck_assert_int_eq(serial_proto_code_parse("4.000", &code), -1);
	ck_assert_int_eq(serial_proto_code_parse("x.00", &code), -1);
	ck_assert_int_eq(code, 99);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("serial_proto");
	TCase	*tc = tcase_create("frames");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_crc8);
	tcase_add_test(tc, test_report);
	tcase_add_test(tc, test_announce);
	tcase_add_test(tc, test_requests);
	tcase_add_test(tc, test_checksum);
	tcase_add_test(tc, test_long);
	tcase_add_test(tc, test_chars);
	tcase_add_test(tc, test_address);
	tcase_add_test(tc, test_verbs);
	tcase_add_test(tc, test_bad_args);
	tcase_add_test(tc, test_bad_paths);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_wrong_types);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_negotiate);
	tcase_add_test(tc, test_codes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? 0 : 1);
}
