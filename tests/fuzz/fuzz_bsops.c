/*
 * libFuzzer target: one Bootstrap interface request (BS-2..5, BS-13, UB-1..7) from the
 * network on a provisioned transaction store. Input: method byte (bits 0-1 GET/PUT/
 * DELETE/POST, bit 2 Accept link-format, bit 3 "ver=1.1", bit 4 path "bs"), format
 * byte, path length byte, path IDs (2 bytes each, big-endian), payload.
 * Properties: no crash; the Bootstrap-Server account is never lost nor doubled; the
 * store stays discoverable and checkable.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap.h"
#include "cio.h"
#include "dm.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const int fuzz_bsops_formats[] = {
	LWM2M_FMT_NONE, LWM2M_FMT_TEXT, LWM2M_FMT_OPAQUE, LWM2M_FMT_TLV,
	LWM2M_FMT_SENML_JSON, LWM2M_FMT_LINK, 9999, LWM2M_FMT_CBOR,
};

#define R(o, i, r)	(&LWM2M_PATH_RES(o, i, r))

static void
fuzz_bsops_account(struct dm_store *st, uint16_t sec, uint16_t srv, int ssid)
{
	dm_instance_create(st, 0, sec, NULL);
	dm_set_string(st, R(0, sec, 0), "coap://127.0.0.1:5683", NULL);
	dm_set_bool(st, R(0, sec, 1), ssid < 0, NULL);
	dm_set_int(st, R(0, sec, 2), DM_SECMODE_NOSEC, NULL);
	if (ssid < 0)
		return;
	dm_set_int(st, R(0, sec, 10), ssid, NULL);
	dm_instance_create(st, 1, srv, NULL);
	dm_set_int(st, R(1, srv, 0), ssid, NULL);
	dm_set_int(st, R(1, srv, 1), 60, NULL);
	dm_set_bool(st, R(1, srv, 6), true, NULL);
	dm_set_string(st, R(1, srv, 7), "U", NULL);
}

static struct dm_store *
fuzz_bsops_store(const struct dm_registry *reg)
{
	struct dm_store	*st = dm_store_create(reg);
	static const uint16_t oids[] = { 0, 1, 2, 3, 4, 3303 };
	uint16_t	 x;
	size_t		 i;

	for (i = 0; i < sizeof oids / sizeof oids[0]; i++)
		dm_object_add(st, oids[i]);
	dm_instance_create(st, 3, 0, NULL);
	dm_instance_create(st, 3303, 0, NULL);
	dm_instance_create(st, 3303, 1, NULL);
	fuzz_bsops_account(st, 0, 0, -1);
	fuzz_bsops_account(st, 1, 0, 101);
	fuzz_bsops_account(st, 2, 1, 102);
	dm_acl_instance_create(st, 3303, 0, 101, &x);
	dm_acl_entry_set(st, x, 101, DM_ACL_ALL);
	dm_acl_instance_create(st, 3303, 1, 101, &x);
	dm_acl_entry_set(st, x, 101, DM_ACL_ALL);
	dm_acl_entry_set(st, x, 102, DM_ACL_READ | DM_ACL_WRITE);
	return (st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dm_registry	*reg;
	static const uint8_t		 methods[] = { CIO_GET, CIO_PUT, CIO_DELETE,
					    CIO_POST };
	static uint8_t			 out[16384];
	struct dm_store			*st;
	struct bsops_ctx		 ctx;
	struct bsops_reply		 rep;
	struct cio_msg			 m;
	char				 segs[CIO_MAX_PATH][8], *cause = NULL;
	size_t				 i, n, len;

	if (size < 3)
		return (0);
	if (reg == NULL && (reg = dm_registry_create()) == NULL)
		abort();
	st = fuzz_bsops_store(reg);
	memset(&m, 0, sizeof m);
	m.format = m.accept = CIO_FMT_NONE;
	m.observe = CIO_OBSERVE_NONE;
	m.size1 = m.size2 = CIO_SIZE_NONE;
	m.code = methods[data[0] & 3];
	if (data[0] & 4)
		m.accept = LWM2M_FMT_LINK;
	if (data[0] & 8) {
		m.query[0] = "ver=1.1";
		m.nquery = 1;
	}
	m.format = fuzz_bsops_formats[data[1] % 8];
	n = data[2] % 5;
	data += 3;
	size -= 3;
	if (data[-3] & 16) {
		m.path[0] = "bs";
		m.npath = 1;
		n = 0;
	}
	for (i = 0; i < n && size >= 2; i++) {
		snprintf(segs[i], sizeof segs[i], "%u", (unsigned)(data[0] << 8 | data[1]));
		m.path[m.npath++] = segs[i];
		data += 2;
		size -= 2;
	}
	m.payload = size > 0 ? data : NULL;
	m.payload_len = size;

	memset(&ctx, 0, sizeof ctx);
	ctx.txn = st;
	ctx.check_flags = DM_CHECK_ALLOW_NOSEC;
	memset(&rep, 0, sizeof rep);
	rep.buf = out;
	rep.size = sizeof out;
	bsops_handle(&ctx, &m, &rep);
	if (LWM2M_CODE_CLASS(rep.code) != 2 && LWM2M_CODE_CLASS(rep.code) != 4 &&
	    LWM2M_CODE_CLASS(rep.code) != 5)
		abort();
	if (rep.len > rep.size)
		abort();
	/* BS-2, BS-4: the Bootstrap-Server account is neither lost nor doubled. */
	if (bsops_bs_accounts(st) != 1)
		abort();
	if (bsops_discover(st, &LWM2M_PATH_ROOT, out, sizeof out, &len) != 0)
		abort();
	if (dm_check_bootstrap(st, DM_CHECK_ALLOW_NOSEC, &cause) != 0)
		free(cause);
	dm_store_free(st);
	return (0);
}
