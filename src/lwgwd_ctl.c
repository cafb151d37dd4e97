/* The control socket's commands: what lwgwctl(8) can ask the running daemon. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "codec.h"
#include "ctl.h"
#include "device.h"
#include "dm.h"
#include "lwgw.h"
#include "vclient.h"
#include "xmalloc.h"

struct lwgwd_ctl_json {
	struct evbuffer	*out;
	bool		 first;
};

static int
lwgwd_ctl_link_json(const char *name, const char *type, size_t n, void *arg)
{
	struct lwgwd_ctl_json	*j = arg;

	evbuffer_add_printf(j->out, "%s{\"name\":", j->first ? "" : ",");
	ctl_json_str(j->out, name);
	evbuffer_add_printf(j->out, ",\"type\":\"%s\",\"devices\":%zu}", type, n);
	j->first = false;
	return (0);
}

static int
lwgwd_ctl_link_text(const char *name, const char *type, size_t n, void *arg)
{
	evbuffer_add_printf(arg, "  %-12s %-7s %zu devices\n", name, type, n);
	return (0);
}

static int
lwgwd_ctl_status(void *arg, int argc, char **argv, bool json, struct evbuffer *out,
    char **cause)
{
	struct lwgw		*gw = arg;
	struct lwgwd_ctl_json	 j = { .out = out, .first = true };
	size_t			 counts[VCLIENT_NSTATES], total, i;
	long			 uptime = (long)(time(NULL) - gw->started);

	total = vclient_ctx_counts(gw->vclients, counts);
	if (json) {
		evbuffer_add_printf(out, "{\"version\":\"%s\",\"uptime\":%ld,"
		    "\"devices\":%zu,\"states\":{", PACKAGE_VERSION, uptime, total);
		for (i = 0; i < VCLIENT_NSTATES; i++)
			evbuffer_add_printf(out, "%s\"%s\":%zu", i ? "," : "",
			    vclient_state_name(i), counts[i]);
		evbuffer_add_printf(out, "},\"links\":[");
		device_mgr_foreach_link(gw->devices, lwgwd_ctl_link_json, &j);
		evbuffer_add_printf(out, "]}\n");
		return (0);
	}
	evbuffer_add_printf(out, "lwgwd %s, up %ldd %02ld:%02ld:%02ld, %zu devices\n",
	    PACKAGE_VERSION, uptime / 86400, uptime / 3600 % 24, uptime / 60 % 60,
	    uptime % 60, total);
	for (i = 0; i < VCLIENT_NSTATES; i++) {
		if (counts[i] != 0)
			evbuffer_add_printf(out, "  %-13s %zu\n",
			    vclient_state_name(i), counts[i]);
	}
	evbuffer_add_printf(out, "links:\n");
	device_mgr_foreach_link(gw->devices, lwgwd_ctl_link_text, out);
	return (0);
}

struct lwgwd_ctl_list {
	struct lwgw		*gw;
	const char		*state;
	const char		*link;
	bool			 json;
	bool			 first;
	struct ctl_table	*table;
	struct evbuffer		*out;
};

/* "101:registered,102:backoff" (text) or [{"ssid":101,"state":"registered"},...]. */
struct lwgwd_ctl_servers {
	char		 text[128];
	struct evbuffer	*json;
	bool		 first;
};

static int
lwgwd_ctl_servers_one(const struct vclient_server_info *i, void *arg)
{
	struct lwgwd_ctl_servers	*s = arg;
	size_t				 len = strlen(s->text);

	if (s->json != NULL)
		evbuffer_add_printf(s->json, "%s{\"ssid\":%u,\"state\":\"%s\"}",
		    s->first ? "" : ",", i->ssid, i->state);
	else if (len < sizeof s->text)
		snprintf(s->text + len, sizeof s->text - len, "%s%u:%s",
		    s->first ? "" : ",", i->ssid, i->state);
	s->first = false;
	return (0);
}

