"""The hand-off to a person of the tourism office: shared state read by the channel
core (who answers a tourist), the review app (the inbox) and the actions (office hours)."""
