"""Screening visitors against barred, custody, watch and registry lists (no Qt).

``names`` and ``dates`` normalise, ``match`` scores one visitor against one entry with evidence in words,
``keys`` files entries in a blocking index in SQLite, ``screener`` looks visitors up, ``lists`` and
``importer`` maintain the lists, ``decisions`` records what staff decided and what follows.
"""