static int
lwgwd_ctl_list_one(struct vclient *vc, void *arg)
{
	struct lwgwd_ctl_list	*l = arg;
	const char		*link = device_mgr_link_of(l->gw->devices, vc);
	const char		*state = vclient_state_name(vclient_state(vc));
	long			 age = device_mgr_reading_age(l->gw->devices, vc);
	char			 port[8], agebuf[32];
	const char		*cells[6];
	struct lwgwd_ctl_servers srv = { .first = true };

	if (l->state != NULL && strcmp(l->state, state) != 0)
		return (0);
	if (l->link != NULL && (link == NULL || strcmp(l->link, link) != 0))
		return (0);
	if (l->json) {
		evbuffer_add_printf(l->out, "%s{\"endpoint\":", l->first ? "" : ",");
		ctl_json_str(l->out, vclient_endpoint(vc));
		evbuffer_add_printf(l->out, ",\"link\":");
		ctl_json_str(l->out, link != NULL ? link : "");
		evbuffer_add_printf(l->out, ",\"state\":\"%s\",\"port\":%u,"
		    "\"stale\":%s,\"reading_age\":%ld,\"servers\":[", state,
		    vclient_port(vc), vclient_stale(vc) ? "true" : "false", age);
		srv.json = l->out;
		vclient_foreach_server(vc, lwgwd_ctl_servers_one, &srv);
		evbuffer_add_printf(l->out, "]}");
		l->first = false;
		return (0);
	}
	vclient_foreach_server(vc, lwgwd_ctl_servers_one, &srv);
	snprintf(port, sizeof port, "%u", vclient_port(vc));
	if (age < 0)
		snprintf(agebuf, sizeof agebuf, "-");
	else
		snprintf(agebuf, sizeof agebuf, "%lds%s", age,
		    vclient_stale(vc) ? " (stale)" : "");
	cells[0] = vclient_endpoint(vc);
	cells[1] = link;
	cells[2] = state;
	cells[3] = port;
	cells[4] = srv.text[0] != '\0' ? srv.text : "-";
	cells[5] = agebuf;
	ctl_table_row(l->table, cells);
	return (0);
}

static int
lwgwd_ctl_list(void *arg, int argc, char **argv, bool json, struct evbuffer *out,
    char **cause)
{
	static const char *const hdr[] = {
		"ENDPOINT", "LINK", "STATE", "PORT", "SERVERS", "LAST READING"
	};
	struct lwgwd_ctl_list	 l = { .gw = arg, .json = json, .first = true,
				    .out = out };
	int			 i;

	for (i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--state") == 0)
			l.state = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--link") == 0)
			l.link = argv[++i];
		else {
			xasprintf(cause, "usage: list [--state STATE] [--link LINK]");
			return (-1);
		}
	}
	if (json) {
		evbuffer_add_printf(out, "[");
		vclient_foreach(l.gw->vclients, lwgwd_ctl_list_one, &l);
		evbuffer_add_printf(out, "]\n");
		return (0);
	}
	l.table = ctl_table_create(6, hdr);
	vclient_foreach(l.gw->vclients, lwgwd_ctl_list_one, &l);
	ctl_table_emit(l.table, out);
	ctl_table_free(l.table);
	return (0);
}

/* The vclient an operator names, or an error saying there is none. */
static struct vclient *
lwgwd_ctl_find(struct lwgw *gw, const char *ep, char **cause)
{
	struct vclient	*vc = vclient_find(gw->vclients, ep);

	if (vc == NULL)
		xasprintf(cause, "no device %s", ep);
	return (vc);
}

struct lwgwd_ctl_show {
	struct evbuffer	*out;
	bool		 json;
	bool		 first;
};

/* Security keys and identities are never shown, whoever asks. */
static bool
lwgwd_ctl_secret(const struct lwm2m_path *p)
{
	return (p->ids[0] == LWM2M_OID_SECURITY &&
	    (p->ids[2] == DM_SEC_RID_IDENTITY || p->ids[2] == DM_SEC_RID_SERVER_KEY ||
	    p->ids[2] == DM_SEC_RID_SECRET_KEY));
}

static int
lwgwd_ctl_show_value(const struct lwm2m_path *p, const struct lwm2m_value *v,
    void *arg)
{
	struct lwgwd_ctl_show	*s = arg;
	struct codec_entry	 e = { .path = *p, .value = *v };
	char			 path[DM_PATH_MAXLEN], text[256];
	uint8_t			 buf[256];
	size_t			 len = 0;
	bool			 quote;

	dm_path_format(p, path, sizeof path);
	quote = v->type == LWM2M_TYPE_STRING || v->type == LWM2M_TYPE_CORELNK ||
	    v->type == LWM2M_TYPE_OBJLNK;
	/* The values as a server would read them in text/plain; keys never. */
	if (lwgwd_ctl_secret(p)) {
		snprintf(text, sizeof text, "(secret)");
		quote = true;
	} else if (v->type == LWM2M_TYPE_OPAQUE) {
		snprintf(text, sizeof text, "(%zu bytes)", v->v.bytes.len);
		quote = true;
	} else if (codec_encode(LWM2M_FMT_TEXT, p, &e, 1, buf, sizeof buf - 1,
	    &len) == 0)
		snprintf(text, sizeof text, "%.*s", (int)len, (const char *)buf);
	else
		snprintf(text, sizeof text, "(%zu bytes of text)", v->v.bytes.len);
	if (s->json) {
		evbuffer_add_printf(s->out, "%s\"%s\":", s->first ? "" : ",", path);
		if (quote)
			ctl_json_str(s->out, text);
		else
			evbuffer_add_printf(s->out, "%s", text);
		s->first = false;
	} else
		evbuffer_add_printf(s->out, quote ? "%-22s \"%s\"\n" : "%-22s %s\n",
		    path, text);
	return (0);
}

