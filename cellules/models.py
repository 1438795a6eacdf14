"""Monthly cellules de suivi arrive with their own step of the road.

The référentiel already holds their parameters (documents deadline in working days).
"""
