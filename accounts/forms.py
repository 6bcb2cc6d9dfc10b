from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    # One message for either half being wrong, so that user names cannot be probed.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The user name or password is not correct."),
    }
