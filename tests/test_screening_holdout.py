"""The holdout benchmark's generator makes the variants it claims to (the benchmark runs in `make bench`)."""

import random

import jellyfish

from bench.holdout_clean import Ambiguity, dob_could_be
from bench.holdout_people import Person, make_population, strip_accents
from bench.holdout_variants import TRUE_CLASSES, Visitor, one_digit_off, typo

SAME_NAME = {"exact", "list gives year of birth only", "list has no DOB", "DOB day and month swapped",
             "DOB one digit off", "middle name as initial only", "middle name missing on one side"}  # fmt: skip


def test_every_class_changes_what_it_says_and_only_that():
    _, people = make_population(3000)
    rng = random.Random(7)
    for vc in TRUE_CLASSES:
        made = [v for v in (vc.make(p, rng) for p in people) if v][:40]
        assert made, vc.name
        if vc.name not in SAME_NAME:
            assert all(v.detail for v in made), vc.name


def test_a_typo_is_one_keying_error():
    rng = random.Random(1)
    for word in ["Robert", "Fenswicks", "Lee", "Ngozi", "Núñez"]:
        new, _ = typo(word, rng)
        assert jellyfish.damerau_levenshtein_distance(strip_accents(word).lower(), new.lower()) == 1


def test_one_digit_off_is_a_real_date_one_digit_away():
    rng = random.Random(2)
    for _ in range(50):
        new, _ = one_digit_off("1975-03-14", rng)
        assert sum(a != b for a, b in zip(new, "1975-03-14", strict=True)) == 1
        assert dob_could_be(new, "1975-03-14")


def test_a_visitor_who_is_an_entry_is_never_counted_clean():
    entry = Person("Robert", "James", "Smith", "1970-03-04", "M", ["Bobby Smithe"])
    other = Person("Maria", "", "de la Cruz", "1980", "F")
    check = Ambiguity([entry, other])
    assert check.conflict(Visitor("Bob", "", "Smyth", "1970-04-03"))
    assert check.conflict(Visitor("James", "", "Smith", "1970-03-04"))  # goes by the middle name
    assert check.conflict(Visitor("Maria", "", "Cruz", "1980-06-01"))
    assert not check.conflict(Visitor("Robert", "", "Smith", "1985-07-19"))
    assert not check.conflict(Visitor("Maria", "", "Cruz", "1991-06-01"))
    assert check.conflict(Visitor("Donald", "", "Smith", "1970-03-04")) is None
    assert check.conflict(Visitor("Roberta", "", "Smith", "1970-03-04"))  # one letter from Robert, same DOB


def test_ambiguous_clean_visitors_are_screened_and_kept_apart():
    """Clean visitors a careful person could not clear are left out of the headline figure but still sent to
    the screen, so the page can say what a desk meets with them counted too."""
    from bench.holdout_clean import CLEAN_CLASSES
    from bench.screening_holdout import pick_clean

    pools, people = make_population(3000)
    queries, rejected = pick_clean(people, pools, 5, random.Random(3))
    apart = [q for q in queries if q.ambiguous]
    assert apart and len(apart) == sum(rejected[cc.name] for cc, _ in CLEAN_CLASSES)
    assert not any(q.named or q.true for q in apart)
    for cc, times in CLEAN_CLASSES:
        kept = [q for q in queries if q.cls == cc.name and not q.ambiguous]
        assert len(kept) <= 5 * times
