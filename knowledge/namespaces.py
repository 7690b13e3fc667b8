"""The store's namespaces, in a module light enough for any layer to import (the store
itself pulls in Chroma).

Ingested files and the built-in runbooks share FILES_NAMESPACE: that is what a runbook
citation may name. ``guardian inventory sync`` writes INVENTORY_NAMESPACE: snapshots of
resources, cited as inventory and never returned by a runbook search.
"""

from __future__ import annotations

FILES_NAMESPACE = "files"
INVENTORY_NAMESPACE = "inventory"
RUNBOOK_NAMESPACES = (FILES_NAMESPACE,)
