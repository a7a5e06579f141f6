"""The second screening generator's clean namesakes of entries without a date of birth (issue 19, s5).

Such a visitor is a stranger drawn from the generator's population who happens to carry the first and
last name of a dateless entry: the name turns up as often as the population carries it, and the stranger
keeps their own middle name and sex (copying the entry's made visitors no data could tell from it).
"""

from __future__ import annotations

from bench import screening_gen2 as gen2


def test_a_clean_namesake_of_a_dateless_entry_is_a_stranger_from_the_population():
    made = gen2.generate(3000, 50, 600, seed=5)
    dateless = {
        (gen2.strip_accents(e["given"]).lower(), gen2.strip_accents(e["surname"]).lower())
        for e in made["entries"]
        if e["dob"] is None and e["dob_year"] is None
    }
    namesakes = [v for v in made["visitors"] if v["cls"] == "namesake_of_no_dob_entry"]
    assert namesakes and all(v["clean"] and v["truth"] is None for v in namesakes)
    for v in namesakes:
        assert (gen2.strip_accents(v["given"]).lower(), gen2.strip_accents(v["surname"]).lower()) in dateless
        assert v["dob"] and v["source"] == "id"
