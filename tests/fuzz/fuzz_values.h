/* Shared by the TLV and SenML fuzz targets: decode, re-encode, decode again. */
#ifndef FUZZ_VALUES_H
#define FUZZ_VALUES_H

#include <stddef.h>
#include <stdint.h>

/*
 * data[0..3] choose the base path (length, object, resource, resource instance), the rest
 * is the payload of content format fmt. Aborts when a property breaks.
 */
void	fuzz_values_run(int fmt, const uint8_t *data, size_t size);

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif
