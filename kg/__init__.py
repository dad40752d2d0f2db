"""conflict-kg: a knowledge graph of conflict actors, operations and claims.

Example (after `kg build`)::

    from kg import open_store
    store = open_store()            # the store `kg build` published (default .kg/store)
    store.select("SELECT (COUNT(*) AS ?n) WHERE { ?c a ckg:Claim }")
"""

from kg.errors import KGError
from kg.store import KGStore, open_store

__all__ = ["KGError", "KGStore", "open_store"]
__version__ = "0.1.0"
