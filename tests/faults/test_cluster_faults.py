"""The fault suite on a 3-node Kafka and 3-node Cassandra (started by the fixture on ports and
loopback addresses of their own): the same code, the same checker, the cluster's faults. Each
fault's outage (the longest time without a decision) is printed and saved."""

from __future__ import annotations

import json
import time

import pytest

from infra.settings import Settings
from tests.faults.cluster import CLUSTER_FAULTS, ClusterNemesis, cluster_schedule
from tests.faults.history import outages
from tests.faults.test_faults import ARTIFACTS, fault_run

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.faults,
    pytest.mark.disruptive,
    pytest.mark.timeout(2400),
]


async def test_no_anomalies_under_cluster_faults(cluster_fault_settings: Settings) -> None:
    history = await fault_run(cluster_fault_settings, cluster_schedule, ClusterNemesis)
    found = outages(history)
    folder = ARTIFACTS / "faults"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"cluster-outages-{history.seed}-{int(time.time())}.json"
    path.write_text(json.dumps({"seed": history.seed, "outages": found}, indent=1))
    print("cluster outages:", json.dumps(found))
    assert {o["fault"] for o in found} >= set(CLUSTER_FAULTS)
