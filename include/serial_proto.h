/*
 * The serial line protocol (docs/serial-protocol.md): one ASCII frame per line,
 *
 *	[@ADDR ]VERB ARGS*HH<CR><LF>
 *
 * with HH the CRC-8 (polynomial 0x07) of every byte before the '*', at most
 * SERIAL_PROTO_LINE_MAX bytes with the line end. Pure: no I/O, no allocation; the parser
 * works in place on the caller's line buffer (quoted strings are unescaped there), so
 * every pointer in a parsed frame points into that buffer.
 */
#ifndef LWGW_SERIAL_PROTO_H
#define LWGW_SERIAL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwm2m.h"

#define SERIAL_PROTO_VERSION	1	/* the highest version the gateway speaks */
#define SERIAL_PROTO_LINE_MAX	128	/* bytes of a line, CR LF included */
#define SERIAL_PROTO_ADDR_MAX	247	/* RS-485 addresses 1..247; 0: unaddressed */
#define SERIAL_PROTO_ID_MAX	32	/* characters of a sensor identity */
#define SERIAL_PROTO_REPORTS_MAX 8	/* path/value pairs in one report frame */
#define SERIAL_PROTO_IIDS_MAX	16	/* instances in one OBJ frame */
#define SERIAL_PROTO_TOKENS_MAX	24

/* Capabilities a sensor announces in HELLO (the gateway accepts a subset). */
#define SERIAL_CAP_WRITE	0x1	/* answers WRITE */
#define SERIAL_CAP_EXEC		0x2	/* answers EXEC */
#define SERIAL_CAP_ALL		(SERIAL_CAP_WRITE | SERIAL_CAP_EXEC)

enum serial_verb {
	SERIAL_VERB_REPORT,	/* sensor: /oid/iid/rid value [...] */
	SERIAL_VERB_HELLO,	/* sensor: HELLO version id [caps] */
	SERIAL_VERB_INFO,	/* sensor: INFO key "value" */
	SERIAL_VERB_OBJ,	/* sensor: OBJ oid iid[,iid...] */
	SERIAL_VERB_READY,	/* sensor: the announcement is complete */
	SERIAL_VERB_WELCOME,	/* gateway: WELCOME version caps */
	SERIAL_VERB_WHO,	/* gateway: announce yourselves */
	SERIAL_VERB_WRITE,	/* gateway: WRITE corr path value */
	SERIAL_VERB_EXEC,	/* gateway: EXEC corr path ["args"] */
	SERIAL_VERB_RES,	/* sensor: RES corr code */
	SERIAL_VERB_PING,	/* either */
	SERIAL_VERB_PONG,	/* either */
	SERIAL_VERB_ERR,	/* either: ERR code ["reason"] */
	SERIAL_VERB_BYE,	/* either: leaving */
};

/* Why a line was rejected; the driver counts each per link. */
enum serial_bad {
	SERIAL_BAD_NONE = 0,
	SERIAL_BAD_LONG,	/* longer than SERIAL_PROTO_LINE_MAX */
	SERIAL_BAD_CHAR,	/* NUL, control or non-ASCII byte */
	SERIAL_BAD_CHECKSUM,	/* missing or wrong *HH */
	SERIAL_BAD_ADDRESS,	/* malformed or out of range @ADDR */
	SERIAL_BAD_VERB,	/* unknown verb */
	SERIAL_BAD_SYNTAX,	/* wrong arguments for the verb, bad path, bad string */
	SERIAL_BAD_VALUE,	/* value of the wrong type for the resource */
	SERIAL_BAD_PATH,	/* a path the sensor did not announce / no such resource */
	SERIAL_BAD_STATE,	/* a frame that makes no sense now (READY without HELLO) */
	SERIAL_BAD_NKINDS
};

/* INFO keys. */
enum serial_info {
	SERIAL_INFO_MFR,
	SERIAL_INFO_MODEL,
	SERIAL_INFO_SN,
	SERIAL_INFO_FW,
};

