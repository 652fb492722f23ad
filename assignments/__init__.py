"""The classroom kit: handouts (Markdown), starter extractors (`assignments.starters`) and example submissions.

Nothing here is needed to use the benchmark; it is importable so that
`kremlin-reactions evaluate assignments.starters.quotes_starter:Starter` works from a clone.
"""
