#!/usr/bin/env python
"""Django's command-line utility. Outside `make`, load the local environment first:
`eval "$(.venv/bin/python -m crm.devenv env)"`."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
