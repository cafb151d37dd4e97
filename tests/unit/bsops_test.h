/* Shared helpers of check_bsops and check_unbootstrap: stores built by hand, requests
 * through bsops_handle, TLV payloads through the codec. */
#ifndef LWGW_BSOPS_TEST_H
#define LWGW_BSOPS_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bootstrap.h"
#include "codec.h"
#include "dm.h"

extern struct dm_registry	*reg;
extern struct dm_store		*st;
extern struct bsops_ctx		 ctx;
extern uint16_t			 removed[16];
extern size_t			 nremoved;
extern struct lwm2m_path	 deleted[128];
extern size_t			 ndeleted;
extern uint8_t			 out[8192];
extern size_t			 outlen;
extern int			 outfmt;

#define P(...)		(&(struct lwm2m_path){ { __VA_ARGS__ }, \
	sizeof ((uint16_t[]){ __VA_ARGS__ }) / sizeof (uint16_t) })
#define ROOT		(&LWM2M_PATH_ROOT)
#define C(c, d)		LWM2M_CODE(c, d)
#define EI(p_, x_)	{ *(p_), { .type = LWM2M_TYPE_INTEGER, .v.i = (x_) } }
#define EB(p_, x_)	{ *(p_), { .type = LWM2M_TYPE_BOOLEAN, .v.b = (x_) } }
#define ES(p_, x_)	{ *(p_), { .type = LWM2M_TYPE_STRING, \
	.v.bytes = { (const uint8_t *)(x_), sizeof (x_) - 1 } } }
#define EO(p_, x_)	{ *(p_), { .type = LWM2M_TYPE_OPAQUE, \
	.v.bytes = { (const uint8_t *)(x_), sizeof (x_) - 1 } } }

bool	 was_deleted(const struct lwm2m_path *);
/* A store with objects 0, 1, 2, 3, 4, 3303 and /3/0; ctx works on it. */
void	 new_store(struct dm_registry *);
void	 setup(void);
void	 teardown(void);
/* Security instance iid: Bootstrap-Server account when ssid < 0. */
void	 add_sec(uint16_t iid, int ssid, const char *uri, int mode);
void	 add_srv(uint16_t iid, int ssid);
/* ACL instance for /oid/iid with owner and (ssid, rights) pairs ending with -1. */
uint16_t add_acl(uint16_t oid, uint16_t iid, uint16_t owner, ...);
int64_t	 geti(const struct lwm2m_path *);
/* One request through bsops_handle; returns the response code. */
uint8_t	 req(int code, const char *path, int fmt, int accept, const void *payload,
	    size_t len, const char *query);
uint8_t	 discover(const char *path);
uint8_t	 finish(void);
void	 expect_out(const char *want);
size_t	 tlv(const struct lwm2m_path *base, const struct codec_entry *, size_t n,
	    uint8_t *buf, size_t size);
size_t	 srv_tlv(uint16_t iid, int ssid, int lifetime, uint8_t *buf, size_t size);
size_t	 sec_tlv(uint16_t iid, int ssid, bool bs, uint8_t *buf, size_t size);
/* The requirement's Discover example: server 101, Bootstrap-Server /0/1, /3303/0. */
void	 example_config(void);
/* A spared() hook sparing Temperature instances. */
bool	 spare_3303(void *, uint16_t oid, uint16_t iid);
/* Servers 101, 102, 103 with exclusive, shared and tied ACLs (check_unbootstrap.c). */
void	 ub_config(void);

#endif
