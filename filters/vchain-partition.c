/*
 * vchain-partition - cut NDJSON records into N files by the hash of a key,
 * each record written byte for byte, in input order within each file: the
 * shuffle of a map-shuffle-reduce (scripts/vchain-parallel).
 *
 * Worker threads find each line's key and route the line to its part
 * (par_set_parts); part q owns output file q and writes (or compresses)
 * its lines of each chunk in input order, one thread at a time, so N files
 * are written and compressed on all threads at once and the commit step
 * only counts. The part of a key is the high bits of the 128-bit XXH3 hash
 * of its values (strings decoded, each with its JSON type), as
 * vchain-dedupe hashes keys: the same key goes to the same part on every
 * machine and run. With --keyed it writes every record to stdout after its
 * key's hash and a tab instead: a Hadoop Streaming mapper's output.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cli.h"
#include "lib/diag.h"
#include "lib/drive.h"
#include "lib/gzout.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/out.h"
#include "lib/par.h"

#define MAX_KEYS 16
_Static_assert(MAX_KEYS <= JSON_LINE_KEY_MAX, "json_record_key takes at most JSON_LINE_KEY_MAX fields");
#define MAX_FILES PAR_MAX_PARTS

struct opts {
	const char *keys[MAX_KEYS];
	size_t key_len[MAX_KEYS];
	unsigned nkeys;
	struct jpick pick;	/* the -k fields, as json_line_key takes them */
	unsigned n;		/* -n: files */
	unsigned missing;	/* --missing: the file of records without the key */
	const char *templ;	/* -o: a name with one %d */
	int gzip;		/* the names end in .gz */
	int keyed;		/* --keyed: HASH<tab>RECORD to stdout, no files */
	int stats;
	struct drive d;
};

/* A record in a chunk, as the worker hands it to its part. */
struct prec {
	const char *line;	/* in the chunk's input, which lives until the chunk is committed */
	uint32_t len;		/* with its '\n' */
	uint8_t keyless;
};

/* Output file q, written by part q alone. */
struct file {
	char *name;
	struct out out;
	struct gzout *gz;
	uint64_t records, keyless, bytes;
	int err;		/* a write failed (out.err says why), or memory (0 there) */
};

struct worker {
	const struct opts *o;
	struct jobj obj;
	struct buf kbuf, tmp;
};

struct run {
	const struct opts *o;
	struct drive *d;
	struct file *files;
	void **pctx;
	uint64_t written;	/* records written, to the files or (--keyed) to stdout */
};

static void usage(FILE *f)
{
	fputs("usage: vchain-partition [-h] [--version] (-n N -o TEMPLATE | --keyed)\n"
	      "                        [-k FIELD[,FIELD...]] [--missing K] [--stats]\n"
	      "                        [--rejects FILE [--max-rejects N|P%]] [-j N]\n"
	      "                        [--max-line SIZE] [FILE ...]\n"
	      "\n"
	      "Write each record, byte for byte, to file hash(key) mod N, in input order\n"
	      "within each file: the shuffle step of vchain-parallel.\n"
	      "\n"
	      "  -n, --parts N         the number of files (1 to 4096)\n"
	      "  -o, --output TEMPLATE  their names, with %d for the file's number from 0,\n"
	      "                        e.g. parts/part-%d.ndjson; ending in .gz: gzip\n"
	      "  -k, --key FIELDS      the fields whose values pick the file (default user_id)\n"
	      "      --missing K       the file of records without the key (default 0)\n"
	      "      --keyed           no files: each record to stdout after its key's hash\n"
	      "                        and a tab (a Hadoop Streaming mapper's output)\n"
	      "      --stats           records and bytes per file (stderr)\n"
	      DRIVE_REJECTS_HELP, f);
	cli_help_threads(f);
	fputs("      --max-line SIZE   longest line accepted (default 16M)\n"
	      "  -h, --help            this help\n"
	      "      --version         version\n"
	      "\n"
	      "Exit status: 0 success, 1 bad data or I/O error, 2 usage error.\n"
	      "See vchain-partition(1).\n", f);
}

