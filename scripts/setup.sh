#!/usr/bin/env bash
# Installs what reportgen's build and tests need on a fresh Debian machine
# (idempotent: fast when everything is there), then syncs and verifies the
# HL7 schema set.
#
#   REPORTGEN_SCHEMAS_FROM=DIR  copy the HL7 files from DIR (default: ../shared/schemas
#                               when it exists, else download the pinned upstream files)
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the C compiler and headers of the cgo build of libxml2
# (gcc, libc6-dev, pkg-config, libxml2-dev), and the independent validators
# the tests run (dcmtk, dicom3tools, xmllint, xsltproc with lxml's ISO
# schematron skeleton, PixelMed).
pkgs=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in gcc libc6-dev pkg-config libxml2-dev dcmtk dicom3tools libxml2-utils xsltproc python3-lxml libpixelmed-java pixelmed-apps; do
  have_pkg "$p" || pkgs+=("$p")
done
# The clients of other languages and the HTTP listener's tests: curl,
# Debian's gRPC for Python (clients/python), Node for clients/node (when
# no node is installed at all; any node >= 18 will do).
# The image build and its test (scripts/build-image.sh, deploy/): mmdebstrap
# and buildah.
for p in curl python3-grpcio python3-protobuf mmdebstrap buildah; do
  have_pkg "$p" || pkgs+=("$p")
done
command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)
if [ ${#pkgs[@]} -gt 0 ]; then
  echo "setup: installing ${pkgs[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi

# clients/node's packages, exactly as locked; again only when the lock
# file changed since the last install.
lock_sum=$(sha256sum clients/node/package-lock.json | cut -d' ' -f1)
if [ "$(cat clients/node/node_modules/.reportgen-lock-sha256 2>/dev/null)" != "$lock_sum" ]; then
  echo "setup: npm ci in clients/node"
  (cd clients/node && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" > clients/node/node_modules/.reportgen-lock-sha256
fi

from="${REPORTGEN_SCHEMAS_FROM:-}"
if [ -z "$from" ] && [ -d ../shared/schemas ]; then
  from=../shared/schemas
fi
if [ -n "$from" ]; then
  go run ./cmd/reportgen schemas sync --from "$from"
else
  go run ./cmd/reportgen schemas sync
fi
