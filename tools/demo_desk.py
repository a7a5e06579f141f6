"""Shared by the screenshot tools: the demo desk opens locked (issue 7), so Pat signs in first."""

from __future__ import annotations


def sign_in_demo_desk(window, username: str = "desk.pat", secret: str = "1234") -> None:
    """Sign a demo desk window in through its own sign-in fields, as a person would."""
    window.desk_lock.sign_in.username.setText(username)
    window.desk_lock.sign_in.secret.setText(secret)
    window.desk_lock.sign_in.submit()
