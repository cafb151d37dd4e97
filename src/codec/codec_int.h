/* Helpers shared by the codec's formats; not part of its public surface. */
#ifndef LWGW_CODEC_INT_H
#define LWGW_CODEC_INT_H

#include "codec.h"

/* An output buffer with a sticky error (LWM2M_ERR_TOO_LARGE when it overflows). */
struct codec_buf {
	uint8_t	*p;
	size_t	 size;
	size_t	 len;
	int	 error;
};

void	 codec_buf_put(struct codec_buf *, const void *, size_t);
void	 codec_buf_putc(struct codec_buf *, uint8_t);
void	 codec_buf_puts(struct codec_buf *, const char *);
void	 codec_buf_putu(struct codec_buf *, uint64_t);
void	 codec_buf_puti(struct codec_buf *, int64_t);

/* Room for any number codec_fmt_double writes, NUL included. */
#define CODEC_DOUBLE_MAX	32

size_t	 codec_fmt_double(double, char *);
bool	 codec_number_syntax(const char *, size_t);
int	 codec_parse_double(const char *, size_t, double *);
int	 codec_parse_int(const char *, size_t, int64_t *);
int	 codec_parse_uint(const char *, size_t, uint64_t *, uint64_t);
bool	 codec_utf8_valid(const uint8_t *, size_t);
int	 codec_check_entries(const struct lwm2m_path *, const struct codec_entry *, size_t);
int	 codec_path_under(const struct lwm2m_path *, const struct lwm2m_path *);

int	 codec_tlv_decode(struct codec_decoder *, const struct lwm2m_path *,
	    const uint8_t *, size_t);
int	 codec_tlv_encode(const struct lwm2m_path *, const struct codec_entry *, size_t,
	    struct codec_buf *);
int	 codec_senml_decode(struct codec_decoder *, const struct lwm2m_path *,
	    const uint8_t *, size_t);
int	 codec_senml_encode(const struct lwm2m_path *, const struct codec_entry *, size_t,
	    struct codec_buf *);

#endif
