"""Écoute: listen to what people say about a brand, measure it, answer them."""

__version__ = "0.1.0"
