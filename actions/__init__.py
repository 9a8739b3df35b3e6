"""Custom actions of the tourism assistant (run by Rasa's action server).

``actions.py`` holds the thin rasa-sdk Action classes; the work is in
``answers`` (composing replies from the curated content) and ``faq``
(finding the FAQ entry a question asks). The content itself is read and
reloaded by ``curated``.
"""
