"""digitize: scanned textbooks to clean, accessible e-books."""

__version__ = "0.1.0"
