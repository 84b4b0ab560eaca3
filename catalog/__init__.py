"""The catalogs at serving time: their declarations (CATALOGS), the streaming catalog's query module and
title search. The app generates its catalog tabs and REST routes from CATALOGS (see catalog.declaration).

A new catalog is a declaration module (like catalog/streaming.py) and its query module, added to CATALOGS.
"""
from catalog.declaration import CatalogSpec, Param, Question, Route
from catalog.movies import MOVIES
from catalog.queries import Catalog, load_catalog
from catalog.streaming import STREAMING

CATALOGS: tuple[CatalogSpec, ...] = (STREAMING, MOVIES)

__all__ = ["CATALOGS", "MOVIES", "STREAMING", "CatalogSpec", "Param", "Question", "Route", "Catalog",
           "load_catalog"]
