/*
 * The GATT side of a BLE sensor (ble_dev.c has the rest): its mapped characteristics,
 * the first reads of a connection (Device Information strings name the vclient, so they
 * come before device_appeared), then notifications, or periodic ReadValue where a
 * characteristic cannot notify. See docs/ble.md.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "ble_int.h"
#include "cfg.h"
#include "log.h"
#include "xmalloc.h"

static void	ble_chr_ready(struct ble_dev *);

void
ble_chr_free(struct ble_chr *chr)
{
	free(chr->path);
	free(chr);
}


static struct ble_chr *
ble_chr_find(struct ble_link *bl, const char *path, struct ble_dev **dp)
{
	struct ble_dev	*d;
	struct ble_chr	*chr;
	size_t		 n;

	TAILQ_FOREACH(d, &bl->devs, entry) {
		n = strlen(d->path);
		if (strncmp(path, d->path, n) != 0 || path[n] != '/')
			continue;
		*dp = d;
		TAILQ_FOREACH(chr, &d->chrs, entry) {
			if (strcmp(chr->path, path) == 0)
				return (chr);
		}
		return (NULL);
	}
	*dp = NULL;
	return (NULL);
}

static int
ble_chr_dis_index(uint16_t rid)
{
	switch (rid) {
	case 0: case 1: case 2: case 3:
		return (rid);
	case 18:
		return (4);
	case 19:
		return (5);
	default:
		return (-1);
	}
}

/* A characteristic's value, from a read or a notification. */
static void
ble_chr_value(struct ble_dev *d, struct ble_chr *chr, const uint8_t *buf, size_t len)
{
	const struct ble_gatt_char	*map = chr->map;
	struct lwm2m_value		 v;
	char				*cause = NULL;
	int				 rc, k;

	if ((rc = ble_gatt_decode(map, buf, len, &v, &cause)) < 0) {
		log_msg(chr->bad_logged ? LOG_DEBUG : LOG_NOTICE, "link %s: %s: value "
		    "of %s rejected: %s", d->bl->cfg->name, d->address, chr->path,
		    cause);
		chr->bad_logged = true;
		free(cause);
		return;
	}
	if (rc == 1) {
		log_debug("link %s: %s: %s: value not known", d->bl->cfg->name,
		    d->address, map->name);
		return;
	}
	d->last_seen = ble_now(d->bl);
	if (v.type == LWM2M_TYPE_STRING) {
		if ((k = ble_chr_dis_index(map->path.ids[2])) < 0)
			return;
		free(d->strings[k]);
		d->strings[k] = xstrndup((const char *)v.v.bytes.ptr, v.v.bytes.len);
		if (d->dev != NULL && d->pending == 0)
			ble_dev_string(d, &map->path, d->strings[k]);
		return;
	}
	chr->last = v;
	chr->has_last = true;
	if (d->dev != NULL && d->pending == 0)
		ble_dev_reading(d, &map->path, &v);
}

static int
ble_chr_read_cb(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct ble_call	*c = arg;
	struct ble_dev	*d;
	struct ble_chr	*chr;
	const void	*buf;
	const char	*err;
	size_t		 len;

	chr = ble_chr_find(c->bl, c->chr, &d);
	if (d == NULL || d->gen != c->gen || !d->setup)
		return (0);
	if (chr != NULL) {
		if ((err = ble_reply_error(m)) != NULL)
			log_debug("link %s: %s: ReadValue of %s: %s", c->bl->cfg->name,
			    d->address, chr->path, err);
		else if (sd_bus_message_read_array(m, 'y', &buf, &len) < 0)
			log_debug("link %s: %s: ReadValue of %s: not bytes",
			    c->bl->cfg->name, d->address, chr->path);
		else
			ble_chr_value(d, chr, buf, len);
	}
	if (d->pending > 0 && --d->pending == 0)
		ble_chr_ready(d);
	return (0);
}

