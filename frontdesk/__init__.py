"""FrontDesk: the domain core (models, store, services, CLI). Never imports Qt."""

__version__ = "0.1.0"
