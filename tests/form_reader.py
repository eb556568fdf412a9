"""An HTML page read back as a browser sees it (the standard library's parser): its elements in
document order, the controls of its forms, and what submitting the first form would send."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    text: str = ""  # every text inside it, entities decoded
    children: list[Node] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.nodes: list[Node] = []  # every element, in document order
        self._open: list[Node] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs})
        if self._open:
            self._open[-1].children.append(node)
        self.nodes.append(node)
        if tag not in VOID:
            self._open.append(node)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for node in self._open:
            node.text += data

    # --- what a test asks ---------------------------------------------------------------------
    def tags(self, tag: str) -> list[Node]:
        return [n for n in self.nodes if n.tag == tag]

    def by_id(self, element_id: str) -> Node:
        [node] = [n for n in self.nodes if n.get("id") == element_id]
        return node

    def after(self, node: Node) -> Node:
        """The next element that is not inside `node`."""
        inside = {id(n) for n in _descendants(node)}
        later = self.nodes[self.nodes.index(node) + 1 :]
        return next(n for n in later if id(n) not in inside)

    def controls(self, name: str) -> list[Node]:
        return [n for n in self.nodes if n.tag in ("input", "select", "textarea") and n.get("name") == name]

    def value(self, name: str) -> str | list[str] | None:
        """What the person sees in field `name`: the text, the chosen option, or the ticked values."""
        controls = self.controls(name)
        if not controls:
            return None
        first = controls[0]
        if first.tag == "textarea":
            return _textarea(first)
        if first.tag == "select":
            return _chosen(first)
        if first.get("type") in ("checkbox", "radio"):
            return [c.get("value") or "on" for c in controls if "checked" in c.attrs]
        return first.get("value") or ""

    def texts(self, *tags: str, inside: Node | None = None) -> list[str]:
        """The text of each `tags` element (inside `inside`), spaces tidied, in document order."""
        nodes = _descendants(inside) if inside else self.nodes
        return [" ".join(n.text.split()) for n in nodes if n.tag in tags]

    def submitted(self) -> list[tuple[str, str]]:
        """What the first form sends when its button is pressed, as a browser builds it."""
        form = self.tags("form")[0]
        sent = []
        for node in _descendants(form):
            name = node.get("name")
            if not name:
                continue
            if node.tag == "textarea":
                sent.append((name, _textarea(node)))
            elif node.tag == "select":
                sent.append((name, _chosen(node)))
            elif node.tag == "input" and node.get("type") in ("checkbox", "radio"):
                if "checked" in node.attrs:
                    sent.append((name, node.get("value") or "on"))
            elif node.tag == "input":
                sent.append((name, node.get("value") or ""))
        return sent


def _descendants(node: Node) -> list[Node]:
    found = []
    for child in node.children:
        found += [child, *_descendants(child)]
    return found


def _textarea(node: Node) -> str:
    # As the HTML parser of a browser: one line break right after <textarea> is not content.
    return node.text[1:] if node.text.startswith("\n") else node.text


def _chosen(select: Node) -> str:
    options = [c for c in select.children if c.tag == "option"]
    chosen = [o for o in options if "selected" in o.attrs] or options[:1]
    return chosen[0].get("value") if chosen[0].get("value") is not None else chosen[0].text
