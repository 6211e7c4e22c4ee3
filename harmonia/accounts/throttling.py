"""Sign-in throttling: per account and per address, with a delay that grows.

django-axes records failed sign-ins; this module decides what they mean.

* **Per account.** ``HARMONIA_LOGIN_FAILURE_LIMIT`` (5) failures for one email,
  from any mix of addresses, lock that account. Guessing a tutor's password from
  a botnet does not get more tries than guessing it from one laptop.
* **Per address.** ``HARMONIA_LOGIN_ADDRESS_FAILURE_LIMIT`` (30) failures from
  one address, against any accounts, lock that address: spraying one password
  over every account is throttled too. The limit is higher than the account's,
  because a school's or a centre's network puts many honest people behind one
  address.
* **A growing delay.** The first lock lasts ``HARMONIA_LOGIN_COOLOFF_MINUTES``
  (15); each further lock of the same account within a day doubles it, up to a
  day. Attempts made while locked do not extend the lock (so nobody can keep a
  colleague locked out for ever by trying every few minutes).
* **Behind a proxy** every request arrives from the proxy's address, so a
  per-address lock would lock everyone. ``HARMONIA_TRUSTED_PROXY_COUNT`` says
  how many proxies (load balancer, nginx…) sit in front of Harmonia; the
  client's address is then read from ``X-Forwarded-For``, counting that many
  entries from the right (entries further left are written by the client and
  could be forged). With 0 (the default) the connection's own address is used.
* Emails are compared case-insensitively, so ``Tutor.A@…`` and ``tutor.a@…``
  share one count.
"""

from __future__ import annotations

import datetime as dt

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessFailureLog
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

MAX_COOL_OFF = dt.timedelta(days=1)
HISTORY = dt.timedelta(days=1)  # lockouts older than this no longer lengthen the next one


def account_limit() -> int:
    return settings.HARMONIA_LOGIN_FAILURE_LIMIT


def address_limit() -> int:
    return settings.HARMONIA_LOGIN_ADDRESS_FAILURE_LIMIT


def normalised_username(request, credentials=None) -> str | None:
    """The email typed at sign-in, trimmed and lower-cased (axes' USERNAME_CALLABLE)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = None
    if credentials:
        raw = credentials.get(field)
    if raw is None and request is not None and hasattr(request, "POST"):
        raw = request.POST.get(field)
    return raw.strip().lower() if isinstance(raw, str) else raw


def client_address(request) -> str | None:
    """The client's address, trusting exactly HARMONIA_TRUSTED_PROXY_COUNT proxies."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.HARMONIA_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in forwarded if part] + ([remote] if remote else [])
    # chain = [client, proxy 1, …, proxy n]: the last n entries are our proxies.
    if len(chain) <= proxies:
        return chain[0] if chain else remote
    return chain[-(proxies + 1)]


def cool_off(request=None) -> dt.timedelta:
    """How long a lock lasts for the account this request names: the base time,
    doubled for each earlier lock of the account in the last day, at most a day."""
    base = dt.timedelta(minutes=settings.HARMONIA_LOGIN_COOLOFF_MINUTES)
    username = get_client_username(request) if request is not None else None
    if not username:
        return base
    now = getattr(request, "axes_attempt_time", None) or timezone.now()
    failures = AccessFailureLog.objects.filter(
        username=username, attempt_time__gte=now - HISTORY
    ).count()
    earlier_locks = max(0, (failures - 1) // account_limit())
    return min(base * 2**earlier_locks, MAX_COOL_OFF)


class LoginThrottle(AxesDatabaseHandler):
    """axes' database handler with separate account and address limits.

    ``AXES_LOCKOUT_PARAMETERS`` is ``["username", "ip_address"]``, so axes hands
    us the account's attempts and the address's attempts; each is held to its own
    limit. The count reported to axes is the account limit when either is reached.
    """

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if by_account >= account_limit() or by_address >= address_limit():
            return max(by_account, account_limit())
        return by_account


def lift_account_lock(username: str) -> None:
    """Forget an account's failed attempts (after its owner reset the password)."""
    from axes.utils import reset

    reset(username=normalised_username(None, {settings.AXES_USERNAME_FORM_FIELD: username}))
