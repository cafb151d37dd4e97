/*
 * One BLE sensor of the ble driver: which kind it is, its connection (Connect, wait for
 * ServicesResolved, then ble_chr.c reads and subscribes; a disconnect reconnects with
 * backoff), silence, and BTHome service data decoded as it changes, without connecting.
 * See docs/ble.md.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "ble_filter.h"
#include "ble_int.h"
#include "cfg.h"
#include "log.h"
#include "xmalloc.h"

/* Instance IDs objects point at: BTHome packets may carry several of a kind. */
static const uint16_t ble_iids[BLE_BTHOME_MAX] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
};

static void	ble_dev_retry_timer(evutil_socket_t, short, void *);

struct ble_dev *
ble_dev_find(struct ble_link *bl, const char *path)
{
	struct ble_dev	*d;

	TAILQ_FOREACH(d, &bl->devs, entry) {
		if (strcmp(d->path, path) == 0)
			return (d);
	}
	return (NULL);
}

struct ble_dev *
ble_dev_add(struct ble_link *bl, const char *path)
{
	struct ble_dev	*d = xcalloc(1, sizeof *d);

	d->bl = bl;
	d->path = xstrdup(path);
	TAILQ_INIT(&d->chrs);
	d->retry = evtimer_new(bl->base, ble_dev_retry_timer, d);
	d->poll = event_new(bl->base, -1, EV_PERSIST, ble_chr_poll_timer, d);
	d->last_seen = ble_now(bl);
	TAILQ_INSERT_TAIL(&bl->devs, d, entry);
	return (d);
}

/* Forget a device; pending calls find it no more and are ignored. */
void
ble_dev_free(struct ble_dev *d)
{
	struct ble_chr	*chr;
	size_t		 i;

	TAILQ_REMOVE(&d->bl->devs, d, entry);
	while ((chr = TAILQ_FIRST(&d->chrs)) != NULL) {
		TAILQ_REMOVE(&d->chrs, chr, entry);
		ble_chr_free(chr);
	}
	for (i = 0; i < BLE_DIS_STRINGS; i++)
		free(d->strings[i]);
	free(d->name);
	free(d->alias);
	free(d->uuids);
	free(d->filtered);
	event_free(d->retry);
	event_free(d->poll);
	free(d->path);
	free(d);
}

static void
ble_dev_set_address(struct ble_dev *d, const char *s)
{
	size_t	i, n = 0;

	if (strlen(s) != 17)
		return;
	for (i = 0; i < 17; i++) {
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return;
		if (i % 3 != 2)
			d->id[n++] = (char)toupper((unsigned char)s[i]);
	}
	d->id[n] = '\0';
	memcpy(d->address, s, 18);
}

/* Remember a service the device advertises (UUIDs) or sends data for (ServiceData). */
static void
ble_dev_uuid_seen(struct ble_dev *d, const char *s)
{
	uint8_t	u[16];
	size_t	i;

	if (ble_uuid_parse(s, u) != 0)
		return;
	for (i = 0; i < d->nuuids; i++) {
		if (memcmp(d->uuids[i], u, sizeof u) == 0)
			return;
	}
	if (d->nuuids == BLE_FILTER_UUIDS_MAX)
		return;
	if (d->uuids == NULL)
		d->uuids = xcalloc(BLE_FILTER_UUIDS_MAX, sizeof *d->uuids);
	memcpy(d->uuids[d->nuuids++], u, sizeof u);
}

/*
 * Does the link's configuration let the device be a vclient? Each new reason it does not is
 * logged once; a name or services often arrive in a later PropertiesChanged, and then it is
 * asked again. A would-be sensor is logged at info, anything else at debug.
 */
static bool
ble_dev_allowed(struct ble_dev *d, bool candidate)
{
	const struct cfg_link	*lc = d->bl->cfg;
	const char		*name;
	char			*cause = NULL;

	if (d->id[0] == '\0')
		return (false);
	name = ble_filter_name(d->address, d->name, d->alias);
	if (ble_filter_match(lc, d->address, name,
	    (const uint8_t (*)[16])d->uuids, d->nuuids, &cause) == 0) {
		free(d->filtered);
		d->filtered = NULL;
		return (true);
	}
	if (d->filtered == NULL || strcmp(d->filtered, cause) != 0 ||
	    (candidate && !d->filtered_info)) {
		log_msg(candidate ? LOG_INFO : LOG_DEBUG, "link %s: %s ignored: %s",
		    lc->name, d->address, cause);
		free(d->filtered);
		d->filtered = cause;
		d->filtered_info = candidate;
	} else
		free(cause);
	return (false);
}

