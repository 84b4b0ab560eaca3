"""The Movies model's tabs in the Gradio UI ("Movie picks"): your own picks, a MovieLens user's picks, recommend
a film or not, similar films. Each event answers (markdown, table(s), json) like the streaming tabs and has an
api_name for gradio_client: movies_for_visitor, movies_top_n, movies_recommend, movies_similar, movies_search.

The visitor's flow: find a film (search box), choose its stars, "Add"; three or more films, then "Get my picks".
The ratings live in a JSON component as [[TMDB id, rating], ...], the same list gradio_client sends to
/movies_for_visitor (a number is a TMDB id, text a title).
"""
from __future__ import annotations

from collections.abc import Callable

import gradio as gr
import pandas as pd

from catalog import MOVIES
from inputs.platforms import PLATFORM_KEYS
from inputs.ratings import MIN_VISITOR_RATINGS as MIN_RATINGS
from serving import movie_service
from serving.links import LinkedTab, Links
from serving.state import AppState, snapshot
from serving.ui import ANY, count_slider, json_answer, readable_errors, streams_label, titles_table

STARS = [(f"{'★' * int(r)}{'½' if r % 1 else ''} {r:g}", r) for r in [x / 2 for x in range(10, 0, -1)]]


def movie_label(card: dict) -> str:
    """A search hit on one line: "Finding Nemo (2003; Animation, Family) [TMDB 12]"."""
    genres = ", ".join(card.get("genres", [])[:3])
    return f"{card['title']} ({card['year']}{'; ' + genres if genres else ''}) [TMDB {card['id']}]"


def make_movie_handlers(state: AppState) -> dict[str, Callable]:
    """The Movies model's event functions, bound to the loaded state."""

    @readable_errors
    def search(query: str) -> dict:
        """Films with ratings matching part of a title, best first: {"query", "items": [{"id", "title", ...}]}."""
        if not query or not str(query).strip():
            return {"query": "", "items": []}
        return movie_service.search(snapshot(state), query, 20)

    @readable_errors
    def for_visitor(ratings: list, n: float, platform: str) -> tuple[str, pd.DataFrame, dict]:
        answer = movie_service.for_visitor(snapshot(state), ratings, n, platform)
        rated = "; ".join(f"{r['title']} ({r['release_year']}): {r['rating']:g}" for r in answer["rated"])
        head = f"**Your picks** from your {len(answer['rated'])} ratings ({rated})."
        if answer["notice"]:
            head += f"\n\n> {answer['notice']}"
        # The blend's score ranks but means nothing to a reader: the table shows the predicted rating.
        return head, titles_table([{k: v for k, v in i.items() if k != "score"} for i in answer["items"]]), answer

    @readable_errors
    def top_n(user_id: str, genre: str, year_from: str, year_to: str, platform: str,
              n: float) -> tuple[str, pd.DataFrame, dict]:
        answer = movie_service.top_n(snapshot(state), user_id, n, None if genre == ANY else genre, year_from, year_to,
                                     platform)
        head = (f"Top {len(answer['items'])} for MovieLens user **{answer['user_id']}** (leaving out the "
                f"{answer['n_rated']} films they rated).")
        if answer["notice"]:
            head += f"\n\n> {answer['notice']}"
        return head, titles_table(answer["items"]), answer

    @readable_errors
    def recommend(user_id: str, movie: int | str) -> tuple[str, dict]:
        answer = movie_service.recommend(snapshot(state), user_id, movie)
        text = (f"## {answer['decision']}\n**{answer['title']}** ({answer['release_year']}, TMDB id {answer['id']}) "
                f"for MovieLens user **{answer['user_id']}**: predicted rating **{answer['predicted_rating']:.2f}** "
                f"against the threshold **{answer['threshold']:g}**.\n\n{answer['explanation']}\n\n"
                f"**Where to watch**: {streams_label(answer['where_to_watch'])}")
        return text, answer

    @readable_errors
    def similar(movie: int | str, platform: str, n: float) -> tuple[str, pd.DataFrame, str, pd.DataFrame, dict]:
        answer = movie_service.similar(snapshot(state), movie, n, platform)
        head = (f"Films most like **{answer['title']}** ({answer['release_year']}, TMDB id {answer['id']}) by "
                "genres, story, cast, director and collection.")
        if answer["notice"]:
            head += f"\n\n> {answer['notice']}"
        taste = "Films the same people rate alike (the model's learned factors)."
        if answer["by_taste"]["notice"]:
            taste += f"\n\n> {answer['by_taste']['notice']}"
        return head, titles_table(answer["items"]), taste, titles_table(answer["by_taste"]["items"]), answer

    return {"search": search, "for_visitor": for_visitor, "top_n": top_n, "recommend": recommend,
            "similar": similar}


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
    query = gr.Textbox(label="Find a film", placeholder="type part of a title, e.g. finding nemo", value="toy story")
    now = snapshot(state)  # the examples need the Movies catalog too, which loads after the port opens
    hits = search("toy story")["items"] if now.movie_model is not None and MOVIES.name in now.queries else []
    choices = [(movie_label(card), card["id"]) for card in hits]
    film = gr.Dropdown(label=label, choices=choices, value=choices[0][1] if choices else None,
                       allow_custom_value=True, info="pick a film, or type its exact title")

    def fill(text: str) -> gr.Dropdown:
        found = search(text)["items"]
        options = [(movie_label(card), card["id"]) for card in found]
        return gr.Dropdown(choices=options, value=options[0][1] if options else None)

    if api_name:
        query.submit(search, query, gr.JSON(visible=False), api_name=api_name)
    query.input(fill, query, film, trigger_mode="always_last", show_progress="hidden", api_visibility="private")
    return film


