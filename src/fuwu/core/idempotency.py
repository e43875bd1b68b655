"""`Idempotency-Key` on API POSTs: the effect and the stored answer commit in one transaction.

A retry with the same key from the same principal gets the stored answer and changes nothing; a
concurrent duplicate waits on the unique key and then gets the stored answer too.

HTML forms that render `{% once_token %}` get the same guarantee (#18): the hidden field is the key,
a successful post's redirect is the stored answer, so a double-clicked "Register" or a browser
retry creates one complaint and lands on it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext, gettext_noop

from fuwu.core import clock, pii, sql
from fuwu.core.models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
FORM_FIELD = "once_token"
KEEP_FOR = timedelta(days=2)
SEALED = "sealed"
KEY_REUSED = gettext_noop("The Idempotency-Key %(key)s was used for a different request; send a new key.")


class _Rollback(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _principal(request: HttpRequest, *, form: bool = False) -> str | None:
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth.lower().startswith("bearer "):
        return "bearer:" + hashlib.sha256(auth[7:].strip().encode()).hexdigest()[:40]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    # The public feedback box: the random token itself is the only identity a visitor has.
    return "form:anonymous" if form else None


def _fingerprint(request: HttpRequest) -> str:
    """sha256 of the request body; of its fields and file names when the body was streamed (multipart)."""
    try:
        return hashlib.sha256(request.body).hexdigest()
    except RawPostDataException:
        fields = sorted((k, v) for k, values in request.POST.lists() for v in values)
        files = sorted((k, f.name, f.size) for k, values in request.FILES.lists() for f in values)
        return hashlib.sha256(repr((fields, files)).encode()).hexdigest()


def _replay(record: IdempotencyRecord, request: HttpRequest, fingerprint: str) -> HttpResponse:
    same_body = not record.request_hash or record.request_hash == fingerprint
    if record.path != request.path or record.method != request.method or not same_body:
        key = request.META.get(HEADER, "")
        return JsonResponse(
            {
                "error": {
                    "code": "idempotency_key_reused",
                    "message": gettext(KEY_REUSED) % {"key": key[:128]},
                    "details": [{"field": "Idempotency-Key", "reason": "reused"}],
                }
            },
            status=422,
        )
    if record.body is None:
        response = HttpResponse(status=record.status)
    elif isinstance(record.body, dict) and set(record.body) == {SEALED}:
        content = pii.decrypt(record.body[SEALED])
        response = HttpResponse(content, status=record.status, content_type="application/json")
    else:  # stored before answers were sealed
        response = JsonResponse(record.body, status=record.status, safe=False)
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return self.get_response(request)
        if not request.path.startswith("/api/"):
            return self._form(request)
        key = request.META.get(HEADER)
        if not key:
            return self.get_response(request)
        principal = _principal(request)
        if principal is None or len(key) > 128:
            return self.get_response(request)
        fingerprint = _fingerprint(request)
        # One round trip on the happy path: the effect runs first and its answer is inserted last, in the
        # same transaction. A retry (or a concurrent duplicate, which waits on the unique key) fails that
        # insert, its own effect rolls back with it, and it gets the stored answer instead.
        try:
            with transaction.atomic():
                response = self.get_response(request)
                if response.status_code >= 500:
                    raise _Rollback(response)
                body = None
                content = getattr(response, "content", b"")
                if content:
                    try:
                        json.loads(content)
                    except ValueError:
                        raise _Rollback(response) from None
                    # Answers can carry secrets (a new device token) or personal data: kept encrypted.
                    body = {SEALED: pii.encrypt(content.decode())}
                # Written out (fuwu.core.sql): one more row on every device POST.
                sql.insert(
                    IdempotencyRecord(
                        principal=principal,
                        key=key,
                        method=request.method,
                        path=request.path,
                        request_hash=fingerprint,
                        status=response.status_code,
                        body=body,
                        created_at=clock.now(),
                    )
                )
                return response
        except _Rollback as rollback:
            stored = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
            return rollback.response if stored is None else _replay(stored, request, fingerprint)
        except IntegrityError:
            stored = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
            if stored is None:
                raise
            return _replay(stored, request, fingerprint)

    def _form(self, request: HttpRequest) -> HttpResponse:
        key = request.POST.get(FORM_FIELD, "") if _is_form(request) else ""
        if not key or len(key) > 128:
            return self.get_response(request)
        principal = _principal(request, form=True)
        assert principal is not None
        fingerprint = _fingerprint(request)
        try:
            with transaction.atomic():
                response = self.get_response(request)
                # Only a success (the redirect after the post) is kept: a form re-rendered with its
                # errors rolls back, and the corrected form, re-rendered with a new token, goes through.
                if not 300 <= response.status_code < 400 or "Location" not in response:
                    raise _Rollback(response)
                sql.insert(
                    IdempotencyRecord(
                        principal=principal,
                        key=f"form:{key}",
                        method=request.method or "POST",
                        path=request.path,
                        request_hash=fingerprint,
                        status=response.status_code,
                        # The redirect can carry a secret (the feedback box's reply link): sealed.
                        body={"location": pii.encrypt(response["Location"])},
                        created_at=clock.now(),
                    )
                )
                return response
        except _Rollback as rollback:
            return rollback.response
        except IntegrityError:
            stored = IdempotencyRecord.objects.filter(principal=principal, key=f"form:{key}").first()
            if stored is None or not isinstance(stored.body, dict):
                raise
            # One token, one effect: whatever the second post says, it lands where the first did.
            replayed = HttpResponseRedirect(pii.decrypt(stored.body["location"]))
            replayed["Idempotent-Replayed"] = "true"
            return replayed


def _is_form(request: HttpRequest) -> bool:
    content_type = request.content_type or ""
    return content_type in ("application/x-www-form-urlencoded", "multipart/form-data")


def prune(older_than: timedelta = KEEP_FOR) -> int:
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=clock.now() - older_than).delete()
    return deleted
