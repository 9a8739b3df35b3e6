#!/usr/bin/env bash
# Installs the Debian packages the tests need, when they are missing:
# chromium (browser tests of the review app and the web chat) and
# redis-server and postgresql (the servers several processes share: the tests
# of the scaled-out set-up start their own, on loopback), and a Chinese font
# (fonts-wqy-microhei) so that the browser tests' screenshots of the review app
# (REVIEW_SCREENSHOTS, the documentation's) show Chinese text. As root it uses apt-get; as
# anyone else it says in one sentence how to install them and exits 1.
set -u
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "The tests need Debian's ${missing[*]}: run 'sudo apt-get install -y --no-install-recommends ${missing[*]}' once, then make test again." >&2
  exit 1
fi
echo "Installing ${missing[*]} from Debian for the tests (once, about a minute)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null \
  || { echo "apt-get could not install ${missing[*]}; see its output above." >&2; exit 1; }
