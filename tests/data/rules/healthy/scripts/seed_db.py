"""Seed the local database with fake customers."""
