/*
 * csvcols.c - see csvcols.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csvcols.h"
#include "event.h"
#include "json.h"
#include "vocab.h"

static int set_key(char **key, size_t *klen, const char *name, size_t n)
{
	struct buf b = BUF_INIT;

	if (json_escape(&b, name, n) < 0) {
		buf_free(&b);
		return -1;
	}
	*key = b.p;
	*klen = b.len;
	return 0;
}

void csv_columns_free(struct csv_columns *cc)
{
	size_t i;

	for (i = 0; i < cc->ncol; i++) {
		free(cc->col[i].key);
		free(cc->col[i].own_key);
	}
	free(cc->col);
	free(cc->keys);
	free(cc->klens);
	memset(cc, 0, sizeof(*cc));
	cc->id_col = cc->type_col = -1;
}

int csv_columns_make(struct csv_columns *cc, const struct csvrec *hdr, long n, struct source_map *maps, size_t nmaps,
		     int map_fields, int check_maps, char *why)
{
	char num[24];
	int *field = NULL;
	const char **mapped_to = NULL;
	size_t i, j, k;

	csv_columns_free(cc);
	cc->col = calloc((size_t)n + 1, sizeof(*cc->col));
	field = malloc(((size_t)n + 1) * sizeof(*field));
	mapped_to = calloc((size_t)n + 1, sizeof(*mapped_to));
	cc->keys = malloc(((size_t)n + 1) * sizeof(*cc->keys));
	cc->klens = malloc(((size_t)n + 1) * sizeof(*cc->klens));
	if (!cc->col || !field || !mapped_to || !cc->keys || !cc->klens)
		goto oom;
	cc->ncol = (size_t)n;
	for (i = 0; i < cc->ncol; i++)
		field[i] = -1;
	if (map_fields && source_fields(hdr, n, maps, nmaps, field, mapped_to) < 0)
		goto oom;
	for (i = 0; i < cc->ncol; i++) {
		const char *nm = hdr->f[i];
		size_t nl = hdr->flen[i];
		struct csv_column *c = &cc->col[i];

		c->field = field[i];
		if (c->field == EV_REVENUE && !mapped_to[i]) {
			char folded[128];
			size_t fl = source_fold_name(nm, nl, folded, sizeof(folded));

			/* by a synonym: its own name kept */
			if (!(fl == 7 && !memcmp(folded, "revenue", 7)) && set_key(&c->own_key, &c->own_klen, nm, nl) < 0)
				goto oom;
		}
		if (c->field >= 0) {
			nm = event_fields[c->field].name;
			nl = event_fields[c->field].len;
		} else if (mapped_to[i]) {
			nm = mapped_to[i];	/* renamed to a field of its own */
			nl = strlen(nm);
		} else if (nl == 0) {
			nl = (size_t)snprintf(num, sizeof(num), "%zu", i + 1);	/* as Miller names it */
			nm = num;
		}
		if (set_key(&c->key, &c->klen, nm, nl) < 0)
			goto oom;
		/* a repeated name gets _2, _3, ... (as Miller and DuckDB do) */
		for (j = 0, k = 1; j < i; j++)
			if (cc->col[j].klen == c->klen && !memcmp(cc->col[j].key, c->key, c->klen))
				k++;
		if (k > 1) {
			char dup[160];
			int dl = snprintf(dup, sizeof(dup), "%.*s_%zu", (int)(c->klen - 2), c->key + 1, k);

			free(c->key);
			c->key = NULL;
			if (dl < 0 || (size_t)dl >= sizeof(dup)) {
				snprintf(why, 200, "header: column %zu's name is too long", i + 1);
				goto fail;
			}
			/* the name is escaped already: quote it as it is */
			c->key = malloc((size_t)dl + 2);
			if (!c->key)
				goto oom;
			c->key[0] = '"';
			memcpy(c->key + 1, dup, (size_t)dl);
			c->key[dl + 1] = '"';
			c->klen = (size_t)dl + 2;
		}
		if (c->field == EV_EVENT_ID)
			cc->id_col = (int)i;
		if (c->field == EV_TYPE)
			cc->type_col = (int)i;
		cc->keys[i] = c->key;
		cc->klens[i] = c->klen;
	}
	for (j = 0; j < nmaps && check_maps; j++)
		if (!maps[j].used) {
			snprintf(why, 200, "--map: no column '%.100s' in the header", maps[j].column);
			goto fail;
		}
	free(field);
	free(mapped_to);
	return 0;
oom:
	snprintf(why, 200, "out of memory");
fail:
	free(field);
	free(mapped_to);
	csv_columns_free(cc);
	return -1;
}

int csv_columns_sale_row(const struct csv_columns *cc, const struct csvrec *row)
{
	const struct vocab_entry *e;

	if (cc->type_col < 0 || !(e = vocab_type(row->f[cc->type_col], row->flen[cc->type_col])))
		return 0;
	return (e->name_len == 8 && !memcmp(e->name, "purchase", 8)) || (e->name_len == 6 && !memcmp(e->name, "refund", 6));
}

void csv_columns_fate(const struct csv_columns *cc, size_t i, char *fate, size_t cap)
{
	const struct csv_column *c = &cc->col[i];

	if (c->field >= 0 && c->own_key)
		snprintf(fate, cap, "-> %s on purchases and refunds, else carried as %.*s", event_fields[c->field].name,
			 (int)c->own_klen, c->own_key);
	else if (c->field >= 0)
		snprintf(fate, cap, "-> %s", event_fields[c->field].name);
	else
		snprintf(fate, cap, "carried as %.*s", (int)c->klen, c->key);
}
