"""Measurements of the assistant: understanding and language choice.

``make evaluate`` runs them and writes docs/evaluation.md.
"""
