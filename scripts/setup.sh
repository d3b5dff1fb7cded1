#!/usr/bin/env bash
# Sets up a fresh machine for the build: Debian's python3-build and twine (the Python wheel is built
# offline, without PyPI), a JDK (the generated Java sources are parsed), then the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
scripts/python-with-build.sh >/dev/null 2>&1 || missing+=(python3-build twine)
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages ${missing[*]}; install them (as root: apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

# `npm ci` cannot work with the registry reachable here (it omits other platforms' optional binaries).
npm install --no-audit --no-fund
