#!/usr/bin/env bash
# Builds the local package repository for one boot: exactly the packages the user data asks for
# and their dependencies (as resolved against the image), plus empty stand-ins, reported as
# skipped, for packages Debian does not carry or the library takes from elsewhere. Usage: STAND_INS="..." build-repo.sh IMAGEDIR REPODIR PKG...
set -euo pipefail
IMG=$1 REPO=$2; shift 2
ROOT=$IMG/rootfs
mkdir -p "$REPO"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
available=() skipped=()
# STAND_INS: packages the library pins to a third-party repository (Grafana's); Debian's package of the same name is another program.
for p in "$@"; do
  if [[ " ${STAND_INS:-} " != *" $p "* ]] && chroot "$ROOT" apt-cache show "$p" >/dev/null 2>&1; then available+=("$p"); else skipped+=("$p"); fi
done
rm -rf "$ROOT/var/cache/gohost-debs" && mkdir -p "$ROOT/var/cache/gohost-debs/partial"
chroot "$ROOT" apt-get install -qq --download-only -y -o Dir::Cache::archives=/var/cache/gohost-debs "${available[@]}" >/dev/null
cp "$ROOT"/var/cache/gohost-debs/*.deb "$REPO/"
for p in "${skipped[@]}"; do
  d=$(mktemp -d); mkdir -p "$d/DEBIAN"
  printf 'Package: %s\nVersion: 0.0~gohost.stub\nArchitecture: all\nMaintainer: cdktf-gohost harness\nDescription: empty stand-in (not in Debian)\n' "$p" > "$d/DEBIAN/control"
  # A system user of the same name, as the real package creates (the library adds it to groups).
  printf '#!/bin/sh\nset -e\ngetent passwd %s >/dev/null || adduser --system --group --no-create-home %s >/dev/null\n' "$p" "$p" > "$d/DEBIAN/postinst"
  chmod 0755 "$d/DEBIAN/postinst"
  mkdir -p "$d/lib/systemd/system"
  # The unit the real package ships (Grafana's is grafana-server).
  unit=$p; [[ $p == grafana ]] && unit=grafana-server
  printf '[Unit]\nDescription=stand-in for %s (not in Debian)\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n' "$p" > "$d/lib/systemd/system/$unit.service"
  dpkg-deb --build --root-owner-group "$d" "$REPO/${p}_stub_all.deb" >/dev/null; rm -rf "$d"
done
(cd "$REPO" && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null > Packages && gzip -kf Packages)
printf '%s\n' "${skipped[@]}" > "$REPO/skipped"
echo "repository: $(ls "$REPO"/*.deb | wc -l) packages; skipped (not in Debian): ${skipped[*]:-none}"
