#!/usr/bin/env bash
# Builds, when podman does not have them yet, stand-ins for the base images the
# Dockerfile and docker-compose.yml name: no image registry is reachable from
# the project's machines, so each is made from Debian 12's packages with
# mmdebstrap and tagged with the official name (`podman import`).
#
#   python:3.10-slim  Debian's minimal base, this machine's Python 3.10
#                     (PYTHON_SOURCE, default pyenv's 3.10.13) under /usr/local,
#                     the machine's CA bundle (pip in the build trusts it)
#   postgres:15       Debian's postgresql-15 behind an entry point keeping the
#                     official image's contract (postgres-entrypoint.sh)
#   redis:7           Debian's redis-server 7 behind the official entry point's
#                     behaviour (redis-entrypoint.sh)
#
# A stand-in already present is kept (remove it with `podman rmi NAME` to
# rebuild). Run as root.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
PYTHON_SOURCE="${PYTHON_SOURCE:-/root/.pyenv/versions/3.10.13}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
work="$(mktemp -d /var/tmp/stand-in.XXXXXX)"
trap 'rm -rf "$work"' EXIT

present() { podman image exists "$1"; }

# mmdebstrap NAME PACKAGES...: a Debian 12 minimal root file system in $work/NAME.
rootfs() {
    local name="$1"; shift
    local include; include="$(IFS=,; echo "$*")"
    mmdebstrap --quiet --variant=minbase --include="$include" \
        --aptopt='APT::Install-Recommends "false"' \
        --customize-hook='chroot "$1" apt-get clean' \
        --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
        bookworm "$work/$name" "$MIRROR" "${MIRROR%/debian}/debian-security bookworm-security main"
}

# import NAME TAG CHANGES...: the root file system $work/NAME as image TAG.
import() {
    local name="$1" tag="$2"; shift 2
    local changes=()
    for change in "$@"; do changes+=(--change "$change"); done
    tar -C "$work/$name" -c . | podman import --quiet "${changes[@]}" - "$tag" >/dev/null
    rm -rf "${work:?}/$name"
    echo "Built the stand-in $tag ($(podman image inspect --format '{{.Size}}' "$tag" | numfmt --to=si)B)."
}

if ! present python:3.10-slim; then
    echo "Building the stand-in python:3.10-slim from Debian 12 and $PYTHON_SOURCE..."
    # The libraries the copied interpreter and its extension modules link to.
    rootfs python ca-certificates netbase tzdata libssl3 libffi8 libsqlite3-0 zlib1g \
        libbz2-1.0 liblzma5 libreadline8 libncursesw6 libuuid1 libexpat1 libcrypt1 \
        libnsl2 libtirpc3 libgdbm6
    root="$work/python"
    # The interpreter, without its test suite nor files of the machine's own
    # set-up (site-packages' .pth files other than setuptools').
    tar -C "$PYTHON_SOURCE" -c --exclude='lib/python3.10/test' --exclude='*/__pycache__' \
        --exclude='lib/python3.10/site-packages/_*.pth' . | tar -C "$root/usr/local" -x
    # Scripts' first lines name the interpreter where it was built.
    grep -rlI "^#!$PYTHON_SOURCE/bin/python" "$root/usr/local/bin" | while read -r script; do
        sed -i "1s|^#!$PYTHON_SOURCE/bin/|#!/usr/local/bin/|" "$script"
    done
    echo /usr/local/lib > "$root/etc/ld.so.conf.d/usr-local.conf"
    chroot "$root" ldconfig
    # The machine's CA bundle: the one pip must trust to reach the package registry here.
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
    chroot "$root" python3 -c 'import ssl, sqlite3, ctypes, zlib, bz2, lzma, uuid; print("python", __import__("sys").version.split()[0], "runs")'
    import python python:3.10-slim \
        'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
        'ENV LANG=C.UTF-8' \
        'ENV PYTHON_VERSION=3.10.13' \
        'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
        'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
        'CMD ["python3"]'
fi

if ! present postgres:15; then
    echo "Building the stand-in postgres:15 from Debian 12's postgresql-15..."
    rootfs postgres postgresql-15
    root="$work/postgres"
    # Debian's package made a cluster of its own; the entry point makes one in
    # PGDATA like the official image's.
    rm -rf "$root/var/lib/postgresql/15" "$root/etc/postgresql/15"
    install -m 0755 "$here/postgres-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
    mkdir -p "$root/var/lib/postgresql/data" "$root/run/postgresql"  # var/run: a link to /run
    chroot "$root" chown -R postgres:postgres /var/lib/postgresql /run/postgresql
    chmod 2777 "$root/run/postgresql"
    import postgres postgres:15 \
        'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        'ENV PGDATA=/var/lib/postgresql/data' \
        'ENV LANG=C.UTF-8' \
        'VOLUME /var/lib/postgresql/data' \
        'ENTRYPOINT ["docker-entrypoint.sh"]' \
        'STOPSIGNAL SIGINT' \
        'EXPOSE 5432' \
        'CMD ["postgres"]'
fi

if ! present redis:7; then
    echo "Building the stand-in redis:7 from Debian 12's redis-server..."
    rootfs redis redis-server
    root="$work/redis"
    install -m 0755 "$here/redis-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
    mkdir -p "$root/data"
    chroot "$root" chown redis:redis /data
    import redis redis:7 \
        'VOLUME /data' \
        'WORKDIR /data' \
        'ENTRYPOINT ["docker-entrypoint.sh"]' \
        'EXPOSE 6379' \
        'CMD ["redis-server"]'
fi
