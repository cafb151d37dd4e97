/*
 * Simulated sensors: the demo's and the benchmarks' link. Each of the link's devices
 * provides the configured IPSO objects (one instance each) and reports a reading of every
 * sensor value once per period, following a deterministic waveform (seeded), with the
 * devices spread evenly over the period so that 10,000 of them do not fire at once.
 * Digital Output (3201) and Light Control (3311) accept Writes, answered asynchronously as
 * a real sensor would; Reset Min/Max (5605) executes.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "cfg.h"
#include "device.h"
#include "log.h"
#include "xmalloc.h"

#define SIM_RID_VALUE		5700
#define SIM_RID_UNITS		5701
#define SIM_RID_MIN		5601
#define SIM_RID_MAX		5602
#define SIM_RID_RESET		5605
#define SIM_RID_DIN		5500
#define SIM_RID_DOUT		5550
#define SIM_RID_ONOFF		5850
#define SIM_WRITE_DELAY_MS	5	/* a real sensor answers a Write a little later */
#define SIM_MIN_TICK_MS		10	/* devices are spread over ticks at least this far apart */

/* How each object behaves: a measured value (level, swing, units) or a switch. */
struct sim_kind {
	uint16_t	 oid;
	uint16_t	 rid;		/* the resource the readings update */
	double		 level;
	double		 swing;
	const char	*units;
	bool		 writable;	/* rid is a switch a server may set */
};

static const struct sim_kind sim_kinds[] = {
	{ 3200, SIM_RID_DIN, 0, 0, NULL, false },
	{ 3201, SIM_RID_DOUT, 0, 0, NULL, true },
	{ 3300, SIM_RID_VALUE, 0, 1, NULL, false },
	{ 3301, SIM_RID_VALUE, 300, 200, "lx", false },
	{ 3303, SIM_RID_VALUE, 21, 5, "Cel", false },
	{ 3304, SIM_RID_VALUE, 50, 20, "%RH", false },
	{ 3311, SIM_RID_ONOFF, 0, 0, NULL, true },
	{ 3315, SIM_RID_VALUE, 1013, 10, "hPa", false },
	{ 3316, SIM_RID_VALUE, 3.3, 0.2, "V", false },
	{ 3323, SIM_RID_VALUE, 101.3, 1, "kPa", false },
};

struct sim_dev {
	struct device	*dev;
	uint32_t	 index;
	uint64_t	 rng;
	double		*walk;		/* per object: random walk position */
	double		*min;		/* per object: min/max measured */
	double		*max;
	bool		*state;		/* per object: switch state */
};

struct sim_link {
	struct device_link	*link;
	const struct cfg_link	*cfg;
	const struct sim_kind	**kinds;	/* per configured object */
	struct vclient_object	*objects;
	uint16_t		 iid0;		/* every object has instance 0 */
	struct sim_dev		*devs;
	size_t			 ndevs;
	struct event		*tick;
	uint64_t		 ticks;
	size_t			 slices;	/* devices are split over this many ticks */
};

static const struct sim_kind *
sim_kind(uint16_t oid)
{
	size_t	i;

	for (i = 0; i < sizeof sim_kinds / sizeof sim_kinds[0]; i++) {
		if (sim_kinds[i].oid == oid)
			return (&sim_kinds[i]);
	}
	return (NULL);
}

/* xorshift64*: deterministic per device, seeded from the link's seed. */
static double
sim_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return ((double)((*s * UINT64_C(2685821657736338717)) >> 11) / 9007199254740992.0);
}

/* The next value of object k of device d at period number n. */
static double
sim_value(struct sim_link *sl, struct sim_dev *d, size_t k, uint64_t n)
{
	const struct sim_kind	*kind = sl->kinds[k];
	double			 phase = (double)d->index * 0.7 + sl->cfg->seed;
	double			 v;

	switch (sl->cfg->waveform) {
	case CFG_WAVE_CONSTANT:
		v = kind->level;
		break;
	case CFG_WAVE_SINE:
		/* One cycle per 60 periods. */
		v = kind->level + kind->swing * sin(2 * M_PI * (double)n / 60 + phase);
		break;
	case CFG_WAVE_RANDOM_WALK:
		d->walk[k] += (sim_random(&d->rng) - 0.5) * kind->swing / 10;
		if (d->walk[k] > kind->swing)
			d->walk[k] = kind->swing;
		if (d->walk[k] < -kind->swing)
			d->walk[k] = -kind->swing;
		v = kind->level + d->walk[k];
		break;
	case CFG_WAVE_STEP:
	default:
		v = kind->level + ((n / 10) % 2 == 0 ? -kind->swing : kind->swing);
		break;
	}
	/* Two decimals, as sensors report. */
	return (round(v * 100) / 100);
}

