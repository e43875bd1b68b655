from __future__ import annotations

from django_tasks import task


@task()
def retrain_assistant() -> str:
    """Retrain the assistant on the knowledge base's current questions; the old model answers meanwhile.

    Several edits in a row enqueue several runs; each compares the knowledge base's signature with the
    published model's and does nothing when they already agree.
    """
    from fuwu.knowledge import engine

    model = engine.train_from_db()
    return f"{model.n_questions} questions" if model is not None else "empty"


@task()
def retrain_sentiment() -> str:
    """Retrain the bank's feedback sentiment model with its labels (new processes load the new model)."""
    from fuwu.knowledge import services

    model = services.sentiment_retrain()
    return str(model["sources"])
