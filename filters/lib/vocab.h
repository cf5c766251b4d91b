/*
 * vocab.h - canonical names for platforms and event types, from the synonym
 * tables in schemas/ (platforms.tsv, event-types.tsv) compiled in.
 */
#ifndef VCHAIN_VOCAB_H
#define VCHAIN_VOCAB_H

#include <stddef.h>

struct vocab_entry {
	const char *alias;
	size_t alias_len;
	const char *name;
	size_t name_len;
};

/*
 * The canonical entry for s[0..n) (matched lower-cased, with ' ' and '-'
 * read as '_'), or NULL when the tables do not know it.
 */
const struct vocab_entry *vocab_platform(const char *s, size_t n);
const struct vocab_entry *vocab_type(const char *s, size_t n);

#endif
