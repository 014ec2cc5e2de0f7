"""Deterministic synthetic data at Yunnan's shape (`liaison generate`)."""
