"""stub"""
from prodbook.jobs.base import Context, Outcome
def followups(tracker, ctx: Context) -> Outcome:
    return Outcome("followups")
