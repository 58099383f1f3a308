#!/usr/bin/env bash
# Headless Chromium and its driver for log-streamer's browser test (LogViewerBrowserTest), from Debian's packages.
# Idempotent: does nothing when /usr/bin/chromium and /usr/bin/chromedriver are there.
set -euo pipefail
if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium chromium-driver
