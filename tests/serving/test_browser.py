"""A real browser (Debian's chromium, driven by playwright) uses the served app as a person would.

It picks a title through the search box, asks for a recommendation, sees a readable error for a bad user
id, runs a catalog question by clicking an example and by filling its form, does the same in the Movies tab
group (a director's films with where to watch them), rates three films as a visitor and gets picks with where
to watch them (Movie picks), and opens the Data tab. The
screenshots it takes are the ones the README shows (docs/screenshots/, refreshed by running it with
UPDATE_SCREENSHOTS=1).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest

import config
from inputs.platforms import display_name
from serving.ui.widgets import title_case
from tests.harness.extras import require_extra, require_module

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# The README's screenshots: refreshed with UPDATE_SCREENSHOTS=1, else written to a temporary folder so
# that a test run leaves the work tree clean.
README_SCREENSHOTS = config.PROJ_ROOT / "docs" / "screenshots"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return README_SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def browser(served_app):
    require_extra(None if CHROMIUM.exists() else f"{CHROMIUM} missing: `apt-get install chromium` (make test "
                                                   "installs it)")
    require_module("playwright", "pip install -e '.[dev]'")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)  # a loaded 2-core machine can take seconds per event
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(browser, served_app):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(served_app.url, wait_until="domcontentloaded")
    return page


def visible(locator):
    return locator.filter(visible=True)


def test_recommend_tab(page, served_app, known_user, screenshots):
    from playwright.sync_api import expect

    expect(page.get_by_role("button", name="Recommend?")).to_be_visible()
    visible(page.get_by_label("User id")).fill(str(known_user))
    search = visible(page.get_by_label("Find a title"))
    search.fill("toy story")
    search.press_sequentially(" 2", delay=50)  # typed: the dropdown follows as-you-type
    title = visible(page.get_by_role("combobox", name="Title", exact=True))
    expect(title).to_have_value("Toy Story 2 (Disney+, 1999, movie) [ds1379]")  # filled by the search
    page.get_by_role("button", name="Recommend?").click()

    answer = visible(page.locator(".prose.answer"))
    expect(answer).to_contain_text("threshold")
    expected = httpx.get(served_app.url + "/recommend", params={"user_id": known_user, "title_id": "ds1379"}).json()
    text = answer.inner_text()
    assert text.startswith("Recommend" if expected["recommend"] else "Don't recommend")
    assert "Toy Story 2 [ds1379]" in text and f"{expected['predicted_rating']:.2f}" in text
    assert expected["explanation"] in text
    page.screenshot(path=screenshots / "recommend.png", full_page=True)

    # Bad input: a readable message, not a stack trace.
    visible(page.get_by_label("User id")).fill("abc")
    page.get_by_role("button", name="Recommend?").click()
    expect(page.get_by_text("user id must be a positive whole number").first).to_be_visible()
    page.wait_for_timeout(1000)  # let the pop-up finish sliding in before the picture
    page.screenshot(path=screenshots / "error.png")
    for close in page.locator(".toast-close").all():
        close.click()
    expect(page.get_by_text("user id must be a positive whole number")).to_have_count(0)


def test_catalog_question_tab(page, real_catalog, screenshots):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Catalog questions").click()
    expect(visible(page.get_by_text("The title with the longest duration"))).to_be_visible()
    # A clickable example fills the form and answers.
    visible(page.get_by_role("gridcell", name="2018")).first.click()
    expected = real_catalog.get_max_duration(2018, "netflix", "min")
    answer = visible(page.locator(".prose.answer"))
    expect(answer).to_contain_text(title_case(expected["title"]))
    expect(answer).to_contain_text(str(expected["duration_int"]))
    page.screenshot(path=screenshots / "catalog_question.png", full_page=True)

    # The form: movies on Disney+.
    page.get_by_role("tab", name="Movies per platform").click()
    platform = visible(page.get_by_role("combobox", name="platform", exact=True))
    platform.fill("disney")
    platform.press("Enter")
    visible(page.get_by_role("button", name="Ask")).click()
    count = real_catalog.get_count_platform("disney")["count"]
    expect(visible(page.locator(".prose.answer"))).to_contain_text(f"count: {count:,}")


@pytest.fixture(scope="module")
def real_movies(movies_processed):
    from catalog import MOVIES
    from catalog.movies.queries import load_movies_catalog

    return load_movies_catalog(movies_processed / MOVIES.name)


def test_movies_tab_group(page, real_movies, screenshots):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Movies", exact=True).click()
    expect(visible(page.get_by_text("The number of movies whose original language"))).to_be_visible()
    # A clickable example fills the form and answers.
    visible(page.get_by_role("button", name="French", exact=True)).first.click()  # one input: examples are buttons
    answer = visible(page.locator(".prose.answer"))
    expect(answer).to_contain_text(f"count: {real_movies.peliculas_idioma('French')['count']:,}")

    # The form: a director typed in lower case, without accents; the answer lists where each film streams.
    page.get_by_role("tab", name="Director's success").click()
    visible(page.get_by_label("nombre_director")).fill("john lasseter")
    visible(page.get_by_role("button", name="Ask")).click()
    expected = real_movies.get_director("john lasseter")
    streams = next(item["where_to_watch"][0] for item in expected["items"] if item["where_to_watch"])
    answer = visible(page.locator(".prose.answer"))
    expect(answer).to_contain_text("Where to watch")
    expect(answer).to_contain_text(f"{display_name(streams['platform'])} [{streams['title_id']}]")
    expect(answer).to_contain_text(f"count: {expected['count']:,}")
    page.screenshot(path=screenshots / "movies_question.png", full_page=True)


def test_movie_picks_a_visitor_rates_three_films_and_gets_picks_with_where_to_watch(page, served_app, screenshots):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Movie picks", exact=True).click()
    page.get_by_role("tab", name="Your picks", exact=True).click()
    film = visible(page.get_by_role("combobox", name="Film", exact=True))
    rated = visible(page.locator("#visitor-ratings"))
    for typed, stars, shown in (("finding ne", "★★★★★ 5", "Finding Nemo"), ("monsters in", "★★★★½ 4.5",
                                                                              "Monsters, Inc."),
                                ("the incredib", "★★★★★ 5", "The Incredibles")):
        search = visible(page.get_by_label("Find a film"))
        search.fill("")
        search.press_sequentially(typed, delay=30)  # typed: the dropdown follows as-you-type
        expect(film).to_have_value(re.compile(re.escape(shown) + r" \("))
        visible(page.get_by_label(stars)).check()
        visible(page.get_by_role("button", name="Add rating")).click()
        expect(rated).to_contain_text(shown)
    visible(page.get_by_role("button", name="Get my picks")).click()
    answer = visible(page.locator(".prose.answer"))
    expect(answer).to_contain_text("from your 3 ratings")
    expected = httpx.post(served_app.url + "/movies/for_visitor", json={"ratings": [
        ["finding nemo", 5], ["monsters, inc.", 4.5], ["the incredibles", 5]], "n": 10}).json()
    table = visible(page.get_by_role("grid").filter(has_text="Where to watch"))
    expect(table).to_contain_text(expected["items"][0]["title"])
    first_streaming = next(i for i in expected["items"] if i["where_to_watch"])
    expect(table).to_contain_text(display_name(first_streaming["where_to_watch"][0]["platform"]))
    # Poster cards: each pick's poster, or the app's placeholder when it has none or (offline) cannot be loaded.
    cards = visible(page.locator("#visitor-picks .movie-card"))
    expect(cards).to_have_count(10)
    first = expected["items"][0]
    because = ", ".join(b["title"] for b in first["because"])
    expect(cards.first).to_contain_text(first["title"])
    expect(cards.first).to_contain_text(f"Because you rated {because}")
    expect(table).to_contain_text(because)
    assert first["poster"].startswith("https://image.tmdb.org/t/p/w185/")
    page.wait_for_function("() => [...document.querySelectorAll('#visitor-picks img')].every(i => i.complete)")
    for image in cards.locator("img").all():  # offline: every remote poster failed over to the placeholder
        assert image.get_attribute("src") == "/posters/placeholder.svg"
        assert image.evaluate("i => i.naturalWidth") > 0  # ... which the app serves
    page.screenshot(path=screenshots / "movie_picks.png", full_page=True)


def test_movie_picks_not_interested_thumbs_sharing_and_a_profile_that_stays(browser, served_app):
    """In a fresh browser profile: ratings kept over a reload, a pick not wanted gone for good (also after the
    reload), thumbs and the opt-in ratings written to the feedback folder with the visitor's anonymous id."""
    import json

    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(served_app.url, wait_until="domcontentloaded")

    def open_picks() -> None:
        page.get_by_role("tab", name="Movie picks", exact=True).click()
        page.get_by_role("tab", name="Your picks", exact=True).click()

    open_picks()
    film = visible(page.get_by_role("combobox", name="Film", exact=True))
    for typed, shown in (("toy sto", "Toy Story"), ("finding ne", "Finding Nemo"), ("monsters in", "Monsters, Inc.")):
        search = visible(page.get_by_label("Find a film"))
        search.fill("")
        search.press_sequentially(typed, delay=30)
        expect(film).to_have_value(re.compile(re.escape(shown) + r" \("))
        visible(page.get_by_role("button", name="Add rating")).click()
        expect(visible(page.locator("#visitor-ratings"))).to_contain_text(shown)
    visible(page.get_by_label("Share my ratings to improve the model")).check()
    visible(page.get_by_role("button", name="Get my picks")).click()
    cards = visible(page.locator("#visitor-picks .movie-card"))
    expect(cards).to_have_count(10)
    rated = {862, 12, 585}
    shown_ids = [int(c.get_attribute("data-id")) for c in cards.all()]
    assert not rated & set(shown_ids)  # films they rated are never recommended back

    # Thumbs up on the first pick (the pick selector starts on it); then not interested in it.
    visible(page.get_by_role("button", name="👍 Good pick")).click()
    expect(page.get_by_text("noted").first).to_be_visible()
    visible(page.get_by_role("button", name="Not interested (never show it again)")).click()
    expect(page.locator(f'#visitor-picks .movie-card[data-id="{shown_ids[0]}"]')).to_have_count(0)
    expect(cards).to_have_count(10)

    # A reload: the ratings are still there, and the film not wanted does not come back.
    page.reload(wait_until="domcontentloaded")
    open_picks()
    table = visible(page.locator("#visitor-ratings"))
    for title in ("Toy Story", "Finding Nemo", "Monsters, Inc."):
        expect(table).to_contain_text(title)
    expect(visible(page.get_by_label("Share my ratings to improve the model"))).to_be_checked()
    visible(page.get_by_role("button", name="Get my picks")).click()
    expect(cards).to_have_count(10)
    again = [int(c.get_attribute("data-id")) for c in cards.all()]
    assert shown_ids[0] not in again and again[:9] == shown_ids[1:]

    # The feedback folder (JSON lines, each event with its kind): one thumbs event and the shared ratings (twice:
    # both requests), one visitor id.
    events = [json.loads(line) for path in sorted(served_app.feedback_dir.glob("*.jsonl"))
              for line in path.read_text(encoding="utf-8").splitlines()]
    thumbs = [e for e in events if e["kind"] == "thumbs"]
    shared = [e for e in events if e["kind"] == "ratings"]
    mine = [t for t in thumbs if t["movie"] == shown_ids[0]]
    assert len(mine) == 1 and mine[0]["vote"] == "up" and mine[0]["catalog"] == "movies"
    visitor = mine[0]["visitor"]
    assert re.fullmatch(r"[0-9a-f]{32}", visitor)
    ours = [r for r in shared if r["visitor"] == visitor]
    assert len(ours) == 2 and {r["movie"] for r in ours[0]["ratings"]} == rated
    context.close()


