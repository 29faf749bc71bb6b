"""Nothing an editor types is lost: autosave, its restore, stale saves side by side.

``AutosaveAdmin`` is mixed into the article admin. It knows nothing of the form's fields
or inlines: it stores the form as the browser would post it (``articles/js/autosave.js``
sends it every few seconds while the editor types), and gives it back by rendering the
change form bound to it, as Django renders a form refused by validation, so that every
field and inline row, added ones included, comes back as it was typed.

What it stores (``Autosave``) is not content: never a revision, never the article's row,
never the site's version.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.utils import unquote
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    RequestDataTooBig,
    ValidationError,
)
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models.fields.files import FieldFile
from django.forms import Media
from django.http import Http404, HttpResponseNotAllowed, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_prose_editor.fields import ProseEditorField

from newsroom.security import csp_nonce

from . import richtext
from .models import Autosave

RESTORE_PARAM = "_autosave"
"""The query parameter of the change form that restores the editor's autosave (``=restore``)."""

IGNORED_FIELDS = frozenset({"csrfmiddlewaretoken"})


def hanoi_time(moment):
    """``moment`` as editors read it: dd/mm/yyyy HH:MM in Hanoi."""
    return timezone.localtime(moment, timezone.get_default_timezone()).strftime("%d/%m/%Y %H:%M")


def keep_days():
    return settings.AUTOSAVE_KEEP_DAYS


# What the browser sends --------------------------------------------------------------


class PayloadError(ValueError):
    """An autosave request that is not a form's state; its message says so to the editor."""


def _text(value):
    """``value`` as the database can store it: no NUL character, no lone surrogate."""
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def parse_payload(body):
    """The form's ``[name, value]`` pairs and the names of its chosen file inputs, from the
    JSON the script sends: ``{"data": [[name, value], ...], "files": [name, ...]}``."""
    bad = PayloadError(_("The autosave request is not a form's content."))
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise bad from None
    if not isinstance(payload, dict):
        raise bad
    data, files = payload.get("data"), payload.get("files", [])
    if not isinstance(data, list) or not isinstance(files, list):
        raise bad
    pairs = []
    for pair in data:
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
        ):
            raise bad
        if pair[0] not in IGNORED_FIELDS:
            pairs.append([_text(pair[0]), _text(pair[1])])
    if not all(isinstance(name, str) for name in files):
        raise bad
    return pairs, sorted({_text(name) for name in files})


def as_post(pairs):
    """The autosaved pairs as a ``QueryDict``, as the form would have posted them."""
    data = QueryDict(mutable=True)
    for name, value in pairs:
        data.appendlist(name, value)
    data._mutable = False
    return data


# Both versions of a stale save --------------------------------------------------------


@dataclass
class Difference:
    label: str
    theirs: str
    yours: str


def _comparable(value):
    if value is None or value == "":
        return ""
    if isinstance(value, models.QuerySet | list | tuple):  # a many-to-many field's choices
        return frozenset(str(_comparable(part)) for part in value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, UploadedFile):
        return id(value)  # a photo just chosen differs from any stored one
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return value


def _shown(value, model_field=None):
    if value is None or value == "" or value == []:
        return "—"
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return hanoi_time(value)
    if isinstance(value, UploadedFile):
        return _("New photo: %(name)s") % {"name": value.name}
    if isinstance(value, FieldFile):
        return value.name.rsplit("/", 1)[-1] if value.name else "—"
    if isinstance(value, models.QuerySet):
        return ", ".join(map(str, value)) or "—"
    if isinstance(value, list | tuple):
        return " ".join(str(part) for part in value)
    if isinstance(model_field, ProseEditorField):  # a block's rich text: its words, not tags
        return richtext.plain_text(value) or "—"
    return str(value)


def _typed(form, name):
    if name in getattr(form, "cleaned_data", {}):
        return form.cleaned_data[name]
    return form[name].value()


def _model_fields(form, model, skip=()):
    """The fields of ``form`` that are fields of ``model``, with their model field."""
    for name in form.fields:
        if name in skip:
            continue
        try:
            model_field = model._meta.get_field(name)
        except Exception:  # a form's own field (the version it was opened at, say)
            continue
        if not model_field.primary_key:
            yield name, model_field


def _differences(label, form, stored, model, skip=()):
    rows = []
    for name, model_field in _model_fields(form, model, skip):
        typed = _typed(form, name)
        theirs = getattr(stored, name) if stored is not None else None
        if model_field.many_to_many and theirs is not None:
            theirs = theirs.all()
        if _comparable(theirs) != _comparable(typed):
            field_label = capfirst(str(form.fields[name].label or model_field.verbose_name))
            rows.append(
                Difference(
                    f"{label}{field_label}", _shown(theirs, model_field), _shown(typed, model_field)
                )
            )
    return rows


