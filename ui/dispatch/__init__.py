"""Panic alerts in the window: the panic control, its banners, the dispatch link worker."""
