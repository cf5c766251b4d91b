/*
 * ts.c - hand-written parsers, no strptime/timegm: they are locale- and
 * TZ-dependent and slow. Every field is range-checked (Feb 30 is an error).
 * Epoch numbers by magnitude: below 10^11 seconds (10^11 s is the year
 * 5138), then milliseconds up to 10^14, microseconds up to 10^17, and
 * nanoseconds (each range starts in 1973).
 */
#include <string.h>
#include <strings.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ts.h"

int64_t ts_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

void ts_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Exactly k digits at *p; advances. */
static int digits(const char **p, const char *end, int k, unsigned *v)
{
	unsigned x = 0;
	int i;

	if (end - *p < k)
		return -1;
	for (i = 0; i < k; i++) {
		unsigned char c = (unsigned char)(*p)[i];

		if (c < '0' || c > '9')
			return -1;
		x = x * 10 + (c - '0');
	}
	*p += k;
	*v = x;
	return 0;
}

/* 1 to k digits at *p; advances. */
static int digits_upto(const char **p, const char *end, int k, unsigned *v)
{
	unsigned x = 0;
	int i = 0;

	while (i < k && *p < end && **p >= '0' && **p <= '9') {
		x = x * 10 + (unsigned)(**p - '0');
		(*p)++;
		i++;
	}
	*v = x;
	return i ? 0 : -1;
}

/* Whether the rest, p[0..end), is the name of UTC: UTC, GMT, UT (the same instant). */
static int utc_name(const char *p, const char *end)
{
	size_t n = (size_t)(end - p);

	return (n == 3 && (!memcmp(p, "UTC", 3) || !memcmp(p, "GMT", 3))) || (n == 2 && !memcmp(p, "UT", 2));
}

static int make(struct vts *t, int64_t y, unsigned mo, unsigned d, unsigned h,
		unsigned mi, unsigned s, uint32_t ns, int off_min)
{
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60)
		return -1;
	/* a leap second 23:59:60 is folded onto the next second, as POSIX time does */
	t->sec = ts_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - (int64_t)off_min * 60;
	t->nsec = ns;
	return 0;
}

/* Optional ".fraction" (or ","); advances. */
static int fraction(const char **p, const char *end, uint32_t *ns)
{
	uint32_t v = 0, scale = 100000000;

	*ns = 0;
	if (*p >= end || (**p != '.' && **p != ','))
		return 0;
	(*p)++;
	if (*p >= end || **p < '0' || **p > '9')
		return -1;
	while (*p < end && **p >= '0' && **p <= '9') {
		v += (uint32_t)(**p - '0') * scale;	/* digits past nanoseconds are dropped */
		scale /= 10;
		(*p)++;
	}
	*ns = v;
	return 0;
}

/* Z, z, +HH:MM, +HHMM, +HH (sign '-' too); none = UTC. */
static int zone(const char **p, const char *end, int *off_min, int required)
{
	unsigned h, m = 0;
	int sign;

	*off_min = 0;
	if (*p >= end)
		return required ? -1 : 0;
	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		return 0;
	}
	if (**p != '+' && **p != '-')
		return required ? -1 : 0;
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	if (digits(p, end, 2, &h) < 0)
		return -1;
	if (*p < end && **p == ':')
		(*p)++;
	if (*p < end && **p >= '0' && **p <= '9' && digits(p, end, 2, &m) < 0)
		return -1;
	if (h > 23 || m > 59)
		return -1;
	*off_min = sign * (int)(h * 60 + m);
	return 0;
}

