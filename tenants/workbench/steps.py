"""Running one form step: one-time token, the service call, errors onto fields."""
from __future__ import annotations

from typing import Callable

from django.contrib import messages
from django.utils.translation import gettext as _

from liaison.tenants.common.errors import ServiceError

from . import errors, tokens


def fresh(form_class, *args, **kwargs):
    """An unbound form with a new one-time token."""
    initial = dict(kwargs.pop("initial", None) or {})
    initial["form_token"] = tokens.new_token()
    return form_class(*args, initial=initial, **kwargs)


def submit(request, form, perform: Callable[[dict], str], *, aliases: dict[str, str] | None = None,
           success: str = "") -> str | None:
    """Validate `form` and perform the step once. Returns the URL to go to, or None when
    the form is to be shown again with its errors (nothing was written)."""
    token = (request.POST.get("form_token") or "").strip()
    if not tokens.valid(token):
        form.is_valid()
        form.add_error(None, _("表单已失效，请刷新页面后重新填写"))
        return None
    if not tokens.claim(request, token):
        messages.info(request, _("该表单已经提交过，没有重复办理"))
        return tokens.outcome(request, token) or request.path
    if not form.is_valid():
        tokens.release(request, token)
        return None
    try:
        url = perform(form.cleaned_data)
    except ServiceError as exc:
        tokens.release(request, token)
        errors.apply(form, exc, aliases)
        return None
    except BaseException:
        tokens.release(request, token)
        raise
    tokens.done(request, token, url)
    if success:
        messages.success(request, success)
    return url
