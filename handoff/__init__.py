"""The hand-off to a person of the tourism office: shared state read by the channel
core (who answers a tourist) and the review app (the inbox). The offices' chat hours
are content: curated/offices.py."""
