#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 runs on 3.8-3.10 only),
# or explains in one sentence how to get one and exits 1.
set -u
for candidate in "${PYTHON310:-}" python3.10; do
  [ -n "$candidate" ] || continue
  if path=$(command -v "$candidate" 2>/dev/null) && "$path" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "$path"; exit 0
  fi
done
roots="$(pyenv root 2>/dev/null || true) ${PYENV_ROOT:-} $HOME/.pyenv"
for root in $roots; do
  for path in "$root"/versions/3.10*/bin/python3.10; do
    if [ -x "$path" ] && "$path" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      echo "$path"; exit 0
    fi
  done
done
echo "No Python 3.10 found (Rasa 3.6 needs 3.8-3.10): install one with 'pyenv install 3.10' or your distribution's python3.10 package, set PYTHON310 to its path, or use the Dockerfile." >&2
exit 1
