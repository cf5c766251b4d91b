/*
 * group.c - see group.h. One hash table from the key's 128-bit hash to the
 * group's number; keys and states in one arena, freed together.
 */
#include <stdlib.h>
#include <string.h>

#include "acc.h"
#include "group.h"
#include "sort.h"

void groups_init(struct groups *t, int nkeys, int bucket, size_t block)
{
	memset(t, 0, sizeof(*t));
	t->nkeys = nkeys;
	t->bucket = bucket;
	t->block = block;
	htab_rows_init_keyed(&t->rows, sizeof(struct group), 1024);
}

struct group *groups_find(struct groups *t, const void *key, size_t klen, const struct slot *bucket)
{
	struct h128 h = hash128(key, klen);
	size_t total = klen + (bucket ? 1 + 4 + bucket->n : 0);
	unsigned char *k, *st;
	struct group *g;

	if (bucket)	/* the bucket is part of the key too */
		h.lo ^= hash64(bucket->v, bucket->n);
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
static int cmp_groups(const void *pa, const void *pb, void *ctx)
{
	const struct groups *t = ctx;
	int ng = t->nkeys, i, c;
	struct slot sa[REC_MAX_SLOTS + 1], sb[REC_MAX_SLOTS + 1];

	group_key_slots(t, pa, sa);
	group_key_slots(t, pb, sb);
	if (t->bucket && (c = slot_cmp(&sa[ng], &sb[ng])) != 0)
		return c;
	for (i = 0; i < ng; i++)
		if ((c = slot_cmp(&sa[i], &sb[i])) != 0)
			return c;
	return 0;
}

int groups_sort(struct groups *t)
{
	return sort_stable(t->rows.rows, t->rows.n, sizeof(struct group), cmp_groups, t);
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
