"""Read a rendered page with the standard library's HTML parser: its elements and text."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in {"meta", "input", "br", "rect", "line", "polyline", "circle"}:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1].text.append(data)


def elements(page: str) -> list[Element]:
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return collector.elements


def tags(page: str) -> list[str]:
    return [e.tag for e in elements(page)]


def by_class(page: str, css_class: str) -> list[Element]:
    return [e for e in elements(page) if css_class in e.attrs.get("class", "").split()]
