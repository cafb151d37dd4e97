/* The device manager: every sensor a driver reports becomes a virtual client. */
#include "config.h"

#include <sys/queue.h>
#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "cfg.h"
#include "device.h"
#include "log.h"
#include "vclient.h"
#include "xmalloc.h"

struct device {
	struct device_link	*link;
	char			*id;
	char			*endpoint;
	struct vclient		*vc;		/* NULL once de-registered after a grace */
	void			*driver_data;
	bool			 present;
	bool			 stale;
	time_t			 last_reading;	/* 0: none yet */
	time_t			 gone_at;
	TAILQ_ENTRY(device)	 entry;
};
TAILQ_HEAD(device_list, device);

struct device_link {
	struct device_mgr		*mgr;
	const struct cfg_link		*cfg;
	const struct device_driver	*driver;
	void				*data;
	bool				 started;
	struct device_list		 devices;
	size_t				 ndevices;	/* present */
	struct event			*sweep;		/* stale and grace checks */
};

struct device_mgr {
	struct event_base	*base;
	const struct cfg	*cfg;
	struct vclient_ctx	*vctx;
	struct device_link	*links;
	size_t			 nlinks;
};

/* The drivers lwgwd knows, by configured type. */
static const struct device_driver *const device_drivers[] = {
	&device_sim_driver,
	&device_serial_driver,
	&device_ble_driver,
	NULL
};

static int	device_write_hook(void *, uint64_t, const struct lwm2m_path *,
		    const struct lwm2m_value *);
static int	device_execute_hook(void *, uint64_t, const struct lwm2m_path *,
		    const uint8_t *, size_t);

static const struct vclient_sensor_ops device_sensor_ops = {
	.write = device_write_hook,
	.execute = device_execute_hook,
};

int
device_endpoint_expand(const char *tmpl, const char *link, const char *id, char *buf,
    size_t len)
{
	const char	*p, *val;
	size_t		 n = 0, vlen;

	for (p = tmpl; *p != '\0'; p++) {
		val = NULL;
		if (strncmp(p, "{link}", 6) == 0) {
			val = link;
			p += 5;
		} else if (strncmp(p, "{id}", 4) == 0) {
			val = id;
			p += 3;
		}
		if (val == NULL) {
			if (n + 1 >= len)
				return (-1);
			buf[n++] = *p;
			continue;
		}
		vlen = strlen(val);
		if (n + vlen >= len)
			return (-1);
		memcpy(buf + n, val, vlen);
		n += vlen;
	}
	if (n >= len)
		return (-1);
	buf[n] = '\0';
	return (0);
}

static int
device_write_hook(void *arg, uint64_t cookie, const struct lwm2m_path *path,
    const struct lwm2m_value *value)
{
	struct device	*dev = arg;

	if (!dev->present || !dev->link->started)
		return (LWM2M_ERR_SERVICE_UNAVAILABLE);
	if (dev->link->driver->write == NULL)
		return (LWM2M_ERR_METHOD_NOT_ALLOWED);
	return (dev->link->driver->write(dev->link, dev, cookie, path, value));
}

static int
device_execute_hook(void *arg, uint64_t cookie, const struct lwm2m_path *path,
    const uint8_t *args, size_t len)
{
	struct device	*dev = arg;

	if (!dev->present || !dev->link->started)
		return (LWM2M_ERR_SERVICE_UNAVAILABLE);
	if (dev->link->driver->execute == NULL)
		return (LWM2M_ERR_METHOD_NOT_ALLOWED);
	return (dev->link->driver->execute(dev->link, dev, cookie, path, args,
	    len));
}

static time_t
device_now(struct device_mgr *mgr)
{
	struct timeval	tv;

	event_base_gettimeofday_cached(mgr->base, &tv);
	return (tv.tv_sec);
}

static struct device *
device_find(struct device_link *link, const char *id)
{
	struct device	*dev;

	TAILQ_FOREACH(dev, &link->devices, entry) {
		if (strcmp(dev->id, id) == 0)
			return (dev);
	}
	return (NULL);
}

