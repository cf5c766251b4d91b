/*
 * profile.c - see profile.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dec.h"
#include "diag.h"
#include "event.h"
#include "hash.h"
#include "json.h"
#include "profile.h"
#include "source.h"
#include "ts.h"

#include "profiles.h"	/* generated: builtin_profiles[] */

const struct profile_builtin *profile_builtins(size_t *n)
{
	*n = sizeof(builtin_profiles) / sizeof(builtin_profiles[0]);
	return builtin_profiles;
}

/* ---- parsing ---- */

/* A spend profile's fields, kept in the event fields' slots. */
static const struct {
	const char *name;
	int field;
} spend_fields[] = {
	{ "date", EV_TS }, { "campaign", EV_CAMPAIGN }, { "platform", EV_PLATFORM }, { "spend", EV_REVENUE },
	{ "currency", EV_CURRENCY },
};
#define NSPEND_FIELDS (sizeof(spend_fields) / sizeof(spend_fields[0]))

static int field_index(const struct profile *p, const char *s, size_t n)
{
	size_t k;

	if (!p->spend)
		return event_field_index(s, n);
	for (k = 0; k < NSPEND_FIELDS; k++)
		if (strlen(spend_fields[k].name) == n && !memcmp(spend_fields[k].name, s, n))
			return spend_fields[k].field;
	return -1;
}

const char *profile_field_name(const struct profile *p, int field)
{
	size_t k;

	for (k = 0; p->spend && k < NSPEND_FIELDS; k++)
		if (spend_fields[k].field == field)
			return spend_fields[k].name;
	return event_fields[field].name;
}

static void free_func(struct pfunc *f);

static int fail(struct profile *p, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct profile *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	p->err_line = line;
	return -1;
}

static char *dup_n(const char *s, size_t n)
{
	char *c = malloc(n + 1);

	if (c) {
		memcpy(c, s, n);
		c[n] = '\0';
	}
	return c;
}