static void
sim_report(struct sim_link *sl, struct sim_dev *d, uint64_t n)
{
	struct lwm2m_value	 val;
	struct lwm2m_path	 p;
	const struct sim_kind	*kind;
	size_t			 k;
	double			 v;

	for (k = 0; k < sl->cfg->nobjects; k++) {
		if ((kind = sl->kinds[k]) == NULL)
			continue;
		p = LWM2M_PATH_RES(kind->oid, 0, kind->rid);
		if (kind->rid == SIM_RID_DIN) {
			/* A contact that changes every 5 periods. */
			val.type = LWM2M_TYPE_BOOLEAN;
			val.v.b = ((n + d->index) / 5) % 2 == 1;
			device_reading(d->dev, &p, &val);
			continue;
		}
		if (kind->writable)
			continue;	/* switches change only when written */
		v = sim_value(sl, d, k, n);
		val.type = LWM2M_TYPE_FLOAT;
		val.v.f = v;
		device_reading(d->dev, &p, &val);
		if (v < d->min[k]) {
			d->min[k] = v;
			p.ids[2] = SIM_RID_MIN;
			device_reading(d->dev, &p, &val);
		}
		if (v > d->max[k]) {
			d->max[k] = v;
			p.ids[2] = SIM_RID_MAX;
			device_reading(d->dev, &p, &val);
		}
	}
}

/* One tick: the devices of this slice report. */
static void
sim_tick_timer(evutil_socket_t fd, short events, void *arg)
{
	struct sim_link	*sl = arg;
	size_t		 slice = sl->ticks % sl->slices, i;
	uint64_t	 period = sl->ticks / sl->slices;

	for (i = slice; i < sl->ndevs; i += sl->slices) {
		if (sl->devs[i].dev != NULL)
			sim_report(sl, &sl->devs[i], period);
	}
	sl->ticks++;
}

struct sim_write {
	struct device	*dev;
	uint64_t	 cookie;
};

static void
sim_write_timer(evutil_socket_t fd, short events, void *arg)
{
	struct sim_write	*w = arg;

	device_done(w->dev, w->cookie, 0);
	free(w);
}

static int
sim_write(struct device_link *link, struct device *dev, uint64_t cookie,
    const struct lwm2m_path *path, const struct lwm2m_value *value)
{
	struct sim_link		*sl = device_link_data(link);
	struct sim_dev		*d = device_driver_data(dev);
	struct sim_write	*w;
	struct timeval		 tv = { 0, SIM_WRITE_DELAY_MS * 1000 };
	size_t			 k;

	for (k = 0; k < sl->cfg->nobjects; k++) {
		if (sl->kinds[k] != NULL && sl->kinds[k]->writable &&
		    path->len == 3 && path->ids[0] == sl->kinds[k]->oid &&
		    path->ids[2] == sl->kinds[k]->rid)
			break;
	}
	if (k == sl->cfg->nobjects)
		return (LWM2M_ERR_METHOD_NOT_ALLOWED);
	if (value->type != LWM2M_TYPE_BOOLEAN)
		return (LWM2M_ERR_BAD_REQUEST);
	d->state[k] = value->v.b;
	w = xmalloc(sizeof *w);
	w->dev = dev;
	w->cookie = cookie;
	if (event_base_once(device_link_base(link), -1, EV_TIMEOUT, sim_write_timer,
	    w, &tv) != 0) {
		free(w);
		return (0);
	}
	return (VCLIENT_PENDING);
}

static int
sim_execute(struct device_link *link, struct device *dev, uint64_t cookie,
    const struct lwm2m_path *path, const uint8_t *args, size_t len)
{
	struct sim_link	*sl = device_link_data(link);
	struct sim_dev	*d = device_driver_data(dev);
	size_t		 k;

	if (path->len != 3 || path->ids[2] != SIM_RID_RESET)
		return (LWM2M_ERR_METHOD_NOT_ALLOWED);
	for (k = 0; k < sl->cfg->nobjects; k++) {
		if (sl->kinds[k] != NULL && sl->kinds[k]->oid == path->ids[0]) {
			d->min[k] = HUGE_VAL;
			d->max[k] = -HUGE_VAL;
			return (0);
		}
	}
	return (LWM2M_ERR_NOT_FOUND);
}

static void
sim_free(struct sim_link *sl)
{
	size_t	i;

	if (sl == NULL)
		return;
	if (sl->tick != NULL)
		event_free(sl->tick);
	for (i = 0; i < sl->ndevs; i++) {
		free(sl->devs[i].walk);
		free(sl->devs[i].min);
		free(sl->devs[i].max);
		free(sl->devs[i].state);
	}
	free(sl->devs);
	free(sl->objects);
	free(sl->kinds);
	free(sl);
}

