#!/usr/bin/env bash
# Builds the boot-proof VM image: Debian (12 unless SUITE says otherwise) with a kernel, systemd,
# cloud-init, openssh-server and what every EC2 AMI already has (ca-certificates, curl), nothing
# the user data installs.
# Usage: build-image.sh OUTDIR [SUITE]  (writes rootfs/ with apt lists, root.img, vmlinuz, initrd.img)
set -euo pipefail
OUT=$1 SUITE=${2:-bookworm}
mkdir -p "$OUT"
mmdebstrap --variant=important --skip=cleanup/apt/lists \
  --include=linux-image-cloud-amd64,systemd-sysv,cloud-init,openssh-server,locales,ifupdown,isc-dhcp-client,ca-certificates,curl \
  --customize-hook='echo "en_US.UTF-8 UTF-8" > "$1/etc/locale.gen"; chroot "$1" locale-gen >/dev/null' \
  --customize-hook='echo "LANG=en_US.UTF-8" > "$1/etc/default/locale"  # as a localized AMI ships: cloud-init skips locale-gen (8 s under TCG)' \
  --customize-hook='echo force-unsafe-io > "$1/etc/dpkg/dpkg.cfg.d/90-gohost-harness"  # a throw-away VM: dpkg need not fsync every file' \
  --customize-hook='printf "/dev/vda / ext4 defaults 0 1\n" > "$1/etc/fstab"' \
  --customize-hook='echo "man-db man-db/auto-update boolean false" | chroot "$1" debconf-set-selections; rm -f "$1/var/lib/man-db/auto-update"' \
  --customize-hook='printf "datasource_list: [ NoCloud, None ]\n" > "$1/etc/cloud/cloud.cfg.d/90-gohost-harness.cfg"' \
  --customize-hook='printf "apt:\n  preserve_sources_list: true\n" > "$1/etc/cloud/cloud.cfg.d/91-gohost-harness-apt.cfg"' \
  --customize-hook='printf "source /etc/network/interfaces.d/*\nauto lo\niface lo inet loopback\n" > "$1/etc/network/interfaces"' \
  "$SUITE" "$OUT/rootfs.tar" http://deb.debian.org/debian
rm -rf "$OUT/rootfs" && mkdir -p "$OUT/rootfs"
tar -C "$OUT/rootfs" -xf "$OUT/rootfs.tar" && rm "$OUT/rootfs.tar"
cp "$OUT"/rootfs/boot/vmlinuz-* "$OUT/vmlinuz"
cp "$OUT"/rootfs/boot/initrd.img-* "$OUT/initrd.img"
# The booted image gets no package sources of its own: the harness points apt at its local repository.
tar -C "$OUT/rootfs" --exclude=./var/lib/apt/lists --exclude=./etc/apt/sources.list.d -cf - . | (
  tmp=$(mktemp -d); tar -C "$tmp" -xf -; : > "$tmp/etc/apt/sources.list"; mkdir -p "$tmp/var/lib/apt/lists/partial" "$tmp/etc/apt/sources.list.d"
  rm -f "$OUT/root.img"; mkfs.ext4 -q -d "$tmp" -L root "$OUT/root.img" 4G; rm -rf "$tmp")
echo "image ready in $OUT"
