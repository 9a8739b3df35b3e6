"""Where tourists' messages come in and replies go out, and what runs the assistant.

- ``channels``: Telegram, the terminal chat, ``ask``;
- ``core``: what every channel shares (language decision, pseudonyms, Rasa, the turn log);
- ``services``: starts Rasa, the action server and the review app, and stops them;
- ``cli``: ``python -m bot {run,chat,ask,train}``.
"""
