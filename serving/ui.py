"""The Gradio UI (gr.Blocks with tabs); every event has a stable api_name for gradio_client.

Tabs: Recommend (/recommend, /search_titles), For you (/top_n), Similar titles (/similar), one tab group
per declared catalog (catalog.CATALOGS) with one tab per question (/max_duration, /score_count, ...; the
api_names come from the route rule of catalog.declaration), and Data and model. Each event returns a
readable Markdown answer plus the same JSON the REST API gives, so a gradio_client caller gets
(markdown, dict). Bad input and missing pieces become gr.Error messages, which
the browser shows in a pop-up and gradio_client raises with the same text.
"""
from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

import catalog
from catalog import CatalogSpec, Param, Route
from catalog.streaming import answers as service
from config import COL_ID
from errors import InputError
from inputs.choices import CONTENT_TYPES
from inputs.numbers import MAX_N
from inputs.platforms import PLATFORM_KEYS, display_name
from serving import format as fmt
from serving.links import LinkedTab, Links
from serving.state import AppState, Unavailable, snapshot

ANY = "any"
TITLE_COLUMNS = {"id": "Id", "title": "Title", "platform": "Platform", "type": "Type", "release_year": "Year",
                "release_date": "Released", "runtime": "Runtime (min)", "return": "Return", "budget": "Budget",
                "revenue": "Revenue", "predicted_rating": "Predicted rating", "score": "Similarity",
                "genres": "Genres", "n_ratings": "Ratings", "also_on": "Also on", "where_to_watch": "Where to watch"}
MAX_TABLE_ROWS = 50

log = logging.getLogger(__name__)


def readable_errors(fn: Callable) -> Callable:
    """Bad input and missing pieces as a gr.Error: a pop-up in the UI, the same text for gradio_client.
    Anything else is a bug: logged with its traceback, shown as a plain message naming no internals."""
    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        try:
            return fn(*args)
        except (InputError, Unavailable) as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        except Exception:
            log.exception("unexpected error in the UI event %s", fn.__name__)
            raise gr.Error("Something went wrong on our side; the error is logged. Please try again.",
                           print_exception=False) from None
    return wrapper


# ---- formatting ---------------------------------------------------------------------------------------
def title_case(text: object) -> str:
    """Titles are stored lower case; show them as people write them ("toy story 2" -> "Toy Story 2")."""
    return " ".join(w[:1].upper() + w[1:] for w in str(text).split(" ")) if text else ""


def title_label(card: dict) -> str:
    """A title card ({"id", "title", "platform", ...}, an entry of an answer's "items") on one line."""
    return (f"{title_case(card['title'])} ({display_name(card['platform'])}, {card['release_year']}, "
            f"{card['type']}) [{card[COL_ID]}]")


def streams_label(streams: object) -> str:
    """A Movies item's where_to_watch ([{"platform", "title_id"}]) on one line: "Disney+ [ds1378], Netflix [ns7]"."""
    if not isinstance(streams, list) or not streams:
        return "-"
    return ", ".join(f"{display_name(s['platform'])} [{s['title_id']}]" for s in streams)


def tmdb_markdown(facts: dict | None) -> str:
    """The TMDB facts of a streaming title linked to a movie (an answer's "tmdb"), as a short paragraph."""
    if not facts:
        return ""
    parts = [f"{facts['release_year']}"]
    if facts.get("runtime"):
        parts.append(f"{facts['runtime']} min")
    if facts.get("vote_average") is not None:
        parts.append(f"rated {fmt.score(facts['vote_average'], 1)}/10 by {fmt.count(facts.get('vote_count') or 0)} "
                     "TMDB voters")
    if facts.get("genres"):
        parts.append(", ".join(facts["genres"]))
    if facts.get("directors"):
        parts.append("directed by " + ", ".join(facts["directors"]))
    text = f"**TMDB facts**: *{facts['title']}* (TMDB id {facts['id']}): " + "; ".join(parts) + "."
    return text + (f"\n\n> {facts['overview']}" if facts.get("overview") else "")


