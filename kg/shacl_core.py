"""SHACL core constraints compiled to SPARQL, to run on the store: the fast path for big graphs.

pySHACL walks an rdflib copy of the data in Python: about a second for the corpus, but copying a
million triples into rdflib alone takes a minute and more than a gigabyte. Here the shapes are
compiled once into SPARQL queries that return the violations and nothing else — for each shape,
one query for its focus-level checks (counts) and one for its value-level checks — and the store
runs them (Oxigraph: natively, several at a time). The rules are the shapes' own; each result is
reported as pySHACL reports it: focus node, path, the shape's ``sh:message``, offending value.
``tests/test_bench.py`` checks that both engines find the same problems on the corpus and on a
set of broken copies of it.

Supported: targets ``sh:targetClass`` (through ``rdfs:subClassOf*``), ``sh:targetSubjectsOf``,
``sh:targetObjectsOf``, ``sh:targetNode`` and implicit class targets; property shapes whose
``sh:path`` is a predicate; ``sh:minCount``, ``sh:maxCount``, ``sh:hasValue``, ``sh:datatype``,
``sh:class``, ``sh:nodeKind``, ``sh:in``, ``sh:pattern`` (with ``sh:flags``), ``sh:minLength``,
``sh:maxLength``, ``sh:minInclusive``, ``sh:maxInclusive``, ``sh:minExclusive``,
``sh:maxExclusive``, ``sh:disjoint``, ``sh:uniqueLang``, ``sh:or``, ``sh:xone``, ``sh:and``,
``sh:not``, ``sh:node``; ``sh:deactivated``, and ``sh:severity`` (only violations are reported).
Anything else raises :class:`Unsupported` and the caller uses pySHACL instead: a rule is never
skipped. A shape without ``sh:message`` gets a message in the style of pySHACL's generic ones
(the shapes of this project all carry their own).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from kg.namespaces import shorten
from kg.sparql import sparql_term

XSD = rdflib.namespace.XSD
#: Datatypes whose lexical form is checked (pySHACL rejects ill-typed literals of these).
CASTABLE = {XSD.integer, XSD.decimal, XSD.boolean, XSD.date, XSD.dateTime, XSD.float,
            XSD.double, XSD.time}
NODE_KINDS = {
    SH.IRI: "isIRI({v})", SH.Literal: "isLiteral({v})", SH.BlankNode: "isBlank({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
RANGES = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">",
          SH.maxExclusive: "<"}
#: Constraint parameters handled below; any other sh: predicate on a shape is unsupported.
VALUE_PARAMETERS = {SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.pattern, SH.flags,
                    SH.minLength, SH.maxLength, SH["or"], SH.xone, SH["and"], SH["not"], SH.node,
                    *RANGES}
FOCUS_PARAMETERS = {SH.minCount, SH.maxCount, SH.hasValue, SH.disjoint, SH.uniqueLang}
DESCRIPTIVE = {SH.name, SH.description, SH.message, SH.severity, SH.deactivated, SH.order,
               SH.group, SH.defaultValue, SH.path, SH.property, SH.sparql, SH.targetClass,
               SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.declare, SH.prefixes}
TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)


class Unsupported(Exception):
    """The shapes use a SHACL feature this compiler does not cover."""


@dataclass(frozen=True)
class Counts:
    """What a count query checks: at least one and/or at most one value of ``predicate`` on
    every focus node of ``targets``. Every such query of one set of targets is settled at once
    by a profile of the targets (:func:`profile_query`); only a failing one is run."""

    targets: str
    predicate: str
    at_least_one: bool
    at_most_one: bool

    def satisfied(self, total: int, stats: dict[str, tuple[int, int]]) -> bool:
        """Whether the profile (foci; predicate -> (values, foci with a value)) proves that no
        focus breaks the counts."""
        values, having = stats.get(self.predicate, (0, 0))
        return ((not self.at_least_one or having == total)
                and (not self.at_most_one or values == having))


@dataclass(frozen=True)
class CoreQuery:
    """One query returning violations: ``?this`` and, for value checks, ``?value``. A
    ``screen`` is a cheaper query that returns nothing when there is no violation; ``counts``
    says when a count query need not run at all."""

    shape: str
    sparql: str
    message: str
    path: rdflib.URIRef | None
    node_level: bool  # the value of a violation is the focus node itself
    screen: str | None = None
    counts: Counts | None = None


def profile_query(targets: str) -> str:
    """How many focus nodes ``targets`` has (``?total``) and, for each predicate of theirs,
    how many values (``?n``) and how many foci with a value (``?d``): one scan that settles
    every minCount 1 / maxCount 1 of the shapes with these targets. (A focus that the targets
    give twice — two types, say — counts its values twice: its maxCount query then runs.)"""
    return (f"SELECT ?p ?n ?d ?total WHERE {{ {{ SELECT ?p (COUNT(*) AS ?n) "
            f"(COUNT(DISTINCT ?this) AS ?d) WHERE {{ {targets} ?this ?p ?o }} GROUP BY ?p }} "
            f"UNION {{ SELECT (COUNT(DISTINCT ?this) AS ?total) WHERE {{ {targets} }} }} }}")


def instance_of(node: str, cls: rdflib.term.Node) -> str:
    """The SPARQL pattern 'node is a SHACL instance of cls'."""
    return f"{node} rdf:type/rdfs:subClassOf* {sparql_term(cls)}"


class Compiler:
    """Compiles a shapes graph into :class:`CoreQuery` objects."""

    def __init__(self, shapes: rdflib.Graph):
        self.g = shapes
        self.fresh = itertools.count()

    def var(self) -> str:
        return f"?_{next(self.fresh)}"

    # -- reading the shapes ------------------------------------------------------------------

    def one(self, shape: rdflib.term.Node, parameter: rdflib.URIRef) -> rdflib.term.Node | None:
        values = list(self.g.objects(shape, parameter))
        if len(values) > 1 and parameter not in (SH["class"], SH.datatype):
            raise Unsupported(f"{shorten(str(shape))}: several {shorten(str(parameter))}")
        return values[0] if values else None

    def members(self, head: rdflib.term.Node) -> list[rdflib.term.Node]:
        return list(Collection(self.g, head))

    def active(self, shape: rdflib.term.Node) -> bool:
        deactivated = self.one(shape, SH.deactivated)
        severity = self.one(shape, SH.severity)
        return (not (isinstance(deactivated, rdflib.Literal) and deactivated.toPython() is True)
                and severity in (None, SH.Violation))

    def check_parameters(self, shape: rdflib.term.Node) -> None:
        for predicate in set(self.g.predicates(shape)):
            known = VALUE_PARAMETERS | FOCUS_PARAMETERS | DESCRIPTIVE
            if str(predicate).startswith(str(SH)) and predicate not in known:
                raise Unsupported(f"{shorten(str(shape))}: {shorten(str(predicate))}")

    def path(self, shape: rdflib.term.Node) -> rdflib.URIRef:
        path = self.one(shape, SH.path)
        if not isinstance(path, rdflib.URIRef):
            raise Unsupported(f"{shorten(str(shape))}: sh:path must be a predicate")
        return path

    def targets(self, shape: rdflib.term.Node) -> str:
        """A group pattern binding ``?this`` to every focus node of ``shape`` (or "")."""
        patterns = [f"{{ {instance_of('?this', cls)} }}"
                    for cls in self.g.objects(shape, SH.targetClass)]
        if (shape, RDF.type, rdflib.RDFS.Class) in self.g:
            patterns.append(f"{{ {instance_of('?this', shape)} }}")
        patterns += [f"{{ ?this {sparql_term(p)} [] }}"
                     for p in self.g.objects(shape, SH.targetSubjectsOf)]
        patterns += [f"{{ [] {sparql_term(p)} ?this }}"
                     for p in self.g.objects(shape, SH.targetObjectsOf)]
        nodes = " ".join(sparql_term(n) for n in self.g.objects(shape, SH.targetNode))
        if nodes:
            patterns.append(f"{{ VALUES ?this {{ {nodes} }} }}")
        return " UNION ".join(patterns)

    # -- value-level tests: expressions true when a node breaks a constraint -----------------

    def value_tests(self, shape: rdflib.term.Node, v: str) -> list[tuple[str, str]]:
        """(component, SPARQL expression true when ``v`` violates it) for each value-level
        constraint of ``shape`` applied to the node ``v``."""
        tests = []
        for cls in self.g.objects(shape, SH["class"]):
            tests.append(("class", f"NOT EXISTS {{ {instance_of(v, cls)} }}"))
        for datatype in self.g.objects(shape, SH.datatype):
            tests.append(("datatype", f"!({self.has_datatype(v, datatype)})"))
        kind = self.one(shape, SH.nodeKind)
        if kind is not None:
            if kind not in NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {kind}")
            tests.append(("nodeKind", f"!{NODE_KINDS[kind].format(v=v)}"))
        listed = self.one(shape, SH["in"])
        if listed is not None:
            tests.append(("in", f"!({self.one_of(v, self.members(listed))})"))
        pattern = self.one(shape, SH.pattern)
        if pattern is not None:
            flags = self.one(shape, SH.flags)
            extra = f", {sparql_term(rdflib.Literal(str(flags)))}" if flags is not None else ""
            regex = sparql_term(rdflib.Literal(str(pattern)))
            tests.append(("pattern", f"(isBlank({v}) || !REGEX(STR({v}), {regex}{extra}))"))
        for parameter, operator in (("minLength", "<"), ("maxLength", ">")):
            limit = self.one(shape, SH[parameter])
            if limit is not None:
                tests.append((parameter, f"(isBlank({v}) || STRLEN(STR({v})) {operator} "
                                         f"{int(limit)})"))
        for parameter, operator in RANGES.items():
            bound = self.one(shape, parameter)
            if bound is not None:
                tests.append((str(parameter).removeprefix(str(SH)),
                              f"!COALESCE({v} {operator} {sparql_term(bound)}, false)"))
        for parameter in (SH["or"], SH.xone, SH["and"]):
            head = self.one(shape, parameter)
            if head is not None:
                conforming = [f"IF({self.conforms(m, v)}, 1, 0)" for m in self.members(head)]
                total = " + ".join(conforming) or "0"
                need = {SH["or"]: ">= 1", SH.xone: "= 1", SH["and"]: f"= {len(conforming)}"}
                tests.append((str(parameter).removeprefix(str(SH)),
                              f"!(({total}) {need[parameter]})"))
        negated = self.one(shape, SH["not"])
        if negated is not None:
            tests.append(("not", self.conforms(negated, v)))
        for node in self.g.objects(shape, SH.node):
            tests.append(("node", f"!({self.conforms(node, v)})"))
        return tests

    @staticmethod
    def has_datatype(v: str, datatype: rdflib.term.Node) -> str:
        if datatype == rdflib.RDF.langString:
            return f'isLiteral({v}) && LANG({v}) != ""'
        if datatype == rdflib.RDFS.Literal:
            return f"isLiteral({v})"
        test = f"isLiteral({v}) && DATATYPE({v}) = {sparql_term(datatype)}"
        if datatype in CASTABLE:  # well-formed: the lexical form casts to the datatype
            test += f" && COALESCE(isLiteral({sparql_term(datatype)}(STR({v}))), false)"
        return test

    @staticmethod
    def one_of(v: str, terms: list[rdflib.term.Node]) -> str:
        return " || ".join(f"sameTerm({v}, {sparql_term(t)})" for t in terms) or "false"

    def at_least(self, focus: str, path: rdflib.URIRef, count: int) -> str:
        """Expression: ``focus`` has at least ``count`` distinct values of ``path``."""
        if count <= 0:
            return "true"
        names = [self.var() for _ in range(count)]
        triples = " ".join(f"{focus} {sparql_term(path)} {n} ." for n in names)
        distinct = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2))
        return f"EXISTS {{ {triples} {f'FILTER({distinct})' if distinct else ''} }}"

    def conforms(self, shape: rdflib.term.Node, v: str) -> str:
        """Expression: the node ``v`` conforms to ``shape`` (for sh:or, sh:xone, sh:not …)."""
        self.check_parameters(shape)
        if set(self.g.objects(shape, SH.sparql)):
            raise Unsupported(f"{shorten(str(shape))}: sh:sparql inside a logical constraint")
        parts = []
        if (shape, SH.path, None) in self.g:
            path = self.path(shape)
            x = self.var()
            tests = self.value_tests(shape, x)
            if tests:
                failing = " || ".join(t for _, t in tests)
                parts.append(f"NOT EXISTS {{ {v} {sparql_term(path)} {x} FILTER({failing}) }}")
            minimum, maximum = self.one(shape, SH.minCount), self.one(shape, SH.maxCount)
            if minimum is not None:
                parts.append(self.at_least(v, path, int(minimum)))
            if maximum is not None:
                parts.append(f"!{self.at_least(v, path, int(maximum) + 1)}")
            value = self.one(shape, SH.hasValue)
            if value is not None:
                parts.append(f"EXISTS {{ {v} {sparql_term(path)} {sparql_term(value)} }}")
            if {SH.disjoint, SH.uniqueLang} & set(self.g.predicates(shape)):
                raise Unsupported(f"{shorten(str(shape))}: sh:disjoint/sh:uniqueLang nested")
        else:
            parts += [f"!({t})" for _, t in self.value_tests(shape, v)]
        for member in self.g.objects(shape, SH.property):
            parts.append(self.conforms(member, v))
        return "(" + (" && ".join(parts) or "true") + ")"

    # -- top-level queries ---------------------------------------------------------------------

    def violation_patterns(self, shape: rdflib.term.Node, v: str) -> list[tuple[str, str]]:
        """(component, ``FILTER(…)`` or ``MINUS {…}``): a pattern keeping ``v`` only where it
        breaks the component. A class test is an anti-join (MINUS), which the store evaluates
        once per query rather than once per value."""
        patterns = [(c, f"FILTER({t})") for c, t in self.value_tests(shape, v) if c != "class"]
        patterns += [("class", f"MINUS {{ {instance_of(v, cls)} }}")
                     for cls in self.g.objects(shape, SH["class"])]
        return patterns

    @staticmethod
    def branches(head: str, patterns: list[str]) -> str:
        """``{ head FILTER(a || b) } UNION { head MINUS {…} } …``: one scan for all filters."""
        filters = [p.removeprefix("FILTER") for p in patterns if p.startswith("FILTER")]
        groups = [f"FILTER({' || '.join(filters)})"] if filters else []
        groups += [p for p in patterns if not p.startswith("FILTER")]
        return " UNION ".join(f"{{ {head} {group} }}" for group in groups)

    def messages(self, shape: rdflib.term.Node, components: list[str]) -> dict[str, str]:
        """The message of each component: the shape's own, or a generic one."""
        own = self.one_message(shape)
        return {c: own or self.generic(shape, c) for c in components}

    def one_message(self, shape: rdflib.term.Node) -> str | None:
        messages = sorted(str(m) for m in self.g.objects(shape, SH.message))
        return messages[0] if messages else None

    def generic(self, shape: rdflib.term.Node, component: str) -> str:
        def value(parameter: str) -> str:
            found = self.one(shape, SH[parameter])
            return shorten(str(found)) if found is not None else "?"
        texts = {
            "class": f"Value does not have class {value('class')}",
            "datatype": f"Value is not Literal with datatype {value('datatype')}",
            "nodeKind": f"Value is not of Node Kind {value('nodeKind')}",
            "in": "Value not in list",
            "pattern": f"Value does not match pattern '{value('pattern')}'",
            "minLength": f"String length not >= {value('minLength')}",
            "maxLength": f"String length not <= {value('maxLength')}",
            "minInclusive": f"Value is not >= {value('minInclusive')}",
            "maxInclusive": f"Value is not <= {value('maxInclusive')}",
            "minExclusive": f"Value is not > {value('minExclusive')}",
            "maxExclusive": f"Value is not < {value('maxExclusive')}",
            "minCount": f"Less than {value('minCount')} values",
            "maxCount": f"More than {value('maxCount')} values",
            "hasValue": f"Missing expected value {value('hasValue')}",
            "disjoint": f"Value is also a value of {value('disjoint')}",
            "uniqueLang": "More than one String shares the same Language",
        }
        return texts.get(component, f"Value does not conform to sh:{component}")

    def focus_patterns(self, shape: rdflib.term.Node, targets: str) -> list[tuple[str, str]]:
        """(component, group pattern binding ?this where the focus breaks a count-like
        constraint of the property shape)."""
        p = sparql_term(self.path(shape))
        found = []
        minimum, maximum = self.one(shape, SH.minCount), self.one(shape, SH.maxCount)
        low = int(minimum) if minimum is not None else 0
        high = int(maximum) if maximum is not None else None
        if low == 1:
            found.append(("minCount", f"{{ {targets} }} MINUS {{ ?this {p} [] }}"))
        elif low > 1:
            found.append(("minCount", f"{{ SELECT ?this WHERE {{ {{ {targets} }} OPTIONAL "
                                      f"{{ ?this {p} ?_n }} }} GROUP BY ?this HAVING "
                                      f"(COUNT(DISTINCT ?_n) < {low}) }}"))
        if high == 0:
            found.append(("maxCount", f"?this {p} [] . {{ {targets} }}"))
        elif high == 1:
            found.append(("maxCount", f"?this {p} ?_a . ?this {p} ?_b . "
                                      f"FILTER(!sameTerm(?_a, ?_b)) {{ {targets} }}"))
        elif high is not None:
            found.append(("maxCount", f"{{ SELECT ?this WHERE {{ ?this {p} ?_n . {{ {targets} "
                                      f"}} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?_n) > "
                                      f"{high}) }}"))
        value = self.one(shape, SH.hasValue)
        if value is not None:
            found.append(("hasValue", f"{{ {targets} }} MINUS {{ ?this {p} "
                                      f"{sparql_term(value)} }}"))
        unique = self.one(shape, SH.uniqueLang)
        if isinstance(unique, rdflib.Literal) and unique.toPython() is True:
            found.append(("uniqueLang", f"?this {p} ?_a . ?this {p} ?_b . FILTER(!sameTerm(?_a, "
                                        f'?_b) && LANG(?_a) != "" && LCASE(LANG(?_a)) = '
                                        f"LCASE(LANG(?_b))) {{ {targets} }}"))
        return found

    def property_queries(self, owner: rdflib.term.Node, shape: rdflib.term.Node,
                         targets: str) -> list[CoreQuery]:
        self.check_parameters(shape)
        path = self.path(shape)
        p = sparql_term(path)
        focus = self.focus_patterns(shape, targets)
        values = self.violation_patterns(shape, "?value")
        disjoint = [("disjoint", f"?this {sparql_term(other)} ?value .")
                    for other in self.g.objects(shape, SH.disjoint)]
        messages = self.messages(shape, [c for c, _ in focus + values + disjoint])
        queries = []
        for message in dict.fromkeys(messages.values()):
            chosen = [(c, pattern) for c, pattern in focus if messages[c] == message]
            if chosen:
                union = " UNION ".join(f"{{ {pattern} }}" for _, pattern in chosen)
                queries.append(CoreQuery(str(owner), f"SELECT DISTINCT ?this WHERE {{ {union} }}",
                                         message, path, False,
                                         counts=self.counts(shape, [c for c, _ in chosen],
                                                            targets)))
            head = f"?this {p} ?value ."
            union = " UNION ".join(filter(None, [
                self.branches(head, [pattern for c, pattern in values if messages[c] == message]),
                *(f"{{ {head} {pattern} }}" for c, pattern in disjoint if messages[c] == message),
            ]))
            if union:
                queries.append(CoreQuery(
                    str(owner), f"SELECT DISTINCT ?this ?value WHERE {{ {union} {{ {targets} }} }}",
                    message, path, False, screen=f"SELECT * WHERE {{ {union} }} LIMIT 1"))
        return queries

    def counts(self, shape: rdflib.term.Node, components: list[str], targets: str
               ) -> Counts | None:
        """The profile test of a count query, if its checks are minCount 1 / maxCount 1."""
        minimum, maximum = self.one(shape, SH.minCount), self.one(shape, SH.maxCount)
        if set(components) - {"minCount", "maxCount"}:
            return None
        if (minimum is not None and int(minimum) > 1) or (maximum is not None
                                                          and int(maximum) != 1):
            return None
        return Counts(targets, str(self.path(shape)), "minCount" in components,
                      "maxCount" in components)

    def node_queries(self, shape: rdflib.term.Node, targets: str) -> list[CoreQuery]:
        patterns = self.violation_patterns(shape, "?this")
        messages = self.messages(shape, [c for c, _ in patterns])
        return [CoreQuery(str(shape), "SELECT DISTINCT ?this WHERE { " + self.branches(
                    f"{{ {targets} }}", [p for c, p in patterns if messages[c] == message]) + " }",
                          message, None, True)
                for message in dict.fromkeys(messages.values())]

    def compile(self) -> list[CoreQuery]:
        shapes = {s for t in TARGETS for s in self.g.subjects(t, None)}
        shapes |= {s for s in self.g.subjects(RDF.type, SH.NodeShape)
                   if (s, RDF.type, rdflib.RDFS.Class) in self.g}
        queries = []
        for shape in sorted(shapes, key=str):
            if not self.active(shape):
                continue
            self.check_parameters(shape)
            targets = self.targets(shape)
            if (shape, SH.path, None) in self.g:
                queries += self.property_queries(shape, shape, targets)
                continue
            queries += self.node_queries(shape, targets)
            for member in sorted(self.g.objects(shape, SH.property), key=str):
                if self.active(member):
                    queries += self.property_queries(shape, member, targets)
        return queries


def compile_shapes(shapes: rdflib.Graph) -> list[CoreQuery]:
    """Every core constraint of ``shapes`` as SPARQL; raise Unsupported for what is not
    covered."""
    return Compiler(shapes).compile()
