/* Unit tests of the configuration: good files, and bad ones with exact FILE:LINE messages. */
#include "config.h"

#include <sys/stat.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cfg.h"

static char	tmpdir[] = "/tmp/check_cfg.XXXXXX";
static char	path[512];

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof path, "%s/t.conf", tmpdir);
}

static void
teardown(void)
{
	char	cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(tmpdir, "/tmp/check_cfg.XXXXXX");
}

static void
write_file(const char *name, const char *text)
{
	FILE	*f = fopen(name, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Load text as a config file; returns the cfg or NULL with the errors in *errs. */
static struct cfg *
load(const char *text, char **errs, int *n)
{
	write_file(path, text);
	return (cfg_load(path, errs, n));
}

/* The expected error text, with the temporary file's name filled in for every %s. */
static char *
expect(const char *fmt)
{
	char	*out = malloc(4096), *o = out;

	for (; *fmt != '\0'; fmt++) {
		if (fmt[0] == '%' && fmt[1] == 's') {
			o += sprintf(o, "%s", path);
			fmt++;
		} else
			*o++ = *fmt;
	}
	*o = '\0';
	return (out);
}

static void
assert_errors(const char *text, const char *want_fmt, int want_n)
{
	char		*errs, *want = expect(want_fmt);
	int		 n;
	struct cfg	*cfg = load(text, &errs, &n);

	ck_assert_ptr_null(cfg);
	ck_assert_ptr_nonnull(errs);
	ck_assert_str_eq(errs, want);
	ck_assert_int_eq(n, want_n);
	free(errs);
	free(want);
}

#define MINIMAL_LINKS "links = ( { name = \"sim0\"; type = \"sim\"; } );\n"

START_TEST(good_full)
{
	char		*errs;
	int		 n;
	struct cfg	*cfg = load(
	    "gateway = { allow_insecure = true; state_dir = \"/tmp/x\";\n"
	    "  bind = \"::\"; };\n"
	    "coap = { ack_timeout_ms = 100; ack_random_factor = 1; };\n"
	    "bootstrap = { uri = \"coap://[::1]:5690\"; security = \"nosec\";\n"
	    "  hold_off = 3; };\n"
	    "servers = (\n"
	    "  { ssid = 101; uri = \"coaps://[::1]:5684\"; psk_key = \"hex:0a0B\"; },\n"
	    "  { ssid = 102; uri = \"coap://lwm2m.example\"; security = \"nosec\";\n"
	    "    lifetime = 60; binding = \"UQ\"; }\n"
	    ");\n"
	    "links = ( { name = \"sim0\"; type = \"sim\"; devices = 5;\n"
	    "  objects = [3303, 3304]; waveform = \"step\"; },\n"
	    "  { name = \"uart0\"; type = \"serial\"; device = \"/dev/null\";\n"
	    "    baud = 9600; parity = \"even\"; },\n"
	    "  { name = \"ble0\"; type = \"ble\"; adapter = \"hci1\";\n"
	    "    allow = [\"AA:BB:CC:DD:EE:0f\"];\n"
	    "    uuids = [\"181A\", \"0000fcd2-0000-1000-8000-00805f9b34fb\"];\n"
	    "    name_pattern = \"Thermo*\";\n"
	    "    bus = \"unix:path=/run/x/bus,guid=00ff\"; } );\n",
	    &errs, &n);

	ck_assert_msg(cfg != NULL, "%s", errs);
	ck_assert_ptr_null(cfg->warnings);
	ck_assert_str_eq(cfg->gateway.state_dir, "/tmp/x");
	ck_assert_str_eq(cfg->gateway.endpoint, "{link}-{id}");
	ck_assert_int_eq(cfg->coap.ack_timeout_ms, 100);
	ck_assert_double_eq(cfg->coap.ack_random_factor, 1.0);
	ck_assert_int_eq(cfg->coap.max_retransmit, 4);
	ck_assert_int_eq(cfg->coap.block_size, 1024);
	ck_assert_int_eq(cfg->lwm2m.retry_attempts, 5);
	ck_assert_int_eq(cfg->lwm2m.shutdown_timeout_ms, 5000);
	ck_assert_int_eq(cfg->lwm2m.max_inflight, 128);
	ck_assert(cfg->has_bootstrap);
	ck_assert_int_eq(cfg->bootstrap.security, CFG_SECURITY_NOSEC);
	ck_assert_int_eq(cfg->bootstrap.hold_off, 3);
	ck_assert_int_eq(cfg->bootstrap.parsed.port, 5690);
	ck_assert_uint_eq(cfg->nservers, 2);
	ck_assert_int_eq(cfg->servers[0].ssid, 101);
	ck_assert_int_eq(cfg->servers[0].security, CFG_SECURITY_PSK);
	ck_assert_uint_eq(cfg->servers[0].psk_key_len, 2);
	ck_assert_int_eq(cfg->servers[0].psk_key[0], 0x0a);
	ck_assert_int_eq(cfg->servers[0].psk_key[1], 0x0b);
	ck_assert_str_eq(cfg->servers[0].parsed.host, "::1");
	ck_assert_int_eq(cfg->servers[0].lifetime, 300);
	ck_assert(cfg->servers[0].notification_storing);
	ck_assert_int_eq(cfg->servers[1].lifetime, 60);
	ck_assert_int_eq(cfg->servers[1].parsed.port, 5683);
	ck_assert_str_eq(cfg->servers[1].binding, "UQ");
	ck_assert_uint_eq(cfg->nlinks, 3);
	ck_assert_int_eq(cfg->links[0].type, CFG_LINK_SIM);
	ck_assert_int_eq(cfg->links[0].devices, 5);
	ck_assert_uint_eq(cfg->links[0].nobjects, 2);
	ck_assert_int_eq(cfg->links[0].objects[1], 3304);
	ck_assert_int_eq(cfg->links[0].waveform, CFG_WAVE_STEP);
	ck_assert_int_eq(cfg->links[0].period_ms, 1000);
	ck_assert_int_eq(cfg->links[1].type, CFG_LINK_SERIAL);
	ck_assert_int_eq(cfg->links[1].baud, 9600);
	ck_assert_str_eq(cfg->links[1].parity, "even");
	ck_assert_str_eq(cfg->links[2].adapter, "hci1");
	ck_assert_uint_eq(cfg->links[2].nallow, 1);
	ck_assert_str_eq(cfg->links[2].allow[0], "AA:BB:CC:DD:EE:0f");
	ck_assert_uint_eq(cfg->links[2].nuuids, 2);
	ck_assert_str_eq(cfg->links[2].uuids[0], "181A");
	ck_assert_str_eq(cfg->links[2].uuids[1],
	    "0000fcd2-0000-1000-8000-00805f9b34fb");
	ck_assert_str_eq(cfg->links[2].name_pattern, "Thermo*");
	ck_assert_uint_eq(cfg->links[0].nuuids, 0);
	cfg_free(cfg);
}
END_TEST

/* The shipped files load: conf/lwgw.conf with every option at its default. */
START_TEST(shipped_files)
{
	const char	*top = getenv("top_srcdir");
	char		 file[1024], *errs;
	int		 n;
	struct cfg	*cfg;

	if (top == NULL)
		top = ".";
	snprintf(file, sizeof file, "%s/conf/lwgw.conf", top);
	cfg = cfg_load(file, &errs, &n);
	ck_assert_msg(cfg != NULL, "%s", errs);
	ck_assert(!cfg->gateway.allow_insecure);
	ck_assert_str_eq(cfg->gateway.log_level, "notice");
	ck_assert_ptr_nonnull(cfg->warnings);	/* idle: no links, no servers */
	cfg_free(cfg);

	snprintf(file, sizeof file, "%s/conf/demo.conf", top);
	cfg = cfg_load(file, &errs, &n);
	ck_assert_msg(cfg != NULL, "%s", errs);
	ck_assert_ptr_null(cfg->warnings);
	ck_assert_uint_eq(cfg->nlinks, 1);
	cfg_free(cfg);
}
END_TEST

START_TEST(missing_file)
{
	char		*errs;
	int		 n;
	struct cfg	*cfg = cfg_load("/nonexistent/lwgw.conf", &errs, &n);

	ck_assert_ptr_null(cfg);
	ck_assert_str_eq(errs, "/nonexistent/lwgw.conf: cannot open: "
	    "No such file or directory\n");
	ck_assert_int_eq(n, 1);
	free(errs);
}
END_TEST

START_TEST(syntax_error)
{
	assert_errors("gateway = {\n  bind = ;\n};\n",
	    "%s:2: syntax error: syntax error\n", 1);
}
END_TEST

/* Three mistakes, three lines, all at once. */
START_TEST(three_mistakes)
{
	assert_errors(
	    "gateway = {\n"
	    "  alow_insecure = true;\n"
	    "  bind = 5;\n"
	    "};\n"
	    "coap = { max_retransmit = 11; };\n"
	    MINIMAL_LINKS,
	    "%s:2: unknown key 'gateway.alow_insecure' in gateway\n"
	    "%s:3: gateway.bind: expected a string\n"
	    "%s:5: coap.max_retransmit: 11 is out of range [0, 10]\n", 3);
}
END_TEST

START_TEST(nosec_refused)
{
	assert_errors(
	    "bootstrap = {\n  uri = \"coap://10.0.0.1\";\n  security = \"nosec\";\n};\n"
	    MINIMAL_LINKS,
	    "%s:1: bootstrap: NoSec URI coap://10.0.0.1 is refused unless "
	    "gateway.allow_insecure = true (tests and labs only)\n", 1);
}
END_TEST

START_TEST(scheme_security_mismatch)
{
	assert_errors(
	    "gateway = { allow_insecure = true; };\n"
	    "servers = (\n"
	    "  { ssid = 1; uri = \"coap://a\"; psk_key = \"hex:00\"; },\n"
	    "  { ssid = 2; uri = \"coaps://a\"; security = \"nosec\"; }\n"
	    ");\n" MINIMAL_LINKS,
	    "%s:3: servers[0]: security \"psk\" needs a coaps:// URI\n"
	    "%s:4: servers[1]: security \"nosec\" with a coaps:// URI\n", 2);
}
END_TEST

START_TEST(unreadable_key_file)
{
	assert_errors(
	    "bootstrap = {\n"
	    "  uri = \"coaps://bs\";\n"
	    "  psk_key_file = \"/nonexistent/key\";\n"
	    "};\n" MINIMAL_LINKS,
	    "%s:3: bootstrap.psk_key_file: cannot read key file /nonexistent/key: "
	    "No such file or directory\n", 1);
}
END_TEST

START_TEST(key_file_read)
{
	char		 keyfile[600], conf[1400], *errs;
	int		 n;
	struct cfg	*cfg;

	snprintf(keyfile, sizeof keyfile, "%s/bs.key", tmpdir);
	write_file(keyfile, "00 11 22 33\n44556677\n");
	snprintf(conf, sizeof conf, "bootstrap = { uri = \"coaps://bs\"; "
	    "psk_key_file = \"%s\"; };\n" MINIMAL_LINKS, keyfile);
	cfg = load(conf, &errs, &n);
	ck_assert_msg(cfg != NULL, "%s", errs);
	ck_assert(cfg->bootstrap.psk_derive);
	ck_assert_uint_eq(cfg->bootstrap.psk_key_len, 8);
	ck_assert_int_eq(cfg->bootstrap.psk_key[7], 0x77);
	cfg_free(cfg);

	write_file(keyfile, "not hex\n");
	cfg = load(conf, &errs, &n);
	ck_assert_ptr_null(cfg);
	snprintf(conf, sizeof conf, "%s:1: bootstrap.psk_key_file: key file %s "
	    "does not hold a hex key\n", path, keyfile);
	ck_assert_str_eq(errs, conf);
	free(errs);
}
END_TEST

START_TEST(psk_key_rules)
{
	assert_errors(
	    "servers = (\n"
	    "  { ssid = 1; uri = \"coaps://a\"; },\n"
	    "  { ssid = 2; uri = \"coaps://a\"; psk_key = \"0011\"; },\n"
	    "  { ssid = 3; uri = \"coaps://a\"; psk_key = \"hex:001\"; }\n"
	    ");\n" MINIMAL_LINKS,
	    "%s:2: servers[0]: security \"psk\" needs psk_key or psk_key_file\n"
	    "%s:3: servers[1].psk_key: expected \"hex:\" and an even number of "
	    "hex digits\n"
	    "%s:4: servers[2].psk_key: expected \"hex:\" and an even number of "
	    "hex digits\n", 3);
}
END_TEST

START_TEST(required_and_duplicates)
{
	assert_errors(
	    "servers = (\n"
	    "  { uri = \"coaps://a\"; psk_key = \"hex:00\"; },\n"
	    "  { ssid = 7; uri = \"coaps://a\"; psk_key = \"hex:00\"; },\n"
	    "  { ssid = 7; uri = \"coaps://b\"; psk_key = \"hex:00\"; },\n"
	    "  { ssid = 65535; uri = \"coaps://b\"; psk_key = \"hex:00\"; }\n"
	    ");\n"
	    "links = ( { name = \"a\"; type = \"sim\"; },\n"
	    "  { name = \"a\"; type = \"serial\"; baud = 9600; },\n"
	    "  { name = \"b c\"; type = \"radio\"; } );\n",
	    "%s:2: servers[0]: missing required key 'ssid'\n"
	    "%s:4: servers[2]: ssid 7 is already used by the server at line 3\n"
	    "%s:5: servers[3].ssid: 65535 is out of range [1, 65534]\n"
	    "%s:8: links[1] (serial): missing required key 'device'\n"
	    "%s:8: links[1] (serial): link name \"a\" is already used at line 7\n"
	    "%s:9: links[2]: type must be \"sim\", \"serial\" or \"ble\"\n", 6);
}
END_TEST

START_TEST(keys_by_kind)
{
	assert_errors(
	    "bootstrap = { uri = \"coaps://a\"; psk_key = \"hex:00\"; ssid = 3;\n"
	    "  lifetime = 5; };\n"
	    "servers = ( { ssid = 1; uri = \"coaps://a\"; psk_key = \"hex:00\";\n"
	    "  hold_off = 2; } );\n"
	    "links = ( { name = \"s\"; type = \"sim\"; baud = 9600;\n"
	    "  objects = (3303, \"x\", 70000); } );\n",
	    "%s:1: key 'bootstrap.ssid' does not apply to bootstrap\n"
	    "%s:2: key 'bootstrap.lifetime' does not apply to bootstrap\n"
	    "%s:4: key 'servers[0].hold_off' does not apply to servers[0]\n"
	    "%s:5: key 'links[0].baud' does not apply to links[0] (sim)\n"
	    "%s:6: links[0].objects[1]: expected an integer\n"
	    "%s:6: links[0].objects[2]: 70000 is out of range [0, 65534]\n", 6);
}
END_TEST

START_TEST(templates_and_sections)
{
	assert_errors(
	    "gateway = { endpoint = \"{link}-{serial}\"; log_level = \"loud\"; };\n"
	    "bootstrap = { uri = \"coaps://a\"; psk_key = \"hex:00\";\n"
	    "  psk_identity = \"{ep\"; };\n"
	    "gatway = { };\n" MINIMAL_LINKS,
	    "%s:1: gateway.endpoint: unknown placeholder {serial} in "
	    "\"{link}-{serial}\"\n"
	    "%s:1: gateway.log_level: expected error, warning, notice, info or "
	    "debug\n"
	    "%s:1: gateway.endpoint: the template must contain {id} so that every "
	    "device gets its own name\n"
	    "%s:2: bootstrap.psk_identity: unterminated '{' in \"{ep\"\n"
	    "%s:4: unknown section 'gatway' (expected gateway, coap, lwm2m, "
	    "bootstrap, servers or links)\n", 5);
}
END_TEST

/*
 * Values their consumers would refuse at start (exit 3) are errors of lwgwd -n, all at
 * once: CoAP block size, the control socket, gateway.bind (lwgw issues 2 and 9).
 */
START_TEST(consumer_gateway_coap)
{
	assert_errors(
	    "gateway = {\n"
	    "  bind = \"gw.example\";\n"
	    "  control_socket = \"/run/lwgw/"
	    "0123456789012345678901234567890123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789\";\n"
	    "};\n"
	    "coap = {\n  block_size = 100;\n  max_message_size = 5000;\n};\n"
	    MINIMAL_LINKS,
	    "%s:2: gateway.bind: expected a numeric IPv4 or IPv6 address, not "
	    "\"gw.example\"\n"
	    "%s:3: gateway.control_socket: \"/run/lwgw/"
	    "0123456789012345678901234567890123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789\" is longer than the 107 bytes "
	    "a Unix socket path may have\n"
	    "%s:6: coap.block_size: 100 is not a power of two (16, 32, 64, 128, 256, "
	    "512 or 1024)\n"
	    "%s:7: coap.max_message_size: 5000 is out of range [64, 4096]\n", 4);
}
END_TEST

/* Serial framing, the device, and the objects a simulated link can play. */
START_TEST(consumer_serial_sim)
{
	assert_errors(
	    "links = (\n"
	    "  { name = \"u0\"; type = \"serial\";\n"
	    "    device = \"\";\n"
	    "    parity = \"mark\";\n"
	    "    baud = 12345; },\n"
	    "  { name = \"s0\"; type = \"sim\";\n"
	    "    objects = [3303, 3305]; }\n"
	    ");\n",
	    "%s:3: links[0].device: must not be empty\n"
	    "%s:4: links[0].parity: expected one of \"none\", \"even\" or \"odd\"\n"
	    "%s:5: links[0].baud: 12345 is not a baud rate lwgw supports here (1200, "
	    "2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, "
	    "576000, 921600, 1000000, 1500000, 2000000, 3000000 or 4000000)\n"
	    "%s:7: links[1].objects[1]: the simulator cannot play object 3305 (only "
	    "3200, 3201, 3300, 3301, 3303, 3304, 3311, 3315, 3316 or 3323)\n", 4);
}
END_TEST

/* BLE: allow addresses, the adapter name, the D-Bus address. */
START_TEST(consumer_ble)
{
	assert_errors(
	    "links = (\n"
	    "  { name = \"b0\"; type = \"ble\";\n"
	    "    adapter = \"../../x\";\n"
	    "    allow = [\"AA:BB:CC:DD:EE:FF\",\n"
	    "      \"AA:BB:CC:DD:EE\",\n"
	    "      \"AA-BB-CC-DD-EE-FF\", \"AA:BB:CC:DD:EE:FG\"];\n"
	    "    bus = \"/run/dbus/system_bus_socket\"; },\n"
	    "  { name = \"b1\"; type = \"ble\"; adapter = \"hci\";\n"
	    "    bus = \"unix:path\"; }\n"
	    ");\n",
	    "%s:3: links[0].adapter: expected a BlueZ adapter name such as \"hci0\", "
	    "not \"../../x\"\n"
	    "%s:5: links[0].allow[1]: expected an address such as "
	    "\"AA:BB:CC:DD:EE:FF\", not \"AA:BB:CC:DD:EE\"\n"
	    "%s:6: links[0].allow[2]: expected an address such as "
	    "\"AA:BB:CC:DD:EE:FF\", not \"AA-BB-CC-DD-EE-FF\"\n"
	    "%s:6: links[0].allow[3]: expected an address such as "
	    "\"AA:BB:CC:DD:EE:FF\", not \"AA:BB:CC:DD:EE:FG\"\n"
	    "%s:7: links[0].bus: \"/run/dbus/system_bus_socket\" is not a D-Bus "
	    "address lwgw can use (such as \"unix:path=/run/dbus/system_bus_socket\")\n"
	    "%s:8: links[1].adapter: expected a BlueZ adapter name such as \"hci0\", "
	    "not \"hci\"\n"
	    "%s:9: links[1].bus: \"unix:path\" is not a D-Bus address lwgw can use "
	    "(such as \"unix:path=/run/dbus/system_bus_socket\")\n", 7);
}
END_TEST

/* BLE device selection: service UUIDs (short or full form) and the name pattern. */
START_TEST(consumer_ble_filter)
{
	assert_errors(
	    "links = (\n"
	    "  { name = \"b0\"; type = \"ble\";\n"
	    "    uuids = [\"181a\", \"0000181a\", \"FCD2\",\n"
	    "      \"0000181a-0000-1000-8000-00805f9b34fb\",\n"
	    "      \"181\", \"0x181a\",\n"
	    "      \"0000181a00001000800000805f9b34fb\",\n"
	    "      \"0000181a-0000-1000-8000-00805f9b34fg\", \"\"];\n"
	    "    name_pattern = \"Thermo\\t*\"; },\n"
	    "  { name = \"b1\"; type = \"ble\"; uuids = [];\n"
	    "    name_pattern = \"\"; }\n"
	    ");\n",
	    "%s:5: links[0].uuids[4]: expected a service UUID such as \"181a\" or "
	    "\"0000181a-0000-1000-8000-00805f9b34fb\", not \"181\"\n"
	    "%s:5: links[0].uuids[5]: expected a service UUID such as \"181a\" or "
	    "\"0000181a-0000-1000-8000-00805f9b34fb\", not \"0x181a\"\n"
	    "%s:6: links[0].uuids[6]: expected a service UUID such as \"181a\" or "
	    "\"0000181a-0000-1000-8000-00805f9b34fb\", not "
	    "\"0000181a00001000800000805f9b34fb\"\n"
	    "%s:7: links[0].uuids[7]: expected a service UUID such as \"181a\" or "
	    "\"0000181a-0000-1000-8000-00805f9b34fb\", not "
	    "\"0000181a-0000-1000-8000-00805f9b34fg\"\n"
	    "%s:7: links[0].uuids[8]: expected a service UUID such as \"181a\" or "
	    "\"0000181a-0000-1000-8000-00805f9b34fb\", not \"\"\n"
	    "%s:8: links[0].name_pattern: a device name pattern has no control "
	    "characters\n", 6);
}
END_TEST

/* Accounts: what the peer and DTLS layers refuse when a device starts. */
START_TEST(consumer_accounts)
{
	assert_errors(
	    "gateway = { bind = \"127.0.0.1\"; };\n"
	    "bootstrap = { uri = \"coaps://[::1]\"; psk_key = \"hex:00\"; };\n"
	    "servers = (\n"
	    "  { ssid = 1; uri = \"coaps://bad$host\"; psk_key = \"hex:00\"; },\n"
	    "  { ssid = 2; uri = \"coaps://a\";\n"
	    "    psk_key = \"hex:"
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40\";\n"
	    "    psk_identity = \"\"; },\n"
	    "  { ssid = 3; uri = \"coaps://a\"; psk_key = \"hex:00\";\n"
	    "    binding = \"T\"; },\n"
	    "  { ssid = 4; uri = \"coaps://a\"; psk_key = \"hex:00\";\n"
	    "    binding = \"UUQ\"; }\n"
	    ");\n" MINIMAL_LINKS,
	    "%s:2: bootstrap: ::1 is not of the address family of gateway.bind "
	    "(127.0.0.1)\n"
	    "%s:4: servers[0]: bad$host is neither an address nor a host name\n"
	    "%s:6: servers[1].psk_key: 65 bytes, more than the 64 of a PSK\n"
	    "%s:7: servers[1].psk_identity: must not be empty\n"
	    "%s:9: servers[2].binding: \"T\" is not a binding lwgw can use (U, and any "
	    "of M, H, T, S, N and Q, each letter once)\n"
	    "%s:11: servers[3].binding: \"UUQ\" is not a binding lwgw can use (U, and "
	    "any of M, H, T, S, N and Q, each letter once)\n", 6);
}
END_TEST

/*
 * Endpoint names a device cannot take: too long for the link's name (64 bytes with a
 * state_dir, whose files they name, 127 without), or not a file name.
 */
START_TEST(consumer_endpoint_names)
{
	char	text[1024];

	snprintf(text, sizeof text,
	    "gateway = { endpoint = \"urn:dev:ops:lwgw {link}-{id}\"; };\n"
	    "links = ( { name = \"%040d\"; type = \"sim\"; },\n"
	    "  { name = \"%050d\"; type = \"sim\"; } );\n", 0, 0);
	assert_errors(text,
	    "%s:1: gateway.endpoint: byte 0x20 cannot be in the name of a state file "
	    "(gateway.state_dir)\n"
	    "%s:3: links[1] (sim): gateway.endpoint gives names longer than 64 "
	    "bytes for this link\n", 2);

	/* Without state files: 127 bytes, any byte, any start. */
	snprintf(text, sizeof text,
	    "gateway = { state_dir = \"\"; endpoint = \"{link} {id}\"; };\n"
	    "links = ( { name = \".x\"; type = \"sim\"; },\n"
	    "  { name = \"%0125d\"; type = \"sim\"; },\n"
	    "  { name = \"%0126d\"; type = \"sim\"; } );\n", 0, 0);
	assert_errors(text,
	    "%s:4: links[2] (sim): gateway.endpoint gives names longer than 127 "
	    "bytes for this link\n", 1);

	assert_errors("links = ( { name = \".x\"; type = \"sim\"; } );\n",
	    "%s:1: links[0] (sim): gateway.endpoint gives names starting with '.', "
	    "which cannot name state files\n", 1);
}
END_TEST

/* X.509 files vclient_store.c would refuse, a URI the Security object cannot hold. */
START_TEST(consumer_x509_uri)
{
	char	 empty[600], big[600], good[600], text[8192], want[4096];
	char	*blob = calloc(1, 20000);
	FILE	*f;

	snprintf(empty, sizeof empty, "%s/empty.der", tmpdir);
	snprintf(big, sizeof big, "%s/big.der", tmpdir);
	snprintf(good, sizeof good, "%s/good.der", tmpdir);
	write_file(empty, "");
	write_file(good, "0");
	ck_assert_ptr_nonnull(f = fopen(big, "w"));
	ck_assert_uint_eq(fwrite(blob, 1, 20000, f), 20000);
	fclose(f);
	free(blob);
	snprintf(text, sizeof text,
	    "servers = (\n"
	    "  { ssid = 1; uri = \"coaps://a\"; security = \"x509\";\n"
	    "    cert_file = \"%s\"; key_file = \"%s\";\n"
	    "    server_cert_file = \"%s\"; },\n"
	    "  { ssid = 2; uri = \"coaps://a\"; security = \"x509\";\n"
	    "    cert_file = \"%s\"; key_file = \"%s\";\n"
	    "    server_cert_file = \"%s\"; },\n"
	    "  { ssid = 3; uri = \"coaps://a\"; security = \"x509\";\n"
	    "    cert_file = \"%s\"; key_file = \"%s\"; ca_file = \"%s\"; },\n"
	    "  { ssid = 4; psk_key = \"hex:00\";\n"
	    "    uri = \"coaps://%0250d\"; }\n"
	    ");\n" MINIMAL_LINKS, empty, good, good, good, big, good, good, good, good,
	    0);
	snprintf(want, sizeof want,
	    "%%s:2: servers[0]: %s: not a file of 1 to 16384 bytes (a DER certificate "
	    "or key)\n"
	    "%%s:5: servers[1]: %s: not a file of 1 to 16384 bytes (a DER certificate "
	    "or key)\n"
	    "%%s:11: servers[3].uri: 258 bytes, more than the 255 of a Security "
	    "object URI\n", empty, big);
	assert_errors(text, want, 3);
}
END_TEST

START_TEST(bad_uris)
{
	struct cfg_uri	 u;
	char		*cause;

	ck_assert_int_eq(cfg_parse_uri("coaps://h.example:1234", &u, &cause), 0);
	ck_assert_str_eq(u.host, "h.example");
	ck_assert_int_eq(u.port, 1234);
	ck_assert(u.secure);
	free(u.host);
	ck_assert_int_eq(cfg_parse_uri("coap://[fe80::1]/", &u, &cause), 0);
	ck_assert_str_eq(u.host, "fe80::1");
	ck_assert_int_eq(u.port, 5683);
	free(u.host);

	ck_assert_int_eq(cfg_parse_uri("http://a", &u, &cause), -1);
	ck_assert_str_eq(cause, "URI 'http://a' is not coap:// or coaps://");
	free(cause);
	ck_assert_int_eq(cfg_parse_uri("coap://a:0", &u, &cause), -1);
	ck_assert_str_eq(cause, "URI 'coap://a:0' has a bad port");
	free(cause);
	ck_assert_int_eq(cfg_parse_uri("coap://a:70000", &u, &cause), -1);
	free(cause);
	ck_assert_int_eq(cfg_parse_uri("coap://:5683", &u, &cause), -1);
	ck_assert_str_eq(cause, "URI 'coap://:5683' has no host");
	free(cause);
	ck_assert_int_eq(cfg_parse_uri("coap://[::1", &u, &cause), -1);
	free(cause);
	ck_assert_int_eq(cfg_parse_uri("coap://a/rd", &u, &cause), -1);
	free(cause);
}
END_TEST

START_TEST(restart_needed)
{
	char		*errs, *diff;
	int		 n;
	struct cfg	*a, *b;

	a = load("gateway = { log_level = \"info\"; };\n" MINIMAL_LINKS, &errs, &n);
	ck_assert_ptr_nonnull(a);
	b = load("gateway = { log_level = \"debug\"; };\n" MINIMAL_LINKS, &errs, &n);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_null(cfg_restart_needed(a, b));	/* log_level reloads */
	cfg_free(b);
	b = load("gateway = { bind = \"::\"; };\n"
	    "links = ( { name = \"sim0\"; type = \"sim\"; devices = 3; } );\n",
	    &errs, &n);
	ck_assert_ptr_nonnull(b);
	diff = cfg_restart_needed(a, b);
	ck_assert_str_eq(diff, "gateway.bind\nlinks.devices\n");
	free(diff);
	cfg_free(a);
	cfg_free(b);
}
END_TEST

START_TEST(log_levels)
{
	ck_assert_int_eq(cfg_log_level("error"), LOG_ERR);
	ck_assert_int_eq(cfg_log_level("debug"), LOG_DEBUG);
	ck_assert_int_eq(cfg_log_level("verbose"), -1);
	ck_assert_int_eq(cfg_log_level(NULL), -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("cfg");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, good_full);
	tcase_add_test(tc, shipped_files);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, syntax_error);
	tcase_add_test(tc, three_mistakes);
	tcase_add_test(tc, nosec_refused);
	tcase_add_test(tc, scheme_security_mismatch);
	tcase_add_test(tc, unreadable_key_file);
	tcase_add_test(tc, key_file_read);
	tcase_add_test(tc, psk_key_rules);
	tcase_add_test(tc, required_and_duplicates);
	tcase_add_test(tc, keys_by_kind);
	tcase_add_test(tc, templates_and_sections);
	tcase_add_test(tc, consumer_gateway_coap);
	tcase_add_test(tc, consumer_serial_sim);
	tcase_add_test(tc, consumer_ble);
	tcase_add_test(tc, consumer_ble_filter);
	tcase_add_test(tc, consumer_accounts);
	tcase_add_test(tc, consumer_endpoint_names);
	tcase_add_test(tc, consumer_x509_uri);
	tcase_add_test(tc, bad_uris);
	tcase_add_test(tc, restart_needed);
	tcase_add_test(tc, log_levels);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
