"""Second, independent synthetic screening generator (issue 19).

Written from the text of issue 19 alone, before reading the project's matcher or
its first generator, so that the two generators do not share blind spots.

It produces

* a *list population*: watch-list entries with given / middle / surname, an
  optional date of birth (missing for some, year-only for some), optional sex,
  optional ID issuing state and last 4 of the ID number, and optional aliases;
* *visitor streams* with ground truth: true matches (each pointing at the entry
  they are) in named variation classes, and clean visitors (random people drawn
  from the same name population, and deliberate namesakes / near-namesakes).

Every name is synthetic: given names and surnames are drawn independently from
Zipf-weighted pools (a hand-written pool of common forms plus syllable-built
surnames), so no generated person is a real person.  Common names are common on
purpose — that is what makes namesakes happen.

Record shapes (plain dicts, JSON friendly)::

    entry   = {"id", "given", "middle", "surname", "dob", "dob_year", "sex",
               "state", "last4", "aliases": [{"given", "surname"}]}
    visitor = {"vid", "given", "middle", "surname", "dob", "sex", "state",
               "id_number", "source": "id"|"manual",
               "truth": entry id or None, "cls": class name, "clean": bool}

``dob`` is ``"YYYY-MM-DD"`` or ``None``; ``dob_year`` is set when the list only
knows the year (then ``dob`` is None).

Usage::

    python bench/screening_gen2.py --entries 200000 --matches 20000 \
        --clean 100000 --seed 7 --out /tmp/gen2.json
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import random
import sys
import unicodedata

# --------------------------------------------------------------------------
# name pools (synthetic combinations of common forms)
# --------------------------------------------------------------------------

# formal name -> nicknames / short forms a person may carry on a card or give
NICKNAMES = {
    "William": ["Bill", "Will", "Billy", "Liam"],
    "Robert": ["Bob", "Rob", "Bobby", "Bert"],
    "Richard": ["Rick", "Rich", "Dick", "Ricky"],
    "James": ["Jim", "Jimmy", "Jamie"],
    "John": ["Jack", "Johnny"],
    "Michael": ["Mike", "Mikey", "Mick"],
    "Thomas": ["Tom", "Tommy"],
    "Joseph": ["Joe", "Joey"],
    "Charles": ["Charlie", "Chuck", "Chas"],
    "Christopher": ["Chris", "Kit"],
    "Daniel": ["Dan", "Danny"],
    "Matthew": ["Matt"],
    "Anthony": ["Tony"],
    "Andrew": ["Andy", "Drew"],
    "Edward": ["Ed", "Eddie", "Ted"],
    "Nicholas": ["Nick", "Nicky"],
    "Steven": ["Steve"],
    "Timothy": ["Tim", "Timmy"],
    "Benjamin": ["Ben", "Benny"],
    "Samuel": ["Sam", "Sammy"],
    "Alexander": ["Alex", "Sasha", "Xander"],
    "Jonathan": ["Jon", "Jonny"],
    "Gregory": ["Greg"],
    "Lawrence": ["Larry"],
    "Raymond": ["Ray"],
    "Francis": ["Frank"],
    "Frederick": ["Fred", "Freddie"],
    "Theodore": ["Ted", "Teddy", "Theo"],
    "Elizabeth": ["Liz", "Beth", "Betty", "Eliza", "Lizzie"],
    "Margaret": ["Maggie", "Peggy", "Meg"],
    "Katherine": ["Kate", "Kathy", "Katie", "Kay"],
    "Catherine": ["Cathy", "Cate"],
    "Jennifer": ["Jen", "Jenny"],
    "Patricia": ["Pat", "Patty", "Trish"],
    "Susan": ["Sue", "Susie"],
    "Deborah": ["Debbie", "Deb"],
    "Rebecca": ["Becky", "Becca"],
    "Jessica": ["Jess", "Jessie"],
    "Victoria": ["Vicky", "Tori"],
    "Christina": ["Tina", "Chris"],
    "Abigail": ["Abby"],
    "Samantha": ["Sam", "Sammy"],
    "Alexandra": ["Alex", "Sasha", "Lexi"],
    "Kimberly": ["Kim"],
    "Barbara": ["Barb", "Babs"],
    "Dorothy": ["Dot", "Dottie"],
    "Josefina": ["Pepa", "Fina"],
    "José": ["Pepe", "Chepe"],
    "Francisco": ["Paco", "Pancho", "Cisco"],
    "Guadalupe": ["Lupe", "Lupita"],
    "Dolores": ["Lola"],
    "Ignacio": ["Nacho"],
    "Jesús": ["Chuy"],
    "Alejandro": ["Alex", "Alejo"],
    "Roberto": ["Beto"],
    "Eduardo": ["Lalo"],
    "Zbigniew": ["Zbyszek"],
    "Aleksandr": ["Sasha", "Sanya"],
    "Dmitri": ["Dima"],
    "Ekaterina": ["Katya"],
    "Yekaterina": ["Katya"],
    "Mikhail": ["Misha"],
    "Giuseppe": ["Beppe", "Peppe"],
}

# spelling / transliteration variants of the same name
VARIANTS = {
    "Mohammed": ["Muhammad", "Mohamed", "Mohammad", "Muhammed"],
    "Muhammad": ["Mohammed", "Mohamed"],
    "Ahmed": ["Ahmad"],
    "Yusuf": ["Youssef", "Yousef"],
    "Aleksandr": ["Alexander", "Aleksander"],
    "Dmitri": ["Dmitry", "Dmitriy"],
    "Sergei": ["Sergey"],
    "Yekaterina": ["Ekaterina"],
    "Ekaterina": ["Yekaterina"],
    "Jiménez": ["Ximénez"],
    "Tchaikovsky": ["Chaykovskiy"],
    "Catherine": ["Katherine", "Kathryn"],
    "Katherine": ["Catherine", "Kathryn"],
    "Steven": ["Stephen"],
    "Stephen": ["Steven"],
    "Sean": ["Shawn", "Shaun"],
    "Jeffrey": ["Geoffrey"],
    "Ann": ["Anne"],
    "Sara": ["Sarah"],
    "Sarah": ["Sara"],
}

MALE = [
    "James",
    "John",
    "Robert",
    "Michael",
    "William",
    "David",
    "Richard",
    "Joseph",
    "Thomas",
    "Charles",
    "Christopher",
    "Daniel",
    "Matthew",
    "Anthony",
    "Mark",
    "Donald",
    "Steven",
    "Paul",
    "Andrew",
    "Joshua",
    "Kenneth",
    "Kevin",
    "Brian",
    "George",
    "Timothy",
    "Ronald",
    "Edward",
    "Jason",
    "Jeffrey",
    "Ryan",
    "Jacob",
    "Gary",
    "Nicholas",
    "Eric",
    "Jonathan",
    "Stephen",
    "Larry",
    "Justin",
    "Scott",
    "Brandon",
    "Benjamin",
    "Samuel",
    "Gregory",
    "Alexander",
    "Frank",
    "Patrick",
    "Raymond",
    "Jack",
    "Dennis",
    "Jerry",
    "Tyler",
    "Aaron",
    "José",
    "Adam",
    "Nathan",
    "Henry",
    "Douglas",
    "Zachary",
    "Peter",
    "Kyle",
    "Noah",
    "Ethan",
    "Jeremy",
    "Walter",
    "Christian",
    "Keith",
    "Roger",
    "Terry",
    "Austin",
    "Sean",
    "Gerald",
    "Carl",
    "Harold",
    "Dylan",
    "Arthur",
    "Lawrence",
    "Jordan",
    "Jesse",
    "Bryan",
    "Billy",
    "Bruce",
    "Gabriel",
    "Joe",
    "Logan",
    "Alan",
    "Juan",
    "Albert",
    "Willie",
    "Elijah",
    "Wayne",
    "Randy",
    "Vincent",
    "Mason",
    "Roy",
    "Ralph",
    "Bobby",
    "Russell",
    "Bradley",
    "Philip",
    "Eugene",
    "Francisco",
    "Luis",
    "Carlos",
    "Jesús",
    "Miguel",
    "Alejandro",
    "Roberto",
    "Eduardo",
    "Ignacio",
    "Mohammed",
    "Muhammad",
    "Ahmed",
    "Yusuf",
    "Omar",
    "Ali",
    "Hassan",
    "Wei",
    "Jun",
    "Hiroshi",
    "Kenji",
    "Raj",
    "Arjun",
    "Vikram",
    "Sanjay",
    "Aleksandr",
    "Dmitri",
    "Sergei",
    "Mikhail",
    "Zbigniew",
    "Krzysztof",
    "Giuseppe",
    "Marco",
    "Luca",
    "Pierre",
    "Jean",
    "François",
    "Hans",
    "Jürgen",
    "Kwame",
    "Chinedu",
    "Oluwaseun",
    "Tadeusz",
    "Bogdan",
    "Nguyen",
    "Minh",
    "Sean",
    "Theodore",
    "Frederick",
    "Jonathan",
    "Francis",
]

FEMALE = [
    "Mary",
    "Patricia",
    "Jennifer",
    "Linda",
    "Elizabeth",
    "Barbara",
    "Susan",
    "Jessica",
    "Sarah",
    "Karen",
    "Lisa",
    "Nancy",
    "Betty",
    "Margaret",
    "Sandra",
    "Ashley",
    "Kimberly",
    "Emily",
    "Donna",
    "Michelle",
    "Carol",
    "Amanda",
    "Dorothy",
    "Melissa",
    "Deborah",
    "Stephanie",
    "Rebecca",
    "Sharon",
    "Laura",
    "Cynthia",
    "Kathleen",
    "Amy",
    "Angela",
    "Shirley",
    "Anna",
    "Brenda",
    "Pamela",
    "Emma",
    "Nicole",
    "Helen",
    "Samantha",
    "Katherine",
    "Christine",
    "Debra",
    "Rachel",
    "Carolyn",
    "Janet",
    "Catherine",
    "Maria",
    "Heather",
    "Diane",
    "Ruth",
    "Julie",
    "Olivia",
    "Joyce",
    "Virginia",
    "Victoria",
    "Kelly",
    "Lauren",
    "Christina",
    "Joan",
    "Evelyn",
    "Judith",
    "Megan",
    "Andrea",
    "Cheryl",
    "Hannah",
    "Jacqueline",
    "Martha",
    "Gloria",
    "Teresa",
    "Ann",
    "Sara",
    "Madison",
    "Frances",
    "Kathryn",
    "Janice",
    "Jean",
    "Abigail",
    "Alice",
    "Judy",
    "Sophia",
    "Grace",
    "Denise",
    "Amber",
    "Doris",
    "Marilyn",
    "Danielle",
    "Beverly",
    "Isabella",
    "Theresa",
    "Diana",
    "Natalie",
    "Brittany",
    "Charlotte",
    "Marie",
    "Kayla",
    "Alexis",
    "Lori",
    "Guadalupe",
    "Dolores",
    "Josefina",
    "María",
    "Lucía",
    "Sofía",
    "Ximena",
    "Fatima",
    "Aisha",
    "Mariam",
    "Leila",
    "Mei",
    "Yuki",
    "Priya",
    "Ananya",
    "Ekaterina",
    "Yekaterina",
    "Olga",
    "Svetlana",
    "Agnieszka",
    "Małgorzata",
    "Giulia",
    "Chiara",
    "Amélie",
    "Brigitte",
    "Ngozi",
    "Adaeze",
    "Alexandra",
    "Lan",
]

SURNAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gómez",
    "Phillips",
    "Evans",
    "Turner",
    "Díaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutiérrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jiménez",
    "García",
    "Martínez",
    "Hernández",
    "López",
    "González",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "O'Brien",
    "O'Connor",
    "McDonald",
    "MacLeod",
    "D'Angelo",
    "Van der Berg",
    "De la Cruz",
    "St. John",
    "Smith-Jones",
    "García López",
    "Fernández Ruiz",
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Tran",
    "Le",
    "Pham",
    "Khan",
    "Ali",
    "Hussain",
    "Ahmed",
    "Singh",
    "Kumar",
    "Sharma",
    "Ivanov",
    "Petrov",
    "Smirnov",
    "Kuznetsov",
    "Wróblewski",
    "Kowalski",
    "Nowak",
    "Wiśniewski",
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Müller",
    "Schmidt",
    "Schneider",
    "Dubois",
    "Lefèvre",
    "Okafor",
    "Adeyemi",
    "Mensah",
    "Tanaka",
    "Suzuki",
    "Sato",
    "Yamamoto",
    "Cohen",
    "Levi",
    "Papadopoulos",
    "Johansson",
    "Larsen",
]

_ONSETS = [
    "b",
    "br",
    "c",
    "ch",
    "d",
    "dr",
    "f",
    "g",
    "gr",
    "h",
    "j",
    "k",
    "kl",
    "l",
    "m",
    "n",
    "p",
    "pr",
    "r",
    "s",
    "sh",
    "st",
    "t",
    "tr",
    "v",
    "w",
    "z",
    "zh",
    "th",
    "y",
]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "ie", "y"]
_CODAS = ["", "n", "r", "l", "s", "t", "k", "m", "nd", "rt", "sk", "v", "x", "ck", "ll", "tt", "ng"]
_SUFFIXES = [
    "",
    "",
    "",
    "son",
    "sen",
    "ov",
    "ova",
    "ski",
    "ez",
    "ini",
    "ek",
    "berg",
    "mann",
    "ley",
    "ton",
    "ford",
    "ello",
    "escu",
    "ian",
    "opoulos",
]

US_STATES = [
    "CA",
    "TX",
    "FL",
    "NY",
    "PA",
    "IL",
    "OH",
    "GA",
    "NC",
    "MI",
    "NJ",
    "VA",
    "WA",
    "AZ",
    "MA",
    "TN",
    "IN",
    "MO",
    "MD",
    "WI",
    "CO",
    "MN",
]


def _zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return [1.0 / ((i + 1) ** s) for i in range(n)]


def _cum(weights: list[float]) -> list[float]:
    out, t = [], 0.0
    for w in weights:
        t += w
        out.append(t)
    return out


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


class NamePool:
    """Zipf-weighted given names (per sex) and surnames."""

    def __init__(self, rng: random.Random, n_synthetic_surnames: int = 60000):
        self.rng = rng
        synth = set()
        while len(synth) < n_synthetic_surnames:
            parts = [
                rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
                for _ in range(rng.choice((1, 2, 2, 3)))
            ]
            name = "".join(parts) + rng.choice(_SUFFIXES)
            if 3 <= len(name) <= 16:
                synth.add(name.capitalize())
        synth = sorted(synth)
        rng.shuffle(synth)
        # common surnames head the distribution, synthetic ones form the long tail
        self.surnames = SURNAMES + synth
        self._sur_cum = _cum(_zipf_weights(len(self.surnames), 0.7))
        self.male = list(MALE)
        self.female = list(FEMALE)
        rng.shuffle(self.male)
        rng.shuffle(self.female)
        self._m_cum = _cum(_zipf_weights(len(self.male), 0.5))
        self._f_cum = _cum(_zipf_weights(len(self.female), 0.5))

    def _pick(self, items, cum):
        return self.rng.choices(items, cum_weights=cum, k=1)[0]

    def surname(self) -> str:
        s = self._pick(self.surnames, self._sur_cum)
        if self.rng.random() < 0.03:  # a compound / double-barrelled surname
            t = self._pick(self.surnames, self._sur_cum)
            if t != s and " " not in s and " " not in t:
                s = f"{s}-{t}" if self.rng.random() < 0.5 else f"{s} {t}"
        return s

    def given(self, sex: str) -> str:
        if sex == "M":
            return self._pick(self.male, self._m_cum)
        return self._pick(self.female, self._f_cum)


# --------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------

_D0 = _dt.date(1935, 1, 1).toordinal()
_D1 = _dt.date(2007, 12, 31).toordinal()


def rand_date(rng: random.Random) -> _dt.date:
    return _dt.date.fromordinal(rng.randint(_D0, _D1))


def _valid(y: int, m: int, d: int) -> _dt.date | None:
    try:
        return _dt.date(y, m, d)
    except ValueError:
        return None


def one_digit_off(rng: random.Random, d: _dt.date) -> _dt.date:
    """Change exactly one digit of YYYYMMDD, keeping a valid, plausible date."""
    s = d.strftime("%Y%m%d")
    for _ in range(100):
        pos = rng.choice([2, 3, 4, 5, 6, 7])  # century digits are rarely mistyped
        new = str(rng.choice([c for c in "0123456789" if c != s[pos]]))
        t = s[:pos] + new + s[pos + 1 :]
        nd = _valid(int(t[:4]), int(t[4:6]), int(t[6:]))
        if nd and 1900 <= nd.year <= 2015:
            return nd
    return d.replace(day=1 if d.day != 1 else 2)


def day_month_swapped(d: _dt.date) -> _dt.date | None:
    if d.day <= 12 and d.day != d.month:
        return _valid(d.year, d.day, d.month)
    return None


def digits_transposed(rng: random.Random, d: _dt.date) -> _dt.date | None:
    """Swap two adjacent digits within year, month or day (1978 -> 1987)."""
    s = d.strftime("%Y%m%d")
    opts = [i for i in (2, 4, 6) if s[i] != s[i + 1]]
    if s[2] != s[3]:
        pass
    rng.shuffle(opts)
    for i in opts:
        t = s[:i] + s[i + 1] + s[i] + s[i + 2 :]
        nd = _valid(int(t[:4]), int(t[4:6]), int(t[6:]))
        if nd and 1900 <= nd.year <= 2015:
            return nd
    return None


def far_date(rng: random.Random, d: _dt.date | None) -> _dt.date:
    """A date a careful person would call a different birthday."""
    while True:
        nd = rand_date(rng)
        if d is None:
            return nd
        if abs(nd.year - d.year) < 3:
            continue
        a, b = d.strftime("%Y%m%d"), nd.strftime("%Y%m%d")
        if sum(x != y for x, y in zip(a, b, strict=True)) <= 2:
            continue
        return nd


# --------------------------------------------------------------------------
# string variation
# --------------------------------------------------------------------------

_KEYS = "qwertyuiopasdfghjklzxcvbnm"
_NEIGH = {}
_rows = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
for _r in _rows:
    for _i, _c in enumerate(_r):
        _NEIGH[_c] = (_r[_i - 1] if _i > 0 else "") + (_r[_i + 1] if _i + 1 < len(_r) else "")


def typo(rng: random.Random, s: str) -> str:
    """One keyboard slip: substitute (neighbour key), delete, insert or double."""
    letters = [i for i, c in enumerate(s) if c.isalpha()]
    if len(letters) < 4:
        return s + rng.choice("aeiou")
    i = rng.choice(letters[1:])  # the first letter is usually right
    c = s[i]
    kind = rng.choice(("sub", "del", "ins", "dup"))
    if kind == "sub":
        nb = _NEIGH.get(c.lower()) or _KEYS
        r = rng.choice(nb)
        r = r.upper() if c.isupper() else r
        return s[:i] + r + s[i + 1 :]
    if kind == "del":
        return s[:i] + s[i + 1 :]
    if kind == "ins":
        return s[:i] + rng.choice(_NEIGH.get(c.lower()) or _KEYS) + s[i:]
    return s[:i] + c + s[i:]


def transpose(rng: random.Random, s: str) -> str:
    idx = [i for i in range(1, len(s) - 1) if s[i].isalpha() and s[i + 1].isalpha() and s[i] != s[i + 1]]
    if not idx:
        return typo(rng, s)
    i = rng.choice(idx)
    return s[:i] + s[i + 1] + s[i] + s[i + 2 :]


def punct_variant(s: str) -> str:
    """O'Brien -> OBrien, Smith-Jones -> Smith Jones, St. John -> St John."""
    if "'" in s:
        return s.replace("'", "")
    if "-" in s:
        return s.replace("-", " ")
    if "." in s:
        return s.replace(".", "")
    if " " in s:
        return s.replace(" ", "")
    return s


