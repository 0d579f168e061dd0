/* LZ77 unpacking for the image's heap snapshot: see unpack.h and build/pack.ts. */
#include "unpack.h"

#include <string.h>

#define MIN_MATCH 4

long unpack_size(const uint8_t *in, size_t in_len) {
  if (in_len < 8 || memcmp(in, "MGLZ", 4) != 0) return -1;
  uint32_t size = (uint32_t)in[4] | (uint32_t)in[5] << 8 | (uint32_t)in[6] << 16 |
                  (uint32_t)in[7] << 24;
  return size > (uint32_t)(~0ul >> 1) ? -1 : (long)size;
}

/* Adds a length's extra bytes (255 means another follows) to *n; -1 if the input ends. */
static int more_length(const uint8_t **p, const uint8_t *end, size_t *n) {
  for (;;) {
    if (*p >= end) return -1;
    uint8_t b = *(*p)++;
    *n += b;
    if (b != 255) return 0;
  }
}

long unpack(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap) {
  long size = unpack_size(in, in_len);
  if (size < 0 || (size_t)size > cap) return -1;
  const size_t total = (size_t)size;
  const uint8_t *p = in + 8;
  const uint8_t *end = in + in_len;
  size_t o = 0;
  for (;;) {
    if (p >= end) return -1;
    unsigned token = *p++;
    size_t literals = token >> 4;
    if (literals == 15 && more_length(&p, end, &literals) != 0) return -1;
    if (literals > (size_t)(end - p) || literals > total - o) return -1;
    memcpy(out + o, p, literals);
    p += literals;
    o += literals;
    /* The last sequence is literals only and ends the input exactly. */
    if (o == total) return p == end ? size : -1;
    if (end - p < 2) return -1;
    size_t distance = (size_t)p[0] | (size_t)p[1] << 8;
    p += 2;
    size_t length = token & 15;
    if (length == 15 && more_length(&p, end, &length) != 0) return -1;
    length += MIN_MATCH;
    if (distance == 0 || distance > o || length > total - o) return -1;
    const uint8_t *from = out + o - distance;
    if (distance >= length) {
      memcpy(out + o, from, length);
    } else {
      /* An overlapping match repeats the last `distance` bytes: forward, byte by byte. */
      for (size_t k = 0; k < length; k++) out[o + k] = from[k];
    }
    o += length;
  }
}
