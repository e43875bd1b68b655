from __future__ import annotations

import datetime as dt

from django_tasks import task

from fuwu.core import scheduler


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


@task(queue_name="sweeps")
def cluster_knowledge_gaps() -> str:
    """Cluster the open unanswered questions into knowledge gaps for the editors (jieba + TF-IDF + sklearn)."""
    from fuwu.core.principals import system
    from fuwu.knowledge import services
    from fuwu.knowledge.models import GapCluster, UnansweredQuestion

    # The hourly tick on a quiet (or brand-new, unit-less) installation: nothing to cluster, nothing to clear.
    open_questions = UnansweredQuestion.objects.filter(resolved_entry__isnull=True).exists()
    if not open_questions and not GapCluster.objects.filter(draft_entry__isnull=True).exists():
        return "nothing to cluster"
    return f"{services.gap_clusters_rebuild(actor=system('knowledge gaps'))} gaps"


scheduler.register(cluster_knowledge_gaps, every=dt.timedelta(hours=1))