static void
ble_dev_uuid(const char *s, void *arg)
{
	struct ble_dev	*d = arg;
	uint16_t	 u;

	ble_dev_uuid_seen(d, s);
	if (ble_uuid16(s, &u) != 0)
		return;
	if (u == BLE_UUID_ESS)
		d->uuid_ess = true;
	else if (u == BLE_UUID_BATTERY || u == BLE_UUID_DIS)
		d->uuid_known = true;
}

static void
ble_dev_classify(struct ble_dev *d)
{
	const struct cfg_link	*lc = d->bl->cfg;
	/* Only Battery or Device Information: served when the user chose the device. */
	bool			 chosen = lc->nallow != 0 || lc->nuuids != 0;
	bool			 gatt = d->uuid_ess || (chosen && d->uuid_known);

	if (d->kind != BLE_KIND_NONE || !ble_dev_allowed(d, gatt || d->bthome))
		return;
	if (gatt)
		d->kind = BLE_KIND_GATT;
	else if (d->bthome)
		d->kind = BLE_KIND_BTHOME;
	else
		return;
	log_info("link %s: %s is a %s sensor", lc->name, d->address,
	    d->kind == BLE_KIND_GATT ? "GATT" : "BTHome");
}

/* The objects a vclient gets, from the paths it will report (object 3 is always there). */
void
ble_dev_add_object(struct ble_dev *d, const struct lwm2m_path *p)
{
	size_t	i;

	if (p->ids[0] == LWM2M_OID_DEVICE)
		return;
	for (i = 0; i < d->nobjs; i++) {
		if (d->objs[i].oid == p->ids[0]) {
			if (d->objs[i].niids <= p->ids[1])
				d->objs[i].niids = (size_t)p->ids[1] + 1;
			return;
		}
	}
	if (d->nobjs == BLE_MAX_OBJECTS || p->ids[1] >= BLE_BTHOME_MAX)
		return;
	d->objs[d->nobjs].oid = p->ids[0];
	d->objs[d->nobjs].iids = ble_iids;
	d->objs[d->nobjs].niids = (size_t)p->ids[1] + 1;
	d->nobjs++;
}

void
ble_dev_string(struct ble_dev *d, const struct lwm2m_path *p, const char *s)
{
	struct lwm2m_value	v;

	v.type = LWM2M_TYPE_STRING;
	v.v.bytes.ptr = (const uint8_t *)s;
	v.v.bytes.len = strlen(s);
	device_describe(d->dev, p, &v);
}

void
ble_dev_reading(struct ble_dev *d, const struct lwm2m_path *p,
    const struct lwm2m_value *v)
{
	int	rc;

	d->last_seen = ble_now(d->bl);
	if ((rc = device_reading(d->dev, p, v)) == 0)
		return;
	if (!d->logged_reading)
		log_ep(LOG_NOTICE, device_endpoint(d->dev), "reading of /%u/%u/%u "
		    "refused (%d.%02d)", p->ids[0], p->ids[1], p->ids[2],
		    LWM2M_CODE_CLASS(-rc), LWM2M_CODE_DETAIL(-rc));
	d->logged_reading = true;
}

/* Units of every sensor object instance, as IPSO's 5701. */
static void
ble_dev_units(struct ble_dev *d, const char *(*units)(uint16_t))
{
	struct lwm2m_path	p;
	const char		*u;
	size_t			 i, k;

	for (i = 0; i < d->nobjs; i++) {
		if ((u = units(d->objs[i].oid)) == NULL)
			continue;
		for (k = 0; k < d->objs[i].niids; k++) {
			p = LWM2M_PATH_RES(d->objs[i].oid, (uint16_t)k, 5701);
			ble_dev_string(d, &p, u);
		}
	}
}

static const char *
ble_units(uint16_t oid)
{
	switch (oid) {
	case 3301:
		return ("lx");
	case 3303:
		return ("Cel");
	case 3304:
		return ("%RH");
	case 3315:
		return ("hPa");
	case 3316:
		return ("V");
	default:
		return (NULL);
	}
}

void
ble_dev_appear(struct ble_dev *d, const char *model)
{
	struct device_info	 info;
	char			*cause = NULL;

	memset(&info, 0, sizeof info);
	info.id = d->id;
	info.manufacturer = d->strings[0];
	info.model = d->strings[1] != NULL ? d->strings[1] : model;
	info.serial = d->strings[2];
	info.firmware = d->strings[3];
	info.objects = d->objs;
	info.nobjects = d->nobjs;
	if ((d->dev = device_appeared(d->bl->link, &info, d, &cause)) == NULL) {
		log_warnx("%s", cause);
		free(cause);
		return;
	}
	d->logged_reading = false;
	ble_dev_units(d, ble_units);
}

