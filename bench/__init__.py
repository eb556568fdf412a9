"""Benchmarks behind `make bench`: figures printed, nothing asserted."""
