#!/bin/sh
# Starts the assistant's processes inside the project's image, one role per
# container (docker-compose.yml) or the servers together (docker run):
#
#   docker-start.sh rasa [ACTION_URL]  Rasa's REST channel on 0.0.0.0:5005 (RASA_PORT), its
#                                      endpoints generated from the environment
#                                      (TRACKER_STORE_URL, REDIS_URL) and ACTION_URL
#                                      (default http://127.0.0.1:5055/webhook)
#   docker-start.sh actions            the action server on 0.0.0.0:5055 (SANIC_HOST)
#   docker-start.sh channels           python -m bot run: the configured channels,
#                                      on the Rasa processes listed in RASA_URLS
#   docker-start.sh review             the staff review app (REVIEW_HOST, port 8000)
#   docker-start.sh all                the action server, then Rasa in the foreground:
#                                      one container, SQLite unless TRACKER_STORE_URL
#                                      says otherwise (the default)
#
# The last process started replaces this shell (exec), so it gets Docker's
# SIGTERM and its exit ends the container, which Docker then restarts.
set -eu

role="${1:-all}"
VAR_DIR="${VAR_DIR:-/app/var}"
MODELS_DIR="${MODELS_DIR:-/app/models}"
export VAR_DIR MODELS_DIR
mkdir -p "$VAR_DIR"

endpoints() {
    python -m rasa_extensions.endpoints --action-url "$1" --out "$VAR_DIR/endpoints.yml"
}

run_rasa() {
    exec python -m rasa_extensions.command run --model "$MODELS_DIR" \
        --endpoints "$VAR_DIR/endpoints.yml" --credentials credentials.yml \
        --interface 0.0.0.0 --port "${RASA_PORT:-5005}"
}

case "$role" in
rasa)
    endpoints "${2:-http://127.0.0.1:5055/webhook}"
    run_rasa
    ;;
actions)
    SANIC_HOST="${SANIC_HOST:-0.0.0.0}"
    export SANIC_HOST
    exec python -m actions.server --actions actions --port 5055 --vectors-dir models
    ;;
channels)
    # Without a channel, bot run would open the terminal chat, which ends at
    # once without a terminal: say so instead (a wrong setting is left to bot
    # run, whose sentence names it).
    configured=0
    python -c 'import sys, settings
try:
    sys.exit(0 if settings.from_environment().channels else 3)
except settings.SettingError:
    sys.exit(0)' || configured=$?
    if [ "$configured" -eq 3 ]; then
        echo "No channel configured (TELEGRAM_BOT_TOKEN, WECHAT_TOKEN, WHATSAPP_ACCESS_TOKEN or" \
            "WEBCHAT_ALLOWED_ORIGINS): the channels container has nothing to serve." >&2
        exit 2
    fi
    exec python -m bot run
    ;;
review)
    exec python -m review serve
    ;;
all)
    endpoints "http://127.0.0.1:5055/webhook"
    SANIC_HOST=127.0.0.1 python -m actions.server --actions actions --port 5055 --vectors-dir models &
    run_rasa
    ;;
*)
    echo "usage: docker-start.sh rasa [ACTION_URL] | actions | channels | review | all" >&2
    exit 64
    ;;
esac
