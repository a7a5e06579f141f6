"""Admission: the one check-in workflow every door calls (start -> decide -> commit)."""
