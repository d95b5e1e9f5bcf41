"""The demo desk: reps, leads arriving over three weeks, their calls, and the loop with sales.

Everything happens at its own moment, in order, through the desk's own
services: the desk opens, marketing's files arrive in batches on different
days, the reps call the leads in their shifts and in each lead's calling
hours, and the team lead hands the qualified ones to sales, reads sales'
verdicts and rules on a couple of rejections. A call's notes say what
happened on that call and nothing else.
"""

from qualdesk.services.demo.build import DemoReport, build_demo, demo_location
from qualdesk.services.demo.files import DEMO_KEY
from qualdesk.services.demo.sales import OPPORTUNITY_COLUMNS, SALES_REASONS, VERDICT_COLUMNS
from qualdesk.services.demo.talk import ATTEMPT_NOTES, CHECKLIST_TALK, CLOSINGS
from qualdesk.services.demo.timetable import ARRIVALS, DEMO_REPS, REP_PLACES, SHIFT, TEAM_LEAD

__all__ = [
    "ARRIVALS",
    "ATTEMPT_NOTES",
    "CHECKLIST_TALK",
    "CLOSINGS",
    "DEMO_KEY",
    "DEMO_REPS",
    "OPPORTUNITY_COLUMNS",
    "REP_PLACES",
    "SALES_REASONS",
    "SHIFT",
    "TEAM_LEAD",
    "VERDICT_COLUMNS",
    "DemoReport",
    "build_demo",
    "demo_location",
]
