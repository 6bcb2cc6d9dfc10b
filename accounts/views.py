from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from accounts.forms import LoginForm
from accounts.signin import address_paused, client_address


class LoginView(auth_views.LoginView):
    """Django's login (new session key at login) with the project's form and template.

    An address with too many failures across user names is paused before any password is
    checked (accounts.signin); axes handles the per-user-name lock.
    """

    form_class = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if address_paused(client_address(request)):
            ctx = {
                "by_address": True,
                "failure_limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
                "cooloff_timedelta": settings.AXES_COOLOFF_TIME,
            }
            return render(request, "registration/locked_out.html", ctx, status=429)
        return super().post(request, *args, **kwargs)
