from django import template
from django.template.loader import render_to_string
from django.urls import translate_url
from django.utils.safestring import mark_safe

from ascn.core.panels import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def language_url(context, lang_code: str) -> str:
    """The current page in another language (keeps the query string)."""
    request = context.get("request")
    return translate_url(request.get_full_path(), lang_code) if request else "/"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def facet_query(filters, name: str, value: str) -> str:
    """The query string that toggles one facet value, keeping the other filters and the sort order."""
    from urllib.parse import urlencode

    params = dict(filters.active())
    if params.get(name) == value:
        params.pop(name)
    else:
        params[name] = value
    if getattr(filters, "sort", "") and filters.sort != type(filters).sort:
        params["sort"] = filters.sort
    return urlencode(params)


@register.filter
def translated(record, attr: str) -> str:
    """A Translatable record's text in the current language (English when not translated)."""
    return record.translated(attr)


@register.simple_tag(takes_context=True)
def panels(context, slot: str, obj=None) -> str:
    """Render the panels other apps registered for `slot` (see core.panels), in their order."""
    request = context.get("request")
    base = context.flatten()
    parts = [render_to_string(template, {**base, **extra}, request=None) for template, extra in
             panels_for(slot, request, obj)]
    return mark_safe("".join(parts))
