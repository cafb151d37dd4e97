/*
 * The south side: links (one per configured link, each run by a driver: sim, serial, ble)
 * and the device manager that turns every sensor a driver reports into a virtual client.
 *
 * Drivers see only this header: they report sensors appearing and vanishing, readings, and
 * the results of Writes and Executes the servers sent to their sensors. The manager names
 * the vclient from the endpoint template, creates it (its state file, or the factory
 * configuration), marks values stale when readings stop, and de-registers a vanished sensor
 * after the link's grace time; the same sensor coming back gets the same endpoint and state.
 */
#ifndef LWGW_DEVICE_H
#define LWGW_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwm2m.h"
#include "vclient.h"

struct event_base;
struct cfg;
struct cfg_link;
struct device;
struct device_link;
struct device_mgr;
struct dm_registry;

/* What a driver knows about a sensor when it appears. Copied by device_appeared(). */
struct device_info {
	const char			*id;	/* stable identity: serial number, address */
	const char			*manufacturer;
	const char			*model;
	const char			*serial;
	const char			*firmware;
	const struct vclient_object	*objects;
	size_t				 nobjects;
};

/* A driver: one per link type. Write and Execute return 0, a negative CoAP code, or
 * VCLIENT_PENDING and later device_done() with the cookie. NULL hooks: 4.05. */
struct device_driver {
	const char	*type;
	int		(*start)(struct device_link *, char **cause);
	void		(*stop)(struct device_link *);
	int		(*write)(struct device_link *, struct device *, uint64_t cookie,
			    const struct lwm2m_path *, const struct lwm2m_value *);
	int		(*execute)(struct device_link *, struct device *, uint64_t cookie,
			    const struct lwm2m_path *, const uint8_t *, size_t);
};

extern const struct device_driver	device_sim_driver;
extern const struct device_driver	device_serial_driver;
extern const struct device_driver	device_ble_driver;

/* For lwgwd: links from the configuration, started at once. NULL and *cause if a link
 * cannot start (e.g. unsupported type). */
struct device_mgr	*device_mgr_create(struct event_base *, const struct cfg *,
			    struct vclient_ctx *, char **cause);
/* Stop every driver (sensors stop reporting); vclients stay for the graceful shutdown. */
void			 device_mgr_stop(struct device_mgr *);
void			 device_mgr_free(struct device_mgr *);
size_t			 device_mgr_count(const struct device_mgr *);
/* Walk the links: name, type, number of devices present. */
int			 device_mgr_foreach_link(struct device_mgr *,
			    int (*)(const char *name, const char *type, size_t devices,
			    void *), void *);
/* The link name of the device behind a vclient, or NULL. */
const char		*device_mgr_link_of(struct device_mgr *, struct vclient *);
/* Seconds since the last reading of the device behind a vclient, or -1. */
long			 device_mgr_reading_age(struct device_mgr *, struct vclient *);

/* For drivers. */
struct event_base	*device_link_base(struct device_link *);
const struct cfg_link	*device_link_cfg(struct device_link *);
const char		*device_link_name(struct device_link *);
/* The object definitions (built-ins and DDF files) the link's sensors are typed by. */
const struct dm_registry *device_link_registry(struct device_link *);
void			*device_link_data(struct device_link *);
void			 device_link_set_data(struct device_link *, void *);

/* A sensor appeared: its vclient is created (or found again). NULL and *cause on failure
 * (logged by the caller: bad identity, no descriptor left, duplicate). */
struct device		*device_appeared(struct device_link *, const struct device_info *,
			    void *driver_data, char **cause);
/* A reading of one resource (instance): stored, and observations evaluated if changed. */
int			 device_reading(struct device *, const struct lwm2m_path *,
			    const struct lwm2m_value *);
/* A descriptive value (units, a name), stored like a reading but no measurement: it
 * neither makes a stale sensor fresh nor counts as its last reading. */
int			 device_describe(struct device *, const struct lwm2m_path *,
			    const struct lwm2m_value *);
/* The sensor is gone (unplugged, out of range). */
void			 device_gone(struct device *);
/* A VCLIENT_PENDING Write/Execute finished. */
void			 device_done(struct device *, uint64_t cookie, int code);
void			*device_driver_data(struct device *);
const char		*device_endpoint(const struct device *);

/* Expand an endpoint template ({link}, {id}) into buf; -1 if it does not fit. */
int			 device_endpoint_expand(const char *tmpl, const char *link,
			    const char *id, char *buf, size_t len);

#endif
