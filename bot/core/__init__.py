"""The channel core: what every messaging channel does the same way.

``assistant`` takes one tourist message to Rasa and back (pseudonym, language
decision, "try again" when Rasa is down, the turn recorded); ``rasa_client``
talks to Rasa's REST channel; ``pseudonym`` hides messaging-app ids;
``user_memory`` keeps each user's language; ``conversation_log`` records turns
for the staff review app.
"""
