"""The closed label sets of the annotation scheme: one place for every stage (validator, build, scorer,
baselines). annotations/GUIDELINES.md says what each label means."""
from __future__ import annotations

QUOTE_TYPES = ("direct", "partial", "indirect")
TRACK_A_TYPES = ("direct", "partial")
TRACK_B_TYPES = ("indirect",)
STANCES = ("favor", "against", "neutral", "none")
SPEAKER_KINDS = ("person", "anonymous", "organization", "group", "other")
OUTLET_EVIDENCE = ("explicit", "external")
DATE_EVIDENCE = ("explicit", "inferred", "external")
BOILERPLATE_KINDS = (
    "navigation", "video_widget", "photo_gallery", "file_names", "caption", "related_link",
    "share_bar", "advertisement", "legal_notice", "sidebar", "promo",
)
