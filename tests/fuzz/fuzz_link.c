/*
 * libFuzzer target: CoRE link format parsing; what parses is rebuilt with the builder and,
 * when the builder accepts it, parses again to the same number of links and parameters.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_link {
	struct codec_link	w;
	int			links;
	int			attrs;
};

static int
fuzz_link_target(void *arg, const char *target, size_t len)
{
	struct fuzz_link	*fl = arg;
	char			 tmp[4096];

	fl->links++;
	if (len >= sizeof tmp)
		return (LWM2M_ERR_TOO_LARGE);
	memcpy(tmp, target, len);
	tmp[len] = '\0';
	codec_link_target(&fl->w, tmp);
	return (0);
}

static int
fuzz_link_attr(void *arg, const char *name, size_t namelen, const char *value,
    size_t valuelen)
{
	struct fuzz_link	*fl = arg;
	char			 n[4096], v[4096];

	fl->attrs++;
	if (namelen >= sizeof n || valuelen >= sizeof v)
		return (LWM2M_ERR_TOO_LARGE);
	memcpy(n, name, namelen);
	n[namelen] = '\0';
	if (value != NULL) {
		memcpy(v, value, valuelen);
		v[valuelen] = '\0';
		if (strlen(v) != valuelen)
			abort();	/* the parser lets no NUL through */
	}
	codec_link_attr_str(&fl->w, n, value != NULL ? v : NULL, true);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t			out[1 << 17];
	struct fuzz_link		fl, again;
	struct codec_link_parser	lp = { fuzz_link_target, fuzz_link_attr, &fl, NULL };
	size_t				len;
	int				error;

	if (size > sizeof out / 2)
		return (0);
	memset(&fl, 0, sizeof fl);
	codec_link_init(&fl.w, out, sizeof out);
	error = codec_link_parse(&lp, (const char *)data, size);
	if (error != 0) {
		if (error == LWM2M_ERR_BAD_REQUEST && lp.why == NULL)
			abort();
		return (0);
	}
	if (codec_link_finish(&fl.w, &len) != 0)
		return (0);
	memset(&again, 0, sizeof again);
	codec_link_init(&again.w, NULL, 0);
	lp.arg = &again;
	if (codec_link_parse(&lp, (const char *)out, len) != 0 ||
	    again.links != fl.links || again.attrs != fl.attrs) {
		fprintf(stderr, "link rebuilt differently: %.*s\n", (int)len, out);
		abort();
	}
	return (0);
}
