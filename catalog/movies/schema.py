"""The Movies catalog's column contract: the table's file and the columns the app reads.

The movies ETL writes them (etl/movies/columns.py, docs/movies_catalog.md); they are repeated here because the
serving side never imports the offline side, and tests check that both agree.
"""
from __future__ import annotations

NAME = "movies"  # the catalog's name: its folder under the processed-data directory, its route prefix
MOVIES_FILE = "movies.parquet"

ID, TITLE, RELEASE_DATE, RELEASE_YEAR, RUNTIME = "id", "title", "release_date", "release_year", "runtime"
LANGUAGE, LANGUAGE_NAME = "original_language", "original_language_name"
COUNTRIES, COUNTRY_NAMES = "production_countries", "production_country_names"
COMPANIES, COLLECTION, DIRECTORS = "production_companies", "collection", "directors"
BUDGET, REVENUE, RETURN, VOTE_COUNT = "budget", "revenue", "return", "vote_count"
VOTE_AVERAGE, GENRES, OVERVIEW = "vote_average", "genres", "overview"
POSTER_PATH = "poster_path"

REQUIRED_COLUMNS = [ID, TITLE, RELEASE_DATE, RELEASE_YEAR, RUNTIME, LANGUAGE, LANGUAGE_NAME, COUNTRIES, COUNTRY_NAMES,
                    COMPANIES, COLLECTION, BUDGET, REVENUE, RETURN, VOTE_COUNT, DIRECTORS]
# Read when the table has them: the TMDB facts a linked streaming title shows.
FACTS_COLUMNS = [VOTE_AVERAGE, GENRES, OVERVIEW]
# Read when the table has it (tables built before posters were kept have none): the film's TMDB image path.
POSTER_COLUMNS = [POSTER_PATH]
WHERE_TO_WATCH = "where_to_watch"  # the key of each listed movie's streaming titles
