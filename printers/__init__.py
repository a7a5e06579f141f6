"""Badge rendering and printer drivers behind one small interface. Never imports Qt."""
