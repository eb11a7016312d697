#!/usr/bin/env bash
# scripts/build-deb.sh BINDIR [OUTDIR] — builds oracled_VERSION_ARCH.deb from the binaries in BINDIR
# (.build/release for `make deb`; the package test passes .build/debug to keep CI short).
#
# The Swift runtime is not a Debian package: the libswift*/Foundation/dispatch libraries the binaries
# load from the toolchain are bundled into /usr/lib/oracled, and the binaries' RUNPATH is rewritten
# to that directory with patchelf (one copy shared by oracled and oraclectl; `-static-stdlib` would
# mean a second full release build and the runtime twice, once in each binary). Everything else
# (libc, libcurl, libsqlite3, libstdc++) comes from Debian; Depends is computed by dpkg-shlibdeps.
#
# Environment: VERSION (default 0.1.0), DEB_REVISION (1), DEB_COMPRESSION (xz; gzip is faster for
# tests), DEB_COMPRESSION_LEVEL (the compressor's default), SOURCE_DATE_EPOCH (default: the last
# commit's date, so two builds give the same files).
set -euo pipefail

usage() { echo "usage: $0 BINDIR [OUTDIR]" >&2; exit 2; }
[ $# -ge 1 ] || usage
repo=$(cd "$(dirname "$0")/.." && pwd)
bindir=$(cd "$1" && pwd)
outdir=$(cd "${2:-$repo}" && pwd)
for b in oracled oraclectl; do
    [ -x "$bindir/$b" ] || { echo "$0: $bindir/$b is missing: build it first (swift build -c release --product $b)" >&2; exit 1; }
done
for tool in dpkg-deb dpkg-shlibdeps patchelf; do
    command -v "$tool" >/dev/null || { echo "$0: $tool is missing: apt-get install dpkg-dev patchelf" >&2; exit 1; }
done

version=${VERSION:-0.1.0}-${DEB_REVISION:-1}
arch=$(dpkg --print-architecture)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}
maintainer="oracled maintainers <maintainers@users.noreply.b-seed-4821bb49.example>"
deb="$outdir/oracled_${version}_${arch}.deb"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root/DEBIAN"
d() { install -d -m 0755 "$root/$1"; }
f() { install -D -m "$1" "$2" "$root/$3"; }

# Binaries, stripped (the debug build's DWARF is most of its size), and the Swift runtime they load.
d usr/bin; d usr/lib/oracled
for b in oracled oraclectl; do
    install -m 0755 "$bindir/$b" "$root/usr/bin/$b"
    strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/$b"
done
toolchain_libs() {   # the shared objects ldd resolves outside the system library directories
    ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | grep -v -E '^/(usr/)?lib(64)?/' | sort -u
}
libs=$(toolchain_libs "$bindir/oracled" "$bindir/oraclectl")
[ -n "$libs" ] || echo "$0: note: no toolchain libraries to bundle (a static-stdlib build?)" >&2
for l in $libs; do
    install -m 0644 "$l" "$root/usr/lib/oracled/"
    strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/lib/oracled/$(basename "$l")"
