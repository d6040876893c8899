"""Image files for the upload tests, good and bad, made on the spot."""

import io
import struct
import zlib

from PIL import Image

SCRIPT = b"<script>alert(document.cookie)</script>"
HTML = b"<!DOCTYPE html><html><body><script>fetch('/compte/').then(r => r.text()).then(alert)</script></body></html>\n"
SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(1)</script><rect width="10" height="10"/></svg>')


def image_bytes(fmt="PNG", size=(40, 30), mode="RGB", color=(200, 30, 60), **options) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **options)
    return out.getvalue()


def png(**kwargs) -> bytes:
    return image_bytes("PNG", **kwargs)


def jpeg(**kwargs) -> bytes:
    return image_bytes("JPEG", **kwargs)


def webp(**kwargs) -> bytes:
    return image_bytes("WEBP", **kwargs)


def gif() -> bytes:
    return image_bytes("GIF", mode="P", color=1)


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_text(key: bytes, value: bytes) -> bytes:
    """A valid PNG carrying a tEXt chunk (metadata) right after its header."""
    data = png()
    header_end = 8 + 25  # signature + IHDR chunk
    return data[:header_end] + chunk(b"tEXt", key + b"\0" + value) + data[header_end:]


def png_claiming_size(width: int, height: int) -> bytes:
    """A small PNG whose header claims another size (a decompression bomb's header)."""
    data = png()
    ihdr = struct.pack(">II", width, height) + data[16 + 8:16 + 13]
    return data[:8] + chunk(b"IHDR", ihdr) + data[8 + 25:]


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Appareil espion"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° to display
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (48.0, 49.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"secret")
    return out.getvalue()


def animated(fmt="PNG") -> bytes:
    frames = [Image.new("RGB", (20, 20), c) for c in ((255, 0, 0), (0, 255, 0))]
    out = io.BytesIO()
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()
