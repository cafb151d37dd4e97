/*
 * Bluetooth LE sensors through BlueZ on D-Bus (sd-bus), one link per adapter. BlueZ's
 * object tree (ObjectManager at /) tells which devices exist; sensors exposing the
 * Environmental Sensing service are connected and read through GATT (ble_dev.c), sensors
 * that only advertise BTHome v2 service data are decoded without connecting. Every call is
 * asynchronous: the bus is one libevent event, re-armed from sd_bus_get_events() and
 * sd_bus_get_timeout() after each round of sd_bus_process(). BlueZ going away (its name
 * losing its owner) makes every sensor gone; its return re-reads the tree. A lost bus is
 * reopened every few seconds. See docs/ble.md.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "device.h"
#include "log.h"
#include "xmalloc.h"

#ifdef HAVE_LIBSYSTEMD

#include <sys/time.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <time.h>

#include <event2/event.h>

#include "ble_int.h"

#define BLE_REOPEN_S		2	/* a lost bus is reopened this often */
#define BLE_MATCH_OWNER							\
	"type='signal',sender='org.freedesktop.DBus',"			\
	"path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',"	\
	"member='NameOwnerChanged',arg0='org.bluez'"
#define BLE_MATCH_PROPS							\
	"type='signal',interface='org.freedesktop.DBus.Properties',"	\
	"member='PropertiesChanged',path_namespace='/org/bluez'"

static void	ble_bus_arm(struct ble_link *);
static void	ble_bus_lost(struct ble_link *, const char *);
static int	ble_tree_read(struct ble_link *);

time_t
ble_now(struct ble_link *bl)
{
	struct timeval	tv;

	event_base_gettimeofday_cached(bl->base, &tv);
	return (tv.tv_sec);
}

struct ble_call *
ble_call_new(struct ble_link *bl, const char *path, const char *chr, unsigned int gen)
{
	struct ble_call	*c = xcalloc(1, sizeof *c);

	c->bl = bl;
	c->path = path != NULL ? xstrdup(path) : NULL;
	c->chr = chr != NULL ? xstrdup(chr) : NULL;
	c->gen = gen;
	return (c);
}

static void
ble_call_destroy(void *arg)
{
	struct ble_call	*c = arg;

	free(c->path);
	free(c->chr);
	free(c);
}

/*
 * An asynchronous method call to BlueZ. The slot floats (the bus owns it) and frees c when
 * it goes, whether the reply came, the call timed out or the bus was closed. -1 (and c
 * freed) if the call could not be queued.
 */
int
ble_call(struct ble_link *bl, const char *path, const char *iface, const char *member,
    sd_bus_message_handler_t cb, struct ble_call *c, uint64_t usec, const char *types, ...)
{
	sd_bus_message	*m = NULL;
	sd_bus_slot	*slot = NULL;
	va_list		 ap;
	int		 r = -ENOTCONN;

	if (bl->bus != NULL)
		r = sd_bus_message_new_method_call(bl->bus, &m, BLE_BLUEZ, path, iface,
		    member);
	if (r >= 0 && types != NULL) {
		va_start(ap, types);
		r = sd_bus_message_appendv(m, types, ap);
		va_end(ap);
	}
	if (r >= 0)
		r = sd_bus_call_async(bl->bus, &slot, m, cb, c, usec);
	sd_bus_message_unref(m);
	if (r < 0) {
		log_warnx("link %s: %s.%s on %s: %s", bl->cfg->name, iface, member, path,
		    strerror(-r));
		ble_call_destroy(c);
		return (-1);
	}
	sd_bus_slot_set_destroy_callback(slot, ble_call_destroy);
	sd_bus_slot_set_floating(slot, 1);
	sd_bus_slot_unref(slot);
	ble_bus_arm(bl);
	return (0);
}

/* The error of a reply as "Name: message", or NULL if it is not an error. */
const char *
ble_reply_error(sd_bus_message *m)
{
	const sd_bus_error	*e;

	if (!sd_bus_message_is_method_error(m, NULL))
		return (NULL);
	e = sd_bus_message_get_error(m);
	if (e == NULL || e->name == NULL)
		return ("error");
	return (e->message != NULL ? e->message : e->name);
}

/*
 * Inside an a{sv}: enter the next entry, read its key and the signature of its variant.
 * 1 positioned at the variant (the caller reads or skips it, then exits the entry), 0 at
 * the end, -errno.
 */
