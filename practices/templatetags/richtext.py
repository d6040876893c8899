from django import template

from practices.richtext import render

register = template.Library()


@register.filter(name="rich_text")
def rich_text(value):
    return render(value)
