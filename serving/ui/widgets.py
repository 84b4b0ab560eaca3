"""The widgets and answer formatting every catalog's tabs share: the count slider, the folded JSON answer, titles
as a table, readable errors, API schemas of inputs. A leaf: it imports no serving module but format."""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import gradio as gr
import pandas as pd

from errors import InputError, Unavailable
from inputs.numbers import MAX_N
from inputs.platforms import PLATFORM_KEYS, display_name
from serving.ui import format as fmt

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


def streams_label(streams: object) -> str:
    """An item's where_to_watch ([{"platform", "title_id"}]) on one line: "Disney+ [ds1378], Netflix [ns7]"."""
    if not isinstance(streams, list) or not streams:
        return "-"
    return ", ".join(f"{display_name(s['platform'])} [{s['title_id']}]" for s in streams)


def titles_table(cards: list[dict]) -> pd.DataFrame:
    """A list of title cards as a table to read: readable headers, ids kept visible, each value shown as its
    column means it (serving.ui.format: $83.5M, 2.42x, 1,234, 3.87); the JSON answer keeps the exact values."""
    frame = pd.DataFrame(cards)
    if frame.empty:
        return pd.DataFrame(columns=["Title"])
    if "title" in frame:  # some catalogs store titles lower case, others as written
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


def model_size(model: Any, items: str, ratings: str = "ratings") -> str:
    """"an SVD model of 10,895,200 ratings by 115,077 users of 22,998 titles", from a loaded model."""
    n_ratings = model.manifest.get("n_ratings") or int(model.rated_indptr[-1])
    return (f"an SVD model of {fmt.count(n_ratings)} {ratings} by {fmt.count(model.user_ids.size)} users of "
            f"{fmt.count(model.item_ids.size)} {items}")


# ---- inputs and outputs -------------------------------------------------------------------------------
def count_slider() -> gr.Slider:
    """The slider for n, 1 to MAX_N (REST's range too). Its value reaches the handler unchecked, which parses
    it with inputs.numbers.parse_n: gradio_client callers sending 101 or "1_0" get the same message as REST
    (a plain Slider answers with its own message, or a TypeError for text)."""
    slider = gr.Slider(1, MAX_N, value=10, step=1, label="How many")
    # On the instance, not in a subclass: gradio writes a .pyi stub beside any module defining a component class.
    slider.preprocess = lambda payload: payload
    return slider


def platform_dropdown(label: str = "Platform") -> gr.Dropdown:
    """A streaming platform or "any"; custom values allowed: the parsers accept aliases ("Disney+") and explain
    bad ones."""
    return gr.Dropdown([ANY, *PLATFORM_KEYS], value=ANY, label=label, allow_custom_value=True)


def api_input(component: gr.components.Component, schema: dict) -> gr.components.Component:
    """`component` with `schema` as the JSON schema API clients and MCP tools see for it as an input.

    Gradio's own schema of a dropdown lists its choices as the only values, even when it takes others (a title
    picker's choices are the matches of one search), and a JSON component's has no type: an MCP client that
    checks its arguments against them would refuse good values, or fail on the schema itself.
    """
    # On the instance, not in a subclass: gradio writes a .pyi stub beside any module defining a component class.
    component.api_info_as_input = lambda: schema
    return component


def search_picker(search: Callable[[str], dict], label_of: Callable[[dict], str], initial: list[dict], *,
                  query_label: str, placeholder: str, label: str, info: str,
                  schema: dict) -> tuple[gr.Textbox, gr.Dropdown, Callable[[Any], gr.Dropdown]]:
    """A search box and the dropdown of matches it fills as one types (one step, search + fill, so answers cannot
    overtake each other); the dropdown's value is an item's id, or the text typed into it. `initial`: the items
    shown when the page is built. Returns the box, the dropdown and `fill` (a search answer -> the dropdown's
    choices), for the caller's Enter step."""
    query = gr.Textbox(label=query_label, placeholder=placeholder, value="toy story")
    choices = [(label_of(card), card["id"]) for card in initial]
    picker = gr.Dropdown(label=label, choices=choices, value=choices[0][1] if choices else None,
                         allow_custom_value=True, info=info)
    api_input(picker, schema)

    def fill(answer: Any) -> gr.Dropdown:
        items = answer.get("items", []) if isinstance(answer, dict) else []
        options = [(label_of(card), card["id"]) for card in items]
        return gr.Dropdown(choices=options, value=options[0][1] if options else None)

    query.input(lambda text: fill(search(text)), query, picker, trigger_mode="always_last",
                show_progress="hidden", api_visibility="private")
    return query, picker, fill


def json_answer() -> gr.JSON:
    """The answer as the REST API gives it, folded away under the readable one."""
    with gr.Accordion("JSON answer", open=False):
        return gr.JSON(label="JSON answer")
