/*
 * ts.h - timestamps: parse the formats exports use, write RFC 3339 UTC.
 * Accepted: RFC 3339 / ISO 8601 (T or space, any offset, fraction), a bare
 * date, epoch seconds or milliseconds, Apache [10/Oct/2000:13:55:36 -0700],
 * Twitter "Wed Oct 10 20:19:24 +0000 2018". No zone given means UTC.
 */
#ifndef VCHAIN_TS_H
#define VCHAIN_TS_H

#include <stddef.h>
#include <stdint.h>

struct vts {
	int64_t sec;		/* seconds since 1970-01-01T00:00:00Z */
	uint32_t nsec;		/* 0..999999999 */
};

#define TS_MAX_LEN 40	/* longest ts_format() output, with its NUL */

/*
 * The forms taken, besides RFC 3339: a "UTC" or "GMT" suffix
 * ("2019-10-01 00:00:00 UTC"); minutes without seconds, with or without
 * an offset; ISO 8601 basic (20191001T000000Z); RFC 2822 / RFC 1123
 * ("Sun, 01 Dec 2019 00:00:00 GMT", "+0000", the US zone names); epoch
 * seconds, milliseconds, microseconds and nanoseconds by magnitude.
 * Returns 0, or -1 when s[0..n) is no timestamp we know.
 */
int ts_parse(const char *s, size_t n, struct vts *t);
/* The same; *zoned is 0 when s gave a date and time with no zone (read as UTC). */
int ts_parse_zoned(const char *s, size_t n, struct vts *t, int *zoned);
/*
 * s[0..n) in the form fmt says (vchain-parse --ts-format), strptime's
 * conversions: %Y %y %m %d %e %H %I %M %S %f (the digits after a '.' or
 * ',' written before it) %p %b %h %B %a %A %T %z %Z (UTC, GMT, Z) %s
 * (epoch, by magnitude) %%; numbers take one digit or two (4 for %Y); a
 * space takes any number of spaces. Not locale- or TZ-dependent.
 * 0, or -1 when s is not in that form.
 */
int ts_parse_format(const char *fmt, const char *s, size_t n, struct vts *t, int *zoned);
/* Whether fmt's conversions are all ones ts_parse_format knows: 0, or -1. */
int ts_format_check(const char *fmt);

/*
 * The zone of timestamps that carry none (vchain-parse --tz): a fixed
 * offset (+05:30, -0800), UTC, or a tz database name (Europe/Berlin) whose
 * offsets come from mktime() under TZ, cached per local hour. One per
 * thread (the cache); ts_zone_init sets TZ for the process (ts.c says why),
 * so call it before any thread starts.
 */
struct ts_zone {
	int named;		/* a tz database zone */
	int64_t off_sec;	/* fixed offset, or the cached hour's */
	int64_t hour;		/* local hour the cache is for */
};
/* Returns 0, or -1 when spec is no offset and no installed zone. */
int ts_zone_init(struct ts_zone *z, const char *spec);
/* t holds a local wall time in the zone; make it UTC. */
void ts_zone_to_utc(struct ts_zone *z, struct vts *t);
/*
 * 1 if s[0..n) is already exactly what ts_format writes for a whole second
 * ("2024-03-01T12:34:56Z", a valid date and time): such input is copied,
 * not parsed and written again.
 */
int ts_is_canonical(const char *s, size_t n);
/*
 * 1 with *sec, the seconds since 1970, when s[0..n) is canonical as
 * ts_is_canonical says; else 0. The day of the date last seen in the
 * thread is kept, so time-ordered input checks and converts only the time.
 */
int ts_canonical_sec(const char *s, size_t n, int64_t *sec);
/* RFC 3339 needs a four-digit year: 0000-01-01 to 9999-12-31. */
static inline int ts_in_range(struct vts t)
{
	return t.sec >= -62167219200LL && t.sec <= 253402300799LL;
}
/* Only for ts_in_range(t): "2024-03-01T12:34:56Z", with a fraction (trailing zeros dropped) when nsec != 0. Returns length. */
size_t ts_format(struct vts t, char out[TS_MAX_LEN]);
/* An instant in epoch ms, as ts_format writes it. */
size_t ts_format_ms(long long ms, char out[TS_MAX_LEN]);
/* Time buckets (vchain-aggregate --every): the bucket's label of an instant, in UTC. */
enum ts_every { TS_EVERY_NONE, TS_EVERY_HOUR, TS_EVERY_DAY, TS_EVERY_WEEK, TS_EVERY_MONTH };
#define TS_NEVERY 5
extern const char *const ts_every_names[TS_NEVERY];	/* "", "hour", "day", "week", "month" */
/* The bucket named s[0..n) (hour, day, week, month), or TS_EVERY_NONE. */
enum ts_every ts_every_of(const char *s, size_t n);
/*
 * The label of ms's bucket into out[32]: "2024-03-01T13:00:00Z" (hour),
 * "2024-03-01" (day; week: its Monday, ISO), "2024-03" (month), a NUL
 * after it. Its length, or 0 when the bucket is outside years 0000-9999.
 */
size_t ts_bucket(long long ms, enum ts_every e, char out[32]);
/*
 * The zone of ts_bucket_zoned (vchain-aggregate --tz): an IANA name of the
 * system's tz database (Debian's tzdata, $TZDIR or /usr/share/zoneinfo),
 * "UTC", or NULL for UTC. Sets TZ for the process: call it before threads
 * start. 0, or -1 with why (no such zone: glibc would silently use UTC).
 */
int ts_zone_set(const char *name, char why[200]);
/* The zone set, or NULL for UTC. */
const char *ts_zone(void);
/*
 * ts_bucket in the zone: the zone's date, its week's Monday, its month; an
 * hour as the zone's hour with its offset ("2024-03-31T03:00:00+02:00").
 * Daylight saving comes from the tz database, through localtime_r; each
 * thread keeps the offset of the last 15 minutes it looked up.
 */
size_t ts_bucket_zoned(long long ms, enum ts_every e, char out[32]);
/* The zone's date at ms as days since 1970-01-01 into *day. 0, or -1 beyond localtime_r. */
int ts_local_day(long long ms, long long *day);

/* Days since the epoch of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
int64_t ts_days_from_civil(int64_t y, unsigned m, unsigned d);
void ts_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