def titles_table(cards: list[dict]) -> pd.DataFrame:
    """A list of title cards as a table to read: readable headers, ids kept visible, each value shown as its
    column means it (serving.format: $83.5M, 2.42x, 1,234, 3.87); the JSON answer keeps the exact values."""
    frame = pd.DataFrame(cards)
    if frame.empty:
        return pd.DataFrame(columns=["Title"])
    if "title" in frame:  # streaming titles are stored lower case; Movies titles come as written
        frame["title"] = frame["title"].map(lambda t: title_case(t) if isinstance(t, str) and t == t.lower() else t)
    for column in ("also_on", "genres"):
        if column in frame:
            frame[column] = frame[column].map(lambda v: ", ".join(v) if isinstance(v, list) else v)
    if "where_to_watch" in frame:
        frame["where_to_watch"] = frame["where_to_watch"].map(streams_label)
    for column in frame.columns.intersection(list(TITLE_COLUMNS)):
        if column not in ("id", "title", "also_on", "genres", "where_to_watch"):
            frame[column] = [fmt.by_name(column, v) for v in frame[column].astype(object)]
    return frame[[c for c in TITLE_COLUMNS if c in frame]].rename(columns=TITLE_COLUMNS)


def markdown_table(items: list[dict], limit: int = MAX_TABLE_ROWS) -> str:
    table = titles_table(items[:limit])
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    more = f"\n\n... and {len(items) - limit} more (all of them are in the JSON)." if len(items) > limit else ""
    return "\n".join(lines) + more


def answer_markdown(answer: dict) -> str:
    """Any catalog answer in words: its message when there is no answer, else its fields and items."""
    if answer.get("message"):
        return f"**{answer['message']}**"
    fields = []
    for key, value in answer.items():
        if key in ("message", "items") or value is None:
            continue
        if key == "title":
            value = title_case(value)
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {fmt.by_name(key, v)}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        else:
            value = fmt.by_name(key, value)
        fields.append(f"- **{key.replace('_', ' ')}**: {value}")
    text = "\n".join(fields)
    if answer.get("items"):
        text += "\n\n" + markdown_table(answer["items"])
    return text


def recommend_markdown(answer: dict) -> str:
    title = f"{title_case(answer['title'])} [{answer['title_id']}]"
    text = (f"## {answer['decision']}\n**{title}** for user **{answer['user_id']}**: predicted rating "
            f"**{fmt.score(answer['predicted_rating'])}** against the threshold **{answer['threshold']:g}**.\n\n"
            f"{answer['explanation']}")
    if answer.get("tmdb"):
        text += "\n\n" + tmdb_markdown(answer["tmdb"])
    if answer.get("notice"):
        text += f"\n\n> {answer['notice']}\n\n" + markdown_table(answer.get("alternatives", []))
    return text


# ---- event functions (inputs as the components send them; outputs (markdown, json) or updates) --------
def _choices(items: list[dict]) -> list[tuple[str, str]]:
    return [(title_label(card), card[COL_ID]) for card in items]


