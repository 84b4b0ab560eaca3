"""The Movies catalog's own tabs ("Movie picks"): your own picks, a MovieLens user's picks, recommend
a film or not, similar films. Each event answers (markdown, table(s), json) like the streaming tabs and has an
api_name for gradio_client: movies_for_visitor, movies_top_n, movies_recommend, movies_similar, movies_search.

The visitor's flow: find a film (search box), choose its stars, "Add"; three or more films, then "Get my picks".
The ratings live in a JSON component as [[TMDB id, rating], ...], the same list gradio_client sends to
/movies_for_visitor (a number is a TMDB id, text a title). Picks, top picks and similar films show as poster
cards (serving.posters), each pick with "Because you rated ...".

The visitor's profile stays in their own browser (gr.BrowserState, encrypted under APP_BROWSER_KEY with
APP_BROWSER_SECRET): their ratings, the films they are not interested in (never shown again: sent as
`exclude`), whether they share their ratings, and an anonymous visitor id. Thumbs on a pick are recorded
through serving.feedback; the ratings they ask picks for only when they tick "share my ratings".
"""
from __future__ import annotations

import html
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

import gradio as gr
import pandas as pd

from catalog import MOVIES
from catalog.movies import answers
from errors import InputError
from inputs.ratings import MAX_EXCLUDED, MAX_VISITOR_RATINGS
from inputs.ratings import MIN_VISITOR_RATINGS as MIN_RATINGS
from serving.feedback import feedback_log
from serving.posters import poster_img
from serving.state.snapshot import AppState, snapshot
from serving.ui import format as fmt
from serving.ui.links import LinkedTab, Links
from serving.ui.widgets import (
    ANY,
    api_input,
    count_slider,
    json_answer,
    model_size,
    platform_dropdown,
    readable_errors,
    search_picker,
    streams_label,
    titles_table,
)
from settings import load_settings

log = logging.getLogger(__name__)

BECAUSE = "Because you rated"
SHARE_LABEL = "Share my ratings to improve the model"
SHARE_INFO = ("When ticked, the ratings you ask picks for are kept (with a random visitor id, nothing else about "
              "you) and used to train the next model. Thumbs up/down on a pick are always kept the same way.")
STARS = [(f"{'★' * int(r)}{'½' if r % 1 else ''} {r:g}", r) for r in [x / 2 for x in range(10, 0, -1)]]


def movie_label(card: dict) -> str:
    """A search hit on one line: "Finding Nemo (2003; Animation, Family) [TMDB 12]"."""
    genres = ", ".join(card.get("genres", [])[:3])
    return f"{card['title']} ({card['year']}{'; ' + genres if genres else ''}) [TMDB {card['id']}]"


