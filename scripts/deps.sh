#!/usr/bin/env bash
# deps.sh [run|test|bench|compose|gateway|video]: installs the Debian packages the project
# needs for that purpose (default: run), only those that are missing. Works
# as root or through sudo, never asks anything.
set -euo pipefail
profile=${1:-run}

packages=(
    gcc make cmake pkg-config git curl ca-certificates procps iproute2
    libmicrohttpd-dev libcurl4-openssl-dev libjansson-dev libpq-dev libhpdf-dev
    libcmocka-dev libqrencode-dev libsodium-dev
    postgresql postgresql-contrib
    poppler-utils zbar-tools jq tzdata
)
case "$profile" in
run) ;;
test)
    packages+=(chromium clang libclang-rt-14-dev valgrind haproxy python3)
    # the SMTP server the notification e-mail tests deliver to
    packages+=(python3-aiosmtpd)
    # ffmpeg: ffprobe checks the committed demo video (docs/demo.webm)
    packages+=(ffmpeg)
    # A machine may carry its own Node.js build with npm inside it; Debian's
    # npm would conflict with it, so only what is absent is installed.
    command -v node >/dev/null 2>&1 || packages+=(nodejs)
    command -v npm >/dev/null 2>&1 || packages+=(npm)
    ;;
bench) packages+=(wrk haproxy) ;;
# The API gateway of `REPLICAS=N make up` and `make scale-check`.
gateway) packages+=(haproxy) ;;
# make demo-video: Chromium drives the UI and renders the cards, ffmpeg
# encodes the frames, espeak-ng reads the captions aloud.
video)
    packages+=(chromium ffmpeg espeak-ng fonts-dejavu-core)
    command -v node >/dev/null 2>&1 || packages+=(nodejs)
    command -v npm >/dev/null 2>&1 || packages+=(npm)
    ;;
compose)
    # podman only recommends its network stack: without netavark it falls
    # back to CNI, whose Debian package has no DNS plugin, and the
    # containers cannot find each other by service name. aardvark-dns is
    # netavark's DNS server; iptables is what netavark sets up the bridge
    # and the published ports with.
    packages+=(podman podman-compose debootstrap runc netavark aardvark-dns iptables)
    ;;
*) echo "deps: unknown profile $profile" >&2; exit 2 ;;
esac
[ -n "${EXTRA_PACKAGES:-}" ] && read -r -a extra <<<"$EXTRA_PACKAGES" && packages+=("${extra[@]}")

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
if [ "$(id -u)" = 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo -n)
else
    echo "deps: need root or sudo to install: ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq -o DPkg::Lock::Timeout=300
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
