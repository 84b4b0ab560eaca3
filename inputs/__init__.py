"""Parsing and validation of everything a user sends, one module per kind of input, so that the same value gets
the same answer or the same message at every door (the UI, the REST API, gradio_client, Python callers):

    inputs.numbers    whole numbers and decimals: user ids, counts (n), years, scores; ASCII digits only
    inputs.text       free text: normalising, blanks, length, echo() of bad input, closest-match suggestions
    inputs.choices    closed sets with spellings: content type, duration type, values listed by a catalog
    inputs.platforms  streaming platform names
    inputs.titles     ids of titles: streaming title ids ("ns123") and TMDB ids (862)
    inputs.ratings    a visitor's ratings of films: [{"movie": <TMDB id or title>, "rating": 0.5-5}, ...]

Bad input raises errors.InputError saying what was wrong and what is accepted.
"""
