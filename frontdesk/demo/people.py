"""The demo's invented people, staff, rooms and purposes (every name here is made up)."""

FIRST = [
    "Avery",
    "Jordan",
    "Riley",
    "Morgan",
    "Casey",
    "Quinn",
    "Harper",
    "Rowan",
    "Emerson",
    "Sawyer",
    "Dakota",
    "Reese",
    "Finley",
    "Skyler",
    "Parker",
    "Logan",
    "Hayden",
    "Jamie",
    "Kendall",
    "Blake",
]
LAST = [
    "Testwood",
    "Sampleton",
    "Demopoulos",
    "Fakerson",
    "Mockridge",
    "Placeholder",
    "Examplar",
    "Synthberg",
    "Notreal",
    "Fictiona",
    "Pretendo",
    "Madeupson",
    "Imaginaro",
    "Dummett",
    "Specimen",
]
STAFF = [
    ("Ms. Alvarez", "Room 12"),
    ("Mr. Okafor", "Room 14"),
    ("Mrs. Lindqvist", "Library"),
    ("Dr. Nakamura", "Principal's office"),
    ("Coach Brennan", "Gym"),
    ("Nurse Patel", "Health room"),
]
ROOMS = ["Cafeteria", "Gym", "Library", "Main office", "Music room", "Room 21"]
PURPOSES = ["Meeting", "Volunteer in class", "Pick up student", "Delivery", "Repair", "Lunch visit"]


def visit_categories():
    """The categories the demo draws for invented visitors: not *volunteer*, which needs a volunteer record
    (demo/volunteers.py seeds real ones with their visits)."""
    from frontdesk.models import Category

    return [c for c in Category if c is not Category.VOLUNTEER]
