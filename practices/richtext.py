"""Rich text of the fiches: a small safe subset of HTML, sanitised with nh3 (ammonia).

Contributors may use paragraphs, line breaks, bold, italics, lists and links; everything
else (scripts, styles, event handlers, iframes, images, unknown tags) is removed, both when
the text is saved and again when it is shown.
"""

import re

import nh3
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
_TAG = re.compile(r"<[a-zA-Z/][^>]*>")


def sanitize(text: str) -> str:
    return nh3.clean(text or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel="noopener nofollow ugc",
                     url_schemes={"http", "https", "mailto"}).strip()


def plain(text: str) -> str:
    """The words only, for the full-text index and the snippets."""
    return nh3.clean(text or "", tags=set()).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def render(text: str) -> str:
    """Safe HTML for a page: sanitised markup as is, plain text as paragraphs."""
    if not text:
        return ""
    if _TAG.search(text):
        return mark_safe(sanitize(text))
    return linebreaks(text, autoescape=True)
