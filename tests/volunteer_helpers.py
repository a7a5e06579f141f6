"""An approved volunteer for tests that check someone in as a volunteer (that needs a record since issue 18)."""

from __future__ import annotations

from datetime import date, timedelta

from frontdesk.volunteers.models import BackgroundCheck, NewVolunteer


def approved_volunteer(services, first: str, last: str, dob: date | None = None, activities=("Library",)):
    """Add ``first last`` as an approved volunteer with a clear check valid for a year."""
    check = BackgroundCheck(
        "fingerprint", "State police", date.today(), "clear", date.today() + timedelta(days=365)
    )
    return services.volunteers.add(NewVolunteer(first, last, dob=dob, activities=tuple(activities), check=check))
