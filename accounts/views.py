from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import LoginForm
from accounts.sessions import session_keep_alive, session_seconds_left
from accounts.signin import address_paused, client_address
from crm.middleware import signed_out_notice


class LoginView(auth_views.LoginView):
    """Django's login (new session key at login) with the project's form and template.

    An address with too many failures across user names is paused before any password is
    checked (accounts.signin); axes handles the per-user-name lock. A browser whose session
    ended by itself is told why (crm.middleware.signed_out_notice).
    """

    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.request.method == "GET":
            ctx["signed_out_notice"] = signed_out_notice(self.request)
        return ctx

    def post(self, request, *args, **kwargs):
        if address_paused(client_address(request)):
            ctx = {
                "by_address": True,
                "failure_limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
                "cooloff_timedelta": settings.AXES_COOLOFF_TIME,
            }
            return render(request, "registration/locked_out.html", ctx, status=429)
        return super().post(request, *args, **kwargs)


# The idle warning's endpoints (static/js/idle-warning.js) answer a visitor or an ended
# session with 0 seconds, never the sign-in page: they are exempt from the login requirement.


@login_not_required
@never_cache
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """How long the session has left; asking does not slide it (SessionIdleTouchMiddleware)."""
    return JsonResponse({"seconds_left": session_seconds_left(request)})


@login_not_required
@never_cache
@require_POST
def session_keepalive(request: HttpRequest) -> JsonResponse:
    """The "Stay signed in" button: slide the idle timeout (CSRF-protected, as every POST)."""
    return JsonResponse({"seconds_left": session_keep_alive(request)})
