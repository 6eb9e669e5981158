"""Pieces of a self-contained HTML page: escaped text, tables, and PNG images embedded as base64."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

import pandas as pd

CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 1180px; margin: 2em auto;
       padding: 0 1.2em; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.1em; } h2 { border-bottom: 2px solid #ddd; padding-bottom: 0.2em;
     margin-top: 2em; } h3 { margin-top: 1.5em; }
.sub { color: #555; margin-top: 0; } .note { color: #555; font-size: 0.92em; }
figure { margin: 1.2em 0 2em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.92em; margin-top: 0.3em; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.8em 0; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.25em 0.7em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
ul.findings li { margin-bottom: 0.5em; } ul.findings ul { color: #333; font-size: 0.95em; }
nav { background: #f7f7f7; padding: 0.5em 1em; border-radius: 4px; font-size: 0.95em; }
nav a { margin-right: 1.1em; } pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.8em; }
.caveats li { margin-bottom: 0.4em; }
"""


def text(value: object) -> str:
    return escape(str(value))


def image(path: Path, alt: str, caption: str = "") -> str:
    """A <figure> with the PNG inlined, so the page needs no other file."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    cap = f"<figcaption>{text(caption)}</figcaption>" if caption else ""
    return f'<figure><img alt="{text(alt)}" src="data:image/png;base64,{data}">{cap}</figure>'


def table(df: pd.DataFrame, numeric: tuple[str, ...] = ()) -> str:
    """An HTML table of already formatted values; ``numeric`` columns are right-aligned."""
    head = "".join(f"<th>{text(c)}</th>" for c in df.columns)
    rows = []
    for rec in df.itertuples(index=False):
        cells = "".join(f'<td class="num">{text(v)}</td>' if c in numeric else f"<td>{text(v)}</td>"
                        for c, v in zip(df.columns, rec))
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{text(title)}</title><style>{CSS}</style></head><body>{body}</body></html>\n")
