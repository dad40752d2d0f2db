"""The ontology reference: one HTML page and a diagram of the main classes, generated from the
ontology files themselves (``ontology/*.ttl`` except the SHACL shapes)::

    python -m kg.ontodoc [FOLDER]      # default docs/ontology: index.html and classes.png

The page lists every class (label, definition, superclasses, subclasses, alignments to other
vocabularies, the properties it is the domain or range of, its named values), every property
(kind, characteristics, domain, range, super- and sub-properties, alignments) and the operation
types with their ACLED and CAMEO mappings. Terms come in the order the ontology files give them.

The diagram shows the top-level classes (no superclass in the ontology) and every class that an
object property has as its domain or range, linked by subclass arrows and by the object properties
whose domain and range are both shown; classes of values (skos:Concept subclasses, such as the
statuses) and of properties list their members. Graphviz ``dot`` lays it out when it is
installed, networkx otherwise. Same ontology, same page: nothing depends on the clock.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, URIRef
from rdflib.term import Node

from kg.namespaces import ACLED, CAMEO, CKG

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
OUT = ROOT / "docs" / "ontology"
SKIPPED = ("shapes.ttl",)
FIRST = "ckg.ttl"  # the core ontology leads; the other files follow in name order

MATCHES = {SKOS.exactMatch: "exact", SKOS.closeMatch: "close", SKOS.broadMatch: "broader",
           SKOS.narrowMatch: "narrower", SKOS.relatedMatch: "related"}
CHARACTERISTICS = {OWL.FunctionalProperty: "functional", OWL.TransitiveProperty: "transitive",
                   OWL.SymmetricProperty: "symmetric", CKG.QuantityProperty: "quantity"}
PROPERTY_KINDS = {OWL.ObjectProperty: "Object properties",
                  OWL.DatatypeProperty: "Datatype properties",
                  OWL.AnnotationProperty: "Annotation properties"}


@dataclass
class Ontology:
    """The ontology files as one rdflib graph, and where each term is first written."""

    graph: rdflib.Graph
    order: dict[Node, tuple[int, int]]
    files: list[Path]

    def position(self, term: Node) -> tuple[int, int, str, str]:
        """Sort key: file, line, then label (and IRI, to break ties)."""
        return (*self.order.get(term, (999, 0)), self.label(term).lower(), str(term))

    def sort(self, terms: Iterable[Node]) -> list[Node]:
        """Terms in the order the ontology files give them."""
        return sorted(set(terms), key=self.position)

    def label(self, term: Node) -> str:
        """rdfs:label or skos:prefLabel (English first), else the prefixed name."""
        for predicate in (RDFS.label, SKOS.prefLabel):
            values = sorted(self.graph.objects(term, predicate),
                            key=lambda v: (getattr(v, "language", None) not in (None, "en"), v))
            if values:
                return str(values[0])
        return self.curie(term)

    def text(self, term: Node, predicate: URIRef) -> str | None:
        """One literal value of ``predicate`` (skos:definition, skos:scopeNote …), if any."""
        value = next(iter(sorted(self.graph.objects(term, predicate))), None)
        return str(value) if value is not None else None

    def curie(self, term: Node) -> str:
        """``ckg:Actor`` for an IRI in a known namespace, else the IRI."""
        try:
            return self.graph.namespace_manager.curie(str(term), generate=False)
        except (KeyError, ValueError):
            return str(term)

    def own(self, kind: URIRef) -> list[URIRef]:
        """The ontology's own terms (in ``ckg:``) typed ``kind``."""
        return self.sort(t for t in self.graph.subjects(RDF.type, kind)
                         if isinstance(t, URIRef) and str(t).startswith(str(CKG)))

    def classes(self) -> list[URIRef]:
        """Every owl:Class of the ontology."""
        return self.own(OWL.Class)

    def properties(self) -> dict[str, list[URIRef]]:
        """Object, datatype and annotation properties, by kind."""
        return {title: self.own(kind) for kind, title in PROPERTY_KINDS.items()}

    def parents(self, term: URIRef, via: URIRef = RDFS.subClassOf) -> list[Node]:
        """Direct superclasses (or super-properties, or broader concepts)."""
        return self.sort(self.graph.objects(term, via))

    def children(self, term: URIRef, via: URIRef = RDFS.subClassOf) -> list[Node]:
        """Direct subclasses (or sub-properties, or narrower concepts) of the ontology's own."""
        return self.sort(t for t in self.graph.subjects(via, term) if _is_own(t))

    def members(self, cls: URIRef) -> list[Node]:
        """Named things typed ``cls`` (a status, a stance, a quantity property)."""
        return self.sort(t for t in self.graph.subjects(RDF.type, cls) if _is_own(t))

    def is_value_class(self, cls: URIRef) -> bool:
        """Whether ``cls`` is a list of values (a skos:Concept subclass) or of properties."""
        return SKOS.Concept in self.graph.objects(cls, RDFS.subClassOf) or any(
            (m, RDF.type, OWL.DatatypeProperty) in self.graph for m in self.members(cls))

    def roots(self) -> list[URIRef]:
        """Classes with no superclass in the ontology."""
        return [c for c in self.classes() if not any(map(_is_own, self.parents(c)))]


