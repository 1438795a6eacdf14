"""Prescriptions (online referrals) arrive with the next step of the road.

Today a parcours already records who prescribed it (``Parcours.prescripteur`` and
``Parcours.structure_prescriptrice``), which is what the visibility rules need.
"""
