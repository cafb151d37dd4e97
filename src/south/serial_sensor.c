/*
 * The serial driver's frame handling: announcements (HELLO, INFO, OBJ, READY) become
 * devices, reports become readings once checked against what the sensor announced and
 * the object definitions, Writes and Executes go out with correlation ids and come back
 * as RES. Frames with a valid checksum but wrong content are answered with ERR, so a
 * developer typing at a terminal sees why; noise (bad checksum) is only counted.
 */
#include "config.h"

#include <sys/time.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "cfg.h"
#include "device.h"
#include "dm.h"
#include "log.h"
#include "serial_int.h"
#include "xmalloc.h"

time_t
serial_now(struct serial_link *sl)
{
	struct timeval	tv;

	event_base_gettimeofday_cached(sl->base, &tv);
	return (tv.tv_sec);
}

/* Count a bad frame; log the first of a burst, the rest in a summary later. */
void
serial_bad(struct serial_link *sl, enum serial_bad bad, const char *detail)
{
	time_t		now = serial_now(sl);
	uint64_t	total = 0;
	size_t		i;

	if (detail != NULL && strcmp(detail, serial_proto_bad_name(bad)) == 0)
		detail = NULL;
	sl->bad[bad]++;
	for (i = 0; i < SERIAL_BAD_NKINDS; i++)
		total += sl->bad[i];
	if (now - sl->bad_logged < SERIAL_BAD_LOG_S) {
		sl->bad_quiet++;
		return;
	}
	sl->bad_logged = now;
	log_warnx("link %s: dropped a frame: %s%s%s (%llu bad frames so far)",
	    sl->cfg->name, serial_proto_bad_name(bad), detail != NULL ? ": " : "",
	    detail != NULL ? detail : "", (unsigned long long)total);
}

/* A bad frame whose sender is known (its checksum was right): tell it why. */
static void
serial_reject(struct serial_link *sl, unsigned addr, int code, enum serial_bad bad,
    const char *detail)
{
	const char	*reason = detail != NULL ? detail : serial_proto_bad_name(bad);
	char		 body[SERIAL_PROTO_LINE_MAX], num[8];
	size_t		 off;

	serial_bad(sl, bad, detail);
	serial_proto_code_format(code, num, sizeof num);
	off = (size_t)snprintf(body, sizeof body, "ERR %s ", num);
	if (serial_proto_format_string(body, sizeof body, &off,
	    (const uint8_t *)reason, strlen(reason)) != 0)
		snprintf(body, sizeof body, "ERR %s", num);
	serial_send(sl, addr, body);
}

static struct serial_sensor *
serial_sensor_find(struct serial_link *sl, unsigned addr)
{
	struct serial_sensor	*s;

	TAILQ_FOREACH(s, &sl->sensors, entry) {
		if (s->addr == addr)
			return (s);
	}
	return (NULL);
}

static void
serial_sensor_reset(struct serial_sensor *s)
{
	size_t	i;

	for (i = 0; i < sizeof s->info / sizeof *s->info; i++) {
		free(s->info[i]);
		s->info[i] = NULL;
	}
	s->nobjs = 0;
}

/*
 * Forget a sensor. If tell, its pending requests fail and its device is gone; when the
 * link stops for a shutdown the vclients are left as they are to de-register.
 */
static void
serial_sensor_drop(struct serial_sensor *s, bool tell)
{
	struct serial_link	*sl = s->sl;
	size_t			 i;

	for (i = 0; i < SERIAL_PENDING_MAX; i++) {
		if (sl->pending[i].sensor != s)
			continue;
		sl->pending[i].sensor = NULL;
		if (tell && s->dev != NULL)
			device_done(s->dev, sl->pending[i].cookie,
			    LWM2M_ERR_SERVICE_UNAVAILABLE);
	}
	if (tell && s->dev != NULL)
		device_gone(s->dev);
	TAILQ_REMOVE(&sl->sensors, s, entry);
	serial_sensor_reset(s);
	free(s);
}

