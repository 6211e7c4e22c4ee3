"""Settings for the pytest suite: the app's own settings in test mode."""

import os

os.environ.setdefault("HARMONIA_MODE", "test")

from harmonia.settings import *  # noqa: E402,F403

# Argon2 is deliberately slow; the suite hashes hundreds of persona passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# SQLite: the test database is a file, not Django's shared in-memory database, so the
# live server used by the browser tests opens its own connections (one per request
# thread) and concurrent requests wait on SQLite's lock (busy_timeout, WAL) instead of
# failing with "database table is locked". The file is on tmpfs where there is one
# (as fast as memory), named by process so that parallel sessions never share one.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import tempfile

    _scratch = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()  # noqa: S108
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(_scratch, f"harmonia-test-{os.getpid()}.sqlite3")
    }
