#!/usr/bin/env bash
# Run by the build before the tests: the browser tests need Debian's chromium and chromium-driver.
# Installs them where they are missing and we may (root with apt-get); otherwise says what to do.
set -euo pipefail
# The build passes -DexcludedGroups as EXCLUDED_GROUPS: with the browser tests left out, nothing is needed.
excluded=",${EXCLUDED_GROUPS:-},"
excluded=${excluded// /}
if [[ $excluded == *,browser,* ]]; then
  echo "[build] browser tests excluded (-DexcludedGroups=${EXCLUDED_GROUPS}): Chromium not needed"
  exit 0
fi
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "[build] installing chromium and chromium-driver for the browser tests (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  exit 0
fi
echo "[build] The browser tests need Chromium and ChromeDriver: install them with" >&2
echo "        sudo apt-get install -y chromium chromium-driver   (Debian/Ubuntu), then run the build again." >&2
exit 1
