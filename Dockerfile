# The assistant's servers in one image: the action server and Rasa's REST
# channel (the channel layer, bot/, talks to it). Versions come from
# requirements.txt and requirements.lock, as for `make run`.
FROM python:3.10-slim

ENV RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app

WORKDIR /app
COPY requirements.txt requirements.lock ./
RUN pip install --no-cache-dir -r requirements.txt -c requirements.lock

COPY . .
RUN python -m rasa_extensions.command train --config config.yml --domain domain.yml --data nlu dialogue --out models \
    && useradd --create-home assistant && mkdir -p var && chown -R assistant var .rasa

USER assistant
EXPOSE 5005
CMD ["sh", "scripts/docker-start.sh"]
