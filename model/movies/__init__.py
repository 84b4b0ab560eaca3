"""The Movies catalog's training recipe (recipe.py), its visitors' fold-in (visitors.py), content neighbours
(content.py) and model card text (card.py)."""
