"""gunicorn's settings for the load area: the bench settings, as production would serve the citizens.

- The cache is the database's (shared by gunicorn's workers, as in production and as the portal area
  measures): the warmed portal pages, the rate-limit counters and the used ALTCHA challenges live there.
- The public forms' rate limits count per client address (REMOTE_ADDR only; the app never trusts
  ``X-Forwarded-For``). Every simulated citizen comes from 127.0.0.1, so the production limits (5
  filings an hour per address…) would turn the load into 429s after a few seconds. They are raised
  here, and only here; the code that counts still runs on every post.
- ALTCHA: the server still hands out a signed challenge and verifies every payload (two HMACs and a
  single-use mark in the cache, whatever the cost setting), but the proof-of-work a citizen's browser
  does is made cheap, so that the load generator, which shares the two cores with the server, does not
  spend them solving puzzles.
"""

from benchmarks.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "danvan_cache",
                      "OPTIONS": {"MAX_ENTRIES": 200_000}}}
UNLIMITED = (1_000_000_000, 3600)
DANVAN_PUBLIC_RATE_LIMITS = {action: UNLIMITED for action in (
    "petitions_submit", "petitions_track", "survey_submit", "survey_code", "altcha_challenge")}
DANVAN_ALTCHA_COST = 1
DANVAN_ALTCHA_MAX_COUNTER = 20