# --------------------------------------------------------------------------
# generator
# --------------------------------------------------------------------------

MATCH_CLASSES = [
    # (name, weight)
    ("exact", 10),
    ("nickname", 8),
    ("variant_spelling", 5),
    ("typo_surname", 8),
    ("typo_given", 8),
    ("transposition", 7),
    ("name_order_swapped", 5),
    ("middle_missing_or_initial", 6),
    ("diacritics_dropped", 5),
    ("compound_surname_partial", 4),
    ("punctuation_spacing", 4),
    ("dob_one_digit_off", 9),
    ("dob_day_month_swapped", 5),
    ("dob_digits_transposed", 4),
    ("entry_no_dob", 9),
    ("entry_year_only", 4),
    ("visitor_no_dob_manual", 5),
    ("alias_used", 4),
    ("typo_plus_dob_off", 3),
]

CLEAN_CLASSES = [
    ("random", 70),
    ("namesake_diff_dob", 10),  # same full name as an entry with a DOB, far DOB
    ("namesake_of_no_dob_entry", 6),  # a stranger who carries the name of an entry without DOB
    ("near_name_diff_dob", 6),  # one-letter-off name, far DOB
    ("same_surname_same_dob", 3),  # relative: same surname & DOB, different given
    ("same_given_same_dob", 3),  # same given name & DOB, different surname
    ("namesake_diff_sex", 2),  # same name (unisex-ish), far DOB, other sex
]


