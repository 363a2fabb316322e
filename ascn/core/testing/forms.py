"""What a browser would send from a form of a page, for client tests that act as a person: read the form's
fields with their values as drawn, change a few, post them all.

    fields = form_fields(client.get(url).content.decode(), "report-form")
    fields["line-12-progress"] = "Opened in June."
    client.post(url + "save/", fields)
"""

from __future__ import annotations

from html.parser import HTMLParser

SKIPPED_INPUTS = {"submit", "button", "reset", "image", "file"}


class _FormReader(HTMLParser):
    """The successful controls of the form with the given id, in document order."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.found = False
        self.values: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: dict[str, str | None] | None = None
        self._option_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form" and found.get("id") == self.form_id:
            self.inside = self.found = True
            return
        if not self.inside or "disabled" in found:
            return
        name = found.get("name")
        if tag == "input" and name:
            kind = (found.get("type") or "text").lower()
            if kind in SKIPPED_INPUTS:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in found:
                    value = found.get("value")
                    self.values.append((name, "on" if value is None else value))
                return
            self.values.append((name, found.get("value") or ""))  # `value` without text is ""
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._option, self._option_text = found, []

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.values.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            self._close_option()
        elif tag == "select" and self._select is not None:
            if self._option is not None:
                self._close_option()
            chosen = [value for value, selected in self._options if selected] or \
                [value for value, _selected in self._options[:1]]
            self.values.extend((self._select, value) for value in chosen[:1])
            self._select = None

    def _close_option(self) -> None:
        assert self._option is not None
        value = self._option.get("value")
        self._options.append((value if value is not None else "".join(self._option_text).strip(),
                              "selected" in self._option))
        self._option = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)
        elif self._option is not None:
            self._option_text.append(data)


def form_fields(html: str, form_id: str) -> dict[str, str]:
    """The values the form `form_id` of the page would send, by field name (a name sent twice keeps its last
    value; buttons, files and disabled fields are left out). Raises AssertionError when the page has no such
    form."""
    reader = _FormReader(form_id)
    reader.feed(html)
    reader.close()
    assert reader.found, f"the page has no form with the id {form_id!r}"
    return dict(reader.values)
