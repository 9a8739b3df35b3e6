"""Where Rasa keeps conversations (referenced from endpoints.yml)."""
