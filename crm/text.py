"""Text that arrives from people and files, made safe to show (issue 8 item 11).

A right-to-left override (U+202E) in a customer name reversed how the rest of the page title
and heading read: "Trojan Source"-style spoofing of names, amounts and links. Bidirectional
*control* characters are stripped on the way in (crm.middleware.StripBidiControlsMiddleware for
every form and query string, the CSV importers for every cell); right-to-left *letters*
(Arabic-script Uyghur names, for instance) are kept, and the browser lays them out itself.
"""

from __future__ import annotations

import re

# Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the implicit marks
# (LRM, RLM, ALM): the characters the Unicode bidirectional algorithm takes as commands.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_BIDI_RE = re.compile(f"[{BIDI_CONTROLS}]")


def strip_bidi(value: str) -> str:
    """`value` without bidirectional control characters (other text untouched)."""
    return _BIDI_RE.sub("", value) if value else value


def has_bidi(value: str) -> bool:
    return bool(value) and _BIDI_RE.search(value) is not None
