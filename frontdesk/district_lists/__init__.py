"""The district's lists and settings at this desk: pulled from the hub, screened against, read-only here."""
