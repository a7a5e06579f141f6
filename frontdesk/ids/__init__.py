"""Reading a visitor's ID at the desk (the parsing itself is ``scanners``; this records who saw what)."""
