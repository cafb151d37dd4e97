/*
 * The ble driver's insides, shared by ble.c (the bus, BlueZ's object tree, the adapter),
 * ble_dev.c (one sensor: kind, connection, BTHome advertisements) and ble_chr.c (its GATT
 * characteristics).
 */
#ifndef LWGW_BLE_INT_H
#define LWGW_BLE_INT_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <event2/util.h>
#include <systemd/sd-bus.h>

#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST((head));				\
	    (var) && ((tvar) = TAILQ_NEXT((var), field), 1);		\
	    (var) = (tvar))
#endif

#include "ble_decode.h"
#include "device.h"
#include "vclient.h"

struct event;
struct event_base;

#define BLE_BLUEZ		"org.bluez"
#define BLE_IFACE_ADAPTER	"org.bluez.Adapter1"
#define BLE_IFACE_DEVICE	"org.bluez.Device1"
#define BLE_IFACE_CHR		"org.bluez.GattCharacteristic1"
#define BLE_IFACE_PROPS		"org.freedesktop.DBus.Properties"
#define BLE_IFACE_OM		"org.freedesktop.DBus.ObjectManager"

#define BLE_CALL_USEC		(10 * 1000000ULL)	/* ordinary method calls */
#define BLE_CONNECT_USEC	(30 * 1000000ULL)	/* Device1.Connect */
#define BLE_BACKOFF_MAX		60			/* s between reconnects */
#define BLE_DIS_STRINGS		6			/* /3/0/0..3, 18, 19 */
#define BLE_MAX_OBJECTS		8

/* A characteristic we map (others are not kept). */
struct ble_chr {
	char				*path;
	const struct ble_gatt_char	*map;
	bool				 notify;	/* can notify or indicate */
	bool				 notifying;
	bool				 bad_logged;
	bool				 has_last;
	struct lwm2m_value		 last;		/* numbers only */
	TAILQ_ENTRY(ble_chr)		 entry;
};
TAILQ_HEAD(ble_chr_list, ble_chr);

enum ble_kind {
	BLE_KIND_NONE,		/* not (yet) a sensor we serve */
	BLE_KIND_GATT,
	BLE_KIND_BTHOME,
};

/* One org.bluez.Device1 object under our adapter. */
struct ble_dev {
	struct ble_link		*bl;
	char			*path;
	char			 address[18];
	char			 id[13];	/* address without colons: the {id} */
	enum ble_kind		 kind;
	bool			 uuid_ess;	/* advertises Environmental Sensing */
	bool			 uuid_known;	/* Battery or Device Information */
	bool			 connected;
	bool			 resolved;
	bool			 connecting;
	bool			 setup;		/* this connection's reads are under way */
	unsigned int		 gen;		/* connection generation (stale replies) */
	int			 pending;	/* initial reads outstanding */
	struct device		*dev;		/* present in the device manager */
	char			*strings[BLE_DIS_STRINGS];
	struct ble_chr_list	 chrs;
	struct vclient_object	 objs[BLE_MAX_OBJECTS];
	size_t			 nobjs;
	struct event		*retry;		/* reconnect with backoff */
	struct event		*poll;		/* ReadValue of chrs that cannot notify */
	int			 backoff;	/* s */
	time_t			 last_seen;	/* last advertisement or reading */
	time_t			 lost_at;	/* disconnected since; 0 = connected */
	bool			 bthome;	/* BTHome service data seen */
	bool			 has_pid;
	uint8_t			 pid;		/* last BTHome packet id */
	bool			 logged_bad_adv;
	bool			 logged_reading;
	bool			 logged_nothing;
	char			*name;		/* Device1.Name, or NULL */
	char			*alias;		/* Device1.Alias, or NULL */
	uint8_t			(*uuids)[16];	/* services advertised or with data */
	size_t			 nuuids;
	char			*filtered;	/* why the filters refused it, as logged */
	bool			 filtered_info;	/* ... at info: it would be a sensor */
	TAILQ_ENTRY(ble_dev)	 entry;
};
TAILQ_HEAD(ble_dev_list, ble_dev);

struct ble_link {
	struct device_link	*link;
	const struct cfg_link	*cfg;
	struct event_base	*base;
	sd_bus			*bus;
	struct event		*bus_ev;
	struct event		*reopen;
	struct event		*sweep;
	char			*adapter_path;
	char			*owner;		/* BlueZ's unique name; NULL: not running */
	bool			 adapter;	/* our adapter object exists */
	bool			 powered;
	bool			 discovery;	/* filter + StartDiscovery requested */
	int			 poll_s;
	uint8_t			 logged_ids[32];	/* BTHome IDs of unknown length */
	uint8_t			*logged_uuids;		/* 65536 bits: unmapped chrs */
	bool			 logged_vendor;
	struct ble_dev_list	 devs;
};

/* An asynchronous call's context, freed with its slot. */
struct ble_call {
	struct ble_link		*bl;
	char			*path;		/* the device's */
	char			*chr;		/* the characteristic's, or NULL */
	unsigned int		 gen;
};

/* ble.c */
struct ble_call	*ble_call_new(struct ble_link *, const char *, const char *,
		    unsigned int);
int		 ble_call(struct ble_link *, const char *path, const char *iface,
		    const char *member, sd_bus_message_handler_t, struct ble_call *,
		    uint64_t usec, const char *types, ...);
const char	*ble_reply_error(sd_bus_message *);
time_t		 ble_now(struct ble_link *);
int		 ble_props_next(sd_bus_message *, const char **key,
		    const char **contents);
int		 ble_read_strings(sd_bus_message *, void (*)(const char *, void *),
		    void *);

/* ble_dev.c */
struct ble_dev	*ble_dev_find(struct ble_link *, const char *path);
struct ble_dev	*ble_dev_add(struct ble_link *, const char *path);
void		 ble_dev_free(struct ble_dev *);
int		 ble_dev_props(struct ble_dev *, sd_bus_message *);
void		 ble_dev_kick(struct ble_dev *);
void		 ble_dev_lost(struct ble_dev *);
void		 ble_dev_sweep(struct ble_dev *, time_t now);
void		 ble_dev_add_object(struct ble_dev *, const struct lwm2m_path *);
void		 ble_dev_appear(struct ble_dev *, const char *model);
void		 ble_dev_string(struct ble_dev *, const struct lwm2m_path *, const char *);
void		 ble_dev_reading(struct ble_dev *, const struct lwm2m_path *,
		    const struct lwm2m_value *);

/* ble_chr.c */
void		 ble_chr_free(struct ble_chr *);
void		 ble_chr_setup(struct ble_dev *);
void		 ble_chr_poll_timer(evutil_socket_t, short, void *);
void		 ble_chr_props(struct ble_link *, const char *path, sd_bus_message *,
		    bool added);
void		 ble_chr_removed(struct ble_link *, const char *path);

#endif