def stale_differences(form, formsets, article):
    """What the stored article and this editor's refused form say differently, field by
    field, for the form and every inline; and who saved the stored one, and when."""
    model = type(article)
    stored = model._default_manager.select_related("updated_by").get(pk=article.pk)
    rows = _differences("", form, stored, model)
    for formset in formsets:
        fk = getattr(formset, "fk", None)
        if fk is None:
            continue
        inline_model = formset.model
        kind = capfirst(str(inline_model._meta.verbose_name))
        # A block's region is content-editor's own, always the body: not the editor's.
        skip = {fk.name, "DELETE", "ORDER", "region"}
        stored_rows = {
            row.pk: row for row in inline_model._default_manager.filter(**{fk.name: stored})
        }
        for number, inline_form in enumerate(formset.forms, start=1):
            label = f"{kind} {number} · "
            initial = number <= formset.initial_form_count()
            if not initial and not inline_form.has_changed():
                continue
            pk = inline_form.instance.pk if initial else None
            stored_row = stored_rows.pop(pk, None)
            if initial and formset._should_delete_form(inline_form):
                rows.append(Difference(f"{kind} {number}", _("present"), _("deleted by you")))
                continue
            if initial and stored_row is None:
                rows.append(
                    Difference(f"{kind} {number}", _("deleted meanwhile"), _("kept by you"))
                )
                continue
            rows += _differences(label, inline_form, stored_row, inline_model, skip)
        for row in stored_rows.values():
            label = f"{kind} · {_('added meanwhile')} · "
            for field in inline_model._meta.concrete_fields:
                if field.primary_key or field.name in skip or not field.editable:
                    continue
                value = getattr(row, field.name)
                if _comparable(value) != "":
                    rows.append(
                        Difference(
                            f"{label}{capfirst(str(field.verbose_name))}",
                            _shown(value, field),
                            "—",
                        )
                    )
    who = stored.updated_by.get_username() if stored.updated_by else _("Someone")
    return {"who": who, "when": hanoi_time(stored.updated_at), "rows": rows}


# The admin -----------------------------------------------------------------------------


def _article_pk(model, object_id):
    try:
        return model._meta.pk.to_python(unquote(object_id))
    except ValidationError:
        raise Http404 from None


