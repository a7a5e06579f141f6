"""The fourth screening generator (issue 19) is deterministic, and its labels say how each visitor was made.

No FrontDesk here: the generator is checked on its own, so a figure measured with it means what its classes
say (every true visitor derives from its own entry exactly as its class says; clean visitors are not derived).
"""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest

from bench.gen4_people import CLEAN_CLASSES, TRUE_CLASSES, make_entries
from bench.gen4_visitors import (
    PARTICLES,
    compound_forms,
    derivable,
    digits_apart,
    indistinguishable,
    make_visitors,
    names_index,
    near_edit,
)
from bench.screening_gen4 import write_lists


@pytest.fixture(scope="module")
def made():
    entries = make_entries(30_000, seed=7)
    return entries, make_visitors(entries, 40, 60, seed=7)


def test_the_same_seed_makes_the_same_list_and_visitors(made):
    entries, visitors = made
    again = make_entries(30_000, seed=7)
    assert again == entries
    assert make_visitors(again, 40, 60, seed=7) == visitors
    assert make_entries(2_000, seed=8) != entries[:2_000]


def test_every_class_is_filled(made):
    _, visitors = made
    counts = {c: sum(v.cls == c for v in visitors) for c in TRUE_CLASSES + CLEAN_CLASSES}
    assert counts == {**dict.fromkeys(TRUE_CLASSES, 40), **dict.fromkeys(CLEAN_CLASSES, 60)}


def test_every_true_visitor_derives_from_its_own_entry_as_its_class_says(made):
    entries, visitors = made
    for v in visitors:
        if v.cls in TRUE_CLASSES:
            assert derivable(v, entries[v.entry_key]), (v, entries[v.entry_key])


def test_the_derivation_check_is_strict(made):
    """A visitor relabelled with another variant's class, or moved to another entry, does not derive."""
    entries, visitors = made
    true = [v for v in visitors if v.cls in TRUE_CLASSES]
    for v in true:
        wrong = "typo" if v.cls == "exact" else "exact"
        assert not derivable(replace(v, cls=wrong), entries[v.entry_key]), v
    other = entries[(true[0].entry_key + 1) % len(entries)]
    assert not derivable(true[0], other)


def test_clean_visitors_are_no_variant_of_the_entry_they_resemble(made):
    entries, visitors = made
    for v in visitors:
        if v.cls in CLEAN_CLASSES:
            assert v.entry_key is None
            assert not any(derivable(replace(v, cls=c), e) for c in TRUE_CLASSES for e in entries[:50])
    namesakes = [v for v in visitors if v.cls == "clean_namesake"]
    assert all(len(v.dob) == 10 for v in namesakes)


def test_a_double_surname_is_never_cut_to_a_particle(made):
    """ "Dos Santos-Estrada" shortened is "Dos Santos", never "Dos" (the frozen generator gave "DOS")."""
    entries, _ = made
    assert compound_forms("Dos Santos-Estrada") == ["Dos Santos", "Dos-Santos-Estrada"]
    assert compound_forms("Garcia Lopez") == ["Garcia", "Garcia-Lopez"]
    for e in entries:
        assert not [f for f in compound_forms(e.last) if f.lower() in PARTICLES], e.last


def test_slips_and_dates_one_digit_off_are_what_they_say():
    assert near_edit("Garcia", "Garica") and near_edit("Smith", "Smth") and near_edit("Lee", "Leee")
    assert not near_edit("Garcia", "Garcia") and not near_edit("Smith", "Smyht")
    assert digits_apart("1985-06-22", "1985-06-27") == 1 and digits_apart("1985-06-22", "1985-02-06") == 3


def test_a_namesake_of_an_entry_without_a_date_is_indistinguishable(made):
    entries, _ = made
    e = next(e for e in entries if e.dob == "" and e.sex)
    by_name = names_index(entries)
    from bench.gen4_people import Visitor, fold

    v = Visitor("clean_namesake", fold(e.first).upper(), "", fold(e.last), "1990-01-01", e.sex, "ZZ", "0000", None)
    assert "no_dob" in indistinguishable(v, by_name)
    assert indistinguishable(replace(v, sex="F" if e.sex == "M" else "M"), by_name) <= {"year", "same_dob"}


def test_the_list_files_carry_every_entry_and_its_key(made, tmp_path):
    entries, _ = made
    district, registry = write_lists(entries, tmp_path)
    with open(district, encoding="utf-8") as f:
        keys = [int(r["reason"].rsplit("[g4-", 1)[1].rstrip("]")) for r in csv.DictReader(f)]
    with open(registry, encoding="utf-8") as f:
        keys += [int(r["OFFENSE"].rsplit("[g4-", 1)[1].rstrip("]")) for r in csv.DictReader(f)]
    assert sorted(keys) == list(range(len(entries)))