int
ble_props_next(sd_bus_message *m, const char **key, const char **contents)
{
	char	type;
	int	r;

	if ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) <= 0)
		return (r);
	if ((r = sd_bus_message_read(m, "s", key)) < 0)
		return (r);
	if ((r = sd_bus_message_peek_type(m, &type, contents)) < 0)
		return (r);
	if (type != SD_BUS_TYPE_VARIANT || *contents == NULL)
		return (-EBADMSG);
	return (1);
}

/* Call fn for each string of an "as" at the read position. */
int
ble_read_strings(sd_bus_message *m, void (*fn)(const char *, void *), void *arg)
{
	const char	*s;
	int		 r;

	if ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "s")) <= 0)
		return (r);
	while ((r = sd_bus_message_read(m, "s", &s)) > 0)
		fn(s, arg);
	if (r < 0)
		return (r);
	return (sd_bus_message_exit_container(m));
}

static void
ble_bus_cb(evutil_socket_t fd, short events, void *arg)
{
	struct ble_link	*bl = arg;
	int		 r;

	while ((r = sd_bus_process(bl->bus, NULL)) > 0)
		;
	if (r < 0) {
		ble_bus_lost(bl, strerror(-r));
		return;
	}
	ble_bus_arm(bl);
}

/* Wait for what sd-bus wants next: readable, writable, and its earliest timeout. */
static void
ble_bus_arm(struct ble_link *bl)
{
	struct timeval	 tv, *tvp = NULL;
	struct timespec	 ts;
	uint64_t	 until, now;
	short		 what = 0;
	int		 fd, ev;

	if (bl->bus == NULL)
		return;
	if ((fd = sd_bus_get_fd(bl->bus)) < 0 ||
	    (ev = sd_bus_get_events(bl->bus)) < 0) {
		/* Closed under us: let the next round of processing report it. */
		fd = -1;
		ev = 0;
		tv.tv_sec = 0;
		tv.tv_usec = 0;
		tvp = &tv;
	}
	if (ev & POLLIN)
		what |= EV_READ;
	if (ev & POLLOUT)
		what |= EV_WRITE;
	if (tvp == NULL && sd_bus_get_timeout(bl->bus, &until) >= 0 &&
	    until != UINT64_MAX) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
		until = until > now ? until - now : 0;
		tv.tv_sec = (time_t)(until / 1000000);
		tv.tv_usec = (suseconds_t)(until % 1000000);
		tvp = &tv;
	}
	event_del(bl->bus_ev);
	event_assign(bl->bus_ev, bl->base, fd, what, ble_bus_cb, bl);
	event_add(bl->bus_ev, tvp);
}

/* BlueZ is gone (or unreachable): every sensor is gone, the tree forgotten. */
static void
ble_bluez_gone(struct ble_link *bl)
{
	struct ble_dev	*d;

	while ((d = TAILQ_FIRST(&bl->devs)) != NULL) {
		if (d->dev != NULL)
			device_gone(d->dev);
		ble_dev_free(d);
	}
	free(bl->owner);
	bl->owner = NULL;
	bl->adapter = false;
	bl->powered = false;
	bl->discovery = false;
}

static void
ble_discovery_cb2(sd_bus_message *m, struct ble_call *c)
{
	const char	*err;

	if ((err = ble_reply_error(m)) == NULL) {
		log_info("link %s: discovering on %s", c->bl->cfg->name,
		    c->bl->adapter_path);
		return;
	}
	if (strcmp(sd_bus_message_get_error(m)->name, "org.bluez.Error.InProgress") == 0)
		return;
	log_warnx("link %s: StartDiscovery on %s: %s", c->bl->cfg->name,
	    c->bl->adapter_path, err);
	c->bl->discovery = false;	/* the sweep tries again */
}

static int
ble_start_discovery_cb(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	ble_discovery_cb2(m, arg);
	return (0);
}

static int
ble_filter_cb(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct ble_call	*c = arg;
	struct ble_link	*bl = c->bl;
	const char	*err;

	/* Without the filter discovery still works, only noisier. */
	if ((err = ble_reply_error(m)) != NULL)
		log_warnx("link %s: SetDiscoveryFilter: %s", bl->cfg->name, err);
	if (!bl->discovery)
		return (0);
	ble_call(bl, bl->adapter_path, BLE_IFACE_ADAPTER, "StartDiscovery",
	    ble_start_discovery_cb, ble_call_new(bl, NULL, NULL, 0), BLE_CALL_USEC, NULL);
	return (0);
}