/* TEMPLATE has exactly one %d, and no other % but %%. */
static int good_template(const char *s)
{
	int d = 0;

	for (; *s; s++) {
		if (*s != '%')
			continue;
		if (s[1] == '%') {
			s++;
			continue;
		}
		if (s[1] != 'd')
			return 0;
		d++;
		s++;
	}
	return d == 1;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_MISSING = 256, OPT_STATS, OPT_KEYED };
	static const struct option longopts[] = {
		{ "parts", required_argument, NULL, 'n' },
		{ "key", required_argument, NULL, 'k' },
		{ "missing", required_argument, NULL, OPT_MISSING },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "keyed", no_argument, NULL, OPT_KEYED },
		DRIVE_REJECTS_LONGOPTS,
		DRIVE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	char *tok, *save;
	unsigned long long v;
	int c, k, have_missing = 0;
	size_t n;

	memset(o, 0, sizeof(*o));
	if (drive_init(&o->d) < 0)
		return -1;
	o->d.json_lines = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:k:o:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (cli_parse_number(optarg, 1, MAX_FILES, &v) < 0) {
				diag("-n: '%s' is not a number from 1 to %d", optarg, MAX_FILES);
				return -1;
			}
			o->n = (unsigned)v;
			break;
		case 'k':
			o->nkeys = 0;
			for (tok = strtok_r(optarg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				if (o->nkeys == MAX_KEYS) {
					diag("--key: at most %d fields", MAX_KEYS);
					return -1;
				}
				o->keys[o->nkeys] = tok;
				o->key_len[o->nkeys++] = strlen(tok);
			}
			if (!o->nkeys) {
				diag("--key: expected FIELD[,FIELD...]");
				return -1;
			}
			break;
		case 'o':
			o->templ = optarg;
			break;
		case OPT_MISSING:
			if (cli_parse_number(optarg, 0, MAX_FILES - 1, &v) < 0) {
				diag("--missing: '%s' is not a file number", optarg);
				return -1;
			}
			o->missing = (unsigned)v;
			have_missing = 1;
			break;
		case OPT_STATS: o->stats = 1; break;
		case OPT_KEYED: o->keyed = 1; break;
		default:
			if ((k = drive_take_option(&o->d, c, optarg, argv, usage)) <= 0)
				return k;
		}
	}
	if (o->keyed && (o->n || o->templ || have_missing)) {
		diag("--keyed writes to stdout: no -n, -o or --missing with it");
		return -1;
	}
	if (o->keyed)
		goto keys;
	if (!o->n || !o->templ) {
		diag("-n N and -o TEMPLATE are needed, or --keyed (vchain-partition --help)");
		return -1;
	}
	if (!good_template(o->templ)) {
		diag("-o: '%s' needs one %%d, for the file's number (parts/part-%%d.ndjson)", o->templ);
		return -1;
	}
	if (have_missing && o->missing >= o->n) {
		diag("--missing: %u is not a file of 0 to %u", o->missing, o->n - 1);
		return -1;
	}
	n = strlen(o->templ);
	o->gzip = n > 3 && !strcmp(o->templ + n - 3, ".gz");
keys:
	if (!o->nkeys) {
		o->keys[0] = "user_id";
		o->key_len[0] = 7;
		o->nkeys = 1;
	}
	json_pick_init(&o->pick, o->keys, o->key_len, o->nkeys);
	o->d.output = NULL;	/* -o is the template, never the output */
	return optind;
}

/* In a worker: the line's file, from its key. */
static int route_line(void *ctx, const char *line, size_t len, const struct scan_marks *marks,
		      struct buf *out, char *why)
{
	struct worker *w = ctx;
	const struct opts *o = w->o;
	struct prec r;
	unsigned q;
	int k;

	if ((k = json_line_key(&w->obj, line, len, marks, &o->pick, &w->kbuf, &w->tmp,
			       why)) < 0)
		return k == -1 ? -1 : -2;
	r.keyless = !k;
	if (o->keyed) {
		/* the hash's high half in hex (nothing for no key), a tab, the record */
		uint64_t h = r.keyless ? 0 : hash128(w->kbuf.p, w->kbuf.len).hi;
		char hex[17];

		if (len && line[len - 1] == '\r')
			len--;
		snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)h);
		if ((!r.keyless && buf_add(out, hex, 16) < 0) || buf_addc(out, '\t') < 0 || buf_add(out, line, len) < 0 ||
		    buf_addc(out, '\n') < 0)
			return -2;
		return 0;
	}
	q = r.keyless ? o->missing : par_part_of(hash128(w->kbuf.p, w->kbuf.len).hi, o->n);
	r.line = line;
	r.len = (uint32_t)len + 1;	/* the chunk's lines end in '\n' */
	if (buf_add(out, &r, sizeof(r)) < 0)
		return -2;
	return PAR_PART + (int)q;
}

static int put(struct file *f, const char *p, size_t n)
{
	return f->gz ? gzout_write(f->gz, p, n) : out_write(&f->out, p, n);
}

/* Part q: its lines of a chunk, in input order, into file q. */
static int write_part(void *ctx, struct par_chunk *c, const uint32_t *offs, size_t n)
{
	struct file *f = ctx;
	struct prec r;
	size_t i, len;

	for (i = 0; i < n && !f->err; i++) {
		memcpy(&r, c->out.p + offs[i], sizeof(r));
		len = r.len;
		if (len >= 2 && r.line[len - 2] == '\r') {
			/* a CRLF line end is a line end, no part of the record: written as '\n' */
			if (put(f, r.line, len - 2) < 0 || put(f, "\n", 1) < 0)
				f->err = 1;
			len--;
		} else if (put(f, r.line, len) < 0)	/* the chunk's line, with its '\n' */
			f->err = 1;
		f->records++;
		f->keyless += r.keyless;
		f->bytes += len;
	}
	return f->err ? -2 : 0;
}

