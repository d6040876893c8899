"""catalyseur.uploads: an image is judged by its content, re-encoded, and served inert."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalyseur.tests import images
from catalyseur.uploads import MAX_BYTES, SafeImageField, clean_image


def upload(data: bytes, name="logo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def refusal(data: bytes, name="logo.png", **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        clean_image(upload(data, name), **kwargs)
    return " ".join(caught.value.messages)


@pytest.mark.parametrize("make, fmt, extension, content_type", [
    (images.png, "png", "png", "image/png"),
    (images.jpeg, "jpeg", "jpg", "image/jpeg"),
    (images.webp, "webp", "webp", "image/webp"),
])
def test_png_jpeg_and_webp_are_accepted_and_re_encoded_in_their_own_format(make, fmt, extension, content_type):
    original = make()
    clean = clean_image(upload(original, name="nimporte-quoi.gif", content_type="text/html"))  # the name says nothing
    assert (clean.format, clean.extension, clean.content_type) == (fmt, extension, content_type)
    assert (clean.width, clean.height) == (40, 30)
    with Image.open(io.BytesIO(clean.data)) as again:
        assert again.format == {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}[fmt]
        assert again.size == (40, 30)
    name = clean.random_name()
    assert name.endswith("." + extension) and len(name) == 32 + 1 + len(extension)
    assert clean.random_name() != name


def test_re_encoding_drops_metadata_and_applies_the_orientation():
    clean = clean_image(upload(images.jpeg_with_gps(), "photo.jpg"))
    assert b"Appareil espion" not in clean.data and b"secret" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as again:
        assert not again.getexif()
        assert again.size == (30, 40)  # turned as the orientation tag said
    clean = clean_image(upload(images.png_with_text(b"Author", b"Camille Martin")))
    assert b"Camille Martin" not in clean.data and b"tEXt" not in clean.data


def test_an_image_with_transparency_keeps_it():
    clean = clean_image(upload(images.png(mode="RGBA", color=(0, 0, 0, 0))))
    with Image.open(io.BytesIO(clean.data)) as again:
        assert again.mode == "RGBA" and again.getpixel((0, 0))[3] == 0


def test_a_cmyk_jpeg_becomes_rgb():
    clean = clean_image(upload(images.jpeg(mode="CMYK", color=(0, 100, 100, 0))))
    with Image.open(io.BytesIO(clean.data)) as again:
        assert again.mode == "RGB"


@pytest.mark.parametrize("data, name, expected", [
    (images.HTML, "logo.png", "n'est pas une image PNG, JPEG ou WebP"),
    (images.SCRIPT, "logo.jpg", "n'est pas une image PNG, JPEG ou WebP"),
    (images.SVG, "logo.svg", "n'est pas une image PNG, JPEG ou WebP"),
    (images.gif(), "logo.gif", "n'est pas une image PNG, JPEG ou WebP"),
    (b"%PDF-1.7\n" + images.SCRIPT, "logo.png", "n'est pas une image PNG, JPEG ou WebP"),
    (images.png() + images.SCRIPT, "logo.png", "contient du code"),
    (images.png() + b"PK\x03\x04 une archive", "logo.png", "des données après la fin de l'image"),
    (images.jpeg() + b"PK\x03\x04 une archive", "logo.jpg", "des données après la fin de l'image"),
    (images.webp() + b"\0" * 10, "logo.webp", "des données après la fin de l'image"),
    (images.png_with_text(b"Comment", b"<html><body onload=alert(1)>"), "logo.png", "contient du code"),
    (images.png()[:-20], "logo.png", "abîmée ou incomplète"),
    (images.png()[:40], "logo.png", "abîmée ou incomplète"),
    (images.jpeg()[:-30], "logo.jpg", "abîmée ou incomplète"),
    (images.webp()[:-10], "logo.webp", "abîmée ou incomplète"),
    (images.png()[:30] + b"\x00" + images.png()[31:], "logo.png", "abîmée ou incomplète"),  # bad checksum
    (images.png_claiming_size(5000, 20), "logo.png", "trop grande (5000 × 20 pixels)"),
    (images.png_claiming_size(100_000, 100_000), "logo.png", "trop grande"),
    (images.animated("PNG"), "logo.png", "animées"),
    (images.animated("WEBP"), "logo.webp", "animées"),
    (b"", "logo.png", "vide"),
])
def test_anything_else_is_refused_with_a_french_reason(data, name, expected):
    assert expected in refusal(data, name)


def test_a_file_over_the_limit_is_refused_before_being_read():
    big = images.png() + b"\0" * MAX_BYTES
    assert "trop lourd : 2 Mo au plus" in refusal(big)
    assert "trop lourd" in refusal(images.png(), max_bytes=50)


def test_the_real_decoder_runs_on_a_png_with_right_checksums_but_broken_pixels():
    import struct
    import zlib

    data = images.png()
    # Replace the IDAT chunk with one that has a right checksum but data zlib cannot inflate.
    start = data.index(b"IDAT") - 4
    length = struct.unpack(">I", data[start:start + 4])[0]
    broken = images.chunk(b"IDAT", b"\x78\x9c" + b"\xff" * 20)
    data = data[:start] + broken + data[start + 12 + length:]
    assert zlib.crc32(b"IDAT" + b"\x78\x9c" + b"\xff" * 20) == struct.unpack(">I", broken[-4:])[0]
    assert "abîmée ou incomplète" in refusal(data)


def test_the_form_field_gives_a_clean_image_or_nothing():
    field = SafeImageField(required=False)
    assert field.clean(None) is None
    assert field.clean(upload(images.png())).format == "png"
    with pytest.raises(ValidationError):
        field.clean(upload(images.HTML))
    assert field.widget.attrs["accept"] == "image/png,image/jpeg,image/webp"


def test_a_jpeg_followed_by_its_secondary_images_is_accepted_and_keeps_only_the_first():
    """Phones append secondary images (gain map, depth) after the first one's end."""
    clean = clean_image(upload(images.jpeg() + images.jpeg(size=(10, 10)), "photo.jpg"))
    assert (clean.width, clean.height) == (40, 30)
    assert clean.data.count(b"\xff\xd8\xff") == 1


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_header_between_pillows_warning_and_its_refusal_is_refused_before_decoding():
    assert "trop grande (10000 × 10000 pixels)" in refusal(images.png_claiming_size(10_000, 10_000))


def test_broken_images_stay_refused_after_a_pdf_was_made_in_the_same_process():
    """Found by the whole suite: importing WeasyPrint (portrait PDF) sets Pillow's global
    LOAD_TRUNCATED_IMAGES, after which a truncated PNG was accepted."""
    import weasyprint  # noqa: F401 — its import flips the flag
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True
    try:
        test_the_real_decoder_runs_on_a_png_with_right_checksums_but_broken_pixels()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False
