/* The value of one hexadecimal digit, for the parsers of untrusted text. */
#ifndef LWGW_HEXDIGIT_H
#define LWGW_HEXDIGIT_H

/* 0..15, or -1 if c is not a hexadecimal digit (any case). */
static inline int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

#endif
