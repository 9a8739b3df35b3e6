"""Custom actions of the tourism assistant (run by Rasa's action server).

``actions.py`` holds the thin rasa-sdk Action classes; the work is in
``answers`` (composing replies), ``content_store`` (reading content/) and
``live_content`` (reloading it when an editor saves a file).
"""