@pytest.fixture(scope="module")
def browser_context(browser):
    """A second browser context that may read the clipboard (for the Copy link button)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  permissions=["clipboard-read", "clipboard-write"])
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


def open_link(context, url: str):
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    return page


def test_a_shared_link_opens_its_tab_filled_and_answered(browser_context, served_app, known_user):
    from playwright.sync_api import expect

    page = open_link(browser_context, f"{served_app.url}/?tab=recommend&user_id={known_user}&title_id=ds1379")
    expected = httpx.get(served_app.url + "/recommend", params={"user_id": known_user, "title_id": "ds1379"}).json()
    answer = visible(page.locator(".prose.answer"))
    expect(answer).to_contain_text(f"{expected['predicted_rating']:.2f}")
    expect(visible(page.get_by_label("User id"))).to_have_value(str(known_user))
    # A Movies tab, with the film by title and a bad parameter in another link.
    page = open_link(browser_context, f"{served_app.url}/?tab=movies_similar&title=toy%20story&n=3")
    expect(visible(page.locator(".prose.answer"))).to_contain_text("Toy Story (1995, TMDB id 862)")
    expect(visible(page.get_by_role("grid").filter(has_text="Toy Story 2")).first).to_contain_text("Disney+")
    page = open_link(browser_context, f"{served_app.url}/?tab=movies_top_n&user_id=abc")
    expect(page.get_by_text("user id must be a positive whole number").first).to_be_visible()
    page.close()


def test_copy_link_gives_a_link_that_reproduces_the_answer(browser_context, served_app):
    from playwright.sync_api import expect

    page = open_link(browser_context, served_app.url)
    page.get_by_role("tab", name="Movie picks", exact=True).click()
    page.get_by_role("tab", name="For a MovieLens user", exact=True).click()
    visible(page.get_by_label("MovieLens user id")).fill("15")
    visible(page.get_by_label("Released from (year)")).fill("1990")
    visible(page.get_by_role("button", name="Show top picks")).click()
    answer = visible(page.locator(".prose.answer"))
    expect(answer).to_contain_text("MovieLens user 15")
    table = visible(page.get_by_role("grid").filter(has_text="Predicted rating")).first
    shown = table.inner_text()
    visible(page.get_by_role("button", name="Copy link")).click()
    box = visible(page.locator(".answer-link textarea"))
    expect(box).to_have_value(re.compile(r"\?tab=movies_top_n&user_id=15&genre=any&year_from=1990&"))
    link = box.input_value()
    assert page.evaluate("navigator.clipboard.readText()") == link
    again = open_link(browser_context, link)
    expect(visible(again.locator(".prose.answer"))).to_contain_text("MovieLens user 15")
    first = httpx.get(served_app.url + "/movies/top_n", params={"user_id": 15, "year_from": 1990}).json()["items"][0]
    table_again = visible(again.get_by_role("grid").filter(has_text="Predicted rating")).first
    expect(table_again).to_contain_text(first["title"])
    assert first["title"] in shown and table_again.inner_text() == shown
    page.close()
    again.close()


def test_data_tab(page, screenshots):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Data and model").click()
    info = visible(page.locator("#artifacts-info"))
    expect(info).to_contain_text("Model")
    expect(info).to_contain_text("SVD model")
    expect(visible(page.get_by_text("Held-out evaluation"))).to_be_visible()
    page.screenshot(path=screenshots / "data_and_model.png", full_page=True)


# ---- arriving: the front page and every documented link, nothing filled in ------------------------------
BAD_TAB = "no_such_tab"


@pytest.fixture(scope="module")
def documented_links(movies_processed, app_artifacts_with_movies, tmp_path_factory) -> dict[str, str]:
    """Tab name -> the query string of its documented link, from the Links registry of the UI built over the same
    data and models as the served app: a new linkable tab is opened here without a change to this test."""
    from serving.state.loading import load_state
    from serving.ui import build_ui
    from settings import load_settings

    state = load_state(processed_dir=movies_processed, artifacts_dir=app_artifacts_with_movies,
                       reports_dir=tmp_path_factory.mktemp("links-reports"), settings=load_settings({}))
    return build_ui(state).links.example_links()


TMDB_IMAGES = "https://image.tmdb.org/"


def settled_arrival(browser, url: str, answered: bool) -> tuple[object, list[str]]:
    """A fresh page at `url`, left alone until the page-load event is done; (page, the console's errors)."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    errors: list[str] = []

    def console(msg) -> None:
        # Offline, TMDB's poster images cannot load: the page shows its placeholder instead, by design.
        if msg.type == "error" and not msg.location.get("url", "").startswith(TMDB_IMAGES):
            errors.append(msg.text)

    page.on("console", console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url, wait_until="load")
    expect(page.get_by_role("tab", name="Recommend", exact=True)).to_be_visible()
    if answered:  # the link's tab shows its answer
        expect(visible(page.locator(".prose.answer")).first).not_to_be_empty()
    try:  # the page-load event's answer has come (a page that keeps a connection open never goes idle)
        page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS // 2)
    except PlaywrightTimeout:
        pass
    page.wait_for_timeout(1500)  # a late pop-up or badge would show by now
    return page, errors


def error_marks(page) -> list[str]:
    """The red pop-ups and the "Error" badges of components, as their texts."""
    toasts = page.locator('[data-testid="toast-body"].error').all_inner_texts()
    badges = page.locator('[data-testid="status-tracker"] .error').all_inner_texts()
    return [*toasts, *badges]


def test_arriving_at_the_front_page_or_any_documented_link_shows_no_error(browser, served_app, documented_links,
                                                                        screenshots):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    assert {"recommend", "top_n", "similar", "movies_for_visitor", "movies_similar", "max_duration",
            "movies_franquicia"} <= set(documented_links)
    arrivals = {"front page": ("/", False)}
    arrivals.update({name: ("/" + query, True) for name, query in documented_links.items()})
    problems = {}
    for name, (path, answered) in arrivals.items():
        try:
            page, console = settled_arrival(browser, served_app.url + path, answered)
        except (AssertionError, PlaywrightTimeout) as exc:  # no answer: a warning pop-up would have gone by now
            problems[name] = {"link": path, "no answer": str(exc).splitlines()[0]}
            continue
        # A valid link shows no pop-up at all (a warning would mean its parameters were refused).
        marks = [*page.locator('[data-testid="toast-body"]').all_inner_texts(), *error_marks(page)]
        if name == "front page":
            page.screenshot(path=screenshots / "front_page.png")
        if marks or console:
            problems[name] = {"link": path, "pop-ups and badges": marks, "console": console}
        page.close()
    assert not problems, problems

    # A link naming no tab: a readable warning listing the tabs, and nothing red.
    page, console = settled_arrival(browser, f"{served_app.url}/?tab={BAD_TAB}&n=3", answered=False)
    warning = page.locator('[data-testid="toast-body"].warning')
    expect(warning).to_contain_text(f"This link names no tab of this page ('{BAD_TAB}')")
    expect(warning).to_contain_text("recommend, top_n, similar")
    assert error_marks(page) == [] and console == []
    page.close()