static void
serial_sensor_free(struct serial_sensor *s)
{
	serial_sensor_drop(s, true);
}

void
serial_sensors_gone(struct serial_link *sl, bool tell)
{
	struct serial_sensor	*s;

	while ((s = TAILQ_FIRST(&sl->sensors)) != NULL)
		serial_sensor_drop(s, tell);
}

static void
serial_hello(struct serial_link *sl, struct serial_sensor *s, struct serial_frame *f)
{
	struct serial_sensor	*o;
	unsigned		 version, caps;

	if (serial_proto_negotiate(f->version, f->caps, &version, &caps) != 0) {
		serial_reject(sl, f->addr, LWM2M_ERR_NOT_ACCEPTABLE, SERIAL_BAD_SYNTAX,
		    "no common protocol version");
		return;
	}
	TAILQ_FOREACH(o, &sl->sensors, entry) {
		if (o != s && strcmp(o->id, f->id) == 0) {
			serial_reject(sl, f->addr, LWM2M_ERR_BAD_REQUEST,
			    SERIAL_BAD_STATE, "identity in use on this link");
			return;
		}
	}
	if (s != NULL && s->dev != NULL) {
		/* A present sensor announces again: it restarted. */
		serial_sensor_free(s);
		s = NULL;
	}
	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->sl = sl;
		s->addr = f->addr;
		TAILQ_INSERT_TAIL(&sl->sensors, s, entry);
	}
	serial_sensor_reset(s);
	snprintf(s->id, sizeof s->id, "%s", f->id);
	s->version = version;
	s->caps = caps;
	s->heard = serial_now(sl);
}

static void
serial_obj(struct serial_link *sl, struct serial_sensor *s, struct serial_frame *f)
{
	const struct dm_object	*def;
	struct serial_object	*obj = NULL;
	size_t			 i;

	if (f->oid <= LWM2M_OID_DEVICE) {
		serial_reject(sl, f->addr, LWM2M_ERR_BAD_REQUEST, SERIAL_BAD_PATH,
		    "objects 0 to 3 are the gateway's");
		return;
	}
	/* Built-in objects and those of the DDF files (gateway.objects_dir). */
	if ((def = dm_object_find(device_link_registry(sl->link), f->oid)) == NULL) {
		serial_reject(sl, f->addr, LWM2M_ERR_NOT_FOUND, SERIAL_BAD_PATH,
		    "unknown object");
		return;
	}
	/* Checked before a slot is taken: a refused announcement changes nothing. */
	if (f->niids > 1 && !def->multiple) {
		serial_reject(sl, f->addr, LWM2M_ERR_BAD_REQUEST, SERIAL_BAD_SYNTAX,
		    "single-instance object");
		return;
	}
	for (i = 0; i < s->nobjs; i++) {
		if (s->objs[i].oid == f->oid)
			obj = &s->objs[i];
	}
	if (obj == NULL) {
		if (s->nobjs == SERIAL_OBJECTS_MAX) {
			serial_reject(sl, f->addr, LWM2M_ERR_TOO_LARGE,
			    SERIAL_BAD_STATE, "too many objects");
			return;
		}
		obj = &s->objs[s->nobjs++];
	}
	obj->oid = f->oid;
	obj->def = def;
	memcpy(obj->iids, f->iids, f->niids * sizeof *f->iids);
	obj->niids = f->niids;
}

