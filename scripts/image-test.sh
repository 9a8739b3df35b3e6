#!/usr/bin/env bash
# make image-test: the project's image built and the region's stack of
# docker-compose.yml run and put through its faults, with podman, as root.
#   1. podman, runc, catatonit and mmdebstrap from Debian, when missing;
#   2. stand-ins for python:3.10-slim, postgres:15 and redis:7, when missing
#      (scripts/image-stand-ins/build.sh: no image registry is reachable here);
#   3. the project's image, `podman build` of the Dockerfile (its layers are
#      cached: a second run rebuilds only what changed);
#   4. scripts/image_test.py: the stack in one pod on a loopback of its own, and
#      the checks. IMAGE_TEST_ARGS=--keep leaves it running.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
    echo "make image-test runs podman as root and installs it with apt-get: run it as root." >&2
    exit 1
fi
missing=()
for tool in podman runc mmdebstrap; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
[ -x /usr/libexec/podman/catatonit ] || missing+=(catatonit)
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} from Debian (once)..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        containernetworking-plugins >/dev/null
fi

# podman's settings for this run, in a file of its own (CONTAINERS_CONF): runc
# (Debian's default crun fails on these machines' cgroups) and resource limits
# within this machine's (podman's defaults, above them, make every start fail).
mkdir -p var
nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
cat > var/podman-containers.conf <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=16384:16384"]
[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF="$PWD/var/podman-containers.conf"

scripts/image-stand-ins/build.sh

echo "Building the project's image (first time: several minutes; pip reaches PyPI)..."
began=$(date +%s)
podman build --pull=never --network host --tag cross-tourism-assistant . \
    > var/image-build.log 2>&1 || { tail -30 var/image-build.log; exit 1; }
echo "Image built in $(( $(date +%s) - began )) s ($(podman image inspect --format '{{.Size}}' cross-tourism-assistant | numfmt --to=si)B); log in var/image-build.log."

exec .venv/bin/python scripts/image_test.py ${IMAGE_TEST_ARGS:-}
