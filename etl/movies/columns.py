"""Every file name, column name and source of the movies catalog, in one place."""
from __future__ import annotations

SUBDIR = "tmdb"            # raw_dir / SUBDIR holds the inputs

# ---- raw inputs (the first file found of each pair is used) ----------------------------------------------------
METADATA_FILES = ("movies_metadata.csv", "movies_metadata_head5000.csv")
CREDITS_RAW_FILE = "credits.csv"                                   # id, cast, crew (raw literals)
CREDITS_HEAD_FILE = "credits_head5000_top3cast_director.csv"       # id, top_cast, director
RATINGS_FILE_IN = "ratings_small.csv"
LINKS_FILE = "links_small.csv"

# ---- outputs ---------------------------------------------------------------------------------------------------
MOVIES_FILE = "movies.parquet"
RATINGS_FILE = "ratings.parquet"
AGREEMENT_FILE = "agreement.csv"
REPORT_FILE = "etl_report.json"
QUARANTINE_FILE = "quarantine.csv"

# ---- raw metadata columns --------------------------------------------------------------------------------------
RAW_COLLECTION = "belongs_to_collection"
RAW_COMPANIES = "production_companies"
RAW_COUNTRIES = "production_countries"
RAW_SPOKEN = "spoken_languages"
RAW_GENRES = "genres"
LITERAL_COLUMNS = (RAW_COLLECTION, RAW_COMPANIES, RAW_COUNTRIES, RAW_SPOKEN, RAW_GENRES)
DROPPED_COLUMNS = ("video", "imdb_id", "adult", "original_title", "homepage")
RAW_REQUIRED = ("id", "title", "overview", "release_date", "budget", "revenue", "runtime", "popularity",
                "vote_average", "vote_count", "original_language", "status", *LITERAL_COLUMNS)

# ---- the catalog (movies.parquet) ------------------------------------------------------------------------------
ID = "id"                               # TMDB id, int64
TITLE = "title"
OVERVIEW = "overview"
RELEASE_DATE = "release_date"           # "YYYY-MM-DD"
RELEASE_YEAR = "release_year"           # int
RUNTIME = "runtime"                     # minutes, float (null where unknown)
BUDGET = "budget"                       # int64, 0 where unknown
REVENUE = "revenue"                     # int64, 0 where unknown
RETURN = "return"                       # revenue / budget, 0 where budget is 0
POPULARITY = "popularity"
VOTE_AVERAGE = "vote_average"
VOTE_COUNT = "vote_count"               # Int64
LANGUAGE = "original_language"          # ISO 639-1 code (TMDB's, see names.py for the non-standard ones)
LANGUAGE_NAME = "original_language_name"
COLLECTION = "collection"               # collection name or null
GENRES = "genres"                       # list<str>
COMPANIES = "production_companies"      # list<str>
COUNTRIES = "production_countries"      # list<str> ISO 3166-1 alpha-2 codes
COUNTRY_NAMES = "production_country_names"  # list<str> English names, same order
SPOKEN = "spoken_languages"             # list<str> ISO 639-1 codes (raw rows only)
DIRECTORS = "directors"                 # list<str>
CAST = "cast_top3"                      # list<str>, first 3 billed (where known)
STATUS = "status"                       # raw rows only
ROW_SOURCE = "row_source"               # "raw" (movies_metadata row) or "derived"
POSTER_PATH = "poster_path"             # TMDB image path ("/rhIRbceoE9lR4veEXuwCC2wARtG.jpg") or null

LIST_FIELDS = (GENRES, COMPANIES, COUNTRIES, COUNTRY_NAMES, SPOKEN, DIRECTORS, CAST)
MOVIE_COLUMNS = [ID, TITLE, RELEASE_DATE, RELEASE_YEAR, OVERVIEW, GENRES, RUNTIME, LANGUAGE, LANGUAGE_NAME,
                 SPOKEN, COUNTRIES, COUNTRY_NAMES, COMPANIES, COLLECTION, BUDGET, REVENUE, RETURN, POPULARITY,
                 VOTE_AVERAGE, VOTE_COUNT, DIRECTORS, CAST, STATUS, ROW_SOURCE, POSTER_PATH]

# ---- ratings.parquet -------------------------------------------------------------------------------------------
USER = "userId"
ML_MOVIE = "movieId"                    # MovieLens id
TMDB_ID = "tmdbId"                      # in links_small.csv
RATING = "rating"
TIMESTAMP = "timestamp"
RATING_COLUMNS = [USER, ID, ML_MOVIE, RATING, TIMESTAMP]

# ---- derived/ sources: the one file each field comes from beyond the raw rows ---------------------------------
D_CORE = "derived/core_popularity_all__mcarolina25.csv"
D_VOTES = "derived/votes_all__mandrad3.csv"
D_RUNTIME = "derived/runtime_all__mandrad3.csv"
D_LANGUAGE = "derived/language_all__mandrad3.csv"
D_COUNTRIES = "derived/countries_all__mandrad3.csv"
D_COMPANIES = "derived/companies_all__mandrad3.csv"
D_COLLECTION = "derived/collection_all__mandrad3.csv"
D_GENRES = "derived/genres_title_poster_all__mainak97.csv"
D_DIRECTORS = "derived/directors_all__fermuba.csv"
D_OVERVIEW_HEAD = "derived/overview_tagline_head9125__prasoon950.csv"
D_OVERVIEW_VC50 = "derived/overview_genres_vc50__niyatithacker.csv"

# The spine of the derived catalog: every movie with a valid release date, in the original order.
SPINE = D_CORE

# field -> (derived file, its column). Fields of the movies beyond the raw rows come from here.
FIELD_SOURCES: dict[str, tuple[str, str]] = {
    TITLE: (D_RUNTIME, "title"),
    RELEASE_DATE: (D_CORE, "release_date"),
    BUDGET: (D_CORE, "budget"),
    REVENUE: (D_CORE, "revenue"),
    POPULARITY: (D_CORE, "popularity"),
    VOTE_AVERAGE: (D_VOTES, "vote_average"),
    VOTE_COUNT: (D_VOTES, "vote_count"),
    RUNTIME: (D_RUNTIME, "runtime"),
    LANGUAGE: (D_LANGUAGE, "original_language"),
    COUNTRIES: (D_COUNTRIES, "production_countries"),
    COMPANIES: (D_COMPANIES, "production_companies"),
    COLLECTION: (D_COLLECTION, "name_collection"),
    GENRES: (D_GENRES, "genres"),
    POSTER_PATH: (D_GENRES, "poster_path"),
}
# Overview: no derived file covers every movie; the first 9,125 original rows, then the movies with >= 50 votes.
OVERVIEW_SOURCES = ((D_OVERVIEW_HEAD, "overview"), (D_OVERVIEW_VC50, "overview"))
# Directors: fermuba lists every director of 44,544 movies (SOURCES.md prefers it); used for every movie unless
# the raw credits.csv is there. The head5000 credits file names one director: used where fermuba has none.
DIRECTOR_SOURCE = (D_DIRECTORS, "id_movie", "name")
ID_COLUMNS = {D_DIRECTORS: "id_movie"}   # every other file calls it "id"
