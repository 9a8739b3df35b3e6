"""The curated content: what content/ may hold, how it is read, checked and reloaded.

- ``schema``: every kind of entry and its fields (``field_types``: how each field is checked);
- ``entries``: places, offers, events and FAQ entries as plain objects;
- ``reading``: one content file read and checked (``numbered_yaml``: YAML read with the
  line of every key; ``builders``: what passed the schema made into ``entries``);
- ``content``: the files put together into what the assistant answers from, with the
  checks that span files (duplicate ids, unknown places, ``faq_duplicates``);
- ``problems``: each kind of mistake an editor can make, worded in fr/en/zh
  (``validation_messages.yml``);
- ``live``: the content reloaded when an editor saves a file, a broken file refused;
- ``validate``, ``coverage``: the editors' commands (``make validate``);
- ``faq_training_check``, ``nlu_examples``: FAQ ways of asking checked against nlu/.

Used by the channels, the Rasa components and the actions; imports only ``language``.
``content/`` holds the YAML files the tourism offices own.
"""