static int
ble_chr_read(struct ble_dev *d, struct ble_chr *chr)
{
	return (ble_call(d->bl, chr->path, BLE_IFACE_CHR, "ReadValue", ble_chr_read_cb,
	    ble_call_new(d->bl, d->path, chr->path, d->gen), BLE_CALL_USEC, "a{sv}",
	    0));
}

static bool
ble_chr_polled(struct ble_chr *chr)
{
	return (!chr->notify && chr->map->format != BLE_GATT_UTF8);
}

static void
ble_chr_poll_arm(struct ble_dev *d)
{
	struct timeval	 tv = { d->bl->poll_s, 0 };
	struct ble_chr	*chr;

	TAILQ_FOREACH(chr, &d->chrs, entry) {
		if (ble_chr_polled(chr)) {
			if (!event_pending(d->poll, EV_TIMEOUT, NULL))
				event_add(d->poll, &tv);
			return;
		}
	}
}

void
ble_chr_poll_timer(evutil_socket_t fd, short events, void *arg)
{
	struct ble_dev	*d = arg;
	struct ble_chr	*chr;

	if (!d->setup || d->pending != 0)
		return;
	TAILQ_FOREACH(chr, &d->chrs, entry) {
		if (ble_chr_polled(chr))
			ble_chr_read(d, chr);
	}
}

static int
ble_chr_notify_cb(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct ble_call	*c = arg;
	struct ble_dev	*d;
	struct ble_chr	*chr;
	const char	*err;

	chr = ble_chr_find(c->bl, c->chr, &d);
	if (chr == NULL || d->gen != c->gen)
		return (0);
	/* InProgress: this client is subscribed already (services re-resolved). */
	if ((err = ble_reply_error(m)) == NULL ||
	    sd_bus_message_is_method_error(m, "org.bluez.Error.InProgress")) {
		chr->notifying = true;
		return (0);
	}
	log_info("link %s: %s: no notifications from %s (%s): polling it",
	    c->bl->cfg->name, d->address, chr->map->name, err);
	chr->notify = false;
	ble_chr_poll_arm(d);
	return (0);
}

/* Every characteristic was read once: the sensor is (again) a virtual client. */
static void
ble_chr_ready(struct ble_dev *d)
{
	struct ble_chr		*chr;
	struct lwm2m_path	 p;
	size_t			 k, n = 0;
	static const uint16_t	 rids[BLE_DIS_STRINGS] = { 0, 1, 2, 3, 18, 19 };

	if (d->dev == NULL) {
		d->nobjs = 0;
		TAILQ_FOREACH(chr, &d->chrs, entry)
			ble_dev_add_object(d, &chr->map->path);
		ble_dev_appear(d, NULL);
		if (d->dev == NULL)
			return;
	}
	for (k = 0; k < BLE_DIS_STRINGS; k++) {
		if (d->strings[k] == NULL)
			continue;
		p = LWM2M_PATH_RES(LWM2M_OID_DEVICE, 0, rids[k]);
		ble_dev_string(d, &p, d->strings[k]);
	}
	TAILQ_FOREACH(chr, &d->chrs, entry) {
		n++;
		if (chr->has_last)
			ble_dev_reading(d, &chr->map->path, &chr->last);
		if (chr->notify)
			ble_call(d->bl, chr->path, BLE_IFACE_CHR, "StartNotify",
			    ble_chr_notify_cb, ble_call_new(d->bl, d->path, chr->path,
			    d->gen), BLE_CALL_USEC, NULL);
	}
	ble_chr_poll_arm(d);
	d->lost_at = 0;
	d->backoff = 0;
	log_ep_info(device_endpoint(d->dev), "%s connected, %zu characteristics",
	    d->address, n);
}

/* Connected and resolved: read every mapped characteristic before appearing. */
void
ble_chr_setup(struct ble_dev *d)
{
	struct ble_chr	*chr;

	d->setup = true;
	d->pending = 0;
	TAILQ_FOREACH(chr, &d->chrs, entry) {
		chr->has_last = false;
		if (ble_chr_read(d, chr) == 0)
			d->pending++;
	}
	if (d->pending != 0 || d->logged_nothing)
		return;
	log_notice("link %s: %s has no characteristic lwgw knows", d->bl->cfg->name,
	    d->address);
	d->logged_nothing = true;
}

