/* Internal to the persist module: the file layout shared by the encoder and the parser. */
#ifndef LWGW_PERSIST_INT_H
#define LWGW_PERSIST_INT_H

/*
 * Header (16 bytes, big-endian): magic, major, minor, flags (0), body length; then the
 * body (sections), then the CRC-32C of header and body. This layout never changes, so any
 * version can tell a newer major version from a damaged file.
 */
#define PERSIST_MAGIC		"LWGWSTAT"
#define PERSIST_MAGIC_LEN	8
#define PERSIST_HDR_LEN		16
#define PERSIST_CRC_LEN		4

/* Section: u16 type, u32 length, payload. Bit 15 set: a reader must understand it. */
#define PERSIST_SEC_HDR_LEN	6
#define PERSIST_SEC_CRITICAL	0x8000
#define PERSIST_SEC_ENDPOINT	0x0001
#define PERSIST_SEC_META	0x0002
#define PERSIST_SEC_OBJECT	0x0003

/* META payload: u64 generation, i64 purge deadline, i64 saved at (longer: newer minor). */
#define PERSIST_META_LEN	24

/* OBJECT payload: u16 oid, u8 flags, u8 version length, version, records. */
#define PERSIST_OBJ_WHOLE	0x01
#define PERSIST_VERSION_LEN_MAX	15

/* Record: u8 kind, u8 value type, u16 iid, u16 rid, u16 riid, u32 length, data. */
#define PERSIST_REC_HDR_LEN	12
#define PERSIST_REC_INSTANCE	1
#define PERSIST_REC_CLEAR	2	/* multiple resource present, instances follow */
#define PERSIST_REC_VALUE	3

#endif
