"""Rendering: notebook cell helpers, charts with Chinese labels, the embedded font, sanitising, and the offline HTML appendix."""