static const char *skip_ws(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static const char *trim_end(const char *s, const char *end)
{
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	return end;
}

/* A term: "literal" or a column name, up to stop (exclusive, trimmed). 0, or -1. */
static int term(struct profile *p, unsigned line, const char *s, const char *end, struct pterm *t)
{
	s = skip_ws(s, end);
	end = trim_end(s, end);
	if (s == end)
		return fail(p, line, "an expression needs a column name or a \"text\"");
	t->col = -1;
	if (*s == '"') {
		if (end - s < 2 || end[-1] != '"')
			return fail(p, line, "a \"text\" needs its closing quote");
		t->literal = 1;
		s++;
		end--;
	}
	t->len = (size_t)(end - s);
	return (t->text = dup_n(s, t->len)) ? 0 : fail(p, line, "out of memory");
}

/* K=V,K=V,... into f's pairs (when: F=V/V/...). 0, or -1. */
static int pairs(struct profile *p, unsigned line, const char *s, const char *end, struct pfunc *f)
{
	const char *comma, *eq;

	f->dflt = -1;
	for (s = skip_ws(s, end); s < end; s = skip_ws(comma + 1, end)) {
		comma = memchr(s, ',', (size_t)(end - s));
		if (!comma)
			comma = end;
		eq = memchr(s, '=', (size_t)(comma - s));
		if (!eq || eq == s)
			return fail(p, line, "expected KEY=VALUE pairs, separated by commas");
		if (f->npair == PROFILE_MAX_PAIRS)
			return fail(p, line, "at most %d pairs", PROFILE_MAX_PAIRS);
		const char *vs = skip_ws(eq + 1, comma);

		f->klen[f->npair] = (size_t)(trim_end(s, eq) - s);
		f->vlen[f->npair] = (size_t)(trim_end(vs, comma) - vs);
		if (!(f->key[f->npair] = dup_n(s, f->klen[f->npair])) ||
		    !(f->val[f->npair] = dup_n(vs, f->vlen[f->npair])))
			return fail(p, line, "out of memory");
		if (f->klen[f->npair] == 1 && *s == '*')
			f->dflt = f->npair;
		f->npair++;
		if (comma == end)
			break;
	}
	return f->npair ? 0 : fail(p, line, "expected KEY=VALUE pairs");
}

static int func(struct profile *p, unsigned line, const char *s, const char *end, struct pfunc *f)
{
	static const struct {
		const char *name;
		enum pfunc_kind kind;
		int args;
	} names[] = { { "abs", PF_ABS, 0 }, { "int", PF_INT, 0 }, { "lower", PF_LOWER, 0 }, { "number", PF_NUMBER, 0 },
		      { "map", PF_MAP, 1 }, { "prefix", PF_PREFIX, 1 }, { "sign", PF_SIGN, 1 }, { "when", PF_WHEN, 1 } };
	const char *w;
	size_t k, n;

	s = skip_ws(s, end);
	end = trim_end(s, end);
	for (w = s; w < end && *w != ' ' && *w != '\t'; w++)
		;
	n = (size_t)(w - s);
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (strlen(names[k].name) == n && !memcmp(names[k].name, s, n))
			break;
	if (k == sizeof(names) / sizeof(names[0]))
		return fail(p, line, "unknown function '%.*s' (abs, int, lower, number, map, prefix, sign, when)",
			    (int)n, s);
	f->kind = names[k].kind;
	if (!names[k].args)
		return skip_ws(w, end) == end ? 0 : fail(p, line, "%s takes no arguments", names[k].name);
	if (f->kind == PF_WHEN) {
		const char *eq = memchr(w, '=', (size_t)(end - w)), *v, *slash;

		w = skip_ws(w, end);
		if (!eq || (f->when_field = field_index(p, w, (size_t)(trim_end(w, eq) - w))) < 0)
			return fail(p, line, "when: expected FIELD=VALUE/VALUE..., FIELD a canonical field given above");
		for (v = eq + 1; v < end && f->npair < PROFILE_MAX_PAIRS; v = slash + 1) {
			slash = memchr(v, '/', (size_t)(end - v));
			if (!slash)
				slash = end;
			f->klen[f->npair] = (size_t)(slash - v);
			if (!(f->key[f->npair] = dup_n(v, f->klen[f->npair])) || !(f->val[f->npair] = dup_n("", 0)))
				return fail(p, line, "out of memory");
			f->npair++;
		}
		f->dflt = -1;
		return 0;
	}
	if (pairs(p, line, w, end, f) < 0)
		return -1;
	if (f->kind == PF_SIGN)
		for (k = 0; k < (size_t)f->npair; k++)
			if (f->klen[k] != 1 || !strchr("-+0*", f->key[k][0]))
				return fail(p, line, "sign: the keys are -, + and 0");
	return 0;
}

static int rule(struct profile *p, unsigned line, const char *s, const char *eq, const char *end)
{
	struct prule *r;
	const char *bar, *star, *q;
	int k, in_quotes = 0;

	if (p->nrule == PROFILE_MAX_RULES)
		return fail(p, line, "at most %d fields", PROFILE_MAX_RULES);
	r = &p->rule[p->nrule];
	memset(r, 0, sizeof(*r));
	r->line = line;
	r->a.col = r->b.col = -1;
	if ((r->field = field_index(p, s, (size_t)(trim_end(s, eq) - s))) < 0)
		return fail(p, line, p->spend ? "'%.*s' is not a spend field (date, campaign, platform, spend, currency)"
				     : "'%.*s' is not a canonical field (schemas/event-fields.tsv)",
			    (int)(trim_end(s, eq) - s), s);
	for (k = 0; k < p->nrule; k++)
		if (p->rule[k].field == r->field)
			return fail(p, line, "'%.*s' is given twice", (int)(trim_end(s, eq) - s), s);
	s = eq + 1;
	/* the first '|' outside quotes ends the value */
	for (bar = s; bar < end && (in_quotes || *bar != '|'); bar++)
		if (*bar == '"')
			in_quotes = !in_quotes;
	for (star = NULL, q = s, in_quotes = 0; q < bar; q++) {
		if (*q == '"')
			in_quotes = !in_quotes;
		else if (*q == '*' && !in_quotes && !star)
			star = q;
	}
	if (star) {
		if (term(p, line, s, star, &r->a) < 0 || term(p, line, star + 1, bar, &r->b) < 0)
			return -1;
		r->product = 1;
	} else {	/* terms joined by '+' outside quotes */
		const char *t = s, *plus;

		for (;;) {
			for (plus = t, in_quotes = 0; plus < bar && (in_quotes || *plus != '+'); plus++)
				if (*plus == '"')
					in_quotes = !in_quotes;
			if (t == s ? term(p, line, t, plus, &r->a) < 0
				   : r->ncat == PROFILE_MAX_CAT ? fail(p, line, "at most %d terms joined", PROFILE_MAX_CAT + 1)
				   : term(p, line, t, plus, &r->cat[r->ncat++]) < 0)
				return -1;
			if (plus == bar)
				break;
			t = plus + 1;
		}
	}
	while (bar < end) {
		s = bar + 1;
		for (bar = s; bar < end && *bar != '|'; bar++)
			;
		if (r->nf == PROFILE_MAX_FUNCS)
			return fail(p, line, "at most %d functions", PROFILE_MAX_FUNCS);
		if (func(p, line, s, bar, &r->f[r->nf]) < 0)
			return -1;
		if (r->f[r->nf].kind == PF_WHEN) {	/* the field it looks at must come before */
			for (k = 0; k < p->nrule && p->rule[k].field != r->f[r->nf].when_field; k++)
				;
			if (k == p->nrule)
				return fail(p, line, "when: the field it tests must be given on a line before");
		}
		r->nf++;
	}
	p->nrule++;
	return 0;
}

static int list(struct profile *p, unsigned line, const char *s, const char *end, char **v, size_t *len, int *n,
		int max)
{
	const char *comma;

	for (s = skip_ws(s, end); s < end; s = skip_ws(comma + 1, end)) {
		comma = memchr(s, ',', (size_t)(end - s));
		if (!comma)
			comma = end;
		if (*n == max)
			return fail(p, line, "at most %d names", max);
		len[*n] = (size_t)(trim_end(s, comma) - s);
		if (!(v[*n] = dup_n(s, len[*n])))
			return fail(p, line, "out of memory");
		(*n)++;
		if (comma == end)
			break;
	}
	return 0;
}

static int directive(struct profile *p, unsigned line, const char *s, const char *end)
{
	const char *w = s, *eq;
	size_t n;

	while (w < end && *w != ' ' && *w != '\t' && *w != '=')
		w++;
	n = (size_t)(w - s);
	eq = skip_ws(w, end);
	if (eq < end && *eq == '=')
		return rule(p, line, s, eq, end);
	w = skip_ws(w, end);
#define IS(name) (n == sizeof(name) - 1 && !memcmp(s, name, n))
	if ((IS("about") && p->about) || (IS("ts-format") && p->ts_format) || (IS("skip") && p->skip_prefix))
		return fail(p, line, "'%.*s' is given twice", (int)n, s);
	if (IS("about"))
		return (p->about = dup_n(w, (size_t)(end - w))) ? 0 : fail(p, line, "out of memory");
	if (IS("ts-format")) {
		if (!(p->ts_format = dup_n(w, (size_t)(end - w))))
			return fail(p, line, "out of memory");
		return ts_format_check(p->ts_format) < 0 ? fail(p, line, "ts-format: a conversion ts_parse_format does not know") : 0;
	}
	if (IS("carry")) {
		if ((size_t)(end - w) == 3 && !memcmp(w, "all", 3))
			p->carry = 1;
		else if ((size_t)(end - w) == 4 && !memcmp(w, "none", 4))
			p->carry = 0;
		else
			return fail(p, line, "carry: all or none");
		return 0;
	}
	if (IS("header")) {
		if (p->header)
			return fail(p, line, "'header' is given twice");
		return (p->header = dup_n(w, (size_t)(end - w))) ? 0 : fail(p, line, "out of memory");
	}
	if (IS("title-lines")) {
		const char *e = w;
		long v = 0;

		while (e < end && *e >= '0' && *e <= '9' && v <= 100)	/* not strtol: w is not NUL-ended */
			v = v * 10 + (*e++ - '0');
		if (e == w || e != end || v < 1 || v > 100 || p->title_lines)
			return fail(p, line, p->title_lines ? "'title-lines' is given twice" : "title-lines: a number from 1 to 100");
		p->title_lines = (int)v;
		return 0;
	}
	if (IS("makes")) {
		if (p->nrule || p->nup)
			return fail(p, line, "makes: give it before the fields");
		if ((size_t)(end - w) == 5 && !memcmp(w, "spend", 5))
			p->spend = 1;
		else if (!((size_t)(end - w) == 6 && !memcmp(w, "events", 6)))
			return fail(p, line, "makes: events or spend");
		return 0;
	}
	if (IS("detect"))
		return list(p, line, w, end, p->detect, p->detect_len, &p->ndetect, PROFILE_MAX_DETECT);
	if (IS("skip")) {
		const char *sp = w;

		while (sp < end && *sp != ' ' && *sp != '\t')
			sp++;
		if (sp == w || skip_ws(sp, end) == end)
			return fail(p, line, "skip: COLUMN PREFIX");
		if (term(p, line, w, sp, &p->skip_col) < 0)
			return -1;
		sp = skip_ws(sp, end);
		p->skip_len = (size_t)(end - sp);
		return (p->skip_prefix = dup_n(sp, p->skip_len)) ? 0 : fail(p, line, "out of memory");
	}
	if (IS("unpivot")) {
		struct pfunc f;
		int k;

		memset(&f, 0, sizeof(f));
		if (pairs(p, line, w, end, &f) < 0 || p->nup + f.npair > PROFILE_MAX_UNPIVOT) {
			if (p->nup + f.npair > PROFILE_MAX_UNPIVOT)
				fail(p, line, "at most %d columns to unpivot", PROFILE_MAX_UNPIVOT);
			free_func(&f);
			return -1;
		}
		for (k = 0; k < f.npair; k++, p->nup++) {	/* the pairs' strings are the profile's now */
			p->up_col[p->nup].text = f.key[k];
			p->up_col[p->nup].len = f.klen[k];
			p->up_col[p->nup].col = -1;
			p->up_type[p->nup] = f.val[k];
			p->up_type_len[p->nup] = f.vlen[k];
		}
		return 0;
	}
#undef IS
	return fail(p, line, "unknown directive '%.*s' (about, detect, header, title-lines, makes, ts-format, carry, "
		    "skip, unpivot, FIELD = ...)",
		    (int)n, s);
}

/*
 * profile_parse into p, all zeroes already. A profile is 200 KiB of rules
 * room, most of it unused: zeroed again, the builtins were 450 page faults
 * at each start of vchain-parse, half the time it takes on one record.
 */
static int parse_zeroed(struct profile *p, const char *name, const char *text, size_t n)
{
	const char *s = text, *end = text + n, *nl, *e;
	unsigned line = 0;
	int k, has_type = 0;

	p->carry = 1;
	if (!(p->name = dup_n(name, strlen(name))))
		return fail(p, 0, "out of memory");
	for (; s < end; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			nl = end;
		line++;
		e = trim_end(s, nl);
		s = skip_ws(s, e);
		if (s == e || *s == '#')
			continue;
		if (!utf8_valid(s, (size_t)(e - s)))
			return fail(p, line, "not UTF-8");
		if (directive(p, line, s, e) < 0)
			return -1;
		if (nl == end)
			break;
	}
	if (p->title_lines && p->header)
		return fail(p, line, "title-lines skips lines before a header, and 'header' says there is none: give one");
	if (p->spend) {
		int has_spend = 0, has_key = 0;

		for (k = 0; k < p->nrule; k++) {
			has_spend |= p->rule[k].field == EV_REVENUE;
			has_key |= p->rule[k].field == EV_CAMPAIGN || p->rule[k].field == EV_PLATFORM;
		}
		if (p->nup)
			return fail(p, line, "a spend profile does not unpivot");
		if (!has_spend || !has_key)
			return fail(p, line, "a spend profile gives 'spend = ...' and 'campaign = ...' or 'platform = ...'");
		return 0;
	}
	for (k = 0; k < p->nrule; k++)
		has_type |= p->rule[k].field == EV_TYPE;
	if (!has_type && !p->nup)
		return fail(p, line, "no type: give 'type = ...' or unpivot");
	if (has_type && p->nup)
		return fail(p, line, "unpivot gives the type: leave out 'type = ...'");
	return 0;
}

int profile_parse(struct profile *p, const char *name, const char *text, size_t n)
{
	memset(p, 0, sizeof(*p));
	return parse_zeroed(p, name, text, n);
}

int profile_load(struct profile *p, const char *name)
{
	size_t n, i;
	const struct profile_builtin *b = profile_builtins(&n);
	struct buf text = BUF_INIT;
	int r;

	for (i = 0; i < n; i++)
		if (!strcmp(b[i].name, name)) {
			if (profile_parse(p, name, b[i].text, strlen(b[i].text)) < 0) {
				diag_at(name, p->err_line, "%s", p->err);
				return -1;
			}
			return 0;
		}
	if (buf_load(&text, name) < 0) {
		int e = errno;

		/* the names a mistyped one may have meant */
		for (i = 0; i < n; i++)
			if (buf_adds(&text, i ? ", " : "") < 0 || buf_adds(&text, b[i].name) < 0)
				break;
		if (i == n && n)
			diag("--profile: '%s' is neither a shipped profile (%.*s) nor a file: %s", name,
			     (int)text.len, text.p, strerror(e));
		else
			diag("--profile: '%s' is neither a shipped profile nor a file: %s", name, strerror(e));
		buf_free(&text);
		return -1;
	}
	r = profile_parse(p, name, text.p ? text.p : "", text.len);
	if (r < 0)
		diag_at(name, p->err_line, "%s", p->err);
	buf_free(&text);
	return r;
}

static void free_func(struct pfunc *f)
{
	int k;

	for (k = 0; k < f->npair; k++) {
		free(f->key[k]);
		free(f->val[k]);
	}
}

void profile_free(struct profile *p)
{
	size_t used;
	int k, j;

	for (k = 0; k < p->nrule; k++) {
		free(p->rule[k].a.text);
		free(p->rule[k].b.text);
		for (j = 0; j < p->rule[k].ncat; j++)
			free(p->rule[k].cat[j].text);
		for (j = 0; j < p->rule[k].nf; j++)
			free_func(&p->rule[k].f[j]);
	}
	if (p->nrule < PROFILE_MAX_RULES) {	/* a rule that failed half made */
		struct prule *r = &p->rule[p->nrule];

		free(r->a.text);
		free(r->b.text);
		for (j = 0; j < r->ncat; j++)
			free(r->cat[j].text);
		for (j = 0; j <= r->nf && j < PROFILE_MAX_FUNCS; j++)
			free_func(&r->f[j]);
	}
	for (k = 0; k < p->ndetect; k++)
		free(p->detect[k]);
	for (k = 0; k < p->nup; k++) {
		free(p->up_col[k].text);
		free(p->up_type[k]);
	}
	free(p->skip_col.text);
	free(p->skip_prefix);
	free(p->header);
	free(p->name);
	free(p->about);
	free(p->ts_format);
	free(p->used);
	free(p->clash);
	/* all zeroes again, but for the rules' room never used, which is (the pages stay untouched) */
	used = (size_t)p->nrule + (p->nrule < PROFILE_MAX_RULES);
	memset(p, 0, offsetof(struct profile, rule) + used * sizeof(p->rule[0]));
	memset(&p->nrule, 0, sizeof(*p) - offsetof(struct profile, nrule));
}

/* ---- binding to a header ---- */

static long column_of(const struct csvrec *hdr, long ncol, const char *name, size_t n)
{
	long i;

	for (i = 0; i < ncol; i++)
		if (hdr->flen[i] == n && !memcmp(hdr->f[i], name, n))
			return i;
	return -1;
}

int profile_detects(const struct profile *p, const struct csvrec *hdr, long ncol)
{
	int k;

	if (!p->ndetect)
		return 0;
	for (k = 0; k < p->ndetect; k++)
		if (column_of(hdr, ncol, p->detect[k], p->detect_len[k]) < 0)
			return 0;
	return 1;
}

static int bind_term(struct profile *p, struct pterm *t, const struct csvrec *hdr, long ncol, int carried, char *why)
{
	if (!t->text || t->literal)
		return 0;
	if ((t->col = column_of(hdr, ncol, t->text, t->len)) < 0) {
		snprintf(why, 200, "profile %s: no column '%.80s' in the header", p->name, t->text);
		return -1;
	}
	if (!carried)
		p->used[t->col] = 1;
	return 0;
}

/* Whether rule r reads its column only on some rows (when): the column is carried as well (as are a product's). */
static int conditional(const struct prule *r)
{
	int k;

	for (k = 0; k < r->nf; k++)
		if (r->f[k].kind == PF_WHEN)
			return 1;
	return 0;
}

int profile_bind(struct profile *p, const struct csvrec *hdr, long ncol, char *why)
{
	int k;

	long i;

	free(p->used);
	free(p->clash);
	p->clash = NULL;
	if (!(p->used = calloc((size_t)ncol + 1, 1)) || !(p->clash = malloc((size_t)ncol + 1))) {
		snprintf(why, 200, "out of memory");
		return -1;
	}
	p->ncol = ncol;
	for (i = 0; i < ncol; i++)	/* a column named like a canonical field a rule gives: the field wins */
		p->clash[i] = (signed char)field_index(p, hdr->f[i], hdr->flen[i]);
	for (k = 0; k < p->nrule; k++)
	{
		int also = conditional(&p->rule[k]) || p->rule[k].product || p->rule[k].ncat, j;

		if (bind_term(p, &p->rule[k].a, hdr, ncol, also, why) < 0 ||
		    bind_term(p, &p->rule[k].b, hdr, ncol, also, why) < 0)
			return -1;
		for (j = 0; j < p->rule[k].ncat; j++)
			if (bind_term(p, &p->rule[k].cat[j], hdr, ncol, also, why) < 0)
				return -1;
	}
	for (k = 0; k < p->nup; k++)
		if (bind_term(p, &p->up_col[k], hdr, ncol, 0, why) < 0)
			return -1;
	return bind_term(p, &p->skip_col, hdr, ncol, 1, why);
}

/* ---- a row ---- */

/* A JSON value as text: a string decoded (into dec when it has escapes), a number as written, none empty. */
static void value_text(const struct jfield *f, struct buf *dec, const char **s, size_t *n)
{
	*s = "";
	*n = 0;
	if (!f || f->type == J_NULL)
		return;
	if (f->type == J_STR && f->vesc) {
		dec->len = 0;
		if (json_unescape(f->val, f->vlen, dec) == 0) {
			*s = dec->p ? dec->p : "";
			*n = dec->len;
		}
		return;
	}
	*s = f->val;
	*n = f->vlen;
}

/* Index GA4's event_params of the record once: each entry's key and the value set among its four. */
static void ga4_index(struct prow *row)
{
	static const char *const kinds[] = { "string_value", "int_value", "double_value", "float_value" };
	const struct jfield *ps = jobj_get(row->obj, "event_params", 12), *k, *v, *x;
	struct jfield el, val;
	size_t i, j;

	row->params_state = -1;
	row->nparams = 0;
	if (!ps || ps->type != J_ARR || json_scan_array(ps->val, ps->vlen, &row->scratch[0]) != 0)
		return;
	row->params_state = 1;
	for (i = 0; i < row->scratch[0].n && row->nparams < (int)(sizeof(row->params) / sizeof(row->params[0])); i++) {
		el = row->scratch[0].f[i];
		if (el.type != J_OBJ || json_scan_object(el.val, el.vlen, &row->scratch[1]) != 0 ||
		    !(k = jobj_get(&row->scratch[1], "key", 3)) || k->type != J_STR ||
		    !(v = jobj_get(&row->scratch[1], "value", 5)) || v->type != J_OBJ)
			continue;
		row->params[row->nparams].key = k->val;
		row->params[row->nparams].klen = k->vlen;
		val = *v;
		memset(&row->params[row->nparams].val, 0, sizeof(row->params[row->nparams].val));
		row->params[row->nparams].val.type = J_NULL;
		if (json_scan_object(val.val, val.vlen, &row->scratch[2]) == 0)
			for (j = 0; j < 4; j++)
				if ((x = jobj_get(&row->scratch[2], kinds[j], strlen(kinds[j]))) && x->type != J_NULL) {
					row->params[row->nparams].val = *x;
					break;
				}
		row->nparams++;
	}
}

/* GA4's event_params entry named key[0..n): its value, copied into *out. 0, or -1: none. */
static int ga4_param(struct prow *row, const char *key, size_t n, struct jfield *out)
{
	int i;

	if (!row->params_state)
		ga4_index(row);
	for (i = 0; i < row->nparams; i++)
		if (row->params[i].klen == n && !memcmp(row->params[i].key, key, n)) {
			if (row->params[i].val.type == J_NULL)
				return -1;
			*out = row->params[i].val;
			return 0;
		}
	return -1;
}

/* A path a.b.c through nested objects: the member, copied into *out. 0, or -1: none. */
static int json_path(struct prow *row, const char *p, size_t len, struct jfield *out)
{
	const char *end = p + len, *dot;
	const struct jobj *o = row->obj;
	const struct jfield *f;
	int depth = 0;

	for (;;) {
		dot = memchr(p, '.', (size_t)(end - p));
		if (!(f = jobj_get(o, p, (size_t)((dot ? dot : end) - p))))
			return -1;
		if (!dot) {
			*out = *f;
			return 0;
		}
		if (f->type != J_OBJ)
			return -1;
		*out = *f;	/* scanning into the scratch reuses where f points */
		if (json_scan_object(out->val, out->vlen, &row->scratch[depth % 3]) != 0)
			return -1;
		o = &row->scratch[depth++ % 3];
		p = dot + 1;
	}
}

/* A term's text in the record; slot: which decode buffer holds it. */
static void term_value(const struct pterm *t, struct prow *row, int slot, const char **s, size_t *n)
{
	struct jfield f;

	*s = "";
	*n = 0;
	if (t->literal) {
		*s = t->text;
		*n = t->len;
	} else if (row->csv) {
		if (t->col >= 0 && (size_t)t->col < row->csv->n) {
			*s = row->csv->f[t->col];
			*n = row->csv->flen[t->col];
		}
	} else if (t->text && (t->len > 7 && !memcmp(t->text, "params.", 7) ?
			       ga4_param(row, t->text + 7, t->len - 7, &f) : json_path(row, t->text, t->len, &f)) == 0)
		value_text(&f, &row->dec[slot], s, n);
}

void prow_free(struct prow *r)
{
	int k;

	for (k = 0; k < 3; k++)
		jobj_free(&r->scratch[k]);
	buf_free(&r->dec[0]);
	buf_free(&r->dec[1]);
	for (k = 0; k < EVENT_NFIELDS; k++)
		buf_free(&r->vals[k]);
	buf_free(&r->id);
}

int profile_detects_json(const struct profile *p, const struct jobj *obj)
{
	int k;

	if (!p->ndetect)
		return 0;
	for (k = 0; k < p->ndetect; k++)
		if (!jobj_get(obj, p->detect[k], p->detect_len[k]))
			return 0;
	return 1;
}

/* s[0..n) trimmed of spaces. */
static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static int set_text(struct buf *v, const char *s, size_t n)
{
	/* s may be in v: where, before growing v moves it */
	size_t in = v->p && s >= v->p && s < v->p + v->cap ? (size_t)(s - v->p) + 1 : 0;

	if (buf_grow(v, n + 1) < 0)
		return -2;
	if (in)
		s = v->p + in - 1;
	memmove(v->p, s, n);
	v->len = n;
	return 0;
}

/* Apply f to the value in v. values[]: the row's fields so far. 0, -1 (why), -2. */
static int apply(const struct pfunc *f, struct buf *v, const struct buf *values, const unsigned char *have, char *why)
{
	struct dec d;
	size_t i, o;
	int k;

	switch (f->kind) {
	case PF_ABS:
		if (v->len && v->p[0] == '-')
			return set_text(v, v->p + 1, v->len - 1);
		return 0;
	case PF_INT:
		for (i = 0; i < v->len && v->p[i] != '.'; i++)
			;
		if (i < v->len) {
			for (o = i + 1; o < v->len && v->p[o] == '0'; o++)
				;
			if (o == v->len)
				v->len = i;
		}
		return 0;
	case PF_LOWER:
		for (i = 0; i < v->len; i++)
			if (v->p[i] >= 'A' && v->p[i] <= 'Z')
				v->p[i] = (char)(v->p[i] + 32);
		return 0;
	case PF_NUMBER:
		for (i = o = 0; i < v->len; i++)
			if (v->p[i] != ',' && v->p[i] != ' ' && v->p[i] != '%' && v->p[i] != '\t')
				v->p[o++] = v->p[i];
		v->len = o;
		if (v->len == 2 && v->p[0] == '-' && v->p[1] == '-')
			v->len = 0;	/* a placeholder: no value */
		return 0;
	case PF_MAP:
	case PF_PREFIX:
		for (k = 0; k < f->npair; k++)
			if (k != f->dflt && (f->kind == PF_MAP ? f->klen[k] == v->len : f->klen[k] <= v->len) &&
			    !memcmp(f->key[k], v->p, f->klen[k]))
				return set_text(v, f->val[k], f->vlen[k]);
		return f->dflt >= 0 ? set_text(v, f->val[f->dflt], f->vlen[f->dflt]) : 0;
	case PF_SIGN: {
		char want;

		if (!v->len)
			return 0;
		if (dec_parse(v->p, v->len, &d) < 0) {
			snprintf(why, 200, "sign: '%.60s' is not a number", v->p);
			return -1;
		}
		want = d.m < 0 ? '-' : d.m > 0 ? '+' : '0';
		for (k = 0; k < f->npair; k++)
			if (f->key[k][0] == want)
				return set_text(v, f->val[k], f->vlen[k]);
		return f->dflt >= 0 ? set_text(v, f->val[f->dflt], f->vlen[f->dflt]) : 0;
	}
	case PF_WHEN:
		if (have[f->when_field])
			for (k = 0; k < f->npair; k++)
				if (values[f->when_field].len == f->klen[k] &&
				    !memcmp(values[f->when_field].p, f->key[k], f->klen[k]))
					return 0;
		v->len = 0;
		return 0;
	}
	return 0;
}

/* The value of rule r in the row, into v (empty: absent). 0, -1 (why), -2. */
static int eval(const struct prule *r, struct prow *row, struct buf *v, const struct buf *values,
		const unsigned char *have, char *why)
{
	const char *s, *t;
	size_t n, m;
	int k, e;

	term_value(&r->a, row, 0, &s, &n);
	if (r->product) {
		struct dec x, y, z;
		char out[DEC_MAX_LEN];

		term_value(&r->b, row, 1, &t, &m);
		trim(&s, &n);
		trim(&t, &m);
		if (!n || !m) {
			v->len = 0;
			return 0;
		}
		if (dec_parse(s, n, &x) < 0 || dec_parse(t, m, &y) < 0) {
			snprintf(why, 200, "%.*s * %.*s: not two numbers", (int)(n > 40 ? 40 : n), s, (int)(m > 40 ? 40 : m), t);
			return -1;
		}
		if (dec_mul(x, y, &z) < 0) {
			snprintf(why, 200, "%.*s * %.*s does not fit", (int)(n > 40 ? 40 : n), s, (int)(m > 40 ? 40 : m), t);
			return -1;
		}
		if (set_text(v, out, dec_format(z, out)) < 0)
			return -2;
	} else if (set_text(v, s, n) < 0)
		return -2;
	for (k = 0; k < r->ncat; k++) {
		if (!n && !r->a.literal) {	/* a column in it is empty: no value */
			v->len = 0;
			return 0;
		}
		term_value(&r->cat[k], row, 1, &t, &m);
		if (!m && !r->cat[k].literal) {
			v->len = 0;
			return 0;
		}
		if (buf_add(v, t, m) < 0)
			return -2;
	}
	for (k = 0; k < r->nf; k++)
		if ((e = apply(&r->f[k], v, values, have, why)) < 0)
			return e;
	return 0;
}

/* A member named name: the value a JSON string, or with number as it is. */
static int put_field(struct buf *o, int *first, const char *name, const char *v, size_t n, int number)
{
	if ((!*first && buf_addc(o, ',') < 0) || json_escape(o, name, strlen(name)) < 0 || buf_addc(o, ':') < 0 ||
	    (number ? buf_add(o, v, n) : json_escape(o, v, n)) < 0)
		return -2;
	*first = 0;
	return 0;
}

/*
 * A spend row's values checked and put in their written form: the spend a
 * number (a JSON number in the output), the date a date. 0, or -1 (why).
 */
static int spend_values(const struct profile *p, struct buf *values, const unsigned char *have, char *why)
{
	struct buf *v = &values[EV_REVENUE], *d = &values[EV_TS];
	struct dec m;
	struct vts t;
	char out[TS_MAX_LEN], num[DEC_MAX_LEN];
	size_t n;
	int zoned;

	if (!have[EV_REVENUE] || dec_parse(v->p, v->len, &m) < 0) {
		snprintf(why, 200, have[EV_REVENUE] ? "spend: '%.*s' is not a number" : "spend: none on this row%.*s",
			 (int)(v->len > 40 ? 40 : v->len), v->p ? v->p : "");
		return -1;
	}
	if (!have[EV_CAMPAIGN] && !have[EV_PLATFORM]) {
		snprintf(why, 200, "neither campaign nor platform on this row: whose spend it is is unknown");
		return -1;
	}
	n = dec_format(m, num);	/* as a JSON number */
	v->len = 0;
	if (buf_add(v, num, n) < 0)
		return -2;
	if (!have[EV_TS])
		return 0;
	if ((!p->ts_format || ts_parse_format(p->ts_format, d->p, d->len, &t, &zoned) < 0) &&
	    ts_parse(d->p, d->len, &t) < 0) {
		snprintf(why, 200, "date: '%.*s' is not a date%s", (int)(d->len > 40 ? 40 : d->len), d->p,
			 p->ts_format ? " in the profile's ts-format" : "");
		return -1;
	}
	n = ts_format(t, out);
	if (t.sec % 86400 == 0 && !t.nsec)
		n = 10;	/* a day: YYYY-MM-DD */
	d->len = 0;
	return buf_add(d, out, n) < 0 ? -2 : 0;
}

/* A member whose key is JSON-quoted already. */
static int put_member(struct buf *o, int *first, const char *key, size_t klen, const char *v, size_t n)
{
	if ((!*first && buf_addc(o, ',') < 0) || buf_add(o, key, klen) < 0 || buf_addc(o, ':') < 0 ||
	    json_escape(o, v, n) < 0)
		return -2;
	*first = 0;
	return 0;
}

long profile_row(const struct profile *p, struct prow *row, const char *const *keys, const size_t *klens,
		 const char *rec, size_t rec_len, struct buf *objs, struct buf *tmp, char *why)
{
	struct buf *values = row->vals;
	unsigned char have[EVENT_NFIELDS];
	const char *s;
	size_t n, start, i, common;
	long made = 0;
	int k, u, first, e = 0, has_id = 0;
	char hex[34], num[DEC_MAX_LEN];

	if (p->skip_prefix) {
		term_value(&p->skip_col, row, 0, &s, &n);
		if (n >= p->skip_len && !memcmp(s, p->skip_prefix, p->skip_len))
			return 0;
	}
	memset(have, 0, sizeof(have));
	row->params_state = 0;	/* a new record: its event_params not indexed yet */
	for (k = 0; k < p->nrule && !e; k++) {
		const struct prule *r = &p->rule[k];

		if ((e = eval(r, row, &values[r->field], values, have, why)) == 0 && values[r->field].len)
			have[r->field] = 1;
		has_id |= have[EV_EVENT_ID];
	}
	if (!e && p->spend)
		e = spend_values(p, values, have, why);
	/* the members every event of the row has: the rules' fields and the carried columns */
	tmp->len = 0;
	first = 1;
	for (k = 0; k < EVENT_NFIELDS && !e; k++)
		if (have[k])
			e = put_field(tmp, &first, profile_field_name(p, k), values[k].p, values[k].len,
				      p->spend && k == EV_REVENUE);
	for (i = 0; p->carry && row->csv && i < row->csv->n && i < (size_t)p->ncol && !e; i++) {
		if (p->used[i] || !row->csv->flen[i])
			continue;
		if (p->clash[i] < 0 || !have[(int)p->clash[i]])
			e = put_member(tmp, &first, keys[i], klens[i], row->csv->f[i], row->csv->flen[i]);
	}
	common = tmp->len;
	for (u = 0; u < (p->nup ? p->nup : 1) && !e; u++) {
		const char *cv = NULL;
		size_t cn = 0;
		int f1 = first;

		if (p->nup) {
			struct dec d;

			term_value(&p->up_col[u], row, 0, &cv, &cn);
			trim(&cv, &cn);
			if (!cn || (cn == 1 && *cv == '-'))
				continue;	/* no such event on this row ("-": an export's none) */
			if (dec_parse(cv, cn, &d) < 0) {
				snprintf(why, 200, "unpivot: %.*s is '%.*s', not a number", (int)p->up_col[u].len,
					 p->up_col[u].text, (int)(cn > 40 ? 40 : cn), cv);
				e = -1;
				break;
			}
			if (d.m == 0)
				continue;
			while (d.scale > 0 && d.m % 10 == 0) {	/* 215.0 is 215 */
				d.m /= 10;
				d.scale--;
			}
			cn = dec_format(d, num);
			cv = num;
		}
		start = objs->len;
		if (buf_addc(objs, '{') < 0 || buf_add(objs, tmp->p, common) < 0)
			e = -2;
		if (!e && !has_id && !p->spend) {	/* the row as written (and the metric) identify the event */
			struct buf *idsrc = &row->id;
			struct h128 h = hash128(rec, rec_len);

			idsrc->len = 0;
			if (p->nup && (buf_add(idsrc, rec, rec_len) < 0 || buf_addc(idsrc, '\0') < 0 ||
				       buf_add(idsrc, p->up_type[u], p->up_type_len[u]) < 0))
				e = -2;
			else {
				if (p->nup)
					h = hash128(idsrc->p, idsrc->len);
				hex[0] = hex[33] = '"';
				h128_hex(h, hex + 1);
				if ((!f1 && buf_addc(objs, ',') < 0) || buf_add(objs, "\"event_id\":", 11) < 0 ||
				    buf_add(objs, hex, 34) < 0)
					e = -2;
				f1 = 0;
			}
		}
		if (!e && p->nup && (put_field(objs, &f1, "type", p->up_type[u], p->up_type_len[u], 0) < 0 ||
				     put_field(objs, &f1, "count", cv, cn, 0) < 0))
			e = -2;
		if (!e && (buf_addc(objs, '}') < 0 || buf_addc(objs, '\n') < 0))
			e = -2;
		if (e)
			objs->len = start;
		else
			made++;
	}
	for (k = 0; k < EVENT_NFIELDS; k++)
		values[k].len = 0;
	return e ? e : made;
}

/* ---- the shipped ones, choosing one, saying what it does ---- */

int profile_load_builtins(struct profile **all, size_t *n)
{
	size_t nb, i;
	const struct profile_builtin *b = profile_builtins(&nb);

	*n = 0;
	if (!(*all = calloc(nb ? nb : 1, sizeof(**all))))
		return -1;
	for (i = 0; i < nb; i++, (*n)++)
		if (parse_zeroed(&(*all)[i], b[i].name, b[i].text, strlen(b[i].text)) < 0) {	/* calloc's */
			if (strcmp((*all)[i].err, "out of memory"))
				diag_at(b[i].name, (*all)[i].err_line, "%s", (*all)[i].err);
			(*n)++;	/* freed with the others */
			return -1;
		}
	return 0;
}

void profile_free_all(struct profile *all, size_t n)
{
	size_t i;

	for (i = 0; all && i < n; i++)
		profile_free(&all[i]);
	free(all);
}

/* Line k (from 0) of p[0..len), without its line end: its start, or NULL when it does not end in p. */
static const char *nth_line(const char *p, size_t len, int k, size_t *n)
{
	const char *end = p + len, *nl;

	for (; p && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL; p = nl + 1, k--)
		if (!k) {
			*n = (size_t)(nl - p) - (nl > p && nl[-1] == '\r');
			return p;
		}
	return NULL;
}

struct profile *profile_pick_csv(struct profile *all, size_t n, struct csvrec *hdr, const char *p, size_t len,
				 char delim)
{
	struct profile *best = NULL;
	const char *h;
	char why[200];
	long ncol = -1;
	int split_at = -1;	/* the line split into hdr */
	size_t i, hl;

	for (i = 0; i < n; i++) {
		if (all[i].title_lines != split_at) {	/* a profile's header is the line after its title lines */
			split_at = all[i].title_lines;
			h = nth_line(p, len, split_at, &hl);
			ncol = h ? source_split_header(hdr, delim, h, hl, why) : -1;
		}
		if (ncol >= 0 && profile_detects(&all[i], hdr, ncol) && (!best || all[i].ndetect > best->ndetect))
			best = &all[i];
	}
	return best;
}

struct profile *profile_pick_json(struct profile *all, size_t n, const char *p, size_t len)
{
	const char *nl = p ? memchr(p, '\n', len) : NULL;
	struct profile *best = NULL;
	struct jobj obj;
	size_t i;

	memset(&obj, 0, sizeof(obj));
	if (nl && json_scan_object(p, (size_t)(nl - p), &obj) == 0)
		for (i = 0; i < n; i++)
			if (profile_detects_json(&all[i], &obj) && (!best || all[i].ndetect > best->ndetect))
				best = &all[i];
	jobj_free(&obj);
	return best;
}

void profile_explain_column(const struct profile *p, long i, char *fate, size_t cap)
{
	size_t off = 0;
	int k, j;

	fate[0] = '\0';
	for (k = 0; k < p->nrule; k++) {
		const struct prule *ru = &p->rule[k];
		int reads = (!ru->a.literal && ru->a.col == i) || (!ru->b.literal && ru->b.col == i);

		for (j = 0; j < ru->ncat; j++)
			reads |= !ru->cat[j].literal && ru->cat[j].col == i;
		if (reads && off < cap)
			off += (size_t)snprintf(fate + off, cap - off, "%s%s", off ? ", " : "-> ", profile_field_name(p, ru->field));
	}
	for (k = 0; k < p->nup; k++)
		if (p->up_col[k].col == i && off < cap)
			off += (size_t)snprintf(fate + off, cap - off, "%s%s events with count", off ? ", " : "-> ",
						p->up_type[k]);
	if (off < cap)
		snprintf(fate + off, cap - off, "%s",
			 !p->used[i] && p->carry ? (off ? "; carried as well" : "carried as it is")
			 : off ? "" : "dropped (carry none)");
}

/* A term as written: a path or column, or "text". */
static size_t put_term(char *o, size_t cap, const struct pterm *t)
{
	int n = snprintf(o, cap, t->literal ? "\"%.*s\"" : "%.*s", (int)t->len, t->text);

	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

void profile_explain_rule(const struct profile *p, int k, char *out, size_t cap)
{
	static const char *const fname[] = { "abs", "int", "lower", "number", "map", "prefix", "sign", "when" };
	const struct prule *r = &p->rule[k];
	size_t off;
	int j;

	off = (size_t)snprintf(out, cap, "%-10s <- ", profile_field_name(p, r->field));
	if (off >= cap)
		return;
	off += put_term(out + off, cap - off, &r->a);
	if (r->product && off + 3 < cap) {
		memcpy(out + off, " * ", 4);
		off += 3;
		off += put_term(out + off, cap - off, &r->b);
	}
	for (j = 0; j < r->ncat && off + 3 < cap; j++) {
		memcpy(out + off, " + ", 4);
		off += 3;
		off += put_term(out + off, cap - off, &r->cat[j]);
	}
	for (j = 0; j < r->nf && off + 3 < cap; j++)
		off += (size_t)snprintf(out + off, cap - off, " | %s", fname[r->f[j].kind]);
}