/* A server account: registration state and what is kept for it (SV-2). */
static int
lwgwd_ctl_show_server(const struct vclient_server_info *i, void *arg)
{
	struct lwgwd_ctl_show	*s = arg;

	if (s->json) {
		evbuffer_add_printf(s->out, "%s{\"ssid\":%u,\"state\":\"%s\","
		    "\"lifetime\":%u,\"observations\":%zu,\"stored\":%zu,"
		    "\"stored_dropped\":%llu}", s->first ? "" : ",", i->ssid, i->state,
		    i->lifetime, i->observations, i->stored,
		    (unsigned long long)i->stored_dropped);
		s->first = false;
	} else
		evbuffer_add_printf(s->out, "server %u: %s, lifetime %u s, %zu "
		    "observation(s), %zu notification(s) stored, %llu dropped\n",
		    i->ssid, i->state, i->lifetime, i->observations, i->stored,
		    (unsigned long long)i->stored_dropped);
	return (0);
}

static int
lwgwd_ctl_show(void *arg, int argc, char **argv, bool json, struct evbuffer *out,
    char **cause)
{
	struct vclient		*vc = lwgwd_ctl_find(arg, argv[1], cause);
	struct lwgwd_ctl_show	 s = { .out = out, .json = json, .first = true };

	if (vc == NULL)
		return (-1);
	if (json) {
		evbuffer_add_printf(out, "{\"endpoint\":");
		ctl_json_str(out, vclient_endpoint(vc));
		evbuffer_add_printf(out, ",\"state\":\"%s\",\"port\":%u,"
		    "\"servers\":[", vclient_state_name(vclient_state(vc)),
		    vclient_port(vc));
	} else
		evbuffer_add_printf(out, "%s: %s, port %u\n", vclient_endpoint(vc),
		    vclient_state_name(vclient_state(vc)), vclient_port(vc));
	vclient_foreach_server(vc, lwgwd_ctl_show_server, &s);
	if (json)
		evbuffer_add_printf(out, "],\"values\":{");
	s.first = true;
	dm_foreach_value(vclient_store(vc), &LWM2M_PATH_ROOT, lwgwd_ctl_show_value,
	    &s);
	if (json)
		evbuffer_add_printf(out, "}}\n");
	return (0);
}

static int
lwgwd_ctl_rebootstrap(void *arg, int argc, char **argv, bool json,
    struct evbuffer *out, char **cause)
{
	struct vclient	*vc = lwgwd_ctl_find(arg, argv[1], cause);

	if (vc == NULL)
		return (-1);
	if (vclient_request_bootstrap(vc, cause) != 0)
		return (-1);
	evbuffer_add_printf(out, json ? "{\"rebootstrap\":\"%s\"}\n" :
	    "%s: bootstrap requested\n", argv[1]);
	return (0);
}

static int
lwgwd_ctl_update(void *arg, int argc, char **argv, bool json,
    struct evbuffer *out, char **cause)
{
	struct vclient	*vc = lwgwd_ctl_find(arg, argv[1], cause);

	if (vc == NULL)
		return (-1);
	vclient_request_update(vc);
	evbuffer_add_printf(out, json ? "{\"update\":\"%s\"}\n" :
	    "%s: update requested\n", argv[1]);
	return (0);
}

static int
lwgwd_ctl_reload(void *arg, int argc, char **argv, bool json,
    struct evbuffer *out, char **cause)
{
	char	*notes, *p;
	bool	 first = true;

	if (lwgwd_reload(arg, &notes) != 0) {
		xasprintf(cause, "the configuration has problems; the running one stays "
		    "in force:\n%s", notes);
		free(notes);
		return (-1);
	}
	if (json)
		evbuffer_add_printf(out, "{\"reload\":true,\"restart_needed\":[");
	else
		evbuffer_add_printf(out, "reloaded\n");
	for (p = notes != NULL ? strtok(notes, "\n") : NULL; p != NULL;
	    p = strtok(NULL, "\n")) {
		if (json) {
			evbuffer_add_printf(out, "%s", first ? "" : ",");
			ctl_json_str(out, p);
		} else
			evbuffer_add_printf(out, "%s (takes effect at the next "
			    "restart)\n", p);
		first = false;
	}
	if (json)
		evbuffer_add_printf(out, "]}\n");
	free(notes);
	return (0);
}

const struct ctl_command lwgwd_ctl_commands[] = {
	{ "status", "status", 0, 0, lwgwd_ctl_status },
	{ "list", "list [--state STATE] [--link LINK]", 0, 4, lwgwd_ctl_list },
	{ "show", "show ENDPOINT", 1, 1, lwgwd_ctl_show },
	{ "rebootstrap", "rebootstrap ENDPOINT", 1, 1, lwgwd_ctl_rebootstrap },
	{ "update", "update ENDPOINT", 1, 1, lwgwd_ctl_update },
	{ "reload", "reload", 0, 0, lwgwd_ctl_reload },
	{ NULL, NULL, 0, 0, NULL }
};
