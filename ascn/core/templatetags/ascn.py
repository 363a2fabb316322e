from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def language_url(context, lang_code: str) -> str:
    """The current page in another language (keeps the query string)."""
    request = context.get("request")
    return translate_url(request.get_full_path(), lang_code) if request else "/"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
