# plaint: one non-recursive Makefile.
#   make            build ./plaint
#   make check      unit, SQL and end-to-end tests against real servers
#   make demo       throwaway PostgreSQL + Dovecot + SMTP sink, sample complaints
#   make asan       the same tests under AddressSanitizer and UBSan
#   make bench      figures (printed, never asserted)

PKGS      = glib-2.0 gio-2.0 gio-unix-2.0 gmime-3.0 libpq libpcre2-8 gnutls libetpan \
	    libxml-2.0 json-glib-1.0
CC       ?= cc
OPT      ?= -O2 -g
WERROR   ?=
SANITIZE ?=
CFLAGS   += -std=gnu11 $(OPT) -Wall -Wextra -Wformat=2 -Wshadow $(WERROR) \
	    -Iinclude $(shell pkg-config --cflags $(PKGS)) \
	    -DGW_VERSION='"$(VERSION)"'
# libetpan's .pc leaks Debian's -specs=no-pie-link.specs: keep it out.
LIBS     := $(shell pkg-config --libs $(PKGS) | sed 's/-specs=[^ ]*//g')
VERSION   = 0.1.0

ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# Where objects and binaries go: the tree itself by default, a directory
# of its own for the sanitizer build so that both can coexist.
BUILD  ?= .

MODULES = log config tls db store imap html mail rules thread quote ticket outbox ack \
	  decide smtp \
	  pipeline daemon inspect migrations
OBJS    = $(MODULES:%=$(BUILD)/gateway/%.o)
HEADERS = $(wildcard include/gw-*.h)
UNIT    = $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test-*.c))

all: $(BUILD)/plaint

$(BUILD)/plaint: $(OBJS) $(BUILD)/gateway/main.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/gateway/%.o: gateway/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# The SQL is compiled in, so `plaint db migrate` needs no data dir: the
# table migrations in order, then the code (types, functions, views; one
# file each; the row-level security policies, one file per table), which
# every migrate re-creates between prologue and epilogue.
SQL_MIGRATIONS = $(sort $(wildcard sql/migrations/*.sql))
SQL_CODE = sql/code/prologue.sql $(sort $(wildcard sql/code/types/*.sql)) \
	   $(sort $(wildcard sql/code/functions/*.sql)) \
	   $(sort $(wildcard sql/code/views/*.sql)) \
	   $(sort $(wildcard sql/code/policies/*.sql)) sql/code/epilogue.sql
gateway/migrations.c: $(SQL_MIGRATIONS) $(SQL_CODE) sql/embed.sh
	sh sql/embed.sh $(SQL_MIGRATIONS) -- $(SQL_CODE) > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/unit/%: tests/unit/%.c $(OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(OBJS) $(LIBS)

# Every header compiles on its own.
headertest: $(HEADERS)
	@for h in $(HEADERS); do \
	  printf '#include "%s"\n' $$(basename $$h) | \
	    $(CC) $(CFLAGS) -fsyntax-only -x c - || exit 1; done; echo "headers ok"

check: $(BUILD)/plaint $(UNIT) headertest
	PLAINT=$(BUILD)/plaint UNIT_DIR=$(BUILD)/tests/unit tests/run.sh

schema: $(BUILD)/plaint
	PLAINT=$(BUILD)/plaint tests/e2e/schema.sh --update

asan:
	$(MAKE) BUILD=build-asan SANITIZE=1 OPT='-O1 -g' check

$(BUILD)/tests/bench/bench: tests/bench/bench.c $(OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(OBJS) $(LIBS)

bench: $(BUILD)/plaint $(BUILD)/tests/bench/bench
	PLAINT=$(BUILD)/plaint BENCH=$(BUILD)/tests/bench/bench tests/bench.sh

# libFuzzer target for the parser: clang with ASan and UBSan.
FUZZ_SECONDS ?= 300
FUZZ_PKGS = glib-2.0 gmime-3.0 libxml-2.0
tests/fuzz/fuzz-parse: tests/fuzz/fuzz-parse.c gateway/mail.c gateway/html.c \
		include/gw-mail.h include/gw-html.h
	clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
		-Iinclude $(shell pkg-config --cflags $(FUZZ_PKGS)) -o $@ \
		tests/fuzz/fuzz-parse.c gateway/mail.c gateway/html.c \
		$(shell pkg-config --libs $(FUZZ_PKGS))

fuzz: tests/fuzz/fuzz-parse
	tests/fuzz/run.sh $(FUZZ_SECONDS)

demo: plaint
	packaging/demo/demo.sh $(DEMO_ARGS)

clean:
	rm -rf plaint gateway/*.o gateway/migrations.c build-asan \
		tests/bench/bench tests/fuzz/fuzz-parse \
		$(patsubst tests/unit/%.c,tests/unit/%,$(wildcard tests/unit/test-*.c))

.PHONY: all check asan bench demo clean headertest fuzz schema
