"""The web app and JSON API: ``create_app(store)`` builds it; ``ecoute serve`` runs it."""

from ecoute.web.app import create_app

__all__ = ["create_app"]
