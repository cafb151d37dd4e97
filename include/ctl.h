/*
 * The control socket (/run/lwgw/ctl) of lwgwctl(8). A client connects, sends one request
 * line of words ("list --state registered --json") and reads the answer until the daemon
 * closes: a first line "ok LENGTH" or "error: MESSAGE", then the body of LENGTH bytes (a
 * human table, or JSON with --json), so that a client can tell a whole answer from a cut
 * one. Clients that do not finish their line in time, send more than a line's worth, or
 * send bytes that are not printable are answered with an error and dropped. The answer
 * drains at the client's pace.
 */
#ifndef LWGW_CTL_H
#define LWGW_CTL_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct evbuffer;
struct ctl;

#define CTL_LINE_MAX	1024	/* longest request line */
#define CTL_ARGS_MAX	16	/* most words in a request */
#define CTL_TIMEOUT_MS	5000	/* a client has this long to send its line */
#define CTL_CONN_MAX	32	/* clients served at once; more are told "busy" */

/*
 * A command: fn writes the body into out and returns 0, or returns -1 with *cause (heap)
 * for an "error:" answer. argv[0] is the command's name; "--json" was removed from argv and
 * sets json.
 */
struct ctl_command {
	const char	*name;
	const char	*usage;
	int		 min_args;	/* not counting the name */
	int		 max_args;
	int		(*fn)(void *arg, int argc, char **argv, bool json,
			    struct evbuffer *out, char **cause);
};

/* Listen on path (replacing a stale socket), mode 0660. cmds ends with a NULL name. */
struct ctl	*ctl_create(struct event_base *, const char *path,
		    const struct ctl_command *cmds, void *arg, char **cause);
void		 ctl_free(struct ctl *);
/* How long a client may take to send its line (tests shorten it). */
void		 ctl_set_timeout(struct ctl *, int ms);

/* Split a request line into words (spaces and tabs); -1 if too many or not printable. */
int		 ctl_split(char *line, char **argv, int max, int *argc);

/* Body helpers. */
void		 ctl_json_str(struct evbuffer *, const char *);	/* quoted, escaped */

/* Aligned human tables: header row, rows, then emitted with column widths fitted. */
struct ctl_table;
struct ctl_table *ctl_table_create(int ncols, const char *const *headers);
void		 ctl_table_row(struct ctl_table *, const char *const *cells);
void		 ctl_table_emit(struct ctl_table *, struct evbuffer *);
void		 ctl_table_free(struct ctl_table *);

#endif
