"""Modality-free core: media, evidence, registry, fusion, the scan engine and metrics.

Nothing in this package imports a modality; modalities register themselves as plugins.
"""
