"""Uploaded images, judged by what they contain, never by their name or declared type.

``clean_image(file)`` accepts a PNG, JPEG or WebP image and nothing else, and returns it
re-encoded; ``SafeImageField`` is the form field that calls it; ``serve_image`` sends a
stored image back with headers that stop a browser from ever reading it as something else.

What is refused, each with a French message for the form:

- a file over ``MAX_BYTES`` (read no further than that);
- anything whose first bytes are not a PNG, JPEG or WebP signature: HTML, scripts, SVG,
  GIF, PDF…, whatever the file is called;
- markup anywhere in the file (``<script``, ``<html``, ``<svg``, ``<?php``…): an image that
  is also a web page (a polyglot) is refused, not cleaned;
- bytes after the image's end (a payload appended to a valid image), a PNG chunk whose
  checksum is wrong, a file cut short;
- an image wider or taller than ``MAX_SIDE`` pixels, checked from the header before any
  pixel is decoded (Pillow's own decompression-bomb guard stays on behind it);
- an animated image, and anything Pillow cannot fully decode (``verify()``, then a full
  ``load()`` of a fresh copy).

The accepted image is decoded and saved again by Pillow, in the format that was detected:
metadata (EXIF with its GPS position, comments, text chunks, ICC profile) and anything
hidden around the pixels are left behind. Its orientation tag is applied first. It gets a
random file name with the extension of that format.
"""

from __future__ import annotations

import io
import re
import secrets
import struct
import zlib
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from PIL import Image, ImageFile, ImageOps

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000

# format code → (Pillow's name, file extension, Content-Type)
FORMATS = {
    "png": ("PNG", "png", "image/png"),
    "jpeg": ("JPEG", "jpg", "image/jpeg"),
    "webp": ("WEBP", "webp", "image/webp"),
}
FORMAT_CHOICES = [("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WebP")]
ACCEPT = "image/png,image/jpeg,image/webp"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Tags a browser would run or render, anywhere in the file (a tag name followed by what ends
# it, so that compressed pixels almost never match by chance: under one file in 10 000 at 2 Mo).
MARKUP = re.compile(rb"<(?:script|html|svg|iframe|object|embed|body|meta|link)[\s>/]|<!doctype\s+html|<\?php",
                    re.IGNORECASE)

NOT_AN_IMAGE = "Ce fichier n'est pas une image PNG, JPEG ou WebP (son contenu a été vérifié, pas seulement son nom)."
DAMAGED = "L'image est abîmée ou incomplète : enregistrez-la à nouveau depuis votre logiciel d'images, puis réessayez."
APPENDED = "Le fichier contient des données après la fin de l'image : il est refusé."
MARKUP_FOUND = "Le fichier contient du code (HTML ou script) : il est refusé."
ANIMATED = "Les images animées ne sont pas acceptées : choisissez une image fixe."


@dataclass(frozen=True)
class CleanImage:
    """An image that passed every check, re-encoded."""

    data: bytes
    format: str  # a key of FORMATS
    width: int
    height: int

    @property
    def extension(self) -> str:
        return FORMATS[self.format][1]

    @property
    def content_type(self) -> str:
        return FORMATS[self.format][2]

    def random_name(self) -> str:
        return f"{secrets.token_hex(16)}.{self.extension}"

    def as_file(self) -> ContentFile:
        return ContentFile(self.data, name=self.random_name())


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} Mo".replace(".", ",")


def clean_image(file, *, max_bytes: int = MAX_BYTES, max_side: int = MAX_SIDE) -> CleanImage:
    """Check an uploaded file and return the image re-encoded; ``ValidationError`` (in French) otherwise."""
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(f"Le fichier est trop lourd : {_megabytes(max_bytes)} au plus.", code="too_big")
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(f"Le fichier est trop lourd : {_megabytes(max_bytes)} au plus.", code="too_big")
    if not data:
        raise ValidationError("Le fichier est vide.", code="empty")
    kind = _signature(data)
    if kind is None:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image")
    if MARKUP.search(data):
        raise ValidationError(MARKUP_FOUND, code="markup")
    {"png": _check_png_structure, "jpeg": _check_jpeg_structure, "webp": _check_webp_structure}[kind](data)
    return _decode_and_reencode(data, kind, max_side)


def _signature(data: bytes) -> str | None:
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _check_png_structure(data: bytes) -> None:
    """Every chunk whole with a right checksum, and nothing after IEND."""
    position = len(PNG_SIGNATURE)
    while True:
        if position + 12 > len(data):
            raise ValidationError(DAMAGED, code="truncated")
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        end = position + 12 + length
        if end > len(data):
            raise ValidationError(DAMAGED, code="truncated")
        crc = struct.unpack(">I", data[end - 4:end])[0]
        if zlib.crc32(data[position + 4:end - 4]) != crc:
            raise ValidationError(DAMAGED, code="checksum")
        position = end
        if kind == b"IEND":
            break
    if position != len(data):
        raise ValidationError(APPENDED, code="appended")