def _is_own(term: Node) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(str(CKG))


def ontology_files(folder: Path = ONTOLOGY) -> list[Path]:
    """The ontology's Turtle files, the core first, the SHACL shapes left out."""
    files = [p for p in sorted(folder.glob("*.ttl")) if p.name not in SKIPPED]
    return sorted(files, key=lambda p: p.name != FIRST)


def load(folder: Path = ONTOLOGY) -> Ontology:
    """Parse the ontology files and note where each subject is first written."""
    graph = rdflib.Graph()
    order: dict[Node, tuple[int, int]] = {}
    files = ontology_files(folder)
    for number, path in enumerate(files):
        part = rdflib.Graph().parse(path, format="turtle")
        graph += part
        for prefix, namespace in part.namespaces():
            graph.bind(prefix, namespace, replace=True)
        lines = path.read_text(encoding="utf-8").splitlines()
        names = {part.namespace_manager.curie(str(s), generate=False): s
                 for s in set(part.subjects()) if _is_own(s)}
        for line_number, line in enumerate(lines, start=1):
            first = line.split(" ", 1)[0]
            if first in names:
                order.setdefault(names[first], (number, line_number))
    return Ontology(graph, order, files)


# -- the page ------------------------------------------------------------------------------------

CSS = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a1a1a;
       margin: 0; display: flex; }
