"""Parsing and validation of everything a user sends, one module per kind of input.

Every door (the Gradio UI, the REST API, gradio_client, Python callers) parses with these functions, so the
same value gets the same answer or the same message everywhere:

    inputs.numbers    whole numbers and decimals: user ids, counts (n), years, scores; ASCII digits only
    inputs.text       free text: normalising, blanks, length, echo() of bad input, closest-match suggestions
    inputs.choices    closed sets with spellings: content type, duration type, values listed by a catalog
    inputs.platforms  streaming platform names
    inputs.titles     title ids (the id scheme built from config.PLATFORMS)

Bad input raises errors.InputError with a message saying what was wrong and what is accepted; any input it
repeats goes through inputs.text.echo, which cuts it to about 80 characters.
"""
