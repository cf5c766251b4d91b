/*
 * libFuzzer target: import profiles. The input, split at its first NUL,
 * is a profile's text and a CSV record; the profile, if it parses, is bound
 * to a fixed header and applied to the record and to fixed ones; the record
 * is also read by a fixed profile that uses every function, and by a
 * spend profile; the input is also given to profile_pick_csv as a file's
 * first lines (title lines before a header). Properties: no
 * crash or sanitizer report; a profile either parses or says why with a
 * line; every event made is one JSON object per line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csvrec.h"
#include "json.h"
#include "profile.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed[] =
	"ts = a\nuser_id = b | int\ntype = c * d | sign -=refund,*=purchase\nrevenue = c * d | abs\n"
	"platform = e | lower | map ig=instagram,*=web\ncampaign = e | prefix x=y,*=z\npost_id = b | number\n"
	"medium = a | when type=refund\nskip e Total\n";
static const char spend_fixed[] =
	"makes spend\ntitle-lines 1\ndetect a,e\ndate = a\ncampaign = e | lower\nspend = c * d | number\ncurrency = \"EUR\"\n";
static const char header[] = "a,b,c,d,e";
static const char json_fixed[] =
	"ts = a.b.c\nuser_id = params.id\ntype = t | map x=view,*=click\nrevenue = params.v * e.f | abs\n"
	"campaign = \"c-\" + params.c + g | lower\n";

/* The record as a JSON object, through paths and GA4's event_params. */
static void apply_json(struct profile *p, const char *rec, size_t len)
{
	struct prow pr;
	struct jobj obj;
	struct buf objs = BUF_INIT, tmp = BUF_INIT;
	char why[200];
	long n;

	memset(&pr, 0, sizeof(pr));
	memset(&obj, 0, sizeof(obj));
	if (json_scan_object(rec, len, &obj) == 0) {
		pr.obj = &obj;
		n = profile_row(p, &pr, NULL, NULL, rec, len, &objs, &tmp, why);
		if (n > 0 && (objs.len == 0 || objs.p[objs.len - 1] != '\n'))
			abort();
	}
	jobj_free(&obj);
	prow_free(&pr);
	buf_free(&objs);
	buf_free(&tmp);
}
static const char *const rows[] = { "2024-01-01,17.0,3,2.5,IG", "x,,-1,0.10,Total", "\"q\"\"\",1,2,3," };

static void apply(struct profile *p, struct csvrec *hdr, long ncol, const char *rec, size_t len)
{
	struct csvrec row;
	struct prow pr;
	struct buf objs = BUF_INIT, tmp = BUF_INIT;
	char why[200];
	char *keys[5] = { "\"a\"", "\"b\"", "\"c\"", "\"d\"", "\"e\"" };
	size_t klens[5] = { 3, 3, 3, 3, 3 }, i;
	struct jobj o;
	long n;
	const char *s, *nl;

	memset(&o, 0, sizeof(o));
	memset(&pr, 0, sizeof(pr));
	pr.csv = &row;
	if (csvrec_init(&row, ',', '"') < 0)
		abort();
	if (profile_bind(p, hdr, ncol, why) == 0 && source_csv_record(&row, ',', rec, len, (size_t)ncol, why) > 0 &&
	    (n = profile_row(p, &pr, (const char *const *)keys, klens, rec, len, &objs, &tmp, why)) > 0) {
		for (i = 0, s = objs.p; i < (size_t)n; i++, s = nl + 1) {
			nl = memchr(s, '\n', objs.len - (size_t)(s - objs.p));
			if (!nl || json_scan_object(s, (size_t)(nl - s), &o) != 0)
				abort();
		}
	}
	jobj_free(&o);
	prow_free(&pr);
	buf_free(&objs);
	buf_free(&tmp);
	csvrec_free(&row);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nul = memchr(data, '\0', size);
	size_t tlen = nul ? (size_t)(nul - text) : size, k;
	const char *rec = nul ? nul + 1 : "";
	size_t rlen = nul ? size - tlen - 1 : 0;
	struct profile p, q;
	struct csvrec hdr;
	char why[200];
	long ncol;

	if (csvrec_init(&hdr, ',', '"') < 0 || (ncol = source_split_header(&hdr, ',', header, strlen(header), why)) < 0)
		abort();
	if (profile_parse(&p, "fuzz", text, tlen) == 0) {
		apply(&p, &hdr, ncol, rec, rlen);
		for (k = 0; k < 3; k++)
			apply(&p, &hdr, ncol, rows[k], strlen(rows[k]));
	} else if (!p.err[0])
		abort();	/* a profile refused says why */
	profile_free(&p);
	if (profile_parse(&q, "fixed", fixed, strlen(fixed)) != 0)
		abort();
	apply(&q, &hdr, ncol, rec, rlen);
	profile_free(&q);
	if (profile_parse(&q, "spend", spend_fixed, strlen(spend_fixed)) != 0)
		abort();
	apply(&q, &hdr, ncol, rec, rlen);
	if (profile_pick_csv(&q, 1, &hdr, text, size, ',') == &q &&
	    !profile_detects(&q, &hdr, (long)hdr.n))	/* picked: line 2 has a and e */
		abort();
	profile_free(&q);
	if (profile_parse(&q, "json", json_fixed, strlen(json_fixed)) != 0)
		abort();
	apply_json(&q, rec, rlen);
	profile_free(&q);
	csvrec_free(&hdr);
	return 0;
}