def make_handlers(state: AppState) -> dict[str, Callable]:
    """The UI's event functions, bound to the state (an AppState or a serving.live.Live: each event reads its
    snapshot once)."""

    # The event functions' docstrings are their descriptions for API clients and MCP tools: gradio reads the
    # "Args:" lines (one line per parameter) and appends the "Returns:" lines, which say what an MCP client gets
    # (serving/mcp_tools.py: the Markdown and the JSON, no tables).
    @readable_errors
    def search_titles(query: str) -> dict:
        """Find streaming titles (Amazon Prime Video, Disney+, Hulu, Netflix) by part of their title, best first;
        misspellings and any case work.

        Args:
            query: part of a title, e.g. toy story.

        Returns:
            {"query", "items": [{"id", "title", "platform", "type", "release_year"}, ...]}; an item's id names the title
        """
        if not query or not str(query).strip():
            return {"query": "", "items": []}
        return service.search(snapshot(state), query, 20)

    @readable_errors
    def recommend(user_id: str, title: str) -> tuple[str, dict]:
        """Should a user be recommended a streaming title? The rating model's predicted rating (0.5-5 stars)
        against the threshold, the verdict and why; for a user the model never saw, similar titles instead.

        Args:
            user_id: a user of the ratings data, a whole number, e.g. 42.
            title: the title's id (e.g. ns1 or ds1378; search_titles finds it) or its exact title.

        Returns:
            the answer in words (Markdown)
            the answer as JSON: predicted_rating, threshold, recommend, decision, explanation, the title's facts
        """
        answer = service.recommend(snapshot(state), user_id, title)
        return recommend_markdown(answer), answer

    @readable_errors
    def top_n(user_id: str, platform: str, content_type: str, n: float) -> tuple[str, pd.DataFrame, dict]:
        """A user's best streaming titles by predicted rating, leaving out the titles they rated; for a user the
        model never saw, popular titles with a notice.

        Args:
            user_id: a user of the ratings data, a whole number, e.g. 42.
            platform: amazon, disney, hulu or netflix, or any.
            content_type: movie or tv show, or any.
            n: how many titles, 1 to 100.

        Returns:
            a heading in words (Markdown)
            the answer as JSON: items with id, title, platform, type, release_year, predicted_rating
        """
        answer = service.top_n(snapshot(state), user_id, n, platform, content_type)
        if answer["notice"]:  # cold start: no ratings to rank by
            head = f"> {answer['notice']}"
        else:
            head = (f"Top {len(answer['items'])} for user **{answer['user_id']}** "
                    f"(leaving out the {fmt.count(answer['n_rated'])} titles they rated).")
        return head, titles_table(answer["items"]), answer

    @readable_errors
    def similar(title: str, platform: str, content_type: str, n: float) -> tuple[str, pd.DataFrame, dict]:
        """The streaming titles most like a title, by genre, description, cast, director and country.

        Args:
            title: the title's id (e.g. ds1378; search_titles finds it) or its exact title.
            platform: amazon, disney, hulu or netflix, or any.
            content_type: movie or tv show, or any.
            n: how many titles, 1 to 100.

        Returns:
            a heading in words (Markdown)
            the answer as JSON: items with id, title, platform, type, release_year, score (similarity)
        """
        answer = service.similar(snapshot(state), title, n, platform, content_type)
        head = (f"Titles most like **{title_case(answer['title'])}** [{answer['title_id']}], by genre, "
                "description, cast, director and country.")
        if answer.get("tmdb"):
            head += "\n\n" + tmdb_markdown(answer["tmdb"])
        return head, titles_table(answer["items"]), answer

    return {"search_titles": search_titles, "recommend": recommend, "top_n": top_n, "similar": similar}


def query_handler(state: AppState, spec: CatalogSpec, route: Route) -> Callable:
    """The event function of one catalog question: text inputs in params order -> (markdown, json).

    The declaration parses the inputs (a blank optional field means its default), as it does for REST.
    """
    question = route.question

    @readable_errors
    def run(*values: str) -> tuple[str, dict]:
        answer = question.run(snapshot(state).require_queries(spec), *values)
        return answer_markdown(answer), answer
    run.__name__ = route.api_name  # an MCP tool is named after its function
    run.__doc__ = question_doc(spec, route)
    # Named parameters for gradio_client's API page (instead of param_0, param_1, ...).
    run.__signature__ = inspect.Signature([inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                                           for p in question.params])
    return run


def question_doc(spec: CatalogSpec, route: Route) -> str:
    """A catalog question's description for API clients and MCP tools, from its declaration: the definition,
    one line per parameter and what it answers."""
    question = route.question
    params = [f"    {p.name}: {p.help}" + ("" if p.required else " Optional.") for p in question.params]
    return "\n".join([f"{question.label} (the {spec.name} catalog): {question.definition}", "", "Args:", *params, "",
                      "Returns:", "    the answer in words (Markdown)", "    the answer as JSON"])


