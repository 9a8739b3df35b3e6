#!/bin/sh
# The stand-in redis:7's entry point: the official image's behaviour, on
# Debian's redis-server 7. Arguments starting with "-" (or a .conf file) go to
# redis-server; the server runs as the redis user in /data (the volume), in the
# foreground, and - as the official build does - with protected mode off
# unless the arguments say otherwise (access is the network's business).
set -eu
case "$1" in
-* | *.conf) set -- redis-server "$@" ;;
esac
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi
if [ "$1" = redis-server ]; then
    case " $* " in
    *" --protected-mode "*) ;;
    *) set -- "$@" --protected-mode no ;;
    esac
fi
umask 0077
exec "$@"
