"""stub"""
from prodbook.jobs.base import Context, Outcome
def report(tracker, ctx: Context) -> Outcome:
    return Outcome("report")
