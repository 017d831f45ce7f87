"""The version of skmlp_numpy, kept in one place."""

__version__ = "0.4.0"
