"""Import cycles among the modules of some packages, imports inside functions included.

`python tests/import_cycles.py server codegen` prints each cycle (a strongly connected group of
modules) and exits 1 when there is one. The graph is grimp's: every import statement of every
module, wherever it stands, except those under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import sys

import grimp


def import_cycles(*packages: str) -> list[list[str]]:
    graph = grimp.build_graph(*packages, include_external_packages=False, exclude_type_checking_imports=True)
    edges = {module: sorted(graph.find_modules_directly_imported_by(module)) for module in graph.modules}
    # Tarjan's strongly connected components, iteratively (no recursion limit to meet).
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, []))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    cycles.append(sorted(group))
    return sorted(cycles)


if __name__ == "__main__":
    found = import_cycles(*sys.argv[1:])
    for cycle in found:
        print("import cycle: " + " -> ".join(cycle))
    sys.exit(1 if found else 0)