static int parse_iso(const char *p, const char *end, struct vts *t, int *zoned)
{
	unsigned y, mo, d, h = 0, mi = 0, s = 0;
	uint32_t ns = 0;
	int off = 0;

	if (digits(&p, end, 4, &y) < 0 || p >= end || *p++ != '-' ||
	    digits(&p, end, 2, &mo) < 0 || p >= end || *p++ != '-' ||
	    digits(&p, end, 2, &d) < 0)
		return -1;
	if (p < end) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return -1;
		p++;
		if (digits(&p, end, 2, &h) < 0 || p >= end || *p++ != ':' ||
		    digits(&p, end, 2, &mi) < 0)
			return -1;
		if (p < end && *p == ':') {
			p++;
			if (digits(&p, end, 2, &s) < 0 || fraction(&p, end, &ns) < 0)
				return -1;
		}
		if (p < end && *p == ' ')
			p++;
		*zoned = p < end;
		if (utc_name(p, end))	/* "2019-10-01 00:00:00 UTC", as REES46 writes it */
			p = end;
		else if (zone(&p, end, &off, 0) < 0)
			return -1;
	}
	if (p != end)
		return -1;
	return make(t, y, mo, d, h, mi, s, ns, off);
}

static int month_abbr(const char *p, const char *end, unsigned *mo)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	if (end - p < 3)
		return -1;
	for (i = 0; i < 12; i++) {
		if (memcmp(names + 3 * i, p, 3) == 0) {
			*mo = (unsigned)i + 1;
			return 0;
		}
	}
	return -1;
}

static int lit(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return -1;
	(*p)++;
	return 0;
}

/* 10/Oct/2000:13:55:36 -0700, brackets optional */
static int parse_apache(const char *p, const char *end, struct vts *t)
{
	unsigned y, mo, d, h, mi, s;
	int off;

	if (p < end && *p == '[') {
		if (end[-1] != ']')
			return -1;
		p++;
		end--;
	}
	if (digits(&p, end, 2, &d) < 0 || lit(&p, end, '/') < 0 ||
	    month_abbr(p, end, &mo) < 0)
		return -1;
	p += 3;
	if (lit(&p, end, '/') < 0 || digits(&p, end, 4, &y) < 0 || lit(&p, end, ':') < 0 ||
	    digits(&p, end, 2, &h) < 0 || lit(&p, end, ':') < 0 ||
	    digits(&p, end, 2, &mi) < 0 || lit(&p, end, ':') < 0 ||
	    digits(&p, end, 2, &s) < 0 || lit(&p, end, ' ') < 0 ||
	    zone(&p, end, &off, 1) < 0 || p != end)
		return -1;
	return make(t, y, mo, d, h, mi, s, 0, off);
}

/* Wed Oct 10 20:19:24 +0000 2018 */
static int parse_twitter(const char *p, const char *end, struct vts *t)
{
	unsigned y, mo, d, h, mi, s;
	int off;

	if (end - p < 30 || p[3] != ' ')
		return -1;
	p += 4;
	if (month_abbr(p, end, &mo) < 0)
		return -1;
	p += 3;
	if (lit(&p, end, ' ') < 0 || digits(&p, end, 2, &d) < 0 || lit(&p, end, ' ') < 0 ||
	    digits(&p, end, 2, &h) < 0 || lit(&p, end, ':') < 0 ||
	    digits(&p, end, 2, &mi) < 0 || lit(&p, end, ':') < 0 ||
	    digits(&p, end, 2, &s) < 0 || lit(&p, end, ' ') < 0 ||
	    zone(&p, end, &off, 1) < 0 || lit(&p, end, ' ') < 0 ||
	    digits(&p, end, 4, &y) < 0 || p != end)
		return -1;
	return make(t, y, mo, d, h, mi, s, 0, off);
}

/* ISO 8601 basic: 20191001T000000Z, 20191001T0000+0100, with a fraction after the seconds. */
static int parse_basic(const char *p, const char *end, struct vts *t, int *zoned)
{
	unsigned y, mo, d, h, mi, s = 0;
	uint32_t ns = 0;
	int off = 0;

	if (digits(&p, end, 4, &y) < 0 || digits(&p, end, 2, &mo) < 0 || digits(&p, end, 2, &d) < 0 ||
	    lit(&p, end, 'T') < 0 || digits(&p, end, 2, &h) < 0 || digits(&p, end, 2, &mi) < 0)
		return -1;
	if (p < end && *p >= '0' && *p <= '9' && (digits(&p, end, 2, &s) < 0 || fraction(&p, end, &ns) < 0))
		return -1;
	*zoned = p < end;
	if (zone(&p, end, &off, 0) < 0 || p != end)
		return -1;
	return make(t, y, mo, d, h, mi, s, ns, off);
}

