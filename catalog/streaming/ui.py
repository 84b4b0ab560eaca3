"""The streaming catalog's own tabs: Recommend (/recommend, /search_titles), For you (/top_n), Similar titles
(/similar). Each event answers (markdown, [table,] json) and has a stable api_name for gradio_client; its
question tabs come from its declaration (serving.ui)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr
import pandas as pd

from catalog.streaming import STREAMING, answers
from config import COL_ID
from inputs.choices import CONTENT_TYPES
from inputs.platforms import PLATFORM_KEYS, display_name
from serving.state.snapshot import AppState, snapshot
from serving.ui import format as fmt
from serving.ui.links import LinkedTab, Links
from serving.ui.widgets import (
    ANY,
    count_slider,
    json_answer,
    markdown_table,
    model_size,
    platform_dropdown,
    readable_errors,
    search_picker,
    title_case,
    titles_table,
)


def title_label(card: dict) -> str:
    """A title card ({"id", "title", "platform", ...}, an entry of an answer's "items") on one line."""
    return (f"{title_case(card['title'])} ({display_name(card['platform'])}, {card['release_year']}, "
            f"{card['type']}) [{card[COL_ID]}]")


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
def make_handlers(state: AppState) -> dict[str, Callable]:
    """The tabs' event functions, bound to the state (an AppState or a serving.live.Live: each event reads its
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
        return answers.search(snapshot(state), query, 20)

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
        answer = answers.recommend(snapshot(state), user_id, title)
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
        answer = answers.top_n(snapshot(state), user_id, n, platform, content_type)
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
        answer = answers.similar(snapshot(state), title, n, platform, content_type)
        head = (f"Titles most like **{title_case(answer['title'])}** [{answer['title_id']}], by genre, "
                "description, cast, director and country.")
        if answer.get("tmdb"):
            head += "\n\n" + tmdb_markdown(answer["tmdb"])
        return head, titles_table(answer["items"]), answer

    return {"search_titles": search_titles, "recommend": recommend, "top_n": top_n, "similar": similar}


# ---- layout -------------------------------------------------------------------------------------------
def title_picker(state: AppState, search_fn: Callable, api_name: str | None, label: str) -> gr.Dropdown:
    """A search box and the dropdown of matching titles it fills; returns the dropdown (its value is an id).

    Enter runs the search event, which answers JSON (clean for gradio_client), and a chained step fills the
    dropdown; typing runs search and fill in one step.
    """
    now = snapshot(state)  # the examples: what is loaded when the page is built (literal matches: no n-grams yet)
    initial = now.index.search("toy story", 20, fuzzy=False) if now.index is not None else []
    query, title, fill = search_picker(search_fn, title_label, initial, query_label="Find a title",
                                       placeholder="type part of a title, e.g. toy story", label=label,
                                       info="the title, or its id, e.g. ds1378", schema={"type": "string"})
    matches = gr.JSON(visible=False)
    visibility = {"api_name": api_name} if api_name else {"api_visibility": "private"}
    query.submit(search_fn, query, matches, **visibility).then(fill, matches, title, api_visibility="private")
    return title


def _filters() -> tuple[gr.Dropdown, gr.Dropdown]:
    # Custom values allowed: the parsers accept aliases ("Disney+", "series") and explain bad ones.
    platform = platform_dropdown()
    content_type = gr.Dropdown([ANY, *CONTENT_TYPES], value=ANY, label="Type", allow_custom_value=True)
    return platform, content_type


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


# ---- what serving.ui composes (the same three functions in every catalog's ui module) ------------------
def headline(now: AppState) -> str:
    """The catalog in the page's heading, with its sizes as loaded."""
    platforms = [display_name(key) for key in sorted(PLATFORM_KEYS, key=display_name)]
    titles = now.queries.get(STREAMING.name)
    sizes = [f"{fmt.count(titles.size)} titles"] if titles is not None else []
    if now.predictor is not None:
        sizes.append(model_size(now.predictor, "titles"))
    return (f"**streaming titles** on {', '.join(platforms[:-1])} and {platforms[-1]}"
            + (f" ({'; '.join(sizes)})" if sizes else ""))


def page_state(state: AppState) -> None:
    """Nothing kept at the page's top level."""


def tabs(state: AppState, links: Links, top: gr.Tabs, demo: gr.Blocks, kept: Any) -> None:
    """Recommend, For you and Similar titles, each linked by its api_name."""
    handlers = make_handlers(state)
    now = snapshot(state)
    example_user = int(now.predictor.user_ids[0]) if now.predictor is not None else 1
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

