"""The streaming catalog's training recipe (recipe.py)."""
