"""Python client for a Tidemark feature store (standard library transport; pandas optional)."""

from .client import Client, TidemarkError

__all__ = ["Client", "TidemarkError"]
__version__ = "0.1.0"
