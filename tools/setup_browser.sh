#!/usr/bin/env bash
# Install Debian's Chromium for the end-to-end test (tests/e2e/), non-interactively and idempotently.
# Playwright drives it through executable_path; `playwright install` (a browser download) is never used.
#   tools/setup_browser.sh        exit 0 when /usr/bin/chromium is there afterwards
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "setup_browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) already installed"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "setup_browser: no apt-get here: install Chromium yourself (or set MARAC_CHROMIUM to its path)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "setup_browser: needs root or passwordless sudo to apt-get install chromium" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "setup_browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) installed"
