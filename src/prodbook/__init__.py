"""prodbook: the APM's production tracker, automated."""

__version__ = "0.1.0"
