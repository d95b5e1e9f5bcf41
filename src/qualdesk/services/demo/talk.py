"""What reps write at the demo desk: call notes, checklist answers, follow-up touches."""

from __future__ import annotations

AFTER_3PM = "Gatekeeper: call after 3pm"
# What a rep notes for an attempt that reached no one, or that ended the conversation.
ATTEMPT_NOTES = {
    "no_answer": ("No answer", "No answer, tried the main line", "Rang out, no voicemail box"),
    "busy": ("Line busy", "Busy signal, will try later"),
    "voicemail": ("Left a voicemail", "Left a voicemail with my direct line"),
    "gatekeeper": (AFTER_3PM, "Reception would not put me through", "Assistant took a message"),
    "wrong_number": (
        "Wrong number: a dental practice",
        "Number not in service",
        "Wrong number: nobody of that name there",
    ),
    "not_interested": (
        "Not interested: happy with their current provider",
        "Not a priority this year",
        "No time for this now, maybe next year",
    ),
    "do_not_call": ("Asked not to be called again",),
}
# Per criterion: what the call notes say once it is established, with the answer the
# rep types beside the checklist ("" for the two answers read from the lead's facts).
CHECKLIST_TALK = {
    "vertical": (("Confirmed their industry", ""), ("Industry and code checked", "")),
    "firmographics": (("Got headcount and sites", ""), ("Confirmed company size", "")),
    "decision_makers": (
        ("Mapped who decides", "COO decides, two ops managers influence"),
        ("Found out who signs off", "CFO signs off, IT director evaluates"),
        ("Head of operations decides", "Head of ops decides, finance approves"),
    ),
    "environment": (
        ("Went through their current systems", "On-prem ERP, moving to Azure"),
        ("Heard what it must fit into", "Salesforce and a home-grown billing tool"),
        ("Runs everything on spreadsheets today", "Spreadsheets and email"),
    ),
    "engagement": (
        ("Interested in a demo", "Wants a demo with the team"),
        ("Decision maker keen to see numbers", "Interested, wants numbers first"),
        ("Decision maker is driving this", "Driving the project"),
    ),
    "pains": (
        ("Pains confirmed: slow month-end", "Month-end close takes 10 days"),
        ("Cloud bill is their pain", "Cloud bill up 40% this year"),
        ("Losing deals to slow quotes", "Quotes take a week"),
    ),
    "process": (
        ("Walked through how they buy", "Three quotes, procurement decides"),
        ("Pilot first, then the board", "Pilot in Q1, board approval in March"),
        ("Demo first, then a decision within the month", "Demo, then decide in 30 days"),
    ),
    "budget": (
        ("Budget set for next quarter", "$50k set aside for next quarter"),
        ("Budget approved", "$20k approved this quarter"),
        ("Budget goes into next year's plan", "In next year's plan"),
    ),
    "competition": (
        ("Using a competitor, contract ends in spring", "Incumbent contract ends in April"),
        ("Also talking to other vendors", "Evaluating two other vendors"),
        ("No vendor in place today", "None today"),
    ),
    "urgency": (
        ("Needs it live before their audit", "Audit in February"),
        ("Contract renewal is the deadline", "Renewal due in March"),
        ("Wants it for the new site", "New site opens in spring"),
    ),
}
# How a conversation ended, by whether the lead met the definition.
CLOSINGS = {
    True: ("Agreed to an intro call with sales", "Wants a proposal, passing to sales"),
    False: (
        "Not ready to move yet, keep in touch",
        "No project this quarter, follow up later",
        "Asked for information by email first",
    ),
}
# Touches on other channels between calls. The email a prospect asks for on a call is the
# first one: the buyer's guide.
FOLLOW_UPS = {
    "email": (
        "Emailed a short intro and the buyer's guide",
        "Emailed a customer story",
        "Emailed to ask for a good time to talk",
    ),
    "linkedin": ("Connection request on LinkedIn", "Sent a LinkedIn message"),
    "sms": ("Texted to ask for a good time to call",),
}
INDUSTRY_CODES = {
    "Construction": "NAICS 236220",
    "Education": "NAICS 611310",
    "Financial Services": "NAICS 522110",
    "Healthcare": "NAICS 621111",
    "Hospitality": "NAICS 721110",
    "Logistics": "NAICS 484110",
    "Manufacturing": "NAICS 332710",
    "Retail": "SIC 5411",
    "Software": "NAICS 511210",
}
