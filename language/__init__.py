"""Text in the assistant's three languages, with no other project package below it.

- ``LANGUAGES``, ``DEFAULT``: the languages the assistant answers in (the one
  place this list is written) and the one used when nothing tells.
- ``VARIANTS``: what a tourist reads, Chinese told apart by script: zh-Hans
  (Simplified, what the content is written in) or zh-Hant (Traditional).
- ``text``: what a Chinese character is, and how text is folded for matching.
- ``chinese``: Simplified and Traditional, told apart and converted.
- ``names``: the places and activities tourists write, from nlu/entities.yml.
- ``decision``: which language the next reply is in.
"""

LANGUAGES = ("fr", "zh", "en")
DEFAULT = "en"
VARIANTS = ("fr", "zh-Hans", "zh-Hant", "en")
