"""Number formats for Simplified Chinese, overriding Django's (settings.FORMAT_MODULE_PATH).

Django's zh_Hans formats have no thousands separator (`¥2711675`). Chinese banks print amounts
grouped by three with commas — ¥2,711,675.00 on statements, receipts and in every mobile
banking app — so amounts and counts read the same way in both languages.
"""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
