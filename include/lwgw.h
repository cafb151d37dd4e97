/* The daemon's top-level state: everything hangs off one struct lwgw passed down. */
#ifndef LWGW_LWGW_H
#define LWGW_LWGW_H

#include <stdbool.h>
#include <time.h>

struct event;
struct event_base;
struct cfg;

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

	struct event		*ev_term;
	struct event		*ev_int;
	struct event		*ev_hup;
	bool			 exiting;
};

#endif
