"""The catalogs at serving time, each a room of the same parts (catalog/<name>/: its declaration in __init__.py,
schema.py, queries.py), and what they share: the declaration types, name matching and title search. The app
generates its catalog tabs and REST routes from CATALOGS."""
from catalog.declaration import CatalogSpec, Param, Question, Route
from catalog.movies import MOVIES
from catalog.streaming import STREAMING

CATALOGS: tuple[CatalogSpec, ...] = (STREAMING, MOVIES)

__all__ = ["CATALOGS", "MOVIES", "STREAMING", "CatalogSpec", "Param", "Question", "Route"]
