"""Helpers shared by the language-server tests and the latency benchmark."""
