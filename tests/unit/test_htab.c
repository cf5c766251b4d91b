/* Unit tests of htab.c against a brute-force model, including deletes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "htab.h"

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_put_get(void **state)
{
	struct htab t = HTAB_INIT;
	uint64_t *v;
	int i;

	(void)state;
	/* from 1: key 0 would be the all-zero hash, tested below */
	for (i = 1; i < 100000; i++) {
		struct h128 k = { (uint64_t)i * 7919, (uint64_t)i };

		assert_int_equal(htab_put(&t, k, &v), 1);
		*v = (uint64_t)i + 1;
	}
	assert_int_equal(t.count, 99999);
	for (i = 1; i < 100000; i++) {
		struct h128 k = { (uint64_t)i * 7919, (uint64_t)i };

		assert_int_equal(htab_put(&t, k, &v), 0);
		assert_int_equal(*v, (uint64_t)i + 1);
	}
	struct h128 absent = { 5, 99999999 };
	assert_null(htab_get(&t, absent));
	/* the all-zero hash is a valid key */
	struct h128 zero = { 0, 0 };
	assert_int_equal(htab_put(&t, zero, &v), 1);
	assert_non_null(htab_get(&t, zero));
	htab_free(&t);
}

/* Keys in a small range collide on purpose (same low bits): deletes must keep chains whole. */
static void test_delete_against_model(void **state)
{
	enum { N = 4096 };
	struct htab t = HTAB_INIT;
	unsigned char *present = calloc(N, 1);
	uint64_t *v;
	size_t count = 0;
	int round, i;

	(void)state;
	for (round = 0; round < 200000; round++) {
		unsigned k = (unsigned)(next() % N);
		struct h128 key = { (uint64_t)k << 4, k };	/* low bits cluster */

		if (next() & 1) {
			int r = htab_put(&t, key, &v);

			assert_int_equal(r, !present[k]);
			if (r)
				*v = k;
			count += !present[k];
			present[k] = 1;
		} else {
			assert_int_equal(htab_del(&t, key), present[k]);
			count -= present[k];
			present[k] = 0;
		}
	}
	assert_int_equal(t.count, count);
	for (i = 0; i < N; i++) {
		struct h128 key = { (uint64_t)i << 4, (uint64_t)i };
		uint64_t *g = htab_get(&t, key);

		assert_int_equal(g != NULL, present[i]);
		if (g)
			assert_int_equal(*g, (uint64_t)i);
	}
	free(present);
	htab_free(&t);
}

static int drop_odd(uint64_t val, void *ctx)
{
	(void)ctx;
	return val & 1;
}

static void test_sweep(void **state)
{
	struct htab t = HTAB_INIT;
	uint64_t *v;
	int i;

	(void)state;
	for (i = 0; i < 50000; i++) {
		struct h128 k = { next(), (uint64_t)i };

		htab_put(&t, k, &v);
		*v = (uint64_t)i;
	}
	assert_int_equal(htab_sweep(&t, drop_odd, NULL), 25000);
	assert_int_equal(t.count, 25000);
	for (size_t s = 0; s < t.cap; s++)
		if (t.keys[s].lo | t.keys[s].hi)
			assert_int_equal(t.vals[s] & 1, 0);
	/* and every even key is still reachable */
	for (size_t s = 0; s < t.cap; s++)
		if (t.keys[s].lo | t.keys[s].hi)
			assert_non_null(htab_get(&t, t.keys[s]));
	htab_free(&t);
}

/* A set: no values kept, same membership answers. */
static void test_set(void **state)
{
	struct htab t = HTAB_INIT;
	uint64_t *v;
	int i;

	(void)state;
	t.no_values = 1;
	for (i = 1; i <= 50000; i++) {
		struct h128 k = { next(), (uint64_t)i };

		assert_int_equal(htab_put(&t, k, &v), 1);
		assert_int_equal(htab_put(&t, k, &v), 0);
	}
	assert_null(t.vals);
	assert_int_equal(t.count, 50000);
	assert_int_equal(htab_bytes(&t), t.cap * 16);
	htab_free(&t);
}

/* Every key has no empty slot between its home and itself (what a lookup needs). */
static void assert_runs_whole(const struct htab *t)
{
	size_t i, j, mask = t->cap - 1;

	for (i = 0; i < t->cap; i++) {
		if (!(t->keys[i].lo | t->keys[i].hi))
			continue;
		for (j = t->keys[i].lo & mask; j != i; j = (j + 1) & mask)
			assert_true(t->keys[j].lo | t->keys[j].hi);
	}
}

