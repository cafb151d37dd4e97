/* libFuzzer target: TLV decoding, and re-encoding of whatever decodes. */
#include "config.h"

#include "codec.h"
#include "fuzz_values.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_values_run(LWM2M_FMT_TLV, data, size);
	return (0);
}
