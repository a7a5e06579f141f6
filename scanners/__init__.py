"""ID parsing (pure functions) and scanner inputs behind one small interface. Never imports Qt."""
