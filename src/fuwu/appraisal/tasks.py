from __future__ import annotations

from django_tasks import task

from fuwu.core.principals import system


@task()
def build_briefing(job_id: int) -> str:
    """Build one requested briefing (a whole bank: head office and every tier-1 branch) in the background."""
    from fuwu.appraisal import services
    from fuwu.appraisal.models import BriefingJob

    job = BriefingJob.objects.select_related("unit", "requested_by").get(pk=job_id)
    return str(services.briefing_run(actor=system("briefing"), job=job).status)
