# oracled — the two commands a newcomer needs are `make run` and `make test`.
SWIFT     ?= swift
PREFIX    ?= /usr/local
DESTDIR   ?=
CONFIG    ?= oracles.toml
BUILD_DIR := .build/debug
FUZZ_SECONDS ?= 30
VERSION   ?= 0.1.0
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build run test demo replay-demo bench fuzz reliability install uninstall clean verify-unit docs man deb

all: build

# Installs the system packages the build needs, only when they are missing.
deps:
	@if ! pkg-config --exists libcurl 2>/dev/null || ! [ -e /usr/include/sqlite3.h ]; then \
	  echo "installing libcurl4-openssl-dev, libsqlite3-dev, pkg-config (needs apt-get)"; \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y libcurl4-openssl-dev libsqlite3-dev pkg-config; \
	fi

# Only what run/demo need; `make test` builds everything (tests included), `make bench` the benchmarks.
build: deps
	$(SWIFT) build --product oracled
	$(SWIFT) build --product oraclectl
	$(SWIFT) build --product fake-venue

# Starts the daemon in the foreground on oracles.toml, state under ./var.
run: build
	@mkdir -p var/run var/lib var/spool
	$(BUILD_DIR)/oracled run --config $(CONFIG)

# Suites run one after another: the end-to-end suites start real daemons and venues, and on a
# 2-core CI machine parallel suites starve each other's timers (about 1.5 minutes in all).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

# The whole path offline: a local fake venue, sample accounts, a venue misbehaving, a margin call.
demo: build
	./demo/run-demo.sh

# Replays the shipped tape of a misbehaving venue (docs/replay.md) into var/replay-demo: marks,
# verdicts, the notices demo/accounts.ndjson would get, and report.html. No network.
replay-demo: deps
	$(SWIFT) build --product oracled
	rm -rf var/replay-demo
	$(BUILD_DIR)/oracled replay demo/misbehaving.tape --config demo/replay.toml --accounts demo/accounts.ndjson --out var/replay-demo
	@echo "open var/replay-demo/report.html"

# Footprint first (release oracled on the fake venue's 2000 synthetic pairs, baseline 100; it saves the
# 2000-entry batch bodies the batch-parse figures read), then the in-process figures. The footprint line
# says whether the target (60 MB, 15 %, every mark right) was met; `--strict` would make a miss fail.
bench: deps
	$(SWIFT) build -c release --product oracled-bench
	$(SWIFT) build -c release --product oracled
	$(SWIFT) build -c release --product fake-venue
	rm -rf .build/bench-bodies
	python3 scripts/footprint-bench.py --bin .build/release --bodies-out .build/bench-bodies
	.build/release/oracled-bench --batch-bodies .build/bench-bodies
	python3 scripts/cluster-bench.py --bin .build/release

# libFuzzer + AddressSanitizer on every parser (FuzzTesting/): FUZZ_SECONDS per target, non-zero on any finding.
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) SWIFT=$(SWIFT) ./FuzzTesting/run-fuzz.sh

# Man pages (docs/*.1 *.5 *.8) and shell completions (contrib/completions/) from the argument
# definitions and ConfigKeys.swift; a test fails when the committed files are out of date.
MAN_PAGES   := docs/oraclectl.1 docs/oracles.toml.5 docs/oracled.8
COMPLETIONS := contrib/completions
docs: deps
	$(SWIFT) build --product oracled
	$(SWIFT) build --product oraclectl
	$(SWIFT) build --product oracled-docs
	$(BUILD_DIR)/oracled-docs --bin $(BUILD_DIR) --man docs --completions $(COMPLETIONS)
man: docs

# PREFIX for the binaries (default /usr/local); DESTDIR for staging (packages, tests).
install: deps
	$(SWIFT) build -c release --product oracled
	$(SWIFT) build -c release --product oraclectl
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)/etc/oracled $(DESTDIR)/lib/systemd/system \
	  $(DESTDIR)/usr/lib/sysusers.d $(DESTDIR)/usr/lib/tmpfiles.d $(DESTDIR)$(PREFIX)/share/doc/oracled
	install -m 0755 .build/release/oracled .build/release/oraclectl $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@DOCDIR@|$(PREFIX)/share/doc/oracled|g' systemd/oracled.service > $(DESTDIR)/lib/systemd/system/oracled.service
	chmod 0644 $(DESTDIR)/lib/systemd/system/oracled.service
	install -m 0644 systemd/oracled.sysusers $(DESTDIR)/usr/lib/sysusers.d/oracled.conf
	install -m 0644 systemd/oracled.tmpfiles $(DESTDIR)/usr/lib/tmpfiles.d/oracled.conf
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/oracled/README.md
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 0644 docs/oraclectl.1 $(DESTDIR)$(PREFIX)/share/man/man1/oraclectl.1
	install -m 0644 docs/oracles.toml.5 $(DESTDIR)$(PREFIX)/share/man/man5/oracles.toml.5
	install -m 0644 docs/oracled.8 $(DESTDIR)$(PREFIX)/share/man/man8/oracled.8
	install -m 0644 $(COMPLETIONS)/oracled.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/oracled
	install -m 0644 $(COMPLETIONS)/oraclectl.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/oraclectl
	install -m 0644 $(COMPLETIONS)/_oracled $(COMPLETIONS)/_oraclectl $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/
	install -m 0644 $(COMPLETIONS)/oracled.fish $(COMPLETIONS)/oraclectl.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/
	[ -e $(DESTDIR)/etc/oracled/oracles.toml ] || sed -e 's|^socket *=.*|socket    = "/run/oracled/oracled.sock"|' \
	  -e 's|^state_dir *=.*|state_dir = "/var/lib/oracled"|' -e 's|^spool_dir *=.*|spool_dir = "/var/spool/oracled"|' \
	  oracles.toml > $(DESTDIR)/etc/oracled/oracles.toml

# oracled_$(VERSION)-1_ARCH.deb in the repository root from the release binaries (needs dpkg-dev and
# patchelf; the README's "Debian package" says what is in it).
deb: deps
	$(SWIFT) build -c release --product oracled
	$(SWIFT) build -c release --product oraclectl
	VERSION=$(VERSION) ./scripts/build-deb.sh .build/release .

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/oracled $(DESTDIR)$(PREFIX)/bin/oraclectl $(DESTDIR)/lib/systemd/system/oracled.service \
	  $(DESTDIR)/usr/lib/sysusers.d/oracled.conf $(DESTDIR)/usr/lib/tmpfiles.d/oracled.conf
	rm -f $(DESTDIR)$(PREFIX)/share/man/man1/oraclectl.1 $(DESTDIR)$(PREFIX)/share/man/man5/oracles.toml.5 \
	  $(DESTDIR)$(PREFIX)/share/man/man8/oracled.8 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/oracled $(DESTDIR)$(PREFIX)/share/bash-completion/completions/oraclectl \
	  $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_oracled $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_oraclectl \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/oracled.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/oraclectl.fish

# Regenerates docs/reliability.md: fault, crash, abuse and operations suites plus every fuzzer.
reliability: deps
	python3 scripts/reliability-report.py --fuzz-seconds $${FUZZ_SECONDS:-30}

verify-unit:
	./systemd/verify.sh

clean:
	rm -rf .build var
