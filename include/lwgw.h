/* The daemon's top-level state: everything hangs off one struct lwgw passed down. */
#ifndef LWGW_LWGW_H
#define LWGW_LWGW_H

#include <stdbool.h>
#include <time.h>

struct event;
struct event_base;
struct cfg;
struct ctl;
struct device_mgr;
struct vclient_ctx;

/* Exit codes of lwgwd (documented in lwgwd(8)). */
#define LWGW_EXIT_OK		0
#define LWGW_EXIT_CONFIG	1	/* bad configuration, or -n found problems */
#define LWGW_EXIT_USAGE		2	/* bad command line */
#define LWGW_EXIT_RUNTIME	3	/* could not start: sockets, state dir, limits */

struct lwgw {
	struct event_base	*base;
	struct cfg		*cfg;
	const char		*cfg_file;
	bool			 foreground;
	int			 verbose;	/* -v count */
	time_t			 started;

	struct vclient_ctx	*vclients;
	struct device_mgr	*devices;
	struct ctl		*ctl;

	struct event		*ev_term;
	struct event		*ev_int;
	struct event		*ev_hup;
	struct event		*ev_status;	/* systemd STATUS= updates */
	bool			 exiting;
};

/* lwgwd.c: SIGHUP and `lwgwctl reload`. 0 and *notes (keys waiting for a restart, or
 * NULL), or -1 and *notes (the problems; the running configuration stays). */
int	lwgwd_reload(struct lwgw *, char **notes);

/* lwgwd_ctl.c: the commands of the control socket. */
extern const struct ctl_command	lwgwd_ctl_commands[];

#endif
