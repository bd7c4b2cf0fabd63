#!/bin/sh
# Installs the Debian packages the tests run for real: tini (PID 1 in the startup-contract
# tests, R02), s6 (the process supervisor of specs with `processes`, R01), busybox (run.sh
# under BusyBox sh and awk, as on Alpine), util-linux's unshare, and the container engine of the container tier
# (issue 4): podman with runc (crun fails in this kind of VM), netavark + iptables for
# published ports, and mmdebstrap, which makes the stand-in base images (no registry is
# reachable), and npm (the package-manager tests fetch pnpm and corepack with it); for
# `dockgen lock`'s tests (issue 14): docker-registry (a real registry on 127.0.0.1), skopeo
# (pushes the stand-ins to it) and apache2-utils (htpasswd, for the registry that wants a
# password); docker.io (the BuildKit tier, issue 14). Does nothing when they are all there.
set -eu
missing=""
command -v tini >/dev/null 2>&1 || missing="$missing tini"
command -v unshare >/dev/null 2>&1 || missing="$missing util-linux"
command -v s6-svscan >/dev/null 2>&1 || missing="$missing s6"
command -v busybox >/dev/null 2>&1 || missing="$missing busybox"
command -v npm >/dev/null 2>&1 || missing="$missing npm"  # the package-manager tests fetch pnpm and corepack with it
command -v podman >/dev/null 2>&1 || missing="$missing podman"
command -v runc >/dev/null 2>&1 || missing="$missing runc"
command -v mmdebstrap >/dev/null 2>&1 || missing="$missing mmdebstrap"
command -v iptables >/dev/null 2>&1 || missing="$missing iptables"
command -v docker-registry >/dev/null 2>&1 || missing="$missing docker-registry"  # dockgen lock's tests (issue 14)
command -v skopeo >/dev/null 2>&1 || missing="$missing skopeo"
command -v htpasswd >/dev/null 2>&1 || missing="$missing apache2-utils"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"  # signs the test token service's JWTs
[ -x /usr/lib/podman/netavark ] || missing="$missing netavark"
# issue 13: `podman kube play` builds its pod's pause image around catatonit
command -v catatonit >/dev/null 2>&1 || [ -x /usr/libexec/podman/catatonit ] || missing="$missing catatonit"
[ -x /usr/lib/podman/aardvark-dns ] || missing="$missing aardvark-dns"
# issue 14: the BuildKit tier runs its own dockerd (Debian's docker.io: /usr/sbin/dockerd and
# /usr/bin/docker, the client of the same release; the tests call both by path)
[ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker ] || missing="$missing docker.io"
# issue 14: the arm64 tier emulates arm64 (binfmt_misc handlers of qemu-user-static, which
# binfmt-support's update-binfmts enables; mmdebstrap --arch=arm64 runs its maintainer scripts)
[ -x /usr/bin/qemu-aarch64-static ] || missing="$missing qemu-user-static"
command -v update-binfmts >/dev/null 2>&1 || missing="$missing binfmt-support"
command -v arch-test >/dev/null 2>&1 || missing="$missing arch-test"  # mmdebstrap's check of a foreign arch
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || missing="$missing debian-archive-keyring"
[ -d /etc/ssl/certs ] && command -v update-ca-certificates >/dev/null 2>&1 || missing="$missing ca-certificates"
[ -z "$missing" ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing Debian packages:$missing" >&2
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
