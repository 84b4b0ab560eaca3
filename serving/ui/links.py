"""Shareable links: every tab's state lives in the page's query string, with the REST parameter names.

    /?tab=recommend&user_id=42&title_id=ns1          /?tab=similar&title_id=ds1378&n=5
    /?tab=movies_top_n&user_id=15&genre=Comedy       /?tab=movies_for_visitor&ratings=[[862,5],[12,4.5],[585,4]]
    /?tab=max_duration&year=2018&platform=netflix    (every catalog question: tab = its api_name)

The link holds everything, so it outlives restarts and new containers (nothing is stored on the server).
Opening one selects the tab, fills its inputs and shows the answer; a parameter left out keeps the input's
default. Every answer has a "Copy link" button that writes the link of what is on screen into a box and to
the clipboard.

The UI registers each tab (`Links.tab`) with its name, the Tabs to select, its inputs by parameter name and its
event; `Links.attach(demo)` adds the one page-load event that opens a link.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import gradio as gr

log = logging.getLogger(__name__)

# The link box gets the page's own address in the browser: the app cannot know it behind a proxy (a Space).
COPY_JS = """(query) => {
    const url = window.location.origin + window.location.pathname + query;
    if (navigator.clipboard) { navigator.clipboard.writeText(url).catch(() => {}); }
    return url;
}"""


def as_text(value: Any) -> str | None:
    """An input's value as a query-string value (None: left out)."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def from_text(component: gr.components.Component, text: str, is_id: bool = False) -> Any:
    """A query-string value as the value its input takes: numbers for sliders, JSON lists for JSON inputs, a
    number for an id parameter or a dropdown whose choices are numbers (a TMDB id), text otherwise."""
    if is_id and text.isdigit():  # the dropdown's choices may still be empty (built before its catalog loaded)
        return int(text)
    if isinstance(component, gr.Slider):
        try:
            return float(text)
        except ValueError:
            return text  # the handler's parser says what is wrong
    if isinstance(component, gr.JSON):
        try:
            return json.loads(text)
        except ValueError:
            return text
    if isinstance(component, gr.Dropdown) and text.isdigit() and any(
            isinstance(value, int) for _, value in component.choices or []):
        return int(text)
    return text


@dataclass
class LinkedTab:
    """One tab a link can open."""

    name: str  # the `tab` parameter: the api_name of the tab's event
    selectors: tuple[tuple[gr.Tabs, str], ...]  # (Tabs, id of the tab to select in it), outermost first
    inputs: dict[str, gr.components.Component]  # query / REST parameter name -> its input, in the event's order
    run: Callable[..., Any]  # the tab's event function
    outputs: list[gr.components.Component]
    aliases: dict[str, str] = field(default_factory=dict)  # another parameter name -> the input's (title -> movie)
    # A documented link's parameters where the inputs' own values would not make one (a question's example row,
    # a visitor's ratings); the rest of the link is what the page shows when it opens.
    example: dict[str, Any] = field(default_factory=dict)
    ids: frozenset[str] = frozenset()  # parameters whose digits are a number id (a TMDB id), never a title


class Links:
    """The linkable tabs of one page, and the events that open and copy their links."""

    def __init__(self) -> None:
        self.tabs: dict[str, LinkedTab] = {}

    def tab(self, linked: LinkedTab) -> None:
        """Register a tab and put its "Copy link" button and link box where the caller is laying out."""
        if linked.name in self.tabs:
            raise ValueError(f"two tabs are linked as {linked.name!r}")
        self.tabs[linked.name] = linked
        with gr.Row():
            button = gr.Button("Copy link", size="sm", scale=0, elem_classes=["copy-link"])
            box = gr.Textbox(label="Link to this answer", interactive=False, show_label=False, scale=4,
                             placeholder="the link to this tab's answer appears here", elem_classes=["answer-link"])
        query = gr.Textbox(visible=False)
        button.click(self.query_of(linked), list(linked.inputs.values()), query, api_visibility="private").then(
            None, query, box, js=COPY_JS, api_visibility="private")

    @staticmethod
    def query_of(linked: LinkedTab) -> Callable[..., str]:
        def query(*values: Any) -> str:
            params = {"tab": linked.name}
            params.update({name: text for name, value in zip(linked.inputs, values, strict=True)
                           if (text := as_text(value)) is not None})
            return "?" + urlencode(params)
        return query

    def example_links(self) -> dict[str, str]:
        """Tab name -> the query string of a link that opens it answered (the inputs' values, the example's
        parameters over them). The browser test opens every one of them."""
        return {name: self.query_of(linked)(*(linked.example.get(param, component.value)
                                              for param, component in linked.inputs.items()))
                for name, linked in self.tabs.items()}

    def attach(self, demo: gr.Blocks) -> None:
        """The page-load event: a link's tab selected, its inputs filled, its answer shown."""
        selectors = list(dict.fromkeys(tabs for t in self.tabs.values() for tabs, _ in t.selectors))
        inputs = [c for t in self.tabs.values() for c in t.inputs.values()]
        outputs = [c for t in self.tabs.values() for c in t.outputs]
        components = list(dict.fromkeys([*selectors, *inputs, *outputs]))

        def open_link(request: gr.Request) -> dict:
            params = dict(request.query_params) if request is not None else {}
            linked = self.tabs.get(params.get("tab", ""))
            if linked is None:  # every component left as it is (an empty dict would read as one value)
                if params.get("tab"):
                    gr.Warning(f"This link names no tab of this page ({params['tab'][:40]!r}); a link's tab is "
                               f"one of: {', '.join(self.tabs)}.")
                return [gr.skip()] * len(components)
            updates: dict = {tabs: gr.Tabs(selected=tab_id) for tabs, tab_id in linked.selectors}
            for alias, name in linked.aliases.items():
                if alias in params and name not in params:
                    params[name] = params[alias]
            values = []
            for name, component in linked.inputs.items():
                value = from_text(component, params[name], name in linked.ids) if name in params else component.value
                values.append(value)
                if name in params:
                    updates[component] = value
            try:
                answer = linked.run(*values)
            except gr.Error as exc:  # a bad link: its tab and inputs shown, and the message in a pop-up
                gr.Warning(str(exc.message))
                return updates
            answer = answer if isinstance(answer, tuple) else (answer,)
            updates.update(zip(linked.outputs, answer, strict=True))
            return updates

        demo.load(open_link, None, components, api_visibility="private")
