"""A stand-in for an inspections app (another app's hooks, not appraisal code): mystery-shopper results for
the briefing and a failed critical item for the stars, found by discovery like any installed app's."""