struct device *
device_appeared(struct device_link *link, const struct device_info *info,
    void *driver_data, char **cause)
{
	struct device_mgr	*mgr = link->mgr;
	struct vclient_desc	 desc;
	struct device		*dev;
	char			 ep[128];

	if (info->id == NULL || info->id[0] == '\0') {
		xasprintf(cause, "%s: a sensor without identity", link->cfg->name);
		return (NULL);
	}
	if ((dev = device_find(link, info->id)) != NULL && dev->present) {
		xasprintf(cause, "%s: sensor %s is present already", link->cfg->name,
		    info->id);
		return (NULL);
	}
	if (dev == NULL) {
		if (device_endpoint_expand(mgr->cfg->gateway.endpoint,
		    link->cfg->name, info->id, ep, sizeof ep) != 0) {
			xasprintf(cause, "%s: endpoint name of sensor %s is too "
			    "long", link->cfg->name, info->id);
			return (NULL);
		}
		dev = xcalloc(1, sizeof *dev);
		dev->link = link;
		dev->id = xstrdup(info->id);
		dev->endpoint = xstrdup(ep);
		TAILQ_INSERT_TAIL(&link->devices, dev, entry);
	}
	dev->driver_data = driver_data;
	if (dev->vc == NULL) {
		memset(&desc, 0, sizeof desc);
		desc.endpoint = dev->endpoint;
		desc.objects = info->objects;
		desc.nobjects = info->nobjects;
		desc.manufacturer = info->manufacturer;
		desc.model = info->model;
		desc.serial = info->serial;
		desc.firmware = info->firmware;
		desc.ops = &device_sensor_ops;
		desc.ops_arg = dev;
		if ((dev->vc = vclient_create(mgr->vctx, &desc, cause)) == NULL) {
			TAILQ_REMOVE(&link->devices, dev, entry);
			free(dev->id);
			free(dev->endpoint);
			free(dev);
			return (NULL);
		}
		log_ep_info(dev->endpoint, "sensor %s on %s is a virtual client",
		    info->id, link->cfg->name);
		dev->stale = false;
	} else {
		/* Stale until its first reading: the values are from before it went. */
		log_ep_info(dev->endpoint, "sensor %s is back on %s%s", info->id,
		    link->cfg->name, dev->stale ? ", stale until it reports" : "");
	}
	dev->present = true;
	dev->last_reading = device_now(mgr);
	link->ndevices++;
	return (dev);
}

int
device_reading(struct device *dev, const struct lwm2m_path *path,
    const struct lwm2m_value *value)
{
	dev->last_reading = device_now(dev->link->mgr);
	if (dev->stale) {
		dev->stale = false;
		vclient_set_stale(dev->vc, false);
	}
	return (vclient_reading(dev->vc, path, value));
}

int
device_describe(struct device *dev, const struct lwm2m_path *path,
    const struct lwm2m_value *value)
{
	return (vclient_reading(dev->vc, path, value));
}

void
device_gone(struct device *dev)
{
	if (!dev->present)
		return;
	dev->present = false;
	dev->gone_at = device_now(dev->link->mgr);
	dev->link->ndevices--;
	log_ep(LOG_NOTICE, dev->endpoint, "sensor %s is gone from %s", dev->id,
	    dev->link->cfg->name);
	if (dev->vc != NULL && dev->link->cfg->stale_after != 0) {
		dev->stale = true;
		vclient_set_stale(dev->vc, true);
	}
}

void
device_done(struct device *dev, uint64_t cookie, int code)
{
	if (dev->vc != NULL)
		vclient_backend_done(dev->vc, cookie, code);
}

void *
device_driver_data(struct device *dev)
{
	return (dev->driver_data);
}

const char *
device_endpoint(const struct device *dev)
{
	return (dev->endpoint);
}

/*
 * Every few seconds: values of silent sensors become stale; vanished sensors de-register
 * once their grace time is over. A sweep instead of a timer per device keeps the reading
 * path free of timer updates.
 */
static void
device_sweep_timer(evutil_socket_t fd, short events, void *arg)
{
	struct device_link	*link = arg;
	const struct cfg_link	*lc = link->cfg;
	struct device		*dev;
	time_t			 now = device_now(link->mgr);

	TAILQ_FOREACH(dev, &link->devices, entry) {
		if (dev->vc == NULL)
			continue;
		if (dev->present && !dev->stale && lc->stale_after != 0 &&
		    now - dev->last_reading >= lc->stale_after) {
			dev->stale = true;
			vclient_set_stale(dev->vc, true);
			log_ep_info(dev->endpoint, "no reading for %ld s: values are "
			    "stale", (long)(now - dev->last_reading));
		}
		if (!dev->present && lc->gone_grace != 0 &&
		    now - dev->gone_at >= lc->gone_grace) {
			log_ep(LOG_NOTICE, dev->endpoint, "gone for %ld s: "
			    "de-registering", (long)(now - dev->gone_at));
			vclient_destroy(dev->vc);
			dev->vc = NULL;
		}
	}
}

static const struct device_driver *
device_driver_find(const char *type)
{
	size_t	i;

	for (i = 0; device_drivers[i] != NULL; i++) {
		if (strcmp(device_drivers[i]->type, type) == 0)
			return (device_drivers[i]);
	}
	return (NULL);
}

struct device_mgr *
device_mgr_create(struct event_base *base, const struct cfg *cfg,
    struct vclient_ctx *vctx, char **cause)
{
	struct device_mgr	*mgr = xcalloc(1, sizeof *mgr);
	struct device_link	*link;
	struct timeval		 tv;
	const char		*type;
	size_t			 i;
	int			 every;

