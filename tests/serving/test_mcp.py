"""MCP tools (APP_MCP=true): the UI's public events are the tools, named after their api_names and described by
their docstrings, parameters included; the page's own events are not tools; a client lists them over MCP's
streamable HTTP transport and gets a visitor's picks from movies_for_visitor. Without APP_MCP the app imports
nothing of MCP."""
from __future__ import annotations

import asyncio
import json
import re

import pytest

import catalog
from inputs.numbers import MAX_N
from inputs.ratings import MIN_VISITOR_RATINGS
from tests.harness.launcher import AppProcess

MODEL_TOOLS = {"search_titles", "recommend", "top_n", "similar", "movies_search", "movies_for_visitor",
               "movies_top_n", "movies_recommend", "movies_similar"}
QUESTION_TOOLS = {route.api_name for spec in catalog.CATALOGS for route in spec.routes}
# Words of the code, not of the product: no tool description may show them.
INTERNAL = re.compile(r"lambda|markdown, json|\bget_[a-z]|serving\.|\bgr\.|/tmp/|/work/|Traceback")


def tool_list(demo) -> dict[str, dict]:
    """The tools Gradio's MCP server lists for `demo`: name -> {"description", "inputSchema"}."""
    from gradio.mcp import GradioMCPServer

    server = GradioMCPServer(demo)
    tools = {}
    for name, endpoint in server.tool_to_endpoint.items():
        description, parameters = server.get_fn_description(server.get_block_fn_from_endpoint_name(endpoint), name)
        tools[name] = {"description": description, "inputSchema": server.get_input_schema(name, parameters)[0]}
    return tools


@pytest.fixture(scope="module")
def tools(tiny_state) -> dict[str, dict]:
    from serving.ui import build_ui

    return tool_list(build_ui(tiny_state).queue())


def test_the_tools_are_the_public_events_named_after_their_api_names(tools):
    assert set(tools) == MODEL_TOOLS | QUESTION_TOOLS


def test_every_tool_and_parameter_is_described_without_internals(tools):
    for name, tool in tools.items():
        assert len(tool["description"]) > 40 and "Returns:" in tool["description"], name
        assert not INTERNAL.search(tool["description"]), (name, tool["description"])
        for param, schema in tool["inputSchema"]["properties"].items():
            assert len(schema.get("description", "")) > 10, (name, param)
            assert not INTERNAL.search(schema["description"]), (name, param, schema["description"])


def test_descriptions_follow_the_limits_they_state(tools):
    for name, tool in tools.items():
        if "n" in tool["inputSchema"]["properties"]:
            assert f"1 to {MAX_N}" in tool["inputSchema"]["properties"]["n"]["description"], name
    assert f"at least {MIN_VISITOR_RATINGS} films" in tools["movies_for_visitor"]["description"]


def test_every_schema_is_valid_and_takes_what_the_parsers_take(tools):
    import jsonschema

    for tool in tools.values():
        jsonschema.Draft202012Validator.check_schema(tool["inputSchema"])
    valid = {  # values the doors accept that gradio's own schemas refused: a title out of the examples, a title
        # or id for a film, several genres, a visitor's ratings
        "recommend": {"user_id": "42", "title": "ns1"},
        "similar": {"title": "the irishman", "n": 5},
        "movies_recommend": {"user_id": "15", "movie": 862},
        "movies_similar": {"movie": "toy story"},
        "movies_top_n": {"user_id": "15", "genre": "Comedy, Drama"},
        "movies_for_visitor": {"ratings": [[862, 5], ["finding nemo", 4.5], [585, 4]], "n": 5},
    }
    for name, arguments in valid.items():
        jsonschema.validate(arguments, tools[name]["inputSchema"])


def test_question_tools_describe_the_declared_question(tools):
    for spec in catalog.CATALOGS:
        for route in spec.routes:
            tool = tools[route.api_name]
            assert route.question.definition in tool["description"]
            assert list(tool["inputSchema"]["properties"]) == [p.name for p in route.question.params]
            for p in route.question.params:
                assert p.help in tool["inputSchema"]["properties"][p.name]["description"]


# ---- the real app on loopback ------------------------------------------------------------------------------

async def mcp_session(url: str, work) -> object:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async with streamable_http_client(url + "/gradio_api/mcp/") as (read, write, _), \
            ClientSession(read, write) as session:
        await session.initialize()
        return await work(session)


@pytest.mark.slow
def test_an_mcp_client_lists_the_tools_and_gets_a_visitors_picks(movies_processed, app_artifacts_with_movies,
                                                                  tmp_path):
    env = {"APP_MCP": "true", "PYTHONPROFILEIMPORTTIME": "1"}
    with AppProcess(artifacts_dir=app_artifacts_with_movies, processed_dir=movies_processed, env=env,
                    log_path=tmp_path / "app.log") as app:
        async def work(session):
            listed = (await session.list_tools()).tools
            picks = await session.call_tool("movies_for_visitor",
                                            {"ratings": [[862, 5], ["Finding Nemo", 4.5], [585, 4]], "n": 5})
            too_few = await session.call_tool("movies_for_visitor", {"ratings": [[862, 5]]})
            return listed, picks, too_few

        listed, picks, too_few = asyncio.run(mcp_session(app.url, work))
    tools = {tool.name: tool for tool in listed}
    assert set(tools) == MODEL_TOOLS | QUESTION_TOOLS
    assert tools["movies_for_visitor"].description.startswith("Films for a visitor's taste")
    assert "TMDB id" in tools["movies_for_visitor"].inputSchema["properties"]["ratings"]["description"]

    assert not picks.isError, picks.content
    words, data = (part.text for part in picks.content)  # the Markdown answer and the JSON answer, no table
    answer = json.loads(data)
    assert [r["id"] for r in answer["rated"]] == [862, 12, 585] and "Toy Story" in words
    assert len(answer["items"]) == 5 and not {862, 12, 585} & {item["id"] for item in answer["items"]}
    assert all("where_to_watch" in item for item in answer["items"])

    assert too_few.isError and too_few.content[0].text == (
        f"rate at least {MIN_VISITOR_RATINGS} movies to get recommendations; got 1.")
    assert re.search(r"\| +mcp\.server$", app.log_path.read_text(), re.MULTILINE)  # the import profile: MCP loaded


@pytest.mark.slow
def test_without_app_mcp_nothing_of_mcp_is_imported(tiny_artifacts, small_processed, tmp_path):
    env = {"PYTHONPROFILEIMPORTTIME": "1"}
    with AppProcess(artifacts_dir=tiny_artifacts, processed_dir=small_processed, env=env,
                    log_path=tmp_path / "app.log") as app:
        assert app.url
    # (a line for "mcp" itself is gradio's attempt, refused: app.py keeps the package out)
    imported = re.findall(r"\| +(mcp\.\S+|(?:sse_starlette|pydantic_settings|jsonschema)(?:\.\S+)?)$",
                          app.log_path.read_text(), re.MULTILINE)
    assert imported == [], imported