# ---- layout -------------------------------------------------------------------------------------------
def count_slider() -> gr.Slider:
    """The slider for n, 1 to MAX_N (REST's range too). Its value reaches the handler unchecked, which parses
    it with inputs.numbers.parse_n: gradio_client callers sending 101 or "1_0" get the same message as REST
    (a plain Slider answers with its own message, or a TypeError for text)."""
    slider = gr.Slider(1, MAX_N, value=10, step=1, label="How many")
    # On the instance, not in a subclass: gradio writes a .pyi stub beside any module defining a component class.
    slider.preprocess = lambda payload: payload
    return slider


def api_input(component: gr.components.Component, schema: dict) -> gr.components.Component:
    """`component` with `schema` as the JSON schema API clients and MCP tools see for it as an input.

    Gradio's own schema of a dropdown lists its choices as the only values, even when it takes others (a title
    picker's choices are the matches of one search), and a JSON component's has no type: an MCP client that
    checks its arguments against them would refuse good values, or fail on the schema itself.
    """
    # On the instance, not in a subclass: gradio writes a .pyi stub beside any module defining a component class.
    component.api_info_as_input = lambda: schema
    return component


def fill_titles(answer: dict) -> gr.Dropdown:
    """The search answer as the title dropdown's choices, the best one selected."""
    choices = _choices(answer.get("items", []) if isinstance(answer, dict) else [])
    return gr.Dropdown(choices=choices, value=choices[0][1] if choices else None)


def title_picker(state: AppState, search_fn: Callable, api_name: str | None, label: str) -> gr.Dropdown:
    """A search box and the dropdown of matching titles it fills; returns the dropdown (its value is an id).

    Enter runs the search event, which answers JSON (clean for gradio_client), and a chained step fills the
    dropdown; typing runs search and fill in one step.
    """
    query = gr.Textbox(label="Find a title", placeholder="type part of a title, e.g. toy story",
                       value="toy story")
    now = snapshot(state)  # the examples: what is loaded when the page is built (literal matches: no n-grams yet)
    choices = _choices(now.index.search("toy story", 20, fuzzy=False)) if now.index is not None else []
    title = gr.Dropdown(label=label, allow_custom_value=True, info="the title, or its id, e.g. ds1378",
                        choices=choices, value=choices[0][1] if choices else None)
    api_input(title, {"type": "string"})
    matches = gr.JSON(visible=False)
    visibility = {"api_name": api_name} if api_name else {"api_visibility": "private"}
    query.submit(search_fn, query, matches, **visibility).then(fill_titles, matches, title,
                                                                api_visibility="private")
    # As you type: one step (search + fill), so answers cannot overtake each other (always_last).
    query.input(lambda text: fill_titles(search_fn(text)), query, title, trigger_mode="always_last",
                show_progress="hidden", api_visibility="private")
    return title


def json_answer() -> gr.JSON:
    """The answer as the REST API gives it, folded away under the readable one."""
    with gr.Accordion("JSON answer", open=False):
        return gr.JSON(label="JSON answer")


def _filters() -> tuple[gr.Dropdown, gr.Dropdown]:
    # Custom values allowed: the parsers accept aliases ("Disney+", "series") and explain bad ones.
    platform = gr.Dropdown([ANY, *PLATFORM_KEYS], value=ANY, label="Platform", allow_custom_value=True)
    content_type = gr.Dropdown([ANY, *CONTENT_TYPES], value=ANY, label="Type", allow_custom_value=True)
    return platform, content_type


def param_input(state: AppState, spec: CatalogSpec, p: Param) -> gr.components.Component:
    """A text-like input for one catalog parameter: a dropdown when its values are known."""
    label = p.name + ("" if p.required else " (optional)")
    default = "" if p.default is None else str(p.default)
    source = snapshot(state).queries.get(spec.name)
    values = list(p.choices or (getattr(source, p.catalog_values, []) if p.catalog_values else []))
    if values:
        if not p.required and p.default is None:
            values, default = [ANY, *values], ANY  # the catalog reads "any" as no filter
        return gr.Dropdown(values, value=default if default in values else None, label=label, info=p.help,
                           allow_custom_value=True, filterable=True)
    return gr.Textbox(label=label, value=default, info=p.help)


