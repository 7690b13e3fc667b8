"""``compute_service`` imports one google-cloud-compute service without the package's
``__init__`` importing all of them first, and the package stays whole for anyone who asks
it for a name. Run in a fresh interpreter: which modules are loaded is per process."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

PROBE = """
import json, sys
from tools.gcp.clients import compute_service

def services():
    return sorted(name.split(".")[4] for name in sys.modules
                  if name.startswith("google.cloud.compute_v1.services.") and name.count(".") == 4)

firewalls = compute_service("firewalls")
before = services()
from google.cloud import compute_v1
whole = compute_v1.InstancesClient  # a name only the package's __init__ defines
print(json.dumps({"before": before, "after": services(), "version": compute_v1.__version__,
                  "same_class": compute_v1.FirewallsClient is firewalls.FirewallsClient,
                  "instances": whole.__module__}))
"""


def test_one_service_is_imported_alone_and_the_package_stays_whole() -> None:
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-800:]
    report = json.loads(proc.stdout)
    spec = importlib.util.find_spec("google.cloud.compute_v1")  # where it is, importing nothing of it
    assert spec is not None and spec.submodule_search_locations
    services_dir = Path(next(iter(spec.submodule_search_locations))) / "services"
    shipped = sorted(p.name for p in services_dir.iterdir() if (p / "__init__.py").exists())
    assert "firewalls" in report["before"] and "instances" not in report["before"]
    assert len(report["before"]) < len(shipped) / 10  # firewalls and the operation services it uses
    assert report["after"] == shipped  # asking the package for a name ran its own __init__
    assert report["same_class"] is True
    assert report["instances"] == "google.cloud.compute_v1.services.instances.client"
    assert report["version"] == importlib.metadata.version("google-cloud-compute")
