/*
 * group.c - see group.h. One hash table from the key's 128-bit hash to the
 * group's number; keys and states in one arena, freed together.
 */
#include <stdlib.h>
#include <string.h>

#include "acc.h"
#include "group.h"
#include "mem.h"
#include "par.h"
#include "sort.h"
#include "sortkey.h"

void groups_init(struct groups *t, int nkeys, int bucket, size_t block)
{
	memset(t, 0, sizeof(*t));
	t->nkeys = nkeys;
	t->bucket = bucket;
	t->block = block;
	htab_rows_init_keyed(&t->rows, sizeof(struct group), 1024);
}

struct h128 groups_hash(const void *key, size_t klen, const struct slot *bucket)
{
	struct h128 h = hash128(key, klen);

	if (bucket)	/* the bucket is part of the key too */
		h.lo ^= hash64(bucket->v, bucket->n);
	return h;
}

struct group *groups_find(struct groups *t, const void *key, size_t klen, const struct slot *bucket)
{
	return groups_find_hashed(t, groups_hash(key, klen, bucket), key, klen, bucket);
}

struct group *groups_find_hashed(struct groups *t, struct h128 h, const void *key, size_t klen,
				 const struct slot *bucket)
{
	size_t total = klen + (bucket ? 1 + 4 + bucket->n : 0);
	unsigned char *k, *st;
	struct group *g;

	if (__builtin_expect(!htab_rows_indexed(&t->rows), 0) && htab_rows_reindex(&t->rows) < 0)
		return NULL;
	if ((g = htab_rows_find(&t->rows, h)))
		return g;
	/* 16-byte aligned: sums hold a __int128; made before the group, so no group is without them */
	k = arena_alloc(&t->mem, total ? total : 1);
	st = arena_alloc(&t->mem, t->block + 8);
	if (!k || !st || !(g = htab_rows_get(&t->rows, h, NULL)))
		return NULL;
	g->klen = total;
	g->key = k;
	g->st = (unsigned char *)(((uintptr_t)st + 15) & ~(uintptr_t)15);
	memcpy(k, key, klen);
	if (bucket) {
		unsigned char *q = k + klen;
		uint32_t tn = bucket->n;

		*q++ = J_STR;
		memcpy(q, &tn, 4);
		memcpy(q + 4, bucket->v, tn);
	}
	memset(g->st, 0, t->block);
	g->id = (uint32_t)(t->rows.n - 1);
	return g;
}

size_t group_key_len(const struct slot *s, int n)
{
	size_t klen = 0;
	int k;

	for (k = 0; k < n; k++)
		klen += 1 + (s[k].type == REC_ABSENT ? 0 : 4 + s[k].n);
	return klen;
}

void group_key_slots(const struct groups *t, const struct group *g, struct slot *s)
{
	const unsigned char *q = g->key;
	int i, n = t->nkeys + t->bucket;

	for (i = 0; i < n; i++) {
		s[i].type = *q++;
		if (s[i].type == REC_ABSENT) {
			s[i].v = NULL;
			s[i].n = 0;
			continue;
		}
		memcpy(&s[i].n, q, 4);
		s[i].v = (const char *)q + 4;
		q += 4 + s[i].n;
	}
}

int group_key_json(const struct groups *t, const struct group *g, struct buf *b)
{
	struct slot s[REC_MAX_SLOTS + 1];
	int i;

	group_key_slots(t, g, s);
	if (buf_adds(b, "\"key\":[") < 0)
		return -1;
	for (i = 0; i < t->nkeys; i++)
		if ((i && buf_addc(b, ',') < 0) || rec_put_json(b, s[i].type, s[i].v, s[i].n) < 0)
			return -1;
	if (buf_addc(b, ']') < 0)
		return -1;
	return t->bucket ? buf_adds(b, ",\"bucket\":") < 0 || json_escape(b, s[t->nkeys].v, s[t->nkeys].n) < 0 ? -1 : 0
			 : 0;
}

int groups_find_json(struct groups *t, const struct jfield *key, const struct jfield *bucket, struct jobj *keys,
		     struct buf *tmp, struct group **g)
{
	struct buf kb = BUF_INIT;
	struct slot bk, v;
	size_t k;
	int rc = -2;

	if (!key || key->type != J_ARR || json_scan_array(key->val, key->vlen, keys) != 0 ||
	    keys->n != (size_t)t->nkeys || t->bucket != (bucket && bucket->type == J_STR))
		return -1;
	/* the key as a reduced record holds it */
	for (k = 0; k < keys->n; k++) {
		if (acc_slot_of(&keys->f[k], tmp, &v) < 0 || buf_addc(&kb, (char)v.type) < 0 ||
		    (v.type != REC_ABSENT && (buf_add(&kb, &v.n, 4) < 0 || buf_add(&kb, v.v, v.n) < 0)))
			goto done;
	}
	if (bucket && acc_slot_of(bucket, tmp, &bk) < 0)
		goto done;
	if ((*g = groups_find(t, kb.p ? kb.p : "", kb.len, t->bucket ? &bk : NULL)))
		rc = 0;
done:
	buf_free(&kb);
	return rc;
}