def query_tab(state: AppState, spec: CatalogSpec, route: Route, links: Links,
              selectors: tuple[tuple[gr.Tabs, str], ...]) -> None:
    question = route.question
    fn = query_handler(state, spec, route)
    with gr.Tab(question.label, id=route.api_name):
        gr.Markdown(f"### {question.label}\n{question.definition}\n\n"
                    f"`GET {route.path}` · gradio_client `api_name=\"/{route.api_name}\"`")
        with gr.Row():
            inputs = [param_input(state, spec, p) for p in question.params]
        button = gr.Button("Ask", variant="primary")
        answer = gr.Markdown(label="answer", elem_classes=["answer"])
        raw = json_answer()
        button.click(fn, inputs, [answer, raw], api_name=route.api_name)
        named = {p.name: c for p, c in zip(question.params, inputs, strict=True)}
        example = {p.name: v for p, v in zip(question.params, question.examples[0], strict=True) if v is not None} \
            if question.examples else {}
        links.tab(LinkedTab(route.api_name, selectors, named, fn, [answer, raw], example=example))
        # Clicking an example fills the form and asks; it is no API endpoint (clients call the question's own).
        gr.Examples([["" if v is None else str(v) for v in row] for row in question.examples], inputs,
                    [answer, raw], fn=fn, run_on_click=True, cache_examples=False, api_visibility="private")


def ranked_list(first_input, button_text: str, table_label: str, handler, api_name: str, first_param: str,
                links: Links, selectors: tuple[tuple[gr.Tabs, str], ...]) -> None:
    """A tab body: one input (built by `first_input`), platform/type filters and a count, then the list."""
    with gr.Row():
        with gr.Column():
            first = first_input()
        platform, content_type = _filters()
        n = count_slider()
    button = gr.Button(button_text, variant="primary")
    head = gr.Markdown(label="answer", elem_classes=["answer"])
    table = gr.Dataframe(label=table_label, interactive=False)
    raw = json_answer()
    button.click(handler, [first, platform, content_type, n], [head, table, raw], api_name=api_name)
    links.tab(LinkedTab(api_name, selectors, {first_param: first, "platform": platform, "type": content_type, "n": n},
                        handler, [head, table, raw]))


def build_ui(state: AppState) -> gr.Blocks:
    """The UI over `state`, an AppState or a serving.live.Live (whose snapshot can change while it is up: the
    notices and the Data tab are read again at every page load)."""
    from serving.movies_ui import movie_tabs, visitor_profile  # it builds on this module's widgets

    handlers = make_handlers(state)
    now = snapshot(state)
    example_user = int(now.predictor.user_ids[0]) if now.predictor is not None else 1
    with gr.Blocks(title="Streaming recommender") as demo:
        gr.Markdown(lambda: header_markdown(state), elem_id="header")
        notices = gr.Markdown(lambda: notices_markdown(state), elem_id="notices")
        if now.pending & {"data", "model"}:  # a first boot: the note follows the download until it is done
            timer = gr.Timer(2.0)
            timer.tick(lambda: (notices_markdown(state), gr.Timer(active=bool(snapshot(state).pending))), None,
                       [notices, timer], api_visibility="private", show_progress="hidden")
        links = Links()
        profile = visitor_profile()
        with gr.Tabs() as top:
            with gr.Tab("Recommend", id="recommend"):
                with gr.Row():
                    user = gr.Textbox(label="User id", value=str(example_user), info="a whole number, e.g. 42")
                    with gr.Column():
                        title = title_picker(state, handlers["search_titles"], "search_titles", "Title")
                button = gr.Button("Recommend?", variant="primary")
                verdict = gr.Markdown(label="answer", elem_classes=["answer"])
                raw = json_answer()
                button.click(handlers["recommend"], [user, title], [verdict, raw], api_name="recommend")
                links.tab(LinkedTab("recommend", ((top, "recommend"),), {"user_id": user, "title_id": title},
                                    handlers["recommend"], [verdict, raw]))
            with gr.Tab("For you", id="top_n"):
                ranked_list(lambda: gr.Textbox(label="User id", value=str(example_user)), "Show top picks",
                            "Top picks", handlers["top_n"], "top_n", "user_id", links, ((top, "top_n"),))
            with gr.Tab("Similar titles", id="similar"):
                ranked_list(lambda: title_picker(state, handlers["search_titles"], None, "Title"),
                            "Show similar titles", "Similar titles", handlers["similar"], "similar", "title_id",
                            links, ((top, "similar"),))
            for spec in catalog.CATALOGS:  # read when the UI is built: adding a declaration there is enough
                with gr.Tab(spec.label, id=spec.name), gr.Tabs() as group:
                    for route in spec.routes:
                        query_tab(state, spec, route, links, ((top, spec.name), (group, route.api_name)))
            movie_tabs(state, links, top, demo, profile)
            with gr.Tab("Data and model", id="data"):
                data_tab(state)
        links.attach(demo)
    undocument_page_loads(demo)
    demo.links = links  # the linkable tabs, for their documented links (Links.example_links)
    return demo