/* Discovery on a powered adapter, LE only; devices waiting to connect try now. */
static void
ble_adapter_kick(struct ble_link *bl)
{
	struct ble_dev	*d;

	if (bl->owner == NULL || !bl->adapter || !bl->powered)
		return;
	if (!bl->discovery) {
		bl->discovery = true;
		ble_call(bl, bl->adapter_path, BLE_IFACE_ADAPTER, "SetDiscoveryFilter",
		    ble_filter_cb, ble_call_new(bl, NULL, NULL, 0), BLE_CALL_USEC,
		    "a{sv}", 1, "Transport", "s", "le");
	}
	TAILQ_FOREACH(d, &bl->devs, entry)
		ble_dev_kick(d);
}

static int
ble_adapter_props(struct ble_link *bl, sd_bus_message *m)
{
	const char	*key, *contents;
	int		 r, b, was = bl->powered;

	if ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}")) <= 0)
		return (r);
	while ((r = ble_props_next(m, &key, &contents)) > 0) {
		if (strcmp(key, "Powered") == 0 && strcmp(contents, "b") == 0) {
			if ((r = sd_bus_message_read(m, "v", "b", &b)) < 0)
				return (r);
			bl->powered = b;
		} else if ((r = sd_bus_message_skip(m, "v")) < 0)
			return (r);
		if ((r = sd_bus_message_exit_container(m)) < 0)
			return (r);
	}
	if (r < 0)
		return (r);
	if (was && !bl->powered) {
		log_notice("link %s: adapter %s is powered off", bl->cfg->name,
		    bl->cfg->adapter);
		bl->discovery = false;
	} else if (!was && bl->powered)
		log_info("link %s: adapter %s is powered", bl->cfg->name,
		    bl->cfg->adapter);
	return (sd_bus_message_exit_container(m));
}

/* Is path a device of our adapter ("<adapter>/dev_XX_..", nothing below)? */
static bool
ble_is_dev_path(struct ble_link *bl, const char *path)
{
	size_t	n = strlen(bl->adapter_path);

	return (strncmp(path, bl->adapter_path, n) == 0 &&
	    strncmp(path + n, "/dev_", 5) == 0 && strchr(path + n + 1, '/') == NULL);
}

/*
 * One object's interfaces (a{sa{sv}} at the read position). Pass 0 takes adapters and
 * devices, pass 1 characteristics (they need their device), -1 both.
 */
static int
ble_object(struct ble_link *bl, const char *path, sd_bus_message *m, int pass)
{
	struct ble_dev	*d;
	const char	*iface;
	int		 r;

	if ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sa{sv}}")) <= 0)
		return (r);
	while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY,
	    "sa{sv}")) > 0) {
		if ((r = sd_bus_message_read(m, "s", &iface)) < 0)
			return (r);
		if (pass != 1 && strcmp(iface, BLE_IFACE_ADAPTER) == 0 &&
		    strcmp(path, bl->adapter_path) == 0) {
			bl->adapter = true;
			r = ble_adapter_props(bl, m);
		} else if (pass != 1 && strcmp(iface, BLE_IFACE_DEVICE) == 0 &&
		    ble_is_dev_path(bl, path)) {
			if ((d = ble_dev_find(bl, path)) == NULL)
				d = ble_dev_add(bl, path);
			r = ble_dev_props(d, m);
		} else if (pass != 0 && strcmp(iface, BLE_IFACE_CHR) == 0) {
			ble_chr_props(bl, path, m, true);
			r = 0;
		} else
			r = sd_bus_message_skip(m, "a{sv}");
		if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
			return (r);
	}
	if (r < 0)
		return (r);
	return (sd_bus_message_exit_container(m));
}

static int
ble_tree_pass(struct ble_link *bl, sd_bus_message *m, int pass)
{
	const char	*path;
	int		 r;

	if ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY,
	    "{oa{sa{sv}}}")) <= 0)
		return (r);
	while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY,
	    "oa{sa{sv}}")) > 0) {
		if ((r = sd_bus_message_read(m, "o", &path)) < 0 ||
		    (r = ble_object(bl, path, m, pass)) < 0 ||
		    (r = sd_bus_message_exit_container(m)) < 0)
			return (r);
	}
	if (r < 0)
		return (r);
	return (sd_bus_message_exit_container(m));
}

