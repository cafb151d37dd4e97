/* lwgwctl: the command-line client of lwgwd's control socket. */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lwgwctl [-s socket] [--json] command [arguments]\n"
	    "commands:\n"
	    "  status                      counts by state, uptime, links\n"
	    "  list [--state S] [--link L] one line per device\n"
	    "  show ENDPOINT               a device's objects and values\n"
	    "  rebootstrap ENDPOINT        bootstrap the device again\n"
	    "  update ENDPOINT             send a registration Update to its servers\n"
	    "  reload                      reload the configuration (as SIGHUP)\n"
	    "options:\n"
	    "  -s, --socket PATH   control socket (default " LWGW_RUN_DIR "/ctl)\n"
	    "  -j, --json          machine-readable output\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*path = LWGW_RUN_DIR "/ctl";
	struct sockaddr_un	 sun;
	char			 req[CTL_LINE_MAX + 2], buf[8192], head[256];
	size_t			 len = 0, hlen = 0;
	ssize_t			 n;
	unsigned long long	 want = 0, got = 0;
	int			 ch, fd, i, json = 0, have_head = 0, sized = 0;
	int			 failed = 0;

	while ((ch = getopt_long(argc, argv, "+s:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return (0);
		default:
			usage(stderr);
			return (2);
		}
	}
	if (optind == argc) {
		usage(stderr);
		return (2);
	}
	for (i = optind; i < argc; i++) {
		n = snprintf(req + len, sizeof req - len, "%s%s", i == optind ? "" :
		    " ", argv[i]);
		if (n < 0 || (size_t)n >= sizeof req - len) {
			fprintf(stderr, "lwgwctl: request too long\n");
			return (2);
		}
		len += n;
	}
	n = snprintf(req + len, sizeof req - len, "%s\n", json ? " --json" : "");
	if (n < 0 || (size_t)n >= sizeof req - len) {
		fprintf(stderr, "lwgwctl: request too long\n");
		return (2);
	}
	len += n;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		fprintf(stderr, "lwgwctl: socket path too long: %s\n", path);
		return (2);
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		fprintf(stderr, "lwgwctl: socket: %s\n", strerror(errno));
		return (1);
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			fprintf(stderr, "lwgwctl: cannot connect to %s: lwgwd is "
			    "not running (%s)\n", path, strerror(errno));
		else if (errno == EACCES || errno == EPERM)
			fprintf(stderr, "lwgwctl: cannot connect to %s: permission "
			    "denied (run as root or as a member of group _lwgw)\n",
			    path);
		else
			fprintf(stderr, "lwgwctl: cannot connect to %s: %s\n", path,
			    strerror(errno));
		return (1);
	}
	if (write(fd, req, len) != (ssize_t)len) {
		fprintf(stderr, "lwgwctl: write: %s\n", strerror(errno));
		return (1);
	}
	/*
	 * The first line says "ok LENGTH" or "error: ..."; the body follows until the daemon
	 * closes. LENGTH tells a whole answer from one cut short (a daemon that died).
	 */
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		char	*p = buf, *nl, *end;
		size_t	 left = n, take;

		if (!have_head) {
			nl = memchr(buf, '\n', n);
			take = nl != NULL ? (size_t)(nl + 1 - buf) : (size_t)n;
			if (hlen + take >= sizeof head) {
				fprintf(stderr, "lwgwctl: malformed answer from lwgwd\n");
				return (1);
			}
			memcpy(head + hlen, buf, take);
			hlen += take;
			p += take;
			left -= take;
			if (nl == NULL)
				continue;
			head[hlen] = '\0';
			have_head = 1;
			if (strncmp(head, "ok ", 3) == 0) {
				want = strtoull(head + 3, &end, 10);
				sized = end != head + 3 && *end == '\n';
			} else if (strcmp(head, "ok\n") != 0) {
				failed = 1;
				fprintf(stderr, "lwgwctl: %s", head);
			}
		}
		got += left;
		fwrite(p, 1, left, failed ? stderr : stdout);
	}
	if (n < 0) {
		fprintf(stderr, "lwgwctl: read: %s\n", strerror(errno));
		return (1);
	}
	if (!have_head) {
		fprintf(stderr, "lwgwctl: lwgwd closed the connection without an "
		    "answer\n");
		return (1);
	}
	if (!failed && sized && got != want) {
		fflush(stdout);
		fprintf(stderr, "lwgwctl: the answer was cut short (%llu of %llu "
		    "bytes)\n", got, want);
		return (1);
	}
	close(fd);
	return (failed);
}