static void
serial_ready(struct serial_link *sl, struct serial_sensor *s)
{
	struct vclient_object	 objects[SERIAL_OBJECTS_MAX];
	struct device_info	 info;
	char			 body[64], caps[32], *cause = NULL;
	size_t			 i;

	for (i = 0; i < s->nobjs; i++) {
		objects[i].oid = s->objs[i].oid;
		objects[i].iids = s->objs[i].iids;
		objects[i].niids = s->objs[i].niids;
	}
	memset(&info, 0, sizeof info);
	info.id = s->id;
	info.manufacturer = s->info[SERIAL_INFO_MFR];
	info.model = s->info[SERIAL_INFO_MODEL];
	info.serial = s->info[SERIAL_INFO_SN];
	info.firmware = s->info[SERIAL_INFO_FW];
	info.objects = objects;
	info.nobjects = s->nobjs;
	if ((s->dev = device_appeared(sl->link, &info, s, &cause)) == NULL) {
		log_warnx("link %s: sensor %s: %s", sl->cfg->name, s->id, cause);
		serial_reject(sl, s->addr, LWM2M_ERR_INTERNAL, SERIAL_BAD_STATE,
		    "refused");
		free(cause);
		serial_sensor_free(s);
		return;
	}
	snprintf(body, sizeof body, "WELCOME %u %s", s->version,
	    serial_proto_caps_format(s->caps, caps, sizeof caps));
	serial_send(sl, s->addr, body);
}

/* Check one reported value against the announcement and the definition, then store it. */
static void
serial_report(struct serial_link *sl, struct serial_sensor *s, struct serial_report *r)
{
	const struct lwm2m_path	*p = &r->path;
	const struct serial_object *obj = NULL;
	const struct dm_resource *res;
	struct lwm2m_value	 v;
	size_t			 i;
	bool			 found = false;

	for (i = 0; i < s->nobjs; i++) {
		if (s->objs[i].oid == p->ids[0])
			obj = &s->objs[i];
	}
	for (i = 0; obj != NULL && i < obj->niids; i++) {
		if (obj->iids[i] == p->ids[1])
			found = true;
	}
	if (!found) {
		serial_reject(sl, s->addr, LWM2M_ERR_NOT_FOUND, SERIAL_BAD_PATH,
		    "instance not announced");
		return;
	}
	if ((res = dm_resource_find(obj->def, p->ids[2])) == NULL ||
	    res->type == LWM2M_TYPE_NONE || (res->ops & LWM2M_OP_E) ||
	    (p->len == 4) != res->multiple) {
		serial_reject(sl, s->addr, LWM2M_ERR_NOT_FOUND, SERIAL_BAD_PATH,
		    "no such resource");
		return;
	}
	if (serial_proto_value(&r->value, res->type, &v) != 0) {
		serial_reject(sl, s->addr, LWM2M_ERR_BAD_REQUEST, SERIAL_BAD_VALUE,
		    "value of the wrong type");
		return;
	}
	if (device_reading(s->dev, p, &v) != 0) {
		serial_reject(sl, s->addr, LWM2M_ERR_BAD_REQUEST, SERIAL_BAD_VALUE,
		    "value refused");
		return;
	}
}

static void
serial_res(struct serial_link *sl, struct serial_sensor *s, struct serial_frame *f)
{
	struct serial_pending	*pd;
	size_t			 i;

	for (i = 0; i < SERIAL_PENDING_MAX; i++) {
		pd = &sl->pending[i];
		if (pd->sensor != s || pd->corr != f->corr)
			continue;
		pd->sensor = NULL;
		device_done(s->dev, pd->cookie, f->code);
		return;
	}
	/* Late (forgotten) or never asked. */
	serial_bad(sl, SERIAL_BAD_STATE, "result for an unknown correlation id");
}

/* A sender the gateway does not know: ask it to announce itself, not too often. */
static void
serial_who(struct serial_link *sl, unsigned addr)
{
	time_t	now = serial_now(sl);

	serial_bad(sl, SERIAL_BAD_STATE, "sensor has not announced itself");
	if (now - sl->who_sent < SERIAL_WHO_S)
		return;
	sl->who_sent = now;
	serial_send(sl, addr, "WHO");
}

