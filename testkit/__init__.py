"""What the tests and the benchmarks run the assistant against, all on loopback.

- ``fake_bot_api``: an offline Telegram Bot API that records what was sent;
- ``telegram_harness``: the real Telegram Application polling it in a thread;
- ``review_app``: the staff review app served on seeded data;
- ``actions``: the rasa-sdk actions run with a tracker and the real domain.

Nothing here touches an outside service. tests/conftest.py exposes them as
pytest fixtures; the production packages never import this one.
"""
