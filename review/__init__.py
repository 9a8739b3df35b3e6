"""Staff review app: what tourists asked, where the assistant failed, and what to fix.

``python -m review serve`` (``make review``) serves it; ``python -m review --help``
lists the other commands (accounts, import, retention, erasure).
"""