/*
 * RFC 2822 / RFC 1123 (mail, HTTP): [Sun, ]1 Dec 2019 00:00[:00] GMT, with
 * +hhmm or the zone names RFC 2822 keeps (UT, GMT, Z, EST ... PDT).
 */
static int parse_rfc2822(const char *p, const char *end, struct vts *t)
{
	static const struct {
		char name[4];
		int off;
	} names[] = { { "EST", -300 }, { "EDT", -240 }, { "CST", -360 }, { "CDT", -300 },
		      { "MST", -420 }, { "MDT", -360 }, { "PST", -480 }, { "PDT", -420 } };
	unsigned y, mo, d, h, mi, s = 0;
	int off = 0;
	size_t k;

	if (end - p >= 5 && p[3] == ',') {	/* the day's name, not checked against the date */
		p += 4;
		while (p < end && *p == ' ')
			p++;
	}
	if (digits_upto(&p, end, 2, &d) < 0 || lit(&p, end, ' ') < 0 || month_abbr(p, end, &mo) < 0)
		return -1;
	p += 3;
	if (lit(&p, end, ' ') < 0 || digits(&p, end, 4, &y) < 0 || lit(&p, end, ' ') < 0 ||
	    digits(&p, end, 2, &h) < 0 || lit(&p, end, ':') < 0 || digits(&p, end, 2, &mi) < 0)
		return -1;
	if (p < end && *p == ':' && (++p, digits(&p, end, 2, &s) < 0))
		return -1;
	if (lit(&p, end, ' ') < 0)
		return -1;
	if (utc_name(p, end) || (end - p == 1 && *p == 'Z'))
		p = end;
	else if (end - p == 3) {
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (!memcmp(p, names[k].name, 3))
				break;
		if (k == sizeof(names) / sizeof(names[0]))
			return -1;
		off = names[k].off;
		p = end;
	} else if (p >= end || (*p != '+' && *p != '-') || zone(&p, end, &off, 1) < 0)
		return -1;
	if (p != end)
		return -1;
	return make(t, y, mo, d, h, mi, s, 0, off);
}

/* Epoch seconds, milliseconds, microseconds or nanoseconds (by magnitude), with an optional fraction. */
static int parse_epoch(const char *p, const char *end, struct vts *t)
{
	uint64_t v = 0;
	uint32_t ns = 0;
	int ndig = 0;

	while (p < end && *p >= '0' && *p <= '9') {
		if (++ndig > 19)
			return -1;
		v = v * 10 + (uint64_t)(*p++ - '0');
	}
	if (!ndig || fraction(&p, end, &ns) < 0 || p != end)
		return -1;
	if (v >= 100000000000000000ULL) {	/* nanoseconds */
		t->sec = (int64_t)(v / 1000000000);
		t->nsec = (uint32_t)(v % 1000000000);
	} else if (v >= 100000000000000ULL) {	/* microseconds */
		t->sec = (int64_t)(v / 1000000);
		t->nsec = (uint32_t)(v % 1000000) * 1000 + ns / 1000000;
	} else if (v >= 100000000000ULL) {	/* milliseconds */
		t->sec = (int64_t)(v / 1000);
		t->nsec = (uint32_t)(v % 1000) * 1000000 + ns / 1000;
	} else {
		t->sec = (int64_t)v;
		t->nsec = ns;
	}
	return 0;
}

