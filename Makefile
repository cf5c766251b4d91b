# vchain - social media value chain filters.
#   make            build every filter into build/
#   make check      the whole test suite (plain, then ASan+UBSan), ends "N passed, N failed"
#   make demo       build, generate a sample, run the pipeline, print the reports
#   make bench      benchmark against jq, Miller, mawk, DuckDB (BENCH_EVENTS=...), then scaling with -j,
#                   then the instructions -j 1 2 4 16 64 take (valgrind)
#   make fuzz       libFuzzer targets for a fixed time (FUZZ_SECONDS=...)
#   make tsan       the suite under ThreadSanitizer (build/tsan/): any data race fails it (CI runs it)
#   make soak       1M, 10M, 100M events through the pipeline, merge and sort (SOAK_EVENTS=...)
#   make install PREFIX=/usr/local
#   make deps       install missing Debian packages (apt-get, as root)
#   SANITIZE=address,undefined builds into build/san/ instead.

CC      ?= cc
PREFIX  ?= /usr/local
OPT     ?= -O2 -g
CSTD     = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(CI),true)
WERROR  ?= 1
endif
ifeq ($(WERROR),1)
WARN    += -Werror
endif

# Link-time optimisation: the hot paths cross modules of filters/lib (a
# record reduced in rec.c, its group found in group.c), and LTO inlines them
# as one file would (callgrind: 2-6 % fewer instructions per record).
LTO     ?= -flto=auto
ifneq ($(SANITIZE),)
B        = build/san
SANFLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LTO      =
else
B        = build
SANFLAGS =
endif

# ISA-L's inflate when its headers are installed (libisal-dev); NO_ISAL=1 forces zlib only.
ifeq ($(NO_ISAL),)
HAVE_ISAL := $(shell test -f /usr/include/isa-l/igzip_lib.h && echo 1)
endif
ifeq ($(HAVE_ISAL),1)
ISAL_CFLAGS = -DHAVE_ISAL
ISAL_LIBS   = -lisal
endif

CPPFLAGS += -I$(B)/gen -Ifilters/lib $(ISAL_CFLAGS)
ALL_CFLAGS = $(CSTD) $(OPT) $(LTO) $(WARN) $(SANFLAGS) $(CFLAGS)
LDLIBS  = -lcsv -lxxhash -llz4 -lz $(ISAL_LIBS) -lpthread -lm
ALL_LDFLAGS = $(LTO) $(SANFLAGS) $(LDFLAGS)

