"""Settings for the pytest suite: the app's own settings in test mode."""

import os

os.environ.setdefault("HARMONIA_MODE", "test")

from harmonia.settings import *  # noqa: E402,F403

# Argon2 is deliberately slow; the suite hashes hundreds of persona passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
