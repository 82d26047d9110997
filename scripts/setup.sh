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
if [ ${#pkgs[@]} -gt 0 ]; then
  echo "setup: installing ${pkgs[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
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
