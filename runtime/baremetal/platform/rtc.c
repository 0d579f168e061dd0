/*
 * The wall clock: the RTC's date and time, read once at boot (to the second), then advanced
 * by the monotonic clock. QEMU sets its RTC from the host clock at reset.
 */
#include "board.h"
#include "platform.h"

#define RTC_YYMMDD 0x04
#define RTC_HHMMSS 0x08

static int64_t boot_epoch_ms;

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (era arithmetic). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

void rtc_init(void) {
  uint32_t ymd = mmio_read(RTC_BASE + RTC_YYMMDD);
  uint32_t hms = mmio_read(RTC_BASE + RTC_HHMMSS);
  int64_t year = RTC_BASE_YEAR + ((ymd >> 16) & 0xff);
  unsigned month = (ymd >> 8) & 0xf;
  unsigned day = ymd & 0x1f;
  if (month < 1 || month > 12) month = 1; /* an unset RTC reads zeros */
  if (day < 1) day = 1;
  int64_t secs = days_from_civil(year, month, day) * 86400 + ((hms >> 16) & 0x1f) * 3600 +
                 ((hms >> 8) & 0x3f) * 60 + (hms & 0x3f);
  boot_epoch_ms = secs * 1000 - (int64_t)(platform_monotonic_ns() / 1000000u);
}

int64_t platform_wall_ms(void) {
  return boot_epoch_ms + (int64_t)(platform_monotonic_ns() / 1000000u);
}