def make_handlers(state: AppState) -> dict[str, Callable]:
    """The Movies model's event functions, bound to the loaded state. Each is named after its api_name (an MCP
    tool's name) and documented for API clients and MCP tools (see catalog.streaming.ui.make_handlers)."""

    @readable_errors
    def movies_search(query: str) -> dict:
        """Find films of the Movies catalog (TMDB) that have MovieLens ratings, by part of their title, best first:
        the films movies_for_visitor can learn a taste from.

        Args:
            query: part of a title, e.g. finding nemo.

        Returns:
            {"query", "items": [{"id", "title", "year", "genres", ...}, ...]}; an item's id is its TMDB id
        """
        if not query or not str(query).strip():
            return {"query": "", "items": []}
        return answers.search(snapshot(state), query, 20)

    @readable_errors
    def movies_for_visitor(ratings: list, n: float, platform: str, exclude: list | None = None,
                           ) -> tuple[str, pd.DataFrame, dict]:
        """Films for a visitor's taste from their own star ratings of at least 3 films (the Movies model folds them
        in), with where to watch each; the films they rated are never among them.

        Args:
            ratings: [[movie, stars], ...], 3 or more; movie: a TMDB id (number, e.g. 862) or title; stars: 0.5-5.
            n: how many films, 1 to 100.
            platform: amazon, disney, hulu or netflix to keep films streaming there, or any.
            exclude: TMDB ids of films the visitor is not interested in (never among the picks); may be left out.

        Returns:
            the picks in words (Markdown)
            the answer as JSON: rated (the films read), items with id, title, predicted_rating, where_to_watch
        """
        answer = answers.for_visitor(snapshot(state), ratings, n, platform, exclude)
        rated = "; ".join(f"{r['title']} ({r['release_year']}): {r['rating']:g}" for r in answer["rated"])
        head = f"**Your picks** from your {len(answer['rated'])} ratings ({rated})."
        if answer["notice"]:
            head += f"\n\n> {answer['notice']}"
        # The blend's score ranks but means nothing to a reader: the table shows the predicted rating.
        table = titles_table([{k: v for k, v in i.items() if k != "score"} for i in answer["items"]])
        if answer["items"]:
            table[BECAUSE] = [because_text(i.get("because", [])) or "-" for i in answer["items"]]
        return head, table, answer

    @readable_errors
    def movies_top_n(user_id: str, genre: str, year_from: str, year_to: str, platform: str,
                     n: float) -> tuple[str, pd.DataFrame, dict]:
        """A MovieLens user's best films by predicted rating, leaving out the films they rated; optionally of a
        genre, released in a range of years, streaming on a platform.

        Args:
            user_id: a MovieLens user, a whole number, e.g. 15.
            genre: a genre, e.g. Comedy (several: comma-separated), or any.
            year_from: released in or after this year, e.g. 1990; empty for no limit.
            year_to: released in or before this year, e.g. 2010; empty for no limit.
            platform: amazon, disney, hulu or netflix to keep films streaming there, or any.
            n: how many films, 1 to 100.

        Returns:
            a heading in words (Markdown)
            the answer as JSON: items with id, title, release_year, genres, predicted_rating, where_to_watch
        """
        answer = answers.top_n(snapshot(state), user_id, n, None if genre == ANY else genre, year_from, year_to,
                                     platform)
        head = (f"Top {len(answer['items'])} for MovieLens user **{answer['user_id']}** (leaving out the "
                f"{fmt.count(answer['n_rated'])} films they rated).")
        if answer["notice"]:
            head += f"\n\n> {answer['notice']}"
        return head, titles_table(answer["items"]), answer

    @readable_errors
    def movies_recommend(user_id: str, movie: int | str) -> tuple[str, dict]:
        """Should a MovieLens user be recommended a film? The Movies model's predicted rating (0.5-5 stars) against
        the threshold, the verdict, why, and where to watch the film.

        Args:
            user_id: a MovieLens user, a whole number, e.g. 15.
            movie: the film's TMDB id as a number (e.g. 862) or its title as text (e.g. toy story).

        Returns:
            the answer in words (Markdown)
            the answer as JSON: predicted_rating, threshold, recommend, decision, explanation, where_to_watch
        """
        answer = answers.recommend(snapshot(state), user_id, movie)
        text = (f"## {answer['decision']}\n**{answer['title']}** ({answer['release_year']}, TMDB id {answer['id']}) "
                f"for MovieLens user **{answer['user_id']}**: predicted rating "
                f"**{fmt.score(answer['predicted_rating'])}** "
                f"against the threshold **{answer['threshold']:g}**.\n\n{answer['explanation']}\n\n"
                f"**Where to watch**: {streams_label(answer['where_to_watch'])}")
        return text, answer

    @readable_errors
    def movies_similar(movie: int | str, platform: str,
                       n: float) -> tuple[str, pd.DataFrame, str, pd.DataFrame, dict]:
        """Films like a film, two ways: by content (genres, story, cast, director, collection) and by taste
        (films the same people rate alike), with where to watch each.

        Args:
            movie: the film's TMDB id as a number (e.g. 862) or its title as text (e.g. toy story).
            platform: amazon, disney, hulu or netflix to keep films streaming there, or any.
            n: how many films of each kind, 1 to 100.

        Returns:
            a heading in words (Markdown)
            a heading for the films by taste (Markdown)
            the answer as JSON: items (by content) and by_taste.items, each with id, title, release_year, where_to_watch
        """
        answer = answers.similar(snapshot(state), movie, n, platform)
        head = (f"Films most like **{answer['title']}** ({answer['release_year']}, TMDB id {answer['id']}) by "
                "genres, story, cast, director and collection.")
        if answer["notice"]:
            head += f"\n\n> {answer['notice']}"
        taste = "Films the same people rate alike (the model's learned factors)."
        if answer["by_taste"]["notice"]:
            taste += f"\n\n> {answer['by_taste']['notice']}"
        return head, titles_table(answer["items"]), taste, titles_table(answer["by_taste"]["items"]), answer

    return {"search": movies_search, "for_visitor": movies_for_visitor, "top_n": movies_top_n,
            "recommend": movies_recommend, "similar": movies_similar}