/* ------------------------------------------------------------------ BTHome */

static void
ble_dev_bthome(struct ble_dev *d, const uint8_t *buf, size_t len)
{
	struct ble_link		*bl = d->bl;
	struct ble_bthome	 b;
	char			*cause = NULL;
	size_t			 i;

	d->last_seen = ble_now(bl);
	if (ble_bthome_decode(buf, len, &b, &cause) != 0) {
		log_msg(d->logged_bad_adv ? LOG_DEBUG : LOG_NOTICE, "link %s: %s: "
		    "advertisement rejected: %s", bl->cfg->name, d->address, cause);
		d->logged_bad_adv = true;
		free(cause);
		return;
	}
	if (b.stopped_at >= 0 &&
	    (bl->logged_ids[b.stopped_at / 8] & (1 << (b.stopped_at % 8))) == 0) {
		bl->logged_ids[b.stopped_at / 8] |= (uint8_t)(1 << (b.stopped_at % 8));
		log_notice("link %s: %s: BTHome object 0x%02x is unknown: the rest of "
		    "its packets is ignored", bl->cfg->name, d->address, b.stopped_at);
	}
	if (b.has_packet_id) {
		if (d->has_pid && d->pid == b.packet_id && d->dev != NULL)
			return;		/* the same packet again */
		d->has_pid = true;
		d->pid = b.packet_id;
	}
	if (d->dev == NULL) {
		if (b.nreadings == 0)
			return;
		for (i = 0; i < b.nreadings; i++)
			ble_dev_add_object(d, &b.readings[i].path);
		ble_dev_appear(d, "BTHome v2 sensor");
		if (d->dev == NULL)
			return;
	}
	for (i = 0; i < b.nreadings; i++)
		ble_dev_reading(d, &b.readings[i].path, &b.readings[i].value);
}

static void
ble_dev_retry(struct ble_dev *d)
{
	struct timeval	tv;

	d->backoff = d->backoff == 0 ? 1 : d->backoff * 2;
	if (d->backoff > BLE_BACKOFF_MAX)
		d->backoff = BLE_BACKOFF_MAX;
	tv.tv_sec = d->backoff;
	tv.tv_usec = 0;
	evtimer_add(d->retry, &tv);
}

static void
ble_dev_retry_timer(evutil_socket_t fd, short events, void *arg)
{
	ble_dev_kick(arg);
}

static int
ble_dev_connect_cb(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct ble_call	*c = arg;
	struct ble_dev	*d = ble_dev_find(c->bl, c->path);
	const char	*err;

	if (d == NULL || d->gen != c->gen)
		return (0);
	d->connecting = false;
	if ((err = ble_reply_error(m)) != NULL) {
		ble_dev_retry(d);
		log_info("link %s: %s: Connect: %s (next try in %d s)", c->bl->cfg->name,
		    d->address, err, d->backoff);
		return (0);
	}
	ble_dev_kick(d);
	return (0);
}

/* Whatever the sensor needs next: a connection, or the reads of a new one. */
void
ble_dev_kick(struct ble_dev *d)
{
	struct ble_link	*bl = d->bl;

	if (d->kind != BLE_KIND_GATT || !bl->adapter || !bl->powered)
		return;
	if (d->connected && d->resolved) {
		if (!d->setup)
			ble_chr_setup(d);
		return;
	}
	if (d->connected || d->connecting || evtimer_pending(d->retry, NULL))
		return;
	d->connecting = true;
	if (ble_call(bl, d->path, BLE_IFACE_DEVICE, "Connect", ble_dev_connect_cb,
	    ble_call_new(bl, d->path, NULL, d->gen), BLE_CONNECT_USEC, NULL) != 0) {
		d->connecting = false;
		ble_dev_retry(d);
	}
}

/* The connection is gone: forget its state, reconnect after a while. */
void
ble_dev_lost(struct ble_dev *d)
{
	struct ble_chr	*chr;

	d->gen++;
	d->setup = false;
	d->pending = 0;
	d->connecting = false;
	d->resolved = false;
	TAILQ_FOREACH(chr, &d->chrs, entry)
		chr->notifying = false;
	event_del(d->poll);
	if (d->dev != NULL && d->lost_at == 0) {
		d->lost_at = ble_now(d->bl);
		log_ep_info(device_endpoint(d->dev), "%s disconnected: reconnecting",
		    d->address);
	}
	if (!evtimer_pending(d->retry, NULL))
		ble_dev_retry(d);
}

