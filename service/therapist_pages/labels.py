"""Plain words for the therapist pages: labels for severities, sources and kinds, instructions for modifications."""

from __future__ import annotations

SEVERITY = {"critical": "Critical", "warning": "Warning", "info": "Note"}

SOURCE = {
    "screening": "At booking",
    "pre_session": "Before the session",
    "post_session": "After the session",
    "staff": "Raised by staff",
}

KIND = {
    "screening": "Booking screening",
    "aggravation": "Reported getting worse",
    "red_flag": "Warning sign",
    "bruising": "Unusual bruising",
    "unreachable": "Client cannot be reached",
    "unanswered": "Questionnaire not answered",
}

OUTCOME = {
    "proceed": "Go ahead",
    "proceed_with_modifications": "Go ahead, with the changes below",
    "reschedule": "Not now: the client was advised a later date",
    "needs_clearance": "On hold until a clinician clears massage",
    "refer_urgently": "Do not treat: the client was told to seek urgent care",
}

MODIFICATION = {
    "light_pressure": "Use light pressure only.",
    "max_pressure_medium": "Keep pressure to medium at most.",
    "avoid_direct_sciatic_pressure": "No sustained direct pressure on the buttock or the back of the thigh.",
    "side_lying": "Offer side-lying.",
    "side_lying_supported": "Side-lying, well supported.",
    "stop_if_leg_symptoms_spread": "Stop if leg symptoms spread.",
    "no_spinal_mobilisation": "No spinal or rib mobilisation.",
    "no_deep_tissue": "No deep tissue work.",
    "no_deep_pressure_legs_inner_thigh": "No deep pressure to the legs or the inner thigh.",
    "gentle_only": "Gentle work only.",
    "check_symptoms_first": "Check how the client is before starting.",
    "avoid_procedure_site": "Avoid the procedure site, the incision and any hardware.",
    "reduce_depth": "Work less deeply than last time.",
}


def instruction(modification: str) -> str:
    """The instruction for a modification word; an unknown word is shown as words, never hidden."""
    return MODIFICATION.get(modification, modification.replace("_", " ").capitalize() + ".")
