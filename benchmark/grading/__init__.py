"""Grading: running a submitted extractor (`runner`), grading on Gradescope (`gradescope`) and Codabench
(`codabench`), and building their bundles (`bundles`, the `kremlin-reactions autograder` command)."""
