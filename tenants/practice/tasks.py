from celery import shared_task


@shared_task(name="practice.escalate_requests")
def escalate_requests() -> int:
    from .services.claims import escalate_unclaimed

    return escalate_unclaimed()