/*
 * test_grow_in_place's i-th key, 1, when it is one of two kinds: homed at
 * the last slot whatever the table's size, or at slot 0 or just after;
 * else 0 (the test makes a random one).
 */
static int grow_key(int i, struct h128 *key)
{
	key->hi = (uint64_t)i;
	if (i % 3 == 0)
		key->lo = ~(uint64_t)0 - (uint64_t)(i % 5);
	else if (i % 3 == 1)
		key->lo = (uint64_t)(i % 4) << 40;
	else
		return 0;
	return 1;
}

/*
 * The table grows where it is: keys homed at the last slot at every size
 * (their run wraps round to slot 0, the case the growth sets aside),
 * keys clustered at slot 0, and spread ones; growing by doubling and by
 * htab_reserve's larger steps, with values and as a set. After every
 * growth each key is found, with its value, and every run is whole.
 */
static void test_grow_in_place(void **state)
{
	enum { N = 20000 };
	int with_values, by_reserve, i, k;

	(void)state;
	for (with_values = 0; with_values < 2; with_values++)
		for (by_reserve = 0; by_reserve < 2; by_reserve++) {
			struct htab t = HTAB_INIT;
			uint64_t *v;
			size_t cap = 0;

			t.no_values = !with_values;
			for (i = 0; i < N; i++) {
				struct h128 key;

				if (!grow_key(i, &key))
					key.lo = next(), key.hi = (uint64_t)i;
				if (by_reserve && i % 1000 == 999)
					assert_int_equal(htab_reserve(&t, (size_t)i * 5), 0);
				assert_int_equal(htab_put(&t, key, &v), 1);
				*v = (uint64_t)i * 3;
				if (t.cap == cap)
					continue;
				cap = t.cap;
				assert_runs_whole(&t);
				for (k = 0; k <= i; k++) {
					struct h128 q;
					uint64_t *g;

					if (!grow_key(k, &q))
						continue;	/* a random one: counted below */
					assert_non_null(g = htab_get(&t, q));
					if (with_values)
						assert_int_equal(*g, (uint64_t)k * 3);
				}
			}
			assert_int_equal(t.count, N);
			assert_runs_whole(&t);
			assert_int_equal(htab_bytes(&t), t.cap * (with_values ? 24 : 16));
			htab_free(&t);
		}
}

/*
 * htab_ref against a model: rows that hold their keys, half of them sharing
 * their low 32 bits in clusters (the slot's bits match, the key does not),
 * the other half homed at the table's end so that probes wrap.
 */
struct ref_row {
	struct h128 key;
	unsigned k;
};

static struct h128 ref_key(unsigned k)
{
	struct h128 key;

	key.lo = k & 1 ? 0xfffffff0u + (k % 16) : (uint64_t)(k % 97) * 16;
	key.lo |= (uint64_t)k << 40;	/* above the 32 bits kept: only the row tells these apart */
	key.hi = k;
	return key;
}

static void test_ref_against_model(void **state)
{
	enum { N = 6000 };
	struct htab_ref t = { NULL, 0, 0 };
	struct ref_row *rows = calloc(N, sizeof(*rows));
	long *row_of = malloc(N * sizeof(*row_of));
	uint32_t *free_rows = malloc(N * sizeof(*free_rows)), nfree = 0, used = 0, row = 0;
	size_t count = 0;
	int round, i;

	(void)state;
	for (i = 0; i < N; i++)
		row_of[i] = -1;
	for (round = 0; round < 300000; round++) {
		unsigned k = (unsigned)(next() % N);
		struct h128 key = ref_key(k);
		uint64_t op = next() % 3;

		if (op == 0) {
			uint32_t fresh = nfree ? free_rows[nfree - 1] : used;
			int r = htab_ref_put(&t, key, rows, sizeof(*rows), fresh, &row);

			assert_int_equal(r, row_of[k] < 0);
			if (r) {
				assert_int_equal(row, fresh);
				if (nfree)
					nfree--;
				else
					used++;
				rows[row].key = key;
				rows[row].k = k;
				row_of[k] = row;
				count++;
			} else
				assert_int_equal(row, row_of[k]);
		} else if (op == 1) {
			if (row_of[k] < 0) {
				/* a row number that is not key's removes nothing */
				assert_int_equal(htab_ref_del(&t, key, (uint32_t)(used + 1)), 0);
				continue;
			}
			assert_int_equal(htab_ref_del(&t, key, (uint32_t)row_of[k]), 1);
			memset(&rows[row_of[k]], 0, sizeof(*rows));
			free_rows[nfree++] = (uint32_t)row_of[k];
			row_of[k] = -1;
			count--;
		} else
			assert_int_equal(htab_ref_find(&t, key, rows, sizeof(*rows)), row_of[k]);
	}
	assert_int_equal(t.count, count);
	assert_true(t.count * 2 <= t.cap);
	assert_int_equal(htab_ref_bytes(&t), t.cap * 8);
	for (i = 0; i < N; i++) {
		long g = htab_ref_find(&t, ref_key((unsigned)i), rows, sizeof(*rows));

		assert_int_equal(g, row_of[i]);
		if (g >= 0) {
			assert_int_equal(rows[g].k, (unsigned)i);
			/* the guess is the first row of those 32 bits: a row, and key's when alone */
			assert_true(htab_ref_find(&t, ref_key((unsigned)i), NULL, 0) >= 0);
		}
	}
	htab_ref_free(&t);
	assert_int_equal(htab_ref_find(&t, ref_key(1), rows, sizeof(*rows)), -1);
	free(rows);
	free(row_of);
	free(free_rows);
}

