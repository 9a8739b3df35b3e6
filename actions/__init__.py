"""Custom actions of the tourism assistant (run by Rasa's action server).

``actions.py`` holds the thin rasa-sdk Action classes: each reads the turn
once (``turn``), asks ``decision.decide`` what to answer, and sends it. The
decision is a pure function of the turn, the content, the time and the
offices; each reply carries a typed reason (``why``). What it calls:
``answers`` (composing replies from the curated content), ``faq`` (finding
the FAQ entry a question asks), ``ranking`` and ``retrieval`` (the content's
passages ranked together with the pipeline's signals). The content itself is
read and reloaded by ``curated``.
"""
