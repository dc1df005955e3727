#!/usr/bin/env bash
# Builds the gateway image's stand-in base where no container registry is reachable: Debian bookworm (debootstrap,
# variant minbase) with openjdk-17-jre-headless and ca-certificates, stripped of apt's lists and caches, docs and
# man pages, with the user the image runs as (uid/gid 185), packed as a docker-save style image tarball
# (manifest.json, config, one gzip layer) that Jib takes as a tar:// base (ADR 0017).
#
#   bash deploy/image/debian-jre17-base.sh [OUTPUT.tar]
#
# Default OUTPUT: ~/.cache/oauthgw/image/debian-bookworm-jre17-base.tar (outside target/: a clean build keeps it).
# Idempotent: when OUTPUT exists and was made by this version of the script, it exits at once (runs at the same
# time wait for each other). Needs root (debootstrap
# chroots) and debootstrap (installed with apt-get when missing), and Debian's package mirror
# (DEBIAN_MIRROR, default http://deb.debian.org/debian).
set -euo pipefail

out=${1:-${HOME}/.cache/oauthgw/image/debian-bookworm-jre17-base.tar}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
arch=amd64
recipe=$(sha256sum "$0" | cut -c1-64)

log() { printf '[image-base] %s\n' "$*"; }

# one build at a time (two test runs side by side wait for the first, then find it cached)
mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"
flock 9
if [ -s "$out" ] && [ "$(cat "$out.recipe" 2>/dev/null)" = "$recipe" ]; then
  log "cached: $out"
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { log "needs root (debootstrap chroots): sudo bash $0 $*"; exit 1; }
if ! command -v debootstrap >/dev/null; then
  log "installing debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

work=$(mktemp -d /var/tmp/oauthgw-base.XXXXXX)
cleanup() {
  # a failed debootstrap may leave proc/sys mounted in the chroot
  for m in proc sys dev/pts dev; do umount -l "$work/rootfs/$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
root=$work/rootfs

started=$(date +%s)
log "debootstrap $suite ($arch, minbase) from $mirror"
debootstrap --variant=minbase --arch="$arch" \
  --include=openjdk-17-jre-headless,ca-certificates \
  "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -30 "$work/debootstrap.log" >&2; exit 1; }

# the user the image runs as: numeric 185 (as the Kubernetes manifests' runAsUser), no login, home in /tmp
chroot "$root" groupadd --system --gid 185 gateway
chroot "$root" useradd --system --uid 185 --gid 185 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin gateway

# strip: package lists and caches, docs, man pages, logs; nothing the JVM needs at run time
for m in proc sys dev/pts dev; do umount -l "$root/$m" 2>/dev/null || true; done
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian \
  "$root"/var/log/* "$root"/tmp/* "$root"/var/tmp/* "$root"/root/.bash_history
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'C.*' -exec rm -rf {} + 2>/dev/null || true
# a plain resolv.conf (the container engine mounts its own)
rm -f "$root/etc/resolv.conf" && : >"$root/etc/resolv.conf"
rm -f "$root/etc/machine-id" && : >"$root/etc/machine-id"

java_home=$(dirname "$(dirname "$(readlink -f "$root/usr/bin/java" | sed "s#^$root##")")")
[ -x "$root$java_home/bin/java" ] || { log "no java in the root file system"; exit 1; }

# one layer, reproducible: sorted, numeric owners, fixed mtime
epoch=${SOURCE_DATE_EPOCH:-$(date -d "$(date +%Y-%m-01)" +%s)}
img=$work/image
mkdir -p "$img"
tar --sort=name --numeric-owner --mtime="@$epoch" -C "$root" -cf "$img/layer.tar" .
diff_id=$(sha256sum "$img/layer.tar" | cut -c1-64)
gzip -n -6 "$img/layer.tar"

created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
cat >"$img/config.json" <<JSON
{"architecture":"$arch","os":"linux","created":"$created",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=$java_home","LANG=C.UTF-8"],
           "Cmd":["/bin/bash"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"$created","created_by":"deploy/image/debian-jre17-base.sh: debootstrap $suite minbase + openjdk-17-jre-headless ca-certificates"}]}
JSON
cat >"$img/manifest.json" <<JSON
[{"Config":"config.json","RepoTags":["oauthgw/debian-jre17-base:$suite"],"Layers":["layer.tar.gz"]}]
JSON

tar --sort=name --numeric-owner --mtime="@$epoch" -C "$img" -cf "$out.partial" manifest.json config.json layer.tar.gz
mv -f "$out.partial" "$out"
echo "$recipe" >"$out.recipe"
log "built $out ($(du -h "$out" | cut -f1), java $java_home) in $(( $(date +%s) - started )) s"