class Gen2:
    def __init__(self, seed: int = 1):
        self.rng = random.Random(seed)
        self.pool = NamePool(self.rng)
        self._no_dob: set[tuple[str, str]] = set()  # names of entries without any date (visitors())

    # ---- population -----------------------------------------------------
    def person(self) -> dict:
        rng = self.rng
        sex = "M" if rng.random() < 0.5 else "F"
        given = self.pool.given(sex)
        middle = self.pool.given(sex) if rng.random() < 0.55 else ""
        if middle == given:
            middle = ""
        return {
            "given": given,
            "middle": middle,
            "surname": self.pool.surname(),
            "dob": rand_date(rng),
            "sex": sex,
        }

    def entries(self, n: int) -> list[dict]:
        rng = self.rng
        out = []
        for i in range(n):
            p = self.person()
            r = rng.random()
            dob, dob_year = p["dob"].isoformat(), None
            if r < 0.12:
                dob = None  # list has no date of birth
            elif r < 0.16:
                dob, dob_year = None, p["dob"].year  # list knows the year only
            e = {
                "id": f"E{i:07d}",
                "given": p["given"],
                "middle": p["middle"],
                "surname": p["surname"],
                "dob": dob,
                "dob_year": dob_year,
                "sex": p["sex"] if rng.random() < 0.8 else None,
                "state": rng.choice(US_STATES) if rng.random() < 0.25 else None,
                "last4": f"{rng.randint(0, 9999):04d}" if rng.random() < 0.2 else None,
                "aliases": [],
                "_true_dob": p["dob"].isoformat(),  # ground truth, not list data
                "_true_sex": p["sex"],
            }
            if rng.random() < 0.1:
                a_sex = p["sex"]
                e["aliases"].append({"given": self.pool.given(a_sex), "surname": self.pool.surname()})
            out.append(e)
        return out

    # ---- visitors ---------------------------------------------------------
    def _visitor_from_entry(self, e: dict) -> dict:
        rng = self.rng
        true_dob = _dt.date.fromisoformat(e["_true_dob"])
        state = e["state"] or rng.choice(US_STATES)
        idn = f"{rng.randint(10**7, 10**9 - 1)}"
        if e["last4"]:
            idn = idn[:-4] + e["last4"]
        return {
            "given": e["given"],
            "middle": e["middle"],
            "surname": e["surname"],
            "dob": true_dob,
            "sex": e["_true_sex"],
            "state": state,
            "id_number": idn,
            "source": "id",
        }

    def match(self, e: dict, cls: str) -> dict | None:
        rng = self.rng
        v = self._visitor_from_entry(e)
        listed_dob = _dt.date.fromisoformat(e["dob"]) if e["dob"] else None
        needs_listed_dob = cls in (
            "dob_one_digit_off",
            "dob_day_month_swapped",
            "dob_digits_transposed",
            "typo_plus_dob_off",
        )
        if needs_listed_dob and listed_dob is None:
            return None
        if cls in ("entry_no_dob",) and not (e["dob"] is None and e["dob_year"] is None):
            return None
        if cls == "entry_year_only" and e["dob_year"] is None:
            return None
        if cls in ("exact", "entry_no_dob", "entry_year_only"):
            pass
        elif cls == "nickname":
            nn = NICKNAMES.get(v["given"])
            if not nn:
                return None
            v["given"] = rng.choice(nn)
        elif cls == "variant_spelling":
            if v["given"] in VARIANTS:
                v["given"] = rng.choice(VARIANTS[v["given"]])
            elif v["surname"] in VARIANTS:
                v["surname"] = rng.choice(VARIANTS[v["surname"]])
            else:
                return None
        elif cls == "typo_surname":
            v["surname"] = typo(rng, v["surname"])
        elif cls == "typo_given":
            v["given"] = typo(rng, v["given"])
        elif cls == "transposition":
            k = "surname" if rng.random() < 0.6 else "given"
            v[k] = transpose(rng, v[k])
        elif cls == "name_order_swapped":
            v["given"], v["surname"] = v["surname"], v["given"]
        elif cls == "middle_missing_or_initial":
            if not v["middle"]:
                return None
            v["middle"] = "" if rng.random() < 0.5 else v["middle"][0]
        elif cls == "diacritics_dropped":
            full = v["given"] + v["middle"] + v["surname"]
            if strip_accents(full) == full:
                return None
            for k in ("given", "middle", "surname"):
                v[k] = strip_accents(v[k])
        elif cls == "compound_surname_partial":
            parts = v["surname"].replace("-", " ").split()
            if len(parts) < 2:
                return None
            v["surname"] = parts[0]
        elif cls == "punctuation_spacing":
            new = punct_variant(v["surname"])
            if new == v["surname"]:
                return None
            v["surname"] = new
        elif cls == "dob_one_digit_off":
            # the list's DOB is right; the visitor's is one digit off (typed by hand
            # or a list typo — symmetric for the matcher)
            v["dob"] = one_digit_off(rng, listed_dob)
        elif cls == "dob_day_month_swapped":
            nd = day_month_swapped(listed_dob)
            if nd is None:
                return None
            v["dob"] = nd
        elif cls == "dob_digits_transposed":
            nd = digits_transposed(rng, listed_dob)
            if nd is None:
                return None
            v["dob"] = nd
        elif cls == "visitor_no_dob_manual":
            v["dob"] = None
            v["source"] = "manual"
            v["state"] = None
            v["id_number"] = None
            if rng.random() < 0.5:
                v["sex"] = None
        elif cls == "alias_used":
            if not e["aliases"]:
                return None
            a = rng.choice(e["aliases"])
            v["given"], v["surname"], v["middle"] = a["given"], a["surname"], ""
        elif cls == "typo_plus_dob_off":
            k = "surname" if rng.random() < 0.5 else "given"
            v[k] = typo(rng, v[k])
            v["dob"] = one_digit_off(rng, listed_dob)
        else:
            raise ValueError(cls)
        v["truth"], v["cls"], v["clean"] = e["id"], cls, False
        return v

    def clean(self, entries: list[dict], cls: str, index: dict) -> dict | None:
        rng = self.rng
        p = self.person()
        v = {
            "given": p["given"],
            "middle": p["middle"],
            "surname": p["surname"],
            "dob": p["dob"],
            "sex": p["sex"],
            "state": rng.choice(US_STATES),
            "id_number": f"{rng.randint(10**7, 10**9 - 1)}",
            "source": "id",
        }
        if cls == "random":
            pass
        else:
            e = rng.choice(entries)
            listed = _dt.date.fromisoformat(e["_true_dob"])
            has_dob = e["dob"] is not None or e["dob_year"] is not None
            if cls == "namesake_diff_dob":
                if not has_dob:
                    return None
                v.update(
                    given=e["given"],
                    middle=e["middle"],
                    surname=e["surname"],
                    sex=e["_true_sex"],
                    dob=far_date(rng, listed),
                )
            elif cls == "namesake_of_no_dob_entry":
                # A stranger from the population who happens to carry the first and last name of an
                # entry without a date of birth: drawn, not copied (s5). Copying a random entry's name,
                # middle name and sex made namesakes of rare names as frequent as of common ones, and
                # made "clean" visitors no data could tell from the listed person; a real namesake turns
                # up as often as the population carries the name. The stranger keeps their own middle
                # name and sex.
                if (strip_accents(v["given"]).lower(), strip_accents(v["surname"]).lower()) not in self._no_dob:
                    return None
            elif cls == "near_name_diff_dob":
                if not has_dob:
                    return None
                v.update(
                    given=e["given"],
                    middle=e["middle"],
                    surname=typo(rng, e["surname"]),
                    sex=e["_true_sex"],
                    dob=far_date(rng, listed),
                )
            elif cls == "same_surname_same_dob":
                if e["dob"] is None:
                    return None
                g = self.pool.given(v["sex"])
                if g == e["given"] or g in NICKNAMES.get(e["given"], []) or e["given"] in NICKNAMES.get(g, []):
                    return None
                v.update(surname=e["surname"], given=g, middle="", dob=_dt.date.fromisoformat(e["dob"]))
            elif cls == "same_given_same_dob":
                if e["dob"] is None:
                    return None
                s = self.pool.surname()
                if strip_accents(s).lower() == strip_accents(e["surname"]).lower():
                    return None
                v.update(given=e["given"], sex=e["_true_sex"], surname=s, dob=_dt.date.fromisoformat(e["dob"]))
            elif cls == "namesake_diff_sex":
                if not has_dob or e["sex"] is None:
                    return None
                v.update(
                    given=e["given"],
                    middle="",
                    surname=e["surname"],
                    sex="F" if e["sex"] == "M" else "M",
                    dob=far_date(rng, listed),
                )
            else:
                raise ValueError(cls)
        # a clean visitor must not be, by name *and* date, indistinguishable from
        # an entry with a full DOB (that would be a true-positive-looking stranger
        # no one could call clean) — redraw in that rare case
        key = (
            strip_accents(v["given"]).lower(),
            strip_accents(v["surname"]).lower(),
            v["dob"].isoformat() if v["dob"] else None,
        )
        if key in index:
            return None
        v["truth"], v["cls"], v["clean"] = None, cls, True
        return v

    def visitors(self, entries: list[dict], n_match: int, n_clean: int) -> list[dict]:
        rng = self.rng
        index = {
            (strip_accents(e["given"]).lower(), strip_accents(e["surname"]).lower(), e["dob"])
            for e in entries
            if e["dob"]
        }
        self._no_dob = {
            (strip_accents(e["given"]).lower(), strip_accents(e["surname"]).lower())
            for e in entries
            if e["dob"] is None and e["dob_year"] is None
        }
        out: list[dict] = []
        names, w = zip(*MATCH_CLASSES, strict=True)
        made = 0
        while made < n_match:
            cls = rng.choices(names, weights=w, k=1)[0]
            for _ in range(200):
                v = self.match(rng.choice(entries), cls)
                if v is not None:
                    break
            if v is None:
                continue
            out.append(v)
            made += 1
        names, w = zip(*CLEAN_CLASSES, strict=True)
        made = 0
        while made < n_clean:
            cls = rng.choices(names, weights=w, k=1)[0]
            for _ in range(200):
                v = self.clean(entries, cls, index)
                if v is not None:
                    break
            if v is None:
                continue
            out.append(v)
            made += 1
        rng.shuffle(out)
        for i, v in enumerate(out):
            v["vid"] = f"V{i:07d}"
            if isinstance(v["dob"], _dt.date):
                v["dob"] = v["dob"].isoformat()
        return out


def generate(n_entries: int = 200_000, n_match: int = 20_000, n_clean: int = 100_000, seed: int = 1) -> dict:
    """Return ``{"entries": [...], "visitors": [...]}`` (see module doc)."""
    g = Gen2(seed)
    entries = g.entries(n_entries)
    visitors = g.visitors(entries, n_match, n_clean)
    return {"generator": "screening_gen2", "seed": seed, "entries": entries, "visitors": visitors}


def public_entry(e: dict) -> dict:
    """The entry as a list would hold it (ground-truth-only fields removed)."""
    return {k: v for k, v in e.items() if not k.startswith("_")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entries", type=int, default=200_000)
    ap.add_argument("--matches", type=int, default=20_000)
    ap.add_argument("--clean", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="-")
    a = ap.parse_args(argv)
    data = generate(a.entries, a.matches, a.clean, a.seed)
    data["entries"] = [public_entry(e) for e in data["entries"]]
    if a.out == "-":
        json.dump(data, sys.stdout, ensure_ascii=False)
    else:
        with open(a.out, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
