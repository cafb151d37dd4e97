/* The link accessors of include/device.h over the stub link; the registry is the built-ins. */
#include "config.h"

#include <stddef.h>

#include "cfg.h"
#include "device.h"
#include "device_link_stub.h"
#include "dm.h"

struct event_base *
device_link_base(struct device_link *link)
{
	return (link->base);
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

const struct dm_registry *
device_link_registry(struct device_link *link)
{
	static struct dm_registry	*reg;

	if (reg == NULL)
		reg = dm_registry_create();
	return (reg);
}
