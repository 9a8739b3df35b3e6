"""What the tourism assistant adds to Rasa, loaded by the Rasa server.

In ``config.yml``'s pipeline, beside Rasa's own components:

- ``tokenizer.MultilingualTokenizer``: jieba for Chinese, words for French and English;
- ``sentence_encoder.SentenceEncoderFeaturizer``: what a message means, as the vector of a
  multilingual sentence encoder whose weights ship in a registry package;
- ``gazetteer.GazetteerEntityExtractor``: places and activities by name, in any language;
- ``language_entity.LanguageEntityExtractor``: the channel's language decision as an entity,
  which fills the ``language`` slot.

In ``endpoints.yml``: ``sqlite_tracker_store.SQLiteTrackerStore``, Rasa's SQL store
with SQLite tuned. ``speedups`` is applied by the components when the Rasa server
loads them. ``names`` needs no Rasa: the channel layer and the actions use it too,
so nothing here imports Rasa at package level.
"""