/* By the bucket (the key's last slot, when there is one), then the group fields in order. */
static int cmp_groups(const struct groups *t, const struct group *ga, const struct group *gb)
{
	int ng = t->nkeys, i, c;
	struct slot sa[REC_MAX_SLOTS + 1], sb[REC_MAX_SLOTS + 1];

	group_key_slots(t, ga, sa);
	group_key_slots(t, gb, sb);
	if (t->bucket && (c = slot_cmp(&sa[ng], &sb[ng])) != 0)
		return c;
	for (i = 0; i < ng; i++)
		if ((c = slot_cmp(&sa[i], &sb[i])) != 0)
			return c;
	return 0;
}

/*
 * What the sort moves: a group's row number and the start of its first
 * key (the bucket, else the first field) as numbers whose order is
 * rec_cmp_values': the rank (null, numbers, strings, the rest), then a
 * number's value or the first 16 bytes of text, zero-padded. Most pairs
 * differ there, so the keys themselves, one load away each and
 * strtod for numbers, are compared only on a tie.
 */
struct gkey {
	uint64_t k0, k1;
	uint32_t rank, row;
};

struct gsort {
	const struct groups *t;
	struct gkey *keys;
	unsigned char *rows;	/* the rows in order, to take the table's place */
	size_t n;
};

#define GSORT_PIECES 64

static uint64_t be64(const char *p, size_t n)
{
	unsigned char b[8] = { 0 };
	uint64_t v;

	memcpy(b, p, n < 8 ? n : 8);
	memcpy(&v, b, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static void gkey_piece(void *ctx, unsigned i)
{
	struct gsort *x = ctx;
	size_t from = x->n * i / GSORT_PIECES, to = x->n * (i + 1) / GSORT_PIECES, r;
	struct slot s[REC_MAX_SLOTS + 1];

	for (r = from; r < to; r++) {
		const struct slot *f;
		struct gkey *k = &x->keys[r];

		group_key_slots(x->t, htab_rows_at(&x->t->rows, r), s);
		f = &s[x->t->bucket ? x->t->nkeys : 0];
		k->row = (uint32_t)r;
		k->k0 = k->k1 = 0;
		if (f->type == REC_ABSENT || f->type == J_NULL)
			k->rank = 0;
		else if (f->type == J_NUM)
			k->rank = 1, k->k0 = sortkey_double(slot_double(f));
		else {
			k->rank = f->type == J_STR ? 2 : 3;
			k->k0 = be64(f->v, f->n);
			if (f->n > 8)
				k->k1 = be64(f->v + 8, f->n - 8);
		}
	}
}

static int cmp_gkey(const void *pa, const void *pb, void *ctx)
{
	const struct gkey *a = pa, *b = pb;
	const struct groups *t = ctx;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->k0 != b->k0)
		return a->k0 < b->k0 ? -1 : 1;
	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	return cmp_groups(t, htab_rows_at(&t->rows, a->row), htab_rows_at(&t->rows, b->row));
}

static void gput_piece(void *ctx, unsigned i)
{
	struct gsort *x = ctx;
	size_t from = x->n * i / GSORT_PIECES, to = x->n * (i + 1) / GSORT_PIECES, r, rs = x->t->rows.row_size;

	for (r = from; r < to; r++)
		memcpy(x->rows + r * rs, x->t->rows.rows + (size_t)x->keys[r].row * rs, rs);
}

/* rows[0..n) of cap (from mem_alloc or mem_grow) t's, in place of its own, unindexed. */
static void set_rows(struct groups *t, struct group *rows, size_t n, size_t cap)
{
	htab_rows_free(&t->rows);
	t->rows.rows = (unsigned char *)rows;
	t->rows.n = n;
	t->rows.cap = cap;
}

int groups_sort(struct groups *t, struct par *p)
{
	struct gsort x;
	size_t n = t->rows.n, rs = t->rows.row_size;
	int rc = -1;

	if (n < 2)
		return 0;
	if (n > UINT32_MAX)
		return -1;
	htab_rows_unindex(&t->rows);	/* the rows are to move: found no more (its memory for the sort's) */
	x.t = t;
	x.n = n;
	/* on huge pages when big (mem_alloc): 4 KiB faults were most of the sort's time */
	x.keys = mem_alloc(n * sizeof(*x.keys));
	x.rows = mem_alloc(n * rs);
	if (!x.keys || !x.rows)
		goto done;
	par_each(p, GSORT_PIECES, gkey_piece, &x);
	if (sort_stable_par(p, x.keys, n, sizeof(*x.keys), cmp_gkey, t) < 0)
		goto done;
	par_each(p, GSORT_PIECES, gput_piece, &x);
	set_rows(t, (struct group *)x.rows, n, n);	/* each keeps its id */
	x.rows = NULL;
	rc = 0;
done:
	mem_free(x.keys, n * sizeof(*x.keys));
	mem_free(x.rows, n * rs);
	return rc;
}

void groups_replace_rows(struct groups *t, struct group *rows, size_t n, size_t cap)
{
	size_t i;

	for (i = 0; i < n; i++)
		rows[i].id = (uint32_t)i;
	set_rows(t, rows, n, cap);
}

void groups_adopt_mem(struct groups *t, struct groups *src)
{
	arena_adopt(&t->mem, &src->mem);
}

size_t groups_bytes(const struct groups *t)
{
	return htab_rows_bytes(&t->rows) + t->mem.used;
}

void groups_free(struct groups *t)
{
	htab_rows_free(&t->rows);
	arena_free(&t->mem);
}