def _jpeg_end(data: bytes, start: int) -> int:
    """Where the JPEG image starting at ``start`` ends (just after its EOI marker)."""
    position = start + 2  # after SOI
    size = len(data)
    while True:
        if position >= size or data[position] != 0xFF:
            raise ValidationError(DAMAGED, code="truncated")
        while position < size and data[position] == 0xFF:  # fill bytes
            position += 1
        if position >= size:
            raise ValidationError(DAMAGED, code="truncated")
        marker = data[position]
        position += 1
        if marker == 0xD9:  # EOI
            return position
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            continue
        if position + 2 > size:
            raise ValidationError(DAMAGED, code="truncated")
        length = struct.unpack(">H", data[position:position + 2])[0]
        if length < 2 or position + length > size:
            raise ValidationError(DAMAGED, code="truncated")
        position += length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            while True:
                found = data.find(b"\xff", position)
                if found < 0 or found + 1 >= size:
                    raise ValidationError(DAMAGED, code="truncated")
                following = data[found + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    position = found + 1 if following == 0xFF else found + 2
                    continue
                position = found
                break


def _check_jpeg_structure(data: bytes) -> None:
    """Segments whole up to the end marker. After it, only further JPEG images are allowed
    (the secondary images of a multi-picture file, such as a phone's gain map)."""
    position = _jpeg_end(data, 0)
    while position < len(data):
        if not data.startswith(b"\xff\xd8\xff", position):
            raise ValidationError(APPENDED, code="appended")
        position = _jpeg_end(data, position)


def _check_webp_structure(data: bytes) -> None:
    """The RIFF container's declared size is the file's size."""
    declared = struct.unpack("<I", data[4:8])[0] + 8
    if declared > len(data):
        raise ValidationError(DAMAGED, code="truncated")
    if declared != len(data):
        raise ValidationError(APPENDED, code="appended")


def _decode_and_reencode(data: bytes, kind: str, max_side: int) -> CleanImage:
    pillow_format = FORMATS[kind][0]
    too_large = f"L'image est trop grande : {max_side} × {max_side} pixels au plus."
    # The size is read from the header, before any pixel is decoded. Pillow refuses on its
    # own a header past twice its MAX_IMAGE_PIXELS (and only warns between once and twice,
    # where the check below refuses anyway: no process-wide warning filter is touched).
    try:
        with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
            width, height = image.size
            detected = image.format
    except Image.DecompressionBombError:
        raise ValidationError(too_large, code="too_large")
    except Exception:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image")
    # A JPEG with secondary images opens as MPO: its first image is the picture.
    if detected not in (pillow_format, "MPO" if kind == "jpeg" else None):
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image")
    if width > max_side or height > max_side or width < 1 or height < 1:
        raise ValidationError(
            f"L'image est trop grande ({width} × {height} pixels) : {max_side} × {max_side} pixels au plus.",
            code="too_large")
    # WeasyPrint (the portrait PDF) turns Pillow's process-wide LOAD_TRUNCATED_IMAGES on
    # when it is imported; with it on, a truncated or broken image would decode "fine".
    # Our PDFs hold no raster image, so the strict setting is put back before every check.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
            image.verify()
        with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
            if getattr(image, "n_frames", 1) > 1 and image.format != "MPO":
                raise ValidationError(ANIMATED, code="animated")
            image.load()
            pixels = _for_format(ImageOps.exif_transpose(image), kind)
            output = io.BytesIO()
            pixels.save(output, pillow_format, **_SAVE_OPTIONS[kind])
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError(too_large, code="too_large")
    except Exception:
        raise ValidationError(DAMAGED, code="damaged")
    return CleanImage(data=output.getvalue(), format=kind, width=pixels.width, height=pixels.height)


_SAVE_OPTIONS = {
    "png": {"optimize": False},
    "jpeg": {"quality": 90},
    "webp": {"quality": 90, "method": 4},
}


def _for_format(image: Image.Image, kind: str) -> Image.Image:
    """The pixels in a mode the format stores: alpha kept where it can be, nothing else carried over."""
    alpha = image.has_transparency_data
    if kind == "jpeg":
        wanted = "L" if image.mode in ("1", "L") else "RGB"
    elif image.mode in ("1", "L", "RGB", "RGBA", "LA") and (kind == "png" or image.mode in ("RGB", "RGBA")):
        wanted = image.mode
    else:
        wanted = "RGBA" if alpha else "RGB"
    clean = image.convert(wanted) if image.mode != wanted else image.copy()
    clean.info = {}
    return clean


class SafeImageField(forms.FileField):
    """A form field for an image upload: its cleaned value is a ``CleanImage`` (or None)."""

    def __init__(self, *, max_bytes: int = MAX_BYTES, max_side: int = MAX_SIDE, **kwargs):
        self.max_bytes, self.max_side = max_bytes, max_side
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if not isinstance(value, UploadedFile):
            return None
        return clean_image(value, max_bytes=self.max_bytes, max_side=self.max_side)


def serve_image(field_file, image_format: str, *, filename: str = "image") -> FileResponse:
    """Send a stored upload: an image type shown inline with its exact Content-Type, anything
    else only as a download. Never sniffed, never run: no script, style or frame may load
    from it (``Content-Security-Policy: default-src 'none'``)."""
    if not field_file:
        raise Http404("Pas de fichier")
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404("Fichier introuvable")
    if image_format in FORMATS:
        _, extension, content_type = FORMATS[image_format]
        disposition = f'inline; filename="{filename}.{extension}"'
    else:
        content_type, disposition = "application/octet-stream", f'attachment; filename="{filename}"'
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "public, max-age=86400"
    return response
