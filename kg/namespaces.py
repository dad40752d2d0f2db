"""The project's namespaces and the SPARQL prefixes every query may use."""

from rdflib import Namespace

CKG = Namespace("https://w3id.org/conflict-kg/ontology#")
ID = Namespace("https://w3id.org/conflict-kg/id/")
ACLED = Namespace("https://w3id.org/conflict-kg/acled#")
CAMEO = Namespace("https://w3id.org/conflict-kg/cameo#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
WD = Namespace("http://www.wikidata.org/entity/")

#: Namespaces whose terms must be defined in the ontology or the data before they are used.
OWN_NAMESPACES = (str(CKG), str(ID), str(ACLED), str(CAMEO))

PREFIXES: dict[str, str] = {
    "ckg": str(CKG),
    "id": str(ID),
    "actor": f"{ID}actor/",
    "place": f"{ID}place/",
    "facility": f"{ID}facility/",
    "equipment": f"{ID}equipment/",
    "op": f"{ID}operation/",
    "prop": f"{ID}proposition/",
    "thread": f"{ID}thread/",
    "claim": f"{ID}claim/",
    "post": f"{ID}post/",
    "finding": f"{ID}finding/",
    "corpus": f"{ID}corpus/",
    "acled": str(ACLED),
    "cameo": str(CAMEO),
    "prov": str(PROV),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "wd": str(WD),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
}


def sparql_prologue() -> str:
    """PREFIX lines for every known prefix, to put before a query that uses them."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


#: The prefix of each namespace (the first, where two share one). Every namespace ends in "/"
#: or "#", so an IRI's only readable prefix is the one up to its last "/" or "#".
_PREFIX_OF: dict[str, str] = {}
for _name, _namespace in PREFIXES.items():
    _PREFIX_OF.setdefault(_namespace, _name)


def shorten(iri: str) -> str:
    """The prefixed name of an IRI (a local name without "/" or "#"), or the IRI itself.

    >>> shorten("https://w3id.org/conflict-kg/id/actor/isis")
    'actor:isis'
    """
    cut = max(iri.rfind("/"), iri.rfind("#")) + 1
    name = _PREFIX_OF.get(iri[:cut]) if cut else None
    return f"{name}:{iri[cut:]}" if name else iri