def undocument_page_loads(demo: gr.Blocks) -> None:
    """The events gradio adds to fill components whose value is a function (the notices, the Data tab) are the
    page's own: gradio makes them public (lambda_4, lambda_5, ...), so API docs and MCP tools would list them.
    Undocumented, they are neither, and a client that calls one by name still gets its answer."""
    for block in demo.blocks.values():
        event = getattr(block, "load_event", None)
        if event:
            demo.fns[event["id"]].api_visibility = "undocumented"


# ---- the Data and model tab ---------------------------------------------------------------------------
def _strip_front_matter(text: str) -> str:
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            return text[end + 4:].lstrip()
    return text


def metrics_table(metrics: Any) -> pd.DataFrame | None:
    """The manifest's metrics ({data set: {model: {metric: value}}}) as one row per data set and model."""
    rows = []

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, dict) and node and all(not isinstance(v, (dict, list)) for v in node.values()):
            rows.append({"data": " / ".join(path[:-1]) or "-", "model": path[-1] if path else "-", **node})
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, str(key)))

    walk(metrics, ())
    return pd.DataFrame(rows).round(4) if rows else None


def eda_figures(reports_dir: Path) -> list[tuple[str, str, str]]:
    """(png path, title, caption) for each EDA figure, in the order reports/eda.json lists them."""
    figures_dir = reports_dir / "figures"
    try:
        listed = json.loads((reports_dir / "eda.json").read_text(encoding="utf-8")).get("figures", [])
    except (OSError, ValueError, AttributeError):
        listed = []
    out = []
    for fig in listed if isinstance(listed, list) else []:
        if not isinstance(fig, dict):
            continue
        path = reports_dir / str(fig.get("file", ""))
        if path.suffix == ".png" and path.is_file():
            out.append((str(path), str(fig.get("title") or path.stem), str(fig.get("caption") or "")))
    if not out and figures_dir.is_dir():
        out = [(str(p), p.stem.replace("_", " "), "") for p in sorted(figures_dir.glob("*.png"))]
    return out


def _model_size(model: Any, items: str, ratings: str = "ratings") -> str:
    """"an SVD model of 10,895,200 ratings by 115,077 users of 22,998 titles", from the loaded model."""
    n_ratings = model.manifest.get("n_ratings") or int(model.rated_indptr[-1])
    return (f"an SVD model of {fmt.count(n_ratings)} {ratings} by {fmt.count(model.user_ids.size)} users of "
            f"{fmt.count(model.item_ids.size)} {items}")