# ---- poster cards ------------------------------------------------------------------------------------------
def because_text(because: list[dict]) -> str:
    """"Toy Story, Up" from a pick's `because`."""
    return ", ".join(b["title"] for b in because)


def poster_cards(items: list[dict], heading: str | None = None) -> str:
    """Answer items as poster cards (HTML): poster (the placeholder when it has none or it fails to load), title
    and year, predicted rating, "Because you rated ...", where to watch."""
    if not items:
        return ""
    cards = []
    for item in items:
        title = str(item.get("title", ""))
        lines = [f"<strong>{html.escape(title)}</strong> ({html.escape(str(item.get('release_year', '')))})"]
        if item.get("predicted_rating") is not None:
            lines.append(f"predicted {float(item['predicted_rating']):.1f} ★")
        if item.get("because"):
            lines.append(f'<span class="because">{BECAUSE} {html.escape(because_text(item["because"]))}</span>')
        if item.get("where_to_watch"):
            lines.append(f"on {html.escape(streams_label(item['where_to_watch']))}")
        cards.append(f'<div class="movie-card" data-id="{int(item["id"])}" style="width:150px">'
                     f'{poster_img(item.get("poster"), title)}<div style="font-size:0.85em;line-height:1.3">'
                     + "<br>".join(lines) + "</div></div>")
    top = f"<h4>{html.escape(heading)}</h4>" if heading else ""
    style = "<style>.movie-card img.poster{width:150px;height:225px;object-fit:cover;border-radius:6px}</style>"
    return (f'{style}{top}<div class="poster-cards" style="display:flex;flex-wrap:wrap;gap:12px">'
            + "".join(cards) + "</div>")


def _items(answer: Any, key: str = "items") -> list[dict]:
    return answer.get(key, []) if isinstance(answer, dict) else []


def similar_cards(answer: Any) -> str:
    taste = answer.get("by_taste", {}) if isinstance(answer, dict) else {}
    return (poster_cards(_items(answer), "By content")
            + poster_cards(taste.get("items", []) if isinstance(taste, dict) else [], "By taste"))


# ---- the visitor's profile, kept in their browser ---------------------------------------------------------
EMPTY_PROFILE = {"visitor": None, "ratings": [], "not_interested": [], "share": False}
_VISITOR_RE = re.compile(r"[0-9a-f]{32}")


def clean_profile(profile: Any) -> dict:
    """A stored profile as the page uses it: what is not well formed is dropped (it comes from the browser), and a
    visitor without an id gets a new random one."""
    profile = profile if isinstance(profile, dict) else {}
    visitor = profile.get("visitor")
    ratings = [[m, float(r)] for pair in profile.get("ratings") or [] if isinstance(pair, list) and len(pair) == 2
               for m, r in [pair] if isinstance(m, (int, str)) and not isinstance(m, bool)
               and isinstance(r, (int, float)) and not isinstance(r, bool)]
    excluded = [int(m) for m in profile.get("not_interested") or [] if isinstance(m, int) and not isinstance(m, bool)]
    return {"visitor": visitor if isinstance(visitor, str) and _VISITOR_RE.fullmatch(visitor) else uuid.uuid4().hex,
            "ratings": ratings[:MAX_VISITOR_RATINGS],
            "not_interested": excluded[:MAX_EXCLUDED], "share": profile.get("share") is True}


def _pick_choices(answer: Any) -> gr.Dropdown:
    choices = [(f"{i['title']} ({i.get('release_year', '')})", int(i["id"])) for i in _items(answer)]
    return gr.Dropdown(choices=choices, value=choices[0][1] if choices else None)


def _pick_title(answer: Any, movie: Any) -> str:
    return next((str(i["title"]) for i in _items(answer) if i["id"] == movie), f"TMDB {movie}")


# ---- the visitor's ratings list ---------------------------------------------------------------------------
def add_rating(ratings: list | None, movie: int | str | None, stars: float) -> list:
    """The list with `movie` rated `stars` (replacing an earlier rating of the same film)."""
    if movie is None or movie == "":
        raise gr.Error("Pick a film first: type part of its title in the search box.", print_exception=False)
    kept = [pair for pair in (ratings or []) if pair[0] != movie]
    return [*kept, [movie, stars]]


