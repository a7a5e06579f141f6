"""The front-desk window: the form, On site now, the check-in flow and its match card, first run."""
