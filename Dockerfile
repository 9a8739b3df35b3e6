# The project's one image: Rasa, the action server, the channels and the staff
# review app, started by scripts/docker-start.sh with a role (docker-compose.yml
# runs one role per container; without one, `all` runs the action server and
# Rasa's REST channel together). Versions come from requirements.txt and
# requirements.lock, as for `make run`. Built and run by `make image-test`
# (scripts/image_test.py) on stand-ins of the base images made from Debian's
# packages.
FROM python:3.10-slim

# TMPDIR: the runtime user's own temporary directory, where jieba keeps its
# dictionary cache (9 MB, made while the model is trained below, by that user):
# in /tmp it would be root's, unreadable, and rebuilt at every start.
ENV RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    TMPDIR=/app/tmp

WORKDIR /app
COPY requirements.txt requirements.lock ./
RUN pip install --no-cache-dir -r requirements.txt -c requirements.lock

# What the processes read, and nothing else: no tests, no local .env or var/.
COPY config.yml domain.yml credentials.yml ./
COPY nlu nlu
COPY dialogue dialogue
COPY content content
COPY settings settings
COPY language language
COPY curated curated
COPY handoff handoff
COPY rasa_extensions rasa_extensions
COPY actions actions
COPY fitting fitting
COPY bot bot
COPY review review
COPY scripts/docker-start.sh scripts/docker-start.sh
# content/ belongs to the app's user: the review app's content editor writes it (the
# `content` volume of docker-compose.yml starts as a copy of it, owner included).
RUN useradd --create-home --uid 10001 assistant \
    && mkdir -p var models .rasa tmp && chown assistant var models .rasa tmp \
    && chown -R assistant content

USER assistant
RUN python -m rasa_extensions.command train --config config.yml --domain domain.yml --data nlu dialogue --out models \
    && python -c "import jieba; jieba.initialize()" \
    && test -s tmp/jieba.cache
# Rasa's REST channel, the action server, the review app; the channels'
# webhooks listen where their *_LISTEN and *_PORT settings say.
EXPOSE 5005 5055 8000
CMD ["sh", "scripts/docker-start.sh", "all"]
