"""Logging filters that keep personal data out of logs (issue 8 item 5)."""

from __future__ import annotations

import logging
import re

_QUERY = re.compile(r"\?[^\s\"]*")


class StripQueryString(logging.Filter):
    """Drop query strings from request lines (Django's development server logs
    `"GET /customers/?q=王小明 HTTP/1.1" 200`; search terms are personal data)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg, record.args = _QUERY.sub("", message), None
        return True
