/*
 * person.c - see person.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "bytes.h"
#include "diag.h"
#include "person.h"
#include "rec.h"

#include "stage_map.h"

void stage_times_init(long long ts[STAGES])
{
	int k;

	for (k = 0; k < STAGES; k++)
		ts[k] = REC_NO_TS;
}

int stage_furthest(const long long ts[STAGES], long long window_ms, long long *horizon)
{
	long long first = REC_NO_TS, h;
	int j, furthest = 0;

	for (j = 0; j < STAGES; j++)
		if (ts[j] < first)
			first = ts[j];
	h = window_ms && first < REC_NO_TS - window_ms ? first + window_ms : REC_NO_TS;
	for (j = 0; j < STAGES; j++)
		if (ts[j] != REC_NO_TS && ts[j] <= h)
			furthest = j + 1;
	if (horizon)
		*horizon = h;
	return furthest;
}

int stage_reach(const long long ts[STAGES], long long window_ms, long long step_ms, long long reach[STAGES])
{
	long long h, t = REC_NO_TS;
	int j, furthest = stage_furthest(ts, window_ms, &h);

	for (j = furthest - 1; j >= 0; j--) {	/* the first time at stage j + 1 or further */
		if (ts[j] != REC_NO_TS && ts[j] <= h && ts[j] < t)
			t = ts[j];
		reach[j] = t;
	}
	if (step_ms)
		for (j = 1; j < furthest; j++)
			if (reach[j] - reach[j - 1] > step_ms)
				return j;
	return furthest;
}

enum act person_act_of(const char *s, size_t n)
{
#define NAMED(w) (n == sizeof(w) - 1 && memcmp(s, w, n) == 0)
	return NAMED("referral") ? ACT_REFERRAL : NAMED("review") ? ACT_REVIEW : NAMED("mention") ? ACT_MENTION :
	       NAMED("share") || NAMED("tag") ? ACT_SHARE_TAG : NAMED("purchase") ? ACT_PURCHASE : ACT_NONE;
#undef NAMED
}

/* A number member (or a string holding one) as a double; 0 if there is none. */
static int number_of(const struct jfield *f, double *v)
{
	char tmp[64];
	char *end;

	if (!f || (f->type != J_NUM && f->type != J_STR) || f->vlen == 0 || f->vlen >= sizeof(tmp))
		return 0;
	memcpy(tmp, f->val, f->vlen);
	tmp[f->vlen] = '\0';
	*v = strtod(tmp, &end);
	return *end == '\0';
}

int person_advocacy(enum act act, const struct jfield *rating, const struct jfield *sentiment, double positive)
{
	double s, r;

	switch (act) {
	case ACT_REFERRAL:
		return 1;
	case ACT_REVIEW:
		return number_of(rating, &r) && r >= 4;
	case ACT_MENTION:
		return number_of(sentiment, &s) && s >= positive;
	case ACT_SHARE_TAG:	/* amplifying is endorsing, unless said otherwise */
		return !number_of(sentiment, &s) || s >= positive;
	default:
		return 0;
	}
}

int person_detraction(enum act act, const struct jfield *rating, const struct jfield *sentiment)
{
	double v;

	if (act == ACT_REVIEW)
		return number_of(rating, &v) && v <= 2;
	if (act == ACT_MENTION)
		return number_of(sentiment, &v) && v < 0;
	return 0;
}

#define STAGE_MAP_SCAN 0xFFFF
#define STAGE_SLOT(s, n) (((unsigned)(n) * 7u + (unsigned char)(s)[0] * 3u + (unsigned char)(s)[(n) - 1]) & 255u)

/*
 * Each entry's slot, so that a type is compared with one entry, not
 * each: a type's event after event is the filters' hottest lookup. A
 * slot two names share is scanned; a repeated name keeps its first entry,
 * as the scan does.
 */
static void slots(struct stage_map *m)
{
	unsigned i, k;

	memset(m->slot, 0, sizeof(m->slot));
	for (i = 0; i < m->n; i++) {
		k = STAGE_SLOT(m->name[i], m->len[i]);
		if (!m->slot[k])
			m->slot[k] = (uint16_t)(i + 1);
		else if (m->slot[k] != STAGE_MAP_SCAN &&
			 (m->len[m->slot[k] - 1] != m->len[i] || memcmp(m->name[m->slot[k] - 1], m->name[i], m->len[i])))
			m->slot[k] = STAGE_MAP_SCAN;
	}
}

int stage_map_parse(struct stage_map *m, const char *text, size_t n)
{
	const char *p = text, *end = text + n, *nl, *tab;
	unsigned line = 0;
	size_t len;

	m->n = 0;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		line++;
		if (p == nl || *p == '#')
			continue;
		tab = memchr(p, '\t', (size_t)(nl - p));
		len = tab ? (size_t)(tab - p) : 0;
		if (!tab || len == 0 || len >= sizeof(m->name[0]) || m->n == STAGE_MAP_MAX || nl - tab != 2 ||
		    !(tab[1] == '-' || (tab[1] >= '1' && tab[1] <= '7'))) {
			snprintf(m->err, sizeof(m->err), "expected TYPE<tab>STAGE (1-7 or -)");
			m->err_line = line;
			return -1;
		}
		memcpy(m->name[m->n], p, len);
		m->len[m->n] = len;
		m->stage[m->n] = tab[1] == '-' ? 0 : tab[1] - '0';
		m->act[m->n] = person_act_of(p, len);
		m->n++;
	}
	slots(m);
	return 0;
}

void stage_map_default(struct stage_map *m)
{
	stage_map_parse(m, default_stage_map, sizeof(default_stage_map) - 1);
}

int stage_map_find(const struct stage_map *m, const char *s, size_t n)
{
	unsigned i;

	if (!n)
		return -1;	/* no entry is empty */
	if ((i = m->slot[STAGE_SLOT(s, n)]) != STAGE_MAP_SCAN) {
		if (!i--)
			return -1;
		return m->len[i] == n && bytes_eq(m->name[i], s, n) ? (int)i : -1;
	}
	for (i = 0; i < m->n; i++)
		if (m->len[i] == n && memcmp(m->name[i], s, n) == 0)
			return (int)i;
	return -1;
}

int stage_map_load(struct stage_map *m, const char *path)
{
	struct buf b = BUF_INIT;
	int r;

	if (buf_load(&b, path) < 0) {
		diag("%s: cannot open: %s", path, strerror(errno));
		buf_free(&b);
		return -1;
	}
	r = stage_map_parse(m, b.p ? b.p : "", b.len);
	if (r < 0)
		diag_at(path, m->err_line, "%s", m->err);
	buf_free(&b);
	return r;
}