def header_markdown(state: Any) -> str:
    """The page's heading: both catalogs and both models, with their sizes as loaded (read at every page load,
    so a catalog still loading at start is named without its size)."""
    now = snapshot(state)
    platforms = [display_name(key) for key in sorted(PLATFORM_KEYS, key=display_name)]
    streaming = [f"{fmt.count(now.catalog.size)} titles"] if now.catalog is not None else []
    if now.predictor is not None:
        streaming.append(_model_size(now.predictor, "titles"))
    movies_catalog = now.queries.get(catalog.MOVIES.name)
    movies = [f"{fmt.count(movies_catalog.size)} films"] if movies_catalog is not None else []
    if now.movie_model is not None:
        movies.append(_model_size(now.movie_model, "films", "MovieLens ratings"))
    return ("# Streaming recommender\nTwo catalogs, each with its model and its questions: **streaming titles** on "
            f"{', '.join(platforms[:-1])} and {platforms[-1]}" + (f" ({'; '.join(streaming)})" if streaming else "")
            + ", and **TMDB movies**" + (f" ({'; '.join(movies)})" if movies else "") + ".")


def notices_markdown(state: Any) -> str:
    """What is still loading and the notices (the snapshot's, and a Live's update notices), as quoted lines."""
    now = snapshot(state)
    lines = [now.loading_text()] if now.pending & {"data", "model"} else []
    return "\n".join(f"> **Note:** {n}" for n in [*lines, *state.all_notices()])


def artifacts_markdown(state: Any) -> str:
    """The Data tab's summary: where each piece comes from, which Hub revision serves and which is pending."""
    now = snapshot(state)
    lines = ["### Loaded artifacts"]
    if now.loading_text():
        lines.append(f"- {now.loading_text()}")
    for name, source, error, piece in (("Catalog data", now.data_source, now.data_error, "data"),
                                       ("Model", now.model_source, now.model_error, "model")):
        if piece in now.pending:
            continue
        lines.append(f"- **{name}**: " + (f"not loaded: {error}" if error or source is None else source.describe()))
    if now.predictor is not None:
        lines.append(f"- {now.predictor.summary()}")
    lines += [f"- Hub {line}" for line in state.hub_lines()]
    lines.append(f"- Loaded in {now.load_seconds:.1f} s. Full details (checksums): `GET /health`.")
    if state.all_notices():
        lines += ["", "**Notices**", *[f"- {n}" for n in state.all_notices()]]
    return "\n".join(lines)


def _metrics(state: Any) -> pd.DataFrame | None:
    now = snapshot(state)
    return metrics_table(now.predictor.manifest.get("metrics")) if now.predictor is not None else None


def _model_card(state: Any) -> str:
    card = snapshot(state).artifact_text("README.md")
    return _strip_front_matter(card) if card else "No model card: the model is not built."


def _etl_report(state: Any) -> Any:
    now = snapshot(state)
    if now.data_source is None:
        return {"etl_report.json": "not loaded yet"}
    return now.report_json(Path(now.data_source.location) / "etl_report.json") or {
        "etl_report.json": "no ETL report: run `python -m etl`"}


def data_tab(state: Any) -> None:
    """The Data and model tab; its text parts are read from the snapshot serving when the page loads."""
    gr.Markdown(lambda: artifacts_markdown(state), elem_id="artifacts-info")
    gr.Markdown("### Evaluation")
    gr.Markdown(lambda: "Held-out evaluation (the model card below says how it was measured)."
                if _metrics(state) is not None else "No metrics: the model is not built.")
    gr.Dataframe(lambda: _metrics(state) if _metrics(state) is not None else pd.DataFrame(columns=["data"]),
                 interactive=False, label="Held-out metrics")
    with gr.Accordion("Model card", open=False):
        gr.Markdown(lambda: _model_card(state))
    with gr.Accordion("ETL report", open=False):
        gr.JSON(lambda: _etl_report(state), label="etl_report.json")
    gr.Markdown("### Exploratory data analysis")
    figures = eda_figures(snapshot(state).reports_dir)
    if figures:
        for start in range(0, len(figures), 2):
            with gr.Row(equal_height=False):
                for path, title, caption in figures[start:start + 2]:
                    with gr.Column():
                        # The figure carries its own title; a label box would cover it.
                        gr.Image(path, label=title, show_label=False, interactive=False, buttons=["fullscreen"])
                        gr.Markdown(caption)
    else:
        gr.Markdown("No EDA figures: run `python -m etl.eda`.")
