#!/usr/bin/env bash
# Installs what reportgen's build and tests need on a fresh Debian machine
# (idempotent: fast when everything is there), then syncs and verifies the
# HL7 schema set.
#
#   REPORTGEN_SCHEMAS_FROM=DIR  copy the HL7 files from DIR (default: ../shared/schemas
#                               when it exists, else download the pinned upstream files)
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: cgo build of libxml2, and the independent validators the
# tests run (dcmtk, dicom3tools, xmllint, xsltproc with lxml's ISO schematron
# skeleton, PixelMed, Chromium for the HTML views with a font to draw them).
pkgs=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in pkg-config libxml2-dev dcmtk dicom3tools libxml2-utils xsltproc python3-lxml libpixelmed-java pixelmed-apps chromium fonts-dejavu-core; do
  have_pkg "$p" || pkgs+=("$p")
done
if [ ${#pkgs[@]} -gt 0 ]; then
  echo "setup: installing ${pkgs[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi

# Node tools of the tests (internal/extval/js): Medplum's FHIR validator and
# puppeteer-core, which drives the Chromium above. npm ci installs exactly
# the committed package-lock.json; it runs again only when the lock changes.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup: installing nodejs and npm"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
js=internal/extval/js
stamp="$js/node_modules/.package-lock.sha256"
want=$(sha256sum "$js/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: npm ci in $js"
  (cd "$js" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
  echo "$want" > "$stamp"
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
