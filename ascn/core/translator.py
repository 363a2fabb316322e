"""The one translator hook of the pure (Django-free) modules.

Pure modules write `from ascn.core.translator import gettext as _` and import no Django. Until the
Django layer installs its gettext (`CoreConfig.ready()`), messages stay in English, so the modules
can be tested and benchmarked alone; once installed, each message comes out in the request's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

_translate: Callable[[str], str] = str


def install(translate: Callable[[str], str]) -> None:
    """Route every pure module's messages through `translate` (Django's gettext)."""
    global _translate
    _translate = translate


def gettext(message: str) -> str:
    return _translate(message)


@contextmanager
def using(translate: Callable[[str], str]) -> Iterator[None]:
    """Translate with `translate` inside the block, then restore the translator that was installed."""
    previous = _translate
    install(translate)
    try:
        yield
    finally:
        install(previous)