static int
sim_start(struct device_link *link, char **cause)
{
	const struct cfg_link	*lc = device_link_cfg(link);
	struct sim_link		*sl = xcalloc(1, sizeof *sl);
	struct device_info	 info;
	struct sim_dev		*d;
	struct timeval		 tv;
	char			 id[16], serial[64], *why = NULL;
	size_t			 i, k, tick_ms;

	sl->link = link;
	sl->cfg = lc;
	sl->kinds = xcalloc(lc->nobjects, sizeof *sl->kinds);
	sl->objects = xcalloc(lc->nobjects, sizeof *sl->objects);
	for (k = 0; k < lc->nobjects; k++) {
		if ((sl->kinds[k] = sim_kind(lc->objects[k])) == NULL) {
			xasprintf(cause, "link %s: the simulator cannot play object "
			    "%d", lc->name, lc->objects[k]);
			sim_free(sl);
			return (-1);
		}
		sl->objects[k].oid = lc->objects[k];
		sl->objects[k].iids = &sl->iid0;
		sl->objects[k].niids = 1;
	}
	device_link_set_data(link, sl);
	sl->ndevs = lc->devices;
	sl->devs = xcalloc(sl->ndevs, sizeof *sl->devs);
	memset(&info, 0, sizeof info);
	info.manufacturer = "lwgw";
	info.model = "simulated sensor";
	info.firmware = PACKAGE_VERSION;
	info.objects = sl->objects;
	info.nobjects = lc->nobjects;
	for (i = 0; i < sl->ndevs; i++) {
		d = &sl->devs[i];
		d->index = i + 1;
		d->rng = ((uint64_t)lc->seed << 32 | d->index) * 0x9E3779B97F4A7C15ULL | 1;
		d->walk = xcalloc(lc->nobjects, sizeof *d->walk);
		d->min = xcalloc(lc->nobjects, sizeof *d->min);
		d->max = xcalloc(lc->nobjects, sizeof *d->max);
		d->state = xcalloc(lc->nobjects, sizeof *d->state);
		for (k = 0; k < lc->nobjects; k++) {
			d->min[k] = HUGE_VAL;
			d->max[k] = -HUGE_VAL;
		}
		snprintf(id, sizeof id, "%u", d->index);
		snprintf(serial, sizeof serial, "SIM-%s-%06u", lc->name, d->index);
		info.id = id;
		info.serial = serial;
		if ((d->dev = device_appeared(link, &info, d, &why)) == NULL) {
			log_warnx("%s", why);
			free(why);
			why = NULL;
			continue;
		}
		/* Units and the first readings, before the first Register goes out. */
		for (k = 0; k < lc->nobjects; k++) {
			struct lwm2m_value	v = { .type = LWM2M_TYPE_STRING };
			struct lwm2m_path	p;

			if (sl->kinds[k]->units == NULL)
				continue;
			p = LWM2M_PATH_RES(sl->kinds[k]->oid, 0, SIM_RID_UNITS);
			v.v.bytes.ptr = (const uint8_t *)sl->kinds[k]->units;
			v.v.bytes.len = strlen(sl->kinds[k]->units);
			device_reading(d->dev, &p, &v);
		}
		sim_report(sl, d, 0);
	}
	tick_ms = lc->period_ms;
	sl->slices = 1;
	if (sl->ndevs > 1) {
		sl->slices = lc->period_ms / SIM_MIN_TICK_MS;
		if (sl->slices > sl->ndevs)
			sl->slices = sl->ndevs;
		if (sl->slices == 0)
			sl->slices = 1;
		tick_ms = lc->period_ms / sl->slices;
	}
	sl->ticks = sl->slices;	/* period 0 was reported at start */
	tv.tv_sec = tick_ms / 1000;
	tv.tv_usec = (tick_ms % 1000) * 1000;
	sl->tick = event_new(device_link_base(link), -1, EV_PERSIST, sim_tick_timer,
	    sl);
	event_add(sl->tick, &tv);
	log_info("link %s: %zu simulated sensors, a reading every %d ms", lc->name,
	    sl->ndevs, lc->period_ms);
	return (0);
}

static void
sim_stop(struct device_link *link)
{
	struct sim_link	*sl = device_link_data(link);

	sim_free(sl);
	device_link_set_data(link, NULL);
}

const struct device_driver device_sim_driver = {
	.type = "sim",
	.start = sim_start,
	.stop = sim_stop,
	.write = sim_write,
	.execute = sim_execute,
};
