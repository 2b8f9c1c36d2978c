"""Chengguan 城管 — open-source smart city-management law-enforcement platform."""

__version__ = "0.1.0"