	mgr->base = base;
	mgr->cfg = cfg;
	mgr->vctx = vctx;
	mgr->links = xcalloc(cfg->nlinks, sizeof *mgr->links);
	mgr->nlinks = cfg->nlinks;
	for (i = 0; i < cfg->nlinks; i++) {
		link = &mgr->links[i];
		link->mgr = mgr;
		link->cfg = &cfg->links[i];
		TAILQ_INIT(&link->devices);
		type = cfg_link_type_name(link->cfg->type);
		if ((link->driver = device_driver_find(type)) == NULL) {
			xasprintf(cause, "link %s: links of type %s are not supported "
			    "by this build yet", link->cfg->name, type);
			device_mgr_free(mgr);
			return (NULL);
		}
		every = link->cfg->stale_after;
		if (link->cfg->gone_grace != 0 &&
		    (every == 0 || link->cfg->gone_grace < every))
			every = link->cfg->gone_grace;
		if (every != 0) {
			tv.tv_sec = every >= 8 ? every / 4 : 1;
			tv.tv_usec = 0;
			link->sweep = event_new(base, -1, EV_PERSIST,
			    device_sweep_timer, link);
			event_add(link->sweep, &tv);
		}
	}
	for (i = 0; i < mgr->nlinks; i++) {
		link = &mgr->links[i];
		if (link->driver->start(link, cause) != 0) {
			device_mgr_free(mgr);
			return (NULL);
		}
		link->started = true;
		log_info("link %s (%s) started", link->cfg->name, link->driver->type);
	}
	return (mgr);
}

void
device_mgr_stop(struct device_mgr *mgr)
{
	size_t	i;

	for (i = 0; mgr != NULL && i < mgr->nlinks; i++) {
		if (mgr->links[i].started)
			mgr->links[i].driver->stop(&mgr->links[i]);
		mgr->links[i].started = false;
		if (mgr->links[i].sweep != NULL)
			event_del(mgr->links[i].sweep);
	}
}

/* The vclients themselves belong to the vclient context, freed by its owner. */
void
device_mgr_free(struct device_mgr *mgr)
{
	struct device	*dev;
	size_t		 i;

	if (mgr == NULL)
		return;
	device_mgr_stop(mgr);
	for (i = 0; i < mgr->nlinks; i++) {
		while ((dev = TAILQ_FIRST(&mgr->links[i].devices)) != NULL) {
			TAILQ_REMOVE(&mgr->links[i].devices, dev, entry);
			free(dev->id);
			free(dev->endpoint);
			free(dev);
		}
		if (mgr->links[i].sweep != NULL)
			event_free(mgr->links[i].sweep);
	}
	free(mgr->links);
	free(mgr);
}

size_t
device_mgr_count(const struct device_mgr *mgr)
{
	size_t	i, n = 0;

	for (i = 0; i < mgr->nlinks; i++)
		n += mgr->links[i].ndevices;
	return (n);
}

int
device_mgr_foreach_link(struct device_mgr *mgr, int (*fn)(const char *,
    const char *, size_t, void *), void *arg)
{
	size_t	i;
	int	rc;

	for (i = 0; i < mgr->nlinks; i++) {
		rc = fn(mgr->links[i].cfg->name,
		    cfg_link_type_name(mgr->links[i].cfg->type),
		    mgr->links[i].ndevices, arg);
		if (rc != 0)
			return (rc);
	}
	return (0);
}

/* The device behind a vclient: the vclient keeps the device as its sensor argument. */
static struct device *
device_of(struct device_mgr *mgr, struct vclient *vc)
{
	(void)mgr;
	return (vclient_sensor_arg(vc, &device_sensor_ops));
}

const char *
device_mgr_link_of(struct device_mgr *mgr, struct vclient *vc)
{
	struct device	*dev = device_of(mgr, vc);

	return (dev != NULL ? dev->link->cfg->name : NULL);
}

long
device_mgr_reading_age(struct device_mgr *mgr, struct vclient *vc)
{
	struct device	*dev = device_of(mgr, vc);

	if (dev == NULL || dev->last_reading == 0)
		return (-1);
	return ((long)(device_now(mgr) - dev->last_reading));
}

struct event_base *
device_link_base(struct device_link *link)
{
	return (link->mgr->base);
}

const struct cfg_link *
device_link_cfg(struct device_link *link)
{
	return (link->cfg);
}

const char *
device_link_name(struct device_link *link)
{
	return (link->cfg->name);
}

const struct dm_registry *
device_link_registry(struct device_link *link)
{
	return (vclient_ctx_registry(link->mgr->vctx));
}

void *
device_link_data(struct device_link *link)
{
	return (link->data);
}

void
device_link_set_data(struct device_link *link, void *data)
{
	link->data = data;
}
