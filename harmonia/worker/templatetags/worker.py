from django import template

from harmonia.worker.status import worker_status

register = template.Library()


@register.inclusion_tag("worker/stalled.html")
def worker_warning():
    """A warning on pages whose work the background worker does (two queries)."""
    return {"status": worker_status()}
