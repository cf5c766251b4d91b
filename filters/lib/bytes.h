/*
 * bytes.h - equality of short byte strings (field names, vocabulary words).
 * A memcmp of constant size compiles to a few loads; this switch gives the
 * common lengths that, where a variable-size memcmp would be a library call.
 */
#ifndef VCHAIN_BYTES_H
#define VCHAIN_BYTES_H

#include <stddef.h>
#include <string.h>

static inline int bytes_eq(const char *a, const char *b, size_t n)
{
	switch (n) {
	case 0: return 1;
	case 1: return a[0] == b[0];
	case 2: return memcmp(a, b, 2) == 0;
	case 3: return memcmp(a, b, 3) == 0;
	case 4: return memcmp(a, b, 4) == 0;
	case 5: return memcmp(a, b, 5) == 0;
	case 6: return memcmp(a, b, 6) == 0;
	case 7: return memcmp(a, b, 7) == 0;
	case 8: return memcmp(a, b, 8) == 0;
	case 9: return memcmp(a, b, 9) == 0;
	case 10: return memcmp(a, b, 10) == 0;
	case 11: return memcmp(a, b, 11) == 0;
	default: return memcmp(a, b, n) == 0;
	}
}

#endif