/*
 * Keyed rows against plain ones: the same keys (clustered low bits, so
 * rows are compared) give the same row numbers, each keyed row starts with
 * its key, and after the index is dropped and made again from the rows
 * every key finds its row; the index takes 8 bytes a slot, at most half full.
 */
static void test_rows_keyed(void **state)
{
	enum { N = 50000 };
	struct htab_rows plain, keyed;
	struct ref_row *r;
	struct h128 k;
	size_t i;
	int made, made2;

	(void)state;
	htab_rows_init(&plain, sizeof(struct ref_row), 16);
	htab_rows_init_keyed(&keyed, sizeof(struct ref_row), 16);
	for (i = 0; i < 3 * N; i++) {
		unsigned n = (unsigned)(next() % N);
		struct ref_row *p = htab_rows_get(&plain, ref_key(n), &made);

		r = htab_rows_get(&keyed, ref_key(n), &made2);
		assert_non_null(p);
		assert_non_null(r);
		assert_int_equal(made, made2);
		if (made) {
			p->k = n;
			r->k = n;
		}
		assert_int_equal(r->k, n);
		assert_int_equal((char *)r - (char *)keyed.rows, (char *)p - (char *)plain.rows);
		assert_ptr_equal(htab_rows_find(&keyed, ref_key(n)), r);
		assert_ptr_equal(htab_rows_find(&plain, ref_key(n)), p);
		assert_null(htab_rows_find(&keyed, ref_key(N + 1 + n)));	/* never put */
		assert_null(htab_rows_find(&plain, ref_key(N + 1 + n)));
		k = ref_key(n);
		assert_memory_equal(r, &k, sizeof(k));	/* the row starts with its key */
	}
	assert_int_equal(keyed.n, plain.n);
	assert_true(htab_rows_indexed(&keyed));
	assert_int_equal(keyed.ref.count, keyed.n);
	assert_true(keyed.ref.count * 2 <= keyed.ref.cap);
	assert_int_equal(htab_rows_bytes(&keyed), keyed.ref.cap * 8 + keyed.cap * sizeof(struct ref_row));
	htab_rows_unindex(&keyed);
	assert_false(htab_rows_indexed(&keyed));
	assert_int_equal(htab_rows_reserve(&keyed, 2 * keyed.n), 0);
	assert_true(keyed.ref.cap >= 4 * keyed.n);
	assert_int_equal(htab_rows_reindex(&keyed), 0);
	assert_true(htab_rows_indexed(&keyed));
	for (i = 0; i < keyed.n; i++) {
		struct ref_row *p = htab_rows_at(&keyed, i);

		r = htab_rows_get(&keyed, ref_key(p->k), &made);
		assert_int_equal(made, 0);
		assert_ptr_equal(r, p);
	}
	r = htab_rows_get(&keyed, ref_key(N + 1), &made);	/* a new key after the index was made again */
	assert_int_equal(made, 1);
	assert_ptr_equal(r, htab_rows_at(&keyed, keyed.n - 1));
	htab_rows_free(&plain);
	htab_rows_free(&keyed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_delete_against_model),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_grow_in_place),
		cmocka_unit_test(test_ref_against_model),
		cmocka_unit_test(test_rows_keyed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
