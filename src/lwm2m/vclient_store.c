/*
 * A vclient's store at creation: the state file when there is one, else the factory
 * configuration (the Bootstrap-Server account and the factory server accounts of the
 * configuration file); then the sensor's objects and the Device object, which mirror the
 * physical sensor and are refreshed at every start. Also the persist wrapper.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "dtls.h"
#include "log.h"
#include "vclient_int.h"
#include "xmalloc.h"

/* Largest DER file (certificate, key) the factory configuration reads. */
#define VCLIENT_DER_MAX		16384
/* Length of a derived per-device PSK. */
#define VCLIENT_PSK_LEN		16

/* Expand "{endpoint}" in a template. */
static char *
vclient_expand(const char *tmpl, const char *ep)
{
	const char	*p;
	char		*out, *res;
	size_t		 n = 0;

	for (p = tmpl; (p = strstr(p, "{endpoint}")) != NULL; p += 10)
		n++;
	out = xmalloc(strlen(tmpl) + n * strlen(ep) + 1);
	res = out;
	while (*tmpl != '\0') {
		if (strncmp(tmpl, "{endpoint}", 10) == 0) {
			memcpy(out, ep, strlen(ep));
			out += strlen(ep);
			tmpl += 10;
		} else
			*out++ = *tmpl++;
	}
	*out = '\0';
	return res;
}

static int
vclient_read_file(const char *path, uint8_t **buf, size_t *len, char **cause)
{
	struct stat	st;
	ssize_t		n;
	int		fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size > VCLIENT_DER_MAX) {
		xasprintf(cause, "%s: empty, unreadable or larger than %d bytes", path,
		    VCLIENT_DER_MAX);
		close(fd);
		return -1;
	}
	*buf = xmalloc((size_t)st.st_size);
	n = read(fd, *buf, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		xasprintf(cause, "%s: short read", path);
		free(*buf);
		return -1;
	}
	*len = (size_t)n;
	return 0;
}

/* Security instance /0/iid for an account (ssid 0: the Bootstrap-Server). */
static int
vclient_factory_security(struct vclient *vc, uint16_t iid, const struct cfg_account *a,
    bool bootstrap, char **cause)
{
	struct dm_store	*st = vc->store;
	uint8_t		 psk[VCLIENT_PSK_LEN], *der;
	size_t		 derlen;
	char		*id;
	int		 mode, rc = 0;

	if (dm_instance_create(st, LWM2M_OID_SECURITY, iid, NULL) != 0) {
		xasprintf(cause, "cannot create /0/%u", iid);
		return -1;
	}
	switch (a->security) {
	case CFG_SECURITY_PSK:
		mode = DM_SECMODE_PSK;
		break;
	case CFG_SECURITY_X509:
		mode = DM_SECMODE_CERT;
		break;
	default:
		mode = DM_SECMODE_NOSEC;
		break;
	}
#define SEC(r)	(&LWM2M_PATH_RES(LWM2M_OID_SECURITY, iid, (r)))
	rc |= dm_set_string(st, SEC(DM_SEC_RID_URI), a->uri, NULL);
	rc |= dm_set_bool(st, SEC(DM_SEC_RID_BOOTSTRAP), bootstrap, NULL);
	rc |= dm_set_int(st, SEC(DM_SEC_RID_MODE), mode, NULL);
	rc |= dm_set_opaque(st, SEC(DM_SEC_RID_SERVER_KEY), "", 0, NULL);
	if (mode == DM_SECMODE_PSK) {
		id = vclient_expand(a->psk_identity != NULL ? a->psk_identity :
		    "{endpoint}", vc->endpoint);
		rc |= dm_set_opaque(st, SEC(DM_SEC_RID_IDENTITY), id, strlen(id), NULL);
		free(id);
		if (a->psk_derive) {
			if (dtls_psk_derive(a->psk_key, a->psk_key_len, vc->endpoint, psk,
			    sizeof psk) != 0) {
				xasprintf(cause, "cannot derive the PSK");
				return -1;
			}
			rc |= dm_set_opaque(st, SEC(DM_SEC_RID_SECRET_KEY), psk,
			    sizeof psk, NULL);
			xexplicit_bzero(psk, sizeof psk);
		} else
			rc |= dm_set_opaque(st, SEC(DM_SEC_RID_SECRET_KEY), a->psk_key,
			    a->psk_key_len, NULL);
	} else if (mode == DM_SECMODE_CERT) {
		if (vclient_read_file(a->cert_file, &der, &derlen, cause) != 0)
			return -1;
		rc |= dm_set_opaque(st, SEC(DM_SEC_RID_IDENTITY), der, derlen, NULL);
		free(der);
		if (vclient_read_file(a->key_file, &der, &derlen, cause) != 0)
			return -1;
		rc |= dm_set_opaque(st, SEC(DM_SEC_RID_SECRET_KEY), der, derlen, NULL);
		xexplicit_bzero(der, derlen);
		free(der);
		if (a->server_cert_file != NULL) {
			if (vclient_read_file(a->server_cert_file, &der, &derlen,
			    cause) != 0)
				return -1;
			rc |= dm_set_opaque(st, SEC(DM_SEC_RID_SERVER_KEY), der, derlen,
			    NULL);
			free(der);
		}
	} else {
		rc |= dm_set_opaque(st, SEC(DM_SEC_RID_IDENTITY), "", 0, NULL);
		rc |= dm_set_opaque(st, SEC(DM_SEC_RID_SECRET_KEY), "", 0, NULL);
	}
	if (bootstrap) {
		rc |= dm_set_int(st, SEC(DM_SEC_RID_HOLD_OFF), a->hold_off, NULL);
		if (a->account_timeout > 0)
			rc |= dm_set_int(st, SEC(DM_SEC_RID_BS_TIMEOUT),
			    a->account_timeout, NULL);
	} else
		rc |= dm_set_int(st, SEC(DM_SEC_RID_SSID), a->ssid, NULL);
#undef SEC
	if (rc != 0) {
		xasprintf(cause, "account at line %d does not fit the Security object",
		    a->line);
		return -1;
	}
	return 0;
}