int ts_is_canonical(const char *s, size_t n)
{
	unsigned y, mo, d, h, mi, sec;

	if (n != 20)
		return 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/*
	 * Eight bytes at a time: each XORed with what it should be ('0' for a
	 * digit) is 0-9 for a digit and 0 for the right separator, so the
	 * whole check is a few masks; the values are then the bytes.
	 */
	uint64_t a, b;
	uint32_t c;

	memcpy(&a, s, 8);
	memcpy(&b, s + 8, 8);
	memcpy(&c, s + 16, 4);
	a ^= 0x2D30302D30303030u;	/* "0000-00-" */
	b ^= 0x30303A3030543030u;	/* "00T00:00" */
	c ^= 0x5A30303Au;		/* ":00Z" */
#define OVER9(x, lo7, hi) (((((x) & (lo7)) + ((lo7) & 0x7676767676767676u)) | (x)) & (hi))
	if ((a & 0xFF0000FF00000000u) | (b & 0x0000FF0000FF0000u) | (c & 0xFF0000FFu) |
	    OVER9(a, 0x7F7F7F7F7F7F7F7Fu, 0x8080808080808080u) |
	    OVER9(b, 0x7F7F7F7F7F7F7F7Fu, 0x8080808080808080u) |
	    OVER9((uint64_t)c, 0x7F7F7F7Fu, 0x80808080u))
		return 0;
#undef OVER9
#define B(x, k) ((unsigned)((x) >> (8 * (k))) & 0xFF)
	y = B(a, 0) * 1000 + B(a, 1) * 100 + B(a, 2) * 10 + B(a, 3);
	mo = B(a, 5) * 10 + B(a, 6);
	d = B(b, 0) * 10 + B(b, 1);
	h = B(b, 3) * 10 + B(b, 4);
	mi = B(b, 6) * 10 + B(b, 7);
	sec = B(c, 1) * 10 + B(c, 2);
#undef B
#else
	if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return 0;
#define DIG(k) ((unsigned)(unsigned char)s[k] - '0' <= 9)
	if (!(DIG(0) & DIG(1) & DIG(2) & DIG(3) & DIG(5) & DIG(6) & DIG(8) & DIG(9) &
	      DIG(11) & DIG(12) & DIG(14) & DIG(15) & DIG(17) & DIG(18)))
		return 0;
#undef DIG
#define D2(k) ((unsigned)(s[k] - '0') * 10 + (unsigned)(s[k + 1] - '0'))
	y = D2(0) * 100 + D2(2);
	mo = D2(5);
	d = D2(8);
	h = D2(11);
	mi = D2(14);
	sec = D2(17);
#undef D2
#endif
	return mo >= 1 && mo <= 12 && d >= 1 && (d <= 28 || d <= days_in_month(y, mo)) &&
	       h < 24 && mi < 60 && sec < 60;
}

