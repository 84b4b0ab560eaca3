"""The one matching form of names and titles (catalog.names), and the places that match with it."""
from __future__ import annotations

from catalog.names import NameIndex, name_key, name_keys, title_key


def test_one_rule_for_case_accents_letters_apostrophes_and_punctuation():
    assert name_key("Amélie") == title_key("AMELIE") == "amelie"
    assert name_key("Bjørn Ærø Łódź Straße") == "bjorn aero lodz strasse"
    assert name_key("Don’t Tell") == name_key("Don't   Tell!") == "dont tell"
    assert name_key("All Hallow's Eve") == name_key("all hallows' eve")  # apostrophes dropped, not split
    assert name_key("Ｔｏｙ Ｓｔｏｒｙ") == "toy story"  # full-width letters (NFKC)
    assert name_key("शोले") != name_key("शल")  # the marks of other scripts belong to the word
    assert name_key("spider_man") == "spider man" and name_key("🎬 ?!") == ""


def test_ampersand_is_and_for_names_and_punctuation_for_title_search():
    assert name_key("Mr. Peabody & Sherman") == name_key("mr peabody and sherman") == "mr peabody and sherman"
    assert title_key("Mr. Peabody & Sherman") == "mr peabody sherman"


def test_batch_keys_equal_one_by_one():
    names = ["Toy Story", "It's & Co.", "Les Misérables", "七人の侍", "a\nb", "!!!", "WALL·E"]
    assert name_keys(names) == {n: name_key(n) for n in names}


def test_the_title_search_the_movies_names_and_the_links_share_it():
    import catalog.movies.codes
    import catalog.movies.queries
    import catalog.search
    import etl.movies.links

    assert catalog.search.title_key is title_key
    assert catalog.movies.queries.name_words.__module__ == catalog.movies.codes.name_key.__module__ == "catalog.names"
    assert etl.movies.links.name_key is name_key
    assert etl.movies.links.normalise_title("The Amélie (2001)") == "amelie"


def test_a_name_index_finds_aliases_and_suggests_close_names():
    spellings = {"toystorycollection": {"Toy Story Collection": 3}, "starwarscollection": {"Star Wars Collection": 9}}
    words = {"toystorycollection": ("toy", "story", "collection"), "starwarscollection": ("star", "wars", "collection")}
    index = NameIndex(spellings, {k: 1.0 for k in spellings}, words, {"toystorycollection": ["toystory"]})
    assert index.find("toystory") == "toystorycollection" and index.find("nothing") is None
    assert index.suggest(["toy", "stroy"])[0] == "Toy Story Collection"
    error = index.not_found("franquicia", "toy stroy", "collection", ["toy", "stroy"])
    assert "Closest names: Toy Story Collection" in str(error) and error.suggestions[0] == "Toy Story Collection"