static int
vclient_factory_server(struct vclient *vc, uint16_t iid, const struct cfg_account *a,
    char **cause)
{
	struct dm_store	*st = vc->store;
	int		 rc = 0;

	if (dm_instance_create(st, LWM2M_OID_SERVER, iid, NULL) != 0) {
		xasprintf(cause, "cannot create /1/%u", iid);
		return -1;
	}
#define SRV(r)	(&LWM2M_PATH_RES(LWM2M_OID_SERVER, iid, (r)))
	rc |= dm_set_int(st, SRV(DM_SRV_RID_SSID), a->ssid, NULL);
	rc |= dm_set_int(st, SRV(DM_SRV_RID_LIFETIME), a->lifetime > 0 ? a->lifetime :
	    86400, NULL);
	rc |= dm_set_int(st, SRV(DM_SRV_RID_PMIN), a->default_pmin, NULL);
	rc |= dm_set_int(st, SRV(DM_SRV_RID_PMAX), a->default_pmax, NULL);
	rc |= dm_set_int(st, SRV(DM_SRV_RID_DISABLE_TIMEOUT), a->disable_timeout > 0 ?
	    a->disable_timeout : 86400, NULL);
	rc |= dm_set_bool(st, SRV(DM_SRV_RID_STORING), a->notification_storing, NULL);
	rc |= dm_set_string(st, SRV(DM_SRV_RID_BINDING), a->binding != NULL ?
	    a->binding : "U", NULL);
#undef SRV
	if (rc != 0) {
		xasprintf(cause, "server at line %d does not fit the Server object",
		    a->line);
		return -1;
	}
	return 0;
}

int
vclient_factory(struct vclient *vc, char **cause)
{
	const struct cfg	*cfg = vc->ctx->cfg;
	uint16_t		 sec = 0;
	size_t			 i;

	if (cfg->has_bootstrap) {
		if (vclient_factory_security(vc, sec++, &cfg->bootstrap, true,
		    cause) != 0)
			return -1;
	}
	for (i = 0; i < cfg->nservers; i++) {
		if (vclient_factory_security(vc, sec++, &cfg->servers[i], false,
		    cause) != 0)
			return -1;
		if (vclient_factory_server(vc, (uint16_t)i, &cfg->servers[i],
		    cause) != 0)
			return -1;
	}
	return 0;
}

/* The objects every vclient supports, and the sensor's. */
static int
vclient_objects(struct vclient *vc, const struct vclient_desc *d, char **cause)
{
	static const uint16_t	 core[] = { 0, 1, 2, 3 };
	size_t			 i, j;

	for (i = 0; i < sizeof core / sizeof core[0]; i++) {
		if (dm_object_add(vc->store, core[i]) != 0) {
			xasprintf(cause, "object %u has no definition", core[i]);
			return -1;
		}
	}
	for (i = 0; i < d->nobjects; i++) {
		if (d->objects[i].oid <= LWM2M_OID_DEVICE ||
		    dm_object_add(vc->store, d->objects[i].oid) != 0) {
			xasprintf(cause, "object %u is not a sensor object with a "
			    "definition", d->objects[i].oid);
			return -1;
		}
		if (d->ops != NULL)
			dm_backend_mark(vc->store, d->objects[i].oid, true);
		for (j = 0; j < d->objects[i].niids; j++) {
			if (dm_instance_exists(vc->store, d->objects[i].oid,
			    d->objects[i].iids[j]))
				continue;
			if (dm_instance_create(vc->store, d->objects[i].oid,
			    d->objects[i].iids[j], NULL) != 0) {
				xasprintf(cause, "cannot create /%u/%u",
				    d->objects[i].oid, d->objects[i].iids[j]);
				return -1;
			}
		}
	}
	return 0;
}

