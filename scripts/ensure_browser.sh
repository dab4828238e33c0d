#!/usr/bin/env bash
# Make Debian's chromium available for the browser tests when we can (root and
# apt-get, as on CI); otherwise say how to enable them. Never downloads a browser
# build of its own.
set -u
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests (apt-get, about 30 s)..."
  if apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; then
    exit 0
  fi
  echo "Could not install chromium with apt-get."
fi
echo "Browser tests will be skipped: chromium is missing. To enable them: sudo apt-get install chromium, then make test-browser."
exit 0
