"""Custom Rasa NLU components of the tourism assistant.

They sit in ``config.yml``'s pipeline beside Rasa's own components:

- ``tokenizer.MultilingualTokenizer``: jieba for Chinese, words for French and English;
- ``gazetteer.GazetteerEntityExtractor``: places and activities by name, in any language;
- ``language_entity.LanguageEntityExtractor``: the channel's language decision as an entity,
  which fills the ``language`` slot.
"""
