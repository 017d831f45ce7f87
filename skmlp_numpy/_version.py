"""The version of skmlp_numpy, kept in one place."""

__version__ = "0.2.0"
