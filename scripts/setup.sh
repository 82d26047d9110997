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
# skeleton); for the HL7 v2 end-to-end tests a real PACS (Orthanc with its
# DICOMweb plugin, started by the tests themselves, never as a service) and
# python-hl7 as the independent MLLP sender and receiver.
pkgs=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in pkg-config libxml2-dev dcmtk dicom3tools libxml2-utils xsltproc python3-lxml libpixelmed-java pixelmed-apps \
  orthanc orthanc-dicomweb python3-hl7; do
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
