"""Batch scans beyond one process: the same per-file analysis on Dask or Ray, streamed as JSONL."""
