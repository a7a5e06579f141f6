"""Volunteers on screen: the review's Volunteers tab (reminders, hours, the school's report)."""