FILTERS  = $(patsubst filters/%.c,%,$(wildcard filters/vchain-*.c))
PROGS    = $(addprefix $(B)/,$(FILTERS))
LIB_SRC  = $(wildcard filters/lib/*.c)
LIB_OBJ  = $(patsubst filters/lib/%.c,$(B)/lib/%.o,$(LIB_SRC))
GEN      = $(B)/gen/fields.h $(B)/gen/field_defs.h $(B)/gen/vocab_tables.h $(B)/gen/stage_map.h \
	   $(B)/gen/platform_ids.h $(B)/gen/report_tables.h $(B)/gen/profiles.h
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNITS    = $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
MANS     = $(wildcard filters/vchain-*.1)

.PHONY: all check check-plain check-san unit demo readme-chart bench fuzz fuzz-check tsan soak install deps clean valgrind
.SECONDARY:

all: $(PROGS)

$(B)/gen/fields.h: schemas/event-fields.tsv scripts/gen-tables.sh
	@mkdir -p $(@D)
	sh scripts/gen-tables.sh fields schemas > $@.tmp && mv $@.tmp $@
$(B)/gen/field_defs.h: schemas/event-fields.tsv scripts/gen-tables.sh
	@mkdir -p $(@D)
	sh scripts/gen-tables.sh field-defs schemas > $@.tmp && mv $@.tmp $@
$(B)/gen/stage_map.h: schemas/stages.tsv scripts/gen-tables.sh
	@mkdir -p $(@D)
	sh scripts/gen-tables.sh stages schemas > $@.tmp && mv $@.tmp $@
# the directory too: a profile taken away changes it, and no file left is newer
$(B)/gen/profiles.h: schemas/profiles $(wildcard schemas/profiles/*.profile) scripts/gen-tables.sh
	@mkdir -p $(@D)
	sh scripts/gen-tables.sh profiles schemas > $@.tmp && mv $@.tmp $@
$(B)/gen/report_tables.h: schemas/report-types.tsv schemas/benchmarks.tsv schemas/rfm-segments.tsv scripts/gen-tables.sh
	@mkdir -p $(@D)
	sh scripts/gen-tables.sh reports schemas > $@.tmp && mv $@.tmp $@
$(B)/gen/platform_ids.h: schemas/platforms.tsv scripts/gen-tables.sh
	@mkdir -p $(@D)
	sh scripts/gen-tables.sh platform-ids schemas > $@.tmp && mv $@.tmp $@
$(B)/gen/vocab_tables.h: schemas/platforms.tsv schemas/event-types.tsv schemas/csv-headers.tsv \
		schemas/referrers.tsv schemas/click-ids.tsv schemas/assets.tsv schemas/bots.tsv scripts/gen-tables.sh
	@mkdir -p $(@D)
	sh scripts/gen-tables.sh vocab schemas > $@.tmp && mv $@.tmp $@

$(B)/lib/%.o: filters/lib/%.c $(GEN) $(wildcard filters/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# event.c's normaliser was tuned instruction by instruction without LTO, which
# lays its inlined JSON walk out worse (callgrind: +2.5 % on canonical NDJSON)
$(B)/lib/event.o: LTO =

$(B)/libvchain.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/vchain-%: filters/vchain-%.c $(B)/libvchain.a $(GEN) $(wildcard filters/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Ifilters -o $@ $< $(B)/libvchain.a $(ALL_LDFLAGS) $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libvchain.a $(GEN) $(wildcard filters/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(B)/libvchain.a $(ALL_LDFLAGS) $(LDLIBS) -lcmocka

# An LD_PRELOAD library that makes allocations fail, for tests of every path out of memory.
$(B)/tests/failalloc.so: tests/faults/failalloc.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_DEFAULT_SOURCE -O1 -g -Wall -Wextra -fPIC -shared -o $@ $<

# For make bench: a file into a pipe by splice(2), no copy (tests/bench/splicecat.c);
# GNU time's -f/-o to the millisecond (tests/bench/timeit.c).
BENCH_TOOLS = $(B)/tests/splicecat $(B)/tests/timeit
$(BENCH_TOOLS): $(B)/tests/%: tests/bench/%.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 $(WARN) -o $@ $<

unit: $(UNITS) $(if $(SANITIZE),,$(B)/tests/failalloc.so $(B)/tests/timeit)

# The suite: unit tests and CLI tests, then the same under ASan+UBSan.
# make check builds with a job per CPU unless given -j; on a machine of
# 2 CPUs or more run.sh runs the plain and the sanitized suite at once, in
# two runs a CPU taking their tests from one queue (make tsan's one suite
# too)
CHECK_J = $$(case " $(MAKEFLAGS) " in *" -j"*|*--jobserver*) ;; *) echo "-j$$(nproc 2> /dev/null || echo 1)" ;; esac)
check:
	@sh scripts/deps.sh check
	$(MAKE) --no-print-directory $(CHECK_J) all unit
	$(MAKE) --no-print-directory $(CHECK_J) all unit SANITIZE=address,undefined
	@ASAN_OPTIONS=detect_stack_use_after_return=1 sh tests/run.sh build build/san
	@$(MAKE) --no-print-directory $(CHECK_J) fuzz-check

check-plain: all unit
	@sh tests/run.sh $(B)

valgrind: all unit
	@VALGRIND=1 sh tests/run.sh $(B)

demo: deps all
	@sh scripts/demo.sh $(B)

# the long run: 1M, 10M and 100M events through the pipeline, partial/merge and sort (SOAK_EVENTS="...")
soak: all
	@sh scripts/soak.sh $(B) $(SOAK_EVENTS)

bench: all $(BENCH_TOOLS)
	@sh scripts/deps.sh bench
	@sh tests/bench/bench.sh $(B)
	@sh tests/bench/scaling.sh $(B)
	@sh tests/bench/overhead.sh $(B)

FUZZ_SECONDS ?= 60
FUZZ_TARGETS = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS = $(CSTD) -g -O1 -Ibuild/gen -Ifilters/lib $(ISAL_CFLAGS)
# the library once, instrumented; each target links it
build/fuzz/lib/%.o: filters/lib/%.c $(GEN) $(wildcard filters/lib/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<
build/fuzz/libvchain.a: $(patsubst filters/lib/%.c,build/fuzz/lib/%.o,$(LIB_SRC))
	rm -f $@
	ar rcs $@ $^
build/fuzz/%: tests/fuzz/%.c build/fuzz/libvchain.a
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< build/fuzz/libvchain.a $(LDLIBS)
fuzz: $(GEN)
	@$(MAKE) --no-print-directory B=build $(FUZZ_TARGETS)
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)
# make check's share: each target over its seeds and for FUZZ_CHECK_SECONDS more
FUZZ_CHECK_SECONDS ?= 5
fuzz-check: $(GEN)
	@$(MAKE) --no-print-directory B=build $(FUZZ_TARGETS)
	@sh tests/fuzz/run.sh $(FUZZ_CHECK_SECONDS) $(FUZZ_TARGETS)

# The suite under ThreadSanitizer: a race between a filter's threads fails
# it even where the output came out right. Each report is kept in
# build/tsan/reports/ (a pipeline's left side may exit 66 unseen). Not in
# make check: 11 to 22 minutes on 2 CPUs, its tests taken from one queue
# by two runs a CPU, the scripts' tests skipped as under ASan. .ci/run
# runs it after make check.
TSAN_TIMEOUT ?= 1800
tsan:
	@sh scripts/deps.sh check
	$(MAKE) --no-print-directory $(CHECK_J) all unit SANITIZE=thread B=build/tsan
	@rm -rf build/tsan/reports && mkdir -p build/tsan/reports
	@TSAN_OPTIONS="log_path=$(CURDIR)/build/tsan/reports/race second_deadlock_stack=1" \
	 TEST_TIMEOUT=$(TSAN_TIMEOUT) sh tests/run.sh build/tsan; st=$$?; \
	 n=$$(ls build/tsan/reports | wc -l); \
	 if [ "$$n" -gt 0 ]; then head -n 60 build/tsan/reports/*; echo "tsan: $$n reports in build/tsan/reports/"; exit 1; fi; \
	 exit $$st

install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(MANS) $(DESTDIR)$(PREFIX)/share/man/man1/
	mkdir -p $(DESTDIR)$(PREFIX)/share/vchain
	install -m 755 scripts/vchain-parallel scripts/vchain-report $(DESTDIR)$(PREFIX)/bin/
	install -m 644 scripts/vchain-report.jq scripts/vchain-report-html.jq scripts/vchain-report-md.jq \
		scripts/vchain-format.jq $(DESTDIR)$(PREFIX)/share/vchain/

# the README's chart: vchain-report's funnel on the demo's sample
readme-chart: all
	sh scripts/demo.sh $(B) > /dev/null
	cp $(B)/demo/report/funnel.svg scripts/vchain-report-funnel.svg

deps:
	@sh scripts/deps.sh

clean:
	rm -rf build
