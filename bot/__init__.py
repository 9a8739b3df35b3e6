"""The channel layer: where tourists' messages come in and replies go out.

``language`` decides the reply language, ``pseudonym`` hides messaging-app ids,
``assistant`` sends each message to Rasa with that decision, ``services``
starts Rasa and the action server, and ``terminal`` / ``cli`` are the ways to
talk to it without a messaging app.
"""
