from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def figure(value, decimals=1):
    """A number as French readers write it (1 234,5); a blank stays a dash, never a zero."""
    if value is None or value == "":
        return "—"
    return number_format(round(float(value), int(decimals)), int(decimals), use_l10n=True, force_grouping=True)


@register.filter
def percent(share):
    """A share from 0 to 1 as a percentage without decimals."""
    if share is None:
        return "—"
    return f"{round(100 * float(share))} %"