def _platform() -> gr.Dropdown:
    return gr.Dropdown([ANY, *PLATFORM_KEYS], value=ANY, label="Streams on", allow_custom_value=True)


def movie_tabs(state: AppState, links: Links, top: gr.Tabs) -> None:
    """The "Movie picks" tab group. Its tabs are linked as movies_for_visitor, movies_top_n, movies_recommend and
    movies_similar; a film is `movie_id` in the links made here (`title` works too)."""
    handlers = make_movie_handlers(state)
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
                visitor_tab(state, handlers, links, where("movies_for_visitor"))
            with gr.Tab("For a MovieLens user", id="movies_top_n"):
                with gr.Row():
                    user = gr.Textbox(label="MovieLens user id", value=example_user, info="a whole number, e.g. 15")
                    genre = gr.Dropdown(genres, value=ANY, label="Genre", allow_custom_value=True)
                    year_from = gr.Textbox(label="Released from (year)", value="")
                    year_to = gr.Textbox(label="Released until (year)", value="")
                with gr.Row():
                    platform = _platform()
                    n = count_slider()
                button = gr.Button("Show top picks", variant="primary")
                outputs = [gr.Markdown(elem_classes=["answer"]), gr.Dataframe(label="Top picks", interactive=False),
                           json_answer()]
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
                                    handlers["recommend"], outputs, aliases={"title": "movie_id"}))
            with gr.Tab("Similar films", id="movies_similar"):
                with gr.Row():
                    with gr.Column():
                        film = movie_picker(state, handlers["search"], "Film")
                    platform = _platform()
                    n = count_slider()
                button = gr.Button("Show similar films", variant="primary")
                outputs = [gr.Markdown(elem_classes=["answer"]), gr.Dataframe(label="By content", interactive=False),
                           gr.Markdown(), gr.Dataframe(label="By taste", interactive=False), json_answer()]
                button.click(handlers["similar"], [film, platform, n], outputs, api_name="movies_similar")
                links.tab(LinkedTab("movies_similar", where("movies_similar"),
                                    {"movie_id": film, "platform": platform, "n": n}, handlers["similar"], outputs,
                                    aliases={"title": "movie_id"}))


def visitor_tab(state: AppState, handlers: dict[str, Callable], links: Links,
                selectors: tuple[tuple[gr.Tabs, str], ...]) -> None:
    """Search a film, choose its stars, add it; three or more, then "Get my picks"."""
    gr.Markdown(f"Rate at least {MIN_RATINGS} films you know and get films for your taste, with where to watch "
                "them. `POST /movies/for_visitor` · gradio_client `api_name=\"/movies_for_visitor\"`")
    with gr.Row():
        with gr.Column(scale=3):
            film = movie_picker(state, handlers["search"], "Film", api_name="movies_search")
        with gr.Column(scale=1):
            stars = gr.Radio(STARS, value=5.0, label="Your rating")
            add = gr.Button("Add rating")
    ratings = gr.JSON(value=[], visible=False)  # [[TMDB id, stars], ...]: what the API takes
    rated = gr.Dataframe(ratings_table(state, []), label="Your ratings", interactive=False,
                         elem_id="visitor-ratings")
    with gr.Row():
        clear = gr.Button("Clear ratings", size="sm")
        platform = _platform()
        n = count_slider()
    picks = gr.Button("Get my picks", variant="primary")
    outputs = [gr.Markdown(elem_classes=["answer"]), gr.Dataframe(label="Your picks", interactive=False),
               json_answer()]
    add.click(add_rating, [ratings, film, stars], ratings, api_visibility="private")
    clear.click(lambda: [], None, ratings, api_visibility="private")
    # The table follows the list, whoever changed it (Add, Clear, a link).
    ratings.change(lambda values: ratings_table(state, values), ratings, rated, api_visibility="private")
    picks.click(handlers["for_visitor"], [ratings, n, platform], outputs, api_name="movies_for_visitor")
    links.tab(LinkedTab("movies_for_visitor", selectors, {"ratings": ratings, "n": n, "platform": platform},
                        handlers["for_visitor"], outputs))
