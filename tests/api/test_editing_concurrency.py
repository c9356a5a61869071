"""No lost edit under real concurrency: two editors save the same version at the same time;
the row lock makes one win and the other get 409 (committed transactions, two connections)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from layers.models import Asset
from tests.api.editing_support import client_for, patch, post, school


# serialized_rollback: the flush after the test would drop the core layers migration 0002
# made, which the tests that run after it need.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_saves_of_one_version_one_wins(editors, asset_categories):
    planner = client_for(editors.planner)
    created = post(planner, "aset", school()).json()
    fid = created["id"]
    assert planner.get(f"/api/v1/layers/aset/features/{fid}/edit/").json()[
        "properties"]["version"] == 1
    barrier = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def save(name: str, user) -> None:
        try:
            client = client_for(user)
            barrier.wait()
            statuses[name] = patch(client, "aset", fid, {"version": 1,
                                                         "properties": {"name": name}}
                                   ).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n, u))
               for n, u in (("Satu", editors.planner), ("Dua", editors.admin))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses.values()) == [200, 409], statuses
    winner = next(n for n, s in statuses.items() if s == 200)
    asset = Asset.objects.get(pk=fid)
    assert asset.name == winner and asset.version == 2
    assert asset.history.count() == 2
