"""Shareable links (serving/links.py): what a tab's inputs become in the query string, and back."""
from __future__ import annotations

from urllib.parse import parse_qsl

import gradio as gr
import pytest

from serving.ui.links import LinkedTab, Links, as_text, from_text


def test_values_become_query_text_and_left_out_when_empty():
    assert [as_text(v) for v in (None, "", 10.0, 4.5, "toy story", 862)] == [None, None, "10", "4.5", "toy story",
                                                                              "862"]
    assert as_text([[862, 5], ["finding nemo", 4.5]]) == '[[862,5],["finding nemo",4.5]]'


def test_query_text_becomes_what_each_input_takes():
    film = gr.Dropdown(choices=[("Toy Story", 862)], allow_custom_value=True)
    assert from_text(gr.Slider(1, 100), "25") == 25.0 and from_text(gr.Slider(1, 100), "many") == "many"
    assert from_text(gr.JSON(), "[[862,5]]") == [[862, 5]] and from_text(gr.JSON(), "[oops") == "[oops"
    assert from_text(film, "862") == 862 and from_text(film, "2012") == 2012
    assert from_text(film, "toy story") == "toy story"
    assert from_text(gr.Dropdown(choices=["ns1", "ns2"]), "12") == "12"  # text ids stay text
    assert from_text(gr.Textbox(), "42") == "42"
    # An id parameter: digits are the id even before the dropdown has choices (its catalog still loading).
    empty = gr.Dropdown(choices=[], allow_custom_value=True)
    assert from_text(empty, "862", is_id=True) == 862 and from_text(empty, "862") == "862"
    assert from_text(empty, "toy story", is_id=True) == "toy story"


def test_a_tab_link_uses_the_rest_parameter_names_in_the_inputs_order():
    with gr.Blocks():
        user, title, n = gr.Textbox(), gr.Dropdown(allow_custom_value=True), gr.Slider(1, 100)
        links = Links()
        linked = LinkedTab("recommend", (), {"user_id": user, "title_id": title, "n": n}, lambda *a: None, [])
        links.tab(linked)
        query = Links.query_of(linked)("42", "ns1", 10.0)
        assert query.startswith("?") and parse_qsl(query[1:]) == [("tab", "recommend"), ("user_id", "42"),
                                                                   ("title_id", "ns1"), ("n", "10")]
        assert Links.query_of(linked)("", None, 3.0) == "?tab=recommend&n=3"
        with pytest.raises(ValueError, match="two tabs are linked as 'recommend'"):
            links.tab(linked)