class AutosaveAdmin:
    """Mixed into a ModelAdmin (before it): autosave endpoint, restore, discard, stale saves
    shown side by side."""

    @property
    def media(self):
        return super().media + Media(
            js=["articles/js/autosave.js"], css={"all": ["articles/css/autosave.css"]}
        )

    def get_urls(self):
        name = self._url_name
        wrap = self.admin_site.admin_view
        own = [
            path("autosave/", wrap(self.autosave_view), name=name("autosave_new")),
            path(
                "autosave/discard/",
                wrap(self.autosave_discard_view),
                name=name("autosave_discard_new"),
            ),
            path(
                "<path:object_id>/autosave/",
                wrap(self.autosave_view),
                name=name("autosave"),
            ),
            path(
                "<path:object_id>/autosave/discard/",
                wrap(self.autosave_discard_view),
                name=name("autosave_discard"),
            ),
        ]
        return own + super().get_urls()

    def _url_name(self, action):
        return f"{self.opts.app_label}_{self.opts.model_name}_{action}"

    # Whose autosave, and may they ----------------------------------------------------

    def _autosave_target(self, request, object_id):
        """The article (None for a new one) whose autosave this user may write, or a 403."""
        if object_id is None:
            if not self.has_add_permission(request):
                raise PermissionDenied
            return None
        articles = self.model._default_manager.defer("sapo", "search_text")
        article = get_object_or_404(articles, pk=_article_pk(self.model, object_id))
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        return article

    @staticmethod
    def autosave_of(user, article):
        return Autosave.objects.filter(user=user, article=article).first()

    # The endpoint --------------------------------------------------------------------

    def autosave_view(self, request, object_id=None):
        """Store the form as the browser has it now; changes nothing anyone else sees."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._autosave_target(request, object_id)
        limit = settings.AUTOSAVE_MAX_BYTES
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
            body = b"" if size > limit else request.body
        except (ValueError, RequestDataTooBig):
            size, body = limit + 1, b""
        if size > limit or len(body) > limit:
            message = _(
                "The form is too large to be saved automatically (%(size)s; at most "
                "%(limit)s). Press Save to keep your work."
            ) % {"size": filesizeformat(max(size, len(body))), "limit": filesizeformat(limit)}
            return JsonResponse({"error": message}, status=413)
        try:
            pairs, files = parse_payload(body)
        except PayloadError as error:
            return JsonResponse({"error": str(error)}, status=400)
        saved_at = timezone.now()
        fields = {"data": pairs, "files": files, "saved_at": saved_at}
        # One UPDATE in the usual case; the first autosave inserts, or loses a race to
        # another tab of the same editor and updates what that one inserted.
        mine = Autosave.objects.filter(user=request.user, article=article)
        if not mine.update(**fields):
            try:
                with transaction.atomic():
                    Autosave.objects.create(user=request.user, article=article, **fields)
            except IntegrityError:
                mine.update(**fields)
        return JsonResponse({"saved_at": saved_at.isoformat(), "shown": hanoi_time(saved_at)})

    def autosave_discard_view(self, request, object_id=None):
        """Forget this editor's autosave of the article ("Bỏ qua") and open it as stored."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._autosave_target(request, object_id)
        Autosave.objects.filter(user=request.user, article=article).delete()
        if article is None:
            return redirect(f"admin:{self._url_name('add')}")
        return redirect(f"admin:{self._url_name('change')}", article.pk)

    # The change form -----------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "GET" and request.GET.get(RESTORE_PARAM) == "restore":
            article = None if object_id is None else _article_pk(self.model, object_id)
            autosave = self.autosave_of(request.user, article)
            if autosave is not None:
                return super().changeform_view(
                    self._restoring(request, autosave), object_id, form_url, extra_context
                )
        return super().changeform_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _restoring(request, autosave):
        """A copy of this GET that posts the autosaved form, to be rendered, never saved."""
        # The response's CSP nonce is the request's: made now, so the copy that renders the
        # page (its import map) and the middleware that sends the policy share it.
        csp_nonce(request)
        restoring = request.__class__.__new__(request.__class__)
        restoring.__dict__.update(request.__dict__)
        restoring.method = "POST"
        restoring.POST = as_post(autosave.data)
        restoring._files = MultiValueDict()
        restoring.autosave_restoring = autosave
        return restoring

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if getattr(request, "autosave_restoring", None) is None:
            return form

        class Restored(form):
            """The autosaved form: checked, so its errors show, and never valid, so it is
            rendered again rather than saved."""

            def is_valid(self):
                super().is_valid()
                return False

        return Restored

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(self._autosave_context(request, context, obj))
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    def _autosave_context(self, request, context, obj):
        may_write = (
            self.has_change_permission(request, obj)
            if obj is not None
            else self.has_add_permission(request)
        )
        if not may_write or context.get("is_popup"):
            return {}
        args = [obj.pk] if obj is not None else []
        suffix = "" if obj is not None else "_new"
        form = context["adminform"].form
        restoring = getattr(request, "autosave_restoring", None)
        found = {
            "autosave_url": reverse(f"admin:{self._url_name('autosave')}{suffix}", args=args),
            "autosave_discard_url": reverse(
                f"admin:{self._url_name('autosave_discard')}{suffix}", args=args
            ),
            "autosave_unsaved": form.is_bound,
            "autosave_delay": settings.AUTOSAVE_DELAY_SECONDS,
            "autosave_form_id": f"{self.opts.model_name}_form",
        }
        if restoring is not None:
            found["autosave_restored"] = {
                "time": hanoi_time(restoring.saved_at),
                "files": self._file_labels(form, context, restoring.files),
            }
        elif request.method == "GET":
            autosave = self.autosave_of(request.user, obj)
            if autosave is not None:
                found["autosave_offer"] = offer = {
                    "time": hanoi_time(autosave.saved_at),
                    "restore_url": f"?{RESTORE_PARAM}=restore",
                }
                if obj is not None and autosave.saved_at <= obj.updated_at:
                    # Someone saved the article since: still offered, restoring shows both.
                    who = obj.updated_by.get_username() if obj.updated_by else _("Someone")
                    offer["older"] = {"who": who, "when": hanoi_time(obj.updated_at)}
        if obj is not None and form.is_bound and form.has_error(NON_FIELD_ERRORS, "stale"):
            formsets = [inline.formset for inline in context.get("inline_admin_formsets", [])]
            found["autosave_conflict"] = stale_differences(form, formsets, obj)
        return found

    @staticmethod
    def _file_labels(form, context, names):
        """The labels of the file inputs named ``names``, for "choose these again"."""
        labels = []
        forms = [form] + [
            inline_form
            for inline in context.get("inline_admin_formsets", [])
            for inline_form in inline.formset.forms
        ]
        for name in names:
            label = name
            for candidate in forms:
                prefix = f"{candidate.prefix}-" if candidate.prefix else ""
                if name.startswith(prefix) and name[len(prefix) :] in candidate.fields:
                    field = candidate.fields[name[len(prefix) :]]
                    label = f"{capfirst(str(field.label))} ({name})"
                    break
            labels.append(label)
        return labels

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Saved: what was autosaved for it is now the article itself.
        saved = Autosave.objects.filter(user=request.user, article=obj)
        if not change:
            saved = saved | Autosave.objects.filter(user=request.user, article__isnull=True)
        saved.delete()


# Pruning -------------------------------------------------------------------------------


def prune(days=None, now=None):
    """Delete autosaves older than ``days`` (AUTOSAVE_KEEP_DAYS); returns how many went."""
    days = keep_days() if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    rows, _by_kind = Autosave.objects.filter(saved_at__lt=cutoff).delete()
    return rows