nav { position: sticky; top: 0; height: 100vh; overflow-y: auto; width: 15rem; flex: none;
      padding: 1rem; background: #f6f7f9; border-right: 1px solid #ddd; font-size: 13px; }
nav ul { list-style: none; padding-left: .8rem; margin: .2rem 0; }
nav > ul { padding-left: 0; }
main { padding: 1.5rem 2.5rem; max-width: 72rem; min-width: 0; }
h1 { margin-top: 0; } h2 { border-bottom: 2px solid #333; margin-top: 2.5rem; }
section.term { border: 1px solid #d8dbe0; border-radius: 6px; padding: .2rem 1rem .6rem;
               margin: 1rem 0; }
section.term h3 { margin: .6rem 0 .2rem; } section.term h3 code { font-weight: normal;
               font-size: 13px; color: #666; margin-left: .6rem; }
dl { display: grid; grid-template-columns: 11rem 1fr; gap: .25rem .8rem; margin: .5rem 0; }
dt { font-weight: 600; color: #444; } dd { margin: 0; }
code { font-size: 13px; } a { color: #0b5cad; text-decoration: none; }
a:hover { text-decoration: underline; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { border: 1px solid #d8dbe0; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f2f5; }
.tree ul { list-style: none; padding-left: 1.3rem; border-left: 1px dotted #bbb; }
.tree > ul { padding-left: 0; border: 0; }
.note { color: #555; font-size: 14px; }
figure { margin: 1rem 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _anchor(term: Node) -> str:
    return str(term).removeprefix(str(CKG))


def link(onto: Ontology, term: Node) -> str:
    """An own term as a link to its entry; another as its prefixed name (and label, if the
    ontology files give one, as for ACLED and CAMEO concepts)."""
    if _is_own(term):
        return (f'<a href="#{_e(_anchor(term))}" title="{_e(onto.curie(term))}">'
                f"{_e(onto.label(term))}</a>")
    if isinstance(term, rdflib.Literal):
        return f"<code>{_e(term)}</code>"
    name = onto.curie(term)
    known = onto.label(term)
    if known == name:
        return f"<code>{_e(name)}</code>"
    if _squash(name.rpartition(":")[2]) == _squash(known):  # acled:ArmedClash "Armed clash"
        return f'<span title="{_e(name)}">{_e(known)}</span>'
    return f"<code>{_e(name)}</code> {_e(known)}"


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _links(onto: Ontology, terms: Iterable[Node]) -> str:
    return ", ".join(link(onto, t) for t in terms)


def _rows(rows: list[tuple[str, str]]) -> str:
    shown = [f"<dt>{_e(name)}</dt><dd>{value}</dd>" for name, value in rows if value]
    return f"<dl>{''.join(shown)}</dl>" if shown else ""


def alignments(onto: Ontology, term: Node, within: str = "") -> str:
    """skos mappings of a term, one a line ('close: cameo:062 Provide military protection …'),
    only those to concepts in the namespace ``within`` if given."""
    return "<br>".join(f"{kind}: {link(onto, target)}" for predicate, kind in MATCHES.items()
                       for target in onto.sort(onto.graph.objects(term, predicate))
                       if str(target).startswith(within))


def _extra(onto: Ontology, term: URIRef) -> list[tuple[str, str]]:
    """Statements about a term by the ontology's own annotation properties."""
    return [(onto.label(p), _links(onto, onto.sort(onto.graph.objects(term, p))))
            for p in onto.own(OWL.AnnotationProperty) if (term, p, None) in onto.graph]


def _entry(onto: Ontology, term: URIRef, rows: list[tuple[str, str]]) -> str:
    definition = onto.text(term, SKOS.definition) or ""
    return (f'<section class="term" id="{_e(_anchor(term))}"><h3>{_e(onto.label(term))}'
            f"<code>{_e(onto.curie(term))}</code></h3><p>{_e(definition)}</p>"
            f"{_rows(rows)}</section>")


def _member(onto: Ontology, member: Node, anchored: bool) -> str:
    """A named value of a class: 'disputed — Asserted by some and denied by others …'."""
    anchor = f' id="{_e(_anchor(member))}"' if anchored else ""
    notation = onto.text(member, SKOS.notation)
    definition = onto.text(member, SKOS.definition)
    return (f"<span{anchor}>{link(onto, member)}{f' ({_e(notation)})' if notation else ''}"
            f"{f' — {_e(definition)}' if definition else ''}</span>")


def class_entry(onto: Ontology, cls: URIRef) -> str:
    """A class: its place in the hierarchy, alignments, properties and values."""
    g = onto.graph
    supers = onto.parents(cls)
    entries = {*onto.classes(), *(p for group in onto.properties().values() for p in group)}
    values = "<br>".join(_member(onto, m, anchored=m not in entries) for m in onto.members(cls))
    rows = [
        ("Subclass of", _links(onto, [s for s in supers if _is_own(s)])),
        ("Also subclass of", _links(onto, [s for s in supers if not _is_own(s)])),
        ("Subclasses", _links(onto, onto.children(cls))),
        ("Mappings", alignments(onto, cls)),
        ("Domain of", _links(onto, onto.sort(g.subjects(RDFS.domain, cls)))),
        ("Range of", _links(onto, onto.sort(g.subjects(RDFS.range, cls)))),
        ("Members" if onto.is_value_class(cls) else "Named instances", values),
        *_extra(onto, cls),
    ]
    return _entry(onto, cls, rows)


def property_entry(onto: Ontology, prop: URIRef) -> str:
    """A property: characteristics, domain, range, hierarchy, alignments."""
    g = onto.graph
    traits = [name for kind, name in CHARACTERISTICS.items() if (prop, RDF.type, kind) in g]
    supers = onto.parents(prop, RDFS.subPropertyOf)
    rows = [
        ("Characteristics", _e(", ".join(traits))),
        ("Domain", _links(onto, onto.sort(g.objects(prop, RDFS.domain)))),
        ("Range", _links(onto, onto.sort(g.objects(prop, RDFS.range)))),
        ("Sub-property of", _links(onto, [s for s in supers if _is_own(s)])),
        ("Also sub-property of", _links(onto, [s for s in supers if not _is_own(s)])),
        ("Sub-properties", _links(onto, onto.children(prop, RDFS.subPropertyOf))),
        ("Inverse of", _links(onto, onto.sort(g.objects(prop, OWL.inverseOf)))),
        ("Mappings", alignments(onto, prop)),
        *_extra(onto, prop),
    ]
    return _entry(onto, prop, rows)


def _tree(onto: Ontology, terms: list[Node], via: URIRef, seen: frozenset = frozenset()
          ) -> str:
    items = []
    for term in terms:
        below = [c for c in onto.children(term, via) if c not in seen]
        inner = _tree(onto, below, via, seen | {term}) if below else ""
        items.append(f"<li>{link(onto, term)}{inner}</li>")
    return f"<ul>{''.join(items)}</ul>"


def _in_tree_order(onto: Ontology, roots: list[Node], via: URIRef) -> list[Node]:
    ordered: list[Node] = []

    def walk(term: Node) -> None:
        if term not in ordered:
            ordered.append(term)
            for child in onto.children(term, via):
                walk(child)

    for root in roots:
        walk(root)
    return ordered


def operation_types(onto: Ontology) -> str:
    """The table of operation types with their ACLED and CAMEO mappings."""
    g = onto.graph
    scheme = CKG.OperationTypes
    top = onto.sort(g.objects(scheme, SKOS.hasTopConcept))
    rows = []
    for concept in _in_tree_order(onto, top, SKOS.broader):
        depth = len(list(g.transitive_objects(concept, SKOS.broader))) - 1
        cells = [alignments(onto, concept, str(namespace)) for namespace in (ACLED, CAMEO)]
        also = ", ".join(sorted(str(a) for a in g.objects(concept, SKOS.altLabel)))
        note = onto.text(concept, SKOS.scopeNote) or ""
        rows.append(
            f'<tr><td style="padding-left:{0.5 + 1.2 * depth:.1f}rem">{link(onto, concept)}'
            f"{'<br><span class=note>also: ' + _e(also) + '</span>' if also else ''}</td>"
            f"<td>{cells[0]}</td><td>{cells[1]}</td><td class=note>{_e(note)}</td></tr>")
    definition = onto.text(scheme, SKOS.definition) or ""
    scope = onto.text(scheme, SKOS.scopeNote) or ""
    return (f"<p>{_e(definition)}</p><p class=note>{_e(scope)}</p>"
            "<p class=note>Read a mapping as <em>our type</em> — <em>kind</em> — <em>their "
            "concept</em>: <b>exact</b> interchangeable; <b>close</b> close enough to use one for "
            "the other in most cases; <b>broader</b> their concept is broader than ours; "
            "<b>narrower</b> theirs is narrower; <b>related</b> associated, neither contains the "
            "other.</p><table><tr><th>Operation type</th><th>ACLED</th><th>CAMEO</th>"
            f"<th>Scope note</th></tr>{''.join(rows)}</table>")


FIGURE = ('<figure><a href="{src}"><img src="{src}" alt="The main classes and the object '
          'properties between them"></a><figcaption class=note>The main classes: the top-level '
          "classes and the domains and ranges of object properties. Hollow arrows point to a "
          "superclass; dashed arrows are object properties, from domain to range."
          "</figcaption></figure>")


def overview(onto: Ontology, diagram: str | None) -> str:
    """What the ontology is, where it lives, and the class diagram."""
    g = onto.graph
    head = next(iter(sorted(g.subjects(RDF.type, OWL.Ontology))), None)
    rows = [("Files", ", ".join(f"<code>ontology/{_e(p.name)}</code>" for p in onto.files))]
    text = ""
    if head is not None:
        text = f"<p>{_e(onto.text(head, SKOS.definition) or '')}</p>"
        rows = [("IRI", f"<code>{_e(head)}</code>"),
                ("Version", _e(onto.text(head, OWL.versionInfo) or "")),
                ("License", _links(onto, onto.sort(g.objects(head, rdflib.DCTERMS.license)))),
                *rows]
    return text + _rows(rows) + (FIGURE.format(src=_e(diagram)) if diagram else "")


def namespaces(onto: Ontology) -> str:
    """The prefixes the page uses, as a table."""
    g = onto.graph
    used = {str(t) for t in set(g.predicates()) | set(g.objects()) | set(g.subjects())}
    rows = sorted((p, str(n)) for p, n in g.namespace_manager.namespaces()
                  if any(u.startswith(str(n)) for u in used))
    return ("<table><tr><th>prefix</th><th>namespace</th></tr>"
            + "".join(f"<tr><td><code>{_e(p)}</code></td><td><code>{_e(n)}</code></td></tr>"
                      for p, n in rows) + "</table>")


def page(onto: Ontology, diagram: str | None = "classes.png") -> str:
    """The whole reference as one HTML page."""
    heads = sorted(onto.graph.subjects(RDF.type, OWL.Ontology))
    title = (onto.text(heads[0], rdflib.DCTERMS.title) if heads else None) or "Ontology"
    classes = _in_tree_order(onto, onto.roots(), RDFS.subClassOf)
    sections = [
        ("overview", "Overview", overview(onto, diagram)),
        ("hierarchy", "Class hierarchy",
         f'<div class="tree">{_tree(onto, onto.roots(), RDFS.subClassOf)}</div>'),
        ("classes", "Classes", "".join(class_entry(onto, c) for c in classes)),
        *((kind.lower().replace(" ", "-"), kind, "".join(property_entry(onto, p) for p in props))
          for kind, props in onto.properties().items()),
        ("operation-types", "Operation types: ACLED and CAMEO", operation_types(onto)),
        ("namespaces", "Namespaces", namespaces(onto)),
    ]
    class_list = f"<ul>{''.join(f'<li>{link(onto, c)}</li>' for c in classes)}</ul>"
    nav = "".join(f'<li><a href="#{key}">{_e(name)}</a>'
                  f"{class_list if key == 'classes' else ''}</li>" for key, name, _ in sections)
    body = "".join(f'<h2 id="{key}">{_e(name)}</h2>{content}' for key, name, content in sections)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{CSS}</style></head>\n<body><nav><b>Contents</b>"
            f"<ul>{nav}</ul></nav>\n<main><h1>{_e(title)}</h1><p class=note>Generated from "
            f"<code>ontology/</code> by <code>make docs</code> (<code>kg/ontodoc.py</code>); "
            f"edit the ontology, not this page.</p>\n{body}</main></body></html>\n")


# -- the diagram ---------------------------------------------------------------------------------

LEGEND = ("The main classes of conflict-kg. Solid arrow with a hollow head: subclass of. Dashed "
          "arrow: an object property, from its domain to its range. Grey: a class of values, "
          "listed.\n")


@dataclass
class Diagram:
    """The main classes, the subclass links and the property links between them."""

    nodes: list[URIRef]
    subclass: list[tuple[URIRef, URIRef]]
    properties: dict[tuple[URIRef, URIRef], list[str]]


def main_classes(onto: Ontology) -> Diagram:
    """What the class diagram shows (see the module doc)."""
    g = onto.graph
    shown = set(onto.roots())
    ends: dict[tuple[URIRef, URIRef], list[str]] = {}
    for prop in onto.own(OWL.ObjectProperty):
        for domain in g.objects(prop, RDFS.domain):
            for range_ in g.objects(prop, RDFS.range):
                if _is_own(domain) and _is_own(range_):
                    ends.setdefault((domain, range_), []).append(onto.label(prop))
                    shown |= {domain, range_}
    changed = True
    while changed:  # every shown class's superclasses, up to its root
        more = {s for c in shown for s in onto.parents(c) if _is_own(s)} - shown
        shown |= more
        changed = bool(more)
    nodes = onto.sort(shown)
    subclass = [(c, s) for c in nodes for s in onto.parents(c) if s in shown]
    return Diagram(nodes, subclass, ends)


def _node_text(onto: Ontology, cls: URIRef, width: int = 34) -> tuple[str, str]:
    """A node's title, and for a class of values the values in a line or three."""
    if not onto.is_value_class(cls):
        return onto.label(cls), ""
    members = onto.members(cls)
    notations = [onto.text(m, SKOS.notation) for m in members]
    names = notations if all(notations) else [onto.label(m) for m in members]
    values = " · ".join(str(n) for n in names)
    return onto.label(cls), "\n".join(textwrap.wrap(values, width))


def dot_source(onto: Ontology, diagram: Diagram) -> str:
    """The diagram in Graphviz's DOT language."""
    def q(text: str) -> str:
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'

    def node_id(cls: URIRef) -> str:
        return q(_anchor(cls))

    lines = ["digraph classes {",
             '  graph [rankdir=BT, nodesep=0.35, ranksep=0.55, fontname="DejaVu Sans", '
             'bgcolor=white, pad=0.2, labelloc=t, labeljust=l, fontsize=13, '
             f'label={q(LEGEND)}];',
             '  node [shape=box, style="rounded,filled", fillcolor="#e8f0fb", color="#4a6fa5", '
             'fontname="DejaVu Sans", fontsize=11];',
             '  edge [fontname="DejaVu Sans", fontsize=8.5, color="#555555", '
             'fontcolor="#333333"];']
    for cls in diagram.nodes:
        title, values = _node_text(onto, cls)
        if values:
            body = "<BR/>".join(html.escape(v) for v in values.split("\n"))
            lines.append(f'  {node_id(cls)} [label=<<B>{html.escape(title)}</B><BR/>'
                         f'<FONT POINT-SIZE="8.5">{body}</FONT>>, fillcolor="#f3f3f3", '
                         f'color="#8a8a8a"];')
        else:
            lines.append(f"  {node_id(cls)} [label=<<B>{html.escape(title)}</B>>];")
    for child, parent in diagram.subclass:
        lines.append(f"  {node_id(child)} -> {node_id(parent)} [arrowhead=onormal, "
                     f"arrowsize=1.1, color=\"#222222\"];")
    for (domain, range_), names in sorted(diagram.properties.items(),
                                          key=lambda i: (onto.position(i[0][0]),
                                                         onto.position(i[0][1]))):
        label = "\n".join(textwrap.wrap(", ".join(names), 28))
        lines.append(f"  {node_id(domain)} -> {node_id(range_)} [label={q(label)}, "
                     f"style=dashed, arrowsize=0.7];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw_classes(onto: Ontology, path: Path) -> str:
    """Write the class diagram to ``path`` (PNG); the layout engine used."""
    diagram = main_classes(onto)
    path.parent.mkdir(parents=True, exist_ok=True)
    dot = shutil.which("dot")
    if dot:
        subprocess.run([dot, "-Tpng", "-Gdpi=110", "-o", str(path)],
                       input=dot_source(onto, diagram).encode("utf-8"), check=True)
        return "graphviz dot"
    _draw_with_networkx(onto, diagram, path)
    return "networkx"


def _draw_with_networkx(onto: Ontology, diagram: Diagram, path: Path) -> None:
    """The fallback: classes in layers by depth below their root, drawn with matplotlib."""
    import networkx as nx
    from matplotlib.figure import Figure

    graph = nx.DiGraph()
    graph.add_nodes_from(diagram.nodes)
    graph.add_edges_from(diagram.subclass)
    for node in graph:
        graph.nodes[node]["layer"] = -len(nx.descendants(graph, node))
    layout = nx.multipartite_layout(graph, subset_key="layer", align="horizontal", scale=10)
    figure = Figure(figsize=(22, 9))
    ax = figure.add_axes((0.01, 0.01, 0.98, 0.98))
    ax.set_axis_off()
    for (domain, range_), names in diagram.properties.items():
        (x0, y0), (x1, y1) = layout[domain], layout[range_]
        ax.annotate("", (x1, y1), (x0, y0), arrowprops={"arrowstyle": "->", "color": "#888888",
                                                        "linestyle": "--",
                                                        "connectionstyle": "arc3,rad=0.15"})
        ax.text((x0 + x1) / 2, (y0 + y1) / 2, "\n".join(textwrap.wrap(", ".join(names), 28)),
                fontsize=6.5, color="#333333", ha="center")
    for child, parent in diagram.subclass:
        ax.annotate("", layout[parent], layout[child],
                    arrowprops={"arrowstyle": "-|>", "color": "#222222", "fc": "white"})
    for node in diagram.nodes:
        title, values = _node_text(onto, node, 28)
        ax.text(*layout[node], title + ("\n" + values if values else ""), ha="center",
                va="center", fontsize=7.5, bbox={"boxstyle": "round", "fc": "#e8f0fb",
                                                 "ec": "#4a6fa5"})
    figure.savefig(path, dpi=110, metadata={"Software": None}, facecolor="white")


def generate(out: Path = OUT, folder: Path = ONTOLOGY) -> list[Path]:
    """Write ``index.html`` and ``classes.png`` to ``out``; the files written."""
    onto = load(folder)
    out.mkdir(parents=True, exist_ok=True)
    picture = out / "classes.png"
    draw_classes(onto, picture)
    index = out / "index.html"
    index.write_text(page(onto, picture.name), encoding="utf-8")
    return [index, picture]


def main(argv: list[str] | None = None) -> int:
    """``python -m kg.ontodoc [FOLDER]``."""
    args = sys.argv[1:] if argv is None else argv
    for path in generate(Path(args[0]) if args else OUT):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
