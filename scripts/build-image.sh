#!/usr/bin/env bash
# Builds the reportgen container image without a container engine: the
# binary with the host's Go, a Debian root filesystem with mmdebstrap
# holding only what the binary needs at run time (libxml2 and its
# libraries), the verified HL7 schema set, a non-root user; then buildah
# commits it as an image with the Containerfile's entrypoint, user, ports
# and working directory. The result is the image the Containerfile builds
# on a machine that can run containers.
#
#   scripts/build-image.sh [--rootfs DIR] [--image NAME:TAG] [--no-image] [--archive FILE.tar]
#
#   --rootfs DIR      where to build the root filesystem (default: a temporary folder,
#                     removed at the end); kept when given, for tests that chroot into it
#   --image NAME:TAG  commit it to the local image storage (buildah images, podman images)
#                     (default reportgen:<version>)
#   --no-image        build the root filesystem only
#   --archive FILE    also save the image as a docker-archive tarball (docker load, podman load)
#
# Environment: REPORTGEN_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# REPORTGEN_SCHEMAS_FROM (as for setup.sh). Needs root (mmdebstrap, chroot),
# mmdebstrap and buildah (scripts/setup.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/.."

rootfs="" image="" archive="" import=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rootfs) rootfs="$2"; shift 2 ;;
    --image) image="$2"; shift 2 ;;
    --archive) archive="$2"; shift 2 ;;
    --no-image) import=0; shift ;;
    *) echo "build-image: unknown argument $1" >&2; exit 2 ;;
  esac
done

# The Debian release matches the build machine's, so the binary links
# against the same libxml2 and glibc it runs with.
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
mirror="${REPORTGEN_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
image="${image:-reportgen:${version}}"

work=$(mktemp -d)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
keep_rootfs=1
if [ -z "$rootfs" ]; then
  rootfs="$work/rootfs"
  keep_rootfs=0
fi
if [ -e "$rootfs" ] && [ -n "$(ls -A "$rootfs" 2>/dev/null)" ]; then
  echo "build-image: $rootfs exists and is not empty" >&2
  exit 2
fi

start=$(date +%s)
echo "build-image: go build (cgo, libxml2)"
# No -trimpath: the build then reuses the packages go test and go vet
# compiled (a -trimpath build compiles every dependency again, minutes on
# two cores).
CGO_ENABLED=1 go build -ldflags "-s -w -X main.version=$version -X main.commit=$commit" -o "$work/reportgen" ./cmd/reportgen

echo "build-image: schemas"
from="${REPORTGEN_SCHEMAS_FROM:-}"
if [ -z "$from" ] && [ -d ../shared/schemas ]; then from=../shared/schemas; fi
if [ -n "$from" ]; then
  "$work/reportgen" schemas sync --from "$from" --dir "$work/schemas" >/dev/null
else
  "$work/reportgen" schemas sync --dir "$work/schemas" >/dev/null
fi

# --variant=extract unpacks libxml2 and its dependencies (libc6, libicu72,
# liblzma5, zlib1g, ...) and nothing else: no shell, no package manager,
# no maintainer scripts to run. The extract hook records the unpacked
# packages in /var/lib/dpkg/status, so image scanners still see what is
# inside and at which version.
echo "build-image: mmdebstrap $suite (extract: libxml2 and its dependencies)"
mkdir -p "$rootfs"
t0=$(date +%s)
mmdebstrap --quiet --variant=extract --include=libxml2 \
  --extract-hook='mkdir -p "$1/var/lib/dpkg"; for d in "$1"/var/cache/apt/archives/*.deb; do dpkg-deb -f "$d" Package Version Architecture Multi-Arch Source Depends Pre-Depends Description | sed "1a Status: install ok installed"; echo; done > "$1/var/lib/dpkg/status"' \
  --customize-hook='printf "root:x:0:0:root:/root:/usr/sbin/nologin\nreportgen:x:10001:10001:reportgen:/nonexistent:/usr/sbin/nologin\n" > "$1/etc/passwd"' \
  --customize-hook='printf "root:x:0:\nreportgen:x:10001:\n" > "$1/etc/group"' \
  --customize-hook='rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/* "$1"/usr/share/doc/*/changelog* "$1"/usr/share/man' \
  "$suite" "$rootfs" "$mirror" "deb ${mirror%/debian}/debian-security $suite-security main" "deb $mirror $suite-updates main"
echo "build-image: mmdebstrap took $(( $(date +%s) - t0 )) s"

install -D -m 0755 "$work/reportgen" "$rootfs/usr/local/bin/reportgen"
mkdir -p "$rootfs/usr/share/reportgen/schemas"
cp -r "$work/schemas" "$rootfs/usr/share/reportgen/schemas/synced"
chmod -R a+rX,go-w "$rootfs/usr/share/reportgen"
mkdir -p "$rootfs/etc/reportgen/tls" "$rootfs/etc/reportgen/templates" "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"
"$work/reportgen" --version > "$rootfs/usr/share/reportgen/VERSION"
echo "build-image: root filesystem $(du -sh "$rootfs" | cut -f1) in $rootfs"

if [ "$import" = 1 ]; then
  # The same configuration as the Containerfile's final stage, in Docker
  # image format, the one that keeps a HEALTHCHECK.
  echo "build-image: buildah commit $image"
  tar -C "$rootfs" --numeric-owner -cf "$work/rootfs.tar" .
  ctr=$(buildah from --format docker scratch)
  trap 'buildah rm "$ctr" >/dev/null 2>&1 || true; cleanup' EXIT
  buildah add --quiet "$ctr" "$work/rootfs.tar" / >/dev/null
  buildah config \
    --entrypoint '["/usr/local/bin/reportgen"]' \
    --cmd '["serve", "--listen", "0.0.0.0:50051", "--http-listen", "0.0.0.0:8080", "--health-listen", "0.0.0.0:8081", "--tls-cert", "/etc/reportgen/tls/tls.crt", "--tls-key", "/etc/reportgen/tls/tls.key"]' \
    --user 10001:10001 --workingdir /usr/share/reportgen \
    --port 50051/tcp --port 8080/tcp --port 8081/tcp \
    --healthcheck 'CMD /usr/local/bin/reportgen health --addr 127.0.0.1:8081' \
    --healthcheck-interval 10s --healthcheck-timeout 3s --healthcheck-start-period 10s \
    --label org.opencontainers.image.title=reportgen \
    --label "org.opencontainers.image.version=$version" --label "org.opencontainers.image.revision=$commit" \
    "$ctr"
  buildah commit --quiet --format docker --rm "$ctr" "$image" >/dev/null
  trap cleanup EXIT
  echo "build-image: $image, $(buildah images --format '{{.Size}}' "$image")"
  if [ -n "$archive" ]; then
    rm -f "$archive"
    buildah push --quiet "$image" "docker-archive:$archive:$image"
    echo "build-image: saved $archive ($(du -h "$archive" | cut -f1)); docker load or podman load reads it"
  fi
fi
if [ "$keep_rootfs" = 0 ]; then rm -rf "$rootfs"; fi
echo "build-image: done in $(( $(date +%s) - start )) s"
