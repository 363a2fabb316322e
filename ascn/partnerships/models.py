"""Cooperation with external partners: programmes, offers, needs surveys and matching.

The partner organisations themselves are part of the registry (`ascn.network.models.Partner`).
"""
