"""What a person reads: the terminal and Markdown tables of a score (`text`), the leaderboard of a folder of
submissions (`leaderboard`, its pages in `leaderboard_pages`), the visual error report (`error_report`), and the
safe rendering every output goes through (`escape` for untrusted strings, `page` for the look of the pages)."""
