"""Graph analysis for analysts: who is central, which groups hang together.

>>> # table = centrality(support_network(store)); groups = communities(actor_network(store))
"""

from __future__ import annotations

import networkx as nx
import pandas as pd


def centrality(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Degree, in/out degree and betweenness of each node, most central first.

    Betweenness is computed on the undirected simple graph: a broker is a broker whichever way
    the relations point.
    """
    if graph.number_of_nodes() == 0:
        return pd.DataFrame(columns=["node", "label", "kind", "degree", "in", "out",
                                     "betweenness"])
    simple = nx.Graph(graph.to_undirected())
    betweenness = nx.betweenness_centrality(simple, normalized=True)
    rows = [{"node": node, "label": data.get("label", node), "kind": data.get("kind", ""),
             "degree": graph.degree(node), "in": graph.in_degree(node),
             "out": graph.out_degree(node), "betweenness": round(betweenness[node], 4)}
            for node, data in graph.nodes(data=True)]
    table = pd.DataFrame(rows)
    return table.sort_values(["betweenness", "degree", "label"],
                             ascending=[False, False, True]).reset_index(drop=True)


def communities(graph: nx.MultiDiGraph, seed: int = 7) -> list[list[str]]:
    """Groups of densely related nodes (Louvain on the undirected graph; fixed seed), largest
    first, each as sorted labels."""
    simple = nx.Graph(graph.to_undirected())
    if simple.number_of_edges() == 0:
        return [[graph.nodes[n].get("label", n)] for n in sorted(graph.nodes)]
    groups = nx.community.louvain_communities(simple, seed=seed)
    labelled = [sorted(graph.nodes[n].get("label", n) for n in group) for group in groups]
    return sorted(labelled, key=lambda group: (-len(group), group))
