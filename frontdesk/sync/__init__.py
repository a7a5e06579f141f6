"""Sync with the district hub (issue 15): this desk's changes go up, the school's other desks' visits come across.

``outbox.py`` turns every audited change into an outbox entry in the change's own transaction;
``client.py`` talks to the hub (failover across its addresses); ``remote.py`` keeps the other desks' visits
for the on-site list, check-out and the "already on site" check; ``service.py`` pushes, pulls and runs
the pullers (district lists) in the background. The desk never waits for the hub: it adds, never gates.
"""
