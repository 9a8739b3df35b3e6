"""What the tourism assistant adds to Rasa, loaded by the Rasa server.

In ``config.yml``'s pipeline, beside Rasa's own components:

- ``tokenizer.MultilingualTokenizer``: jieba for Chinese, words for French and English;
- ``sentence_encoder.SentenceEncoderFeaturizer``: what a message means, as the vector of a
  multilingual sentence encoder whose weights ship in a registry package;
- ``gazetteer.GazetteerEntityExtractor``: places and activities by name, in any language;
- ``language_entity.LanguageEntityExtractor``: the channel's language decision as an entity,
  which fills the ``language`` slot.

In the endpoints file (written by ``endpoints.py`` from the settings):
``tracker_store.SessionTrackerStore``, Rasa's SQL store on SQLite or PostgreSQL with
each conversation's recent turns in memory (``recent_turns.py``), and
``lock_store.FallbackRedisLockStore``, Rasa's Redis lock store that keeps answering
while Redis is down. ``speedups`` is applied by the components when the Rasa server
loads them. ``names`` needs no Rasa: the channel layer and the actions use it too,
so nothing here imports Rasa at package level.
"""