int ts_canonical_sec(const char *s, size_t n, int64_t *sec)
{
	/* the date of the call before, in this thread, checked then: sorted input repeats it call after call */
	static _Thread_local char last_date[10];
	static _Thread_local int64_t last_days;
	unsigned h, mi, se;

	if (n != 20)
		return 0;
#define D2(k) ((unsigned)(s[k] - '0') * 10 + (unsigned)(s[k + 1] - '0'))
	if (memcmp(s, last_date, 10) == 0) {	/* never at first: a date starts with a digit */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* "HH:MM:SS" eight bytes at once, as ts_is_canonical checks them */
		uint64_t b;

		memcpy(&b, s + 11, 8);
		b ^= 0x30303A30303A3030u;	/* "00:00:00" */
		if (s[10] != 'T' || s[19] != 'Z' || (b & 0x0000FF0000FF0000u) ||
		    ((((b & 0x7F7F7F7F7F7F7F7Fu) + 0x7676767676767676u) | b) & 0x8080808080808080u))
			return 0;
#define B(k) ((unsigned)(b >> (8 * (k))) & 0xFF)
		h = B(0) * 10 + B(1);
		mi = B(3) * 10 + B(4);
		se = B(6) * 10 + B(7);
#undef B
#else
		if (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
			return 0;
#define DIG(k) ((unsigned)(unsigned char)s[k] - '0' <= 9)
		if (!(DIG(11) & DIG(12) & DIG(14) & DIG(15) & DIG(17) & DIG(18)))
			return 0;
#undef DIG
		h = D2(11);
		mi = D2(14);
		se = D2(17);
#endif
		if (h >= 24 || mi >= 60 || se >= 60)
			return 0;
	} else {
		if (!ts_is_canonical(s, 20))
			return 0;
		last_days = ts_days_from_civil((int)(D2(0) * 100 + D2(2)), D2(5), D2(8));
		memcpy(last_date, s, 10);
		h = D2(11);
		mi = D2(14);
		se = D2(17);
	}
#undef D2
	*sec = ((last_days * 24 + h) * 60 + mi) * 60 + se;
	return 1;
}

int ts_parse_zoned(const char *s, size_t n, struct vts *t, int *zoned)
{
	const char *end = s + n;

	*zoned = 1;
	if (ts_canonical_sec(s, n, &t->sec)) {	/* what vchain-parse writes: no parsing in general */
		t->nsec = 0;
		return 0;
	}
	if (n >= 10 && s[4] == '-') {
		*zoned = 0;
		return parse_iso(s, end, t, zoned);
	}
	if (n >= 20 && (s[0] == '[' ? s[3] == '/' : s[2] == '/'))
		return parse_apache(s, end, t);
	if (n >= 16 && s[0] >= 'A' && s[0] <= 'Z' && s[3] == ',')
		return parse_rfc2822(s, end, t);
	if (n >= 30 && s[0] >= 'A' && s[0] <= 'Z')
		return parse_twitter(s, end, t);
	if (n >= 13 && s[8] == 'T' && s[0] >= '0' && s[0] <= '9')
		return parse_basic(s, end, t, zoned);
	if (n >= 14 && s[0] >= '0' && s[0] <= '9' && (s[1] == ' ' || s[2] == ' '))
		return parse_rfc2822(s, end, t);
	if (n > 0 && s[0] >= '0' && s[0] <= '9')
		return parse_epoch(s, end, t);
	return -1;
}

/* A month's or day's name at *p, case-insensitive, full or its first three letters: 1-12 (or 1-7). */
static int name_at(const char **p, const char *end, const char *const *names, int count, unsigned *v)
{
	int i;
	size_t full;

	for (i = 0; i < count; i++) {
		full = strlen(names[i]);
		if ((size_t)(end - *p) >= full && !strncasecmp(*p, names[i], full)) {
			*p += full;
			*v = (unsigned)i + 1;
			return 0;
		}
	}
	for (i = 0; i < count; i++)
		if (end - *p >= 3 && !strncasecmp(*p, names[i], 3)) {
			*p += 3;
			*v = (unsigned)i + 1;
			return 0;
		}
	return -1;
}

int ts_parse_format(const char *fmt, const char *s, size_t n, struct vts *t, int *zoned)
{
	static const char *const months[] = { "January", "February", "March", "April", "May", "June", "July",
					       "August", "September", "October", "November", "December" };
	static const char *const days[] = { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
					     "Sunday" };
	const char *p = s, *end = s + n, *f = fmt;
	unsigned y = 1970, mo = 1, d = 1, h = 0, mi = 0, sec = 0, v, pm = 2;
	uint32_t ns = 0;
	int off = 0, have_epoch = 0;
	struct vts e;

	*zoned = 0;
	for (; *f; f++) {
		if (*f == ' ') {	/* one or more spaces (or none at the end) */
			while (p < end && *p == ' ')
				p++;
			continue;
		}
		if (*f != '%' || f[1] == '%') {
			f += *f == '%';
			if (lit(&p, end, *f) < 0)
				return -1;
			continue;
		}
		switch (*++f) {
		case 'Y': if (digits_upto(&p, end, 4, &y) < 0) return -1; break;
		case 'y':
			if (digits(&p, end, 2, &v) < 0)
				return -1;
			y = v < 69 ? 2000 + v : 1900 + v;	/* POSIX's rule */
			break;
		case 'm': if (digits_upto(&p, end, 2, &mo) < 0) return -1; break;
		case 'd': case 'e': if (digits_upto(&p, end, 2, &d) < 0) return -1; break;
		case 'H': case 'I': if (digits_upto(&p, end, 2, &h) < 0) return -1; break;
		case 'M': if (digits_upto(&p, end, 2, &mi) < 0) return -1; break;
		case 'S': if (digits_upto(&p, end, 2, &sec) < 0) return -1; break;
		case 'f':
			p--;	/* fraction() wants the point: the digits alone here */
			if (p < s || (*p != '.' && *p != ',') || fraction(&p, end, &ns) < 0)
				return -1;
			break;
		case 'p':
			if (end - p >= 2 && !strncasecmp(p, "AM", 2))
				pm = 0;
			else if (end - p >= 2 && !strncasecmp(p, "PM", 2))
				pm = 1;
			else
				return -1;
			p += 2;
			break;
		case 'b': case 'h': case 'B': if (name_at(&p, end, months, 12, &mo) < 0) return -1; break;
		case 'a': case 'A': if (name_at(&p, end, days, 7, &v) < 0) return -1; break;
		case 'T':
			if (digits_upto(&p, end, 2, &h) < 0 || lit(&p, end, ':') < 0 || digits_upto(&p, end, 2, &mi) < 0 ||
			    lit(&p, end, ':') < 0 || digits_upto(&p, end, 2, &sec) < 0)
				return -1;
			break;
		case 'z':
			if (zone(&p, end, &off, 1) < 0)
				return -1;
			*zoned = 1;
			break;
		case 'Z':
			if (end - p >= 3 && (!memcmp(p, "UTC", 3) || !memcmp(p, "GMT", 3)))
				p += 3;
			else if (lit(&p, end, 'Z') < 0)
				return -1;
			*zoned = 1;
			break;
		case 's': {
			const char *q = p;

			while (q < end && *q >= '0' && *q <= '9')
				q++;
			if (q == p || parse_epoch(p, q, &e) < 0)
				return -1;
			p = q;
			have_epoch = 1;
			*zoned = 1;
			break;
		}
		default:
			return -1;
		}
	}
	if (p != end)
		return -1;
	if (have_epoch) {
		*t = e;
		return 0;
	}
	if (pm != 2) {	/* 12 AM is 0, 12 PM is 12 */
		if (h < 1 || h > 12)
			return -1;
		h = h % 12 + (pm ? 12 : 0);
	}
	return make(t, y, mo, d, h, mi, sec, ns, off);
}

int ts_format_check(const char *fmt)
{
	const char *f;

	for (f = fmt; *f; f++)
		if (*f == '%') {
			if (!f[1] || !strchr("YymdeHIMSfpbhBaATzZs%", f[1]))
				return -1;
			f++;
		}
	return 0;
}

int ts_parse(const char *s, size_t n, struct vts *t)
{
	int zoned;

	return ts_parse_zoned(s, n, t, &zoned);
}

int ts_zone_init(struct ts_zone *z, const char *spec)
{
	const char *p = spec, *end = spec + strlen(spec);
	char path[512];
	const char *dir = getenv("TZDIR");
	int off;

	memset(z, 0, sizeof(*z));
	z->hour = INT64_MIN;
	if (strcmp(spec, "UTC") == 0 || strcmp(spec, "Z") == 0)
		return 0;
	if ((*p == '+' || *p == '-') && zone(&p, end, &off, 1) == 0 && p == end) {
		z->off_sec = off * 60;
		return 0;
	}
	/* a zone of the tz database: it must exist, glibc would quietly use UTC */
	if (!*spec || spec[0] == '/' || strstr(spec, "..") ||
	    snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/usr/share/zoneinfo", spec) >= (int)sizeof(path) ||
	    access(path, R_OK) != 0)
		return -1;
	/*
	 * The one process-wide change the library makes, and why: glibc turns
	 * wall times of a named zone into UTC (mktime) only for the zone in TZ,
	 * and reading the tz database ourselves would copy what it does. A
	 * filter calls this while parsing its options, before any worker
	 * thread starts and before anything reads TZ; a process has one --tz.
	 */
	if (setenv("TZ", spec, 1) != 0)
		return -1;
	tzset();
	z->named = 1;
	return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

void ts_zone_to_utc(struct ts_zone *z, struct vts *t)
{
	int64_t hour, y;
	unsigned mo, d;
	struct tm tm;
	time_t u;

	if (!z->named) {
		t->sec -= z->off_sec;
		return;
	}
	/* the zone's offset, found once per local hour (mktime takes a lock) */
	hour = floor_div(t->sec, 3600);
	if (hour != z->hour) {
		ts_civil_from_days(floor_div(hour, 24), &y, &mo, &d);
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = (int)(y - 1900);
		tm.tm_mon = (int)mo - 1;
		tm.tm_mday = (int)d;
		tm.tm_hour = (int)(hour - floor_div(hour, 24) * 24);
		tm.tm_isdst = -1;
		u = mktime(&tm);
		z->hour = hour;
		z->off_sec = (int64_t)hour * 3600 - (int64_t)u;
	}
	t->sec -= z->off_sec;
}

static char *put2(char *o, unsigned v)
{
	o[0] = (char)('0' + v / 10);
	o[1] = (char)('0' + v % 10);
	return o + 2;
}

size_t ts_format(struct vts t, char out[TS_MAX_LEN])
{
	int64_t days = t.sec >= 0 ? t.sec / 86400 : -((-t.sec + 86399) / 86400);
	int64_t rem = t.sec - days * 86400, y;
	unsigned mo, d;
	char *o = out;
	uint32_t ns = t.nsec, div = 100000000;

	ts_civil_from_days(days, &y, &mo, &d);
	o = put2(o, (unsigned)(y / 100));
	o = put2(o, (unsigned)(y % 100));
	*o++ = '-';
	o = put2(o, mo);
	*o++ = '-';
	o = put2(o, d);
	*o++ = 'T';
	o = put2(o, (unsigned)(rem / 3600));
	*o++ = ':';
	o = put2(o, (unsigned)(rem / 60 % 60));
	*o++ = ':';
	o = put2(o, (unsigned)(rem % 60));
	if (ns) {
		*o++ = '.';
		while (ns) {
			*o++ = (char)('0' + ns / div);
			ns %= div;
			div /= 10;
		}
	}
	*o++ = 'Z';
	*o = '\0';
	return (size_t)(o - out);
}

const char *const ts_every_names[TS_NEVERY] = { "", "hour", "day", "week", "month" };

enum ts_every ts_every_of(const char *s, size_t n)
{
	int i;

	for (i = 1; i < TS_NEVERY; i++)
		if (strlen(ts_every_names[i]) == n && !memcmp(ts_every_names[i], s, n))
			return (enum ts_every)i;
	return TS_EVERY_NONE;
}

size_t ts_bucket(long long ms, enum ts_every e, char out[32])
{
	long long s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	long long days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
	int64_t y;
	unsigned m, d;
	char *o;

	switch (e) {
	case TS_EVERY_HOUR: {
		struct vts t = { s - (s - days * 86400) % 3600, 0 };
		char full[TS_MAX_LEN];
		size_t n;

		if (!ts_in_range(t))
			return 0;
		n = ts_format(t, full);
		memcpy(out, full, n + 1);	/* with its NUL */
		return n;
	}
	case TS_EVERY_WEEK:
		days -= ((days % 7) + 7 + 3) % 7;	/* back to Monday (1970-01-01 was a Thursday) */
		break;
	default:
		break;
	}
	ts_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return 0;
	/* by hand, as ts_format: snprintf was a quarter of --every day's time */
	o = put2(out, (unsigned)(y / 100));
	o = put2(o, (unsigned)(y % 100));
	*o++ = '-';
	o = put2(o, m);
	if (e != TS_EVERY_MONTH) {
		*o++ = '-';
		o = put2(o, d);
	}
	*o = '\0';
	return (size_t)(o - out);
}

/* ---- the buckets' time zone ---- */

static char zone_name[128];	/* "" for UTC */

int ts_zone_set(const char *name, char why[200])
{
	const char *dir = getenv("TZDIR");
	char path[512], magic[4], tz[520];
	FILE *f;
	size_t got;

	if (!name || !strcmp(name, "UTC")) {
		zone_name[0] = '\0';
		return 0;
	}
	if (!*name || strlen(name) >= sizeof(zone_name) || name[0] == '/' || strstr(name, "..")) {
		snprintf(why, 200, "'%.60s' is not a zone name such as Europe/Berlin", name);
		return -1;
	}
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "rb"))) {
		snprintf(why, 200, "no zone '%.60s' in %.80s (Debian: the tzdata package)", name, dir);
		return -1;
	}
	got = fread(magic, 1, 4, f);
	fclose(f);
	if (got != 4 || memcmp(magic, "TZif", 4)) {
		snprintf(why, 200, "%.120s is not a tz database file", path);
		return -1;
	}
	snprintf(tz, sizeof(tz), ":%s", path);
	if (setenv("TZ", tz, 1) < 0) {
		snprintf(why, 200, "cannot set TZ");
		return -1;
	}
	tzset();
	memcpy(zone_name, name, strlen(name) + 1);
	return 0;
}

