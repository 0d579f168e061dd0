/*
 * Unpacking what build/pack.ts packed (the image's heap snapshot): "MGLZ", the unpacked
 * size (u32, little-endian), then LZ77 sequences in the layout of LZ4's blocks (pack.ts
 * describes it). Every length and distance is checked: damaged input is refused, never
 * read or written past.
 */
#ifndef MORGANA_UNPACK_H
#define MORGANA_UNPACK_H

#include <stddef.h>
#include <stdint.h>

/* The unpacked size from the header, or -1 when `in` is not packed. */
long unpack_size(const uint8_t *in, size_t in_len);

/* Unpacks into `out` (room for `cap` bytes): the unpacked size, or -1 when damaged. */
long unpack(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap);

#endif
