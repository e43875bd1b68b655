#!/usr/bin/env bash
# Debian packages fuwu needs beyond Python and npm. `runtime`: PDF rendering (Pango) with the Noto CJK font
# named by the PDF templates. `dev`: also Chromium for browser tests, poppler-utils (pdftotext/pdftoppm)
# for the PDF tests, a JRE for the Spark test. As root (CI, containers) they are installed; otherwise the
# one apt-get line is printed and the run goes on (tests that need a missing one skip, or fail under CI=true).
set -euo pipefail
kind="${1:-runtime}"
want=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib libpango-1.0.so || want+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || want+=(fonts-noto-cjk)
if [[ "$kind" == "dev" ]]; then
  command -v chromium >/dev/null 2>&1 || want+=(chromium)
  command -v pdftotext >/dev/null 2>&1 || want+=(poppler-utils)
  command -v java >/dev/null 2>&1 || want+=(default-jre-headless)
fi
[[ ${#want[@]} -eq 0 ]] && exit 0
if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}" >/dev/null
else
  echo "fuwu needs these Debian packages: sudo apt-get install -y ${want[*]}" >&2
fi
