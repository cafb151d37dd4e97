/* A device_link without the device manager, for tests and benchmarks of south drivers. */
#ifndef LWGW_DEVICE_LINK_STUB_H
#define LWGW_DEVICE_LINK_STUB_H

struct event_base;
struct cfg_link;

struct device_link {
	struct event_base	*base;
	struct cfg_link		*cfg;
	void			*data;
};

#endif
