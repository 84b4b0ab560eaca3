"""The serving side: everything app.py imports (state, REST API, UI, answers, predictor, artifact format)."""
