/*
 * source.c - see source.h. Detection reads the first line only: enough
 * for every format vchain knows, and cheap on a pipe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "event.h"
#include "json.h"
#include "source.h"
#include "vocab.h"

enum source_format source_detect(const struct in *in, const char *p, size_t n, char *delim)
{
	size_t line;
	const char *e;
	int json_name = in_name_ends(in, ".json") || in_name_ends(in, ".jsonl") || in_name_ends(in, ".ndjson");

	if (in_name_ends(in, ".csv"))
		return SRC_CSV;
	if (in_name_ends(in, ".tsv") || in_name_ends(in, ".tab")) {
		*delim = '\t';
		return SRC_CSV;
	}
	if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3, n -= 3;
	while (n && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++, n--;	/* to the first line that is not blank */
	e = memchr(p, '\n', n);
	line = e ? (size_t)(e - p) : n;
	if (n && (*p == '{' || *p == '[')) {	/* an array: of tweets (v1.1's timelines), or of records */
		/* the API's own keys: v1.1 "id_str" with "user", v2 "data" or "author_id" */
		const char *s = p;
		int id_str = 0, user = 0, v2 = 0;

		if (line > 7 && !memcmp(p, "{\"data\"", 7))
			v2 = 1;
		while ((s = memchr(s, '"', line - (size_t)(s - p))) != NULL) {
			size_t left = line - (size_t)(s - p);

			if (left > 9 && !memcmp(s, "\"id_str\":", 9))
				id_str = 1;
			else if (left > 7 && !memcmp(s, "\"user\":", 7))
				user = 1;
			else if (left > 12 && !memcmp(s, "\"author_id\":", 12))
				v2 = 1;
			s++;
		}
		return (id_str && user) || v2 ? SRC_TWITTER : SRC_NDJSON;
	}
	if (json_name)
		return SRC_NDJSON;
	if (access_sniff(p, line))
		return SRC_ACCESS;
	return SRC_CSV;
}

char source_guess_delim(const char *p, size_t n)
{
	static const char cand[] = ",\t;|";
	size_t count[4] = { 0 }, i, best = 0;
	int inq = 0;

	for (i = 0; i < n && (inq || p[i] != '\n'); i++) {
		const char *c;

		if (p[i] == '"')
			inq ^= 1;
		else if (!inq && (c = memchr(cand, p[i], 4)) != NULL)
			count[c - cand]++;
	}
	for (i = 1; i < 4; i++)
		if (count[i] > count[best])
			best = i;
	return cand[best];
}

size_t source_fold_name(const char *s, size_t n, char *out, size_t cap)
{
	size_t k = 0;

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= cap)
		return 0;
	for (; n; n--, s++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		else if (c == ' ' || c == '-')
			c = '_';
		out[k++] = c;
	}
	return k;
}

long source_split_header(struct csvrec *hdr, char delim, const char *rec, size_t len, char *why)
{
	long n;

	if (len >= 3 && !memcmp(rec, "\xEF\xBB\xBF", 3))
		rec += 3, len -= 3;	/* a UTF-8 byte order mark */
	if (len && rec[len - 1] == '\r')
		len--;
	if (!utf8_valid(rec, len))
		return snprintf(why, 200, "the header is not valid UTF-8 (written in another encoding? --encoding latin1, cp1252, utf-16)"), -1;
	csvrec_set_delim(hdr, delim);
	n = csvrec_split(hdr, rec, len);
	if (n == -2)
		return snprintf(why, 200, "out of memory"), -1;
	if (n < 0)
		return snprintf(why, 200, "header: %s", hdr->err), -1;
	return n;
}

long source_csv_record(struct csvrec *csv, char delim, const char *rec, size_t len, size_t ncol, char *why)
{
	size_t src = len;
	long n;

	if (len == 0 || (len == 1 && rec[0] == '\r'))
		return 0;
	if (src && rec[src - 1] == '\r')
		src--;
	csvrec_set_delim(csv, delim);
	if ((n = csvrec_split(csv, rec, len)) == -2)
		return -2;
	/* checked after the split, which knows whether the record is ASCII */
	if (!csvrec_utf8(csv, rec, src))
		return snprintf(why, 200, "not valid UTF-8 (written in another encoding? --encoding latin1, cp1252, utf-16)"), -1;
	if (n < 0)
		return snprintf(why, 200, "%s", csv->err), -1;
	if ((size_t)n != ncol)
		return snprintf(why, 200, "%ld field%s, the header has %zu", n, n == 1 ? "" : "s", ncol), -1;
	return n;
}

int source_fields(const struct csvrec *hdr, long n, struct source_map *maps, size_t nmaps, int *field,
		  const char **mapped_to)
{
	int owner[EVENT_NFIELDS], prio[EVENT_NFIELDS], *wprio = malloc(((size_t)n + 1) * sizeof(int));
	char name[128], m[128];
	size_t i, j, fl, ml;
	int k;

	if (!wprio)
		return -1;
	for (k = 0; k < EVENT_NFIELDS; k++)
		owner[k] = -1, prio[k] = 0;
	/* what each column would like to be, and how strongly */
	for (i = 0; i < (size_t)n; i++) {
		const struct vocab_entry *e;

		field[i] = -1;
		wprio[i] = 0;
		mapped_to[i] = NULL;
		fl = source_fold_name(hdr->f[i], hdr->flen[i], name, sizeof(name));
		for (j = 0; j < nmaps; j++) {
			ml = source_fold_name(maps[j].column, strlen(maps[j].column), m, sizeof(m));
			if (ml && ml == fl && !memcmp(m, name, fl)) {
				maps[j].used = 1;
				mapped_to[i] = maps[j].field;
				field[i] = event_field_index(maps[j].field, strlen(maps[j].field));
				wprio[i] = 3;
			}
		}
		if (mapped_to[i])
			continue;
		if (fl && (field[i] = event_field_index(name, fl)) >= 0)
			wprio[i] = 2;
		else if (fl && (e = vocab_header(name, fl)))
			field[i] = event_field_index(e->name, e->name_len), wprio[i] = 1;
	}
	for (i = 0; i < (size_t)n; i++)
		if (field[i] >= 0 && wprio[i] > prio[field[i]])
			owner[field[i]] = (int)i, prio[field[i]] = wprio[i];
	for (i = 0; i < (size_t)n; i++)
		if (field[i] >= 0 && owner[field[i]] != (int)i)
			field[i] = -1, mapped_to[i] = NULL;	/* another column has a stronger claim */
	free(wprio);
	return 0;
}

int source_columns(const struct csvrec *hdr, long ncol, char *const *names, const size_t *lens, int n, int *col_of)
{
	int *field = malloc(((size_t)ncol + 1) * sizeof(*field)), i, f;
	const char **mapped_to = malloc(((size_t)ncol + 1) * sizeof(*mapped_to));
	long k;

	if (!field || !mapped_to || source_fields(hdr, ncol, NULL, 0, field, mapped_to) < 0) {
		free(field);
		free(mapped_to);
		return -1;
	}
	for (i = 0; i < n; i++) {
		col_of[i] = -1;
		for (k = 0; k < ncol && col_of[i] < 0; k++)
			if (hdr->flen[k] == lens[i] && !memcmp(hdr->f[k], names[i], lens[i]))
				col_of[i] = (int)k;
		f = event_field_index(names[i], lens[i]);
		for (k = 0; k < ncol && col_of[i] < 0 && f >= 0; k++)
			if (field[k] == f)
				col_of[i] = (int)k;
	}
	free(field);
	free(mapped_to);
	return 0;
}
