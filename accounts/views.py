from django.contrib.auth import views as auth_views

from accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    """Django's login (new session key at login) with the project's form and template."""

    form_class = LoginForm
    redirect_authenticated_user = True
