"""The areas of the review app, one module each, with its own route table (``routes``)."""
