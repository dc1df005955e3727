#!/usr/bin/env bash
# Run by the build before the tests: the tests of one tag need commands that Debian packages provide.
#   ensure-debian-tools.sh TAG IF-MISSING "COMMANDS" PACKAGES...
# Where a command is missing, installs the packages when we may (root with apt-get). Where that cannot be done,
# IF-MISSING says what happens: "fail" stops the build with the command to run (browser: Chromium); "skip" lets the
# build go on, and those tests skip with the reason (deploy: kubectl; bash .ci/run refuses that skip).
# With the tag left out (-DexcludedGroups, passed as EXCLUDED_GROUPS), nothing is needed.
set -euo pipefail
tag=$1 if_missing=$2 commands=$3
shift 3
packages=("$@")

excluded=",${EXCLUDED_GROUPS:-},"
excluded=${excluded// /}
if [[ $excluded == *,$tag,* ]]; then
  echo "[build] $tag tests excluded (-DexcludedGroups=${EXCLUDED_GROUPS}): ${packages[*]} not needed"
  exit 0
fi

missing() {
  local c
  for c in $commands; do command -v "$c" >/dev/null || printf '%s ' "$c"; done
}
[ -z "$(missing)" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  why="the build runs as $(id -un), not root"
elif ! command -v apt-get >/dev/null; then
  why="no apt-get on this machine"
else
  echo "[build] installing ${packages[*]} for the $tag tests (Debian packages)"
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null; then
    [ -z "$(missing)" ] && exit 0
    why="installed ${packages[*]}, but $(missing)is still not on the PATH"
  else
    why="apt-get install ${packages[*]} failed"
  fi
fi

need="The $tag tests need $(missing)(Debian: ${packages[*]}) and the build could not install it: $why."
todo="Install with: sudo apt-get install -y ${packages[*]}   (Debian/Ubuntu)"
if [ "$if_missing" = skip ]; then
  echo "[build] $need They will be skipped, saying so. $todo, or leave them out with -DexcludedGroups=$tag."
  exit 0
fi
echo "[build] $need" >&2
echo "        $todo, then run the build again." >&2
exit 1