/* /3/0 mirrors the sensor: refreshed from the description at every start. */
static int
vclient_device(struct vclient *vc, const struct vclient_desc *d)
{
	struct dm_store	*st = vc->store;
	int		 rc = 0;

	if (!dm_instance_exists(st, LWM2M_OID_DEVICE, 0) &&
	    dm_instance_create(st, LWM2M_OID_DEVICE, 0, NULL) != 0)
		return -1;
#define DEV(r)	(&LWM2M_PATH_RES(LWM2M_OID_DEVICE, 0, (r)))
	if (d->manufacturer != NULL)
		rc |= dm_set_string(st, DEV(0), d->manufacturer, NULL);
	if (d->model != NULL)
		rc |= dm_set_string(st, DEV(1), d->model, NULL);
	if (d->serial != NULL)
		rc |= dm_set_string(st, DEV(2), d->serial, NULL);
	if (d->firmware != NULL)
		rc |= dm_set_string(st, DEV(3), d->firmware, NULL);
	rc |= dm_set_string(st, DEV(16), "U", NULL);
#undef DEV
	if (dm_resource_count(st, LWM2M_OID_DEVICE, 0, 11) == 0)
		rc |= dm_set_int(st, &LWM2M_PATH_RI(LWM2M_OID_DEVICE, 0, 11, 0), 0, NULL);
	return rc != 0 ? -1 : 0;
}

/* The store's backend hooks: to the sensor, with the cookie of the operation running. */
static int
vclient_be_write(void *arg, const struct lwm2m_path *p, const struct lwm2m_value *v)
{
	struct vclient	*vc = arg;

	if (vc->sops == NULL || vc->sops->write == NULL)
		return LWM2M_ERR_METHOD_NOT_ALLOWED;
	return vc->sops->write(vc->sops_arg, vc->cur_pending != NULL ?
	    vc->cur_pending->cookie : 0, p, v);
}

static int
vclient_be_execute(void *arg, const struct lwm2m_path *p, const uint8_t *args,
    size_t len)
{
	struct vclient	*vc = arg;

	if (vc->sops == NULL || vc->sops->execute == NULL)
		return LWM2M_ERR_METHOD_NOT_ALLOWED;
	return vc->sops->execute(vc->sops_arg, vc->cur_pending != NULL ?
	    vc->cur_pending->cookie : 0, p, args, len);
}

static const struct dm_backend vclient_dm_backend = {
	.write = vclient_be_write,
	.execute = vclient_be_execute,
};

int
vclient_setup_store(struct vclient *vc, const struct vclient_desc *d, char **cause)
{
	const char	*dir = vc->ctx->state_dir;
	char		*why = NULL;
	int		 rc = 1;

	dm_backend_set(vc->store, &vclient_dm_backend, vc);
	if (vclient_objects(vc, d, cause) != 0)
		return -1;
	if (dir != NULL && *dir != '\0') {
		if (persist_endpoint_valid(vc->endpoint, cause) != 0)
			return -1;
		rc = persist_load(dir, vc->endpoint, vc->store, &vc->meta, &why);
		if (rc < 0) {
			log_ep(LOG_WARNING, vc->endpoint, "state file: %s; factory "
			    "bootstrap", why);
			free(why);
		} else if (rc == 0)
			log_ep_info(vc->endpoint, "state loaded (generation %llu)",
			    (unsigned long long)vc->meta.generation);
	}
	if (rc != 0) {
		if (vclient_factory(vc, cause) != 0)
			return -1;
	}
	/* Sensor instances again: a state file may predate them. */
	if (vclient_objects(vc, d, cause) != 0)
		return -1;
	if (vclient_device(vc, d) != 0) {
		*cause = xstrdup("cannot fill the Device object");
		return -1;
	}
	return 0;
}

int
vclient_persist(struct vclient *vc)
{
	return vclient_persist_store(vc, vc->store);
}

int
vclient_persist_store(struct vclient *vc, const struct dm_store *st)
{
	const char	*dir = vc->ctx->state_dir;
	char		*cause = NULL;

	/* An empty state directory (tests, benchmarks) keeps everything in memory. */
	if (dir == NULL || *dir == '\0')
		return 0;
	if (persist_save(dir, vc->endpoint, st, &persist_scope_default, &vc->meta,
	    &cause) != 0) {
		log_ep(LOG_ERR, vc->endpoint, "cannot save the state: %s", cause);
		free(cause);
		return -1;
	}
	return 0;
}