def ratings_table(state: AppState, ratings: list | None) -> pd.DataFrame:
    """The visitor's ratings with the films' titles (a typed title as typed)."""
    model = snapshot(state).movie_model
    rows = []
    for movie, stars in ratings or []:
        i = model.item_index(movie) if model is not None and isinstance(movie, int) else None
        rows.append({"Film": str(model.item_titles[i]) if i is not None else str(movie), "Your rating": stars})
    return pd.DataFrame(rows, columns=["Film", "Your rating"])


def movie_picker(state: AppState, search: Callable, label: str, api_name: str | None = None) -> gr.Dropdown:
    """A search box and the dropdown of matching rated films it fills; the dropdown's value is a TMDB id (a
    number), or the text typed into it (read as a title)."""
    now = snapshot(state)  # the examples need the Movies catalog too, which loads after the port opens
    hits = search("toy story")["items"] if now.movie_model is not None and MOVIES.name in now.queries else []
    query, film, _ = search_picker(search, movie_label, hits, query_label="Find a film",
                                   placeholder="type part of a title, e.g. finding nemo", label=label,
                                   info="pick a film, or type its exact title",
                                   schema={"anyOf": [{"type": "integer"}, {"type": "string"}]})
    if api_name:
        query.submit(search, query, gr.JSON(visible=False), api_name=api_name)
    return film


def _platform() -> gr.Dropdown:
    return platform_dropdown("Streams on")


def headline(now: AppState) -> str:
    """The catalog in the page's heading, with its sizes as loaded."""
    movies = now.queries.get(MOVIES.name)
    sizes = [f"{fmt.count(movies.size)} films"] if movies is not None else []
    if now.movie_model is not None:
        sizes.append(model_size(now.movie_model, "films", "MovieLens ratings"))
    return "**TMDB movies**" + (f" ({'; '.join(sizes)})" if sizes else "")


def page_state(state: AppState) -> gr.BrowserState:
    """The visitor's profile in their browser (EMPTY_PROFILE's keys). Made at the page's top level, outside any
    tab: a component inside a tab not yet opened is not mounted, so a page load could not read it."""
    settings = load_settings()
    return gr.BrowserState(EMPTY_PROFILE, storage_key=settings.browser_key, secret=settings.browser_secret)


def tabs(state: AppState, links: Links, top: gr.Tabs, demo: gr.Blocks, profile: gr.BrowserState) -> None:
    """The "Movie picks" tab group. Its tabs are linked as movies_for_visitor, movies_top_n, movies_recommend and
    movies_similar; a film is `movie_id` in the links made here (`title` works too). `profile`: page_state()."""
    handlers = make_handlers(state)
    now = snapshot(state)  # an AppState, or a serving.live.Live's snapshot serving when the page is built
    model = now.movie_model
    example_user = str(int(model.user_ids[0])) if model is not None else "1"
    genres = [ANY, *(str(g) for g in model.genre_names)] if model is not None else [ANY]
    with gr.Tab("Movie picks", id="movie_picks"):
        if model is None:
            gr.Markdown(f"> **Note:** {now.movie_model_error or 'the Movies model is not loaded.'}")
        with gr.Tabs() as group:
            def where(tab: str) -> tuple[tuple[gr.Tabs, str], ...]:
                return (top, "movie_picks"), (group, tab)

            with gr.Tab("Your picks", id="movies_for_visitor"):
                visitor_tab(state, handlers, links, where("movies_for_visitor"), demo, profile)
            with gr.Tab("For a MovieLens user", id="movies_top_n"):
                with gr.Row():
                    user = gr.Textbox(label="MovieLens user id", value=example_user, info="a whole number, e.g. 15")
                    genre = gr.Dropdown(genres, value=ANY, label="Genre", allow_custom_value=True)
                    api_input(genre, {"type": "string"})  # several genres, comma-separated, are not one choice
                    year_from = gr.Textbox(label="Released from (year)", value="")
                    year_to = gr.Textbox(label="Released until (year)", value="")
                with gr.Row():
                    platform = _platform()
                    n = count_slider()
                button = gr.Button("Show top picks", variant="primary")
                head = gr.Markdown(elem_classes=["answer"])
                cards = gr.HTML(elem_classes=["poster-gallery"])
                outputs = [head, gr.Dataframe(label="Top picks", interactive=False), json_answer()]
                outputs[-1].change(lambda a: poster_cards(_items(a)), outputs[-1], cards, api_visibility="private",
                                   show_progress="hidden")
                inputs = {"user_id": user, "genre": genre, "year_from": year_from, "year_to": year_to,
                          "platform": platform, "n": n}
                button.click(handlers["top_n"], list(inputs.values()), outputs, api_name="movies_top_n")
                links.tab(LinkedTab("movies_top_n", where("movies_top_n"), inputs, handlers["top_n"], outputs))
            with gr.Tab("Recommend a film?", id="movies_recommend"):
                with gr.Row():
                    user = gr.Textbox(label="MovieLens user id", value=example_user, info="a whole number, e.g. 15")
                    with gr.Column():
                        film = movie_picker(state, handlers["search"], "Film")
                button = gr.Button("Recommend?", variant="primary")
                outputs = [gr.Markdown(elem_classes=["answer"]), json_answer()]
                button.click(handlers["recommend"], [user, film], outputs, api_name="movies_recommend")
                links.tab(LinkedTab("movies_recommend", where("movies_recommend"), {"user_id": user, "movie_id": film},
                                    handlers["recommend"], outputs, aliases={"title": "movie_id"},
                                    ids=frozenset({"movie_id"})))
            with gr.Tab("Similar films", id="movies_similar"):
                with gr.Row():
                    with gr.Column():
                        film = movie_picker(state, handlers["search"], "Film")
                    platform = _platform()
                    n = count_slider()
                button = gr.Button("Show similar films", variant="primary")
                head = gr.Markdown(elem_classes=["answer"])
                cards = gr.HTML(elem_classes=["poster-gallery"])
                outputs = [head, gr.Dataframe(label="By content", interactive=False),
                           gr.Markdown(), gr.Dataframe(label="By taste", interactive=False), json_answer()]
                outputs[-1].change(similar_cards, outputs[-1], cards, api_visibility="private", show_progress="hidden")
                button.click(handlers["similar"], [film, platform, n], outputs, api_name="movies_similar")
                links.tab(LinkedTab("movies_similar", where("movies_similar"),
                                    {"movie_id": film, "platform": platform, "n": n}, handlers["similar"], outputs,
                                    aliases={"title": "movie_id"}, ids=frozenset({"movie_id"})))


