"""Discuss services: the domain logic. They take plain arguments and never commit."""
