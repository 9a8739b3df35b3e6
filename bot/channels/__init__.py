"""The ways tourists reach the assistant, each on the channel core (``bot.core``).

``telegram`` (python-telegram-bot; ``telegram_render`` shapes replies for it),
``terminal`` (the chat of ``make run`` without a token) and ``ask`` (one JSON
reply per input line, for scripts and tests).
"""