void
serial_line(struct serial_link *sl, char *line, size_t len)
{
	struct serial_frame	 f;
	struct serial_sensor	*s;
	enum serial_bad		 bad;
	size_t			 i;

	if (len == 1 && line[0] == '\r')
		return;		/* an empty line: someone pressed Enter */
	if (serial_proto_parse(line, len, &f, &bad) != 0) {
		if ((bad == SERIAL_BAD_VERB || bad == SERIAL_BAD_SYNTAX) &&
		    f.verb != SERIAL_VERB_ERR)
			serial_reject(sl, f.addr, LWM2M_ERR_BAD_REQUEST, bad, NULL);
		else
			serial_bad(sl, bad, NULL);
		return;
	}
	sl->frames++;
	if ((s = serial_sensor_find(sl, f.addr)) != NULL) {
		s->heard = serial_now(sl);
		s->pinged = 0;
	}
	switch (f.verb) {
	case SERIAL_VERB_HELLO:
		serial_hello(sl, s, &f);
		return;
	case SERIAL_VERB_INFO:
	case SERIAL_VERB_OBJ:
	case SERIAL_VERB_READY:
		if (s == NULL || s->dev != NULL) {
			serial_reject(sl, f.addr, LWM2M_ERR_BAD_REQUEST,
			    SERIAL_BAD_STATE, "HELLO first");
			return;
		}
		if (f.verb == SERIAL_VERB_INFO) {
			free(s->info[f.info]);
			s->info[f.info] = xstrdup(f.arg.p);
		} else if (f.verb == SERIAL_VERB_OBJ)
			serial_obj(sl, s, &f);
		else
			serial_ready(sl, s);
		return;
	case SERIAL_VERB_REPORT:
	case SERIAL_VERB_RES:
		if (s == NULL || s->dev == NULL) {
			serial_who(sl, f.addr);
			return;
		}
		if (f.verb == SERIAL_VERB_RES) {
			serial_res(sl, s, &f);
			return;
		}
		for (i = 0; i < f.nreports && s->dev != NULL; i++)
			serial_report(sl, s, &f.reports[i]);
		return;
	case SERIAL_VERB_PING:
		serial_send(sl, f.addr, "PONG");
		return;
	case SERIAL_VERB_PONG:
		return;
	case SERIAL_VERB_ERR:
		log_debug("link %s: sensor at address %u: error %s", sl->cfg->name,
		    f.addr, f.arg.p != NULL ? f.arg.p : "");
		return;
	case SERIAL_VERB_BYE:
		if (s != NULL)
			serial_sensor_free(s);
		return;
	default:
		/* A gateway's verb: another master on the bus, or an echo. */
		serial_bad(sl, SERIAL_BAD_STATE, serial_proto_verb_name(f.verb));
		return;
	}
}

void
serial_tick_timer(evutil_socket_t fd, short events, void *arg)
{
	struct serial_link	*sl = arg;
	struct serial_sensor	*s, *next;
	time_t			 now = serial_now(sl);
	size_t			 i;

	for (i = 0; i < SERIAL_PENDING_MAX; i++) {
		if (sl->pending[i].sensor != NULL &&
		    now - sl->pending[i].sent >= SERIAL_PENDING_TTL_S)
			sl->pending[i].sensor = NULL;	/* the vclient said 5.04 */
	}
	for (s = TAILQ_FIRST(&sl->sensors); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (s->dev == NULL) {
			if (now - s->heard >= SERIAL_ANNOUNCE_S) {
				log_debug("link %s: sensor %s never said READY",
				    sl->cfg->name, s->id);
				serial_sensor_free(s);
			}
			continue;
		}
		if (now - s->heard >= SERIAL_SILENT_S) {
			log_notice("link %s: sensor %s silent for %lld s",
			    sl->cfg->name, s->id, (long long)(now - s->heard));
			serial_sensor_free(s);
		} else if (now - s->heard >= SERIAL_PING_S && s->pinged == 0) {
			s->pinged = now;
			serial_send(sl, s->addr, "PING");
		}
	}
	if (sl->bad_quiet > 0 && now - sl->bad_logged >= SERIAL_BAD_LOG_S) {
		log_warnx("link %s: dropped %llu more bad frames", sl->cfg->name,
		    (unsigned long long)sl->bad_quiet);
		sl->bad_quiet = 0;
		sl->bad_logged = now;
	}
}

static void
serial_path_format(const struct lwm2m_path *p, char *buf, size_t len)
{
	size_t	i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < p->len && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "/%u", p->ids[i]);
}

