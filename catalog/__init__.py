"""The processed catalog at serving time: the client's questions (queries, registry), title search,
platform names. The app and the REST API use `load_catalog()` and `QUERIES`."""
from catalog.platforms import parse_platform
from catalog.queries import Catalog, load_catalog
from catalog.registry import QUERIES, ParamSpec, QuerySpec

__all__ = ["Catalog", "load_catalog", "QUERIES", "QuerySpec", "ParamSpec", "parse_platform"]
