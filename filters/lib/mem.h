/*
 * mem.h - arrays that grow large and are read at random: hash tables,
 * rows by key, people by slot; and big memory touched once, where 4 KiB
 * faults cost more than the work (mem_alloc: arena chunks, sort scratch).
 * From MEM_MAP_MIN bytes on they are mapped with transparent huge pages
 * asked for (madvise MADV_HUGEPAGE; Debian's default is "madvise", so
 * nothing else asks): with 4 KiB pages every
 * random read of a table of hundreds of MiB also misses the TLB. Measured
 * on vchain-attribute (people by slot realloc'd, huge pages not asked):
 * 16-23 % of the wall time on 10 M events. And a table that doubles to
 * hundreds of MiB faults in 512 times fewer pages (page faults were 18 %
 * of vchain-dedupe's time on 1 M keys before its tables were mapped so).
 * An array from MEM_HUGE_FROM bytes up to MEM_MAP_MIN gets a whole huge
 * page of its own (2 MiB, aligned), which it then grows into without a
 * copy: one fault, where malloc's 4 KiB pages faulted one by one. On the
 * virtual machines this project is built on a 4 KiB fault costs 11 us,
 * a huge page's 5-50 us; the step from 1 to 2 MiB of each part's hash
 * tables and rows was 3,600 of vchain-attribute's 8,700 faults on 3 M
 * events. Such an array takes up to twice its size: at most 1 MiB more.
 * Smaller arrays come from malloc.
 */
#ifndef VCHAIN_MEM_H
#define VCHAIN_MEM_H

#include <stddef.h>

#define MEM_MAP_MIN ((size_t)2 << 20)
#define MEM_HUGE_FROM ((size_t)1 << 20)

/* bytes of zeroes, or NULL. */
void *mem_zalloc(size_t bytes);
/*
 * bytes of undefined contents, or NULL: mem_zalloc's mapping for a big
 * array, malloc below MEM_HUGE_FROM (no zeroing asked of either). For
 * memory written before it is read: arena chunks, sort scratch.
 */
void *mem_alloc(size_t bytes);
/*
 * p (of old bytes, from mem_zalloc or mem_grow, or NULL with old 0) made
 * bytes long (bytes > old), the first old bytes kept, the rest undefined;
 * NULL when out of memory, p then unchanged.
 */
void *mem_grow(void *p, size_t old, size_t bytes);
/* mem_grow, the bytes past old zeroes. */
void *mem_grow_zero(void *p, size_t old, size_t bytes);
/* The bytes an array of bytes takes (a mapping's whole huge pages), all of which it may use. */
size_t mem_bytes(size_t bytes);
/* p of bytes bytes, from mem_zalloc, mem_alloc or mem_grow. */
void mem_free(void *p, size_t bytes);

#endif