def visitor_tab(state: AppState, handlers: dict[str, Callable], links: Links,
                selectors: tuple[tuple[gr.Tabs, str], ...], demo: gr.Blocks, profile: gr.BrowserState) -> None:
    """Search a film, choose its stars, add it; three or more, then "Get my picks". The profile (ratings, films
    not wanted, the sharing choice) is kept in the visitor's browser and read back at each page load."""
    gr.Markdown(f"Rate at least {MIN_RATINGS} films you know and get films for your taste, with where to watch "
                "them. Your ratings stay in this browser (reload the page: they are still here). "
                "`POST /movies/for_visitor` · gradio_client `api_name=\"/movies_for_visitor\"`")
    with gr.Row():
        with gr.Column(scale=3):
            film = movie_picker(state, handlers["search"], "Film", api_name="movies_search")
        with gr.Column(scale=1):
            stars = gr.Radio(STARS, value=5.0, label="Your rating")
            add = gr.Button("Add rating")
    ratings = gr.JSON(value=[], visible=False)  # [[TMDB id, stars], ...]: what the API takes
    excluded = gr.JSON(value=[], visible=False)  # TMDB ids the visitor is not interested in: the API's `exclude`
    api_input(excluded, {"type": "array", "items": {"type": "integer"}})
    api_input(ratings, {"type": "array", "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {
        "anyOf": [{"type": "integer"}, {"type": "number"}, {"type": "string"}]}}})  # [movie, stars]
    rated = gr.Dataframe(ratings_table(state, []), label="Your ratings", interactive=False,
                         elem_id="visitor-ratings")
    with gr.Row():
        clear = gr.Button("Clear ratings", size="sm")
        platform = _platform()
        n = count_slider()
    share = gr.Checkbox(False, label=SHARE_LABEL, info=SHARE_INFO, elem_id="share-ratings")
    picks = gr.Button("Get my picks", variant="primary")
    head = gr.Markdown(elem_classes=["answer"])
    cards = gr.HTML(elem_id="visitor-picks", elem_classes=["poster-gallery"])
    with gr.Row(elem_id="pick-actions"):
        pick = gr.Dropdown(label="A pick", choices=[], scale=3, info="choose one of your picks, then say what "
                           "you think of it")
        up = gr.Button("👍 Good pick", size="sm", scale=1)
        down = gr.Button("👎 Not for me", size="sm", scale=1)
        not_interested = gr.Button("Not interested (never show it again)", size="sm", scale=1, variant="stop")
    outputs = [head, gr.Dataframe(label="Your picks", interactive=False), json_answer()]
    answer = outputs[-1]

    def load_profile(stored: Any, request: gr.Request) -> tuple:
        """The stored profile into the page; a link's own ratings (a shared link) win over the stored ones."""
        kept = clean_profile(stored)
        params = dict(request.query_params) if request is not None else {}
        linked = params.get("tab") == "movies_for_visitor" and "ratings" in params
        return kept, gr.skip() if linked else kept["ratings"], kept["not_interested"], kept["share"]

    def add_and_keep(values: list | None, movie: int | str | None, value: float, stored: Any) -> tuple[list, dict]:
        values = add_rating(values, movie, value)
        return values, {**clean_profile(stored), "ratings": values}

    def clear_and_keep(stored: Any) -> tuple[list, dict]:
        return [], {**clean_profile(stored), "ratings": []}

    def keep_share(value: bool, stored: Any) -> dict:
        return {**clean_profile(stored), "share": bool(value)}

    def keep_feedback(kind: str, payload: dict) -> bool:
        """Record one event; a bad event or a full disk is logged and never breaks the visitor's page."""
        try:
            feedback_log().record(kind, payload)
            return True
        except (InputError, OSError) as exc:
            log.warning("feedback not kept: %s", exc)
            return False

    def record_shared(stored: Any, shared: bool, given: Any) -> None:
        """The ratings the picks were made from, when the visitor opted in (as resolved: TMDB ids)."""
        if shared and isinstance(given, dict) and given.get("rated"):
            keep_feedback("ratings", {"catalog": MOVIES.name, "visitor": clean_profile(stored)["visitor"],
                                      "ratings": [{"movie": r["id"], "rating": r["rating"]} for r in given["rated"]]})

    def thumbs(vote: str) -> Callable:
        def record(stored: Any, movie: Any, given: Any) -> None:
            if movie not in {i["id"] for i in _items(given)}:
                raise gr.Error("Get your picks first, then choose one of them.", print_exception=False)
            if keep_feedback("thumbs", {"catalog": MOVIES.name, "movie": int(movie), "vote": vote,
                                        "visitor": clean_profile(stored)["visitor"]}):
                gr.Info(f"Thanks: {'👍' if vote == 'up' else '👎'} for {_pick_title(given, movie)} noted.")
            else:
                gr.Warning("Your vote could not be kept just now; the picks are unchanged.")
        return record

    def drop_pick(stored: Any, movie: Any, values: list, count: float, where: str) -> tuple:
        """The pick left out for good, and the picks again without it."""
        if isinstance(movie, bool) or not isinstance(movie, int):
            raise gr.Error("Get your picks first, then choose the one you are not interested in.",
                           print_exception=False)
        kept = clean_profile(stored)
        kept["not_interested"] = [*[m for m in kept["not_interested"] if m != int(movie)], int(movie)]
        again = handlers["for_visitor"](values, count, where, kept["not_interested"])
        return kept, kept["not_interested"], *again

    demo.load(load_profile, profile, [profile, ratings, excluded, share], api_visibility="private")
    add.click(add_and_keep, [ratings, film, stars, profile], [ratings, profile], api_visibility="private")
    clear.click(clear_and_keep, profile, [ratings, profile], api_visibility="private")
    share.input(keep_share, [share, profile], profile, api_visibility="private")
    # The table follows the list, whoever changed it (Add, Clear, a link, the stored profile).
    ratings.change(lambda values: ratings_table(state, values), ratings, rated, api_visibility="private")
    picks.click(handlers["for_visitor"], [ratings, n, platform, excluded], outputs,
                api_name="movies_for_visitor").success(record_shared, [profile, share, answer], None,
                                                        api_visibility="private")
    answer.change(lambda a: (poster_cards(_items(a)), _pick_choices(a)), answer, [cards, pick],
                  api_visibility="private", show_progress="hidden")
    up.click(thumbs("up"), [profile, pick, answer], None, api_visibility="private")
    down.click(thumbs("down"), [profile, pick, answer], None, api_visibility="private")
    not_interested.click(drop_pick, [profile, pick, ratings, n, platform], [profile, excluded, *outputs],
                         api_visibility="private")
    links.tab(LinkedTab("movies_for_visitor", selectors, {"ratings": ratings, "n": n, "platform": platform},
                        handlers["for_visitor"], outputs, example={"ratings": [[862, 5], [12, 4.5], [585, 4]]}))
