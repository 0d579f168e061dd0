/*
 * Randomness: a ChaCha20 generator with fast key erasure (each 64-byte block yields a new
 * key and 32 bytes of output, so a later memory leak cannot recover earlier output).
 * Its key comes from the seed the emulator placed at SEED_ADDR, then timer jitter is mixed
 * in. No seed, no randomness: platform_random_fill refuses, and so does the Random device.
 */
#include <string.h>

#include "board.h"
#include "platform.h"

uint64_t timer_counter_raw(void);

static uint32_t key[8];
static uint64_t blocks;
static int seeded;

#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QR(a, b, c, d)          \
  a += b, d ^= a, d = ROTL(d, 16); \
  c += d, b ^= c, b = ROTL(b, 12); \
  a += b, d ^= a, d = ROTL(d, 8);  \
  c += d, b ^= c, b = ROTL(b, 7)

/* One ChaCha20 block (RFC 8439 section 2.3) with a 64-bit block counter and 64-bit nonce. */
static void chacha_block(const uint32_t k[8], uint64_t counter, uint64_t nonce, uint32_t out[16]) {
  uint32_t s[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, k[0], k[1], k[2], k[3],
                    k[4], k[5], k[6], k[7], (uint32_t)counter, (uint32_t)(counter >> 32),
                    (uint32_t)nonce, (uint32_t)(nonce >> 32)};
  uint32_t x[16];
  memcpy(x, s, sizeof x);
  for (int i = 0; i < 10; i++) {
    QR(x[0], x[4], x[8], x[12]);
    QR(x[1], x[5], x[9], x[13]);
    QR(x[2], x[6], x[10], x[14]);
    QR(x[3], x[7], x[11], x[15]);
    QR(x[0], x[5], x[10], x[15]);
    QR(x[1], x[6], x[11], x[12]);
    QR(x[2], x[7], x[8], x[13]);
    QR(x[3], x[4], x[9], x[14]);
  }
  for (int i = 0; i < 16; i++) out[i] = x[i] + s[i];
}

/* Mixing nonce: keeps absorption blocks apart from output blocks. */
#define NONCE_MIX 0x78696d2d6e67726dull

/* Absorbs bytes: XOR 32 bytes into the key, then replace the key with a block under it. */
static void mix(const uint8_t *data, size_t len) {
  uint32_t out[16];
  while (len > 0) {
    uint8_t chunk[32] = {0};
    size_t n = len < 32 ? len : 32;
    memcpy(chunk, data, n);
    for (int i = 0; i < 8; i++) {
      key[i] ^= (uint32_t)chunk[4 * i] | (uint32_t)chunk[4 * i + 1] << 8 |
                (uint32_t)chunk[4 * i + 2] << 16 | (uint32_t)chunk[4 * i + 3] << 24;
    }
    chacha_block(key, blocks++, NONCE_MIX, out);
    memcpy(key, out, sizeof key);
    data += n;
    len -= n;
  }
  memset(out, 0, sizeof out);
}

/* Timer jitter: the counter's low bits around work whose duration varies with the cache. */
static void mix_jitter(void) {
  uint32_t samples[64];
  volatile uint32_t sink = 0;
  for (int i = 0; i < 64; i++) {
    uint64_t t0 = timer_counter_raw();
    for (uint32_t j = 0; j < (uint32_t)(t0 & 0xff) + 16; j++) sink += j * (uint32_t)t0;
    samples[i] = (uint32_t)(timer_counter_raw() - t0) ^ (uint32_t)t0 ^ sink;
  }
  mix((const uint8_t *)samples, sizeof samples);
}

void entropy_init(void) {
  volatile uint8_t *seed = (volatile uint8_t *)SEED_ADDR;
  uint32_t len = 0;
  if (memcmp((const void *)seed, SEED_MAGIC, 8) == 0) {
    len = (uint32_t)seed[8] | (uint32_t)seed[9] << 8 | (uint32_t)seed[10] << 16 |
          (uint32_t)seed[11] << 24;
  }
  if (len >= 32 && len <= SEED_MAX) {
    uint8_t copy[SEED_MAX];
    for (uint32_t i = 0; i < len; i++) copy[i] = seed[12 + i];
    mix(copy, len);
    memset(copy, 0, sizeof copy);
    seeded = 1;
  }
  /* Wipe the seed, so it cannot leak later through a memory read. */
  for (uint32_t i = 0; i < 12 + SEED_MAX; i++) seed[i] = 0;
  mix_jitter();
}

int platform_random_fill(uint8_t *buf, size_t len) {
  if (!seeded) return -1;
  uint32_t out[16];
  while (len > 0) {
    chacha_block(key, blocks++, 0, out);
    memcpy(key, out, sizeof key);
    size_t n = len < 32 ? len : 32;
    memcpy(buf, &out[8], n);
    buf += n;
    len -= n;
  }
  memset(out, 0, sizeof out);
  return 0;
}