struct ble_chr_attrs {
	const char	*uuid;
	bool		 notify;
	bool		 has_value;
	const void	*value;
	size_t		 len;
};

static void
ble_chr_flag(const char *s, void *arg)
{
	struct ble_chr_attrs	*cp = arg;

	if (strcmp(s, "notify") == 0 || strcmp(s, "indicate") == 0)
		cp->notify = true;
}

static int
ble_chr_parse(sd_bus_message *m, struct ble_chr_attrs *cp)
{
	const char	*key, *contents;
	int		 r;

	memset(cp, 0, sizeof *cp);
	if ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}")) <= 0)
		return (r);
	while ((r = ble_props_next(m, &key, &contents)) > 0) {
		if (strcmp(key, "UUID") == 0 && strcmp(contents, "s") == 0)
			r = sd_bus_message_read(m, "v", "s", &cp->uuid);
		else if (strcmp(key, "Flags") == 0 && strcmp(contents, "as") == 0) {
			if ((r = sd_bus_message_enter_container(m, 'v', "as")) >= 0 &&
			    (r = ble_read_strings(m, ble_chr_flag, cp)) >= 0)
				r = sd_bus_message_exit_container(m);
		} else if (strcmp(key, "Value") == 0 && strcmp(contents, "ay") == 0) {
			if ((r = sd_bus_message_enter_container(m, 'v', "ay")) >= 0 &&
			    (r = sd_bus_message_read_array(m, 'y', &cp->value,
			    &cp->len)) >= 0)
				r = sd_bus_message_exit_container(m);
			cp->has_value = true;
		} else
			r = sd_bus_message_skip(m, "v");
		if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
			return (r);
	}
	if (r < 0)
		return (r);
	return (sd_bus_message_exit_container(m));
}

/* GattCharacteristic1 properties: a new characteristic (added) or a changed value. */
void
ble_chr_props(struct ble_link *bl, const char *path, sd_bus_message *m, bool added)
{
	struct ble_chr_attrs		 cp;
	const struct ble_gatt_char	*map;
	struct ble_chr			*chr;
	struct ble_dev			*d;
	uint16_t			 u;

	chr = ble_chr_find(bl, path, &d);
	if (d == NULL || ble_chr_parse(m, &cp) < 0)
		return;
	if (!added) {
		if (chr != NULL && cp.has_value && d->setup && d->pending == 0)
			ble_chr_value(d, chr, cp.value, cp.len);
		return;
	}
	if (chr != NULL || cp.uuid == NULL || d->kind != BLE_KIND_GATT)
		return;
	if (ble_uuid16(cp.uuid, &u) != 0) {
		if (!bl->logged_vendor)
			log_info("link %s: vendor characteristics (such as %s) are "
			    "ignored", bl->cfg->name, cp.uuid);
		bl->logged_vendor = true;
		return;
	}
	if ((map = ble_gatt_lookup(u)) == NULL) {
		if ((bl->logged_uuids[u / 8] & (1 << (u % 8))) == 0)
			log_info("link %s: characteristic 0x%04x is ignored",
			    bl->cfg->name, u);
		bl->logged_uuids[u / 8] |= (uint8_t)(1 << (u % 8));
		return;
	}
	chr = xcalloc(1, sizeof *chr);
	chr->path = xstrdup(path);
	chr->map = map;
	chr->notify = cp.notify;
	TAILQ_INSERT_TAIL(&d->chrs, chr, entry);
}

void
ble_chr_removed(struct ble_link *bl, const char *path)
{
	struct ble_chr	*chr;
	struct ble_dev	*d;

	if ((chr = ble_chr_find(bl, path, &d)) == NULL)
		return;
	TAILQ_REMOVE(&d->chrs, chr, entry);
	ble_chr_free(chr);
}
