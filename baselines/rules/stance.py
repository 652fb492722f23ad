"""Stance by lexicon (`lexicon_stance`): favourable minus unfavourable words, negation-aware."""
from __future__ import annotations

import re

from baselines.rules.lexicon import AGAINST_WORDS, FAVOR_WORDS, NEGATORS, TOPIC_WORDS

_TOKEN_RE = re.compile(r"[a-z][a-z.'’-]*[a-z]|[a-z]")


CONTEXT_CHARS = 250      # how far around a quote to look for the target (its topic words)
NEGATION_WINDOW = 4      # a negator this many tokens before a lexicon word flips it


def _tokens(text: str) -> list[str]:
    """Lower-case word tokens; possessive 's dropped ("Trump's" -> "trump"), "n't" kept ("don't"), the country
    "US"/"U.S." becomes "usa" (not the pronoun "us")."""
    text = re.sub(r"\bU\.?S\.?(?![\w.])|\bU\.S\.(?=A)", " usa ", text)
    text = text.lower().replace("&#39;", "'").replace("’", "'")
    return [re.sub(r"'s$", "", t) for t in _TOKEN_RE.findall(text)]


def lexicon_stance(quote: str, context: str = "") -> str:
    """favor / against by the sign of (favourable - unfavourable words, flipped after a negator); on a tie,
    neutral when the quote or its sentence mentions the target, otherwise none."""
    tokens = _tokens(quote)
    score = 0
    for i, token in enumerate(tokens):
        polarity = (token in FAVOR_WORDS) - (token in AGAINST_WORDS)
        if polarity and any(t in NEGATORS or t.endswith("n't") for t in tokens[max(0, i - NEGATION_WINDOW):i]):
            polarity = -polarity
        score += polarity
    if score > 0:
        return "favor"
    if score < 0:
        return "against"
    return "neutral" if set(_tokens(quote + " " + context)) & TOPIC_WORDS else "none"
