"""Request parameters that name something of the accounts app."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from accounts.models import Branch
from crm.params import id_param


def branch_param(request: HttpRequest, name: str = "branch") -> Branch | None:
    """The branch named by `?branch=<id>` if the user may see it (Branch.visible_to).

    None when the parameter is absent or blank; Http404 when it is not an id or names a
    branch outside the user's scope — a drill-down link to another branch's records answers
    404, as an object outside scope does (issue 13 item 8).
    """
    branch_id = id_param(request, name)
    if branch_id is None:
        return None
    branch = Branch.objects.visible_to(request.user).filter(pk=branch_id).first()
    if branch is None:
        raise Http404(f"{name}: not a branch in scope")
    return branch
