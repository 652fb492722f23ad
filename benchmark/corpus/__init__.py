"""The truth side: `annotations/` (read, located, validated, compared between passes) built into the dataset
folder `benchmark/data/` with its card, Croissant metadata and counts.

    annotations  read the annotations folder      validate   check it (`kremlin-reactions validate`)
    locate       offsets of a chosen span          agreement  between the two annotation passes
    build        the dataset folder, card, Croissant   stats  the counts in the card and DATASHEET
    add_article  a new article's text and gold skeleton (`kremlin-reactions add-article`)
"""