const char *ts_zone(void)
{
	return zone_name[0] ? zone_name : NULL;
}

#define ZONE_NONE (-(1LL << 40))

/* The zone's offset east of UTC at s, in seconds; ZONE_NONE when s is beyond localtime_r. */
static long long zone_offset(long long s)
{
	static _Thread_local long long lo = 1, hi = 0, off;
	long long a, b;
	struct tm tm;
	time_t t;

	if (s >= lo && s < hi)
		return off;
	t = (time_t)s;
	if (!localtime_r(&t, &tm))
		return ZONE_NONE;
	off = tm.tm_gmtoff;
	/* offsets change at whole quarter hours in the tz database since 1900:
	 * keep the quarter when both its ends agree, else this second alone */
	a = s - ((s % 900) + 900) % 900;
	b = a + 899;
	lo = s, hi = s + 1;
	t = (time_t)a;
	if (localtime_r(&t, &tm) && tm.tm_gmtoff == off) {
		t = (time_t)b;
		if (localtime_r(&t, &tm) && tm.tm_gmtoff == off)
			lo = a, hi = b + 1;
	}
	return off;
}

size_t ts_bucket_zoned(long long ms, enum ts_every e, char out[32])
{
	long long s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000), off;
	size_t n;

	if (!zone_name[0])
		return ts_bucket(ms, e, out);
	if ((off = zone_offset(s)) == ZONE_NONE)
		return 0;
	/* the zone's wall clock, bucketed as if it were UTC */
	n = ts_bucket((s + off) * 1000, e, out);
	if (n && e == TS_EVERY_HOUR) {	/* "...T03:00:00Z" -> "...T03:00:00+02:00" */
		long long a = off < 0 ? -off : off;

		char *o = out + n - 1;

		*o++ = off < 0 ? '-' : '+';
		o = put2(o, (unsigned)(a / 3600 % 100));
		*o++ = ':';
		o = put2(o, (unsigned)(a / 60 % 60));
		*o = '\0';
		n = (size_t)(o - out);
	}
	return n;
}

int ts_local_day(long long ms, long long *day)
{
	long long s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000), off = 0;

	if (zone_name[0] && (off = zone_offset(s)) == ZONE_NONE)
		return -1;
	s += off;
	*day = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
	return 0;
}

size_t ts_format_ms(long long ms, char out[TS_MAX_LEN])
{
	long long s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	struct vts v;

	v.sec = s;
	v.nsec = (uint32_t)(ms - s * 1000) * 1000000u;
	return ts_format(v, out);
}