/* One token of a frame: a bare word or a quoted string (unescaped, may contain NUL). */
struct serial_token {
	char		*p;
	size_t		 len;
	bool		 quoted;
};

struct serial_report {
	struct lwm2m_path	 path;
	struct serial_token	 value;	/* typed later, by the object definition */
};

struct serial_frame {
	unsigned		 addr;		/* 0: no address prefix */
	enum serial_verb	 verb;
	unsigned		 version;	/* HELLO, WELCOME */
	const char		*id;		/* HELLO (NUL-terminated) */
	unsigned		 caps;		/* HELLO, WELCOME: SERIAL_CAP_* */
	enum serial_info	 info;		/* INFO */
	uint16_t		 corr;		/* WRITE, EXEC, RES */
	int			 code;		/* RES, ERR: 0 for 2.xx, else LWM2M_ERR_* */
	struct lwm2m_path	 path;		/* WRITE, EXEC */
	struct serial_token	 arg;		/* INFO value, WRITE value, EXEC args, ERR text */
	uint16_t		 oid;		/* OBJ */
	uint16_t		 iids[SERIAL_PROTO_IIDS_MAX];
	size_t			 niids;
	struct serial_report	 reports[SERIAL_PROTO_REPORTS_MAX];
	size_t			 nreports;
};

/* CRC-8, polynomial 0x07, initial value 0 (CRC-8/SMBUS): "123456789" gives 0xF4. */
uint8_t		 serial_proto_crc8(const void *, size_t);

/*
 * Parse one line (without its line end; a trailing CR is allowed) of len bytes in place.
 * 0 and *frame filled, or -1 and *bad set. The line is modified (tokens are terminated,
 * strings unescaped) and frame points into it.
 */
int		 serial_proto_parse(char *line, size_t len, struct serial_frame *,
		    enum serial_bad *bad);

/*
 * Type a value token by the resource's type (from the object definition): integers,
 * unsigned, time (decimal), floats (decimal, exponent allowed), booleans 0/1, strings and
 * core links quoted, opaque as quoted strings (\xHH escapes), object links "oid:iid".
 * 0 or -1. String values point at the token's bytes.
 */
int		 serial_proto_value(const struct serial_token *, enum lwm2m_type,
		    struct lwm2m_value *);

/*
 * Append the text form of a value to buf at *off (strings quoted and escaped). 0 or -1
 * when it does not fit (buf is left NUL-terminated at the old *off).
 */
int		 serial_proto_format_value(char *buf, size_t len, size_t *off,
		    const struct lwm2m_value *);
/* Append a quoted, escaped string. 0 or -1 as above. */
int		 serial_proto_format_string(char *buf, size_t len, size_t *off,
		    const uint8_t *, size_t);

/*
 * Frame a body ("WRITE 7 /3311/0/5850 1") for address addr (0: none) into buf: prefix,
 * body, *HH, CR LF, NUL. The frame's length (without the NUL), or -1 if it would exceed
 * SERIAL_PROTO_LINE_MAX or the body has a byte outside printable ASCII.
 */
int		 serial_proto_frame(char *buf, size_t len, unsigned addr, const char *body);

/*
 * Capability exchange: the version and capabilities the gateway accepts for a sensor
 * that speaks up to version `version` with capabilities `caps`. -1 if no common version.
 */
int		 serial_proto_negotiate(unsigned version, unsigned caps,
		    unsigned *accepted_version, unsigned *accepted_caps);

/* "2.04" for 0 / LWM2M_CHANGED-like codes (positive) or LWM2M_ERR_* (negative). */
void		 serial_proto_code_format(int code, char *buf, size_t len);
/* "4.04" → LWM2M_ERR_NOT_FOUND, "2.xx" → 0; -1 on a malformed code (sets nothing). */
int		 serial_proto_code_parse(const char *, int *code);

const char	*serial_proto_verb_name(enum serial_verb);
const char	*serial_proto_bad_name(enum serial_bad);
const char	*serial_proto_caps_format(unsigned caps, char *buf, size_t len);

#endif
