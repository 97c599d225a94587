# plaint: one non-recursive Makefile.
#   make            build ./plaint (installs nothing)
#   make check      unit, SQL and end-to-end tests against real servers
#   make demo       throwaway PostgreSQL + Dovecot + SMTP sink, sample complaints
#                   (check and demo first install missing Debian packages)
#   make asan       the same tests under AddressSanitizer and UBSan
#   make reliability    the fault tests at full length (about 20 minutes):
#                   kill -9, PostgreSQL restarts, slow and dying IMAP links,
#                   SMTP away, poison mail, looping robots, a 10-minute soak
#   make bench      figures (printed, never asserted)
#   make install    plaint, its config, rules, unit, sysusers file and man
#                   pages (PREFIX=/usr/local, SYSCONFDIR=/etc, DESTDIR)
#   make deb        a Debian package, plaint_VERSION_ARCH.deb, checked by lintian
#   make package-test   build the .deb, install it into a fresh Debian root, run it

# Sub-makes stay quiet about directories, so that the test summary is
# the last line of `make check` and `make asan`.
MAKEFLAGS += --no-print-directory

PKGS      = glib-2.0 gio-2.0 gio-unix-2.0 gmime-3.0 libpq libpcre2-8 gnutls libetpan \
	    libxml-2.0 json-glib-1.0 libsystemd libmicrohttpd
CC       ?= cc
OPT      ?= -O2 -g
WERROR   ?=
SANITIZE ?=
CFLAGS   += -std=gnu11 $(OPT) -Wall -Wextra -Wformat=2 -Wshadow $(WERROR) \
	    -Iinclude $(shell pkg-config --cflags $(PKGS)) \
	    -DGW_VERSION='"$(VERSION)"'
# libetpan's .pc leaks Debian's -specs=no-pie-link.specs: keep it out.
# Expanded when used, like CFLAGS, so that nothing asks pkg-config before
# `make check` or `make demo` has installed it.
LIBS      = $(shell pkg-config --libs $(PKGS) | sed 's/-specs=[^ ]*//g')
VERSION   = 0.1.0

ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# Where objects and binaries go: the tree itself by default, a directory
# of its own for the sanitizer build so that both can coexist.
BUILD  ?= .

MODULES = log config json tls stream db store imap html mail prefilter rules thread quote ticket outbox ack \
	  decide smtp status metrics survey \
	  pipeline daemon inspect migrations
OBJS    = $(MODULES:%=$(BUILD)/gateway/%.o)
HEADERS = $(wildcard include/gw-*.h)
UNIT    = $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test-*.c))

all: $(BUILD)/plaint

$(BUILD)/plaint: $(OBJS) $(BUILD)/gateway/main.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/gateway/%.o: gateway/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

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
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(OBJS) $(LIBS)

# Every header compiles on its own.
headertest: $(HEADERS)
	@for h in $(HEADERS); do \
	  printf '#include "%s"\n' $$(basename $$h) | \
	    $(CC) $(CFLAGS) -fsyntax-only -x c - || exit 1; done; echo "headers ok"

# On a fresh machine the packages must come before any compiling: check
# and demo install what is missing, then build and run in a new make.
deps:
	packaging/install-deps.sh

check: deps
	$(MAKE) run-tests

run-tests: $(BUILD)/plaint $(UNIT) headertest
	PLAINT=$(BUILD)/plaint UNIT_DIR=$(BUILD)/tests/unit tests/run.sh

# The fault tests of make check, at full length; each prints its figures.
RELIABILITY = kill9 outage slowlink smtpdown poison robot soak
reliability: deps
	$(MAKE) run-reliability

run-reliability: $(BUILD)/plaint
	PLAINT=$(BUILD)/plaint RUN_ONLY="$(RELIABILITY)" KILL_MESSAGES=5000 \
		OUTAGE_MODES="immediate fast" OUTAGE_SECONDS=60 \
		SLOW_SIZE=5000000 SLOW_RATE=250000 SMTP_DOWN_MESSAGES=100 \
		ROBOT_SECONDS=60 SOAK_SECONDS=600 tests/run.sh

schema: $(BUILD)/plaint
	PLAINT=$(BUILD)/plaint tests/e2e/schema.sh --update

asan:
	$(MAKE) BUILD=build-asan SANITIZE=1 OPT='-O1 -g' check

