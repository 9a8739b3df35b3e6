"""What each messaging app can show: its limits, and replies made to fit them.

``text.py`` cuts and numbers for every channel; ``telegram.py``, ``wechat.py`` and
``whatsapp.py`` hold each app's limits and shapes. The channels (``bot/channels``)
send what these return; the review app's content editor shows it before saving
(``review/content_preview.py``). Pure functions, no network, no channel library: each
limit is written once, here.
"""
