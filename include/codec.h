/*
 * LwM2M content formats: text/plain (0), application/octet-stream (42), TLV (11542), SenML
 * JSON (110) in both directions, and CoRE link format (40) as a builder and a parser.
 *
 * Pure functions: no I/O, no allocation. Encoders write into the caller's buffer; decoders
 * hand out values that point into the input buffer (or into the caller's scratch buffer when
 * bytes must be transformed: SenML escapes and base64). The codec knows object definitions
 * only through the caller's lookup function and never calls the data model.
 *
 * Errors are 0 or a negative LwM2M/CoAP code (LWM2M_ERR_* in lwm2m.h):
 *   LWM2M_ERR_BAD_REQUEST		malformed payload, value of the wrong type, path outside the base
 *   LWM2M_ERR_UNSUPPORTED_FORMAT	unknown content format, or one the resource cannot take
 *   LWM2M_ERR_NOT_ACCEPTABLE		the format cannot express these entries (encode)
 *   LWM2M_ERR_TOO_LARGE		output (or scratch) buffer too small
 *   LWM2M_ERR_INTERNAL			entries not sorted, not under the base, NONE values (caller bug)
 */
#ifndef LWGW_CODEC_H
#define LWGW_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwm2m.h"

/* One value at an absolute path (len 3 = resource, len 4 = resource instance). */
struct codec_entry {
	struct lwm2m_path	path;
	struct lwm2m_value	value;
};

/* Object definition of oid, or NULL when unknown. */
typedef const struct dm_object *(*codec_lookup_fn)(void *arg, uint16_t oid);

/*
 * Called for each decoded value, in payload order. def is NULL for a resource the definition
 * does not know; its value is then OPAQUE raw bytes for TLV and text, or the natural type of
 * the SenML value key (v: INTEGER, UNSIGNED or FLOAT; vs: STRING; vb; vd: OPAQUE; vlo).
 * Also called with value type NONE for:
 *   - path len 2: an object instance that is present but empty (TLV), so that a Write of an
 *     empty instance can create it;
 *   - path len 3: a multiple resource present with no instances (TLV), so a replacing Write
 *     can empty it;
 *   - path len 3 or 4: a SenML record that carries a name but no value (Read-Composite).
 * Returns 0 or a negative LWM2M_ERR_*, which stops decoding and is returned by codec_decode.
 */
typedef int (*codec_entry_fn)(void *arg, const struct lwm2m_path *,
    const struct dm_resource *def, const struct lwm2m_value *);

/* Decoder parameters and result; zero it, then fill the callbacks. */
struct codec_decoder {
	codec_lookup_fn	 lookup;	/* may be NULL: then every resource is unknown */
	void		*lookup_arg;
	codec_entry_fn	 entry;
	void		*entry_arg;
	/*
	 * SenML JSON only: strings with escapes and "vd" opaque values are decoded here, one
	 * after the other, so values stay valid while buf and scratch live. scratchsize equal
	 * to the payload length always suffices; too small gives LWM2M_ERR_TOO_LARGE.
	 */
	uint8_t		*scratch;
	size_t		 scratchsize;
	const char	*why;		/* out: static reason of a failure, NULL on success */
};

/*
 * Decode a payload of content format fmt written to base (/oid, /oid/iid, /oid/iid/rid or
 * /oid/iid/rid/riid; SenML also takes "/" for composite operations). Values are checked
 * against their definitions' types; ranges and access rights are the caller's business.
 */
int	 codec_decode(struct codec_decoder *, int fmt, const struct lwm2m_path *base,
	    const uint8_t *buf, size_t len);

/*
 * Encode n entries (sorted by path, each under base) as fmt, as the answer to a Read of
 * base. Entries with value NONE stand for an empty object instance (path len 2) or an empty
 * multiple resource (path len 3); TLV shows them, SenML skips them. text/plain and
 * octet-stream take exactly one value at base itself. On success *outlen is the length.
 * TLV writes floats on 4 bytes when the value is exactly a float, else on 8.
 */
int	 codec_encode(int fmt, const struct lwm2m_path *base, const struct codec_entry *,
	    size_t n, uint8_t *buf, size_t size, size_t *outlen);

/* Whether fmt is one codec_encode/codec_decode handle. */
bool	 codec_supported(int fmt);

/* The definition of rid in obj (binary search; resources are sorted by rid), or NULL. */
const struct dm_resource *codec_resource_find(const struct dm_object *, uint16_t rid);

/* Parse "/3/0/1" (also "/" and "" as the root; trailing "/" tolerated) into a path. 0 or -1. */
int	 codec_path_parse(const char *, size_t, struct lwm2m_path *);
/* Write "/3/0/1" ("/" for the root) NUL-terminated, truncated to size like snprintf;
 * returns the full length (at most 24). */
size_t	 codec_path_format(const struct lwm2m_path *, char *buf, size_t size);

/*
 * CoRE link format builder (RFC 6690). Errors are sticky and reported by _finish, so a
 * payload is built without checking every call:
 *	codec_link_init(&w, buf, sizeof buf);
 *	codec_link_path(&w, &LWM2M_PATH_ROOT);
 *	codec_link_attr_str(&w, "lwm2m", "1.1", false);
 *	codec_link_path(&w, &LWM2M_PATH_INST(0, 0));
 *	codec_link_attr_uint(&w, "ssid", 101);
 *	if (codec_link_finish(&w, &len) != 0) ...
 */
struct codec_link {
	uint8_t		*buf;
	size_t		 size;
	size_t		 len;
	int		 error;
	bool		 started;
};

void	 codec_link_init(struct codec_link *, uint8_t *buf, size_t size);
/* Start a link to a path: "</3/0>" ("</>" for the root). */
void	 codec_link_path(struct codec_link *, const struct lwm2m_path *);
/* Start a link to any URI reference, e.g. an alternate path "/lwm2m". */
void	 codec_link_target(struct codec_link *, const char *uri);
/* ";name=value", or ;name="value" with '"' and '\' escaped when quoted; value NULL: ";name". */
void	 codec_link_attr_str(struct codec_link *, const char *name, const char *value,
	    bool quoted);
void	 codec_link_attr_uint(struct codec_link *, const char *name, uint64_t);
void	 codec_link_attr_int(struct codec_link *, const char *name, int64_t);
/* Shortest decimal that reads back as the same double; NaN and infinities are an error. */
void	 codec_link_attr_float(struct codec_link *, const char *name, double);
/* 0 and the length, or LWM2M_ERR_TOO_LARGE, or LWM2M_ERR_INTERNAL for an invalid name or
 * unquoted value. The output is not NUL-terminated. */
int	 codec_link_finish(struct codec_link *, size_t *len);

/*
 * CoRE link format parser: calls link for each "<target>" (target without the brackets),
 * then attr for each of its parameters. value is NULL for a parameter without "=", else its
 * text without quotes and unescaped (valid only during the call). Tolerates whitespace
 * around ',' ';' and '='. Returns 0, LWM2M_ERR_BAD_REQUEST (why set) or the first non-zero
 * callback result.
 */
struct codec_link_parser {
	int		(*link)(void *arg, const char *target, size_t len);
	int		(*attr)(void *arg, const char *name, size_t namelen,
			    const char *value, size_t valuelen);
	void		*arg;
	const char	*why;
};
int	 codec_link_parse(struct codec_link_parser *, const char *buf, size_t len);

#endif