/* Silent too long: a BTHome sensor that stopped advertising, a GATT one unreachable. */
void
ble_dev_sweep(struct ble_dev *d, time_t now)
{
	int	after = d->bl->cfg->stale_after;

	if (d->dev == NULL || after == 0)
		return;
	if ((d->kind == BLE_KIND_BTHOME && now - d->last_seen >= after) ||
	    (d->kind == BLE_KIND_GATT && d->lost_at != 0 && now - d->lost_at >= after)) {
		device_gone(d->dev);
		d->dev = NULL;
		d->has_pid = false;
	}
}

/* Device1 properties (a{sv} at the read position): identity, services, state, data. */
int
ble_dev_props(struct ble_dev *d, sd_bus_message *m)
{
	const char	*key, *contents, *s, *k2, *c2;
	char		**sp;
	const void	*bthome = NULL;
	size_t		 len = 0;
	uint16_t	 u;
	int		 r, b, connected = -1, resolved = -1, alive = 0;

	if ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}")) <= 0)
		return (r);
	while ((r = ble_props_next(m, &key, &contents)) > 0) {
		if (strcmp(key, "Address") == 0 && strcmp(contents, "s") == 0) {
			if ((r = sd_bus_message_read(m, "v", "s", &s)) >= 0)
				ble_dev_set_address(d, s);
		} else if ((strcmp(key, "Name") == 0 || strcmp(key, "Alias") == 0) &&
		    strcmp(contents, "s") == 0) {
			if ((r = sd_bus_message_read(m, "v", "s", &s)) >= 0) {
				sp = key[0] == 'N' ? &d->name : &d->alias;
				free(*sp);
				*sp = xstrdup(s);
			}
		} else if (strcmp(key, "UUIDs") == 0 && strcmp(contents, "as") == 0) {
			if ((r = sd_bus_message_enter_container(m, 'v', "as")) >= 0 &&
			    (r = ble_read_strings(m, ble_dev_uuid, d)) >= 0)
				r = sd_bus_message_exit_container(m);
		} else if (strcmp(key, "Connected") == 0 && strcmp(contents, "b") == 0) {
			if ((r = sd_bus_message_read(m, "v", "b", &b)) >= 0)
				connected = b;
		} else if (strcmp(key, "ServicesResolved") == 0 &&
		    strcmp(contents, "b") == 0) {
			if ((r = sd_bus_message_read(m, "v", "b", &b)) >= 0)
				resolved = b;
		} else if (strcmp(key, "ServiceData") == 0 &&
		    strcmp(contents, "a{sv}") == 0) {
			alive = 1;
			if ((r = sd_bus_message_enter_container(m, 'v', "a{sv}")) < 0 ||
			    (r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
				return (r);
			while ((r = ble_props_next(m, &k2, &c2)) > 0) {
				ble_dev_uuid_seen(d, k2);
				if (ble_uuid16(k2, &u) == 0 && u == BLE_UUID_BTHOME &&
				    strcmp(c2, "ay") == 0) {
					if ((r = sd_bus_message_enter_container(m, 'v',
					    "ay")) < 0 ||
					    (r = sd_bus_message_read_array(m, 'y',
					    &bthome, &len)) < 0 ||
					    (r = sd_bus_message_exit_container(m)) < 0)
						return (r);
					d->bthome = true;
				} else if ((r = sd_bus_message_skip(m, "v")) < 0)
					return (r);
				if ((r = sd_bus_message_exit_container(m)) < 0)
					return (r);
			}
			if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
				return (r);
			r = sd_bus_message_exit_container(m);
		} else {
			if (strcmp(key, "RSSI") == 0 ||
			    strcmp(key, "ManufacturerData") == 0)
				alive = 1;
			r = sd_bus_message_skip(m, "v");
		}
		if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
			return (r);
	}
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
		return (r);

	if (alive)
		d->last_seen = ble_now(d->bl);
	ble_dev_classify(d);
	if (resolved == 0 && d->setup && connected != 0) {
		/* Services changed on a live connection: set it up again once resolved. */
		d->gen++;
		d->setup = false;
		d->pending = 0;
		event_del(d->poll);
	}
	if (resolved != -1)
		d->resolved = resolved;
	if (connected == 1)
		d->connected = true;
	else if (connected == 0 && d->connected) {
		d->connected = false;
		if (d->kind == BLE_KIND_GATT)
			ble_dev_lost(d);
	}
	if (bthome != NULL && d->kind == BLE_KIND_BTHOME)
		ble_dev_bthome(d, bthome, len);
	return (0);
}