static struct serial_pending *
serial_pending_new(struct serial_link *sl, struct serial_sensor *s, uint64_t cookie)
{
	struct serial_pending	*pd = NULL;
	size_t			 i;
	bool			 used;

	for (i = 0; i < SERIAL_PENDING_MAX && pd == NULL; i++) {
		if (sl->pending[i].sensor == NULL)
			pd = &sl->pending[i];
	}
	if (pd == NULL)
		return (NULL);
	/* A correlation id not in use on this link. */
	do {
		if (sl->next_corr == 0)
			sl->next_corr = 1;
		pd->corr = sl->next_corr++;
		used = false;
		for (i = 0; i < SERIAL_PENDING_MAX; i++) {
			if (sl->pending[i].sensor != NULL &&
			    sl->pending[i].corr == pd->corr)
				used = true;
		}
	} while (used);
	pd->cookie = cookie;
	pd->sent = serial_now(sl);
	return (pd);
}

/* Send "VERB corr path" and the rest; the request waits for the sensor's RES. */
static int
serial_request(struct device_link *link, struct device *dev, uint64_t cookie,
    unsigned cap, const char *verb, const struct lwm2m_path *path,
    const struct lwm2m_value *value, const uint8_t *args, size_t len)
{
	struct serial_link	*sl = device_link_data(link);
	struct serial_sensor	*s = NULL;
	struct serial_pending	*pd;
	char			 body[SERIAL_PROTO_LINE_MAX], p[DM_PATH_MAXLEN];
	size_t			 off;
	int			 rc = 0;

	/* Not device_driver_data(): it outlives the sensor once the device is gone. */
	if (sl != NULL) {
		TAILQ_FOREACH(s, &sl->sensors, entry) {
			if (s->dev == dev)
				break;
		}
	}
	if (s == NULL || sl->fd == -1)
		return (LWM2M_ERR_SERVICE_UNAVAILABLE);
	if ((s->caps & cap) == 0)
		return (LWM2M_ERR_METHOD_NOT_ALLOWED);
	if ((pd = serial_pending_new(sl, s, cookie)) == NULL)
		return (LWM2M_ERR_SERVICE_UNAVAILABLE);
	serial_path_format(path, p, sizeof p);
	off = (size_t)snprintf(body, sizeof body, "%s %u %s%s", verb, pd->corr, p,
	    value != NULL || len > 0 ? " " : "");
	if (off >= sizeof body)
		rc = -1;
	else if (value != NULL)
		rc = serial_proto_format_value(body, sizeof body, &off, value);
	else if (len > 0)
		rc = serial_proto_format_string(body, sizeof body, &off, args, len);
	if (rc != 0) {
		/* Only numbers that are not numbers fail for another reason than size. */
		if (value != NULL && (value->type == LWM2M_TYPE_NONE ||
		    (value->type == LWM2M_TYPE_FLOAT && !isfinite(value->v.f))))
			return (LWM2M_ERR_BAD_REQUEST);
		return (LWM2M_ERR_TOO_LARGE);
	}
	if (serial_send(sl, s->addr, body) != 0)
		return (LWM2M_ERR_SERVICE_UNAVAILABLE);
	pd->sensor = s;
	return (VCLIENT_PENDING);
}

int
serial_write(struct device_link *link, struct device *dev, uint64_t cookie,
    const struct lwm2m_path *path, const struct lwm2m_value *value)
{
	return (serial_request(link, dev, cookie, SERIAL_CAP_WRITE, "WRITE", path,
	    value, NULL, 0));
}

int
serial_execute(struct device_link *link, struct device *dev, uint64_t cookie,
    const struct lwm2m_path *path, const uint8_t *args, size_t len)
{
	if (path->len != 3)
		return (LWM2M_ERR_METHOD_NOT_ALLOWED);
	return (serial_request(link, dev, cookie, SERIAL_CAP_EXEC, "EXEC", path, NULL,
	    args, len));
}
