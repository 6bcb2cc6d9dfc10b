"""gunicorn settings read from the working directory (gunicorn loads ./gunicorn.conf.py).

The access log carries no personal data (issue 8 item 5): requests are logged by path only,
never with their query string, because search terms (names, mobile and ID fragments) travel in
`?q=`. Referer and user agent are left out for the same reason.
"""

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


def post_worker_init(worker):
    """Hide what start-up loaded (Django, the apps, the URLconf) from the garbage collector:
    a page that builds a few thousand objects then triggers collections that do not rescan
    tens of thousands of long-lived ones (measured in docs/benchmarks.md, dashboards)."""
    import gc

    gc.freeze()
