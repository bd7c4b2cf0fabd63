#!/bin/sh
# Installs the Debian packages the tests run for real: tini (PID 1 in the startup-contract
# tests, R02), busybox (run.sh under BusyBox sh and awk, as on Alpine) and util-linux's
# unshare. Does nothing when they are already there.
set -eu
missing=""
command -v tini >/dev/null 2>&1 || missing="$missing tini"
command -v unshare >/dev/null 2>&1 || missing="$missing util-linux"
command -v busybox >/dev/null 2>&1 || missing="$missing busybox"
[ -z "$missing" ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing Debian packages:$missing" >&2
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
