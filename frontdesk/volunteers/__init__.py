"""Volunteers: approved people with background checks that expire, their activities, schools and hours."""
