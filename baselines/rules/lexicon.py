"""The rule baseline's lexicons. All general English / general news vocabulary: nothing here names a person or
outlet of the articles."""
from __future__ import annotations

import re

# Reporting verbs in their -s and past forms (the bare forms are nouns too often: "a state", "a note").
REPORTING_VERBS = frozenset(
    "says said tells told adds added warns warned writes wrote notes noted states stated concludes concluded "
    "explains explained insists insisted argues argued acknowledges acknowledged suggests suggested predicts "
    "predicted claims claimed declares declared announces announced asks asked replies replied continued "
    "stresses stressed emphasizes emphasized emphasises emphasised observes observed comments commented "
    "remarks remarked recalls recalled admits admitted confirms confirmed reports reported praises praised "
    "describes described accuses accused quotes quoted tweets tweeted posted complains complained urges "
    "urged".split()
)
# Verbs that report speech only with a "that" clause ("they agreed that ...", "diplomats predict that ...").
_THAT_CUE_RE = re.compile(
    r"\b(?:[a-z]+ed|say|predict|claim|believe|insist|argue|warn|suggest|agree|note|state|expect|hope|fear)s?"
    r",?(?:\s+\w+,)?\s+that\b")
# Participles attach the quote to the subject of the clause before them ("X weighed in, saying that ...").
REPORTING_PARTICIPLES = frozenset(
    "saying telling adding warning writing noting stating explaining insisting arguing suggesting claiming "
    "declaring announcing asking replying stressing describing calling accusing praising quoting "
    "tweeting".split()
)
# Words that end a noun phrase on its right (auxiliaries, adverbs that sit between subject and verb).
NP_STOP_WORDS = frozenset(
    "is are was were be been has have had will would can could may might must shall should do does did also "
    "repeatedly previously later then further again once recently still already never just who which that "
    "while when where whose".split()
)
PRONOUNS = frozenset("he she they it we i".split())
LEADING_JUNK = frozenset("and but with while as so then however yet also or nor by".split())
CLAUSE_OPENERS = frozenset(
    "however but and yet meanwhile still in on at for throughout during after before when while if as although "
    "though since despite even so then also instead back until".split()
)
DETERMINERS = frozenset("a an the one another some two three several many most other".split())
SCARE_MARKERS = ("so-called", "so called", "dubbed", "nicknamed", "titled", "entitled", "known as")
ABBREVIATIONS = frozenset("mr mrs ms dr st gen sen rep prof jr sr lt col gov inc corp co vs no".split())

# Stance toward the fixed target "Trump's presidency will improve Russia-US relations or benefit Russia".
# General evaluative vocabulary; some words were picked while reading these five texts (never their gold), so
# the lexicon's scores here are, if anything, optimistic for new articles.
FAVOR_WORDS = frozenset(
    "hope hopes hoped hopeful optimism optimist optimistic positive good welcome welcomes welcomed ready "
    "restore restored restoring improve improved improvement cooperation cooperate co-operate constructive "
    "useful benefit beneficial normalization normalisation breakthrough breakthroughs progress friendly "
    "rational practical satisfaction joy celebrate success successful convenient peace businesslike bright "
    "colorful colourful strong pleased opportunity opportunities favour favor favorable favourable "
    "enthusiasm confidence miracle hallelujah euphoria ceasefire lift lifted".split()
)
AGAINST_WORDS = frozenset(
    "worse worst bad negative silly unfriendly hostile war wars threat threats risk risky danger dangerous "
    "sabotage doubt doubts unlikely impossible unclear unpredictable illusion illusions slowly erode "
    "complicate complicated problem problems difficult overblown disappointment disappointing pressure "
    "resistance opposite opposed lose frozen confrontation tension tensions low puppet desperate unfair "
    "irrational destructive falsifications rigged fear adversary enemy".split()
)
NEGATORS = frozenset("not no never without nothing hardly nor neither lacks lack cannot".split())
TOPIC_WORDS = frozenset(
    "trump usa america american americans washington relations relationship ties sanctions "
    "administration election inauguration republicans democrats negotiate negotiations talks dialogue "
    "white house bilateral".split()
)

# A small gazetteer of well-known news organisations: canonical name -> surface forms (lower case).
OUTLET_GAZETTEER = {
    "CNN": ("cnn", "cable news network"),
    "BBC": ("bbc", "bbc news", "british broadcasting corporation"),
    "Reuters": ("reuters",),
    "Associated Press": ("associated press", "ap"),
    "Agence France-Presse": ("agence france-presse", "afp"),
    "Bloomberg": ("bloomberg",),
    "The New York Times": ("the new york times", "new york times", "nyt"),
    "The Washington Post": ("the washington post", "washington post"),
    "The Wall Street Journal": ("the wall street journal", "wall street journal", "wsj"),
    "The Guardian": ("the guardian", "guardian"),
    "Financial Times": ("financial times", "ft"),
    "Al Jazeera": ("al jazeera",),
    "NPR": ("npr",),
    "NBC News": ("nbc news", "nbc"),
    "CBS News": ("cbs news", "cbs"),
    "ABC News": ("abc news", "abc"),
    "Fox News": ("fox news",),
    "Sky News": ("sky news",),
    "Politico": ("politico",),
    "Axios": ("axios",),
    "Deutsche Welle": ("deutsche welle", "dw"),
    "TASS": ("tass",),
    "Interfax": ("interfax",),
    "Xinhua": ("xinhua",),
}
_GAZETTEER_LOOKUP = {form: name for name, forms in OUTLET_GAZETTEER.items() for form in forms}

MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