$(BUILD)/tests/bench/bench: tests/bench/bench.c $(OBJS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(OBJS) $(LIBS)

# The minimal write path: libpq alone, the yardstick for the ingest rate.
$(BUILD)/tests/bench/writepath: tests/bench/writepath.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(shell pkg-config --libs glib-2.0 libpq)

bench: $(BUILD)/plaint $(BUILD)/tests/bench/bench $(BUILD)/tests/bench/writepath
	PLAINT=$(BUILD)/plaint BENCH=$(BUILD)/tests/bench/bench \
		WRITEPATH=$(BUILD)/tests/bench/writepath tests/bench.sh

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

demo: deps
	$(MAKE) plaint
	packaging/demo/demo.sh $(DEMO_ARGS)

# Installation.  Files under SYSCONFDIR that exist already are an admin's
# and stay as they are.
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
SYSCONFDIR  ?= /etc
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
ETC          = $(DESTDIR)$(SYSCONFDIR)/plaint
MANPAGES     = packaging/plaint.8 packaging/plaint.conf.5 packaging/plaint-rules.5 \
	       packaging/plaint-sql.7

install: $(BUILD)/plaint
	install -d $(DESTDIR)$(BINDIR) $(ETC)/rules.d $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BUILD)/plaint $(DESTDIR)$(BINDIR)/plaint
	@set -e; for f in packaging/plaint.conf packaging/ack-default.txt packaging/survey-default.txt rules/*.rules; do \
	  case $$f in rules/*) to=$(ETC)/rules.d/$${f#rules/} ;; *) to=$(ETC)/$${f#packaging/} ;; esac; \
	  mode=0644; [ $$f != packaging/plaint.conf ] || mode=0640; \
	  if [ -e $$to ]; then echo "kept $$to"; continue; fi; \
	  sed 's|/etc/plaint/|$(SYSCONFDIR)/plaint/|g' $$f > $$to.tmp; \
	  chmod $$mode $$to.tmp; mv $$to.tmp $$to; echo "installed $$to"; done
	sed -e 's|/usr/bin/plaint|$(BINDIR)/plaint|g' -e 's|/etc/plaint/|$(SYSCONFDIR)/plaint/|g' \
		packaging/plaint.service > $(DESTDIR)$(UNITDIR)/plaint.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/plaint.service
	install -m 0644 packaging/plaint.sysusers $(DESTDIR)$(SYSUSERSDIR)/plaint.conf
	install -m 0644 packaging/plaint.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 packaging/plaint.conf.5 packaging/plaint-rules.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 packaging/plaint-sql.7 $(DESTDIR)$(MANDIR)/man7/

# The package is built from a copy with packaging/debian as its debian/,
# so that the tree itself keeps no debian/ directory.
DEB_BUILD = build-deb
DEB_ARCH  = $(shell dpkg --print-architecture)
DEB_FILE  = plaint_$(VERSION)_$(DEB_ARCH).deb

deb:
	packaging/install-deps.sh package
	rm -rf $(DEB_BUILD)
	mkdir -p $(DEB_BUILD)/plaint-$(VERSION)
	cp -r Makefile README.md gateway include sql rules packaging \
		$(DEB_BUILD)/plaint-$(VERSION)/
	cp -r packaging/debian $(DEB_BUILD)/plaint-$(VERSION)/debian
	$(MAKE) -C $(DEB_BUILD)/plaint-$(VERSION) clean > /dev/null
	cd $(DEB_BUILD)/plaint-$(VERSION) && dpkg-buildpackage -us -uc -b
	cp $(DEB_BUILD)/$(DEB_FILE) .
	lintian --fail-on error $(DEB_BUILD)/plaint_$(VERSION)_$(DEB_ARCH).changes
	@echo "built $(DEB_FILE)"

package-test: deb
	tests/package.sh $(DEB_FILE)

clean:
	rm -rf plaint gateway/*.o gateway/migrations.c build-asan \
		tests/bench/bench tests/bench/writepath tests/fuzz/fuzz-parse \
		$(DEB_BUILD) plaint_*.deb \
		$(patsubst tests/unit/%.c,tests/unit/%,$(wildcard tests/unit/test-*.c))

.PHONY: all deps check run-tests asan bench demo install deb package-test clean \
	headertest fuzz schema
