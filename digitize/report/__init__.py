"""The quality report a person reads: `summary` (the facts in report.json), `pages` (page
previews, what the book text lost), `html` (the self-contained report page) and `markup` (the
escaping, links and colours it shares with the library index)."""