done
for b in oracled oraclectl; do patchelf --set-rpath /usr/lib/oracled "$root/usr/bin/$b"; done
for l in "$root"/usr/lib/oracled/*.so*; do [ -e "$l" ] && patchelf --set-rpath '$ORIGIN' "$l"; done
# Every library the bundle needs must be in the bundle or on the system: fail here, not on a server.
missing=$(LD_LIBRARY_PATH="$root/usr/lib/oracled" ldd "$root"/usr/bin/* "$root"/usr/lib/oracled/*.so* 2>/dev/null | grep 'not found' || true)
[ -z "$missing" ] || { echo "$0: unresolved libraries in the package:" >&2; echo "$missing" >&2; exit 1; }

# systemd: the daemon's unit with Debian's paths, the notify units, sysusers and tmpfiles entries.
d lib/systemd/system
sed -e 's|@BINDIR@|/usr/bin|g' -e 's|@DOCDIR@|/usr/share/doc/oracled|g' "$repo/systemd/oracled.service" > "$root/lib/systemd/system/oracled.service"
sed -e 's|@LIBEXECDIR@|/usr/libexec/oracled|g' "$repo/contrib/systemd/oracled-notify@.service" > "$root/lib/systemd/system/oracled-notify@.service"
install -m 0644 "$repo/contrib/systemd/oracled-notify.path" "$root/lib/systemd/system/"
chmod 0644 "$root"/lib/systemd/system/*
f 0644 "$repo/systemd/oracled.sysusers" usr/lib/sysusers.d/oracled.conf
f 0644 "$repo/systemd/oracled.tmpfiles" usr/lib/tmpfiles.d/oracled.conf
f 0755 "$repo/contrib/systemd/oracled-notify" usr/libexec/oracled/oracled-notify

# Configuration (conffiles): the sample with the packaged daemon's paths, as `make install` writes it.
d etc/oracled
sed -e 's|^socket *=.*|socket    = "/run/oracled/oracled.sock"|' \
    -e 's|^state_dir *=.*|state_dir = "/var/lib/oracled"|' -e 's|^spool_dir *=.*|spool_dir = "/var/spool/oracled"|' \
    "$repo/oracles.toml" > "$root/etc/oracled/oracles.toml"
chmod 0644 "$root/etc/oracled/oracles.toml"
f 0644 "$repo/contrib/systemd/oracled-notify.default" etc/default/oracled-notify
printf '/etc/default/oracled-notify\n/etc/oracled/oracles.toml\n' > "$root/DEBIAN/conffiles"

# Man pages and shell completions, when the docs have them (generated from the argument definitions).
for page in docs/oracled.8 docs/oraclectl.1 docs/oracles.toml.5; do
    if [ -e "$repo/$page" ]; then
        section=${page##*.}
        d "usr/share/man/man$section"
        gzip -9n < "$repo/$page" > "$root/usr/share/man/man$section/$(basename "$page").gz"
        chmod 0644 "$root/usr/share/man/man$section/$(basename "$page").gz"
    fi
done
c="$repo/contrib/completions"
# bash completions are sourced, not run: Debian wants them without the generator's #! line (lintian
# bash-completion-with-hashbang).
for b in oracled oraclectl; do
    if [ -e "$c/$b.bash" ]; then
        d usr/share/bash-completion/completions
        sed '1{/^#!/d}' "$c/$b.bash" > "$root/usr/share/bash-completion/completions/$b"
        chmod 0644 "$root/usr/share/bash-completion/completions/$b"
    fi
done
[ -e "$c/_oracled" ] && f 0644 "$c/_oracled" usr/share/zsh/vendor-completions/_oracled
[ -e "$c/_oraclectl" ] && f 0644 "$c/_oraclectl" usr/share/zsh/vendor-completions/_oraclectl
[ -e "$c/oracled.fish" ] && f 0644 "$c/oracled.fish" usr/share/fish/vendor_completions.d/oracled.fish
[ -e "$c/oraclectl.fish" ] && f 0644 "$c/oraclectl.fish" usr/share/fish/vendor_completions.d/oraclectl.fish

# Monitoring files for the operator's Prometheus and Grafana.
f 0644 "$repo/contrib/prometheus/oracled-rules.yml" usr/share/oracled/prometheus/oracled-rules.yml
f 0644 "$repo/contrib/prometheus/oracled-rules.test.yml" usr/share/oracled/prometheus/oracled-rules.test.yml
f 0644 "$repo/contrib/grafana/oracled.json" usr/share/oracled/grafana/oracled.json

# Documentation: README uncompressed (the unit's Documentation= points at it), the rest compressed.
doc=usr/share/doc/oracled
f 0644 "$repo/README.md" "$doc/README.md"
for m in "$repo"/docs/*.md; do
    [ -e "$m" ] || continue
    d "$doc/docs"
    gzip -9n < "$m" > "$root/$doc/docs/$(basename "$m").gz"
    chmod 0644 "$root/$doc/docs/$(basename "$m").gz"
done
cat > "$root/$doc/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: oracled
Upstream-Contact: $maintainer

Files: *
Copyright: 2026 the oracled maintainers
License: other
 The oracled repository carries no licence file: redistribution terms are
 those agreed with the maintainers.

Files: usr/lib/oracled/*
Copyright: Apple Inc. and the Swift project authors
License: Apache-2.0 with Runtime Library Exception
 The Swift runtime, Foundation and libdispatch from the Swift toolchain, bundled
 because Debian does not package them. Licensed under the Apache License 2.0 with
 the Runtime Library Exception (https://swift.org/LICENSE.txt).
 On Debian systems, the full text of the Apache License 2.0 can be found in
 /usr/share/common-licenses/Apache-2.0.
COPYRIGHT
chmod 0644 "$root/$doc/copyright"
{
    echo "oracled ($version) unstable; urgency=medium"
    echo
    echo "  * Package built from $(git -C "$repo" describe --always --dirty 2>/dev/null || echo 'a source tree') by scripts/build-deb.sh."
    echo
    echo " -- $maintainer  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$root/$doc/changelog.Debian.gz"
chmod 0644 "$root/$doc/changelog.Debian.gz"

# Lintian overrides, each with its reason.
d usr/share/lintian/overrides
cat > "$root/usr/share/lintian/overrides/oracled" <<'OVERRIDES'
# Built from the project's repository for the operator's own machines, never uploaded to Debian:
# there is no ITP bug for the first changelog entry to close.
oracled: initial-upload-closes-no-bugs
OVERRIDES
chmod 0644 "$root/usr/share/lintian/overrides/oracled"

# Maintainer scripts: what debhelper's dh_installsysusers, dh_installtmpfiles and dh_installsystemd
# generate. The daemon is enabled and started like any Debian service; the notify path unit only
# once ORACLED_NOTIFY_COMMAND is set (systemctl enable --now oracled-notify.path).
cat > "$root/DEBIAN/postinst" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ]; then
	systemd-sysusers ${DPKG_ROOT:+--root="$DPKG_ROOT"} oracled.conf
	systemd-tmpfiles ${DPKG_ROOT:+--root="$DPKG_ROOT"} --create oracled.conf || true

	if command -v deb-systemd-helper >/dev/null; then
		deb-systemd-helper unmask 'oracled.service' >/dev/null || true
		if deb-systemd-helper --quiet was-enabled 'oracled.service'; then
			deb-systemd-helper enable 'oracled.service' >/dev/null || true
		else
			deb-systemd-helper update-state 'oracled.service' >/dev/null || true
		fi
		deb-systemd-helper unmask 'oracled-notify.path' >/dev/null || true
		deb-systemd-helper update-state 'oracled-notify.path' >/dev/null || true
	fi

	if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
		if [ -n "$2" ]; then _action=restart; else _action=start; fi
		deb-systemd-invoke $_action 'oracled.service' >/dev/null || true
	fi
fi
exit 0
SCRIPT
cat > "$root/DEBIAN/prerm" <<'SCRIPT'
#!/bin/sh
set -e
if [ -z "${DPKG_ROOT:-}" ] && [ "$1" = "remove" ] && [ -d /run/systemd/system ]; then
	deb-systemd-invoke stop 'oracled-notify.path' 'oracled.service' >/dev/null || true
fi
exit 0
SCRIPT
cat > "$root/DEBIAN/postrm" <<'SCRIPT'
#!/bin/sh
set -e
if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
fi
if [ "$1" = "remove" ] && command -v deb-systemd-helper >/dev/null; then
	deb-systemd-helper mask 'oracled.service' 'oracled-notify.path' >/dev/null || true
fi
if [ "$1" = "purge" ] && command -v deb-systemd-helper >/dev/null; then
	deb-systemd-helper purge 'oracled.service' 'oracled-notify.path' >/dev/null || true
	deb-systemd-helper unmask 'oracled.service' 'oracled-notify.path' >/dev/null || true
fi
# The margin state (/var/lib/oracled) and the spool (/var/spool/oracled) are kept even on purge:
# they are the record of the calls made. Remove them by hand once they are archived.
exit 0
SCRIPT
chmod 0755 "$root"/DEBIAN/postinst "$root"/DEBIAN/prerm "$root"/DEBIAN/postrm

# Depends: dpkg-shlibdeps on the binaries and the bundled libraries (those resolve inside the package).
mkdir -p "$work/src/debian"
printf 'Source: oracled\n\nPackage: oracled\nArchitecture: any\n' > "$work/src/debian/control"
shlibs=$(cd "$work/src" && dpkg-shlibdeps -O -l"$root/usr/lib/oracled" "$root"/usr/bin/* "$root"/usr/lib/oracled/*.so* 2>"$work/shlibdeps.err" \
         | sed -n 's/^shlibs:Depends=//p') || { cat "$work/shlibdeps.err" >&2; exit 1; }
grep -v "but not linked\|useless dependency\|unused\|can't extract name and version" "$work/shlibdeps.err" >&2 || true
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: oracled
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $shlibs, systemd | systemd-standalone-sysusers | systemd-sysusers, systemd | systemd-standalone-tmpfiles | systemd-tmpfiles
Suggests: prometheus, curl, bsd-mailx
Section: net
Priority: optional
Description: robust price oracle and margin-call trigger
 oracled polls public price venues over HTTPS, aggregates a robust mark per
 pair (outliers, stale and frozen sources screened out), values derivative
 accounts against standard or portfolio (VaR/ES) margin requirements and
 writes margin-call notices to a Maildir spool and syslog. oraclectl talks to
 it over its Unix socket.
 .
 Includes the systemd unit (Type=notify, watchdog, hardened), a notify unit
 that hands each new notice to a command, Prometheus alerting rules and a
 Grafana dashboard (/usr/share/oracled).
CONTROL

find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-xz}" ${DEB_COMPRESSION_LEVEL:+-z"$DEB_COMPRESSION_LEVEL"} --build "$root" "$deb" >/dev/null
echo "$deb"
