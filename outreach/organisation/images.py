"""Uploaded pictures (the logo, a campaign's image): only PNG, JPEG and WebP that really decode as such, within a
size limit. SVG is refused: it can carry script, and a picture needs none."""

import io
import warnings
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext
from PIL import Image, UnidentifiedImageError

TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
MAX_PIXELS = 40_000_000  # far beyond any logo or share image, far below a decompression bomb


class NotAnImage(ValueError):
    """The upload is not a picture we take; the message says why, in the organiser's language."""


@dataclass(frozen=True)
class Picture:
    data: bytes
    content_type: str
    width: int
    height: int


def check(data: bytes) -> Picture:
    """The upload as a picture, or NotAnImage saying what is wrong with it."""
    limit = current_app.config["IMAGE_MAX_BYTES"]
    if not data:
        raise NotAnImage(lazy_gettext("Choose a file to upload."))
    if len(data) > limit:
        raise NotAnImage(lazy_gettext("The picture is larger than %(size)d KB.", size=limit // 1024))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
                if width * height > MAX_PIXELS:
                    raise NotAnImage(lazy_gettext("The picture has too many pixels."))
                image.verify()
    except NotAnImage:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise NotAnImage(lazy_gettext("This file is not a PNG, JPEG or WebP picture.")) from error
    if kind not in TYPES:
        raise NotAnImage(lazy_gettext("This file is not a PNG, JPEG or WebP picture."))
    return Picture(data, TYPES[kind], width, height)
