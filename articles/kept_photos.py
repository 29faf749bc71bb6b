"""A photo file chosen in the library's form is kept across a form error.

A browser never fills a file input again: a photo refused for want of its alt text (in
the library, or in the window the "+" of a story's photo block opens) would have to be
chosen again. Once it passes the upload checks it waits in ``PENDING_DIR``, and a signed
token, for its editor only, carries it to the next post of the form; a save takes it, and
``prune`` deletes the ones no save took.
"""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from . import uploads

FIELD = "_kept_photo"
"""The hidden field carrying, signed, the photo chosen before a form error."""

INPUT = "image"
"""The photo form's file input."""

PENDING_DIR = "pending-uploads"
"""Where kept photos wait in the media storage until a save takes them or they are pruned."""

_SALT = "articles.kept-photos"


@dataclass
class KeptPhoto:
    filename: str
    token: str
    path: str


def _max_age():
    return settings.AUTOSAVE_KEEP_DAYS * 86400


def _info(token, user):
    """What ``token`` says, if it is ours, this editor's and not too old."""
    try:
        info = signing.loads(token, salt=_SALT, max_age=_max_age())
    except signing.BadSignature:
        return None
    if info.get("user") != user.pk or not str(info.get("path", "")).startswith(f"{PENDING_DIR}/"):
        return None
    return info


def take(request):
    """Put back in ``request.FILES`` the photo the post carries by token, unless another
    was chosen; the ``KeptPhoto`` so carried, or None."""
    token = request.POST.get(FIELD)
    info = _info(token, request.user) if token else None
    if info is None or INPUT in request.FILES:
        return None
    try:
        with default_storage.open(info["path"]) as file:
            content = file.read()
    except OSError:
        return None  # pruned meanwhile
    files = MultiValueDict({name: request.FILES.getlist(name) for name in request.FILES})
    files[INPUT] = SimpleUploadedFile(info["name"], content, info["type"])
    request._files = files
    return KeptPhoto(info["name"], token, info["path"])


def keep(request):
    """The photo chosen in this refused post, stored once it passes the upload checks, with
    the token that carries it to the next post; None when there is nothing to keep."""
    upload = request.FILES.get(INPUT)
    if upload is None:
        return None
    try:
        upload.seek(0)
        checked = uploads.check_image(upload)
    except ValidationError:
        return None  # the form says what is wrong with it
    extension = checked.name.rsplit(".", 1)[-1]
    try:
        upload.seek(0)
        path = uploads.save_whole(
            default_storage, f"{PENDING_DIR}/{uuid.uuid4().hex}.{extension}", upload
        )
    except OSError:
        return None  # the form already says the photo could not be stored
    filename = (upload.name or checked.name)[-200:]
    info = {"user": request.user.pk, "path": path, "name": filename, "type": checked.content_type}
    return KeptPhoto(filename, signing.dumps(info, salt=_SALT), path)


def forget(kept):
    """Delete a kept photo a save has taken."""
    if kept is not None:
        default_storage.delete(kept.path)


def prune(cutoff):
    """Delete the kept photos stored before ``cutoff``; how many went."""
    try:
        _dirs, names = default_storage.listdir(PENDING_DIR)
    except (FileNotFoundError, NotImplementedError, OSError):
        return 0
    gone = 0
    for name in names:
        path = f"{PENDING_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                gone += 1
        except (OSError, NotImplementedError):
            continue
    return gone