static int
ble_tree_cb(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct ble_call	*c = arg;
	struct ble_link	*bl = c->bl;
	const char	*err, *sender;
	int		 r;

	if ((err = ble_reply_error(m)) != NULL) {
		/* Not running: NameOwnerChanged says when it is. */
		log_notice("link %s: BlueZ is not available (%s); waiting for it",
		    bl->cfg->name, err);
		return (0);
	}
	sender = sd_bus_message_get_sender(m);
	free(bl->owner);
	bl->owner = xstrdup(sender != NULL ? sender : "");
	if ((r = ble_tree_pass(bl, m, 0)) < 0 ||
	    (r = sd_bus_message_rewind(m, 1)) < 0 ||
	    (r = ble_tree_pass(bl, m, 1)) < 0)
		log_warnx("link %s: BlueZ's object tree: %s", bl->cfg->name,
		    strerror(-r));
	if (!bl->adapter)
		log_notice("link %s: no adapter %s (yet)", bl->cfg->name,
		    bl->adapter_path);
	else
		log_info("link %s: BlueZ %s, adapter %s %s", bl->cfg->name, bl->owner,
		    bl->cfg->adapter, bl->powered ? "powered" : "off");
	ble_adapter_kick(bl);
	return (0);
}

static int
ble_tree_read(struct ble_link *bl)
{
	return (ble_call(bl, "/", BLE_IFACE_OM, "GetManagedObjects", ble_tree_cb,
	    ble_call_new(bl, NULL, NULL, 0), BLE_CALL_USEC, NULL));
}

static bool
ble_from_bluez(struct ble_link *bl, sd_bus_message *m)
{
	const char	*sender = sd_bus_message_get_sender(m);

	return (bl->owner != NULL && sender != NULL && strcmp(sender, bl->owner) == 0);
}

static int
ble_added_cb(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct ble_link	*bl = arg;
	struct ble_dev	*d;
	const char	*path;
	int		 r;

	if (!ble_from_bluez(bl, m))
		return (0);
	if ((r = sd_bus_message_read(m, "o", &path)) < 0 ||
	    (r = ble_object(bl, path, m, -1)) < 0) {
		log_debug("link %s: bad InterfacesAdded: %s", bl->cfg->name,
		    strerror(-r));
		return (0);
	}
	if (strcmp(path, bl->adapter_path) == 0)
		ble_adapter_kick(bl);
	else if ((d = ble_dev_find(bl, path)) != NULL)
		ble_dev_kick(d);
	return (0);
}

struct ble_removed {
	struct ble_link	*bl;
	const char	*path;
};

static void
ble_removed_iface(const char *iface, void *arg)
{
	struct ble_removed	*rm = arg;
	struct ble_link		*bl = rm->bl;
	struct ble_dev		*d;

	if (strcmp(iface, BLE_IFACE_ADAPTER) == 0 &&
	    strcmp(rm->path, bl->adapter_path) == 0) {
		log_notice("link %s: adapter %s is gone", bl->cfg->name,
		    bl->cfg->adapter);
		bl->adapter = false;
		bl->powered = false;
		bl->discovery = false;
	} else if (strcmp(iface, BLE_IFACE_DEVICE) == 0 &&
	    (d = ble_dev_find(bl, rm->path)) != NULL) {
		log_debug("link %s: %s removed by BlueZ", bl->cfg->name, d->address);
		if (d->dev != NULL)
			device_gone(d->dev);
		ble_dev_free(d);
	} else if (strcmp(iface, BLE_IFACE_CHR) == 0)
		ble_chr_removed(bl, rm->path);
}

static int
ble_removed_cb(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct ble_removed	rm;
	int			r;

	rm.bl = arg;
	if (!ble_from_bluez(rm.bl, m))
		return (0);
	if ((r = sd_bus_message_read(m, "o", &rm.path)) < 0 ||
	    (r = ble_read_strings(m, ble_removed_iface, &rm)) < 0)
		log_debug("link %s: bad InterfacesRemoved: %s", rm.bl->cfg->name,
		    strerror(-r));
	return (0);
}

