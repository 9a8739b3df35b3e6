#!/bin/sh
# Starts the action server, then Rasa in the foreground (the container's life).
set -e
mkdir -p var
export ACTION_ENDPOINT_URL="http://127.0.0.1:5055/webhook"
export TRACKER_DB="${TRACKER_DB:-/app/var/tracker.db}"
SANIC_HOST=127.0.0.1 python -m actions.server --actions actions --port 5055 &
exec python -m rasa_extensions.command run --model models --endpoints endpoints.yml \
  --credentials credentials.yml --interface 0.0.0.0 --port 5005
