"""Who is at the desk: sign-in, locking, staff accounts."""