static int
ble_props_cb(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct ble_link	*bl = arg;
	struct ble_dev	*d;
	const char	*iface, *path = sd_bus_message_get_path(m);
	int		 r = 0;

	if (!ble_from_bluez(bl, m) || path == NULL)
		return (0);
	if ((r = sd_bus_message_read(m, "s", &iface)) < 0)
		goto bad;
	if (strcmp(iface, BLE_IFACE_ADAPTER) == 0 &&
	    strcmp(path, bl->adapter_path) == 0) {
		if ((r = ble_adapter_props(bl, m)) < 0)
			goto bad;
		ble_adapter_kick(bl);
	} else if (strcmp(iface, BLE_IFACE_DEVICE) == 0 &&
	    (d = ble_dev_find(bl, path)) != NULL) {
		if ((r = ble_dev_props(d, m)) < 0)
			goto bad;
		/* d may be gone: look it up again. */
		if ((d = ble_dev_find(bl, path)) != NULL)
			ble_dev_kick(d);
	} else if (strcmp(iface, BLE_IFACE_CHR) == 0)
		ble_chr_props(bl, path, m, false);
	return (0);
bad:
	log_debug("link %s: bad PropertiesChanged of %s: %s", bl->cfg->name, path,
	    strerror(-r));
	return (0);
}

static int
ble_owner_cb(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct ble_link	*bl = arg;
	const char	*name, *old, *new;

	if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0 ||
	    strcmp(name, BLE_BLUEZ) != 0)
		return (0);
	if (bl->owner != NULL && (*new == '\0' || strcmp(new, bl->owner) != 0)) {
		log_notice("link %s: BlueZ stopped: every sensor of the link is gone",
		    bl->cfg->name);
		ble_bluez_gone(bl);
	}
	if (*new != '\0' && bl->owner == NULL) {
		log_notice("link %s: BlueZ is back (%s): reading its objects",
		    bl->cfg->name, new);
		ble_tree_read(bl);
	}
	return (0);
}

/* Open the bus (the system bus, or the configured address), subscribe, read the tree. */
static int
ble_bus_open(struct ble_link *bl, char **cause)
{
	const char	*what;
	int		 r;

	if (bl->cfg->bus == NULL || *bl->cfg->bus == '\0') {
		what = "the system bus";
		r = sd_bus_open_system(&bl->bus);
	} else {
		what = bl->cfg->bus;
		if ((r = sd_bus_new(&bl->bus)) >= 0 &&
		    (r = sd_bus_set_address(bl->bus, bl->cfg->bus)) >= 0 &&
		    (r = sd_bus_set_bus_client(bl->bus, 1)) >= 0)
			r = sd_bus_start(bl->bus);
	}
	if (r >= 0)
		r = sd_bus_add_match_async(bl->bus, NULL, BLE_MATCH_OWNER, ble_owner_cb,
		    NULL, bl);
	if (r >= 0)
		r = sd_bus_add_match_async(bl->bus, NULL, BLE_MATCH_PROPS, ble_props_cb,
		    NULL, bl);
	if (r >= 0)
		r = sd_bus_match_signal_async(bl->bus, NULL, NULL, "/", BLE_IFACE_OM,
		    "InterfacesAdded", ble_added_cb, NULL, bl);
	if (r >= 0)
		r = sd_bus_match_signal_async(bl->bus, NULL, NULL, "/", BLE_IFACE_OM,
		    "InterfacesRemoved", ble_removed_cb, NULL, bl);
	if (r < 0) {
		xasprintf(cause, "link %s: cannot use %s: %s", bl->cfg->name, what,
		    strerror(-r));
		bl->bus = sd_bus_flush_close_unref(bl->bus);
		return (-1);
	}
	if (ble_tree_read(bl) != 0) {
		xasprintf(cause, "link %s: cannot ask BlueZ on %s", bl->cfg->name, what);
		bl->bus = sd_bus_flush_close_unref(bl->bus);
		return (-1);
	}
	ble_bus_arm(bl);
	return (0);
}

static void
ble_reopen_timer(evutil_socket_t fd, short events, void *arg)
{
	struct ble_link	*bl = arg;
	struct timeval	 tv = { BLE_REOPEN_S, 0 };
	char		*cause = NULL;

	if (ble_bus_open(bl, &cause) != 0) {
		log_debug("%s", cause);
		free(cause);
		evtimer_add(bl->reopen, &tv);
		return;
	}
	log_notice("link %s: D-Bus connection is back", bl->cfg->name);
}

