"""Starter extractors, one per handout. Each runs and scores out of the box (low but non-zero) and has TODOs.

Every starter defines `Starter` (the class the handouts name) and `Extractor = Starter` (the class name the
Gradescope autograder looks for when a student uploads a single `extractor.py`).
"""
