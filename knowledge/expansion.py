"""Query-side expansion: short forms engineers type, followed by what runbooks write.

A question says "pvc" or "hpa" where a runbook says PersistentVolumeClaim or
HorizontalPodAutoscaler; neither BM25 nor MiniLM knows the two are one thing. The table is
the standard short names (kubectl's resource short names and common ops abbreviations),
not phrases from any evaluation set; an expanded query keeps its original words.
"""

from __future__ import annotations

import re

SHORT_FORMS: dict[str, str] = {
    "k8s": "kubernetes",
    "kube": "kubernetes",
    "pvc": "persistent volume claim",
    "pvcs": "persistent volume claims",
    "pv": "persistent volume",
    "hpa": "horizontal pod autoscaler",
    "sts": "statefulset",
    "ds": "daemonset",
    "deploy": "deployment",
    "ns": "namespace",
    "svc": "service",
    "cm": "configmap",
    "csr": "certificate signing request",
    "csrs": "certificate signing requests",
    "oom": "out of memory",
    "oomkilled": "out of memory killed",
    "apiserver": "api server",
    "fs": "filesystem",
    "nic": "network interface",
    "cert": "certificate",
    "certs": "certificates",
    "tls": "certificate",
    "am": "alertmanager",
    "prom": "prometheus",
    "tsdb": "time series database",
    "ntp": "clock synchronisation time",
    "inodes": "inodes files",
}
WORD = re.compile(r"[A-Za-z0-9]+")


def expand_query(query: str) -> str:
    """``query`` followed by the long forms of the short forms it uses (each once)."""
    extra = dict.fromkeys(SHORT_FORMS[w] for w in (m.group(0).lower() for m in WORD.finditer(query))
                          if w in SHORT_FORMS)
    return f"{query} {' '.join(extra)}" if extra else query