static void
ble_bus_lost(struct ble_link *bl, const char *why)
{
	struct timeval	tv = { BLE_REOPEN_S, 0 };

	log_warnx("link %s: D-Bus connection lost (%s): every sensor of the link is "
	    "gone", bl->cfg->name, why);
	event_del(bl->bus_ev);
	ble_bluez_gone(bl);
	bl->bus = sd_bus_close_unref(bl->bus);
	evtimer_add(bl->reopen, &tv);
}

static void
ble_sweep_timer(evutil_socket_t fd, short events, void *arg)
{
	struct ble_link	*bl = arg;
	struct ble_dev	*d, *next;
	time_t		 now = ble_now(bl);

	TAILQ_FOREACH_SAFE(d, &bl->devs, entry, next)
		ble_dev_sweep(d, now);
	ble_adapter_kick(bl);
}

static void
ble_free(struct ble_link *bl)
{
	struct ble_dev	*d;

	if (bl == NULL)
		return;
	while ((d = TAILQ_FIRST(&bl->devs)) != NULL)
		ble_dev_free(d);
	if (bl->bus_ev != NULL)
		event_free(bl->bus_ev);
	if (bl->reopen != NULL)
		event_free(bl->reopen);
	if (bl->sweep != NULL)
		event_free(bl->sweep);
	/* No flush: a stuck bus must not hold up the shutdown. */
	bl->bus = sd_bus_close_unref(bl->bus);
	free(bl->adapter_path);
	free(bl->owner);
	free(bl->logged_uuids);
	free(bl);
}

static int
ble_start(struct device_link *link, char **cause)
{
	const struct cfg_link	*lc = device_link_cfg(link);
	struct ble_link		*bl = xcalloc(1, sizeof *bl);
	struct timeval		 tv = { 1, 0 };
	const char		*p;

	for (p = lc->adapter; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_')) {
			xasprintf(cause, "link %s: adapter \"%s\" is not a BlueZ adapter "
			    "name (such as hci0)", lc->name, lc->adapter);
			free(bl);
			return (-1);
		}
	}
	bl->link = link;
	bl->cfg = lc;
	bl->base = device_link_base(link);
	TAILQ_INIT(&bl->devs);
	xasprintf(&bl->adapter_path, "/org/bluez/%s", lc->adapter);
	bl->logged_uuids = xcalloc(65536 / 8, 1);
	/* Sensors that cannot notify are read a few times per stale period. */
	bl->poll_s = lc->stale_after != 0 ? lc->stale_after / 3 : 30;
	if (bl->poll_s < 1)
		bl->poll_s = 1;
	if (bl->poll_s > 60)
		bl->poll_s = 60;
	bl->bus_ev = event_new(bl->base, -1, 0, ble_bus_cb, bl);
	bl->reopen = evtimer_new(bl->base, ble_reopen_timer, bl);
	bl->sweep = event_new(bl->base, -1, EV_PERSIST, ble_sweep_timer, bl);
	if (ble_bus_open(bl, cause) != 0) {
		ble_free(bl);
		return (-1);
	}
	event_add(bl->sweep, &tv);
	device_link_set_data(link, bl);
	return (0);
}

static void
ble_stop(struct device_link *link)
{
	struct ble_link	*bl = device_link_data(link);
	sd_bus_message	*m = NULL;

	if (bl == NULL)
		return;
	/*
	 * Fire and forget, written at once if the socket takes it (BlueZ also ends the
	 * discovery of a client that leaves the bus).
	 */
	if (bl->bus != NULL && bl->discovery && sd_bus_message_new_method_call(bl->bus,
	    &m, BLE_BLUEZ, bl->adapter_path, BLE_IFACE_ADAPTER, "StopDiscovery") >= 0) {
		sd_bus_message_set_expect_reply(m, 0);
		sd_bus_send(bl->bus, m, NULL);
		sd_bus_message_unref(m);
	}
	ble_free(bl);
	device_link_set_data(link, NULL);
}

#else /* HAVE_LIBSYSTEMD */

static int
ble_start(struct device_link *link, char **cause)
{
	xasprintf(cause, "link %s: lwgw was built without libsystemd: no BLE (sd-bus) "
	    "support", device_link_name(link));
	return (-1);
}

static void
ble_stop(struct device_link *link)
{
}

#endif /* HAVE_LIBSYSTEMD */

const struct device_driver device_ble_driver = {
	.type = "ble",
	.start = ble_start,
	.stop = ble_stop,
};