static void say_write_error(const struct file *f)
{
	if (f->out.err)
		diag("%s: write error: %s", f->name, strerror(f->out.err));
	else
		diag("%s: out of memory compressing", f->name);
}

static int commit(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct run *r = ctx;
	unsigned q;

	r->written += c->written;
	if (r->o->keyed && par_chunk_write(c, &r->d->out) < 0)
		return r->d->stop = -1;	/* drive_close says why */
	for (q = 0; !r->o->keyed && c->fatal && q < r->o->n; q++)
		if (r->files[q].err) {
			say_write_error(&r->files[q]);
			return r->d->stop = -1;
		}
	return drive_chunk_done(r->d, c, first_line);
}

static int worker_init(void *ctx, void *o)
{
	((struct worker *)ctx)->o = o;
	return 0;
}

static void worker_done(void *ctx)
{
	struct worker *w = ctx;

	jobj_free(&w->obj);
	buf_free(&w->kbuf);
	buf_free(&w->tmp);
}

/* Open the N files (all of them, so that an empty part is an empty file). EXIT_OK or EXIT_DATA. */
static int open_files(struct run *r)
{
	const struct opts *o = r->o;
	unsigned q;
	int n;

	for (q = 0; q < o->n; q++) {
		struct file *f = &r->files[q];

		n = snprintf(NULL, 0, o->templ, (int)q);
		if (n < 0 || !(f->name = malloc((size_t)n + 1))) {
			diag("out of memory");
			return EXIT_DATA;
		}
		snprintf(f->name, (size_t)n + 1, o->templ, (int)q);
		if (out_open_path(&f->out, f->name) < 0) {
			diag("%s: cannot open: %s", f->name, strerror(errno));
			return EXIT_DATA;
		}
		if (o->gzip && !(f->gz = gzout_new(&f->out))) {
			diag("out of memory");
			return EXIT_DATA;
		}
		r->pctx[q] = f;
	}
	return EXIT_OK;
}

/* Finish and close every file. The status so far, or EXIT_DATA after a message. */
static int close_files(struct run *r, int status)
{
	unsigned q;

	for (q = 0; q < r->o->n; q++) {
		struct file *f = &r->files[q];

		if (!f->name)
			continue;
		if (f->out.buf) {
			if (status == EXIT_OK && !f->err && f->gz && gzout_finish(f->gz) < 0)
				f->err = 1;
			if (status == EXIT_OK && f->err) {
				say_write_error(f);
				status = EXIT_DATA;
			}
			if (cli_close_out(&f->out) != EXIT_OK)
				status = EXIT_DATA;
		}
		gzout_free(f->gz);
		f->gz = NULL;
	}
	return status;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct run r;
	uint64_t keyless = 0;
	unsigned q;
	int first, status;

	cli_start(argv[0]);
	first = parse_args(argc, argv, &o);
	if (first <= 0)
		return cli_args_status(first);
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.d = &o.d;
	r.files = calloc(o.n ? o.n : 1, sizeof(*r.files));
	r.pctx = calloc(o.n ? o.n : 1, sizeof(*r.pctx));
	if (!r.files || !r.pctx) {
		diag("out of memory");
		return EXIT_DATA;
	}
	status = o.keyed ? EXIT_OK : open_files(&r);
	if (status == EXIT_OK) {
		if (!o.keyed) {
			o.d.parts = o.n;
			o.d.part_fn = write_part;
			o.d.pctx = r.pctx;
			o.d.output = "/dev/null";	/* nothing goes to standard output */
		}
		status = drive_start(&o.d, route_line, sizeof(struct worker), worker_init, &o, worker_done);
	}
	if (status == EXIT_OK)
		status = drive_inputs(&o.d, argv + first, argc - first, commit, NULL, NULL, &r);
	status = close_files(&r, status);
	if (o.stats && o.keyed)
		diag("written %llu; rejected %llu", (unsigned long long)r.written, (unsigned long long)o.d.rejected);
	else if (o.stats) {
		for (q = 0; q < o.n; q++) {
			diag("%s: %llu records, %llu bytes", r.files[q].name ? r.files[q].name : "?",
			     (unsigned long long)r.files[q].records, (unsigned long long)r.files[q].bytes);
			keyless += r.files[q].keyless;
		}
		diag("written %llu, of them without the key %llu (in file %u); rejected %llu",
		     (unsigned long long)r.written, (unsigned long long)keyless, o.missing,
		     (unsigned long long)o.d.rejected);
		drive_say_blank(&o.d);
	}
	status = drive_close(&o.d, status);
	for (q = 0; q < o.n; q++)
		free(r.files[q].name);
	free(r.files);
	free(r.pctx);
	return status;
}
